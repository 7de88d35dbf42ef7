"""Spreadsheet import, step two: each row's code, document and coder matched, and its text placed in the
transcript (by offsets, by the quoted text, or by order)."""

from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass, field

from analysis.exchange.spreadsheet import (
    _EXTENSIONS,
    _PATH_SEPARATORS,
    _PID,
    Mapping,
    Sheet,
    _fold,
    find_columns,
)
from analysis.inputs.io import INTERVIEWER, SPEAKER_TURN
from analysis.inputs.problems import InputError, Problem

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
