"""The browser check's page-level rules, each shown to catch what it is for on a small page in Chromium:
stray spaces in Chinese text, a table wider than the text column, cells one character a line, and
a formula's asterisks read as Markdown emphasis in a table."""

from __future__ import annotations

import pytest

from browser import CHROMIUM_ARGS, PROSE, TABLE_EMPHASIS, TABLE_FIT, chromium, stray_spaces

PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>
article {{ width: 570px; font-size: 16px; }} td {{ padding: 2px 4px; }}</style></head>
<body><nav><p>作者： 页框里的文字不检查</p></nav><article>{body}</article></body></html>"""


@pytest.fixture(scope="module")
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        yield tab
        browser.close()


def _open(page, body: str):
    page.set_content(PAGE.format(body=body))
    return page


def test_stray_spaces_are_found_in_the_article_only(page):
    _open(page, "<p>表格和 图都由流程生成，共 12 个、 2,611 个。</p><p>the “He Project” in 2022</p><pre>代码 里 的</pre>")
    assert stray_spaces(page.evaluate(PROSE)) == ["表格和 图都由流程", "12 个、 2,611"]


def test_a_clean_page_passes_every_rule(page):
    _open(page, "<p>共 12 个编码，见表 3。</p><table><caption>表 1 示例</caption><tr><th>编码</th><th>片段数</th></tr>"
                "<tr><td>合法性认可</td><td><code>inst*cap + inst*inc</code></td></tr></table>")
    assert stray_spaces(page.evaluate(PROSE)) == []
    assert page.evaluate(TABLE_FIT) == [] and page.evaluate(TABLE_EMPHASIS) == []


def test_a_table_wider_than_the_column_and_its_squeezed_cells_are_reported(page):
    header = "".join(f"<th>主体{i}的发言片段数</th>" for i in range(24))
    _open(page, f"<table><caption>表 2 挤窄的表</caption><tr>{header}</tr></table>")
    assert [p for p in page.evaluate(TABLE_FIT) if "one character per line" in p and "表 2 挤窄的表" in p]
    _open(page, "<div style='overflow-x:auto'><table><caption>表 3 滚动</caption><tr>"
                + "".join(f"<td style='white-space:nowrap'>很长很长的单元格文字{i}</td>" for i in range(8)) + "</tr></table></div>")
    assert any(p.startswith("table wider than the text column") for p in page.evaluate(TABLE_FIT))


def test_a_formula_read_as_emphasis_is_reported(page):
    _open(page, "<table><tr><td>inst<em>cap + inst</em>inc</td><td><strong>整格加粗</strong></td></tr></table>")
    assert page.evaluate(TABLE_EMPHASIS) == ["instcap + instinc\t整格加粗"[:17]]


def test_only_the_report_beside_the_book_may_be_linked_outside_it(tmp_path):
    from browser import link_problem

    html = tmp_path / "_build" / "html"
    html.mkdir(parents=True)
    page = html / "appendix.html"
    page.write_text("<p id='a'>x</p>", encoding="utf-8")
    for name in ("report.html", "other.html"):
        (tmp_path / "_build" / name).write_text("r", encoding="utf-8")
    assert link_problem(page, "../report.html", html) is None
    assert "outside the built book" in link_problem(page, "../other.html", html)
    assert "missing anchor" in link_problem(page, "appendix.html#b", html)


def test_raw_tex_in_a_page_is_found_and_a_lone_dollar_is_not():
    from browser import raw_tex

    assert raw_tex(r"COCHRAN W G, 1954. Some Methods for Strengthening the Common $\chi^2$ Tests[J]") == [
        r"mon $\chi^2$ Tes"]
    assert raw_tex("费用 5 $ 与 6 $；α = 0.80；c = n12 ÷ (n1 + n2 − n12)") == []
    assert raw_tex(r"见 \emph{原文}") == [r"见 \emph{原文}"]
