"""REFI-QDA export: a case as a ``.qdpx`` project and the codebook as a ``.qdc`` file, names masked."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from analysis.exchange.refi_read import (
    _XML_BAD,
    CONVENTIONS,
    NS_CODEBOOK,
    NS_PROJECT,
    ORIGIN,
    SourceText,
    _norm_guid,
    stable_guid,
)
from analysis.inputs.deid import move_offset
from analysis.inputs.io import configured_cases, read_case
from analysis.inputs.names import name_sources, read_names
from analysis.inputs.problems import InputError, Problem
from analysis.inputs.writers import safe_cell
from analysis.methods.codebook import in_language
from analysis.report.leaks import leak_problems, scan_member

# ---------------------------------------------------------------------------- export

_GUID_FORM = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
#: Participant columns written as case variables (never the confidential name or aliases).
_CASE_VARIABLES = ("actor_type", "role", "gender", "age_band")
#: Transcript header fields written as source variables, with their REFI-QDA type.
_SOURCE_VARIABLES = {"participants": "Text", "date": "Date", "interviewer": "Text", "kind": "Text",
                     "coded_by": "Text", "language": "Text", "synthetic": "Boolean"}
_VALUE_TAGS = {"Text": "TextValue", "Date": "DateValue", "Boolean": "BooleanValue"}


def _el(parent: ET.Element | None, tag: str, text: str | None = None, **attrs) -> ET.Element:
    """An element with its attributes in the given order (``None`` left out), XML-illegal characters replaced."""
    clean = {k: _XML_BAD.sub("\ufffd", str(v)) for k, v in attrs.items() if v is not None}
    node = ET.Element(tag, clean) if parent is None else ET.SubElement(parent, tag, clean)
    if text is not None:
        node.text = _XML_BAD.sub("\ufffd", text)
    return node


def code_guid(code: dict) -> str:
    """A code's exchange guid: its ``guid`` field when that is a GUID, else one derived from its id."""
    guid = _norm_guid(code.get("guid"))
    return guid if _GUID_FORM.match(guid) else stable_guid("code", code["id"])


def _code_tree(parent: ET.Element, codebook: dict, labels: str) -> None:
    """``Codes``: themes as top-level codes, each child nested in its parent, in codebook order."""
    children: dict[str | None, list[dict]] = {}
    for code in codebook["codes"]:
        children.setdefault(code.get("parent"), []).append(code)
    codes = _el(parent, "Codes")
    stack = [(codes, c) for c in reversed(children.get(None, []))]
    while stack:
        holder, code = stack.pop()
        node = _el(holder, "Code", guid=code_guid(code), name=in_language(code.get("label"), labels) or code["id"],
                   isCodable="false" if code.get("codable") is False else "true", color=code.get("colour"))
        # both languages, the export's own first; a definition given in one language only is written once
        definition = "\n\n".join(dict.fromkeys(t for t in (in_language(code.get("definition"), labels),
                                                            in_language(code.get("definition"), "en" if labels == "zh" else "zh")) if t))
        if definition:
            _el(node, "Description", definition)
        stack.extend((node, c) for c in reversed(children.get(code["id"], [])))


def _serialise(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n").encode("utf-8")


def export_qdc(codebook: dict, labels: str = "zh") -> bytes:
    """The codebook as a REFI-QDA codebook file (``.qdc``): root ``CodeBook`` in ``urn:QDA-XML:codebook:1.0``.

    Themes are top-level codes and every code nests in its parent; the guids are
    stable across runs (:func:`code_guid`), so the same codebook gives the same bytes.

    Examples
    --------
    >>> cb = {"codes": [{"id": "t", "parent": None, "label": {"zh": "主题", "en": "Theme"}},
    ...                 {"id": "t.a", "parent": "t", "label": {"zh": "甲", "en": "A"}, "colour": "#AA0000"}]}
    >>> print(export_qdc(cb, "en").decode())  # doctest: +ELLIPSIS
    <?xml version="1.0" encoding="utf-8"?>
    <CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="casebook">
      <Codes>
        <Code guid="..." name="Theme" isCodable="true">
          <Code guid="..." name="A" isCodable="true" color="#AA0000" />
        </Code>
      </Codes>
    </CodeBook>
    <BLANKLINE>
    """
    root = _el(None, "CodeBook", xmlns=NS_CODEBOOK, origin=ORIGIN)
    _code_tree(root, codebook, labels)
    return _serialise(root)


def _all_names(root: Path, cases_dir: str, config: dict):
    """The matcher for every name source of the project (see :func:`analysis.inputs.names.name_sources`);
    raises when any of them cannot be read."""
    return read_names(name_sources(Path(root), cases_dir, configured_cases(root, config)), Path(root), config)


def _exportable_segments(raw, bodies: dict[str, str], code_ids: set[str]) -> list[dict]:
    """The case's segments with integer offsets, after the checks the export relies on."""
    shown = f"{raw.folder}/segments.csv"
    seg = raw.segments
    need = ["segment_id", "document_id", "start", "end", "code_id", "coder_id"]
    missing = [c for c in need if seg is None or c not in seg.columns]
    if missing:
        raise InputError([Problem(shown, "line 1", f"the column(s) {', '.join(missing)} are missing",
                                  "give segments.csv the header of data/README.md")])
    rows, problems = [], []
    for row in seg.to_dict("records"):
        where = f"line {row['_line']} (segment {row['segment_id']})"
        body = bodies.get(row["document_id"])
        try:
            start, end = int(row["start"]), int(row["end"])
        except ValueError:
            problems.append(Problem(shown, where, "start or end is not an integer", "correct the offsets"))
            continue
        if body is None:
            problems.append(Problem(shown, where, f"the document '{row['document_id']}' has no transcript", "correct document_id"))
        elif not 0 <= start < end <= len(body):
            problems.append(Problem(shown, where, f"the offsets {start}-{end} do not lie in the body ({len(body)} characters)",
                                    "correct the offsets (`casebook validate` checks them)"))
        elif row.get("text") and body[start:end].strip() != row["text"].strip():
            problems.append(Problem(shown, where, "the text column does not match the transcript at the offsets",
                                    "correct the offsets or the text (`casebook validate` checks them)"))
        elif row["code_id"] not in code_ids:
            problems.append(Problem(shown, where, f"the code '{row['code_id']}' is not in the codebook",
                                    "add the code to the codebook or correct code_id"))
        else:
            rows.append({**row, "start": start, "end": end, "participant_id": row.get("participant_id", ""),
                         "memo": row.get("memo", "")})
    if problems:
        raise InputError(problems)
    return rows


@dataclass
class _Export:
    """What the parts of one export share."""

    case: str
    headers: dict[str, dict]
    bodies: dict[str, str]
    segments: list[dict]
    people: list[dict]
    labels: str


def _masked(docs: dict[str, tuple[dict, str]], segments: list[dict], names) -> tuple[dict, list[dict]]:
    """Bodies with every confidential name masked, and segments moved to match (as ingest does)."""
    bodies, moved = {}, []
    spans = {}
    for doc, (_, body) in docs.items():
        bodies[doc], spans[doc] = names.mask(body)
    for row in segments:
        s, e = move_offset(row["start"], spans[row["document_id"]], False), move_offset(row["end"], spans[row["document_id"]], True)
        moved.append({**row, "start": s, "end": e})
    return bodies, moved


#: Attributes of the exported XML that are references or numbers, never text a person wrote.
_STRUCTURAL = frozenset({"guid", "targetGUID", "creatingUser", "modifyingUser", "startPosition", "endPosition",
                         "plainTextPath", "richTextPath", "typeOfVariable", "isCodable", "xmlns", "origin", "color"})


def _mask_tree(root: ET.Element, names) -> None:
    """Mask every text and every non-structural attribute of the exported XML: notes, descriptions,
    variable values, names of codes, cases and selections alike."""
    for node in root.iter():
        if node.text:
            node.text = names.masked(node.text)
        for key, value in node.attrib.items():
            if key not in _STRUCTURAL:
                node.set(key, names.masked(value))


def _users_and_codebook(root: ET.Element, ex: _Export, codebook: dict) -> None:
    users = _el(root, "Users")
    for coder in sorted({r["coder_id"] for r in ex.segments}):
        _el(users, "User", guid=stable_guid("coder", coder), name=coder, id=coder)
    if not len(users):
        root.remove(users)
    _code_tree(_el(root, "CodeBook"), codebook, ex.labels)


def _variables(root: ET.Element, ex: _Export) -> None:
    names = [c for c in _CASE_VARIABLES if any(p.get(c) for p in ex.people)]
    names += [k for k in _SOURCE_VARIABLES if any(k in h for h in ex.headers.values())]
    if names:
        holder = _el(root, "Variables")
        for name in names:
            _el(holder, "Variable", guid=stable_guid("variable", name), name=name,
                typeOfVariable=_SOURCE_VARIABLES.get(name, "Text"))


def _value(parent: ET.Element, name: str, value) -> None:
    """A ``VariableValue``: lists joined by ';'; a date or boolean that does not fit its type is kept as text."""
    if isinstance(value, list):
        value = ";".join(map(str, value))
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    kind = _SOURCE_VARIABLES.get(name, "Text")
    fits = {"Date": re.fullmatch(r"\d{4}-\d{2}-\d{2}", text), "Boolean": text in ("true", "false")}.get(kind, True)
    holder = _el(parent, "VariableValue")
    _el(holder, "VariableRef", targetGUID=stable_guid("variable", name))
    _el(holder, _VALUE_TAGS[kind] if fits else "TextValue", text)


def _selection_key(row: dict) -> tuple:
    return row["document_id"], row["start"], row["end"], row["participant_id"] or ""


def _cases(root: ET.Element, ex: _Export) -> None:
    if not ex.people:
        return
    holder = _el(root, "Cases")
    for person in sorted(ex.people, key=lambda p: p["participant_id"]):
        pid = person["participant_id"]
        node = _el(holder, "Case", guid=stable_guid("participant", pid), name=pid)
        for column in _CASE_VARIABLES:
            if person.get(column):
                _value(node, column, person[column])
        for doc in sorted(d for d, h in ex.headers.items() if isinstance(h.get("participants"), list) and pid in h["participants"]):
            _el(node, "SourceRef", targetGUID=stable_guid("document", doc))
        for key in sorted({_selection_key(r) for r in ex.segments if r["participant_id"] == pid}):
            _el(node, "SelectionRef", targetGUID=stable_guid("selection", ":".join(map(str, key))))


def _sources(root: ET.Element, ex: _Export, code_guids: dict[str, str],
             target: str = "standard") -> tuple[dict[str, bytes], list[tuple[str, str]]]:
    members, notes = {}, []
    holder = _el(root, "Sources")
    convention, newline, _ = TARGETS[target]
    for doc in sorted(ex.bodies):
        guid = stable_guid("document", doc)
        source = _el(holder, "TextSource", guid=guid, name=doc, plainTextPath=f"internal://{guid}.txt")
        text = ex.bodies[doc].replace("\n", newline)
        members[f"sources/{guid}.txt"] = text.encode("utf-8")
        at = SourceText(text).table(CONVENTIONS[convention])  # body offset -> the program's position
        header = ex.headers.get(doc, {})
        if header.get("note"):
            _el(source, "Description", safe_cell(str(header["note"])))  # a QDA program may export it to a spreadsheet
        groups: dict[tuple, list[dict]] = {}
        for row in ex.segments:
            if row["document_id"] == doc:
                groups.setdefault(_selection_key(row), []).append(row)
        for key in sorted(groups):
            rows = sorted(groups[key], key=lambda r: (r["coder_id"], r["code_id"], r["segment_id"]))
            coders = {r["coder_id"] for r in rows}
            sel = _el(source, "PlainTextSelection", guid=stable_guid("selection", ":".join(map(str, key))),
                      name=ex.bodies[doc][key[1]:key[2]], startPosition=str(at[key[1]]), endPosition=str(at[key[2]]),
                      creatingUser=stable_guid("coder", next(iter(coders))) if len(coders) == 1 else None)
            for row in rows:
                coding = _el(sel, "Coding", guid=stable_guid("coding", f"{doc}:{row['segment_id']}:{row['code_id']}"),
                             creatingUser=stable_guid("coder", row["coder_id"]))
                _el(coding, "CodeRef", targetGUID=code_guids[row["code_id"]])
                if row.get("memo"):
                    note = stable_guid("memo", f"{doc}:{row['segment_id']}")
                    _el(coding, "NoteRef", targetGUID=note)
                    notes.append((note, row["memo"]))
        for name in _SOURCE_VARIABLES:
            if name in header:
                _value(source, name, header[name])
    return members, notes


#: How each program that reads an export counts positions, and the line ends its text files get:
#: the REFI-QDA standard counts Unicode characters (code points); NVivo counts UTF-16 code units with
#: every line end as CRLF; ATLAS.ti counts characters with line ends as they stand in the text (its
#: Windows exports carry CRLF); MAXQDA and QualCoder count characters over LF text.
TARGETS = {
    "standard": ("chars", "\n", "the REFI-QDA standard (Unicode characters, LF line ends)"),
    "nvivo": ("utf16-crlf", "\r\n", "NVivo (UTF-16 code units, line ends as CRLF)"),
    "atlasti": ("chars", "\r\n", "ATLAS.ti (Unicode characters, CRLF line ends counted as they stand)"),
    "maxqda": ("chars", "\n", "MAXQDA (Unicode characters, LF line ends)"),
    "qualcoder": ("chars", "\n", "QualCoder (Unicode characters, LF line ends)"),
}


def _zip(members: dict[str, bytes]) -> bytes:
    """A zip archive with fixed timestamps and permissions, ``project.qde`` first, the rest sorted."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name in sorted(members, key=lambda n: (n != "project.qde", n)):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zf.writestr(info, members[name], compresslevel=9)
    return buffer.getvalue()


def export_qdpx(root: Path, cases_dir: str, case: str, codebook: dict, labels: str = "zh",
                names=None, target: str = "standard") -> tuple[bytes, list[str]]:
    """A case as a REFI-QDA project (``.qdpx`` bytes), and a summary.

    The project holds the codebook (themes as parent codes), the coders as
    users, the transcripts as internal UTF-8 sources with their header fields as
    source variables, one ``PlainTextSelection`` per coded span (Unicode
    code-point offsets, the span's text as its name) with one ``Coding`` per
    segment, the participants as cases (their non-confidential columns as
    variables, their documents and spoken selections as references) and the
    segment memos as notes. ``target`` (:data:`TARGETS`) picks how positions are counted and which
    line ends the source files get, for the program that will read the export. Every form of every confidential name and alias
    (``names``, by default those of every case folder) is masked in the bodies
    first, as ingest does, then in every other text the project carries (notes,
    descriptions, variable values, code memos); before anything is returned the
    whole archive passes the leak gate (:mod:`analysis.report.leaks`), and a form still
    found stops the export. Every guid is derived from an id (uuid5) and the
    zip has fixed timestamps, so the same inputs give the same bytes.
    """
    problems: list[Problem] = []
    raw = read_case(Path(root), cases_dir, case, problems)
    if problems:
        raise InputError(problems)
    docs = {Path(t.path).stem: (t.header, t.body) for t in raw.transcripts}
    rows = _exportable_segments(raw, {d: b for d, (_, b) in docs.items()}, {c["id"] for c in codebook["codes"]})
    if names is None:
        names = _all_names(root, cases_dir, {"cases": [case]})
    bodies, rows = _masked(docs, rows, names)
    people = [] if raw.participants is None else [
        {k: v for k, v in p.items() if k in ("participant_id", *_CASE_VARIABLES)} for p in raw.participants.to_dict("records")]
    ex = _Export(case, {d: h for d, (h, _) in docs.items()}, bodies, rows, people, labels)
    project = _el(None, "Project", xmlns=NS_PROJECT, name=case, origin=ORIGIN)
    _users_and_codebook(project, ex, codebook)
    _variables(project, ex)
    _cases(project, ex)
    members, notes = _sources(project, ex, {c["id"]: code_guid(c) for c in codebook["codes"]}, target)
    if notes:
        holder = _el(project, "Notes")
        for guid, text in sorted(notes):
            _el(_el(holder, "Note", guid=guid, name="memo"), "PlainTextContent", safe_cell(text))
    _mask_tree(project, names)
    members["project.qde"] = _serialise(project)
    archive = _zip(members)
    leaks = scan_member("export.qdpx", archive, names, "the exported project")
    if leaks:
        raise InputError(leak_problems(leaks))
    summary = [f"sources: {len(bodies)} transcript(s)", f"offsets: counted for {TARGETS[target][2]}",
               f"codes: {len(codebook['codes'])}",
               f"segments: {len(rows)} in {sum(1 for _ in project.iter('PlainTextSelection'))} selection(s)",
               f"coders: {', '.join(sorted({r['coder_id'] for r in rows})) or 'none'}",
               f"participants: {len(people)} case(s)", f"memos: {len(notes)} note(s)",
               f"names masked: {len(names)} form(s) of the confidential names known, in every text of the project; "
               "the leak gate found none left" if names else "names masked: none known (no participant has a name or alias)"]
    return archive, summary


def validate_qde(qde: bytes, xsd: Path, shown: str = "project.qde") -> list[Problem]:
    """Check ``project.qde`` against the REFI-QDA project schema; one problem per violation."""
    import xmlschema

    schema = xmlschema.XMLSchema(str(xsd))
    out = []
    for err in schema.iter_errors(io.BytesIO(qde)):
        out.append(Problem(shown, err.path or "", err.reason or str(err), "report this: the export should always fit the schema"))
    return out
