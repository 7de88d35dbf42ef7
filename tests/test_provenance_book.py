"""Provenance a reader can click: numbers linked to their entry, captions linked to their rule and code,
segment lists that hold what the numbers count, digests of every table and figure, the build's facts.

The book's extensions are tried on a miniature Sphinx project (HTML and LaTeX) built from literal
files; the rules' functions on tiny literal frames."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis.methods.mechanisms import framework_matrix
from analysis.report import audit
from conftest import ROOT

sys.path.insert(0, str(ROOT / "paper/_ext"))
import casebook_numbers  # noqa: E402
import casebook_provenance  # noqa: E402

CHAPTER = """# 章

共有 {{ n_x }} 个片段，最多的主题是{{ label }}；{{ said }}。

:::{table} 证据（{{ n_x }} 条）。生成：规则 `table_x`，代码 `analysis/report/table_jobs.py`；计算：规则 `count_x`。
:name: tab-x

| a |
|---|
| 共 {{ n_x }} 条 |
:::

```{admonition} 说明
提示框里也有 {{ n_x }} 个。
```

## 小节 {{ n_x }}

```{figure} x.png
:name: fig-x

计数。生成：规则 `count_x`，代码 `analysis/report/table_jobs.py`。
```

正文里的 `table_x` 不是说明，不加链接。
"""


def _png() -> bytes:
    """A one-pixel PNG."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


def _project(root: Path) -> Path:
    """A miniature book with the extensions, its numbers and its provenance files; returns its source folder."""
    paper = root / "paper"
    paper.mkdir(parents=True)
    (paper / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / 'paper/_ext')!r})\n"
        "extensions = ['myst_parser', 'casebook_numbers', 'casebook_provenance']\n"
        "myst_enable_extensions = ['substitution', 'colon_fence']\nnumfig = True\n"
        "latex_documents = [('index', 'book.tex', 'T', 'A', 'manual')]\n", encoding="utf-8")
    (paper / "index.md").write_text("# 书\n\n```{toctree}\nch\nappendix_numbers\nappendix_source\n```\n", encoding="utf-8")
    (paper / "ch.md").write_text(CHAPTER, encoding="utf-8")
    (paper / "x.png").write_bytes(_png())
    (paper / "appendix_numbers.md").write_text("# 数字\n\n```{casebook-numbers}\n```\n", encoding="utf-8")
    (paper / "appendix_source.md").write_text("# 代码\n\n```{casebook-rules}\n```\n\n```{casebook-sources}\n```\n",
                                              encoding="utf-8")
    numbers = root / "results/numbers"
    numbers.mkdir(parents=True)
    common = {"rule": "numbers_t", "function": "analysis.report.numbers.t_numbers", "inputs": ["results/x.parquet"]}
    (numbers / "t.json").write_text(json.dumps({"n_x": {"value": "1,234", **common},
                                                "label": {"value": "障碍与反证", **common},
                                                "said": {"value": "片段层面有 6 对显著共现", **common}}), encoding="utf-8")
    prov = root / "results/provenance"
    (prov / "segments").mkdir(parents=True)
    (prov / "segments/n_x.csv").write_text("segment_id\nS01-C1-0001\n", encoding="utf-8")
    (prov / "segment_lists.json").write_text(json.dumps({"n_x": {"file": "segments/n_x.csv", "n": 1}}), encoding="utf-8")
    rules = [{"name": "table_x", "file": "workflow/rules/report.smk", "line": 3, "inputs": ["results/x.parquet"],
              "outputs": ["results/tables/x.md"]},
             {"name": "count_x", "file": "workflow/rules/report.smk", "line": 1, "inputs": ["data/raw.csv"],
              "outputs": ["results/x.parquet"]}]
    (prov / "rules.json").write_text(json.dumps({"rules": rules}), encoding="utf-8")
    (prov / "build.json").write_text(json.dumps({"commit": {"commit": "a" * 40, "dirty": False, "note": ""},
                                                 "seeds": {"s": 1}, "packages": {"p": "未安装"}}), encoding="utf-8")
    (root / "workflow/rules").mkdir(parents=True)
    (root / "workflow/rules/report.smk").write_text("rule count_x:\n    input: 'data/raw.csv'\nrule table_x:\n    input: 'x'\n",
                                                   encoding="utf-8")
    (root / "analysis/report").mkdir(parents=True)
    (root / "analysis/report/table_jobs.py").write_text("def table_x(i, p, w):\n    return {}\n", encoding="utf-8")
    return paper


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> dict[str, Path]:
    from sphinx.application import Sphinx

    root = tmp_path_factory.mktemp("book")
    paper = _project(root)
    built = {}
    for builder in ("html", "latex"):
        warnings = io.StringIO()
        app = Sphinx(str(paper), str(paper), str(paper / "_build" / builder), str(paper / "_build/doctrees" / builder),
                     builder, status=None, warning=warnings, freshenv=True)
        app.build()
        assert "ERROR" not in warnings.getvalue() and "Traceback" not in warnings.getvalue(), warnings.getvalue()
        built[builder] = paper / "_build" / builder
    return built


def test_a_number_links_to_its_entry_with_its_provenance_in_the_title(book):
    page = (book["html"] / "ch.html").read_text(encoding="utf-8")
    link = re.search(r'<a class="[^"]*casebook-number[^"]*" href="([^"]+)" title="([^"]+)">1,234</a>', page)
    assert link, "the number is not a link with a title"
    href, title = link.groups()
    assert href == "appendix_numbers.html#number-n-x"
    assert "规则 numbers_t" in title and "analysis.report.numbers.t_numbers" in title and "results/x.parquet" in title
    entry = (book["html"] / "appendix_numbers.html").read_text(encoding="utf-8")
    assert 'id="number-n-x"' in entry
    # in a table's caption and cells and in an admonition the number is a link too; in a heading
    # (and so in the table of contents) it is text with the title
    assert page.count('href="appendix_numbers.html#number-n-x"') == 4
    assert re.search(r'<abbr class="casebook-number" title="n_x = 1,234[^"]*">1,234</abbr>', page)
    # words stay words: a label is not made a link
    assert "最多的主题是障碍与反证" in re.sub(r"<[^>]+>", "", page)
    assert not re.search(r"<a [^>]*>障碍与反证</a>", page)
    # a computed sentence with a number in it links to its entry as a whole, styled as the prose
    sentence = re.search(r'<a class="[^"]*casebook-sentence[^"]*" href="([^"]+)" title="said = [^"]*">([^<]+)</a>', page)
    assert sentence and sentence.groups() == ("appendix_numbers.html#number-said", "片段层面有 6 对显著共现")
    assert (book["html"] / "_static/casebook_numbers.css").is_file()


def test_a_counted_number_links_its_segment_list_as_a_download(book):
    entry = (book["html"] / "appendix_numbers.html").read_text(encoding="utf-8")
    download = re.search(r'<a class="reference download internal" download="" href="(_downloads/[^"]+/n_x\.csv)"', entry)
    assert download, "the numbers appendix does not offer the segment list"
    assert (book["html"] / download.group(1)).read_text(encoding="utf-8").startswith("segment_id")


def test_a_captions_rule_and_script_link_to_their_definition_and_source(book):
    page = (book["html"] / "ch.html").read_text(encoding="utf-8")
    rule = re.search(r'<a class="reference internal" href="appendix_source\.html#rule-table-x" title="([^"]+)">', page)
    assert rule and "workflow/rules/report.smk" in rule.group(1) and "提交 aaaaaaaaaaaa" in rule.group(1)
    assert 'href="appendix_source.html#source-analysis-report-table-jobs-py"' in page
    assert 'href="appendix_source.html#rule-count-x"' in page
    # inline code outside a caption is left as it is
    assert re.search(r"正文里的 <code[^>]*><span class=\"pre\">table_x</span></code>", page)
    source = (book["html"] / "appendix_source.html").read_text(encoding="utf-8")
    assert 'id="rule-table-x"' in source and 'id="source-analysis-report-table-jobs-py"' in source
    # the rules file is split at each rule's line, so a rule's link lands on it
    assert 'id="source-workflow-rules-report-smk-l3"' in source
    assert 'href="#source-workflow-rules-report-smk-l3"' in source
    # an input links to the rule that writes it; raw data says so
    assert 'href="#rule-count-x"' in source and "（原始数据）" in re.sub(r"<[^>]+>", "", source)


def test_the_pdf_gets_the_same_links_as_labels_it_defines(book):
    """In the PDF a figure's caption links too; a table's caption is a title, where Sphinx's LaTeX
    writer prints a link as its text."""
    tex = (book["latex"] / "book.tex").read_text(encoding="utf-8")
    refs = set(re.findall(r"\\hyperref\[\\detokenize\{(appendix_(?:numbers|source):[^}]+)\}\]", tex))
    labels = set(re.findall(r"\\label\{\\detokenize\{(appendix_(?:numbers|source):[^}]+)\}\}", tex))
    assert "appendix_numbers:number-n-x" in refs
    assert re.search(r"\\sphinxcaption\{证据（1,234 条）", tex), "the number in a table's caption is lost in the PDF"
    caption = re.search(r"\\caption\{计数。(.*)", tex).group(1)
    assert "appendix_source:rule-count-x" in caption and "appendix_source:source-analysis-report-table-jobs-py" in caption
    assert refs <= labels, f"links without a target in the PDF: {sorted(refs - labels)}"


def _segments():
    codes = pd.DataFrame({"code_id": ["i", "i.a", "i.o", "b", "b.x"], "parent": [None, "i", "i", None, "b"]})
    seg = pd.DataFrame({"segment_id": [f"S{n}" for n in range(6)], "case_id": ["S1", "S1", "S1", "S2", "S2", "S2"],
                        "document_id": "D", "start": [0, 5, 10, 15, 20, 25], "end": [4, 9, 14, 19, 24, 29],
                        "participant_id": ["S1-P1", "S1-P2", None, "S2-P1", "S2-P1", "S2-P2"],
                        "actor_type": ["resident", "cadre", None, "resident", "government", "resident"],
                        "code_id": ["i.a", "i.a", "i.o", "b.x", "i", "b.x"], "theme": ["i", "i", "i", "b", "i", "b"],
                        "text": list("甲乙丙丁戊己")})
    props = {"P1": {"condition": "i", "outcome": "i.o", "contrary": ["b.x"]}}
    freq = pd.DataFrame({"code_id": ["i", "b"], "depth": 0, "n_segments": [4, 2]})
    return seg, codes, freq, props


MODELS = {"outcome_theme": "i", "outcome_contrary": ["b.x"], "mechanism_theme": "m"}


def test_the_segment_lists_hold_what_the_framework_matrix_counts():
    seg, codes, freq, props = _segments()
    lists = audit.segment_lists(seg, codes, freq, props, "zh", pd.DataFrame({"document_id": ["D"], "kind": ["interview"], "n_chars": [100]}),
                                MODELS)
    matrix = framework_matrix(seg, codes, props, ["S1", "S2"])
    for role in audit.ROLES:
        assert len(lists[f"p1_{role}"]) == matrix[f"n_{role}"].sum()
    assert len(lists["top_theme_segments"]) == 4 and len(lists["bottom_theme_segments"]) == 2
    assert list(lists["p1_support"].columns) == audit.LIST_COLUMNS
    assert lists["p1_outcome"].iloc[0]["actor_type"] == "（无发言人）"  # a segment without a speaker, in words
    assert set(audit.segment_list_keys(props)) == set(lists)
    # every segment of the primary coder; the spans with a speaker of a known actor type; the spans
    # about resilience (here theme i or the contrary b.x, one of them only) of the link model
    assert len(lists["n_segments"]) == 6 and len(lists["actor_n_spans"]) == 5
    assert lists["link_n"]["segment_id"].tolist() == ["S0", "S1", "S2", "S3", "S4", "S5"]


def test_a_passage_coded_twice_for_a_proposition_is_one_row_of_its_list():
    seg, codes, freq, props = _segments()
    codes = pd.concat([codes, pd.DataFrame({"code_id": ["i.b"], "parent": ["i"]})], ignore_index=True)
    twin = seg.iloc[[0]].assign(segment_id="S9", code_id="i.b")  # the span of S0, coded a second time
    seg = pd.concat([seg, twin], ignore_index=True)
    lists = audit.segment_lists(seg, codes, freq, props, "zh")
    support = lists["p1_support"].set_index("segment_id")
    assert "S9" not in support.index and support.loc["S0", "code_id"] == "i.a、i.b"
    assert len(support) == framework_matrix(seg, codes, props, ["S1", "S2"])["n_support"].sum() == 3


def test_a_list_that_disagrees_with_its_number_stops_the_rule():
    seg, codes, freq, props = _segments()
    lists = audit.segment_lists(seg, codes, freq, props, "zh")
    numbers = {key: {"value": str(len(frame)), "rule": "numbers_x"} for key, frame in lists.items()}
    audit.check_lists(lists, numbers)
    numbers["p1_support"]["value"] = "9"
    with pytest.raises(ValueError, match="p1_support.*holds 3 segments.*counts 9"):
        audit.check_lists(lists, numbers)


def test_a_count_not_computed_has_an_empty_list_and_a_full_one_stops_the_rule():
    seg, codes, freq, props = _segments()
    lists = audit.segment_lists(seg, codes, freq, props, "zh", pd.DataFrame({"document_id": ["D"], "kind": ["interview"], "n_chars": [100]}),
                                MODELS)
    numbers = {key: {"value": str(len(frame)), "rule": "numbers_x"} for key, frame in lists.items()}
    numbers["link_n"]["value"] = "—"  # the link model could not be estimated
    with pytest.raises(ValueError, match="link_n.*computed no count"):
        audit.check_lists(lists, numbers)
    settled = audit.uncounted_lists(lists, numbers)
    audit.check_lists(settled, numbers)
    assert len(settled["link_n"]) == 0 and len(settled["n_segments"]) == len(lists["n_segments"])


def test_the_digests_are_the_files_own_whatever_the_order_or_time(tmp_path):
    import os

    (tmp_path / "t.md").write_text("| a |\n", encoding="utf-8")
    (tmp_path / "f.png").write_bytes(b"\x89PNG")
    paths = [str(tmp_path / "t.md"), str(tmp_path / "f.png")]
    first = audit.output_digests(paths)
    os.utime(tmp_path / "t.md", (1, 1))
    again = audit.output_digests(paths[::-1])
    assert first.equals(again)
    import hashlib

    assert first.set_index("path").loc[str(tmp_path / "t.md"), "sha256"] == hashlib.sha256(b"| a |\n").hexdigest()
    (tmp_path / "t.md").write_text("| b |\n", encoding="utf-8")
    assert audit.digest_of_digests(audit.output_digests(paths)) != audit.digest_of_digests(first)


def test_the_digest_rule_reads_every_table_and_figure_the_registry_declares():
    """The dry run's own account of the job's inputs, against the registry's tables (Markdown and CSV) and figures."""
    import yaml

    from analysis.report.registry import Registry

    run = subprocess.run([sys.executable, "-m", "snakemake", "--dry-run", "--nolock", "--forcerun", "output_digests",
                          "--printshellcmds", "results/provenance/output_digests.json"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    block = re.search(r"rule output_digests:\n(.*?)(?:\n\n|\Z)", run.stdout + run.stderr, re.S)
    assert block, run.stdout[-2000:]
    listed = set(re.search(r"input: (.*)", block.group(1)).group(1).split(", "))
    registry = Registry(ROOT, yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8")))
    expected = {f"results/tables/{n}.{ext}" for n in registry.table_names() for ext in ("md", "csv")}
    expected |= {f"results/figures/{n}.png" for n in registry.figure_names()}
    assert listed == expected


def test_a_missing_system_package_is_said_in_words_not_an_error():
    versions = audit.package_versions(["casebook-no-such-package"])
    assert versions["casebook-no-such-package"] in (audit.NOT_INSTALLED, "无法查询（系统没有 dpkg-query）")


def test_the_commit_is_recorded_from_a_checkout_and_its_absence_said_in_a_copy(tmp_path):
    copy = audit.repository_commit(tmp_path)
    assert copy["commit"] is None and "不是从 git 仓库的检出构建的" in copy["note"]
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    (tmp_path / "a.txt").write_text("a", encoding="utf-8")
    subprocess.run([*git, "add", "a.txt"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "a"], check=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    assert audit.repository_commit(tmp_path) == {"commit": head, "dirty": False, "note": ""}
    (tmp_path / "a.txt").write_text("b", encoding="utf-8")
    assert audit.repository_commit(tmp_path)["dirty"] is True


def test_rule_records_give_the_rules_file_line_not_the_compiled_one():
    class Rule:
        name, snakefile, lineno = "r", "/x/workflow/rules/a.smk", 40
        input, output = ["results/a.parquet", audit.segment_list_keys], ["results/b.md"]

    (record,) = audit.rule_records([Rule()], {"r": 7}, {"/x/workflow/rules/a.smk": {40: 12}})
    assert record["line"] == 12 and record["registry_line"] == 7
    assert record["inputs"] == ["results/a.parquet", "<segment_list_keys>"]


def test_every_number_like_value_is_linked_and_a_sentence_with_numbers_too_unless_it_is_markdown():
    assert casebook_numbers.substitution("k", "逾12,000") == "{casebook-number}`k`"
    assert casebook_numbers.substitution("k", "第 4 次访谈达到饱和") == "{casebook-sentence}`k`"
    for sentence in ("每个编码都至少用过一次", "`inst*cap + inst*inc`", "**本节未计算。** 3 个", ""):
        assert casebook_numbers.substitution("k", sentence) == sentence
    assert casebook_provenance.producer_of("results/tables/code_by_actor.md", casebook_provenance.producers(
        [{"name": "table_code_by_category", "outputs": ["results/tables/code_by_{category,actor|phase}.md"]}])) \
        == "table_code_by_category"


def test_a_segment_list_names_each_code_beside_its_id():
    seg, codes, freq, props = _segments()
    codes = codes.assign(label_zh=["制度", "政策", "合法性", "障碍", "吸纳"], label_en=list("ipobx"))
    lists = audit.segment_lists(seg, codes, freq, props, "zh")
    row = lists["p1_support"].set_index("segment_id").loc["S0"]
    assert (row["code_id"], row["code"]) == ("i.a", "政策")
