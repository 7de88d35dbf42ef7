"""Permutation tests of codes x categories that keep the clustering of the data.

Coded spans are not independent draws: they are nested in speakers, and speakers in stations.
A test that shuffles single spans as if they were independent finds associations that are only
a talkative speaker or a station's habits. Here the category labels are shuffled among *units*
within *strata*, and every code's 2 x K table (spans with / without the code x K categories) is
recomputed for each shuffle:

- a category that belongs to the speaker (actor type): the units are speakers, each carrying all
  of their spans, and the labels move among the speakers of the same station (Good 2005,
  *Permutation, Parametric and Bootstrap Tests of Hypotheses*, sec. 3.7 on clustered and
  stratified designs: exchangeable units only, within blocks);
- a category that belongs to the span (phase): the units are spans and the labels move among the
  spans of the same speaker, so each speaker keeps how many spans of each phase and of each code
  they have, and only how the two meet within the speaker is tested.

Each cell is measured against the shuffles themselves: its z-score is its count's distance from
the count's mean under the shuffles, in the shuffles' SDs, so what a speaker or a station brings
to every shuffle alike does not count as association. Each code's statistic is the sum of its
cells' squared z-scores, and both get p-values from the same shuffles, so the cell-level claims can
be corrected for multiplicity too. Pearson's X2 and the adjusted standardized residuals (Haberman
1973; Agresti 2007, sec. 2.4.5), which take the spans as independent, are kept as descriptions.
P-values are (1 + number of shuffles at least as extreme) / (1 + shuffles) (Phipson & Smyth 2010),
never zero.
"""

from __future__ import annotations

import numpy as np

#: Bytes of label indicators held at once; the shuffles are processed in batches of this size.
_BATCH_BYTES = 32 * 2**20


def stratum_layout(strata: np.ndarray) -> list[np.ndarray]:
    """The units of each stratum as rows of index arrays, one array per stratum size.

    Strata of one unit are left out: nothing can move there.

    >>> [a.tolist() for a in stratum_layout(np.array(["x", "y", "x", "z", "y", "y"]))]
    [[[0, 2]], [[1, 4, 5]]]
    """
    _, inverse = np.unique(strata, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    sizes = np.bincount(inverse)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    return [order[starts[sizes == m][:, None] + np.arange(m)] for m in np.unique(sizes) if m > 1]


def shuffled_labels(labels: np.ndarray, layout: list[np.ndarray], n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` shuffles of ``labels``, each a uniform random permutation within every stratum.

    Returns an ``(n, len(labels))`` array; the multiset of labels within each stratum never changes.
    """
    out = np.broadcast_to(labels, (n, len(labels))).copy()
    for rows in layout:
        picks = rng.permuted(np.broadcast_to(np.arange(rows.shape[1]), (n, *rows.shape)), axis=-1)
        out[:, rows] = labels[np.take_along_axis(np.broadcast_to(rows, picks.shape), picks, axis=-1)]
    return out


def table_statistics(o: np.ndarray, col: np.ndarray, r: np.ndarray, n: float) -> tuple[np.ndarray, np.ndarray]:
    """Pearson's X2 of each code's 2 x K table and the adjusted residuals of its first row.

    Parameters
    ----------
    o : array (..., C, K)
        Spans with each code in each category (the table's first row).
    col : array (..., K)
        Spans in each category (the column totals).
    r : array (C,)
        Spans with each code (the first row's total); ``0 < r < n``.
    n : float
        All spans.

    Returns
    -------
    x2 : array (..., C)
        Pearson's X2 over the categories that have spans, from the first row alone:
        X2 = n^2 / (r (n - r)) * sum_k (o_k - e_k)^2 / col_k, the second row's terms being the
        same deviations with the opposite sign.
    resid : array (..., C, K)
        (o - e) / sqrt(e (1 - r/n) (1 - col/n)); NaN for a category without spans, or holding all.

    Examples
    --------
    Agresti (2007), Table 2.5: party identification by gender (rows female, male; columns
    Democrat, Independent, Republican); X2 = 30.1 and the female row's residuals 4.50, 0.70, -5.32.

    >>> x2, res = table_statistics(np.array([[762, 327, 468]]), np.array([1246, 566, 945]), np.array([1557]), 2757)
    >>> round(float(x2[0]), 1), np.round(res[0], 2).tolist()
    (30.1, [4.5, 0.7, -5.32])
    """
    o = np.asarray(o, dtype=float)
    col = np.asarray(col, dtype=float)[..., None, :]
    r = np.asarray(r, dtype=float)[:, None]
    e = r * col / n
    with np.errstate(divide="ignore", invalid="ignore"):
        x2 = n**2 / (r[:, 0] * (n - r[:, 0])) * np.where(col > 0, (o - e) ** 2 / col, 0.0).sum(-1)
        var = e * (1 - r / n) * (1 - col / n)
        resid = np.where(var > 0, (o - e) / np.sqrt(var), np.nan)
    return x2, resid


def permutation_test(counts: np.ndarray, totals: np.ndarray, labels: np.ndarray, strata: np.ndarray,
                     n_categories: int, n_permutations: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Permutation z-scores of each cell, and p-values of each code and each cell, under the shuffles.

    A cell's count is compared with what the shuffles give, not with the pooled expectation of
    independent spans: under shuffles within strata a cell's expected count is the sum over the
    strata of what each stratum holds, which differs from ``r * col / n`` whenever strata differ
    (a speaker who talks about one phase more than others). So each cell gets
    z = (o - mean of o under the shuffles) / (its SD under the shuffles), each code the statistic
    T = sum of its cells' z^2, and both are referred to the same shuffles: p = share of shuffles with
    T at least as large, p_cell = share with |o - mean| at least as large (two-sided). A cell that no
    shuffle can change has no z and no p; a code none of whose cells can change is not testable.

    Parameters
    ----------
    counts : array (U, C)
        Spans of each unit that carry each code.
    totals : array (U,)
        Spans of each unit.
    labels : int array (U,)
        Each unit's category, ``0 .. n_categories - 1``.
    strata : array (U,)
        The block within which labels are exchanged.
    n_permutations : int
        Shuffles drawn (the p-values' resolution is 1 / (n_permutations + 1)).

    Returns
    -------
    dict
        ``z`` (C, K), ``t`` (C,), ``p`` (C,), ``p_cell`` (C, K), and, as descriptions that take spans
        as independent, Pearson's ``x2`` (C,) and the adjusted residuals ``resid`` (C, K). Codes must
        be carried by some spans but not all (``0 < r < n``).
    """
    # Single precision halves the memory the products stream through; every partial sum is a whole
    # number of spans, exact in float32 while the spans number fewer than 2**24.
    totals = np.asarray(totals, dtype=float)
    dtype = np.float32 if totals.sum() < 2**24 else np.float64
    counts, totals = np.asarray(counts, dtype=dtype), totals.astype(dtype)
    k, (units, c) = n_categories, counts.shape
    r, n = counts.sum(0, dtype=float), float(totals.sum(dtype=float))
    batch = max(1, _BATCH_BYTES // (np.dtype(dtype).itemsize * units))
    weights = np.column_stack([counts, totals])

    def tables(lab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # for each category, a 0/1 matrix (shuffles x units) of who holds it; its product with the
        # units' counts gives that column of every shuffle's table, and of the column totals
        out = np.stack([(lab == j).astype(dtype) @ weights for j in range(k)], axis=-1).astype(float)
        return out[:, :c, :], out[:, c, :]

    observed, col = (t[0] for t in tables(labels[None, :]))
    x2, resid = table_statistics(observed, col, r, n)
    layout = stratum_layout(strata)
    shuffled = np.empty((n_permutations, c, k))  # every shuffle's first rows: shuffles x codes x categories
    done = 0
    while done < n_permutations:
        size = min(batch, n_permutations - done)
        shuffled[done:done + size] = tables(shuffled_labels(labels, layout, size, rng))[0]
        done += size
    mean, sd = shuffled.mean(0), shuffled.std(0)
    moves = sd > 1e-9
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(moves, (observed - mean) / sd, np.nan)
        z_b = np.where(moves, (shuffled - mean) / sd, 0.0)
    t = np.nansum(z**2, axis=-1)
    t_b = (z_b**2).sum(-1)
    far = np.abs(observed - mean)
    as_big = (t_b >= t - 1e-9 * np.maximum(1.0, t)).sum(0)
    as_far = (np.abs(shuffled - mean) >= far - 1e-9).sum(0)
    testable = moves.any(-1)
    return {"x2": x2, "resid": resid, "z": z,
            "t": np.where(testable, t, np.nan),
            "p": np.where(testable, (1 + as_big) / (1 + n_permutations), np.nan),
            "p_cell": np.where(moves, (1 + as_far) / (1 + n_permutations), np.nan)}
