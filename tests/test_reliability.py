"""Intercoder reliability: coefficients pinned to published values, the character-level
coefficients checked against the libraries, edge cases, and the `casebook reliability` command."""

from __future__ import annotations

import json
import subprocess
import sys

import krippendorff
import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.inter_rater import aggregate_raters, cohens_kappa, fleiss_kappa

from analysis.methods.reliability import gwet_ac1, reliability_report
from analysis.methods.reliability import code_agreement, coefficients, disagreements, pattern_counts

THRESHOLDS = {"reliable": 0.800, "tentative": 0.667}

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", p. 8: 4 observers x 12 units.
KRIPPENDORFF_2011 = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
}
# Fleiss (1971) psychiatric diagnoses, 30 subjects x 6 raters, as in statsmodels'
# statsmodels/stats/tests/test_inter_rater.py (`diagnoses`).
DIAGNOSES = [
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5], [2, 2, 2, 4, 4, 4],
    [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4], [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5],
    [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4], [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5],
    [3, 3, 3, 3, 3, 5], [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4], [1, 4, 4, 4, 4, 5],
    [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4], [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
]
# tests/reference/README.md: a 10 subjects x 14 raters count table (5 categories); Fleiss' kappa 0.210.
COUNTS_14 = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
             [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]


def long_from_wide(wide: dict) -> pd.DataFrame:
    return pd.DataFrame([(u, c, v) for c, col in wide.items() for u, v in enumerate(col) if v is not None],
                        columns=["unit", "coder", "value"])


def long_from_table(table) -> pd.DataFrame:
    rows, unit = [], 0
    for i, row in enumerate(table):
        for j, n in enumerate(row):
            for _ in range(n):
                rows += [(unit, "A", i), (unit, "B", j)]
                unit += 1
    return pd.DataFrame(rows, columns=["unit", "coder", "value"])


@pytest.mark.parametrize("level,published", [
    ("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)])
def test_krippendorff_2011_alpha_at_every_level(level, published):
    # source: Krippendorff (2011) p. 8 (0.743 / 0.815 / 0.849 / 0.797); PyPI krippendorff 0.7434 / 0.8154 / 0.8491 / 0.7974
    report = reliability_report(long_from_wide(KRIPPENDORFF_2011).astype({"value": float}), level)
    assert report["krippendorff_alpha"] == pytest.approx(published, abs=5e-4)
    assert report["n_units"] == 12 and report["n_coders"] == 4 and report["cohen_kappa"] is None
    if level == "nominal":
        # units carry different numbers of ratings: Fleiss' kappa in Gwet's form for missing ratings.
        # source: irrCAC's fleiss.kappa.raw / gwet.ac1.raw on cac.raw4raters (this data), as the Python
        # port irrcac 0.4.4 prints them: kappa 0.76117 with pa 0.81818 and pe 0.23872
        assert report["fleiss_kappa"] == pytest.approx(0.76117, abs=5e-6)
        assert report["pairwise_agreement"] == pytest.approx(0.81818, abs=5e-6)
    else:
        assert report["fleiss_kappa"] is None and report["pairwise_agreement"] is None  # nominal only


def test_gwet_ac1_on_krippendorff_data():
    # source: irrCAC (Gwet's R package; Python port irrcac 0.4.4), gwet.ac1.raw(cac.raw4raters): AC1 = 0.77544
    ratings = pd.DataFrame(KRIPPENDORFF_2011, dtype=float)
    assert gwet_ac1(ratings) == pytest.approx(0.77544, abs=5e-6)


def test_cohen_kappa_statsmodels_table():
    # source: statsmodels/stats/tests/test_inter_rater.py, table [[0,4,1],[0,8,0],[0,1,5]]: kappa 0.4842 (SAS printout)
    report = reliability_report(long_from_table([[0, 4, 1], [0, 8, 0], [0, 1, 5]]), "nominal")
    assert report["cohen_kappa"] == pytest.approx(0.4842, abs=5e-5)


def test_fleiss_kappa_on_fleiss_1971_diagnoses():
    # source: R irr::kappam.fleiss(diagnoses) = 0.4302445 (statsmodels' test_inter_rater.py)
    long = pd.DataFrame([(u, f"r{j}", v) for u, row in enumerate(DIAGNOSES) for j, v in enumerate(row)],
                        columns=["unit", "coder", "value"])
    assert reliability_report(long, "nominal")["fleiss_kappa"] == pytest.approx(0.4302445, abs=1e-7)


def test_fleiss_kappa_on_the_14_rater_count_table():
    # source: tests/reference/README.md, count table of 10 subjects x 14 raters: Fleiss' kappa 0.210
    long = pd.DataFrame([(u, f"r{k}", cat) for u, row in enumerate(COUNTS_14)
                         for k, cat in enumerate(c for c, n in enumerate(row) for _ in range(n))],
                        columns=["unit", "coder", "value"])
    assert reliability_report(long, "nominal")["fleiss_kappa"] == pytest.approx(0.210, abs=5e-4)


@pytest.mark.parametrize("n_coders", [2, 3])
def test_character_coefficients_agree_with_the_libraries(n_coders):
    rng = np.random.default_rng(7)
    truth = rng.random(400) < 0.3
    data = np.array([truth ^ (rng.random(400) < 0.1) for _ in range(n_coders)], dtype=np.int8)
    pattern = (data * (1 << np.arange(n_coders))[:, None]).sum(0)
    stats = coefficients(np.bincount(pattern, minlength=2**n_coders), n_coders)
    assert stats["krippendorff_alpha"] == pytest.approx(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
    assert stats["percent_agreement"] == pytest.approx((data == data[0]).all(0).mean())
    if n_coders == 2:
        table = pd.crosstab(data[0], data[1]).to_numpy()
        assert stats["cohen_kappa"] == pytest.approx(cohens_kappa(table, return_results=False))
        assert np.isnan(stats["fleiss_kappa"])
    else:
        assert stats["fleiss_kappa"] == pytest.approx(fleiss_kappa(aggregate_raters(data.T)[0]))
        assert np.isnan(stats["cohen_kappa"])


def seg(rows):
    return pd.DataFrame(rows, columns=["document_id", "coder_id", "code_id", "start", "end"])


DOCS = pd.DataFrame({"document_id": ["d1", "d2", "d3"], "n_chars": [20, 10, 8],
                     "body": ["甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉", "一二三四五六七八九十", "空白的文档没有片段"[:8]]})


def test_edge_cases_never_used_one_coder_only_and_a_document_without_segments():
    segments = seg([
        ("d1", "A", "x", 0, 10), ("d1", "B", "x", 0, 8),
        ("d1", "A", "y", 12, 20),                      # y: used by coder A only
        ("d2", "A", "x", 0, 5),                        # d2 coded by A only: not double-coded
    ])                                                 # d3 has no segments at all
    per, overall = code_agreement(segments, DOCS, ["x", "y", "z"], ["A", "B"], n_boot=200, seed=1, thresholds=THRESHOLDS)
    per = per.set_index("code_id")
    assert overall["n_documents"] == 1 and overall["n_chars"] == 20
    assert per.loc["x", "percent_agreement"] == pytest.approx(18 / 20)
    assert per.loc["y", "chars_B"] == 0 and per.loc["y", "krippendorff_alpha"] < 0
    # z was never used: every rating is "absent", so alpha and kappa are undefined and flagged so
    assert np.isnan(per.loc["z", "krippendorff_alpha"]) and np.isnan(per.loc["z", "cohen_kappa"])
    assert per.loc["z", "flag"] == "undefined" and per.loc["z", "percent_agreement"] == 1.0


def test_all_units_identical_leaves_alpha_undefined_in_words():
    from analysis.report.tables import reliability_table

    segments = seg([("d1", "A", "x", 0, 20), ("d1", "B", "x", 0, 20)])
    per, overall = code_agreement(segments, DOCS, ["x"], ["A", "B"], n_boot=100, seed=1, thresholds=THRESHOLDS)
    assert overall["krippendorff_alpha"] is None and overall["flag"] == "undefined"
    codes = pd.DataFrame({"code_id": ["x"], "label_zh": ["甲"]})
    table = reliability_table(per, codes, "zh")
    assert table.iloc[0]["Krippendorff α"] == "无法计算"
    assert "nan" not in table.to_string().lower()


def test_no_double_coded_document_gives_undefined_not_an_error():
    per, overall = code_agreement(seg([("d1", "A", "x", 0, 5)]), DOCS, ["x"], ["A", "B"], n_boot=100, seed=1,
                                  thresholds=THRESHOLDS)
    assert overall["n_documents"] == 0 and overall["krippendorff_alpha"] is None
    assert per.loc[0, "flag"] == "undefined"


def test_bootstrap_is_seeded_and_brackets_the_estimate():
    rng = np.random.default_rng(3)
    rows = []
    for d in range(8):
        for start in range(0, 200, 20):
            if rng.random() < 0.5:
                rows.append((f"d{d}", "A", "x", start, start + 10))
                if rng.random() < 0.8:
                    rows.append((f"d{d}", "B", "x", start + int(rng.integers(0, 3)), start + 10))
        rows.append((f"d{d}", "B", "y", 0, 1))  # make sure both coders coded every document
        rows.append((f"d{d}", "A", "y", 0, 1))
    docs = pd.DataFrame({"document_id": [f"d{d}" for d in range(8)], "n_chars": [200] * 8})
    a = code_agreement(seg(rows), docs, ["x"], ["A", "B"], n_boot=300, seed=11, thresholds=THRESHOLDS)[1]
    b = code_agreement(seg(rows), docs, ["x"], ["A", "B"], n_boot=300, seed=11, thresholds=THRESHOLDS)[1]
    c = code_agreement(seg(rows), docs, ["x"], ["A", "B"], n_boot=300, seed=12, thresholds=THRESHOLDS)[1]
    assert a == b
    assert a["krippendorff_alpha_lo"] != c["krippendorff_alpha_lo"]
    assert a["krippendorff_alpha_lo"] <= a["krippendorff_alpha"] <= a["krippendorff_alpha_hi"]


def test_pattern_counts_cover_every_character():
    segments = seg([("d1", "A", "x", 0, 10), ("d1", "B", "x", 5, 15)])
    docs, counts = pattern_counts(segments, DOCS, ["x"], ["A", "B"])
    assert docs == ["d1"] and counts[0, 0].tolist() == [5, 5, 5, 5]  # neither, A only, B only, both


def test_disagreement_report_separates_confusions_from_omissions():
    segments = seg([("d1", "A", "x", 0, 10), ("d1", "B", "x", 0, 8), ("d1", "B", "y", 0, 10), ("d1", "A", "z", 15, 18)])
    table = disagreements(segments, DOCS, ["x", "y", "z"], ["A", "B"])
    rows = {(r.code_id, r.start, r.end): r for r in table.itertuples()}
    assert rows[("x", 8, 10)].applied_by == "A" and rows[("x", 8, 10)].not_applied_by == "B"
    assert rows[("x", 8, 10)].other_codes_there == "y"          # B put another code there
    assert rows[("x", 8, 10)].text == DOCS.loc[0, "body"][8:10]
    assert rows[("y", 0, 10)].applied_by == "B" and rows[("y", 0, 10)].other_codes_there == "x"
    assert rows[("z", 15, 18)].other_codes_there == ""          # B coded nothing there
    assert len(table) == 3


# --- the command line ---------------------------------------------------------------------------

def run_cli(path, *args):
    return subprocess.run([sys.executable, "-m", "analysis.cli", "reliability", str(path), *args],
                          capture_output=True, text=True)


def test_command_prints_the_published_values(tmp_path):
    path = tmp_path / "k.csv"
    long_from_wide(KRIPPENDORFF_2011).astype({"value": int}).to_csv(path, index=False)
    out = json.loads(run_cli(path, "--level", "interval").stdout)
    assert set(out) >= {"n_units", "n_coders", "percent_agreement", "krippendorff_alpha", "cohen_kappa",
                        "fleiss_kappa", "gwet_ac1"}
    assert out["krippendorff_alpha"] == pytest.approx(0.849, abs=5e-4)  # Krippendorff (2011) p. 8
    assert out["fleiss_kappa"] is None and out["gwet_ac1"] is None        # nominal-only coefficients
    nominal = json.loads(run_cli(path).stdout)
    assert nominal["krippendorff_alpha"] == pytest.approx(0.743, abs=5e-4)
    assert nominal["gwet_ac1"] == pytest.approx(0.77544, abs=5e-6)


@pytest.mark.parametrize("content,message", [
    ("unit,rater,value\n1,A,1\n1,B,1\n", "coder is missing"),
    ("unit,coder,value\n1,A,1\n2,A,2\n", "only 1 coder"),
    ("unit,coder,value\n1,A,1\n2,B,2\n", "no unit was rated by two"),
    ("unit,coder,value\n1,A,one\n1,B,2\n", "'one' is not a valid interval value"),
    ("unit,coder,value\n1,A,1\n1,A,2\n1,B,2\n", "more than once"),
])
def test_bad_files_exit_2_with_a_clear_message(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    run = run_cli(path, "--level", "interval")
    assert run.returncode == 2
    assert message in run.stderr and str(path) in run.stderr
    assert "Traceback" not in run.stderr and run.stdout == ""


def test_a_missing_file_exits_2(tmp_path):
    run = run_cli(tmp_path / "nope.csv")
    assert run.returncode == 2 and "does not exist" in run.stderr


def _documents(n_docs: int, seed: int) -> np.ndarray:
    # documents x 1 code x 4 patterns (neither, A only, B only, both), agreement varying by document
    rng = np.random.default_rng(seed)
    out = np.zeros((n_docs, 1, 4), dtype=np.int64)
    for d in range(n_docs):
        agree = rng.uniform(0.6, 0.95)
        out[d, 0] = rng.multinomial(400, [0.7 * agree, 0.15 * (1 - agree), 0.15 * (1 - agree),
                                          1 - 0.7 * agree - 0.3 * (1 - agree)])
    return out


def test_resampled_sums_are_the_sums_of_the_documents_drawn():
    from analysis.methods.reliability import resampled_sums

    counts = _documents(7, 1)
    draws = np.random.default_rng(2).integers(0, 7, size=(5, 7))
    assert (resampled_sums(counts, draws) == np.stack([counts[i].sum(0) for i in draws])).all()


def test_bca_bounds_worked_by_hand():
    # Efron & Tibshirani (1993), eqs. 14.9-14.15, on replicates 1..9 of an estimate of 4.5 with
    # jackknife values 0, 1, 3. z0 = PHI^-1(4/9) = -0.139710 (four replicates below the estimate);
    # the jackknife mean is 4/3, deviations 4/3, 1/3, -5/3, so a = sum(d^3) / (6 sum(d^2)^1.5)
    # = (-60/27) / (6 (42/9)^1.5) = -0.036739. The lower bound's share is
    # PHI(z0 + (z0 - 1.959964) / (1 - a (z0 - 1.959964))) = 0.007870, the upper one's 0.941378;
    # on nine ordered replicates (linear interpolation) the bounds are 1 + 8 q: 1.062960 and 8.531023.
    from analysis.methods.reliability import _bca

    lo, hi = _bca(np.arange(1.0, 10.0)[:, None], np.array([4.5]), np.array([[0.0], [1.0], [3.0]]), 0.025)
    assert (lo[0], hi[0]) == pytest.approx((1.062960, 8.531023), abs=1e-6)


def test_bca_interval_agrees_with_scipys():
    # scipy.stats.bootstrap(method="BCa") is an independent implementation of Efron (1987) on the
    # same resampling of documents; with 20,000 resamples each, the bounds agree to Monte Carlo error.
    from scipy.stats import bootstrap as scipy_bootstrap

    from analysis.methods.reliability import bootstrap, coefficients

    counts = _documents(25, 3)
    ours = bootstrap(counts, 2, 20000, 5, method="bca")["krippendorff_alpha"]
    alpha = lambda idx: coefficients(counts[idx.astype(int)].sum(0), 2)["krippendorff_alpha"][0]  # noqa: E731
    theirs = scipy_bootstrap((np.arange(25.0),), alpha, vectorized=False, n_resamples=20000, method="BCa",
                             random_state=np.random.default_rng(6)).confidence_interval
    assert (ours[0][0], ours[1][0]) == pytest.approx((theirs.low, theirs.high), abs=0.004)


def test_interval_coverage_is_near_nominal_with_many_documents_and_counts_misses():
    # With 60 documents the percentile interval should cover about 95% of the time; the check
    # can fail in both directions (a bound mixed up gives 0, an interval of everything gives 1).
    from analysis.methods.reliability import interval_coverage

    cover, high = interval_coverage(_documents(60, 4), 2, 100, 400, 7)
    assert 0.85 <= cover[0] <= 1.0 and high[0] <= 1 - cover[0] + 1e-12
    # a 10% interval cannot cover 95% of the time, and misses on both sides
    narrow, high = interval_coverage(_documents(60, 4), 2, 100, 400, 7, level=0.10)
    assert narrow[0] < 0.4 and 0.1 < high[0] < 1 - narrow[0]


def test_character_ac1_worked_by_hand():
    # Gwet (2008; 2014, ch. 4) for two coders and two categories: pa = share of agreeing units,
    # pe = 2 p (1 - p) with p the mean share of "present" ratings. For 80 neither, 5 A only, 5 B only
    # and 10 both: pa = 0.9, p = (15 + 15) / 200 = 0.15, pe = 0.255, AC1 = 0.645 / 0.745 = 0.865772.
    stats = coefficients(np.array([80, 5, 5, 10]), 2)
    assert stats["gwet_ac1"] == pytest.approx(0.645 / 0.745, abs=1e-9)
