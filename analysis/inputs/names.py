"""Where confidential names are kept, and every name gathered from there (for masking and checking)."""

from __future__ import annotations

import os
from pathlib import Path

from analysis.inputs.io import CASE_FILES, read_table
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
    from analysis.inputs.deid import NameMatcher

    rows: list[dict] = []
    for path in paths:
        if tables is not None and Path(path) in tables:
            table = tables[Path(path)]  # read, and any problem reported, by whoever read it
        else:
            full = Path(root) / path if root is not None and not Path(path).is_absolute() else Path(path)
            table = read_table(full, problems, root)
        if table is not None:
            rows += table.to_dict("records")
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
