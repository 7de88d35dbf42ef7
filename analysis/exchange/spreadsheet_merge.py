"""Spreadsheet import, step three: imported segments merged with a case's ``segments.csv`` and written."""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from analysis.exchange.spreadsheet import _NEEDED, Mapping, Sheet, read_spreadsheet
from analysis.exchange.spreadsheet_place import CaseText, Imported, import_segments
from analysis.inputs.io import (
    SEGMENT_COLUMNS,
    configured_paths,
    decode_utf8,
    load_config,
    read_bytes,
    read_case,
    read_table,
    read_yaml,
    show_path,
)
from analysis.inputs.problems import InputError, Problem
from analysis.inputs.writers import csv_text, unsafe_cell, write_atomic

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
    :func:`analysis.inputs.io.read_table` does), so that rows kept are written back unchanged."""
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
    """Write text (UTF-8) to ``path`` all at once (:func:`analysis.inputs.writers.write_atomic`)."""
    write_atomic(path, text.encode("utf-8"))


def _check_import_section(root: Path, config: dict, config_file: str) -> None:
    """``import`` of the configuration against its part of ``config.schema.yaml``."""
    from analysis.inputs.schemas import check_schema, schema_path

    if "import" not in config:
        return
    problems: list[Problem] = []
    schema = read_yaml(schema_path(root, "config"), problems, Path(root))
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
    from analysis.exchange.refi_commands import load_codebook

    root, file = Path(root), Path(file)
    config = load_config(root, config_file)
    _check_import_section(root, config, config_file)
    mapping = Mapping.from_config(config)
    cases_dir = configured_paths(config)["cases"]
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
    codebook = load_codebook(root, root / configured_paths(config)["codebook"])
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
