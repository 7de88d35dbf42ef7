"""Tables for the book: analysis frames turned into labelled display frames.

Each ``*_table`` function returns a DataFrame whose column headers are in the
language chosen by ``labels`` in the configuration (``zh`` or ``en``);
:func:`to_markdown` renders any of them for the book.
"""

from __future__ import annotations

import pandas as pd

HEADERS = {
    "zh": {"code": "编码", "code_id": "编码号", "theme": "主题", "segments": "片段数", "documents": "文档数",
           "participants": "受访者数", "stations": "站点数", "share_documents": "文档占比（95% CI）",
           "alpha": "Krippendorff α", "agreement": "一致率", "chars_a": "字符数", "station": "站点",
           "indicator": "指标", "scope": "范围", "date": "时间", "value": "数值", "unit": "单位",
           "source": "来源", "label_zh": "中文名", "label_en": "英文名", "definition": "定义", "parent": "上级编码",
           "note": "说明"},
    "en": {"code": "Code", "code_id": "Code id", "theme": "Theme", "segments": "Segments", "documents": "Documents",
           "participants": "Participants", "stations": "Stations", "share_documents": "Share of documents (95% CI)",
           "alpha": "Krippendorff's α", "agreement": "Agreement", "chars_a": "Characters", "station": "Station",
           "indicator": "Indicator", "scope": "Scope", "date": "Date", "value": "Value", "unit": "Unit",
           "source": "Source", "label_zh": "Chinese label", "label_en": "English label", "definition": "Definition",
           "parent": "Parent", "note": "Note"},
}


def _interval(share: float, lo: float, hi: float) -> str:
    """A share with its interval as percentages.

    Examples
    --------
    >>> _interval(0.25, 0.1, 0.5)
    '25.0% (10.0–50.0)'
    """
    return f"{share:.1%} ({lo * 100:.1f}–{hi * 100:.1f})"


def code_frequency_table(freq: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Codes in codebook order, themes first in their block, leaf codes indented."""
    h = HEADERS[lang]
    label = freq[f"label_{lang}"].where(freq["depth"] == 0, "\u3000" + freq[f"label_{lang}"])
    return pd.DataFrame({
        h["code"]: label.where(freq["depth"] > 0, "**" + label + "**"),
        h["code_id"]: "`" + freq["code_id"] + "`",
        h["segments"]: freq["n_segments"],
        h["documents"]: freq["n_documents"],
        h["participants"]: freq["n_participants"],
        h["stations"]: freq["n_stations"],
        h["share_documents"]: [_interval(s, lo, hi) for s, lo, hi in
                                zip(freq["share_documents"], freq["share_documents_lo"], freq["share_documents_hi"])],
    })


def reliability_table(per_code: pd.DataFrame, codes: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Per-code agreement, weakest first; an undefined alpha is said in words."""
    h = HEADERS[lang]
    undefined = "无法计算（无变异）" if lang == "zh" else "undefined (no variation)"
    merged = per_code.merge(codes[["code_id", f"label_{lang}"]], on="code_id").sort_values(["alpha", "code_id"], na_position="first")
    return pd.DataFrame({
        h["code"]: merged[f"label_{lang}"],
        h["code_id"]: "`" + merged["code_id"] + "`",
        h["alpha"]: [undefined if pd.isna(a) else f"{a:.3f}" for a in merged["alpha"]],
        h["agreement"]: [f"{p:.1%}" for p in merged["percent_agreement"]],
    })


def framework_table(matrix: pd.DataFrame, propositions: dict, lang: str) -> pd.DataFrame:
    """Stations x propositions: 'supporting / contrary (share supporting)' per cell."""
    cell = matrix.assign(cell=[f"{s} / {c}" + ("" if pd.isna(r) else f" ({r:.2f})")
                               for s, c, r in zip(matrix["n_support"], matrix["n_contrary"], matrix["support_share"])])
    wide = cell.pivot(index="case_id", columns="proposition", values="cell")
    wide.columns = [f"{p}: {propositions[p]['label'][lang]}" for p in wide.columns]
    wide.index.name = HEADERS[lang]["station"]
    return wide.reset_index()


def codebook_table(codes: pd.DataFrame, codebook: dict, lang: str) -> pd.DataFrame:
    """The full codebook: id, both labels, parent and definition in ``lang``."""
    h = HEADERS[lang]
    definition = {c["id"]: c["definition"][lang] for c in codebook["codes"]}
    return pd.DataFrame({
        h["code_id"]: "`" + codes["code_id"] + "`",
        h["label_zh"]: codes["label_zh"],
        h["label_en"]: codes["label_en"],
        h["parent"]: codes["parent"].fillna("").map(lambda p: f"`{p}`" if p else "—"),
        h["definition"]: codes["code_id"].map(definition),
    })


def context_table(context: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The public context facts with the source beside every figure."""
    h = HEADERS[lang]
    more = "逾" if lang == "zh" else "more than "
    value = [f"{more if q == 'more than' else ''}{v:,g}" for v, q in zip(pd.to_numeric(context["value"]), context["qualifier"].fillna(""))]
    return pd.DataFrame({
        h["date"]: context["date"].fillna(""), h["scope"]: context["scope"], h["indicator"]: context["indicator"],
        h["value"]: value, h["unit"]: context["unit"], h["note"]: context["note"].fillna(""),
        h["source"]: [f"<{s}>" for s in context["source"]],
    })


def to_markdown(frame: pd.DataFrame) -> str:
    """A pipe table for MyST Markdown.

    Examples
    --------
    >>> print(to_markdown(pd.DataFrame({"a": [1], "b": ["x"]})))
    | a | b |
    |---|---|
    | 1 | x |
    """
    cols = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |")
    return "\n".join(lines)
