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


#: Display names of the actor types.
ACTOR_LABELS = {
    "zh": {"government": "政府", "social_worker": "社工", "cadre": "村（社区）干部", "resident": "居民",
           "volunteer_org": "志愿者与社会组织", "none": "（无发言人）"},
    "en": {"government": "Government", "social_worker": "Social workers", "cadre": "Village/community cadres",
           "resident": "Residents", "volunteer_org": "Volunteers and social organisations", "none": "(no speaker)"},
}
WORDS = {
    "zh": {"test": "检验", "chi2": "卡方检验", "monte_carlo": "蒙特卡洛精确检验", "none": "—", "n_with": "含该编码的片段",
           "statistic": "χ²", "p": "p", "p_fdr": "FDR 校正 p", "over": "显著偏多（调整残差）", "kappa": "Cohen κ",
           "ac1": "Gwet AC1", "flag": "判断", "reliable": "可靠", "tentative": "暂可接受", "unreliable": "不可靠",
           "undefined": "无法计算", "scope": "范围", "pooled": "全部站点", "interviews": "访谈数", "base_codes": "基线编码数",
           "total_codes": "编码总数", "result": "结果", "stretches": "分歧片段", "confusions": "其中误用相邻编码",
           "omissions": "其中漏编", "chars": "涉及字符"},
    "en": {"test": "Test", "chi2": "chi-square", "monte_carlo": "Monte Carlo exact", "none": "—", "n_with": "Spans with code",
           "statistic": "χ²", "p": "p", "p_fdr": "FDR-adjusted p", "over": "Over-represented (adj. residual)",
           "kappa": "Cohen's κ", "ac1": "Gwet's AC1", "flag": "Reading", "reliable": "reliable", "tentative": "tentative",
           "unreliable": "unreliable", "undefined": "undefined", "scope": "Scope", "pooled": "All stations",
           "interviews": "Interviews", "base_codes": "Codes in base", "total_codes": "Codes in all",
           "result": "Result", "stretches": "Disagreements", "confusions": "of which another code",
           "omissions": "of which omitted", "chars": "Characters"},
}


def _p(p: float) -> str:
    """A p-value as journals print it.

    Examples
    --------
    >>> _p(0.00001), _p(0.0312), _p(float("nan"))
    ('< 0.001', '0.031', '—')
    """
    if pd.isna(p):
        return "—"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def cross_tab_table(tests: pd.DataFrame, cells: pd.DataFrame, codes: pd.DataFrame, categories: dict,
                    lang: str, fdr: float) -> pd.DataFrame:
    """One row per code: spans with the code, the test, p, FDR-adjusted p, and over-represented categories."""
    h, w = HEADERS[lang], WORDS[lang]
    label = dict(zip(codes["code_id"], codes[f"label_{lang}"]))
    over = {}
    for code, grp in cells.groupby("code_id"):
        strong = grp[grp["adj_resid"] > 1.96].sort_values("adj_resid", ascending=False)
        over[code] = "、".join(f"{categories[c]}（{r:+.1f}）" if lang == "zh" else f"{categories[c]} ({r:+.1f})"
                              for c, r in zip(strong["category"], strong["adj_resid"])) or "—"
    return pd.DataFrame({
        h["code"]: tests["code_id"].map(label),
        h["code_id"]: "`" + tests["code_id"] + "`",
        w["n_with"]: tests["n_with_code"],
        w["test"]: tests["method"].map(w),
        w["statistic"]: [("—" if pd.isna(s) else f"{s:.1f}") for s in tests["statistic"]],
        w["p"]: tests["p_value"].map(_p),
        w["p_fdr"]: [_p(p) + (" *" if pd.notna(p) and p < fdr else "") for p in tests["p_fdr"]],
        w["over"]: tests["code_id"].map(over),
    })


def _ci(value: float, lo: float, hi: float, undefined: str) -> str:
    """A coefficient with its interval, or a word when undefined.

    Examples
    --------
    >>> _ci(0.8312, 0.8, 0.862, "undefined"), _ci(float("nan"), 0, 0, "undefined")
    ('0.831 [0.800, 0.862]', 'undefined')
    """
    if pd.isna(value):
        return undefined
    if pd.isna(lo) or pd.isna(hi):
        return f"{value:.3f}"
    return f"{value:.3f} [{lo:.3f}, {hi:.3f}]"


def reliability_table(per_code: pd.DataFrame, codes: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Per-code agreement with 95% bootstrap intervals, weakest alpha first; undefined said in words."""
    h, w = HEADERS[lang], WORDS[lang]
    merged = per_code.merge(codes[["code_id", f"label_{lang}"]], on="code_id").sort_values(
        ["krippendorff_alpha", "code_id"], na_position="first")
    out = pd.DataFrame({h["code"]: merged[f"label_{lang}"], h["code_id"]: "`" + merged["code_id"] + "`"})
    for name, head in (("krippendorff_alpha", h["alpha"]), ("cohen_kappa", w["kappa"]), ("gwet_ac1", w["ac1"])):
        out[head] = [_ci(v, lo, hi, w["undefined"]) for v, lo, hi in
                     zip(merged[name], merged[f"{name}_lo"], merged[f"{name}_hi"])]
    out[h["agreement"]] = [w["undefined"] if pd.isna(p) else f"{p:.1%}" for p in merged["percent_agreement"]]
    out[w["flag"]] = merged["flag"].map(w)
    return out


def station_theme_table(by_station: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Stations x themes: coded segments per theme in each station."""
    themes = by_station[by_station["depth"] == 0]
    wide = themes.pivot(index="case_id", columns="code_id", values="n_segments")
    order = themes.drop_duplicates("code_id")
    wide = wide[order["code_id"]]
    wide.columns = order[f"label_{lang}"].tolist()
    wide.index.name = HEADERS[lang]["station"]
    return wide.reset_index()


def saturation_table(summary: pd.DataFrame, sentences: list[str], lang: str) -> pd.DataFrame:
    """Per scope (all stations, then each station): interviews, codes in the base and in all, the result."""
    w = WORDS[lang]
    return pd.DataFrame({
        w["scope"]: summary["scope"].replace({"pooled": w["pooled"]}),
        w["interviews"]: summary["n_interviews"],
        w["base_codes"]: summary["base_codes"],
        w["total_codes"]: summary["total_codes"],
        w["result"]: sentences,
    })


def disagreement_table(table: pd.DataFrame, codes: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Per code: stretches where the coders differ, how many were another code rather than none, characters."""
    h, w = HEADERS[lang], WORDS[lang]
    label = dict(zip(codes["code_id"], codes[f"label_{lang}"]))
    if table.empty:
        return pd.DataFrame(columns=[h["code"], h["code_id"], w["stretches"], w["confusions"], w["omissions"], w["chars"]])
    t = table.assign(confused=table["other_codes_there"].fillna("") != "", chars=table["end"] - table["start"])
    grp = t.groupby("code_id").agg(n=("start", "size"), confused=("confused", "sum"), chars=("chars", "sum"))
    grp = grp.sort_values(["n", "chars"], ascending=False).reset_index()
    return pd.DataFrame({
        h["code"]: grp["code_id"].map(label), h["code_id"]: "`" + grp["code_id"] + "`",
        w["stretches"]: grp["n"], w["confusions"]: grp["confused"].astype(int),
        w["omissions"]: (grp["n"] - grp["confused"]).astype(int), w["chars"]: grp["chars"],
    })
