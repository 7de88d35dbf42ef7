"""``casebook new-case``: a case folder to fill in, and the id added to the configuration untouched otherwise.

Each test works in a temporary folder: a copy of the repository's config.yaml
and schemas, or the tiny project of ``conftest.py``; the real data/ and
config.yaml are never written.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pytest
import yaml

from analysis.cli.commands import main
from analysis.inputs.io import read_transcript
from analysis.inputs.problems import InputError, Problem
from analysis.inputs.schemas import check_schema, load_schemas
from analysis.inputs.validate import validate_project
from conftest import ROOT, write_project

SCHEMAS = load_schemas(ROOT / "workflow" / "schemas")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The repository's config.yaml (its cases written out as a list) and schemas, and an empty
    data/cases, in a temporary folder."""
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "workflow" / "schemas", root / "workflow" / "schemas")
    config = (ROOT / "config.yaml").read_text(encoding="utf-8")
    listed = "cases: [" + ", ".join(f"S{n:02d}" for n in range(1, 16)) + "]\n"
    (root / "config.yaml").write_text(re.sub(r"(?m)^cases: .*\n", lambda m: listed, config), encoding="utf-8")
    (root / "data" / "cases").mkdir(parents=True)
    return root


def run(root: Path, capsys, *args: str) -> tuple[int, str, str]:
    code = main(["--root", str(root), *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def state(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def problems(root: Path, config_file: str = "config.yaml") -> list[tuple[str, str]]:
    config = yaml.safe_load((root / config_file).read_text(encoding="utf-8"))
    return sorted((p.file, p.what) for p in validate_project(root, config, config_file, SCHEMAS)[1])


def test_the_scaffold_holds_every_field_and_the_config_changes_by_one_id(repo, capsys):
    before = (repo / "config.yaml").read_text(encoding="utf-8")
    code, out, _ = run(repo, capsys, "new-case", "S16")
    assert code == 0
    after = (repo / "config.yaml").read_text(encoding="utf-8")
    assert "S15]" in before and after == before.replace("S15]", "S15, S16]")  # comments, order, quotes, flow style kept
    assert "casebook validate" in out and "bash workflow/run.sh build" in out
    case = repo / "data" / "cases" / "S16"
    assert sorted(str(p.relative_to(case)) for p in case.rglob("*") if p.is_file()) == [
        "README.md", "participants.EXAMPLE.md", "participants.csv", "segments.csv", "station.yaml",
        "transcripts/EXAMPLE.md.txt"]
    station_text = (case / "station.yaml").read_text(encoding="utf-8")
    station = yaml.safe_load(station_text)
    fields = SCHEMAS["station"]["properties"]
    required = SCHEMAS["station"]["required"]
    assert list(station) == required and station["station_id"] == "S16" and station["synthetic"] is False
    assert all(station[k] is None for k in required if k not in ("station_id", "synthetic"))
    for name in fields:  # every field, each with a comment saying what fits
        assert re.search(rf"^(# )?{name}:.*# \S", station_text, re.M), name
    assert (case / "participants.csv").read_text(encoding="utf-8") == "participant_id,actor_type,role,gender,age_band\n"
    assert (case / "segments.csv").read_text(encoding="utf-8").startswith("segment_id,document_id,participant_id,start,end,")
    example = case / "participants.EXAMPLE.md"
    rows = example.read_text(encoding="utf-8").split("```")[1].strip().splitlines()
    table = list(csv.DictReader(io.StringIO("\n".join(rows))))
    assert [r["participant_id"] for r in table] == ["S16-P01", "S16-P02", "S16-P03"]
    assert all(not check_schema({k: v for k, v in r.items() if v}, SCHEMAS["participants"], "x") for r in table)
    transcript = read_transcript(case / "transcripts" / "EXAMPLE.md.txt", [])
    assert check_schema(transcript.header, SCHEMAS["transcript"], "x") == []
    assert "**S16-P01**：" in transcript.body and not list((case / "transcripts").glob("*.md"))


def test_validate_names_exactly_the_fields_to_fill_and_no_more(capsys, tmp_path):
    project = write_project(tmp_path / "proj")  # a block-style config (yaml.safe_dump) with one case, K01
    before = (project / "config.yaml").read_text(encoding="utf-8")
    assert run(project, capsys, "new-case", "K02")[0] == 0
    assert (project / "config.yaml").read_text(encoding="utf-8") == before.replace("- K01\n", "- K01\n- K02\n")
    station = "data/cases/K02/station.yaml"
    assert problems(project) == sorted([
        ("data/cases/K02/transcripts", "no transcripts (*.md) were found"),
        (station, "field 'operator_type': must be one of ['social_work_agency', 'government_run', 'community_foundation', 'other'], not empty"),
        (station, "field 'setting': must be one of ['rural', 'peri-urban'], not empty"),
        (station, "field 'staff': should be a whole number, but it is empty"),
        (station, "field 'start_year': should be a whole number, but it is empty"),
        (station, "field 'unit_type': must be one of ['town', 'street'], not empty"),
    ])
    code, _, err = run(project, capsys, "validate", "--config", "config.yaml")
    assert code == 2 and "casebook: 6 problems in the input" in err
    # filled in as the comments say, the folder is valid but for the transcripts still to add
    path = project / station
    text = path.read_text(encoding="utf-8")
    for name, value in {"unit_type": "town", "setting": "rural", "operator_type": "other", "start_year": "2020", "staff": "3"}.items():
        text = re.sub(rf"^{name}:( +)#", rf"{name}: {value}\1#", text, flags=re.M)
    path.write_text(text, encoding="utf-8")
    assert problems(project) == [("data/cases/K02/transcripts", "no transcripts (*.md) were found")]


@pytest.mark.parametrize("case, what", [
    ("S01", "the case id 'S01' exists already"),
    ("s01", "the case id 'S01' exists already (ids that differ only in case"),
    ("S99", "the case id 'S99' exists already"),  # a folder on disk, not in the config
    ("9S", "is not a valid case id"),
    ("S 16", "is not a valid case id"),
    ("S" * 33, "is not a valid case id"),
])
def test_an_id_that_exists_or_does_not_fit_is_refused_and_nothing_is_written(repo, capsys, case, what):
    (repo / "data" / "cases" / "S99").mkdir()
    before = state(repo)
    code, out, err = run(repo, capsys, "new-case", case)
    assert code == 2 and what in err and out == ""
    assert state(repo) == before and sorted(p.name for p in (repo / "data" / "cases").iterdir()) == ["S99"]


def test_a_config_that_would_change_elsewhere_is_left_alone(tmp_path, capsys):
    project = write_project(tmp_path / "proj")
    config = (project / "config.yaml").read_text(encoding="utf-8")
    (project / "config.yaml").write_text(config.replace("- K01\n", "- K01\n# more cases to come\n"), encoding="utf-8")
    before = state(project)
    code, _, err = run(project, capsys, "new-case", "K02")
    assert code == 2 and "cannot be rewritten with only the new id added" in err and "add K02 to `cases`" in err
    assert state(project) == before


def test_the_folder_is_removed_when_the_config_cannot_be_written(repo, capsys, monkeypatch):
    import analysis.exchange.spreadsheet_merge as merge

    def fail(path, text):
        raise InputError([Problem(str(path), "", "the file cannot be written (disk full)", "free space")])

    monkeypatch.setattr(merge, "write_text_atomic", fail)
    before = state(repo)
    code, _, err = run(repo, capsys, "new-case", "S16")
    assert code == 2 and "disk full" in err
    assert state(repo) == before and not (repo / "data" / "cases" / "S16").exists()


def test_config_after_the_command_is_the_one_edited(repo, capsys):
    shutil.copyfile(repo / "config.yaml", repo / "other.yaml")
    before = (repo / "config.yaml").read_bytes()
    assert run(repo, capsys, "new-case", "S16", "--config", "other.yaml")[0] == 0
    assert (repo / "config.yaml").read_bytes() == before
    assert "S16" in yaml.safe_load((repo / "other.yaml").read_text(encoding="utf-8"))["cases"]


def test_from_a_qdpx_export_of_a_case_under_the_new_id(tmp_path, capsys):
    """The fixture case K01 renamed K02 (ids are unique across cases), exported, and brought in as a new case."""
    source = write_project(tmp_path / "source")
    old, new = source / "data" / "cases" / "K01", source / "data" / "cases" / "K02"
    for path in sorted(old.rglob("*")):
        if path.is_file():
            target = new / str(path.relative_to(old)).replace("K01", "K02")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(path.read_text(encoding="utf-8").replace("K01", "K02"), encoding="utf-8")
    qdpx = tmp_path / "K02.qdpx"
    assert run(source, capsys, "export-qdpx", "--case", "K02", "--out", str(qdpx))[0] == 0
    project = write_project(tmp_path / "proj")
    code, out, _ = run(project, capsys, "new-case", "K02", "--from", str(qdpx))
    assert code == 0 and "TODO.md" in out
    case = project / "data" / "cases" / "K02"
    assert (case / "segments.csv").read_bytes() == (new / "segments.csv").read_bytes()
    assert yaml.safe_load((project / "config.yaml").read_text(encoding="utf-8"))["cases"] == ["K01", "K02"]
    assert "add K02 to `cases`" not in (case / "TODO.md").read_text(encoding="utf-8")  # done already
    station = "data/cases/K02/station.yaml"
    assert problems(project) == sorted((station, f"the required field '{f}' is missing")
                                       for f in ("unit_type", "setting", "operator_type", "start_year", "staff", "synthetic"))


def test_from_a_broken_qdpx_writes_nothing(repo, tmp_path, capsys):
    (tmp_path / "bad.qdpx").write_bytes(b"not a zip")
    shutil.copyfile(ROOT / "data" / "codebook.yaml", repo / "data" / "codebook.yaml")
    before = state(repo)
    code, _, err = run(repo, capsys, "new-case", "S16", "--from", str(tmp_path / "bad.qdpx"))
    assert code == 2 and "bad.qdpx" in err
    assert state(repo) == before


def test_the_commented_import_section_of_config_yaml_is_a_valid_example():
    lines = (ROOT / "config.yaml").read_text(encoding="utf-8").splitlines()
    start = lines.index("# import:")
    block = [line[2:] for line in lines[start:] if line.startswith("# ") or line == "#"]
    section = yaml.safe_load("\n".join(block))
    assert set(section["import"]["spreadsheet"]["columns"]) == {"document", "code", "coder", "text", "start", "end",
                                                                "participant", "memo"}
    config = yaml.safe_load("\n".join(lines)) | section
    assert check_schema(config, SCHEMAS["config"], "config.yaml") == []
    config["import"]["spreadsheet"]["offsets"]["base"] = 2
    assert check_schema(config, SCHEMAS["config"], "config.yaml") != []


def test_with_cases_all_the_new_folder_is_taken_in_and_the_config_is_left_alone(repo, capsys):
    config = repo / "config.yaml"
    config.write_text(re.sub(r"(?m)^cases: .*$", "cases: all", config.read_text(encoding="utf-8")), encoding="utf-8")
    before = config.read_bytes()
    code, out, _ = run(repo, capsys, "new-case", "K7")
    assert code == 0 and config.read_bytes() == before
    assert "`cases: all` in config.yaml takes it in" in out and "added it to `cases`" not in out
    assert (repo / "data" / "cases" / "K7" / "station.yaml").is_file()
    code, _, err = run(repo, capsys, "new-case", "K7")  # the folder exists now: the id is taken
    assert code == 2 and "K7" in err
