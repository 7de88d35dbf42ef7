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


def mechanism_links(segments: pd.DataFrame, codes: pd.DataFrame, propositions: dict, mechanisms: list[str],
                    outcome_theme: str, fdr: float) -> pd.DataFrame:
    """Links of the mechanism diagram, the arrows of the analytic framework that run through the
    station's mechanisms, each tested once by passage-level co-occurrence.

    The framework has each condition bring, by its proposition, one direct result (the proposition's
    outcome code), which the station's mechanisms turn into the resilience outcomes. So the first
    layer links each direct result to each mechanism code; a proposition without an outcome code
    stands in by its condition as a whole (a passage carries it when it carries any leaf code of the
    theme other than the mechanism codes). The second layer links each mechanism to each leaf
    outcome code of ``outcome_theme``. Every link is one test
    (:func:`analysis.methods.cooccurrence.set_cooccurrence`: the c-coefficient and the exact
    within-document permutation test), and the false-discovery rate is controlled over the diagram's
    links, the family whose results the diagram shows (Benjamini-Hochberg); a link is supported when
    its corrected p-value is below ``fdr``.

    Returns
    -------
    DataFrame
        ``source, target, weight`` (the c-coefficient), ``n_source, n_target, n_both`` (passages),
        ``p_value, p_fdr, supported`` and ``n_codes`` (how many leaf codes the source pools).
    """
    from analysis.methods.cooccurrence import set_cooccurrence
    from analysis.methods.multiplicity import fdr_adjust

    leaves = codes.loc[codes["is_leaf"], ["code_id", "theme"]]
    sets = {}
    for spec in propositions.values():
        if spec.get("outcome"):
            sets[spec["outcome"]] = [spec["outcome"]]
        else:
            sets[spec["condition"]] = [c for c, t in zip(leaves["code_id"], leaves["theme"])
                                       if t == spec["condition"] and c not in mechanisms]
    results = list(sets)
    outcomes = leaves.loc[leaves["theme"] == outcome_theme, "code_id"].tolist()
    sets |= {code: [code] for code in [*mechanisms, *outcomes]}
    pairs = [(result, mech) for result in results for mech in mechanisms]
    pairs += [(mech, out) for mech in mechanisms for out in outcomes]
    tested = set_cooccurrence(segments, leaves["code_id"].tolist(), sets, pairs)
    links = tested.rename(columns={"code_a": "source", "code_b": "target", "c": "weight", "n_a": "n_source",
                                   "n_b": "n_target", "n_ab": "n_both"})
    links["p_fdr"] = fdr_adjust(links["p_value"])
    links["supported"] = (links["p_fdr"] < fdr).fillna(False).astype(bool)
    links["n_codes"] = links["source"].map(lambda name: len(sets[name]))
    return links
