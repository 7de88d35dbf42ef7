"""Assemble the SYNTHETIC illustrative corpus from the authored utterance bank.

The study's interviews are confidential, so the repository ships an invented
corpus that exercises every stage of the pipeline. The generator reads

- ``bank/*.yaml``: authored utterances, each tagged with the codes that apply to
  it, the actor types who could say it and its register (speech, field note,
  document), plus ``bank/talk.yaml`` (interviewer questions and uncoded talk);
- ``design.yaml``: the planted structure (each station's memberships in the three
  conditions, the rule that gives its outcome, evidence rates, who is
  interviewed, the second coder's error rates);
- a seed (``seeds.synthetic`` in ``config.yaml``),

and returns every file of the case folders as text. Random draws use Python's
:class:`random.Random`, whose streams for ``random``, ``choice`` and ``shuffle``
are stable across Python versions, so the same seed gives the same bytes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import yaml

from analysis.inputs.io import SEGMENT_COLUMNS
from analysis.inputs.writers import csv_text

HERE = Path(__file__).parent
SYNTHETIC_NOTE = ("合成示例数据：由仓库中的生成器用编写的语句库拼接而成，不是真实访谈记录，"
                  "不得作为研究发现引用。Synthetic illustrative data assembled by the repository's "
                  "generator; not a real interview and not a finding of the study.")
END_PUNCT = "。！？…」”）"
KIND_REGISTER = {"interview": "speech", "focus_group": "speech", "field_note": "note", "document": "document"}


@dataclass
class Bank:
    """Utterances by primary code, and the uncoded talk."""

    by_code: dict[str, list[dict]]
    talk: dict
    leaves: dict[str, list[str]] = field(default_factory=dict)  # theme -> leaf codes in bank order


def load_bank(folder: Path = HERE / "bank") -> Bank:
    """Read the authored bank (files in name order, utterances in file order)."""
    by_code: dict[str, list[dict]] = {}
    leaves: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data["theme"] == "talk":
            talk = data
            continue
        for utt in data["utterances"]:
            primary = utt["codes"][0]
            by_code.setdefault(primary, []).append(utt)
            theme = primary.split(".")[0]
            if primary not in leaves.setdefault(theme, []):
                leaves[theme].append(primary)
    return Bank(by_code=by_code, talk=talk, leaves=leaves)


def load_design(path: Path = HERE / "design.yaml") -> dict:
    """Read the planted structure; station rows become dicts with planted ``res``."""
    design = yaml.safe_load(path.read_text(encoding="utf-8"))
    design["stations"] = [_planted(dict(zip(STATION_KEYS, row))) for row in design["stations"]]
    return design


STATION_KEYS = ["station_id", "unit_type", "setting", "operator_type", "start_year", "staff", "inst", "cap", "inc"]
CONDITIONS = ("inst", "cap", "inc")


def _planted(st: dict) -> dict:
    """A station's attributes with the memberships the planted rule derives from its conditions."""
    st["res"] = planted_outcome(st)
    st["mech"] = round((st["inst"] + st["cap"] + st["inc"]) / 3, 4)
    st["phase"] = 1.0  # phase codes describe how co-production ran; they carry no planted contrast
    return st


def design_stations(design: dict, count: int | None, seed: int) -> list[dict]:
    """The stations of a corpus of ``count`` stations (default: the design's own).

    The design's stations come first, in its order, so a corpus of any size begins with the
    committed one. Beyond them each further station is drawn from the design's mix: its unit
    type, setting and operator from one design station, its start year and staff from others,
    and each condition's membership from the levels the design uses, so the planted rule and the
    spread of memberships hold at any size. The draws come from their own stream (seeded from
    ``seed``), not from the one that writes the text.

    Examples
    --------
    >>> design = load_design()
    >>> [st["station_id"] for st in design_stations(design, 3, seed=1)]
    ['S01', 'S02', 'S03']
    >>> more = design_stations(design, 17, seed=1)
    >>> [st["station_id"] for st in more[14:]], more[:15] == design["stations"]
    (['S15', 'S16', 'S17'], True)
    >>> all(st["res"] == min(st["inst"], max(st["cap"], st["inc"])) for st in more)
    True
    """
    own = design["stations"]
    if count is None:
        return list(own)
    if count < 1:
        raise ValueError("a corpus needs at least one station")
    stations = [dict(st) for st in own[:count]]
    rng = random.Random(f"casebook-synthetic-stations-{seed}")
    levels = sorted({st[c] for st in own for c in CONDITIONS})
    for number in range(len(own) + 1, count + 1):
        kind = rng.choice(own)
        st = {"station_id": f"S{number:02d}", "unit_type": kind["unit_type"], "setting": kind["setting"],
              "operator_type": kind["operator_type"], "start_year": rng.choice(own)["start_year"],
              "staff": rng.choice(own)["staff"]}
        st.update({c: rng.choice(levels) for c in CONDITIONS})
        stations.append(_planted(st))
    return stations


def planted_outcome(station: dict) -> float:
    """The planted rule: resilience = min(inst, max(cap, inc)).

    Examples
    --------
    >>> planted_outcome({"inst": 0.9, "cap": 0.3, "inc": 0.7})
    0.7
    """
    return min(station["inst"], max(station["cap"], station["inc"]))


OLD_BANDS = ("60-74", "75+")
YOUNG_BANDS = ("18-29", "30-44")


def fits(utterance: dict, person: dict) -> bool:
    """Could this person say this utterance (actor type, and any gender or age the text implies)?

    Examples
    --------
    >>> person = {"actor_type": "resident", "gender": "male", "age_band": "60-74"}
    >>> fits({"actors": ["resident"], "gender": "female"}, person), fits({"actors": ["resident"], "age": "old"}, person)
    (False, True)
    """
    if person["actor_type"] not in utterance["actors"]:
        return False
    if utterance.get("gender") not in (None, person["gender"]):
        return False
    return utterance.get("age") != "old" or person["age_band"] in OLD_BANDS


def fits_filler(filler: dict, person: dict) -> bool:
    """Could this person say this uncoded aside (actor type, age, gender)?"""
    if person["actor_type"] not in filler["actors"]:
        return False
    if filler.get("gender", "any") not in ("any", person["gender"]):
        return False
    age = filler.get("age", "any")
    return age == "any" or (age == "old") == (person["age_band"] in OLD_BANDS) and (
        age != "young" or person["age_band"] in YOUNG_BANDS)


class _Body:
    """A transcript body under construction, tracking offsets of coded utterances."""

    def __init__(self):
        self.parts: list[str] = []
        self.size = 0
        self.coded: list[tuple[int, int, dict, str]] = []  # start, end, utterance, speaker

    def add(self, text: str) -> int:
        start = self.size
        self.parts.append(text)
        self.size += len(text)
        return start

    def add_coded(self, text: str, utt: dict, speaker: str) -> None:
        start = self.add(text)
        self.coded.append((start, start + len(text), utt, speaker))

    def text(self) -> str:
        return "".join(self.parts)

    def mechanism_seen(self) -> bool:
        """Has the station's leading mechanism (a mech.* code) come up yet in this document?"""
        return any(code.startswith("mech.") for _, _, utt, _ in self.coded for code in utt["codes"])


class Generator:
    """One run of the generator: a seeded stream of choices over the bank and design."""

    def __init__(self, bank: Bank, design: dict, seed: int):
        self.bank, self.design = bank, design
        self.rng = random.Random(seed)
        self._carry: dict[tuple[str, str], float] = {}

    # -- small draws -------------------------------------------------------------------
    def weighted(self, weights: dict[str, float]) -> str:
        keys = list(weights)
        return self.rng.choices(keys, weights=[weights[k] for k in keys])[0]

    def fill(self, text: str, station: dict) -> str:
        text = text.strip()
        text = text.replace("{village}", self.rng.choice(station["villages"]))
        text = text.replace("{group}", self.rng.choice(self.design["groups"]))
        text = text.replace("{n}", str(self.rng.randint(2, 9)))
        return text if text[-1] in END_PUNCT else text + "。"

    # -- choosing evidence -------------------------------------------------------------
    def choose_code(self, station: dict, actor: str, mechanism_seen: bool = False) -> str:
        topic = self.weighted(self.design["topics"][actor])
        rate = self.design["evidence_rate"]
        p_support = rate["floor"] + rate["span"] * station[topic]
        if topic == "res" and mechanism_seen:  # the planted mechanism -> resilience link
            p_support = min(0.95, p_support + self.design["mechanism_boost"])
        contrary = self.design["contrary"][topic]
        if not contrary or self._supportive(station["station_id"], topic, p_support):
            return self.rng.choice(self.bank.leaves[topic])
        return self.rng.choice(contrary)

    def _supportive(self, station: str, topic: str, p_support: float) -> bool:
        """Is this draw supportive? Error diffusion keeps each station's realised share near p.

        Independent coin flips would leave a station with twenty draws on a
        topic far from its planted share by chance alone; accumulating p and
        emitting a supportive draw each time the sum passes 1 (from a random
        start) realises the share to within one draw while keeping the order
        random.
        """
        key = (station, topic)
        if key not in self._carry:
            self._carry[key] = self.rng.random()
        self._carry[key] += p_support
        if self._carry[key] >= 1.0:
            self._carry[key] -= 1.0
            return True
        return False

    def choose_utterance(self, station: dict, register: str, person: dict | None, used: set[str],
                         mechanism_seen: bool = False) -> dict:
        """An utterance the person could say: right register, actor type, gender and age.

        A code is drawn for the person's actor type; when it has no fresh
        utterance (unused at this station) that fits, another code is drawn, up
        to ten times, before a used one that fits (or, failing that, any of
        the register) is taken.
        """
        actor = person["actor_type"] if person else "none"
        fallback: list[dict] = []
        for _ in range(10):
            code = self.choose_code(station, actor, mechanism_seen)
            pool = [u for u in self.bank.by_code[code] if u["register"] == register]
            fitting = [u for u in pool if person is None or fits(u, person)]
            fresh = [u for u in fitting if u["id"] not in used]
            if fresh:
                break
            fallback = fallback or fitting or pool
        utt = self.rng.choice(fresh or fallback)
        used.add(utt["id"])
        return utt

    def filler(self, person: dict, station: dict) -> str:
        options = [f for f in self.bank.talk["fillers"] if fits_filler(f, person)]
        return self.fill(self.rng.choice(options)["text"], station)

    def question(self, code: str, asked: set[str]) -> str:
        talk = self.bank.talk["questions"]
        for key in (code, code.split(".")[0], "general"):
            fresh = [q for q in talk.get(key, []) if q not in asked]
            if fresh:
                q = self.rng.choice(fresh)
                asked.add(q)
                return q
        return self.rng.choice(self.bank.talk["follow_ups"])

    # -- documents ---------------------------------------------------------------------
    def interview(self, station, people: list[dict], n_coded: int, used, focus: bool) -> _Body:
        body, talk = _Body(), self.bank.talk
        opener = self.rng.choice(talk["focus_openers"] if focus else talk["openers"])
        body.add(f"**访谈者**：{self.fill(opener, station)}\n\n")
        first = people[0]
        body.add(f"**{first['participant_id']}**：{self.fill(self.rng.choice(talk['consents']), station)}\n\n")
        asked: set[str] = set()
        done = 0
        while done < n_coded:
            person = self.rng.choice(people) if focus else people[0]
            utt = self.choose_utterance(station, "speech", person, used, body.mechanism_seen())
            body.add(f"**访谈者**：{self.question(utt['codes'][0], asked)}\n\n**{person['participant_id']}**：")
            if self.rng.random() < 0.2:
                body.add(self.filler(person, station))
            body.add_coded(self.fill(utt["text"], station), utt, person["participant_id"])
            done += 1
            if done < n_coded and self.rng.random() < 0.3:  # a follow-up draws a second answer
                body.add(f"\n\n**访谈者**：{self.rng.choice(talk['follow_ups'])}\n\n**{person['participant_id']}**：")
                utt = self.choose_utterance(station, "speech", person, used, body.mechanism_seen())
                body.add_coded(self.fill(utt["text"], station), utt, person["participant_id"])
                done += 1
            body.add("\n\n")
        closer = self.rng.choice(talk["focus_closers"] if focus else talk["closers"])
        last = self.rng.choice(people)
        body.add(f"**访谈者**：{self.fill(closer, station)}\n\n")
        body.add(f"**{last['participant_id']}**：{self.fill(self.rng.choice(talk['closing_replies']), station)}\n")
        return body

    def written(self, station, kind: str, n_coded: int, used) -> _Body:
        body, talk = _Body(), self.bank.talk
        if kind == "field_note":
            body.add(self.fill(self.rng.choice(talk["note_openers"]), station) + "\n\n")
        else:
            body.add("## " + self.fill(self.rng.choice(talk["document_headers"]), station).rstrip("。") + "\n\n")
        register = KIND_REGISTER[kind]
        for i in range(n_coded):
            utt = self.choose_utterance(station, register, None, used, body.mechanism_seen())
            body.add_coded(self.fill(utt["text"], station), utt, "")
            body.add("\n\n" if i + 1 < n_coded else "\n")
        return body

    # -- coding ------------------------------------------------------------------------
    def second_coding(self, start: int, end: int, text: str, codes: list[str]) -> list[tuple[int, int, str]]:
        err, hard = self.design["coder_error"], set(self.design["hard_codes"])
        confusable = self.design["confusable"]
        s, e = start, end
        if self.rng.random() < err["trim"]:
            cut = text.find("，")
            last = text.rfind("。", 0, len(text) - 1)
            if self.rng.random() < 0.5 and 0 < cut < len(text) * 0.5:
                s = start + cut + 1
            elif last > len(text) * 0.5:
                e = start + last + 1
        out = []
        for code in codes:
            factor = err["hard_factor"] if code in hard else 1.0
            draw = self.rng.random()
            if draw < err["drop"] * factor:
                continue
            if draw < (err["drop"] + err["confuse"]) * factor and code in confusable:
                code = confusable[code]
            if code not in [c for _, _, c in out]:  # confused into a code it also applied: one segment, not two
                out.append((s, e, code))
        if self.rng.random() < err["add"] and codes[0] in confusable:
            extra = confusable[codes[0]]
            if extra not in [c for _, _, c in out]:
                out.append((s, e, extra))
        return out

    # -- a station ---------------------------------------------------------------------
    def station(self, st: dict, first_day: date) -> dict[str, str]:
        case = st["station_id"]
        d = self.design
        st = dict(st, villages=self.rng.sample(d["villages"], 3))
        people = []
        for i, actor in enumerate(d["participants"], start=1):
            people.append({"participant_id": f"{case}-P{i:02d}", "actor_type": actor, "role": d["roles"][actor],
                           "gender": self._gender(actor), "age_band": self._age(actor)})
        first_of = {}
        for p in people:
            first_of.setdefault(p["actor_type"], p)
        rest = [p for p in people if p is not first_of[p["actor_type"]]]
        plans = [("interview", [first_of[a]]) for a in d["interviews"]]
        plans.append(("focus_group", [p for p in rest if p["actor_type"] in d["focus_group"]]))
        plans.append(("field_note" if int(case[1:]) % 2 else "document", []))
        days = list(range(d["fieldwork"]["days_per_station"]))
        self.rng.shuffle(days)
        days = sorted(days[: len(plans)])
        order = list(range(len(plans)))
        self.rng.shuffle(order)
        used: set[str] = set()
        files, segments = {}, []
        docs = []
        second = d["double_coding"]["coder"]
        double = self._double_coded([f"{case}-D{n:02d}" for n in range(1, len(plans) + 1)])
        for number, (kind, who) in enumerate(plans, start=1):
            doc_id = f"{case}-D{number:02d}"
            lo, hi = d["coded_utterances"][kind]
            n_coded = self.rng.randint(lo, hi)
            if kind in ("interview", "focus_group"):
                body = self.interview(st, who, n_coded, used, focus=kind == "focus_group")
            else:
                body = self.written(st, kind, n_coded, used)
            when = first_day + timedelta(days=days[order[number - 1]])
            header = {
                "id": doc_id, "participants": [p["participant_id"] for p in who], "date": when.isoformat(),
                "interviewer": self.rng.choice(["I1", "I2"]), "kind": kind,
                "coded_by": ["C1", second] if doc_id in double else ["C1"],
            }
            files[f"{case}/transcripts/{doc_id}.md"] = _transcript(header, body.text())
            docs.append((doc_id, body))
        counters = {"C1": 0, second: 0}
        for doc_id, body in docs:
            text = body.text()
            rows = []
            for start, end, utt, speaker in body.coded:
                rows += [(start, end, code, "C1", speaker) for code in utt["codes"]]
            if doc_id in double:
                for start, end, utt, speaker in body.coded:
                    rows += [(s, e, c, second, speaker)
                             for s, e, c in self.second_coding(start, end, text[start:end], utt["codes"])]
            for start, end, code, coder, speaker in sorted(rows, key=lambda r: (r[3], r[0], r[2])):
                counters[coder] += 1
                segments.append({"segment_id": f"{case}-{coder}-{counters[coder]:04d}", "document_id": doc_id,
                                 "participant_id": speaker, "start": start, "end": end, "code_id": code,
                                 "coder_id": coder, "text": text[start:end]})
        files[f"{case}/participants.csv"] = _csv(people, ["participant_id", "actor_type", "role", "gender", "age_band"])
        files[f"{case}/segments.csv"] = _csv(segments, list(SEGMENT_COLUMNS[:-1]))
        files[f"{case}/station.yaml"] = _station_yaml(st)
        return files

    def _double_coded(self, doc_ids: list[str]) -> set[str]:
        k = max(1, round(self.design["double_coding"]["share"] * len(doc_ids)))
        return set(self.rng.sample(doc_ids, min(len(doc_ids), k)))

    def _gender(self, actor: str) -> str:
        p_female = {"social_worker": 0.75, "resident": 0.6, "volunteer_org": 0.65}.get(actor, 0.4)
        return "female" if self.rng.random() < p_female else "male"

    def _age(self, actor: str) -> str:
        bands = {"government": ["30-44", "45-59"], "social_worker": ["18-29", "18-29", "30-44"],
                 "cadre": ["45-59", "45-59", "60-74"], "resident": ["45-59", "60-74", "60-74", "75+"],
                 "volunteer_org": ["30-44", "45-59", "60-74"]}[actor]
        return self.rng.choice(bands)


def _transcript(header: dict, body: str) -> str:
    lines = ["---", f"id: {header['id']}", f"participants: [{', '.join(header['participants'])}]",
             f"date: {header['date']}", f"interviewer: {header['interviewer']}", f"kind: {header['kind']}",
             f"coded_by: [{', '.join(header['coded_by'])}]", "language: zh", "synthetic: true", f"note: \"{SYNTHETIC_NOTE}\"", "---"]
    return "\n".join(lines) + "\n" + body


def _csv(rows: list[dict], columns: list[str]) -> str:
    return csv_text(columns, rows)


def _station_yaml(st: dict) -> str:
    return "".join([
        "# SYNTHETIC illustrative station: invented attributes under a pseudonymous id; not a real station.\n",
        f"station_id: {st['station_id']}\n", f"unit_type: {st['unit_type']}\n", f"setting: {st['setting']}\n",
        f"operator_type: {st['operator_type']}\n", f"start_year: {st['start_year']}\n", f"staff: {st['staff']}\n",
        "synthetic: true\n",
    ])


def generate(seed: int, bank: Bank | None = None, design: dict | None = None,
             stations: int | None = None) -> dict[str, str]:
    """Every file of the synthetic case folders, keyed by path relative to ``data/cases``.

    ``stations`` sets the corpus's size (default: the design's 15 stations); a larger corpus
    begins with the same stations, byte for byte, as the design's own. The design's fieldwork runs
    one station after another; further stations are visited by teams working in parallel on the
    same calendar (station k on the days of station k modulo the design's count), so the dates
    stay within the design's fieldwork however many stations there are.

    Examples
    --------
    >>> files = generate(seed=1)
    >>> sorted(f for f in files if f.startswith("S01/") and not f.endswith(".md"))
    ['S01/participants.csv', 'S01/segments.csv', 'S01/station.yaml']
    >>> files == generate(seed=1)
    True
    """
    bank = bank or load_bank()
    design = design or load_design()
    gen = Generator(bank, design, seed)
    fw = design["fieldwork"]
    start, step = date.fromisoformat(fw["start"]), fw["days_per_station"] + fw["gap_days"]
    files: dict[str, str] = {}
    for k, st in enumerate(design_stations(design, stations, seed)):
        files.update(gen.station(st, start + timedelta(days=step * (k % len(design["stations"])))))
    return dict(sorted(files.items()))
