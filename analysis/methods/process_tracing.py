"""Bayesian process tracing (Fairfield & Charman 2017; Bennett 2015).

Each hypothesis starts from a prior probability. Each evidence item carries
P(E|H) and P(E|not H); its likelihood ratio is LR = P(E|H) / P(E|not H) when the
evidence is observed and (1 - P(E|H)) / (1 - P(E|not H)) when it is not, and
its weight of evidence is 10 log10(LR) decibans. Whether an item is observed
is decided by the pipeline from the coded data, by the rule the evidence file
gives for it (:data:`RULES`), so the posterior moves when the coding does.

Items that read the same codes are not independent: they are one body of
evidence seen twice. Items of a hypothesis that share a code (directly or
through another item) form a group, and a group counts once, by the item that
could move the posterior most whichever way it comes out (the largest |log LR|
over observed and not observed, :func:`probative`): a choice the evidence file's
likelihoods make before the data are looked at, so it cannot favour the
hypothesis. Its other items are shown but given no weight. An item that reads a code whose intercoder reliability is below
the configured threshold gets no weight either. Posterior odds = prior odds x
the product of the weighted items' LRs; ``posterior_independent`` keeps the
product of every item's LR, as if all were independent, for comparison, and
:func:`item_influence` shows what each choice does to the posterior.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

#: Van Evera's four tests, by necessity and sufficiency of the evidence for the hypothesis.
TESTS = ("straw_in_the_wind", "hoop", "smoking_gun", "doubly_decisive")
#: The probabilities that make a test what its name says (Bennett 2015): a hoop test is nearly certain
#: to be passed if H is true (failing it is near-fatal); a smoking gun is very unlikely if H is false.
HIGH_P_E_H, LOW_P_E_NOT_H = 0.80, 0.10


def test_type(p_e_h: float, p_e_not_h: float) -> str:
    """The test type the two probabilities make.

    Examples
    --------
    >>> test_type(0.95, 0.5), test_type(0.3, 0.02), test_type(0.9, 0.05), test_type(0.6, 0.4)
    ('hoop', 'smoking_gun', 'doubly_decisive', 'straw_in_the_wind')
    """
    necessary, sufficient = p_e_h >= HIGH_P_E_H, p_e_not_h <= LOW_P_E_NOT_H
    return {(True, True): "doubly_decisive", (True, False): "hoop", (False, True): "smoking_gun",
            (False, False): "straw_in_the_wind"}[(necessary, sufficient)]


def likelihood_ratio(p_e_h: float, p_e_not_h: float, observed: bool) -> float:
    """LR of an item, for evidence found or not found.

    Examples
    --------
    >>> likelihood_ratio(0.95, 0.5, True), round(likelihood_ratio(0.95, 0.5, False), 3)
    (1.9, 0.1)
    """
    return p_e_h / p_e_not_h if observed else (1 - p_e_h) / (1 - p_e_not_h)


def decibans(lr: float) -> float:
    """Weight of evidence, 10 log10(LR).

    Examples
    --------
    >>> round(decibans(10), 6)
    10.0
    """
    return 10 * math.log10(lr)


def posterior(prior: float, lrs: list[float]) -> float:
    """Posterior probability from a prior and likelihood ratios.

    Examples
    --------
    >>> round(posterior(0.5, [0.30 / 0.02]), 4)
    0.9375
    """
    odds = prior / (1 - prior) * math.prod(lrs)
    return odds / (1 + odds)


# -- deciding whether evidence is observed -----------------------------------------------------

#: The p-value below which a co-occurrence item's count is beyond chance, unless the item or the
#: configuration (``process_tracing.chance_p``) says otherwise.
CHANCE_P = 0.05


def beyond_chance(seg: pd.DataFrame, codes: list[str], unit: list[str], stratum: str) -> tuple[float, float]:
    """How many units (spans, or documents) would carry both of two codes by chance, and the exact
    p-value of carrying them together as often as observed, when each code's units are shuffled among
    the units of the same stratum (a span's document; a document's station): the test of
    :func:`analysis.methods.cooccurrence.within_document_p`. A count of co-occurrences says
    little by itself: two common codes meet often by chance.

    >>> seg = pd.DataFrame({"document_id": ["d"] * 4, "case_id": "s", "start": [0, 0, 5, 9], "end": [4, 4, 8, 12],
    ...                     "code_id": ["a", "b", "a", "b"]})
    >>> beyond_chance(seg, ["a", "b"], ["document_id", "start", "end"], "document_id")  # 3 spans, a on 2, b on 2
    (1.3333333333333333, 1.0)
    """
    from analysis.methods.cooccurrence import within_document_p

    units = seg.drop_duplicates(unit)[list(dict.fromkeys([*unit, stratum]))]
    index = pd.MultiIndex.from_frame(units[unit])
    a, b = (index.isin(pd.MultiIndex.from_frame(seg.loc[seg["code_id"] == c, unit])).astype(int) for c in codes[:2])
    strata = pd.factorize(units[stratum])[0]
    n = np.bincount(strata)  # every stratum holds at least one unit
    expected = float((np.bincount(strata, weights=a) * np.bincount(strata, weights=b) / n).sum())
    return expected, within_document_p(a, b, strata)


def _together(seg, item, unit: list[str], stratum: str, noun: str):
    """Items that count units carrying all of their codes: observed when there are at least
    ``at_least`` of them and, for two codes, more than chance gives (:func:`beyond_chance`, at the
    item's ``chance_p`` or 0.05)."""
    codes = list(dict.fromkeys(item["codes"]))
    units = seg[seg["code_id"].isin(codes)].groupby(unit)["code_id"].nunique()
    n = int((units == len(codes)).sum())
    detail = f"{n} {noun} carry all of {', '.join(codes)}"
    if len(codes) != 2:
        return n, n >= item["at_least"], detail
    expected, p = beyond_chance(seg, codes, unit, stratum)
    cut = float(item.get("chance_p", CHANCE_P))
    seen = n >= item["at_least"] and p < cut
    shown = f"{p:.4f}" if abs(round(p, 3) - cut) < 1e-9 else f"{p:.3f}"  # a p that rounds to the cut shows one more digit
    return n, seen, f"{detail} ({expected:.1f} expected by chance, p = {shown}{'' if p < cut else ', not beyond chance'})"


def _documents_with_all(seg, item):
    return _together(seg, item, ["document_id"], "case_id", "documents")


def _spans_with_all(seg, item):
    return _together(seg, item, ["document_id", "start", "end"], "document_id", "spans")


def _actor_types(seg, item):
    who = seg[seg["code_id"].isin(item["codes"]) & (seg["actor_type"] != "none")]["actor_type"].nunique()
    return int(who), who >= item["at_least"], f"{who} actor types speak of {', '.join(item['codes'])}"


def _stations_with(seg, item):
    n = int(seg[seg["code_id"].isin(item["codes"])]["case_id"].nunique())
    return n, n >= item["at_least"], f"{n} stations have {', '.join(item['codes'])}"


def _stations_with_at_most(seg, item):
    n = int(seg[seg["code_id"].isin(item["codes"])]["case_id"].nunique())
    return n, n <= item["at_most"], f"{n} stations have {', '.join(item['codes'])}"


#: How an item's observation is decided from the primary coding.
RULES = {
    "documents_with_all": _documents_with_all,   # codes together in at least `at_least` documents, beyond chance
    "spans_with_all": _spans_with_all,           # codes on the same span at least `at_least` times, beyond chance
    "actor_types": _actor_types,                 # codes spoken by at least `at_least` actor types
    "stations_with": _stations_with,             # codes in at least `at_least` stations
    "stations_with_at_most": _stations_with_at_most,  # codes in at most `at_most` stations
}


def dependence_groups(items: list[dict]) -> list[int]:
    """For items (each with ``codes``), a group number: items sharing a code, directly or through
    other items, get the same one (networkx's connected components).

    Examples
    --------
    >>> dependence_groups([{"codes": ["a"]}, {"codes": ["b"]}, {"codes": ["a", "c"]}, {"codes": ["c"]}])
    [0, 1, 0, 0]
    """
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(range(len(items)))
    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            if set(items[i]["codes"]) & set(items[j]["codes"]):
                graph.add_edge(i, j)
    group = {}
    for number, members in enumerate(sorted(nx.connected_components(graph), key=min)):
        for member in members:
            group[member] = number
    return [group[i] for i in range(len(items))]


def trace(evidence: dict, priors: dict, segments: pd.DataFrame,
          unreliable: set[str] | frozenset = frozenset(), chance_p: float = CHANCE_P) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Observe every item, weigh it, and update each hypothesis.

    ``unreliable`` names the codes whose intercoder reliability is below the threshold: an item
    that reads one gets no weight. ``chance_p`` is the level a co-occurrence item's count must pass
    beyond chance, where the item sets none.

    Returns
    -------
    items : DataFrame
        ``hypothesis, item, test, p_e_h, p_e_not_h, observed, count, detail, lr,
        decibans, codes, group, weight, why, cumulative_decibans, posterior_after``, in the file's
        order (``weight`` 1 or 0; ``why`` says why an item has none).
    summary : DataFrame
        ``hypothesis, prior, posterior, posterior_independent, total_decibans, n_items,
        n_observed, n_weighted``.
    """
    rows, summary = [], []
    for hyp, spec in evidence["hypotheses"].items():
        prior = float(priors.get(hyp, priors.get("default", 0.5)))
        found = []
        for item in spec["items"]:
            count, seen, detail = RULES[item["observed_if"]["rule"]](segments, {"chance_p": chance_p, **item["observed_if"]})
            lr = likelihood_ratio(item["p_e_h"], item["p_e_not_h"], bool(seen))
            found.append({"hypothesis": hyp, "item": item["id"], "test": item["test"], "p_e_h": item["p_e_h"],
                          "p_e_not_h": item["p_e_not_h"], "observed": bool(seen), "count": count, "detail": detail,
                          "lr": lr, "decibans": decibans(lr), "codes": list(item["observed_if"]["codes"]),
                          "description_zh": item["description"]["zh"], "justification": item["justification"]})
        _weigh(found, unreliable)
        total, lrs = 0.0, []
        for row in found:
            if row["weight"]:
                lrs.append(row["lr"])
                total += row["decibans"]
            row["cumulative_decibans"], row["posterior_after"] = total, posterior(prior, lrs)
        rows += found
        summary.append({"hypothesis": hyp, "prior": prior, "posterior": posterior(prior, lrs),
                        "posterior_independent": posterior(prior, [r["lr"] for r in found]),
                        "total_decibans": total, "n_items": len(found),
                        "n_observed": int(sum(r["observed"] for r in found)), "n_weighted": len(lrs)})
    return pd.DataFrame(rows), pd.DataFrame(summary)


def probative(p_e_h: float, p_e_not_h: float) -> float:
    """How far an item could move the posterior, whichever way it comes out: the larger |ln LR| of
    the item observed and not observed. It depends on the likelihoods alone, not on the data.

    >>> round(probative(0.9, 0.5), 3), round(probative(0.5, 0.2), 3)  # failing the first would weigh most
    (1.609, 0.916)
    """
    return max(abs(math.log(likelihood_ratio(p_e_h, p_e_not_h, True))),
               abs(math.log(likelihood_ratio(p_e_h, p_e_not_h, False))))


def _weigh(found: list[dict], unreliable) -> None:
    """Give each item of one hypothesis its weight (1 or 0) and group, and say why an item has none."""
    for row, group in zip(found, dependence_groups(found)):
        row["group"] = group
        weak = sorted(set(row["codes"]) & set(unreliable))
        row["weight"], row["why"] = (0, f"reads {', '.join(weak)}, below the reliability threshold") if weak else (1, "")
    for group in {r["group"] for r in found}:
        members = [r for r in found if r["group"] == group and r["weight"]]
        if len(members) > 1:
            strongest = max(members, key=lambda r: (probative(r["p_e_h"], r["p_e_not_h"]), -found.index(r)))
            for r in members:
                if r is not strongest:
                    # the codes the two share; none when they are linked only through other items of the group
                    shared = sorted(set(r["codes"]) & set(strongest["codes"]))
                    via = f" ({', '.join(shared)})" if shared else " (through other items)"
                    r["weight"], r["why"] = 0, f"shares codes with {strongest['item']}{via}, which counts for both"


def item_influence(items: pd.DataFrame, priors: dict) -> pd.DataFrame:
    """The posterior of each hypothesis as analysed, with every item as if independent, with the
    items of unreliable codes kept, and without each weighted item in turn."""
    rows = []
    for hyp, grp in items.groupby("hypothesis", sort=False):
        prior = float(priors.get(hyp, priors.get("default", 0.5)))
        weighted = grp[grp["weight"] == 1]
        base = posterior(prior, weighted["lr"].tolist())
        rows.append({"hypothesis": hyp, "scenario": "as_analysed", "item": "", "posterior": base})
        rows.append({"hypothesis": hyp, "scenario": "all_independent", "item": "",
                     "posterior": posterior(prior, grp["lr"].tolist())})
        unreliable = grp["why"].str.contains("reliability")
        if unreliable.any():
            kept = grp[(grp["weight"] == 1) | unreliable]
            rows.append({"hypothesis": hyp, "scenario": "unreliable_kept", "item": "",
                         "posterior": posterior(prior, kept["lr"].tolist())})
        for item in weighted["item"]:
            rest = weighted[weighted["item"] != item]["lr"].tolist()
            rows.append({"hypothesis": hyp, "scenario": "without", "item": item, "posterior": posterior(prior, rest)})
    out = pd.DataFrame(rows)
    out["change"] = out["posterior"] - out.groupby("hypothesis")["posterior"].transform("first")
    return out


def sensitivity(items: pd.DataFrame, priors: list[float], scales: dict[str, float]) -> pd.DataFrame:
    """Posterior of each hypothesis over a grid of priors and likelihood scenarios.

    A scenario scales every item's log-LR (``0.5``: evidence half as probative
    as stated; ``1.5``: half as much again), keeping its direction.
    """
    rows = []
    for hyp, grp in items.groupby("hypothesis", sort=False):
        if "weight" in grp:
            grp = grp[grp["weight"] == 1]  # the items that count
        log_lr = np.log(grp["lr"].to_numpy())
        for name, scale in scales.items():
            for prior in priors:
                odds = prior / (1 - prior) * math.exp(scale * log_lr.sum())
                rows.append({"hypothesis": hyp, "scenario": name, "scale": scale, "prior": prior,
                             "posterior": odds / (1 + odds)})
    return pd.DataFrame(rows)
