"""``casebook diff OLD NEW`` (analysis/cli/diff.py): two tiny built results folders, made here,
compared number by number, cell by cell and pixel by pixel, each change placed on its page; the
commit mode on a tiny git repository whose build is a stand-in (no pipeline runs here)."""

from __future__ import annotations

import csv
import json
import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image

from analysis.cli import diff as diff_module
from analysis.cli.commands import main

#: The chapters of the tiny book: the table of contents puts results before intro (not name order).
PAPER = {
    "_toc.yml": "format: jb-book\nroot: results\nchapters:\n  - file: intro\n",
    "intro.md": "(ch-intro)=\n# 引言\n\n共 {{ n_cases }} 个站点，占 {{ share }}。\n",
    "results.md": ("# 结果：{{ n_cases }} 个站点\n\n```{include} ../results/tables/counts.md\n```\n\n"
                   "```{figure} ../results/figures/plot.png\n```\n\n新数字 {{ fresh }}；{{ n_cases }}。\n"),
}


def _results(folder: Path, numbers: dict, rows: list[list[str]], pixel=(255, 255, 255), paper=True) -> Path:
    """A built project folder: results/numbers/one topic, a table (CSV and Markdown), two figures."""
    results = folder / "results"
    for sub in ("numbers", "tables", "figures"):
        (results / sub).mkdir(parents=True, exist_ok=True)
    topic = {k: {"value": v, "rule": "numbers_test", "function": "tests.fake"} for k, v in numbers.items()}
    (results / "numbers" / "test.json").write_text(json.dumps(topic, ensure_ascii=False), encoding="utf-8")
    with (results / "tables" / "counts.csv").open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    (results / "tables" / "counts.md").write_text("\n".join("| " + " | ".join(r) + " |" for r in rows) + "\n",
                                                  encoding="utf-8")
    image = Image.new("RGB", (10, 10), "white")
    image.putpixel((0, 0), pixel)
    image.save(results / "figures" / "plot.png")
    Image.new("RGB", (4, 4), "black").save(results / "figures" / "steady.png")
    if paper:
        (folder / "paper").mkdir(exist_ok=True)
        for name, text in PAPER.items():
            (folder / "paper" / name).write_text(text, encoding="utf-8")
    return results


OLD_NUMBERS = {"n_cases": "3", "share": "50%", "gone": "1"}
NEW_NUMBERS = {"n_cases": "4", "share": "50%", "fresh": "2"}
OLD_ROWS = [["site", "n", "label"], ["S01", "3", "a"], ["S02", "4", "b"]]
NEW_ROWS = [["site", "n", "label"], ["S01", "3", "a"], ["S02", "5", "b"], ["S03", "1", "c"]]


@pytest.fixture
def pair(tmp_path):
    old = _results(tmp_path / "old", OLD_NUMBERS, OLD_ROWS)
    new = _results(tmp_path / "new", NEW_NUMBERS, NEW_ROWS, pixel=(0, 0, 0))
    return old, new


def _run(capsys, *args):
    code = main(["diff", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_json_report_lists_exactly_the_changes_with_old_new_and_pages(pair, capsys):
    old, new = pair
    code, out, _ = _run(capsys, old, new, "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["changed"] is True
    found = {(c["kind"], c["name"], c["status"]): c for c in report["changes"]}
    assert set(found) == {("number", "n_cases", "changed"), ("number", "gone", "removed"),
                          ("number", "fresh", "added"), ("table", "counts", "changed"),
                          ("figure", "plot.png", "changed")}
    n_cases = found[("number", "n_cases", "changed")]
    assert (n_cases["old"], n_cases["new"]) == ("3", "4")
    assert [(p["page"], p["title"], p["lines"]) for p in n_cases["pages"]] == [
        ("results.html", "结果：4 个站点", [1, 9]), ("intro.html", "引言", [4])]
    table = found[("table", "counts", "changed")]["details"]
    assert table["key"] == ["site"] and table["cells"] == [{"row": "S02", "column": "n", "old": "4", "new": "5"}]
    assert table["rows_added"] == ["S03"] and table["rows_removed"] == []
    # one pixel of a hundred differs; the figure that did not change is not listed
    assert found[("figure", "plot.png", "changed")]["details"] == {"pixels_differ": pytest.approx(0.01)}
    assert found[("number", "gone", "removed")]["pages"] == []
    assert report["summary"]["numbers"] == {"added": 1, "removed": 1, "changed": 1}
    # pages in the order of _toc.yml, then what no page uses
    assert [p["page"] for p in report["pages"]] == ["results.html", "intro.html", None]


def test_the_text_report_is_grouped_by_page_in_the_book_s_order(pair, capsys):
    old, new = pair
    code, out, err = _run(capsys, old, new)
    assert code == 1
    sections = out.split("\n\n")
    assert sections[0].splitlines()[-1] == (
        "  changed: numbers 3 (1 added, 1 removed, 1 changed); tables 1 (1 changed); figures 1 (1 changed)")
    assert sections[1].splitlines() == [
        "== 结果：4 个站点 (results.html) ==",
        "  number n_cases (line 1, 9): 3 → 4",
        "  table counts (line 3): 1 cell(s) changed, 1 row(s) added in counts.csv (2 → 3 rows; rows keyed by site); "
        "also changed: counts.md",
        "      row S02, column n: 4 → 5",
        "      rows added: S03",
        "  figure plot.png (line 6): image changed (1.00% of pixels differ)",
        "  number fresh (line 9): added (2)",
    ]
    assert sections[2].splitlines() == ["== 引言 (intro.html) ==", "  number n_cases (line 4): 3 → 4"]
    assert sections[3].splitlines() == ["== not used in the book ==", "  number gone: removed (1)"]
    assert "share" not in out and "steady" not in out
    assert f"pages: {new.parent / 'paper'}" in out and err == ""


def test_markdown_names_each_page_and_escapes_what_markdown_would_read(pair, capsys):
    old, new = pair
    (new / "numbers" / "test.json").write_text(json.dumps(
        {"n_cases": {"value": "inst*cap", "rule": "r", "function": "f"}}), encoding="utf-8")
    code, out, _ = _run(capsys, old, new, "--format", "markdown")
    assert code == 1
    assert "## 结果：inst\\*cap 个站点 (`results.html`)" in out
    assert "- number n\\_cases (line 1, 9): 3 → inst\\*cap" in out


def test_two_equal_builds_report_nothing_and_exit_zero(tmp_path, capsys):
    old = _results(tmp_path / "old", OLD_NUMBERS, OLD_ROWS)
    new = _results(tmp_path / "new", OLD_NUMBERS, OLD_ROWS)
    code, out, _ = _run(capsys, old, new)
    assert code == 0 and "no number, table or figure changed" in out and "==" not in out


def test_a_project_folder_stands_for_its_results_and_paper_overrides_the_pages(pair, tmp_path, capsys):
    old, new = pair
    other = tmp_path / "other"
    other.mkdir()
    (other / "only.md").write_text("# 别处\n\n{{ n_cases }}\n", encoding="utf-8")
    code, out, _ = _run(capsys, old.parent, new.parent, "--paper", other, "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["paper"] == str(other)
    assert [p["page"] for p in report["pages"]] == ["only.html", None]


def test_a_folder_that_is_not_a_built_results_folder_is_named_with_the_fix(pair, tmp_path, capsys):
    _, new = pair
    empty = tmp_path / "not_built"
    empty.mkdir()
    code, out, err = _run(capsys, empty, new)
    assert code == 2 and out == ""
    assert str(empty) in err and "not a built results folder" in err and "workflow/run.sh build" in err
    assert "Traceback" not in err


def test_neither_a_folder_nor_a_commit_is_an_error_not_a_traceback(pair, tmp_path, capsys, monkeypatch):
    _, new = pair
    monkeypatch.chdir(tmp_path)  # not inside a git repository
    code, _, err = _run(capsys, "no-such-build", new)
    assert code == 2 and "no-such-build: neither a folder nor a commit" in err and "Traceback" not in err


def test_a_numbers_file_that_does_not_parse_is_named(pair, capsys):
    old, new = pair
    (old / "numbers" / "broken.json").write_text("{", encoding="utf-8")
    code, _, err = _run(capsys, old, new)
    assert code == 2 and "broken.json: not a readable numbers file" in err and "Traceback" not in err


def test_max_cells_caps_the_listing_and_counts_the_rest(tmp_path, capsys):
    head = [["site", "n"]]
    old = _results(tmp_path / "old", OLD_NUMBERS, head + [[f"S{i:02d}", "1"] for i in range(15)])
    new = _results(tmp_path / "new", OLD_NUMBERS, head + [[f"S{i:02d}", "2"] for i in range(15)])
    code, out, _ = _run(capsys, old, new, "--max-cells", "3")
    assert code == 1
    assert [line.strip() for line in out.splitlines() if line.strip().startswith("row ")] == [
        "row S00, column n: 1 → 2", "row S01, column n: 1 → 2", "row S02, column n: 1 → 2"]
    assert "… and 12 more changed cell(s)" in out and "15 cell(s) changed" in out


def test_rows_without_a_unique_key_are_compared_by_position():
    old = [["solution", "term"], ["M1", "x"], ["M1", "x"], ["M2", "y"]]
    new = [["solution", "term"], ["M1", "x"], ["M1", "x"], ["M2", "z"]]
    details = diff_module.diff_rows(old, new, cap=10)
    assert details["key"] == [] and details["rows_added"] == details["rows_removed"] == []
    assert details["cells"] == [{"row": "row 3", "column": "term", "old": "y", "new": "z"}]


def test_a_key_that_no_longer_matches_half_the_rows_gives_way_to_positions():
    old = [["rank", "code"], ["1", "inst"], ["2", "cap"]]
    new = [["rank", "code"], ["7", "inst"], ["8", "cap"]]
    details = diff_module.diff_rows(old, new, cap=10)
    assert details["key"] == [] and details["cells_total"] == 2 and details["rows_added_total"] == 0


def test_a_markdown_table_without_a_data_file_is_compared_line_by_line(pair, capsys):
    old, new = pair
    (old / "tables" / "notes.md").write_text("| a |\n| x |\n", encoding="utf-8")
    (new / "tables" / "notes.md").write_text("| a |\n| y |\n", encoding="utf-8")
    code, out, _ = _run(capsys, old, new, "--format", "json")
    notes = next(c for c in json.loads(out)["changes"] if c["name"] == "notes")
    assert notes["details"]["lines"] == [{"old": "| x |", "new": "| y |"}]


def test_a_parquet_table_is_compared_cell_by_cell(pair):
    pd = pytest.importorskip("pandas")
    old, new = pair
    pd.DataFrame({"code": ["inst", "cap"], "n": [1, 2]}).to_parquet(old / "tables" / "freq.parquet")
    pd.DataFrame({"code": ["inst", "cap"], "n": [1, 3]}).to_parquet(new / "tables" / "freq.parquet")
    freq = next(c for c in diff_module.diff_tables(old, new, cap=10) if c.name == "freq")
    assert freq.details["cells"] == [{"row": "cap", "column": "n", "old": "2", "new": "3"}]


# --- commits -------------------------------------------------------------------------------------


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A git repository with two commits of a tiny book; scratch space of its own for the worktrees."""
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    return root, scratch


def _commit_all(root: Path, message: str) -> str:
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", message)
    return _git(root, "rev-parse", "HEAD")


def test_commits_that_carry_their_results_are_compared_without_a_build(repo, capsys, monkeypatch):
    root, scratch = repo
    _results(root, OLD_NUMBERS, OLD_ROWS)
    first = _commit_all(root, "old")
    _results(root, NEW_NUMBERS, NEW_ROWS, pixel=(0, 0, 0))
    _commit_all(root, "new")
    monkeypatch.setattr(diff_module, "build_tree", lambda tree, log: pytest.fail("a build was started"))
    code = main(["--root", str(root), "diff", first[:8], "HEAD", "--format", "json"])
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert code == 1
    assert {(c["kind"], c["name"]) for c in report["changes"]} == {
        ("number", "n_cases"), ("number", "gone"), ("number", "fresh"), ("table", "counts"), ("figure", "plot.png")}
    assert report["old"]["what"] == f"commit {first[:10]}" and report["new"]["what"].endswith("(HEAD)")
    assert report["paper"].startswith("paper/ of commit")
    assert "carries a results folder, which is used as it is" in err
    # the worktrees are gone, and git no longer lists them
    assert list(scratch.iterdir()) == [] and len(_git(root, "worktree", "list").splitlines()) == 1


def test_a_commit_without_results_is_built_in_a_worktree_that_is_then_removed(repo, capsys, monkeypatch):
    root, scratch = repo
    for name, text in PAPER.items():
        (root / "paper").mkdir(exist_ok=True)
        (root / "paper" / name).write_text(text, encoding="utf-8")
    (root / ".gitignore").write_text("results/\n", encoding="utf-8")
    _commit_all(root, "a book without results")
    new = _results(root.parent / "built", NEW_NUMBERS, NEW_ROWS)
    built = []

    def build(tree, log):
        assert (tree / "paper" / "intro.md").is_file() and not (tree / "results").exists()
        built.append(tree)
        _results(tree, OLD_NUMBERS, OLD_ROWS, paper=False)
        return 0

    monkeypatch.setattr(diff_module, "build_tree", build)
    code = main(["--root", str(root), "diff", "HEAD", str(new)])
    out, err = capsys.readouterr()
    assert code == 1 and len(built) == 1
    assert "building it with the workflow's default profile" in err and ": built" in err
    assert "number n_cases (line 1, 9): 3 → 4" in out
    assert not built[0].exists() and list(scratch.iterdir()) == []


def test_a_commit_whose_build_fails_is_reported_with_its_log(repo, capsys, monkeypatch):
    root, scratch = repo
    (root / "README").write_text("x\n", encoding="utf-8")
    _commit_all(root, "nothing to build")

    def build(tree, log):
        log.write_text("Error in rule numbers_test:\n    jobid: 1\n", encoding="utf-8")
        return 1

    monkeypatch.setattr(diff_module, "build_tree", build)
    new = _results(root.parent / "built", NEW_NUMBERS, NEW_ROWS)
    code = main(["--root", str(root), "diff", "HEAD", str(new)])
    _, err = capsys.readouterr()
    assert code == 2 and "its build failed (Snakemake exit status 1)" in err and "Error in rule numbers_test" in err
    assert "Traceback" not in err
    # the worktree is removed; only the build's log is kept, and the message names it
    kept = [p for p in scratch.iterdir()]
    assert len(kept) == 1 and kept[0].suffix == ".log" and str(kept[0]) in err


def test_an_unexpected_failure_exits_two_not_one_which_means_changed(pair, capsys, monkeypatch):
    old, new = pair

    def broken(*_):
        raise RuntimeError("a bug")

    monkeypatch.setattr(diff_module, "diff_figures", broken)
    code, out, err = _run(capsys, old, new)
    assert code == 2 and out == "" and "RuntimeError: a bug" in err


def test_one_commit_named_twice_is_checked_out_and_built_once(repo, capsys, monkeypatch):
    root, scratch = repo
    (root / "README").write_text("x\n", encoding="utf-8")
    _commit_all(root, "one commit")
    built = []

    def build(tree, log):
        built.append(tree)
        _results(tree, OLD_NUMBERS, OLD_ROWS)
        return 0

    monkeypatch.setattr(diff_module, "build_tree", build)
    code = main(["--root", str(root), "diff", "HEAD", _git(root, "rev-parse", "HEAD")])
    out, _ = capsys.readouterr()
    assert code == 0 and len(built) == 1 and "no number, table or figure changed" in out
    assert list(scratch.iterdir()) == []


def test_an_unreadable_table_is_named_with_the_fix(pair, capsys):
    old, new = pair
    (old / "tables" / "counts.csv").write_bytes(b"site,n\n\xff\xfe,1\n")
    code, _, err = _run(capsys, old, new)
    assert code == 2 and "counts.csv: the table cannot be read" in err and "Traceback" not in err
