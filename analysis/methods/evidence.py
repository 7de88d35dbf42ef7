"""Evidence matrices: what supports and what contradicts each proposition and mechanism.

For every claim (a proposition of the configuration, or one of the station's
four leading mechanisms) each coded span is supporting, contrary or silent. The
matrices count supporting and contrary spans by actor type and by station, and
pick one exemplar quotation per cell by a fixed rule:

    the medoid of the cell: the span whose set of codes is, on average, most
    similar (Jaccard) to the code sets of the other spans in the cell; ties go
    to the shorter text, then to the lower segment id.

The exemplar is thus the most typical coding of the cell, not the most quotable
sentence. Quotations are attributed only by pseudonymous participant id and
actor type.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.methods.codebook import ancestors
from analysis.methods.coding import span_codes


def claims(codes: pd.DataFrame, propositions: dict, mechanisms: dict) -> pd.DataFrame:
    """Codes that support or contradict each claim: ``claim, kind, code_id, role``.

    A proposition's support is its condition theme's codes except its outcome
    code; a mechanism's support is its own code; contraries come from the
    configuration.
    """
    chains = ancestors(codes)
    rows = []
    for name, prop in propositions.items():
        rows += [(name, "proposition", c, "support") for c in codes["code_id"]
                 if prop["condition"] in chains[c] and c != prop.get("outcome") and c != prop["condition"]]
        rows += [(name, "proposition", c, "contrary") for c in prop["contrary"]]
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
    hits = hits.drop_duplicates(keys + ["claim", "role"])
    return hits.merge(spans, on=keys)[["claim", "kind", "role", *keys, "segment_id", "case_id", "participant_id",
                                       "actor_type", "text", "codes"]]


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
    vocabulary = {c: k for k, c in enumerate(sorted(set().union(*distinct)))}
    onehot = np.zeros((len(distinct), len(vocabulary)), dtype=np.int64)
    for row, members in enumerate(distinct):
        onehot[row, [vocabulary[c] for c in members]] = 1
    inter = onehot @ onehot.T
    size = onehot.sum(1)
    union = size[:, None] + size[None, :] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        sim = np.where(union > 0, inter / np.where(union > 0, union, 1), 1.0)
    # rounded, so that spans whose means are equal tie exactly and the tie rule decides
    mean = np.round((sim @ weight - 1) / (n - 1), 12)[which].tolist()
    return min(range(n), key=lambda k: (-mean[k], len(texts[k]), segment_ids[k]))


def evidence_matrix(tagged: pd.DataFrame, by: str, levels: list[str]) -> pd.DataFrame:
    """Supporting and contrary spans per claim and level of ``by`` (``actor_type`` or ``case_id``),
    with the exemplar of each non-empty cell."""
    rows = []
    columns = {c: tagged[c].tolist() for c in ("codes", "text", "segment_id", "participant_id", "document_id", "actor_type")}
    for claim, grp in tagged.groupby("claim", sort=False):
        cells = grp.groupby([by, "role"], sort=False).indices  # cell -> positions within grp
        offsets = tagged.index.get_indexer(grp.index)  # positions within tagged
        kind = grp["kind"].iloc[0]
        for level in levels:
            row = {"claim": claim, "kind": kind, by: level}
            for role in ("support", "contrary"):
                at = offsets[cells[(level, role)]] if (level, role) in cells else []
                row[f"n_{role}"] = int(len(at))
                ex = None
                if len(at):
                    pick = at[medoid_position([columns["codes"][k] for k in at], [columns["text"][k] for k in at],
                                              [columns["segment_id"][k] for k in at])]
                    ex = {c: values[pick] for c, values in columns.items()}
                row[f"exemplar_{role}"] = "" if ex is None else ex["text"]
                row[f"exemplar_{role}_by"] = "" if ex is None else f"{ex['participant_id'] or ex['document_id']}"
                row[f"exemplar_{role}_actor"] = "" if ex is None else ex["actor_type"]
                row[f"exemplar_{role}_segment"] = "" if ex is None else ex["segment_id"]
            total = row["n_support"] + row["n_contrary"]
            row["support_share"] = row["n_support"] / total if total else np.nan
            rows.append(row)
    return pd.DataFrame(rows)
