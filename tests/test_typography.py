"""The book's Chinese typography (paper/_ext/casebook_cjk.py): the spacing of prose does not
depend on how a line was wrapped or which node a character came from."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from docutils import nodes

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "paper" / "_ext"))
import casebook_cjk as cjk  # noqa: E402


@pytest.mark.parametrize("text, before, after, expected", [
    ("表格和\n图都由", "", "", "表格和图都由"),                         # a wrapped line between two characters
    ("、 2,611 个", "", "", "、2,611 个"),                              # no space after full-width punctuation
    ("显著为负的0 个", "", "", "显著为负的 0 个"),                       # one space between a character and a numeral
    ("（ 表 3 ）", "", "", "（表 3）"),
    ("the P1 and\nP2 line", "", "", "the P1 and\nP2 line"),          # Latin text keeps its spaces
    ("与", "3", "", " 与"),                                          # the space goes to the later run only
    (" ", "和", "图", ""),                                            # a blank run between two characters
    ("覆盖率56%的", "", "", "覆盖率 56% 的"),
    ("the “He Project” in 见 “禾计划” 一", "", "", "the “He Project” in 见“禾计划”一"),  # quotes are shared
])
def test_set_text(text, before, after, expected):
    assert cjk.set_text(text, before, after) == expected


def _paragraph(*parts) -> nodes.paragraph:
    para = nodes.paragraph()
    for part in parts:
        para += part
    return para


def test_spacing_is_set_across_nodes_and_equal_strings_are_not_confused():
    ref = nodes.reference("", "", nodes.Text("表 3"))
    # two equal "\n" Text nodes in one paragraph: the second must be judged by its own neighbours
    para = _paragraph(nodes.Text("见"), nodes.Text("\n"), nodes.Text("Python"), nodes.Text("\n"), nodes.Text("和"),
                      nodes.Text("\n"), nodes.Text("图"), ref, nodes.Text("与 "), nodes.literal("", "a b"),
                      nodes.Text(" ，完"))
    cjk.set_block(para)
    assert para.astext() == "见 Python 和图表 3 与 a b，完"


def test_inline_code_and_math_are_never_changed():
    para = _paragraph(nodes.Text("代码"), nodes.literal("", "x 中 文 1"), nodes.Text("完"))
    cjk.set_block(para)
    assert para.astext() == "代码 x 中 文 1 完"
    assert para[1].astext() == "x 中 文 1"


def test_only_outermost_blocks_are_set_once(tmp_path):
    doc = nodes.document(None, None)
    table_cell = nodes.entry("", _paragraph(nodes.Text("共\n12个")))
    doc += nodes.section("", nodes.title("", "第一 章"), table_cell)
    cjk.set_doctree(None, doc)
    assert doc.astext().split("\n\n") == ["第一章", "共 12 个"]


def test_the_reference_list_keeps_its_titles_as_published():
    doc = nodes.document(None, None)
    doc += nodes.citation("", _paragraph(nodes.Text("Taking the“He Project”in A 市")))
    cjk.set_doctree(None, doc)
    assert doc.astext() == "Taking the“He Project”in A 市"
