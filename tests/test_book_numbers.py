"""The book's words for analyses that cannot be computed with the cases at hand."""

import pandas as pd

from analysis.book_numbers import qca_numbers, reliability_numbers

THRESHOLDS = {"reliable": 0.8, "tentative": 0.667}
CODES = pd.DataFrame({"code_id": ["a"], "label_zh": ["甲"], "label_en": ["A"]})


def _per_code(alpha):
    return pd.DataFrame({"code_id": ["a"], "krippendorff_alpha": [alpha], "krippendorff_alpha_lo": [alpha],
                         "krippendorff_alpha_hi": [alpha]})


def test_without_double_coding_the_reliability_section_says_it_cannot_be_computed():
    overall = {"n_documents": 0, "n_chars": 0, "n_coders": 2, "krippendorff_alpha": None, "percent_agreement": None,
               "coded_agreement": None}
    out = reliability_numbers(overall, _per_code(float("nan")), CODES, 4, THRESHOLDS, "zh")
    assert "无法计算" in out["reliability_note"] and "coded_by" in out["reliability_note"]
    assert out["alpha_overall"] == "无法计算" and out["weakest_code"] == "无法计算"
    assert out["n_codes_alpha_undefined"] == "1"


def test_with_double_coding_there_is_no_note():
    overall = {"n_documents": 2, "n_chars": 900, "n_coders": 2, "krippendorff_alpha": 0.8, "percent_agreement": 0.9,
               "coded_agreement": 0.7}
    out = reliability_numbers(overall, _per_code(0.8), CODES, 4, THRESHOLDS, "zh")
    assert out["reliability_note"] == "" and out["alpha_overall"] == "0.800"


def test_too_few_stations_for_qca_is_said_with_the_setting_to_change():
    result = {"status": {"computed": False, "n_cases": 3, "min_cases": 6, "adjusted": []}, "solutions": {}}
    out = qca_numbers(result, pd.DataFrame(columns=["condition", "incl"]), "zh")
    assert "qca.min_cases" in out["qca_note"] and "3" in out["qca_note"] and "6" in out["qca_note"]
    assert out["qca_intermediate"] == out["qca_status"]
    english = qca_numbers(result, pd.DataFrame(columns=["condition", "incl"]), "en")
    assert english["qca_note"].startswith("**Not computed.**")


def test_recovery_numbers_have_the_same_keys_for_real_and_synthetic_data():
    """The book uses every key in both cases; a missing one would stop the build with real data."""
    from analysis.book_numbers import recovery_numbers

    result = {"status": {"computed": False}, "solutions": {}}
    link = pd.DataFrame({"term": ["mech_before"], "odds_ratio": [2.0], "or_lo": [1.4]})
    synthetic = recovery_numbers(result, link, {"rule": "r", "mechanism_boost": 0.2}, "zh")
    real = recovery_numbers(result, link, None, "zh")
    assert set(synthetic) == set(real)
    assert synthetic["recovery_qca"].startswith("未计算") and synthetic["recovery_link"] == "是"
    assert real["recovery_boost"].startswith("不适用")
