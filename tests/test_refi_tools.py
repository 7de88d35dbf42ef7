"""REFI-QDA projects as particular tools write them (issue: real projects from every QDA tool).

Each fixture is written here from the REFI-QDA project schema (tests/reference/REFI-QDA-Project.xsd)
to reproduce what a tool's export holds: the qualitative-coding (qc) tool's relative
``plainTextPath``, an ATLAS.ti project with media sources and a text missing from the archive.
The helpers come from tests/test_refi.py.
"""

from __future__ import annotations

import csv
import io

import pytest

from analysis.inputs.problems import InputError
from test_refi import (ANNA, SOCIAL, WANG, attrs, coding, guid, qde_xml, run_import, segments, selection, text_source,
                       write_qdpx)

BOARD = "董事会会议记录：社工站汇报了本季度的服务。\n村民代表认为服务很有用。\n"


def _span(text: str, sub: str) -> tuple[int, int]:
    k = text.index(sub)
    return k, k + len(sub)


def _with_codes(qde: str, codes: str) -> str:
    """A project.qde whose CodeBook is replaced by ``codes`` (a whole <CodeBook> element)."""
    return qde.replace(qde[qde.index("<CodeBook>"):qde.index("</CodeBook>") + len("</CodeBook>")], codes)


def _segments_file(path) -> list[dict]:

    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _write_segments(path, rows: list[dict]) -> None:

    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


# ---------------------------------------------------------------------------- qc: a relative plainTextPath


@pytest.mark.parametrize("folder", ["sources", "Sources"])
def test_a_relative_plain_text_path_is_found_in_the_sources_folder(tmp_path, folder):
    sel = selection(11, _span(BOARD, "服务很有用"), [coding(21, SOCIAL, ANNA)])
    src = text_source(10, "board_2017", [sel], path="board_2017.txt")
    path = write_qdpx(tmp_path / "qc.qdpx", qde_xml("qualitative-coding", [src]),
                      {f"{folder}/board_2017.txt": BOARD.encode("utf-8")})
    rows = segments(run_import(path))
    assert [r["text"] for r in rows] == ["服务很有用"]


@pytest.mark.parametrize("where", ["../board_2017.txt", "/etc/board_2017.txt", "C:\\board_2017.txt",
                                   "file:///board_2017.txt"])
def test_a_path_that_leaves_the_archive_is_still_refused(tmp_path, where):
    src = text_source(10, "board_2017", [], path=where)
    path = write_qdpx(tmp_path / "out.qdpx", qde_xml("qualitative-coding", [src]),
                      {"sources/board_2017.txt": BOARD.encode("utf-8")})
    with pytest.raises(InputError) as err:
        run_import(path)
    assert "outside the project" in str(err.value) or "unsafe" in str(err.value)


# ---------------------------------------------------------------------------- ATLAS.ti: media sources, a missing text


def _media(tag: str, n: int, name: str, selection_tag: str, n_codings: int, extra: str) -> str:
    codings = "".join(coding(500 + 10 * n + k, SOCIAL, WANG) for k in range(n_codings))
    return (f"<{tag} {attrs(guid=guid(n), name=name, path=f'internal://{guid(n)}.bin')}>"
            f"<{selection_tag} {attrs(guid=guid(n + 1), name='sel', **extra)}>{codings}</{selection_tag}></{tag}>")


def atlas_project(tmp_path):
    here = text_source(30, "访谈 A", [selection(31, _span(BOARD, "服务很有用"), [coding(32, SOCIAL, ANNA)])],
                       path=f"internal://{guid(30)}.txt")
    gone_coded = text_source(40, "Simon.docx", [selection(41, (0, 3), [coding(42, SOCIAL, ANNA), coding(43, SOCIAL, WANG)])],
                             path=f"internal://{guid(40)}.txt")
    gone_plain = text_source(50, "notes_2018", [], path=f"internal://{guid(50)}.txt")
    pdf = _media("PDFSource", 60, "report.pdf", "PDFSelection", 3,
                 {"page": 1, "firstX": 0, "firstY": 0, "secondX": 9, "secondY": 9})
    video = _media("VideoSource", 70, "videos_10_selected", "VideoSelection", 2, {"begin": 0, "end": 1000})
    picture = _media("PictureSource", 80, "map.png", "PictureSelection", 1,
                     {"firstX": 0, "firstY": 0, "secondX": 9, "secondY": 9})
    qde = qde_xml("ATLAS.ti 8.4.24 (Mac)", [here, gone_coded, pdf, gone_plain, video, picture])
    return write_qdpx(tmp_path / "atlas.qdpx", qde, {f"sources/{guid(30)}.txt": BOARD.encode("utf-8")})


def test_every_missing_text_is_named_in_one_message(tmp_path):
    with pytest.raises(InputError) as err:
        run_import(atlas_project(tmp_path))
    problems = err.value.problems
    assert len(problems) == 2
    assert "Simon.docx" in problems[0].where and "2 coding(s)" in problems[0].where
    assert "notes_2018" in problems[1].where and "0 coding(s)" in problems[1].where
    assert all("--skip-missing" in p.fix for p in problems)


def test_skip_missing_imports_what_can_be_placed_and_lists_what_was_left_out(tmp_path):
    result = run_import(atlas_project(tmp_path), skip_missing=True)
    assert [r["text"] for r in segments(result)] == ["服务很有用"]
    left = next(line for line in result.summary if line.startswith("sources left out"))
    assert left.startswith("sources left out: 5, holding 8 coding(s)")
    for shown in ("'Simon.docx' (TextSource, 2 coding(s))", "'report.pdf' (PDFSource, 3 coding(s))",
                  "'videos_10_selected' (VideoSource, 2 coding(s))", "'map.png' (PictureSource, 1 coding(s))"):
        assert shown in left
    todo = result.files["TODO.md"].decode("utf-8")
    assert "'notes_2018' (TextSource" in todo and "left out with its 0 coding(s)" in todo
    assert "1 PDFSource(s) left out with their 3 coding(s) (only text sources can become transcripts): 'report.pdf'" in todo


# ---------------------------------------------------------------------------- what the file said, kept


def test_the_import_log_keeps_source_names_note_titles_users_and_every_code(tmp_path):
    import yaml

    note = f'<Notes><Note {attrs(guid=guid(90), name="Memo on Simon")}><PlainTextContent>a memo</PlainTextContent></Note></Notes>'
    qde = qde_xml("ATLAS.ti 8.4.24 (Mac)", [text_source(30, "Simon.docx", [
        selection(31, _span(BOARD, "服务很有用"), [coding(32, SOCIAL, ANNA)])], content=BOARD)], notes=note)
    result = run_import(write_qdpx(tmp_path / "a.qdpx", qde))
    log = yaml.safe_load(result.files["import-log.yaml"].decode("utf-8"))
    assert log["file"] == "a.qdpx" and log["origin"].startswith("ATLAS.ti")
    assert [(s["name"], s["document_id"], s["segments"]) for s in log["sources"]] == [("Simon.docx", "K9-D01", 1)]
    assert log["notes"] == [{"guid": guid(90), "title": "Memo on Simon"}]
    assert {c["name"] for c in log["coders"]} == {"Anna Li", "王芳"}  # every user of the project
    assert len(log["codes"]) == 5 and {c["how"] for c in log["codes"]} == {"matched", "added"}
    assert log["summary"] == result.summary
    assert result.files["import-log.yaml"].decode("utf-8").startswith("# What a.qdpx said")


def test_the_summary_counts_and_shows_a_few_examples_for_a_large_codebook(tmp_path):
    from test_refi import USERS

    many = "".join(f'<Code guid="{guid(1000 + k)}" name="Kód {k} érték" isCodable="true"/>' for k in range(262))
    sels = [selection(2000 + k, (k % 10, k % 10 + 2), [coding(3000 + k, guid(1000 + k), ANNA)]) for k in range(262)]
    qde = qde_xml("NVivo 12.6", [text_source(30, "Simon.docx", sels, content=BOARD)])
    qde = _with_codes(qde, f"<CodeBook><Codes>{many}</Codes></CodeBook>")
    assert USERS in qde
    result = run_import(write_qdpx(tmp_path / "many.qdpx", qde))
    codes = next(line for line in result.summary if line.startswith("codes:"))
    assert codes.startswith("codes: 262 in the project; 0 matched; 262 added under 'imported'")
    assert "and 259 more" in codes and max(len(line) for line in result.summary) < 400
    assert result.summary[-1] == "everything above in full: import-log.yaml in the case folder"


def test_empty_sources_are_warned_about_and_listed_to_do(tmp_path):
    # an NVivo for Mac export whose two sources came out without text
    sources = [text_source(30, "Interview 1", [], content=""), text_source(40, "Interview 2", [], content="  \n"),
               text_source(50, "Interview 3", [selection(51, _span(BOARD, "服务很有用"), [coding(52, SOCIAL, ANNA)])],
                           content=BOARD)]
    result = run_import(write_qdpx(tmp_path / "mac.qdpx", qde_xml("NVivo for Mac 15", sources)))
    empty = next(line for line in result.summary if line.startswith("empty sources"))
    assert empty.startswith("empty sources: 2 source(s)") and "'Interview 1' -> K9-D01" in empty
    todo = result.files["TODO.md"].decode("utf-8")
    assert "transcripts/K9-D01.md is empty" in todo and "transcripts/K9-D02.md is empty" in todo
    assert "K9-D03.md is empty" not in todo


# ---------------------------------------------------------------------------- round trips


def test_a_coder_keeps_the_same_id_through_export_and_re_import(project, tmp_path):
    # The coder U2951 came from an earlier import (an NVivo user's guid) and is not in coders.known.

    import yaml

    from analysis.exchange.refi_export import export_qdpx
    from analysis.exchange.refi_import import import_qdpx

    seg = project / "data/cases/K01/segments.csv"
    rows = _segments_file(seg)
    _write_segments(seg, [r | {"coder_id": "U2951"} if r["coder_id"] == "C2" else r for r in rows])
    codebook = yaml.safe_load((project / "data/codebook.yaml").read_text(encoding="utf-8"))
    data, _ = export_qdpx(project, "data/cases", "K01", codebook)
    (tmp_path / "k.qdpx").write_bytes(data)
    back = segments(import_qdpx(tmp_path / "k.qdpx", "K01", codebook, known_coders={"C1", "C2"}))
    assert sorted(r["coder_id"] for r in back) == sorted("U2951" if r["coder_id"] == "C2" else r["coder_id"] for r in rows)


def test_an_imported_case_exports_right_away_and_comes_back_to_the_same_codes(project, tmp_path, capsys):
    # A Hungarian NVivo project: its codes match nothing in the codebook and have no Chinese label.

    import yaml

    from analysis.cli.commands import main
    from analysis.exchange.refi_import import import_qdpx

    text = "Simon: a szociális munkás sokat segített.\nA falu összefogott. 😀 Köszönöm.\n"
    codes = (f'<CodeBook><Codes><Code guid="{guid(700)}" name="Közösség" isCodable="false">'
             f'<Code guid="{guid(701)}" name="Összefogás" isCodable="true"/>'
             f'<Code guid="{guid(702)}" name="Segítség" isCodable="true"/></Code></Codes></CodeBook>')
    sels = [selection(711, _span(text, "sokat segített"), [coding(721, guid(702), ANNA)]),
            selection(712, _span(text, "A falu összefogott"), [coding(722, guid(701), WANG)])]
    qde = qde_xml("NVivo 12.6", [text_source(710, "Simon.docx", sels, content=text)])
    qde = _with_codes(qde, codes)
    source = write_qdpx(tmp_path / "hu.qdpx", qde)
    assert main(["--root", str(project), "new-case", "K9", "--from", str(source)]) == 0
    case = project / "data/cases/K9"
    before = _segments_file(case / "segments.csv")
    assert {r["code_id"] for r in before} == {"imported.kozosseg.osszefogas", "imported.kozosseg.segitseg"}
    out = tmp_path / "back.qdpx"
    assert main(["--root", str(project), "export-qdpx", "--case", "K9", "--out", str(out)]) == 0  # nothing edited
    assert "codebook-additions.yaml (not yet merged" in capsys.readouterr().out
    codebook = yaml.safe_load((project / "data/codebook.yaml").read_text(encoding="utf-8"))
    back = segments(import_qdpx(out, "K9", codebook, known_coders={"C1", "C2"}))
    key = lambda r: (r["document_id"], r["start"], r["end"], r["code_id"], r["coder_id"])  # noqa: E731
    assert sorted(map(key, back)) == sorted(map(key, before))


def test_a_code_with_one_language_falls_back_and_is_marked_untranslated():
    from analysis.methods.codebook import codebook_frame
    from analysis.report.tables import codebook_table
    from analysis.inputs.schemas import load_schemas
    from analysis.inputs.validate import check_codebook

    from test_refi import ROOT

    empty = {"zh": "", "en": ""}
    book = {"version": 1, "codes": [
        {"id": "imported", "parent": None, "label": {"zh": "导入的代码", "en": "Imported codes"}, "definition": empty,
         "when_to_use": empty, "when_not_to_use": empty, "example": empty},
        {"id": "imported.kod", "parent": "imported", "label": {"zh": "", "en": "Kód érték"},
         "definition": {"zh": "", "en": "Egy kód."}, "when_to_use": empty, "when_not_to_use": empty, "example": empty}]}
    schema = load_schemas(ROOT / "workflow" / "schemas")["codebook"]
    assert check_codebook(book, "codebook.yaml", schema) == []
    nameless = {**book, "codes": [book["codes"][0], {**book["codes"][1], "label": empty}]}
    assert check_codebook(nameless, "codebook.yaml", schema)  # a code needs a name in some language
    table = codebook_table(codebook_frame(book), book, "zh")
    assert table.iloc[1].tolist()[1:3] == ["Kód érték（未译）", "Kód érték"]
    assert table.iloc[1].tolist()[-1] == "Egy kód."
    from analysis.exchange.refi_export import export_qdc

    assert export_qdc(book).decode("utf-8").count("Egy kód.") == 1  # one language: written once, not twice


# ---------------------------------------------------------------------------- who coded what, and comments


def test_the_coder_is_the_codings_creator_and_the_selections_creator_is_recorded(tmp_path):
    # NVivo: WANG made the selection, ANNA the coding on it
    import yaml

    sel = selection(11, _span(BOARD, "服务很有用"), [coding(21, SOCIAL, ANNA)], user=WANG, name="")
    result = run_import(write_qdpx(tmp_path / "n.qdpx", qde_xml("NVivo 12.6", [text_source(10, "d", [sel], content=BOARD)])))
    (row,) = segments(result)
    log = yaml.safe_load(result.files["import-log.yaml"].decode("utf-8"))
    coder_of = {c["name"]: c["coder_id"] for c in log["coders"]}
    assert row["coder_id"] == coder_of["Anna Li"]
    assert log["selected_by_another_user"] == [{"segment_id": row["segment_id"], "coder_id": coder_of["Anna Li"],
                                                "selected_by": coder_of["王芳"]}]
    assert any(line.startswith("selections: 1 segment(s) were selected by another user") for line in result.summary)


def test_a_group_code_stays_non_codable_through_import_and_export(tmp_path):
    import yaml

    from analysis.exchange.refi_export import export_qdc

    codes = (f'<CodeBook><Codes><Code guid="{guid(700)}" name="Közösség" isCodable="false">'
             f'<Code guid="{guid(701)}" name="Összefogás" isCodable="true"/></Code></Codes></CodeBook>')
    sel = selection(11, _span(BOARD, "服务很有用"), [coding(21, guid(701), ANNA)])
    qde = qde_xml("NVivo 12.6", [text_source(10, "d", [sel], content=BOARD)])
    qde = _with_codes(qde, codes)
    added = yaml.safe_load(run_import(write_qdpx(tmp_path / "g.qdpx", qde)).files["codebook-additions.yaml"].decode())
    flags = {c["id"]: c.get("codable", True) for c in added["codes"]}
    assert flags == {"imported": True, "imported.kozosseg": False, "imported.kozosseg.osszefogas": True}
    qdc = export_qdc(added).decode("utf-8")
    assert 'name="Közösség" isCodable="false"' in qdc and 'name="Összefogás" isCodable="true"' in qdc


def test_a_comment_on_an_uncoded_selection_is_kept_at_its_place(tmp_path):
    # ATLAS.ti: a quotation with a comment and no code
    commented = selection(11, _span(BOARD, "村民代表认为"), [], description="这里语气很犹豫")
    coded = selection(12, _span(BOARD, "服务很有用"), [coding(21, SOCIAL, ANNA)])
    result = run_import(write_qdpx(tmp_path / "c.qdpx", qde_xml("ATLAS.ti 8.4", [text_source(10, "d", [commented, coded],
                                                                                              content=BOARD)])))
    memos = result.files["project-memos.md"].decode("utf-8")
    start, end = _span(BOARD, "村民代表认为")
    assert f"### K9-D01, {start}-{end}" in memos and "> 村民代表认为" in memos and "这里语气很犹豫" in memos
    assert any(line.startswith("memos on uncoded text: 1 comment(s)") for line in result.summary)
    assert len(segments(result)) == 1


# ---------------------------------------------------------------------------- offsets for the program that reads the export


@pytest.mark.parametrize("target", ["standard", "nvivo", "atlasti", "maxqda", "qualcoder"])
def test_an_export_for_each_program_round_trips(project, tmp_path, target):
    # An emoji and a character outside the BMP before the coded text, on a later line than the first:
    # NVivo's UTF-16 count and CRLF line ends then differ from the characters of the body.
    import re
    import zipfile

    import yaml

    from analysis.exchange.refi_export import export_qdpx
    from analysis.exchange.refi_import import import_qdpx
    from analysis.inputs.io import read_transcript

    case = project / "data/cases/K01"
    doc = case / "transcripts/K01-D01.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("**访谈者**：", "**访谈者**：😀𠀀\n", 1), encoding="utf-8")
    body = read_transcript(doc, []).body
    moved = [r | {"start": str(k), "end": str(k + len(r["text"]))}
             for r in _segments_file(case / "segments.csv") for k in [body.index(r["text"])]]
    _write_segments(case / "segments.csv", moved)
    rows = _segments_file(case / "segments.csv")
    codebook = yaml.safe_load((project / "data/codebook.yaml").read_text(encoding="utf-8"))
    data, summary = export_qdpx(project, "data/cases", "K01", codebook, target=target)
    (tmp_path / "x.qdpx").write_bytes(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        qde = zf.read("project.qde").decode("utf-8")
        text = next(zf.read(n) for n in zf.namelist() if n.startswith("sources/")).decode("utf-8")
    starts = sorted({int(m) for m in re.findall(r'startPosition="(\d+)"', qde)})
    first = min(int(r["start"]) for r in rows)
    if target == "nvivo":  # 😀 and 𠀀 are two UTF-16 units each (one more apiece), and each CRLF counts two
        assert "\r\n" in text and starts[0] == first + 2 + body[:first].count("\n")
    elif target == "atlasti":
        assert "\r\n" in text and starts[0] == first + body[:first].count("\n")
    else:
        assert "\r\n" not in text and starts[0] == first
    back = segments(import_qdpx(tmp_path / "x.qdpx", "K01", codebook, known_coders={"C1", "C2"}))
    key = lambda r: (r["document_id"], int(r["start"]), int(r["end"]), r["code_id"], r["coder_id"], r["text"])  # noqa: E731
    assert sorted(map(key, back)) == sorted(map(key, rows))


def test_the_commands_for_choices_are_the_exports_targets():
    from analysis.cli.commands import build_parser
    from analysis.exchange.refi_export import TARGETS

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command" or getattr(a, "choices", None) and "export-qdpx" in a.choices)
    option = next(a for a in sub.choices["export-qdpx"]._actions if a.dest == "target")
    assert list(option.choices) == list(TARGETS)
