"""REFI-QDA exchange: import a ``.qdpx`` project as a case folder; export a case and the codebook.

REFI-QDA (the Rotterdam Exchange Format Initiative, www.qdasoftware.org) is the
exchange format of NVivo, ATLAS.ti, MAXQDA, QualCoder and other QDA programs. A
project file (``.qdpx``) is a zip archive holding ``project.qde``, XML in the
namespace ``urn:QDA-XML:project:1.0`` (schema: ``REFI-QDA-Project.xsd``), and the
project's sources under ``sources/``; a codebook file (``.qdc``) is XML with the
root ``CodeBook`` in ``urn:QDA-XML:codebook:1.0``.

- :func:`import_qdpx` reads a project (safely: :mod:`analysis.qdpx_safety`) and
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
import csv
import io
import os
import re
import shutil
import tempfile
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

import yaml

from analysis.deid import Redaction, move_offset
from analysis.io import (csv_text, decode_utf8, load_config, name_sources, read_case, read_names, read_table, read_transcript,
                         safe_cell, unsafe_cell, write_atomic)
from analysis.leaks import leak_problems, scan_member
from analysis.problems import InputError, Problem
from analysis.qdpx_safety import Limits, Node, SafeArchive, open_archive, parse_xml, unsafe_member

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

    ``body`` has every line end as ``\\n`` (as :func:`analysis.io.decode_utf8`
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
    skipped: list[str] = field(default_factory=list)


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


def _member_text(archive: SafeArchive, node: Node, path: str, project: RefiProject) -> str:
    """The text behind a ``plainTextPath``; only ``internal://`` files inside the archive are read."""
    where = f"line {node.line} ({node.tag} '{node.attrs.get('name', '')}')"
    scheme, sep, rest = path.partition("://")
    if not sep or scheme.casefold() != "internal":
        raise InputError([Problem(project.qde, where, f"the text is in a file outside the project ({path})",
                                  "export the project again with its sources inside the .qdpx file (internal://)")])
    reason = unsafe_member(rest)
    member = None if reason else archive.find(f"sources/{rest}")
    if reason or member is None:
        what = (f"the plainTextPath '{path}' is unsafe: {reason}" if reason else
                f"the source file '{rest}' is not in the archive's sources/ folder")
        raise InputError([Problem(project.qde, where, what,
                                  "export the project again from the QDA program; the archive is incomplete or was altered")])
    return _decode_text(archive.read(member), f"{project.shown}:{member}")


def _text_content(archive: SafeArchive, node: Node, project: RefiProject, required: bool = True) -> str:
    """A TextSource's or Note's text: inline ``PlainTextContent``, else the ``plainTextPath`` file.

    A source without either is an error; a note without either is empty.
    """
    inline = node.first("PlainTextContent")
    if inline is not None:
        return inline.text
    path = node.attrs.get("plainTextPath")
    if path:
        return _member_text(archive, node, path, project)
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
        project.codes.append(RefiCode(guid, _required(node, "name", project.qde).strip(), _text_of(node.first("Description")),
                                      node.attrs.get("color", ""), parent, node.line))
        stack.extend((c, guid) for c in reversed(node.all("Code")))


def _read_selection(node: Node, project: RefiProject) -> RefiSelection:
    codings = [RefiCoding(_norm_guid(c.attrs.get("guid")), _norm_guid((c.first("CodeRef") or c).attrs.get("targetGUID")),
                          _norm_guid(c.attrs.get("creatingUser")), _note_refs(c), c.line) for c in node.all("Coding")]
    return RefiSelection(_norm_guid(_required(node, "guid", project.qde)), node.attrs.get("name", ""),
                         _integer(node, "startPosition", project.qde), _integer(node, "endPosition", project.qde),
                         _norm_guid(node.attrs.get("creatingUser")), node.line, _text_of(node.first("Description")),
                         _note_refs(node), codings)


def _read_sources(sources: Node | None, archive: SafeArchive, project: RefiProject) -> None:
    seen: set[str] = set()
    for node in sources.children if sources is not None else []:
        if node.ns != NS_PROJECT:
            continue
        name = node.attrs.get("name", "")
        if node.tag != "TextSource":
            project.skipped.append(f"{node.tag} '{name}' (line {node.line}): only text sources can become transcripts")
            continue
        guid = _norm_guid(_required(node, "guid", project.qde))
        if guid in seen:
            raise InputError([Problem(project.qde, f"line {node.line}", f"two sources have the guid {guid}",
                                      "export the project again from the QDA program; every source needs its own guid")])
        seen.add(guid)
        project.sources.append(RefiSource(
            guid, name, node.line, SourceText(_text_content(archive, node, project)),
            _text_of(node.first("Description")), _note_refs(node), _values(node),
            [_read_selection(s, project) for s in node.all("PlainTextSelection")], len(node.all("Coding"))))


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


def read_project(path: Path, limits: Limits = Limits()) -> RefiProject:
    """Read a ``.qdpx`` file: users, code tree, variables, cases, text sources with their text, notes.

    Raises :class:`InputError` for anything that stops the import (see
    :mod:`analysis.qdpx_safety` for the archive and XML checks).
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
        _read_sources(root.first("Sources"), archive, project)
        notes = root.first("Notes")
        for note in notes.all("Note") if notes is not None else []:
            text = _text_content(archive, note, project, required=False).strip()
            project.notes[_norm_guid(_required(note, "guid", project.qde))] = unsafe_cell(text)
        for tag in ("Links", "Sets", "Graphs"):
            if root.first(tag) is not None:
                project.skipped.append(f"{tag}: the compendium's data model has no place for them")
    return project


# ---------------------------------------------------------------------------- choosing the offset convention


@dataclass
class Placement:
    """The convention chosen for a project and every selection's body offsets under it."""

    convention: Convention
    spans: dict[tuple[int, int], tuple[int, int]]  # (source index, selection index) -> (start, end)
    note: str


def _place_all(project: RefiProject, conv: Convention) -> tuple[dict, list[tuple]]:
    spans, failures = {}, []
    for i, source in enumerate(project.sources):
        for j, sel in enumerate(source.selections):
            placed = source.text.place(sel.start, sel.end, conv)
            if isinstance(placed, str):
                failures.append((source, sel, placed))
            else:
                spans[(i, j)] = placed
    return spans, failures


def _fits(project: RefiProject, spans: dict) -> dict[tuple[int, int], str | None]:
    return {key: name_fit(project.sources[key[0]].selections[key[1]].name, project.sources[key[0]].text.body[s:e])
            for key, (s, e) in spans.items()}


def choose_convention(project: RefiProject) -> Placement:
    """Pick the offset convention that places every selection and fits the text the selections record.

    The conventions are tried in the order :func:`preferred_conventions` gives
    for the project's origin. One that places every selection in its text
    qualifies when every selection whose ``name`` fits its text under some
    convention also fits under this one; among those the one with the most
    exact fits wins, ties going to the expected order. When no convention places
    every selection, the problems under the expected convention are raised.
    """
    order = preferred_conventions(project.origin)
    tried = {conv.key: _place_all(project, conv) for conv in order}
    valid = [conv for conv in order if not tried[conv.key][1]]
    if not valid:
        raise InputError(_placement_problems(project, order, tried[order[0].key][1]))
    fits = {conv.key: _fits(project, tried[conv.key][0]) for conv in valid}
    informative = {key for conv in valid for key, fit in fits[conv.key].items() if fit}
    qualified = [conv for conv in valid if all(fits[conv.key][key] for key in informative)]
    if not qualified:
        raise InputError(_mismatch_problems(project, fits[valid[0].key], informative))
    best = max(qualified, key=lambda conv: sum(fit == "exact" for fit in fits[conv.key].values()))
    n_sel = sum(len(s.selections) for s in project.sources)
    origin = f"origin '{project.origin}'" if project.origin else "no origin given"
    if not informative:
        checked = f"not checked: none of the {n_sel} selections records its text" if n_sel else "no selections"
        note = f"{best.describe()} ({origin}); {checked}"
        if best != order[0]:
            note += f"; the expected convention ({order[0].describe()}) could not place every selection"
    elif best == order[0]:
        note = f"{best.describe()} (as expected for {origin}); checked: the recorded text of {len(informative)} of {n_sel} selections fits"
    else:
        why = {True: "fits the text the selections record less exactly", False: "does not fit the text the selections record"}
        note = (f"{best.describe()}: NOT the convention expected for {origin} ({order[0].describe()}), which "
                + (why[order[0] in qualified] if order[0] in valid else "cannot place every selection")
                + f"; the recorded text of {len(informative)} of {n_sel} selections fits this one")
    return Placement(best, tried[best.key][0], note)


def _placement_problems(project: RefiProject, order: list[Convention], failures: list[tuple]) -> list[Problem]:
    origin = f"origin '{project.origin}'" if project.origin else "a project without origin"
    problems = [Problem(project.qde, f"line {sel.line} (PlainTextSelection {sel.guid} in source '{source.name}')",
                        f"the selection {reason}, counting {order[0].describe()} as expected for {origin}; "
                        "no other way of counting (characters or UTF-16 units, LF or CRLF line ends) places every selection either",
                        "correct or delete the selection in the QDA program and export the project again")
                for source, sel, reason in failures[:10]]
    if len(failures) > 10:
        problems.append(Problem(project.qde, "", f"{len(failures) - 10} more selections cannot be placed", "correct them as above"))
    return problems


def _mismatch_problems(project: RefiProject, fits: dict, informative: set) -> list[Problem]:
    bad = sorted(key for key in informative if not fits[key])
    problems = []
    for i, j in bad[:10]:
        source, sel = project.sources[i], project.sources[i].selections[j]
        problems.append(Problem(project.qde, f"line {sel.line} (PlainTextSelection {sel.guid} in source '{source.name}')",
                                "the text the selection records (its name) does not match the source text at its offsets "
                                "under any counting convention that fits the other selections",
                                "check that the source file is the one that was coded; export the project again"))
    return problems


# ---------------------------------------------------------------------------- mapping onto the data model


def map_coders(project: RefiProject, known: set[str]) -> dict[str, str]:
    """Coder id for every user guid that created a coding or selection, or is listed in ``Users``.

    A user keeps a known coder id (``config.yaml`` ``coders.known``) when its
    guid is the one :func:`export_qdpx` writes for that id, or its ``id`` or
    ``name`` is that id; any other user gets ``U`` and the first hex digits of
    its guid (four, more if two users would clash): short, the same in every
    import, and free of the person's name.

    Examples
    --------
    >>> p = RefiProject("f", "f", "", users={stable_guid("coder", "C1"): ("C1", "C1"),
    ...                                      "3f2a9c00-0000-0000-0000-000000000000": ("Anna Li", "")})
    >>> sorted(map_coders(p, {"C1", "C2"}).values())
    ['C1', 'U3F2A']
    """
    referenced = {sel.user for s in project.sources for sel in s.selections} | {
        c.user for s in project.sources for sel in s.selections for c in sel.codings}
    users = dict(project.users) | {g: ("", "") for g in referenced if g and g not in project.users}
    by_guid = {stable_guid("coder", k): k for k in known}
    out: dict[str, str] = {}
    for guid in sorted(users):
        name, ident = users[guid]
        out[guid] = by_guid.get(guid) or next((v for v in (ident.strip(), name.strip()) if v in known), "")
    taken = set(out.values())
    for guid in sorted(users):
        if not out[guid]:
            hexes = re.sub(r"[^0-9A-Z]", "", guid.upper()) or "0"
            width, ident = 4, f"U{hexes[:4]}"
            while ident in taken:
                width += 2
                ident = f"U{hexes[:width]}" if width <= len(hexes) else f"U{hexes}_{width}"
            out[guid] = ident
            taken.add(ident)
    return out


def _slug(name: str, guid: str) -> str:
    """A code id part from a code's name: lower-case ASCII words joined by '_'; from the guid if none.

    Examples
    --------
    >>> _slug("Trust & Safety", "ab"), _slug("社会信任", "0a1b2c3d-aaaa")
    ('trust_safety', 'code_0a1b2c')
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z0-9]+", "_", ascii_name).strip("_")[:32].strip("_")
    if words and words[0].isalpha():
        return words
    return f"code_{guid.replace('-', '')[:6]}" if not words else f"c_{words}"


def _bilingual(text: str) -> dict[str, str]:
    """Text in the slot of its language (Chinese if it holds any Han character), the other left empty."""
    return {"zh": text, "en": ""} if _CJK.search(text) else {"zh": "", "en": text}


def _colour(value: str) -> str | None:
    value = value.strip()
    if re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
        return value.upper()
    if re.fullmatch(r"#[0-9A-Fa-f]{3}", value):
        return "#" + "".join(ch * 2 for ch in value[1:]).upper()
    return None


@dataclass
class CodeMap:
    """Each REFI code's id in the codebook, and the codes to add under :data:`IMPORTED_THEME`."""

    ids: dict[str, str]
    matched: list[tuple[str, str]]
    added: list[dict]
    ambiguous: list[str]


def _candidates(code: RefiCode, codebook: dict) -> list[dict]:
    key = code.name.casefold()
    by_guid = [c for c in codebook["codes"] if code.guid in (_norm_guid(c.get("guid")), stable_guid("code", c["id"]))]
    return by_guid or [c for c in codebook["codes"]
                       if key in (c["id"].casefold(), c["label"]["zh"].strip().casefold(), c["label"]["en"].strip().casefold())]


def map_codes(project: RefiProject, codebook: dict) -> CodeMap:
    """Match the project's code tree onto the codebook; add what does not match under ``imported``.

    A code matches a codebook code with the same guid (the code's ``guid``
    field, or the one :func:`export_qdpx` derives from its id), else one whose
    id, Chinese label or English label equals its name (case aside). Among
    several, the one under the code its parent matched is taken; if that does
    not settle it the code is added. An added code keeps its nesting among the
    added ones: ``imported.<name>``, ``imported.<parent>.<name>``; its name and
    description go to the label and definition in their language, its colour
    and guid are kept, and every field that cannot be known is left empty.
    """
    codebook_ids = {c["id"] for c in codebook["codes"]}
    out = CodeMap({}, [], [], [])
    new_ids: set[str] = set()
    parent_code = {c["id"]: c.get("parent") for c in codebook["codes"]}
    for code in project.codes:
        found = _candidates(code, codebook)
        if len(found) > 1 and code.parent in out.ids:
            found = [c for c in found if parent_code.get(c["id"]) == out.ids[code.parent]] or found
        if len(found) == 1:
            out.ids[code.guid] = found[0]["id"]
            out.matched.append((code.name, found[0]["id"]))
            continue
        if len(found) > 1:
            out.ambiguous.append(f"'{code.name}' could be any of {', '.join(c['id'] for c in found)}")
        parent = next((a["id"] for a in out.added if a["guid"] == code.parent), IMPORTED_THEME)
        base = f"{parent}.{_slug(code.name, code.guid)}"
        ident, n = base, 2
        while ident in codebook_ids or ident in new_ids:
            ident, n = f"{base}_{n}", n + 1
        new_ids.add(ident)
        out.ids[code.guid] = ident
        out.added.append(_added_code(ident, parent, code))
    if out.added and IMPORTED_THEME not in codebook_ids:
        out.added.insert(0, _imported_theme())
    return out


def _added_code(ident: str, parent: str, code: RefiCode) -> dict:
    empty = {"zh": "", "en": ""}
    entry = {"id": ident, "parent": parent, "label": _bilingual(code.name),
             "definition": _bilingual(code.description) if code.description else dict(empty),
             "when_to_use": dict(empty), "when_not_to_use": dict(empty), "example": dict(empty)}
    colour = _colour(code.color)
    if colour:
        entry["colour"] = colour
    entry["guid"] = code.guid
    return entry


def _imported_theme() -> dict:
    return {
        "id": IMPORTED_THEME, "parent": None,
        "label": {"zh": "导入的代码", "en": "Imported codes"},
        "definition": {"zh": "从 REFI-QDA 项目导入、尚未与本编码簿中任何代码对应的代码。",
                       "en": "Codes imported from a REFI-QDA project that match no code of this codebook yet."},
        "when_to_use": {"zh": "不直接使用：审阅后把其子码并入合适的主题，或改写为已有代码。",
                        "en": "Not for direct use: after review, move its children under a fitting theme or recode them to existing codes."},
        "when_not_to_use": {"zh": "新的编码一律使用编码簿中已有的代码。", "en": "Never for new coding: use the codebook's own codes."},
        "example": {"zh": "（无示例）", "en": "(no example)"},
        "guid": stable_guid("code", IMPORTED_THEME),
    }


#: Case variables that fill a participants.csv column, by the variable's name (case aside).
_CASE_COLUMNS = {"actor_type": "actor_type", "actor type": "actor_type", "role": "role", "角色": "role",
                 "gender": "gender", "sex": "gender", "性别": "gender",
                 "age_band": "age_band", "age band": "age_band", "年龄段": "age_band"}
#: The allowed values of the participants.csv columns that have a closed list (data/README.md).
_ENUMS = {"actor_type": ("government", "social_worker", "cadre", "resident", "volunteer_org"),
          "gender": ("female", "male", "undisclosed"),
          "age_band": ("18-29", "30-44", "45-59", "60-74", "75+", "undisclosed")}
_WORDS = {"女": "female", "男": "male", "f": "female", "m": "male", "woman": "female", "man": "male"}
#: Source variables that fill a transcript header field (the ones :func:`export_qdpx` writes).
_HEADER_ORDER = ("id", "participants", "date", "interviewer", "kind", "coded_by", "language", "synthetic", "note")
_REQUIRED_HEADER = {
    "participants": "[<participant ids>]   # who speaks or is observed; [] for a document",
    "date": "YYYY-MM-DD   # when it was conducted or written",
    "interviewer": "<interviewer id, such as I1; never a name>",
    "kind": "interview | focus_group | field_note | document",
}
_STATION_FIELDS = {
    "unit_type": "town | street", "setting": "rural | peri-urban",
    "operator_type": "social_work_agency | government_run | community_foundation | other",
    "start_year": "YYYY", "staff": "<resident social workers, 0-50>", "synthetic": "true | false",
}
_EXTENSIONS = (".txt", ".docx", ".doc", ".rtf", ".odt", ".md", ".pdf", ".html", ".htm")


def _cell(column: str, value: str) -> str | None:
    """A variable's value as a participants.csv cell, or ``None`` if it is not an allowed value."""
    value = value.strip()
    if column not in _ENUMS:
        return value
    folded = _WORDS.get(value.casefold(), value.casefold())
    return folded if folded in _ENUMS[column] else None


def _header_value(name: str, value: str, people: dict[str, str]):
    """A source variable's value as a header field, or ``None`` if it does not fit the field."""
    value = value.strip()
    parsers = {
        "participants": lambda v: [people.get(p, p) for p in re.split(r"[;,\s]+", v) if p],
        "coded_by": lambda v: [p for p in re.split(r"[;,\s]+", v) if p],
        "date": lambda v: v[:10] if re.fullmatch(r"\d{4}-\d{2}-\d{2}(T.*)?", v) else None,
        "interviewer": lambda v: v if _ID.match(v) else None,
        "kind": lambda v: v if v in ("interview", "focus_group", "field_note", "document") else None,
        "language": lambda v: v or None,
        "synthetic": lambda v: {"true": True, "1": True, "false": False, "0": False}.get(v.casefold()),
    }
    parsed = parsers[name](value)
    if isinstance(parsed, list) and not all(_ID.match(p) for p in parsed):
        return None
    return parsed


def map_documents(project: RefiProject, case: str) -> dict[str, str]:
    """Document id for every text source: its name when that is already ``<case>-...``, else ``<case>-Dnn``.

    Examples
    --------
    >>> p = RefiProject("f", "f", "")
    >>> p.sources = [RefiSource(g, n, 1, SourceText(""), "", [], {}, [], 0) for g, n in [("a", "S9-D01.txt"), ("b", "访谈 2")]]
    >>> map_documents(p, "S9")
    {'a': 'S9-D01', 'b': 'S9-D02'}
    """
    out, taken = {}, set()
    for source in project.sources:
        stem = source.name.strip()
        if stem.casefold().endswith(_EXTENSIONS):
            stem = stem.rsplit(".", 1)[0]
        if _DOC_ID.match(stem) and stem.startswith(f"{case}-") and stem not in taken:
            out[source.guid] = stem
            taken.add(stem)
    n = 1
    for source in project.sources:
        if source.guid not in out:
            while f"{case}-D{n:02d}" in taken:
                n += 1
            out[source.guid] = f"{case}-D{n:02d}"
            taken.add(out[source.guid])
    return out


def map_participants(project: RefiProject, case: str) -> dict[str, tuple[str, str]]:
    """``(participant_id, name)`` for every REFI case.

    A case named like a participant id of this case (``<case>-...``) keeps its
    name as the id; any other gets ``<case>-Pnn``, and its name goes to the
    confidential ``name`` column, which ingest drops and masks in transcripts
    (a REFI case is often named after the person).
    """
    out, taken = {}, set()
    for rc in project.cases:
        if _ID.match(rc.name) and rc.name.startswith(f"{case}-") and rc.name not in taken:
            out[rc.guid] = (rc.name, "")
            taken.add(rc.name)
    n = 1
    for rc in project.cases:
        if rc.guid not in out:
            while f"{case}-P{n:02d}" in taken:
                n += 1
            out[rc.guid] = (f"{case}-P{n:02d}", rc.name)
            taken.add(out[rc.guid][0])
    return out


@dataclass
class CaseImport:
    """The files of one imported case folder (path relative to it -> bytes), and what to tell the user."""

    case: str
    files: dict[str, bytes]
    summary: list[str]
    todo: list[str]


@dataclass
class _Context:
    """What the mapping steps share while one project is turned into one case."""

    project: RefiProject
    case: str
    placement: Placement
    coders: dict[str, str]
    codes: CodeMap
    docs: dict[str, str]
    people: dict[str, tuple[str, str]]
    todo: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    memos: int = 0
    used_notes: set[str] = field(default_factory=set)


def _memo(ctx: _Context, parts: list[str], refs: list[str]) -> list[str]:
    found = [ctx.project.notes[r] for r in refs if r in ctx.project.notes]
    ctx.used_notes.update(r for r in refs if r in ctx.project.notes)
    missing = [r for r in refs if r not in ctx.project.notes]
    if missing:
        ctx.skipped.append(f"{len(missing)} note reference(s) point to no Note ({missing[0]})")
    return [p for p in [*parts, *found] if p]


def _speakers(ctx: _Context) -> dict[str, str]:
    """Selection guid -> participant id, for selections that exactly one REFI case refers to."""
    owners: dict[str, set[str]] = {}
    for rc in ctx.project.cases:
        for sel in rc.selections:
            owners.setdefault(sel, set()).add(ctx.people[rc.guid][0])
    shared = sorted(g for g, ids in owners.items() if len(ids) > 1)
    if shared:
        ctx.skipped.append(f"{len(shared)} selection(s) belong to several cases; their speaker is left empty")
    return {g: next(iter(ids)) for g, ids in owners.items() if len(ids) == 1}


def build_segments(ctx: _Context) -> list[dict]:
    """One row per coding, numbered ``<case>-<coder>-nnnn`` per coder in document order.

    Raises :class:`InputError` for a coding whose code is not in the code tree
    and for codings of one code by one coder that overlap in one document.
    """
    project, speakers, rows, problems, uncoded = ctx.project, _speakers(ctx), [], [], 0
    for i, source in enumerate(project.sources):
        for j, sel in enumerate(source.selections):
            if not sel.codings:
                uncoded += 1
                continue
            start, end = ctx.placement.spans[(i, j)]
            base = _memo(ctx, [sel.description], sel.notes)
            for coding in sel.codings:
                if coding.code not in ctx.codes.ids:
                    problems.append(Problem(project.qde, f"line {coding.line} (Coding {coding.guid})",
                                            f"the coding refers to the code {coding.code or '(none)'}, which is not in the CodeBook",
                                            "export the project again with its whole code tree"))
                    continue
                memo = "\n\n".join(base + _memo(ctx, [], coding.notes))
                ctx.memos += bool(memo)
                rows.append({"document_id": ctx.docs[source.guid], "participant_id": speakers.get(sel.guid, ""),
                             "start": start, "end": end, "code_id": ctx.codes.ids[coding.code],
                             "coder_id": ctx.coders.get(coding.user or sel.user, UNKNOWN_CODER),
                             "text": source.text.body[start:end], "memo": memo,
                             "_where": f"line {coding.line} (selection {sel.guid} in '{source.name}')"})
    if uncoded:
        ctx.skipped.append(f"{uncoded} selection(s) carry no coding: a segment is a coded span")
    problems += _overlap_problems(rows, project.qde)
    if problems:
        raise InputError(problems)
    return _numbered(rows, ctx.case)


def _overlap_problems(rows: list[dict], shown: str) -> list[Problem]:
    """Codings of one code by one coder that overlap in one document (duplicates included)."""
    problems, reach = [], {}
    for row in sorted(rows, key=lambda r: (r["document_id"], r["code_id"], r["coder_id"], r["start"], r["end"])):
        key = (row["document_id"], row["code_id"], row["coder_id"])
        prev = reach.get(key)
        if prev is not None and row["start"] < prev["end"]:
            same = (row["start"], row["end"]) == (prev["start"], prev["end"])
            problems.append(Problem(shown, row["_where"],
                                    f"{'duplicates' if same else 'overlaps'} the coding at {prev['_where']}: same code "
                                    f"({row['code_id']}), coder ({row['coder_id']}) and document, offsets "
                                    f"{row['start']}-{row['end']} and {prev['start']}-{prev['end']}",
                                    "delete the duplicate or merge the two codings in the QDA program, then export again"))
        if prev is None or row["end"] > prev["end"]:
            reach[key] = row
    return problems


def _numbered(rows: list[dict], case: str) -> list[dict]:
    """Segment ids per coder in (document, start, end, code) order; rows by document, coder, offsets, code."""
    counts: dict[str, int] = {}
    for row in sorted(rows, key=lambda r: (r["document_id"], r["start"], r["end"], r["code_id"], r["coder_id"])):
        counts[row["coder_id"]] = counts.get(row["coder_id"], 0) + 1
        row["segment_id"] = f"{case}-{row['coder_id']}-{counts[row['coder_id']]:04d}"
    return sorted(rows, key=lambda r: (r["document_id"], r["coder_id"], r["start"], r["end"], r["code_id"]))


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
            f"'{IMPORTED_THEME}'.\n# Merge them into the codes of {codebook_shown}, fill in every empty field "
            "(casebook validate lists them), or recode their segments to existing codes; then delete this file.\n")
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
                limits: Limits = Limits()) -> CaseImport:
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
        Caps on the archive (:mod:`analysis.qdpx_safety`).

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
    project = read_project(path, limits)
    ctx = _Context(project, case, choose_convention(project), map_coders(project, set(known_coders)),
                   map_codes(project, codebook), map_documents(project, case), map_participants(project, case))
    rows = build_segments(ctx)
    headers = _headers(ctx)
    participants = _participants(ctx)
    columns = ["segment_id", "document_id", "participant_id", "start", "end", "code_id", "coder_id", "text"]
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
    if loose:  # project memos that no source or coding points to: kept beside the case, never dropped
        files[PROJECT_MEMOS_FILE] = _project_memos(loose, Path(path).name)
    summary = _summary(ctx, rows)
    if loose:
        summary.append(f"project memos: {len(loose)} note(s) attached to no source or coding, written to {PROJECT_MEMOS_FILE}")
    return CaseImport(case, {k: v.encode("utf-8") for k, v in files.items()}, summary, todo)


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
    if ctx.codes.added:
        n = sum(1 for a in ctx.codes.added if a["id"] != IMPORTED_THEME)
        items.append(f"{ADDITIONS_FILE}: {n} code(s) match no code of {codebook_shown}; merge them into it and fill in "
                     "their empty fields, or recode their segments to existing codes; then delete the file")
    return items


def _project_memos(notes: list[str], file_name: str) -> str:
    """The project's free-standing notes (memos not attached to a source or a coding), as Markdown."""
    parts = [f"# Project memos imported from {file_name}", "",
             "Notes of the QDA project that no source or coding refers to. They are kept here as written; "
             "the pipeline does not read this file.", ""]
    for number, text in enumerate(notes, start=1):
        parts += [f"## Memo {number}", "", text, ""]
    return "\n".join(parts)


def _summary(ctx: _Context, rows: list[dict]) -> list[str]:
    project = ctx.project
    by_coder: dict[str, int] = {}
    for r in rows:
        by_coder[r["coder_id"]] = by_coder.get(r["coder_id"], 0) + 1
    lines = [f"sources: {len(project.sources)} text source(s) -> "
             + (_some(f"'{s.name}' -> {ctx.docs[s.guid]}" for s in project.sources) or "none"),
             f"offsets: {ctx.placement.note}",
             f"codes: {len(ctx.codes.matched)} matched"
             + (" (" + _some(f"'{n}' -> {i}" for n, i in ctx.codes.matched) + ")" if ctx.codes.matched else "")
             + f"; {sum(a['id'] != IMPORTED_THEME for a in ctx.codes.added)} added under '{IMPORTED_THEME}'"
             + (" (" + _some(f"'{c.name}' -> {ctx.codes.ids[c.guid]}" for c in project.codes
                             if ctx.codes.ids[c.guid].startswith(IMPORTED_THEME + ".")) + f"; see {ADDITIONS_FILE})"
                if ctx.codes.added else ""),
             f"segments: {len(rows)}" + (" (" + _some(f"{c}: {n}" for c, n in sorted(by_coder.items())) + ")" if rows else ""),
             "coders: " + (_some(f"'{project.users.get(g, ('', ''))[0] or '(not in Users)'}' ({g}) -> {c}"
                                 for g, c in sorted(ctx.coders.items(), key=lambda kv: kv[1])) or "none"),
             "participants: " + (_some(f"case '{rc.name}' -> {ctx.people[rc.guid][0]}" for rc in project.cases)
                                 or "none (the project has no cases)"),
             f"memos: {ctx.memos} segment(s) carry a memo"]
    lines += [f"ambiguous code: {a}; added instead" for a in ctx.codes.ambiguous[:LISTED]]
    skipped = list(dict.fromkeys(project.skipped + ctx.skipped))
    lines += [f"skipped: {s}" for s in skipped[:LISTED]] or ["skipped: nothing"]
    if len(skipped) > LISTED:
        lines.append(f"skipped: and {len(skipped) - LISTED:,} more")
    return lines


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


def _label(code: dict, field_name: str, labels: str) -> str:
    text = code.get(field_name) or {}
    other = "en" if labels == "zh" else "zh"
    return (text.get(labels) or text.get(other) or "").strip()


def _code_tree(parent: ET.Element, codebook: dict, labels: str) -> None:
    """``Codes``: themes as top-level codes, each child nested in its parent, in codebook order."""
    children: dict[str | None, list[dict]] = {}
    for code in codebook["codes"]:
        children.setdefault(code.get("parent"), []).append(code)
    codes = _el(parent, "Codes")
    stack = [(codes, c) for c in reversed(children.get(None, []))]
    while stack:
        holder, code = stack.pop()
        node = _el(holder, "Code", guid=code_guid(code), name=_label(code, "label", labels) or code["id"],
                   isCodable="true", color=code.get("colour"))
        definition = "\n\n".join(t for t in (_label(code, "definition", labels), _label(code, "definition", "en" if labels == "zh" else "zh")) if t)
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
    """The matcher for every name source of the project (see :func:`analysis.io.name_sources`);
    raises when any of them cannot be read."""
    cases = config.get("cases") if isinstance(config.get("cases"), list) else []
    return read_names(name_sources(Path(root), cases_dir, [str(c) for c in cases]), Path(root), config)


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


def _sources(root: ET.Element, ex: _Export, code_guids: dict[str, str]) -> tuple[dict[str, bytes], list[tuple[str, str]]]:
    members, notes = {}, []
    holder = _el(root, "Sources")
    for doc in sorted(ex.bodies):
        guid = stable_guid("document", doc)
        source = _el(holder, "TextSource", guid=guid, name=doc, plainTextPath=f"internal://{guid}.txt")
        members[f"sources/{guid}.txt"] = ex.bodies[doc].encode("utf-8")
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
                      name=ex.bodies[doc][key[1]:key[2]], startPosition=str(key[1]), endPosition=str(key[2]),
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
                names=None) -> tuple[bytes, list[str]]:
    """A case as a REFI-QDA project (``.qdpx`` bytes), and a summary.

    The project holds the codebook (themes as parent codes), the coders as
    users, the transcripts as internal UTF-8 sources with their header fields as
    source variables, one ``PlainTextSelection`` per coded span (Unicode
    code-point offsets, the span's text as its name) with one ``Coding`` per
    segment, the participants as cases (their non-confidential columns as
    variables, their documents and spoken selections as references) and the
    segment memos as notes. Every form of every confidential name and alias
    (``names``, by default those of every case folder) is masked in the bodies
    first, as ingest does, then in every other text the project carries (notes,
    descriptions, variable values, code memos); before anything is returned the
    whole archive passes the leak gate (:mod:`analysis.leaks`), and a form still
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
    members, notes = _sources(project, ex, {c["id"]: code_guid(c) for c in codebook["codes"]})
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
    summary = [f"sources: {len(bodies)} transcript(s)", f"codes: {len(codebook['codes'])}",
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


# ---------------------------------------------------------------------------- what the command line runs


def load_codebook(root: Path, path: Path) -> dict:
    """Read a codebook and check it against ``workflow/schemas/codebook.schema.yaml``; raise on any problem."""
    from analysis.io import read_yaml, show_path
    from analysis.validate import SCHEMA_FILES, check_codebook

    problems: list[Problem] = []
    schema = read_yaml(Path(root) / "workflow" / "schemas" / SCHEMA_FILES["codebook"], problems, Path(root))
    codebook = read_yaml(Path(path), problems, Path(root))
    if not problems:
        problems += check_codebook(codebook, show_path(Path(path), Path(root)), schema)
    if problems:
        raise InputError(problems)
    return codebook


def _paths(root: Path, config: dict) -> dict:
    paths = config.get("paths") if isinstance(config.get("paths"), dict) else {}
    return {"codebook": paths.get("codebook", "data/codebook.yaml"), "cases": paths.get("cases", "data/cases")}


def run_import(root: Path, config_file: str, file: Path, case: str, dest: str | None = None, codebook: str | None = None,
               force: bool = False, limits: Limits = Limits(), update: bool = False) -> str:
    """``casebook import-qdpx``: import, write the case folder (or, with ``update``, only its segments), and say what was done."""
    root = Path(root)
    config = load_config(root, config_file)
    paths = _paths(root, config)
    codebook_path = Path(codebook) if codebook else root / paths["codebook"]
    book = load_codebook(root, codebook_path)
    coders = config.get("coders") if isinstance(config.get("coders"), dict) else {}
    result = import_qdpx(Path(file), case, book, codebook if codebook else paths["codebook"],
                         set(coders.get("known") or []), set(config.get("cases") or []), limits)
    if update:
        return _run_update(result, Path(dest) if dest else root / paths["cases"], case, set(coders.get("known") or []), file)
    target = write_case(result, Path(dest) if dest else root / paths["cases"], force)
    lines = [f"casebook: imported {file} as case {case} into {target}", *(f"  {line}" for line in result.summary),
             f"  to do (also in {target / TODO_FILE}):", *(f"    - {item}" for item in result.todo[:LISTED])]
    if len(result.todo) > LISTED:
        lines.append(f"    - and {len(result.todo) - LISTED:,} more (all in {TODO_FILE})")
    return "\n".join(lines)


def run_export_qdpx(root: Path, config_file: str, case: str, out: str, codebook: str | None = None,
                    labels: str | None = None, xsd: str | None = None) -> str:
    """``casebook export-qdpx``: export one case, optionally check it against the XSD, write it atomically."""
    root = Path(root)
    config = load_config(root, config_file)
    paths = _paths(root, config)
    _check_case_id(case)
    book = load_codebook(root, Path(codebook) if codebook else root / paths["codebook"])
    names = _all_names(root, paths["cases"], config)
    data, summary = export_qdpx(root, paths["cases"], case, book, labels or config.get("labels", "zh"), names)
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
    header = list(rows[0]) if rows else ["segment_id", "document_id", "participant_id", "start", "end", "code_id",
                                         "coder_id", "text"]
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
