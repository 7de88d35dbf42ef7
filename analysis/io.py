"""Readers for the raw case data: the only module that opens files.

The readers never raise on bad content. Each returns what it could read and
appends a :class:`~analysis.problems.Problem` for what it could not, so that
``casebook validate`` reports every problem in one pass. They never write.

The data model (one folder per case under ``data/cases``) is described in
``data/README.md``.
"""

from __future__ import annotations

import csv
import hashlib
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from analysis.problems import Problem

class _Loader(yaml.SafeLoader):
    """YAML's safe loader, keeping dates as text: the schemas check their format."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml_text(text: str):
    """Parse YAML text safely, dates left as strings.

    Examples
    --------
    >>> load_yaml_text("date: 2021-02-30")
    {'date': '2021-02-30'}
    """
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader


#: Files every case folder holds, relative to the case folder.
CASE_FILES = {
    "station": "station.yaml",
    "participants": "participants.csv",
    "segments": "segments.csv",
    "transcripts": "transcripts",
}


@dataclass
class Transcript:
    """One transcript: its YAML header and its body.

    ``body`` is the text after the line that closes the header, with line ends
    normalised to ``\\n``; segment offsets count Unicode code points into it.
    ``body_line`` is the 1-based line of the file where the body starts.
    """

    path: str
    header: dict
    body: str
    body_line: int


@dataclass
class RawCase:
    """Everything read from one case folder (``data/cases/<case>``)."""

    case: str
    folder: str
    station: dict | None = None
    participants: pd.DataFrame | None = None
    segments: pd.DataFrame | None = None
    transcripts: list[Transcript] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # stems of transcripts that could not be read


def show_path(path: Path | str, root: Path | str | None = None) -> str:
    """A path as it should appear in a message: relative to ``root`` when inside it."""
    path = Path(path)
    if root is not None:
        try:
            return str(path.resolve().relative_to(Path(root).resolve()))
        except ValueError:
            pass
    return str(path)


def decode_utf8(raw: bytes, shown: str, problems: list[Problem]) -> str | None:
    """Decode bytes as UTF-8 (a leading BOM is dropped) or report why not.

    A file that fails as UTF-8 but decodes as GB18030 is named as a GBK/GB18030
    file, the usual case for text saved by Chinese-locale Windows editors.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        bad = raw[err.start : err.start + 2].hex(" ")
        try:
            raw.decode("gb18030")
            guess = "it decodes as GBK/GB18030, the encoding Chinese-locale Windows editors often save"
        except UnicodeDecodeError:
            guess = "its encoding is unknown"
        problems.append(
            Problem(
                shown,
                f"line {line}",
                f"the file is not UTF-8 (byte {bad} at byte offset {err.start}); {guess}",
                f"re-save it as UTF-8, for example `iconv -f GB18030 -t UTF-8 {shown} > fixed && mv fixed {shown}`",
            )
        )
        return None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _yaml_problem(err: yaml.YAMLError, shown: str, line_offset: int = 0) -> Problem:
    mark = getattr(err, "problem_mark", None)
    where = f"line {mark.line + 1 + line_offset}, column {mark.column + 1}" if mark else ""
    reason = getattr(err, "problem", None) or str(err).splitlines()[0]
    return Problem(shown, where, f"the YAML does not parse ({reason})",
                   "correct the YAML syntax there (indentation, a missing colon or an unclosed quote)")


def read_yaml(path: Path, problems: list[Problem], root: Path | None = None):
    """Read a YAML file; ``None`` (with a problem) if it is missing, undecodable or invalid."""
    shown = show_path(path, root)
    if not path.is_file():
        problems.append(Problem(shown, "", "the file does not exist",
                                "create it (see data/README.md for its layout) or correct the path in config.yaml"))
        return None
    text = decode_utf8(path.read_bytes(), shown, problems)
    if text is None:
        return None
    try:
        data = load_yaml_text(text)
    except yaml.YAMLError as err:
        problems.append(_yaml_problem(err, shown))
        return None
    if data is None:
        problems.append(Problem(shown, "", "the file is empty",
                                "write its content (see data/README.md for the layout) or remove it"))
    return data


def read_table(path: Path, problems: list[Problem], root: Path | None = None) -> pd.DataFrame | None:
    """Read a CSV table as strings, with the file line of each row in ``_line``.

    Empty cells are empty strings; typing is the schema's job
    (:func:`analysis.validate.check_table`).
    """
    shown = show_path(path, root)
    if not path.is_file():
        problems.append(Problem(shown, "", "the file does not exist",
                                "create it with the header row given in data/README.md"))
        return None
    text = decode_utf8(path.read_bytes(), shown, problems)
    if text is None:
        return None
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        problems.append(Problem(shown, "line 1", "the file is empty (no header row)",
                                "add the header row given in data/README.md"))
        return None
    rows, lines = [], []
    line = reader.line_num + 1
    for row in reader:
        if any(cell.strip() for cell in row):
            if len(row) != len(header):
                problems.append(Problem(shown, f"line {line}",
                                        f"the row has {len(row)} cells but the header has {len(header)}",
                                        "quote cells that contain commas and give every column a cell"))
            else:
                rows.append([cell.strip() for cell in row])
                lines.append(line)
        line = reader.line_num + 1
    frame = pd.DataFrame(rows, columns=[h.strip() for h in header], dtype=object)
    frame["_line"] = lines
    return frame


def read_transcript(path: Path, problems: list[Problem], root: Path | None = None) -> Transcript | None:
    """Read a Markdown transcript with a YAML header between ``---`` lines."""
    shown = show_path(path, root)
    text = decode_utf8(path.read_bytes(), shown, problems)
    if text is None:
        return None
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        problems.append(Problem(shown, "line 1", "the transcript does not start with a YAML header (`---`)",
                                "begin the file with `---`, the header fields (id, participants, date, interviewer, kind), and `---`"))
        return None
    try:
        close = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        problems.append(Problem(shown, "line 1", "the YAML header is never closed",
                                "add a line `---` after the header fields"))
        return None
    try:
        header = load_yaml_text("\n".join(lines[1:close])) or {}
    except yaml.YAMLError as err:
        problems.append(_yaml_problem(err, shown, line_offset=1))
        return None
    if not isinstance(header, dict):
        problems.append(Problem(shown, "line 2", "the header is not a mapping of fields",
                                "write the header as `field: value` lines"))
        return None
    body = "\n".join(lines[close + 1 :])
    return Transcript(path=shown, header=header, body=body, body_line=close + 2)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it and a rename, so no half file is ever left.

    An existing file keeps its permissions; a new one gets the usual ones (0644 under the umask),
    not the private 0600 of a temporary file.
    """
    import os
    import shutil
    import tempfile

    from analysis.problems import InputError

    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with open(handle, "wb") as out:
            out.write(data)
        if path.exists():
            shutil.copymode(path, tmp)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as err:
        raise InputError([Problem(str(path), "", f"the file cannot be written ({err})",
                                  "check that the folder is writable and has room")]) from None
    finally:
        if tmp and Path(tmp).exists():
            Path(tmp).unlink()


def load_config(root: Path, config_file: str) -> dict:
    """The configuration file (relative to ``root``) as a mapping; raises InputError when it is not one."""
    from analysis.problems import InputError

    problems: list[Problem] = []
    config = read_yaml(Path(root) / config_file, problems, Path(root))
    if problems:
        raise InputError(problems)
    if not isinstance(config, dict):
        raise InputError([Problem(str(config_file), "", "the configuration is not a mapping of settings",
                                  "write config.yaml as `key: value` settings (see the README)")])
    return config


def read_case(root: Path, cases_dir: str, case: str, problems: list[Problem],
              parts: tuple[str, ...] = ("station", "participants", "segments", "transcripts")) -> RawCase:
    """Read one case folder (or only the named ``parts`` of it); missing or unreadable parts are reported, not raised."""
    folder = root / cases_dir / case
    raw = RawCase(case=case, folder=show_path(folder, root))
    if not folder.is_dir():
        problems.append(Problem(raw.folder, "", f"the folder of case {case} does not exist",
                                f"create it (see data/README.md) or remove {case} from `cases` in config.yaml"))
        return raw
    if "station" in parts:
        raw.station = read_yaml(folder / CASE_FILES["station"], problems, root)
    if "participants" in parts:
        raw.participants = read_table(folder / CASE_FILES["participants"], problems, root)
    if "segments" in parts:
        raw.segments = read_table(folder / CASE_FILES["segments"], problems, root)
    if "transcripts" not in parts:
        return raw
    tdir = folder / CASE_FILES["transcripts"]
    files = sorted(tdir.glob("*.md")) if tdir.is_dir() else []
    if not files:
        problems.append(Problem(show_path(tdir, root), "", "no transcripts (*.md) were found",
                                "put the case's transcripts, one Markdown file each, in this folder"))
    for path in files:
        transcript = read_transcript(path, problems, root)
        if transcript is not None:
            raw.transcripts.append(transcript)
        else:
            raw.unreadable.append(path.stem)
    return raw


def file_manifest(paths: list[str]) -> pd.DataFrame:
    """SHA-256 and size of each file, for the reproducibility appendix.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", delete=False) as f:
    ...     _ = f.write("abc")
    >>> file_manifest([f.name])["sha256"].iloc[0][:12]
    'ba7816bf8f01'
    >>> os.unlink(f.name)
    """
    rows = []
    for path in sorted(paths):
        data = Path(path).read_bytes()
        rows.append({"path": str(path), "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()})
    return pd.DataFrame(rows, columns=["path", "bytes", "sha256"])


def log_to(path: str) -> None:
    """Send this process's warnings, logging and errors to a rule's log file.

    Workflow scripts call it first, so that ``snakemake --show-failed-logs``
    shows why a job failed and a clean run leaves a record of what it did.
    """
    import logging
    import sys

    stream = open(path, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the job
    sys.stderr = stream
    logging.basicConfig(stream=stream, level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", force=True)
    logging.captureWarnings(True)


def write_table(frame: pd.DataFrame, markdown: str, csv_path: str) -> None:
    """Write a display table as Markdown (for the book) and CSV (for readers)."""
    from analysis.tables import to_markdown

    frame.to_csv(csv_path, index=False)
    Path(markdown).write_text(to_markdown(frame) + "\n", encoding="utf-8")


def read_ratings(path: Path, level: str, problems: list[Problem]) -> pd.DataFrame | None:
    """Read a long ``unit,coder,value`` CSV for ``casebook reliability``, checking it for ``level``.

    A missing rating is an absent row. Problems: a missing column, a unit rated
    twice by one coder, a value that does not parse for the level, fewer than
    two coders, no unit with two ratings.
    """
    from analysis.agreement import coerce_level

    shown = str(path)
    table = read_table(Path(path), problems)
    if table is None:
        return None
    missing = [c for c in ("unit", "coder", "value") if c not in table.columns]
    if missing:
        problems.append(Problem(shown, "line 1", f"the column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                                f"{'are' if len(missing) > 1 else 'is'} missing",
                                "give the file the header `unit,coder,value`, one row per rating"))
        return None
    table = table[table["value"] != ""]
    values, bad = coerce_level(table["value"].reset_index(drop=True), level)
    for i in bad[:5]:
        row = table.iloc[i]
        problems.append(Problem(shown, f"line {row['_line']}", f"the value '{row['value']}' is not a valid {level} value",
                                "use numbers for ordinal, interval and ratio levels (non-negative for ratio), "
                                "or choose --level nominal"))
    if len(bad) > 5:
        problems.append(Problem(shown, "", f"{len(bad) - 5} more values do not parse at the {level} level",
                                "correct them as above"))
    dup = table[table.duplicated(["unit", "coder"], keep=False)]
    for (unit, coder), grp in list(dup.groupby(["unit", "coder"]))[:5]:
        lines = ", ".join(map(str, grp["_line"]))
        problems.append(Problem(shown, f"lines {lines}", f"coder '{coder}' rates unit '{unit}' more than once",
                                "keep one rating per unit and coder"))
    if bad or len(dup):
        return None
    table = table.assign(value=values.to_numpy())
    if table["coder"].nunique() < 2:
        problems.append(Problem(shown, "", f"only {table['coder'].nunique()} coder rated anything",
                                "agreement needs the ratings of at least two coders"))
        return None
    if (table.groupby("unit").size() >= 2).sum() == 0:
        problems.append(Problem(shown, "", "no unit was rated by two or more coders",
                                "agreement needs units that at least two coders rated"))
        return None
    return table.drop(columns="_line")


def read_memberships(path: Path, columns: list[str], problems: list[Problem]) -> pd.DataFrame | None:
    """Read a QCA data CSV: the first column is the case id, the others memberships in [0, 1]."""
    shown = str(path)
    table = read_table(Path(path), problems)
    if table is None:
        return None
    header = [c for c in table.columns if c != "_line"]
    if len(header) < 2:
        problems.append(Problem(shown, "line 1", "the file needs a case-id column and at least one set",
                                "write the case ids in the first column and one column per condition and outcome"))
        return None
    missing = [c for c in columns if c not in header[1:]]
    if missing:
        problems.append(Problem(shown, "line 1", f"the column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                                f"{'are' if len(missing) > 1 else 'is'} missing",
                                "name every condition and the outcome exactly as in the header (" + ", ".join(header[1:]) + ")"))
        return None
    out = pd.DataFrame({"case": table[header[0]].astype(str)})
    for col in columns:
        values = pd.to_numeric(table[col], errors="coerce")
        for line, raw, v in zip(table["_line"], table[col], values):
            if pd.isna(v) or not 0.0 <= v <= 1.0:
                problems.append(Problem(shown, f"line {line}", f"the {col} value '{raw}' is not a membership in [0, 1]",
                                        "give a number from 0 to 1 (crisp sets use 0 and 1)"))
        out[col] = values
    if len(out) < 2:
        problems.append(Problem(shown, "", f"only {len(out)} case{'s' if len(out) != 1 else ''}",
                                "a comparison needs at least two cases"))
    return None if problems else out
