"""What the command line runs for REFI-QDA: import, export and coding brought back (``--update``)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from analysis.exchange.qdpx_safety import Limits
from analysis.exchange.refi_export import (
    _all_names,
    export_qdc,
    export_qdpx,
    validate_qde,
)
from analysis.exchange.refi_import import (
    LISTED,
    _check_case_id,
    _our_csv_rows,
    import_qdpx,
    write_case,
)
from analysis.exchange.refi_map import CaseImport
from analysis.exchange.refi_read import ADDITIONS_FILE, TODO_FILE
from analysis.inputs.deid import Redaction, move_offset
from analysis.inputs.io import (
    SEGMENT_COLUMNS,
    configured_cases,
    configured_paths,
    load_config,
    read_transcript,
)
from analysis.inputs.problems import InputError, Problem
from analysis.inputs.writers import csv_text, write_atomic
from analysis.report.leaks import leak_problems, scan_member

# ---------------------------------------------------------------------------- what the command line runs


def load_codebook(root: Path, path: Path) -> dict:
    """Read a codebook and check it against ``workflow/schemas/codebook.schema.yaml``; raise on any problem."""
    from analysis.inputs.io import read_yaml, show_path
    from analysis.inputs.schemas import schema_path
    from analysis.inputs.validate import check_codebook

    problems: list[Problem] = []
    schema = read_yaml(schema_path(root, "codebook"), problems, Path(root))
    codebook = read_yaml(Path(path), problems, Path(root))
    if not problems:
        problems += check_codebook(codebook, show_path(Path(path), Path(root)), schema)
    if problems:
        raise InputError(problems)
    return codebook


def _paths(root: Path, config: dict) -> dict:
    return configured_paths(config)


def run_import(root: Path, config_file: str, file: Path, case: str, dest: str | None = None, codebook: str | None = None,
               force: bool = False, limits: Limits = Limits(), update: bool = False, skip_missing: bool = False) -> str:
    """``casebook import-qdpx``: import, write the case folder (or, with ``update``, only its segments), and say what was done."""
    root = Path(root)
    config = load_config(root, config_file)
    paths = _paths(root, config)
    codebook_path = Path(codebook) if codebook else root / paths["codebook"]
    book = load_codebook(root, codebook_path)
    coders = config.get("coders") if isinstance(config.get("coders"), dict) else {}
    result = import_qdpx(Path(file), case, book, codebook if codebook else paths["codebook"],
                         set(coders.get("known") or []), set(configured_cases(root, config)), limits, skip_missing)
    if update:
        return _run_update(result, Path(dest) if dest else root / paths["cases"], case, set(coders.get("known") or []), file)
    target = write_case(result, Path(dest) if dest else root / paths["cases"], force)
    lines = [f"casebook: imported {file} as case {case} into {target}", *(f"  {line}" for line in result.summary),
             f"  to do (also in {target / TODO_FILE}):", *(f"    - {item}" for item in result.todo[:LISTED])]
    if len(result.todo) > LISTED:
        lines.append(f"    - and {len(result.todo) - LISTED:,} more (all in {TODO_FILE})")
    return "\n".join(lines)


def run_export_qdpx(root: Path, config_file: str, case: str, out: str, codebook: str | None = None,
                    labels: str | None = None, xsd: str | None = None, target: str = "standard") -> str:
    """``casebook export-qdpx``: export one case, optionally check it against the XSD, write it atomically."""
    root = Path(root)
    config = load_config(root, config_file)
    paths = _paths(root, config)
    _check_case_id(case)
    book = load_codebook(root, Path(codebook) if codebook else root / paths["codebook"])
    book, added = with_case_additions(root, book, root / paths["cases"] / case / ADDITIONS_FILE)
    names = _all_names(root, paths["cases"], config)
    data, summary = export_qdpx(root, paths["cases"], case, book, labels or config.get("labels", "zh"), names, target)
    if added:
        summary.append(f"codes: {added} code(s) of the case's {ADDITIONS_FILE} (not yet merged into the codebook) "
                       "exported with the rest")
    if xsd and not Path(xsd).is_file():
        raise InputError([Problem(str(xsd), "", "the schema file does not exist", "give --xsd the path of REFI-QDA-Project.xsd")])
    if xsd:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            problems = validate_qde(zf.read("project.qde"), Path(xsd), f"{out}:project.qde")
        if problems:
            raise InputError(problems)
    write_atomic(Path(out), data)
    checked = f"; project.qde fits {xsd}" if xsd else ""
    return "\n".join([f"casebook: exported case {case} to {out} ({len(data):,} bytes{checked})", *(f"  {s}" for s in summary)])


def with_case_additions(root: Path, book: dict, additions: Path) -> tuple[dict, int]:
    """The codebook with the codes of a case's ``codebook-additions.yaml`` (an import not yet merged),
    so that a case can be exported right after ``new-case --from``; and how many were added."""
    if not additions.is_file():
        return book, 0
    extra = load_codebook(root, additions)
    known = {c["id"] for c in book["codes"]}
    new = [c for c in extra["codes"] if c["id"] not in known]
    return {**book, "codes": [*book["codes"], *new]}, len(new)


def run_export_qdc(root: Path, config_file: str, out: str, codebook: str | None = None, labels: str | None = None) -> str:
    """``casebook export-qdc``: export the codebook as a REFI-QDA codebook file."""
    root = Path(root)
    config = load_config(root, config_file)
    book = load_codebook(root, Path(codebook) if codebook else root / _paths(root, config)["codebook"])
    data = export_qdc(book, labels or config.get("labels", "zh"))
    leaks = scan_member("codebook.qdc", data, _all_names(root, _paths(root, config)["cases"], config), "the exported codebook")
    if leaks:
        raise InputError(leak_problems(leaks))
    write_atomic(Path(out), data)
    themes = sum(1 for c in book["codes"] if c.get("parent") is None)
    return f"casebook: exported the codebook ({len(book['codes'])} codes, {themes} themes) to {out}"


# ---------------------------------------------------------------------------- coding back from a QDA program


def update_segments(result: CaseImport, cases_folder: Path, case: str) -> tuple[bytes, list[str]]:
    """The existing case's ``segments.csv`` rebuilt from a re-imported project (its exported, recoded copy).

    The project's transcripts must be the case's own transcripts as ``export-qdpx``
    wrote them: the same documents, the same text once confidential names are
    masked. Offsets in the project count in the masked text, so each segment is
    moved back onto the raw transcript (the inverse of the masking), and its
    ``text`` column is taken from the raw body. Nothing else in the case
    folder changes: station attributes, participants with their confidential
    columns and the transcripts stay as they are.
    """
    folder = Path(cases_folder) / case
    if not folder.is_dir():
        raise InputError([Problem(str(folder), "", f"case {case} does not exist, so there is nothing to update",
                                  "import the project as a new case without --update")])
    names = _all_names(Path(cases_folder), ".", {"cases": [case]})
    problems: list[Problem] = []
    bodies: dict[str, tuple[str, list]] = {}
    for path in sorted((folder / "transcripts").glob("*.md")):
        transcript = read_transcript(path, problems)
        if transcript is not None:
            masked, spans = names.mask(transcript.body)
            bodies[transcript.header.get("id", path.stem)] = (transcript.body, masked, spans)
    imported = {}
    for rel, data in result.files.items():
        if rel.startswith("transcripts/") and rel.endswith(".md"):
            text = data.decode("utf-8")
            imported[Path(rel).stem] = text.split("\n---\n", 1)[1] if "\n---\n" in text else text
    for doc, body in sorted(imported.items()):
        if doc not in bodies:
            problems.append(Problem(f"{folder}/transcripts", doc, f"the project has a document '{doc}' that case {case} lacks",
                                    "update only with a project exported from this case; add new documents as transcripts first"))
        elif body != bodies[doc][1]:
            problems.append(Problem(f"{folder}/transcripts/{doc}.md", "", "the project's text of this document differs "
                                    "from the case's transcript (after masking names)",
                                    "edit transcripts in the case folder, not in the QDA program; or import the project as a new case"))
    if problems:
        raise InputError(problems)
    rows = _our_csv_rows(result.files["segments.csv"])
    for row in rows:
        raw_body, _, spans = bodies[row["document_id"]]
        back = [Redaction(s.new_start, s.new_end, s.old_start, s.old_end) for s in spans]
        start = move_offset(int(row["start"]), back, False)
        end = move_offset(int(row["end"]), back, True)
        row.update(start=str(start), end=str(end), text=raw_body[start:end])
    header = list(rows[0]) if rows else list(SEGMENT_COLUMNS[:-1])
    moved = sum(1 for spans in bodies.values() if spans[2])
    notes = [f"segments: {len(rows)} replace those in {folder}/segments.csv"
             + (f"; offsets moved back over the masked names in {moved} transcript(s)" if moved else "")]
    return csv_text(header, rows).encode("utf-8"), notes


def _run_update(result: CaseImport, cases_folder: Path, case: str, known: set[str], file: Path) -> str:
    """``import-qdpx --update``: replace the case's segments.csv with the project's coding, nothing else."""
    if result.files.get(ADDITIONS_FILE):
        raise InputError([Problem(str(file), "", "the project has codes that the codebook lacks; nothing was updated",
                                  "add them to data/codebook.yaml first (import without --update into a scratch "
                                  "--dest to see them in codebook-additions.yaml)")])
    rows = _our_csv_rows(result.files["segments.csv"])
    unknown = sorted({r["coder_id"] for r in rows} - known)
    if unknown:
        raise InputError([Problem(str(file), "", f"coder(s) {', '.join(unknown)} are not in coders.known; nothing was updated",
                                  "add the coders' ids to coders.known in config.yaml, or rename the users in the QDA "
                                  "program to the ids they have there")])
    data, notes = update_segments(result, cases_folder, case)
    target = Path(cases_folder) / case / "segments.csv"
    write_atomic(target, data)
    return "\n".join([f"casebook: updated the coding of case {case} from {file}", *(f"  {n}" for n in notes),
                      f"  coders: {', '.join(sorted({r['coder_id'] for r in rows})) or 'none'}",
                      "  next: uv run casebook validate; bash workflow/run.sh build"])
