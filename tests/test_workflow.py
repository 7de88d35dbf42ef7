"""End to end: the Snakemake DAG on a miniature config, from raw data to the HTML book.

The repository is copied to a temporary folder (without .venv, results and builds) so
the test never touches the working tree.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.e2e
IGNORE = shutil.ignore_patterns(".venv", ".git", "results", "logs", "_build", ".snakemake", "__pycache__",
                                ".pytest_cache", "*.pyc")
MINI = ["--configfile", "tests/e2e/config.yaml"]


def copy_repo(dest: Path) -> Path:
    shutil.copytree(ROOT, dest, ignore=IGNORE)
    return dest


def snakemake(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "snakemake", "--cores", "2", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=1200)


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


NAME, ALIAS = "王秀兰", "秀兰阿姨"  # an invented confidential name and a form of address


def add_a_confidential_name(repo: Path) -> None:
    """Give S01-P01 a name and an alias, and let both be spoken after the last coded segment."""
    people = repo / "data/cases/S01/participants.csv"
    lines = people.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",name,aliases"] + [
        line + (f",{NAME},{ALIAS}" if line.startswith("S01-P01,") else ",,") for line in lines[1:]]
    people.write_text("\n".join(lines) + "\n", encoding="utf-8")
    doc = repo / "data/cases/S01/transcripts/S01-D03.md"  # mentions of a person in another person's interview
    doc.write_text(doc.read_text(encoding="utf-8") + f"\n**访谈者**：您刚才说{NAME}，就是{ALIAS}吧？\n", encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    repo = copy_repo(tmp_path_factory.mktemp("e2e") / "repo")
    add_a_confidential_name(repo)
    before = tree_digest(repo / "data")
    run = snakemake(repo, *MINI)
    assert run.returncode == 0, run.stderr[-4000:]
    assert tree_digest(repo / "data") == before, "the pipeline wrote under data/"
    return repo


def test_the_book_is_built_from_the_miniature_config(built):
    index = built / "paper/_build/html/index.html"
    assert index.is_file()
    numbers = json.loads((built / "results/numbers/numbers.json").read_text(encoding="utf-8"))
    assert numbers["n_stations"] == "3"
    html = (built / "paper/_build/html/design.html").read_text(encoding="utf-8")
    assert f"{numbers['n_documents']} 份文本" in html
    assert "{{" not in html
    for page in ("coding.html", "framework.html"):
        assert "合成示例语料" in (built / "paper/_build/html" / page).read_text(encoding="utf-8")


def test_a_second_build_runs_no_job(built):
    run = snakemake(built, *MINI, "--dry-run")
    assert run.returncode == 0
    assert "Nothing to be done" in run.stdout + run.stderr


def test_no_participant_name_reaches_any_output(built):
    import pandas as pd

    people = pd.read_parquet(built / "results/ingest/participants.parquet")
    assert "name" not in people.columns and "aliases" not in people.columns
    body = pd.read_parquet(built / "results/ingest/documents.parquet").set_index("document_id").loc["S01-D03", "body"]
    assert "您刚才说〔S01-P01〕，就是〔S01-P01〕吧" in body  # masked where it was spoken
    leaks = []
    for folder in ("results", "paper/_build", "logs"):
        for path in (built / folder).rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                if path.suffix == ".parquet":  # compressed: search the decoded cells
                    data = pd.read_parquet(path).astype(str).to_csv().encode("utf-8")
                for secret in (NAME, ALIAS, "秀兰"):
                    if secret.encode("utf-8") in data:
                        leaks.append(f"{path.relative_to(built)}: {secret}")
    assert leaks == []


def test_lint_reports_nothing():
    run = subprocess.run([sys.executable, "-m", "snakemake", "--lint"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0
    assert "Lints for" not in run.stdout + run.stderr


def test_bad_input_stops_the_workflow_before_any_job(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    seg = repo / "data/cases/S01/segments.csv"
    lines = seg.read_text(encoding="utf-8").split("\n")
    lines[1] = lines[1].replace(lines[1].split(",")[5], "inst.polcy", 1)
    seg.write_text("\n".join(lines), encoding="utf-8")
    run = snakemake(repo, *MINI)
    assert run.returncode != 0
    assert "data/cases/S01/segments.csv, line 2" in run.stderr
    assert "closest: inst.policy" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (repo / "results").exists()
