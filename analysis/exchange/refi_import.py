"""REFI-QDA import, step three: the files of one case folder, made from a project and written all at once."""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from pathlib import Path

import yaml

from analysis.exchange.qdpx_safety import Limits
from analysis.exchange.refi_map import (
    _CASE_COLUMNS,
    _ENUMS,
    _HEADER_ORDER,
    _REQUIRED_HEADER,
    _STATION_FIELDS,
    CaseImport,
    _cell,
    _Context,
    _header_value,
    _memo,
    build_segments,
    choose_convention,
    map_coders,
    map_codes,
    map_documents,
    map_participants,
)
from analysis.exchange.refi_read import (
    _ID,
    ADDITIONS_FILE,
    IMPORT_LOG_FILE,
    IMPORTED_THEME,
    PROJECT_MEMOS_FILE,
    TODO_FILE,
    UNKNOWN_CODER,
    read_project,
)
from analysis.inputs.io import SEGMENT_COLUMNS
from analysis.inputs.problems import InputError, Problem
from analysis.inputs.writers import csv_text, unsafe_cell

# ---------------------------------------------------------------------------- the case folder's files


def _yaml_line(key: str, value) -> str:
    """``key: value`` as one YAML line; lists in flow style, notes double-quoted."""
    if key == "note":
        import json

        return f"{key}: {json.dumps(value, ensure_ascii=False)}"
    style = None if isinstance(value, list) else False
    return yaml.safe_dump({key: value}, allow_unicode=True, sort_keys=False, width=10**9, default_flow_style=style).rstrip("\n")


def transcript_text(header: dict, body: str) -> str:
    """A transcript file: the header fields in the data model's order, the fields left to fill as comments.

    Examples
    --------
    >>> print(transcript_text({"id": "S9-D01", "kind": "interview"}, "正文"))
    ---
    id: S9-D01
    # participants: [<participant ids>]   # who speaks or is observed; [] for a document
    # date: YYYY-MM-DD   # when it was conducted or written
    # interviewer: <interviewer id, such as I1; never a name>
    kind: interview
    ---
    正文
    """
    lines = ["---"]
    for key in _HEADER_ORDER:
        if key in header:
            lines.append(_yaml_line(key, header[key]))
        elif key in _REQUIRED_HEADER:
            lines.append(f"# {key}: {_REQUIRED_HEADER[key]}")
    return "\n".join([*lines, "---", body])


def _csv_text(rows: list[dict], columns: list[str]) -> str:
    return csv_text(columns, rows)


def _our_csv_rows(data: bytes) -> list[dict]:
    """The rows of a CSV this module wrote (:func:`_csv_text`), the formula protection taken off again."""
    return [{k: unsafe_cell(v) for k, v in row.items()} for row in csv.DictReader(io.StringIO(data.decode("utf-8")))]


def _headers(ctx: _Context) -> dict[str, dict]:
    """Each document's header: what the file says (source variables, cases, description, notes), nothing more."""
    project = ctx.project
    by_name = {name: pid for pid, name in ctx.people.values() if name} | {pid: pid for pid, _ in ctx.people.values()}
    source_of = {sel.guid: source.guid for source in project.sources for sel in source.selections}
    in_source: dict[str, set[str]] = {}
    for rc in project.cases:
        for guid in [*rc.sources, *(source_of[s] for s in rc.selections if s in source_of)]:
            in_source.setdefault(guid, set()).add(ctx.people[rc.guid][0])
    headers = {}
    for source in project.sources:
        doc = ctx.docs[source.guid]
        header: dict = {"id": doc}
        for var, value in source.variables.items():
            name = project.variables.get(var, var)
            if name not in _HEADER_ORDER or name in ("id", "note"):
                ctx.skipped.append(f"source variable '{name}' of '{source.name}': a transcript header has no such field")
                continue
            parsed = _header_value(name, value, by_name)
            if parsed is None:
                ctx.todo.append(f"transcripts/{doc}.md: the file gives {name} '{value}', which does not fit the field; "
                                "write the right value")
            else:
                header[name] = parsed
        if "participants" not in header and source.guid in in_source:
            header["participants"] = sorted(in_source[source.guid])
        note = "\n\n".join(_memo(ctx, [source.description], source.notes))
        if note:
            header["note"] = note
        missing = [k for k in _REQUIRED_HEADER if k not in header]
        if missing:
            ctx.todo.append(f"transcripts/{doc}.md: fill in {', '.join(missing)} (the file does not say)")
        if source.whole_codings:
            ctx.skipped.append(f"{source.whole_codings} coding(s) of the whole source '{source.name}': "
                               "only coded spans become segments")
        headers[doc] = header
    return headers


def _participants(ctx: _Context) -> str:
    """participants.csv: one row per REFI case, with the variables that fit a column."""
    rows = []
    for rc in ctx.project.cases:
        pid, name = ctx.people[rc.guid]
        row = {"participant_id": pid, "name": name}
        for var, value in rc.variables.items():
            vname = ctx.project.variables.get(var, var)
            column = _CASE_COLUMNS.get(vname.casefold())
            if column is None:
                ctx.skipped.append(f"case variable '{vname}': participants.csv has no such column")
                continue
            cell = _cell(column, value)
            if cell is None:
                ctx.todo.append(f"participants.csv ({pid}): the file gives {column} '{value}'; use one of "
                                + ", ".join(_ENUMS[column]))
            elif cell:
                row[column] = cell
        missing = [c for c in ("actor_type", "gender", "age_band") if c not in row]
        if missing:
            ctx.todo.append(f"participants.csv ({pid}): fill in {', '.join(missing)}")
        rows.append(row)
    columns = ["participant_id", "actor_type", *(["role"] if any("role" in r for r in rows) else []), "gender", "age_band"]
    if any(r["name"] for r in rows):
        columns.append("name")
        ctx.todo.append("participants.csv: the column `name` holds the names of the REFI cases that are not participant ids. "
                        "It is confidential (ingest drops it and masks the names in every transcript): keep it where the "
                        "name is a person's, empty the cell where it is not")
    return _csv_text(rows, columns)


def _station(case: str) -> str:
    lines = ["# Imported from a REFI-QDA project: fill in the fields below (see data/README.md) and remove the '#'.",
             f"station_id: {case}"]
    return "\n".join([*lines, *(f"# {k}: {hint}" for k, hint in _STATION_FIELDS.items())]) + "\n"


def _additions(ctx: _Context, codebook_shown: str) -> str:
    head = (f"# Codes of {Path(ctx.project.shown).name} that match no code of {codebook_shown}, under the theme "
            f"'{IMPORTED_THEME}'.\n# Merge them into the codes of {codebook_shown} (empty fields may stay empty: a code "
            "keeps the language it came in, and the other one falls back to it), or recode their segments to existing "
            "codes; then delete this file. Until then, export-qdpx takes them along.\n")
    body = yaml.safe_dump({"version": 1, "codes": ctx.codes.added}, allow_unicode=True, sort_keys=False, width=10**9)
    return head + body


def _todo_text(case: str, todo: list[str], source: str) -> str:
    lines = [f"# To do after importing {source} as case {case}", "",
             "The import could not know these things, so it did not make them up. Do each, then delete this file:",
             "`casebook validate` reports the fields still missing once the case is in config.yaml `cases`.", ""]
    return "\n".join([*lines, *(f"- [ ] {item}" for item in todo)]) + "\n"


def _check_case_id(case: str) -> None:
    if not _ID.match(case or ""):
        raise InputError([Problem("--case", case or "", "the case id is not a plain id (letters, digits, '_' and '-')",
                                  "give a case id such as S16; it names the case folder")])


def import_qdpx(path: Path, case: str, codebook: dict, codebook_shown: str = "data/codebook.yaml",
                known_coders: set[str] | frozenset = frozenset(), configured_cases: set[str] | frozenset = frozenset(),
                limits: Limits = Limits(), skip_missing: bool = False) -> CaseImport:
    """Turn a REFI-QDA project into the files of one case folder; write nothing.

    Parameters
    ----------
    path : Path
        The ``.qdpx`` file.
    case : str
        The case id; names the folder and prefixes every new id.
    codebook : dict
        The checked codebook (``data/codebook.yaml`` as read).
    known_coders, configured_cases : set of str
        ``coders.known`` and ``cases`` of ``config.yaml``, to say what to add there.
    limits : Limits
        Caps on the archive (:mod:`analysis.exchange.qdpx_safety`).
    skip_missing : bool
        Import the sources that can be placed when the archive lacks some texts, instead of stopping
        (every missing one is named either way); what was left out is in the summary and TODO.md.

    Returns
    -------
    CaseImport
        ``files`` maps ``station.yaml``, ``participants.csv``, ``segments.csv``
        (columns segment_id, document_id, participant_id, start, end, code_id,
        coder_id, text and, when any coding has a note, memo),
        ``transcripts/<doc>.md``, ``codebook-additions.yaml`` (when codes were
        added) and ``TODO.md`` to their bytes.
    """
    _check_case_id(case)
    project = read_project(path, limits, skip_missing)
    ctx = _Context(project, case, choose_convention(project), map_coders(project, set(known_coders)),
                   map_codes(project, codebook), map_documents(project, case), map_participants(project, case))
    rows = build_segments(ctx)
    headers = _headers(ctx)
    participants = _participants(ctx)
    columns = list(SEGMENT_COLUMNS[:-1])
    files = {"station.yaml": _station(case), "participants.csv": participants,
             "segments.csv": _csv_text(rows, columns + (["memo"] if any(r["memo"] for r in rows) else []))}
    for source in project.sources:
        doc = ctx.docs[source.guid]
        files[f"transcripts/{doc}.md"] = transcript_text(headers[doc], source.text.body)
    if ctx.codes.added:
        files[ADDITIONS_FILE] = _additions(ctx, codebook_shown)
    todo = _todo(ctx, rows, known_coders, configured_cases, codebook_shown)
    files[TODO_FILE] = _todo_text(case, todo, Path(path).name)
    loose = [text for guid, text in ctx.project.notes.items() if guid not in ctx.used_notes and text]
    if loose or ctx.position_memos:  # memos that no coding carries: kept beside the case, never dropped
        files[PROJECT_MEMOS_FILE] = _project_memos(loose, ctx.position_memos, Path(path).name)
    summary = _summary(ctx, rows)
    if loose:
        summary.append(f"project memos: {len(loose)} note(s) attached to no source or coding, written to {PROJECT_MEMOS_FILE}")
    if ctx.position_memos:
        summary.append(f"memos on uncoded text: {len(ctx.position_memos)} comment(s) on selections without a coding, "
                       f"kept with their document and offsets in {PROJECT_MEMOS_FILE}")
    files[IMPORT_LOG_FILE] = _import_log(ctx, rows, Path(path).name, summary)
    return CaseImport(case, {k: v.encode("utf-8") for k, v in files.items()}, summary, todo)


def _empty_sources(ctx: _Context) -> list:
    return [s for s in ctx.project.sources if not s.text.body.strip()]


def _import_log(ctx: _Context, rows: list[dict], file_name: str, summary: list[str]) -> str:
    """What the project said, in full, so that a later reader can trace each transcript, code and coder
    back to the QDA project; the printed summary only counts and shows a few of each."""
    project = ctx.project
    by_doc: dict[str, int] = {}
    for r in rows:
        by_doc[r["document_id"]] = by_doc.get(r["document_id"], 0) + 1
    empty = {s.guid for s in _empty_sources(ctx)}
    log = {
        "file": file_name, "origin": project.origin, "case": ctx.case, "offsets": ctx.placement.note,
        "sources": [{"document_id": ctx.docs[s.guid], "name": s.name, "guid": s.guid,
                     "segments": by_doc.get(ctx.docs[s.guid], 0), "characters": len(s.text.body),
                     **({"empty": True} if s.guid in empty else {})} for s in project.sources],
        "left_out": project.left_out,
        "codes": [{"name": c.name, "guid": c.guid, "code_id": ctx.codes.ids[c.guid],
                   "how": "added" if ctx.codes.ids[c.guid].startswith(IMPORTED_THEME + ".") else "matched"}
                  for c in project.codes],
        "coders": [{"guid": g, "coder_id": c, "name": project.users.get(g, ("", ""))[0]}
                   for g, c in sorted(ctx.coders.items(), key=lambda kv: kv[1])],
        "notes": [{"guid": g, "title": t} for g, t in project.note_names.items()],
        # the coder of a segment is the coding's creator; where another user made the selection, it is here
        "selected_by_another_user": [{"segment_id": r["segment_id"], "coder_id": r["coder_id"],
                                      "selected_by": r["_selected_by"]} for r in rows if r.get("_selected_by")],
        "skipped": list(dict.fromkeys(project.skipped + ctx.skipped)),
        "summary": summary,
    }
    head = (f"# What {file_name} said, kept by `casebook import-qdpx` so that every transcript, code and coder\n"
            "# can be traced back to the QDA project. CONFIDENTIAL: `coders` holds the users' names as the\n"
            "# project recorded them. Keep this file with the case folder's other confidential files; the\n"
            "# pipeline never reads it, so nothing in it reaches a result or the book.\n")
    return head + yaml.safe_dump(log, allow_unicode=True, sort_keys=False, width=100)


def _todo(ctx: _Context, rows: list[dict], known: set[str], configured: set[str], codebook_shown: str) -> list[str]:
    """Everything the user must still do, in the order the files come."""
    new_coders = sorted({r["coder_id"] for r in rows} - set(known) - {UNKNOWN_CODER})
    items = []
    if ctx.case not in configured:
        items.append(f"config.yaml: add {ctx.case} to `cases`, so that the workflow and `casebook validate` read this case")
    if new_coders:
        names = {v: ctx.project.users.get(g, ("", ""))[0] for g, v in ctx.coders.items()}
        items.append("config.yaml: add the coder id(s) " + ", ".join(f"{c} ({names.get(c) or 'no name given'})" for c in new_coders)
                     + " to `coders.known` (and to `coders.independent` if they coded independently), "
                     "or replace them in segments.csv by the ids these coders already have")
    if any(r["coder_id"] == UNKNOWN_CODER for r in rows):
        items.append(f"segments.csv: {sum(r['coder_id'] == UNKNOWN_CODER for r in rows)} segment(s) have coder "
                     f"{UNKNOWN_CODER}: the file names no user for their coding; write the coder's id")
    items.append("station.yaml: fill in " + ", ".join(_STATION_FIELDS) + " (a REFI-QDA project does not record them)")
    items += ctx.todo
    items += [f"transcripts/{ctx.docs[s.guid]}.md is empty: the source '{s.name}' held no text in the export; "
              "export its text again from the QDA program, or delete the transcript and its line in participants.csv"
              for s in _empty_sources(ctx)]
    gone = [o for o in ctx.project.left_out if o["kind"] == "TextSource"]
    items += [f"the source '{o['source']}' ({o['kind']}, line {o['line']} of the project) was left out with its "
              f"{o['codings']} coding(s): {o['why']}" for o in gone]
    media: dict[str, list[dict]] = {}
    for o in ctx.project.left_out:
        if o["kind"] != "TextSource":
            media.setdefault(o["kind"], []).append(o)
    items += [f"{len(found):,} {kind}(s) left out with their {sum(o['codings'] for o in found):,} coding(s) (only text "
              f"sources can become transcripts): {_some((repr(o['source']) for o in found), EXAMPLES)}; all in {IMPORT_LOG_FILE}"
              for kind, found in media.items()]
    if ctx.codes.added:
        n = sum(1 for a in ctx.codes.added if a["id"] != IMPORTED_THEME)
        items.append(f"{ADDITIONS_FILE}: {n} code(s) match no code of {codebook_shown}; merge them into it (a translation "
                     "and the empty fields can wait), or recode their segments to existing codes; then delete the file")
    return items


def _project_memos(notes: list[str], placed: list[tuple], file_name: str) -> str:
    """The project's memos that no coding carries, as Markdown: comments on selections nobody coded,
    each under its document, offsets (as in segments.csv) and text; then the free-standing notes."""
    parts = [f"# Project memos imported from {file_name}", "",
             "Memos of the QDA project that no coding carries. They are kept here as written; "
             "the pipeline does not read this file.", ""]
    if placed:
        parts += ["## Comments on uncoded text", "",
                  "Each comment was made on a selection that carries no code; its place is given as in segments.csv "
                  "(document, start and end in characters of the transcript body).", ""]
        for doc, start, end, text, memo in placed:
            parts += [f"### {doc}, {start}-{end}", "", "> " + text.replace("\n", "\n> "), "", memo, ""]
    for number, text in enumerate(notes, start=1):
        parts += [f"## Memo {number}", "", text, ""]
    return "\n".join(parts)


def _summary(ctx: _Context, rows: list[dict]) -> list[str]:
    """What the import did, as counts with a few examples; the whole mapping is in the import log."""
    project = ctx.project
    by_coder: dict[str, int] = {}
    for r in rows:
        by_coder[r["coder_id"]] = by_coder.get(r["coder_id"], 0) + 1
    added = [c for c in project.codes if ctx.codes.ids[c.guid].startswith(IMPORTED_THEME + ".")]
    lines = [f"sources: {len(project.sources)} text source(s) -> "
             + (_some((f"'{s.name}' -> {ctx.docs[s.guid]}" for s in project.sources), EXAMPLES) or "none"),
             f"offsets: {ctx.placement.note}",
             f"codes: {len(project.codes)} in the project; {len(ctx.codes.matched)} matched"
             + (" (" + _some((f"'{n}' -> {i}" for n, i in ctx.codes.matched), EXAMPLES) + ")" if ctx.codes.matched else "")
             + f"; {len(added)} added under '{IMPORTED_THEME}'"
             + (" (" + _some((f"'{c.name}' -> {ctx.codes.ids[c.guid]}" for c in added), EXAMPLES)
                + f"; see {ADDITIONS_FILE})" if added else ""),
             f"segments: {len(rows)}" + (" (" + _some(f"{c}: {n}" for c, n in sorted(by_coder.items())) + ")" if rows else ""),
             "coders: " + (_some((f"'{project.users.get(g, ('', ''))[0] or '(not in Users)'}' ({g}) -> {c}"
                                  for g, c in sorted(ctx.coders.items(), key=lambda kv: kv[1])), EXAMPLES) or "none"),
             "participants: " + (_some((f"case '{rc.name}' -> {ctx.people[rc.guid][0]}" for rc in project.cases), EXAMPLES)
                                 or "none (the project has no cases)"),
             f"memos: {ctx.memos} segment(s) carry a memo"]
    others = sum(1 for r in rows if r.get("_selected_by"))
    if others:
        lines.append(f"selections: {others} segment(s) were selected by another user than the one who coded them; the "
                     f"coder is the coding's creator, the selection's creator is in {IMPORT_LOG_FILE}")
    empty = _empty_sources(ctx)
    if empty:
        lines.append(f"empty sources: {len(empty)} source(s) hold no text and became empty transcripts: "
                     + _some((f"'{s.name}' -> {ctx.docs[s.guid]}" for s in empty), EXAMPLES))
    if project.left_out:
        lines.append(f"sources left out: {len(project.left_out):,}, holding {sum(o['codings'] for o in project.left_out):,} "
                     "coding(s): " + _some(f"'{o['source']}' ({o['kind']}, {o['codings']} coding(s))" for o in project.left_out))
    lines += [f"ambiguous code: {a}; added instead" for a in ctx.codes.ambiguous[:EXAMPLES]]
    if len(ctx.codes.ambiguous) > EXAMPLES:
        lines.append(f"ambiguous code: and {len(ctx.codes.ambiguous) - EXAMPLES:,} more")
    skipped = list(dict.fromkeys(project.skipped + ctx.skipped))
    lines += [f"skipped: {s}" for s in skipped[:LISTED]] or ["skipped: nothing"]
    if len(skipped) > LISTED:
        lines.append(f"skipped: and {len(skipped) - LISTED:,} more")
    lines.append(f"everything above in full: {IMPORT_LOG_FILE} in the case folder")
    return lines


#: Examples shown per kind in the printed summary (sources, codes, coders, participants).
EXAMPLES = 3
#: At most this many items of one kind are listed in what an import prints (the files keep them all).
LISTED = 20


def _some(items, limit: int = LISTED) -> str:
    """The first ``limit`` items joined by commas, and how many more there are.

    Examples
    --------
    >>> _some(str(i) for i in range(25))
    '0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19 and 5 more'
    """
    items = list(items)
    more = f" and {len(items) - limit:,} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def write_case(result: CaseImport, dest: Path, force: bool = False) -> Path:
    """Write an import's files as ``dest/<case>``, all or nothing.

    The files are written to a temporary folder beside the destination, which
    is then renamed into place; an existing case folder is replaced only with
    ``force`` (and only once the new one is complete).
    """
    dest = Path(dest)
    target = dest / result.case
    if target.exists() and not force:
        raise InputError([Problem(str(target), "", "the case folder exists already; nothing was imported",
                                  "pass --force to replace it, or choose another --case")])
    if dest.exists() and not dest.is_dir():
        raise InputError([Problem(str(dest), "", "the destination is not a folder", "give --dest a folder of case folders")])
    created = not dest.exists()
    try:
        dest.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".import-{result.case}-", dir=dest))
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)  # mkdtemp makes a private (0700) folder; a case folder is an ordinary one
    except OSError as err:
        raise InputError([Problem(str(dest), "", f"the destination cannot be written ({err})",
                                  "choose a writable folder with --dest")]) from None
    retired = dest / f".replaced-{result.case}-{staging.name}"
    try:
        for rel, data in sorted(result.files.items()):
            out = staging / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
        if target.exists():
            target.rename(retired)
        staging.rename(target)
    except OSError as err:
        if retired.exists() and not target.exists():
            retired.rename(target)
        raise InputError([Problem(str(target), "", f"the case folder could not be written ({err})",
                                  "check that the destination is writable and has room")]) from None
    finally:
        for leftover in (staging, retired):
            if leftover.exists():
                shutil.rmtree(leftover)
        if created and not any(dest.iterdir()):
            dest.rmdir()
    return target
