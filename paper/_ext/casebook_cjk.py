"""Sphinx extension: Chinese typography of the book's prose, made consistent after every reference is resolved.

The chapters are wrapped at a fixed width, and Markdown turns each line end inside a
paragraph into a space; substitutions, cross-references and citations add text of their
own next to the author's. So that the printed spacing does not depend on how a source line
was wrapped or where a number came from, every paragraph, caption, title and table cell is
set by three rules (the house style, as in the PDF, where xeCJK puts the same glue between
Chinese and Latin text):

* no space between two Chinese characters, or next to Chinese (full-width) punctuation;
* one space between a Chinese character and a Latin letter or an Arabic numeral;
* inline code, math and raw markup are never changed, nor are the entries of the reference list.

The rules run on ``doctree-resolved``, once numbered references ("表 3") and citations have
their text, and look across node boundaries: "见{numref}`tab`与" and "见 {numref}`tab` 与"
both print "见表 3 与".
"""

from __future__ import annotations

import re

from docutils import nodes

#: Chinese ideographs (with the compatibility block).
IDEOGRAPH = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
#: CJK and full-width punctuation, and the curly quotation marks, dash and ellipsis used with Chinese.
PUNCTUATION = "\u3000-\u303f\uff00-\uffef"
#: Curly quotation marks, the dash and the ellipsis: shared by Chinese and English text, so they only
#: lose a neighbouring space when their other neighbour is Chinese.
SHARED = "\u201c\u201d\u2018\u2019\u2014\u2026"
CJK = IDEOGRAPH + PUNCTUATION + SHARED
IS_OWN = re.compile(f"[{IDEOGRAPH}{PUNCTUATION}]")
IS_IDEOGRAPH = re.compile(f"[{IDEOGRAPH}]")
IS_PUNCTUATION = re.compile(f"[{PUNCTUATION}]")
IS_CJK = re.compile(f"[{CJK}]")
#: What takes a space next to a Chinese character: Latin letters, Greek, Arabic numerals, and a closing percent sign.
IS_LATIN = re.compile(r"[A-Za-z0-9\u0370-\u03ff%]")
BLANKS = re.compile(r"[ \t\n\u00a0]+")
#: Nodes whose text is never changed (their characters still count as neighbours).
OPAQUE = (nodes.literal, nodes.literal_block, nodes.raw, nodes.math, nodes.math_block, nodes.comment,
          nodes.doctest_block)
#: The elements whose inline text is set as one run.
BLOCKS = (nodes.paragraph, nodes.caption, nodes.title, nodes.term, nodes.rubric, nodes.line, nodes.subtitle)


def _drop(left: str, right: str) -> bool:
    """Whether blanks between ``left`` and ``right`` are removed."""
    return bool((IS_CJK.match(left) and IS_CJK.match(right) and (IS_OWN.match(left) or IS_OWN.match(right)))
                or IS_PUNCTUATION.match(left) or IS_PUNCTUATION.match(right))


def cjk_latin(left: str, right: str) -> bool:
    """Whether a Chinese character and a Latin letter or numeral meet (in either order)."""
    return bool((IS_IDEOGRAPH.match(left) and IS_LATIN.match(right))
                or (IS_LATIN.match(left) and IS_IDEOGRAPH.match(right)))


def set_text(text: str, before: str = "", after: str = "") -> str:
    """``text`` set by the house rules, given the characters printed just ``before`` and ``after`` it.

    A space is only ever added at the start of ``text`` or inside it, never at its end, so two
    neighbouring runs cannot both add one.

    >>> set_text("社工站进入乡镇\\n和村庄，then\\nLatin；\\n中文")
    '社工站进入乡镇和村庄，then\\nLatin；中文'
    >>> set_text("显著为负的0 个、 2,611 个（ 表 3 ）")
    '显著为负的 0 个、2,611 个（表 3）'
    >>> set_text("与", before="3", after="图"), set_text(" ", before="和", after="图")
    (' 与', '')
    >>> set_text("占 76.8%，覆盖率56%的 P1 和α系数")
    '占 76.8%，覆盖率 56% 的 P1 和 α 系数'
    """
    out: list[str] = []
    last = before
    position = 0
    for blank in list(BLANKS.finditer(text)) + [None]:
        start = blank.start() if blank else len(text)
        for char in text[position:start]:
            if cjk_latin(last, char):
                out.append(" ")
            out.append(char)
            last = char
        if blank is None:
            break
        right = text[blank.end()] if blank.end() < len(text) else after
        if not (right and _drop(last, right)) and last:
            # kept: a single space next to Chinese, as written between Latin words
            out.append(" " if IS_OWN.match(last) or IS_OWN.match(right or "") else blank.group())
            last = " "
        elif not last:
            out.append(blank.group())
        position = blank.end()
    return "".join(out)


def _leaves(block: nodes.Node):
    """The Text nodes under ``block`` in reading order, each with whether it may be changed."""
    for node in block.findall(nodes.Text):
        opaque = any(isinstance(up, OPAQUE) for up in _ancestors(node, block))
        yield node, not opaque


def _ancestors(node: nodes.Node, stop: nodes.Node):
    up = node.parent
    while up is not None and up is not stop:
        yield up
        up = up.parent


def set_block(block: nodes.Node) -> None:
    """Set every changeable Text node of one paragraph-like element, looking across node boundaries."""
    leaves = list(_leaves(block))
    before = ""
    for index, (leaf, changeable) in enumerate(leaves):
        value = str(leaf)
        following = next(((str(n), free) for n, free in leaves[index + 1:] if str(n)), ("", True))
        after = following[0][:1]
        if changeable:
            new = set_text(value, before, after)
            if new and not following[1] and cjk_latin(new[-1], after):
                new += " "  # inline code or math that follows cannot take the space itself
            if new != value:
                parent = leaf.parent
                # by identity: Text nodes are strings, and two equal ones may share a parent
                parent[next(i for i, child in enumerate(parent.children) if child is leaf)] = nodes.Text(new)
                value = new
        if value:
            before = value[-1]


def set_doctree(app, doctree, docname=None) -> None:
    """Set every outermost paragraph-like element, except the reference list's entries, whose titles
    print as their works published them."""
    for block in list(doctree.findall(lambda n: isinstance(n, BLOCKS))):
        if not any(isinstance(up, (*BLOCKS, nodes.citation)) for up in _ancestors(block, None)):
            set_block(block)


def setup(app):
    app.connect("doctree-resolved", set_doctree)
    return {"version": "2", "parallel_read_safe": True, "parallel_write_safe": True}
