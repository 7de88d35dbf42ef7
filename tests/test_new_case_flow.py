"""End to end: a new township station joins the study through the commands a new user runs.

The new station's coded project arrives as a REFI-QDA file (here: a copy of a
synthetic station under the new id S16, exported by `casebook export-qdpx`, as a
QDA program would write it). `casebook new-case S16 --from FILE.qdpx` makes the
case folder and adds S16 to the configuration; the user fills in what the import
could not know; `casebook validate` passes; the workflow builds the book with the
new station. With three stations the cross-case QCA is not run, and the book says so;
the configuration declares the data real, so the book is built without the synthetic
corpus's recovery check.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import book_numbers
from test_workflow import copy_repo, snakemake

pytestmark = pytest.mark.e2e
NEW = "S16"
STATION = {"unit_type": "town", "setting": "rural", "operator_type": "government_run", "start_year": "2020",
           "staff": "1", "synthetic": "true"}


def casebook(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis.cli", *args], cwd=repo, capture_output=True, text=True,
                          timeout=600)


def a_qdpx_of_a_new_station(repo: Path, out: Path) -> None:
    """Stand-in for a QDA program's export: station S11's material under the id S16."""
    source, target = repo / "data/cases/S11", repo / "data/cases" / NEW
    for path in source.rglob("*"):
        if path.is_file():
            dest = target / str(path.relative_to(source)).replace("S11", NEW)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(path.read_text(encoding="utf-8").replace("S11", NEW), encoding="utf-8")
    run = casebook(repo, "export-qdpx", "--case", NEW, "--out", str(out))
    assert run.returncode == 0, run.stderr
    for path in sorted(target.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    target.rmdir()


@pytest.fixture(scope="module")
def joined(tmp_path_factory):
    work = tmp_path_factory.mktemp("newcase")
    repo = copy_repo(work / "repo")
    qdpx = work / "s16.qdpx"
    a_qdpx_of_a_new_station(repo, qdpx)
    config = repo / "study.yaml"  # the full configuration, for a study of two stations so far
    text = (repo / "config.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^cases: .*$", "cases: [S01, S06]", text)
    # Built as a team with real data would build it: the book must not depend on the synthetic design.
    text = re.sub(r"(?m)^  synthetic_data: true$", "  synthetic_data: false", text)
    # ... and states its design, which the workflow asks for once the data are real
    for part in ("sampling", "fieldwork", "interview_guide", "consent", "ethics_review"):
        text = re.sub(rf'(?m)^    {part}: ""$', f"    {part}: 测试用的{part}说明。", text)
    config.write_text(text, encoding="utf-8")
    return repo, qdpx, config


def test_new_case_from_a_qdpx_makes_the_folder_and_adds_it_to_the_configuration(joined):
    repo, qdpx, config = joined
    before = config.read_text(encoding="utf-8")
    run = casebook(repo, "new-case", NEW, "--from", str(qdpx), "--config", config.name)
    assert run.returncode == 0, run.stderr
    after = config.read_text(encoding="utf-8")
    assert "cases: [S01, S06, S16]" in after
    assert after.replace("cases: [S01, S06, S16]", "cases: [S01, S06]") == before  # nothing else moved
    folder = repo / "data/cases" / NEW
    assert (folder / "TODO.md").is_file() and len(list((folder / "transcripts").glob("*.md"))) == 7
    assert "C1" in run.stdout and "C2" in run.stdout  # the project's users matched the known coders


def test_validate_names_what_the_user_must_fill_in_and_then_passes(joined):
    repo, _, config = joined
    run = casebook(repo, "--config", config.name, "validate")
    assert run.returncode != 0 and "Traceback" not in run.stderr
    assert f"data/cases/{NEW}/station.yaml" in run.stderr + run.stdout
    station = repo / "data/cases" / NEW / "station.yaml"
    lines = []
    for line in station.read_text(encoding="utf-8").splitlines():
        key = re.match(r"^# (\w+):", line)
        lines.append(f"{key.group(1)}: {STATION[key.group(1)]}" if key and key.group(1) in STATION else line)
    station.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (repo / "data/cases" / NEW / "TODO.md").unlink()
    run = casebook(repo, "--config", config.name, "validate")
    assert run.returncode == 0, run.stderr + run.stdout


def test_the_study_builds_with_the_new_station_and_says_what_it_cannot_compute(joined):
    repo, _, config = joined
    run = snakemake(repo, "--configfile", config.name)
    assert run.returncode == 0, run.stderr[-4000:]
    numbers = book_numbers(repo)
    assert numbers["n_stations"] == "3"
    assert NEW in (repo / "results/tables/station_themes.md").read_text(encoding="utf-8")
    crosscase = (repo / "paper/_build/html/crosscase.html").read_text(encoding="utf-8")
    assert "本节未计算" in crosscase and "qca.min_cases" in crosscase
    assert numbers["reliability_note"] == ""  # S01 and S06 have double-coded documents
    # With real data the recovery check of the synthetic corpus is left out and the notice says whose data these are.
    assert numbers["data_is_synthetic"] == "否"
    assert "还原检验" not in crosscase
    assert "经匿名化处理的访谈资料" in (repo / "paper/_build/html/findings_p1.html").read_text(encoding="utf-8")
