"""``casebook import-segments``: coded segments from a QDA spreadsheet into a case's segments.csv.

Every expected offset is computed here from the transcript body with Python's
``str.index`` (the module searches with its own loop), and every spreadsheet is
written the way the programs write theirs: MAXQDA's "Coded segments" columns
(Document name, Code, Segment, Begin, End, Created by, Comment), ATLAS.ti's
several codes in one cell, a workbook with more than one worksheet. Each test
works on a temporary copy of the tiny project of ``conftest.py``.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
import yaml

from analysis.cli.commands import main
from analysis.inputs.schemas import load_schemas
from analysis.inputs.validate import validate_project
from conftest import BODY, ROOT

CASE = Path("data/cases/K01")
# A second interview in which one sentence comes three times; written with CRLF line ends.
D02 = ("**访谈者**：大家怎么看？\n\n**K01-P01**：社工站很好。我们都说社工站很好。\n\n"
       "**访谈者**：还有呢？\n\n**K01-P01**：社工站很好，就是人少。\n")
REPEATED = "社工站很好"
MAXQDA = ["Color", "Document name", "Code", "Segment", "Begin", "End", "Created by", "Comment"]


@pytest.fixture
def proj(project: Path) -> Path:
    header = "---\nid: K01-D02\nparticipants: [K01-P01]\ndate: 2021-06-08\ninterviewer: I1\nkind: interview\n---\n"
    (project / CASE / "transcripts" / "K01-D02.md").write_bytes((header + D02).replace("\n", "\r\n").encode("utf-8"))
    return project


def nth(body: str, text: str, n: int = 0) -> tuple[int, int]:
    """Offsets of the n-th occurrence (0-based) of ``text``, by str.index."""
    k = -1
    for _ in range(n + 1):
        k = body.index(text, k + 1)
    return k, k + len(text)


def maxqda_rows(rows: list[dict]) -> list[list]:
    return [["", r.get("doc", ""), r.get("code", ""), r.get("text", ""), r.get("begin", ""), r.get("end", ""),
             r.get("coder", ""), r.get("memo", "")] for r in rows]


def write_csv_file(path: Path, header: list[str], rows: list[list], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as out:
        csv.writer(out).writerows([header, *rows])  # Excel's CSV: CRLF row ends
    return path


def run(project: Path, capsys, *args: str) -> tuple[int, str, str]:
    code = main(["--root", str(project), "import-segments", *map(str, args), "--case", "K01"])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def segments(project: Path) -> dict[str, dict]:
    with (project / CASE / "segments.csv").open(encoding="utf-8", newline="") as f:
        return {r["segment_id"]: r for r in csv.DictReader(f)}


def set_import(project: Path, spec: dict) -> None:
    config = yaml.safe_load((project / "config.yaml").read_text(encoding="utf-8"))
    config["import"] = {"spreadsheet": spec}
    (project / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")


def problems(project: Path) -> list:
    config = yaml.safe_load((project / "config.yaml").read_text(encoding="utf-8"))
    return validate_project(project, config, "config.yaml", load_schemas(ROOT / "workflow" / "schemas"))[1]


def snapshot(project: Path) -> dict[str, bytes]:
    folder = project / CASE
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------------------- placing segments


def test_csv_text_is_located_and_speakers_come_from_the_turns(proj, tmp_path, capsys):
    spans_two_turns = "我们都说社工站很好。\r\n\r\n**访谈者**：还有呢？"
    sheet = write_csv_file(tmp_path / "coded segments.csv", MAXQDA, maxqda_rows([
        {"doc": "K01-D01.txt", "code": "t.b label", "text": "  社工站来了以后，村里热闹多了。 ", "coder": "C2", "memo": "备注"},
        {"doc": "K01-D01", "code": "t.alabel", "text": "您好", "coder": "C2"},
        {"doc": "k01-d02", "code": "t.a", "text": spans_two_turns, "coder": "c2"},
    ]))
    code, out, _ = run(proj, capsys, sheet, "--append")
    assert code == 0
    assert "rows read: 3" in out and "located by text: 3" in out and "placed by offsets: 0" in out
    assert "left empty: spans more than one speaker turn: 1; the interviewer's turn: 1" in out
    rows = segments(proj)
    d01, d02 = nth(BODY, "社工站来了以后，村里热闹多了。"), nth(D02, spans_two_turns.replace("\r\n", "\n"))
    new = {k: (r["document_id"], r["participant_id"], int(r["start"]), int(r["end"]), r["code_id"], r["coder_id"], r["memo"])
           for k, r in rows.items() if k not in ("K01-C1-0001", "K01-C1-0002", "K01-C2-0001")}
    assert new == {
        "K01-C2-0002": ("K01-D01", "", *nth(BODY, "您好"), "t.a", "C2", ""),
        "K01-C2-0003": ("K01-D01", "K01-P01", *d01, "t.b", "C2", "备注"),
        "K01-C2-0004": ("K01-D02", "", *d02, "t.a", "C2", ""),
    }
    assert rows["K01-C2-0004"]["text"] == D02[d02[0]:d02[1]]
    assert list(rows) == ["K01-C1-0001", "K01-C1-0002", "K01-C2-0002", "K01-C2-0001", "K01-C2-0003", "K01-C2-0004"]
    assert problems(proj) == []


def test_xlsx_offsets_one_based_with_the_end_inclusive(proj, tmp_path, capsys):
    from openpyxl import Workbook

    set_import(proj, {"columns": {"document": "Doc", "code": "Kode", "start": "Von", "end": "Bis", "text": "Zitat"},
                      "offsets": {"base": 1, "end": "inclusive"}, "sheet": "Codings"})
    second, short = nth(D02, REPEATED, 1), nth(D02, "就是人少")
    book = Workbook()
    book.active.title = "Info"
    book.active.append(["exported by a QDA program"])
    sheet = book.create_sheet("Codings")
    sheet.append(["Doc", "Kode", "Von", "Bis", "Zitat"])
    sheet.append([None])
    sheet.append(["K01-D02", "t.b", second[0] + 1, second[1], REPEATED])  # repeated text: the offsets decide
    sheet.append(["K01-D02", "t.b", short[0] + 1, short[1], None])     # offsets only
    path = tmp_path / "codings.xlsx"
    book.save(path)
    code, _, err = run(proj, capsys, path, "--coder", "C1", "--append", "--sheet", "Codngs")
    assert code == 2 and "the workbook has no worksheet 'Codngs'" in err and "closest: Codings" in err
    code, out, _ = run(proj, capsys, path, "--coder", "C1", "--append")
    assert code == 0 and "placed by offsets: 2" in out and "counted from 1, end inclusive" in out
    got = {(int(r["start"]), int(r["end"]), r["participant_id"], r["text"]) for r in segments(proj).values() if r["document_id"] == "K01-D02"}
    assert got == {(*second, "K01-P01", REPEATED), (*short, "K01-P01", "就是人少")}


def test_offsets_in_another_convention_are_named_with_the_one_that_fits(proj, tmp_path, capsys):
    set_import(proj, {"offsets": {"base": 1, "end": "inclusive"}})
    k, e = nth(D02, "就是人少")
    sheet = write_csv_file(tmp_path / "s.csv", MAXQDA, maxqda_rows([
        {"doc": "K01-D02", "code": "t.a", "text": "就是人少", "begin": k, "end": e, "coder": "C1"}]))
    before = snapshot(proj)
    code, _, err = run(proj, capsys, sheet, "--append")
    assert code == 2
    assert "s.csv, line 2: the text does not match document K01-D02 at the offsets" in err
    assert "fit if they count from 0 with the end exclusive" in err
    assert snapshot(proj) == before


def test_paragraph_numbers_given_as_character_offsets_are_recognised(proj, tmp_path, capsys):
    line = D02[:D02.index("就是人少")].count("\n") + 1  # MAXQDA's Begin and End: the paragraph
    sheet = write_csv_file(tmp_path / "s.csv", MAXQDA, maxqda_rows([
        {"doc": "K01-D02", "code": "t.a", "text": "就是人少", "begin": line, "end": line, "coder": "C1"}]))
    code, _, err = run(proj, capsys, sheet, "--append")
    assert code == 2 and "offsets.unit: paragraphs" in err


def test_ambiguous_and_missing_text_are_errors_and_nothing_is_written(proj, tmp_path, capsys):
    sheet = write_csv_file(tmp_path / "s.csv", MAXQDA, maxqda_rows([
        {"doc": "K01-D02", "code": "t.a", "text": REPEATED, "coder": "C2"},
        {"doc": "K01-D02", "code": "t.a", "text": "社工站不好", "coder": "C2"},
        {"doc": "K01-D02", "code": "t.b", "text": "社工站很好，就是 人少", "coder": "C2"},
        {"doc": "K01-D01", "code": "t.b", "text": "您好", "coder": "C2"},
    ]))
    before = snapshot(proj)
    code, out, err = run(proj, capsys, sheet, "--append")
    assert code == 2 and out == ""
    starts = ", ".join(f"{a}-{b}" for a, b in (nth(D02, REPEATED, i) for i in range(3)))
    assert f"line 2: the text occurs 3 times in document K01-D02 (at {starts})" in err
    assert "line 3: the text is not found in document K01-D02" in err
    assert f"line 4: the text is not found in document K01-D02 (11 characters); it occurs at {nth(D02, '社工站很好，就是人少')[0]} " \
           "when spaces and line breaks are ignored" in err
    assert REPEATED not in err  # the transcripts' words are never quoted
    assert snapshot(proj) == before  # segments.csv unchanged, no temporary file left


def test_the_order_of_the_rows_chooses_among_repeats_and_says_so(proj, tmp_path, capsys):
    sheet = write_csv_file(tmp_path / "s.csv", MAXQDA, maxqda_rows([
        {"doc": "K01-D02", "code": "t.a", "text": "大家怎么看", "coder": "C2"},
        {"doc": "K01-D02", "code": "t.b", "text": REPEATED, "coder": "C2"},
        {"doc": "K01-D02", "code": "t.a", "text": "我们都说", "coder": "C2"},
    ]))
    code, out, _ = run(proj, capsys, sheet, "--append")
    first = nth(D02, REPEATED, 0)
    assert code == 0 and f"line 3: the text occurs 3 times in K01-D02; chose {first[0]}-{first[1]}" in out
    assert {(int(r["start"]), int(r["end"])) for r in segments(proj).values() if r["code_id"] == "t.b" and r["document_id"] == "K01-D02"} == {first}


@pytest.mark.parametrize("unit, occurrence", [("approximate", 2), ("paragraphs", 2), ("approximate", 1)])
def test_a_position_hint_chooses_among_repeats(proj, tmp_path, capsys, unit, occurrence):
    set_import(proj, {"offsets": {"unit": unit}})
    k, e = nth(D02, REPEATED, occurrence)
    hint = (k + 2, e + 3) if unit == "approximate" else (D02[:k].count("\n") + 1,) * 2  # a position a little off; the line
    sheet = write_csv_file(tmp_path / "s.csv", MAXQDA, maxqda_rows([
        {"doc": "K01-D02", "code": "t.a", "text": REPEATED, "begin": hint[0], "end": hint[1], "coder": "C2"}]))
    code, out, _ = run(proj, capsys, sheet, "--append")
    assert code == 0 and f"chose {k}-{e}" in out
    assert [(int(r["start"]), int(r["end"])) for r in segments(proj).values() if r["document_id"] == "K01-D02"] == [(k, e)]


# ---------------------------------------------------------------------------- names and merging


def test_unknown_code_document_and_coder_are_named_with_the_closest(proj, tmp_path, capsys):
    sheet = write_csv_file(tmp_path / "s.csv", MAXQDA, maxqda_rows([
        {"doc": "K01-D01", "code": "t.aa", "text": "您好", "coder": "C2"},
        {"doc": "K01-D02", "code": "t.aa", "text": "就是人少", "coder": "C2"},
        {"doc": "K01-D1", "code": "t.a", "text": "您好", "coder": "C2"},
        {"doc": "K01-D01", "code": "t.b", "text": "您好", "coder": "C3"},
    ]))
    before = snapshot(proj)
    code, _, err = run(proj, capsys, sheet, "--append")
    assert code == 2
    assert "s.csv, lines 2, 3: the code 't.aa' is not in the codebook" in err and "(closest: t.a)" in err
    assert "s.csv, line 4: the document 'K01-D1' is not a transcript of this case" in err and "(closest: K01-D01)" in err
    assert "s.csv, line 5: the coder 'C3' is not in coders.known" in err and "(closest: C" in err
    assert snapshot(proj) == before


def test_append_refuses_an_exact_duplicate_and_replace_replaces_the_coders_rows(proj, tmp_path, capsys):
    a = nth(BODY, "社工站来了以后，村里热闹多了。")  # K01-C1-0001 codes this span with t.a
    sheet = write_csv_file(tmp_path / "s.csv", MAXQDA, maxqda_rows([
        {"doc": "K01-D01", "code": "t.a", "text": BODY[a[0]:a[1]], "begin": a[0], "end": a[1], "coder": "C1"},
        {"doc": "K01-D02", "code": "t.b", "text": "就是人少", "coder": "C1"}]))
    before = snapshot(proj)
    code, _, err = run(proj, capsys, sheet)
    assert code == 2 and "already holds segments of the coder(s) being imported (C1: 2)" in err and "--replace" in err
    code, _, err = run(proj, capsys, sheet, "--append")
    assert code == 2 and "line 2: the segment repeats segment K01-C1-0001 (line 2 of data/cases/K01/segments.csv)" in err
    assert snapshot(proj) == before
    code, out, _ = run(proj, capsys, sheet, "--replace")
    assert code == 0 and "2 existing segment(s) of the same coder(s) replaced; the file now holds 3" in out
    rows = segments(proj)
    assert sorted((r["segment_id"], r["code_id"], r["document_id"]) for r in rows.values()) == [
        ("K01-C1-0001", "t.a", "K01-D01"), ("K01-C1-0002", "t.b", "K01-D02"), ("K01-C2-0001", "t.a", "K01-D01")]
    assert problems(proj) == []


def test_several_codes_in_a_cell_code_paths_and_codes_mapped_to_nothing(proj, tmp_path, capsys):
    set_import(proj, {"columns": {"document": "Document", "code": "Codes", "text": "Quotation Content"},
                      "codes": {"Memo": None, "Anything else": "b.x"}})
    header = ["ID", "Document", "Codes", "Quotation Content", "Created by"]
    sheet = write_csv_file(tmp_path / "quotations.csv", header, [
        ["1:1", "K01-D02", "t.a\nt.b", "大家怎么看", "C2"],           # ATLAS.ti: one code per line
        ["1:2", "K01-D02", "tlabel\\t.blabel", "就是人少", "C2"],     # MAXQDA: Parent\Child
        ["1:3", "K01-D02", "Memo", "还有呢", "C2"],                   # mapped to nothing: skipped
        ["1:4", "K01-D02", "", "我们都说", "C2"],                      # no code: skipped
        ["1:5", "K01-D02", "anything ELSE", "社工站很好，", "C2"],
    ])
    code, out, _ = run(proj, capsys, sheet, "--append")
    assert code == 0  # a CSV row is named by the line it starts on: the first row's cell holds two lines
    assert "skipped: 2 (every code mapped to nothing in the configuration: line 5; no code: line 6)" in out
    got = sorted((r["code_id"], D02[int(r["start"]):int(r["end"])]) for r in segments(proj).values() if r["document_id"] == "K01-D02")
    assert got == [("b.x", "社工站很好，"), ("t.a", "大家怎么看"), ("t.b", "大家怎么看"), ("t.b", "就是人少")]


def test_missing_columns_and_files_that_are_not_spreadsheets(proj, tmp_path, capsys):
    sheet = write_csv_file(tmp_path / "s.csv", ["Document name", "Segment"], [["K01-D01", "您好"]])
    code, _, err = run(proj, capsys, sheet, "--coder", "C2")
    assert code == 2 and "no code column was found" in err and "the header is: Document name, Segment" in err
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    code, _, err = run(proj, capsys, tmp_path / "old.xls")
    assert code == 2 and "old-style Excel" in err
    gbk = write_csv_file(tmp_path / "gbk.csv", MAXQDA, maxqda_rows([{"doc": "K01-D01", "code": "t.a", "text": "您好"}]), "gb18030")
    code, _, err = run(proj, capsys, gbk, "--coder", "C2")
    assert code == 2 and "not UTF-8" in err and "iconv -f GB18030" in err
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really")
    code, _, err = run(proj, capsys, tmp_path / "broken.xlsx", "--coder", "C2")
    assert code == 2 and "cannot be read as an Excel workbook" in err


def test_one_coder_for_rows_of_several_is_refused(proj, tmp_path, capsys):
    sheet = write_csv_file(tmp_path / "s.csv", MAXQDA, maxqda_rows([
        {"doc": "K01-D02", "code": "t.a", "text": "就是人少", "coder": "Anna"},
        {"doc": "K01-D02", "code": "t.b", "text": "还有呢", "coder": "Wang"}]))
    code, _, err = run(proj, capsys, sheet, "--coder", "C2", "--append")
    assert code == 2 and "the rows name 2 coders (Anna, Wang) but --coder gives C2 for all of them" in err


def test_a_coding_exported_as_text_comes_back_byte_for_byte(tmp_path, capsys):
    """S01's second coder, as MAXQDA lists coded segments (text only, file names with .txt), replaces itself."""
    root = tmp_path / "repo"
    for rel in ("config.yaml", "data/codebook.yaml", "data/cases/S01"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if (ROOT / rel).is_dir() else shutil.copyfile)(ROOT / rel, root / rel)
    shutil.copytree(ROOT / "workflow" / "schemas", root / "workflow" / "schemas")
    original = (root / "data/cases/S01/segments.csv").read_bytes()
    with (root / "data/cases/S01/segments.csv").open(encoding="utf-8", newline="") as f:
        coded = [r for r in csv.DictReader(f) if r["coder_id"] == "C2"]
    sheet = write_csv_file(tmp_path / "c2.csv", MAXQDA, maxqda_rows(
        [{"doc": f"{r['document_id']}.txt", "code": r["code_id"], "text": r["text"], "coder": "C2"} for r in coded]))
    code = main(["--root", str(root), "import-segments", str(sheet), "--case", "S01", "--replace"])
    out = capsys.readouterr().out
    assert code == 0 and f"located by text: {len(coded)}" in out and len(coded) > 40
    assert (root / "data/cases/S01/segments.csv").read_bytes() == original
