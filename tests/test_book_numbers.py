"""The book's words for analyses that cannot be computed with the cases at hand."""

import pandas as pd

from analysis.report.numbers import qca_numbers, reliability_numbers

THRESHOLDS = {"reliable": 0.8, "tentative": 0.667}
CODES = pd.DataFrame({"code_id": ["a"], "label_zh": ["甲"], "label_en": ["A"]})


def _per_code(alpha, lo=None, flag="undefined"):
    lo = alpha if lo is None else lo
    return pd.DataFrame({"code_id": ["a"], "krippendorff_alpha": [alpha], "krippendorff_alpha_lo": [lo],
                         "krippendorff_alpha_hi": [alpha], "flag": [flag]})


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


def test_codes_are_counted_as_reliable_by_their_lower_bound_not_their_point_estimate():
    # alpha 0.85 but a lower bound of 0.70: the flag (from the lower bound) says tentative
    overall = {"n_documents": 2, "n_chars": 900, "n_coders": 2, "krippendorff_alpha": 0.85, "percent_agreement": 0.9,
               "coded_agreement": 0.7}
    out = reliability_numbers(overall, _per_code(0.85, 0.70, "tentative"), CODES, 4, THRESHOLDS, "zh")
    assert (out["n_codes_reliable"], out["n_codes_tentative"], out["n_codes_reliable_point"]) == ("0", "1", "1")


def test_too_few_stations_for_qca_is_said_with_the_setting_to_change():
    result = {"status": {"computed": False, "n_cases": 3, "min_cases": 6, "adjusted": []}, "solutions": {}}
    out = qca_numbers(result, pd.DataFrame(columns=["condition", "incl"]), "zh")
    assert "qca.min_cases" in out["qca_note"] and "3" in out["qca_note"] and "6" in out["qca_note"]
    assert out["qca_intermediate"] == out["qca_status"]
    english = qca_numbers(result, pd.DataFrame(columns=["condition", "incl"]), "en")
    assert english["qca_note"].startswith("**Not computed.**")


def test_recovery_numbers_have_the_same_keys_for_real_and_synthetic_data():
    """The book uses every key in both cases; a missing one would stop the build with real data."""
    from analysis.report.numbers import recovery_numbers

    result = {"status": {"computed": False}, "solutions": {}}
    link = pd.DataFrame({"term": ["mech_before"], "odds_ratio": [2.0], "or_lo": [1.4]})
    synthetic = recovery_numbers(result, link, {"rule": "r", "mechanism_boost": 0.2}, "zh")
    real = recovery_numbers(result, link, None, "zh")
    assert set(synthetic) == set(real)
    assert "未计算" in synthetic["recovery_qca"] and synthetic["recovery_link"].endswith("找回了预设的联系")
    assert real["recovery_boost"].startswith("不适用")


def test_a_study_without_double_coding_runs_the_whole_reliability_stage(project, tmp_path):
    """From the corpus to the table, figure, disagreement list and book numbers, with one coder only."""
    from analysis.report.numbers import disagreement_numbers
    from analysis.inputs.corpus import build_corpus
    from analysis.report.figures import alpha_forest, use_cjk_font
    from analysis.methods.reliability import code_agreement, disagreements
    from analysis.report.tables import reliability_table
    from analysis.inputs.schemas import load_schemas
    from analysis.inputs.validate import validate_project
    from conftest import CONFIG

    schemas = load_schemas(project / "workflow" / "schemas")
    raw, problems = validate_project(project, CONFIG, "config.yaml", schemas)
    assert problems == []
    tables = build_corpus(raw, schemas)
    segments = tables["segments"].query("coder_id == 'C1'")
    documents = tables["documents"].assign(coded_by="C1")
    leaves = tables["codes"].loc[tables["codes"]["is_leaf"], "code_id"].tolist()
    per_code, overall = code_agreement(segments, documents, leaves, ["C1", "C2"], 20, 1, THRESHOLDS)
    assert overall["n_documents"] == 0 and per_code["krippendorff_alpha"].isna().all()
    assert len(reliability_table(per_code, tables["codes"], "zh")) == len(leaves)
    use_cjk_font()
    alpha_forest(per_code, overall, {c: c for c in leaves}, THRESHOLDS,
                 {"undefined": "无法计算", "overall": "合并", "xlabel": "α"}).savefig(tmp_path / "forest.png")
    listed = disagreements(segments, documents, leaves, ["C1", "C2"])
    assert len(listed) == 0 and disagreement_numbers(listed)["n_disagreements"] == "0"
    out = reliability_numbers(overall, per_code, tables["codes"], len(documents), THRESHOLDS, "zh")
    assert out["reliability_note"].startswith("**本节无法计算。**")


def test_the_solutions_and_necessity_sentences_in_the_book_say_each_case_in_words():
    # the three solutions the same (the synthetic study's case) are said once, not three times
    solved = {"status": {"computed": True, "n_cases": 15, "min_cases": 6, "adjusted": []},
              "solutions": {k: [{"expression": "inst*cap + inst*inc", "incl": 0.9, "cov": 0.8, "terms": [], "easy": [],
                                 "from": ["C1P1"]}] for k in ("conservative", "parsimonious", "intermediate")},
              "checks": {}}
    necessity = pd.DataFrame({"condition": ["inst", "cap"], "incl": [0.95, 0.6]})
    labels = {"inst": "制度框架", "cap": "主体能力", "inc": "持续激励"}
    out = qca_numbers(solved, necessity, "zh", 0.9, labels)
    # each set by its label, and no '*' for Markdown to read as emphasis
    assert out["qca_solutions_sentence"] == "三种解相同：制度框架 × 主体能力 + 制度框架 × 持续激励"
    assert out["qca_necessity_sentence"] == "只有制度框架的一致性达到 0.90（0.95）"
    none = qca_numbers(solved, necessity.assign(incl=[0.5, 0.6]), "zh", 0.9, labels)["qca_necessity_sentence"]
    assert none == "没有条件的一致性达到 0.90，最高的是主体能力（0.60）"
