"""Checks of the book's sources that the tests share: hand-typed numbers, captions and labels.

A chapter may print a result only through a MyST substitution (``{{ key }}``)
filled from the topics in ``results/numbers/`` (one ``<topic>.json`` per ``numbers_<topic>`` rule). :func:`typed_numbers` finds every
Arabic or full-width numeral left in a chapter's prose once the places where a
number is legitimate have been removed: substitutions, cross-reference and
citation roles, inline code, directive options, labels, URLs, years,
ordered-list markers and a short list of method constants, each with its reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

#: Method constants a chapter may state in words, each with the reason it is not a result.
ALLOWED_LITERALS = {
    "95%": "the level of every interval the pipeline reports (fixed by the methods, not estimated)",
    "1.96": "the |adjusted residual| cut-off of a two-sided 5% test (Agresti)",
    "0.501": "fsQCA convention: a membership of exactly 0.5 is moved to 0.501 (Ragin)",
    "（0.5）": "the crossover membership of fsQCA, by definition",
    "10 log10": "the definition of the deciban (Good)",
    "(1 − P(E|H)) ÷ (1 − P(E|¬H))": "the likelihood ratio of an unobserved item, a formula",
    "大于 1": "the null value of an odds ratio",
    "Python 3.11": "the interpreter the compendium requires (pyproject.toml)",
}
#: Dates name when a fact held, not a result: a year (1900-2099) followed by 年 (with an optional
#: month and day), in parentheses, or after "in"/"since"; a bare four-digit number is not a year.
YEAR = re.compile(r"(?<![\d.])(?:19|20)\d\d(?:\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?|(?=[)）]))"
                  r"|(?:(?<=\bin )|(?<=\bsince )|(?<=[(（]))(?:19|20)\d\d\b")
NUMBER = re.compile(r"(?<![A-Za-z0-9_.·/])(?<![A-Za-z]-)[-−]?[.．]?[0-9０-９]+(?:[.,．][0-9０-９]+)*\s*[%％]?")
STRIP = [
    re.compile(r"\{\{.*?\}\}"),                       # substitutions: numbers from the DAG
    re.compile(r"\{[a-z:]+\}`[^`]*`"),                # roles: {numref}`...`, {cite:p}`...`, {download}`...`
    re.compile(r"https?://\S+"),                      # URLs
    re.compile(r"^\s*\(\S+\)=\s*$", re.M),            # labels
    re.compile(r"^\s*:[a-z_-]+:.*$", re.M),           # directive options (:name:, :width:, :class:)
    re.compile(r"^\s*(?:```|:::)\S*.*$", re.M),       # directive fences (the caption after them is kept)
    re.compile(r"^\s*\d+\.\s", re.M),                 # ordered-list markers
    re.compile(r"第\s*\d+\s*步"),                       # a reference to a numbered step
    re.compile(r"命题\s*\d+"),                           # a proposition's name (命题1 = P1)
]


@dataclass
class Typed:
    file: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.file}, line {self.line}: '{self.text}'"


def _caption_of_fence(line: str) -> str:
    """The caption that follows a directive name on its fence line (kept as prose)."""
    match = re.match(r"^\s*(?:```|:::)\{[a-z-]+\}\s*(.*)$", line)
    return match.group(1) if match else ""


def typed_numbers(text: str, file: str = "<text>") -> list[Typed]:
    """Every numeral in ``text`` that is not an allowed literal, year, label, role or substitution.

    Examples
    --------
    >>> typed_numbers("α 为 {{ alpha }}，见{numref}`tab-2`（2018 年），始于 2019 年 5 月（2020）。")
    []
    >>> [t.text for t in typed_numbers("共 2015 个编码片段。")]
    ['2015']
    >>> [t.text for t in typed_numbers("α 为 0.87，共 15 个站点。")]
    ['0.87', '15']
    >>> [t.text for t in typed_numbers(":::{table} 共 ３ 个。\\n:name: tab-x\\n")]
    ['３']
    >>> [t.text for t in typed_numbers("系数为 -0.35，后验 .495；SHA-256 与 P1-E2 是名称。")]
    ['-0.35', '.495']
    >>> [t.text for t in typed_numbers("````{only} synthetic\\n共 12 个。\\n````\\n```\\nrun 3\\n```\\n")]
    ['12']
    """
    found = []
    fences: list[str] = []  # open ```{directive} fences, innermost last
    code_fence = None  # the fence of the plain code block we are in, if any
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if code_fence is not None:
            if stripped == code_fence:
                code_fence = None
            continue
        fence = re.match(r"^(`{3,}|~{3,})(\{)?", stripped)
        if fence and fence.group(2):
            fences.append(fence.group(1))
        elif fence and fences and stripped == fences[-1]:
            fences.pop()
            continue
        elif fence:
            code_fence = fence.group(1)  # a plain code block: commands and file listings, not prose
            continue
        line = _caption_of_fence(raw) or raw
        for literal in ALLOWED_LITERALS:
            line = line.replace(literal, " ")
        for pattern in STRIP:
            line = pattern.sub(" ", line)
        line = YEAR.sub(" ", line)
        found += [Typed(file, number, m.group(0).strip()) for m in NUMBER.finditer(line)]
    return found


def book_chapters(paper: Path) -> list[Path]:
    """Every Markdown file the table of contents lists (the root page included)."""
    toc = (paper / "_toc.yml").read_text(encoding="utf-8")
    names = re.findall(r"^\s*(?:root|- file):\s*(\S+)", toc, re.M)
    return [paper / f"{name}.md" for name in names]


@dataclass
class Directive:
    file: str
    line: int
    kind: str
    name: str | None
    caption: str


def figure_and_table_directives(path: Path) -> list[Directive]:
    """Each ``{figure}`` and ``{table}`` directive of a chapter, with its label and caption text."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    for i, line in enumerate(lines):
        match = re.match(r"^\s*(```|:::)\{(figure|table)\}\s*(.*)$", line)
        if not match:
            continue
        fence, kind, rest = match.groups()
        body, name = [], None
        for follow in lines[i + 1:]:
            if follow.strip() == fence and kind == "figure":
                break
            if follow.strip().startswith(("```{include}", "```{list-table}")) or follow.strip() == ":::":
                break
            option = re.match(r"^\s*:name:\s*(\S+)", follow)
            if option:
                name = option.group(1)
            elif not follow.strip().startswith(":"):
                body.append(follow)
        caption = rest if kind == "table" else " ".join(b for b in body if b.strip())
        found.append(Directive(str(path.name), i + 1, kind, name, caption.strip()))
    return found
