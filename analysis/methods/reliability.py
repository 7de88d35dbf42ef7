"""Intercoder reliability of the coding, on the double-coded documents.

Unit of agreement
-----------------
A character of a double-coded document's body, for one code: each coder either
applied the code to that character or did not. Every code therefore yields a
binary (present/absent) rating by each coder for every character of the
double-coded documents, coded or not. This is how NVivo's coding comparison
counts agreement (characters of a source, per code) and how ATLAS.ti's
intercoder agreement measures the coded and uncoded stretches of text (its
alpha family works on lengths of text); it ignores where coders draw segment
boundaries only to the extent that the boundaries agree.

Coefficients
------------
For ``m`` coders, each character falls into one of ``2**m`` presence patterns.
The counts of patterns per document and code are sufficient for every
coefficient: percent agreement (all coders agree), agreement on coded text
(all coders applied the code, among characters any coder coded: free of the
mass of uncoded text that lifts percent agreement and AC1), Cohen's kappa (two coders),
Krippendorff's alpha (nominal; with no missing ratings its coincidence matrix
follows from the patterns, Krippendorff 2011), Fleiss' kappa (Fleiss 1971; more
than two coders) and Gwet's AC1 (Gwet 2008). The closed forms are tested
against the ``krippendorff`` package and statsmodels on the same data. The
bootstrap resamples whole documents (the independent units), with a seed from
the configuration, and takes BCa or percentile intervals; an iterated bootstrap checks
how often each covers the value it estimates (:func:`interval_coverage`).

Any units x coders table
------------------------
The functions in the last part of this module serve ``casebook reliability`` and the tests that pin the coefficients to
published values. Krippendorff's alpha comes from the ``krippendorff`` package,
Cohen's and Fleiss' kappa from statsmodels (``statsmodels.stats.inter_rater``);
Gwet's AC1 has no maintained Python implementation compatible with this stack
(``irrCAC`` pins pandas < 3 and scipy 1.12), so it is written here after Gwet
(2014, ch. 4; 2008) and checked against irrCAC's value on Krippendorff's data.

A *ratings* table is a DataFrame indexed by unit with one column per coder; a
missing rating is NaN (an absent row in the long CSV).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

COEFFICIENTS = ("percent_agreement", "coded_agreement", "cohen_kappa", "krippendorff_alpha", "fleiss_kappa", "gwet_ac1")


def double_coded_documents(segments: pd.DataFrame, coders: list[str], documents: pd.DataFrame | None = None) -> list[str]:
    """Documents that every one of ``coders`` coded independently.

    The transcripts' ``coded_by`` headers say so (carried in the documents
    table); a document a coder read but found nothing to code in still counts.
    When no document declares ``coded_by``, a document counts when every coder
    left at least one segment in it.

    Examples
    --------
    >>> seg = pd.DataFrame({"document_id": ["d1", "d1", "d2"], "coder_id": ["A", "B", "A"]})
    >>> double_coded_documents(seg, ["A", "B"])
    ['d1']
    >>> docs = pd.DataFrame({"document_id": ["d1", "d2"], "coded_by": ["A", "A;B"]})
    >>> double_coded_documents(seg, ["A", "B"], docs)
    ['d2']
    """
    if documents is not None and "coded_by" in documents and (documents["coded_by"].fillna("") != "").any():
        declared = documents.set_index("document_id")["coded_by"].fillna("").str.split(";")
        return sorted(d for d, who in declared.items() if set(coders) <= set(who))
    by_doc = segments.groupby("document_id")["coder_id"].agg(set)
    return sorted(d for d, who in by_doc.items() if set(coders) <= who)


def presence(segments: pd.DataFrame, n_chars: int, code: str, coders: list[str]) -> np.ndarray:
    """A coders x characters 0/1 array for one document: who applied ``code`` where.

    Examples
    --------
    >>> seg = pd.DataFrame({"coder_id": ["A", "B"], "code_id": ["x", "x"], "start": [0, 1], "end": [2, 3]})
    >>> presence(seg, 4, "x", ["A", "B"]).tolist()
    [[1, 1, 0, 0], [0, 1, 1, 0]]
    """
    return presence_grid(segments, n_chars, [code], coders)[0]


def presence_grid(segments: pd.DataFrame, n_chars: int, codes: list[str], coders: list[str]) -> np.ndarray:
    """A codes x coders x characters 0/1 array for one document, from one pass over its segments
    (the same as :func:`presence` for each code, without filtering the segments once per code).

    Examples
    --------
    >>> seg = pd.DataFrame({"coder_id": ["A", "B", "A"], "code_id": ["x", "x", "y"], "start": [0, 1, 3], "end": [2, 3, 4]})
    >>> presence_grid(seg, 4, ["x", "y"], ["A", "B"]).tolist()
    [[[1, 1, 0, 0], [0, 1, 1, 0]], [[0, 0, 0, 1], [0, 0, 0, 0]]]
    """
    return _grid(segments["code_id"].tolist(), segments["coder_id"].tolist(), segments["start"].tolist(),
                 segments["end"].tolist(), n_chars, codes, coders)


def _grid(seg_codes: list, seg_coders: list, starts: list, ends: list, n_chars: int, codes: list[str],
          coders: list[str]) -> np.ndarray:
    """:func:`presence_grid` from the segments' columns as lists."""
    out = np.zeros((len(codes), len(coders), n_chars), dtype=np.int8)
    code_at = {c: i for i, c in enumerate(codes)}
    coder_at = {c: j for j, c in enumerate(coders)}
    for code, coder, start, end in zip(seg_codes, seg_coders, starts, ends):
        if code in code_at and coder in coder_at:
            out[code_at[code], coder_at[coder], int(start):int(end)] = 1
    return out


def _by_document(segments: pd.DataFrame, docs: list[str], n_chars: dict, codes: list[str], coders: list[str]):
    """For each of ``docs`` in order: its id, its :func:`presence_grid` and its segments' codes,
    coders, starts and ends as arrays (one grouping of the segments, not one data frame per document)."""
    coded = segments[segments["document_id"].isin(docs)]
    at_doc = coded.groupby("document_id").indices  # a document -> the positions of its segments
    columns = (coded["code_id"].to_numpy(dtype=object), coded["coder_id"].to_numpy(dtype=object),
               coded["start"].to_numpy(dtype=np.int64), coded["end"].to_numpy(dtype=np.int64))
    none = np.array([], dtype=np.int64)
    for doc in docs:
        at = at_doc.get(doc, none)
        seg_code, seg_coder, seg_start, seg_end = (column[at] for column in columns)
        grid = _grid(seg_code.tolist(), seg_coder.tolist(), seg_start.tolist(), seg_end.tolist(), int(n_chars[doc]),
                     codes, coders)
        yield doc, grid, seg_code, seg_coder, seg_start, seg_end


def pattern_counts(segments: pd.DataFrame, documents: pd.DataFrame, codes: list[str],
                   coders: list[str]) -> tuple[list[str], np.ndarray]:
    """Characters per presence pattern, for every double-coded document and code.

    Returns the document ids and an array of shape (documents, codes, 2**m):
    entry ``[d, c, p]`` counts the characters of document d where the coders
    whose bit is set in p (coder j is bit j) applied code c and the others did not.
    """
    docs = double_coded_documents(segments, coders, documents)
    n_chars = dict(zip(documents["document_id"], documents["n_chars"]))
    weights = (1 << np.arange(len(coders)))[:, None]
    out = np.zeros((len(docs), len(codes), 2 ** len(coders)), dtype=np.int64)
    n_patterns = 2 ** len(coders)
    for d, (_, grid, *_segments) in enumerate(_by_document(segments, docs, n_chars, codes, coders)):
        pattern = (grid * weights).sum(1)
        # one bincount over all codes: code c's patterns are shifted to c * n_patterns
        shifted = pattern + (np.arange(len(codes)) * n_patterns)[:, None]
        out[d] = np.bincount(shifted.ravel(), minlength=len(codes) * n_patterns).reshape(len(codes), n_patterns)
    return docs, out


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.isclose(den, 0), np.nan, num / np.where(den == 0, 1, den))


def coefficients(counts: np.ndarray, n_coders: int) -> dict[str, np.ndarray]:
    """Every coefficient from pattern counts; the last axis is the pattern.

    Works on any leading shape (codes, bootstrap replicates x codes, ...).
    NaN marks an undefined value (for instance alpha when no coder applied the
    code, or kappa when every rating is the same).

    Examples
    --------
    >>> c = np.array([80, 5, 5, 10])  # neither, A only, B only, both
    >>> {k: round(float(v), 4) for k, v in coefficients(c, 2).items() if not np.isnan(v)}
    {'percent_agreement': 0.9, 'coded_agreement': 0.5, 'cohen_kappa': 0.6078, 'krippendorff_alpha': 0.6098, 'gwet_ac1': 0.8658}
    """
    m = n_coders
    patterns = np.arange(2**m)
    k = np.array([bin(p).count("1") for p in patterns], dtype=float)  # coders applying the code
    n = counts.sum(-1).astype(float)
    n1 = (counts * k).sum(-1)                      # ratings "present"
    total = n * m                                  # all ratings
    agree = counts[..., 0] + counts[..., -1]
    out = {"percent_agreement": _ratio(agree, n)}
    # agreement on coded text only: all coders applied the code, among characters at least one coder coded;
    # it is not inflated by the uncoded text that dominates percent agreement and AC1 (the prevalence paradox)
    out["coded_agreement"] = _ratio(counts[..., -1], n - counts[..., 0])
    # Krippendorff: o_01 = sum_i k (m - k) / (m - 1); alpha = 1 - (N - 1) o_01 / (n_0 n_1)
    o01 = (counts * (k * (m - k) / (m - 1))).sum(-1)
    out["krippendorff_alpha"] = 1 - _ratio((total - 1) * o01, (total - n1) * n1)
    # Fleiss / Gwet: observed agreement averaged over characters
    pa = _ratio((counts * ((k * (k - 1) + (m - k) * (m - k - 1)) / (m * (m - 1)))).sum(-1), n)
    p1 = _ratio(n1, total)
    pe_fleiss = p1**2 + (1 - p1) ** 2
    out["fleiss_kappa"] = _ratio(pa - pe_fleiss, 1 - pe_fleiss) if m > 2 else np.full(np.shape(n), np.nan)
    pe_gwet = 2 * p1 * (1 - p1)
    out["gwet_ac1"] = _ratio(pa - pe_gwet, 1 - pe_gwet)
    if m == 2:
        a1 = _ratio(counts[..., 1] + counts[..., 3], n)
        b1 = _ratio(counts[..., 2] + counts[..., 3], n)
        pe = a1 * b1 + (1 - a1) * (1 - b1)
        out["cohen_kappa"] = _ratio(out["percent_agreement"] - pe, 1 - pe)
    else:
        out["cohen_kappa"] = np.full(np.shape(n), np.nan)
    return {name: out[name] for name in COEFFICIENTS}


def bootstrap(counts: np.ndarray, n_coders: int, n_boot: int, seed: int, level: float = 0.95,
              below: dict | None = None, method: str = "percentile") -> dict:
    """Bootstrap intervals from resampling documents with replacement.

    ``counts`` has shape (documents, ..., patterns); returns, per coefficient,
    the lower and upper bounds over the remaining axes. Replicates where a
    coefficient is undefined are left out of its interval. ``method`` is
    ``"percentile"`` or ``"bca"``: bias-corrected and accelerated (Efron 1987;
    Efron & Tibshirani 1993, ch. 14), its bias correction from the share of
    replicates below the estimate and its acceleration from the jackknife over
    documents. With ``below`` (a name -> minimum alpha), also ``q_<name>``: the
    share of replicates whose Krippendorff's alpha falls below that minimum
    (Krippendorff 2004, 2011: the probability q of failing to reach the smallest
    acceptable alpha).
    """
    stats = _replicates(counts, n_coders, n_boot, seed)
    out = _intervals(stats, counts, n_coders, level, method)
    alpha = stats["krippendorff_alpha"]
    defined = np.isfinite(alpha).sum(0)
    for key, minimum in (below or {}).items():
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"q_{key}"] = np.where(defined > 0, (np.nan_to_num(alpha, nan=np.inf) < minimum).sum(0) / defined, np.nan)
    return out


def _replicates(counts: np.ndarray, n_coders: int, n_boot: int, seed: int) -> dict[str, np.ndarray]:
    """Every coefficient on ``n_boot`` resamples of the documents (with replacement, seeded)."""
    n_docs = counts.shape[0]
    draws = np.random.default_rng(seed).integers(0, n_docs, size=(n_boot, n_docs))
    return coefficients(resampled_sums(counts, draws), n_coders)


def _intervals(stats: dict, counts: np.ndarray, n_coders: int, level: float, method: str) -> dict:
    """Each coefficient's interval from its replicates ``stats``: percentile, or BCa (which needs the
    estimate and the jackknife over the documents of ``counts``; with one document it falls back)."""
    tail = (1 - level) / 2
    jack = None  # BCa's leave-one-document-out estimates; with one document there are none
    if method == "bca":
        total = counts.sum(0)
        point = coefficients(total, n_coders)
        jack = coefficients(total[None] - counts, n_coders) if counts.shape[0] > 1 else None
    elif method != "percentile":
        raise ValueError(f"bootstrap method must be 'percentile' or 'bca', not {method!r}")
    return {name: _bca(values, point[name], jack[name], tail) if jack is not None else _quantiles(values, tail, 1 - tail)
            for name, values in stats.items()}


def resampled_sums(counts: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """The pattern counts of each bootstrap replicate (rows of ``draws``: the documents drawn).

    The same sums as ``counts[idx].sum(0)`` per replicate, from one product of how often each
    document was drawn with the documents' counts.
    """
    n_boot, n_docs = draws.shape
    times = np.bincount((np.arange(n_boot)[:, None] * n_docs + draws).ravel(), minlength=n_boot * n_docs)
    flat = counts.reshape(n_docs, -1).astype(np.float64)
    # whole numbers below 2**53, so the float product is exact
    return np.rint(times.reshape(n_boot, n_docs).astype(np.float64) @ flat).astype(np.int64).reshape(n_boot, *counts.shape[1:])


def _quantiles(values: np.ndarray, lo, hi) -> tuple[np.ndarray, np.ndarray]:
    """The ``lo`` and ``hi`` quantiles of the defined replicates (first axis), per element of the
    others; ``lo`` and ``hi`` may be arrays of those elements' shape. Linear interpolation between
    order statistics, as ``np.nanquantile``'s default; NaN where no replicate is defined."""
    ordered = np.sort(values, axis=0)  # NaN sorts last
    n = np.isfinite(values).sum(0)
    bounds = []
    for q in (lo, hi):
        pos = np.broadcast_to(q, n.shape) * np.maximum(n - 1, 0)
        below = np.floor(pos).astype(int)
        above = np.minimum(below + 1, np.maximum(n - 1, 0))
        low_v = np.take_along_axis(ordered, below[None], axis=0)[0]
        high_v = np.take_along_axis(ordered, above[None], axis=0)[0]
        bounds.append(np.where(n > 0, low_v + (pos - below) * (high_v - low_v), np.nan))
    return bounds[0], bounds[1]


def _bca(values: np.ndarray, point: np.ndarray, jack: np.ndarray, tail: float) -> tuple[np.ndarray, np.ndarray]:
    """BCa bounds per element of the trailing axes; ``values`` has the replicates first, ``jack`` the
    leave-one-document-out estimates first. Where the correction is undefined (a constant statistic,
    an undefined jackknife), the percentile bounds stand."""
    from scipy.stats import norm

    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        defined = np.isfinite(values)
        below = ((values < point) & defined).sum(0) + 0.5 * ((values == point) & defined).sum(0)
        z0 = norm.ppf(below / defined.sum(0))
        dev = np.nanmean(jack, axis=0) - jack
        a = np.nansum(dev**3, axis=0) / (6 * np.nansum(dev**2, axis=0) ** 1.5)
        shares = [norm.cdf(z0 + (z0 + z) / (1 - a * (z0 + z))) for z in (norm.ppf(tail), norm.ppf(1 - tail))]
    ok = np.isfinite(shares[0]) & np.isfinite(shares[1]) & np.isfinite(point)
    return _quantiles(values, np.where(ok, shares[0], tail), np.where(ok, shares[1], 1 - tail))


def interval_coverage(counts: np.ndarray, n_coders: int, n_runs: int, n_boot: int, seed: int,
                      level: float = 0.95, method: str = "percentile") -> tuple[np.ndarray, np.ndarray]:
    """How often the bootstrap interval of Krippendorff's alpha covers the value it estimates.

    An iterated bootstrap (Efron & Tibshirani 1993, sec. 18.3; Hall 1986): the study's own
    double-coded documents are taken as the population, so their alpha is the true value; each run
    draws as many documents with replacement, builds the interval from that sample as the pipeline
    does (``n_boot`` resamples, ``method``), and checks whether it covers the truth. ``counts`` has
    shape (documents, ..., patterns). Returns, over the middle axes, the share of runs that covered
    and the share whose lower bound lay above the truth (the miss that matters for flags read from
    the lower bound); NaN where alpha is undefined. Run r's own bootstrap uses the seed ``seed + 1 + r``.
    """
    return _coverage(counts, n_coders, n_runs, n_boot, seed, level, (method,))[method]


def _coverage(counts: np.ndarray, n_coders: int, n_runs: int, n_boot: int, seed: int, level: float,
              methods: tuple[str, ...]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """:func:`interval_coverage` of several kinds of interval at once: each run's resamples are drawn
    once and every kind of interval is built from them."""
    rng = np.random.default_rng(seed)
    truth = coefficients(counts.sum(0), n_coders)["krippendorff_alpha"]
    tally = {m: [np.zeros(np.shape(truth)) for _ in range(3)] for m in methods}  # covered, above, counted
    n_docs = counts.shape[0]
    for run in range(n_runs):
        sample = counts[rng.integers(0, n_docs, n_docs)]
        stats = {"krippendorff_alpha": _replicates(sample, n_coders, n_boot, seed + 1 + run)["krippendorff_alpha"]}
        for method in methods:
            lo, hi = _intervals(stats, sample, n_coders, level, method)["krippendorff_alpha"]
            has = np.isfinite(lo) & np.isfinite(hi) & np.isfinite(truth)
            covered, high, counted = tally[method]
            covered += has & (lo <= truth) & (truth <= hi)
            high += has & (lo > truth)
            counted += has
    with np.errstate(invalid="ignore", divide="ignore"):
        return {m: (np.where(c > 0, cov / c, np.nan), np.where(c > 0, hi / c, np.nan))
                for m, (cov, hi, c) in tally.items()}


def coverage_check(segments: pd.DataFrame, documents: pd.DataFrame, codes: list[str], coders: list[str],
                   n_runs: int, n_boot: int, seed: int, level: float = 0.95) -> dict:
    """:func:`interval_coverage` of the percentile and the BCa interval, per code and pooled.

    Returns, per method, the pooled alpha's coverage, the share of runs whose lower bound lay above
    the truth, and the median and lowest coverage over the codes, with the Monte Carlo standard
    error of a coverage of the nominal level over these runs, and the runs, resamples, level and
    documents it was computed on.
    """
    docs, counts = pattern_counts(segments, documents, codes, coders)
    out = {"runs": n_runs, "bootstrap": n_boot, "level": level, "n_documents": len(docs),
           "mc_se": float(np.sqrt(level * (1 - level) / n_runs))}
    kinds = ("percentile", "bca")
    if len(docs) < 2:
        return out | {m: None for m in kinds}
    both = np.concatenate([counts, counts.sum(1, keepdims=True)], axis=1)  # the last column: pooled
    for method, (cover, high) in _coverage(both, len(coders), n_runs, n_boot, seed, level, kinds).items():
        per_code = cover[:-1][np.isfinite(cover[:-1])]
        out[method] = {"pooled": float(cover[-1]), "pooled_lower_above": float(high[-1]),
                       "per_code_median": float(np.median(per_code)) if len(per_code) else None,
                       "per_code_min": float(per_code.min()) if len(per_code) else None,
                       "per_code_lower_above_median": float(np.nanmedian(high[:-1])) if len(per_code) else None,
                       "n_codes": int(len(per_code))}
    return out


def code_agreement(segments: pd.DataFrame, documents: pd.DataFrame, codes: list[str], coders: list[str],
                   n_boot: int, seed: int, thresholds: dict, method: str = "percentile") -> tuple[pd.DataFrame, dict]:
    """Per-code and overall agreement with bootstrap intervals (``method``: see :func:`bootstrap`)
    and Krippendorff's flags.

    Returns
    -------
    per_code : DataFrame
        One row per code: ``code_id``, ``chars_<coder>`` (characters each coder
        coded), every coefficient with ``_lo``/``_hi`` bounds, and ``flag``
        (``reliable``, ``tentative``, ``unreliable`` or ``undefined``).
    overall : dict
        The same coefficients pooled over codes (units: code x character), plus
        ``n_documents``, ``n_chars`` and ``n_coders``.
    """
    docs, counts = pattern_counts(segments, documents, codes, coders)
    m = len(coders)
    per = pd.DataFrame({"code_id": codes})
    for j, coder in enumerate(coders):
        has = np.array([(p >> j) & 1 for p in range(2**m)])
        per[f"chars_{coder}"] = (counts.sum(0) * has).sum(-1) if len(docs) else 0
    if not docs:
        for name in COEFFICIENTS:
            per[name] = per[f"{name}_lo"] = per[f"{name}_hi"] = np.nan
        per["flag"] = "undefined"
        overall = {"n_documents": 0, "n_chars": 0, "n_coders": m} | {n: None for n in COEFFICIENTS}
        return per, overall
    point = coefficients(counts.sum(0), m)
    ci = bootstrap(counts, m, n_boot, seed, below=thresholds, method=method)
    pooled = coefficients(counts.sum((0, 1)), m)
    pooled_ci = bootstrap(counts.sum(1), m, n_boot, seed, below=thresholds, method=method)
    for name in COEFFICIENTS:
        per[name], per[f"{name}_lo"], per[f"{name}_hi"] = point[name], ci[name][0], ci[name][1]
    for key in thresholds:
        per[f"alpha_q_{key}"] = ci[f"q_{key}"]
    # flagged on the interval's lower bound, not the point estimate: a code is reliable only when
    # alpha is unlikely to fall below the minimum (Krippendorff 2004, sec. 11.4)
    per["flag"] = [flag(lo, thresholds) if not np.isnan(a) else "undefined"
                   for a, lo in zip(per["krippendorff_alpha"], per["krippendorff_alpha_lo"])]
    n_chars = dict(zip(documents["document_id"], documents["n_chars"]))
    overall = {"n_documents": len(docs), "n_chars": int(sum(n_chars[d] for d in docs)), "n_coders": m,
               "interval": method if len(docs) > 1 else "percentile"}  # BCa needs a jackknife over documents
    for name in COEFFICIENTS:
        value = float(pooled[name])
        overall[name] = None if np.isnan(value) else value
        overall[f"{name}_lo"] = None if np.isnan(pooled_ci[name][0]) else float(pooled_ci[name][0])
        overall[f"{name}_hi"] = None if np.isnan(pooled_ci[name][1]) else float(pooled_ci[name][1])
    for key in thresholds:
        q = float(pooled_ci[f"q_{key}"])
        overall[f"alpha_q_{key}"] = None if np.isnan(q) else q
    lower = overall.get("krippendorff_alpha_lo")
    overall["flag"] = "undefined" if overall["krippendorff_alpha"] is None else flag(
        lower if lower is not None else float("nan"), thresholds)
    return per, overall


def flag(alpha: float, thresholds: dict) -> str:
    """Krippendorff's reading of an alpha (the workflow gives it the lower bound of the 95%
    bootstrap interval): reliable (>= 0.800), tentative (>= 0.667), unreliable.

    Examples
    --------
    >>> [flag(a, {"reliable": 0.8, "tentative": 0.667}) for a in (0.85, 0.7, 0.5, float("nan"))]
    ['reliable', 'tentative', 'unreliable', 'undefined']
    """
    if alpha is None or np.isnan(alpha):
        return "undefined"
    if alpha >= thresholds["reliable"]:
        return "reliable"
    return "tentative" if alpha >= thresholds["tentative"] else "unreliable"


def disagreements(segments: pd.DataFrame, documents: pd.DataFrame, codes: list[str],
                  coders: list[str]) -> pd.DataFrame:
    """Every stretch of text where the coders differ on a code, ready for reconciliation.

    One row per maximal run of characters with the same presence pattern that is
    not unanimous: the document, the code, the span and its text, the coders
    who applied the code there and those who did not, and, for the latter, the
    codes they applied to overlapping text instead (a confusion rather than an
    omission). Sorted by document and position.
    """
    rows = []
    docs = double_coded_documents(segments, coders, documents)
    bodies = dict(zip(documents["document_id"], documents["body"]))
    n_chars = dict(zip(documents["document_id"], documents["n_chars"]))
    for doc, grids, seg_code, seg_coder, seg_start, seg_end in _by_document(segments, docs, n_chars, codes, coders):
        body = bodies[doc]
        for code, grid in zip(codes, grids):
            mixed = grid.min(0) != grid.max(0)
            if not mixed.any():
                continue
            key = np.where(mixed, (grid * (1 << np.arange(len(coders)))[:, None]).sum(0), -1)
            edges = np.flatnonzero(np.diff(np.concatenate([[-2], key, [-2]])) != 0)
            for start, end in zip(edges[:-1], edges[1:]):
                if key[start] < 0:
                    continue
                applied = [c for j, c in enumerate(coders) if grid[j, start]]
                missing = [c for c in coders if c not in applied]
                other = seg_code[np.isin(seg_coder, missing) & (seg_start < end) & (seg_end > start) & (seg_code != code)]
                rows.append({"document_id": doc, "code_id": code, "start": int(start), "end": int(end),
                             "applied_by": ";".join(applied), "not_applied_by": ";".join(missing),
                             "other_codes_there": ";".join(sorted(set(other.tolist()))),
                             "text": body[start:end]})
    columns = ["document_id", "code_id", "start", "end", "applied_by", "not_applied_by", "other_codes_there", "text"]
    return pd.DataFrame(rows, columns=columns).sort_values(["document_id", "start", "code_id"], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------- any units x coders table
LEVELS = ("nominal", "ordinal", "interval", "ratio")


def pairable(ratings: pd.DataFrame) -> pd.DataFrame:
    """Units with at least two ratings (Krippendorff's pairable values)."""
    return ratings[ratings.notna().sum(axis=1) >= 2]


def percent_agreement(ratings: pd.DataFrame) -> float | None:
    """Share of pairable units on which every rating is the same value.

    Examples
    --------
    >>> r = pd.DataFrame({"A": [1, 1, 2, np.nan], "B": [1, 2, 2, 3]})
    >>> percent_agreement(r)
    0.6666666666666666
    """
    units = pairable(ratings)
    if units.empty:
        return None
    return float((units.nunique(axis=1) == 1).mean())


def krippendorff_alpha(ratings: pd.DataFrame, level: str) -> float | None:
    """Krippendorff's alpha at ``level``; None when undefined (no variation among pairable values).

    Nominal values may be any labels; they are coded as integers first.
    """
    units = pairable(ratings)
    values = units.to_numpy(dtype=object)
    present = values[pd.notna(values)]
    if present.size == 0 or len(set(present.tolist())) < 2:
        return None
    if level == "nominal":
        codes = {v: i for i, v in enumerate(sorted(set(present.tolist()), key=str))}
        data = np.array([[codes[v] if pd.notna(v) else np.nan for v in row] for row in values], dtype=float)
    else:
        data = units.to_numpy(dtype=float)
    import krippendorff

    return float(krippendorff.alpha(reliability_data=data.T, level_of_measurement=level))


def cohen_kappa(ratings: pd.DataFrame) -> float | None:
    """Cohen's (unweighted) kappa for exactly two coders, over units both rated."""
    if ratings.shape[1] != 2:
        return None
    both = ratings.dropna()
    if both.empty:
        return None
    table = pd.crosstab(both.iloc[:, 0].astype(str), both.iloc[:, 1].astype(str))
    cats = sorted(set(table.index) | set(table.columns))
    table = table.reindex(index=cats, columns=cats, fill_value=0).to_numpy()
    expected = (table.sum(0) * table.sum(1)).sum() / table.sum() ** 2
    if np.isclose(expected, 1.0):
        return None
    from statsmodels.stats.inter_rater import cohens_kappa

    return float(cohens_kappa(table, return_results=False))


def _labels(ratings: pd.DataFrame) -> pd.Series:
    """Each unit's ratings as a list of text labels, missing ratings left out."""
    return ratings.apply(lambda row: row.dropna().astype(str).tolist(), axis=1)


def _agreement_parts(ratings: pd.DataFrame):
    """Gwet's (2014) building blocks for nominal ratings with missing values: the pairwise agreement
    ``pa`` over units rated at least twice, each category's mean share ``pi`` over units rated at
    least once, and the categories; None when no unit is rated twice.

    pa averages sum_k r_ik (r_ik - 1) / (r_i (r_i - 1)) over the units with r_i >= 2 ratings, r_ik of
    them in category k; pi_k averages r_ik / r_i over the units with r_i >= 1 (Gwet 2014, eq. 2.21
    and 4.7-4.9, as irrCAC computes them).
    """
    labels = _labels(ratings)
    labels = labels[labels.map(len) >= 1]
    cats = sorted({v for row in labels for v in row})
    if not cats:
        return None
    counts = np.array([[row.count(c) for c in cats] for row in labels], dtype=float)
    r = counts.sum(1)
    two = r >= 2
    if not two.any():
        return None
    pa = ((counts[two] * (counts[two] - 1)).sum(1) / (r[two] * (r[two] - 1))).mean()
    pi = (counts / r[:, None]).mean(0)
    return pa, pi, cats


def pairwise_agreement(ratings: pd.DataFrame) -> float | None:
    """The share of agreeing pairs of ratings per unit, averaged over units rated at least twice
    (Gwet's pa): the percent agreement that the chance-corrected coefficients start from.

    Examples
    --------
    >>> r = pd.DataFrame({"A": ["a", "a", "b"], "B": ["a", "b", "b"], "C": ["a", "a", None]})
    >>> round(pairwise_agreement(r), 4)  # units: 3 of 3 pairs agree, 1 of 3, 1 of 1
    0.7778
    """
    parts = _agreement_parts(ratings)
    return None if parts is None else float(parts[0])


def fleiss(ratings: pd.DataFrame) -> float | None:
    """Fleiss' kappa, in Gwet's (2014) form for missing ratings: (pa - pe) / (1 - pe) with
    pe = sum_k pi_k ** 2 (see :func:`_agreement_parts`). With the same number of ratings on every
    unit it is Fleiss' (1971) kappa. None when undefined (one category only, or no unit rated twice)."""
    parts = _agreement_parts(ratings)
    if parts is None:
        return None
    pa, pi, _ = parts
    pe = float((pi**2).sum())
    if np.isclose(pe, 1.0):
        return None
    return float((pa - pe) / (1 - pe))


def gwet_ac1(ratings: pd.DataFrame) -> float | None:
    """Gwet's AC1 for any number of coders with missing ratings (nominal).

    Gwet (2014), eq. 4.7-4.9: with r_ik coders putting unit i in category k and
    r_i ratings of unit i, pa averages sum_k r_ik (r_ik - 1) / (r_i (r_i - 1))
    over units with r_i >= 2; pi_k averages r_ik / r_i over units with r_i >= 1;
    pe = sum_k pi_k (1 - pi_k) / (Q - 1) over the Q categories.

    Examples
    --------
    >>> r = pd.DataFrame({"A": ["a", "a", "b"], "B": ["a", "a", "b"]})
    >>> gwet_ac1(r)
    1.0
    """
    parts = _agreement_parts(ratings)
    if parts is None:
        return None
    pa, pi, cats = parts
    if len(cats) == 1:
        return 1.0
    pe = (pi * (1 - pi)).sum() / (len(cats) - 1)
    return float((pa - pe) / (1 - pe))


def coerce_level(values: pd.Series, level: str) -> tuple[pd.Series, list[int]]:
    """Values ready for ``level``: numbers for ordinal/interval/ratio; rows that do not parse.

    Examples
    --------
    >>> coerce_level(pd.Series(["1", "x", "2.5"]), "interval")[1]
    [1]
    """
    if level == "nominal":
        return values.astype(str).str.strip(), []
    numbers = pd.to_numeric(values.astype(str).str.strip(), errors="coerce")
    bad = [i for i, (raw, num) in enumerate(zip(values, numbers)) if pd.isna(num)]
    if level == "ratio":
        bad += [i for i, num in enumerate(numbers) if pd.notna(num) and num < 0 and i not in bad]
    return numbers, sorted(bad)


def reliability_report(long: pd.DataFrame, level: str) -> dict:
    """Every coefficient for a long ``unit, coder, value`` table at ``level``.

    Returns the JSON object ``casebook reliability`` prints: ``n_units``,
    ``n_coders``, ``percent_agreement``, ``krippendorff_alpha``, ``cohen_kappa``
    (two coders only), ``fleiss_kappa`` (nominal; Gwet's form, so missing ratings are allowed) and
    ``gwet_ac1`` (nominal); a coefficient that is undefined is None. ``percent_agreement`` counts the
    units on which every rating agrees (``percent_agreement_definition`` says so);
    ``pairwise_agreement`` (nominal) is the share of agreeing pairs, the agreement the kappas and AC1
    correct for chance.
    """
    ratings = long.pivot(index="unit", columns="coder", values="value")
    nominal = level == "nominal"
    return {
        "level": level,
        "n_units": int(ratings.shape[0]),
        "n_coders": int(ratings.shape[1]),
        "n_pairable_units": int(len(pairable(ratings))),
        "percent_agreement": percent_agreement(ratings),
        "percent_agreement_definition": "units on which all ratings agree, among units rated at least twice",
        "pairwise_agreement": pairwise_agreement(ratings) if nominal else None,
        "krippendorff_alpha": krippendorff_alpha(ratings, level),
        "cohen_kappa": cohen_kappa(ratings),
        "fleiss_kappa": fleiss(ratings) if nominal else None,
        "gwet_ac1": gwet_ac1(ratings) if nominal else None,
    }
