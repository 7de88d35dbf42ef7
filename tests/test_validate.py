"""Every kind of bad input gets a clear problem: the file, the line, what is wrong and the fix."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from analysis.validate import load_schemas, validate_project
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
    assert run.returncode == 1
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
    assert run.returncode == 1
    assert "3 problems" in run.stderr
    assert run.stderr.count("fix:") == 3
    assert "Traceback" not in run.stderr


def test_validate_command_on_the_shipped_corpus():
    run = subprocess.run([sys.executable, "-m", "analysis.cli", "--root", str(ROOT), "validate"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "the input is valid" in run.stdout
