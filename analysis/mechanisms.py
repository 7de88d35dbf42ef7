"""Mechanism analyses: weighing the coded evidence for and against each proposition.

A proposition (config ``propositions``) names a condition theme, whose codes are
its supporting evidence, and contrary codes (barriers) that disconfirm or
complicate it. The framework matrix crosses stations with propositions.
"""

from __future__ import annotations

import pandas as pd

from analysis.codebook import ancestors


def evidence_roles(codes: pd.DataFrame, propositions: dict) -> pd.DataFrame:
    """Which codes count as support or as contrary evidence for which proposition.

    Examples
    --------
    >>> codes = pd.DataFrame({"code_id": ["i", "i.a", "b", "b.x"], "parent": [None, "i", None, "b"]})
    >>> evidence_roles(codes, {"P1": {"condition": "i", "contrary": ["b.x"]}}).values.tolist()
    [['P1', 'i', 'support'], ['P1', 'i.a', 'support'], ['P1', 'b.x', 'contrary']]
    """
    chains = ancestors(codes)
    rows = []
    for name, prop in propositions.items():
        rows += [(name, c, "support") for c in codes["code_id"] if prop["condition"] in chains[c]]
        rows += [(name, c, "contrary") for c in prop["contrary"]]
    return pd.DataFrame(rows, columns=["proposition", "code_id", "role"])


def framework_matrix(segments: pd.DataFrame, codes: pd.DataFrame, propositions: dict,
                     stations: list[str]) -> pd.DataFrame:
    """Stations x propositions: supporting and contrary segments and the support share.

    Returns
    -------
    DataFrame
        Long table ``case_id, proposition, n_support, n_contrary, support_share``
        for every station and proposition (zeros where nothing was coded; the
        share is missing when neither kind of evidence exists).

    Examples
    --------
    >>> codes = pd.DataFrame({"code_id": ["i", "i.a", "b", "b.x"], "parent": [None, "i", None, "b"]})
    >>> seg = pd.DataFrame({"case_id": ["S1", "S1", "S1"], "code_id": ["i.a", "i.a", "b.x"], "segment_id": ["1", "2", "3"]})
    >>> framework_matrix(seg, codes, {"P1": {"condition": "i", "contrary": ["b.x"]}}, ["S1", "S2"]).values.tolist()
    [['S1', 'P1', 2, 1, 0.6666666666666666], ['S2', 'P1', 0, 0, nan]]
    """
    roles = evidence_roles(codes, propositions)
    tagged = segments.merge(roles, on="code_id")
    counts = tagged.pivot_table(index=["case_id", "proposition"], columns="role", values="segment_id",
                                aggfunc="nunique", fill_value=0)
    grid = pd.MultiIndex.from_product([stations, list(propositions)], names=["case_id", "proposition"])
    counts = counts.reindex(grid, fill_value=0).reindex(columns=["support", "contrary"], fill_value=0)
    out = counts.rename(columns={"support": "n_support", "contrary": "n_contrary"}).reset_index()
    out.columns.name = None
    total = out["n_support"] + out["n_contrary"]
    out["support_share"] = out["n_support"] / total.where(total > 0)
    return out
