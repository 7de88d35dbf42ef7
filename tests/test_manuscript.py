"""The book's sources: no hand-typed result, every figure and table captioned, labelled, referenced and traced to its rule."""

from __future__ import annotations

import re

import pytest
import yaml

from analysis.report.registry import Registry
from conftest import ROOT
from manuscript import ALLOWED_LITERALS, book_chapters, figure_and_table_directives, typed_numbers

PAPER = ROOT / "paper"
CHAPTERS = book_chapters(PAPER)
RULE_FILES = [ROOT / "Snakefile", *sorted((ROOT / "workflow/rules").glob("*.smk"))]
RULES = {name for f in RULE_FILES for name in re.findall(r"(?m)^rule (\w+):", f.read_text(encoding="utf-8"))}
#: Each hand-written rule's script, from its ``run:`` block (rules that run a shell command have none).
SCRIPT_OF = {}
for _file in RULE_FILES:
    for _block in re.split(r"(?m)^(?=rule )", _file.read_text(encoding="utf-8")):
        _match = re.match(r"rule (\w+):.*?^    run:\s*\n\s*run_rule_script\(\"(\w+)\"", _block, re.M | re.S)
        if _match:
            SCRIPT_OF[_match.group(1)] = f"workflow/scripts/{_match.group(2)}.py"
#: The rules report.smk makes from the registry, and the module whose function of the same name each runs.
REGISTRY = Registry(ROOT, yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8")))
SCRIPT_OF |= {entry.rule: entry.module for entry in REGISTRY.figures + REGISTRY.tables if entry.generated}
RULES |= set(SCRIPT_OF)
SOURCE = "\n".join(p.read_text(encoding="utf-8") for p in CHAPTERS)


def test_the_table_of_contents_lists_the_articles_parts():
    names = [p.stem for p in CHAPTERS]
    for part in ("introduction", "literature", "design", "findings_p1", "findings_p2", "findings_p3", "mechanism",
                 "crosscase", "discussion", "references", "appendix_codebook", "appendix_reliability", "appendix_qca",
                 "appendix_process_tracing", "appendix_reproducibility"):
        assert part in names
    assert all(p.is_file() for p in CHAPTERS)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_no_chapter_types_a_result(chapter):
    typed = typed_numbers(chapter.read_text(encoding="utf-8"), chapter.name)
    assert typed == [], "hand-typed numbers (write them as {{ key }} from results/numbers):\n" + "\n".join(map(str, typed))


def test_the_check_catches_typed_numbers_it_should():
    text = "α 为 0.865（95% 区间 0.839–0.891），共 １５ 个站点，占 62%。\n:::{table} 共 3 个编码。\n:name: tab-x\n"
    assert [t.text for t in typed_numbers(text)] == ["0.865", "0.839", "0.891", "１５", "62%", "3"]


def test_every_allowed_literal_says_why_and_is_used():
    for literal, reason in ALLOWED_LITERALS.items():
        assert len(reason) > 10, literal
        assert literal in SOURCE, f"allowed literal '{literal}' is no longer used: remove it from the list"


DIRECTIVES = [d for chapter in CHAPTERS for d in figure_and_table_directives(chapter)]


def test_the_book_has_figures_and_tables():
    assert sum(d.kind == "figure" for d in DIRECTIVES) >= 12
    assert sum(d.kind == "table" for d in DIRECTIVES) >= 20


@pytest.mark.parametrize("directive", DIRECTIVES, ids=lambda d: f"{d.file}:{d.line}")
def test_every_figure_and_table_is_labelled_captioned_and_traced_to_its_rule(directive):
    assert directive.name, f"{directive.file}, line {directive.line}: add a :name: label"
    match = re.search(r"生成：规则 `(\w+)`，\s*代码 `([^`]+)`", directive.caption)
    assert match, f"{directive.file}, line {directive.line}: the caption must name the rule and the code that made it"
    rule, code = match.groups()
    assert rule in RULES, f"{directive.file}, line {directive.line}: no rule '{rule}' in the workflow"
    assert (ROOT / code).is_file(), f"{directive.file}, line {directive.line}: no file {code}"
    assert SCRIPT_OF.get(rule) == code, f"{directive.file}, line {directive.line}: rule {rule} runs {SCRIPT_OF.get(rule)}"
    if code.startswith("analysis/report/"):
        assert re.search(rf"(?m)^def {rule}\(", (ROOT / code).read_text(encoding="utf-8")), f"{code} has no function {rule}"


@pytest.mark.parametrize("directive", [d for d in DIRECTIVES if d.kind == "table"], ids=lambda d: f"{d.file}:{d.line}")
def test_no_table_caption_cites(directive):
    """LaTeX's longtable cannot take a citation's hyperlink in its caption (the PDF stopped on it): cite in the note."""
    assert "{cite" not in directive.caption, f"{directive.file}, line {directive.line}: move the citation to the note below"


@pytest.mark.parametrize("directive", DIRECTIVES, ids=lambda d: f"{d.file}:{d.line}")
def test_every_figure_and_table_is_cross_referenced(directive):
    assert f"{{numref}}`{directive.name}`" in SOURCE, f"{directive.name} is never referenced with {{numref}}"


def test_labels_are_unique():
    names = [d.name for d in DIRECTIVES]
    assert len(names) == len(set(names))


def test_every_figure_and_table_the_workflow_makes_is_in_the_book():
    figures = set(REGISTRY.figure_names())
    shown = set(re.findall(r"results/figures/(\w+)\.png", SOURCE))
    assert len(figures) >= 10 and figures <= shown
    assert {"evidence_p1", "evidence_p2", "evidence_p3"} <= shown


def test_the_bibliography_entries_are_complete():
    bib = (PAPER / "references.bib").read_text(encoding="utf-8")
    entries = re.findall(r"@(\w+)\{([^,]+),(.*?)\n\}", bib, re.S)
    assert len(entries) >= 15
    needed = {"article": ("author", "title", "journal", "year", "volume", "pages"),
              "book": ("author", "title", "publisher", "year"),
              "incollection": ("author", "title", "booktitle", "publisher", "year"),
              "techreport": ("author", "title", "institution", "year")}
    for kind, key, body in entries:
        fields = set(re.findall(r"^\s*(\w+)\s*=", body, re.M))
        missing = [f for f in needed.get(kind.lower(), ("author", "title", "year")) if f not in fields]
        assert not missing, f"references.bib: entry {key} lacks {', '.join(missing)}"
    cited = set(re.findall(r"\{cite:[a-z]+\}`([^`]+)`", SOURCE))
    keys = {key.strip() for _, key, _ in entries}
    for group in cited:
        for key in group.split(","):
            assert key.strip() in keys, f"cited key {key} is not in references.bib"


def test_every_results_chapter_carries_the_data_notice():
    for chapter in CHAPTERS:
        text = chapter.read_text(encoding="utf-8")
        data = re.sub(r"\.\./results/(figures/(analytic_framework|rulegraph)|provenance|tables/(codebook|software_versions|raw_checksums))", "", text)
        if "../results/" in data:
            assert re.search(r"\{\{ data_notice(_context|_design)? \}\}", text), f"{chapter.name} shows results without the data notice"
        if "{{ ctx_" in text:  # a page with real public facts says which of its numbers are real
            assert re.search(r"\{\{ data_notice_(context|design) \}\}", text), \
                f"{chapter.name} states public facts under the all-synthetic notice"


def test_the_abstract_is_in_chinese_and_english_with_keywords():
    index = (PAPER / "index.md").read_text(encoding="utf-8")
    assert "## 摘要" in index and "## Abstract" in index
    assert "**关键词**" in index and "**Keywords**" in index


def test_no_heading_sits_inside_an_only_block():
    """Sphinx lifts sections out of {only} blocks, so a heading there would show with real data too."""
    for chapter in CHAPTERS:
        inside = False
        for number, line in enumerate(chapter.read_text(encoding="utf-8").splitlines(), start=1):
            if line.startswith("````{only}"):
                inside = True
            elif inside and line.startswith("````"):
                inside = False
            elif inside:
                assert not line.startswith("#"), f"{chapter.name}, line {number}: use a {{rubric}} inside {{only}}"


def test_synthetic_marks_skip_only_captions_that_exist_and_mark_the_rest():
    import sys

    from docutils import nodes

    sys.path.insert(0, str(PAPER / "_ext"))
    import casebook_synthetic

    keep = yaml.safe_load((PAPER / "_config.yml").read_text(encoding="utf-8"))["sphinx"]["config"]["casebook_not_synthetic"]
    labels = set(re.findall(r"(?m)^:name: (\S+)$", "\n".join(c.read_text(encoding="utf-8") for c in PAPER.glob("*.md"))))
    assert set(keep) <= labels, f"casebook_not_synthetic names captions no chapter has: {set(keep) - labels}"
    doc = nodes.document(None, None)
    for label in sorted(labels):
        kind = nodes.figure("", nodes.caption("", "说明。"), names=[label]) if label.startswith("fig-") else \
            nodes.table("", nodes.title("", "说明。"), names=[label])
        doc += kind
    assert set(casebook_synthetic.mark_captions(doc, set(keep))) == labels - set(keep)
    assert casebook_synthetic.mark_captions(doc, set(keep)) == []  # marked once only
