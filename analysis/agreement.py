"""Agreement coefficients for any number of coders, from a units x coders table.

These serve ``casebook reliability`` and the tests that pin the coefficients to
published values. Krippendorff's alpha comes from the ``krippendorff`` package,
Cohen's and Fleiss' kappa from statsmodels (``statsmodels.stats.inter_rater``);
Gwet's AC1 has no maintained Python implementation compatible with this stack
(``irrCAC`` pins pandas < 3 and scipy 1.12), so it is written here after Gwet
(2014, ch. 4; 2008) and checked against irrCAC's value on Krippendorff's data.

A *ratings* table is a DataFrame indexed by unit with one column per coder; a
missing rating is NaN (an absent row in the long CSV).
"""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
from statsmodels.stats.inter_rater import aggregate_raters, cohens_kappa, fleiss_kappa

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
    return float(cohens_kappa(table, return_results=False))


def _labels(ratings: pd.DataFrame) -> pd.Series:
    """Each unit's ratings as a list of text labels, missing ratings left out."""
    return ratings.apply(lambda row: row.dropna().astype(str).tolist(), axis=1)


def fleiss(ratings: pd.DataFrame) -> float | None:
    """Fleiss' kappa when every unit has the same number (>= 2) of ratings, else None."""
    counts = ratings.notna().sum(axis=1)
    if counts.empty or counts.nunique() != 1 or counts.iloc[0] < 2:
        return None
    labels = _labels(ratings).tolist()
    table, _ = aggregate_raters(np.array(labels, dtype=object))
    p = table.sum(0) / table.sum()
    if np.isclose((p**2).sum(), 1.0):
        return None
    return float(fleiss_kappa(table, method="fleiss"))


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
    pa = (counts[two] * (counts[two] - 1)).sum(1) / (r[two] * (r[two] - 1))
    pa = pa.mean()
    if len(cats) == 1:
        return 1.0
    pi = (counts / r[:, None]).mean(0)
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
    (two coders only), ``fleiss_kappa`` (nominal, equal numbers of ratings per
    unit) and ``gwet_ac1`` (nominal); a coefficient that is undefined is None.
    """
    ratings = long.pivot(index="unit", columns="coder", values="value")
    nominal = level == "nominal"
    return {
        "level": level,
        "n_units": int(ratings.shape[0]),
        "n_coders": int(ratings.shape[1]),
        "n_pairable_units": int(len(pairable(ratings))),
        "percent_agreement": percent_agreement(ratings),
        "krippendorff_alpha": krippendorff_alpha(ratings, level),
        "cohen_kappa": cohen_kappa(ratings),
        "fleiss_kappa": fleiss(ratings) if nominal else None,
        "gwet_ac1": gwet_ac1(ratings) if nominal else None,
    }
