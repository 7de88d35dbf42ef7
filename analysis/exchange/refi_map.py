"""REFI-QDA import, step two: the offset convention chosen, and the project mapped onto the data model
(coders, codes, documents, participants and segments)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from analysis.exchange.refi_read import (
    _CJK,
    _DOC_ID,
    _ID,
    IMPORTED_THEME,
    PROJECT_MEMOS_FILE,
    UNKNOWN_CODER,
    Convention,
    RefiCode,
    RefiProject,
    _norm_guid,
    name_fit,
    preferred_conventions,
    stable_guid,
)
from analysis.inputs.problems import InputError, Problem
from analysis.inputs.validate import overlapping

# ---------------------------------------------------------------------------- choosing the offset convention


@dataclass
class Placement:
    """The convention chosen for a project and every selection's body offsets under it."""

    convention: Convention
    spans: dict[tuple[int, int], tuple[int, int]]  # (source index, selection index) -> (start, end)
    note: str


def _place_all(project: RefiProject, conv: Convention) -> tuple[dict, list[tuple]]:
    spans, failures = {}, []
    for i, source in enumerate(project.sources):
        for j, sel in enumerate(source.selections):
            placed = source.text.place(sel.start, sel.end, conv)
            if isinstance(placed, str):
                failures.append((source, sel, placed))
            else:
                spans[(i, j)] = placed
    return spans, failures


def _fits(project: RefiProject, spans: dict) -> dict[tuple[int, int], str | None]:
    return {key: name_fit(project.sources[key[0]].selections[key[1]].name, project.sources[key[0]].text.body[s:e])
            for key, (s, e) in spans.items()}


def choose_convention(project: RefiProject) -> Placement:
    """Pick the offset convention that places every selection and fits the text the selections record.

    The conventions are tried in the order :func:`preferred_conventions` gives
    for the project's origin. One that places every selection in its text
    qualifies when every selection whose ``name`` fits its text under some
    convention also fits under this one; among those the one with the most
    exact fits wins, ties going to the expected order. When no convention places
    every selection, the problems under the expected convention are raised.
    """
    order = preferred_conventions(project.origin)
    tried = {conv.key: _place_all(project, conv) for conv in order}
    valid = [conv for conv in order if not tried[conv.key][1]]
    if not valid:
        raise InputError(_placement_problems(project, order, tried[order[0].key][1]))
    fits = {conv.key: _fits(project, tried[conv.key][0]) for conv in valid}
    informative = {key for conv in valid for key, fit in fits[conv.key].items() if fit}
    qualified = [conv for conv in valid if all(fits[conv.key][key] for key in informative)]
    if not qualified:
        raise InputError(_mismatch_problems(project, fits[valid[0].key], informative))
    best = max(qualified, key=lambda conv: sum(fit == "exact" for fit in fits[conv.key].values()))
    n_sel = sum(len(s.selections) for s in project.sources)
    origin = f"origin '{project.origin}'" if project.origin else "no origin given"
    if not informative:
        # No selection records its text (NVivo writes name=""), so the selections' edges are the evidence:
        # under the right count they fall where a coder would put them (line and sentence ends, between
        # words); a wrong count shifts them into words. A clear difference overrules the expectation.
        share = {conv.key: boundary_share(project, tried[conv.key][0]) for conv in valid}
        clean = max(valid, key=lambda conv: share[conv.key])
        if share[clean.key] >= share[best.key] + BOUNDARY_MARGIN:
            best = clean
        if not n_sel:
            note = f"{best.describe()} ({origin}); no selections"
        else:
            # beside it, the expected convention and the next cleanest (the rest are in no doubt)
            rest = sorted((c for c in valid if c != best), key=lambda c: (c != order[0], -share[c.key]))[:2]
            others = "; ".join(f"{share[c.key]:.0%} under {c.describe()}" for c in rest)
            note = (f"{best.describe()} ({origin}); no selection records its text, so checked by the selections' edges: "
                    f"{share[best.key]:.0%} of them fall on a line, sentence or word boundary"
                    + (f" ({others})" if others else ""))
            if best != order[0] and order[0] in valid:
                note += f"; that overrules the convention expected ({order[0].describe()})"
        if best != order[0] and order[0] not in valid:
            note += f"; the expected convention ({order[0].describe()}) could not place every selection"
    elif best == order[0]:
        note = f"{best.describe()} (as expected for {origin}); checked: the recorded text of {len(informative)} of {n_sel} selections fits"
    else:
        why = {True: "fits the text the selections record less exactly", False: "does not fit the text the selections record"}
        note = (f"{best.describe()}: NOT the convention expected for {origin} ({order[0].describe()}), which "
                + (why[order[0] in qualified] if order[0] in valid else "cannot place every selection")
                + f"; the recorded text of {len(informative)} of {n_sel} selections fits this one")
    return Placement(best, tried[best.key][0], note)


#: How much larger the share of clean selection edges must be under another convention than under
#: the expected one before it overrules the expectation (when no selection records its text).
BOUNDARY_MARGIN = 0.2
_STOPS = set(" \t\n\u3000。，、；：？！…·—“”‘’（）()《》〈〉【】「」『』.,;:?!\"'")


def boundary_share(project: RefiProject, spans: dict) -> float:
    """The share of selection edges on a boundary: a start at the text's start or after a space,
    line end or punctuation mark, an end at the text's end, before one, or just after a punctuation
    mark. Counted over every selection placed (``spans``: (source, selection) -> body offsets).

    >>> from analysis.exchange.refi_read import RefiSelection, RefiSource, SourceText
    >>> src = RefiSource("g", "d", 1, SourceText("我们很好。大家都来了。"), "", [], {}, [], 0)
    >>> p = RefiProject("f", "f", "", sources=[src])
    >>> boundary_share(p, {(0, 0): (5, 11)}), boundary_share(p, {(0, 0): (6, 9)})
    (1.0, 0.0)
    """
    edges = ok = 0
    for (i, _), (start, end) in spans.items():
        body = project.sources[i].text.body
        ok += start == 0 or body[start - 1] in _STOPS or body[start] in _STOPS
        ok += end == len(body) or body[end] in _STOPS or body[end - 1] in _STOPS
        edges += 2
    return ok / edges if edges else 0.0


def _placement_problems(project: RefiProject, order: list[Convention], failures: list[tuple]) -> list[Problem]:
    origin = f"origin '{project.origin}'" if project.origin else "a project without origin"
    problems = [Problem(project.qde, f"line {sel.line} (PlainTextSelection {sel.guid} in source '{source.name}')",
                        f"the selection {reason}, counting {order[0].describe()} as expected for {origin}; "
                        "no other way of counting (characters or UTF-16 units, LF or CRLF line ends) places every selection either",
                        "correct or delete the selection in the QDA program and export the project again")
                for source, sel, reason in failures[:10]]
    if len(failures) > 10:
        problems.append(Problem(project.qde, "", f"{len(failures) - 10} more selections cannot be placed", "correct them as above"))
    return problems


def _mismatch_problems(project: RefiProject, fits: dict, informative: set) -> list[Problem]:
    bad = sorted(key for key in informative if not fits[key])
    problems = []
    for i, j in bad[:10]:
        source, sel = project.sources[i], project.sources[i].selections[j]
        problems.append(Problem(project.qde, f"line {sel.line} (PlainTextSelection {sel.guid} in source '{source.name}')",
                                "the text the selection records (its name) does not match the source text at its offsets "
                                "under any counting convention that fits the other selections",
                                "check that the source file is the one that was coded; export the project again"))
    return problems


# ---------------------------------------------------------------------------- mapping onto the data model


def map_coders(project: RefiProject, known: set[str]) -> dict[str, str]:
    """Coder id for every user guid that created a coding or selection, or is listed in ``Users``.

    A user whose guid is the one :func:`export_qdpx` writes for the coder id in
    its ``id`` or ``name`` keeps that id, known or not (a round trip through a QDA
    program gives every coder back the id it left with). A user keeps a known
    coder id (``config.yaml`` ``coders.known``) when its ``id`` or ``name`` is
    that id; any other user gets ``U`` and the first hex digits of its guid (four,
    more if two users would clash): short, the same in every import (user guids
    are stable), and free of the person's name.

    Examples
    --------
    >>> p = RefiProject("f", "f", "", users={stable_guid("coder", "C1"): ("C1", "C1"),
    ...                                      "3f2a9c00-0000-0000-0000-000000000000": ("Anna Li", "")})
    >>> sorted(map_coders(p, {"C1", "C2"}).values())
    ['C1', 'U3F2A']
    """
    referenced = {sel.user for s in project.sources for sel in s.selections} | {
        c.user for s in project.sources for sel in s.selections for c in sel.codings}
    users = dict(project.users) | {g: ("", "") for g in referenced if g and g not in project.users}
    by_guid = {stable_guid("coder", k): k for k in known}
    out: dict[str, str] = {}
    for guid in sorted(users):
        name, ident = users[guid]
        # our own export writes each coder as a user whose guid is derived from the coder id: that user
        # keeps the id, known or not, so the same person keeps the same id through export and re-import
        ours = next((v for v in (ident.strip(), name.strip()) if _ID.match(v) and stable_guid("coder", v) == guid), "")
        out[guid] = by_guid.get(guid) or ours or next((v for v in (ident.strip(), name.strip()) if v in known), "")
    taken = set(out.values())
    for guid in sorted(users):
        if not out[guid]:
            hexes = re.sub(r"[^0-9A-Z]", "", guid.upper()) or "0"
            width, ident = 4, f"U{hexes[:4]}"
            while ident in taken:
                width += 2
                ident = f"U{hexes[:width]}" if width <= len(hexes) else f"U{hexes}_{width}"
            out[guid] = ident
            taken.add(ident)
    return out


def _slug(name: str, guid: str) -> str:
    """A code id part from a code's name: lower-case ASCII words joined by '_'; from the guid if none.

    Examples
    --------
    >>> _slug("Trust & Safety", "ab"), _slug("社会信任", "0a1b2c3d-aaaa")
    ('trust_safety', 'code_0a1b2c')
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z0-9]+", "_", ascii_name).strip("_")[:32].strip("_")
    if words and words[0].isalpha():
        return words
    return f"code_{guid.replace('-', '')[:6]}" if not words else f"c_{words}"


def _bilingual(text: str) -> dict[str, str]:
    """Text in the slot of its language (Chinese if it holds any Han character), the other left empty."""
    return {"zh": text, "en": ""} if _CJK.search(text) else {"zh": "", "en": text}


def _colour(value: str) -> str | None:
    value = value.strip()
    if re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
        return value.upper()
    if re.fullmatch(r"#[0-9A-Fa-f]{3}", value):
        return "#" + "".join(ch * 2 for ch in value[1:]).upper()
    return None


@dataclass
class CodeMap:
    """Each REFI code's id in the codebook, and the codes to add under :data:`IMPORTED_THEME`."""

    ids: dict[str, str]
    matched: list[tuple[str, str]]
    added: list[dict]
    ambiguous: list[str]


def _candidates(code: RefiCode, codebook: dict) -> list[dict]:
    key = code.name.casefold()
    by_guid = [c for c in codebook["codes"] if code.guid in (_norm_guid(c.get("guid")), stable_guid("code", c["id"]))]
    return by_guid or [c for c in codebook["codes"]
                       if key in (c["id"].casefold(), c["label"]["zh"].strip().casefold(), c["label"]["en"].strip().casefold())]


def map_codes(project: RefiProject, codebook: dict) -> CodeMap:
    """Match the project's code tree onto the codebook; add what does not match under ``imported``.

    A code matches a codebook code with the same guid (the code's ``guid``
    field, or the one :func:`export_qdpx` derives from its id), else one whose
    id, Chinese label or English label equals its name (case aside). Among
    several, the one under the code its parent matched is taken; if that does
    not settle it the code is added. An added code keeps its nesting among the
    added ones: ``imported.<name>``, ``imported.<parent>.<name>``; its name and
    description go to the label and definition in their language, its colour
    and guid are kept, and every field that cannot be known is left empty.
    """
    codebook_ids = {c["id"] for c in codebook["codes"]}
    out = CodeMap({}, [], [], [])
    new_ids: set[str] = set()
    parent_code = {c["id"]: c.get("parent") for c in codebook["codes"]}
    ours = stable_guid("code", IMPORTED_THEME)  # the theme our own export writes for the imported codes
    for code in project.codes:
        if code.guid == ours and IMPORTED_THEME not in codebook_ids:
            # re-importing our own export: its 'imported' theme is the theme itself, not a code beneath it,
            # so the imported codes come back to the same ids
            out.ids[code.guid] = IMPORTED_THEME
            continue
        found = _candidates(code, codebook)
        if len(found) > 1 and code.parent in out.ids:
            found = [c for c in found if parent_code.get(c["id"]) == out.ids[code.parent]] or found
        if len(found) == 1:
            out.ids[code.guid] = found[0]["id"]
            out.matched.append((code.name, found[0]["id"]))
            continue
        if len(found) > 1:
            out.ambiguous.append(f"'{code.name}' could be any of {', '.join(c['id'] for c in found)}")
        parent = next((a["id"] for a in out.added if a["guid"] == code.parent), IMPORTED_THEME)
        base = f"{parent}.{_slug(code.name, code.guid)}"
        ident, n = base, 2
        while ident in codebook_ids or ident in new_ids:
            ident, n = f"{base}_{n}", n + 1
        new_ids.add(ident)
        out.ids[code.guid] = ident
        out.added.append(_added_code(ident, parent, code))
    if out.added and IMPORTED_THEME not in codebook_ids:
        out.added.insert(0, _imported_theme())
    return out


def _added_code(ident: str, parent: str, code: RefiCode) -> dict:
    empty = {"zh": "", "en": ""}
    entry = {"id": ident, "parent": parent, "label": _bilingual(code.name),
             "definition": _bilingual(code.description) if code.description else dict(empty),
             "when_to_use": dict(empty), "when_not_to_use": dict(empty), "example": dict(empty)}
    colour = _colour(code.color)
    if colour:
        entry["colour"] = colour
    if not code.codable:
        entry["codable"] = False
    entry["guid"] = code.guid
    return entry


def _imported_theme() -> dict:
    return {
        "id": IMPORTED_THEME, "parent": None,
        "label": {"zh": "导入的代码", "en": "Imported codes"},
        "definition": {"zh": "从 REFI-QDA 项目导入、尚未与本编码簿中任何代码对应的代码。",
                       "en": "Codes imported from a REFI-QDA project that match no code of this codebook yet."},
        "when_to_use": {"zh": "不直接使用：审阅后把其子码并入合适的主题，或改写为已有代码。",
                        "en": "Not for direct use: after review, move its children under a fitting theme or recode them to existing codes."},
        "when_not_to_use": {"zh": "新的编码一律使用编码簿中已有的代码。", "en": "Never for new coding: use the codebook's own codes."},
        "example": {"zh": "（无示例）", "en": "(no example)"},
        "guid": stable_guid("code", IMPORTED_THEME),
    }


#: Case variables that fill a participants.csv column, by the variable's name (case aside).
_CASE_COLUMNS = {"actor_type": "actor_type", "actor type": "actor_type", "role": "role", "角色": "role",
                 "gender": "gender", "sex": "gender", "性别": "gender",
                 "age_band": "age_band", "age band": "age_band", "年龄段": "age_band"}
#: The allowed values of the participants.csv columns that have a closed list (data/README.md).
_ENUMS = {"actor_type": ("government", "social_worker", "cadre", "resident", "volunteer_org"),
          "gender": ("female", "male", "undisclosed"),
          "age_band": ("18-29", "30-44", "45-59", "60-74", "75+", "undisclosed")}
_WORDS = {"女": "female", "男": "male", "f": "female", "m": "male", "woman": "female", "man": "male"}
#: Source variables that fill a transcript header field (the ones :func:`export_qdpx` writes).
_HEADER_ORDER = ("id", "participants", "date", "interviewer", "kind", "coded_by", "language", "synthetic", "note")
_REQUIRED_HEADER = {
    "participants": "[<participant ids>]   # who speaks or is observed; [] for a document",
    "date": "YYYY-MM-DD   # when it was conducted or written",
    "interviewer": "<interviewer id, such as I1; never a name>",
    "kind": "interview | focus_group | field_note | document",
}
_STATION_FIELDS = {
    "unit_type": "town | street", "setting": "rural | peri-urban",
    "operator_type": "social_work_agency | government_run | community_foundation | other",
    "start_year": "YYYY", "staff": "<resident social workers, 0-50>", "synthetic": "true | false",
}
_EXTENSIONS = (".txt", ".docx", ".doc", ".rtf", ".odt", ".md", ".pdf", ".html", ".htm")


def _cell(column: str, value: str) -> str | None:
    """A variable's value as a participants.csv cell, or ``None`` if it is not an allowed value."""
    value = value.strip()
    if column not in _ENUMS:
        return value
    folded = _WORDS.get(value.casefold(), value.casefold())
    return folded if folded in _ENUMS[column] else None


def _header_value(name: str, value: str, people: dict[str, str]):
    """A source variable's value as a header field, or ``None`` if it does not fit the field."""
    value = value.strip()
    parsers = {
        "participants": lambda v: [people.get(p, p) for p in re.split(r"[;,\s]+", v) if p],
        "coded_by": lambda v: [p for p in re.split(r"[;,\s]+", v) if p],
        "date": lambda v: v[:10] if re.fullmatch(r"\d{4}-\d{2}-\d{2}(T.*)?", v) else None,
        "interviewer": lambda v: v if _ID.match(v) else None,
        "kind": lambda v: v if v in ("interview", "focus_group", "field_note", "document") else None,
        "language": lambda v: v or None,
        "synthetic": lambda v: {"true": True, "1": True, "false": False, "0": False}.get(v.casefold()),
    }
    parsed = parsers[name](value)
    if isinstance(parsed, list) and not all(_ID.match(p) for p in parsed):
        return None
    return parsed


def map_documents(project: RefiProject, case: str) -> dict[str, str]:
    """Document id for every text source: its name when that is already ``<case>-...``, else ``<case>-Dnn``.

    Examples
    --------
    >>> from analysis.exchange.refi_read import RefiSource, SourceText
    >>> p = RefiProject("f", "f", "")
    >>> p.sources = [RefiSource(g, n, 1, SourceText(""), "", [], {}, [], 0) for g, n in [("a", "S9-D01.txt"), ("b", "访谈 2")]]
    >>> map_documents(p, "S9")
    {'a': 'S9-D01', 'b': 'S9-D02'}
    """
    out, taken = {}, set()
    for source in project.sources:
        stem = source.name.strip()
        if stem.casefold().endswith(_EXTENSIONS):
            stem = stem.rsplit(".", 1)[0]
        if _DOC_ID.match(stem) and stem.startswith(f"{case}-") and stem not in taken:
            out[source.guid] = stem
            taken.add(stem)
    n = 1
    for source in project.sources:
        if source.guid not in out:
            while f"{case}-D{n:02d}" in taken:
                n += 1
            out[source.guid] = f"{case}-D{n:02d}"
            taken.add(out[source.guid])
    return out


def map_participants(project: RefiProject, case: str) -> dict[str, tuple[str, str]]:
    """``(participant_id, name)`` for every REFI case.

    A case named like a participant id of this case (``<case>-...``) keeps its
    name as the id; any other gets ``<case>-Pnn``, and its name goes to the
    confidential ``name`` column, which ingest drops and masks in transcripts
    (a REFI case is often named after the person).
    """
    out, taken = {}, set()
    for rc in project.cases:
        if _ID.match(rc.name) and rc.name.startswith(f"{case}-") and rc.name not in taken:
            out[rc.guid] = (rc.name, "")
            taken.add(rc.name)
    n = 1
    for rc in project.cases:
        if rc.guid not in out:
            while f"{case}-P{n:02d}" in taken:
                n += 1
            out[rc.guid] = (f"{case}-P{n:02d}", rc.name)
            taken.add(out[rc.guid][0])
    return out


@dataclass
class CaseImport:
    """The files of one imported case folder (path relative to it -> bytes), and what to tell the user."""

    case: str
    files: dict[str, bytes]
    summary: list[str]
    todo: list[str]


@dataclass
class _Context:
    """What the mapping steps share while one project is turned into one case."""

    project: RefiProject
    case: str
    placement: Placement
    coders: dict[str, str]
    codes: CodeMap
    docs: dict[str, str]
    people: dict[str, tuple[str, str]]
    todo: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    memos: int = 0
    used_notes: set[str] = field(default_factory=set)
    #: comments on selections without a coding, kept at their place: (document, start, end, text, memo)
    position_memos: list[tuple] = field(default_factory=list)


def _memo(ctx: _Context, parts: list[str], refs: list[str]) -> list[str]:
    found = [ctx.project.notes[r] for r in refs if r in ctx.project.notes]
    ctx.used_notes.update(r for r in refs if r in ctx.project.notes)
    missing = [r for r in refs if r not in ctx.project.notes]
    if missing:
        ctx.skipped.append(f"{len(missing)} note reference(s) point to no Note ({missing[0]})")
    return [p for p in [*parts, *found] if p]


def _speakers(ctx: _Context) -> dict[str, str]:
    """Selection guid -> participant id, for selections that exactly one REFI case refers to."""
    owners: dict[str, set[str]] = {}
    for rc in ctx.project.cases:
        for sel in rc.selections:
            owners.setdefault(sel, set()).add(ctx.people[rc.guid][0])
    shared = sorted(g for g, ids in owners.items() if len(ids) > 1)
    if shared:
        ctx.skipped.append(f"{len(shared)} selection(s) belong to several cases; their speaker is left empty")
    return {g: next(iter(ids)) for g, ids in owners.items() if len(ids) == 1}


def build_segments(ctx: _Context) -> list[dict]:
    """One row per coding, numbered ``<case>-<coder>-nnnn`` per coder in document order.

    Raises :class:`InputError` for a coding whose code is not in the code tree
    and for codings of one code by one coder that overlap in one document.
    """
    project, speakers, rows, problems, uncoded = ctx.project, _speakers(ctx), [], [], 0
    for i, source in enumerate(project.sources):
        for j, sel in enumerate(source.selections):
            start, end = ctx.placement.spans[(i, j)]
            base = _memo(ctx, [sel.description], sel.notes)
            if not sel.codings:
                uncoded += 1
                if base:  # a comment on text nobody coded (an ATLAS.ti quotation comment): kept where it was made
                    ctx.position_memos.append((ctx.docs[source.guid], start, end, source.text.body[start:end],
                                               "\n\n".join(base)))
                continue
            for coding in sel.codings:
                if coding.code not in ctx.codes.ids:
                    problems.append(Problem(project.qde, f"line {coding.line} (Coding {coding.guid})",
                                            f"the coding refers to the code {coding.code or '(none)'}, which is not in the CodeBook",
                                            "export the project again with its whole code tree"))
                    continue
                memo = "\n\n".join(base + _memo(ctx, [], coding.notes))
                ctx.memos += bool(memo)
                rows.append({"document_id": ctx.docs[source.guid], "participant_id": speakers.get(sel.guid, ""),
                             "start": start, "end": end, "code_id": ctx.codes.ids[coding.code],
                             "coder_id": ctx.coders.get(coding.user or sel.user, UNKNOWN_CODER),
                             # who made the selection, when another user made the coding (kept in the import log)
                             "_selected_by": ctx.coders.get(sel.user, "") if coding.user and sel.user and sel.user != coding.user else "",
                             "text": source.text.body[start:end], "memo": memo,
                             "_where": f"line {coding.line} (selection {sel.guid} in '{source.name}')"})
    if uncoded:
        kept = len(ctx.position_memos)
        ctx.skipped.append(f"{uncoded} selection(s) carry no coding: a segment is a coded span"
                           + (f" ({kept} of them carry a comment, kept as a memo at its place in "
                              f"{PROJECT_MEMOS_FILE})" if kept else ""))
    problems += _overlap_problems(rows, project.qde)
    if problems:
        raise InputError(problems)
    return _numbered(rows, ctx.case)


def _overlap_problems(rows: list[dict], shown: str) -> list[Problem]:
    """Codings of one code by one coder that overlap in one document (duplicates included)."""
    problems = []
    spans = [((r["document_id"], r["code_id"], r["coder_id"]), r["start"], r["end"], i) for i, r in enumerate(rows)]
    for (_, start, end, i), (_, prev_start, prev_end, j) in overlapping(spans):
        row, prev = rows[i], rows[j]
        same = (start, end) == (prev_start, prev_end)
        problems.append(Problem(shown, row["_where"],
                                f"{'duplicates' if same else 'overlaps'} the coding at {prev['_where']}: same code "
                                f"({row['code_id']}), coder ({row['coder_id']}) and document, offsets "
                                f"{start}-{end} and {prev_start}-{prev_end}",
                                "delete the duplicate or merge the two codings in the QDA program, then export again"))
    return problems


def _numbered(rows: list[dict], case: str) -> list[dict]:
    """Segment ids per coder in (document, start, end, code) order; rows by document, coder, offsets, code."""
    counts: dict[str, int] = {}
    for row in sorted(rows, key=lambda r: (r["document_id"], r["start"], r["end"], r["code_id"], r["coder_id"])):
        counts[row["coder_id"]] = counts.get(row["coder_id"], 0) + 1
        row["segment_id"] = f"{case}-{row['coder_id']}-{counts[row['coder_id']]:04d}"
    return sorted(rows, key=lambda r: (r["document_id"], r["coder_id"], r["start"], r["end"], r["code_id"]))
