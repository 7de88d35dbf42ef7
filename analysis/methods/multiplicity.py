"""Multiplicity control: Benjamini-Hochberg false-discovery-rate adjusted p-values.

One function so that every family of tests in the pipeline (codes x category, cells, co-occurrence
pairs, outcome-model coefficients) is adjusted the same way: statsmodels' ``multipletests`` with
``method="fdr_bh"`` (Benjamini & Hochberg 1995, step-up procedure), over the defined p-values only.
"""

from __future__ import annotations

import numpy as np


def fdr_adjust(p) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values; a missing p-value (NaN) stays missing and is not counted.

    >>> fdr_adjust([0.01, float("nan"), 0.04, 0.03]).round(3).tolist()
    [0.03, nan, 0.04, 0.04]
    """
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    has = ~np.isnan(p)
    if has.any():
        out[has] = multipletests(p[has], method="fdr_bh")[1]
    return out
