"""Sphinx extension: while the corpus is synthetic, every caption of a figure or table drawn from it says so.

The chapters write their captions once, for real data. While the Sphinx tag ``synthetic`` is set
(``casebook_numbers`` sets it from ``data_is_synthetic``), each figure's and table's caption opens with
:data:`MARK`, except the figures and tables named in ``casebook_not_synthetic`` (``_config.yml``):
those that show the study's design, the pipeline or public facts, which are the same whatever the
corpus is. The figure images carry the same mark (``analysis/report/figures.py``).
"""

from __future__ import annotations

from docutils import nodes

#: What a caption drawn from the synthetic corpus opens with.
MARK = "合成数据示例："


def _label(node: nodes.Element) -> str:
    return next(iter(node.get("names", [])), "")


def mark_captions(doctree: nodes.document, keep: set[str], mark: str = MARK) -> list[str]:
    """Open the caption of every figure and table in ``doctree`` whose label is not in ``keep`` with
    ``mark``; return the labels marked.

    >>> doc = nodes.document(None, None)
    >>> doc += nodes.figure("", nodes.caption("", "编码频数。"), names=["fig-a"])
    >>> doc += nodes.table("", nodes.title("", "软件版本。"), names=["tab-versions"])
    >>> mark_captions(doc, {"tab-versions"}), doc.astext()
    (['fig-a'], '合成数据示例：编码频数。\\n\\n软件版本。')
    """
    marked = []
    for node in doctree.findall(lambda n: isinstance(n, (nodes.figure, nodes.table))):
        label = _label(node)
        caption = next((c for c in node.children if isinstance(c, (nodes.caption, nodes.title))), None)
        if caption is None or label in keep or caption.astext().startswith(mark):
            continue
        caption.insert(0, nodes.inline(mark, mark, classes=["casebook-synthetic"]))
        marked.append(label)
    return marked


def on_doctree_read(app, doctree) -> None:
    if "synthetic" in app.tags:
        mark_captions(doctree, set(app.config.casebook_not_synthetic))


def setup(app):
    app.add_config_value("casebook_not_synthetic", [], "env")
    app.connect("doctree-read", on_doctree_read)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
