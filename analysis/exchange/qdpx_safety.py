"""Opening an untrusted REFI-QDA archive (``.qdpx``) and its XML without trusting either.

A ``.qdpx`` file is a zip archive holding ``project.qde`` (XML) and the project's
sources. Whatever it holds, reading it here

- never touches the file system beyond the archive itself: members are read into
  memory by name, and an archive with a member whose path is absolute or climbs
  out with ``..`` (a "zip slip") is refused as a whole;
- stops at :data:`MAX_MEMBERS` members and at :data:`MAX_BYTES` decompressed bytes
  read in total, counted while decompressing, so that a zip bomb whose headers
  understate its sizes is stopped too (both overridable through :class:`Limits`);
- parses XML with ``defusedxml`` and refuses any DTD, hence any entity definition
  (no "billion laughs") and any external reference, and nests at most
  :data:`MAX_DEPTH` elements deep;
- streams ``project.qde`` into the parser as it is decompressed, a chunk at a time,
  and stops at :data:`MAX_ELEMENTS` elements, at an attribute longer than
  :data:`MAX_ATTRIBUTE` characters, at :data:`MAX_SILENT` bytes without a complete
  tag (one tag that long would make the parser rescan it at every chunk, so a small
  archive could keep it busy for hours), and after :data:`MAX_SECONDS` of parsing.

Every failure is an :class:`~analysis.inputs.problems.InputError` naming the file, the
place and the fix; nothing here raises anything else on bad input.
"""

from __future__ import annotations

import io
import re
import struct
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler, feature_external_ges, feature_external_pes

from defusedxml.common import DefusedXmlException, DTDForbidden, EntitiesForbidden
from defusedxml.expatreader import DefusedExpatParser

from analysis.inputs.problems import InputError, Problem

#: At most this many members in an archive.
MAX_MEMBERS = 10_000
#: At most this many bytes decompressed from one archive, all members read together.
MAX_BYTES = 512 * 2**20
#: At most this many nested XML elements.
MAX_DEPTH = 256
#: At most this many elements in one XML file (a project with 100,000 codings has about 400,000).
MAX_ELEMENTS = 1_000_000
#: At most this many characters in one attribute value (a selection's name is its coded text).
MAX_ATTRIBUTE = 1_000_000
#: At most this many bytes may reach the parser without completing a tag or a piece of text.
MAX_SILENT = 16 * 2**20
#: At most this many seconds of XML parsing.
MAX_SECONDS = 300.0
#: Bytes decompressed per read, so that the byte cap is checked as data arrives.
_CHUNK = 2**20
#: The magic number every zip archive starts with (a local file header).
_ZIP_MAGIC = b"PK\x03\x04"
#: What :mod:`zipfile` raises, one way or another, on a damaged archive.
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, struct.error, OverflowError)


@dataclass(frozen=True)
class Limits:
    """Caps on what one archive may make us read; the defaults are the module constants."""

    max_members: int = MAX_MEMBERS
    max_bytes: int = MAX_BYTES
    max_depth: int = MAX_DEPTH
    max_elements: int = MAX_ELEMENTS
    max_attribute: int = MAX_ATTRIBUTE
    max_silent: int = MAX_SILENT
    max_seconds: float = MAX_SECONDS


def unsafe_member(name: str) -> str | None:
    """Why a member name could escape a destination folder, or ``None`` if it cannot.

    Backslashes count as separators, as Windows programs write them.

    Examples
    --------
    >>> [unsafe_member(n) for n in ["sources/a.txt", "../evil", "/etc/passwd", "C:\\\\x", "a/../../b"]]
    [None, "it climbs out with '..'", 'it is an absolute path', 'it is an absolute path', "it climbs out with '..'"]
    """
    norm = name.replace("\\", "/")
    if norm.startswith("/") or re.match(r"^[A-Za-z]:", norm):
        return "it is an absolute path"
    if ".." in norm.split("/"):
        return "it climbs out with '..'"
    if "\x00" in norm:
        return "it holds a NUL character"
    return None


class SafeArchive:
    """A zip archive whose member names were checked; reads count against a byte cap.

    Use :func:`open_archive` to make one, as a context manager.
    """

    def __init__(self, zf: zipfile.ZipFile, shown: str, limits: Limits):
        self._zf = zf
        self.shown = shown
        self.limits = limits
        self.read_so_far = 0
        self._by_key = {info.filename.replace("\\", "/").casefold(): info for info in zf.infolist()
                        if not info.is_dir()}

    def __enter__(self) -> SafeArchive:
        return self

    def __exit__(self, *exc) -> None:
        self._zf.close()

    def names(self) -> list[str]:
        """The archive's file members, with ``/`` as separator."""
        return sorted(info.filename.replace("\\", "/") for info in self._by_key.values())

    def find(self, name: str) -> str | None:
        """The member called ``name``, compared without regard to case, or ``None``."""
        info = self._by_key.get(name.replace("\\", "/").casefold())
        return info.filename if info else None

    def read(self, name: str) -> bytes:
        """Decompress one member, stopping as soon as the archive's byte cap is passed."""
        return b"".join(self.stream(name))

    def stream(self, name: str):
        """Decompress one member a chunk at a time, stopping as soon as the archive's byte cap is passed."""
        info = self._by_key[name.replace("\\", "/").casefold()]
        where = f"member {info.filename}"
        try:
            with self._zf.open(info) as member:
                while chunk := member.read(_CHUNK):
                    self.read_so_far += len(chunk)
                    if self.read_so_far > self.limits.max_bytes:
                        raise InputError([Problem(
                            self.shown, where,
                            f"the archive decompresses to more than {self.limits.max_bytes:,} bytes; reading stopped "
                            "(a zip bomb, or a project larger than the cap)",
                            "if the project is genuine, raise the cap with --max-mib")])
                    yield chunk
        except _DAMAGED as err:
            raise InputError([Problem(self.shown, where, f"the member is damaged and cannot be decompressed ({err})",
                                      "export the project again from the QDA program; the file may be truncated")]) from None
        except (NotImplementedError, RuntimeError) as err:  # unsupported compression, or encrypted
            raise InputError([Problem(self.shown, where, f"the member cannot be read ({err})",
                                      "export the project again without encryption and with ordinary (deflate) compression")]) from None


def open_archive(path: Path, limits: Limits = Limits()) -> SafeArchive:
    """Open ``path`` as a zip archive after checking its member count and member names.

    Raises :class:`InputError` for a missing file, a file that is not a zip
    archive (or is a truncated one), too many members, or any member whose name
    is absolute or contains ``..``.
    """
    shown = str(path)
    if not Path(path).is_file():
        raise InputError([Problem(shown, "", "the file does not exist", "give the path of a .qdpx file exported by a QDA program")])
    head = b""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
        zf = zipfile.ZipFile(path)
    except (*_DAMAGED, NotImplementedError) as err:
        if head == _ZIP_MAGIC:
            what = f"the zip archive is damaged or truncated ({err})"
            fix = "copy or download the file again, or export the project again from the QDA program"
        else:
            what = "the file is not a zip archive, so it is not a REFI-QDA project (.qdpx)"
            fix = "export the project from the QDA program as a REFI-QDA project (.qdpx)"
        raise InputError([Problem(shown, "", what, fix)]) from None
    infos = zf.infolist()
    problems: list[Problem] = []
    if len(infos) > limits.max_members:
        problems.append(Problem(shown, "", f"the archive holds {len(infos):,} members, more than the cap of {limits.max_members:,}",
                                "if the project is genuine, raise the cap with --max-members"))
    for info in infos[: limits.max_members]:
        reason = unsafe_member(info.filename)
        if reason:
            problems.append(Problem(shown, f"member {info.filename!r}", f"the member's path is unsafe: {reason}",
                                    "a REFI-QDA project keeps its files inside the archive; do not import a file you did not make, "
                                    "or export it again from the QDA program"))
    if problems:
        zf.close()
        raise InputError(problems)
    return SafeArchive(zf, shown, limits)


@dataclass(slots=True)
class Node:
    """One XML element: its namespace and local name, attributes, direct text, children, line."""

    ns: str
    tag: str
    attrs: dict[str, str]
    line: int
    children: list[Node] = field(default_factory=list)
    text: str = ""

    def all(self, tag: str) -> list[Node]:
        """Children called ``tag`` in the element's own namespace."""
        return [c for c in self.children if c.tag == tag and c.ns == self.ns]

    def first(self, tag: str) -> Node | None:
        """The first child called ``tag``, or ``None``."""
        found = self.all(tag)
        return found[0] if found else None

    def walk(self, tag: str):
        """Every descendant called ``tag`` (depth first, document order), without recursion."""
        stack = list(reversed(self.children))
        while stack:
            node = stack.pop()
            if node.tag == tag and node.ns == self.ns:
                yield node
            stack.extend(reversed(node.children))


class _TreeBuilder(ContentHandler):
    """Builds :class:`Node` trees from SAX events, with the line of each start tag, within the limits."""

    def __init__(self, limits: Limits):
        super().__init__()
        self.root: Node | None = None
        self._stack: list[tuple[Node, io.StringIO | None]] = []
        self._locator = None
        self._limits = limits
        self.elements = 0
        self.events = 0
        self.started = time.monotonic()

    def setDocumentLocator(self, locator):  # noqa: N802 - SAX's name
        self._locator = locator

    def _line(self) -> int:
        return self._locator.getLineNumber() if self._locator else 0

    def startElementNS(self, name, qname, attrs):  # noqa: N802 - SAX's name
        ns, local = name
        self.events += 1
        self.elements += 1
        if len(self._stack) >= self._limits.max_depth:
            raise _Refused(self._line(), f"the XML nests elements more than {self._limits.max_depth} deep",
                           "a genuine project nests far less deeply; do not import a file you did not make")
        if self.elements > self._limits.max_elements:
            raise _Refused(self._line(), f"the XML holds more than {self._limits.max_elements:,} elements",
                           "a genuine project of this size is rare: check the file, and do not import a file you did not make")
        if self.elements % 4096 == 0:
            self.check_time(self._line())
        values = {key[1]: value for key, value in attrs.items()}
        for key, value in values.items():
            if len(value) > self._limits.max_attribute:
                raise _Refused(self._line(), f"the attribute '{key}' of <{local}> holds {len(value):,} characters, more "
                               f"than the {self._limits.max_attribute:,} allowed",
                               "export the project again from the QDA program; do not import a file you did not make")
        node = Node(ns or "", local, values, self._line())
        if self._stack:
            self._stack[-1][0].children.append(node)
        else:
            self.root = node
        self._stack.append((node, None))

    def endElementNS(self, name, qname):  # noqa: N802 - SAX's name
        self.events += 1
        node, text = self._stack.pop()
        node.text = text.getvalue() if text is not None else ""

    def characters(self, content):
        # Text arrives in pieces (one per character reference: 500 MiB of &#27431; is 64 million
        # pieces); a buffer per element keeps it as one string, not as millions of small ones.
        self.events += 1
        if self._stack:
            node, text = self._stack[-1]
            if text is None:
                text = io.StringIO()
                self._stack[-1] = (node, text)
            text.write(content)

    def check_time(self, line: int) -> None:
        if time.monotonic() - self.started > self._limits.max_seconds:
            raise _Refused(line, f"parsing the XML took more than {self._limits.max_seconds:.0f} seconds; it was stopped",
                           "a genuine project parses in seconds: check the file, and do not import a file you did not make")


class _Refused(Exception):
    """A limit of :class:`Limits` was reached at ``line``."""

    def __init__(self, line: int, what: str, fix: str):
        super().__init__(what)
        self.line, self.what, self.fix = line, what, fix


#: How many bytes are handed to the parser at a time.
_FEED = 2**20


def _chunks(data):
    if isinstance(data, (bytes, bytearray)):
        for start in range(0, len(data), _FEED):
            yield bytes(data[start:start + _FEED])
    else:
        yield from data


def parse_xml(data, shown: str, limits: Limits = Limits()) -> Node:
    """Parse untrusted XML (bytes, or an iterable of byte chunks streamed from an archive) into a
    :class:`Node` tree, refusing DTDs, entities and external references, within ``limits``.

    Examples
    --------
    >>> root = parse_xml(b'<P xmlns="urn:x"><C a="1"/>\\n<C a="2">t</C></P>', "p.xml")
    >>> root.tag, root.ns, [(c.attrs["a"], c.line, c.text) for c in root.all("C")]
    ('P', 'urn:x', [('1', 1, ''), ('2', 2, 't')])
    >>> parse_xml(b'<!DOCTYPE P [<!ENTITY a "aaaa">]><P>&a;</P>', "p.xml")
    Traceback (most recent call last):
    ...
    analysis.inputs.problems.InputError: casebook: 1 problem in the input; nothing was written.
    p.xml, line 1: the XML declares a DTD (<!DOCTYPE ...>), which could define entities that expand without bound; it was refused
        fix: a REFI-QDA project needs no DTD: export the project again from the QDA program, and do not import a file you did not make
    >>> parse_xml(b"<P>" + b"<C/>" * 20 + b"</P>", "p.xml", Limits(max_elements=10)).tag
    Traceback (most recent call last):
    ...
    analysis.inputs.problems.InputError: casebook: 1 problem in the input; nothing was written.
    p.xml, line 1: the XML holds more than 10 elements
        fix: a genuine project of this size is rare: check the file, and do not import a file you did not make
    """
    builder = _TreeBuilder(limits)
    parser = DefusedExpatParser(namespaceHandling=1, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    parser.setFeature(feature_external_ges, False)
    parser.setFeature(feature_external_pes, False)
    parser.setContentHandler(builder)
    builder.setDocumentLocator(parser)  # parse() would set it; feed() does not, and the parser knows its line
    refused = "a REFI-QDA project needs no DTD: export the project again from the QDA program, and do not import a file you did not make"
    silent, seen = 0, 0
    try:
        for chunk in _chunks(data):
            parser.feed(chunk)
            silent = silent + len(chunk) if builder.events == seen else 0
            seen = builder.events
            if silent > limits.max_silent:
                raise _Refused(builder._line(), f"more than {limits.max_silent:,} bytes of the XML hold no complete "
                               "tag or text (one tag or attribute that long); reading stopped",
                               "export the project again from the QDA program; do not import a file you did not make")
            builder.check_time(builder._line())
        parser.close()
    except DTDForbidden:
        line = parser.getLineNumber() if hasattr(parser, "getLineNumber") else 1
        raise InputError([Problem(shown, f"line {line}", "the XML declares a DTD (<!DOCTYPE ...>), which could define "
                                  "entities that expand without bound; it was refused", refused)]) from None
    except (EntitiesForbidden, DefusedXmlException) as err:
        raise InputError([Problem(shown, "", f"the XML defines entities or external references ({type(err).__name__}); it was refused",
                                  refused)]) from None
    except SAXParseException as err:
        raise InputError([Problem(shown, f"line {err.getLineNumber()}, column {err.getColumnNumber() + 1}",
                                  f"the XML is not well formed ({err.getMessage()})",
                                  "export the project again from the QDA program; the file may be truncated or edited by hand")]) from None
    except _Refused as err:
        raise InputError([Problem(shown, f"line {err.line}", err.what, err.fix)]) from None
    except MemoryError:
        raise InputError([Problem(shown, "", "the XML does not fit in memory",
                                  "check the file; a genuine project this large needs a larger machine")]) from None
    if builder.root is None:
        raise InputError([Problem(shown, "", "the XML holds no element", "export the project again from the QDA program")])
    return builder.root
