"""End to end: the Snakemake DAG on a miniature config, from raw data to the HTML book.

The repository is copied to a temporary folder (without .venv, results and builds) so
the test never touches the working tree.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from analysis.inputs.shards import shard_of
from analysis.report.registry import Registry
from conftest import ROOT, book_numbers

pytestmark = pytest.mark.e2e
IGNORE = shutil.ignore_patterns(".venv", ".git", "results", "logs", "_build", ".snakemake", "__pycache__",
                                ".pytest_cache", "*.pyc")
MINI = ["--configfile", "tests/e2e/config.yaml"]
SHARDS = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))["ingest"]["shards"]


def copy_repo(dest: Path) -> Path:
    shutil.copytree(ROOT, dest, ignore=IGNORE)
    return dest


def snakemake(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """Snakemake as `workflow/run.sh build` runs it: with the workflow's profile (jobs in-process)."""
    return subprocess.run([sys.executable, "-m", "snakemake", "--workflow-profile", "workflow/profiles/default",
                           "--cores", "2", *args], cwd=cwd, capture_output=True, text=True, timeout=1200)


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


NAME, ALIAS = "王秀兰", "秀兰阿姨"  # an invented confidential name and a form of address
#: How a careless or hostile hand may write them in a transcript, a note or a memo: each must be masked.
SPELLINGS = ["王秀蘭", "王 秀 兰", "WANG XIULAN", "Xiulan Wang", "王\u200b秀兰", "王\n秀兰", "秀蘭阿姨"]
SECRETS = [NAME, ALIAS, "秀兰", "秀蘭", "王 秀 兰", "WANG XIULAN", "Xiulan Wang", "王\u200b秀兰", "王\n秀兰"]
SNAPSHOT: dict[str, str] = {}  # each output of the first clean build: path -> SHA-256


def add_a_confidential_name(repo: Path) -> None:
    """Give S01-P01 a name and an alias, and plant them, spelt every way, in every free-text field that
    may hold a name and leaves the confidential layer masked: transcript bodies (S01's and another
    station's), a transcript header's note and a segment's memo (with a spreadsheet formula)."""
    people = repo / "data/cases/S01/participants.csv"
    lines = people.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",name,aliases"] + [
        line + (f",{NAME},{ALIAS}" if line.startswith("S01-P01,") else ",,") for line in lines[1:]]
    people.write_text("\n".join(lines) + "\n", encoding="utf-8")
    doc = repo / "data/cases/S01/transcripts/S01-D03.md"  # mentions of a person in another person's interview
    text = doc.read_text(encoding="utf-8").replace("not a finding of the study.\"", f"not a finding of the study. 访谈在{NAME}家进行。\"", 1)
    doc.write_text(text + f"\n**访谈者**：您刚才说{NAME}，就是{ALIAS}吧？还有{'、'.join(SPELLINGS)}和王书记？\n",
                   encoding="utf-8")
    other = repo / "data/cases/S06/transcripts/S06-D02.md"  # a person of S01 named in another station
    other.write_text(other.read_text(encoding="utf-8") + f"\n**访谈者**：听说{SPELLINGS[0]}也来帮过忙？\n", encoding="utf-8")
    seg = repo / "data/cases/S01/segments.csv"
    rows = seg.read_text(encoding="utf-8").split("\n")
    rows[0] += ",memo"
    rows[1] += f',"=HYPERLINK(""http://x"") {NAME}说的"'
    rows[2:] = [r + "," if r else r for r in rows[2:]]
    seg.write_text("\n".join(rows), encoding="utf-8")


def file_digests(repo: Path) -> dict[str, str]:
    """SHA-256 of every file the build makes: results/ and the HTML book."""
    out = {}
    for folder in ("results", "paper/_build/html"):
        for path in sorted((repo / folder).rglob("*")):
            if path.is_file():
                out[str(path.relative_to(repo))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def differences(a: dict[str, str], b: dict[str, str]) -> list[str]:
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    repo = copy_repo(tmp_path_factory.mktemp("e2e") / "repo")
    add_a_confidential_name(repo)
    before = tree_digest(repo / "data")
    run = snakemake(repo, *MINI)
    assert run.returncode == 0, run.stderr[-4000:]
    assert tree_digest(repo / "data") == before, "the pipeline wrote under data/"
    SNAPSHOT.update(file_digests(repo))
    return repo


def test_the_book_is_built_from_the_miniature_config(built):
    index = built / "paper/_build/html/index.html"
    assert index.is_file()
    numbers = book_numbers(built)
    assert numbers["n_stations"] == "3"
    html = (built / "paper/_build/html/design.html").read_text(encoding="utf-8")
    # a number is a link to its provenance: read the text a reader sees
    assert f"{numbers['n_documents']} 份文本" in re.sub(r"<[^>]+>", "", html)
    assert "{{" not in html
    for page in ("coding.html", "framework.html"):
        assert "合成示例语料" in (built / "paper/_build/html" / page).read_text(encoding="utf-8")
    # the checksum table: one row per station folder (its files counted), the CSV one row per file
    checksums = (built / "results/tables/raw_checksums.md").read_text(encoding="utf-8")
    assert re.search(r"^\| data/cases/S01/ \| \d+ \|", checksums, re.M) and "transcripts/" not in checksums
    listed = (built / "results/tables/raw_checksums.csv").read_text(encoding="utf-8")
    assert "data/cases/S01/transcripts/" in listed
    # the statistical tables' downloads hold numbers at full precision, not the book's display strings
    import pandas as pd

    # (the miniature's three stations fit no outcome model and run no QCA: those tables hold notes only)
    for name, column in (("code_by_actor", "p_value"), ("cooccurrence", "c"), ("reliability", "krippendorff_alpha_lo"),
                         ("pt_sensitivity", "posterior")):
        data = pd.read_csv(built / "results/tables" / f"{name}.csv")
        assert pd.api.types.is_float_dtype(data[column]), f"{name}.csv: {column} is not numeric"


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
    assert "还有" + "、".join(["〔S01-P01〕"] * len(SPELLINGS)) + "和〔某书记〕" in body
    gate = json.loads((built / "results/leak_gate/book.json").read_text(encoding="utf-8"))
    assert gate["leaks"] == 0 and gate["name_forms"] > 50 and gate["scanned"]["book"] > 100
    leaks = []
    for folder in ("results", "paper/_build", "logs"):
        for path in (built / folder).rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                if path.suffix == ".parquet":  # compressed: search the decoded cells
                    data = pd.read_parquet(path).astype(str).to_csv().encode("utf-8")
                for secret in SECRETS:
                    if secret.encode("utf-8") in data:
                        leaks.append(f"{path.relative_to(built)}: {secret}")
    assert leaks == []


def test_an_export_carries_no_name_in_any_field(built, tmp_path):
    import zipfile

    for case in ("S01", "S06"):
        out = tmp_path / f"{case}.qdpx"
        run = subprocess.run([sys.executable, "-m", "analysis.cli", "--root", str(built), "--config", "tests/e2e/config.yaml",
                              "export-qdpx", "--case", case, "--out", str(out)], capture_output=True, text=True, cwd=built)
        assert run.returncode == 0, run.stderr
        with zipfile.ZipFile(out) as archive:
            found = [f"{name}: {s}" for name in archive.namelist() for s in SECRETS
                     if s in archive.read(name).decode("utf-8")]
        assert found == []
    qde = zipfile.ZipFile(tmp_path / "S01.qdpx").read("project.qde").decode("utf-8")
    assert "访谈在〔S01-P01〕家进行" in qde and "'=HYPERLINK" in qde and "〔S01-P01〕说的" in qde


def test_a_rebuild_gives_the_same_bytes(built):
    """Everything rebuilt in the same folder equals the first build, file for file (the book's stylesheet
    links gained ?v=, .buildinfo hashed paths, the rule graph changed order, the footer had the date)."""
    run = snakemake(built, *MINI, "--forceall")
    assert run.returncode == 0, run.stderr[-4000:]
    assert differences(SNAPSHOT, file_digests(built)) == []


def test_a_killed_build_recovers_with_the_readme_command_and_matches_a_build_elsewhere(built, tmp_path):
    """Killed outright mid-job, the README's command used to stop on the lock and the incomplete files;
    rerun as it is, it must finish, and a build in another folder must give the same bytes."""
    import os
    import signal
    import time

    repo = copy_repo(tmp_path / "elsewhere")
    add_a_confidential_name(repo)
    env = {**os.environ, "CASEBOOK_NO_INSTALL": "1"}
    command = ["bash", "workflow/run.sh", "build", *MINI]
    first = subprocess.Popen(command, cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    incomplete = repo / ".snakemake/incomplete"
    deadline = time.monotonic() + 600
    while not (incomplete.is_dir() and any(incomplete.iterdir()) and (repo / "results/ingest/codes.parquet").exists()):
        assert first.poll() is None, "the build ended before it could be killed"
        assert time.monotonic() < deadline, "no job started within ten minutes"
        time.sleep(0.2)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    assert any((repo / ".snakemake/locks").iterdir()), "the kill left no lock, so this test proves nothing"
    again = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, timeout=1200)
    assert again.returncode == 0, again.stderr[-4000:]
    assert "its lock is released" in again.stdout + again.stderr
    assert differences(SNAPSHOT, file_digests(repo)) == []


def test_the_leak_gate_stops_the_build_on_a_planted_name_and_does_not_print_it(built):
    planted = built / "results/tables/zz_planted.md"
    planted.write_text(f"| x |\n|---|\n| {SPELLINGS[0]} |\n", encoding="utf-8")
    try:
        run = snakemake(built, *MINI, "--forcerun", "leak_gate")
        assert run.returncode != 0
        assert "results/tables/zz_planted.md, line 3: a form of the confidential name of participant S01-P01" in run.stderr
        assert not any(secret in run.stdout + run.stderr for secret in SECRETS)
        assert not any(secret in (built / "logs/gate/leak_gate.log").read_text(encoding="utf-8") for secret in SECRETS)
    finally:
        planted.unlink()
    assert snakemake(built, *MINI).returncode == 0  # the gate passes again and rewrites its report


def test_a_job_that_cannot_write_its_output_or_log_says_why_on_the_console(built, tmp_path):
    """A full disk showed nothing useful: the traceback could not even reach the log."""
    repo = copy_repo(tmp_path / "fulldisk")
    for folder in ("results/figures", "logs/figures"):
        (repo / folder).mkdir(parents=True)
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4k", "tmpfs", str(repo / folder)], capture_output=True)
        if mounted.returncode != 0:
            pytest.skip("mounting a small tmpfs needs root: " + mounted.stderr.decode(errors="replace"))
        (repo / folder / ".keep").touch()  # a mount point must not look empty, or Snakemake tries to remove it
    try:
        run = snakemake(repo, "results/figures/theme_frequencies.png", "--workflow-profile", "workflow/profiles/default", *MINI)
    finally:
        for folder in ("results/figures", "logs/figures"):
            subprocess.run(["umount", str(repo / folder)], check=False)
    assert run.returncode != 0
    message = ("casebook: the disk is full: results/figures/theme_frequencies.png could not be written "
               "(No space left on device)")
    assert message in run.stderr
    summary = run.stderr[run.stderr.index("casebook: the build stopped: 1 job failed (fig_theme_frequencies)."):].splitlines()
    assert summary[2].startswith("rule fig_theme_frequencies")
    assert summary[3].strip().startswith(message) or "is empty" in summary[2]  # the message first, or why there is none


def test_lint_reports_nothing():
    run = subprocess.run([sys.executable, "-m", "snakemake", "--lint"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0
    assert "Lints for" not in run.stdout + run.stderr


def test_bad_input_stops_the_workflow_before_any_analysis_job(tmp_path):
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
    # The ingest job of the case's shard stops on it; no analysis started, and nothing of that shard
    # was written (the provenance jobs, which read no data, may have run).
    for analysis in ("coding", "reliability", "mechanisms", "numbers/corpus.json", "numbers/coding.json"):
        assert not (repo / "results" / analysis).exists(), f"results/{analysis} was made from bad input"
    shard = shard_of("S01", SHARDS)
    assert not list((repo / "results").glob(f"**/shards/{shard}*")), "something of the bad case's shard was written"


# --- the manuscript: HTML in a real browser, the PDF, and what a one-segment change reruns -------------


def test_every_page_of_the_book_opens_cleanly_in_chromium(built):
    from browser import check_book

    html = built / "paper/_build/html"
    screenshot = built / "paper/_build/browser-check/findings_p1.png"
    problems, pages = check_book(html, "findings_p1.html", screenshot)
    assert problems == [], "\n".join(problems[:40])
    assert pages >= 18
    assert screenshot.is_file() and screenshot.stat().st_size > 50_000  # a full page, not a blank one
    keep = ROOT / "results" / "browser-check"  # kept for a reader of the CI run
    keep.mkdir(parents=True, exist_ok=True)
    shutil.copy(screenshot, keep / "findings_p1.png")


def test_the_offline_search_finds_chinese_words(built):
    from browser import search_hits

    assert search_hits(built / "paper/_build/html", "韧性") >= 5
    assert search_hits(built / "paper/_build/html", "Krippendorff") >= 1


def test_the_pdf_is_typeset_with_embedded_fonts_and_every_figure(built):
    from pypdf import PdfReader

    run = snakemake(built, "pdf", *MINI)
    assert run.returncode == 0, (built / "logs/paper/pdf.log").read_text(encoding="utf-8")[-4000:]
    pdf = built / "paper/_build/latex/book.pdf"
    latex_log = (built / "paper/_build/latex/book.log").read_text(encoding="utf-8", errors="replace")
    assert "Missing character" not in latex_log, "a glyph is missing from the PDF's fonts"
    reader = PdfReader(pdf)
    assert len(reader.pages) >= 30
    fonts, images = {}, 0
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            fonts[str(font.get("/BaseFont"))] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        images += len(page.images)
    assert fonts and all(fonts.values()), f"fonts not embedded: {[f for f, ok in fonts.items() if not ok]}"
    assert any("CJK" in f for f in fonts), f"no CJK font in the PDF: {sorted(fonts)}"
    text = "".join(page.extract_text() or "" for page in reader.pages[:12])
    assert "合作生产" in text and "社区韧性" in text
    figures = len(re.findall(r"```\{figure\}", "".join(p.read_text(encoding="utf-8") for p in (built / "paper").glob("*.md"))))
    assert images >= figures


def _mtimes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def _recode_one_segment(repo: Path) -> str:
    """Give one of S06's primary-coder segments a proposition-1 code in place of a proposition-2 code:
    the same recode the benchmark times (workflow/benchmark.py), so the two measure one change."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("benchmark", ROOT / "workflow" / "benchmark.py")
    benchmark = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(benchmark)
    return benchmark.recode_one_segment(repo)


def test_one_changed_segment_reruns_what_it_affects_and_nothing_else(built):
    """Recode one segment of one station: the book's numbers follow, unrelated outputs stay untouched."""
    before_numbers = book_numbers(built)
    before = _mtimes(built / "results")
    _recode_one_segment(built)
    run = snakemake(built, *MINI)
    assert run.returncode == 0, run.stderr[-4000:]
    after = _mtimes(built / "results")
    changed = {p for p in before if after.get(p) != before[p]}
    log = run.stdout + run.stderr
    # Re-ingested: the changed station's shard only.
    shard, others = shard_of("S06", SHARDS), {shard_of(case, SHARDS) for case in ("S01", "S11")}
    assert shard not in others, "the miniature's stations must span two shards for this test to mean anything"
    assert f"ingest/shards/{shard}/segments.parquet" in changed
    # (The pooled stations and participants tables are pooled again with the corpus; every job that reads
    # them reads the segments too.)
    for untouched in (*(f"ingest/shards/{other}/{table}.parquet" for other in others
                        for table in ("documents", "segments", "stations", "participants")), "ingest/codes.parquet",
                      "ingest/context.parquet", "tables/context_facts.md", "tables/codebook.md",
                      "figures/analytic_framework.png", "tables/software_versions.md", "provenance/rulegraph.dot",
                      "figures/rulegraph.png"):
        assert untouched not in changed, f"{untouched} was recomputed although the change does not touch it"
    assert re.findall(r"wildcards: shard=(\w+)", log) == [shard], "exactly one shard is re-checked and re-ingested"
    # The numbers follow, and the rebuilt book prints them.
    numbers = book_numbers(built)
    assert int(numbers["p1_support"]) == int(before_numbers["p1_support"]) + 1
    assert int(numbers["p2_support"]) == int(before_numbers["p2_support"]) - 1
    assert numbers["n_segments"] == before_numbers["n_segments"]
    page = (built / "paper/_build/html/findings_p1.html").read_text(encoding="utf-8")
    assert f"支持该命题的片段 {numbers['p1_support']} 个" in re.sub(r"<[^>]+>", "", page)
    # And a second run has nothing left to do.
    again = snakemake(built, *MINI, "--dry-run")
    assert "Nothing to be done" in again.stdout + again.stderr


def test_the_snakemake_report_holds_every_figure_with_its_caption(built, tmp_path):
    report = tmp_path / "report.html"
    run = snakemake(built, *MINI, "--report", str(report))
    assert run.returncode == 0, run.stderr[-3000:]
    html = report.read_text(encoding="utf-8", errors="replace")
    figures = sorted(p.stem for p in (built / "results/figures").glob("*.png"))
    assert len(figures) >= 14
    for name in figures:
        assert f"{name}.png" in html, f"{name}.png is not in the report"
    for entry in Registry(ROOT, yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))).figures:
        words = entry.spec["caption"].split()[:3]
        assert " ".join(words) in html, f"the caption of {entry.name} is not in the report"


def test_past_the_station_limit_the_book_shows_distributions_and_the_csv_every_station(tmp_path):
    """The miniature built with report.station_detail 2: every per-station table of the book becomes a
    summary (quartiles, the highest and lowest stations), its CSV keeps one row per station, the figures
    are still drawn, and the chapters say which view they show."""
    repo = copy_repo(tmp_path / "repo")
    run = snakemake(repo, "--configfile", "tests/e2e/station_view.yaml")
    assert run.returncode == 0, run.stderr[-4000:]
    tables = repo / "results/tables"
    for name in ("station_themes", "framework_matrix", "evidence_by_station"):
        shown = (tables / f"{name}.md").read_text(encoding="utf-8")
        assert "中位数" in shown and "最高的 2 个站点" in shown, name
        assert not re.search(r"^\| S\d\d \|", shown, re.M), f"{name} still lists stations row by row"
        full = (tables / f"{name}.csv").read_text(encoding="utf-8")
        assert all(re.search(rf"^{case},", full, re.M) for case in ("S01", "S06", "S11")), name
    assert "各站点（共 3 个）" in (tables / "saturation.md").read_text(encoding="utf-8")
    checksums = (tables / "raw_checksums.md").read_text(encoding="utf-8")
    assert "data/cases/*/transcripts/*.md | 21 |" in checksums and "S01" not in checksums
    numbers = book_numbers(repo)
    assert "多于本书逐站列出的上限（2 个）" in numbers["station_view"]
    page = (repo / "paper/_build/html/coding.html").read_text(encoding="utf-8")
    assert "多于本书逐站列出的上限" in page and "station_themes.csv" in page
    # The whole input's digest, recomputed from the files themselves as `sha256sum` lines in path order.
    paths = sorted(line.split(",")[0] for line in (tables / "raw_checksums.csv").read_text(encoding="utf-8").splitlines()[1:])
    lines = "".join(f"{hashlib.sha256((repo / path).read_bytes()).hexdigest()}  {path}\n" for path in paths)
    assert numbers["input_digest"] == hashlib.sha256(lines.encode("utf-8")).hexdigest()
    assert numbers["input_digest"] in (repo / "paper/_build/html/appendix_reproducibility.html").read_text(encoding="utf-8")
