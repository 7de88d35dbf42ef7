"""Evidence matrices: what supports and what contradicts each proposition and mechanism.

For every claim (a proposition of the configuration, or one of the station's
four leading mechanisms) each coded span is supporting, contrary or silent. The
matrices count supporting and contrary spans by actor type and by station, and
pick one exemplar quotation per cell by a fixed rule:

    the medoid of the cell: the span whose set of codes is, on average, most
    similar (Jaccard) to the code sets of the other spans in the cell; ties go
    to the shorter text, then to the lower segment id. A span that is mixed
    evidence (a supporting span that also carries any barrier code, or a
    contrary span that also carries one of the claim's supporting codes) is
    chosen only when the cell holds no other: a typical supporting quotation
    should not read as contrary evidence.

The exemplar is thus the most typical coding of the cell, not the most quotable
sentence. Quotations are attributed only by pseudonymous participant id and
actor type.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.methods.coding import span_codes
from analysis.methods.mechanisms import evidence_roles


def claims(codes: pd.DataFrame, propositions: dict, mechanisms: dict) -> pd.DataFrame:
    """Codes that support or contradict each claim: ``claim, kind, code_id, role``.

    A proposition's support and contrary codes are those of
    :func:`analysis.methods.mechanisms.evidence_roles` (its outcome code is no
    evidence here), so these matrices count what the framework matrix counts; a
    mechanism's support is its own code; contraries come from the configuration.
    """
    roles = evidence_roles(codes, propositions)
    roles = roles[roles["role"] != "outcome"]
    rows = [(name, "proposition", code, role) for name, code, role in roles.itertuples(index=False)]
    for code, contrary in mechanisms.items():
        rows.append((code, "mechanism", code, "support"))
        rows += [(code, "mechanism", c, "contrary") for c in contrary]
    return pd.DataFrame(rows, columns=["claim", "kind", "code_id", "role"])


def tag_spans(segments: pd.DataFrame, roles: pd.DataFrame) -> pd.DataFrame:
    """One row per (claim, span, role) with the span's text, speaker, station and all its codes."""
    keys = ["document_id", "start", "end"]
    first = segments.sort_values("segment_id").groupby(keys).first()
    spans = first[["segment_id", "case_id", "participant_id", "actor_type", "text"]]
    spans = spans.assign(codes=[tuple(c) for c in span_codes(segments, keys)]).reset_index()
    hits = segments[keys + ["code_id"]].merge(roles, on="code_id")
    # mixed evidence: a supporting span that also carries any contrary code (a barrier, whichever claim
    # it counts against), or a contrary span that also carries one of the same claim's supporting codes
    barriers = roles.loc[roles["role"] == "contrary", "code_id"]
    barred = pd.MultiIndex.from_frame(segments.loc[segments["code_id"].isin(barriers), keys])
    both_ways = hits.groupby([*keys, "claim"])["role"].nunique().gt(1).rename("both").reset_index()
    hits = hits.drop_duplicates(keys + ["claim", "role"]).merge(both_ways, on=[*keys, "claim"])
    on_barrier = pd.MultiIndex.from_frame(hits[keys]).isin(barred)
    hits["mixed"] = (hits["role"].eq("support") & on_barrier) | (hits["role"].eq("contrary") & hits["both"])
    hits = hits.drop(columns="both")
    return hits.merge(spans, on=keys)[["claim", "kind", "role", *keys, "segment_id", "case_id", "participant_id",
                                       "actor_type", "text", "codes", "mixed"]]


def medoid(group: pd.DataFrame) -> pd.Series:
    """The exemplar of a cell by the rule in the module docstring.

    Examples
    --------
    >>> g = pd.DataFrame({"codes": [("a", "b"), ("a",), ("a", "b")], "text": ["xx", "x", "xxx"],
    ...                   "segment_id": ["s1", "s2", "s3"]})
    >>> medoid(g)["segment_id"]
    's1'
    """
    return group.iloc[medoid_position(list(group["codes"]), list(group["text"]), list(group["segment_id"]))]


def medoid_position(codes: list, texts: list[str], segment_ids: list[str]) -> int:
    """The position of the medoid among spans given by their code sets, texts and segment ids:
    the highest mean Jaccard similarity to the other spans' code sets, then the shorter text,
    then the lower segment id.

    Spans share few distinct code sets: the similarity of every pair of distinct sets, from a
    sets x codes 0/1 matrix, weighted by how many spans hold each set, gives each span's summed
    similarity to all spans (itself included, similarity 1) in memory and time that follow the
    distinct sets, not the cell's size.
    """
    n = len(codes)
    if n == 1:
        return 0
    keys = [tuple(sorted(set(c))) for c in codes]
    distinct = sorted(set(keys))
    index = {key: k for k, key in enumerate(distinct)}
    which = np.array([index[key] for key in keys])
    weight = np.bincount(which, minlength=len(distinct)).astype(float)
    sim = _jaccard(distinct)
    # rounded, so that spans whose means are equal tie exactly and the tie rule decides
    mean = np.round((sim @ weight - 1) / (n - 1), 12)[which].tolist()
    return min(range(n), key=lambda k: (-mean[k], len(texts[k]), segment_ids[k]))


def _jaccard(distinct: list[tuple]) -> np.ndarray:
    """The Jaccard similarity of every pair of the code sets ``distinct`` (two empty sets: 1)."""
    vocabulary = {c: k for k, c in enumerate(sorted(set().union(*distinct)))}
    onehot = np.zeros((len(distinct), len(vocabulary)), dtype=np.int64)
    for row, members in enumerate(distinct):
        onehot[row, np.array([vocabulary[c] for c in members], dtype=np.int64)] = 1
    inter = onehot @ onehot.T
    size = onehot.sum(1)
    union = size[:, None] + size[None, :] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, inter / np.where(union > 0, union, 1), 1.0)


def evidence_matrix(tagged: pd.DataFrame, by: str, levels: list[str]) -> pd.DataFrame:
    """Supporting and contrary spans per claim and level of ``by`` (``actor_type`` or ``case_id``),
    with the exemplar of each non-empty cell.

    The exemplars of all cells are chosen together, by the rule of :func:`medoid_position`: each
    distinct code set is compared with every other once, and a span's summed similarity to its
    cell is a sparse (cells x sets) count matrix times that similarity matrix, so the cost follows
    the spans and the distinct code sets, not the number of cells (two per claim and station).
    """
    claim_order = list(tagged["claim"].unique())  # in order of first appearance
    kind_of = tagged.drop_duplicates("claim").set_index("claim")["kind"]
    grid = pd.MultiIndex.from_product([claim_order, levels], names=["claim", by]).to_frame(index=False)
    grid.insert(1, "kind", grid["claim"].map(kind_of))
    picks = _cell_medoids(tagged, ["claim", by, "role"])
    for role in ("support", "contrary"):
        mine = picks[picks["role"] == role].drop(columns="role")
        cell = grid[["claim", by]].merge(mine, on=["claim", by], how="left")
        found = cell["n"].notna().to_numpy()
        grid[f"n_{role}"] = cell["n"].fillna(0).astype(int).to_numpy()
        for column, source in (("", "text"), ("_by", "by_whom"), ("_actor", "actor"), ("_segment", "segment_id")):
            grid[f"exemplar_{role}{column}"] = np.where(found, cell[source].to_numpy(dtype=object), "")
    total = grid["n_support"] + grid["n_contrary"]
    grid["support_share"] = (grid["n_support"] / total.where(total > 0)).astype(float)
    ordered = ["claim", "kind", by]
    for role in ("support", "contrary"):
        ordered += [f"n_{role}", f"exemplar_{role}", f"exemplar_{role}_by", f"exemplar_{role}_actor",
                    f"exemplar_{role}_segment"]
    return grid[[*ordered, "support_share"]]


def _cell_medoids(tagged: pd.DataFrame, cell_keys: list[str]) -> pd.DataFrame:
    """The medoid span of every cell of ``cell_keys``, with the cell's size ``n``."""
    cell = tagged.groupby(cell_keys, sort=False).ngroup().fillna(-1).to_numpy(dtype=np.int64)
    tagged, cell = tagged[cell >= 0].reset_index(drop=True), cell[cell >= 0]  # a missing level is no cell
    # each span's code set as a position among the distinct sets, in sorted order
    which, uniques = pd.factorize(tagged["codes"].to_numpy(dtype=object))
    keys = [tuple(sorted(set(c))) for c in uniques]
    distinct = sorted(set(keys))
    position = {key: k for k, key in enumerate(distinct)}
    sets = np.array([position[key] for key in keys], dtype=np.int64)[which]
    sim = _jaccard(distinct)
    n = np.bincount(cell)
    # summed similarity of each span to its cell (itself included): cells x sets counts times sim
    from scipy.sparse import csr_matrix

    counts = csr_matrix((np.ones(len(cell)), (cell, sets)), shape=(len(n), len(distinct)))
    counts.sum_duplicates()
    summed = np.empty(len(cell))
    block = max(1, 2_000_000 // max(1, len(distinct)))  # cells per product, to bound memory
    order = np.argsort(cell, kind="stable")
    bounds = np.searchsorted(cell[order], np.arange(0, len(n) + block, block))
    for b, first in enumerate(range(0, len(n), block)):
        rows = order[bounds[b]:bounds[b + 1]]
        product = counts[first:first + block] @ sim
        summed[rows] = product[cell[rows] - first, sets[rows]]
    many = n[cell] > 1
    mean = np.zeros(len(cell))
    mean[many] = np.round((summed[many] - 1) / (n[cell][many] - 1), 12)
    mixed = tagged["mixed"].to_numpy(dtype=bool) if "mixed" in tagged else np.zeros(len(cell), dtype=bool)
    ranked = pd.DataFrame({"cell": cell, "mixed": mixed, "neg_mean": -mean, "length": tagged["text"].str.len().to_numpy(),
                           "segment_id": tagged["segment_id"].to_numpy()})
    best = ranked.sort_values(["cell", "mixed", "neg_mean", "length", "segment_id"], kind="stable").drop_duplicates("cell")
    chosen = tagged.iloc[best.index.to_numpy()]
    out = chosen[cell_keys].reset_index(drop=True)
    out["text"], out["actor"], out["segment_id"] = (chosen[c].to_numpy() for c in ("text", "actor_type", "segment_id"))
    out["by_whom"] = [f"{p or d}" for p, d in zip(chosen["participant_id"], chosen["document_id"])]
    out["n"] = n[best["cell"].to_numpy()]
    return out



def claim_counts(segments: pd.DataFrame, roles: pd.DataFrame, by: str = "case_id") -> pd.DataFrame:
    """Supporting and contrary spans per claim and level of ``by``: ``claim, by, support, contrary``,
    counted as :func:`tag_spans` counts them (a span once per claim and role), without reading texts."""
    keys = ["document_id", "start", "end"]
    hits = segments[[*keys, by, "code_id"]].merge(roles, on="code_id").drop_duplicates([*keys, "claim", "role"])
    counts = hits.groupby(["claim", by, "role"]).size().unstack("role", fill_value=0)
    counts = counts.reindex(columns=["support", "contrary"], fill_value=0)
    counts.columns.name = None
    return counts.reset_index()


def without_codes(segments: pd.DataFrame, roles: pd.DataFrame, dropped: list[str], stations: list[str]) -> pd.DataFrame:
    """Each claim's evidence with every code and without the codings of ``dropped`` (the codes whose
    intercoder reliability is too low to lean on), pooled and station by station.

    Returns
    -------
    DataFrame
        One row per claim: ``claim, kind``, ``dropped`` (the claim's own support or contrary codes
        among ``dropped``, ``"; "`` between them), ``n_support, n_contrary, support_share`` with all
        codes and the same with ``_kept`` after them; ``n_stations``, the stations with evidence in
        both versions, and ``n_stations_crossing``, those of them whose support share lies on the
        other side of one half (more support than contrary evidence, or not) once the codes are left
        out. A claim whose support rests only on dropped codes cannot be weighed without them: its shares
        kept are missing, not 0, and it has no station to compare.

    Examples
    --------
    >>> roles = pd.DataFrame({"claim": ["P1"] * 3, "kind": "proposition", "code_id": ["a", "b", "x"],
    ...                       "role": ["support", "support", "contrary"]})
    >>> seg = pd.DataFrame({"document_id": "d", "start": [0, 10, 20, 30], "end": [5, 15, 25, 35],
    ...                     "case_id": "S1", "code_id": ["a", "b", "b", "x"]})
    >>> row = without_codes(seg, roles, ["b"], ["S1"]).iloc[0]
    >>> row["dropped"], [float(row[k]) for k in ("n_support", "support_share", "n_support_kept", "support_share_kept")]
    ('b', [3.0, 0.75, 1.0, 0.5])
    >>> int(row["n_stations"]), int(row["n_stations_crossing"])
    (1, 1)
    >>> gone = without_codes(seg, roles, ["a", "b"], ["S1"]).iloc[0]
    >>> float(gone["support_share_kept"]), int(gone["n_stations"])
    (nan, 0)
    """
    kept_segments = segments[~segments["code_id"].isin(dropped)]
    out = roles.drop_duplicates("claim")[["claim", "kind"]].reset_index(drop=True)
    mine = roles[roles["code_id"].isin(dropped)].groupby("claim")["code_id"].agg(lambda c: "; ".join(sorted(set(c))))
    out["dropped"] = out["claim"].map(mine).fillna("")
    support = roles[roles["role"] == "support"].groupby("claim")["code_id"]
    unsupported = set(support.apply(lambda c: set(c) <= set(dropped)).pipe(lambda f: f[f].index))
    shares = {}
    for suffix, seg in (("", segments), ("_kept", kept_segments)):
        per = claim_counts(seg, roles, "case_id")
        grid = pd.MultiIndex.from_product([out["claim"], stations], names=["claim", "case_id"])
        per = per.set_index(["claim", "case_id"]).reindex(grid, fill_value=0)
        # a claim none of whose support codes is left cannot be weighed: no share, not a share of 0
        weighed = ~per.index.get_level_values("claim").isin(unsupported if suffix else set())
        total = (per["support"] + per["contrary"]).where(weighed)
        shares[suffix] = (per["support"] / total.where(total > 0)).astype(float)
        pooled = per.groupby("claim", sort=False)[["support", "contrary"]].sum().reindex(out["claim"])
        out[f"n_support{suffix}"] = pooled["support"].astype(int).to_numpy()
        out[f"n_contrary{suffix}"] = pooled["contrary"].astype(int).to_numpy()
        both = (out[f"n_support{suffix}"] + out[f"n_contrary{suffix}"]).where(
            ~out["claim"].isin(unsupported if suffix else set()))
        out[f"support_share{suffix}"] = out[f"n_support{suffix}"] / both.where(both > 0)
    if not len(out):
        return out.assign(n_stations=pd.Series(dtype=int), n_stations_crossing=pd.Series(dtype=int))
    before, after = shares[""], shares["_kept"]
    judged = before.notna() & after.notna()
    crossing = judged & ((before > 0.5) != (after > 0.5))
    out["n_stations"] = judged.groupby(level="claim", sort=False).sum().reindex(out["claim"]).astype(int).to_numpy()
    out["n_stations_crossing"] = crossing.groupby(level="claim", sort=False).sum().reindex(out["claim"]).astype(int).to_numpy()
    return out
