"""The built HTML book, opened page by page in headless Chromium (Debian's ``chromium``).

:func:`check_book` returns every problem a reader would meet: an image that
does not load, a link to a missing page or anchor, a cross-reference Sphinx
could not resolve, a substitution left unfilled, a request that would need the
network, or text that no font used on the page can draw (shown as a box).
The font check asks Chromium itself which fonts it used for each element
(DevTools ``CSS.getPlatformFontsForNode``) and then checks, with fontTools,
that those fonts hold a glyph for every character of the element's text.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: Pages Sphinx writes that hold no content of the book.
SKIP = {"genindex.html", "search.html"}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: Marks each element that has text of its own, so its fonts can be asked for one by one.
MARK_TEXT = """() => {
  const out = [];
  document.querySelectorAll('body *').forEach((el) => {
    if (['SCRIPT', 'STYLE', 'NOSCRIPT', 'svg'].includes(el.tagName)) return;
    if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true})) return;
    let own = '';
    el.childNodes.forEach((n) => { if (n.nodeType === 3) own += n.textContent; });
    own = own.replace(/\\s+/g, '');
    // ASCII is drawn by every font a page can fall back to: only text beyond it can become boxes
    if (/[^\\x00-\\x7f]/.test(own)) { el.setAttribute('data-glyph-check', out.length); out.push(own); }
  });
  return out;
}"""
BROKEN_IMAGES = """() => Array.from(document.images)
  .filter((img) => !img.complete || img.naturalWidth === 0).map((img) => img.getAttribute('src'))"""
UNRESOLVED = """() => Array.from(document.querySelectorAll('.xref, .problematic'))
  .filter((el) => !el.closest('a')).map((el) => el.textContent.trim())"""
LINKS = """() => Array.from(document.querySelectorAll('a[href]')).map((a) => a.getAttribute('href'))"""
#: The page's visible text without its code blocks and inline code (rendered source may hold ``{{``).
TEXT_OUTSIDE_CODE = """() => {
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll('pre, code, script, style').forEach((el) => el.remove());
  return copy.textContent;
}"""
#: The text a reader sees in each paragraph-like element of the article (not code, not the page's frame).
PROSE = """() => Array.from(document.querySelectorAll(
    'article p, article li, article caption, article td, article th, article h1, article h2, article h3, '
    + 'article dt, article dd, article figcaption'))
  .filter((el) => !el.closest('pre, code, .highlight') && !el.querySelector('p, li'))
  .map((el) => el.innerText)"""
#: Tables wider than the text column, and cells so narrow that their text stands one character a line.
TABLE_FIT = """() => {
  const out = [];
  document.querySelectorAll('article table').forEach((table, n) => {
    const caption = (table.querySelector('caption') || {innerText: 'table ' + (n + 1)}).innerText.slice(0, 40);
    const column = table.closest('article').clientWidth;
    const wide = Math.ceil(table.getBoundingClientRect().width);
    if (wide > column + 1) out.push(`table wider than the text column (${wide} px > ${column} px): ${caption}`);
    const narrow = [];
    table.querySelectorAll('td, th').forEach((cell) => {
      const text = cell.innerText.trim();
      const style = getComputedStyle(cell);
      const size = parseFloat(style.fontSize);
      const inner = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      if (text.length >= 3 && !/[ \\n]/.test(text) && inner < 1.6 * size && cell.clientHeight > 2.5 * size) narrow.push(text);
    });
    if (narrow.length)
      out.push(`${narrow.length} cell(s) one character per line (first: '${narrow[0].slice(0, 12)}') in: ${caption}`);
  });
  return out;
}"""
#: Emphasis inside a table cell that touches a letter or digit: an asterisk of a formula (``a*b + c*d``)
#: read as Markdown emphasis.
TABLE_EMPHASIS = """() => Array.from(document.querySelectorAll('article td em, article td strong, article th em, article th strong'))
  .filter((el) => {
    const before = el.previousSibling && el.previousSibling.textContent || '';
    const after = el.nextSibling && el.nextSibling.textContent || '';
    return /[A-Za-z0-9~]$/.test(before) || /^[A-Za-z0-9]/.test(after);
  }).map((el) => el.closest('td, th').innerText.slice(0, 40))"""


def chromium() -> str:
    """The Chromium executable (Debian's package), or an error naming the fix."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    raise RuntimeError("Chromium is not installed: run `bash workflow/run.sh test`, which installs Debian's chromium")


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key in ("id", "name") and value:
                self.ids.add(value)


@lru_cache(maxsize=None)
def anchors(page: Path) -> frozenset[str]:
    """Every id (and old-style name) an HTML page defines."""
    parser = _Ids()
    parser.feed(page.read_text(encoding="utf-8"))
    return frozenset(parser.ids)


@lru_cache(maxsize=None)
def font_files() -> dict[str, str]:
    """Installed fonts by PostScript name and by family name, to their files (from fontconfig)."""
    listing = subprocess.run(["fc-list", "--format", "%{postscriptname}\t%{family}\t%{file}\n"],
                             capture_output=True, text=True, check=True).stdout
    files: dict[str, str] = {}
    for line in listing.splitlines():
        postscript, families, file = (line.split("\t") + ["", "", ""])[:3]
        files.setdefault(postscript, file)
        for family in families.split(","):
            files.setdefault(family, file)
    return files


@lru_cache(maxsize=None)
def coverage(postscript: str, family: str) -> frozenset[int]:
    """The code points a font (found by PostScript or family name) has glyphs for."""
    from fontTools.ttLib import TTCollection, TTFont

    file = font_files().get(postscript) or font_files().get(family)
    if not file:
        return frozenset()
    if file.endswith(".ttc"):
        fonts = TTCollection(file).fonts
        chosen = [f for f in fonts if f["name"].getDebugName(6) == postscript] or fonts[:1]
    else:
        chosen = [TTFont(file, lazy=True)]
    return frozenset(chosen[0].getBestCmap() or {})


def missing_glyphs(text: str, fonts: list[dict]) -> str:
    """The characters of ``text`` that none of ``fonts`` (as Chromium reports them) can draw."""
    covered: set[int] = set()
    for font in fonts:
        covered |= coverage(font.get("postScriptName", ""), font.get("familyName", ""))
    return "".join(sorted({c for c in text if ord(c) > 0x20 and ord(c) not in covered and not c.isspace()}))


#: Chinese characters and punctuation; full-width punctuation alone (it carries its own spacing).
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\u201c\u201d\u2018\u2019\u2014\u2026"
_FULL = "\u3000-\u303f\uff00-\uffef"
STRAY = re.compile(rf"[{_CJK}][ \u00a0]+[{_CJK}]|[{_FULL}][ \u00a0]+\S|\S[ \u00a0]+[{_FULL}]")


def stray_spaces(texts: list[str]) -> list[str]:
    """Each space a reader sees between two Chinese characters or next to full-width punctuation,
    with a few characters around it.

    >>> stray_spaces(["表格和 图都由", "共 12 个，见表 3。", "、 2,611", "P1 and P2"])
    ['表格和 图都由', '、 2,611']
    """
    found = []
    for text in texts:
        for line in text.splitlines():
            found += [line[max(0, m.start() - 4):m.end() + 4] for m in STRAY.finditer(line)]
    return found


#: TeX a reader should never see: inline math left in dollars (``$\\chi^2$``) or a control word.
RAW_TEX = re.compile(r"\$[^$\n]{0,40}[\\^_][^$\n]{0,40}\$|\\(?:chi|alpha|beta|kappa|textit|emph|mathrm)\b")


def raw_tex(text: str) -> list[str]:
    r"""Each piece of raw TeX in a page's text, with a few characters around it.

    >>> raw_tex("the Common $\chi^2$ Tests[J]; 0.5 $ and 2 $; α = 0.80")
    ['mon $\\chi^2$ Tes']
    """
    return [text[max(0, m.start() - 4):m.end() + 4] for m in RAW_TEX.finditer(text)]


#: Files the build writes beside the HTML book, in paper/_build, which the book may link to: the Snakemake
#: report (rule snakemake_report) records run times, so it cannot sit inside the byte-reproducible book.
BESIDE = {"report.html"}


def link_problem(page: Path, href: str, root: Path) -> str | None:
    """Why an internal link on ``page`` is broken, or None when its target page and anchor exist inside ``root``."""
    parts = urlsplit(href)
    if parts.scheme in ("http", "https", "mailto") or href.startswith("//"):
        return None
    target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
    if parts.scheme == "file":
        target = Path(unquote(parts.path))
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        return f"link to a missing file: {href}"
    if target.resolve().parent == root.parent and target.name in BESIDE:
        return None
    if not target.resolve().is_relative_to(root):
        return f"link to a file outside the built book (it will not be published with it): {href}"
    if parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in anchors(target):
        return f"link to a missing anchor: {href}"
    return None


def check_book(html: Path, screenshot_page: str, screenshot: Path) -> tuple[list[str], int]:
    """Open every page of the built book; return the problems found and the number of pages opened."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    html = html.resolve()
    pages = sorted(p for p in html.glob("*.html") if p.name not in SKIP)
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        outside: list[str] = []

        def offline(route):
            if route.request.url.startswith(("file:", "data:", "blob:")):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        context.route("**/*", offline)
        context.set_default_timeout(180_000)  # a loaded 2-core machine can take long over a heavy page
        for page_file in pages:
            where = page_file.name
            page = context.new_page()
            failed: list[str] = []
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.goto(page_file.as_uri(), wait_until="load")
            try:  # an image still loading is caught below (not complete); a page never idle is not an error
                page.wait_for_load_state("networkidle", timeout=30_000)
            except PlaywrightTimeout:
                pass
            problems += [f"{where}: a resource failed to load: {u}" for u in failed if u.startswith("file:")]
            problems += [f"{where}: image not shown: {src}" for src in page.evaluate(BROKEN_IMAGES)]
            problems += [f"{where}: unresolved cross-reference: {t}" for t in page.evaluate(UNRESOLVED)]
            body = page.evaluate(TEXT_OUTSIDE_CODE)
            for left in re.findall(r"\{\{[^}]*\}\}|\|[a-z_]+\|", body):
                problems.append(f"{where}: substitution left unfilled: {left}")
            problems += [f"{where}: raw TeX in the text: '{t}'" for t in raw_tex(body)]
            for href in page.evaluate(LINKS):
                why = link_problem(page_file, href, html)
                if why:
                    problems.append(f"{where}: {why}")
            problems += [f"{where}: {p}" for p in _boxes(page)]
            problems += [f"{where}: stray space in Chinese text: '{t}'" for t in stray_spaces(page.evaluate(PROSE))]
            problems += [f"{where}: {p}" for p in page.evaluate(TABLE_FIT)]
            problems += [f"{where}: Markdown emphasis inside a formula in a table cell: '{t}'"
                         for t in page.evaluate(TABLE_EMPHASIS)]
            if page_file.name == screenshot_page:
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot), full_page=True)
            page.close()
        problems += [f"a page asked for a network resource (the book must work offline): {u}" for u in sorted(set(outside))]
        browser.close()
    return problems, len(pages)


def _boxes(page) -> list[str]:
    """Text on the page that the fonts Chromium chose cannot draw (rendered as fallback boxes)."""
    texts = page.evaluate(MARK_TEXT)
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    nodes = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "[data-glyph-check]"})["nodeIds"]
    problems = []
    for node in nodes:
        index = int(dict(_pairs(cdp.send("DOM.getAttributes", {"nodeId": node})["attributes"]))["data-glyph-check"])
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        if not fonts:
            continue  # not laid out (e.g. inside a closed menu): nothing is drawn
        missing = missing_glyphs(texts[index], fonts)
        if missing:
            used = ", ".join(f["familyName"] for f in fonts) or "no font"
            problems.append(f"characters drawn as boxes ({used} lack them): {missing} in '{texts[index][:30]}'")
    cdp.detach()
    return problems


def _pairs(flat: list[str]):
    return zip(flat[::2], flat[1::2])


def search_hits(html: Path, query: str) -> int:
    """How many results the book's own (offline) search page lists for ``query``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto((html.resolve() / "search.html").as_uri() + f"?q={query}", wait_until="load")
        page.wait_for_selector("#search-results p.search-summary, #search-results .search-summary", timeout=180_000)
        hits = page.locator("#search-results ul.search li").count()
        browser.close()
    return hits
