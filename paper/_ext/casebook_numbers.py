"""Sphinx extension: the numbers the pipeline wrote become MyST substitutions.

``casebook_numbers`` (in ``_config.yml``) names the folder the ``numbers_<topic>`` rules write
to, one ``<topic>.json`` per topic, each number with the rule and function that computed it. The
topics are merged; each key becomes a substitution, so a chapter writes ``{{ n_documents }}``
and never types the number. The build stops when the folder holds no topic, when two topics
define the same key, and (with ``--warningiserror``) when a chapter uses a key no topic defines.
While the data are synthetic the Sphinx tag ``synthetic`` is set, so passages that only make
sense for the synthetic corpus are written inside ``{only} synthetic`` blocks.

Every number carries its provenance. A value that reads as a number ("169", "50.8%", "逾12,000",
"3/3", a date) is substituted as the role ``{casebook-number}`key```; once references are resolved
the role becomes a link to the key's entry on the numbers appendix (``casebook_numbers_page``),
its title (shown on hovering) the rule, the function and the files that function read. Inside a
title or another link it stays text with that title. A computed sentence with numbers in it and no
Markdown is the role ``{casebook-sentence}`key```: in HTML the whole sentence is such a link,
underlined lightly and in the text's colour (the PDF prints it as text). Words, and sentences
without numbers or with Markdown of their own, are substituted as they are. The directive ``{casebook-numbers}`` writes the
appendix: every key by topic with its value, rule, function and inputs, and, for the numbers that
count coded segments, the list of those segments (``casebook_segments``, written by the rule
``segment_lists``) as a download.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx import addnodes
from sphinx.errors import ConfigError

from casebook_static import add_static

#: A value that reads as a number and so is printed as a link to its provenance.
NUMBER_VALUE = re.compile(r"^(?:逾|约)?[+\-−]?\d[\d,]*(?:\.\d+)?(?:%|/\d+)?$|^\d{4}-\d{2}-\d{2}$")
#: What a role's text cannot carry (a sentence with it is substituted as Markdown, unlinked).
MARKUP = re.compile(r"[*`\[\]{}<>|\\]")


def read_numbers(folder: Path) -> dict[str, dict]:
    """Every topic's numbers in ``folder``, merged: ``{key: {"value", "rule", "function"}}``."""
    topics = sorted(Path(folder).glob("*.json"))
    if not topics:
        raise ConfigError(f"casebook: {folder} holds no numbers; build the book with `snakemake`, which writes them first.")
    merged: dict[str, dict] = {}
    for path in topics:
        for key, record in json.loads(path.read_text(encoding="utf-8")).items():
            if key in merged:
                raise ConfigError(f"casebook: the number '{key}' is computed twice, by rules {merged[key]['rule']} and "
                                  f"{record['rule']} ({path.name}); give one of them another name.")
            merged[key] = record
    return merged


def is_number(value) -> bool:
    """Whether a value reads as a number (and so is printed with its provenance).

    >>> [is_number(v) for v in ("169", "50.8%", "逾12,000", "+2.3", "3/3", "2021-06-07", "是", "BCa 区间", "")]
    [True, True, True, True, True, True, False, False, False]
    """
    return isinstance(value, str) and bool(NUMBER_VALUE.match(value))


def substitution(key: str, value) -> str:
    """The Markdown a key is substituted with: the number role for a number, the sentence role for a
    sentence with numbers and no Markdown, the value itself otherwise.

    >>> substitution("p1_support", "169"), substitution("top_theme", "障碍与反证")
    ('{casebook-number}`p1_support`', '障碍与反证')
    >>> substitution("s", "片段层面有 6 对显著共现"), substitution("n", "**本节未计算。** 3 个站点")
    ('{casebook-sentence}`s`', '**本节未计算。** 3 个站点')
    """
    if is_number(value):
        return f"{{casebook-number}}`{key}`"
    if isinstance(value, str) and re.search(r"\d", value) and not MARKUP.search(value):
        return f"{{casebook-sentence}}`{key}`"
    return value


def provenance_title(key: str, record: dict) -> str:
    """What hovering over a number shows: the rule, the function and the files the function read.

    >>> provenance_title("n", {"value": "3", "rule": "numbers_corpus", "function": "analysis.report.numbers.corpus_numbers",
    ...                         "inputs": ["results/ingest/stations.parquet"]})
    'n = 3 · 规则 numbers_corpus · 函数 analysis.report.numbers.corpus_numbers · 读入 results/ingest/stations.parquet'
    """
    inputs = record.get("inputs") or []
    shown = "、".join(inputs) if inputs else "（未记录）"
    return f"{key} = {record['value']} · 规则 {record['rule']} · 函数 {record['function']} · 读入 {shown}"


def anchor(key: str) -> str:
    """The id of a key's entry on the numbers appendix.

    >>> anchor("p1_support")
    'number-p1-support'
    """
    return nodes.make_id(f"number-{key}")


def load_numbers(app, config) -> None:
    records = read_numbers(Path(app.confdir) / config.casebook_numbers)
    app.casebook_records = records
    numbers = {key: record["value"] for key, record in records.items()}
    shown = {key: substitution(key, value) for key, value in numbers.items()}
    config.myst_substitutions = {**(config.myst_substitutions or {}), **shown}
    # Passages about the synthetic corpus (its recovery check) sit in ```{only} synthetic``` blocks.
    if numbers.get("data_is_synthetic") in ("是", "yes"):
        app.tags.add("synthetic")
    elif "synthetic" in app.tags:
        app.tags.remove("synthetic")


def number_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{casebook-number}`key```: the key's value, marked with the key (made a link once resolved)."""
    records = getattr(inliner.document.settings.env.app, "casebook_records", {})
    if text not in records:
        message = inliner.reporter.error(f"casebook: no rule computes the number '{text}'", line=lineno)
        return [inliner.problematic(rawtext, rawtext, message)], [message]
    value = str(records[text]["value"])
    classes = ["casebook-number"] + (["casebook-sentence"] if name == "casebook-sentence" else [])
    return [nodes.inline(value, value, classes=classes, casebook_key=text)], []


def _unlinkable(node: nodes.Node) -> bool:
    """Whether a number sits where a link cannot: inside another link, or in a heading (whose text
    the table of contents copies into a link of its own). A table's caption takes links."""
    up = node.parent
    while up is not None:
        if isinstance(up, (nodes.reference, addnodes.toctree)):
            return True
        if isinstance(up, nodes.title) and isinstance(up.parent, (nodes.section, nodes.document, nodes.topic)):
            return True
        up = up.parent
    return False


def link_numbers(app, doctree, docname) -> None:
    """Each number becomes a link to its entry on the numbers appendix, titled with its provenance."""
    records = getattr(app, "casebook_records", {})
    page = app.config.casebook_numbers_page
    linkable = page in app.env.all_docs
    for node in list(doctree.findall(nodes.inline)):
        key = node.get("casebook_key")
        if key is None or key not in records:
            continue
        title = provenance_title(key, records[key])
        children = [child.deepcopy() for child in node.children]
        classes = list(node.get("classes", ["casebook-number"]))
        if "casebook-sentence" in classes and app.builder.format != "html":
            node["classes"] = []  # a sentence in the PDF: text, as the prose around it
            node.replace_self(children)
            continue
        if not linkable or _unlinkable(node):
            # no link inside a heading or another link: in HTML the text keeps the title (the PDF
            # would print an abbreviation's explanation, so there it stays plain text)
            if app.builder.format == "html":
                node.replace_self(nodes.abbreviation("", "", *children, explanation=title, classes=classes))
            continue
        uri = "" if docname == page else app.builder.get_relative_uri(docname, page)
        node.replace_self(nodes.reference("", "", *children, refuri=f"{uri}#{anchor(key)}", reftitle=title,
                                          internal=True, classes=classes))


def _segment_index(app) -> dict:
    path = Path(app.confdir) / app.config.casebook_segments
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


class NumbersDirective(Directive):
    """``{casebook-numbers}``: every number by topic, with its rule, function, inputs and segment list."""

    def run(self):
        env = self.state.document.settings.env
        records = getattr(env.app, "casebook_records", {})
        lists = _segment_index(env.app)
        env.note_dependency(str(Path(env.app.confdir) / env.app.config.casebook_segments))
        out = []
        by_rule: dict[str, list[str]] = {}
        for key, record in records.items():
            by_rule.setdefault(record["rule"], []).append(key)
        for rule in sorted(by_rule):
            keys = sorted(by_rule[rule])
            inputs = records[keys[0]].get("rule_inputs", records[keys[0]].get("inputs")) or []
            head = nodes.rubric("", "", nodes.target("", "", ids=[nodes.make_id(f"numbers-{rule}")]), nodes.Text(f"规则 {rule}"))
            module = _common_module([records[k]["function"] for k in keys])
            said = nodes.paragraph()
            said += nodes.Text(f"共 {len(keys)} 个数字")
            if module:
                said += [nodes.Text("，计算函数都在 "), nodes.literal(module, module), nodes.Text(" 中")]
            said += nodes.Text("，读入的文件：" if inputs else "。")
            for n, path in enumerate(inputs):
                said += nodes.Text("、" if n else "")
                said += nodes.literal(path, path)
            if inputs:
                said += nodes.Text("。")
            out += [head, said, self._table(keys, records, lists, env.docname, module)]
        return out

    def _table(self, keys, records, lists, docname, module=""):
        # colwidths-given: Sphinx writes the widths below into the page (a key, a value that may be
        # a sentence, a dotted function name, a file with its count)
        table = nodes.table(classes=["casebook-numbers-table", "colwidths-given"])
        group = nodes.tgroup(cols=4)
        table += group
        group += [nodes.colspec(colwidth=w) for w in (4, 4, 3, 2)]
        head, body = nodes.thead(), nodes.tbody()
        head += _row([nodes.Text(t) for t in ("键", "值", "计算函数", "所计的编码片段")])
        for key in keys:
            record = records[key]
            target = nodes.target("", "", ids=[anchor(key)])
            key_cell = [target, nodes.literal(key, key)]
            listed = lists.get(key)  # an empty list (a count not computed) is not offered
            if listed and listed.get("n"):
                # the list's path is relative to the index; a download's, to this page's folder
                index = Path(self.state.document.settings.env.app.confdir) / self.state.document.settings.env.app.config.casebook_segments
                target = os.path.relpath(index.parent / listed["file"], Path(self.state.document.settings.env.doc2path(docname)).parent)
                link = addnodes.download_reference("", "", reftarget=Path(target).as_posix(), refdoc=docname,
                                                   refexplicit=True, refdomain="", reftype="download")
                link += nodes.literal("", Path(listed["file"]).name)
                # a row per unit the number counts: a segment, or a coding where it counts codings
                segment_cell = [link, nodes.Text(f"（{listed['n']:,} 行）")]
            else:
                segment_cell = [nodes.Text("—")]
            function = record["function"].removeprefix(f"{module}.") if module else record["function"]
            body += _row([key_cell, [nodes.Text(str(record["value"]))], [nodes.literal(function, function)], segment_cell])
        group += [head, body]
        return table


def _common_module(functions: list[str]) -> str:
    """The module every one of ``functions`` (dotted names) is in, or "" when they are in several.

    >>> _common_module(["analysis.report.numbers.a", "analysis.report.numbers.b"])
    'analysis.report.numbers'
    >>> _common_module(["analysis.report.numbers.a", "analysis.report.audit.b"])
    ''
    """
    modules = {f.rpartition(".")[0] for f in functions}
    return modules.pop() if len(modules) == 1 else ""


def _row(cells) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        entry += nodes.paragraph("", "", *(cell if isinstance(cell, list) else [cell]))
        row += entry
    return row


def setup(app):
    app.connect("config-inited", add_static)
    app.add_css_file("casebook_numbers.css")
    app.add_config_value("casebook_numbers", "../results/numbers", "env")
    app.add_config_value("casebook_numbers_page", "appendix_numbers", "env")
    app.add_config_value("casebook_segments", "../results/provenance/segment_lists.json", "env")
    app.connect("config-inited", load_numbers, priority=900)
    app.add_role("casebook-number", number_role)
    app.add_role("casebook-sentence", number_role)
    app.add_directive("casebook-numbers", NumbersDirective)
    # before casebook_cjk sets the spacing, which reads the links' text like any other
    app.connect("doctree-resolved", link_numbers, priority=400)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
