"""Every kind of bad input gets a clear problem: the file, the line, what is wrong and the fix."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from analysis.inputs.schemas import load_schemas
from analysis.inputs.validate import validate_project
from conftest import ROOT, SEGMENT_HEADER, segment_rows, write_csv

SCHEMAS = load_schemas(ROOT / "workflow" / "schemas")
CASE = "data/cases/K01"


def problems_of(root: Path) -> list:
    config = yaml.safe_load((root / "config.yaml").read_text(encoding="utf-8"))
    return validate_project(root, config, "config.yaml", SCHEMAS)[1]


def only(problems, fragment: str):
    hits = [p for p in problems if fragment in p.what]
    assert hits, f"no problem mentions {fragment!r}: {[p.render() for p in problems]}"
    return hits[0]


def rewrite_segments(root: Path, rows: list[list]) -> None:
    write_csv(root / CASE / "segments.csv", SEGMENT_HEADER, rows)


def test_the_fixture_is_valid(project):
    assert problems_of(project) == []


def test_invalid_yaml_names_the_line(project):
    (project / "data/codebook.yaml").write_text("version: 1\ncodes:\n  - id: [unclosed\n", encoding="utf-8")
    p = only(problems_of(project), "does not parse")
    assert p.file == "data/codebook.yaml"
    assert p.where.startswith("line ")
    assert "syntax" in p.fix


def test_invalid_config_yaml_through_the_command_line(project):
    (project / "config.yaml").write_text("study: {title_zh: x\ncases: [K01\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "analysis.cli", "--root", str(project), "validate"],
                         capture_output=True, text=True)
    assert run.returncode == 2
    assert "config.yaml, line" in run.stderr and "does not parse" in run.stderr
    assert "Traceback" not in run.stderr


def test_missing_file(project):
    (project / CASE / "participants.csv").unlink()
    p = only(problems_of(project), "does not exist")
    assert p.file == f"{CASE}/participants.csv"


def test_unknown_code_suggests_the_closest(project):
    rows = segment_rows()
    rows[0][5] = "t.aa"
    rewrite_segments(project, rows)
    p = only(problems_of(project), "'t.aa' is not in the codebook")
    assert p.where == "line 2 (segment K01-C1-0001)"
    assert "closest: t.a" in p.fix


def test_offsets_reversed(project):
    rows = segment_rows()
    rows[1][3], rows[1][4] = rows[1][4], rows[1][3]
    rewrite_segments(project, rows)
    p = only(problems_of(project), "is not before end")
    assert p.where.startswith("line 3")


def test_offsets_beyond_the_text(project):
    rows = segment_rows()
    rows[1][4] = 9999
    rewrite_segments(project, rows)
    p = only(problems_of(project), "beyond the transcript body")
    assert "characters" in p.what


def test_text_that_does_not_match_the_offsets(project):
    rows = segment_rows()
    rows[1][7] = "别的话。"
    rewrite_segments(project, rows)
    only(problems_of(project), "does not match the transcript")


def test_overlapping_duplicates(project):
    rows = segment_rows()
    dup = list(rows[0])
    dup[0], dup[3] = "K01-C1-0009", int(dup[3]) + 2
    dup[7] = ""
    rewrite_segments(project, rows + [dup])
    p = only(problems_of(project), "overlaps segment")
    assert "same code, coder and document" in p.what and "merge" in p.fix


def test_duplicate_segment_ids(project):
    rows = segment_rows()
    rows[1][0] = rows[0][0]
    rewrite_segments(project, rows)
    p = only(problems_of(project), "is used twice")
    assert p.where == "line 3" and "first on line 2" in p.what


def test_duplicate_participant_ids(project):
    write_csv(project / CASE / "participants.csv", ["participant_id", "actor_type", "gender", "age_band"],
              [["K01-P01", "resident", "female", "60-74"], ["K01-P01", "cadre", "male", "45-59"]])
    only(problems_of(project), "participant_id 'K01-P01' is used twice")


def test_segment_with_unknown_document_and_participant(project):
    rows = segment_rows()
    rows[0][1] = "K01-D99"
    rows[1][2] = "K01-P77"
    rewrite_segments(project, rows)
    problems = problems_of(project)
    only(problems, "document 'K01-D99' has no transcript")
    only(problems, "participant 'K01-P77' is not in participants.csv")


def test_transcript_in_gbk_is_named(project):
    path = project / CASE / "transcripts/K01-D01.md"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    p = only(problems_of(project), "not UTF-8")
    assert "GBK" in p.what and "iconv" in p.fix
    assert p.where.startswith("line ")


def test_empty_transcript(project):
    path = project / CASE / "transcripts/K01-D01.md"
    header = path.read_text(encoding="utf-8").split("---\n")[1]
    path.write_text(f"---\n{header}---\n\n", encoding="utf-8")
    problems = problems_of(project)
    p = only(problems, "body is empty")
    assert p.where == "line 9"


def test_codebook_cycle(project):
    cb = yaml.safe_load((project / "data/codebook.yaml").read_text(encoding="utf-8"))
    cb["codes"][0]["parent"] = "t.a"  # t -> t.a -> t
    (project / "data/codebook.yaml").write_text(yaml.safe_dump(cb, allow_unicode=True), encoding="utf-8")
    p = only(problems_of(project), "cycle")
    assert "t" in p.what and "t.a" in p.what


def test_codebook_duplicate_id(project):
    cb = yaml.safe_load((project / "data/codebook.yaml").read_text(encoding="utf-8"))
    cb["codes"].append(dict(cb["codes"][1]))
    (project / "data/codebook.yaml").write_text(yaml.safe_dump(cb, allow_unicode=True), encoding="utf-8")
    only(problems_of(project), "'t.a' is used twice")


def test_schema_violation_names_allowed_values(project):
    write_csv(project / CASE / "participants.csv", ["participant_id", "actor_type", "gender", "age_band"],
              [["K01-P01", "villager", "female", "60-74"]])
    p = only(problems_of(project), "actor_type")
    assert p.where == "line 2" and "resident" in p.fix


def test_every_problem_is_reported_at_once_by_the_command(project):
    rows = segment_rows()
    rows[0][5] = "nope"
    rows[1][4] = 9999
    rewrite_segments(project, rows)
    (project / "data/cases/K01/station.yaml").write_text("station_id: K01\nunit_type: [\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "analysis.cli", "--root", str(project), "validate"],
                         capture_output=True, text=True)
    assert run.returncode == 2
    assert "3 problems" in run.stderr
    assert run.stderr.count("fix:") == 3
    assert "Traceback" not in run.stderr


def test_validate_command_on_the_shipped_corpus():
    run = subprocess.run([sys.executable, "-m", "analysis.cli", "--root", str(ROOT), "validate"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "the input is valid" in run.stdout


# --- malformed files through the command line: a message and exit 1, never an exception -------------------

def _set_header(project, old, new):
    path = project / CASE / "transcripts/K01-D01.md"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def _set_config(project, key, value):
    config = yaml.safe_load((project / "config.yaml").read_text(encoding="utf-8"))
    config[key] = value
    (project / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")


MALFORMED = {
    "empty station.yaml": (lambda p: (p / CASE / "station.yaml").write_text("", encoding="utf-8"), "the file is empty"),
    "empty codebook": (lambda p: (p / "data/codebook.yaml").write_text("", encoding="utf-8"), "the file is empty"),
    "station is a list": (lambda p: (p / CASE / "station.yaml").write_text("- a\n- b\n", encoding="utf-8"), "should be a mapping of fields"),
    "paths is a list": (lambda p: _set_config(p, "paths", []), "field 'paths'"),
    "cases is a string": (lambda p: _set_config(p, "cases", "K01"), "field 'cases'"),
    "a case id is a number": (lambda p: _set_config(p, "cases", [1]), "field 'cases.0'"),
    "coders is a list": (lambda p: _set_config(p, "coders", ["C1"]), "field 'coders'"),
    "header participants is a number": (lambda p: _set_header(p, "participants: [K01-P01]", "participants: 5"), "field 'participants'"),
    "header id is a number": (lambda p: _set_header(p, "id: K01-D01", "id: 123"), "field 'id'"),
    "header id is a list": (lambda p: _set_header(p, "id: K01-D01", "id: [a]"), "field 'id'"),
    "impossible date": (lambda p: _set_header(p, "date: 2021-06-07", "date: 2021-02-30"), "'2021-02-30' is not a valid date"),
    "interviewer is a name": (lambda p: _set_header(p, "interviewer: I1", "interviewer: 张 三"), "field 'interviewer'"),
    "unknown coder in coded_by": (lambda p: _set_header(p, "kind: interview", "kind: interview\ncoded_by: [C9]"), "'C9'"),
    "no header": (lambda p: (p / CASE / "transcripts/K01-D01.md").write_text("只有正文。\n", encoding="utf-8"), "does not start with a YAML header"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_input_gives_a_message_not_a_traceback(project, capsys, name):
    from analysis.cli.commands import main

    mutate, fragment = MALFORMED[name]
    mutate(project)
    assert main(["--root", str(project), "validate"]) == 2
    err = capsys.readouterr().err
    assert fragment in err, err
    assert "fix:" in err


def test_a_broken_transcript_does_not_bury_the_report_in_knock_on_problems(project):
    (project / CASE / "transcripts/K01-D01.md").write_bytes("---\nid: K01-D01\n---\n正文".encode("gbk"))
    problems = problems_of(project)
    assert len(problems) == 1 and "not UTF-8" in problems[0].what


def test_a_codebook_problem_does_not_hide_the_cases_problems(project):
    cb = yaml.safe_load((project / "data/codebook.yaml").read_text(encoding="utf-8"))
    cb["codes"].append(dict(cb["codes"][1]))  # a duplicate id
    (project / "data/codebook.yaml").write_text(yaml.safe_dump(cb, allow_unicode=True), encoding="utf-8")
    rows = segment_rows()
    rows[1][4] = 9999
    rewrite_segments(project, rows)
    problems = problems_of(project)
    only(problems, "is used twice")
    only(problems, "beyond the transcript body")


def test_a_segment_nested_in_a_longer_one_is_an_overlap(project):
    rows = segment_rows()
    long = ["K01-C1-0010", "K01-D01", "K01-P01", 0, 40, "t.a", "C1", ""]
    short = ["K01-C1-0011", "K01-D01", "K01-P01", 20, 22, "t.a", "C1", ""]
    rewrite_segments(project, [r for r in rows if r[5] != "t.a" or r[6] != "C1"] + [long, short] +
                     [["K01-C1-0012", "K01-D01", "K01-P01", 30, 33, "t.a", "C1", ""]])
    overlapping = [p for p in problems_of(project) if "overlaps" in p.what]
    assert {p.where.split(" ")[1] for p in overlapping} == {"5", "6"}  # both nested spans, not only the neighbour


def test_a_speaker_must_take_part_in_the_document(project):
    write_csv(project / CASE / "participants.csv", ["participant_id", "actor_type", "gender", "age_band"],
              [["K01-P01", "resident", "female", "60-74"], ["K01-P02", "cadre", "male", "45-59"]])
    rows = segment_rows()
    rows[0][2] = "K01-P02"
    rewrite_segments(project, rows)
    only(problems_of(project), "is not among the participants of document 'K01-D01'")


def test_crlf_and_a_byte_order_mark_are_read_as_plain_utf8(project):
    path = project / CASE / "transcripts/K01-D01.md"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_text(encoding="utf-8").replace("\n", "\r\n").encode("utf-8"))
    seg = project / CASE / "segments.csv"
    seg.write_bytes(b"\xef\xbb\xbf" + seg.read_bytes().replace(b"\n", b"\r\n"))
    assert problems_of(project) == []  # offsets count characters of the body with line ends normalised to \n


def test_a_process_tracing_test_must_fit_its_probabilities(project):
    evidence = yaml.safe_load((project / "data/process_tracing.yaml").read_text(encoding="utf-8"))
    evidence["hypotheses"]["P1"]["items"][0]["p_e_h"] = 0.7  # too low for a hoop test
    (project / "data/process_tracing.yaml").write_text(yaml.safe_dump(evidence, allow_unicode=True), encoding="utf-8")
    p = only(problems_of(project), "make a straw_in_the_wind test, not a hoop")
    assert p.file == "data/process_tracing.yaml" and "relabel" in p.fix


def test_the_segment_columns_are_the_ones_the_schema_describes():
    from analysis.inputs.io import SEGMENT_COLUMNS

    assert list(SEGMENT_COLUMNS) == list(SCHEMAS["segments"]["properties"])


def _cases_all(root: Path) -> dict:
    config = yaml.safe_load((root / "config.yaml").read_text(encoding="utf-8"))
    config["cases"] = "all"
    (root / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return config


def test_cases_all_takes_every_station_folder_in_counting_order(project):
    from analysis.inputs.validate import check_setup

    config = _cases_all(project)
    cases = project / "data" / "cases"
    for case in ("K10", "K2"):
        shutil.copytree(cases / "K01", cases / case)
    (cases / "notes").mkdir()  # a folder without station.yaml is not a case
    assert check_setup(project, config, "config.yaml", SCHEMAS) == []
    assert config["cases"] == ["K01", "K2", "K10"]
    found = validate_project(project, _cases_all(project), "config.yaml", SCHEMAS)[0]
    assert list(found.cases) == ["K01", "K2", "K10"]


def test_cases_all_with_no_station_folder_says_where_it_looked(project):
    from analysis.inputs.validate import check_setup

    shutil.rmtree(project / "data" / "cases" / "K01")
    (project / "data" / "cases" / "K01").mkdir()
    problem = only(check_setup(project, _cases_all(project), "config.yaml", SCHEMAS), "finds no case folder")
    assert problem.file == "config.yaml" and "data/cases" in problem.what and "casebook new-case" in problem.fix
    problem = only(problems_of(project), "finds no case folder")


@pytest.mark.parametrize("value,fragment", [("every", "'every' is none of the forms this field takes"),
                                            ([1], "field 'cases.0': should be a text"),
                                            (["K01", "K01"], "lists an item more than once")])
def test_a_case_list_that_is_neither_a_list_of_ids_nor_all_says_which(project, value, fragment):
    config = yaml.safe_load((project / "config.yaml").read_text(encoding="utf-8"))
    config["cases"] = value
    (project / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    problem = only(problems_of(project), fragment)
    assert "`all`" in problem.fix


def test_real_data_without_a_design_statement_names_each_empty_part(project):
    from analysis.inputs.validate import DESIGN_PARTS, check_setup

    config = yaml.safe_load((project / "config.yaml").read_text(encoding="utf-8"))
    config["study"]["synthetic_data"] = False
    config["study"]["design"] = {"sampling": "按服务年限分层选取站点。", "consent": "  "}
    problems = check_setup(project, config, "config.yaml", SCHEMAS)
    assert [p.where for p in problems] == [f"key study.design.{part}" for part in DESIGN_PARTS if part != "sampling"]
    assert all(p.file == "config.yaml" and "synthetic_data is false" in p.what for p in problems)
    config["study"]["design"] = dict.fromkeys(DESIGN_PARTS, "已写明。")
    assert check_setup(project, config, "config.yaml", SCHEMAS) == []
