"""Coding summaries: how often each code and theme was applied, and where.

Counts roll up the code tree: a theme counts every segment coded at the theme
or at any code beneath it. Shares of documents and of participants carry Wilson
95% intervals (statsmodels' ``proportion_confint``), which take the units as independent, and,
for the pooled shares, Wilson intervals on the effective sample size of units clustered in
stations (:func:`clustered_wilson`). The code x category tests permute labels within speakers or
stations (:mod:`analysis.methods.permutation`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from analysis.methods.codebook import ancestors


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
        used has zeros, not a missing row. When ``documents`` and
        ``participants`` carry ``case_id``, also ``deff_<unit>`` and the
        ``share_<unit>_clu_lo``/``_clu_hi`` bounds of :func:`clustered_wilson`, which
        take the nesting of documents and participants in stations into account.

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
    counts = _counts(segments, codes, [])
    out = _base(codes).join(counts).fillna({c: 0 for c in counts.columns})
    out = _with_shares(out, len(documents), len(participants), alpha)
    if "case_id" in documents and "case_id" in participants:
        by_station = _counts(segments, codes, ["case_id"])
        for unit, frame in (("documents", documents), ("participants", participants)):
            y = by_station[f"n_{unit}"].unstack("case_id", fill_value=0).reindex(out.index, fill_value=0)
            size = frame["case_id"].value_counts()
            y = y.reindex(columns=size.index, fill_value=0)
            deff, lo, hi = clustered_wilson(y.to_numpy(dtype=float), size.to_numpy(dtype=float), alpha)
            out[f"deff_{unit}"], out[f"share_{unit}_clu_lo"], out[f"share_{unit}_clu_hi"] = deff, lo, hi
    return out.reset_index()


def clustered_wilson(y: np.ndarray, n: np.ndarray, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Wilson intervals for shares of units nested in clusters, on the effective sample size.

    The design effect is the cluster-robust (linearisation) variance of the pooled share over its
    simple-random-sampling variance: with p = sum(y) / N,
    v = G / (G - 1) * sum_g (y_g - p n_g)^2 / N^2 and deff = v / (p (1 - p) / N), never below 1.
    The Wilson score interval is then taken on n_eff = N / deff units (Korn & Graubard 1998; Dean &
    Pagano 2015 found Wilson on the effective sample size among the intervals that hold their level
    in clustered samples) with the t(G - 1) quantile in place of the normal one, the small-sample
    reference the outcome models use too. A share of 0 or 1 has no between-cluster variance to
    measure; its design effect is taken as 1. With a single cluster nothing is defined (NaN).

    Parameters
    ----------
    y : array (rows, G)
        Units with the attribute in each cluster (one row per code).
    n : array (G,)
        Units in each cluster.

    Returns
    -------
    deff, lo, hi : arrays (rows,)
    """
    from scipy.stats import t as student_t

    big_n, g = n.sum(), len(n)
    p = y.sum(1) / big_n if big_n else np.full(len(y), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = g / (g - 1) * ((y - p[:, None] * n[None, :]) ** 2).sum(1) / big_n**2 if g > 1 else np.full(len(y), np.nan)
        deff = np.where((p > 0) & (p < 1) & np.isfinite(v), v / (p * (1 - p) / big_n), 1.0)
    deff = np.where(g > 1, np.maximum(deff, 1.0), np.nan)  # one cluster: no between-cluster variance to measure
    n_eff = big_n / deff
    z = student_t.ppf(1 - alpha / 2, g - 1) if g > 1 else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = (p + z**2 / (2 * n_eff)) / (1 + z**2 / n_eff)
        half = z / (1 + z**2 / n_eff) * np.sqrt(p * (1 - p) / n_eff + z**2 / (4 * n_eff**2))
    return deff, np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


COUNTS = ["n_segments", "n_documents", "n_participants", "n_stations"]


def _base(codes: pd.DataFrame) -> pd.DataFrame:
    return codes.sort_values("order")[["code_id", "parent", "theme", "depth", "label_zh", "label_en"]].set_index("code_id")


def _counts(segments: pd.DataFrame, codes: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Segments, documents, participants and stations per code (rolled up the tree), within ``by``."""
    chains = ancestors(codes)
    rolled = segments.assign(rolled=segments["code_id"].map(chains)).explode("rolled")
    rolled = rolled.drop_duplicates(["segment_id", "rolled"])
    speaking = rolled[rolled["participant_id"].fillna("") != ""]
    keys = [*by, "rolled"]
    return pd.DataFrame({
        "n_segments": rolled.groupby(keys)["segment_id"].nunique(),
        "n_documents": rolled.groupby(keys)["document_id"].nunique(),
        "n_participants": speaking.groupby(keys)["participant_id"].nunique(),
        "n_stations": rolled.groupby(keys)["case_id"].nunique(),
    }).rename_axis(index=[*by, "code_id"])


def _with_shares(out: pd.DataFrame, documents, participants, alpha: float) -> pd.DataFrame:
    """The counts as integers, and the share of documents and of participants with Wilson bounds;
    ``documents`` and ``participants`` are the denominators, one for all rows or one per row."""
    for col in COUNTS:
        out[col] = out[col].astype(int)
    for unit, total in (("documents", documents), ("participants", participants)):
        n = out[f"n_{unit}"]
        total = np.broadcast_to(np.asarray(total), n.shape)
        has = total > 0
        share, lo, hi = (np.full(n.shape, float("nan")) for _ in range(3))
        if has.any():
            share[has] = n.to_numpy()[has] / total[has]
            lo[has], hi[has] = proportion_confint(n.to_numpy()[has], total[has], alpha=alpha, method="wilson")
        out[f"share_{unit}"], out[f"share_{unit}_lo"], out[f"share_{unit}_hi"] = share, lo, hi
    return out


def code_frequencies_by_station(segments: pd.DataFrame, codes: pd.DataFrame, documents: pd.DataFrame,
                                participants: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """:func:`code_frequencies` within each station, its denominators the station's own.

    Returns the same columns plus ``case_id``; every station has a row for every code. Counted
    for all stations at once (one groupby), so its cost follows the segments, not their number
    times the stations'.
    """
    base = _base(codes)
    cases = sorted(documents["case_id"].unique())
    grid = pd.MultiIndex.from_product([cases, base.index], names=["case_id", "code_id"])
    counts = _counts(segments, codes, ["case_id"]).reindex(grid).fillna(0)
    out = base.reindex(grid.get_level_values("code_id")).set_index(grid).join(counts)
    n_docs = documents["case_id"].value_counts().reindex(cases).fillna(0)
    n_people = participants["case_id"].value_counts().reindex(cases).fillna(0)
    position = grid.get_level_values("case_id")
    out = _with_shares(out, n_docs.loc[position].to_numpy(), n_people.loc[position].to_numpy(), alpha)
    out = out.reset_index()
    return out[[c for c in out.columns if c != "case_id"] + ["case_id"]]


def spans(segments: pd.DataFrame) -> pd.DataFrame:
    """The distinct coded stretches of text (document, start, end) with their codes.

    A span is the unit of the code-by-category tests: every span counts once,
    whatever number of codes it carries.

    Examples
    --------
    >>> seg = pd.DataFrame({"document_id": ["d", "d", "d"], "start": [0, 0, 5], "end": [4, 4, 9],
    ...                     "code_id": ["a", "b", "a"], "actor_type": ["resident"] * 3})
    >>> spans(seg)[["start", "codes"]].values.tolist()
    [[0, ['a', 'b']], [5, ['a']]]
    """
    keys = ["document_id", "start", "end"]
    extra = [c for c in ("case_id", "actor_type", "participant_id") if c in segments]
    grouped = segments.groupby(keys, sort=True)
    out = grouped[extra].first() if extra else grouped.size().to_frame("n")[[]]
    out["codes"] = span_codes(segments, keys)
    return out.reset_index()


def span_codes(segments: pd.DataFrame, keys: list[str]) -> list[list[str]]:
    """The sorted distinct codes of each group of ``keys`` (groups in sorted order, as ``groupby``
    gives them), from one sort instead of a Python function per group.

    >>> seg = pd.DataFrame({"d": ["x", "x", "x", "a"], "code_id": ["b", "a", "b", "c"]})
    >>> span_codes(seg, ["d"])
    [['c'], ['a', 'b']]
    """
    codes = segments[[*keys, "code_id"]].drop_duplicates().sort_values([*keys, "code_id"], kind="stable")
    if codes.empty:
        return []
    group = codes.groupby(keys, sort=True).ngroup().to_numpy()
    cuts = np.flatnonzero(np.diff(group)) + 1
    return [part.tolist() for part in np.split(codes["code_id"].to_numpy(dtype=object), cuts)]


def code_by_category(unit_spans: pd.DataFrame, category: pd.Series, codes: list[str], chains: dict,
                     categories: list[str], seed: int, *, cluster: pd.Series, stratum: pd.Series,
                     labels_belong_to: str, n_permutations: int = 9999, n_resamples: int = 9999,
                     min_expected: float = 5.0, min_with_code: int = 1,
                     cochran: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Is each code's use independent of a category of the span (actor type, phase)?

    For every code, a 2 x K table crosses spans that carry the code (or a code beneath it) against
    those that do not, over the K categories. The p-values respect the nesting of spans in speakers
    and of speakers in stations (:mod:`analysis.methods.permutation`): with
    ``labels_belong_to="cluster"`` each cluster (speaker) keeps one category, which is shuffled
    among the clusters of the same stratum (station); with ``"span"`` the categories are shuffled
    among the spans of the same cluster. Each cell gets a z-score and a two-sided p-value under the
    shuffles, each code the sum of its cells' squared z-scores and its p-value
    (:func:`analysis.methods.permutation.permutation_test`); Pearson's X2 and the adjusted
    standardized residuals (Haberman 1973) are kept as descriptions that take spans as independent. False-discovery-rate control (Benjamini-Hochberg 1995, statsmodels
    ``multipletests``) runs over the codes' tests and, separately, over all the cells.

    For comparison each code also gets the test that treats spans as independent draws, as the
    pipeline did before: Pearson's chi-square, or a seeded Monte Carlo test over tables with the
    same margins (scipy's ``MonteCarloMethod``) when an expected count is below ``min_expected``.

    A code carried by fewer than ``min_with_code`` spans (the configuration's
    ``coding.min_segments_for_test``) is not tested: one or two spans cannot show a dependence, and
    leaving them out keeps them out of the false-discovery-rate correction too. With ``cochran`` a code
    is tested only when its 2 x K table meets Cochran's (1954) rule (:func:`meets_cochran`): the
    permutation p-value would be exact even for a sparser table, but a dependence that rests on one or
    two spans per cell says little, and such a code is not tested (its ``method`` is
    ``"sparse_table"``) and left out of the correction as well.

    Parameters
    ----------
    unit_spans : DataFrame
        From :func:`spans`; its ``codes`` column lists each span's codes.
    category : Series
        The category of each span (aligned with ``unit_spans``); spans whose category is missing
        are left out.
    codes, categories : list of str
        Rows and columns of the result, in display order.
    chains : dict
        Code -> ancestors (:func:`analysis.methods.codebook.ancestors`), for roll-up.
    cluster, stratum : Series
        Aligned with ``unit_spans``: the speaker of each span, and the block the shuffles stay in
        (used with ``labels_belong_to="cluster"``; with ``"span"`` the cluster is the block).
    labels_belong_to : {"cluster", "span"}
        Whether the category is a property of the speaker or of the single span.

    Returns
    -------
    cells : DataFrame
        ``code_id, category, observed, expected, row_share, adj_resid`` (under independent spans),
        ``perm_z, p_perm`` (under the shuffles) and ``p_fdr``.
    tests : DataFrame
        ``code_id, n_spans, n_with_code, n_clusters, statistic`` (the sum of the cells' squared
        permutation z-scores), ``p_value, p_fdr, method`` (the clustered permutation test), and, with
        spans taken as independent, ``x2, dof, p_spans, spans_method, p_spans_fdr``.
        A code never used, used on fewer than ``min_with_code`` spans (its ``method`` is
        ``"too_few_spans"``), used on every span, in a table with a single category, or none of whose
        cells any shuffle can change, has no test.
    """
    from analysis.methods.multiplicity import fdr_adjust
    from analysis.methods.permutation import permutation_test

    keep = (category.notna() & category.isin(categories)).to_numpy()
    cat = pd.Categorical(category[keep], categories=categories).codes
    rolled = unit_spans.loc[keep, "codes"].map(lambda cs: {a for c in cs for a in chains.get(c, [c])})
    # which spans carry each code (rolled up): one pass over the spans
    row_of = {code: i for i, code in enumerate(codes)}
    carries = np.zeros((len(rolled), len(codes)))
    for j, held in enumerate(rolled.tolist()):
        for code in held:
            if code in row_of:
                carries[j, row_of[code]] = 1.0
    who = pd.factorize(cluster[keep].astype(str))[0]
    units = _permutation_units(carries, cat, who, stratum[keep].astype(str).to_numpy(), labels_belong_to)
    r, n = carries.sum(0), len(cat)
    several = (np.bincount(cat, minlength=len(categories)) > 0).sum() > 1
    tested = (r > 0) & (r >= min_with_code) & (r < n) & several
    col_n = np.bincount(cat, minlength=len(categories)).astype(float)
    sparse = np.array([not meets_cochran(r_i, col_n) for r_i in r]) if cochran else np.zeros(len(codes), bool)
    sparse &= tested
    tested &= ~sparse
    k = len(categories)
    perm = (permutation_test(units["counts"][:, tested], units["totals"], units["labels"], units["strata"], k,
                             n_permutations, np.random.default_rng(seed)) if tested.any() else None)
    rng = np.random.default_rng(seed)
    observed = np.zeros((len(codes), k))
    col = np.bincount(cat, minlength=k).astype(float)
    for j in range(k):
        observed[:, j] = carries[cat == j].sum(0)
    expected, resid, z, p_cell = (np.full((len(codes), k), np.nan) for _ in range(4))
    x2, t, p = (np.full(len(codes), np.nan) for _ in range(3))
    if perm is not None:
        x2[tested], t[tested], p[tested] = perm["x2"], perm["t"], perm["p"]
        resid[tested], z[tested], p_cell[tested] = perm["resid"], perm["z"], perm["p_cell"]
        expected[tested] = np.where(col > 0, r[tested, None] * col[None, :] / n, np.nan)
    movable = ~np.isnan(p)  # some cell of the code changes under the shuffles
    dof = (col > 0).sum() - 1
    tests = pd.DataFrame({"code_id": codes, "n_spans": n, "n_with_code": r.astype(int),
                          "n_clusters": len(np.unique(who)), "statistic": t, "x2": x2,
                          "dof": np.where(tested, dof, np.nan), "p_value": p,
                          "method": np.where(movable, f"{labels_belong_to}_permutation",
                                             np.where((r > 0) & (r < min_with_code), "too_few_spans",
                                                      np.where(sparse, "sparse_table", "none")))})
    tests["p_spans"], tests["spans_method"] = zip(*[
        _independent_spans_test(observed[i], col, n, rng, n_resamples, min_expected) if tested[i] else (np.nan, "none")
        for i in range(len(codes))]) if codes else ((), ())
    tests["p_fdr"], tests["p_spans_fdr"] = fdr_adjust(tests["p_value"]), fdr_adjust(tests["p_spans"])
    cells = pd.DataFrame({"code_id": np.repeat(codes, k), "category": np.tile(categories, len(codes)),
                          "observed": observed.ravel().astype(int), "expected": expected.ravel(),
                          "row_share": (observed / np.where(r > 0, r, np.nan)[:, None]).ravel(),
                          "adj_resid": resid.ravel(), "perm_z": z.ravel(), "p_perm": p_cell.ravel()})
    cells["p_fdr"] = fdr_adjust(cells["p_perm"])
    return cells, tests


def meets_cochran(with_code: float, per_category, at_least: float = 1.0, below_five: float = 0.2) -> bool:
    """Cochran's (1954) rule for a 2 x K table of spans with and without a code over the categories
    (``per_category``: the spans of each; categories without spans are not cells): no expected count
    below ``at_least`` (1) and at most ``below_five`` (a fifth) of the cells below 5.

    Examples
    --------
    >>> meets_cochran(5, [100, 80, 80, 68])      # 328 phase spans: 1.0 to 1.5 expected per cell
    False
    >>> meets_cochran(27, [100, 80, 80, 68])     # the smallest expected count is 27 * 68 / 328 = 5.6
    True
    >>> meets_cochran(20, [100, 80, 80, 68])     # 4.9, 4.9 and 4.1: three of the eight cells below 5
    False
    """
    col = np.asarray(per_category, float)
    col = col[col > 0]
    n = col.sum()
    if n <= 0 or not 0 < with_code < n:
        return False
    expected = np.concatenate([with_code * col / n, (n - with_code) * col / n])
    return bool(expected.min() >= at_least and (expected < 5).mean() <= below_five)


def _permutation_units(carries: np.ndarray, cat: np.ndarray, who: np.ndarray, stratum: np.ndarray,
                       labels_belong_to: str) -> dict[str, np.ndarray]:
    """What the permutation test shuffles: speakers within stations, or spans within speakers."""
    if labels_belong_to == "span":
        return {"counts": carries, "totals": np.ones(len(cat)), "labels": cat, "strata": who}
    if labels_belong_to != "cluster":
        raise ValueError(f"labels_belong_to must be 'cluster' or 'span', not {labels_belong_to!r}")
    n_units = who.max() + 1 if len(who) else 0
    label = np.full(n_units, -1)
    label[who] = cat
    if (label[who] != cat).any():
        raise ValueError("a speaker's spans carry more than one category; shuffle spans, not speakers")
    counts = np.zeros((n_units, carries.shape[1]))
    np.add.at(counts, who, carries)
    strata = np.empty(n_units, dtype=object)
    strata[who] = stratum
    if (strata[who] != stratum).any():
        raise ValueError("a speaker's spans lie in more than one station; a speaker belongs to one station")
    return {"counts": counts, "totals": np.bincount(who, minlength=n_units).astype(float), "labels": label,
            "strata": strata.astype(str)}


def _independent_spans_test(row: np.ndarray, col: np.ndarray, n: int, rng, n_resamples: int,
                            min_expected: float) -> tuple[float, str]:
    """The chi-square (or Monte Carlo) p-value of one code's table with spans taken as independent."""
    from scipy.stats import MonteCarloMethod, chi2_contingency

    table = np.array([row, col - row])[:, col > 0]
    if (np.outer(table.sum(1), table.sum(0)) / n < min_expected).any():
        res = chi2_contingency(table, correction=False, method=MonteCarloMethod(n_resamples=n_resamples, rng=rng))
        return float(res.pvalue), "monte_carlo"
    return float(chi2_contingency(table, correction=False).pvalue), "chi2"


#: The five actor types of the data model, in display order.
ACTOR_TYPES = ["government", "social_worker", "cadre", "resident", "volunteer_org"]


def by_actor(segments: pd.DataFrame, codes: pd.DataFrame, settings: dict, seed: int):
    """Leaf codes x the speaker's actor type (spans with a speaker only).

    The actor type belongs to the speaker, so the test shuffles it among the speakers of the same
    station. See :func:`code_by_category`; ``settings`` is the configuration's ``coding`` section.
    """
    unit = spans(segments)
    leaves = codes.loc[codes["is_leaf"], "code_id"].tolist()
    category = unit["actor_type"].where(unit["actor_type"].isin(ACTOR_TYPES))
    return code_by_category(unit, category, leaves, ancestors(codes), ACTOR_TYPES, seed,
                            cluster=unit["participant_id"], stratum=unit["case_id"], labels_belong_to="cluster",
                            **_test_settings(settings))


def by_phase(segments: pd.DataFrame, codes: pd.DataFrame, settings: dict, seed: int, phase_theme: str = "phase"):
    """Non-phase leaf codes x the co-production phase coded on the same span.

    Only spans that carry exactly one phase code take part; the phase is the span's category. The
    phase belongs to the span, so the test shuffles it among the spans of the same speaker (spans
    without a speaker: of the same document). See :func:`code_by_category`.
    """
    unit = spans(segments)
    phases = codes.loc[(codes["theme"] == phase_theme) & codes["is_leaf"], "code_id"].tolist()
    leaves = codes.loc[codes["is_leaf"] & (codes["theme"] != phase_theme), "code_id"].tolist()
    found = unit["codes"].map(lambda cs: [c for c in cs if c in phases])
    category = found.map(lambda ps: ps[0] if len(ps) == 1 else None)
    speaker = unit["participant_id"].fillna("").astype(str)
    cluster = speaker.where(speaker != "", "document:" + unit["document_id"].astype(str))
    return code_by_category(unit, category, leaves, ancestors(codes), phases, seed,
                            cluster=cluster, stratum=cluster, labels_belong_to="span", **_test_settings(settings))


def _test_settings(settings: dict) -> dict:
    return {"n_permutations": settings["permutations"], "n_resamples": settings["monte_carlo_resamples"],
            "min_expected": settings["min_expected"], "min_with_code": settings["min_segments_for_test"],
            "cochran": not settings["test_sparse_tables"]}
