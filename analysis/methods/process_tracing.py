"""Bayesian process tracing (Fairfield & Charman 2017; Bennett 2015).

Each hypothesis starts from a prior probability. Each evidence item carries
P(E|H) and P(E|not H); its likelihood ratio is LR = P(E|H) / P(E|not H) when the
evidence is observed and (1 - P(E|H)) / (1 - P(E|not H)) when it is not, and
its weight of evidence is 10 log10(LR) decibans. Items are taken as
conditionally independent, so posterior odds = prior odds x the product of the
LRs. Whether an item is observed is decided by the pipeline from the coded
data, by the rule the evidence file gives for it (:data:`RULES`), so the
posterior moves when the coding does.
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

def _documents_with_all(seg, item):
    docs = seg[seg["code_id"].isin(item["codes"])].groupby("document_id")["code_id"].nunique()
    n = int((docs == len(set(item["codes"]))).sum())
    return n, n >= item["at_least"], f"{n} documents carry all of {', '.join(item['codes'])}"


def _spans_with_all(seg, item):
    spans = seg[seg["code_id"].isin(item["codes"])].groupby(["document_id", "start", "end"])["code_id"].nunique()
    n = int((spans == len(set(item["codes"]))).sum())
    return n, n >= item["at_least"], f"{n} spans carry all of {', '.join(item['codes'])}"


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
    "documents_with_all": _documents_with_all,   # codes together in at least `at_least` documents
    "spans_with_all": _spans_with_all,           # codes on the same span at least `at_least` times
    "actor_types": _actor_types,                 # codes spoken by at least `at_least` actor types
    "stations_with": _stations_with,             # codes in at least `at_least` stations
    "stations_with_at_most": _stations_with_at_most,  # codes in at most `at_most` stations
}


def trace(evidence: dict, priors: dict, segments: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Observe every item, weigh it, and update each hypothesis.

    Returns
    -------
    items : DataFrame
        ``hypothesis, item, test, p_e_h, p_e_not_h, observed, count, detail, lr,
        decibans, cumulative_decibans, posterior_after``, in the file's order.
    summary : DataFrame
        ``hypothesis, prior, posterior, total_decibans, n_items, n_observed``.
    """
    rows, summary = [], []
    for hyp, spec in evidence["hypotheses"].items():
        prior = float(priors.get(hyp, priors.get("default", 0.5)))
        lrs, total = [], 0.0
        for item in spec["items"]:
            count, seen, detail = RULES[item["observed_if"]["rule"]](segments, item["observed_if"])
            lr = likelihood_ratio(item["p_e_h"], item["p_e_not_h"], bool(seen))
            lrs.append(lr)
            total += decibans(lr)
            rows.append({"hypothesis": hyp, "item": item["id"], "test": item["test"], "p_e_h": item["p_e_h"],
                         "p_e_not_h": item["p_e_not_h"], "observed": bool(seen), "count": count, "detail": detail,
                         "lr": lr, "decibans": decibans(lr), "cumulative_decibans": total,
                         "posterior_after": posterior(prior, lrs), "description_zh": item["description"]["zh"],
                         "justification": item["justification"]})
        summary.append({"hypothesis": hyp, "prior": prior, "posterior": posterior(prior, lrs),
                        "total_decibans": total, "n_items": len(lrs), "n_observed": int(sum(r["observed"] for r in rows if r["hypothesis"] == hyp))})
    return pd.DataFrame(rows), pd.DataFrame(summary)


def sensitivity(items: pd.DataFrame, priors: list[float], scales: dict[str, float]) -> pd.DataFrame:
    """Posterior of each hypothesis over a grid of priors and likelihood scenarios.

    A scenario scales every item's log-LR (``0.5``: evidence half as probative
    as stated; ``1.5``: half as much again), keeping its direction.
    """
    rows = []
    for hyp, grp in items.groupby("hypothesis", sort=False):
        log_lr = np.log(grp["lr"].to_numpy())
        for name, scale in scales.items():
            for prior in priors:
                odds = prior / (1 - prior) * math.exp(scale * log_lr.sum())
                rows.append({"hypothesis": hyp, "scenario": name, "scale": scale, "prior": prior,
                             "posterior": odds / (1 + odds)})
    return pd.DataFrame(rows)
