"""Coding summaries: how often each code and theme was applied, and where.

Counts roll up the code tree: a theme counts every segment coded at the theme
or at any code beneath it. Shares of documents and of participants carry Wilson
95% intervals (statsmodels' ``proportion_confint``).
"""

from __future__ import annotations

import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from analysis.codebook import ancestors


def primary_coding(segments: pd.DataFrame, coder: str) -> pd.DataFrame:
    """The segments of the coder whose coding is used downstream."""
    return segments[segments["coder_id"] == coder]


def code_frequencies(segments: pd.DataFrame, codes: pd.DataFrame, documents: pd.DataFrame,
                     participants: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Segments, documents, participants and stations per code, rolled up the tree.

    Parameters
    ----------
    segments : DataFrame
        One row per coding, columns ``segment_id, document_id, participant_id,
        case_id, code_id`` (one coder's coding).
    codes : DataFrame
        The codebook table (``code_id, parent, label_zh, label_en, depth, theme, order``).
    documents, participants : DataFrame
        The denominators: every document and every participant of the corpus.
    alpha : float
        1 - confidence level of the Wilson intervals.

    Returns
    -------
    DataFrame
        One row per code in codebook order with ``n_segments, n_documents,
        n_participants, n_stations``, ``share_documents`` and
        ``share_participants`` with ``_lo``/``_hi`` Wilson bounds. A code never
        used has zeros, not a missing row.

    Examples
    --------
    >>> codes = pd.DataFrame({"code_id": ["t", "t.a", "t.b"], "parent": [None, "t", "t"],
    ...     "label_zh": ["主题", "甲", "乙"], "label_en": ["T", "A", "B"], "depth": [0, 1, 1],
    ...     "theme": ["t", "t", "t"], "order": [0, 1, 2]})
    >>> seg = pd.DataFrame({"segment_id": ["s1", "s2"], "document_id": ["d1", "d2"],
    ...     "participant_id": ["p1", "p1"], "case_id": ["c1", "c1"], "code_id": ["t.a", "t.a"]})
    >>> docs = pd.DataFrame({"document_id": ["d1", "d2", "d3"]})
    >>> people = pd.DataFrame({"participant_id": ["p1", "p2"]})
    >>> code_frequencies(seg, codes, docs, people)[["code_id", "n_segments", "n_documents"]].values.tolist()
    [['t', 2, 2], ['t.a', 2, 2], ['t.b', 0, 0]]
    """
    chains = ancestors(codes)
    rolled = segments.assign(rolled=segments["code_id"].map(chains)).explode("rolled")
    rolled = rolled.drop_duplicates(["segment_id", "rolled"])
    speaking = rolled[rolled["participant_id"].fillna("") != ""]
    counts = pd.DataFrame({
        "n_segments": rolled.groupby("rolled")["segment_id"].nunique(),
        "n_documents": rolled.groupby("rolled")["document_id"].nunique(),
        "n_participants": speaking.groupby("rolled")["participant_id"].nunique(),
        "n_stations": rolled.groupby("rolled")["case_id"].nunique(),
    })
    out = codes.sort_values("order")[["code_id", "parent", "theme", "depth", "label_zh", "label_en"]].set_index("code_id")
    out = out.join(counts).fillna({c: 0 for c in counts.columns})
    for col in counts.columns:
        out[col] = out[col].astype(int)
    for unit, total in (("documents", len(documents)), ("participants", len(participants))):
        n = out[f"n_{unit}"]
        out[f"share_{unit}"] = n / total if total else float("nan")
        lo, hi = proportion_confint(n, total, alpha=alpha, method="wilson") if total else (float("nan"),) * 2
        out[f"share_{unit}_lo"], out[f"share_{unit}_hi"] = lo, hi
    return out.reset_index()
