"""Sphinx extension: tables that fit the printed page in the PDF.

Sphinx typesets a table without given column widths either with tabulary (which
cannot break across pages) or, when long, as a longtable of unbreakable ``l``
columns that run off the page. For the LaTeX builder only, this extension makes
every table a longtable (so it may break across pages) and gives its columns
widths proportional to their content, measured in display width (a Chinese
character counts twice), so every column wraps inside the text block.
"""

from __future__ import annotations

import unicodedata

from docutils import nodes

import re

#: A column never gets less (or more) than this many display cells of weight.
MIN_WIDTH, MAX_WIDTH = 6, 44
#: About how many display cells of table text fit across the printed text block.
LINE_CELLS = 78


def display_width(text: str) -> int:
    """Cells the text takes in a monospaced rendering: wide (CJK) characters count two.

    >>> display_width("abc"), display_width("社区"), display_width("α 0.9")
    (3, 4, 5)
    """
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def entry_width(entry: nodes.Element) -> float:
    """An entry's display width; code (monospaced, and never broken inside a word) counts a third more."""
    code = sum(len(lit.astext()) for lit in entry.findall(nodes.literal))
    return display_width(entry.astext()) + code / 3


def longest_word(entry: nodes.Element) -> float:
    """The widest stretch of the entry that cannot be broken across lines (a Latin word or a code id)."""
    widths = [0.0]
    for lit in entry.findall(nodes.literal):  # code breaks only after . and /
        widths += [len(w) * 4 / 3 for w in re.split(r"(?<=[./])", lit.astext())]
    text = "".join(t.astext() for t in entry.findall(nodes.Text) if not isinstance(t.parent, nodes.literal))
    widths += [display_width(w) for w in re.findall(r"[A-Za-z0-9_.,:;/()+%'-]+", text)]
    return max(widths)


def column_weights(table: nodes.table) -> list[int]:
    """Each column's weight: the display width of its longest paragraph, clipped to a range.

    A column whose longest unbreakable word would not fit its share of the line is
    widened to hold it, and the other columns share what is left.
    """
    tgroup = next(iter(table.findall(nodes.tgroup)), None)
    if tgroup is None:
        return []
    columns = int(tgroup["cols"])
    widest, words = [MIN_WIDTH] * columns, [0.0] * columns
    for row in tgroup.findall(nodes.row):
        for i, entry in enumerate(c for c in row.children if isinstance(c, nodes.entry)):
            if i < columns:
                widest[i] = max(widest[i], min(MAX_WIDTH, round(entry_width(entry)) + 2))
                words[i] = max(words[i], longest_word(entry) + 2)
    fixed = [i for i in range(columns) if words[i] > LINE_CELLS * widest[i] / sum(widest)]
    if not fixed or sum(words[i] for i in fixed) >= LINE_CELLS:
        return widest
    rest = [i for i in range(columns) if i not in fixed]
    left = LINE_CELLS - sum(words[i] for i in fixed)
    share = sum(widest[i] for i in rest) or 1
    return [round(10 * (words[i] if i in fixed else left * widest[i] / share)) for i in range(columns)]


def fit_tables(app, doctree, docname) -> None:
    if app.builder.format != "latex":
        return
    for table in doctree.findall(nodes.table):
        weights = column_weights(table)
        if not weights or next(iter(table.findall(nodes.tbody)), None) is None:
            continue  # Sphinx's longtable code needs a body; a header-only table stays as it is
        for colspec, weight in zip(table.findall(nodes.colspec), weights):
            colspec["colwidth"] = weight
        for cls in ("longtable", "colwidths-given"):
            if cls not in table["classes"]:
                table["classes"].append(cls)


def setup(app):
    app.connect("doctree-resolved", fit_tables)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
