"""Display tables: labels in the configured language, undefined values in words, pipes escaped."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.report.tables import (code_frequency_table, cross_tab_table, evidence_table, pt_items_table, reliability_table, to_markdown)

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
    assert table.iloc[0]["典型支持引文"] == "“一段话。”（S01-P05，居民）"
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
