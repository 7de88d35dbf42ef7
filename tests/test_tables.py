"""Display tables: labels in the configured language, undefined values in words, pipes escaped."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from analysis.report.tables import (code_frequency_table, cross_tab_table, evidence_table, pt_items_table, reliability_table, to_markdown)

ROOT = Path(__file__).resolve().parents[1]

FREQ = pd.DataFrame({"code_id": ["t", "t.a"], "parent": [None, "t"], "theme": ["t", "t"], "depth": [0, 1],
                     "label_zh": ["主题", "甲"], "label_en": ["Theme", "A"], "n_segments": [3, 3], "n_documents": [2, 2],
                     "n_participants": [1, 1], "n_stations": [1, 1], "share_documents": [0.5, 0.5],
                     "share_documents_lo": [0.15, 0.15], "share_documents_hi": [0.85, 0.85]})


def test_english_labels_by_configuration():
    zh, en = code_frequency_table(FREQ, "zh"), code_frequency_table(FREQ, "en")
    assert "编码" in zh.columns and "Code" in en.columns
    assert en.iloc[0, 0] == "**Theme**" and "A" in en.iloc[1, 0]
    assert en.iloc[0]["Share of documents (95% CI)"] == "50.0% (15.0–85.0)"


def test_undefined_coefficients_are_words_in_both_languages():
    per = pd.DataFrame({"code_id": ["t.a"], "krippendorff_alpha": [np.nan], "krippendorff_alpha_lo": [np.nan],
                        "krippendorff_alpha_hi": [np.nan], "cohen_kappa": [np.nan], "cohen_kappa_lo": [np.nan],
                        "cohen_kappa_hi": [np.nan], "gwet_ac1": [1.0], "gwet_ac1_lo": [1.0], "gwet_ac1_hi": [1.0],
                        "percent_agreement": [1.0], "coded_agreement": [np.nan], "flag": ["undefined"]})
    codes = pd.DataFrame({"code_id": ["t.a"], "label_zh": ["甲"], "label_en": ["A"]})
    en = reliability_table(per, codes, "en")
    assert en.iloc[0]["Krippendorff's α"] == "undefined" and en.iloc[0]["Reading"] == "undefined"
    assert "nan" not in to_markdown(en).lower()


def test_cross_tab_table_names_only_the_cells_that_survive_the_correction():
    tests = pd.DataFrame({"code_id": ["t.a"], "n_spans": [40], "n_with_code": [10], "statistic": [9.2], "dof": [1],
                          "p_value": [0.002], "method": ["cluster_permutation"], "p_fdr": [0.004], "p_spans": [0.0004]})
    cells = pd.DataFrame({"code_id": ["t.a"] * 3, "category": ["resident", "cadre", "volunteer_org"],
                          "observed": [7, 1, 2], "expected": [4, 3, 3], "row_share": [0.7, 0.1, 0.2],
                          "adj_resid": [3.03, -2.5, 2.1], "perm_z": [2.8, -2.2, 2.0], "p_fdr": [0.01, 0.02, 0.09]})
    codes = pd.DataFrame({"code_id": ["t.a"], "label_zh": ["甲"], "label_en": ["A"]})
    labels = {"resident": "Residents", "cadre": "Cadres", "volunteer_org": "Volunteers"}
    table = cross_tab_table(tests, cells, codes, labels, "en", 0.05)
    # cadres survive but are under-represented; volunteers are over-represented by |z| > 1.96 but do not survive
    assert table.iloc[0]["Over-represented (permutation z)"] == "Residents (+2.8)"
    assert table.iloc[0]["FDR-adjusted p"] == "0.004 *"
    assert table.iloc[0]["p if spans were independent"] == "< 0.001"


def test_quotations_carry_only_pseudonymous_id_and_actor_type():
    matrix = pd.DataFrame([{"claim": "P1", "actor_type": "resident", "n_support": 2, "n_contrary": 0,
                            "support_share": 1.0, "exemplar_support": "一段话。", "exemplar_support_by": "S01-P05",
                            "exemplar_support_actor": "resident", "exemplar_contrary": "", "exemplar_contrary_by": "",
                            "exemplar_contrary_actor": ""}])
    table = evidence_table(matrix, "P1", "actor_type", {"resident": "居民"}, "zh")
    assert table.iloc[0]["典型支持引文"] == "“一段话。”——S01-P05，居民"
    assert table.iloc[0]["典型反证引文"] == "—"


def test_pipes_in_headers_and_cells_are_escaped():
    # 11 columns (one says whether the item counts), so 12 unescaped pipes per line
    items = pd.DataFrame({"hypothesis": ["P1"], "item": ["E1"], "description_zh": ["a|b"], "test": ["hoop"],
                          "p_e_h": [0.9], "p_e_not_h": [0.5], "observed": [True], "detail": ["x"], "decibans": [2.55],
                          "posterior_after": [0.64]})
    text = to_markdown(pt_items_table(items, "en"))
    assert "P(E\\|H)" in text and "a\\|b" in text
    assert all(line.count("|") - line.count("\\|") == 12 for line in text.splitlines())


def test_a_table_of_models_that_all_failed_lists_the_reasons():
    from analysis.report.tables import model_table

    fits = pd.DataFrame({"outcome": ["y", "z"], "n": [10, 10], "n_outcome": [10, 0], "term": ["", ""],
                         "note": ["the outcome does not vary", "not estimable: separation"], "code_id": ["t.a", "t.b"]})
    table = model_table(fits, {"t.a": "A", "t.b": "B"}, "en")
    assert table["Predictor"].tolist() == ["the outcome does not vary", "not estimable: separation"]
    assert table["Odds ratio"].tolist() == ["—", "—"]


def test_numbers_of_models_that_all_failed():
    from analysis.report.numbers import model_numbers, recovery_numbers

    failed = pd.DataFrame({"outcome": ["y"], "n": [5], "n_outcome": [5], "term": [""], "note": ["not estimable"],
                           "code_id": ["x"]})
    numbers = model_numbers(failed, failed)
    assert numbers["link_or"] == "—" and numbers["n_outcome_models_failed"] == "1"
    assert numbers["outcome_models_fitted_sentence"] == "这个模型因完全分离无法估计（表中写明），没有机制系数可供检验"
    result = {"status": {"computed": False}, "solutions": {"intermediate": []}}
    assert recovery_numbers(result, failed, {"rule": "r", "mechanism_boost": 0.1}, "en")["recovery_link"].startswith("the odds ratio's interval is not")


def test_a_large_study_gets_quartiles_and_extremes_and_its_csv_keeps_every_station(tmp_path):
    """Five stations with values 1..5 (and one with none): quartiles by linear interpolation are 2, 3, 4
    (numpy's default, Hyndman & Fan 1996 type 7); the highest and lowest name their stations, ties by id."""
    from analysis.report.tables import StationView, write_table

    values = pd.DataFrame({"segments": [3, 5, 1, 4, 2, np.nan]}, index=["S3", "S10", "S1", "S4", "S2", "S5"])
    full = values.reset_index().rename(columns={"index": "station"})
    view = StationView(detail=4, top_k=2, lang="en")
    four = full.head(4)
    assert view.per_station(four, values.head(4)) is four  # at the limit: listed station by station
    shown = view.per_station(full, values, digits=None)
    row = shown.shown.iloc[0]
    assert [row[c] for c in ["Stations", "Min", "Lower quartile", "Median", "Upper quartile", "Max"]] == [5, "1", "2", "3", "4", "5"]
    assert row["Highest 2"] == "S10 (5), S4 (4)" and row["Lowest 2"] == "S1 (1), S2 (2)"
    write_table(shown, str(tmp_path / "t.md"), str(tmp_path / "t.csv"))
    assert len(pd.read_csv(tmp_path / "t.csv")) == 6 and "S3" not in (tmp_path / "t.md").read_text(encoding="utf-8")
    small = StationView(detail=30, top_k=2, lang="en").per_station(full, values)
    assert small is full  # a study the book lists station by station keeps its table as it is


def test_a_truth_table_row_names_at_most_k_cases_and_counts_the_rest():
    from analysis.report.tables import qca_truth_table

    tt = pd.DataFrame({"row": ["11"], "n": [4], "incl": [0.9], "pri": [0.8], "out": ["1"], "cases": [["S1", "S2", "S3", "S4"]]})
    assert qca_truth_table(tt, ["a", "b"], "en", 2).iloc[0, -1] == "S1, S2 and 2 more"
    assert qca_truth_table(tt, ["a", "b"], "zh").iloc[0, -1] == "S1、S2、S3、S4"


# ----------------------------------------------------------------------------- the book's tables (issue 15)

LABELS = {"inst": "制度框架", "cap": "主体能力互补", "inc": "持续激励", "res": "社区韧性"}


def test_no_qca_table_shows_a_raw_condition_id_or_a_markdown_mark():
    """Every QCA table writes its sets by their labels, with ×, + and ¬, so no '*' or '~' reaches Markdown."""
    import re

    from analysis.report.tables import (qca_calibration_book, qca_necessity_table, qca_robustness_table,
                                        qca_solution_table, qca_truth_table, to_list_table)

    model = {"expression": "inst*cap + ~inst*inc", "incl": 0.9, "pri": 0.8, "cov": 0.7,
             "terms": [{"term": "inst*cap", "incl": 0.9, "pri": 0.8, "cov": 0.5, "cov_u": 0.2},
                       {"term": "~inst*inc", "incl": 0.95, "pri": 0.9, "cov": 0.4, "cov_u": 0.1}]}
    tables = [
        qca_solution_table({"conservative": [model], "intermediate": [model]}, "zh", LABELS),
        qca_necessity_table(pd.DataFrame({"condition": ["inst", "~inst"], "incl": [0.9, 0.4], "cov": [0.8, 0.5],
                                          "ron": [0.7, 0.6]}), LABELS, "zh"),
        qca_truth_table(pd.DataFrame({"row": ["101"], "n": [2], "incl": [0.95], "pri": [0.9], "out": ["1"],
                                      "cases": [["S1", "S2"]]}), ["inst", "cap", "inc"], "zh", labels=LABELS),
        qca_robustness_table(pd.DataFrame({"variant": ["configured", "inst crossover 0.4"], "n_cases": [15, 15],
                                           "models": ["inst*cap + inst*inc", "~cap*inc"], "incl": [0.9, 0.8],
                                           "cov": [0.7, 0.6], "same_as_configured": [True, False]}), LABELS, "zh"),
        qca_calibration_book(pd.DataFrame({"case": ["S1"], "inst": [0.7], "res": [0.6]}),
                             pd.DataFrame({"case": ["S1"], "inst": [0.95], "res": [0.62]}), LABELS, "zh").shown,
    ]
    for table in tables:
        text = to_list_table(table)
        assert not re.search(r"\b(inst|cap|inc|res)\b", text), text
        cells = "\n".join(map(str, [*table.columns, *table.to_numpy().ravel()]))
        assert "*" not in cells.replace("**", "") and "~" not in cells and "incl" not in cells and "cov" not in cells
    solutions = tables[0]
    assert solutions.iloc[0]["组态"] == "**制度框架 × 主体能力互补 + ¬制度框架 × 持续激励**"
    assert {"一致性", "PRI", "覆盖度", "唯一覆盖度"} <= set(solutions.columns)
    assert tables[1]["条件"].tolist() == ["制度框架", "¬制度框架"]
    assert list(tables[2].columns[:3]) == ["制度框架", "主体能力互补", "持续激励"]
    assert tables[4].iloc[0].tolist() == ["S1", "0.70 → 0.95", "0.60 → 0.62"]


FITS = pd.DataFrame({
    "code_id": ["r.a"] * 4 + ["r.b"],
    "term": ["Intercept", "mech_x", "mech_y", "log_spans", ""],
    "odds_ratio": [0.1, 0.5, 3.0, 9.0, np.nan], "or_lo": [0.01, 0.2, 0.09, 2.0, np.nan],
    "or_hi": [1.0, 1.2, 1742.21, 40.0, np.nan], "p_value": [0.01, 0.12, 0.4, 0.003, np.nan],
    "p_fdr": [np.nan, 0.24, 0.4, np.nan, np.nan],
    "note": ["", "", "", "", "not estimable: the fit did not converge (separation)"],
    "reference": ["t(14)"] * 4 + [""], "n_clusters": [15] * 4 + [np.nan], "dropped": ["voice"] * 4 + [""]})


def test_the_outcome_table_shows_readable_tested_coefficients_with_their_fdr_and_the_rest_goes_to_the_csv():
    from analysis.report.tables import model_book_table, model_rest

    table = model_book_table(FITS, {"r.a": "甲", "r.b": "乙", "mech.x": "机制一", "mech.y": "机制二"}, "zh", 100)
    shown, full = table.shown, table.full
    assert "FDR 校正 p" in shown.columns and "FDR 校正 p" in full.columns
    assert shown["自变量"].tolist()[:2] == ["机制一", "无法估计：完全分离，模型不收敛"]
    assert "0.09–1742.21" not in shown["95% 区间"].tolist() and "0.09–1742.21" in full["95% 区间"].tolist()
    assert shown.iloc[0]["FDR 校正 p"] == "0.240"
    # what the book leaves out is counted in the table's note, not in a row of the table
    assert len(shown) == 2 and not shown.iloc[:, 0].str.contains("另有").any()
    rest = model_rest(FITS, "zh", 100)
    assert "1 个控制变量（文档中编码片段数的对数）" in rest and "1 个区间过宽（上限超过下限的 100 倍）" in rest
    assert len(full) == 4  # every coefficient but the intercept, and the failed model


def test_codes_below_the_minimum_are_not_tested_and_the_book_lists_only_tested_codes():
    """A code on two spans (below a minimum of three) gets no test, stays out of the FDR correction, and
    the book's table leaves it (and the never-used code) out while the CSV keeps every code."""
    from analysis.methods.coding import code_by_category
    from analysis.report.tables import cross_tab_book, cross_tab_table

    rng = np.random.default_rng(3)
    n = 60
    category = pd.Series(rng.choice(["p1", "p2"], n))
    codes = [["a"] if i % 2 else [] for i in range(n)]
    codes[0], codes[2] = ["a", "rare"], ["rare"]
    spans = pd.DataFrame({"codes": codes})
    who = pd.Series([f"s{i % 10}" for i in range(n)])
    cells, tests = code_by_category(spans, category, ["a", "rare", "unused"], {}, ["p1", "p2"], 1, cluster=who,
                                    stratum=who, labels_belong_to="span", n_permutations=199, n_resamples=199,
                                    min_with_code=3)
    by = tests.set_index("code_id")
    assert by.loc["rare", "method"] == "too_few_spans" and np.isnan(by.loc["rare", "p_fdr"])
    assert by.loc["a", "p_fdr"] == by.loc["a", "p_value"]  # the only code tested: the correction is over one test
    labels = pd.DataFrame({"code_id": ["a", "rare", "unused"], "label_zh": ["甲", "乙", "丙"], "label_en": list("ABC")})
    book = cross_tab_book(cross_tab_table(tests, cells, labels, {"p1": "一", "p2": "二"}, "zh", 0.05), tests, "zh")
    assert book.shown["编码"].tolist() == ["甲"] and (book.shown["片段数"] >= 3).all()
    assert "编码号" not in book.shown.columns and len(book.full) == 3


def test_a_code_whose_table_breaks_cochrans_rule_is_not_tested_by_default():
    """Eight spans of a code over four phases of 40 spans each: 2 expected per cell, so every cell of
    the code's row is below 5 (half the table) and Cochran's (1954) rule fails; 54 spans: 13.5 a cell.
    The configuration's default (coding.test_sparse_tables false) applies the rule; true tests both."""
    from analysis.methods.coding import code_by_category

    n = 160
    category = pd.Series(np.repeat(["p1", "p2", "p3", "p4"], 40))
    codes = [(["sparse"] if i % 20 == 0 else []) + (["common"] if i % 3 == 0 else []) for i in range(n)]
    who = pd.Series([f"s{i % 8}" for i in range(n)])
    spans = pd.DataFrame({"codes": codes})
    settings = {"n_permutations": 99, "n_resamples": 99, "min_expected": 5, "min_with_code": 5}
    run = lambda cochran: code_by_category(spans, category, ["sparse", "common"], {}, ["p1", "p2", "p3", "p4"], 1,
                                           cluster=who, stratum=who, labels_belong_to="span", cochran=cochran,
                                           **settings)[1].set_index("code_id")
    ruled, free = run(True), run(False)
    assert ruled.loc["sparse", "n_with_code"] == 8 and ruled.loc["sparse", "method"] == "sparse_table"
    assert np.isnan(ruled.loc["sparse", "p_value"]) and not np.isnan(ruled.loc["common", "p_value"])
    assert free.loc["sparse", "method"] == "span_permutation"
    # the code left out is out of the correction: the one test left is its own family
    assert ruled.loc["common", "p_fdr"] == ruled.loc["common", "p_value"]
    schema = yaml.safe_load((ROOT / "workflow" / "schemas" / "config.schema.yaml").read_text(encoding="utf-8"))
    assert schema["properties"]["coding"]["properties"]["test_sparse_tables"]["default"] is False


def test_untested_codes_are_counted_in_words():
    from analysis.report.numbers import untested_codes_numbers

    tests = pd.DataFrame({"p_value": [0.2, np.nan, np.nan], "n_with_code": [8, 1, 2]})
    assert untested_codes_numbers(tests, "phase", 5)["phase_untested_note"].startswith("含该编码的片段少于 5 个的 2 个编码未做检验")


def test_column_widths_give_a_short_chinese_column_its_whole_text():
    """The browser's own layout squeezes a Chinese column to one character a line when a long column
    is beside it; the widths keep a three-character scope whole and give the rest to the long column."""
    from analysis.report.tables import PADDING_EM, TEXT_EM, column_widths

    frame = pd.DataFrame({"范围": ["湖南省", "全国"], "说明": ["很长的一段说明文字" * 12] * 2,
                          "来源": ["[www.example.gov.cn](https://www.example.gov.cn/a)"] * 2})
    widths = column_widths(frame)
    assert sum(widths) in (99, 100, 101)
    assert widths[0] / 100 * TEXT_EM >= 3 + PADDING_EM - 0.2  # 湖南省 on one line
    assert widths[2] / 100 * TEXT_EM >= 0.55 * len("www.example.gov.cn")  # the link's name is not broken
    assert widths[1] == max(widths)


def test_a_list_table_keeps_every_cell_and_its_text_cannot_start_a_list():
    from analysis.report.tables import to_list_table

    text = to_list_table(pd.DataFrame({"a": ["- 3", "x"], "b": ["1. y", ""]}))
    assert text.startswith("```{list-table}") and ":header-rows: 1" in text
    assert "* - \\- 3" in text and "  - 1\\. y" in text and "  - —" in text


def test_context_facts_and_process_tracing_are_in_chinese():
    from analysis.report.labels import CONTEXT_TERMS
    from analysis.report.tables import context_table, pt_items_table
    from test_refi import ROOT

    facts = pd.read_csv(ROOT / "data" / "context" / "context_facts.csv", dtype=str, keep_default_na=False)
    for column in ("scope", "indicator", "note"):
        untranslated = {t for t in facts[column] if t and t not in CONTEXT_TERMS["zh"] and re_latin(t)}
        assert not untranslated, f"add a Chinese label to CONTEXT_TERMS for: {sorted(untranslated)}"
    row = pd.DataFrame({"date": ["2021-12"], "scope": ["China"], "indicator": ["spending on stations in 2021"],
                        "value": [2.49], "unit": ["CNY billion"], "qualifier": [""], "note": [""],
                        "source": ["https://www.gov.cn/a.htm"], "accessed": ["2026-12-03"], "released_by": ["民政部"]})
    shown = context_table(row, "zh").iloc[0]
    assert (shown["范围"], shown["数值"]) == ("全国", "24.9 亿元")
    # the body that released the figure, the page that reports it, the date it was read, in Chinese dates
    assert shown["来源"] == "据 [www.gov.cn](https://www.gov.cn/a.htm) 报道（报道称出自民政部；2026 年 12 月 3 日记录）"
    assert shown["时间"] == "2021 年 12 月"
    items = pd.DataFrame({"hypothesis": ["P1"], "item": ["P1-E1"], "description_zh": ["甲"], "test": ["hoop"],
                          "p_e_h": [0.9], "p_e_not_h": [0.5], "observed": [True], "weight": [0],
                          "why": ["reads inst.policy, below the reliability threshold"],
                          "detail": ["5 actor types speak of inst.legitimacy"], "decibans": [2.6], "posterior_after": [0.5]})
    pt = pt_items_table(items, "zh", {"inst.legitimacy": "合法性认可", "inst.policy": "政策授权"}).iloc[0]
    assert pt["依据"] == "5 类主体谈到“合法性认可”" and pt["是否计入"] == "不计入：所据编码“政策授权”的信度低于门槛"
    assert pt["假设"] == "命题一（P1）"


def re_latin(text: str) -> bool:
    """Whether ``text`` holds Latin words (a context text written in English)."""
    import re

    return bool(re.search(r"[A-Za-z]{3,}", text))


def test_solutions_that_coincide_are_one_block_and_a_missing_one_says_so():
    from analysis.report.tables import qca_solution_table

    def model(expression):
        return {"expression": expression, "incl": 0.9, "pri": 0.8, "cov": 0.7, "from": ["C1P1"],
                "terms": [{"term": t, "incl": 0.9, "pri": 0.8, "cov": 0.5, "cov_u": 0.2} for t in expression.split(" + ")]}

    same = qca_solution_table({k: [model("inst*cap + inst*inc")] for k in ("conservative", "parsimonious", "intermediate")},
                              "zh", LABELS)
    first = same.columns[0]
    assert same[first].tolist()[0] == "保守解 = 简约解 = 中间解" and len(same) == 3  # one model line, two terms
    two = qca_solution_table({"conservative": [model("inst*cap")], "parsimonious": [model("inst")],
                              "intermediate": [model("inst*cap")]}, "zh", LABELS)
    assert [n for n in two[first] if n.strip()] == ["保守解 = 中间解", "简约解"]
    none = qca_solution_table({"conservative": [], "parsimonious": [], "intermediate": []}, "zh", LABELS)
    assert none.iloc[0].tolist()[:2] == ["保守解 = 简约解 = 中间解", "无解"]


def test_a_reference_every_model_shares_is_said_once_in_the_note_not_in_a_column():
    from analysis.report.numbers import reference_numbers
    from analysis.report.tables import model_table, without_constant_reference

    fits = pd.DataFrame({"code_id": "r.a", "term": ["Intercept", "mech_a", "mech_b"], "odds_ratio": [1.0, 2.0, 0.5],
                         "or_lo": [0.5, 1.1, 0.2], "or_hi": [2.0, 3.6, 1.2], "p_value": [0.9, 0.02, 0.1], "note": "",
                         "reference": "t(14)", "n_clusters": 15, "dropped": "voice"})
    table = model_table(fits, {}, "zh")
    assert "参照分布（站点数）" in table.columns and "参照分布（站点数）" not in without_constant_reference(table, fits, "zh")
    differing = fits.assign(n_clusters=[15, 15, 12])
    assert "参照分布（站点数）" in without_constant_reference(model_table(differing, {}, "zh"), differing, "zh")
    said = reference_numbers(differing, fits)
    # one outcome model here: "the model", not "the models all"
    assert said["outcome_reference"].endswith("；模型不含发言主体") and "一列" in said["link_reference"]


def test_the_csv_beside_a_table_carries_no_markdown(tmp_path):
    from analysis.report.tables import write_table

    frame = pd.DataFrame({"解": ["**制度框架 × 能力**", "\u00a0"], "编码号": ["`inst.policy`", "`cap.networks`"]})
    write_table(frame, str(tmp_path / "t.md"), str(tmp_path / "t.csv"))
    text = (tmp_path / "t.csv").read_text(encoding="utf-8")
    assert "**" not in text and "`" not in text and "\u00a0" not in text and "制度框架 × 能力" in text
    assert "**制度框架 × 能力**" in (tmp_path / "t.md").read_text(encoding="utf-8")  # the book keeps its marks
