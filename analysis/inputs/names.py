"""Where confidential names are kept, every name gathered from there (for masking), and the check
that no name stands in a field where none belongs."""

from __future__ import annotations

import dataclasses
import os
import threading
from pathlib import Path

from analysis.inputs.io import CASE_FILES, RawCase, RawProject, read_rows, show_path
from analysis.inputs.problems import Problem


def name_sources(root: Path, cases_dir: str, cases: list[str]) -> list[Path]:
    """Every file that may hold confidential names: the ``participants.csv`` of each configured
    case, and of every other folder under ``cases_dir`` that has one (a person of a case not
    analysed may still be named in a case that is). Relative to ``root``, sorted."""
    folder = Path(cases_dir)
    found = {folder / case / CASE_FILES["participants"] for case in cases}
    base = Path(root) / folder
    try:
        with os.scandir(base) as entries:
            others = [e.name for e in entries if e.is_dir()]
    except OSError:
        others = []  # the folder's own problem is reported where the cases are read
    found |= {folder / name / CASE_FILES["participants"] for name in others
              if os.path.lexists(base / name / CASE_FILES["participants"])}
    return sorted(found)


def not_names(config: dict) -> list[str]:
    """The phrases the configuration declares not to be names (``deid.not_names``)."""
    deid = config.get("deid") if isinstance(config, dict) else None
    return [str(p) for p in (deid.get("not_names") or [])] if isinstance(deid, dict) else []


def gather_names(paths: list[Path | str], problems: list[Problem], root: Path | None = None, config: dict | None = None,
                 tables: dict | None = None):
    """A :class:`~analysis.inputs.deid.NameMatcher` for every name and alias in ``paths`` (participants
    files, relative to ``root``), the configuration's ``deid.not_names`` left alone; a file that
    cannot be read is a problem in ``problems``. ``tables`` holds files already read, by path."""
    key = _sources_key(paths, root, not_names(config or {}))
    with _MATCHERS_LOCK:  # the workflow's jobs share one process: the first to ask reads, the others wait for it
        if key is not None and key in _MATCHERS:
            return _MATCHERS[key]
        seen = len(problems)
        matcher = _gather(paths, problems, root, config, tables)
        if key is not None and len(problems) == seen:
            _MATCHERS.clear()  # one set of sources at a time: what the current build reads
            _MATCHERS[key] = matcher
        return matcher


#: The matcher of the name sources last read, by :func:`_sources_key` (every source's size and
#: modification time): a province's jobs read 1,940 participants files once, not once per job.
_MATCHERS: dict = {}
_MATCHERS_LOCK = threading.Lock()


def _sources_key(paths: list[Path | str], root: Path | None, excluded: list[str]) -> tuple | None:
    """What identifies a set of name sources as read: each file's path, size and modification time
    (None when one cannot be looked at; it is then read, and its problem reported, every time)."""
    stats = []
    for path in paths:
        full = Path(root) / path if root is not None and not Path(path).is_absolute() else Path(path)
        try:
            info = os.stat(full)
        except OSError:
            return None
        stats.append((os.path.abspath(full), info.st_size, info.st_mtime_ns, info.st_ino))
    return tuple(stats), tuple(excluded)


def _gather(paths, problems, root, config, tables):
    from analysis.inputs.deid import NameMatcher

    rows: list[dict] = []
    for path in paths:
        if tables is not None and Path(path) in tables:
            table = tables[Path(path)]  # read, and any problem reported, by whoever read it
            rows += [] if table is None else table.to_dict("records")
            continue
        full = Path(root) / path if root is not None and not Path(path).is_absolute() else Path(path)
        parsed = read_rows(full, problems, root)  # lists, not a frame: there is one file per station
        if parsed is not None:
            header, cells, _ = parsed
            rows += [dict(zip(header, row)) for row in cells]
    return NameMatcher.from_rows(rows, not_names(config or {}))


def read_names(paths: list[Path | str], root: Path | None = None, config: dict | None = None):
    """:func:`gather_names`, raising :class:`~analysis.inputs.problems.InputError` when any file cannot be
    read: a name source that cannot be read would let its names out unmasked."""
    from analysis.inputs.problems import InputError

    problems: list[Problem] = []
    names = gather_names(paths, problems, root, config)
    if problems:
        raise InputError([Problem(p.file, p.where, p.what + "; it may hold confidential names, so nothing that masks "
                                  "names can go on", p.fix) for p in problems])
    return names


def project_names(project: RawProject, problems: list[Problem]):
    """The matcher for every name source (:func:`analysis.inputs.names.name_sources`); one that cannot be read is a problem."""
    from analysis.inputs.names import gather_names, name_sources

    cases_dir = project.config["paths"]["cases"]
    read = {Path(cases_dir) / case / "participants.csv": raw.participants for case, raw in project.cases.items()}
    cases = project.config.get("cases", list(project.cases))
    return gather_names(name_sources(project.root, cases_dir, cases), problems, project.root, project.config, read)


#: Fields where names belong or are masked on the way out, so no check refuses them there:
#: the confidential columns, the transcript header's note, a segment's text and memo.
_NAMES_ALLOWED = {"participants": {"name", "aliases"}, "transcript": {"note"}, "segments": {"text", "memo"}}


def _strings(value, where: str):
    """Every text inside a YAML value, with where it sits (``codes[3].label.zh``); iterative."""
    stack = [(value, where)]
    while stack:
        item, at = stack.pop()
        if isinstance(item, str):
            yield at, item
        elif isinstance(item, dict):
            stack.extend((v, f"{at}.{k}" if at else str(k)) for k, v in reversed(list(item.items())))
            stack.extend((k, f"{at} (a key)" if at else "a key") for k in item if isinstance(k, str))
        elif isinstance(item, list):
            stack.extend((v, f"{at}[{i}]") for i, v in reversed(list(enumerate(item))))


def check_names(project: RawProject, names, config_file: str = "config.yaml", shared: bool = True) -> list[Problem]:
    """No confidential name form in a field that is neither confidential nor masked.

    A role, an id, a station's note, the codebook, the context facts, the process-tracing
    evidence and the configuration reach the results and the book as written, so a name in
    any of them is refused here (the message names the participant, never the name).
    Transcript bodies and notes, segment texts and memos are masked instead. ``shared=False``
    checks the project's case folders only (the workflow's per-case validation jobs).
    """
    from analysis.inputs.deid import describe

    if not names:
        return []
    problems: list[Problem] = []

    def look(file: str, where: str, field_name: str, text: str) -> None:
        for hit in names.find(text, strict=True)[:1]:
            problems.append(Problem(file, where, f"{describe(hit.form)} appears in '{field_name}'",
                                    "names belong only in the confidential name and aliases columns of participants.csv: "
                                    "write a generic role or description here (村民, 驻站社工, 村干部)"))

    def table(frame, file: str, kind: str) -> None:
        if frame is None:
            return
        for row in frame.to_dict("records"):
            for column, value in row.items():
                if column != "_line" and column not in _NAMES_ALLOWED.get(kind, ()) and isinstance(value, str) and value:
                    look(file, f"line {row['_line']}", column, value)

    def tree(value, file: str, skip: set[str] = frozenset(), where: str = "") -> None:
        for at, text in _strings(value, ""):
            if at.split(".")[0].split("[")[0] not in skip:
                look(file, where or f"key {at}", at, text)

    paths = project.config["paths"]
    if not shared:
        project = dataclasses.replace(project, config={}, codebook=None, evidence=None, context=None)
    tree(project.config, config_file, {"deid"})  # deid.not_names holds name forms by design
    if shared:
        tree(project.codebook, show_path(project.root / paths["codebook"], project.root))
        tree(project.evidence, show_path(project.root / paths["process_tracing"], project.root))
        table(project.context, show_path(project.root / paths["context"], project.root), "context")
    for raw in project.cases.values():
        tree(raw.station, f"{raw.folder}/station.yaml")
        table(raw.participants, f"{raw.folder}/participants.csv", "participants")
        table(raw.segments, f"{raw.folder}/segments.csv", "segments")
        for t in raw.transcripts:
            tree(t.header, t.path, _NAMES_ALLOWED["transcript"], "header")
    for raw in project.cases.values():
        problems += _unsafe_forms(raw)
    return problems


def _unsafe_forms(raw: RawCase) -> list[Problem]:
    """A declared name or alias too short or too common to mask without wrecking the text
    (an alias 兰 would mask every 兰, an alias 主任 every 主任); named by position, never quoted."""
    from analysis.inputs.deid import form_problem, participant_forms

    if raw.participants is None or "participant_id" not in raw.participants:
        return []
    problems = []
    lines = dict(zip(raw.participants["participant_id"], raw.participants["_line"]))
    for pid, forms in participant_forms(raw.participants.to_dict("records")).items():
        aliases = 0
        for column, form in forms:
            aliases += column == "aliases"
            why = form_problem(form)
            if why:
                which = "the name" if column == "name" else f"alias {aliases}"
                problems.append(Problem(f"{raw.folder}/participants.csv", f"line {lines.get(pid, '?')}",
                                        f"{which} of participant {pid} is too short or too common to mask safely ({why})",
                                        "give the full form people use (秀兰 rather than 兰; 王主任 rather than 主任)"))
    return problems
