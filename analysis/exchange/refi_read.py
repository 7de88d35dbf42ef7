"""REFI-QDA exchange, and its first step: a ``.qdpx`` project read, with the offset conventions of each program.

The exchange is split by concern: this module reads (:func:`read_project`);
:mod:`~analysis.exchange.refi_map` chooses the offset convention and maps the project onto
the data model; :mod:`~analysis.exchange.refi_import` makes and writes the case folder;
:mod:`~analysis.exchange.refi_export` writes a case and the codebook the other way;
:mod:`~analysis.exchange.refi_commands` is what the command line runs.

REFI-QDA (the Rotterdam Exchange Format Initiative, www.qdasoftware.org) is the
exchange format of NVivo, ATLAS.ti, MAXQDA, QualCoder and other QDA programs. A
project file (``.qdpx``) is a zip archive holding ``project.qde``, XML in the
namespace ``urn:QDA-XML:project:1.0`` (schema: ``REFI-QDA-Project.xsd``), and the
project's sources under ``sources/``; a codebook file (``.qdc``) is XML with the
root ``CodeBook`` in ``urn:QDA-XML:codebook:1.0``.

- :func:`import_qdpx` reads a project (safely: :mod:`analysis.exchange.qdpx_safety`) and
  returns the files of one case folder in the data model of ``data/README.md``;
  :func:`write_case` writes them all at once or not at all.
- :func:`export_qdpx` and :func:`export_qdc` write a case, and the codebook, the
  other way; :func:`validate_qde` checks a ``project.qde`` against the XSD.

Offsets. A ``PlainTextSelection`` counts ``startPosition`` and ``endPosition``
in its source's text, but programs count differently: NVivo in UTF-16 code
units with every line end as two (CRLF), QualCoder, ATLAS.ti and MAXQDA in
Unicode characters. The project's ``origin`` names the program; the import tries
its convention first, checks it against the selected text that a selection's
``name`` usually records, and falls back to another convention that fits (and
says so). Segments are stored as Unicode code-point offsets into the body with
line ends normalised to ``\\n``, as everywhere in the compendium.
"""

from __future__ import annotations

import bisect
import codecs
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from analysis.exchange.qdpx_safety import (
    Limits,
    Node,
    SafeArchive,
    open_archive,
    parse_xml,
    unsafe_member,
)
from analysis.inputs.io import decode_utf8
from analysis.inputs.problems import InputError, Problem
from analysis.inputs.writers import unsafe_cell

#: Namespace of ``project.qde``.
NS_PROJECT = "urn:QDA-XML:project:1.0"
#: Namespace of a codebook file (``.qdc``).
NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
#: What the compendium writes as a project's ``origin``.
ORIGIN = "casebook"
#: Namespace of the deterministic (name-based, version 5) UUIDs the export writes.
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "casebook.refi-qda")
#: The theme under which codes that match no code of the codebook are added.
IMPORTED_THEME = "imported"
#: The coder id written when neither a coding nor its selection names a user.
UNKNOWN_CODER = "UNKNOWN"
#: Files an import leaves in the case folder beside the data model's own.
TODO_FILE = "TODO.md"
ADDITIONS_FILE = "codebook-additions.yaml"
PROJECT_MEMOS_FILE = "project-memos.md"
#: What the project said (source names, note titles, users, the whole code mapping, the summary).
IMPORT_LOG_FILE = "import-log.yaml"

_ID = re.compile(r"^[A-Za-z0-9_-]+$")
_DOC_ID = re.compile(r"^[A-Za-z0-9_.-]+$")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
_XML_BAD = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def stable_guid(kind: str, key: str) -> str:
    """A UUID derived from a kind and a key, the same on every run (uuid5).

    Examples
    --------
    >>> stable_guid("code", "inst.policy") == stable_guid("code", "inst.policy")
    True
    >>> stable_guid("code", "inst") != stable_guid("coder", "inst")
    True
    """
    return str(uuid.uuid5(GUID_NAMESPACE, f"{kind}:{key}"))


def _norm_guid(value: str | None) -> str:
    return (value or "").strip().strip("{}").lower()


# ---------------------------------------------------------------------------- offset conventions


@dataclass(frozen=True)
class Convention:
    """How a program counts text positions: its unit, and how it counts a line end.

    ``newline`` is ``"as_is"`` (as the line end stands in the source text: CRLF
    two, LF or CR one), ``"lf"`` (every line end one) or ``"crlf"`` (every line
    end two, whatever the text holds).
    """

    key: str
    utf16: bool
    newline: str

    def describe(self) -> str:
        unit = "UTF-16 code units" if self.utf16 else "Unicode characters"
        ends = {"as_is": "line ends counted as they stand in the source text",
                "lf": "every line end counted as one (LF)", "crlf": "every line end counted as two (CRLF)"}
        return f"{unit}, {ends[self.newline]}"


CONVENTIONS = {c.key: c for c in (
    Convention("chars", False, "as_is"), Convention("chars-lf", False, "lf"), Convention("chars-crlf", False, "crlf"),
    Convention("utf16-crlf", True, "crlf"), Convention("utf16", True, "as_is"), Convention("utf16-lf", True, "lf"),
)}
#: The order in which conventions are tried, by a word in the project's ``origin``;
#: NVivo counts UTF-16 code units with CRLF line ends, the others Unicode characters.
_PREFERENCE = {
    "nvivo": ("utf16-crlf", "utf16", "utf16-lf", "chars-crlf", "chars", "chars-lf"),
    "": ("chars", "chars-lf", "chars-crlf", "utf16", "utf16-lf", "utf16-crlf"),
}


def preferred_conventions(origin: str) -> list[Convention]:
    """The conventions to try for a project's ``origin``, the expected one first.

    Examples
    --------
    >>> [c.key for c in preferred_conventions("NVivo 14")][:2]
    ['utf16-crlf', 'utf16']
    >>> preferred_conventions("ATLAS.ti 23")[0].describe()
    'Unicode characters, line ends counted as they stand in the source text'
    """
    word = next((w for w in _PREFERENCE if w and w in origin.casefold()), "")
    return [CONVENTIONS[k] for k in _PREFERENCE[word]]


class SourceText:
    """A source's text as the program saw it and as the compendium stores it.

    ``body`` has every line end as ``\\n`` (as :func:`analysis.inputs.io.decode_utf8`
    leaves it); ``ends[i]`` is the length of the original line end behind
    ``body[i]`` (2 for CRLF, 1 for LF or CR) or 0 for any other character.

    Examples
    --------
    >>> t = SourceText("a\\r\\n𠀀b")
    >>> t.body, t.table(CONVENTIONS["chars"]), t.table(CONVENTIONS["utf16-crlf"])
    ('a\\n𠀀b', [0, 1, 3, 4, 5], [0, 1, 3, 5, 6])
    >>> t.to_body(4, CONVENTIONS["utf16-crlf"])
    'splits a surrogate pair'
    """

    def __init__(self, raw: str):
        body, ends, i = [], [], 0
        while i < len(raw):
            if raw.startswith("\r\n", i):
                body.append("\n"), ends.append(2)
                i += 2
                continue
            body.append("\n" if raw[i] == "\r" else raw[i])
            ends.append(1 if raw[i] in "\r\n" else 0)
            i += 1
        self.body = "".join(body)
        self.ends = ends
        self._tables: dict[str, list[int]] = {}

    def table(self, conv: Convention) -> list[int]:
        """The position, in the convention's count, of every body offset 0..len(body)."""
        if conv.key not in self._tables:
            widths = {"as_is": None, "lf": 1, "crlf": 2}[conv.newline]
            out, pos = [0], 0
            for ch, end in zip(self.body, self.ends):
                if end:
                    pos += widths or end
                else:
                    pos += 2 if conv.utf16 and ord(ch) > 0xFFFF else 1
                out.append(pos)
            self._tables[conv.key] = out
        return self._tables[conv.key]

    def to_body(self, position: int, conv: Convention) -> int | str:
        """The body offset of a position counted in ``conv``, or why there is none.

        A position between the CR and the LF of a line end lands on the line end.
        """
        table = self.table(conv)
        if position < 0 or position > table[-1]:
            return f"lies outside the text (0-{table[-1]})"
        i = bisect.bisect_left(table, position)
        if table[i] == position:
            return i
        if self.body[i - 1] == "\n":
            return i - 1
        return "splits a surrogate pair"

    def place(self, start: int, end: int, conv: Convention) -> tuple[int, int] | str:
        """Body offsets ``(start, end)`` of a selection counted in ``conv``, or why it cannot be placed."""
        if start > end:
            return f"is reversed (start {start} after end {end})"
        s, e = self.to_body(start, conv), self.to_body(end, conv)
        for name, value, pos in (("start", s, start), ("end", e, end)):
            if isinstance(value, str):
                return f"{name}s at {pos}, which {value}"
        if s >= e:
            return f"is empty (start {start}, end {end})"
        return s, e


def _squash(text: str) -> str:
    return " ".join(text.split())


def name_fit(name: str, text: str) -> str | None:
    """How a selection's recorded ``name`` fits the text placed by its offsets.

    ``"exact"`` when equal (whitespace runs and line ends aside), ``"prefix"``
    when the name is the text's beginning (programs shorten long names),
    ``None`` otherwise.

    Examples
    --------
    >>> name_fit("社工站\\r\\n来了", "社工站\\n来了"), name_fit("社工站…", "社工站来了"), name_fit("Quote 1", "社工站")
    ('exact', 'prefix', None)
    """
    n, t = _squash(name), _squash(text)
    if not n:
        return None
    if n == t:
        return "exact"
    stem = n.removesuffix("…").removesuffix("...").rstrip()
    return "prefix" if stem and len(stem) < len(t) and t.startswith(stem) else None


# ---------------------------------------------------------------------------- the project as read


@dataclass
class RefiCoding:
    guid: str
    code: str
    user: str
    notes: list[str]
    line: int


@dataclass
class RefiSelection:
    guid: str
    name: str
    start: int
    end: int
    user: str
    line: int
    description: str
    notes: list[str]
    codings: list[RefiCoding]


@dataclass
class RefiSource:
    guid: str
    name: str
    line: int
    text: SourceText
    description: str
    notes: list[str]
    variables: dict[str, str]
    selections: list[RefiSelection]
    whole_codings: int


@dataclass
class RefiCode:
    guid: str
    name: str
    description: str
    color: str
    parent: str | None
    line: int
    codable: bool = True  # isCodable="false": a group node, which holds codes but is not applied itself


@dataclass
class RefiCase:
    guid: str
    name: str
    line: int
    variables: dict[str, str]
    sources: list[str]
    selections: list[str]


@dataclass
class RefiProject:
    """What :func:`read_project` takes from a ``.qdpx`` file."""

    shown: str
    qde: str
    origin: str
    users: dict[str, tuple[str, str]] = field(default_factory=dict)  # guid -> (name, id)
    codes: list[RefiCode] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)  # guid -> name
    cases: list[RefiCase] = field(default_factory=list)
    sources: list[RefiSource] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)  # guid -> text
    note_names: dict[str, str] = field(default_factory=dict)  # guid -> the note's title
    skipped: list[str] = field(default_factory=list)
    #: sources not imported: {source, kind, line, codings, why}
    left_out: list[dict] = field(default_factory=list)


def _required(node: Node, name: str, shown: str) -> str:
    value = node.attrs.get(name)
    if value is None or not value.strip():
        raise InputError([Problem(shown, f"line {node.line}", f"the {node.tag} element has no '{name}' attribute",
                                  f"REFI-QDA requires '{name}' on {node.tag}; export the project again from the QDA program")])
    return value


def _integer(node: Node, name: str, shown: str) -> int:
    value = _required(node, name, shown)
    try:
        return int(value.strip())
    except ValueError:
        raise InputError([Problem(shown, f"line {node.line}", f"the {name} of {node.tag} is '{value}', not an integer",
                                  "export the project again from the QDA program")]) from None


def _text_of(node: Node | None) -> str:
    """A description's text, without the apostrophe our export puts before a formula (io.safe_cell)."""
    return unsafe_cell(node.text.strip()) if node is not None else ""


def _note_refs(node: Node) -> list[str]:
    return [_norm_guid(r.attrs.get("targetGUID")) for r in node.all("NoteRef")]


def _values(node: Node) -> dict[str, str]:
    """``VariableValue`` children as {variable guid: value as text}."""
    out = {}
    for vv in node.all("VariableValue"):
        ref = vv.first("VariableRef")
        value = next((c for c in vv.children if c.tag.endswith("Value") and c.ns == vv.ns), None)
        if ref is not None and value is not None:
            out[_norm_guid(ref.attrs.get("targetGUID"))] = value.text.strip()
    return out


def _decode_text(data: bytes, shown: str) -> str:
    """A source file's text: UTF-16 when it starts with a UTF-16 byte-order mark, else UTF-8."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        problems: list[Problem] = []
        decode_utf8(data, shown, problems)
        raise InputError(problems) from None


class _MissingText(Exception):
    """A source's text file is not in the archive (collected, so that every missing source is named at once)."""

    def __init__(self, what: str):
        super().__init__(what)
        self.what = what


def _member_text(archive: SafeArchive, node: Node, path: str, project: RefiProject) -> str:
    """The text behind a ``plainTextPath``, read only from inside the archive.

    ``internal://name`` (NVivo, ATLAS.ti, MAXQDA, QualCoder) names a file of the archive's sources
    folder. A relative path, which the schema allows and the qualitative-coding (qc) tool writes, is
    looked up in that folder too (``Sources/`` or ``sources/``, any case), and as written from the
    archive's root. Any other scheme, an absolute path or one that climbs out of the archive is refused.
    """
    where = f"line {node.line} ({node.tag} '{node.attrs.get('name', '')}')"
    scheme, sep, rest = path.partition("://")
    if sep and scheme.casefold() != "internal" or not sep and (path.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", path)):
        raise InputError([Problem(project.qde, where, f"the text is in a file outside the project ({path})",
                                  "export the project again with its sources inside the .qdpx file (internal://)")])
    rest = rest if sep else path.replace("\\", "/")
    reason = unsafe_member(rest)
    if reason:
        raise InputError([Problem(project.qde, where, f"the plainTextPath '{path}' is unsafe: {reason}",
                                  "export the project again from the QDA program; the archive is incomplete or was altered")])
    tries = [f"sources/{rest}"] + ([] if sep else [rest])
    member = next((found for found in map(archive.find, tries) if found), None)
    if member is None:
        raise _MissingText(f"its text file '{rest}' is not in the archive's sources/ folder")
    return _decode_text(archive.read(member), f"{project.shown}:{member}")


def _text_content(archive: SafeArchive, node: Node, project: RefiProject, required: bool = True) -> str:
    """A TextSource's or Note's text: inline ``PlainTextContent``, else the ``plainTextPath`` file.

    A source without either is an error; a note without either is empty. A file missing from the
    archive raises :class:`_MissingText` for a source and leaves a note empty (said in ``skipped``).
    """
    inline = node.first("PlainTextContent")
    if inline is not None:
        return inline.text
    path = node.attrs.get("plainTextPath")
    if path:
        try:
            return _member_text(archive, node, path, project)
        except _MissingText as missing:
            if required:
                raise
            project.skipped.append(f"{node.tag} '{node.attrs.get('name', '')}' (line {node.line}): {missing.what}")
            return ""
    if not required:
        return ""
    raise InputError([Problem(project.qde, f"line {node.line}", f"the {node.tag} '{node.attrs.get('name', '')}' has no text "
                              "(neither PlainTextContent nor plainTextPath)", "export the project again from the QDA program")])


def _read_codes(book: Node | None, project: RefiProject) -> None:
    codes = book.first("Codes") if book is not None else None
    stack = [(c, None) for c in reversed(codes.all("Code"))] if codes is not None else []
    while stack:
        node, parent = stack.pop()
        guid = _norm_guid(_required(node, "guid", project.qde))
        codable = node.attrs.get("isCodable", "true").strip().lower() != "false"
        project.codes.append(RefiCode(guid, _required(node, "name", project.qde).strip(), _text_of(node.first("Description")),
                                      node.attrs.get("color", ""), parent, node.line, codable))
        stack.extend((c, guid) for c in reversed(node.all("Code")))


def _read_selection(node: Node, project: RefiProject) -> RefiSelection:
    codings = [RefiCoding(_norm_guid(c.attrs.get("guid")), _norm_guid((c.first("CodeRef") or c).attrs.get("targetGUID")),
                          _norm_guid(c.attrs.get("creatingUser")), _note_refs(c), c.line) for c in node.all("Coding")]
    return RefiSelection(_norm_guid(_required(node, "guid", project.qde)), node.attrs.get("name", ""),
                         _integer(node, "startPosition", project.qde), _integer(node, "endPosition", project.qde),
                         _norm_guid(node.attrs.get("creatingUser")), node.line, _text_of(node.first("Description")),
                         _note_refs(node), codings)


def _read_sources(sources: Node | None, archive: SafeArchive, project: RefiProject, skip_missing: bool = False) -> None:
    """Every text source with its text. Sources of other kinds (PDF, picture, audio, video) are left
    out with the number of codings they held; text sources whose file the archive lacks are all named
    in one error, or, with ``skip_missing``, left out the same way."""
    seen: set[str] = set()
    missing: list[Problem] = []
    for node in sources.children if sources is not None else []:
        if node.ns != NS_PROJECT:
            continue
        name = node.attrs.get("name", "")
        held = sum(1 for _ in node.walk("Coding"))
        if node.tag != "TextSource":
            project.left_out.append({"source": name, "kind": node.tag, "line": node.line, "codings": held,
                                     "why": "only text sources can become transcripts"})
            continue
        guid = _norm_guid(_required(node, "guid", project.qde))
        if guid in seen:
            raise InputError([Problem(project.qde, f"line {node.line}", f"two sources have the guid {guid}",
                                      "export the project again from the QDA program; every source needs its own guid")])
        seen.add(guid)
        try:
            text = _text_content(archive, node, project)
        except _MissingText as gone:
            if skip_missing:
                project.left_out.append({"source": name, "kind": node.tag, "line": node.line, "codings": held,
                                         "why": gone.what})
            else:
                missing.append(Problem(project.qde, f"line {node.line} (TextSource '{name}', {held} coding(s))", gone.what,
                                       "export the project again with every text inside, or import the rest with "
                                       "--skip-missing (the sources left out are listed)"))
            continue
        project.sources.append(RefiSource(
            guid, name, node.line, SourceText(text),
            _text_of(node.first("Description")), _note_refs(node), _values(node),
            [_read_selection(s, project) for s in node.all("PlainTextSelection")], len(node.all("Coding"))))
    if missing:
        raise InputError(missing)


def _check_root(root: Node, project: RefiProject) -> None:
    if root.tag == "Project" and root.ns == NS_PROJECT:
        return
    if root.tag == "CodeBook":
        what = "this is a REFI-QDA codebook (root CodeBook), not a project"
    elif root.tag == "Project":
        what = f"the root Project is in the namespace '{root.ns}', not {NS_PROJECT}"
    else:
        what = f"the root element is '{root.tag}' (namespace '{root.ns}'), not a REFI-QDA Project"
    raise InputError([Problem(project.qde, f"line {root.line}", what,
                              "give a REFI-QDA project file (.qdpx) exported by a QDA program")])


def _find_qde(archive: SafeArchive) -> str:
    found = archive.find("project.qde")
    if found:
        return found
    top = [n for n in archive.names() if "/" not in n and n.casefold().endswith(".qde")]
    if len(top) == 1:
        return top[0]
    raise InputError([Problem(archive.shown, "", "the archive holds no project.qde, so it is not a REFI-QDA project",
                              "give a REFI-QDA project file (.qdpx) exported by a QDA program")])


def read_project(path: Path, limits: Limits = Limits(), skip_missing: bool = False) -> RefiProject:
    """Read a ``.qdpx`` file: users, code tree, variables, cases, text sources with their text, notes.

    Raises :class:`InputError` for anything that stops the import (see
    :mod:`analysis.exchange.qdpx_safety` for the archive and XML checks).
    """
    with open_archive(Path(path), limits) as archive:
        qde = _find_qde(archive)
        project = RefiProject(shown=str(path), qde=f"{path}:{qde}", origin="")
        root = parse_xml(archive.stream(qde), project.qde, limits)
        _check_root(root, project)
        project.origin = root.attrs.get("origin", "")
        users = root.first("Users")
        for user in users.all("User") if users is not None else []:
            project.users[_norm_guid(_required(user, "guid", project.qde))] = (user.attrs.get("name", ""), user.attrs.get("id", ""))
        _read_codes(root.first("CodeBook"), project)
        variables = root.first("Variables")
        for var in variables.all("Variable") if variables is not None else []:
            project.variables[_norm_guid(var.attrs.get("guid"))] = var.attrs.get("name", "").strip()
        cases = root.first("Cases")
        for case in cases.all("Case") if cases is not None else []:
            project.cases.append(RefiCase(_norm_guid(_required(case, "guid", project.qde)), case.attrs.get("name", "").strip(),
                                          case.line, _values(case),
                                          [_norm_guid(r.attrs.get("targetGUID")) for r in case.all("SourceRef")],
                                          [_norm_guid(r.attrs.get("targetGUID")) for r in case.all("SelectionRef")]))
        _read_sources(root.first("Sources"), archive, project, skip_missing)
        notes = root.first("Notes")
        for note in notes.all("Note") if notes is not None else []:
            text = _text_content(archive, note, project, required=False).strip()
            key = _norm_guid(_required(note, "guid", project.qde))
            project.notes[key] = unsafe_cell(text)
            project.note_names[key] = note.attrs.get("name", "")
        for tag in ("Links", "Sets", "Graphs"):
            if root.first(tag) is not None:
                project.skipped.append(f"{tag}: the compendium's data model has no place for them")
    return project
