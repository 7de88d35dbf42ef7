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
    m = framework_matrix(segments, CODES, props, ["S1", "S2", "S3"]).set_index("case_id")
    # the outcome code t.b lies inside the condition theme t but is never counted as its support
    assert m.loc["S1", ["n_support", "n_outcome", "n_contrary"]].tolist() == [2, 1, 1]
    assert m.loc["S2", "support_share"] == 0.0
    assert np.isnan(m.loc["S3", "support_share"])
