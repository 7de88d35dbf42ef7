"""Mechanism analyses: weighing the coded evidence for and against each proposition.

A proposition (config ``propositions``) names a condition theme, whose codes are
its supporting evidence, an outcome code (inside that theme, counted apart so
that the outcome never counts as evidence for its own condition), and contrary
codes (barriers) that disconfirm or complicate it. The framework matrix crosses
stations with propositions.
"""

from __future__ import annotations

import pandas as pd

from analysis.methods.codebook import ancestors


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


#: The columns that identify a coded span (a passage of a document): one span may carry several codes.
SPAN = ["document_id", "start", "end"]


def evidence_spans(segments: pd.DataFrame, codes: pd.DataFrame, propositions: dict) -> pd.DataFrame:
    """The distinct coded spans that are evidence for each proposition, one row per span, proposition
    and role (support, outcome, contrary), with the columns of ``segments`` for the span's first
    segment (by segment id).

    Every count of evidence in the study is a count of these rows: a passage coded with two
    supporting codes of one proposition is one piece of support, not two, so the framework matrix,
    the evidence matrices, the QCA scores and the segment lists all count the same thing.

    Examples
    --------
    >>> codes = pd.DataFrame({"code_id": ["i", "i.a", "i.b"], "parent": [None, "i", "i"]})
    >>> seg = pd.DataFrame({"segment_id": ["2", "1", "3"], "document_id": "d", "start": [0, 0, 5],
    ...                     "end": [4, 4, 9], "code_id": ["i.a", "i.b", "i.a"]})
    >>> evidence_spans(seg, codes, {"P1": {"condition": "i", "contrary": []}})["segment_id"].tolist()
    ['1', '3']
    """
    tagged = segments.merge(evidence_roles(codes, propositions), on="code_id")
    if "segment_id" in tagged:
        tagged = tagged.sort_values("segment_id", kind="stable")
    return tagged.drop_duplicates([*SPAN, "proposition", "role"]).reset_index(drop=True)


def framework_matrix(segments: pd.DataFrame, codes: pd.DataFrame, propositions: dict,
                     stations: list[str]) -> pd.DataFrame:
    """Stations x propositions: supporting, outcome and contrary spans, and the support share.

    Returns
    -------
    DataFrame
        Long table ``case_id, proposition, n_support, n_outcome, n_contrary,
        support_share`` for every station and proposition (zeros where nothing
        was coded), counted in distinct coded spans (:func:`evidence_spans`). The
        share is supporting / (supporting + contrary) spans, missing when neither
        kind of evidence exists; outcome spans are counted apart and enter no share.

    Examples
    --------
    >>> codes = pd.DataFrame({"code_id": ["i", "i.a", "i.o", "b", "b.x"], "parent": [None, "i", "i", None, "b"]})
    >>> seg = pd.DataFrame({"case_id": ["S1"] * 4, "code_id": ["i.a", "i.a", "i.o", "b.x"], "segment_id": list("1234"),
    ...                     "document_id": "d", "start": [0, 5, 10, 15], "end": [4, 9, 14, 19]})
    >>> props = {"P1": {"condition": "i", "outcome": "i.o", "contrary": ["b.x"]}}
    >>> framework_matrix(seg, codes, props, ["S1", "S2"]).values.tolist()
    [['S1', 'P1', 2, 1, 1, 0.6666666666666666], ['S2', 'P1', 0, 0, 0, nan]]
    """
    spans = evidence_spans(segments, codes, propositions)
    counts = spans.groupby(["case_id", "proposition", "role"]).size().unstack("role", fill_value=0)
    grid = pd.MultiIndex.from_product([stations, list(propositions)], names=["case_id", "proposition"])
    counts = counts.reindex(grid, fill_value=0).reindex(columns=["support", "outcome", "contrary"], fill_value=0)
    out = counts.rename(columns={"support": "n_support", "outcome": "n_outcome", "contrary": "n_contrary"}).reset_index()
    out.columns.name = None
    out[["n_support", "n_outcome", "n_contrary"]] = out[["n_support", "n_outcome", "n_contrary"]].astype(int)
    total = out["n_support"] + out["n_contrary"]
    out["support_share"] = out["n_support"] / total.where(total > 0)
    return out


def mechanism_links(pairs: pd.DataFrame, codes: pd.DataFrame, conditions: list[str], mechanisms: list[str],
                    outcome_theme: str, fdr: float, excluded: list[str] = ()) -> pd.DataFrame:
    """Links of the mechanism diagram, weighted by segment-level co-occurrence.

    A condition (a theme) links to a mechanism code with the strongest
    c-coefficient between any code of the theme and the mechanism, leaving out the
    codes in ``excluded`` (the propositions' outcome codes, which are never evidence
    for their own condition); a mechanism links to each outcome code of
    ``outcome_theme`` with their c-coefficient. A link is supported when that
    pair's permutation test survives the FDR correction at ``fdr``.
    """
    seg = pairs[pairs["level"] == "segment"]
    both = pd.concat([seg, seg.rename(columns={"code_a": "code_b", "code_b": "code_a"})], ignore_index=True)
    theme = dict(zip(codes["code_id"], codes["theme"]))
    rows = []
    for cond in conditions:
        for mech in mechanisms:
            cand = both[(both["code_a"].map(theme) == cond) & (both["code_b"] == mech) & (both["code_a"] != mech)
                        & ~both["code_a"].isin(excluded)]
            best = cand.sort_values(["c", "code_a"], ascending=[False, True]).head(1)
            c = float(best["c"].iloc[0]) if len(best) else 0.0
            ok = bool(len(best) and best["p_fdr"].iloc[0] < fdr)
            rows.append({"source": cond, "target": mech, "weight": c, "supported": ok,
                         "via": best["code_a"].iloc[0] if len(best) else ""})
    outcomes = codes.loc[(codes["theme"] == outcome_theme) & codes["is_leaf"], "code_id"]
    for mech in mechanisms:
        for out in outcomes:
            hit = both[(both["code_a"] == mech) & (both["code_b"] == out)]
            c = float(hit["c"].iloc[0]) if len(hit) else 0.0
            rows.append({"source": mech, "target": out, "weight": c,
                         "supported": bool(len(hit) and hit["p_fdr"].iloc[0] < fdr), "via": mech})
    return pd.DataFrame(rows)
