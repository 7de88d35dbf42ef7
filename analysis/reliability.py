"""Intercoder reliability on the double-coded documents.

Unit of agreement: a character of a double-coded document's body, for one code.
Each coder either applied the code to that character or did not, so every code
gives a binary (present/absent) rating by each coder for every character. This
is how NVivo's coding comparison counts agreement (over the characters of a
source), and it is indifferent to where coders draw segment boundaries within
the same stretch of text. Krippendorff's alpha (nominal) is computed with the
``krippendorff`` package (Krippendorff 2011).
"""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd


def double_coded_documents(segments: pd.DataFrame, coders: list[str]) -> list[str]:
    """Documents that every one of ``coders`` coded (at least one segment each).

    Examples
    --------
    >>> seg = pd.DataFrame({"document_id": ["d1", "d1", "d2"], "coder_id": ["A", "B", "A"]})
    >>> double_coded_documents(seg, ["A", "B"])
    ['d1']
    """
    by_doc = segments.groupby("document_id")["coder_id"].agg(set)
    return sorted(d for d, who in by_doc.items() if set(coders) <= who)


def presence_matrix(segments: pd.DataFrame, lengths: dict[str, int], code: str, coders: list[str]) -> np.ndarray:
    """A coders x characters 0/1 array: did each coder apply ``code`` to each character.

    Characters run over the concatenated bodies of the documents in ``lengths``.

    Examples
    --------
    >>> seg = pd.DataFrame({"document_id": ["d", "d"], "coder_id": ["A", "B"], "code_id": ["x", "x"],
    ...                     "start": [0, 1], "end": [2, 3]})
    >>> presence_matrix(seg, {"d": 4}, "x", ["A", "B"]).tolist()
    [[1, 1, 0, 0], [0, 1, 1, 0]]
    """
    offsets, total = {}, 0
    for doc, n in lengths.items():
        offsets[doc], total = total, total + n
    out = np.zeros((len(coders), total), dtype=np.int8)
    rows = segments[(segments["code_id"] == code) & segments["document_id"].isin(lengths)]
    for r in rows.itertuples():
        if r.coder_id in coders:
            base = offsets[r.document_id]
            out[coders.index(r.coder_id), base + int(r.start): base + int(r.end)] = 1
    return out


def _alpha(data: np.ndarray) -> float | None:
    """Nominal alpha, or None when it is undefined (every rating the same value)."""
    if data.size == 0 or np.unique(data).size < 2:
        return None
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def character_agreement(segments: pd.DataFrame, documents: pd.DataFrame, codes: list[str],
                        coders: list[str]) -> tuple[pd.DataFrame, dict]:
    """Per-code and overall alpha and percent agreement over characters.

    Parameters
    ----------
    segments : DataFrame
        All coders' segments (``document_id, coder_id, code_id, start, end``).
    documents : DataFrame
        ``document_id, n_chars`` for every document.
    codes : list of str
        Codes to assess (leaf codes); a code nobody used has alpha ``None``.
    coders : list of str
        The coders to compare.

    Returns
    -------
    per_code : DataFrame
        ``code_id, n_chars, coded_chars_<coder>..., percent_agreement, alpha``.
    overall : dict
        ``n_documents, n_chars, percent_agreement, alpha`` pooled over codes
        (units are code x character pairs).
    """
    docs = double_coded_documents(segments, coders)
    lengths = dict(zip(documents["document_id"], documents["n_chars"]))
    lengths = {d: int(lengths[d]) for d in docs}
    rows, stacks = [], []
    for code in codes:
        data = presence_matrix(segments, lengths, code, coders)
        stacks.append(data)
        row = {"code_id": code, "n_chars": data.shape[1]}
        for i, coder in enumerate(coders):
            row[f"coded_chars_{coder}"] = int(data[i].sum())
        row["percent_agreement"] = float((data == data[0]).all(axis=0).mean()) if data.size else None
        row["alpha"] = _alpha(data)
        rows.append(row)
    pooled = np.hstack(stacks) if stacks else np.zeros((len(coders), 0), dtype=np.int8)
    overall = {
        "n_documents": len(docs),
        "n_chars": int(sum(lengths.values())),
        "percent_agreement": float((pooled == pooled[0]).all(axis=0).mean()) if pooled.size else None,
        "alpha": _alpha(pooled),
    }
    return pd.DataFrame(rows), overall
