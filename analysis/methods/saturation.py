"""Thematic saturation after Guest, Namey & Chen (2020, PLoS ONE 15(5): e0232076).

Interviews are taken in the order they were conducted. The *base* is the first
``base`` interviews and the number of distinct codes found in them. A *run* is
the next ``run`` interviews; its new information is the number of codes that
appear in the run and in no earlier interview, as a share of the base's codes.
The run slides forward one interview at a time; saturation is reached at the
last interview before the first run whose share of new information is at or
below ``threshold``, reported as "saturation at interview N (base b, run r,
<= t)". When no run qualifies, saturation is not reached, and the report says so.
"""

from __future__ import annotations

import pandas as pd


def saturation(documents: pd.DataFrame, segments: pd.DataFrame, base: int, run: int,
               threshold: float) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
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
        ``n_interviews``, ``base_codes``, ``total_codes`` and ``reason`` when
        saturation cannot be assessed (too few interviews, no codes in the base).

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
    order = documents.sort_values(["date", "document_id"], kind="stable").reset_index(drop=True)
    codes_of = segments.groupby("document_id")["code_id"].agg(lambda s: set(s)).to_dict()
    seen: set[str] = set()
    rows = []
    for pos, row in enumerate(order.itertuples(), start=1):
        found = codes_of.get(row.document_id, set())
        new = found - seen
        seen |= found
        rows.append({"position": pos, "document_id": row.document_id, "date": row.date,
                     "n_codes": len(found), "n_new": len(new), "cumulative": len(seen)})
    curve = pd.DataFrame(rows, columns=["position", "document_id", "date", "n_codes", "n_new", "cumulative"])
    n = len(order)
    result = {"n_interviews": n, "base": base, "run": run, "threshold": threshold,
              "total_codes": len(seen), "base_codes": 0, "reached": False, "point": None, "reason": "",
              "reason_code": ""}
    empty_runs = pd.DataFrame(columns=["first", "last", "n_new", "share_new", "at_or_below"])
    if n < base + run:
        result["reason"] = f"too few interviews ({n}) for a base of {base} and a run of {run}"
        result["reason_code"] = "too_few"
        return curve, empty_runs, result
    sets = [codes_of.get(d, set()) for d in order["document_id"]]
    base_codes = set().union(*sets[:base])
    result["base_codes"] = len(base_codes)
    if not base_codes:
        result["reason"] = "no code was applied in the base interviews"
        result["reason_code"] = "empty_base"
        return curve, empty_runs, result
    runs = []
    before = set().union(*sets[:base])
    for first in range(base, n - run + 1):  # zero-based index of the run's first interview
        if first > base:
            before |= sets[first - 1]  # the codes of every interview before this run
        new = set().union(*sets[first:first + run]) - before
        share = len(new) / len(base_codes)
        runs.append({"first": first + 1, "last": first + run, "n_new": len(new), "share_new": share,
                     "at_or_below": share <= threshold})
    runs = pd.DataFrame(runs)
    hits = runs[runs["at_or_below"]]
    if len(hits):
        result["reached"], result["point"] = True, int(hits["first"].iloc[0]) - 1
    else:
        result["reason"] = "no run of new information fell to the threshold"
        result["reason_code"] = "no_run"
    return curve, runs, result


REASONS_ZH = {
    "too_few": "访谈数不足一个基线加一轮",
    "empty_base": "基线访谈中没有任何编码",
    "no_run": "没有一轮的新信息降到门槛以下",
}


def describe(result: dict, lang: str = "zh") -> str:
    """The report sentence, in the book's language.

    Examples
    --------
    >>> describe({"reached": True, "point": 9, "base": 4, "run": 2, "threshold": 0.05}, "en")
    'saturation at interview 9 (base 4, run 2, ≤5%)'
    """
    if lang == "zh":
        params = f"基线 {result['base']} 次，每轮 {result['run']} 次，新信息 ≤{result['threshold']:.0%}"
        if result["reached"]:
            return f"第 {result['point']} 次访谈达到饱和（{params}）"
        return f"未达到饱和（{params}；{REASONS_ZH.get(result.get('reason_code', ''), result.get('reason', ''))}）"
    params = f"base {result['base']}, run {result['run']}, ≤{result['threshold']:.0%}"
    if result["reached"]:
        return f"saturation at interview {result['point']} ({params})"
    return f"saturation not reached ({params}; {result.get('reason') or ''})"


def saturation_by_scope(documents: pd.DataFrame, segments: pd.DataFrame, codes: pd.DataFrame,
                        settings: dict) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """:func:`saturation` of the leaf codes, pooled over all stations and within each.

    ``settings`` is the configuration's ``saturation`` section (``base``,
    ``run``, ``threshold``, ``kinds``: the document kinds that count as
    interviews). Returns the curves and runs with a ``scope`` column
    (``pooled`` or the case id) and one summary row per scope.
    """
    leaves = set(codes.loc[codes["is_leaf"], "code_id"])
    interviews = documents[documents["kind"].isin(settings["kinds"])]
    seg = segments[segments["code_id"].isin(leaves)]
    case_of = seg["document_id"].map(dict(zip(interviews["document_id"], interviews["case_id"])))
    by_case = dict(tuple(seg[case_of.notna()].groupby(case_of[case_of.notna()], sort=False)))
    scopes = [("pooled", interviews, seg)]
    scopes += [(case, grp, by_case.get(case, seg.iloc[0:0])) for case, grp in interviews.groupby("case_id", sort=True)]
    curves, runs, rows = [], [], []
    for scope, docs, docs_segments in scopes:
        curve, run, result = saturation(docs, docs_segments, settings["base"], settings["run"], settings["threshold"])
        curves.append(curve.assign(scope=scope))
        runs.append(run.assign(scope=scope))
        rows.append({"scope": scope, **result})
    run_frame = pd.concat([r for r in runs if len(r)], ignore_index=True) if any(len(r) for r in runs) else \
        pd.DataFrame(columns=["first", "last", "n_new", "share_new", "at_or_below", "scope"])
    summary = pd.DataFrame(rows)
    summary["point"] = summary["point"].astype("Int64")
    return pd.concat(curves, ignore_index=True), run_frame, summary
