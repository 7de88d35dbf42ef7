"""Checks of the configuration and of every raw input, before any analysis runs.

Each ``check_*`` function takes what :mod:`analysis.inputs.io` read and returns a list of
:class:`~analysis.inputs.problems.Problem`; none raises and none stops at the first
problem. :func:`validate_project` runs them all; the workflow calls it when the
Snakefile is parsed and ``casebook validate`` calls it on demand.
"""

from __future__ import annotations

import difflib
import functools
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.inputs.io import (
    ALL_CASES,
    INTERVIEWER,
    PARTICIPANT_ID,
    SHARED_FILES,
    SPEAKER_TURN,
    RawCase,
    RawProject,
    configured_cases,
    configured_paths,
    read_case,
    read_table,
    read_yaml,
    show_path,
)
from analysis.inputs.names import check_names, project_names
from analysis.inputs.problems import MAX_PER_FILE, STOPPED, InputError, Problem
from analysis.inputs.schemas import check_schema, check_table, fill_defaults

if TYPE_CHECKING:
    import pandas as pd


def check_codebook(codebook, file: str, schema: dict) -> list[Problem]:
    """Schema, unique ids, known parents and no cycle in the code tree."""
    if codebook is None:
        return []
    problems = check_schema(codebook, schema, file)
    if problems:
        return problems
    seen: dict[str, int] = {}
    for i, code in enumerate(codebook["codes"]):
        if code["id"] in seen:
            problems.append(Problem(file, f"codes[{i}]", f"the code id '{code['id']}' is used twice (also codes[{seen[code['id']]}])",
                                    "give every code its own id, or merge the two entries"))
        seen.setdefault(code["id"], i)
    import networkx as nx

    graph = nx.DiGraph()
    for i, code in enumerate(codebook["codes"]):
        graph.add_node(code["id"])
        if code["parent"] is not None:
            if code["parent"] not in seen:
                problems.append(Problem(file, f"codes[{i}] ({code['id']})", f"the parent '{code['parent']}' is not a code",
                                        "set parent to an existing code id, or to null for a theme"))
            else:
                graph.add_edge(code["id"], code["parent"])
    try:
        cycle = nx.find_cycle(graph)
        ids = " -> ".join([a for a, _ in cycle] + [cycle[0][0]])
        problems.append(Problem(file, "", f"the code tree has a cycle: {ids}",
                                "make one code in the cycle a theme (parent: null) or point it at a code outside the cycle"))
    except nx.NetworkXNoCycle:
        pass
    return problems


def check_config(config: dict, file: str, code_ids: set[str] | None) -> list[Problem]:
    """That the codes named by the propositions exist and the primary coder is known.

    The schema itself is checked first by :func:`validate_project`.
    """
    problems: list[Problem] = []
    if code_ids is None:
        return problems
    for name, prop in config["propositions"].items():
        for key in ("condition", "outcome", *[f"contrary[{i}]" for i in range(len(prop["contrary"]))]):
            code = prop[key] if "[" not in key else prop["contrary"][int(key[9:-1])]
            if code not in code_ids:
                problems.append(Problem(file, f"propositions.{name}.{key}", f"the code '{code}' is not in the codebook",
                                        _closest_fix(code, code_ids)))
    for code, contrary in config["mechanisms"].items():
        for c in [code, *contrary]:
            if c not in code_ids:
                problems.append(Problem(file, f"mechanisms.{code}", f"the code '{c}' is not in the codebook", _closest_fix(c, code_ids)))
    qca = config["qca"]
    for name, prop in qca["conditions"].items():
        if prop not in config["propositions"]:
            problems.append(Problem(file, f"qca.conditions.{name}", f"'{prop}' is not a proposition in `propositions`",
                                    "name one of the propositions"))
    for name in [*qca["conditions"], qca["outcome"]]:
        anchors = qca["anchors"].get(name)
        if anchors is None:
            problems.append(Problem(file, f"qca.anchors.{name}", f"no calibration anchors for '{name}'",
                                    "add full, crossover and non-membership anchors"))
        elif not (min(anchors["full"], anchors["non"]) < anchors["crossover"] < max(anchors["full"], anchors["non"])):
            problems.append(Problem(file, f"qca.anchors.{name}", "the crossover anchor does not lie between the other two",
                                    "order the anchors: non-membership < crossover < full membership (or the reverse)"))
    known = config["coders"]["known"]
    if config["coders"]["primary"] not in known:
        problems.append(Problem(file, "coders.primary", f"the primary coder '{config['coders']['primary']}' is not in coders.known",
                                "add it to coders.known or pick a coder from that list"))
    for coder in config["coders"]["independent"]:
        if coder not in known:
            problems.append(Problem(file, "coders.independent", f"the coder '{coder}' is not in coders.known",
                                    "add it to coders.known or correct the id"))
    return problems


def check_evidence(evidence, file: str, schema: dict, code_ids: set[str] | None) -> list[Problem]:
    """The process-tracing evidence: schema, unique item ids, known codes, each rule's threshold."""
    from analysis.methods.process_tracing import HIGH_P_E_H, LOW_P_E_NOT_H, test_type

    problems = check_schema(evidence, schema, file)
    if problems:
        return problems
    seen: set[str] = set()
    for hyp, spec in evidence["hypotheses"].items():
        for i, item in enumerate(spec["items"]):
            where = f"hypotheses.{hyp}.items[{i}] ({item['id']})"
            if item["id"] in seen:
                problems.append(Problem(file, where, f"the item id '{item['id']}' is used twice", "give every item its own id"))
            seen.add(item["id"])
            implied = test_type(item["p_e_h"], item["p_e_not_h"])
            if implied != item["test"]:
                problems.append(Problem(file, where, f"the probabilities ({item['p_e_h']}, {item['p_e_not_h']}) make a "
                                        f"{implied} test, not a {item['test']}",
                                        f"a hoop test needs P(E|H) >= {HIGH_P_E_H}, a smoking gun P(E|not H) <= "
                                        f"{LOW_P_E_NOT_H}, a doubly decisive test both: relabel the test or revise the probabilities"))
            rule = item["observed_if"]
            need = "at_most" if rule["rule"] == "stations_with_at_most" else "at_least"
            if need not in rule:
                problems.append(Problem(file, where, f"the rule '{rule['rule']}' needs '{need}'",
                                        f"add {need}: N to observed_if"))
            for code in rule["codes"]:
                if code_ids is not None and code not in code_ids:
                    problems.append(Problem(file, where, f"the code '{code}' is not in the codebook", _closest_fix(code, code_ids)))
    return problems


def _closest_fix(value: str, known: set[str]) -> str:
    close = difflib.get_close_matches(value, sorted(known), n=1)
    hint = f" (closest: {close[0]})" if close else ""
    return f"use an id from the codebook{hint}, or add the code to the codebook"


def check_case(raw: RawCase, schemas: dict, code_ids: set[str] | None, coders: set[str]) -> list[Problem]:
    """Everything inside one case folder, and the links between its files."""
    problems: list[Problem] = []
    folder = raw.folder
    if raw.station is not None:
        shown = f"{folder}/station.yaml"
        problems += check_schema(raw.station, schemas["station"], shown)
        if isinstance(raw.station, dict) and raw.station.get("station_id") not in (None, raw.case):
            problems.append(Problem(shown, "station_id", f"station_id '{raw.station['station_id']}' differs from the folder name '{raw.case}'",
                                    "make them equal"))
    participants: set[str] = set()
    if raw.participants is not None:
        shown = f"{folder}/participants.csv"
        problems += check_table(raw.participants, schemas["participants"], shown)
        if "participant_id" in raw.participants:
            problems += _duplicates(raw.participants, "participant_id", shown)
            participants = set(raw.participants["participant_id"])
    bodies: dict[str, str] = {}
    speakers: dict[str, set[str]] = {}
    coded_by: dict[str, set[str]] = {}
    broken = set(raw.unreadable)  # documents whose own problem is already reported
    for t in raw.transcripts:
        stem = Path(t.path).stem
        found = check_schema(t.header, schemas["transcript"], t.path, "header")
        problems += found
        if found:
            broken.add(stem)
            continue
        doc = t.header["id"]
        if doc != stem:
            problems.append(Problem(t.path, "header", f"the id '{doc}' differs from the file name '{stem}.md'",
                                    "make the header id equal to the file name"))
        if doc in bodies:
            problems.append(Problem(t.path, "header", f"the document id '{doc}' is used by another transcript",
                                    "give every transcript its own id"))
        for coder in t.header.get("coded_by") or []:
            if coder not in coders:
                problems.append(Problem(t.path, "header", f"coded_by names '{coder}', who is not in config.yaml coders.known",
                                        "add the coder to coders.known or correct coded_by"))
        for pid in t.header.get("participants") or []:
            if raw.participants is not None and pid not in participants:
                problems.append(Problem(t.path, "header", f"participant '{pid}' is not in {folder}/participants.csv",
                                        "add the participant to participants.csv or correct the id"))
        if not t.body.strip():
            problems.append(Problem(t.path, f"line {t.body_line}", "the transcript body is empty",
                                    "add the transcript text below the header, or remove the file"))
        problems += _check_turns(t, participants if raw.participants is not None else None)
        bodies[doc] = t.body
        speakers[doc] = set(t.header.get("participants") or [])
        if "coded_by" in t.header:
            coded_by[doc] = set(t.header["coded_by"])
    if raw.segments is not None:
        shown = f"{folder}/segments.csv"
        found = check_table(raw.segments, schemas["segments"], shown)
        problems += found
        if raw.transcripts_listed and not any(p.where == "line 1" for p in found):
            problems += _check_segments(raw.segments, shown, bodies, speakers, coded_by, broken, participants, code_ids,
                                        coders, has_participants=raw.participants is not None)
            problems += _uncoded(raw.segments, shown, coded_by, coders)
    return problems


def _check_turns(t, participants: set[str] | None) -> list[Problem]:
    """Each speaker turn (``**id**：``) names a participant of the case who is in the header's list."""
    problems = []
    listed = set(t.header.get("participants") or [])
    for match in SPEAKER_TURN.finditer(t.body):
        label = match.group(1).strip()
        if label == INTERVIEWER or not PARTICIPANT_ID.fullmatch(label):
            continue
        where = f"line {t.body_line + t.body.count(chr(10), 0, match.start())}"
        if participants is not None and label not in participants:
            problems.append(Problem(t.path, where, f"the speaker turn names participant '{label}', who is not in participants.csv",
                                    "correct the speaker's id, or add the participant to participants.csv"))
        elif label not in listed:
            problems.append(Problem(t.path, where, f"participant '{label}' speaks here but is not in the header's participants",
                                    "add the id to the header's participants, or correct the speaker's id"))
    return problems


def _uncoded(seg: pd.DataFrame, file: str, coded_by: dict[str, set[str]], coders: set[str]) -> list[Problem]:
    """A coder the header lists in ``coded_by`` left no segment in the document: the coding is missing."""
    have = set(zip(seg["document_id"], seg["coder_id"])) if len(seg) else set()
    problems = []
    for doc in sorted(coded_by):
        for coder in sorted(coded_by[doc] & coders):
            if (doc, coder) not in have:
                problems.append(Problem(file, "", f"document '{doc}' lists '{coder}' in coded_by, but {coder} has no "
                                        "segment in it here",
                                        f"add {coder}'s segments of {doc} (import them with `casebook import-segments`), "
                                        f"or remove {coder} from the transcript's coded_by"))
    return problems


def _duplicates(frame: pd.DataFrame, column: str, file: str) -> list[Problem]:
    """Rows that repeat an earlier row's id (at most :data:`MAX_PER_FILE` of them; the rest counted)."""
    dup = frame[frame.duplicated(column, keep="first") & (frame[column] != "")]
    first = dict(zip(frame.drop_duplicates(column)[column], frame.drop_duplicates(column)["_line"]))
    out = [Problem(file, f"line {row['_line']}", f"the {column} '{row[column]}' is used twice (first on line {first[row[column]]})",
                   f"give every row its own {column}") for row in dup.head(MAX_PER_FILE).to_dict("records")]
    if len(dup) > MAX_PER_FILE:
        out.append(Problem(file, "", f"{STOPPED}: {len(dup) - MAX_PER_FILE:,} more rows repeat an earlier {column}",
                           f"give every row its own {column}"))
    return out


def _check_segments(seg: pd.DataFrame, file: str, bodies: dict[str, str], speakers: dict[str, set[str]],
                    coded_by: dict[str, set[str]], broken: set[str], participants: set[str], code_ids: set[str] | None, coders: set[str],
                    has_participants: bool) -> list[Problem]:
    problems = _duplicates(seg, "segment_id", file)
    spans = []
    rows = seg.to_dict("records")
    for i, row in enumerate(rows):
        if len(problems) >= MAX_PER_FILE:
            problems.append(Problem(file, f"line {row['_line']}", f"{STOPPED} after {len(problems)} problems; the "
                                    f"{len(rows) - i:,} segments from this line on were not checked",
                                    "correct the problems above (they may share one cause), then validate again"))
            return problems
        where = f"line {row['_line']} (segment {row['segment_id']})"
        if row["document_id"] in broken:
            continue  # the transcript's own problem is reported; its segments cannot be checked
        if code_ids is not None and row["code_id"] not in code_ids:
            problems.append(Problem(file, where, f"the code '{row['code_id']}' is not in the codebook", _closest_fix(row["code_id"], code_ids)))
        if row["coder_id"] not in coders:
            problems.append(Problem(file, where, f"the coder '{row['coder_id']}' is not in config.yaml coders.known",
                                    "add the coder to coders.known or correct the id"))
        elif row["document_id"] in coded_by and row["coder_id"] not in coded_by[row["document_id"]]:
            problems.append(Problem(file, where, f"the coder '{row['coder_id']}' is not in the coded_by list of "
                                    f"document '{row['document_id']}'",
                                    "add the coder to the transcript's coded_by, or correct coder_id"))
        pid = row.get("participant_id", "")
        if pid and has_participants and pid not in participants:
            problems.append(Problem(file, where, f"the participant '{pid}' is not in participants.csv",
                                    "add the participant or correct the id"))
        elif pid and speakers.get(row["document_id"]) and pid not in speakers[row["document_id"]]:
            problems.append(Problem(file, where, f"the participant '{pid}' is not among the participants of "
                                    f"document '{row['document_id']}'",
                                    "correct participant_id, or add the participant to the transcript's header"))
        if row["document_id"] not in bodies:
            problems.append(Problem(file, where, f"the document '{row['document_id']}' has no transcript in this case",
                                    "correct document_id or add the transcript"))
            continue
        try:
            start, end = int(row["start"]), int(row["end"])
        except ValueError:
            continue  # already reported by the schema check
        size = len(bodies[row["document_id"]])
        if start >= end:
            problems.append(Problem(file, where, f"start {start} is not before end {end}",
                                    "swap the offsets or correct them; a segment covers body[start:end]"))
            continue
        if end > size:
            problems.append(Problem(file, where, f"end {end} lies beyond the transcript body ({size} characters)",
                                    "offsets count Unicode characters in the body after the header; correct them"))
            continue
        text = row.get("text", "")
        if text and bodies[row["document_id"]][start:end].strip() != text.strip():
            # the transcript's words are not quoted here: messages reach logs before de-identification
            problems.append(Problem(file, where, f"the text column does not match the transcript at {start}:{end}",
                                    "correct the offsets or the text; offsets count Unicode characters in the body"))
        spans.append(((row["document_id"], row["code_id"], row["coder_id"]), start, end, row["segment_id"], row["_line"]))
    problems += _overlaps(spans, file)
    return problems


def overlapping(spans):
    """Every span that overlaps an earlier one with the same key, with that earlier span.

    ``spans`` are ``(key, start, end, ...)`` tuples (the key: document, code and coder). Each span
    is compared with the one reaching furthest among those before it, so a span nested in a long
    one is found even when a short one lies between; identical spans count as overlapping.

    >>> [(a[3], b[3]) for a, b in overlapping([("d", 0, 10, "x"), ("d", 2, 3, "y"), ("d", 5, 12, "z"), ("e", 0, 9, "w")])]
    [('y', 'x'), ('z', 'x')]
    """
    reach: dict = {}
    for span in sorted(spans, key=lambda s: (s[0], s[1], s[2])):
        prev = reach.get(span[0])
        if prev is not None and span[1] < prev[2]:
            yield span, prev
        if prev is None or span[2] > prev[2]:
            reach[span[0]] = span


def _overlaps(spans: list[tuple], file: str) -> list[Problem]:
    """Same document, code and coder, with spans that overlap: a duplicate coding."""
    problems, more = [], 0
    for (_, _, _, segment, line), (_, _, _, other, other_line) in overlapping(spans):
        if len(problems) < MAX_PER_FILE:
            problems.append(Problem(file, f"line {line} (segment {segment})",
                                    f"the segment overlaps segment {other} (line {other_line}) with the same code, coder and document",
                                    "merge the two into one segment or delete the duplicate"))
        else:
            more += 1
    if more:
        problems.append(Problem(file, "", f"{STOPPED}: {more:,} more segments overlap another with the same code, coder "
                                "and document", "merge or delete the duplicates, then validate again"))
    return problems


def case_ids(raw: RawCase) -> list[tuple[str, str, str]]:
    """The participant, document and segment ids a case declares, each with the file it is in."""
    ids = []
    if raw.participants is not None and "participant_id" in raw.participants:
        ids += [("participant", p, "participants.csv") for p in set(raw.participants["participant_id"])]
    ids += [("document", t.header["id"], Path(t.path).name) for t in raw.transcripts
            if isinstance(t.header.get("id"), str)]
    if raw.segments is not None and "segment_id" in raw.segments:
        ids += [("segment", s, "segments.csv") for s in set(raw.segments["segment_id"])]
    return sorted(ids, key=lambda x: tuple(map(str, x)))


def check_unique_ids(ids_by_case: dict[str, tuple[str, list]]) -> list[Problem]:
    """Participant, document and segment ids must be unique across all cases.

    ``ids_by_case`` maps a case to its folder and its :func:`case_ids` (the workflow's case
    validation jobs record them, so that this check reads no case file again).
    """
    problems = []
    seen: dict[tuple[str, str], str] = {}
    for case, (folder, ids) in ids_by_case.items():
        for kind, ident, where in ids:
            if (kind, ident) in seen and seen[(kind, ident)] != case:
                problems.append(Problem(f"{folder}/{where}", "", f"the {kind} id '{ident}' is also used in case {seen[(kind, ident)]}",
                                        "ids must be unique across cases; prefix them with the case id"))
            seen.setdefault((kind, ident), case)
    return problems


def check_unique_across_cases(cases: dict[str, RawCase]) -> list[Problem]:
    """Participant, document and segment ids must be unique across all cases."""
    return check_unique_ids({case: (raw.folder, case_ids(raw)) for case, raw in cases.items()})


def _code_ids(codebook) -> set[str] | None:
    """The ids of whatever codes parsed, or None when the codebook gives none."""
    if not isinstance(codebook, dict) or not isinstance(codebook.get("codes"), list):
        return None
    ids = {c["id"] for c in codebook["codes"] if isinstance(c, dict) and isinstance(c.get("id"), str)}
    return ids or None


def check_setup(root: Path, config: dict, config_file: str, schemas: dict) -> list[Problem]:
    """What the workflow checks when it is parsed, reading no data: the configuration against its
    schema (which fills in its defaults) and that every file and case folder it names is there.

    The contents are checked by the workflow's jobs (:func:`validate_shard` in each shard's ingest
    job, :func:`validate_shared`), before any analysis and only when an input changed.
    """
    root = Path(root)
    if not isinstance(config, dict):
        return [Problem(config_file, "", "the configuration is not a mapping of settings",
                        "write config.yaml as `key: value` settings (see the README)")]
    problems = check_schema(config, schemas["config"], config_file)
    if problems:
        return problems
    fill_defaults(config, schemas["config"])
    problems += check_design(config, config_file)
    problems += resolve_cases(root, config, config_file)
    paths = config["paths"]
    for key in SHARED_FILES:
        if not (root / paths[key]).is_file():
            problems.append(Problem(config_file, f"key paths.{key}", f"{paths[key]} does not exist or is not a file",
                                    f"create it or set paths.{key} to the file that holds it"))
    for case in config["cases"]:
        folder = root / paths["cases"] / case
        if not folder.is_dir():
            problems.append(Problem(show_path(folder, root), "", f"the folder of case {case} does not exist",
                                    f"create it (see data/README.md) or remove {case} from `cases` in config.yaml"))
    return problems


#: The parts of a real study's design that ``study.design`` holds and the design chapter reports.
DESIGN_PARTS = ("sampling", "fieldwork", "interview_guide", "consent", "ethics_review")


def check_design(config: dict, config_file: str) -> list[Problem]:
    """With real data, each part of ``study.design`` the design chapter reports must be written."""
    study = config["study"]
    if study["synthetic_data"]:
        return []
    design = study.get("design") or {}
    return [Problem(config_file, f"key study.design.{part}", "is empty, but study.synthetic_data is false and the design "
                    "chapter reports this part of a real study's design",
                    f"write it (in Chinese, one or two sentences) under study.design.{part}")
            for part in DESIGN_PARTS if not str(design.get(part) or "").strip()]


def resolve_cases(root: Path, config: dict, config_file: str) -> list[Problem]:
    """Replace ``cases: all`` in the (schema-checked) configuration by the case folders it means
    (:func:`~analysis.inputs.io.configured_cases`); a problem when there is none."""
    if config["cases"] != ALL_CASES:
        return []
    config["cases"] = configured_cases(root, config)
    if config["cases"]:
        return []
    folder = configured_paths(config)["cases"]
    return [Problem(config_file, "key cases", f"`cases: all` finds no case folder (one holding station.yaml) under {folder}",
                    f"add case folders to {folder} (casebook new-case ID, import-qdpx or synth) or set paths.cases")]


def _shared_project(root: Path, config: dict, config_file: str, schemas: dict, problems: list[Problem]) -> RawProject:
    """The codebook, context facts and process-tracing evidence, read and checked, and the
    configuration checked against the codebook."""
    project = RawProject(root=root, config=config)
    paths = config["paths"]
    codebook_path = root / paths["codebook"]
    project.codebook = read_yaml(codebook_path, problems, root)
    problems += check_codebook(project.codebook, show_path(codebook_path, root), schemas["codebook"])
    code_ids = _code_ids(project.codebook)
    problems += check_config(config, config_file, code_ids)
    context_path = root / paths["context"]
    project.context = read_table(context_path, problems, root)
    if project.context is not None:
        problems += check_table(project.context, schemas["context"], show_path(context_path, root))
    evidence_path = root / paths["process_tracing"]
    project.evidence = read_yaml(evidence_path, problems, root)
    if project.evidence is not None:
        problems += check_evidence(project.evidence, show_path(evidence_path, root), schemas["process_tracing"], code_ids)
    return project


def validate_project(root: Path, config: dict, config_file: str, schemas: dict) -> tuple[RawProject, list[Problem]]:
    """Read and check everything the configuration names; return what was read and every problem
    (``casebook validate``: every problem of every file in one pass).

    A configuration that fails its schema stops the checks there, since its
    paths and case list cannot be trusted; otherwise every file is read and
    checked, and a broken codebook does not hide the cases' own problems.
    """
    root = Path(root)
    if not isinstance(config, dict):
        return RawProject(root=root, config=config), check_setup(root, config, config_file, schemas)
    problems = check_schema(config, schemas["config"], config_file) or resolve_cases(root, config, config_file)
    if problems:
        return RawProject(root=root, config=config), problems
    project = _shared_project(root, config, config_file, schemas, problems)
    code_ids = _code_ids(project.codebook)
    coders = set(config["coders"]["known"])
    for case in config["cases"]:
        raw = read_case(root, config["paths"]["cases"], case, problems)
        project.cases[case] = raw
        problems += check_case(raw, schemas, code_ids, coders)
    problems += check_unique_across_cases(project.cases)
    names = project_names(project, problems)
    problems += check_names(project, names, config_file)
    return project, [p.masked(names) for p in problems]


def _codebook_ids(root: Path, path: Path) -> set[str] | None:
    """The code ids of the codebook at ``path`` (None when it cannot be read or has none), read once
    per process while the file is unchanged: every case's validation job needs them."""
    try:
        info = Path(path).stat()
    except OSError:
        return None
    ids = _codebook_ids_of(Path(root).resolve(), Path(path).resolve(), info.st_mtime_ns, info.st_size)
    return None if ids is None else set(ids)


@functools.lru_cache(maxsize=8)
def _codebook_ids_of(root: Path, path: Path, mtime_ns: int, size: int) -> frozenset[str] | None:
    ids = _code_ids(read_yaml(path, [], root))
    return None if ids is None else frozenset(ids)


def validate_shard(root: Path, config: dict, cases: list[str], schemas: dict) -> tuple[dict[str, RawCase], object, list[Problem]]:
    """The case folders of one ingest shard read and checked, names included (the workflow's
    validation, in each shard's ingest job); the codebook's own problems are :func:`validate_shared`'s.

    Returns what was read (by case), the name matcher of every name source (which the ingest job
    then masks with; read once for the shard) and every problem of every case, masked."""
    root = Path(root)
    problems: list[Problem] = []
    code_ids = _codebook_ids(root, root / config["paths"]["codebook"])
    coders = set(config["coders"]["known"])
    raws = {}
    for case in cases:
        raws[case] = read_case(root, config["paths"]["cases"], case, problems)
        problems += check_case(raws[case], schemas, code_ids, coders)
    project = RawProject(root=root, config=config, cases=raws)
    names = project_names(project, problems)
    problems += check_names(project, names, shared=False)
    return raws, names, [p.masked(names) for p in problems]


def validate_shared(root: Path, config: dict, config_file: str, schemas: dict,
                    ids_by_case: dict[str, tuple[str, list]]) -> list[Problem]:
    """Everything but the case folders (the codebook, the configuration, the context facts, the
    process-tracing evidence, names in any of them) and ids unique across the cases, from the
    ids the case validation jobs recorded."""
    root = Path(root)
    problems: list[Problem] = []
    project = _shared_project(root, config, config_file, schemas, problems)
    problems += check_unique_ids(ids_by_case)
    names = project_names(project, problems)
    problems += check_names(project, names, config_file)
    return [p.masked(names) for p in problems]


def checked_codebook(path: Path, schemas: dict, root: Path = Path(".")) -> dict:
    """The codebook at ``path``, checked; raises InputError on any problem.

    The validation jobs check everything first; the jobs that read raw data check again what
    they read (from their declared inputs), so a job never works from bad input.
    """
    problems: list[Problem] = []
    codebook = read_yaml(Path(path), problems, root)
    problems += check_codebook(codebook, show_path(path, root), schemas["codebook"])
    if problems:
        raise InputError(problems)
    return codebook


def checked_case(folder: Path, schemas: dict, codebook: dict | None, coders: set[str],
                 parts: tuple[str, ...] = ("station", "participants", "segments", "transcripts"),
                 root: Path = Path(".")) -> RawCase:
    """One case folder (or the named ``parts`` of it), read and checked against the codebook (none:
    codes not checked); raises InputError on any problem."""
    problems: list[Problem] = []
    folder = Path(folder)
    raw = read_case(Path(root), str(folder.parent), folder.name, problems, parts=parts)
    problems += check_case(raw, schemas, _code_ids(codebook) if codebook is not None else None, set(coders))
    if problems:
        raise InputError(problems)
    return raw
