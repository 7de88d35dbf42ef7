"""Coding summaries: how often each code and theme was applied, and where.

Counts roll up the code tree: a theme counts every segment coded at the theme
or at any code beneath it. Shares of documents and of participants carry Wilson
95% intervals (statsmodels' ``proportion_confint``).
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
        used has zeros, not a missing row.

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
    return _with_shares(out, len(documents), len(participants), alpha).reset_index()


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
                     categories: list[str], seed: int, n_resamples: int = 9999,
                     min_expected: float = 5.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Is each code's use independent of a category of the span (actor type, phase)?

    For every code, a 2 x K table crosses spans that carry the code (or a code
    beneath it) against those that do not, over the K categories. Pearson's
    chi-square tests independence; when an expected count is below
    ``min_expected`` the p-value comes from a seeded Monte Carlo test over tables
    with the same margins (scipy's ``MonteCarloMethod``). Each cell gets the
    adjusted standardized residual (statsmodels ``Table.standardized_resids``,
    Haberman 1973), and p-values are corrected for the false-discovery rate
    across codes (Benjamini-Hochberg, statsmodels ``multipletests``).

    Parameters
    ----------
    unit_spans : DataFrame
        From :func:`spans`; its ``codes`` column lists each span's codes.
    category : Series
        The category of each span (aligned with ``unit_spans``); spans whose
        category is missing are left out.
    codes, categories : list of str
        Rows and columns of the result, in display order.
    chains : dict
        Code -> ancestors (:func:`analysis.methods.codebook.ancestors`), for roll-up.

    Returns
    -------
    cells : DataFrame
        ``code_id, category, observed, expected, row_share, adj_resid``.
    tests : DataFrame
        ``code_id, n_spans, n_with_code, statistic, dof, p_value, method, p_fdr``;
        a code never used, or a table with a single category, has no test.
    """
    from scipy.stats import MonteCarloMethod, chi2_contingency
    from statsmodels.stats.contingency_tables import Table
    from statsmodels.stats.multitest import multipletests

    keep = category.notna() & category.isin(categories)
    cat = category[keep].to_numpy()
    rolled = unit_spans.loc[keep, "codes"].map(lambda cs: {a for c in cs for a in chains.get(c, [c])})
    # which spans carry each code (rolled up), and which fall in each category: one pass over the spans
    row_of = {code: i for i, code in enumerate(codes)}
    carries = np.zeros((len(codes), len(rolled)), dtype=bool)
    for j, held in enumerate(rolled.tolist()):
        for code in held:
            if code in row_of:
                carries[row_of[code], j] = True
    in_category = [cat == k for k in categories]
    rng = np.random.default_rng(seed)
    cells, tests = [], []
    for code, has in zip(codes, carries):
        table = np.array([[np.sum(has & in_k) for in_k in in_category],
                          [np.sum(~has & in_k) for in_k in in_category]])
        used = table[:, table.sum(0) > 0]
        resid = np.full(table.shape, np.nan)
        expected = np.full(table.shape, np.nan)
        test = {"code_id": code, "n_spans": int(table.sum()), "n_with_code": int(table[0].sum()),
                "statistic": np.nan, "dof": np.nan, "p_value": np.nan, "method": "none"}
        if table[0].sum() > 0 and table[1].sum() > 0 and used.shape[1] > 1:
            t = Table(used, shift_zeros=False)  # no 0.5 added to empty cells: expected counts stay exact
            cols = table.sum(0) > 0
            resid[:, cols] = t.standardized_resids
            expected[:, cols] = t.fittedvalues
            if (t.fittedvalues < min_expected).any():
                res = chi2_contingency(used, correction=False,
                                       method=MonteCarloMethod(n_resamples=n_resamples, rng=rng))
                method = "monte_carlo"
            else:
                res = chi2_contingency(used, correction=False)
                method = "chi2"
            test |= {"statistic": float(res.statistic), "dof": int((used.shape[0] - 1) * (used.shape[1] - 1)),
                     "p_value": float(res.pvalue), "method": method}
        tests.append(test)
        for j, k in enumerate(categories):
            cells.append({"code_id": code, "category": k, "observed": int(table[0, j]),
                          "expected": expected[0, j], "row_share": table[0, j] / table[0].sum() if table[0].sum() else np.nan,
                          "adj_resid": resid[0, j]})
    tests = pd.DataFrame(tests)
    tested = tests["p_value"].notna()
    tests["p_fdr"] = np.nan
    if tested.any():
        tests.loc[tested, "p_fdr"] = multipletests(tests.loc[tested, "p_value"], method="fdr_bh")[1]
    return pd.DataFrame(cells), tests


#: The five actor types of the data model, in display order.
ACTOR_TYPES = ["government", "social_worker", "cadre", "resident", "volunteer_org"]


def by_actor(segments: pd.DataFrame, codes: pd.DataFrame, settings: dict, seed: int):
    """Leaf codes x the speaker's actor type (spans with a speaker only).

    See :func:`code_by_category`; ``settings`` holds ``min_expected`` and
    ``monte_carlo_resamples`` from the configuration's ``coding`` section.
    """
    unit = spans(segments)
    leaves = codes.loc[codes["is_leaf"], "code_id"].tolist()
    category = unit["actor_type"].where(unit["actor_type"].isin(ACTOR_TYPES))
    return code_by_category(unit, category, leaves, ancestors(codes), ACTOR_TYPES, seed,
                            settings["monte_carlo_resamples"], settings["min_expected"])


def by_phase(segments: pd.DataFrame, codes: pd.DataFrame, settings: dict, seed: int, phase_theme: str = "phase"):
    """Non-phase leaf codes x the co-production phase coded on the same span.

    Only spans that carry exactly one phase code take part; the phase is the
    span's category. See :func:`code_by_category`.
    """
    unit = spans(segments)
    phases = codes.loc[(codes["theme"] == phase_theme) & codes["is_leaf"], "code_id"].tolist()
    leaves = codes.loc[codes["is_leaf"] & (codes["theme"] != phase_theme), "code_id"].tolist()
    found = unit["codes"].map(lambda cs: [c for c in cs if c in phases])
    category = found.map(lambda ps: ps[0] if len(ps) == 1 else None)
    return code_by_category(unit, category, leaves, ancestors(codes), phases, seed,
                            settings["monte_carlo_resamples"], settings["min_expected"])
