"""The leak gate: no form of a confidential name in anything the project lets out.

:func:`scan_files` reads every file under the folders it is given (the build's results,
the book, the logs) and :func:`scan_member` every member of an export, and looks in each
for every form :class:`~analysis.inputs.deid.NameMatcher` knows: the declared names and aliases
and their variants. Each kind of file is read for the text a person would see in it:

- Parquet tables cell by cell (with the column names), by row and column;
- HTML with its tags removed and its character references resolved (a name split by
  markup, or written ``&#29579;``, is still found), and as written;
- JSON and JavaScript with ``\\uXXXX`` escapes resolved (Sphinx's search index);
- zip archives (a ``.qdpx``) member by member;
- any other file as UTF-8 text, undecodable bytes skipped, so a name in a pickle or a
  PDF's uncompressed text is found too; images and fonts are skipped.

A finding names the file, the line (or row and column) and the participant whose name it
is, with the kind of spelling, never the name: the report goes to logs that others read.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from analysis.inputs.deid import NameMatcher, describe
from analysis.inputs.problems import Problem

#: Files that hold no text a person reads: pictures and fonts.
SKIPPED_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".ico", ".webp", ".woff", ".woff2", ".ttf", ".otf",
                              ".eot"})
_TAG = re.compile(r"<[^>]*>")
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})(?:\\u([dD][c-fC-F][0-9a-fA-F]{2}))?")


@dataclass(frozen=True)
class Leak:
    """A name form found: in ``file`` at ``where`` (``line 12``; ``row 3, column text``)."""

    file: str
    where: str
    what: str  # describe(form): whose name, how it is written; never the name


def _line(text: str, at: int) -> str:
    return f"line {text.count(chr(10), 0, at) + 1}"


def scan_text(text: str, matcher: NameMatcher, shown: str, where: str | None = None) -> list[Leak]:
    """Every declared name form or its pinyin in ``text`` (a surname with a title is too common in prose
    to stop a build on; masking has taken those out of the transcripts); each leak's place is
    ``where`` or the line of the match."""
    return [Leak(shown, where or _line(text, hit.start), describe(hit.form)) for hit in matcher.find(text, strict=True)]


def _without_tags(text: str) -> str:
    """HTML's visible text, each tag removed but its line breaks kept, so line numbers still hold."""
    return html.unescape(_TAG.sub(lambda m: "\n" * m.group(0).count("\n"), text))


def _unescaped(text: str) -> str:
    def one(match: re.Match) -> str:
        high = int(match.group(1), 16)
        if match.group(2) and 0xD800 <= high <= 0xDBFF:
            return chr(0x10000 + ((high - 0xD800) << 10) + (int(match.group(2), 16) - 0xDC00))
        return chr(high) + (f"\\u{match.group(2)}" if match.group(2) else "")

    return _ESCAPE.sub(one, text)


def _parquet_cells(data: bytes):
    import pyarrow.parquet as pq

    table = pq.read_table(io.BytesIO(data))
    yield "column names", " | ".join(table.column_names)
    metadata = table.schema.metadata or {}
    for key, value in metadata.items():
        yield f"metadata {key.decode('utf-8', 'replace')}", value.decode("utf-8", "replace")
    for name in table.column_names:
        for row, value in enumerate(table.column(name).to_pylist(), start=1):
            if isinstance(value, str) and value:
                yield f"row {row}, column {name}", value
            elif isinstance(value, (list, dict)):
                yield f"row {row}, column {name}", json.dumps(value, ensure_ascii=False, default=str)


def scan_member(name: str, data: bytes, matcher: NameMatcher, shown: str | None = None) -> list[Leak]:
    """Every name form in one file's bytes, read as its kind (see the module's docstring)."""
    shown = shown or name
    suffix = Path(name).suffix.lower()
    if not matcher or suffix in SKIPPED_SUFFIXES:
        return []
    if suffix == ".parquet":
        leaks = []
        for where, text in _parquet_cells(data):
            leaks += scan_text(text, matcher, shown, where)
        return leaks
    if data[:4] == b"PK\x03\x04":
        leaks = []
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if not info.is_dir():
                    leaks += scan_member(info.filename, archive.read(info), matcher, f"{shown}:{info.filename}")
        return leaks
    text = data.decode("utf-8", errors="ignore")
    views = [text]
    if suffix in (".html", ".htm", ".xml", ".qde", ".svg"):
        views.append(_without_tags(text))
    if suffix in (".js", ".json"):
        views.append(_unescaped(text))
    found: dict[tuple[str, str], Leak] = {}
    for view in views:
        for leak in scan_text(view, matcher, shown):
            found.setdefault((leak.where, leak.what), leak)
    return list(found.values())


def scan_files(folders: list[Path], matcher: NameMatcher, exclude: set[Path] = frozenset(),
               root: Path | None = None) -> tuple[int, list[Leak]]:
    """Scan every file under ``folders`` (a folder, or a single file; a missing one is skipped), except those
    in or under ``exclude``; return how many files were read and the leaks."""
    exclude = {Path(p).resolve() for p in exclude}
    count, leaks = 0, []
    for folder in folders:
        folder = Path(folder)
        if folder.is_file():
            files = [folder]
        elif folder.is_dir():
            files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
        else:
            continue
        for path in files:
            real = path.resolve()
            if real in exclude or any(real.is_relative_to(e) for e in exclude):
                continue
            count += 1
            shown = str(path.relative_to(root)) if root is not None and path.is_relative_to(root) else str(path)
            leaks += scan_member(path.name, path.read_bytes(), matcher, shown)
    return count, leaks


def leak_problems(leaks: list[Leak]) -> list[Problem]:
    """The leaks as problems, for the build's console and the export's refusal."""
    fix = ("find where this text comes from (a transcript, a memo, a role or a note), correct the name there or "
           "declare the spelling as an alias in participants.csv, and build again")
    return [Problem(leak.file, leak.where, f"{leak.what} appears here", fix) for leak in leaks]
