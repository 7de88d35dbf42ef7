"""Every number the book prints, as text, keyed by name.

The book reads these keys as MyST substitutions (``{{ n_documents }}``) through
the Sphinx extension ``paper/_ext/casebook_numbers.py``; a key the book uses but
this table lacks stops the build. Nothing in the manuscript is typed by hand.
"""

from __future__ import annotations

import re

import pandas as pd

from analysis.methods.codebook import code_labels
from analysis.report.tables import lists_each_station, qca_expression

KIND_KEYS = {"interview": "n_interviews", "focus_group": "n_focus_groups", "field_note": "n_field_notes",
             "document": "n_written_documents"}


def fmt_int(n) -> str:
    """Integers with thousands separators.

    Examples
    --------
    >>> fmt_int(1234)
    '1,234'
    """
    return f"{int(n):,}"


def zh_date(value) -> str:
    """A date as Chinese prose writes it (the book keeps ISO dates for tables and files).

    >>> zh_date("2021-06-07"), zh_date(pd.Timestamp("2022-11-30"))
    ('2021 年 6 月 7 日', '2022 年 11 月 30 日')
    """
    day = pd.Timestamp(value)
    return f"{day.year} 年 {day.month} 月 {day.day} 日"


def corpus_numbers(stations: pd.DataFrame, participants: pd.DataFrame, documents: pd.DataFrame,
                   segments: pd.DataFrame, codes: pd.DataFrame, primary: str) -> dict[str, str]:
    """Size of the corpus and of the coding."""
    out = {
        "n_stations": fmt_int(len(stations)),
        "n_participants": fmt_int(len(participants)),
        "n_actor_types": fmt_int(participants["actor_type"].nunique()),
        "n_documents": fmt_int(len(documents)),
        # codings (a code applied to a stretch of text) and the segments they sit on (a stretch of text
        # with one code or several: the book's 编码片段), both of the primary coder
        "n_segments": fmt_int((segments["coder_id"] == primary).sum()),
        "n_spans": fmt_int(len(segments.loc[segments["coder_id"] == primary, ["document_id", "start", "end"]]
                               .drop_duplicates())),
        "n_segments_all": fmt_int(len(segments)),
        "n_coders": fmt_int(segments["coder_id"].nunique()),
        "n_codes": fmt_int(len(codes)),
        "n_themes": fmt_int((codes["depth"] == 0).sum()),
        "n_leaf_codes": fmt_int(codes["is_leaf"].sum()),
        "n_characters": fmt_int(documents["n_chars"].sum()),
        "first_date": zh_date(documents["date"].min()),
        "last_date": zh_date(documents["date"].max()),
    }
    counts = documents["kind"].value_counts()
    for kind, key in KIND_KEYS.items():
        out[key] = fmt_int(counts.get(kind, 0))
    return out


def _coef(value, undefined: str) -> str:
    return undefined if value is None or pd.isna(value) else f"{value:.3f}"


def reliability_numbers(overall: dict, per_code: pd.DataFrame, codes: pd.DataFrame, n_documents: int,
                        thresholds: dict, lang: str) -> dict[str, str]:
    """Overall and weakest agreement; undefined values are said in words, never NaN."""
    undefined = "无法计算" if lang == "zh" else "undefined"
    label = code_labels(codes, lang)
    defined = per_code.dropna(subset=["krippendorff_alpha"]).sort_values(["krippendorff_alpha", "code_id"])
    alpha = defined["krippendorff_alpha"]
    out = {
        "n_double_coded": fmt_int(overall["n_documents"]),
        "share_double_coded": f"{overall['n_documents'] / n_documents:.1%}" if n_documents else undefined,
        "n_chars_double_coded": fmt_int(overall["n_chars"]),
        "n_coders_compared": fmt_int(overall["n_coders"]),
        "n_codes_assessed": fmt_int(len(per_code)),
        # counted by the flags, which read the interval's lower bound (as the book's sentence says)
        "n_codes_reliable": fmt_int((per_code["flag"] == "reliable").sum()),
        "n_codes_tentative": fmt_int((per_code["flag"] == "tentative").sum()),
        "n_codes_unreliable": fmt_int((per_code["flag"] == "unreliable").sum()),
        "n_codes_reliable_point": fmt_int((alpha >= thresholds["reliable"]).sum()),
        "n_codes_alpha_undefined": fmt_int(per_code["krippendorff_alpha"].isna().sum()),
        "alpha_undefined_clause": _undefined_clause(int(per_code["krippendorff_alpha"].isna().sum()), lang),
        "threshold_reliable": f"{thresholds['reliable']:.3f}",
        "threshold_tentative": f"{thresholds['tentative']:.3f}",
        "reliability_note": "" if overall["n_documents"] else (
            "**本节无法计算。** 所选站点中没有由两位或更多编码者独立编码的文档（转录稿头部的 `coded_by` 与配置项 "
            "`coders.independent`），编码者间信度与分歧报告无从计算，下文的系数均显示为“无法计算”。"
            if lang == "zh" else
            "**Not computed.** No document of the selected stations was coded independently by two or more coders "
            "(`coded_by` in the transcript headers, `coders.independent` in config), so agreement cannot be computed."),
    }
    for name, key in (("krippendorff_alpha", "alpha"), ("cohen_kappa", "kappa"), ("gwet_ac1", "ac1"),
                      ("fleiss_kappa", "fleiss")):
        out[f"{key}_overall"] = _coef(overall.get(name), undefined)
        out[f"{key}_overall_lo"] = _coef(overall.get(f"{name}_lo"), undefined)
        out[f"{key}_overall_hi"] = _coef(overall.get(f"{name}_hi"), undefined)
    pa, ca = overall.get("percent_agreement"), overall.get("coded_agreement")
    out["agreement_overall"] = undefined if pa is None else f"{pa:.1%}"
    out["coded_agreement_overall"] = undefined if ca is None else f"{ca:.1%}"
    if len(defined):
        weakest, strongest = defined.iloc[0], defined.iloc[-1]
        # by its label only: the codebook appendix gives every label's code id
        fmt = "{label}"
        out["weakest_code"] = fmt.format(label=label[weakest["code_id"]], code=weakest["code_id"])
        out["weakest_alpha"] = f"{weakest['krippendorff_alpha']:.3f}"
        out["weakest_alpha_lo"] = _coef(weakest["krippendorff_alpha_lo"], undefined)
        out["weakest_alpha_hi"] = _coef(weakest["krippendorff_alpha_hi"], undefined)
        out["strongest_code"] = fmt.format(label=label[strongest["code_id"]], code=strongest["code_id"])
        out["strongest_alpha"] = f"{strongest['krippendorff_alpha']:.3f}"
        out["strongest_alpha_lo"] = _coef(strongest["krippendorff_alpha_lo"], undefined)
        out["strongest_alpha_hi"] = _coef(strongest["krippendorff_alpha_hi"], undefined)
    else:
        for key in ("weakest_code", "weakest_alpha", "weakest_alpha_lo", "weakest_alpha_hi", "strongest_code",
                    "strongest_alpha", "strongest_alpha_lo", "strongest_alpha_hi"):
            out[key] = undefined
    return out


def _undefined_clause(n: int, lang: str) -> str:
    """The clause on codes whose α cannot be computed, or nothing when every code has one.

    >>> _undefined_clause(0, "zh"), _undefined_clause(2, "zh")
    ('', '，2 个无法计算（双编码文本中两人都未使用）')
    """
    if not n:
        return ""
    return (f"，{fmt_int(n)} 个无法计算（双编码文本中两人都未使用）" if lang == "zh" else
            f", {fmt_int(n)} undefined (neither coder used them in the double-coded text)")


def disagreement_numbers(table: pd.DataFrame) -> dict[str, str]:
    """How many disagreements the coders have (a code on a stretch of text that one of them used and the
    other did not), on how many distinct stretches, and how many were confusions with another code.

    >>> t = pd.DataFrame({"document_id": ["d", "d", "d"], "start": [0, 0, 9], "end": [5, 5, 12],
    ...                   "other_codes_there": ["b", "a", ""]})
    >>> disagreement_numbers(t)["n_disagreement_passages"]
    '2'
    """
    confused = (table["other_codes_there"].fillna("") != "").sum() if len(table) else 0
    passages = len(table[["document_id", "start", "end"]].drop_duplicates()) if len(table) else 0
    return {"n_disagreements": fmt_int(len(table)), "n_disagreements_confused": fmt_int(confused),
            "n_disagreements_omitted": fmt_int(len(table) - confused), "n_disagreement_passages": fmt_int(passages)}


def coverage_numbers(coverage: dict) -> dict[str, str]:
    """The iterated bootstrap's check of the alpha intervals: each kind's coverage, how often its lower
    bound lay above the truth, the Monte Carlo error of the check, and the kind the book uses.

    >>> out = coverage_numbers({"runs": 200, "bootstrap": 1000, "level": 0.95, "n_documents": 30, "chosen": "bca",
    ...     "mc_se": 0.0154, "percentile": {"pooled": 0.93, "pooled_lower_above": 0.05, "per_code_median": 0.905,
    ...     "per_code_min": 0.61, "per_code_lower_above_median": 0.06, "n_codes": 31},
    ...     "bca": {"pooled": 0.935, "pooled_lower_above": 0.04, "per_code_median": 0.935, "per_code_min": 0.6,
    ...     "per_code_lower_above_median": 0.03, "n_codes": 31}})
    >>> out["coverage_bca_median"], out["interval_method"], out["coverage_level"], out["coverage_mc_se"]
    ('0.935', 'BCa 区间', '95%', '0.015')
    """
    words = {"bca": "BCa 区间", "percentile": "百分位区间"}
    out = {"coverage_runs": fmt_int(coverage["runs"]), "coverage_level": f"{coverage['level']:.0%}",
           "interval_method": words[coverage["chosen"]], "coverage_mc_se": f"{coverage.get('mc_se', float('nan')):.3f}"}
    for method in ("percentile", "bca"):
        found = coverage.get(method) or {}
        for key, name in (("pooled", "pooled"), ("per_code_median", "median"), ("per_code_min", "min"),
                          ("pooled_lower_above", "pooled_lower_above"),
                          ("per_code_lower_above_median", "lower_above_median")):
            value = found.get(key)
            out[f"coverage_{method}_{name}"] = "无法计算" if value is None else f"{value:.3f}"
    return out


def cross_tab_numbers(tests: pd.DataFrame, cells: pd.DataFrame, prefix: str, fdr: float) -> dict[str, str]:
    """Codes tested, codes whose clustered test survives the false-discovery-rate correction (and
    how many would if spans were independent), and cells: with |permutation z| > 1.96 (and with
    |adjusted residual| > 1.96, spans as independent), surviving the correction, and of those the
    over-represented."""
    tested = tests[tests["p_value"].notna()]
    defined = cells[cells["perm_z"].notna()]  # cells the shuffles can change
    return {f"{prefix}_n_tested": fmt_int(len(tested)),
            f"{prefix}_n_significant": fmt_int((tested["p_fdr"] < fdr).sum()),
            f"{prefix}_n_significant_spans": fmt_int((tested["p_spans_fdr"] < fdr).sum()),
            f"{prefix}_n_spans": fmt_int(tests["n_spans"].max() if len(tests) else 0),
            f"{prefix}_n_clusters": fmt_int(tests["n_clusters"].max() if len(tests) else 0),
            f"{prefix}_n_cells": fmt_int(len(defined)),
            f"{prefix}_n_cells_resid": fmt_int((defined["perm_z"].abs() > 1.96).sum()),
            f"{prefix}_n_cells_resid_spans": fmt_int((cells["adj_resid"].abs() > 1.96).sum()),
            f"{prefix}_n_cells_fdr": fmt_int((defined["p_fdr"] < fdr).sum()),
            f"{prefix}_n_cells_fdr_over": fmt_int(((defined["p_fdr"] < fdr) & (defined["perm_z"] > 0)).sum()),
            "fdr_level": f"{fdr:.2f}"}


def untested_codes_numbers(tests: pd.DataFrame, prefix: str, min_segments: int) -> dict[str, str]:
    """The sentence under a code-by-category table on the codes it leaves out, because they have no
    test: too few spans (fewer than ``min_segments``, the configuration's
    ``coding.min_segments_for_test``), never used, or not testable otherwise.

    >>> t = pd.DataFrame({"p_value": [0.1, None, None, None, None], "n_with_code": [9, 2, 0, 1, 7],
    ...                   "method": ["span_permutation", "too_few_spans", "none", "too_few_spans", "sparse_table"]})
    >>> untested_codes_numbers(t, "phase", 5)["phase_untested_note"]
    '含该编码的片段少于 5 个的 2 个编码未做检验；1 个编码的列联表过于稀疏（期望频数不满足 Cochran 规则），也未做检验；1 个编码在这些片段上从未出现；它们不列入表中，只见于 CSV 下载。'
    >>> untested_codes_numbers(t.head(1), "phase", 5)["phase_untested_note"]
    '全部 1 个编码都做了检验。'
    """
    untested = tests[tests["p_value"].isna()]
    n = untested["n_with_code"]
    sparse = untested.get("method", pd.Series("", index=untested.index)).eq("sparse_table")
    few, never = int(((n > 0) & (n < min_segments)).sum()), int((n == 0).sum())
    n_sparse = int(sparse.sum())
    other = len(untested) - few - never - n_sparse
    parts = ([f"含该编码的片段少于 {fmt_int(min_segments)} 个的 {fmt_int(few)} 个编码未做检验"] if few else []) + (
        [f"{fmt_int(n_sparse)} 个编码的列联表过于稀疏（期望频数不满足 Cochran 规则），{'也' if few else ''}未做检验"]
        if n_sparse else []) + (
        [f"{fmt_int(never)} 个编码在这些片段上从未出现"] if never else []) + (
        [f"{fmt_int(other)} 个编码无法检验（用在每个片段上，或打乱不改变它的任何单元格）"] if other else [])
    note = "；".join(parts) + "；它们不列入表中，只见于 CSV 下载。" if parts else f"全部 {fmt_int(len(tests))} 个编码都做了检验。"
    return {f"{prefix}_untested_note": note, "min_segments_for_test": fmt_int(min_segments)}


def saturation_numbers(summary: pd.DataFrame, sentence: str) -> dict[str, str]:
    """The pooled saturation sentence and how many stations reached saturation."""
    pooled = summary[summary["scope"] == "pooled"].iloc[0]
    stations = summary[summary["scope"] != "pooled"]
    return {
        "saturation_pooled": sentence,
        "saturation_n_interviews": fmt_int(pooled["n_interviews"]),
        "saturation_base_codes": fmt_int(pooled["base_codes"]),
        "saturation_total_codes": fmt_int(pooled["total_codes"]),
        "saturation_base": fmt_int(pooled["base"]),
        "saturation_run": fmt_int(pooled["run"]),
        "saturation_threshold": f"{pooled['threshold']:.0%}",
        "saturation_needed": fmt_int(pooled["needed"]),
        "saturation_min_runs": fmt_int(pooled["min_runs"]),
        "saturation_orders": order_sentence(pooled),
        "saturation_stations_sentence": stations_saturation_sentence(stations),
    }


def stations_saturation_sentence(stations: pd.DataFrame) -> str:
    """What the stations' own saturation checks found (Chinese), for none, some or all of them judged
    and none, some or all of those saturated.

    Examples
    --------
    >>> import pandas as pd
    >>> row = {"reached": False, "reason_code": "too_few", "n_interviews": 6, "needed": 7, "base": 4, "min_runs": 2}
    >>> stations_saturation_sentence(pd.DataFrame([row] * 3))
    '3 个站点每站只有 6 次访谈，都少于判断所需的 7 次（基线 4 次之后至少还要 2 轮），因此不对单个站点作饱和判断，饱和只在全部站点合并的层面评估'
    >>> ok = {**row, "reason_code": "", "n_interviews": 9, "reached": True}
    >>> stations_saturation_sentence(pd.DataFrame([ok, ok, row]))
    '3 个站点中，访谈达到判断所需 7 次的 2 个站点都在本站的访谈内达到饱和；另有 1 个站点访谈过少，不作判断'
    >>> stations_saturation_sentence(pd.DataFrame([ok, {**ok, "reached": False, "reason_code": "no_run"}]))
    '2 个站点中有 1 个在本站的访谈内达到饱和，另 1 个没有'
    """
    n = len(stations)
    if not n:
        return "没有可以逐站检验的站点"
    too_few = (stations["reason_code"] == "too_few").to_numpy()
    judged = stations[~too_few]
    needed = int(stations["needed"].max())
    if not len(judged):
        sizes = stations["n_interviews"].astype(int)
        each = (f"每站只有 {fmt_int(sizes.iloc[0])} 次访谈" if sizes.nunique() == 1
                else f"每站只有 {fmt_int(sizes.min())}–{fmt_int(sizes.max())} 次访谈")
        return (f"{fmt_int(n)} 个站点{each}，都少于判断所需的 {fmt_int(needed)} 次（基线 {fmt_int(stations['base'].iloc[0])} "
                f"次之后至少还要 {fmt_int(stations['min_runs'].iloc[0])} 轮），因此不对单个站点作饱和判断，"
                "饱和只在全部站点合并的层面评估")
    reached = int(judged["reached"].astype(bool).sum())
    k = len(judged)
    if too_few.any():
        whom = f"{fmt_int(n)} 个站点中，访谈达到判断所需 {fmt_int(needed)} 次的 {fmt_int(k)} 个站点"
        tail = f"；另有 {fmt_int(int(too_few.sum()))} 个站点访谈过少，不作判断"
    else:
        whom, tail = f"{fmt_int(n)} 个站点", ""
    if reached == k:
        found = f"{whom}都在本站的访谈内达到饱和" if k > 1 else f"{whom}在本站的访谈内达到饱和"
    elif reached == 0:
        found = f"{whom}都没有在本站的访谈内达到饱和" if k > 1 else f"{whom}没有在本站的访谈内达到饱和"
    elif too_few.any():
        found = f"{whom}中有 {fmt_int(reached)} 个在本站的访谈内达到饱和"
    else:
        found = f"{whom}中有 {fmt_int(reached)} 个在本站的访谈内达到饱和，另 {fmt_int(k - reached)} 个没有"
    return found + tail


def order_sentence(row) -> str:
    """The spread of the saturation point over random interview orders (Chinese).

    Examples
    --------
    >>> order_sentence({"orders": 200, "reached_share": 1.0, "point_median": 9.0, "point_lo": 6.0, "point_hi": 14.0})
    '随机打乱访谈顺序 200 次，全部顺序都达到饱和，饱和点的中位数为第 9 次访谈（95% 区间第 6–14 次）'
    >>> order_sentence({"orders": 0, "reached_share": float("nan")})
    '访谈过少，未做顺序检验'
    """
    orders = int(row.get("orders") or 0)
    if not orders:
        return "访谈过少，未做顺序检验"
    share = row["reached_share"]
    if not share:
        return f"随机打乱访谈顺序 {fmt_int(orders)} 次，没有一种顺序达到饱和"
    reached = "全部顺序都达到饱和" if share == 1 else f"{share:.0%} 的顺序达到饱和"
    return (f"随机打乱访谈顺序 {fmt_int(orders)} 次，{reached}，饱和点的中位数为第 {row['point_median']:g} 次访谈"
            f"（95% 区间第 {row['point_lo']:g}–{row['point_hi']:g} 次）")


def frequency_numbers(freq: pd.DataFrame, lang: str) -> dict[str, str]:
    """The most and least frequent themes, and codes never used."""
    themes = freq[freq["depth"] == 0].sort_values(["n_segments", "code_id"], ascending=[False, True])
    top, bottom = themes.iloc[0], themes.iloc[-1]
    return {
        "top_theme": top[f"label_{lang}"], "top_theme_segments": fmt_int(top["n_segments"]),
        "bottom_theme": bottom[f"label_{lang}"], "bottom_theme_segments": fmt_int(bottom["n_segments"]),
        "unused_codes_sentence": unused_sentence(freq.loc[freq["n_segments"] == 0, f"label_{lang}"].tolist()),
    }


def unused_sentence(labels: list[str]) -> str:
    """The codes nobody applied, in words for none, one and several (at most three named).

    >>> unused_sentence([]), unused_sentence(["内生动力"]), unused_sentence(["甲", "乙", "丙", "丁"])
    ('每个编码都至少用过一次', '只有“内生动力”一个编码未被使用', '有 4 个编码未被使用（“甲”“乙”“丙”等）')
    """
    if not labels:
        return "每个编码都至少用过一次"
    if len(labels) == 1:
        return f"只有“{labels[0]}”一个编码未被使用"
    named = "".join(f"“{x}”" for x in labels[:3])
    return f"有 {fmt_int(len(labels))} 个编码未被使用（{named}{'等' if len(labels) > 3 else ''}）"


def framework_numbers(matrix: pd.DataFrame) -> dict[str, str]:
    """Per proposition: supporting and contrary segments and the pooled support share."""
    out = {}
    for prop, grp in matrix.groupby("proposition"):
        s, c = int(grp["n_support"].sum()), int(grp["n_contrary"].sum())
        key = prop.lower()
        out[f"{key}_support"], out[f"{key}_contrary"] = fmt_int(s), fmt_int(c)
        out[f"{key}_outcome"] = fmt_int(grp["n_outcome"].sum())
        out[f"{key}_support_share"] = f"{s / (s + c):.1%}" if s + c else "—"
    return out


#: Units whose facts the prose writes with the unit after the number ("{{ ctx_x }} 个"); any other
#: (money) carries its unit in the number, and an event (a launch) has no number at all.
_COUNTED = {"stations", "people", "units", "townships", "person-times", "percent", "km2"}


def context_numbers(context: pd.DataFrame) -> dict[str, str]:
    """Every public context fact by its id (``ctx_<fact_id>``), with its qualifier; a sum of money with
    its unit (24.9 亿元, not 2.49), and no number for an event, whose date says it all.

    >>> f = pd.DataFrame({"fact_id": ["a", "b", "c"], "value": [12000, 2.49, 1], "unit": ["stations", "CNY billion", "event"],
    ...                   "qualifier": ["more than", "", ""]})
    >>> context_numbers(f)
    {'ctx_a': '逾12,000', 'ctx_b': '24.9 亿元'}
    """
    from analysis.report.tables import _context_value

    out = {}
    for row in context.itertuples():
        value = float(row.value)
        unit = getattr(row, "unit", "")
        if unit == "event":
            continue
        if unit and unit not in _COUNTED:
            out[f"ctx_{row.fact_id}"] = _context_value(value, unit, "逾" if row.qualifier == "more than" else "", "zh")
            continue
        text = f"{value:,.0f}" if value == int(value) else f"{value:,g}"
        out[f"ctx_{row.fact_id}"] = ("逾" if row.qualifier == "more than" else "") + text
    return out


def data_notice(synthetic: bool) -> dict[str, str]:
    """The notices the pages open with, saying whose data each kind of number on the page is.

    ``data_notice`` opens the results pages, which show what the pipeline computed from the corpus;
    ``data_notice_context`` opens the pages that also state public facts (the introduction, the design),
    which are real whatever the corpus is; ``data_notice_design`` is its wording for the design chapter,
    which holds the table of their sources.
    """
    real = ("出自公开资料的背景事实（望城区的区划与人口、全国与各地社会工作站的数量等）是真实数据，"
            "每一项的来源与记录日期列在“研究设计”一章的公开背景数据表中")
    if synthetic:
        text = ("本页由流程从语料算出的数字、图表和引文均来自仓库自带的合成示例语料（由生成器编写，非真实访谈），"
                "仅用于演示分析流程，不是本研究的发现；本页若提及公开背景事实，则为真实数据，来源见“研究设计”一章的公开背景数据表。"
                "The numbers, figures and quotations this page computes from the corpus come from the repository's "
                "SYNTHETIC illustrative corpus; they are not the study's findings. Public context facts are real "
                "and sourced.")
        context = (f"本页有两类数字。{real}。关于资料、编码与分析的数字（站点、受访者、文本与编码片段的数目等）"
                   "来自仓库自带的合成示例语料（由生成器编写，非真实访谈），或是配置文件中的方法设定，"
                   "不是本研究的发现。This page holds two kinds of numbers: public context facts, which are real and "
                   "sourced, and counts of the SYNTHETIC illustrative corpus, which are not the study's findings.")
    else:
        text = "本页数字、图表和引文来自本研究经匿名化处理的访谈资料；公开背景事实的来源见“研究设计”一章的公开背景数据表。"
        context = f"{real}；关于资料、编码与分析的数字来自本研究经匿名化处理的访谈资料。"
    # the design chapter holds the table of sources itself, so its notice points into the chapter
    design = context.replace("列在“研究设计”一章的公开背景数据表中", "列在本章的公开背景数据表中")
    return {"data_notice": text, "data_notice_context": context, "data_notice_design": design,
            "data_is_synthetic": "是" if synthetic else "否"}


#: The findings chapters' themes, by proposition.
CHAPTER_THEMES = {"p1": ("一", "制度框架与合法性"), "p2": ("二", "主体能力互补与组织韧性"), "p3": ("三", "持续激励与内生动力")}


def chapter_titles(synthetic: bool) -> dict[str, str]:
    """The titles of the three findings chapters: findings with real data; while the corpus is
    synthetic, tests of the propositions, since what the pipeline finds in it is not a finding.

    >>> chapter_titles(True)["chapter_p2"], chapter_titles(False)["chapter_p2"]
    ('命题二的检验：主体能力互补与组织韧性', '发现二：主体能力互补与组织韧性')
    """
    return {f"chapter_{key}": (f"命题{numeral}的检验：{theme}" if synthetic else f"发现{numeral}：{theme}")
            for key, (numeral, theme) in CHAPTER_THEMES.items()}


#: What the book says of each part of the design (:data:`~analysis.inputs.validate.DESIGN_PARTS`)
#: while the corpus is synthetic.
NOT_APPLICABLE = {
    "sampling": "不适用：示例语料为合成数据，站点与受访者由生成器按站点层面的预设参数生成，没有抽样。",
    "fieldwork": "不适用：没有进行田野工作，文本的日期、地点与发言人均由生成器设定。",
    "interview_guide": "不适用：没有访谈提纲，生成器的语句库按编码簿的编码组织（`analysis/casework/synthetic/`）。",
    "consent": "不适用：语料不涉及任何真实的人，无需知情同意。",
    "ethics_review": "不适用：语料不涉及人类受试者，无需伦理审查。",
}


def design_numbers(study: dict, participants: pd.DataFrame) -> dict[str, str]:
    """The research design as the design chapter reports it: for real data, the configuration's
    ``study.design`` texts (the workflow refuses to start while one is empty); for the synthetic corpus,
    a statement that each part does not apply. The informants by actor type come from the data either way.

    >>> people = pd.DataFrame({"actor_type": ["resident", "social_worker", "resident"]})
    >>> design_numbers({"synthetic_data": True}, people)["design_consent"]
    '不适用：语料不涉及任何真实的人，无需知情同意。'
    >>> out = design_numbers({"synthetic_data": False, "design": dict.fromkeys(NOT_APPLICABLE, "见伦理批件。")}, people)
    >>> out["design_ethics_review"], out["informants_by_type"]
    ('见伦理批件。', '社工 1 名、居民 2 名')
    """
    from analysis.inputs.validate import DESIGN_PARTS
    from analysis.report.labels import ACTOR_LABELS

    written = study.get("design") or {}
    out = {f"design_{part}": (NOT_APPLICABLE[part] if study["synthetic_data"] else str(written[part]).strip())
           for part in DESIGN_PARTS}
    labels = ACTOR_LABELS["zh"]
    counts = participants["actor_type"].value_counts()
    out["informants_by_type"] = "、".join(f"{labels.get(kind, kind)} {fmt_int(counts[kind])} 名"
                                          for kind in [k for k in labels if k in counts] + sorted(set(counts.index) - set(labels)))
    return out


def station_view(n_stations: int, report: dict) -> dict[str, str]:
    """The sentence that says how the book shows per-station measures: station by station, or, past
    ``report.station_detail`` stations, as distributions with the highest and lowest ``report.top_k``.
    When every station is listed the tables show it, and the sentence is empty, so that three chapters
    do not say it three times.

    >>> station_view(15, {"station_detail": 40, "top_k": 5})
    {'station_view': ''}
    """
    if lists_each_station(n_stations, report["station_detail"]):
        return {"station_view": ""}
    return {"station_view": (f"站点共 {fmt_int(n_stations)} 个，多于本书逐站列出的上限（{report['station_detail']} 个），"
                             f"图表因而给出各站数值的分布（直方图，或四分位数与最高、最低各 {report['top_k']} 个站点），"
                             "逐站数值见各表的 CSV 文件。")}


def method_numbers(coding: dict, reliability: dict) -> dict[str, str]:
    """Settings the methods text states: test and bootstrap parameters from the configuration."""
    return {"min_expected": f"{coding['min_expected']:g}",
            "n_monte_carlo": fmt_int(coding["monte_carlo_resamples"]),
            "n_permutations": fmt_int(coding["permutations"]),
            "n_bootstrap": fmt_int(reliability["bootstrap"])}


def qca_numbers(result: dict, necessity: pd.DataFrame, lang: str, necessity_incl: float = 0.9,
                labels: dict | None = None) -> dict[str, str]:
    """The QCA's status and solutions as text, each set by its label in ``labels`` (a set's code id
    where it has none; see :func:`~analysis.report.tables.qca_expression`); when it was not run, why."""
    labels = labels or {}
    status = result["status"]
    zh = lang == "zh"
    out = {"qca_n_cases": fmt_int(status["n_cases"]), "qca_min_cases": fmt_int(status["min_cases"]),
           "qca_necessity_cut": f"{necessity_incl:.2f}"}
    adjusted = status.get("adjusted", [])
    if zh:  # each set by its label
        def named(m):
            return labels.get(m.group(2), m.group(2))
        adjusted = [re.sub(r"^(\S+): (\S+) at the crossover, set to 0\.501$",
                           lambda m: f"{m.group(1)} 在{named(m)}上恰在交叉点，改为 0.501", a) for a in adjusted]
        adjusted = [re.sub(r"^(\S+): no evidence on (.+), left out$",
                           lambda m: f"{m.group(1)} 在{named(m)}上没有证据，未纳入分析", a) for a in adjusted]
    out["qca_adjusted"] = (("本书中" if zh else "here: ") + ("；" if zh else "; ").join(adjusted) if adjusted else
                           ("本书没有恰好落在交叉点或缺少证据的案例" if zh else "no case sits at a crossover or lacks evidence"))
    if not status["computed"]:
        note = (f"站点数（{status['n_cases']}）少于设定的最少案例数（{status['min_cases']}），未做定性比较分析"
                if zh else f"{status['n_cases']} stations, fewer than the {status['min_cases']} the analysis needs: QCA not run")
        out |= {"qca_status": note, "qca_intermediate": note, "qca_incl": "—", "qca_cov": "—", "qca_n_models": "0",
                "qca_solutions_sentence": note, "qca_necessity_sentence": note, "qca_sympy": note, "qca_easy": note,
                "qca_models_note": note, "qca_truth_table_note": note,
                "qca_note": (f"**本节未计算。** {note}（配置项 `qca.min_cases`）；下文的解、一致性与覆盖度均显示为未计算，"
                             "校准与真值表只列出已有的站点。" if zh else
                             f"**Not computed.** {note} (setting `qca.min_cases`); the solutions, consistency and "
                             "coverage below are shown as not computed.")}
        return out
    out["qca_status"] = "已完成" if zh else "computed"
    out["qca_note"] = ""
    out["qca_solutions_sentence"] = solutions_sentence(result["solutions"], lang, labels)
    out["qca_necessity_sentence"] = necessity_sentence(necessity, necessity_incl, lang, labels)
    out["qca_intermediate"] = _models_text(result["solutions"]["intermediate"], lang, labels)
    first = result["solutions"]["intermediate"][0] if result["solutions"]["intermediate"] else None
    out["qca_incl"] = "—" if first is None else f"{first['incl']:.3f}"
    out["qca_cov"] = "—" if first is None else f"{first['cov']:.3f}"
    out["qca_n_models"] = fmt_int(len(result["solutions"]["intermediate"]))
    out["qca_sympy"] = sympy_sentence(result.get("checks", {}), lang)
    remainders = sum(1 for row in result.get("truth_table", []) if row.get("out") == "?")
    out["qca_easy"] = easy_sentence(result["solutions"]["intermediate"], lang, remainders)
    out["qca_models_note"] = models_note(result["solutions"], lang)
    out["qca_truth_table_note"] = remainder_note(remainders, lang)
    return out


def models_note(solutions: dict, lang: str) -> str:
    """How many equally short models each solution type has, and how the table names them.

    Examples
    --------
    >>> one = [{"expression": "A"}]
    >>> models_note({"conservative": one, "parsimonious": one, "intermediate": one}, "zh")
    '本书每种解都只有一个这样的模型'
    >>> models_note({"conservative": one, "parsimonious": one * 2, "intermediate": one * 3}, "zh")
    '简约解有 2 个、中间解有 3 个这样的模型，表中依次记为 M1、M2……'
    """
    zh = lang == "zh"
    names = ({"conservative": "保守解", "parsimonious": "简约解", "intermediate": "中间解"} if zh else
             {"conservative": "conservative", "parsimonious": "parsimonious", "intermediate": "intermediate"})
    several = [(k, len(m)) for k, m in solutions.items() if len(m) > 1]
    if not several:
        return "本书每种解都只有一个这样的模型" if zh else "each solution here has one such model"
    if zh:
        return "、".join(f"{names[k]}有 {fmt_int(n)} 个" for k, n in several) + "这样的模型，表中依次记为 M1、M2……"
    return ", ".join(f"the {names[k]} solution has {fmt_int(n)}" for k, n in several) + " (M1, M2, ... in the table)"


def remainder_note(remainders: int, lang: str) -> str:
    """The truth table's note on its logical remainders (rows without enough cases), for none and some.

    >>> remainder_note(0, "zh"), remainder_note(2, "zh")
    ('本表没有逻辑余项：每一行都有达到频数门槛的站点', '问号为站点数不足频数门槛的逻辑余项（2 行）')
    """
    if lang == "zh":
        return ("本表没有逻辑余项：每一行都有达到频数门槛的站点" if not remainders else
                f"问号为站点数不足频数门槛的逻辑余项（{fmt_int(remainders)} 行）")
    return ("the table has no logical remainders: every row has enough cases" if not remainders else
            f"a question mark is a logical remainder, a row with fewer cases than the frequency cut ({fmt_int(remainders)} rows)")


def _models_text(models: list[dict], lang: str, labels: dict | None = None) -> str:
    """A solution's models with each set's label (``×`` and, ``+`` or, ``¬`` not), or the words for no solution."""
    zh = lang == "zh"
    return (("；" if zh else "; ").join(qca_expression(m["expression"], labels or {}, lang) for m in models) if models
            else ("无解" if zh else "none"))


def robustness_numbers(table: pd.DataFrame, shift: float, lang: str) -> dict[str, str]:
    """How many anchor variants give the same intermediate solution as the configured anchors.

    Examples
    --------
    >>> t = pd.DataFrame({"variant": ["configured", "a crossover 0.4", "a crossover 0.6"],
    ...                   "same_as_configured": [True, True, False]})
    >>> robustness_numbers(t, 0.1, "zh")["qca_robust"]
    '把每个集合的交叉点上下移动 0.1（每次一个）得到的 2 种锚点中，1 种给出与配置相同的中间解'
    """
    zh = lang == "zh"
    others = table[table["variant"] != "configured"] if len(table) else table
    if not len(others):
        text = "未做锚点稳健性检验" if zh else "no anchor robustness check was run"
    else:
        same = int(others["same_as_configured"].sum())
        total = len(others)
        if zh:
            verdict = ("全部给出与配置相同的中间解" if same == total else
                       ("都给出了不同的中间解" if same == 0 else f"{fmt_int(same)} 种给出与配置相同的中间解"))
            text = f"把每个集合的交叉点上下移动 {shift:g}（每次一个）得到的 {fmt_int(total)} 种锚点中，{verdict}"
        else:
            verdict = ("all give the configured intermediate solution" if same == total else
                       ("none gives the configured intermediate solution" if same == 0 else
                        f"{fmt_int(same)} give the configured intermediate solution"))
            text = f"of the {fmt_int(total)} anchor choices that move one set's crossover by {shift:g} either way, {verdict}"
    return {"qca_robust": text}


def sympy_sentence(checks: dict, lang: str) -> str:
    """What sympy's independent Quine-McCluskey minimization of the same truth table found.

    Examples
    --------
    >>> sympy_sentence({"conservative": {"agree": True, "sympy_terms": 2, "fewest_terms": 2},
    ...                 "parsimonious": {"agree": True, "sympy_terms": 1, "fewest_terms": 1}}, "en")
    "sympy's Quine-McCluskey minimization of the same truth table agrees with both the conservative and the parsimonious solution"
    """
    zh = lang == "zh"
    if not checks:
        return "未做 sympy 核对" if zh else "no sympy check was run"
    names = {"conservative": ("保守解", "conservative"), "parsimonious": ("简约解", "parsimonious")}
    failed = [names[k][0 if zh else 1] for k, c in checks.items() if not c["agree"]]
    if not failed:
        return ("sympy 的 Quine–McCluskey 算法对同一真值表独立最小化，结果与保守解和简约解一致" if zh else
                "sympy's Quine-McCluskey minimization of the same truth table agrees with both the conservative "
                "and the parsimonious solution")
    return (f"sympy 的 Quine–McCluskey 算法对同一真值表独立最小化，与{'和'.join(failed)}不一致，请检查" if zh else
            f"sympy's Quine-McCluskey minimization of the same truth table disagrees with the {' and the '.join(failed)} "
            "solution: check it")


def solutions_sentence(solutions: dict, lang: str, labels: dict | None = None) -> str:
    """The three solutions in one clause, each said once: when two or three are the same model(s),
    the sentence says so instead of repeating them; a solution type without a model says so ("无解"/"none").

    Examples
    --------
    >>> same = [{"expression": "A*B"}]
    >>> solutions_sentence({"conservative": same, "parsimonious": same, "intermediate": same}, "zh")
    '三种解相同：A × B'
    >>> solutions_sentence({"conservative": [{"expression": "A*B*C"}], "parsimonious": [{"expression": "A"}],
    ...                     "intermediate": same}, "zh", {"A": "制度框架", "B": "能力", "C": "激励"})
    '保守解为制度框架 × 能力 × 激励，简约解为制度框架，中间解为制度框架 × 能力'
    >>> solutions_sentence({"conservative": [{"expression": "A*B*C"}], "parsimonious": same,
    ...                     "intermediate": same}, "en")
    'conservative solution A × B × C; the parsimonious and intermediate solutions are the same: A × B'
    >>> solutions_sentence({"conservative": [], "parsimonious": [], "intermediate": []}, "zh")
    '三种解都没有模型（没有组态通过一致性门槛）'
    """
    zh = lang == "zh"
    kinds = ["conservative", "parsimonious", "intermediate"]
    names = ({"conservative": "保守解", "parsimonious": "简约解", "intermediate": "中间解"} if zh else
             {"conservative": "conservative solution", "parsimonious": "parsimonious solution",
              "intermediate": "intermediate solution"})

    text = {k: _models_text(solutions.get(k) or [], lang, labels) for k in kinds}
    if not any(solutions.get(k) for k in kinds):
        return "三种解都没有模型（没有组态通过一致性门槛）" if zh else "none of the three solutions has a model (no configuration passed the consistency cut)"
    if len(set(text.values())) == 1:
        return f"三种解相同：{text['conservative']}" if zh else f"the three solutions are the same: {text['conservative']}"
    groups: dict[str, list[str]] = {}
    for k in kinds:
        groups.setdefault(text[k], []).append(k)
    parts = []
    for value, members in groups.items():
        if len(members) == 1:
            parts.append(f"{names[members[0]]}为{value}" if zh else f"{names[members[0]]} {value}")
        elif zh:
            parts.append("、".join(names[m] for m in members) + f"相同：{value}")
        else:
            parts.append("the " + " and ".join(names[m].split()[0] for m in members) + f" solutions are the same: {value}")
    return ("，" if zh else "; ").join(parts)


def fitted_sentence(models: int, failed: int, coefficients: int) -> str:
    """How many of the outcome models could be estimated, and how many mechanism coefficients the
    others give, in words for none, some and all failing.

    Examples
    --------
    >>> fitted_sentence(5, 0, 20), fitted_sentence(5, 2, 12), fitted_sentence(1, 1, 0)
    ('全部 5 个模型都得以估计，共 20 个机制系数', '其中 2 个模型因完全分离无法估计（表中写明），其余 3 个模型共有 12 个机制系数', '这个模型因完全分离无法估计（表中写明），没有机制系数可供检验')
    """
    if failed == models:
        return ("这个模型" if models == 1 else f"全部 {fmt_int(models)} 个模型都") + "因完全分离无法估计（表中写明），没有机制系数可供检验"
    head = ("这个模型得以估计" if models == 1 else f"全部 {fmt_int(models)} 个模型都得以估计") if not failed else \
        f"其中 {fmt_int(failed)} 个模型因完全分离无法估计（表中写明），其余 {fmt_int(models - failed)} 个模型"
    return f"{head}，共 {fmt_int(coefficients)} 个机制系数" if not failed else f"{head}共有 {fmt_int(coefficients)} 个机制系数"


def signs_sentence(positive: int, negative: int) -> str:
    """How many coefficients are significantly positive and negative after the FDR correction, in words
    for none, one side only, and both.

    Examples
    --------
    >>> signs_sentence(0, 0), signs_sentence(3, 0), signs_sentence(0, 1), signs_sentence(2, 1)
    ('没有一个显著', '显著为正的有 3 个，没有显著为负的', '没有显著为正的，显著为负的有 1 个', '显著为正的有 2 个，显著为负的有 1 个')
    """
    if not positive and not negative:
        return "没有一个显著"
    pos = f"显著为正的有 {fmt_int(positive)} 个" if positive else "没有显著为正的"
    neg = f"显著为负的有 {fmt_int(negative)} 个" if negative else "没有显著为负的"
    return f"{pos}，{neg}"


def necessity_sentence(necessity: pd.DataFrame, cut: float, lang: str, labels: dict | None = None) -> str:
    """Which conditions reach the necessity cut, worded for none, one and several; each condition by
    its label in ``labels`` (``¬`` for a negated one).

    Examples
    --------
    >>> t = pd.DataFrame({"condition": ["inst", "~cap"], "incl": [0.93, 0.71]})
    >>> necessity_sentence(t, 0.9, "zh", {"inst": "制度框架"})
    '只有制度框架的一致性达到 0.90（0.93）'
    >>> necessity_sentence(t, 0.95, "zh", {"inst": "制度框架"})
    '没有条件的一致性达到 0.95，最高的是制度框架（0.93）'
    >>> necessity_sentence(t.assign(incl=[0.93, 0.92]), 0.9, "en", {"cap": "capacity"})
    '2 conditions reach a consistency of 0.90: inst (0.93), ¬capacity (0.92)'
    """
    zh = lang == "zh"
    def name(condition: str) -> str:
        return qca_expression(condition, labels or {}, lang)

    strong = necessity[necessity["incl"] >= cut].sort_values("incl", ascending=False)
    listed = [f"{name(c)}（{v:.2f}）" if zh else f"{name(c)} ({v:.2f})" for c, v in zip(strong["condition"], strong["incl"])]
    if not len(strong):
        if not len(necessity):
            return "没有可检验的条件" if zh else "there is no condition to test"
        best = necessity.sort_values("incl", ascending=False).iloc[0]
        return (f"没有条件的一致性达到 {cut:.2f}，最高的是{name(best['condition'])}（{best['incl']:.2f}）" if zh else
                f"no condition reaches a consistency of {cut:.2f}; the highest is {name(best['condition'])} ({best['incl']:.2f})")
    if len(strong) == 1:
        c, v = strong.iloc[0]["condition"], strong.iloc[0]["incl"]
        return f"只有{name(c)}的一致性达到 {cut:.2f}（{v:.2f}）" if zh else f"only {name(c)} reaches a consistency of {cut:.2f} ({v:.2f})"
    if zh:
        return f"{fmt_int(len(strong))} 个条件的一致性达到 {cut:.2f}：" + "、".join(listed)
    return f"{fmt_int(len(strong))} conditions reach a consistency of {cut:.2f}: " + ", ".join(listed)


def easy_sentence(intermediate: list[dict], lang: str, remainders: int | None = None) -> str:
    """How many easy counterfactuals the intermediate models used, and which pairs gave them; when the
    truth table has no logical remainders (``remainders`` is 0), that there was nothing to assume.
    The Chinese sentence follows "本书的中间解".

    Examples
    --------
    >>> easy_sentence([{"easy": [], "from": ["C1P1"]}], "zh", 0)
    '不需要任何简化假设：真值表的每一行都有达到频数门槛的站点，没有逻辑余项，因此它与保守解、简约解相同'
    >>> easy_sentence([{"easy": [], "from": ["C1P1"]}], "zh", 3)
    '没有用到容易反事实：3 个逻辑余项中没有一个是合乎方向预期的简化假设，中间解即由观察到的组态得出'
    >>> easy_sentence([{"easy": ["110", "111"], "from": ["C1P1", "C1P2"]}], "en")
    'it used 2 easy counterfactuals (remainders 110, 111), from the pairs C1P1, C1P2'
    """
    zh = lang == "zh"
    if not intermediate:
        return "没有得到（没有组态通过一致性门槛）" if zh else "there is no intermediate solution"
    easy = sorted({r for m in intermediate for r in m.get("easy", [])})
    pairs = sorted({f for m in intermediate for f in m.get("from", [])})
    if not easy and remainders == 0:
        return ("不需要任何简化假设：真值表的每一行都有达到频数门槛的站点，没有逻辑余项，因此它与保守解、简约解相同" if zh else
                "needs no simplifying assumption: every row of the truth table has enough cases, there are no "
                "logical remainders, so it is the conservative and the parsimonious solution too")
    if not easy:
        many = f"{fmt_int(remainders)} 个" if remainders else ""
        return (f"没有用到容易反事实：{many}逻辑余项中没有一个是合乎方向预期的简化假设，中间解即由观察到的组态得出" if zh else
                "used no easy counterfactual (no remainder is a simplifying assumption that agrees with the "
                "directional expectations), so it rests on the observed configurations alone")
    shown = "、".join(easy) if zh else ", ".join(easy)
    count = len(easy)
    if zh:
        return f"用到 {fmt_int(count)} 个容易反事实（逻辑余项 {shown}），来自 {'、'.join(pairs)}"
    return (f"it used {fmt_int(count)} easy counterfactual{'s' if count != 1 else ''} (remainder{'s' if count != 1 else ''} "
            f"{shown}), from the pair{'s' if len(pairs) != 1 else ''} {', '.join(pairs)}")


def model_numbers(link: pd.DataFrame, outcomes: pd.DataFrame, clusters_per_parameter: float = 2) -> dict[str, str]:
    """The mechanism-link odds ratio and how many outcome models gave a clear mechanism coefficient."""
    columns = ["term", "odds_ratio", "or_lo", "or_hi", "p_value", "p_fdr", "n", "note", "code_id", "dropped"]
    link = link.reindex(columns=columns)  # a model that failed returns only its note
    outcomes = outcomes.reindex(columns=columns)
    out = {}
    for prefix, term in (("link", "mech_before"), ("link_position", "position")):
        row = link[link["term"] == term]
        if len(row):
            r = row.iloc[0]
            out |= {f"{prefix}_or": f"{r['odds_ratio']:.2f}", f"{prefix}_or_lo": f"{r['or_lo']:.2f}",
                    f"{prefix}_or_hi": f"{r['or_hi']:.2f}",
                    f"{prefix}_p": "< 0.001" if r["p_value"] < 0.001 else f"{r['p_value']:.3f}",
                    f"{prefix}_p_text": "p < 0.001" if r["p_value"] < 0.001 else f"p = {r['p_value']:.3f}"}
        else:
            out |= {f"{prefix}_{k}": "—" for k in ("or", "or_lo", "or_hi", "p")} | {f"{prefix}_p_text": "p：—"}
    row = link[link["term"] == "mech_before"]
    out["link_n"] = fmt_int(row.iloc[0]["n"]) if len(row) else "—"
    mech = outcomes[outcomes["term"].astype(str).str.startswith("mech_")]
    out["n_outcome_models"] = fmt_int(outcomes["code_id"].nunique())
    failed = outcomes[outcomes["note"].fillna("").astype(str) != ""]["code_id"].nunique()
    out["n_outcome_models_failed"] = fmt_int(failed)
    out["outcome_models_fitted_sentence"] = fitted_sentence(outcomes["code_id"].nunique(), failed, len(mech))
    out["n_mech_coefs"] = fmt_int(len(mech))
    significant = mech["p_fdr"] < 0.05
    out["mech_signs_sentence"] = signs_sentence(int((significant & (mech["odds_ratio"] > 1)).sum()),
                                                int((significant & (mech["odds_ratio"] < 1)).sum()))
    out["models_voice_note"] = voice_note(pd.concat([link, outcomes], ignore_index=True))
    out["clusters_per_parameter"] = f"{clusters_per_parameter:g}"
    return out


def voice_note(fits: pd.DataFrame) -> str:
    """Whether the models left the voice indicators out for want of stations (column ``dropped``), for
    the mechanism-link model (``code_id`` "supportive") and the outcome models apart, in words for
    none, some and all of them.

    Examples
    --------
    >>> voice_note(pd.DataFrame({"code_id": ["supportive", "a", "a", "b"], "dropped": ["", "voice", "voice", "voice"]}))
    '2 个结果模型都因此未纳入发言主体（只含机制编码与文档中编码片段数的对数），机制—韧性模型纳入了发言主体'
    >>> voice_note(pd.DataFrame({"code_id": ["a", "b", "c"], "dropped": ["voice", "", ""]}))
    '3 个结果模型中有 1 个因此未纳入发言主体'
    >>> voice_note(pd.DataFrame({"code_id": ["a", "b"], "dropped": ["", ""]}))
    '本书的模型都纳入了发言主体'
    """
    models = fits.drop_duplicates("code_id") if "code_id" in fits else fits  # one row per model
    dropped = models.get("dropped", pd.Series("", index=models.index)).astype(object).fillna("").astype(str) != ""
    link = models.get("code_id", pd.Series("", index=models.index)).eq("supportive")
    outcome_n, outcome_dropped = int((~link).sum()), int((dropped & ~link).sum())
    if not dropped.any():
        return "本书的模型都纳入了发言主体"
    parts = []
    if outcome_dropped == outcome_n:
        parts.append(f"{fmt_int(outcome_n)} 个结果模型都因此未纳入发言主体（只含机制编码与文档中编码片段数的对数）" if outcome_n > 1
                     else "结果模型因此未纳入发言主体（只含机制编码与文档中编码片段数的对数）")
    elif outcome_dropped:
        parts.append(f"{fmt_int(outcome_n)} 个结果模型中有 {fmt_int(outcome_dropped)} 个因此未纳入发言主体")
    if link.any():
        parts.append("机制—韧性模型也未纳入发言主体" if bool((dropped & link).any()) else "机制—韧性模型纳入了发言主体")
    return "，".join(parts)


def diagram_numbers(links: pd.DataFrame, codes: pd.DataFrame, labels: dict, mechanism_theme: str) -> dict[str, str]:
    """What the mechanism diagram shows, layer by layer: how many links were tested, how many are
    supported and which, in words for none, one and all (``diagram_sentence``), and how many links the
    correction ran over (``diagram_n_links``).

    Examples
    --------
    >>> codes = pd.DataFrame({"code_id": ["c", "m.a", "m.b", "r.x", "c.y"], "theme": ["c", "m", "m", "r", "c"]})
    >>> links = pd.DataFrame({"source": ["c", "c", "m.a", "m.b"], "target": ["m.a", "m.b", "r.x", "r.x"],
    ...                       "weight": [0.09, 0.0, 0.02, 0.01], "supported": [True, False, False, False]})
    >>> diagram_numbers(links, codes, {"c": "条件", "m.a": "甲"}, "m")["diagram_sentence"]
    '直接结果到机制的 2 条联系中只有 1 条获支持（条件—甲，c = 0.09）；机制到结果的 2 条联系都没有获支持'
    """
    theme = dict(zip(codes["code_id"], codes["theme"]))
    into = links["target"].map(theme).eq(mechanism_theme)
    parts = []
    for name, layer in (("直接结果到机制", links[into]), ("机制到结果", links[~into])):
        if not len(layer):
            continue
        held = layer[layer["supported"].astype(bool)]
        shown = "、".join(f"{labels.get(r.source, r.source)}—{labels.get(r.target, r.target)}，c = {r.weight:.2f}"
                          for r in held.itertuples())
        n, k = len(layer), len(held)
        if not k:
            parts.append(f"{name}的 {fmt_int(n)} 条联系都没有获支持" if n > 1 else f"{name}的这条联系没有获支持")
        elif k == n:
            parts.append(f"{name}的 {fmt_int(n)} 条联系全部获支持（{shown}）")
        else:
            parts.append(f"{name}的 {fmt_int(n)} 条联系中{'只有 1 条' if k == 1 else f'有 {fmt_int(k)} 条'}获支持（{shown}）")
    empty = int((links.get("n_both", pd.Series(1, index=links.index)) == 0).sum())
    zero = (f"图中 {fmt_int(len(links))} 条联系里有 {fmt_int(empty)} 条在语料中没有一个共同的段落（c = 0）："
            "在合成语料上，这只说明生成器没有为这些编码写出同一段话，而不是检验的结论"
            if empty else "图中每条联系在语料中都至少有一个共同的段落")
    return {"diagram_sentence": "；".join(parts) if parts else "机制图没有可检验的联系",
            "diagram_n_links": fmt_int(len(links)), "diagram_zero_sentence": zero}


def diagram_family_numbers(links: pd.DataFrame, pairs: pd.DataFrame, labels: dict, mechanisms: list[str],
                           fdr: float) -> dict[str, str]:
    """How the diagram's links square with the same pairs in the co-occurrence section, whose
    correction runs over every pair of codes rather than the diagram's links (``diagram_family_note``),
    and what an empty mechanism -> outcome layer does not say (``diagram_outcome_note``).

    Examples
    --------
    >>> links = pd.DataFrame({"source": ["a", "m.x"], "target": ["m.x", "r.y"], "weight": [0.09, 0.0],
    ...                       "supported": [True, False], "n_codes": [1, 1]})
    >>> pairs = pd.DataFrame({"level": "segment", "code_a": ["a", "m.x"], "code_b": ["m.x", "r.y"], "c": [0.09, 0.0],
    ...                       "p_fdr": [0.2, 1.0]})
    >>> out = diagram_family_numbers(links, pairs, {"a": "甲", "m.x": "机制"}, ["m.x"], 0.05)
    >>> out["diagram_family_note"]
    '图中的每条联系也是“编码共现”一节的一对编码，那里按全部 2 对编码校正，这里只按图中的 2 条联系校正，所以结论可以不同：甲—机制在这里获支持，在那里不显著'
    >>> out["diagram_outcome_note"]
    '机制到结果这一层没有获支持的联系，并不说明两者无关'
    """
    seg = pairs[pairs["level"] == "segment"]
    both = pd.concat([seg, seg.rename(columns={"code_a": "code_b", "code_b": "code_a"})], ignore_index=True)
    there = both.set_index(["code_a", "code_b"])["p_fdr"]
    single = links[links.get("n_codes", pd.Series(1, index=links.index)).eq(1)]
    differ = []
    for row in single.itertuples():
        if (row.source, row.target) not in there.index:
            continue
        elsewhere = bool(there.loc[(row.source, row.target)] < fdr)
        if elsewhere != bool(row.supported):
            name = f"{labels.get(row.source, row.source)}—{labels.get(row.target, row.target)}"
            differ.append(f"{name}在这里{'获支持' if row.supported else '未获支持'}，在那里{'显著' if elsewhere else '不显著'}")
    head = (f"图中的每条联系也是“编码共现”一节的一对编码，那里按全部 {fmt_int(len(seg))} 对编码校正，"
            f"这里只按图中的 {fmt_int(len(links))} 条联系校正")
    family = f"{head}，所以结论可以不同：{'；'.join(differ)}" if differ else f"{head}，两处的结论相同"
    outward = links[links["source"].isin(mechanisms)]
    held = int(outward["supported"].astype(bool).sum())
    outcome = ("机制到结果这一层没有获支持的联系，并不说明两者无关" if not held else
               f"机制到结果这一层有 {fmt_int(held)} 条联系获支持，它们说的是同一段落中的相伴，而不是先后")
    return {"diagram_family_note": family, "diagram_outcome_note": outcome}


def model_reference_categories(link: pd.DataFrame, outcomes: pd.DataFrame) -> dict[str, str]:
    """What each odds ratio of the two models' tables is relative to, for their notes: the link
    model's mechanism row against spans before the first mention, its position row from the start of
    the document to its end, each outcome model's mechanism rows against documents without the code,
    and the voice's reference category when a model holds the voice.

    >>> link = pd.DataFrame({"term": ["Intercept", "mech_before", "position", "voice=cadre"]})
    >>> model_reference_categories(link, pd.DataFrame({"term": ["mech_a", "log_spans"]}))["link_categories"]
    '“此前已谈及”一行以同一文档中尚未谈及引领机制的片段为参照；位置一行的优势比对应从文档开头（0）到结尾（1）；发言主体以居民为参照'
    >>> model_reference_categories(link.iloc[:2], pd.DataFrame({"term": ["mech_a"]}))["outcome_categories"]
    '机制编码的优势比以文档中没有该编码为参照'
    """
    from analysis.methods.models import REFERENCE_ACTOR
    from analysis.report.labels import ACTOR_LABELS

    def terms(fits: pd.DataFrame) -> list[str]:
        return fits.get("term", pd.Series(dtype=object)).fillna("").astype(str).tolist()

    voice = f"发言主体以{ACTOR_LABELS['zh'][REFERENCE_ACTOR]}为参照"
    linked = terms(link)
    parts = []
    if "mech_before" in linked:
        parts.append("“此前已谈及”一行以同一文档中尚未谈及引领机制的片段为参照")
    if "position" in linked:
        parts.append("位置一行的优势比对应从文档开头（0）到结尾（1）")
    if any(t.startswith("voice=") for t in linked):
        parts.append(voice)
    outcome = terms(outcomes)
    rest = ["机制编码的优势比以文档中没有该编码为参照"] if any(t.startswith("mech_") for t in outcome) else []
    if any(t.startswith("voice=") for t in outcome):
        rest.append(voice)
    return {"link_categories": "；".join(parts) if parts else "模型没有可报告的系数",
            "outcome_categories": "；".join(rest) if rest else "模型没有可报告的机制系数"}


def outcome_rest_numbers(outcomes: pd.DataFrame, max_ratio: float) -> dict[str, str]:
    """The outcome table's note: what the table lists (``outcome_table_rows``: the failed models only when
    some failed) and what only its CSV lists (``outcome_rest``).

    >>> outcome_rest_numbers(pd.DataFrame({"term": ["mech_a"], "p_fdr": [0.2], "or_lo": [0.5], "or_hi": [2.0]}), 100)
    {'outcome_rest': '没有省略任何系数', 'outcome_table_rows': '各模型的机制系数'}
    """
    from analysis.report.tables import model_rest

    notes = outcomes.get("note", pd.Series("", index=outcomes.index)).fillna("").astype(str)
    failed = outcomes.loc[notes != "", "code_id"].nunique() if "code_id" in outcomes else int((notes != "").sum())
    rows = "各模型的机制系数" + (f"及无法估计的 {fmt_int(failed)} 个模型（注明原因）" if failed else "")
    return {"outcome_rest": model_rest(outcomes, "zh", max_ratio) or "没有省略任何系数", "outcome_table_rows": rows}


def reference_numbers(link: pd.DataFrame, outcomes: pd.DataFrame) -> dict[str, str]:
    """The models' reference distribution for the tables' notes, when every row of a table shares one
    (the table then has no column for it); otherwise a pointer to the column.

    >>> f = pd.DataFrame({"term": ["a", "a"], "reference": ["t(14)"] * 2, "n_clusters": [15] * 2, "dropped": ["voice"] * 2,
    ...                   "code_id": ["r.x", "r.y"]})
    >>> reference_numbers(f.assign(dropped=""), f)
    {'link_reference': 'p 值与区间以 t(14) 分布为参照（G = 15 个站点）', 'outcome_reference': 'p 值与区间以 t(14) 分布为参照（G = 15 个站点）；模型都不含发言主体'}
    >>> reference_numbers(f.iloc[:1], f)["link_reference"]
    'p 值与区间以 t(14) 分布为参照（G = 15 个站点）；模型不含发言主体'
    """
    from analysis.report.tables import shared_reference

    out = {}
    for key, fits in (("link_reference", link), ("outcome_reference", outcomes)):
        shared = shared_reference(fits)
        if shared:
            distribution, stations, voice_left_out = shared
            several = fits.get("code_id", pd.Series(dtype=object)).nunique() > 1
            out[key] = (f"p 值与区间以 {distribution} 分布为参照（G = {fmt_int(stations)} 个站点）"
                        + ((f"；模型{'都' if several else ''}不含发言主体") if voice_left_out else ""))
        else:
            out[key] = "各行的参照分布见表中“参照分布”一列"
    return out


def shared_contrary_numbers(propositions: dict, mechanisms: dict, labels: dict,
                           outcome_contrary: list[str] = ()) -> dict[str, str]:
    """Which contrary codes count against more than one claim (a proposition or a mechanism), in words,
    so the reader knows one passage may count as contrary evidence twice (``shared_contrary_sentence``);
    and whether a code of the resilience outcome's negative pole (``outcome_contrary``, the
    configuration's ``models.outcome_contrary``) is also a claim's contrary evidence, which ties the
    claim's evidence to the outcome by construction (``outcome_contrary_sentence``).

    >>> out = shared_contrary_numbers({"P1": {"contrary": ["b.x"]}}, {"m.a": ["b.x"], "m.b": ["b.y"]},
    ...                               {"b.x": "行政化吸纳", "m.a": "专业合法性", "m.b": "环境营造", "b.y": "参与不足"}, ["b.y"])
    >>> out["shared_contrary_sentence"]
    '行政化吸纳同时是命题一与专业合法性的反证'
    >>> out["outcome_contrary_sentence"]
    '参与不足既是环境营造的反证，又是韧性叙述的反面（定性比较分析的结果得分与机制—韧性模型都用它）：同一段落同时计作两者，它们之间的关联因此有一部分来自编码本身'
    >>> shared_contrary_numbers({"P1": {"contrary": ["b.x"]}}, {"m.a": ["b.y"]}, {})["shared_contrary_sentence"]
    '每个反证编码只属于一个命题或机制'
    """
    from analysis.report.tables import hypothesis_name

    against: dict[str, list[str]] = {}
    for prop, spec in propositions.items():
        for code in spec.get("contrary", []):
            against.setdefault(code, []).append(hypothesis_name(prop, "zh"))
    for mech, codes in mechanisms.items():
        for code in codes:
            against.setdefault(code, []).append(labels.get(mech, mech))
    shared = [f"{labels.get(code, code)}同时是{'与'.join(claims)}的反证" for code, claims in against.items() if len(claims) > 1]
    both = [f"{labels.get(code, code)}既是{'与'.join(against[code])}的反证，又是韧性叙述的反面" for code in outcome_contrary
            if code in against]
    tied = ("；".join(both) + "（定性比较分析的结果得分与机制—韧性模型都用它）：同一段落同时计作两者，"
            "它们之间的关联因此有一部分来自编码本身") if both else "韧性叙述的反面编码不兼作任何命题或机制的反证"
    return {"shared_contrary_sentence": "；".join(shared) if shared else "每个反证编码只属于一个命题或机制",
            "outcome_contrary_sentence": tied}


def resilience_terms(models: dict, labels: dict) -> dict[str, str]:
    """What counts as resilience talk and as talk against it (the configuration's ``models``), in words.

    >>> resilience_terms({"outcome_theme": "res", "outcome_contrary": ["bar.w"]}, {"res": "社区韧性", "bar.w": "参与不足"})
    {'res_theme': '社区韧性', 'res_contrary': '参与不足'}
    """
    return {"res_theme": labels.get(models["outcome_theme"], models["outcome_theme"]),
            "res_contrary": "、".join(labels.get(c, c) for c in models["outcome_contrary"])}


def cooccurrence_numbers(pairs: pd.DataFrame, fdr: float, labels: dict) -> dict[str, str]:
    seg, doc = pairs[pairs["level"] == "segment"], pairs[pairs["level"] == "document"]
    top = seg.sort_values(["c", "code_a"], ascending=[False, True]).iloc[0]
    n_seg, n_doc = int((seg["p_fdr"] < fdr).sum()), int((doc["p_fdr"] < fdr).sum())
    n_fisher = int((doc["p_fisher_fdr"] < fdr).sum())
    return {"cooc_n_pairs": fmt_int(len(seg)), "cooc_seg_significant": fmt_int(n_seg),
            "cooc_doc_significant": fmt_int(n_doc), "cooc_doc_significant_fisher": fmt_int(n_fisher),
            "cooc_significance_sentence": cooc_significance_sentence(n_seg, n_doc, n_fisher),
            "cooc_top_pair": f"{labels[top['code_a']]}—{labels[top['code_b']]}", "cooc_top_c": f"{top['c']:.3f}"}


def cooc_significance_sentence(n_segment: int, n_document: int, n_fisher: int) -> str:
    """How many pairs co-occur significantly at the segment and the document level, and what the pooled
    Fisher test would say instead, in words for none at either level (Chinese).

    Examples
    --------
    >>> cooc_significance_sentence(6, 0, 0)
    '段落层面有 6 对显著共现，文档层面没有（若把全部文档视为与站点无关的独立抽样、用合并的 Fisher 精确检验，结果相同）'
    >>> cooc_significance_sentence(0, 0, 3)
    '段落层面与文档层面都没有显著共现的编码对（若把全部文档视为与站点无关的独立抽样、用合并的 Fisher 精确检验，文档层面则有 3 对）'
    >>> cooc_significance_sentence(2, 4, 0)
    '段落层面有 2 对、文档层面有 4 对显著共现（若把全部文档视为与站点无关的独立抽样、用合并的 Fisher 精确检验，文档层面则一对也没有）'
    """
    def level(n):
        return f"有 {fmt_int(n)} 对" if n else "没有"

    if not n_segment and not n_document:
        head = "段落层面与文档层面都没有显著共现的编码对"
    elif n_segment and n_document:
        head = f"段落层面{level(n_segment)}、文档层面{level(n_document)}显著共现"
    elif n_segment:
        head = f"段落层面{level(n_segment)}显著共现，文档层面没有"
    else:
        head = f"段落层面没有显著共现的编码对，文档层面{level(n_document)}"
    pooled = "若把全部文档视为与站点无关的独立抽样、用合并的 Fisher 精确检验，"
    if n_fisher == n_document:
        tail = "结果相同"
    elif n_fisher:
        tail = f"文档层面则有 {fmt_int(n_fisher)} 对"
    else:
        tail = "文档层面则一对也没有"
    return f"{head}（{pooled}{tail}）"


def _of(k: int, n: int) -> str:
    """k of n items, in words for all and none.

    >>> _of(2, 4), _of(3, 3), _of(0, 2), _of(1, 1)
    ('4 条中 2 条', '3 条全部', '2 条都不计', '1 条')
    """
    if k == n:
        return f"{fmt_int(n)} 条全部" if n > 1 else f"{fmt_int(n)} 条"
    return f"{fmt_int(n)} 条都不计" if not k else f"{fmt_int(n)} 条中 {fmt_int(k)} 条"


def tracing_numbers(summary: pd.DataFrame) -> dict[str, str]:
    out = {}
    for r in summary.itertuples():
        key = r.hypothesis.lower()
        out |= {f"pt_{key}_prior": f"{r.prior:.2f}", f"pt_{key}_posterior": f"{r.posterior:.3f}",
                f"pt_{key}_db": f"{r.total_decibans:+.1f}".replace("-", "−"), f"pt_{key}_observed": f"{r.n_observed}/{r.n_items}"}
        independent = getattr(r, "posterior_independent", r.posterior)
        weighted = getattr(r, "n_weighted", r.n_items)
        out[f"pt_{key}_independent"] = f"{independent:.3f}"
        out[f"pt_{key}_weighted"] = _of(int(weighted), int(r.n_items))
    return out


def mechanism_balance(pooled: pd.DataFrame, labels: dict) -> dict[str, str]:
    """What the mechanism chapter needs to set the support shares beside process tracing: the range of
    the mechanisms' pooled support shares, and how many have more contrary than supporting segments
    (the mechanism's evidence items are :func:`pt_items_numbers`' ``pt_m_items_sentence``).

    Examples
    --------
    >>> pooled = pd.DataFrame({"claim": ["P1", "m.a", "m.b"], "kind": ["proposition", "mechanism", "mechanism"],
    ...                        "n_support": [5, 34, 48], "n_contrary": [1, 66, 52]})
    >>> out = mechanism_balance(pooled, {"m.a": "甲", "m.b": "乙"})
    >>> out["mech_support_range"], out["mech_contrary_sentence"]
    ('34%–48%', '每个要素的反证都多于支持')
    """
    mech = pooled[pooled["kind"] == "mechanism"]
    shares = (mech["n_support"] / (mech["n_support"] + mech["n_contrary"])).dropna()
    low, high = (f"{shares.min():.0%}", f"{shares.max():.0%}") if len(shares) else ("—", "—")
    more = mech[mech["n_contrary"] > mech["n_support"]]
    if len(more) == len(mech) and len(mech):
        contrary = "每个要素的反证都多于支持" if len(mech) > 1 else "这一要素的反证多于支持"
    elif not len(more):
        contrary = "每个要素的支持都不少于反证"
    else:
        contrary = f"{fmt_int(len(more))} 个要素的反证多于支持（{'、'.join(labels.get(c, c) for c in more['claim'])}）"
    return {"mech_support_range": low if low == high else f"{low}–{high}", "mech_contrary_sentence": contrary}


def _item_said(r, words: dict) -> str:
    """An evidence item as the prose names it: what it says, its id (the appendix's row), its test, its weight."""
    said = getattr(r, "description_zh", "") or ""
    return ((f"“{said}”，条目 {r.item}" if said else f"条目 {r.item}")
            + f"，{words.get(r.test, r.test)}，{r.decibans:+.1f} 分贝班".replace("-", "−"))


def pt_items_numbers(items: pd.DataFrame, labels: dict, hypotheses: list[str] = ()) -> dict[str, str]:
    """For each hypothesis of the process tracing, one sentence on its evidence items: how many were
    observed, which count towards the posterior (what each says, its test and weight) and why the
    others do not (``pt_<hypothesis>_items_sentence``); each of ``hypotheses`` that the evidence file
    gives no item has a sentence that says so.

    Examples
    --------
    >>> items = pd.DataFrame({"hypothesis": ["P1"] * 3, "item": ["P1-E1", "P1-E2", "P1-E3"],
    ...     "test": ["hoop", "hoop", "smoking_gun"], "observed": [True, False, True], "weight": [0, 0, 1],
    ...     "decibans": [2.6, -1.0, 8.5], "description_zh": ["甲", "乙", "丙"],
    ...     "why": ["shares codes with P1-E3 (a.x), which counts for both", "reads a.x, below the reliability threshold", ""]})
    >>> pt_items_numbers(items, {"a.x": "政策"})["pt_p1_items_sentence"]
    '3 条证据中 2 条被观察到；计入后验的只有 1 条（“丙”，条目 P1-E3，确凿证据检验，+8.5 分贝班），P1-E1 与 P1-E3 共用编码“政策”，只计一次；P1-E2 所据编码“政策”的信度低于门槛'
    >>> pt_items_numbers(items, {}, ["P1", "M"])["pt_m_items_sentence"]
    '证据文件没有为它列出证据条目，后验即先验'
    """
    from analysis.report.labels import WORDS
    from analysis.report.tables import _why_not

    words = WORDS["zh"]
    out = {f"pt_{hyp.lower()}_items_sentence": "证据文件没有为它列出证据条目，后验即先验" for hyp in hypotheses}
    for hyp, grp in items.groupby("hypothesis", sort=False):
        n, seen = len(grp), int(grp["observed"].astype(bool).sum())
        observed = (f"{fmt_int(n)} 条证据全部被观察到" if seen == n else
                    f"{fmt_int(n)} 条证据都没有被观察到" if not seen else f"{fmt_int(n)} 条证据中 {fmt_int(seen)} 条被观察到")
        counted, left = grp[grp["weight"] > 0], grp[grp["weight"] <= 0]
        shown = "；".join(_item_said(r, words) for r in counted.itertuples())
        if not len(counted):
            weight = "没有一条计入后验，后验即先验"
        elif not len(left):
            weight = f"{'这' if n == 1 else '全部'} {fmt_int(n)} 条都计入后验（{shown}）"
        else:
            weight = f"计入后验的{'只有 1 条' if len(counted) == 1 else f'有 {fmt_int(len(counted))} 条'}（{shown}）"
        whys = [_why_not(str(getattr(r, "why", "") or ""), "zh", labels).removeprefix("不计入：") for r in left.itertuples()]
        reasons = [f"{r.item} {why}" for r, why in zip(left.itertuples(), whys) if why]
        out[f"pt_{hyp.lower()}_items_sentence"] = "；".join([observed, weight + ("，" + "；".join(reasons) if reasons else "")])
    return out


def qca_core_sentence(result: dict, labels: dict, necessity: pd.DataFrame | None = None, cut: float = 0.9) -> str:
    """Which conditions every path of the intermediate solution shares (present, not negated), and
    what that does and does not say, in words for a solution not computed, one path, shared
    conditions and none.

    A condition in every sufficient path is not thereby necessary: the sentence reads it as
    necessary only when the necessity analysis (``necessity``: ``condition, incl``) puts its
    consistency at or above ``cut``, and says so when it does not.

    Examples
    --------
    >>> two = {"status": {"computed": True}, "solutions": {"intermediate": [
    ...     {"terms": [{"term": "inst*cap"}, {"term": "inst*inc"}]}]}}
    >>> nec = pd.DataFrame({"condition": ["inst", "cap"], "incl": [0.78, 0.70]})
    >>> qca_core_sentence(two, {"inst": "制度框架"}, nec)
    '中间解的每一条路径都包含制度框架，但这只说明它出现在每一条充分路径中；必要性分析中制度框架的一致性为 0.78，低于 0.90，因此不能据此把它读作较高社区韧性的必要条件'
    >>> qca_core_sentence(two, {"inst": "制度框架"}, nec.assign(incl=[0.93, 0.7]))
    '中间解的每一条路径都包含制度框架，必要性分析中它的一致性也达到 0.90（0.93）：在这些站点中，其他条件只有与它结合才指向较高的社区韧性'
    >>> qca_core_sentence({"status": {"computed": True}, "solutions": {"intermediate": [{"terms": [{"term": "cap*~inc"}]}]}},
    ...                   {"cap": "能力", "inc": "激励"})
    '中间解只有一条路径（能力 × ¬激励），它本身就是全部的充分组态'
    >>> qca_core_sentence({"status": {"computed": True}, "solutions": {"intermediate": [
    ...     {"terms": [{"term": "cap"}, {"term": "inc"}]}]}}, {})
    '中间解的各条路径没有共同的条件：较高的社区韧性在这些站点中有不止一种互不相同的来路'
    """
    if not result["status"]["computed"] or not result["solutions"].get("intermediate"):
        return "定性比较分析没有得到中间解，这里无从比较"
    terms = [t["term"] for model in result["solutions"]["intermediate"] for t in model["terms"]]
    if len(set(terms)) == 1:
        return f"中间解只有一条路径（{qca_expression(terms[0], labels, 'zh')}），它本身就是全部的充分组态"
    shared = set.intersection(*[{c for c in term.split("*") if not c.startswith("~")} for term in terms])
    if not shared:
        return "中间解的各条路径没有共同的条件：较高的社区韧性在这些站点中有不止一种互不相同的来路"
    names = "、".join(labels.get(c, c) for c in sorted(shared))
    incl = ({} if necessity is None or not len(necessity) else
            dict(zip(necessity["condition"], necessity["incl"].astype(float))))
    weak = [c for c in sorted(shared) if incl.get(c, float("nan")) < cut or c not in incl]
    if not weak:
        values = "、".join(f"{incl[c]:.2f}" for c in sorted(shared))
        return (f"中间解的每一条路径都包含{names}，必要性分析中它的一致性也达到 {cut:.2f}（{values}）："
                "在这些站点中，其他条件只有与它结合才指向较高的社区韧性")
    found = "；".join(f"{labels.get(c, c)}的一致性为 {incl[c]:.2f}" if c in incl else f"{labels.get(c, c)}未作检验"
                     for c in weak)
    return (f"中间解的每一条路径都包含{names}，但这只说明它出现在每一条充分路径中；必要性分析中{found}，"
            f"低于 {cut:.2f}，因此不能据此把它读作较高社区韧性的必要条件")


def qca_pt_sentence(result: dict, summary: pd.DataFrame, conditions: dict, labels: dict) -> str:
    """Where the two cross-case methods agree and where they part, condition by condition: a
    condition in a sufficient path of the intermediate solution beside its proposition's posterior
    (at or above one half: they agree; below: they part), in words.

    Examples
    --------
    >>> result = {"status": {"computed": True}, "solutions": {"intermediate": [
    ...     {"terms": [{"term": "inst*cap", "incl": 0.94}, {"term": "inst*inc", "incl": 0.99}]}]}}
    >>> summary = pd.DataFrame({"hypothesis": ["P1", "P2", "P3"], "posterior": [0.78, 0.89, 0.39]})
    >>> qca_pt_sentence(result, summary, {"inst": "P1", "cap": "P2", "inc": "P3"}, {"inst": "甲", "cap": "乙", "inc": "丙"})
    '甲与乙既在充分组态中，对应命题的后验也高于一半（命题一 0.780，命题二 0.890），两种方法一致；丙出现在充分组态甲 × 丙中（一致性 0.990），对应的命题三后验却只有 0.390，两种方法在这里分开'
    """
    if not result["status"]["computed"] or not result["solutions"].get("intermediate"):
        return "定性比较分析没有得到中间解，无从比较两种方法"
    from analysis.report.tables import hypothesis_name

    posterior = dict(zip(summary["hypothesis"], summary["posterior"].astype(float)))
    terms = [t for model in result["solutions"]["intermediate"] for t in model["terms"]]
    present = {c: [t for t in terms if c in t["term"].split("*")] for c in conditions}
    name = {c: hypothesis_name(prop, "zh") for c, prop in conditions.items()}
    agree = [c for c, ts in present.items() if ts and posterior.get(conditions[c], 0) >= 0.5]
    apart = [c for c, ts in present.items() if ts and posterior.get(conditions[c], 1) < 0.5]
    absent = [c for c, ts in present.items() if not ts and posterior.get(conditions[c], 0) >= 0.5]
    parts = []
    if agree:
        values = "，".join(f"{name[c]} {posterior[conditions[c]]:.3f}" for c in agree)
        parts.append(f"{'与'.join(labels.get(c, c) for c in agree)}既在充分组态中，对应命题的后验也高于一半（{values}），两种方法一致")
    for c in apart:
        best = max(present[c], key=lambda t: t.get("incl", 0))
        parts.append(f"{labels.get(c, c)}出现在充分组态{qca_expression(best['term'], labels, 'zh')}中（一致性 {best.get('incl', float('nan')):.3f}），"
                     f"对应的{name[c]}后验却只有 {posterior[conditions[c]]:.3f}，两种方法在这里分开")
    for c in absent:
        parts.append(f"{name[c]}的后验为 {posterior[conditions[c]]:.3f}，{labels.get(c, c)}却不在任何充分组态中，两种方法在这里分开")
    return "；".join(parts) if parts else "中间解的条件与各命题的后验没有可比之处"


def qca_core_numbers(result: dict, labels: dict, necessity: pd.DataFrame | None = None,
                     cut: float = 0.9) -> dict[str, str]:
    """The cross-case chapter's closing: what the paths of the intermediate solution share."""
    return {"qca_core_sentence": qca_core_sentence(result, labels, necessity, cut)}


def qca_pt_numbers(result: dict, summary: pd.DataFrame, conditions: dict, labels: dict) -> dict[str, str]:
    """The cross-case chapter's comparison of the QCA with process tracing (:func:`qca_pt_sentence`)."""
    return {"qca_pt_sentence": qca_pt_sentence(result, summary, conditions, labels)}


#: The generator's planted sufficient paths (analysis/casework/synthetic/design.yaml's rule, as QCA terms).
PLANTED_PATHS = frozenset({"inst*cap", "inst*inc"})


def planted_rule_text(rule: str, labels: dict) -> str:
    """The right-hand side of the generator's rule with every set named by its label.

    >>> planted_rule_text("res = min(inst, max(cap, inc))", {"inst": "制度框架", "cap": "能力", "inc": "激励"})
    'min(制度框架, max(能力, 激励))'
    """
    right = rule.split("=", 1)[-1].strip()
    return re.sub(r"\b(?!min\b|max\b)[a-z_]+\b", lambda m: labels.get(m.group(0), m.group(0)), right)


def recovery_numbers(result: dict, link: pd.DataFrame, design: dict | None, lang: str,
                     necessity: pd.DataFrame | None = None, cut: float = 0.9,
                     labels: dict | None = None) -> dict[str, str]:
    """Does the analysis recover the synthetic generator's planted structure, its sufficient paths and
    its necessary condition alike? Said plainly, or n/a for real data.

    Examples
    --------
    >>> result = {"status": {"computed": True}, "solutions": {"intermediate": [
    ...     {"terms": [{"term": "inst*cap"}, {"term": "inst*inc"}]}]}}
    >>> link = pd.DataFrame({"term": ["mech_before"], "odds_ratio": [1.4], "or_lo": [1.1]})
    >>> nec = pd.DataFrame({"condition": ["inst"], "incl": [0.78]})
    >>> recovery_numbers(result, link, {"rule": "res = min(inst, max(cap, inc))", "mechanism_boost": 0.2}, "zh",
    ...                  nec, 0.9, {"inst": "制度框架"})["recovery_qca"]
    '中间解与预设规则的充分路径相同，分析找回了预设的条件组合；但预设的必要条件制度框架在必要性分析中的一致性只有 0.78，低于 0.90，分析没有把它识别为必要条件'
    """
    zh = lang == "zh"
    labels = labels or {}
    if design is None:
        na = "不适用（真实资料）" if zh else "not applicable (real data)"
        return {"recovery_rule": na, "recovery_qca": na, "recovery_link": na, "recovery_boost": na}
    models = result["solutions"]["intermediate"] if result["status"]["computed"] else []
    found = [{t["term"] for t in m["terms"]} for m in models]
    qca_ok = any(f == PLANTED_PATHS for f in found)
    row = link.reindex(columns=["term", "odds_ratio", "or_lo"])
    row = row[row["term"] == "mech_before"]
    link_ok = bool(len(row)) and row.iloc[0]["odds_ratio"] > 1 and row.iloc[0]["or_lo"] > 1
    if not result["status"]["computed"]:
        qca = "定性比较分析因站点过少未计算，无从检验" if zh else "the QCA was not computed (too few stations), so this cannot be checked"
    else:
        qca = (("中间解与预设规则的充分路径相同，分析找回了预设的条件组合" if qca_ok else
                "中间解与预设规则的充分路径不同，分析没有找回预设的条件组合") if zh else
               ("the intermediate solution has the planted sufficient paths" if qca_ok else
                "the intermediate solution differs from the planted sufficient paths"))
        qca += _planted_necessity(necessity, cut, labels, zh, contrast=qca_ok)
    if link_ok:
        link_text = "优势比的区间下限大于一，分析找回了预设的联系" if zh else "the odds ratio's lower bound exceeds one"
    else:
        link_text = "优势比的区间没有整体高于一，分析没有找回预设的联系" if zh else "the odds ratio's interval is not above one"
    return {"recovery_rule": planted_rule_text(design["rule"], labels), "recovery_qca": qca,
            "recovery_link": link_text, "recovery_boost": f"{design['mechanism_boost']:.2f}"}


def _planted_necessity(necessity: pd.DataFrame | None, cut: float, labels: dict, zh: bool, contrast: bool) -> str:
    """Whether the necessity analysis finds the condition every planted path holds (a clause to append;
    ``contrast``: the clause before it reported a success, so a failure here begins with "but")."""
    planted = set.intersection(*[set(path.split("*")) for path in PLANTED_PATHS])
    if necessity is None or not len(necessity) or not planted:
        return ""
    incl = dict(zip(necessity["condition"], necessity["incl"].astype(float)))
    clauses = []
    for condition in sorted(planted):
        name, value = labels.get(condition, condition), incl.get(condition)
        if value is None:
            clauses.append(f"预设的必要条件{name}未作必要性检验" if zh else f"the planted necessary condition {name} was not tested")
        elif value >= cut:
            clauses.append(f"必要性分析也找回了预设的必要条件{name}（一致性 {value:.2f}）" if zh else
                           f"the necessity analysis also finds the planted necessary condition {name} ({value:.2f})")
        else:
            clauses.append(f"{'但' if contrast else ''}预设的必要条件{name}在必要性分析中的一致性只有 {value:.2f}，低于 {cut:.2f}，"
                           "分析没有把它识别为必要条件"
                           if zh else f"{'but ' if contrast else ''}the planted necessary condition {name} has a consistency of only {value:.2f}, "
                           f"below {cut:.2f}: the necessity analysis does not find it")
    return ("；" if zh else "; ") + ("；" if zh else "; ").join(clauses)


def shard_numbers(ingest: dict) -> dict[str, str]:
    """How many ingest shards the stations are split into (the configuration's ``ingest.shards``)."""
    return {"n_shards": fmt_int(ingest["shards"])}


def input_digest(manifest: pd.DataFrame) -> str:
    """One SHA-256 for the whole input: of the lines ``<sha256>  <path>`` (what ``sha256sum`` prints)
    of every raw file, in path order, each ending in a newline.

    >>> input_digest(pd.DataFrame({"path": ["b", "a"], "sha256": ["22", "11"]}))[:16]
    '416ccbb108242872'
    """
    import hashlib

    lines = "".join(f"{digest}  {path}\n" for path, digest in sorted(zip(manifest["path"], manifest["sha256"])))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def provenance_numbers(manifest: pd.DataFrame, locked: list[dict], rules: dict[str, str]) -> dict[str, str]:
    """What the reproducibility appendix says in words: raw files, locked packages, rules, Python."""
    import platform

    return {
        "n_raw_files": fmt_int(len(manifest)),
        "raw_megabytes": f"{manifest['bytes'].sum() / 1e6:.1f}",
        "input_digest": input_digest(manifest),
        "n_locked_packages": fmt_int(len(locked)),
        "n_rules": fmt_int(len(rules)),
        "python_version": platform.python_version(),
    }


def reliability_sensitivity_numbers(claims: pd.DataFrame, qca: dict, labels: dict) -> dict[str, str]:
    """What leaving out the codes of low reliability does to the evidence shares and to the QCA
    (rule ``reliability_sensitivity``), in words for no such code, no claim touched, and a solution
    that stays, changes or vanishes, with the anchors as configured and moved to the same quantiles.

    Examples
    --------
    >>> c = pd.DataFrame({"claim": ["P1", "P2", "m.a"], "kind": ["proposition", "proposition", "mechanism"],
    ...                   "dropped": ["a", "", "m.a"], "support_share": [0.51, 0.5, 0.48],
    ...                   "support_share_kept": [0.41, 0.5, float("nan")], "n_stations": [15, 15, 0],
    ...                   "n_stations_crossing": [5, 0, 0]})
    >>> q = {"dropped": ["a", "m.a"], "outside_the_sets": ["m.a"], "min_cases": 6,
    ...      "sets": [{"set": "x", "dropped": ["a"], "n_crossing": 4, "n_stations": 15},
    ...               {"set": "y", "dropped": [], "n_crossing": 0, "n_stations": 15}],
    ...      "all_codes": {"n_cases": 15, "models": "x*y", "incl": 0.9, "cov": 0.8},
    ...      "without": {"n_cases": 15, "models": "", "incl": None, "cov": None},
    ...      "requantiled": {"n_cases": 15, "models": "x*y", "incl": 0.92, "cov": 0.7}}
    >>> out = reliability_sensitivity_numbers(c, q, {"m.a": "甲", "a": "乙", "x": "条件X", "y": "条件Y"})
    >>> out["sens_claims_sentence"]
    '命题一的支持占比由 0.51 变为 0.41（15 个站点中有 5 个的支持与反证孰多易位）；命题二不受影响（它的编码都不在其中）；甲的支持只来自它自己的编码，而这个编码信度不足，不计之后无从评估'
    >>> out["sens_sets_sentence"]
    '乙进入条件X（锚点不变时 15 个站点中有 4 个的隶属度越过交叉点）；甲不进入任何集合'
    >>> out["sens_qca_sentence"]
    '锚点不变时，没有组态达到充分性的门槛（无解）；把锚点移到新得分的相同分位后，中间解仍是条件X × 条件Y（一致性 0.920，覆盖度 0.700）'
    >>> out["sens_qca_verdict"]
    '锚点不变时解的变化至少有一部分来自得分尺度的整体下移：按相同分位重定锚点后，解并未改变（这一方案保留站点的排序，只说明解不取决于锚点的绝对位置）'
    >>> reliability_sensitivity_numbers(c.iloc[:0], {**q, "dropped": []}, {})["sens_claims_sentence"]
    '没有信度不足的编码，证据矩阵无需重做'
    """
    from analysis.report.tables import hypothesis_name

    n = len(qca.get("dropped", []))
    out = {"sens_n_dropped": fmt_int(n)}
    if not n:
        return out | {"sens_claims_sentence": "没有信度不足的编码，证据矩阵无需重做",
                      "sens_sets_sentence": "没有编码需要从集合中去掉",
                      "sens_qca_sentence": "没有信度不足的编码，定性比较分析无需重做",
                      "sens_qca_verdict": "这部分结论不受信度不足的编码影响"}

    def name(row) -> str:
        return hypothesis_name(row.claim, "zh") if row.kind == "proposition" else labels.get(row.claim, row.claim)

    def named(ids) -> str:
        return "、".join(labels.get(c, c) for c in ids)

    changed, same, lost = [], [], []
    for row in claims.itertuples():
        if not row.dropped:
            same.append(name(row))
        elif pd.isna(row.support_share_kept):
            lost.append(name(row))
        else:
            crossing = (f"{fmt_int(row.n_stations)} 个站点中有 {fmt_int(row.n_stations_crossing)} 个的支持与反证孰多易位"
                        if row.n_stations_crossing else f"{fmt_int(row.n_stations)} 个站点的支持与反证孰多都没有易位")
            changed.append(f"{name(row)}的支持占比由 {row.support_share:.2f} 变为 {row.support_share_kept:.2f}（{crossing}）")
    parts = list(changed)
    if same:
        parts.append(f"{'、'.join(same)}不受影响（{'它' if len(same) == 1 else '它们'}的编码都不在其中）")
    if lost:
        parts.append(f"{'、'.join(lost)}的支持只来自{'它自己的编码，而这个编码' if len(lost) == 1 else '各自的编码，而这些编码'}"
                     "信度不足，不计之后无从评估")
    out["sens_claims_sentence"] = "；".join(parts)

    sets = [f"{named(x['dropped'])}进入{labels.get(x['set'], x['set'])}"
            + (f"（锚点不变时 {fmt_int(x['n_stations'])} 个站点中有 {fmt_int(x['n_crossing'])} 个的隶属度越过交叉点）"
               if x["n_crossing"] else "（锚点不变时没有站点的隶属度越过交叉点）")
            for x in qca.get("sets", []) if x["dropped"]]
    if qca.get("outside_the_sets"):
        sets.append(f"{named(qca['outside_the_sets'])}不进入任何集合")
    out["sens_sets_sentence"] = "；".join(sets) if sets else "这些编码都不进入定性比较分析的集合"

    before = qca.get("all_codes")

    def solution(result: dict) -> str:
        return "；".join(qca_expression(m, labels, "zh") for m in result["models"].split(" | "))

    def reads(result: dict | None) -> str:
        if result is None:
            return f"有证据的站点少于 {fmt_int(qca['min_cases'])} 个，不再运行"
        if not result["models"]:
            return "没有组态达到充分性的门槛（无解）"
        fit = f"（一致性 {result['incl']:.3f}，覆盖度 {result['cov']:.3f}）"
        if before and result["models"] == before["models"]:
            return f"中间解仍是{solution(result)}{fit}"
        return f"中间解变为{solution(result)}{fit}"

    if before is None:
        out["sens_qca_sentence"] = "站点太少，定性比较分析没有运行，也无从重做"
        out["sens_qca_verdict"] = "无从判断"
        return out
    fixed, moved = qca.get("without"), qca.get("requantiled")
    sentence = f"锚点不变时，{reads(fixed)}；把锚点移到新得分的相同分位后，{reads(moved)}"
    if not all(r is not None and r["models"] == before["models"] for r in (fixed, moved)):
        sentence += f"，而全部编码时的中间解是{solution(before)}" if before["models"] and (
            moved is None or moved["models"] != before["models"]) else ""
    out["sens_qca_sentence"] = sentence

    def same_as_before(r) -> bool:
        return r is not None and r["models"] == before["models"]

    out["sens_qca_verdict"] = ("定性比较分析的解不依赖这些编码" if same_as_before(fixed) else
                               "锚点不变时解的变化至少有一部分来自得分尺度的整体下移：按相同分位重定锚点后，解并未改变（这一方案保留站点的排序，只说明解不取决于锚点的绝对位置）" if same_as_before(moved)
                               else "定性比较分析的解依赖信度不足的编码，更需谨慎")
    return out


def qca_settings_numbers(settings: dict, labels: dict) -> dict[str, str]:
    """The truth table's cut-offs and the directional expectations, as the QCA used them
    (``qca_cutoffs``), so the book states its settings rather than pointing to the configuration.

    >>> qca_settings_numbers({"incl_cut": 0.8, "pri_cut": 0.5, "n_cut": 1, "dir_exp": {"x": 1, "y": 1}}, {"x": "甲"})
    {'qca_cutoffs': '一致性门槛 0.80、PRI 门槛 0.50、频数门槛 1；方向预期：甲、y的存在都指向较高的社区韧性'}
    >>> qca_settings_numbers({"incl_cut": 0.8, "pri_cut": 0.5, "n_cut": 2, "dir_exp": {"x": 1, "y": 0, "z": "-"}}, {})["qca_cutoffs"]
    '一致性门槛 0.80、PRI 门槛 0.50、频数门槛 2；方向预期：x的存在指向较高的社区韧性，y的不存在指向较高的社区韧性，z未设预期'
    """
    present = [labels.get(c, c) for c, v in settings["dir_exp"].items() if v == 1]
    absent = [labels.get(c, c) for c, v in settings["dir_exp"].items() if v == 0]
    neither = [labels.get(c, c) for c, v in settings["dir_exp"].items() if v not in (0, 1)]
    parts = []
    if present:
        parts.append(f"{'、'.join(present)}的存在{'都' if len(present) > 1 and not absent and not neither else ''}指向较高的社区韧性")
    if absent:
        parts.append(f"{'、'.join(absent)}的不存在指向较高的社区韧性")
    if neither:
        parts.append(f"{'、'.join(neither)}未设预期")
    return {"qca_cutoffs": (f"一致性门槛 {settings['incl_cut']:.2f}、PRI 门槛 {settings['pri_cut']:.2f}、"
                            f"频数门槛 {fmt_int(settings['n_cut'])}；方向预期：" + "，".join(parts))}


def pt_contrast_numbers(items: pd.DataFrame, summary: pd.DataFrame, labels: dict) -> dict[str, str]:
    """Sentences that read the process tracing's results against each other, computed so that they
    cannot outlive the numbers they describe: for each hypothesis, what its counted items that were
    not observed weigh against those that were (``pt_<h>_offset_sentence``); and whether a
    proposition's posterior is the lowest and what in its evidence file makes it so
    (``pt_lowest_sentence``).

    Examples
    --------
    >>> items = pd.DataFrame({"hypothesis": ["P1", "P1", "P3", "P3"], "item": ["P1-E1", "P1-E2", "P3-E1", "P3-E3"],
    ...                       "test": ["smoking_gun", "hoop", "hoop", "straw_in_the_wind"], "observed": [True, True, True, False],
    ...                       "weight": [1, 1, 1, 1], "decibans": [8.5, 2.0, 2.1, -4.1]})
    >>> summary = pd.DataFrame({"hypothesis": ["P1", "P3"], "posterior": [0.9, 0.39]})
    >>> out = pt_contrast_numbers(items, summary, {})
    >>> out["pt_p3_offset_sentence"]
    '按证据文件设定的似然，不被观察到的条目 P3-E3 带来 −4.1 分贝班，超过了被观察到并计入的条目合计的 +2.1 分贝班，后验因此低于先验'
    >>> out["pt_p1_offset_sentence"]
    '计入的条目都被观察到了，没有负向的证据权重'
    >>> pt_contrast_numbers(items.assign(observed=False, decibans=[-1.5, -0.7, -0.3, -4.1]), summary, {})["pt_p1_offset_sentence"]
    '按证据文件设定的似然，不被观察到的条目 P1-E1、P1-E2 带来 −2.2 分贝班，而计入的条目中没有一条被观察到，后验因此低于先验'
    >>> out["pt_lowest_sentence"]
    '命题三的后验在各假设中最低；它的证据条目中没有确凿证据检验，而不被观察到的 P3-E3 带来负向权重：差别与其说反映了命题本身，不如说反映了证据条目的设计'
    """
    out = {}
    counted = items[items["weight"] > 0]
    for hyp in dict.fromkeys(items["hypothesis"]):
        mine = counted[counted["hypothesis"] == hyp]
        missing = mine[~mine["observed"].astype(bool)]
        seen = mine[mine["observed"].astype(bool)]
        if not len(missing):
            out[f"pt_{hyp.lower()}_offset_sentence"] = "计入的条目都被观察到了，没有负向的证据权重"
            continue
        against, towards = float(missing["decibans"].sum()), float(seen["decibans"].sum())
        names = "、".join(missing["item"])
        compare = ("超过了" if -against > towards else "抵消了" if abs(-against - towards) < 0.05 else "不足以抵消")
        after = ("后验因此低于先验" if against + towards < 0 else "后验仍高于先验" if against + towards > 0 else "后验等于先验")
        weigh = [f"{v:+.1f}".replace("-", "−") for v in (against, towards)]
        if not len(seen):
            out[f"pt_{hyp.lower()}_offset_sentence"] = (
                f"按证据文件设定的似然，不被观察到的条目 {names} 带来 {weigh[0]} 分贝班，而计入的条目中没有一条被观察到，{after}")
            continue
        out[f"pt_{hyp.lower()}_offset_sentence"] = (
            f"按证据文件设定的似然，不被观察到的条目 {names} 带来 {weigh[0]} 分贝班，{compare}被观察到并计入的条目合计的 "
            f"{weigh[1]} 分贝班，{after}")
    props = summary[summary["hypothesis"].str.startswith("P")]
    if len(props) < 2:
        out["pt_lowest_sentence"] = "只有一个命题，无从比较"
        return out
    from analysis.report.tables import hypothesis_name

    low = props.sort_values("posterior").iloc[0]
    if (props["posterior"] == low["posterior"]).sum() > 1:
        out["pt_lowest_sentence"] = "几个命题的后验同样最低，差别不能归于某一个命题的证据条目"
        return out
    mine = items[items["hypothesis"] == low["hypothesis"]]
    name = hypothesis_name(low["hypothesis"], "zh")
    reasons = []
    if not (mine["test"] == "smoking_gun").any():
        reasons.append("它的证据条目中没有确凿证据检验")
    negative = mine[(mine["weight"] > 0) & ~mine["observed"].astype(bool)]
    if len(negative):
        reasons.append(f"不被观察到的 {'、'.join(negative['item'])} 带来负向权重")
    out["pt_lowest_sentence"] = (f"{name}的后验在各假设中最低；" + "，而".join(reasons)
                                 + "：差别与其说反映了命题本身，不如说反映了证据条目的设计" if reasons else
                                 f"{name}的后验在各假设中最低，而它的证据条目的设计与其余命题并无不同")
    return out


def models_contrast_numbers(link: pd.DataFrame, outcomes: pd.DataFrame, fdr: float = 0.05) -> dict[str, str]:
    """The two kinds of model read against each other (``models_contrast_sentence``), in words for the
    order model finding the planted link while the presence models find nothing, both finding
    something, and the order model finding nothing.

    >>> link = pd.DataFrame({"term": ["mech_before"], "or_lo": [1.4], "p_value": [0.002]})
    >>> none = pd.DataFrame({"term": ["mech_a"], "p_fdr": [0.4]})
    >>> models_contrast_numbers(link, none)["models_contrast_sentence"][:6]
    '二者并不矛盾'
    >>> models_contrast_numbers(link.assign(or_lo=[0.8], p_value=[0.3]), none)["models_contrast_sentence"]
    '两组模型都没有找到机制与韧性的联系：在合成语料上，这意味着预设的文档内联系没有被还原'
    """
    columns = ["term", "or_lo", "or_hi", "p_value", "p_fdr"]
    link, outcomes = link.reindex(columns=columns), outcomes.reindex(columns=columns)  # a failed fit has a note only
    row = link[link["term"] == "mech_before"]
    found = bool(len(row)) and bool(row["or_lo"].iloc[0] > 1) and bool(row["p_value"].iloc[0] < 0.05)
    mech = outcomes[outcomes["term"].astype(str).str.startswith("mech_")]
    any_outcome = bool(len(mech)) and bool((mech["p_fdr"] < fdr).any())
    if found and not any_outcome:
        text = ("二者并不矛盾：生成器预设的联系发生在文档内部的先后顺序上，它改变的是韧性叙述的倾向，而不是韧性话题是否出现，"
                "只看“出现与否”的模型本来就不是为捕捉这种联系而设计的。这一对照说明，机制检验的结论高度依赖于把机制操作化为哪一种可观察的痕迹")
    elif found:
        text = "两组模型都找到了机制的痕迹：机制被谈及之后韧性叙述更常为支持性，韧性话题的出现也随机制编码变化"
    elif any_outcome:
        text = ("机制—韧性模型没有找到预设的先后联系，只看“出现与否”的模型却有显著的机制系数：在合成语料上，"
                "后者不来自生成器的设定，应当视为抽样的偶然或编码之间的重叠")
    else:
        text = "两组模型都没有找到机制与韧性的联系：在合成语料上，这意味着预设的文档内联系没有被还原"
    return {"models_contrast_sentence": text}


def pt_scale_numbers(scales: dict) -> dict[str, str]:
    """The factors the process-tracing sensitivity multiplies every item's decibans by (the
    configuration's ``process_tracing.sensitivity_scales``), for the table's note.

    >>> pt_scale_numbers({"weaker": 0.5, "as_stated": 1.0, "stronger": 1.5})
    {'pt_scale_weaker': '0.5', 'pt_scale_stronger': '1.5'}
    """
    return {f"pt_scale_{name}": f"{value:g}" for name, value in scales.items() if name != "as_stated"}


def pt_chance_numbers(items: pd.DataFrame, chance_p: float) -> dict[str, str]:
    """The chance test of the co-occurrence items: its level (``pt_chance_p``) and which items reached
    their count but not beyond chance (``pt_chance_sentence``).

    >>> items = pd.DataFrame({"item": ["P1-E3", "P2-E3"], "observed": [False, True],
    ...     "detail": ["4 spans carry all of a, b (2.5 expected by chance, p = 0.237, not beyond chance)",
    ...                "9 spans carry all of c, d (2.0 expected by chance, p = 0.001)"]})
    >>> pt_chance_numbers(items, 0.05)["pt_chance_sentence"]
    '在本书的语料上，有 1 条“同时出现”条目的次数不多于偶然所能给出的，因而不算被观察到：P1-E3（4 处，偶然可得约 2.5 处，p = 0.237）'
    >>> pt_chance_numbers(items.iloc[1:], 0.05)["pt_chance_sentence"]
    '在本书的语料上，“同时出现”的条目都多于偶然，或没有达到次数门槛'
    """
    pattern = re.compile(r"^(\d+) \w+ carry all of .* \(([\d.]+) expected by chance, p = ([\d.]+), not beyond chance\)$")
    chance = []
    for row in items.itertuples():
        hit = pattern.match(str(getattr(row, "detail", "")))
        if hit:
            chance.append(f"{row.item}（{fmt_int(int(hit.group(1)))} 处，偶然可得约 {hit.group(2)} 处，p = {hit.group(3)}）")
    sentence = (f"在本书的语料上，有 {fmt_int(len(chance))} 条“同时出现”条目的次数不多于偶然所能给出的，因而不算被观察到："
                + "；".join(chance) if chance else "在本书的语料上，“同时出现”的条目都多于偶然，或没有达到次数门槛")
    return {"pt_chance_p": f"{chance_p:g}", "pt_chance_sentence": sentence}


def repetition_numbers(segments: pd.DataFrame, primary: str) -> dict[str, str]:
    """How often the primary coder's coded passages repeat one another word for word
    (``repetition_sentence``): a generator that draws from a bank of sentences repeats them, and
    repetition makes saturation, reliability intervals and co-occurrence look tidier than talk does.

    >>> seg = pd.DataFrame({"coder_id": "C1", "document_id": ["a", "b", "c", "c"], "start": [0, 0, 0, 9],
    ...                     "end": [5, 5, 5, 12], "text": ["甲乙", "甲乙", "甲乙", "丙"]})
    >>> repetition_numbers(seg, "C1")["repetition_sentence"]
    '4 个编码片段只有 2 种不同的文字，同一段文字最多出现 3 次'
    >>> repetition_numbers(seg.iloc[2:], "C1")["repetition_sentence"]
    '2 个编码片段的文字各不相同'
    """
    spans = segments[segments["coder_id"] == primary].drop_duplicates(["document_id", "start", "end"])
    counts = spans["text"].value_counts()
    if not len(counts) or counts.max() == 1:
        return {"repetition_sentence": f"{fmt_int(len(spans))} 个编码片段的文字各不相同"}
    return {"repetition_sentence": f"{fmt_int(len(spans))} 个编码片段只有 {fmt_int(len(counts))} 种不同的文字，"
                                   f"同一段文字最多出现 {fmt_int(int(counts.max()))} 次"}
