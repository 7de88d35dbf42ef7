"""Fuzzy-set and crisp-set Qualitative Comparative Analysis (Ragin 2008).

Set operations follow Ragin: AND = min, OR = max, NOT = 1 - x. For a set X and
the outcome Y,

- sufficiency: incl = sum(min(X, Y)) / sum(X); cov = sum(min(X, Y)) / sum(Y);
  PRI = (sum(min(X, Y)) - sum(min(X, Y, 1 - Y))) / (sum(X) - sum(min(X, Y, 1 - Y)));
- necessity: incl = sum(min(X, Y)) / sum(Y); cov = sum(min(X, Y)) / sum(X);
  relevance RoN = sum(1 - X) / sum(1 - min(X, Y)) (Schneider & Wagemann 2012).

A case belongs to the truth-table row where its membership in every
condition (or its negation) is above 0.5. Boolean minimization enumerates the
prime implicants exactly and then every cover of the positive rows with the
fewest prime implicants (and, among those, the fewest literals), so all
equally minimal models are reported; sympy's Quine-McCluskey ``SOPform`` gives
an independent minimization that :func:`sympy_check` compares against. The
intermediate solution keeps, from each conservative term, the literals of a
parsimonious implicant it contains and the literals that agree with the
directional expectations (Ragin 2008, ch. 9): only "easy" counterfactuals are
used.

Terms are tuples over the conditions with 1 (present), 0 (negated) or None
(absent from the term).
"""

from __future__ import annotations

from itertools import combinations, product

import numpy as np
import pandas as pd

from analysis.methods.codebook import themes_of

Term = tuple  # of 1, 0 or None, one per condition


# -- calibration ---------------------------------------------------------------------------------

def calibrate(raw, full: float, crossover: float, non: float) -> np.ndarray:
    """Ragin's direct method: anchors map to log-odds +3, 0 and -3.

    ``full`` may lie below ``non`` (a decreasing scale). Memberships at the
    anchors are 0.953, 0.5 and 0.047.

    Examples
    --------
    >>> calibrate([0.8, 0.5, 0.2, 0.65], full=0.8, crossover=0.5, non=0.2).round(3).tolist()
    [0.953, 0.5, 0.047, 0.818]
    """
    raw = np.asarray(raw, dtype=float)
    if not (min(full, non) < crossover < max(full, non)):
        raise ValueError("the crossover anchor must lie between the full and non-membership anchors")
    dev = raw - crossover
    scale = np.where(dev * np.sign(full - crossover) >= 0, 3.0 / (full - crossover), 3.0 / (crossover - non))
    log_odds = dev * scale
    return 1.0 / (1.0 + np.exp(-log_odds))


# -- parameters of fit ---------------------------------------------------------------------------

def _ratio(a: float, b: float) -> float:
    return float(a / b) if b > 0 else float("nan")


def sufficiency(x: np.ndarray, y: np.ndarray) -> dict:
    """incl, PRI and cov of X as sufficient for Y.

    Examples
    --------
    >>> sufficiency(np.array([1, 1, 0, 0.]), np.array([1, 0, 1, 0.]))
    {'incl': 0.5, 'pri': 0.5, 'cov': 0.5}
    """
    both = np.minimum(x, y)
    overlap = np.minimum(both, 1 - y)
    return {"incl": _ratio(both.sum(), x.sum()),
            "pri": _ratio(both.sum() - overlap.sum(), x.sum() - overlap.sum()),
            "cov": _ratio(both.sum(), y.sum())}


def necessity(x: np.ndarray, y: np.ndarray) -> dict:
    """incl (consistency), cov and relevance (RoN) of X as necessary for Y."""
    both = np.minimum(x, y)
    return {"incl": _ratio(both.sum(), y.sum()), "cov": _ratio(both.sum(), x.sum()),
            "ron": _ratio((1 - x).sum(), (1 - both).sum())}


def necessity_table(data: pd.DataFrame, conditions: list[str], outcome: str) -> pd.DataFrame:
    """Each condition and its negation as necessary for the outcome."""
    y = data[outcome].to_numpy(dtype=float)
    rows = []
    for c in conditions:
        x = data[c].to_numpy(dtype=float)
        rows.append({"condition": c, **necessity(x, y)})
        rows.append({"condition": f"~{c}", **necessity(1 - x, y)})
    return pd.DataFrame(rows)


# -- the truth table -----------------------------------------------------------------------------

def term_membership(data: pd.DataFrame, conditions: list[str], term: Term) -> np.ndarray:
    """Each case's membership in a conjunction (min over its literals)."""
    out = np.ones(len(data))
    for c, v in zip(conditions, term):
        if v is not None:
            x = data[c].to_numpy(dtype=float)
            out = np.minimum(out, x if v == 1 else 1 - x)
    return out


def truth_table(data: pd.DataFrame, conditions: list[str], outcome: str, incl_cut: float,
                n_cut: int, case_col: str = "case", pri_cut: float = 0.0) -> pd.DataFrame:
    """One row per configuration: ``row`` (0/1 string), ``n``, ``incl``, ``pri``, ``out``, ``cases``.

    ``out`` is 1 when the row has at least ``n_cut`` cases, incl >= ``incl_cut``
    and PRI >= ``pri_cut``; 0 when it has enough cases but fails a cut; ``?`` (a
    logical remainder) otherwise. Cases at exactly 0.5 in a condition belong to no row.
    """
    y = data[outcome].to_numpy(dtype=float)
    values = data[conditions].to_numpy(dtype=float)
    rows = []
    for bits in product((0, 1), repeat=len(conditions)):
        member = term_membership(data, conditions, bits)
        in_row = np.all(np.where(np.array(bits) == 1, values > 0.5, values < 0.5), axis=1)
        fit = sufficiency(member, y)
        n = int(in_row.sum())
        passes = fit["incl"] >= incl_cut - 1e-12 and (fit["pri"] >= pri_cut - 1e-12 or pri_cut == 0)
        out = "?" if n < n_cut else ("1" if passes else "0")
        rows.append({"row": "".join(map(str, bits)), "n": n, "incl": fit["incl"], "pri": fit["pri"], "out": out,
                     "cases": list(data.loc[in_row, case_col].astype(str))})
    return pd.DataFrame(rows)


# -- minimization --------------------------------------------------------------------------------

def _covers(term: Term, row: tuple) -> bool:
    return all(v is None or v == r for v, r in zip(term, row))


def prime_implicants(positive: set[tuple], allowed: set[tuple], k: int) -> list[Term]:
    """Every prime implicant of ``positive`` whose minterms all lie in ``allowed``.

    Exhaustive over the 3**k conjunctions, which is exact and fast for the
    handful of conditions a QCA uses.
    """
    rows = list(product((0, 1), repeat=k))
    implicants = []
    for term in product((0, 1, None), repeat=k):
        covered = [r for r in rows if _covers(term, r)]
        if all(r in allowed for r in covered) and any(r in positive for r in covered):
            implicants.append(term)
    implicant_set = set(implicants)

    def broader(term):
        for i, v in enumerate(term):
            if v is not None:
                yield term[:i] + (None,) + term[i + 1:]

    return [t for t in implicants if not any(b in implicant_set for b in broader(t))]


def minimal_covers(positive: set[tuple], implicants: list[Term]) -> list[list[Term]]:
    """All covers of ``positive`` with the fewest implicants, then the fewest literals."""
    if not positive:
        return []
    useful = [t for t in implicants if any(_covers(t, r) for r in positive)]
    for size in range(1, len(useful) + 1):
        covers = [list(combo) for combo in combinations(useful, size)
                  if all(any(_covers(t, r) for t in combo) for r in positive)]
        if covers:
            literals = [sum(v is not None for t in cover for v in t) for cover in covers]
            best = min(literals)
            return [sorted(c, key=_term_key) for c, n in zip(covers, literals) if n == best]
    return []


def _term_key(term: Term) -> tuple:
    return tuple(2 if v is None else (0 if v == 1 else 1) for v in term)


def expression(term: Term, conditions: list[str]) -> str:
    """``A*~B`` for (1, 0, None) over A, B, C.

    Examples
    --------
    >>> expression((1, 0, None), ["A", "B", "C"])
    'A*~B'
    """
    parts = [c if v == 1 else f"~{c}" for c, v in zip(conditions, term) if v is not None]
    return "*".join(parts) if parts else "1"


def parse_term(text: str, conditions: list[str]) -> Term:
    """The inverse of :func:`expression`.

    Examples
    --------
    >>> parse_term("A*~B", ["A", "B", "C"])
    (1, 0, None)
    """
    literals = set(text.split("*"))
    return tuple(1 if c in literals else (0 if f"~{c}" in literals else None) for c in conditions)


def _intermediate_terms(conservative: list[Term], implicants: list[Term], dir_exp: dict[int, int | None]) -> list[Term]:
    """Each conservative term shortened by easy counterfactuals only.

    Every prime implicant of the parsimonious minimization that contains the
    term offers a candidate: the term keeps the implicant's literals and its
    own literals that agree with the expectations (or have none), dropping
    only those that contradict them. A term no implicant contains stays as it is.
    """
    out = []
    for term in conservative:
        found = False
        for pi in implicants:
            if not all(p is None or p == t for p, t in zip(pi, term)):
                continue  # the implicant must contain (be broader than) the term
            found = True
            kept = tuple(
                t if (p is not None or t is None or dir_exp.get(i) is None or dir_exp[i] == t) else None
                for i, (t, p) in enumerate(zip(term, pi)))
            if kept not in out:
                out.append(kept)
        if not found and term not in out:
            out.append(term)
    return out


def _models(positive, allowed, k):
    return minimal_covers(positive, prime_implicants(positive, allowed, k))


def fit_model(data: pd.DataFrame, conditions: list[str], outcome_values: np.ndarray, terms: list[Term]) -> dict:
    """A model's expression and parameters, and each term's incl, PRI, cov and unique cov."""
    members = [term_membership(data, conditions, t) for t in terms]
    solution = np.max(members, axis=0) if members else np.zeros(len(data))
    whole = sufficiency(solution, outcome_values)
    rows = []
    for i, (term, m) in enumerate(zip(terms, members)):
        others = [x for j, x in enumerate(members) if j != i]
        rest = np.max(others, axis=0) if others else np.zeros(len(data))
        cov_rest = np.minimum(rest, outcome_values).sum()
        fit = sufficiency(m, outcome_values)
        rows.append({"term": expression(term, conditions), **fit,
                     "cov_u": _ratio(np.minimum(solution, outcome_values).sum() - cov_rest, outcome_values.sum())})
    return {"expression": " + ".join(r["term"] for r in rows), **whole, "terms": rows}


def solve(data: pd.DataFrame, conditions: list[str], outcome: str, incl_cut: float = 1.0, n_cut: int = 1,
          dir_exp: dict[str, int | None] | None = None, case_col: str = "case", pri_cut: float = 0.0) -> dict:
    """Truth table and the conservative, parsimonious and intermediate solutions.

    ``outcome`` may be ``~Y`` for the negated outcome. ``dir_exp`` maps a
    condition to 1 (its presence is expected to contribute), 0 (its absence)
    or None (no expectation); conditions left out have no expectation.
    """
    negated = outcome.startswith("~")
    name = outcome[1:] if negated else outcome
    frame = data.copy()
    y = frame[name].to_numpy(dtype=float)
    frame["__y"] = 1 - y if negated else y
    tt = truth_table(frame, conditions, "__y", incl_cut, n_cut, case_col, pri_cut)
    k = len(conditions)
    bits = {r: tuple(int(b) for b in r) for r in tt["row"]}
    positive = {bits[r] for r, o in zip(tt["row"], tt["out"]) if o == "1"}
    remainders = {bits[r] for r, o in zip(tt["row"], tt["out"]) if o == "?"}
    conservative = _models(positive, positive, k)
    parsimonious_pis = prime_implicants(positive, positive | remainders, k)
    parsimonious = minimal_covers(positive, parsimonious_pis)
    expectations = {i: (dir_exp or {}).get(c) for i, c in enumerate(conditions)}
    intermediate = []
    for cons in conservative:
        candidates = _intermediate_terms(cons, parsimonious_pis, expectations)
        for model in minimal_covers(positive, candidates):
            if model not in intermediate:
                intermediate.append(model)
    for models in (conservative, parsimonious, intermediate):
        for model in models:  # every model must account for every positive row
            assert all(any(_covers(t, r) for t in model) for r in positive)
    yv = frame["__y"].to_numpy(dtype=float)
    return {
        "truth_table": tt,
        "solutions": {name_: [fit_model(frame, conditions, yv, m) for m in models]
                      for name_, models in (("conservative", conservative), ("parsimonious", parsimonious),
                                            ("intermediate", intermediate))},
    }


def sympy_check(positive: set[tuple], remainders: set[tuple], k: int) -> int:
    """The number of literals in sympy's Quine-McCluskey minimal form (``SOPform``)."""
    from sympy import symbols
    from sympy.logic import SOPform

    names = symbols(f"x0:{k}")
    form = SOPform(names, [list(r) for r in sorted(positive)], [list(r) for r in sorted(remainders)])
    return sum(len(getattr(arg, "args", ())) or 1 for arg in (form.args if form.func.__name__ == "Or" else [form]))


def station_scores(matrix: pd.DataFrame, segments: pd.DataFrame, conditions: dict[str, str], outcome: str,
                   outcome_contrary: list[str]) -> pd.DataFrame:
    """Raw scores per station: each condition's support share, and the outcome's.

    ``matrix`` is :func:`analysis.methods.mechanisms.framework_matrix`; ``conditions``
    maps a condition name to its proposition. The outcome's score is
    (spans coded in the ``outcome`` theme) / (those + spans with an
    ``outcome_contrary`` code), per station.
    """
    wide = matrix.pivot(index="case_id", columns="proposition", values="support_share")
    raw = pd.DataFrame({name: wide[prop] for name, prop in conditions.items()})
    keys = ["case_id", "document_id", "start", "end"]
    theme_hit = themes_of(segments["code_id"]) == outcome
    against = segments["code_id"].isin(outcome_contrary)
    # distinct spans per station: with a code of the outcome's theme, and with a contrary code
    per = pd.DataFrame({"n_for": segments.loc[theme_hit, keys].drop_duplicates().groupby("case_id").size(),
                        "n_against": segments.loc[against, keys].drop_duplicates().groupby("case_id").size()})
    per = per.reindex(sorted(segments["case_id"].unique())).fillna(0)
    raw[outcome] = per["n_for"] / (per["n_for"] + per["n_against"]).where(lambda s: s > 0)
    return raw.rename_axis("case").reset_index()


def calibrate_all(raw: pd.DataFrame, anchors: dict) -> tuple[pd.DataFrame, list[str]]:
    """Ragin's direct calibration of every column that has anchors.

    A membership of exactly 0.5 would leave the case out of every truth-table
    row, so it is moved to 0.501 (the usual convention), and a missing raw
    score (no evidence at all) is set to 0.499 (more out than in); the cases
    and sets concerned are returned so the report can say so.

    Examples
    --------
    >>> raw = pd.DataFrame({"case": ["a", "b"], "X": [0.5, float("nan")]})
    >>> cal, notes = calibrate_all(raw, {"X": {"full": 0.8, "crossover": 0.5, "non": 0.2}})
    >>> cal["X"].tolist(), notes
    ([0.501, 0.499], ['a: X at the crossover, set to 0.501', 'b: no evidence on X, set to 0.499'])
    """
    out = raw[["case"]].copy()
    notes = []
    for name, a in anchors.items():
        if name in raw:
            values = calibrate(raw[name].fillna(a["crossover"]), a["full"], a["crossover"], a["non"])
            for i, (case, r, v) in enumerate(zip(raw["case"], raw[name], values)):
                if pd.isna(r):
                    values[i] = 0.499
                    notes.append(f"{case}: no evidence on {name}, set to 0.499")
                elif abs(v - 0.5) < 1e-9:
                    values[i] = 0.501
                    notes.append(f"{case}: {name} at the crossover, set to 0.501")
            out[name] = values
    return out, notes


def report(result: dict) -> dict:
    """The JSON object of ``casebook qca``: the truth table as rows, and the solutions."""
    tt = result["truth_table"]
    rows = [{"row": r.row, "n": int(r.n), "incl": _num(r.incl), "pri": _num(r.pri), "out": r.out, "cases": list(r.cases)}
            for r in tt.itertuples()]
    clean = {name: [{**{k: (_num(v) if isinstance(v, float) else v) for k, v in m.items() if k != "terms"},
                     "terms": [{k: (_num(v) if isinstance(v, float) else v) for k, v in t.items()} for t in m["terms"]]}
                    for m in models] for name, models in result["solutions"].items()}
    return {"truth_table": rows, "solutions": clean}


def _num(v: float):
    return None if v is None or (isinstance(v, float) and np.isnan(v)) else round(float(v), 6)
