"""Coding summaries, reliability and the framework matrix, pinned to outside references."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from analysis.codebook import codebook_frame
from analysis.coding import code_frequencies
from analysis.mechanisms import framework_matrix
from analysis.reliability import _alpha, character_agreement

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", p. 8: 4 observers x 12 units,
# nan = missing. Published nominal alpha: 0.743 (the PyPI krippendorff package: 0.7434).
KRIPPENDORFF_2011 = np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, np.nan, np.nan, np.nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, np.nan, 3],
    [np.nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, np.nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, np.nan],
])

CODES = codebook_frame({"codes": [
    {"id": "t", "parent": None, "label": {"zh": "主题", "en": "Theme"}},
    {"id": "t.a", "parent": "t", "label": {"zh": "甲", "en": "A"}},
    {"id": "t.b", "parent": "t", "label": {"zh": "乙", "en": "B"}},
    {"id": "b", "parent": None, "label": {"zh": "障碍", "en": "Barrier"}},
    {"id": "b.x", "parent": "b", "label": {"zh": "障碍甲", "en": "X"}},
]})


def test_alpha_matches_krippendorff_2011():
    # source: Krippendorff (2011) p. 8, nominal alpha = 0.743
    assert _alpha(KRIPPENDORFF_2011) == pytest.approx(0.7434, abs=5e-5)


def test_alpha_is_undefined_when_every_rating_is_the_same():
    assert _alpha(np.ones((2, 10), dtype=np.int8)) is None


def seg(rows):
    return pd.DataFrame(rows, columns=["segment_id", "document_id", "participant_id", "case_id", "code_id",
                                       "coder_id", "start", "end"])


def test_character_agreement_counts_boundaries_and_unused_codes():
    segments = seg([
        ("1", "d1", "p", "c", "t.a", "A", 0, 10), ("2", "d1", "p", "c", "t.a", "B", 0, 8),
        ("3", "d1", "p", "c", "t.b", "A", 12, 20),                       # coder B never used t.b
        ("4", "d2", "p", "c", "t.a", "A", 0, 5),                          # d2 is coded by A only
    ])
    docs = pd.DataFrame({"document_id": ["d1", "d2"], "n_chars": [20, 10]})
    per_code, overall = character_agreement(segments, docs, ["t.a", "t.b", "b.x"], ["A", "B"])
    per = per_code.set_index("code_id")
    assert overall["n_documents"] == 1 and overall["n_chars"] == 20
    assert per.loc["t.a", "percent_agreement"] == pytest.approx(18 / 20)
    assert per.loc["t.b", "coded_chars_B"] == 0 and per.loc["t.b", "alpha"] < 0
    assert per.loc["b.x", "alpha"] is None or np.isnan(per.loc["b.x", "alpha"])
    assert per.loc["b.x", "percent_agreement"] == 1.0


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
    props = {"P1": {"condition": "t", "contrary": ["b.x"]}}
    m = framework_matrix(segments, CODES, props, ["S1", "S2", "S3"]).set_index("case_id")
    assert m.loc["S1", ["n_support", "n_contrary"]].tolist() == [2, 1]
    assert m.loc["S2", "support_share"] == 0.0
    assert np.isnan(m.loc["S3", "support_share"])
