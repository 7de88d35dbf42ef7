"""Coded segments from a QDA program's spreadsheet export, into a case's ``segments.csv``; step one,
the spreadsheet read and its columns found (placing: :mod:`~analysis.exchange.spreadsheet_place`;
merging and writing: :mod:`~analysis.exchange.spreadsheet_merge`).

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

import codecs
import csv
import difflib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from analysis.inputs.io import decode_utf8, read_bytes
from analysis.inputs.problems import InputError, Problem

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
