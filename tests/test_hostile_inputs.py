"""Bad input of every kind a careless or a hostile user brings: a clear message, never a traceback or a flood.

Each case below reproduces an input that, before the robustness issue, crashed with a traceback,
hung, exhausted memory, flooded the console or was accepted though wrong. Each must now end with
the command's own exit status, a message naming the file (and line where there is one) with a
fix, no traceback, a bounded amount of output, and the raw data unchanged.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

import pytest
import yaml

import analysis.exchange.spreadsheet
import analysis.inputs.io
from analysis.cli.commands import main
from conftest import SEGMENT_HEADER, segment_rows, write_csv

CASE = "data/cases/K01"
NS = "urn:QDA-XML:project:1.0"
BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefgh", "bcdefghi"))


def deep(n: int) -> str:
    return "[" * n + "]" * n


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _header(p: Path, old: str, new: str) -> None:
    _replace(p / CASE / "transcripts/K01-D01.md", old, new)


def _segments(p: Path, rows: list[list], header=SEGMENT_HEADER) -> None:
    write_csv(p / CASE / "segments.csv", header, rows)


def _bad_rows(p: Path, n: int) -> None:
    _segments(p, [[f"K01-C1-{i:06d}", "K01-D01", "K01-P01", "x", "y", "t.a", "C1", ""] for i in range(n)])


def _unreadable(monkeypatch, target: Path) -> None:
    """``open`` (and listing, for a folder) raises PermissionError for ``target``: root reads any file,
    so the permission is taken away where analysis.inputs.io asks for it."""
    real_open, real_scandir = open, os.scandir

    def fake_open(path, *args, **kw):
        if Path(path).resolve() == target.resolve():
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kw)

    def fake_scandir(path="."):
        if Path(path).resolve() == target.resolve():
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(analysis.inputs.io, "open", fake_open, raising=False)
    monkeypatch.setattr(analysis.inputs.io.os, "scandir", fake_scandir)


def _symlink(link: Path, target: str | Path) -> None:
    if link.exists() or link.is_symlink():
        link.unlink() if not link.is_dir() or link.is_symlink() else __import__("shutil").rmtree(link)
    link.symlink_to(target)


def _outside_case(p: Path) -> None:
    import shutil

    outside = p.parent / "elsewhere" / "K01"
    shutil.copytree(p / CASE, outside)
    shutil.rmtree(p / CASE)
    (p / CASE).symlink_to(outside, target_is_directory=True)


def _outside_file(p: Path) -> None:
    outside = p.parent / "elsewhere.md"
    outside.write_text((p / CASE / "transcripts/K01-D01.md").read_text(encoding="utf-8"), encoding="utf-8")
    _symlink(p / CASE / "transcripts/K01-D01.md", outside)


def _fifo(p: Path) -> None:
    (p / CASE / "participants.csv").unlink()
    os.mkfifo(p / CASE / "participants.csv")


def _qdpx(p: Path, qde: bytes | None, members: dict[str, bytes] | None = None, name: str = "in.qdpx") -> Path:
    path = p / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        if qde is not None:
            zf.writestr("project.qde", qde)
        for member, data in (members or {}).items():
            zf.writestr(zipfile.ZipInfo(member), data)
    return path


def _streamed_qdpx(p: Path, head: bytes, block: bytes, times: int, tail: bytes) -> Path:
    path = p / "in.qdpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("project.qde", "w") as out:
        out.write(head)
        for _ in range(times):
            out.write(block)
        out.write(tail)
    return path


def _workbook(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Coded segments")
    sheet.append(["Document", "Code", "Segment"])
    for i in range(rows):
        sheet.append(["K01-D01", "t.a", f"x{i}"])
    book.save(path)


def _wide_workbook(path: Path) -> None:
    """A workbook whose sheet declares the dimension A1:XFD20001 (openpyxl pads every row to it), holding
    20,000 one-cell rows of a code nobody knows."""
    import re as regex

    book = path.with_suffix(".tmp.xlsx")
    _workbook(book, 20_000)
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                text = data.decode("utf-8")
                text = regex.sub(r"<dimension ref=\"[^\"]*\"/>", "", text)
                text = text.replace("<sheetData>", '<dimension ref="A1:XFD20001"/><sheetData>', 1) if "<dimension" not in text \
                    else text
                data = text.encode("utf-8")
            out.writestr(info, data)
    book.unlink()


def _names(p: Path) -> None:
    write_csv(p / CASE / "participants.csv", ["participant_id", "actor_type", "gender", "age_band", "name"],
              [["K01-P01", "resident", "female", "60-74", "王秀兰"]])


def _project_xml(body: str) -> bytes:
    return f'<?xml version="1.0"?><Project xmlns="{NS}" name="x" origin="test">{body}</Project>'.encode()


VALIDATE = ["validate"]


def _import(name: str = "in.qdpx", *extra: str) -> list[str]:
    return ["import-qdpx", name, "--case", "H01", *extra]


#: name -> (mutate(project, monkeypatch) -> None, command relative to the project, exit status, fragments)
CASES = {
    # --- files that are not files, or lead out of the project
    "a folder named *.md among the transcripts": (
        lambda p, m: (p / CASE / "transcripts/K01-D09.md").mkdir(), VALIDATE, 2, ["K01-D09.md", "is a folder"]),
    "a transcript that is a link to /dev/urandom": (
        lambda p, m: _symlink(p / CASE / "transcripts/K01-D09.md", "/dev/urandom"), VALIDATE, 2, ["K01-D09.md", "not an ordinary file"]),
    "segments.csv a link to /dev/zero": (
        lambda p, m: _symlink(p / CASE / "segments.csv", "/dev/zero"), VALIDATE, 2, ["segments.csv", "not an ordinary file"]),
    "participants.csv a named pipe": (lambda p, m: _fifo(p), VALIDATE, 2, ["participants.csv", "not an ordinary file"]),
    "a case folder that is a link out of the project": (
        lambda p, m: _outside_case(p), VALIDATE, 2, [CASE, "leads out of the project"]),
    "a transcript that is a link out of the project": (
        lambda p, m: _outside_file(p), VALIDATE, 2, ["K01-D01.md", "leads out of the project"]),
    "a link to a file that does not exist": (
        lambda p, m: _symlink(p / CASE / "transcripts/K01-D09.md", p / "gone.md"), VALIDATE, 2, ["K01-D09.md", "does not exist"]),
    # --- files that cannot be read
    "an unreadable transcript": (
        lambda p, m: _unreadable(m, p / CASE / "transcripts/K01-D01.md"), VALIDATE, 2, ["K01-D01.md", "permission denied"]),
    "an unreadable participants.csv": (
        lambda p, m: _unreadable(m, p / CASE / "participants.csv"), VALIDATE, 2, ["participants.csv", "permission denied"]),
    "an unreadable codebook": (
        lambda p, m: _unreadable(m, p / "data/codebook.yaml"), VALIDATE, 2, ["data/codebook.yaml", "permission denied"]),
    "an unreadable transcripts folder": (
        lambda p, m: _unreadable(m, p / CASE / "transcripts"), VALIDATE, 2, [f"{CASE}/transcripts", "permission denied"]),
    # --- too large
    "a transcript over the size cap": (
        lambda p, m: m.setitem(analysis.inputs.io.MAX_BYTES, "transcript", 100), VALIDATE, 2, ["K01-D01.md", "larger"]),
    "a table over the size cap": (
        lambda p, m: m.setitem(analysis.inputs.io.MAX_BYTES, "table", 200), VALIDATE, 2, ["segments.csv", "larger"]),
    "a YAML file over the size cap": (
        lambda p, m: m.setitem(analysis.inputs.io.MAX_BYTES, "yaml", 100), VALIDATE, 2, ["config.yaml", "larger (1,"]),
    # --- YAML that expands or nests without bound
    "an alias bomb in station.yaml's note": (
        lambda p, m: (p / CASE / "station.yaml").write_text(BOMB + "note: *i\n", encoding="utf-8"), VALIDATE, 2,
        ["station.yaml", "expands to more than"]),
    "an alias bomb in the codebook": (
        lambda p, m: (p / "data/codebook.yaml").write_text(BOMB, encoding="utf-8"), VALIDATE, 2, ["codebook.yaml", "expands"]),
    "an alias bomb in config.yaml": (
        lambda p, m: _append(p / "config.yaml", BOMB.replace("a:", "zz:", 1).replace("&a", "&a", 1)), VALIDATE, 2,
        ["config.yaml", "expands"]),
    "a recursive alias in station.yaml": (
        lambda p, m: _append(p / CASE / "station.yaml", "note: &a [*a]\n"), VALIDATE, 2,
        ["station.yaml", "refers to the value it is part of"]),
    "a recursive mapping alias in the codebook": (
        lambda p, m: (p / "data/codebook.yaml").write_text("version: 1\ncodes: &a {x: *a}\n", encoding="utf-8"), VALIDATE, 2,
        ["codebook.yaml", "refers to the value it is part of"]),
    "a long text aliased 200 times": (
        lambda p, m: (_names(p), _append(p / CASE / "station.yaml",
                                         'big: &a "' + "长" * 1_000_000 + '"\nmore: [' + ", ".join(["*a"] * 200) + "]\n")),
        VALIDATE, 2, ["station.yaml", "expands to more than 16,777,216 characters"]),
    "four million values in config.yaml": (
        lambda p, m: _append(p / "config.yaml", "extra: [" + "1," * 400_000 + "1]\n"), VALIDATE, 2,
        ["config.yaml, line", "holds more than 200,000 values"]),
    "a value nested 20,000 deep in the codebook": (
        lambda p, m: (p / "data/codebook.yaml").write_text(f"version: 1\ncodes: {deep(20000)}\n", encoding="utf-8"),
        VALIDATE, 2, ["codebook.yaml, line 2", "nests more than"]),
    "a value nested 20,000 deep in config.yaml": (
        lambda p, m: _append(p / "config.yaml", f"extra: {deep(20000)}\n"), VALIDATE, 2, ["config.yaml", "nests more than"]),
    "a value nested 20,000 deep in a transcript header": (
        lambda p, m: _header(p, "kind: interview", f"kind: interview\nnote: {deep(20000)}"), VALIDATE, 2,
        ["K01-D01.md", "nests more than"]),
    "a block mapping nested 1,000 deep in station.yaml": (
        lambda p, m: (p / CASE / "station.yaml").write_text("".join(f"{' ' * i}k{i}:\n" for i in range(1000)), encoding="utf-8"),
        VALIDATE, 2, ["station.yaml", "nests more than"]),
    # --- floods: many problems in one file
    "100,000 rows that pass the schema but name an unknown code": (
        lambda p, m: _segments(p, [[f"K01-C1-{i:06d}", "K01-D01", "K01-P01", "0", "5", "t.zz", "C1", ""] for i in range(100_000)]),
        VALIDATE, 2, ["checking stopped after 50 problems; the 99,950 segments"]),
    "100,000 repeated segment ids": (
        lambda p, m: _segments(p, [["K01-C1-0001", "K01-D01", "K01-P01", "0", "5", "t.a", "C1", ""]] * 100_000), VALIDATE, 2,
        ["99,949 more rows repeat an earlier segment_id"]),
    "a header of 40,000 columns": (
        lambda p, m: (p / CASE / "segments.csv").write_text(",".join(f"c{i}" for i in range(40_000)) + "\n", encoding="utf-8"),
        VALIDATE, 2, ["segments.csv, line 1", "40,000 columns"]),
    "500 bad rows in segments.csv": (lambda p, m: _bad_rows(p, 500), VALIDATE, 2, ["checking stopped after", "were not checked"]),
    "100,000 bad rows in segments.csv": (lambda p, m: _bad_rows(p, 100_000), VALIDATE, 2, ["99,9", "were not checked"]),
    # --- tables that read wrong
    "a header naming a column twice": (
        lambda p, m: _segments(p, [r + ["x"] for r in segment_rows()], SEGMENT_HEADER + ["code_id"]), VALIDATE, 2,
        ["segments.csv, line 1", "the column 'code_id' more than once"]),
    "a participants header naming a column twice": (
        lambda p, m: write_csv(p / CASE / "participants.csv", ["participant_id", "actor_type", "gender", "gender", "age_band"],
                               [["K01-P01", "resident", "female", "female", "60-74"]]), VALIDATE, 2, ["'gender' more than once"]),
    "empty header cells": (
        lambda p, m: _segments(p, [r + ["", ""] for r in segment_rows()], SEGMENT_HEADER + ["", ""]), VALIDATE, 2,
        ["empty column names"]),
    "a quote left open in the middle of segments.csv": (
        lambda p, m: _replace(p / CASE / "segments.csv", ",C1,社工站", ',C1,"社工站'), VALIDATE, 2,
        ["segments.csv, line 2", "never closed"]),
    "a quote left open in participants.csv": (
        lambda p, m: (write_csv(p / CASE / "participants.csv", ["participant_id", "actor_type", "role", "gender", "age_band"],
                                [["K01-P01", "resident", "村民", "female", "60-74"], ["K01-P02", "cadre", "x", "male", "45-59"]]),
                      _replace(p / CASE / "participants.csv", ",村民,", ',"村民,')), VALIDATE, 2,
        ["participants.csv, line 2", "never closed"]),
    "a cell over 131,072 characters that does not match": (
        lambda p, m: _replace(p / CASE / "segments.csv", "大家都愿意出来。\n", "大家都愿意出来。" + "啊" * 140_000 + "\n"), VALIDATE, 2,
        ["segments.csv, line 3", "does not match the transcript"]),
    "a file that is not UTF-8": (
        lambda p, m: (p / CASE / "participants.csv").write_bytes("participant_id,actor_type\nK01-P01,村民\n".encode("gbk")),
        VALIDATE, 2, ["participants.csv, line 2", "not UTF-8"]),
    "random bytes for a table": (
        lambda p, m: (p / CASE / "segments.csv").write_bytes(os.urandom(4096)), VALIDATE, 2, ["segments.csv"]),
    "NUL bytes in a table": (
        lambda p, m: (p / CASE / "segments.csv").write_bytes(b"segment_id,document_id\n\x00\x00,\x00\n"), VALIDATE, 2,
        ["segments.csv"]),
    "an empty participants.csv": (
        lambda p, m: (p / CASE / "participants.csv").write_bytes(b""), VALIDATE, 2, ["participants.csv", "empty"]),
    "a participants.csv of a byte-order mark only": (
        lambda p, m: (p / CASE / "participants.csv").write_bytes(b"\xef\xbb\xbf"), VALIDATE, 2, ["participants.csv", "empty"]),
    # --- YAML and headers that read wrong
    "a YAML error in config.yaml": (
        lambda p, m: _replace(p / "config.yaml", "cases:", "cases: [K01\nbroken:"), VALIDATE, 2, ["config.yaml, line", "column"]),
    "a tab in station.yaml's indentation": (
        lambda p, m: (p / CASE / "station.yaml").write_text("station_id: K01\nx:\n\t- 1\n", encoding="utf-8"), VALIDATE, 2,
        ["station.yaml, line 3"]),
    "station.yaml a bare text": (
        lambda p, m: (p / CASE / "station.yaml").write_text("just words\n", encoding="utf-8"), VALIDATE, 2,
        ["station.yaml", "should be a mapping of fields"]),
    "station.yaml a list of 100,000 items": (
        lambda p, m: (p / CASE / "station.yaml").write_text("[" + "1, " * 100_000 + "1]\n", encoding="utf-8"), VALIDATE, 2,
        ["station.yaml", "a list of 100,001 items"]),
    "a transcript header never closed": (
        lambda p, m: (p / CASE / "transcripts/K01-D01.md").write_text("---\nid: K01-D01\n正文\n", encoding="utf-8"), VALIDATE, 2,
        ["K01-D01.md, line 1", "never closed"]),
    "a transcript header that is a list": (
        lambda p, m: (p / CASE / "transcripts/K01-D01.md").write_text("---\n- a\n---\n正文\n", encoding="utf-8"), VALIDATE, 2,
        ["K01-D01.md", "not a mapping"]),
    # --- accepted though wrong
    "a speaker turn for a participant who does not exist": (
        lambda p, m: _append(p / CASE / "transcripts/K01-D01.md", "\n**K01-P77**：我也说两句。\n"), VALIDATE, 2,
        ["K01-D01.md, line 13", "participant 'K01-P77', who is not in participants.csv"]),
    "a speaker turn for a participant not in the header": (
        lambda p, m: (write_csv(p / CASE / "participants.csv", ["participant_id", "actor_type", "gender", "age_band"],
                                [["K01-P01", "resident", "female", "60-74"], ["K01-P02", "cadre", "male", "45-59"]]),
                      _append(p / CASE / "transcripts/K01-D01.md", "\n**K01-P02**：我也说两句。\n")), VALIDATE, 2,
        ["K01-D01.md, line 13", "is not in the header's participants"]),
    "a header-only segments.csv for a document coded by C1 and C2": (
        lambda p, m: (_header(p, "kind: interview", "kind: interview\ncoded_by: [C1, C2]"), _segments(p, [])), VALIDATE, 2,
        ["segments.csv", "lists 'C1' in coded_by, but C1 has no segment", "lists 'C2' in coded_by"]),
    "a coder in coded_by who left no segment": (
        lambda p, m: (_header(p, "kind: interview", "kind: interview\ncoded_by: [C1, C2]"),
                      _segments(p, [r for r in segment_rows() if r[6] == "C1"])), VALIDATE, 2, ["lists 'C2' in coded_by"]),
    "a participant id that is a name in pinyin": (
        lambda p, m: (write_csv(p / CASE / "participants.csv", ["participant_id", "actor_type", "gender", "age_band", "name"],
                                [["K01-P01", "resident", "female", "60-74", "王秀兰"], ["WangXiulan", "cadre", "male", "45-59", ""]])),
        VALIDATE, 2, ["participants.csv, line 3", "K01-P01", "'participant_id'"]),
    "a role that names a participant": (
        lambda p, m: _replace(p / CASE / "participants.csv", ",村民,", ",王秀兰的邻居,"), VALIDATE, 2,
        ["participants.csv, line 2", "K01-P01", "'role'"]),
    # --- REFI-QDA projects built to hurt
    "a 400 MiB attribute in a 400 KB archive": (
        lambda p, m: _streamed_qdpx(p, f'<Project xmlns="{NS}" name="x"><CodeBook><Codes><Code guid="a" name="'.encode(),
                                    b"A" * 2**20, 400, b'"/></Codes></CodeBook></Project>'), _import(), 2,
        ["project.qde", "hold no complete tag"]),
    "40 million empty elements": (
        lambda p, m: _streamed_qdpx(p, f'<Project xmlns="{NS}" name="x"><Notes>'.encode(), b"<a/>" * 250_000, 160,
                                    b"</Notes></Project>"), _import(), 2, ["project.qde", "more than 1,000,000 elements"]),
    "an attribute over the attribute cap": (
        lambda p, m: _qdpx(p, _project_xml('<CodeBook><Codes><Code guid="a" name="' + "A" * 1_000_001 + '"/></Codes></CodeBook>')),
        _import(), 2, ["project.qde, line 1", "holds 1,000,001 characters"]),
    "elements nested 20,000 deep": (
        lambda p, m: _qdpx(p, _project_xml("<a>" * 20_000 + "</a>" * 20_000)), _import(), 2, ["nests elements more than 256"]),
    "a billion-laughs DTD": (
        lambda p, m: _qdpx(p, b'<?xml version="1.0"?><!DOCTYPE P [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;">]><P>&b;</P>'),
        _import(), 2, ["declares a DTD"]),
    "an external entity": (
        lambda p, m: _qdpx(p, b'<?xml version="1.0"?><!DOCTYPE P [<!ENTITY x SYSTEM "file:///etc/passwd">]><P>&x;</P>'),
        _import(), 2, ["declares a DTD"]),
    "a zip-slip member": (
        lambda p, m: _qdpx(p, _project_xml(""), {"../../evil.txt": b"x"}), _import(), 2, ["climbs out"]),
    "an absolute member path": (
        lambda p, m: _qdpx(p, _project_xml(""), {"/etc/evil": b"x"}), _import(), 2, ["absolute path"]),
    "a zip bomb beyond --max-mib": (
        lambda p, m: _qdpx(p, _project_xml("<Notes>" + " " * (3 * 2**20) + "</Notes>")), _import("in.qdpx", "--max-mib", "1"), 2,
        ["decompresses to more than"]),
    "more members than --max-members": (
        lambda p, m: _qdpx(p, _project_xml(""), {f"sources/{i}.txt": b"x" for i in range(20)}),
        _import("in.qdpx", "--max-members", "5"), 2, ["more than the cap of 5"]),
    "a truncated archive": (
        lambda p, m: (_qdpx(p, _project_xml(""), {"sources/a.txt": os.urandom(20_000)}),
                      (p / "in.qdpx").write_bytes((p / "in.qdpx").read_bytes()[:10_000])), _import(), 2, ["damaged or truncated"]),
    "a file that is not a zip archive": (
        lambda p, m: (p / "in.qdpx").write_text("<Project/>", encoding="utf-8"), _import(), 2, ["not a zip archive"]),
    "an archive without project.qde": (
        lambda p, m: _qdpx(p, None, {"sources/a.txt": b"x"}), _import(), 2, ["in.qdpx"]),
    "XML that is not well formed": (
        lambda p, m: _qdpx(p, b"<Project><unclosed></Project>"), _import(), 2, ["not well formed"]),
    "an import file that is a folder": (lambda p, m: (p / "in.qdpx").mkdir(), _import(), 2, ["in.qdpx"]),
    # --- spreadsheets of coded segments
    "a spreadsheet over the row cap": (
        lambda p, m: (m.setattr(analysis.exchange.spreadsheet, "MAX_ROWS", 1000),
                      write_csv(p / "coded.csv", ["Document", "Code", "Segment"], [["K01-D01", "t.a", "x"]] * 2000)),
        ["import-segments", "coded.csv", "--case", "K01", "--coder", "C1"], 2, ["coded.csv", "more than 1,000 rows"]),
    "a workbook over the row cap": (
        lambda p, m: (m.setattr(analysis.exchange.spreadsheet, "MAX_ROWS", 1000), _workbook(p / "coded.xlsx", 3000)),
        ["import-segments", "coded.xlsx", "--case", "K01", "--coder", "C1"], 2, ["coded.xlsx", "more than 1,000 rows"]),
    "a small workbook that declares 16,384 columns": (
        lambda p, m: _wide_workbook(p / "coded.xlsx"), ["import-segments", "coded.xlsx", "--case", "K01", "--coder", "C1"], 2,
        ["coded.xlsx", "more rows have problems like these"]),
    "a spreadsheet that is a link to /dev/urandom": (
        lambda p, m: _symlink(p / "coded.csv", "/dev/urandom"), ["import-segments", "coded.csv", "--case", "K01"], 2,
        ["coded.csv", "not an ordinary file"]),
    "an xlsx that is not a workbook": (
        lambda p, m: (p / "coded.xlsx").write_bytes(b"PK\x03\x04 not really"), ["import-segments", "coded.xlsx", "--case", "K01"],
        2, ["coded.xlsx", "cannot be read as an Excel workbook"]),
    "a spreadsheet over the size cap": (
        lambda p, m: (m.setitem(analysis.inputs.io.MAX_BYTES, "table", 100),
                      write_csv(p / "coded.csv", ["Document", "Code", "Segment"], [["K01-D01", "t.a", "x" * 200]])),
        ["import-segments", "coded.csv", "--case", "K01", "--coder", "C1"], 2, ["coded.csv", "larger"]),
    # --- exports whose name sources cannot be read
    "export with another case's participants.csv not UTF-8": (
        lambda p, m: ((p / "data/cases/K02").mkdir(), (p / "data/cases/K02/participants.csv").write_bytes("participant_id,name\nX,王\n".encode("gbk"))),
        ["export-qdpx", "--case", "K01", "--out", "out.qdpx"], 2, ["data/cases/K02/participants.csv", "confidential names"]),
    "export with another case's participants.csv unreadable": (
        lambda p, m: ((p / "data/cases/K02").mkdir(), (p / "data/cases/K02/participants.csv").write_text("participant_id\nX\n"),
                      _unreadable(m, p / "data/cases/K02/participants.csv")),
        ["export-qdpx", "--case", "K01", "--out", "out.qdpx"], 2, ["data/cases/K02/participants.csv", "permission denied"]),
    "export of a case whose transcript is a device": (
        lambda p, m: _symlink(p / CASE / "transcripts/K01-D09.md", "/dev/urandom"),
        ["export-qdpx", "--case", "K01", "--out", "out.qdpx"], 2, ["K01-D09.md", "not an ordinary file"]),
    # --- the statistics commands' own files
    "reliability ratings with a duplicated column": (
        lambda p, m: (p / "r.csv").write_text("unit,coder,value,value\n1,a,1,1\n", encoding="utf-8"),
        ["reliability", "r.csv"], 2, ["r.csv, line 1", "'value' more than once"]),
    "QCA data with a quote left open": (
        lambda p, m: (p / "q.csv").write_text('case,A,Y\nc1,"1,1\nc2,0,0\nc3,1,1\n', encoding="utf-8"),
        ["qca", "q.csv", "--outcome", "Y", "--conditions", "A"], 2, ["q.csv, line 2", "never closed"]),
    "reliability ratings from a device": (
        lambda p, m: _symlink(p / "r.csv", "/dev/zero"), ["reliability", "r.csv"], 2, ["r.csv", "not an ordinary file"]),
}


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            digest.update(str(path).encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_gets_a_clear_message(project, capsys, monkeypatch, name):
    mutate, command, status, fragments = CASES[name]
    mutate(project, monkeypatch)
    before = _digest(project / "data")
    monkeypatch.chdir(project)  # the import and export commands take paths relative to the project
    code = main(["--root", str(project), *command])
    out, err = capsys.readouterr()
    assert code == status, err or out
    assert "Traceback" not in out + err
    for fragment in fragments:
        assert fragment in err, err[:3000]
    assert "fix:" in err
    assert len(err) < 60_000, f"{len(err):,} characters of messages"
    assert _digest(project / "data") == before, "the command changed the raw data"
    assert not (project / "data/cases/H01").exists() and not (project / "out.qdpx").exists()


def test_a_long_cell_is_read_in_full(project, capsys):
    """csv's default cell limit (131,072 characters) stopped validate with a traceback; a long memo is fine."""
    path = project / CASE / "segments.csv"
    rows = [r + [""] for r in segment_rows()]
    rows[0][-1] = "备注" * 70_000
    write_csv(path, SEGMENT_HEADER + ["memo"], rows)
    assert main(["--root", str(project), "validate"]) == 0, capsys.readouterr().err


def test_the_problems_of_one_file_are_capped_and_counted(project, capsys):
    from analysis.inputs.problems import MAX_PER_FILE

    _segments(project, [[f"K01-C1-{i:04d}", "K01-D01", "K01-P01", "0", "5", "t.zz", "C1", ""] for i in range(300)])
    assert main(["--root", str(project), "validate"]) == 2
    err = capsys.readouterr().err
    shown = err.count("segments.csv, line")
    assert shown <= MAX_PER_FILE + 1 and "checking stopped after 50 problems; the 250 segments" in err


def test_an_unreadable_transcripts_folder_is_one_problem(project, monkeypatch):
    from test_validate import problems_of

    _unreadable(monkeypatch, project / CASE / "transcripts")
    problems = problems_of(project)
    assert [p.what for p in problems] == ["the folder cannot be read (permission denied)"]


def test_a_duplicated_header_is_named_not_reported_as_overlaps(project):
    from test_validate import problems_of

    _segments(project, [r + [r[5]] for r in segment_rows()], SEGMENT_HEADER + ["code_id"])
    problems = problems_of(project)
    assert len(problems) == 1 and "more than once" in problems[0].what


def test_a_config_yaml_error_reaches_the_workflow_with_its_line(tmp_path):
    """The workflow printed only Snakemake's generic "not valid JSON or YAML"."""
    import subprocess
    import sys

    from conftest import ROOT

    (tmp_path / "config.yaml").write_text("cases: [S01\nlabels: zh\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-c", "from analysis.inputs.io import exit_on_unreadable_config as f; f('config.yaml')"],
                         cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 1
    assert "config.yaml, line 2, column" in run.stderr and "does not parse" in run.stderr
    assert "Traceback" not in run.stderr


def test_snakemake_itself_reports_a_config_yaml_error_with_its_line(tmp_path):
    """The same, through the workflow: the Snakefile reads config.yaml before Snakemake does."""
    import shutil
    import subprocess
    import sys

    from conftest import ROOT

    shutil.copyfile(ROOT / "Snakefile", tmp_path / "Snakefile")
    (tmp_path / "config.yaml").write_text("study:\n  title_zh: x\ncases: [S01\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "snakemake", "-n", "--cores", "1"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 1
    assert "config.yaml, line 4, column 1: the YAML does not parse" in run.stderr, run.stderr[-2000:]
    assert "Traceback" not in run.stderr and "not valid JSON or YAML" not in run.stderr


# --- formula text in what the project writes ------------------------------------------------------------

def test_formula_cells_are_neutralised_in_written_csv_and_kept_raw_in_parquet(tmp_path):
    import pandas as pd

    from analysis.inputs.io import read_table
    from analysis.inputs.writers import write_csv as write_project_csv

    frame = pd.DataFrame({"text": ["=cmd|' /C calc'!A0", "@SUM(1+1)", "=HYPERLINK(\"http://x\")", "+1-1", "-0.5", "plain"],
                          "n": [1, 2, 3, 4, 5, 6]})
    write_project_csv(frame, tmp_path / "t.csv")
    written = (tmp_path / "t.csv").read_text(encoding="utf-8")
    assert "'=cmd" in written and "'@SUM" in written and "'=HYPERLINK" in written and "'+1-1" in written
    assert "\n-0.5," in written  # a number stays a number
    back = read_table(tmp_path / "t.csv", [])
    assert back["text"].tolist() == frame["text"].tolist()  # the project's own reader undoes the protection
    frame.to_parquet(tmp_path / "t.parquet")
    assert pd.read_parquet(tmp_path / "t.parquet")["text"].iloc[0] == "=cmd|' /C calc'!A0"


def test_imported_formula_text_is_written_protected_and_still_validates(project, capsys):
    body = (project / CASE / "transcripts/K01-D01.md").read_text(encoding="utf-8")
    _replace(project / CASE / "transcripts/K01-D01.md", "大家都愿意出来。", "=SUM(A1)大家都愿意出来。")
    write_csv(project / "coded.csv", ["Document", "Code", "Segment", "Comment"],
              [["K01-D01", "t.b", "=SUM(A1)大家都愿意出来。", "@cmd memo"]])
    _segments(project, [r for r in segment_rows() if r[5] == "t.a"])
    assert main(["--root", str(project), "import-segments", str(project / "coded.csv"), "--case", "K01", "--coder", "C1",
                 "--append"]) == 0, \
        capsys.readouterr().err
    written = (project / CASE / "segments.csv").read_text(encoding="utf-8")
    assert ",'=SUM(A1)大家都愿意出来。," in written and ",'@cmd memo" in written
    assert main(["--root", str(project), "validate"]) == 0, capsys.readouterr().err
    assert body  # the transcript was edited above, not the segments' text


def test_a_link_out_of_the_project_is_refused_whatever_the_root_is_called(project, capsys):
    """``--root proj/../proj`` once let a transcript linked out of the project through."""
    _outside_file(project)
    roundabout = project.parent / project.name / ".." / project.name
    assert main(["--root", str(roundabout), "validate"]) == 2
    assert "leads out of the project" in capsys.readouterr().err


def test_recover_releases_a_lock_when_only_another_program_names_snakemake(tmp_path, capsys):
    """A `tail` of Snakemake's log running in the folder is not a Snakemake that holds the lock."""
    import subprocess

    (tmp_path / ".snakemake/locks").mkdir(parents=True)
    (tmp_path / ".snakemake/log").mkdir()
    (tmp_path / ".snakemake/locks/0.input.lock").write_text("x")
    (tmp_path / ".snakemake/log/run.snakemake.log").write_text("x")
    tail = subprocess.Popen(["tail", "-f", ".snakemake/log/run.snakemake.log"], cwd=tmp_path, stdout=subprocess.DEVNULL)
    try:
        assert main(["--root", str(tmp_path), "recover"]) == 0, capsys.readouterr().err
    finally:
        tail.kill()
    assert not any((tmp_path / ".snakemake/locks").iterdir())
    assert "its lock is released" in capsys.readouterr().out


def test_recover_leaves_the_lock_of_a_running_snakemake(tmp_path, capsys):
    import subprocess
    import sys
    import time

    (tmp_path / ".snakemake/locks").mkdir(parents=True)
    (tmp_path / ".snakemake/locks/0.input.lock").write_text("x")
    (tmp_path / "snakemake.py").write_text("import time\ntime.sleep(60)\n")  # `python -m snakemake` here runs this
    running = subprocess.Popen([sys.executable, "-m", "snakemake", "--cores", "2"], cwd=tmp_path)
    try:
        time.sleep(0.5)
        assert main(["--root", str(tmp_path), "recover"]) == 2
    finally:
        running.kill()
        running.wait()
    assert "a Snakemake process is running in this folder" in capsys.readouterr().err
    assert (tmp_path / ".snakemake/locks/0.input.lock").exists()


def test_millions_of_character_references_take_the_memory_of_their_text(tmp_path):
    """Each &#27431; reaches the parser as its own piece of text: 500 MiB of them once took 5.9 GB."""
    import subprocess
    import sys

    path = _streamed_qdpx(tmp_path, f'<Project xmlns="{NS}" name="x"><Notes><Note guid="n1"><PlainTextContent>'.encode(),
                          b"&#27431;" * 2**20, 16, b"</PlainTextContent></Note></Notes></Project>")
    # The probe's own peak is VmHWM, the high-water mark of its memory since exec. Not ru_maxrss: Linux
    # keeps in it the peak of the image exec replaced, which after subprocess's vfork is this pytest
    # process (729 MiB late in a full run, 90 alone).
    probe = ("import re, sys\n"
             "from analysis.exchange.qdpx_safety import open_archive, parse_xml\n"
             "with open_archive(sys.argv[1]) as a:\n"
             "    root = parse_xml(a.stream('project.qde'), 'p')\n"
             "text = root.first('Notes').first('Note').first('PlainTextContent').text\n"
             "status = open('/proc/self/status').read()\n"
             "print(len(text), int(re.search(r'VmHWM:\\s+(\\d+) kB', status).group(1)) // 1024)\n")
    run = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    chars, peak_mib = map(int, run.stdout.split())
    assert chars == 16 * 2**20
    assert peak_mib < 700, f"{peak_mib} MiB for 16 million characters"


def test_an_import_of_many_sources_prints_a_bounded_summary(project, capsys):
    """40,000 sources took 34 s (a quadratic check) and printed 5 MB; non-text sources one line each."""
    from conftest import BODY

    sources = "".join(f'<PDFSource guid="{i:08d}-0000-0000-0000-000000000000" name="scan {i}"/>' for i in range(5000))
    text = (f'<TextSource guid="aaaaaaaa-0000-0000-0000-000000000000" name="K09-D01">'
            f"<PlainTextContent>{BODY}</PlainTextContent></TextSource>")
    _qdpx(project, _project_xml(f"<Sources>{text}{sources}</Sources>"))
    assert main(["--root", str(project), "import-qdpx", str(project / "in.qdpx"), "--case", "K09",
                 "--dest", str(project / "scratch")]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert len(out.splitlines()) < 80 and "sources left out: 5,000, holding 0 coding(s)" in out and "and 4,980 more" in out
    todo = (project / "scratch/K09/TODO.md").read_text(encoding="utf-8")
    assert "5,000 PDFSource(s) left out with their 0 coding(s)" in todo and len(todo.splitlines()) < 40


def test_formula_protection_does_not_pile_up_over_imports_and_round_trips(project, capsys):
    """Each import-segments run, and each export -> import-qdpx --update cycle, added one more apostrophe."""
    _replace(project / CASE / "transcripts/K01-D01.md", "大家都愿意出来。", "=SUM(A1)大家都愿意出来。")
    _segments(project, [r for r in segment_rows() if r[5] == "t.a"])
    for code in ("t.b", "b.x"):
        write_csv(project / "coded.csv", ["Document", "Code", "Segment", "Comment"],
                  [["K01-D01", code, "=SUM(A1)大家都愿意出来。", "@memo"]])
        assert main(["--root", str(project), "import-segments", str(project / "coded.csv"), "--case", "K01", "--coder", "C1",
                     "--append"]) == 0, capsys.readouterr().err
    written = (project / CASE / "segments.csv").read_text(encoding="utf-8")
    assert written.count(",'=SUM(A1)") == 2 and "''" not in written
    assert main(["--root", str(project), "validate"]) == 0, capsys.readouterr().err
    exported = project / "K01.qdpx"
    for _ in range(2):
        assert main(["--root", str(project), "export-qdpx", "--case", "K01", "--out", str(exported)]) == 0, capsys.readouterr().err
        assert main(["--root", str(project), "import-qdpx", str(exported), "--case", "K01", "--update"]) == 0, \
            capsys.readouterr().err
    again = (project / CASE / "segments.csv").read_text(encoding="utf-8")
    assert "''" not in again and again.count(",'@memo") == 2
    assert main(["--root", str(project), "validate"]) == 0, capsys.readouterr().err
