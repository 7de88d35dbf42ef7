"""Sphinx extension: line breaks inside Chinese sentences do not become spaces.

The chapters are wrapped at a fixed width, and Markdown turns each line end inside
a paragraph into a space. Between two Chinese characters (or Chinese punctuation)
that space is wrong in print and on screen, so it is removed; between Latin words,
and between Chinese and Latin text, it is kept.
"""

from __future__ import annotations

import re

from docutils import nodes

#: CJK ideographs, CJK and full-width punctuation, and the quotation marks used with them.
CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\u201c\u201d\u2018\u2019\u2014\u2026"
BREAK = re.compile(rf"(?<=[{CJK}])[ \t]*\n[ \t]*(?=[{CJK}])")


def join_lines(text: str) -> str:
    """Remove a line end (and the blanks around it) that sits between two Chinese characters.

    >>> join_lines("社工站进入乡镇\\n和村庄，then\\nLatin；\\n中文")
    '社工站进入乡镇和村庄，then\\nLatin；中文'
    """
    return BREAK.sub("", text)


IS_CJK = re.compile(rf"[{CJK}]")


def _edge(node: nodes.Node | None, last: bool) -> str:
    text = node.astext() if node is not None else ""
    return text[-1:] if last else text[:1]


def remove_breaks(app, doctree) -> None:
    """Join lines inside Text nodes, and drop a soft line break (MyST makes it a Text node of its own)
    whose neighbours end and begin with Chinese characters."""
    for text in list(doctree.findall(nodes.Text)):
        parent = text.parent
        if parent is None or isinstance(parent, (nodes.literal_block, nodes.literal, nodes.raw)):
            continue
        value = str(text)
        if value.strip() == "" and "\n" in value:
            index = parent.index(text)
            before = parent[index - 1] if index > 0 else None
            after = parent[index + 1] if index + 1 < len(parent) else None
            if IS_CJK.match(_edge(before, True)) and IS_CJK.match(_edge(after, False)):
                parent.remove(text)
            continue
        joined = join_lines(value)
        if joined != value:
            parent.replace(text, nodes.Text(joined))


def setup(app):
    app.connect("doctree-read", remove_breaks)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
