"""Code co-occurrence at the segment and the document level.

Association is ATLAS.ti's c-coefficient, c = n12 / (n1 + n2 - n12), where n1
and n2 count the units carrying each code and n12 those carrying both. Its
significance respects the nesting of spans in documents:

- segment level (units: coded passages, i.e. spans joined with every span that
  overlaps them, directly or through a chain of overlapping spans; ATLAS.ti
  counts overlapping quotations as co-occurring pair by pair, and an imported
  project's codings rarely share exact boundaries, while the permutation test
  needs one set of units for all codes, hence passages): the permutation test that shuffles each
  code's presence among the spans of the same document (so every document
  keeps how often each code occurs), computed exactly rather than sampled:
  under that null the count of shared spans in a document is hypergeometric,
  and the total is the convolution of the documents' hypergeometric
  distributions; the p-value is P(total >= observed n12);
- document level (units: documents): the exact test stratified by station (the same
  convolution, over stations instead of documents), one-sided for positive association; Fisher's
  exact test on the pooled 2 x 2 table, which takes documents as independent of their station,
  is kept beside it.

P-values are corrected for the false-discovery rate across pairs
(Benjamini-Hochberg, :func:`analysis.methods.multiplicity.fdr_adjust`).
"""

from __future__ import annotations

import functools
from itertools import combinations

import numpy as np
import pandas as pd
from scipy.stats import fisher_exact

from analysis.methods.multiplicity import fdr_adjust


def c_coefficient(n1, n2, n12):
    """ATLAS.ti's c-coefficient; 0 when neither code occurs.

    Examples
    --------
    >>> float(c_coefficient(10, 6, 4))
    0.3333333333333333
    """
    n1, n2, n12 = np.asarray(n1, float), np.asarray(n2, float), np.asarray(n12, float)
    den = n1 + n2 - n12
    return np.where(den > 0, n12 / np.where(den > 0, den, 1), 0.0)


def presence(segments: pd.DataFrame, codes: list[str], unit: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """Units (rows, identified by the ``unit`` columns) x codes 0/1 matrix."""
    coded = segments.loc[segments["code_id"].isin(codes), [*unit, "code_id"]]
    row = coded.groupby(unit, sort=True).ngroup().to_numpy()  # units in the order of their sorted ids
    units = coded[unit].assign(_row=row).drop_duplicates("_row").sort_values("_row")[unit].reset_index(drop=True)
    matrix = np.zeros((len(units), len(codes)), dtype=np.int8)
    matrix[row, pd.Index(codes).get_indexer(coded["code_id"])] = 1
    return units, matrix


def _both(matrix: np.ndarray) -> np.ndarray:
    """Units x codes 0/1 -> codes x codes count of units with both (a float product, exact for any
    count below 2**53, since integer products have no fast BLAS routine)."""
    ones = matrix.astype(np.float64)
    return (ones.T @ ones).astype(np.int64)


def _pairs(matrix: np.ndarray, codes: list[str]) -> pd.DataFrame:
    n = matrix.sum(0)
    both = _both(matrix)
    rows = [{"code_a": codes[i], "code_b": codes[j], "n_a": int(n[i]), "n_b": int(n[j]), "n_ab": int(both[i, j])}
            for i, j in combinations(range(len(codes)), 2)]
    out = pd.DataFrame(rows)
    out["c"] = c_coefficient(out["n_a"], out["n_b"], out["n_ab"])
    return out


def _group_counts(group: np.ndarray, matrix: np.ndarray, n_groups: int) -> np.ndarray:
    """Groups x codes: how many units of each group (``group``: each unit's group number) carry
    each code (``matrix``: units x codes, 0/1)."""
    out = np.zeros((n_groups, matrix.shape[1]), dtype=int)
    for column in range(matrix.shape[1]):
        out[:, column] = np.bincount(group, weights=matrix[:, column], minlength=n_groups)
    return out


def within_document_p(a: np.ndarray, b: np.ndarray, doc_index: np.ndarray) -> float:
    """Exact P(n12 >= observed) when each code's spans are permuted within documents.

    Examples
    --------
    >>> a = np.array([1, 1, 0, 0, 1, 0]); b = np.array([1, 1, 0, 0, 0, 1]); d = np.array([0, 0, 0, 0, 1, 1])
    >>> # document 0 shares 2 spans (P = 1/6 by chance), document 1 none (P(1) = 1/2): 1/6 + 4/6 * 1/2
    >>> round(within_document_p(a, b, d), 4)
    0.5
    """
    _, inverse = np.unique(doc_index, return_inverse=True)
    n = np.bincount(inverse)
    return _within_p(int((a & b).sum()), n, np.bincount(inverse, weights=a).astype(int),
                     np.bincount(inverse, weights=b).astype(int))


@functools.lru_cache(maxsize=None)
def _hypergeom_pmf(n: int, k1: int, k2: int) -> tuple[int, np.ndarray]:
    """P(overlap = low .. min(k1, k2)) of two random subsets of sizes k1 and k2 of n units, and low:
    the smallest overlap with a probability that is not exactly zero (max(0, k1 + k2 - n) in theory)."""
    from scipy.stats import hypergeom

    pmf = hypergeom.pmf(np.arange(0, min(k1, k2) + 1), n, k1, k2)
    low = int(np.flatnonzero(pmf)[0])
    return low, pmf[low:]


#: How many documents are added to a distribution between two trims of its zero ends.
_TRIM_EVERY = 64


def _within_p(observed: int, n: np.ndarray, k1: np.ndarray, k2: np.ndarray) -> float:
    """:func:`within_document_p` from each document's unit count and the two codes' counts in it
    (documents in order)."""
    # dist[i] = P(overlap = low + i). Probabilities that underflow to exactly zero at either end are
    # dropped now and then (they add nothing to any later sum), so the array stays about as wide as
    # the distribution's mass and not as its whole support, which grows with every document: the
    # cost follows the documents, not their square.
    dist, low = np.array([1.0]), 0
    both = np.flatnonzero((k1 > 0) & (k2 > 0))  # a document without one of the codes adds nothing
    for i, (n_d, k1_d, k2_d) in enumerate(zip(n[both].tolist(), k1[both].tolist(), k2[both].tolist())):
        low_d, pmf = _hypergeom_pmf(n_d, k1_d, k2_d)
        dist, low = np.convolve(dist, pmf), low + low_d
        if i % _TRIM_EVERY == _TRIM_EVERY - 1 and (dist[0] == 0.0 or dist[-1] == 0.0):
            kept = np.flatnonzero(dist)
            low += int(kept[0])
            dist = dist[kept[0]:kept[-1] + 1]
    if observed >= low + len(dist):
        return 0.0
    return float(min(1.0, dist[max(0, observed - low):].sum()))


def overlap_units(segments: pd.DataFrame) -> pd.Series:
    """A passage number for each segment: overlapping spans of a document share one (touching ones do not).

    Examples
    --------
    >>> seg = pd.DataFrame({"document_id": ["d"] * 4, "start": [0, 5, 10, 20], "end": [10, 8, 15, 25]})
    >>> overlap_units(seg).tolist()
    [0, 0, 1, 2]
    """
    order = segments.sort_values(["document_id", "start", "end"], kind="stable")
    numbers, number, reach, document = [], -1, -1, None
    for doc, start, end in zip(order["document_id"].tolist(), order["start"].tolist(), order["end"].tolist()):
        if doc != document or start >= reach:
            number, reach, document = number + 1, end, doc
        else:
            reach = max(reach, end)
        numbers.append(number)
    return pd.Series(numbers, index=order.index, dtype="int64").reindex(segments.index)


def _passages(segments: pd.DataFrame, codes: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Passages carrying any of ``codes`` x codes 0/1, each passage's document number, and how many
    such passages each document holds."""
    units, matrix = presence(segments.assign(passage=overlap_units(segments)), codes, ["document_id", "passage"])
    _, doc_index = np.unique(pd.factorize(units["document_id"])[0], return_inverse=True)
    return matrix, doc_index, np.bincount(doc_index)


def segment_cooccurrence(segments: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """Pairs of codes on the same passage (overlapping spans), with the exact within-document permutation test."""
    matrix, doc_index, n = _passages(segments, codes)
    out = _pairs(matrix, codes)
    # Per document: its passages and each code's passages; per pair: the passages both codes are on.
    per_doc = _group_counts(doc_index, matrix, len(n))
    both = _both(matrix)
    out["p_value"] = [_within_p(int(both[i, j]), n, per_doc[:, i], per_doc[:, j])
                      for i, j in combinations(range(len(codes)), 2)]
    out["p_fdr"] = fdr_adjust(out["p_value"])
    return out.assign(level="segment")


def set_cooccurrence(segments: pd.DataFrame, codes: list[str], sets: dict[str, list[str]],
                     pairs: list[tuple[str, str]]) -> pd.DataFrame:
    """Pairs of code sets on the same passage, with the exact within-document permutation test.

    A passage carries a set when it carries any of the set's codes. The passages are those of
    :func:`segment_cooccurrence` over ``codes`` (which must hold every code of every set), so a pair
    of one-code sets gets exactly that function's counts and p-value; a set of several codes asks
    whether a passage about any of them is more often also about the other set than the shuffles
    within documents would make it. No correction for multiple tests: the caller knows the family.

    Examples
    --------
    >>> seg = pd.DataFrame({"document_id": "d", "start": [0, 0, 10, 20, 30], "end": [5, 5, 15, 25, 35],
    ...                     "code_id": ["a", "m", "b", "m", "x"]})
    >>> out = set_cooccurrence(seg, ["a", "b", "m", "x"], {"ab": ["a", "b"], "m": ["m"]}, [("ab", "m")])
    >>> out[["code_a", "code_b", "n_a", "n_b", "n_ab"]].values.tolist()
    [['ab', 'm', 2, 2, 1]]
    >>> float(out["c"].iloc[0]), round(float(out["p_value"].iloc[0]), 4)
    (0.3333333333333333, 0.8333)
    """
    matrix, doc_index, n = _passages(segments, codes)
    column = {code: i for i, code in enumerate(codes)}
    missing = sorted({c for members in sets.values() for c in members} - set(column))
    if missing:
        raise ValueError(f"codes {missing} of the sets are not among the passages' codes")
    carries = {name: matrix[:, [column[c] for c in members]].max(1) if members else np.zeros(len(matrix), np.int8)
               for name, members in sets.items()}
    rows = []
    for a, b in pairs:
        in_a, in_b = carries[a].astype(int), carries[b].astype(int)
        n_ab = int((in_a & in_b).sum())
        rows.append({"code_a": a, "code_b": b, "n_a": int(in_a.sum()), "n_b": int(in_b.sum()), "n_ab": n_ab,
                     "p_value": _within_p(n_ab, n, np.bincount(doc_index, weights=in_a, minlength=len(n)).astype(int),
                                          np.bincount(doc_index, weights=in_b, minlength=len(n)).astype(int))})
    out = pd.DataFrame(rows, columns=["code_a", "code_b", "n_a", "n_b", "n_ab", "p_value"])
    out.insert(5, "c", c_coefficient(out["n_a"], out["n_b"], out["n_ab"]))
    return out


def document_cooccurrence(segments: pd.DataFrame, codes: list[str], documents: list[str],
                          stations: list[str] | None = None) -> pd.DataFrame:
    """Pairs of codes in the same document, tested for positive association within stations.

    ``p_value`` is the exact test of conditional independence stratified by station: each station
    keeps how many of its documents carry each code, and the number of documents with both codes is
    the sum of the stations' hypergeometric counts (the same convolution as the within-document
    test), so a pair that only shares stations where both codes are common is not called
    associated. With one station (``stations`` None) it is Fisher's one-sided exact test, which is
    kept as ``p_fisher`` (every document pooled, as if drawn independently of its station).
    """
    units, matrix = presence(segments, codes, ["document_id"])
    full = pd.DataFrame(matrix, index=units["document_id"], columns=codes).reindex(documents, fill_value=0)
    matrix = full.to_numpy(dtype=np.int8)
    out = _pairs(matrix, codes)
    n = len(documents)
    out["p_fisher"] = [fisher_exact([[r.n_ab, r.n_a - r.n_ab], [r.n_b - r.n_ab, n - r.n_a - r.n_b + r.n_ab]],
                                    alternative="greater").pvalue for r in out.itertuples()]
    station = pd.factorize(pd.Series(stations if stations is not None else [""] * n, dtype=object))[0]
    if (station < 0).any():
        raise ValueError("a document has no station (case_id); every document must belong to one")
    size = np.bincount(station)
    per_station = _group_counts(station, matrix, len(size))
    out["p_value"] = [_within_p(int(r.n_ab), size, per_station[:, i], per_station[:, j])
                      for r, (i, j) in zip(out.itertuples(), combinations(range(len(codes)), 2))]
    out["p_fdr"] = fdr_adjust(out["p_value"])
    out["p_fisher_fdr"] = fdr_adjust(out["p_fisher"])
    return out.assign(level="document")
