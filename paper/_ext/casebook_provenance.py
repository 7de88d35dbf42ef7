"""Sphinx extension: provenance a reader can click, read from the files the provenance rules wrote.

``casebook_provenance`` (in ``_config.yml``) names the folder of ``results/provenance``:

* ``rules.json`` (rule ``rule_index``): every rule, the file and line that define it, its inputs
  and outputs. The directive ``{casebook-rules}`` lists them, each input linked to the rule that
  makes it; ``{casebook-sources}`` renders the workflow's files (the Snakefile, the rules, the
  registry, the scripts and the registry's job modules) from the repository at build time, split
  at each rule's line so that a link lands on the rule.
* ``build.json`` (rule ``build_facts``) and ``output_digests.json`` (rule ``output_digests``):
  ``{casebook-build}`` with one of ``commit``, ``seeds``, ``packages``, ``digests`` or ``report``
  writes that part of the reproducibility appendix.

After references are resolved, inline code in a figure's or a table's caption that names a rule
becomes a link to the rule's entry (its definition and the files it read), and inline code that
names a rendered file a link to that file's source, titled with the commit the book was built from.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx import addnodes

from casebook_static import add_static

#: The files ``{casebook-sources}`` renders, as globs from the repository's top, in this order.
SOURCES = ["Snakefile", "workflow/rules/*.smk", "workflow/report.yaml", "analysis/report/figure_jobs.py",
           "analysis/report/table_jobs.py", "analysis/report/number_jobs.py", "workflow/scripts/*.py"]
#: Pygments' name for each kind of file (a rules file is Python with Snakemake's keywords).
LANGUAGES = {".py": "python", ".smk": "python", ".yaml": "yaml", "": "python"}


#: What each seed of the configuration's ``seeds`` section draws, for the reproducibility appendix.
SEED_USES = {"synthetic": "合成语料的生成器", "bootstrap": "信度系数的自助法区间",
             "permutation": "编码与主体类型、环节的置换检验及其蒙特卡洛对照", "orders": "主题饱和检验中随机排列的访谈顺序",
             "coverage": "检查信度区间覆盖率的迭代自助法"}


def root_of(app) -> Path:
    return (Path(app.confdir) / app.config.casebook_repository).resolve()


def provenance_file(app, name: str) -> dict:
    """One JSON file of the provenance folder; the build stops, naming the rule, when it is missing."""
    path = Path(app.confdir) / app.config.casebook_provenance / name
    if not path.is_file():
        from sphinx.errors import ConfigError

        raise ConfigError(f"casebook: {path} is missing; build the book with `snakemake`, which writes it first.")
    return json.loads(path.read_text(encoding="utf-8"))


def source_files(root: Path) -> list[str]:
    """The repository files the source appendix renders, relative to ``root``."""
    out: list[str] = []
    for pattern in SOURCES:
        found = sorted(p.relative_to(root).as_posix() for p in root.glob(pattern) if p.is_file())
        out += [f for f in found if f not in out]
    return out


def source_id(path: str, line: int | None = None) -> str:
    """The id of a file's source (or of one line of it) on the source page.

    >>> source_id("workflow/rules/paper.smk"), source_id("workflow/report.yaml", 12)
    ('source-workflow-rules-paper-smk', 'source-workflow-report-yaml-l12')
    """
    base = nodes.make_id(f"source-{path}")
    return base if line is None else f"{base}-l{line}"


def rule_id(name: str) -> str:
    """The id of a rule's entry on the source page.

    >>> rule_id("table_evidence")
    'rule-table-evidence'
    """
    return nodes.make_id(f"rule-{name}")


def commit_words(commit: dict) -> str:
    """The commit in words, for a title or a sentence.

    >>> commit_words({"commit": "0123456789abcdef", "dirty": False, "note": ""})
    '提交 0123456789ab'
    >>> commit_words({"commit": None, "dirty": False, "note": "不是 git 检出"})
    '不是 git 检出'
    """
    if not commit.get("commit"):
        return commit.get("note") or "没有记录提交"
    return f"提交 {commit['commit'][:12]}" + ("（工作区有未提交的改动）" if commit.get("dirty") else "")


def commit_short(commit: dict) -> str:
    """The commit as a title names it: its first twelve digits, or that none was recorded.

    >>> commit_short({"commit": "0123456789abcdef", "dirty": True}), commit_short({"commit": None})
    ('提交 0123456789ab，有未提交的改动', '未记录提交')
    """
    if not commit.get("commit"):
        return "未记录提交"
    return f"提交 {commit['commit'][:12]}" + ("，有未提交的改动" if commit.get("dirty") else "")


def _pattern_regex(pattern: str) -> re.Pattern:
    """A rule's output pattern as a regular expression: ``{name}`` any text, ``{name,regex}`` its regex."""
    parts, position = [], 0
    for match in re.finditer(r"\{(\w+)(?:,([^{}]*(?:\{[^{}]*\}[^{}]*)*))?\}", pattern):
        parts.append(re.escape(pattern[position:match.start()]))
        parts.append(f"(?:{match.group(2)})" if match.group(2) else ".+")
        position = match.end()
    parts.append(re.escape(pattern[position:]))
    return re.compile("".join(parts) + "$")


def producers(rules: list[dict]) -> list[tuple[str, str, re.Pattern]]:
    """``(output pattern, rule, regex)`` for every output of every rule."""
    return [(out, r["name"], _pattern_regex(out)) for r in rules for out in r["outputs"]]


def producer_of(path: str, made: list[tuple[str, str, re.Pattern]]) -> str | None:
    """The rule that writes ``path`` (a file or a pattern), if any.

    >>> made = producers([{"name": "fig", "outputs": ["results/figures/{claim,p1|p2}.png"]}])
    >>> producer_of("results/figures/p2.png", made), producer_of("results/figures/p3.png", made)
    ('fig', None)
    """
    for pattern, rule, regex in made:
        if path == pattern or regex.match(path):
            return rule
    return None


def _ref(app, fromdoc: str, todoc: str, anchor: str, children, title: str = "") -> nodes.reference:
    uri = "" if fromdoc == todoc else app.builder.get_relative_uri(fromdoc, todoc)
    ref = nodes.reference("", "", *children, refuri=f"{uri}#{anchor}", internal=True)
    if title:
        ref["reftitle"] = title
    return ref


class _Pending(nodes.General, nodes.Inline, nodes.Element):
    """A link to the source page, made once the builder is known (``doctree-resolved``)."""


def _pending(anchor: str, text: str, title: str = "", code: bool = True) -> _Pending:
    inner = nodes.literal(text, text) if code else nodes.Text(text)
    return _Pending("", inner, casebook_anchor=anchor, casebook_title=title)


class RulesDirective(Directive):
    """``{casebook-rules}``: every rule with its definition, the files it reads (each linked to the
    rule that writes it) and the files it writes."""

    def run(self):
        app = self.state.document.settings.env.app
        index = provenance_file(app, "rules.json")["rules"]
        made = producers(index)
        out = []
        for rule in index:
            item = nodes.paragraph()
            item += nodes.target("", "", ids=[rule_id(rule["name"])])
            item += nodes.strong("", "", nodes.literal(rule["name"], rule["name"]))
            item += nodes.Text("：定义于 ")
            item += _pending(source_id(rule["file"], rule["line"]), f"{rule['file']}:{rule['line']}")
            if "registry_line" in rule:
                item += nodes.Text("（由登记表 ")
                item += _pending(source_id("workflow/report.yaml", rule["registry_line"]),
                                 f"workflow/report.yaml:{rule['registry_line']}")
                item += nodes.Text(" 的条目生成）")
            item += nodes.Text("。")
            out.append(item)
            out += [_file_list("读入", rule["inputs"], made, rule["name"]), _file_list("写出", rule["outputs"], [], None)]
        return out


def _file_list(label: str, files: list[str], made, this_rule) -> nodes.paragraph:
    para = nodes.paragraph(classes=["casebook-rule-files"])
    if not files:
        para += nodes.Text(f"{label}：无。")
        return para
    para += nodes.Text(f"{label}：")
    for n, path in enumerate(files):
        para += nodes.Text("；" if n else "")
        para += nodes.literal(path, path)
        rule = producer_of(path, made) if made else None
        if rule and rule != this_rule:
            para += nodes.Text("（由规则 ")
            para += _pending(rule_id(rule), rule)
            para += nodes.Text(" 生成）")
        elif made and path.startswith("data/"):
            para += nodes.Text("（原始数据）")
    para += nodes.Text("。")
    return para


class SourcesDirective(Directive):
    """``{casebook-sources}``: the workflow's files as they were when the book was built, with line
    numbers, split at each rule's line and each registry entry's line."""

    def run(self):
        env = self.state.document.settings.env
        app = env.app
        root = root_of(app)
        index = provenance_file(app, "rules.json")["rules"]
        commit = provenance_file(app, "build.json")["commit"]
        cuts: dict[str, set[int]] = {}
        for rule in index:
            cuts.setdefault(rule["file"], set()).add(rule["line"])
            if "registry_line" in rule:
                cuts.setdefault("workflow/report.yaml", set()).add(rule["registry_line"])
        # the commit once, for every file below (a file's own line would repeat it, or its absence, each time)
        out = [nodes.paragraph("", f"以下各文件均为构建本书时仓库中的版本：{commit_words(commit)}。")]
        for path in source_files(root):
            file = root / path
            env.note_dependency(str(file))
            lines = file.read_text(encoding="utf-8").splitlines()
            head = nodes.rubric("", "", nodes.target("", "", ids=[source_id(path)]), nodes.literal(path, path))
            head += nodes.Text(f"（{len(lines)} 行）")
            out.append(head)
            starts = sorted({1, *(n for n in cuts.get(path, ()) if 1 <= n <= len(lines))})
            for start, end in zip(starts, [*starts[1:], len(lines) + 1]):
                text = "\n".join(lines[start - 1:end - 1])
                if not text.strip():
                    continue
                out.append(nodes.target("", "", ids=[source_id(path, start)]))
                block = nodes.literal_block(text, text, language=LANGUAGES.get(file.suffix, "none"), linenos=True)
                block["highlight_args"] = {"linenostart": start}
                out.append(block)
        return out


class BuildDirective(Directive):
    """``{casebook-build} commit|seeds|packages|digests|report``: one part of the reproducibility appendix."""

    required_arguments = 1

    def run(self):
        app = self.state.document.settings.env.app
        part = self.arguments[0]
        facts = provenance_file(app, "build.json")
        if part == "commit":
            return [_commit_paragraph(facts["commit"])]
        if part == "seeds":
            return [_table(("随机数种子（配置项 seeds）", "用于", "值"),
                           [(nodes.literal(k, k), SEED_USES.get(k, "—"), str(v)) for k, v in sorted(facts["seeds"].items())])]
        if part == "packages":
            return [_table(("系统软件包（Debian）", "版本"),
                           [(nodes.literal(k, k), v) for k, v in facts["packages"].items()])]
        if part == "digests":
            return self._digests(app)
        if part == "report":
            return [_report_paragraph()]
        raise self.error(f"casebook-build: unknown part '{part}' (commit, seeds, packages, digests or report)")

    def _digests(self, app):
        summary = provenance_file(app, "output_digests.json")
        folder = Path(app.confdir) / app.config.casebook_provenance
        docname = self.state.document.settings.env.docname
        here = Path(self.state.document.settings.env.doc2path(docname)).parent
        target = Path(os.path.relpath(folder / summary["csv"], here)).as_posix()
        para = nodes.paragraph()
        para += nodes.Text(f"本书展示的 {summary['n_tables']} 个表格文件（Markdown 与 CSV）和 {summary['n_figures']} 张图，"
                           f"合计 {summary['bytes']:,} 字节，逐一记录了 SHA-256。"
                           "把各文件的摘要按路径排列、写成 sha256sum 的格式（摘要、两个空格、路径）后，其整体的 SHA-256 为 ")
        para += nodes.literal(summary["digest"], summary["digest"])
        para += nodes.Text("。逐个文件的摘要：")
        link = addnodes.download_reference("", "", reftarget=target, refdoc=docname, refexplicit=True,
                                           refdomain="", reftype="download")
        link += nodes.literal("", summary["csv"])
        para += link
        para += nodes.Text("。")
        return [para]


def _commit_paragraph(commit: dict) -> nodes.paragraph:
    para = nodes.paragraph()
    if commit.get("commit"):
        para += nodes.Text("本书构建自仓库的提交 ")
        para += nodes.literal(commit["commit"], commit["commit"])
        para += nodes.Text("（构建时由 git rev-parse HEAD 读出）。")
        if commit.get("note"):
            para += nodes.Text(commit["note"] + "。")
    else:
        para += nodes.Text(f"没有记录提交：{commit.get('note') or '原因不明'}。")
    return para


def _report_paragraph() -> nodes.Element:
    """The link to the Snakemake report, which the build writes beside the HTML book (paper/_build/report.html)."""
    html = nodes.paragraph()
    html += nodes.Text("Snakemake 报告（每张图及其说明、各规则的代码与运行统计）：")
    html += nodes.reference("", "", nodes.literal("", "report.html"), refuri="../report.html")
    html += nodes.Text("。它与 HTML 书一同由构建生成，位于 ")
    html += nodes.literal("", "paper/_build/report.html")
    html += nodes.Text("，记录了运行时间，所以每次构建都不同，不放在书内。")
    other = nodes.paragraph()
    other += nodes.Text("Snakemake 报告由构建生成，位于 ")
    other += nodes.literal("", "paper/_build/report.html")
    other += nodes.Text("（每张图及其说明、各规则的代码与运行统计）。")
    html_only, rest = addnodes.only(expr="html"), addnodes.only(expr="not html")
    html_only += html
    rest += other
    container = nodes.container()
    container += [html_only, rest]
    return container


def _table(header, rows) -> nodes.table:
    table = nodes.table()
    group = nodes.tgroup(cols=len(header))
    table += group
    group += [nodes.colspec(colwidth=1) for _ in header]
    head, body = nodes.thead(), nodes.tbody()
    for parent, cells in [(head, header), *((body, r) for r in rows)]:
        row = nodes.row()
        for cell in cells:
            entry = nodes.entry()
            entry += nodes.paragraph("", "", cell if isinstance(cell, nodes.Node) else nodes.Text(str(cell)))
            row += entry
        parent += row
    group += [head, body]
    return table


def _in_caption(node: nodes.Node) -> bool:
    """Whether ``node`` sits in a figure's caption or a table's title."""
    up = node.parent
    while up is not None:
        if isinstance(up, nodes.caption) or (isinstance(up, nodes.title) and isinstance(up.parent, nodes.table)):
            return True
        if isinstance(up, nodes.reference):
            return False
        up = up.parent
    return False


def link_captions(app, doctree, docname) -> None:
    """Rule names and rendered files named as inline code in captions become links to the source page;
    the source page's own pending links get their targets."""
    page = app.config.casebook_source_page
    if page not in app.env.all_docs:
        for node in list(doctree.findall(_Pending)):
            node.replace_self(node.children)
        return
    facts = _facts(app)
    for node in list(doctree.findall(_Pending)):
        node.replace_self(_ref(app, docname, page, node["casebook_anchor"], node.children, node["casebook_title"]))
    for literal in list(doctree.findall(nodes.literal)):
        if not _in_caption(literal):
            continue
        text = literal.astext()
        if text in facts["rules"]:
            rule = facts["rules"][text]
            title = f"规则 {text}：定义于 {rule['file']} 第 {rule['line']} 行，读入 {len(rule['inputs'])} 项（{facts['commit']}）"
            literal.replace_self(_ref(app, docname, page, rule_id(text), [literal.deepcopy()], title))
        elif text in facts["files"]:
            title = f"{text} 的源代码（{facts['commit']}）"
            literal.replace_self(_ref(app, docname, page, source_id(text), [literal.deepcopy()], title))


def _facts(app) -> dict:
    """The rules and rendered files, read once per build."""
    if not hasattr(app, "casebook_provenance_facts"):
        index = provenance_file(app, "rules.json")["rules"]
        app.casebook_provenance_facts = {
            "rules": {r["name"]: r for r in index}, "files": set(source_files(root_of(app))),
            "commit": commit_short(provenance_file(app, "build.json")["commit"])}
    return app.casebook_provenance_facts


def setup(app):
    app.add_config_value("casebook_provenance", "../results/provenance", "env")
    app.add_config_value("casebook_source_page", "appendix_source", "env")
    app.add_config_value("casebook_repository", "..", "env")
    app.add_node(_Pending)
    app.add_directive("casebook-rules", RulesDirective)
    app.add_directive("casebook-sources", SourcesDirective)
    app.add_directive("casebook-build", BuildDirective)
    app.connect("config-inited", add_static)
    app.add_css_file("casebook_provenance.css")  # static/casebook_provenance.css: the look of a number's link
    # after the numbers' links (400), before casebook_cjk's spacing (500)
    app.connect("doctree-resolved", link_captions, priority=450)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
