"""Coded segments from a QDA program's spreadsheet export, into a case's ``segments.csv``.

QDA programs export their coded segments as a table: MAXQDA's "Coded segments"
(Document name, Code, Segment, Begin, End, Created by, Comment), ATLAS.ti's
quotation list (Document, Codes, Quotation Content, Comment), NVivo's coding
summary (Node, the coded text). :func:`read_spreadsheet` reads such a table
from CSV or XLSX; :func:`import_segments` maps its columns, documents, codes
and coders onto the case and the codebook and places every segment in its
transcript body; :func:`merge_segments` adds the result to the case's existing
segments; :func:`run_import_segments` is what ``casebook import-segments``
runs, and writes ``segments.csv`` only when nothing went wrong.

Placing a segment. Offsets (``start``, ``end``) are converted from the
configured convention (first character 0 or 1; end inclusive or exclusive) to
the compendium's Unicode code-point offsets into the body, ``body[start:end]``,
and checked against the row's text when it gives one. A row with text and no
offsets is located by exact search in the body (line ends normalised to ``\\n``
and surrounding whitespace removed on both sides). When the text occurs more
than once, a hint may choose: approximate character positions or paragraph
numbers (``offsets.unit``), or the order of the rows, when the spreadsheet
lists a document's segments in text order. What was chosen is reported;
otherwise the row is an error. The transcripts' words are never quoted in a
message (messages reach logs before de-identification): rows are named by
their number and spans by their offsets.

The column mapping and the options come from ``import.spreadsheet`` in
``config.yaml`` (``workflow/schemas/config.schema.yaml`` describes it); a field
the configuration does not name is looked for under the usual names in
:data:`ALIASES`.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import difflib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from analysis.io import (INTERVIEWER, SPEAKER_TURN, csv_text, decode_utf8, load_config, read_bytes, read_case, read_table,
                         read_yaml, show_path, unsafe_cell, write_atomic)
from analysis.problems import InputError, Problem

#: The fields a spreadsheet row can give, in the order they are reported.
FIELDS = ("document", "code", "coder", "text", "start", "end", "participant", "memo")

#: The column headers under which each field is looked for when the configuration names none,
#: compared without regard to case, spaces and underscores (the compendium's own names come first).
ALIASES = {
    "document": ("document_id", "document name", "document", "documents", "source", "source name", "file name", "file",
                 "文档名称", "文档名", "文档", "文件"),
    "code": ("code_id", "code", "codes", "code name", "node", "nodes", "代码", "编码", "码"),
    "coder": ("coder_id", "coder", "created by", "creator", "coded by", "user", "author", "编码者", "编码员", "创建者"),
    "text": ("text", "segment", "coded segment", "quotation content", "quotation", "coded text", "content",
             "片段", "编码片段", "文本", "内容"),
    "start": ("start", "begin", "start position", "开始", "起始", "开始位置"),
    "end": ("end", "end position", "结束", "结束位置"),
    "participant": ("participant_id", "participant", "speaker", "说话人", "发言人"),
    "memo": ("memo", "comment", "comments", "note", "notes", "备注", "注释", "评论"),
}

#: The columns of ``segments.csv`` (data/README.md), in order.
SEGMENT_COLUMNS = ("segment_id", "document_id", "participant_id", "start", "end", "code_id", "coder_id", "text", "memo")
_NEEDED = ("segment_id", "document_id", "start", "end", "code_id", "coder_id")

_PID = re.compile(r"^[A-Za-z0-9_-]+$")
_PATH_SEPARATORS = re.compile(r"\s*(?:\\|>|::)\s*")
_EXTENSIONS = (".md", ".txt", ".docx", ".doc", ".rtf", ".odt", ".pdf", ".html", ".htm")


# ---------------------------------------------------------------------------- reading the spreadsheet


@dataclass
class Sheet:
    """A spreadsheet as read: its header and its non-empty rows, each with its line (CSV) or row (XLSX) number.

    ``shown`` names the file (and worksheet) in messages; ``unit`` is ``"line"``
    or ``"row"``, the word that goes before a row's number.
    """

    shown: str
    unit: str
    header: list[str]
    rows: list[tuple[int, list[str]]]
    note: str = ""
    header_at: int = 1

    @property
    def header_where(self) -> str:
        return f"{self.unit} {self.header_at} (header)"

    def where(self, numbers: list[int]) -> str:
        """``"row 5"``, ``"rows 5, 7, 9 and 3 more"``.

        Examples
        --------
        >>> Sheet("a.xlsx", "row", [], []).where([5, 7, 9, 11, 12, 13, 14])
        'rows 5, 7, 9, 11, 12 and 2 more'
        """
        shown = ", ".join(map(str, numbers[:5])) + (f" and {len(numbers) - 5} more" if len(numbers) > 5 else "")
        return f"{self.unit}{'s' if len(numbers) > 1 else ''} {shown}"


def _cell_text(value) -> str:
    """An XLSX cell as text: integers without '.0', dates in ISO form, empty cells as ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _table(shown: str, unit: str, numbered: list[tuple[int, list[str]]], note: str = "") -> Sheet:
    """The first non-empty row as the header, the later non-empty rows as data, padded to the header's width."""
    numbered = [(n, [c if isinstance(c, str) else _cell_text(c) for c in row]) for n, row in numbered]
    filled = [(n, row) for n, row in numbered if any(c.strip() for c in row)]
    if not filled:
        raise InputError([Problem(shown, "", "the spreadsheet is empty",
                                  "export the coded segments again, with a header row and one row per segment")])
    (header_at, header), data = filled[0], filled[1:]
    while header and not header[-1].strip():
        header = header[:-1]
    rows, problems = [], []
    for n, row in data:
        if any(c.strip() for c in row[len(header):]):
            problems.append(Problem(shown, f"{unit} {n}", f"the row has cells beyond the header's {len(header)} columns",
                                    "give every column a header, or remove the stray cells"))
        rows.append((n, [c for c in row[:len(header)]] + [""] * (len(header) - len(row))))
    if problems:
        raise InputError(problems)
    return Sheet(shown, unit, [h.strip() for h in header], rows, note, header_at)


#: At most this many coded segments in one spreadsheet (one case's coding; a station has hundreds).
MAX_ROWS = 200_000


#: At most this many columns (a QDA export of coded segments has a dozen).
MAX_COLUMNS = 1_000


def _too_many_columns(shown: str, where: str, count: int) -> Problem:
    return Problem(shown, where, f"the row has {count:,} cells, more than the {MAX_COLUMNS:,} columns a spreadsheet of "
                   "coded segments may have", "export only the coded segments' columns (document, code, coder, text)")


def _too_many_rows(shown: str) -> Problem:
    return Problem(shown, "", f"the spreadsheet has more than {MAX_ROWS:,} rows, more than one case's coded segments",
                   "export the coded segments of one case (one station) at a time")


def _read_csv(path: Path, sheet: str | None) -> Sheet:
    shown = str(path)
    problems: list[Problem] = []
    data = read_bytes(path, problems, None, "table")
    if data is None:
        raise InputError(problems)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")  # Excel's "Unicode text" export
    else:
        problems: list[Problem] = []
        text = decode_utf8(data, shown, problems)
        if problems:
            raise InputError(problems)
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first.count)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    numbered, line = [], 1
    try:
        for row in reader:
            if len(numbered) > MAX_ROWS:
                raise InputError([_too_many_rows(shown)])
            if len(row) > MAX_COLUMNS:
                raise InputError([_too_many_columns(shown, f"line {line}", len(row))])
            numbered.append((line, row))
            line = reader.line_num + 1
    except csv.Error as err:
        raise InputError([Problem(shown, f"line {reader.line_num}", f"the CSV does not parse ({err})",
                                  "export the table again as CSV (UTF-8), or as .xlsx")]) from None
    return _table(shown, "line", numbered)


def _read_xlsx(path: Path, sheet: str | None) -> Sheet:
    from openpyxl import load_workbook

    shown = str(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # noqa: BLE001 - openpyxl raises many kinds of error on a damaged or foreign file
        raise InputError([Problem(shown, "", f"the file cannot be read as an Excel workbook ({type(err).__name__}: {err})",
                                  "save it again from Excel as .xlsx, or export the coded segments as CSV")]) from None
    try:
        names = list(book.sheetnames)
        if sheet is not None and sheet not in names:
            close = difflib.get_close_matches(sheet, names, n=1)
            raise InputError([Problem(shown, "", f"the workbook has no worksheet '{sheet}'",
                                      f"name one of its worksheets: {', '.join(names)}"
                                      + (f" (closest: {close[0]})" if close else ""))])
        name = sheet or names[0]
        worksheet = book[name]
        declared = getattr(worksheet, "max_row", None)  # the sheet's own <dimension>, known before any row is read
        if isinstance(declared, int) and declared > MAX_ROWS + 1:
            raise InputError([_too_many_rows(f"{shown} (worksheet '{name}')")])
        # openpyxl pads every row to the width the <dimension> declares (A1:XFD20001 in a 100 KB file
        # would be 16,384 cells a row); read the cells each row holds instead
        worksheet.reset_dimensions()
        numbered = []
        for number, row in enumerate(worksheet.iter_rows(min_row=1, values_only=True), start=1):
            if number > MAX_ROWS + 1:
                raise InputError([_too_many_rows(f"{shown} (worksheet '{name}')")])
            if len(row) > MAX_COLUMNS:
                raise InputError([_too_many_columns(f"{shown} (worksheet '{name}')", f"row {number}", len(row))])
            numbered.append((number, row))
    finally:
        book.close()
    note = f"worksheet '{name}'" + (f" (the first of {len(names)}; choose another with --sheet)"
                                    if sheet is None and len(names) > 1 else "")
    return _table(f"{shown} (worksheet '{name}')", "row", [(n, list(row)) for n, row in numbered], note)


#: Reader for each file suffix.
_READERS = {".csv": _read_csv, ".tsv": _read_csv, ".txt": _read_csv, ".xlsx": _read_xlsx, ".xlsm": _read_xlsx}


def read_spreadsheet(path: Path, sheet: str | None = None) -> Sheet:
    """Read a table of coded segments from CSV (UTF-8, or UTF-16 with a byte-order mark) or XLSX.

    The first non-empty row is the header. A CSV's delimiter (comma, tab or
    semicolon) is the one its header uses most. Raises :class:`InputError`.
    """
    path = Path(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        what = "an old-style Excel or another spreadsheet format" if path.suffix.lower() in (".xls", ".ods", ".numbers") \
            else f"not a spreadsheet this command reads ('{path.suffix}')"
        raise InputError([Problem(str(path), "", f"the file is {what}",
                                  "save the coded segments as .xlsx or as CSV (UTF-8)")])
    problems: list[Problem] = []
    if read_bytes(path, problems, None, "table", "give the path of the exported spreadsheet") is None:
        raise InputError(problems)  # missing, a folder, a device, too large or unreadable
    try:
        return reader(path, sheet)
    except OSError as err:
        raise InputError([Problem(str(path), "", f"the file cannot be read ({err.strerror or err})",
                                  "check that it is readable")]) from None


# ---------------------------------------------------------------------------- the options


@dataclass
class Mapping:
    """How to read the spreadsheet: ``import.spreadsheet`` of ``config.yaml``, with its defaults."""

    columns: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None
    unit: str = "characters"
    base: int = 0
    inclusive: bool = False
    codes: dict[str, str | None] = field(default_factory=dict)
    match_codes: tuple[str, ...] = ("id", "zh", "en")
    documents: dict[str, str] = field(default_factory=dict)
    coders: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: dict) -> Mapping:
        """The mapping in a configuration already checked against its schema.

        Examples
        --------
        >>> m = Mapping.from_config({"import": {"spreadsheet": {"offsets": {"base": 1, "end": "inclusive"}}}})
        >>> m.base, m.inclusive, m.unit, m.match_codes
        (1, True, 'characters', ('id', 'zh', 'en'))
        """
        spec = ((config.get("import") or {}).get("spreadsheet") or {}) if isinstance(config, dict) else {}
        offsets = spec.get("offsets") or {}
        return cls(columns=dict(spec.get("columns") or {}), sheet=spec.get("sheet"),
                   unit=offsets.get("unit", "characters"), base=int(offsets.get("base", 0)),
                   inclusive=offsets.get("end", "exclusive") == "inclusive", codes=dict(spec.get("codes") or {}),
                   match_codes=tuple(spec.get("match_codes") or ("id", "zh", "en")),
                   documents=dict(spec.get("documents") or {}), coders=dict(spec.get("coders") or {}))

    def describe(self) -> str:
        if self.unit == "paragraphs":
            return "paragraph numbers (1-based, both ends inclusive), used only to choose among repeats of the text"
        counted = f"counted from {self.base}, end {'inclusive' if self.inclusive else 'exclusive'}"
        if self.unit == "approximate":
            return f"approximate character positions ({counted}), used only to choose among repeats of the text"
        return f"Unicode characters, {counted}"

    def to_body(self, start: int, end: int) -> tuple[int, int]:
        """Offsets in this convention -> the compendium's ``body[start:end]`` offsets.

        Examples
        --------
        >>> Mapping(base=1, inclusive=True).to_body(11, 13)
        (10, 13)
        """
        return start - self.base, end - self.base + (1 if self.inclusive else 0)


def _fold(text: str) -> str:
    """Text compared without regard to case, width and runs of spaces."""
    return " ".join(unicodedata.normalize("NFKC", str(text)).casefold().split())


def _header_key(name: str) -> str:
    return _fold(re.sub(r"[_\s]+", " ", name))


def find_columns(sheet: Sheet, mapping: Mapping, config_file: str) -> tuple[dict[str, int], list[Problem]]:
    """The column index of each field: the configured header, else the first of its :data:`ALIASES` present."""
    index: dict[str, int] = {}
    for i, name in enumerate(sheet.header):
        if name:
            index.setdefault(_header_key(name), i)
    found: dict[str, int] = {}
    problems = []
    for name in FIELDS:
        if name in mapping.columns:
            wanted = mapping.columns[name]
            if _header_key(wanted) in index:
                found[name] = index[_header_key(wanted)]
            else:
                close = difflib.get_close_matches(wanted, [h for h in sheet.header if h], n=1)
                problems.append(Problem(sheet.shown, sheet.header_where,
                                        f"there is no column '{wanted}' (import.spreadsheet.columns.{name} in {config_file})",
                                        "name a column of the header" + (f" (closest: '{close[0]}')" if close else "")
                                        + f"; the header is: {', '.join(h for h in sheet.header if h)}"))
            continue
        for alias in ALIASES[name]:
            i = index.get(_header_key(alias))
            if i is not None and i not in found.values():
                found[name] = i
                break
    return found, problems


# ---------------------------------------------------------------------------- matching names


@dataclass
class CaseText:
    """What placing segments needs from a case folder.

    ``bodies`` maps each document id to its body; ``speakers`` to the
    participants its header lists; ``coded_by`` to its header's ``coded_by``;
    ``people`` is the set of participant ids in ``participants.csv``, or
    ``None`` when the case has no such file.
    """

    bodies: dict[str, str]
    speakers: dict[str, list[str]] = field(default_factory=dict)
    coded_by: dict[str, list[str]] = field(default_factory=dict)
    people: set[str] | None = None

    def allows(self, document: str, pid: str) -> bool:
        """Whether ``pid`` may be the speaker of a segment of ``document`` (as ``casebook validate`` checks)."""
        listed = self.speakers.get(document) or []
        return bool(_PID.match(pid)) and (not listed or pid in listed) and (self.people is None or pid in self.people)


def _closest(value: str, choices: dict[str, str]) -> str:
    """``" (closest: X)"`` for the folded choice nearest to ``value``; choices map folded text to what to show."""
    close = difflib.get_close_matches(_fold(value), list(choices), n=1, cutoff=0.5)
    return f" (closest: {choices[close[0]]})" if close else ""


class CodeMatcher:
    """Code ids for the code names of a spreadsheet: the configured mapping, else the codebook's ids and labels.

    Examples
    --------
    >>> book = {"codes": [{"id": "res", "parent": None, "label": {"zh": "社区韧性", "en": "Resilience"}},
    ...                   {"id": "res.trust", "parent": "res", "label": {"zh": "社会信任", "en": "Social trust"}}]}
    >>> m = CodeMatcher(book, Mapping())
    >>> m.match("社会信任"), m.match("Resilience\\\\SOCIAL trust"), m.match("res.trust")
    (('ok', 'res.trust'), ('ok', 'res.trust'), ('ok', 'res.trust'))
    >>> m.match("Social trusts")
    ('unknown', ' (closest: Social trust = res.trust)')
    """

    def __init__(self, codebook: dict, mapping: Mapping):
        self.codes = codebook["codes"]
        self.parent = {c["id"]: c.get("parent") for c in self.codes}
        self.mapping = {_fold(k): v for k, v in mapping.codes.items()}
        self.kinds = mapping.match_codes
        self.shown = {}
        for c in self.codes:
            for kind in ("id", "zh", "en"):
                key = self._key(c, kind)
                if key:
                    self.shown.setdefault(_fold(key), c["id"] if kind == "id" else f"{key} = {c['id']}")

    @staticmethod
    def _key(code: dict, kind: str) -> str:
        return code["id"] if kind == "id" else str((code.get("label") or {}).get(kind) or "")

    def _by_name(self, name: str) -> list[str]:
        for kind in self.kinds:
            found = [c["id"] for c in self.codes if self._key(c, kind) and _fold(self._key(c, kind)) == _fold(name)]
            if found:
                return found
        return []

    def match(self, name: str) -> tuple[str, object]:
        """``("ok", id)``, ``("skip", None)``, ``("ambiguous", [ids])`` or ``("unknown", closest-match hint)``."""
        if _fold(name) in self.mapping:
            target = self.mapping[_fold(name)]
            return ("skip", None) if target is None else ("ok", target)
        found = self._by_name(name)
        parts = [p for p in _PATH_SEPARATORS.split(name) if p]
        if not found and len(parts) > 1:  # a code path, as MAXQDA writes it: Parent\Child
            found = self._by_name(parts[-1])
            if len(found) > 1:
                parents = set(self._by_name(parts[-2]))
                found = [c for c in found if self.parent.get(c) in parents] or found
        if len(found) == 1:
            return "ok", found[0]
        if found:
            return "ambiguous", found
        return "unknown", _closest(parts[-1] if parts else name, self.shown)


def _match_document(name: str, case: CaseText, mapping: dict[str, str]) -> str | None:
    """The document id for a document name: the mapping, the id itself, or the name without a file extension."""
    mapped = {_fold(k): v for k, v in mapping.items()}
    if _fold(name) in mapped:
        return mapped[_fold(name)]
    stem = name.strip()
    if stem.casefold().endswith(_EXTENSIONS):
        stem = stem.rsplit(".", 1)[0]
    by_fold = {_fold(d): d for d in case.bodies}
    return by_fold.get(_fold(name)) or by_fold.get(_fold(stem))


def _match_coder(name: str, known: list[str], mapping: dict[str, str]) -> str | None:
    mapped = {_fold(k): v for k, v in mapping.items()}
    if _fold(name) in mapped:
        return mapped[_fold(name)]
    return {_fold(k): k for k in known}.get(_fold(name))


# ---------------------------------------------------------------------------- placing segments


def occurrences(body: str, text: str) -> list[int]:
    """Every offset at which ``text`` occurs in ``body``, overlapping occurrences included.

    Examples
    --------
    >>> occurrences("好好好", "好好"), occurrences("abc", "x")
    ([0, 1], [])
    """
    out, k = [], body.find(text)
    while k != -1 and text:
        out.append(k)
        k = body.find(text, k + 1)
    return out


def _loose(body: str, text: str) -> list[int]:
    """Offsets where ``text`` occurs when runs of spaces and line breaks are ignored."""
    words = text.split()
    if not words:
        return []
    return [m.start() for m in re.finditer(r"\s*".join(map(re.escape, words)), body)]


def normalise_text(cell: str) -> str:
    r"""A text cell as compared with the body: line ends as ``\n``, surrounding whitespace removed.

    Examples
    --------
    >>> normalise_text("  社工站\r\n来了 ")
    '社工站\n来了'
    """
    return cell.replace("\r\n", "\n").replace("\r", "\n").strip()


def speaker_of(body: str, start: int, end: int) -> tuple[str | None, str]:
    """The speaker label of the turn that holds ``body[start:end]``, or ``None`` and why not.

    Examples
    --------
    >>> body = "**访谈者**：问。\\n\\n**K1-P1**：答一句。再答。\\n"
    >>> speaker_of(body, body.index("答一句"), body.index("再答"))
    ('K1-P1', '')
    >>> speaker_of(body, 2, body.index("答一句"))
    (None, 'spans more than one speaker turn')
    """
    turns = [(m.start(), m.group(1).strip()) for m in SPEAKER_TURN.finditer(body)]
    if not turns:
        return None, "the document marks no speaker turns"
    starts = [t[0] for t in turns]
    i = bisect.bisect_right(starts, start) - 1
    if i < 0:
        return None, "lies before the first speaker turn"
    if i + 1 < len(turns) and turns[i + 1][0] < end:
        return None, "spans more than one speaker turn"
    return turns[i][1], ""


def _line_of(body: str, offset: int) -> int:
    return body.count("\n", 0, offset) + 1


@dataclass
class _Row:
    """One spreadsheet row on its way to segments."""

    number: int
    index: int
    document: str | None
    codes: list[str]
    coder: str
    text: str
    positions: tuple[int, int] | None
    participant: str | None
    memo: str
    span: tuple[int, int] | None = None
    how: str = ""
    candidates: list[int] = field(default_factory=list)


@dataclass
class Imported:
    """What :func:`import_segments` made of a spreadsheet.

    ``segments`` are dicts with the columns of ``segments.csv`` but
    ``segment_id`` (numbered by :func:`merge_segments`) and ``_where`` (the
    spreadsheet row, for messages); ``counts`` and ``notes`` feed the summary.
    """

    segments: list[dict]
    counts: dict[str, int]
    skipped: dict[str, list[int]]
    notes: list[tuple[int, str]]
    columns: dict[str, str]


def _cell_int(cell: str) -> int | None:
    try:
        value = float(cell.strip())
    except ValueError:
        return None
    return int(value) if value.is_integer() else None


class _Problems:
    """Problems to report: one per row, or one per unknown name with every row that gives it."""

    def __init__(self, sheet: Sheet):
        self.sheet = sheet
        self.rows: list[Problem] = []
        self.names: dict[tuple[str, str], tuple[list[int], str, str]] = {}

    def add(self, number: int, what: str, fix: str) -> None:
        self.rows.append(Problem(self.sheet.shown, f"{self.sheet.unit} {number}", what, fix))

    def name(self, number: int, key: tuple[str, str], what: str, fix: str) -> None:
        self.names.setdefault(key, ([], what, fix))[0].append(number)

    def all(self) -> list[Problem]:
        grouped = [Problem(self.sheet.shown, self.sheet.where(rows), what, fix) for rows, what, fix in self.names.values()]
        shown = self.rows[:30]
        if len(self.rows) > 30:
            shown.append(Problem(self.sheet.shown, "", f"{len(self.rows) - 30} more rows have problems like these",
                                 "correct them as above"))
        return grouped + shown


def _row_fields(columns: dict[str, int], row: list[str]) -> dict[str, str]:
    return {name: row[i] for name, i in columns.items()}


def _read_rows(sheet: Sheet, columns: dict[str, int], case: CaseText, matcher: CodeMatcher, known: list[str],
               mapping: Mapping, coder: str | None, out: _Problems, skipped: dict[str, list[int]],
               notes: list[tuple[int, str]]) -> list[_Row]:
    """Each row's document, codes, coder, text, offsets, speaker and memo, matched to the case and codebook."""
    rows = []
    for index, (number, cells) in enumerate(sheet.rows):
        cell = _row_fields(columns, cells)
        names = [n.strip() for n in normalise_text(cell.get("code", "")).split("\n") if n.strip()]
        if not names:
            skipped.setdefault("no code", []).append(number)
            continue
        codes, left_out = [], []
        for name in names:
            status, value = matcher.match(name)
            if status == "ok":
                codes.append(value)
            elif status == "skip":
                left_out.append(name)
            elif status == "ambiguous":
                out.name(number, ("code", name), f"the code '{name}' could be any of {', '.join(value)}",
                         "map it to one of them in import.spreadsheet.codes of the configuration")
            else:
                out.name(number, ("code", name), f"the code '{name}' is not in the codebook",
                         f"use a code id or label of the codebook{value}, map the name in import.spreadsheet.codes, "
                         "or add the code to the codebook")
        if left_out and len(left_out) == len(names):
            skipped.setdefault("every code mapped to nothing in the configuration", []).append(number)
            continue
        if left_out:
            notes.append((number, f"code(s) {', '.join(left_out)} left out (mapped to nothing in the configuration)"))
        doc_name = cell.get("document", "").strip()
        document = _match_document(doc_name, case, mapping.documents) if doc_name else None
        if not doc_name:
            out.add(number, "the row names no document", "fill in the document column")
        elif document is None:
            hint = _closest(doc_name, {_fold(d): d for d in case.bodies})
            out.name(number, ("document", doc_name), f"the document '{doc_name}' is not a transcript of this case",
                     f"use a document id of the case{hint}, or map the name in import.spreadsheet.documents")
        if coder is not None:
            who = coder
        else:
            given = cell.get("coder", "").strip()
            who = _match_coder(given, known, mapping.coders) if given else None
            if not given:
                out.add(number, "the row names no coder", "fill in the coder column, or pass --coder ID")
            elif who is None:
                hint = _closest(given, {_fold(k): k for k in known})
                out.name(number, ("coder", given), f"the coder '{given}' is not in coders.known of the configuration",
                         f"map the name to a coder id in import.spreadsheet.coders{hint}, add the id to coders.known, "
                         "or pass --coder ID")
        positions = None
        raw = (cell.get("start", "").strip(), cell.get("end", "").strip())
        if any(raw):
            values = tuple(_cell_int(v) for v in raw)
            if None in values:
                out.add(number, f"start '{raw[0]}' and end '{raw[1]}' are not both whole numbers",
                        "give both offsets as whole numbers, or leave both empty to locate the segment by its text")
            else:
                positions = values
        participant = cell["participant"].strip() if "participant" in columns else None
        rows.append(_Row(number, index, document, codes, who or "", normalise_text(cell.get("text", "")), positions,
                         participant, normalise_text(cell.get("memo", ""))))
    return rows


def _place_by_offsets(row: _Row, body: str, mapping: Mapping, out: _Problems) -> None:
    start, end = mapping.to_body(*row.positions)
    if not 0 <= start < end <= len(body):
        out.add(row.number, f"the offsets {row.positions[0]}-{row.positions[1]} ({mapping.describe()}) do not give a span "
                f"inside document {row.document} ({len(body)} characters)",
                _offset_fix(row, body, mapping) if row.text else
                "correct the offsets, or set import.spreadsheet.offsets to the program's convention")
        return
    if row.text and body[start:end].strip() != row.text:
        out.add(row.number, f"the text does not match document {row.document} at the offsets {row.positions[0]}-"
                f"{row.positions[1]} ({mapping.describe()})", _offset_fix(row, body, mapping))
        return
    row.span, row.how = (start, end), "offsets"


def _offset_fix(row: _Row, body: str, mapping: Mapping) -> str:
    """How to fix offsets that disagree with the text: the convention that would fit, or where the text is."""
    s, e = row.positions
    for base in (0, 1):
        for inclusive in (False, True):
            a, b = s - base, e - base + inclusive
            if (base, inclusive) != (mapping.base, mapping.inclusive) and 0 <= a < b <= len(body) and body[a:b].strip() == row.text:
                return (f"the offsets fit if they count from {base} with the end {'inclusive' if inclusive else 'exclusive'}: "
                        f"set import.spreadsheet.offsets to {{base: {base}, end: {'inclusive' if inclusive else 'exclusive'}}}")
    found = occurrences(body, row.text)
    if found:
        lines = {_line_of(body, k) for k in found}
        paragraphs = (" (the offsets may be paragraph numbers: the text lies on line "
                      f"{min(lines)}; then set import.spreadsheet.offsets.unit: paragraphs)") if s in lines else ""
        return (f"the text occurs at {', '.join(f'{k}-{k + len(row.text)}' for k in found[:3])} (0-based, end exclusive); "
                "correct the offsets or the text, or set import.spreadsheet.offsets.unit: approximate if the program "
                f"counts differently{paragraphs}")
    return "the text does not occur in the document at all: check the document column and the text"


def _place_by_text(row: _Row, body: str, mapping: Mapping, out: _Problems, notes: list[tuple[int, str]]) -> None:
    found = occurrences(body, row.text)
    if not found:
        loose = _loose(body, row.text)
        hint = (f"; it occurs at {loose[0]} when spaces and line breaks are ignored: correct the spacing of the cell"
                if loose else "")
        out.add(row.number, f"the text is not found in document {row.document} ({len(row.text)} characters){hint}",
                "check the document column and the text (it must match the transcript exactly), or give start and end")
        return
    size = len(row.text)
    if len(found) > 1 and row.positions is not None:
        chosen = _by_hint(row, body, found, mapping)
        if len(chosen) == 1:
            k = chosen[0]
            notes.append((row.number, f"the text occurs {len(found)} times in {row.document}; chose {k}-{k + size}, "
                          + ("the one nearest to the position given" if mapping.unit == "approximate"
                             else "the one in the paragraphs given")))
            row.span, row.how = (k, k + size), "hint"
            return
        found = chosen
    if len(found) == 1:
        row.span, row.how = (found[0], found[0] + size), "text"
        if row.positions is not None and mapping.unit == "paragraphs" and not _in_paragraphs(row, body, found[0]):
            lines = f"{_line_of(body, found[0])}-{_line_of(body, found[0] + size)}"
            notes.append((row.number, f"the text lies in paragraph(s) {lines} of {row.document}, not in "
                          f"{row.positions[0]}-{row.positions[1]} as the row says; placed by the text"))
        return
    row.candidates = found


def _in_paragraphs(row: _Row, body: str, k: int) -> bool:
    """Whether the text at ``k`` lies within the paragraphs (body lines, 1-based, inclusive) the row gives."""
    first, last = row.positions
    return first <= _line_of(body, k) and _line_of(body, k + len(row.text)) <= last


def _by_hint(row: _Row, body: str, found: list[int], mapping: Mapping) -> list[int]:
    """The occurrences a position hint favours: the nearest one, or those inside the given paragraphs."""
    if mapping.unit == "paragraphs":
        return [k for k in found if _in_paragraphs(row, body, k)] or found
    start = row.positions[0] - mapping.base
    best = min(abs(k - start) for k in found)
    return [k for k in found if abs(k - start) == best]


def _by_order(rows: list[_Row], notes: list[tuple[int, str]]) -> None:
    """Choose among repeats of a row's text by the rows around it, when a document's rows come in text order.

    The rows placed without doubt are the anchors. When there are two or more
    in a document and their starts never decrease down the spreadsheet, a
    repeated text lying between its neighbouring anchors exactly once is taken there.
    """
    by_doc: dict[str, list[_Row]] = {}
    for row in rows:
        if row.document is not None:
            by_doc.setdefault(row.document, []).append(row)
    for doc, group in by_doc.items():
        anchors = [(r.index, r.span[0]) for r in group if r.span is not None]
        if len(anchors) < 2 or any(a[1] > b[1] for a, b in zip(anchors, anchors[1:])):
            continue
        for row in group:
            if row.span is not None or len(row.candidates) < 2:
                continue
            lo = max((s for i, s in anchors if i < row.index), default=0)
            hi = min((s for i, s in anchors if i > row.index), default=float("inf"))
            inside = [k for k in row.candidates if lo <= k <= hi]
            if len(inside) == 1:
                k = inside[0]
                row.span, row.how = (k, k + len(row.text)), "order"
                notes.append((row.number, f"the text occurs {len(row.candidates)} times in {doc}; chose {k}-{k + len(row.text)}, "
                              "the one between the rows before and after it (the spreadsheet lists this document's "
                              "segments in text order)"))


def import_segments(sheet: Sheet, case: CaseText, codebook: dict, known_coders: list[str], mapping: Mapping | None = None,
                    coder: str | None = None, config_file: str = "config.yaml") -> Imported:
    """Turn a spreadsheet of coded segments into segment rows of one case; write nothing.

    Parameters
    ----------
    sheet : Sheet
        The spreadsheet as :func:`read_spreadsheet` read it.
    case : CaseText
        The case's transcript bodies, their listed participants and ``coded_by``, and its participant ids.
    codebook : dict
        The checked codebook.
    known_coders : list of str
        ``coders.known`` of the configuration.
    mapping : Mapping, optional
        Columns and options (``import.spreadsheet`` of the configuration); the defaults without it.
    coder : str, optional
        The coder of every row (``--coder``); otherwise each row's coder column.

    Returns
    -------
    Imported
        One segment per row and code: ``document_id``, ``participant_id``,
        ``start``, ``end`` (body offsets, ``body[start:end]``), ``code_id``,
        ``coder_id``, ``text`` (``body[start:end]``) and ``memo``.

    Raises
    ------
    InputError
        With every problem found: missing columns, unknown documents, codes
        and coders (with the closest name), offsets that do not fit, text that
        is not found or occurs more than once with nothing to choose by.
    """
    mapping = mapping or Mapping()
    columns, problems = find_columns(sheet, mapping, config_file)
    problems += _column_problems(sheet, columns, mapping, coder)
    if problems:
        raise InputError(problems)
    out, skipped, notes = _Problems(sheet), {}, []
    rows = _read_rows(sheet, columns, case, CodeMatcher(codebook, mapping), known_coders, mapping, coder, out, skipped,
                      notes)
    if coder is not None and "coder" in columns:
        names = sorted({cells[columns["coder"]].strip() for _, cells in sheet.rows} - {""})
        if len(names) > 1:
            out.rows.insert(0, Problem(sheet.shown, "", f"the rows name {len(names)} coders ({', '.join(names[:5])}) "
                                       f"but --coder gives {coder} for all of them",
                                       "leave out --coder and map each name to its coder id in import.spreadsheet.coders, "
                                       "or import one coder's rows at a time"))
    for row in rows:
        if row.document is None:
            continue
        body = case.bodies[row.document]
        if row.positions is not None and mapping.unit == "characters":
            _place_by_offsets(row, body, mapping, out)
        elif row.text:
            _place_by_text(row, body, mapping, out, notes)
        elif row.positions is not None:
            out.add(row.number, f"the row gives positions ({mapping.describe()}) but no text",
                    "give the segment's text, or set import.spreadsheet.offsets.unit: characters if they are exact offsets")
        else:
            out.add(row.number, "the row gives neither the segment's text nor its start and end",
                    "fill in the text column, or start and end")
    _by_order(rows, notes)
    for row in rows:
        if row.span is None and len(row.candidates) > 1:
            shown = ", ".join(f"{k}-{k + len(row.text)}" for k in row.candidates[:5])
            out.add(row.number, f"the text occurs {len(row.candidates)} times in document {row.document} (at {shown}) "
                    "and nothing in the row says which is meant",
                    "give start and end, or a longer text that occurs once")
    segments = _segments(rows, case, out)
    problems = out.all()
    if problems:
        raise InputError(problems)
    counts = {"rows": len(sheet.rows), "offsets": sum(r.how == "offsets" for r in rows),
              "text": sum(r.how in ("text", "hint", "order") for r in rows),
              "chosen": sum(r.how in ("hint", "order") for r in rows)}
    counts["skipped"] = sum(len(v) for v in skipped.values())
    shown_columns = {name: sheet.header[i] for name, i in columns.items()}
    return Imported(segments, counts, skipped, notes, shown_columns)


def _column_problems(sheet: Sheet, columns: dict[str, int], mapping: Mapping, coder: str | None) -> list[Problem]:
    where = sheet.header_where
    header = ", ".join(h for h in sheet.header if h)
    need = []
    if "document" not in columns:
        need.append(("document", "a column naming each segment's document (such as 'Document name')"))
    if "code" not in columns:
        need.append(("code", "a column naming each segment's code (such as 'Code')"))
    if "coder" not in columns and coder is None:
        need.append(("coder", "a column naming each segment's coder (such as 'Created by'), or --coder ID"))
    if "text" not in columns and not ({"start", "end"} <= set(columns) and mapping.unit == "characters"):
        need.append(("text", "the segment's text (such as 'Segment'), or exact start and end offsets"))
    problems = [Problem(sheet.shown, where, f"no {name} column was found: the command needs {what}",
                        f"name the column in import.spreadsheet.columns.{name} of the configuration; the header is: {header}")
                for name, what in need]
    if ("start" in columns) != ("end" in columns):
        have, lack = ("start", "end") if "start" in columns else ("end", "start")
        problems.append(Problem(sheet.shown, where, f"there is a {have} column but no {lack} column",
                                f"name the {lack} column in import.spreadsheet.columns.{lack}, or leave out both"))
    return problems


def _segments(rows: list[_Row], case: CaseText, out: _Problems) -> list[dict]:
    """One segment per placed row and code, with its speaker."""
    segments = []
    for row in rows:
        if row.span is None or not row.coder:
            continue
        body = case.bodies[row.document]
        start, end = row.span
        if row.participant is None:
            label, why = speaker_of(body, start, end)
            pid = label if label and case.allows(row.document, label) else ""
            reason = why or ("the interviewer's turn" if label == INTERVIEWER else f"speaker '{label}' is not a participant of the document")
        else:
            pid, reason = row.participant, "the participant column is empty"
            if pid and not case.allows(row.document, pid):
                allowed = case.speakers.get(row.document) or sorted(case.people or [])
                out.name(row.number, ("participant", f"{row.document}:{pid}"),
                         f"the participant '{pid}' is not among the participants of document {row.document}",
                         f"use one of {', '.join(allowed) or '(none listed)'}, or add the participant to the transcript's "
                         "header and participants.csv")
        for code in row.codes:
            segments.append({"document_id": row.document, "participant_id": pid, "start": start, "end": end,
                             "code_id": code, "coder_id": row.coder, "text": body[start:end], "memo": row.memo,
                             "_where": row.number, "_speaker": "" if pid else reason})
    return segments


# ---------------------------------------------------------------------------- merging with segments.csv


@dataclass
class Existing:
    """``segments.csv`` as it stands: its header and rows exactly as written, with each row's line."""

    shown: str
    header: list[str]
    rows: list[list[str]]
    lines: list[int]


def read_existing(path: Path, shown: str) -> Existing:
    """Read ``segments.csv`` cell for cell (no trimming, the formula protection taken off as
    :func:`analysis.io.read_table` does), so that rows kept are written back unchanged."""
    if not Path(path).is_file():
        return Existing(shown, [], [], [])
    problems: list[Problem] = []
    raw = read_bytes(Path(path), problems, None, "table")
    text = decode_utf8(raw, shown, problems) if raw is not None else None
    if problems:
        raise InputError(problems)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    rows, lines, line = [], [], reader.line_num + 1
    for row in reader:
        if any(c.strip() for c in row):
            if len(row) != len(header):
                problems.append(Problem(shown, f"line {line}", f"the row has {len(row)} cells but the header has {len(header)}",
                                        "correct the row first (`casebook validate` reports it too)"))
            rows.append([unsafe_cell(c) for c in row])
            lines.append(line)
        line = reader.line_num + 1
    missing = [c for c in _NEEDED if c not in header] if (rows or header) else []
    if missing:
        problems.append(Problem(shown, "line 1", f"the column(s) {', '.join(missing)} are missing",
                                "give segments.csv the header of data/README.md before importing into it"))
    if problems:
        raise InputError(problems)
    return Existing(shown, header, rows, lines)


@dataclass
class Merged:
    """The new ``segments.csv``: its text, and what changed."""

    text: str
    added: list[dict]
    replaced: int
    kept: int


def merge_segments(existing: Existing, new: list[dict], case: str, mode: str | None, sheet: Sheet) -> Merged:
    """Add new segments to a case's segments, numbered ``<case>-<coder>-nnnn``; raise on any clash.

    ``mode`` ``"replace"`` drops the existing segments of the coders being
    imported first; ``"append"`` keeps them; ``None`` is allowed only when
    there are none. A new segment that repeats an existing or another new one
    (same document, offsets, code and coder) or overlaps one with the same
    document, code and coder is an error, as ``casebook validate`` would find.
    Existing rows are written back unchanged and keep their order. When they
    are sorted by document, coder, offsets and code (as the synthetic corpus
    and ``casebook import-qdpx`` write them) the new rows take their places in
    that order; otherwise they follow at the end. New columns (``participant_id``,
    ``text``, ``memo`` when a memo is given) are added at the end of the header.

    Examples
    --------
    >>> new = [{"document_id": "K-D1", "participant_id": "", "start": 0, "end": 2, "code_id": "a", "coder_id": "C1",
    ...         "text": "ab", "memo": "", "_where": 2}]
    >>> print(merge_segments(Existing("s.csv", [], [], []), new, "K", None, Sheet("x.csv", "line", [], [])).text, end="")
    segment_id,document_id,participant_id,start,end,code_id,coder_id,text
    K-C1-0001,K-D1,,0,2,a,C1,ab
    """
    col = {name: i for i, name in enumerate(existing.header)}
    coders = {s["coder_id"] for s in new}
    mine = [i for i, row in enumerate(existing.rows) if row[col["coder_id"]] in coders] if existing.rows else []
    if mine and mode is None:
        counts = {}
        for i in mine:
            counts[existing.rows[i][col["coder_id"]]] = counts.get(existing.rows[i][col["coder_id"]], 0) + 1
        raise InputError([Problem(existing.shown, "", "the file already holds segments of the coder(s) being imported ("
                                  + ", ".join(f"{c}: {n}" for c, n in sorted(counts.items())) + ")",
                                  "pass --replace to replace them with the spreadsheet's, or --append to add to them")])
    drop = set(mine) if mode == "replace" else set()
    kept = [(row, line) for i, (row, line) in enumerate(zip(existing.rows, existing.lines)) if i not in drop]
    problems = _clashes(kept, col, new, existing.shown, sheet)
    if problems:
        raise InputError(problems)
    header = list(existing.header) or [c for c in SEGMENT_COLUMNS if c != "memo"]
    header += [c for c in ("participant_id", "text") if c not in header]
    if any(s["memo"] for s in new) and "memo" not in header:
        header.append("memo")
    added = _numbered(new, [row[col["segment_id"]] for row, _ in kept] if kept else [], case)
    rows = [row + [""] * (len(header) - len(row)) for row, _ in kept] + [[str(s.get(c, "")) for c in header] for s in added]
    return Merged(csv_text(header, _in_file_order(rows, header, len(kept))), added, len(drop), len(kept))


def _in_file_order(rows: list[list[str]], header: list[str], n_kept: int) -> list[list[str]]:
    """Kept rows then new ones, merged into (document, coder, start, end, code) order if the kept rows follow it."""
    col = {name: i for i, name in enumerate(header)}

    def key(row: list[str]) -> tuple | None:
        try:
            return (row[col["document_id"]], row[col["coder_id"]], int(row[col["start"]]), int(row[col["end"]]),
                    row[col["code_id"]])
        except ValueError:
            return None

    keys = [key(r) for r in rows[:n_kept]]
    if None in keys or any(a > b for a, b in zip(keys, keys[1:])):
        return rows
    return sorted(rows, key=key)


def _clashes(kept: list[tuple[list[str], int]], col: dict[str, int], new: list[dict], shown: str, sheet: Sheet) -> list[Problem]:
    """New segments that repeat or overlap a kept or another new segment of the same document, code and coder."""
    groups: dict[tuple, list[tuple[int, int, str]]] = {}
    for row, line in kept:
        try:
            span = int(row[col["start"]]), int(row[col["end"]])
        except ValueError:
            continue  # `casebook validate` reports it
        key = (row[col["document_id"]], row[col["code_id"]], row[col["coder_id"]])
        groups.setdefault(key, []).append((*span, f"segment {row[col['segment_id']]} (line {line} of {shown})"))
    problems = []
    for seg in new:
        key = (seg["document_id"], seg["code_id"], seg["coder_id"])
        for start, end, what in groups.get(key, []):
            if seg["start"] < end and start < seg["end"]:
                same = (start, end) == (seg["start"], seg["end"])
                problems.append(Problem(sheet.shown, f"{sheet.unit} {seg['_where']}",
                                        f"the segment {'repeats' if same else 'overlaps'} {what}: same document "
                                        f"({seg['document_id']}), code ({seg['code_id']}) and coder ({seg['coder_id']})",
                                        "delete the duplicate row, or pass --replace to replace the coder's segments"
                                        if same else "merge the two segments into one in the QDA program, or delete one"))
                break
        groups.setdefault(key, []).append((seg["start"], seg["end"], f"{sheet.unit} {seg['_where']} of the spreadsheet"))
    return problems


def _numbered(new: list[dict], taken: list[str], case: str) -> list[dict]:
    """New segments in document and text order, numbered per coder after the highest number already used."""
    used = set(taken)
    top: dict[str, int] = {}
    for ident in taken:
        m = re.fullmatch(rf"{re.escape(case)}-(.+)-(\d+)", ident)
        if m:
            top[m.group(1)] = max(top.get(m.group(1), 0), int(m.group(2)))
    out = []
    for seg in sorted(new, key=lambda s: (s["document_id"], s["start"], s["end"], s["code_id"], s["coder_id"])):
        n = top.get(seg["coder_id"], 0) + 1
        while f"{case}-{seg['coder_id']}-{n:04d}" in used:
            n += 1
        top[seg["coder_id"]] = n
        ident = f"{case}-{seg['coder_id']}-{n:04d}"
        used.add(ident)
        out.append({**seg, "segment_id": ident})
    return out


# ---------------------------------------------------------------------------- files


def write_text_atomic(path: Path, text: str) -> None:
    """Write text (UTF-8) to ``path`` all at once (:func:`analysis.io.write_atomic`)."""
    write_atomic(path, text.encode("utf-8"))


def _check_import_section(root: Path, config: dict, config_file: str) -> None:
    """``import`` of the configuration against its part of ``config.schema.yaml``."""
    from analysis.validate import SCHEMA_FILES, check_schema

    if "import" not in config:
        return
    problems: list[Problem] = []
    schema = read_yaml(Path(root) / "workflow" / "schemas" / SCHEMA_FILES["config"], problems, Path(root))
    if problems:
        raise InputError(problems)
    problems = check_schema(config["import"], schema["properties"]["import"], config_file, "import")
    if problems:
        raise InputError(problems)


def _case_text(root: Path, cases_dir: str, case: str) -> CaseText:
    problems: list[Problem] = []
    raw = read_case(root, cases_dir, case, problems, parts=("transcripts",))
    people = None
    path = root / cases_dir / case / "participants.csv"
    if path.is_file():
        table = read_table(path, problems, root)
        if table is not None and "participant_id" in table:
            people = set(table["participant_id"]) - {""}
    if problems:
        raise InputError(problems)
    case_text = CaseText({})
    for t in raw.transcripts:
        doc = Path(t.path).stem
        case_text.bodies[doc] = t.body
        listed = t.header.get("participants")
        case_text.speakers[doc] = [str(p) for p in listed] if isinstance(listed, list) else []
        coded = t.header.get("coded_by")
        if isinstance(coded, list):
            case_text.coded_by[doc] = [str(c) for c in coded]
    case_text.people = people
    return case_text


def _check_mapping_targets(mapping: Mapping, codebook: dict, case: CaseText, known: list[str], config_file: str) -> None:
    ids = {c["id"] for c in codebook["codes"]}
    problems = []
    for kind, targets, allowed, what in (("codes", mapping.codes, ids, "a code id of the codebook"),
                                         ("documents", mapping.documents, set(case.bodies), "a document id of this case"),
                                         ("coders", mapping.coders, set(known), "a coder id in coders.known")):
        for name, target in targets.items():
            if target is not None and target not in allowed:
                close = difflib.get_close_matches(str(target), sorted(allowed), n=1)
                problems.append(Problem(config_file, f"import.spreadsheet.{kind}", f"'{name}' is mapped to '{target}', "
                                        f"which is not {what}", f"map it to {what}" + (f" (closest: {close[0]})" if close else "")))
    if problems:
        raise InputError(problems)


def run_import_segments(root: Path, config_file: str, file: Path, case: str, sheet: str | None = None,
                        coder: str | None = None, mode: str | None = None) -> str:
    """``casebook import-segments``: read, place, merge, and write ``segments.csv`` at once; return the summary.

    Raises :class:`InputError` (nothing written) on any problem.
    """
    from analysis.refi import load_codebook

    root, file = Path(root), Path(file)
    config = load_config(root, config_file)
    _check_import_section(root, config, config_file)
    mapping = Mapping.from_config(config)
    paths = config.get("paths") if isinstance(config.get("paths"), dict) else {}
    cases_dir = paths.get("cases", "data/cases")
    known = list((config.get("coders") or {}).get("known") or []) if isinstance(config.get("coders"), dict) else []
    if coder is not None and coder not in known:
        close = difflib.get_close_matches(coder, known, n=1)
        raise InputError([Problem("--coder", coder, f"the coder '{coder}' is not in coders.known of {config_file}",
                                  "add the id to coders.known, or give a known one" + (f" (closest: {close[0]})" if close else ""))])
    if sheet is not None and file.suffix.lower() not in (".xlsx", ".xlsm"):
        raise InputError([Problem("--sheet", sheet, "--sheet applies to .xlsx workbooks only",
                                  "leave out --sheet for a CSV file")])
    folder = root / cases_dir / case
    if not folder.is_dir():
        raise InputError([Problem(show_path(folder, root), "", f"the folder of case {case} does not exist",
                                  f"create the case first (`casebook new-case {case}`), or correct --case")])
    codebook = load_codebook(root, root / paths.get("codebook", "data/codebook.yaml"))
    case_text = _case_text(root, cases_dir, case)
    _check_mapping_targets(mapping, codebook, case_text, known, config_file)
    table = read_spreadsheet(file, sheet or (mapping.sheet if file.suffix.lower() in (".xlsx", ".xlsm") else None))
    result = import_segments(table, case_text, codebook, known, mapping, coder, config_file)
    target = folder / "segments.csv"
    shown = show_path(target, root)
    merged = merge_segments(read_existing(target, shown), result.segments, case, mode, table)
    write_text_atomic(target, merged.text)
    return _summary(result, merged, table, shown, case_text, coder, mapping)


def _summary(result: Imported, merged: Merged, sheet: Sheet, shown: str, case: CaseText, coder: str | None,
             mapping: Mapping) -> str:
    c = result.counts
    by_coder: dict[str, int] = {}
    for s in merged.added:
        by_coder[s["coder_id"]] = by_coder.get(s["coder_id"], 0) + 1
    speakers = sum(1 for s in merged.added if s["participant_id"])
    empty: dict[str, int] = {}
    for s in merged.added:
        if not s["participant_id"]:
            empty[s["_speaker"]] = empty.get(s["_speaker"], 0) + 1
    lines = [f"casebook: wrote {len(merged.added)} new segment(s) from {sheet.shown} to {shown}",
             f"  rows read: {c['rows']}" + (f" ({sheet.note})" if sheet.note else ""),
             f"  placed by offsets: {c['offsets']}" + (" (each checked against its text where the row gives one)" if c["offsets"] else ""),
             f"  located by text: {c['text']}" + (f" ({c['chosen']} chosen among repeats of the text, see below)" if c["chosen"] else ""),
             f"  skipped: {c['skipped']}" + ("" if not result.skipped else " (" + "; ".join(
                 f"{reason}: {sheet.where(rows)}" for reason, rows in result.skipped.items()) + ")"),
             "  segments: " + (", ".join(f"{k}: {n}" for k, n in sorted(by_coder.items())) or "none")
             + (f"; {merged.replaced} existing segment(s) of the same coder(s) replaced" if merged.replaced else "")
             + f"; the file now holds {merged.kept + len(merged.added)}",
             "  columns: " + ", ".join(f"{k} <- '{v}'" for k, v in result.columns.items())
             + (f"; coder <- --coder {coder}" if coder else ""),
             *([f"  offsets: {mapping.describe()}"] if "start" in result.columns else [])]
    if "participant" not in result.columns:
        lines.append(f"  participants: {speakers} segment(s) given the speaker of their turn"
                     + ("; left empty: " + "; ".join(f"{why}: {n}" for why, n in sorted(empty.items())) if empty else ""))
    lines += [f"  note: {sheet.unit} {n}: {text}" for n, text in sorted(result.notes)]
    todo = sorted({(s["document_id"], s["coder_id"]) for s in merged.added
                   if s["document_id"] in case.coded_by and s["coder_id"] not in case.coded_by[s["document_id"]]})
    lines += [f"  to do: transcripts/{doc}.md lists coded_by {case.coded_by[doc]}; add {who} there, or "
              "`casebook validate` will object" for doc, who in todo]
    return "\n".join(lines)
