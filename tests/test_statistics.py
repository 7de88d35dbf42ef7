"""Coding summaries and the framework matrix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from analysis.methods.codebook import codebook_frame
from analysis.methods.coding import code_frequencies
from analysis.methods.mechanisms import framework_matrix

CODES = codebook_frame({"codes": [
    {"id": "t", "parent": None, "label": {"zh": "主题", "en": "Theme"}},
    {"id": "t.a", "parent": "t", "label": {"zh": "甲", "en": "A"}},
    {"id": "t.b", "parent": "t", "label": {"zh": "乙", "en": "B"}},
    {"id": "b", "parent": None, "label": {"zh": "障碍", "en": "Barrier"}},
    {"id": "b.x", "parent": "b", "label": {"zh": "障碍甲", "en": "X"}},
]})


def seg(rows):
    return pd.DataFrame(rows, columns=["segment_id", "document_id", "participant_id", "case_id", "code_id",
                                       "coder_id", "start", "end"])


def test_code_frequencies_roll_up_and_wilson_intervals():
    segments = seg([
        ("1", "d1", "p1", "c1", "t.a", "A", 0, 1), ("2", "d1", "p1", "c1", "t.b", "A", 2, 3),
        ("3", "d2", "p2", "c2", "t.a", "A", 0, 1), ("4", "d3", "", "c2", "b.x", "A", 0, 1),
    ])
    docs = pd.DataFrame({"document_id": ["d1", "d2", "d3", "d4"]})
    people = pd.DataFrame({"participant_id": ["p1", "p2", "p3"]})
    freq = code_frequencies(segments, CODES, docs, people).set_index("code_id")
    assert freq.loc["t", ["n_segments", "n_documents", "n_participants", "n_stations"]].tolist() == [3, 2, 2, 2]
    assert freq.loc["b.x", "n_participants"] == 0  # a document segment has no speaker
    lo, hi = proportion_confint(2, 4, method="wilson")
    assert (freq.loc["t", "share_documents_lo"], freq.loc["t", "share_documents_hi"]) == pytest.approx((lo, hi))
    # Wilson interval for 2/4 at 95%: 0.1500 to 0.8500 (Wilson 1927 score interval, by hand)
    assert (lo, hi) == pytest.approx((0.1500, 0.8500), abs=1e-4)


def test_a_code_never_used_has_zero_counts():
    segments = seg([("1", "d1", "p1", "c1", "t.a", "A", 0, 1)])
    freq = code_frequencies(segments, CODES, pd.DataFrame({"document_id": ["d1"]}),
                            pd.DataFrame({"participant_id": ["p1"]})).set_index("code_id")
    assert freq.loc["t.b", "n_segments"] == 0 and freq.loc["t.b", "share_documents_lo"] == 0


def test_framework_matrix_counts_support_and_contrary():
    segments = seg([
        ("1", "d1", "p", "S1", "t.a", "A", 0, 1), ("2", "d1", "p", "S1", "t", "A", 0, 1),
        ("3", "d1", "p", "S1", "b.x", "A", 0, 1), ("4", "d2", "p", "S2", "b.x", "A", 0, 1),
    ])
    props = {"P1": {"condition": "t", "outcome": "t.b", "contrary": ["b.x"]}}
    segments.loc[len(segments)] = ("5", "d1", "p", "S1", "t.b", "A", 0, 1)
    segments.loc[len(segments)] = ("6", "d1", "p", "S1", "t.a", "A", 2, 3)
    m = framework_matrix(segments, CODES, props, ["S1", "S2", "S3"]).set_index("case_id")
    # the outcome code t.b lies inside the condition theme t but is never counted as its support; the
    # span d1 0-1 carries t.a and t and counts once, the span d1 2-3 once more: two supporting spans
    assert m.loc["S1", ["n_support", "n_outcome", "n_contrary"]].tolist() == [2, 1, 1]
    assert m.loc["S1", "support_share"] == pytest.approx(2 / 3)
    assert m.loc["S2", "support_share"] == 0.0
    assert np.isnan(m.loc["S3", "support_share"])


def test_clustered_wilson_worked_by_hand():
    # Three stations of 4 documents; the code is in 4, 0 and 2 of them: p = 6/12 = 0.5.
    # Robust variance 3/2 * ((4-2)^2 + (0-2)^2 + (2-2)^2) / 12^2 = 1/12; SRS variance 0.25/12 = 1/48;
    # deff = 4, n_eff = 3; t(2) 0.975 quantile 4.302653 (any t table). Wilson on (0.5, 3, z = 4.302653):
    # centre 0.5, half-width z/(1 + z^2/3) * sqrt(0.25/3 + z^2/36) = 0.463829.
    from analysis.methods.coding import clustered_wilson

    deff, lo, hi = clustered_wilson(np.array([[4.0, 0.0, 2.0]]), np.array([4.0, 4.0, 4.0]))
    assert deff[0] == pytest.approx(4.0)
    assert (lo[0], hi[0]) == pytest.approx((0.5 - 0.463829, 0.5 + 0.463829), abs=1e-5)


def test_clustered_wilson_never_narrower_than_independent_units():
    # Every station has the same share: the robust variance is 0, the design effect is capped at 1,
    # and only the t(G - 1) quantile (here t(3) = 3.182446) widens Wilson's interval.
    from analysis.methods.coding import clustered_wilson

    deff, lo, hi = clustered_wilson(np.array([[2.0, 2.0, 2.0, 2.0], [0.0, 0.0, 0.0, 0.0]]), np.full(4, 4.0))
    assert deff.tolist() == [1.0, 1.0]
    z = 3.182446
    centre, half = (0.5 + z**2 / 32) / (1 + z**2 / 16), z / (1 + z**2 / 16) * np.sqrt(0.25 / 16 + z**2 / 1024)
    assert (lo[0], hi[0]) == pytest.approx((centre - half, centre + half), abs=1e-6)
    normal = proportion_confint(8, 16, method="wilson")
    assert lo[0] < normal[0] and hi[0] > normal[1]
    assert lo[1] == 0 and 0 < hi[1] < 1  # a code nobody used: Wilson's interval from 0


def test_pooled_frequencies_carry_the_clustered_interval():
    segments = seg([("1", "d1", "p1", "c1", "t.a", "A", 0, 1), ("2", "d2", "p2", "c1", "t.a", "A", 0, 1),
                    ("3", "d3", "p3", "c2", "b.x", "A", 0, 1)])
    docs = pd.DataFrame({"document_id": ["d1", "d2", "d3", "d4"], "case_id": ["c1", "c1", "c2", "c2"]})
    people = pd.DataFrame({"participant_id": ["p1", "p2", "p3", "p4"], "case_id": ["c1", "c1", "c2", "c2"]})
    freq = code_frequencies(segments, CODES, docs, people).set_index("code_id")
    # t.a: 2 of 2 documents in c1, 0 of 2 in c2: robust variance 2 * (1 + 1) / 16 = 0.25, SRS 0.0625, deff 4
    assert freq.loc["t.a", "deff_documents"] == pytest.approx(4.0)
    assert freq.loc["t.a", "share_documents_clu_lo"] < freq.loc["t.a", "share_documents_lo"]


def test_benjamini_hochberg_on_their_own_worked_example():
    # Benjamini & Hochberg (1995), sec. 4.1: the 15 p-values of Neuhaus et al.; at q = 0.05 the
    # step-up procedure rejects the four smallest (Bonferroni only three).
    from analysis.methods.multiplicity import fdr_adjust

    p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262, 0.5719,
         0.6528, 0.7590, 1.000]
    adjusted = fdr_adjust(p)
    assert (adjusted <= 0.05).sum() == 4 and adjusted[3] <= 0.05 < adjusted[4]
    # with a missing p-value in the family, the others are adjusted over the 15 that exist
    assert np.allclose(fdr_adjust(p + [float("nan")])[:15], adjusted)


def _two_speaker_strata():
    # Stations S1 and S2, each with one resident and one cadre. S1's resident: 3 spans, all with code a;
    # S1's cadre: 3 spans without. S2: resident 2 spans with a, cadre 2 without.
    rows = []
    for station, size in (("S1", 3), ("S2", 2)):
        for who, has in (("resident", True), ("cadre", False)):
            for k in range(size):
                rows.append({"document_id": f"{station}-{who}", "start": k, "end": k + 1, "case_id": station,
                             "participant_id": f"{station}-{who}", "actor_type": who, "codes": ["a"] if has else ["b"]})
    return pd.DataFrame(rows)


def test_speaker_permutation_is_exact_on_a_case_enumerated_by_hand():
    # Shuffling actor types among the two speakers of each station gives 2 x 2 = 4 equally likely
    # tables: as observed [[5, 0], [0, 5]], both swapped (its mirror), and two mixed ones [[2, 3], [3, 2]]
    # and [[3, 2], [2, 3]]. Two of the four are as extreme as the observed, so the exact p-value is
    # 2/4 = 0.5, while the 10 spans taken as independent give X2 = 10 on 1 df, p = 0.0016: the
    # clustering is the whole difference.
    from analysis.methods.coding import code_by_category

    unit = _two_speaker_strata()
    cells, tests = code_by_category(unit, unit["actor_type"], ["a"], {}, ["resident", "cadre"], seed=7,
                                    cluster=unit["participant_id"], stratum=unit["case_id"],
                                    labels_belong_to="cluster", n_permutations=4000, min_expected=0)
    row = tests.iloc[0]
    assert row["x2"] == pytest.approx(10.0) and row["n_clusters"] == 4
    # Under the shuffles the residents' spans with a are 5, 0, 2 or 3 (each 1/4): mean 2.5, SD
    # sqrt(13/4) = 1.8028, so the observed 5 is z = 1.3868 and the cadres' cell the same with the
    # opposite sign: T = 2 * 1.3868^2 = 3.846 (here from 4,000 sampled shuffles)
    assert row["statistic"] == pytest.approx(2 * 2.5**2 / 3.25, abs=0.05)
    assert cells["perm_z"].tolist() == pytest.approx([1.3868, -1.3868], abs=0.03)
    assert row["p_value"] == pytest.approx(0.5, abs=0.03)
    assert row["p_spans"] == pytest.approx(0.001565, abs=1e-5)  # chi-square 10 on 1 df
    assert cells["p_perm"].tolist() == pytest.approx([0.5, 0.5], abs=0.03)


def test_span_permutation_stays_within_each_speaker():
    # Two speakers, each with one span of code a in phase X and one span without it in phase Y.
    # Shuffling phases within each speaker: 4 equally likely outcomes, two with the observed table
    # [[2, 0], [0, 2]] or its mirror (X2 = 4), two with [[1, 1], [1, 1]] (X2 = 0): exact p = 0.5.
    from analysis.methods.coding import code_by_category

    unit = pd.DataFrame({"participant_id": ["p", "p", "q", "q"], "codes": [["a"], ["b"], ["a"], ["b"]],
                         "phase": ["X", "Y", "X", "Y"], "case_id": "S1"})
    _, tests = code_by_category(unit, unit["phase"], ["a"], {}, ["X", "Y"], seed=3, cluster=unit["participant_id"],
                                stratum=unit["participant_id"], labels_belong_to="span", n_permutations=4000)
    # the spans of X with a are 2, 0, 1 or 1 under the shuffles: mean 1, SD 0.7071, z = 1.4142 and T = 4
    assert tests.iloc[0]["x2"] == pytest.approx(4.0) and tests.iloc[0]["statistic"] == pytest.approx(4.0, abs=0.1)
    assert tests.iloc[0]["p_value"] == pytest.approx(0.5, abs=0.03)


def test_shuffles_keep_every_stratums_labels():
    from analysis.methods.permutation import shuffled_labels, stratum_layout

    labels = np.array([0, 1, 1, 2, 0, 2, 2])
    strata = np.array(["x", "x", "y", "y", "y", "z", "w"])
    draws = shuffled_labels(labels, stratum_layout(strata), 200, np.random.default_rng(1))
    for s in np.unique(strata):
        members = strata == s
        assert all(sorted(d[members]) == sorted(labels[members]) for d in draws)
    assert len({tuple(d) for d in draws}) > 1  # something does move


@pytest.mark.parametrize("column, value, message", [("actor_type", "cadre", "more than one category"),
                                                    ("case_id", "S2", "more than one station")])
def test_a_speaker_with_two_actor_types_or_in_two_stations_is_refused(column, value, message):
    from analysis.methods.coding import code_by_category

    unit = _two_speaker_strata()
    unit.loc[0, column] = value
    with pytest.raises(ValueError, match=message):
        code_by_category(unit, unit["actor_type"], ["a"], {}, ["resident", "cadre"], seed=7,
                         cluster=unit["participant_id"], stratum=unit["case_id"], labels_belong_to="cluster",
                         n_permutations=99)


def test_adjusted_residuals_match_agrestis_party_identification_table():
    # Agresti (2007), An Introduction to Categorical Data Analysis, 2nd ed., Tables 2.5 and 2.6:
    # X2 = 30.1 (df 2) and the adjusted residuals of the female row 4.50, 0.70, -5.32.
    from analysis.methods.permutation import table_statistics

    x2, resid = table_statistics(np.array([[762, 327, 468]]), np.array([1246, 566, 945]), np.array([1557]), 2757)
    assert x2[0] == pytest.approx(30.07, abs=0.01)
    assert resid[0].tolist() == pytest.approx([4.50, 0.70, -5.32], abs=0.005)


def test_a_single_station_leaves_the_clustered_interval_undefined():
    from analysis.methods.coding import clustered_wilson

    deff, lo, hi = clustered_wilson(np.array([[2.0]]), np.array([4.0]))
    assert np.isnan(deff[0]) and np.isnan(lo[0]) and np.isnan(hi[0])
