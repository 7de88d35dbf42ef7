"""Thematic saturation after Guest, Namey & Chen (2020, PLoS ONE 15(5): e0232076).

Interviews are taken in the order they were conducted. The *base* is the first
``base`` interviews and the number of distinct codes found in them. A *run* is
the next ``run`` interviews; its new information is the number of codes that
appear in the run and in no earlier interview, as a share of the base's codes.
The run slides forward one interview at a time; saturation is reached at the
last interview before the first run whose share of new information is at or
below ``threshold``, reported as "saturation at interview N (base b, run r,
<= t)". When no run qualifies, saturation is not reached, and the report says so.
A scope needs at least ``min_runs`` runs (two by default) before saturation is judged
at all, so that no single run decides it.

The order conducted is one order among many, so the saturation point is also
computed over ``orders`` random orders of the same interviews (seeded): the
median and the 2.5th and 97.5th percentiles of the point, and the share of orders
in which saturation is reached (Guest et al. 2020 recommend reporting the base,
run and threshold with the point; the spread over orders shows how much the point
owes to the order). New codes are those first seen in the corpus, whatever the
codebook held beforehand, so a codebook that grows during coding is counted as it grew.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def saturation(documents: pd.DataFrame, segments: pd.DataFrame, base: int, run: int,
               threshold: float, min_runs: int = 1) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Saturation of the codes over interviews in the order conducted.

    Parameters
    ----------
    documents : DataFrame
        The interviews to use (``document_id, date``), one row each; they are
        ordered by date, then id.
    segments : DataFrame
        One coder's segments (``document_id, code_id``); codes are counted as
        given (pass leaf codes for code saturation, themes for theme saturation).
    base, run : int
        Base size and run length (Guest et al.: 4 and 2 by default).
    threshold : float
        New-information threshold as a share (0.05 for <= 5%).

    Returns
    -------
    curve : DataFrame
        Per interview: ``position, document_id, date, n_codes, n_new, cumulative``.
    runs : DataFrame
        Per run: ``first, last`` (positions), ``n_new, share_new, at_or_below``.
    result : dict
        ``reached`` (bool), ``point`` (the saturation interview, or None),
        ``n_interviews``, ``needed`` (the interviews a judgement needs: the base and
        ``min_runs`` sliding runs), ``base_codes`` (None when there are fewer interviews
        than the base), ``total_codes`` and ``reason`` when saturation cannot be
        assessed (too few interviews, no codes in the base).

    Examples
    --------
    >>> docs = pd.DataFrame({"document_id": list("abcdefgh"), "date": [f"2021-01-0{i}" for i in range(1, 9)]})
    >>> seg = pd.DataFrame({"document_id": list("aabbcddeeh"), "code_id": list("xyzwxvuxtq")})
    >>> curve, runs, res = saturation(docs, seg, base=4, run=2, threshold=0.05)
    >>> res["base_codes"], res["reached"], res["point"]
    (6, True, 5)
    >>> runs["share_new"].round(2).tolist()
    [0.17, 0.0, 0.17]
    """
    codes_of = _codes_of(segments)
    curve, runs, result = _saturation_rows(list(documents["document_id"]), list(documents["date"]), codes_of,
                                           base, run, threshold, min_runs)
    return pd.DataFrame(curve, columns=CURVE_COLUMNS), pd.DataFrame(runs, columns=RUN_COLUMNS), result


CURVE_COLUMNS = ["position", "document_id", "date", "n_codes", "n_new", "cumulative"]
RUN_COLUMNS = ["first", "last", "n_new", "share_new", "at_or_below"]


def _codes_of(segments: pd.DataFrame) -> dict[str, set]:
    """The set of codes of each document."""
    codes_of: dict[str, set] = {}
    for document, code in zip(segments["document_id"].tolist(), segments["code_id"].tolist()):
        codes_of.setdefault(document, set()).add(code)
    return codes_of


def _saturation_rows(document_ids: list, dates: list, codes_of: dict[str, set], base: int, run: int,
                     threshold: float, min_runs: int = 1) -> tuple[list[dict], list[dict], dict]:
    """:func:`saturation` on plain lists (the documents in any order; ordered here by date, then id):
    the curve's rows, the runs' rows and the result. A province has 1,940 stations to do this for."""
    order = sorted(zip(dates, document_ids))
    seen: set[str] = set()
    curve = []
    for pos, (when, document) in enumerate(order, start=1):
        found = codes_of.get(document, set())
        new = found - seen
        seen |= found
        curve.append({"position": pos, "document_id": document, "date": when,
                      "n_codes": len(found), "n_new": len(new), "cumulative": len(seen)})
    n = len(order)
    needed = base + run + max(0, min_runs - 1)  # runs slide by one interview
    sets = [codes_of.get(d, set()) for _, d in order]
    base_codes = set().union(*sets[:base])
    result = {"n_interviews": n, "base": base, "run": run, "threshold": threshold, "min_runs": max(1, min_runs),
              "needed": needed, "total_codes": len(seen), "base_codes": len(base_codes) if n >= base else None,
              "reached": False, "point": None, "reason": "", "reason_code": ""}
    if n < needed:
        result["reason"] = (f"too few interviews ({n}) for a base of {base} and {max(1, min_runs)} run"
                            f"{'s' if min_runs > 1 else ''} of {run}: {needed} are needed")
        result["reason_code"] = "too_few"
        return curve, [], result
    if not base_codes:
        result["reason"] = "no code was applied in the base interviews"
        result["reason_code"] = "empty_base"
        return curve, [], result
    runs = []
    before = set().union(*sets[:base])
    for first in range(base, n - run + 1):  # zero-based index of the run's first interview
        if first > base:
            before |= sets[first - 1]  # the codes of every interview before this run
        new = set().union(*sets[first:first + run]) - before
        share = len(new) / len(base_codes)
        runs.append({"first": first + 1, "last": first + run, "n_new": len(new), "share_new": share,
                     "at_or_below": share <= threshold})
    hits = [r for r in runs if r["at_or_below"]]
    if hits:
        result["reached"], result["point"] = True, int(hits[0]["first"]) - 1
    else:
        result["reason"] = "no run of new information fell to the threshold"
        result["reason_code"] = "no_run"
    return curve, runs, result


def saturation_point(sets: list[set], base: int, run: int, threshold: float) -> int | None:
    """The saturation point of interviews whose code sets are ``sets``, in that order (None: not
    reached or not assessable): :func:`saturation`'s rule, without its tables."""
    if len(sets) < base + run:
        return None
    before = set().union(*sets[:base])
    size = len(before)
    if not size:
        return None
    for first in range(base, len(sets) - run + 1):
        if first > base:
            before |= sets[first - 1]
        if len(set().union(*sets[first:first + run]) - before) / size <= threshold:
            return first
    return None


def order_spread(sets: list[set], base: int, run: int, threshold: float, orders: int, seed: int) -> dict:
    """The saturation point over ``orders`` random orders of the interviews: its median, 2.5th and
    97.5th percentiles over the orders that reach it, and the share that do.

    Examples
    --------
    >>> sets = [{"a", "b"}, {"c"}, {"a"}, {"b"}, {"a"}, {"c"}]
    >>> order_spread(sets, 2, 2, 0.0, 50, seed=1)["reached_share"]  # every order: nothing new after two
    1.0
    """
    rng = np.random.default_rng(seed)
    points = []
    for _ in range(orders):
        order = rng.permutation(len(sets))
        points.append(saturation_point([sets[k] for k in order], base, run, threshold))
    reached = [p for p in points if p is not None]
    out = {"orders": orders, "reached_share": len(reached) / orders if orders else float("nan"),
           "point_median": float("nan"), "point_lo": float("nan"), "point_hi": float("nan")}
    if reached:
        out["point_median"], out["point_lo"], out["point_hi"] = (float(np.quantile(reached, q)) for q in (0.5, 0.025, 0.975))
    return out


REASONS_ZH = {
    "too_few": "访谈过少，不作判断",
    "empty_base": "基线访谈中没有任何编码",
    "no_run": "没有一轮的新信息降到门槛以下",
}


def describe(result: dict, lang: str = "zh") -> str:
    """The report sentence, in the book's language: reached, not reached, or not judged (too few
    interviews, where the sentence says how many a judgement needs).

    Examples
    --------
    >>> describe({"reached": True, "point": 9, "base": 4, "run": 2, "threshold": 0.05}, "en")
    'saturation at interview 9 (base 4, run 2, ≤5%)'
    >>> describe({"reached": True, "point": 4, "base": 4, "run": 2, "threshold": 0.05, "base_codes": 31, "total_codes": 31})
    '基线的 4 次访谈已出现全部 31 个编码，此后没有新编码，饱和点即第 4 次访谈（基线 4 次，每轮 2 次，新信息 ≤5%）'
    >>> describe({"reached": False, "base": 4, "run": 2, "threshold": 0.05, "reason_code": "too_few",
    ...           "n_interviews": 6, "needed": 7, "min_runs": 2})
    '不作判断：访谈 6 次，少于判断所需的 7 次（基线 4 次，其后至少 2 轮、每轮 2 次，逐次滑动）'
    """
    if result.get("reason_code") == "too_few":
        n, needed, runs = result["n_interviews"], result.get("needed"), result.get("min_runs", 1)
        if lang == "zh":
            return (f"不作判断：访谈 {n:,} 次，少于判断所需的 {needed:,} 次（基线 {result['base']} 次，"
                    f"其后至少 {runs} 轮、每轮 {result['run']} 次，逐次滑动）")
        return (f"not judged: {n:,} interviews, fewer than the {needed:,} needed (a base of {result['base']}, "
                f"then at least {runs} sliding run{'s' if runs > 1 else ''} of {result['run']})")
    # saturated at the base's last interview, the base holding every code: nothing came after it
    at_base = (result["reached"] and result.get("point") == result["base"]
               and result.get("base_codes") is not None and result.get("base_codes") == result.get("total_codes"))
    if lang == "zh":
        params = f"基线 {result['base']} 次，每轮 {result['run']} 次，新信息 ≤{result['threshold']:.0%}"
        if at_base:
            return (f"基线的 {result['base']} 次访谈已出现全部 {result['total_codes']:,} 个编码，此后没有新编码，"
                    f"饱和点即第 {result['point']} 次访谈（{params}）")
        if result["reached"]:
            return f"第 {result['point']} 次访谈达到饱和（{params}）"
        return f"未达到饱和（{params}；{REASONS_ZH.get(result.get('reason_code', ''), result.get('reason', ''))}）"
    params = f"base {result['base']}, run {result['run']}, ≤{result['threshold']:.0%}"
    if at_base:
        return (f"the {result['base']} base interviews already hold all {result['total_codes']:,} codes and no later one "
                f"adds any: saturation at interview {result['point']} ({params})")
    if result["reached"]:
        return f"saturation at interview {result['point']} ({params})"
    return f"saturation not reached ({params}; {result.get('reason') or ''})"


def saturation_by_scope(documents: pd.DataFrame, segments: pd.DataFrame, codes: pd.DataFrame,
                        settings: dict, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """:func:`saturation` of the leaf codes, pooled over all stations and within each.

    ``settings`` is the configuration's ``saturation`` section (``base``,
    ``run``, ``threshold``, ``min_runs``, ``orders``, ``kinds``: the document kinds that count as
    interviews); ``seed`` draws the random orders. Returns the curves and runs with a ``scope`` column
    (``pooled`` or the case id) and one summary row per scope.
    """
    leaves = set(codes.loc[codes["is_leaf"], "code_id"])
    interviews = documents[documents["kind"].isin(settings["kinds"])]
    codes_of = _codes_of(segments[segments["code_id"].isin(leaves)])
    ids, dates, cases = (interviews[c].tolist() for c in ("document_id", "date", "case_id"))
    by_case: dict[str, tuple[list, list]] = {}
    for document, when, case in zip(ids, dates, cases):
        by_case.setdefault(case, ([], []))
        by_case[case][0].append(document)
        by_case[case][1].append(when)
    scopes = [("pooled", ids, dates)] + [(case, *by_case[case]) for case in sorted(by_case)]
    curves, runs, rows = [], [], []
    for scope, scope_ids, scope_dates in scopes:
        curve, run, result = _saturation_rows(scope_ids, scope_dates, codes_of, settings["base"], settings["run"],
                                              settings["threshold"], settings.get("min_runs", 2))
        curves += [{**r, "scope": scope} for r in curve]
        runs += [{**r, "scope": scope} for r in run]
        spread = {"orders": 0, "reached_share": float("nan"), "point_median": float("nan"), "point_lo": float("nan"),
                  "point_hi": float("nan")}
        if result["reason_code"] != "too_few":  # a scope too small to judge is not judged in any order
            spread = order_spread([codes_of.get(d, set()) for d in scope_ids], settings["base"], settings["run"],
                                  settings["threshold"], settings.get("orders", 200), seed)
        rows.append({"scope": scope, **result, **spread})
    summary = pd.DataFrame(rows)
    summary["point"] = summary["point"].astype("Int64")
    summary["base_codes"] = summary["base_codes"].astype("Int64")  # missing: fewer interviews than the base
    return (pd.DataFrame(curves, columns=[*CURVE_COLUMNS, "scope"]), pd.DataFrame(runs, columns=[*RUN_COLUMNS, "scope"]),
            summary)
