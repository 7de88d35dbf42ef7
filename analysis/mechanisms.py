"""Mechanism analyses: weighing the coded evidence for and against each proposition.

A proposition (config ``propositions``) names a condition theme, whose codes are
its supporting evidence, an outcome code (inside that theme, counted apart so
that the outcome never counts as evidence for its own condition), and contrary
codes (barriers) that disconfirm or complicate it. The framework matrix crosses
stations with propositions.
"""

from __future__ import annotations

import pandas as pd

from analysis.codebook import ancestors


def evidence_roles(codes: pd.DataFrame, propositions: dict) -> pd.DataFrame:
    """Which codes count as support, outcome or contrary evidence for which proposition.

    Examples
    --------
    >>> codes = pd.DataFrame({"code_id": ["i", "i.a", "i.o", "b", "b.x"], "parent": [None, "i", "i", None, "b"]})
    >>> evidence_roles(codes, {"P1": {"condition": "i", "outcome": "i.o", "contrary": ["b.x"]}}).values.tolist()
    [['P1', 'i', 'support'], ['P1', 'i.a', 'support'], ['P1', 'i.o', 'outcome'], ['P1', 'b.x', 'contrary']]
    """
    chains = ancestors(codes)
    rows = []
    for name, prop in propositions.items():
        outcome = prop.get("outcome")
        rows += [(name, c, "outcome" if c == outcome else "support") for c in codes["code_id"]
                 if prop["condition"] in chains[c]]
        if outcome is not None and prop["condition"] not in chains.get(outcome, []):
            rows.append((name, outcome, "outcome"))
        rows += [(name, c, "contrary") for c in prop["contrary"]]
    return pd.DataFrame(rows, columns=["proposition", "code_id", "role"])


def framework_matrix(segments: pd.DataFrame, codes: pd.DataFrame, propositions: dict,
                     stations: list[str]) -> pd.DataFrame:
    """Stations x propositions: supporting, outcome and contrary segments, and the support share.

    Returns
    -------
    DataFrame
        Long table ``case_id, proposition, n_support, n_outcome, n_contrary,
        support_share`` for every station and proposition (zeros where nothing
        was coded). The share is supporting / (supporting + contrary) segments,
        missing when neither kind of evidence exists; outcome segments are
        counted apart and enter no share.

    Examples
    --------
    >>> codes = pd.DataFrame({"code_id": ["i", "i.a", "i.o", "b", "b.x"], "parent": [None, "i", "i", None, "b"]})
    >>> seg = pd.DataFrame({"case_id": ["S1"] * 4, "code_id": ["i.a", "i.a", "i.o", "b.x"], "segment_id": list("1234")})
    >>> props = {"P1": {"condition": "i", "outcome": "i.o", "contrary": ["b.x"]}}
    >>> framework_matrix(seg, codes, props, ["S1", "S2"]).values.tolist()
    [['S1', 'P1', 2, 1, 1, 0.6666666666666666], ['S2', 'P1', 0, 0, 0, nan]]
    """
    roles = evidence_roles(codes, propositions)
    tagged = segments.merge(roles, on="code_id")
    counts = tagged.pivot_table(index=["case_id", "proposition"], columns="role", values="segment_id",
                                aggfunc="nunique", fill_value=0)
    grid = pd.MultiIndex.from_product([stations, list(propositions)], names=["case_id", "proposition"])
    counts = counts.reindex(grid, fill_value=0).reindex(columns=["support", "outcome", "contrary"], fill_value=0)
    out = counts.rename(columns={"support": "n_support", "outcome": "n_outcome", "contrary": "n_contrary"}).reset_index()
    out.columns.name = None
    total = out["n_support"] + out["n_contrary"]
    out["support_share"] = out["n_support"] / total.where(total > 0)
    return out
