"""Every read of a file: the raw case data, the configuration and the tables the commands take.

The readers never raise on bad content. Each returns what it could read and
appends a :class:`~analysis.inputs.problems.Problem` for what it could not, so that
``casebook validate`` reports every problem in one pass. Reading is bounded:
a file larger than its cap (:data:`MAX_BYTES`), a folder or a device where a
file should be, a symbolic link that leaves the project, a YAML document that
nests or expands without bound, and an unreadable file or folder are each
reported with the file and the fix, never as a traceback.

Every write is in :mod:`analysis.inputs.writers`; YAML is parsed by the bounded
loader of :mod:`analysis.inputs.yaml_bounded`.

The data model (one folder per case under ``data/cases``) is described in
``data/README.md``.
"""

from __future__ import annotations

import collections
import csv
import hashlib
import io
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from analysis.inputs.problems import Problem
from analysis.inputs.writers import unsafe_cell
from analysis.inputs.yaml_bounded import load_yaml_text

if TYPE_CHECKING:
    import pandas as pd

#: The largest file of each kind that is read, in bytes: well above any real transcript
#: (a book-length interview is under 2 MB), codebook or table of one station.
MAX_BYTES = {"yaml": 8 * 2**20, "table": 128 * 2**20, "transcript": 16 * 2**20}
#: The widest table read (the project's tables have a dozen columns).
MAX_COLUMNS = 1_000
#: csv's default cell limit (131,072 characters) is below a long coded passage; a cell may be
#: as long as the file may be.
csv.field_size_limit(MAX_BYTES["table"])


#: How a transcript marks a speaker turn: ``**<participant_id>**：`` at the start of a line
#: (the interviewer as ``**访谈者**``).
SPEAKER_TURN = re.compile(r"^\*\*([^*\n]+?)\*\*[ \t]*[：:]", re.M)
INTERVIEWER = "访谈者"
#: The form of a participant id (workflow/schemas/participants.schema.yaml).
PARTICIPANT_ID = re.compile(r"[A-Za-z0-9_-]+")

#: Files every case folder holds, relative to the case folder.
#: The columns of a case's ``segments.csv`` (data/README.md; workflow/schemas/segments.schema.yaml
#: describes each), in order; ``memo`` is optional.
SEGMENT_COLUMNS = ("segment_id", "document_id", "participant_id", "start", "end", "code_id", "coder_id", "text", "memo")
#: The raw files every case shares, by their key under ``paths`` in the configuration.
SHARED_FILES = ("codebook", "context", "process_tracing")
#: Where the data live when a configuration the commands read before it is validated names no path.
DEFAULT_PATHS = {"cases": "data/cases", "codebook": "data/codebook.yaml"}


def configured_paths(config) -> dict:
    """The configuration's ``paths``, each one it leaves out from :data:`DEFAULT_PATHS`.

    >>> configured_paths({"paths": {"cases": "cases"}})["codebook"]
    'data/codebook.yaml'
    """
    paths = config.get("paths") if isinstance(config, dict) and isinstance(config.get("paths"), dict) else {}
    return {**DEFAULT_PATHS, **paths}


ALL_CASES = "all"


def case_sort_key(case: str) -> tuple:
    """Order case ids as a reader counts them: S2 before S10, S99 before S100.

    >>> sorted(["S100", "S10", "S2", "K1"], key=case_sort_key)
    ['K1', 'S2', 'S10', 'S100']
    """
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", case) if part)


def configured_cases(root: Path, config: dict) -> list[str]:
    """The cases the configuration names: its list ``cases``, or, with ``cases: all``, every folder
    under ``paths.cases`` that holds a station.yaml, in :func:`case_sort_key` order (so a generated
    or imported province of stations needs no hand-written list). Anything else gives no case (the
    schema check reports it)."""
    cases = config.get("cases") if isinstance(config, dict) else None
    if isinstance(cases, list):
        return [str(c) for c in cases]
    if cases != ALL_CASES:
        return []
    base = Path(root) / configured_paths(config)["cases"]
    try:
        with os.scandir(base) as entries:
            found = [e.name for e in entries if e.is_dir() and os.path.isfile(os.path.join(e.path, CASE_FILES["station"]))]
    except OSError:
        return []  # the folder's own problem is reported where the cases are read
    return sorted(found, key=case_sort_key)


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
    transcripts_listed: bool = True  # False when the transcripts folder itself could not be read


@dataclass
class RawProject:
    """The raw inputs named by the configuration, as read."""

    root: Path
    config: dict
    codebook: dict | None = None
    context: pd.DataFrame | None = None
    evidence: dict | None = None
    cases: dict[str, RawCase] = field(default_factory=dict)


def show_path(path: Path | str, root: Path | str | None = None) -> str:
    """A path as it should appear in a message: relative to ``root`` when inside it."""
    path = Path(path)
    if root is not None:
        # absolute, not resolved: a symbolic link is shown where it is, not where it leads
        for plain, base in ((Path(os.path.abspath(path)), Path(os.path.abspath(root))), (path.resolve(), Path(root).resolve())):
            if plain.is_relative_to(base):
                return str(plain.relative_to(base))
    return str(path)


def _outside(path: Path, root: Path | str | None) -> Path | None:
    """Where ``path`` really leads when it lies in ``root`` but a symbolic link takes it out; else ``None``.

    A path configured outside the project (an absolute ``paths.cases``, say) is the user's
    choice and is not refused; a link inside the project that leaves it is.
    """
    if root is None:
        return None
    base = Path(os.path.abspath(root))  # abspath, not absolute(): a root given as proj/../proj is normalised too
    plain = Path(os.path.abspath(path))
    if not plain.is_relative_to(base):
        return None
    real = plain.resolve()
    return None if real.is_relative_to(base.resolve()) else real


def _os_problem(err: OSError, shown: str, what: str) -> Problem:
    if isinstance(err, PermissionError):
        return Problem(shown, "", f"the {what} cannot be read (permission denied)",
                       f"give your user read permission, e.g. `chmod -R u+rX {shown}`")
    return Problem(shown, "", f"the {what} cannot be read ({err.strerror or err})",
                   "check the disk and the path, then run again")


def read_bytes(path: Path, problems: list[Problem], root: Path | None = None, kind: str = "table",
               missing_fix: str = "create it (see data/README.md for its layout) or correct the path in config.yaml") -> bytes | None:
    """The bytes of one input file, or ``None`` with a problem.

    Refused: a missing file, a folder, anything that is not a regular file (a device such as
    ``/dev/urandom``, a pipe, a socket), a symbolic link that leaves ``root``, a file larger than
    ``MAX_BYTES[kind]``, and a file that cannot be read. At most the cap plus one byte is
    ever read, so a file that grows while it is read cannot exhaust memory.
    """
    path = Path(path)
    shown = show_path(path, root)
    cap = MAX_BYTES[kind]
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            problems.append(Problem(shown, "", "the file is a symbolic link to a file that does not exist",
                                    "replace the link with the file itself"))
        else:
            problems.append(Problem(shown, "", "the file does not exist", missing_fix))
        return None
    except OSError as err:
        problems.append(_os_problem(err, shown, "file"))
        return None
    if stat.S_ISDIR(info.st_mode):
        problems.append(Problem(shown, "", "this is a folder, where a file was expected",
                                "rename or move the folder; only files belong here"))
        return None
    if not stat.S_ISREG(info.st_mode):
        problems.append(Problem(shown, "", "this is not an ordinary file (a device, a pipe or a socket)",
                                "replace it with an ordinary file holding the data"))
        return None
    real = _outside(path, root)
    if real is not None:
        problems.append(Problem(shown, "", f"this is a symbolic link that leads out of the project (to {real})",
                                "copy the file into the project, or set its real path in config.yaml"))
        return None
    if info.st_size > cap:
        problems.append(_too_big(shown, info.st_size, cap))
        return None
    try:
        with open(path, "rb") as handle:
            data = handle.read(cap + 1)
    except OSError as err:
        problems.append(_os_problem(err, shown, "file"))
        return None
    if len(data) > cap:
        problems.append(_too_big(shown, len(data), cap))
        return None
    return data


def _too_big(shown: str, size: int, cap: int) -> Problem:
    limit = f"{cap // 2**20} MiB" if cap >= 2**20 else f"{cap:,} bytes"
    return Problem(shown, "", f"the file is larger ({size:,} bytes) than the {limit} this kind of input may be",
                   "check that it is the right file; split a table that is genuinely this large into several cases")


def list_folder(folder: Path, pattern: str, problems: list[Problem], root: Path | None = None) -> list[Path] | None:
    """The entries of ``folder`` matching ``pattern``, sorted; ``None`` (with a problem) when the folder
    cannot be listed or is a link out of the project; ``[]`` when it does not exist."""
    shown = show_path(folder, root)
    real = _outside(folder, root)
    if real is not None and os.path.isdir(folder):
        problems.append(Problem(shown, "", f"this folder is a symbolic link that leads out of the project (to {real})",
                                "copy the folder into the project, or set paths.cases in config.yaml to its real place"))
        return None
    try:
        with os.scandir(folder) as entries:
            names = [e.name for e in entries]
    except FileNotFoundError:
        return []
    except NotADirectoryError:
        problems.append(Problem(shown, "", "this is a file, where a folder was expected", "replace it with a folder"))
        return None
    except OSError as err:
        problems.append(_os_problem(err, shown, "folder"))
        return None
    return sorted(Path(folder) / n for n in names if Path(n).match(pattern))


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
    if any(w in reason for w in ("nests more than", "expands to more than", "holds more than", "refers to the value")):
        return Problem(shown, where, reason, "write the values out plainly: this file needs no deep nesting and no aliases")
    return Problem(shown, where, f"the YAML does not parse ({reason})",
                   "correct the YAML syntax there (indentation, a missing colon or an unclosed quote)")


def read_yaml(path: Path, problems: list[Problem], root: Path | None = None):
    """Read a YAML file; ``None`` (with a problem) if it is missing, unreadable, undecodable or invalid."""
    shown = show_path(path, root)
    raw = read_bytes(path, problems, root, "yaml")
    if raw is None:
        return None
    text = decode_utf8(raw, shown, problems)
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


def _shape(cell: str) -> str:
    """A cell with its digits blanked: ``S01-C1-0003`` and ``S01-C1-0001`` have one shape."""
    return re.sub(r"\d", "0", cell.strip())


def _swallowed(row: list[str], width: int) -> bool:
    """Whether a cell of ``row`` holds, after a line break, a line that is itself a whole row of the
    table (as many cells as the header, the first shaped like this row's first): the mark of a
    quote left open, which reads the rows after it into one cell. A quoted cell with line
    breaks of its own (a memo, a long passage) does not look like that."""
    first = _shape(row[0]) if row else ""
    for cell in row:
        for part in cell.split("\n")[1:]:
            try:
                cells = next(csv.reader([part]))
            except (csv.Error, StopIteration):
                continue
            if len(cells) == width and _shape(cells[0]) == first:
                return True
    return False


def read_table(path: Path, problems: list[Problem], root: Path | None = None) -> pd.DataFrame | None:
    """Read a CSV table as strings, with the file line of each row in ``_line``.

    Empty cells are empty strings; typing is the schema's job
    (:func:`analysis.inputs.schemas.check_table`). A header that names a column twice, and a
    quote left open (which would swallow the rows after it into one cell), are reported
    with their line instead of being read. A cell that starts with an apostrophe before
    ``=``, ``+``, ``-``, ``@`` or a tab is read without the apostrophe :func:`csv_safe` wrote.
    """
    import pandas as pd

    parsed = read_rows(path, problems, root)
    if parsed is None:
        return None
    names, rows, lines = parsed
    frame = pd.DataFrame(rows, columns=names, dtype=object)
    frame["_line"] = lines
    return frame


def read_rows(path: Path, problems: list[Problem], root: Path | None = None) -> tuple[list[str], list[list[str]], list[int]] | None:
    """:func:`read_table` as plain lists: the header, the rows' cells and each row's file line
    (for readers of many small tables, such as every station's participants for their names)."""
    shown = show_path(path, root)
    raw = read_bytes(path, problems, root, "table", "create it with the header row given in data/README.md")
    if raw is None:
        return None
    text = decode_utf8(raw, shown, problems)
    if text is None:
        return None
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        problems.append(Problem(shown, "line 1", "the file is empty (no header row)",
                                "add the header row given in data/README.md"))
        return None
    except csv.Error as err:
        problems.append(Problem(shown, "line 1", f"the header row cannot be read as CSV ({err})",
                                "write the header row given in data/README.md"))
        return None
    names = [h.strip() for h in header]
    if len(names) > MAX_COLUMNS:
        problems.append(Problem(shown, "line 1", f"the header has {len(names):,} columns, more than the {MAX_COLUMNS:,} "
                                "any table of this project has", "check that it is the right file, saved as CSV"))
        return None
    counts = collections.Counter(names)
    twice = sorted(n for n, count in counts.items() if count > 1)
    if twice:
        for name in twice:
            at = [str(i + 1) for i, n in enumerate(names) if n == name]
            problems.append(Problem(shown, "line 1", f"the header names the column '{name}' more than once "
                                    f"(columns {', '.join(at)})" if name else f"the header has empty column names (columns {', '.join(at)})",
                                    "give every column one header cell, and remove the extra column"))
        return None
    rows, lines = [], []
    line = reader.line_num + 1
    open_quote, last_multiline = False, 0
    try:
        for row in reader:
            spans = reader.line_num - line + 1
            if spans > 1:
                last_multiline = line
            if spans > 1 and _swallowed(row, len(header)):
                open_quote = True
                problems.append(Problem(shown, f"line {line}", f"a quote (\") opened in this row is never closed, so lines "
                                        f"{line}-{reader.line_num} were read as one cell",
                                        "close the quote; a quote that belongs to the text is written twice (\"\")"))
            elif any(cell.strip() for cell in row):
                if len(row) != len(header):
                    problems.append(Problem(shown, f"line {line}",
                                            f"the row has {len(row)} cells but the header has {len(header)}",
                                            "quote cells that contain commas and give every column a cell"))
                else:
                    rows.append([unsafe_cell(cell.strip()) for cell in row])
                    lines.append(line)
            line = reader.line_num + 1
    except csv.Error as err:
        problems.append(Problem(shown, f"line {reader.line_num}", f"the row cannot be read as CSV ({err})",
                                "correct the row: quote a cell that holds commas, quotes or line breaks"))
        return None
    if not open_quote and text.count('"') % 2:
        where = f"line {last_multiline}" if last_multiline else ""
        problems.append(Problem(shown, where, "the file has an odd number of double quotes, so one is never closed"
                                + (" (the row here holds line breaks)" if last_multiline else ""),
                                "close the quote; a quote that belongs to the text is written twice (\"\")"))
        return None
    return names, rows, lines


def read_transcript(path: Path, problems: list[Problem], root: Path | None = None) -> Transcript | None:
    """Read a Markdown transcript with a YAML header between ``---`` lines."""
    shown = show_path(path, root)
    raw = read_bytes(path, problems, root, "transcript")
    if raw is None:
        return None
    text = decode_utf8(raw, shown, problems)
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


def load_config(root: Path, config_file: str) -> dict:
    """The configuration file (relative to ``root``) as a mapping; raises InputError when it is not one."""
    from analysis.inputs.problems import InputError

    problems: list[Problem] = []
    config = read_yaml(Path(root) / config_file, problems, Path(root))
    if problems:
        raise InputError(problems)
    if not isinstance(config, dict):
        raise InputError([Problem(str(config_file), "", "the configuration is not a mapping of settings",
                                  "write config.yaml as `key: value` settings (see the README)")])
    return config


def exit_on_unreadable_config(*paths: str) -> None:
    """Before Snakemake reads the configuration: print every problem reading it (with line and
    column) and exit 1, so the workflow never shows Snakemake's generic "not valid YAML"."""
    import sys

    from analysis.inputs.problems import render_problems

    problems: list[Problem] = []
    for path in paths:
        config = read_yaml(Path(path), problems, Path("."))
        if config is not None and not isinstance(config, dict):
            problems.append(Problem(path, "", "the configuration is not a mapping of settings",
                                    "write it as `key: value` settings (see the README)"))
    if problems:
        sys.stderr.write(render_problems(problems) + "\n")
        sys.exit(1)


def read_case(root: Path, cases_dir: str, case: str, problems: list[Problem],
              parts: tuple[str, ...] = ("station", "participants", "segments", "transcripts")) -> RawCase:
    """Read one case folder (or only the named ``parts`` of it); missing or unreadable parts are reported, not raised."""
    folder = root / cases_dir / case
    raw = RawCase(case=case, folder=show_path(folder, root))
    if not folder.is_dir():
        problems.append(Problem(raw.folder, "", f"the folder of case {case} does not exist",
                                f"create it (see data/README.md) or remove {case} from `cases` in config.yaml"))
        return raw
    real = _outside(folder, root)
    if real is not None:
        problems.append(Problem(raw.folder, "", f"the case folder is a symbolic link that leads out of the project (to {real})",
                                "copy the case into the project, or set paths.cases in config.yaml to where the cases really are"))
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
    files = list_folder(tdir, "*.md", problems, root)
    if files is None:
        raw.transcripts_listed = False  # the folder's own problem is reported; its documents cannot be checked
        return raw
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
    import pandas as pd

    rows = []
    for path in sorted(paths):
        data = Path(path).read_bytes()
        rows.append({"path": str(path), "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()})
    return pd.DataFrame(rows, columns=["path", "bytes", "sha256"])


def read_json(path: Path | str):
    """A JSON file a rule wrote (``results/...``), parsed."""
    import json

    with open(path, encoding="utf-8") as src:
        return json.load(src)


def read_code_labels(path: Path | str, lang: str) -> dict[str, str]:
    """Each code's label in ``lang``, from an ingested codebook table (``results/ingest/codes.parquet``)."""
    import pandas as pd

    from analysis.methods.codebook import code_labels

    return code_labels(pd.read_parquet(path), lang)
