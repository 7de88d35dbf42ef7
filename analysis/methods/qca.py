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
fewest prime implicants, so all equally minimal models are reported (M1, M2, ...),
as R's QCA package reports them. sympy's Quine-McCluskey ``SOPform`` minimizes the
same truth table independently and :func:`sympy_cross_check` records, with every
solution, whether the two agree.

The intermediate solution is computed as R QCA computes it (Ragin & Sonnett
2005; Ragin 2008, ch. 9; Dusa 2019, ch. 8): for each pair of a conservative and
a parsimonious model, the simplifying assumptions of the parsimonious model (the
remainders its terms cover) that are easy counterfactuals are kept, and the
positive rows are minimized again together with them. A remainder is an easy
counterfactual when it differs from a positive configuration of the conservative
model only in conditions where it takes the expected value, or where no direction
is expected (a "don't care" condition, left out of the expectations). Every
resulting model is reported, with the pair it came from (``C1P1``, ...).

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
    """Every cover of ``positive`` with the fewest implicants, each with its terms in a fixed order.

    Covers of the same size are all kept, whatever their number of literals, as R QCA keeps them.
    """
    if not positive:
        return []
    useful = [t for t in implicants if any(_covers(t, r) for r in positive)]
    for size in range(1, len(useful) + 1):
        covers = [sorted(combo, key=_term_key) for combo in combinations(useful, size)
                  if all(any(_covers(t, r) for t in combo) for r in positive)]
        if covers:
            return sorted(covers, key=lambda cover: [_term_key(t) for t in cover])
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


def simplifying_assumptions(model: list[Term], remainders: set[tuple]) -> set[tuple]:
    """The remainders that the terms of ``model`` cover: what a parsimonious model assumed."""
    return {r for r in remainders if any(_covers(t, r) for t in model)}


def is_easy(row: tuple, configuration: tuple, dir_exp: dict[int, int | None]) -> bool:
    """Whether assuming the outcome for ``row`` is an easy counterfactual relative to the positive
    ``configuration``: every condition in which they differ is one where ``row`` takes the expected
    value, or one with no expectation.

    Examples
    --------
    >>> is_easy((1, 1, 1), (1, 0, 1), {0: 1, 1: 1, 2: 1})  # adds a condition expected to help
    True
    >>> is_easy((1, 0, 0), (1, 0, 1), {0: 1, 1: 1, 2: 1})  # takes away one expected to help
    False
    >>> is_easy((1, 0, 0), (1, 0, 1), {0: 1, 1: 1, 2: None})  # no expectation on the third
    True
    """
    return all(r == c or dir_exp.get(i) is None or r == dir_exp[i] for i, (r, c) in enumerate(zip(row, configuration)))


def easy_counterfactuals(conservative: list[Term], simplifying: set[tuple], dir_exp: dict[int, int | None],
                         k: int) -> set[tuple]:
    """The simplifying assumptions that are easy relative to some configuration a term of the
    ``conservative`` model covers (those are positive rows)."""
    rows = [r for r in product((0, 1), repeat=k) if any(_covers(t, r) for t in conservative)]
    return {s for s in simplifying if any(is_easy(s, c, dir_exp) for c in rows)}


def intermediate_models(positive: set[tuple], remainders: set[tuple], conservative: list[list[Term]],
                        parsimonious: list[list[Term]], dir_exp: dict[int, int | None], k: int) -> list[dict]:
    """Every intermediate model: for each pair of a conservative and a parsimonious model, the
    positive rows minimized together with the pair's easy counterfactuals. One entry per distinct
    model, with the pairs that give it (``C1P1``, ...) and the easy counterfactuals it used."""
    found: dict[tuple, dict] = {}
    for ci, cons in enumerate(conservative, start=1):
        for pi, pars in enumerate(parsimonious, start=1):
            easy = easy_counterfactuals(cons, simplifying_assumptions(pars, remainders), dir_exp, k)
            for model in _models(positive, positive | easy, k):
                entry = found.setdefault(tuple(model), {"model": model, "from": [], "easy": set()})
                entry["from"].append(f"C{ci}P{pi}")
                entry["easy"] |= easy
    return list(found.values())


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
    or None (no expectation: R QCA's "don't care", either value may be assumed);
    conditions left out have no expectation. Without any ``dir_exp`` there is no
    intermediate solution, as in R QCA.
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
    parsimonious = _models(positive, positive | remainders, k)
    expectations = {i: (dir_exp or {}).get(c) for i, c in enumerate(conditions)}
    # as in R QCA, no directional expectation at all means no intermediate solution
    intermediate = intermediate_models(positive, remainders, conservative, parsimonious, expectations, k) \
        if dir_exp else []
    for models in (conservative, parsimonious, [m["model"] for m in intermediate]):
        for model in models:  # every model must account for every positive row
            assert all(any(_covers(t, r) for t in model) for r in positive)
    yv = frame["__y"].to_numpy(dtype=float)

    def rows_of(found: set[tuple]) -> list[str]:
        return sorted("".join(map(str, r)) for r in found)

    fitted = {
        "conservative": [fit_model(frame, conditions, yv, m) | {"from": [f"C{i}"]} for i, m in enumerate(conservative, 1)],
        "parsimonious": [fit_model(frame, conditions, yv, m) | {"from": [f"P{i}"],
                                                                "simplifying": rows_of(simplifying_assumptions(m, remainders))}
                         for i, m in enumerate(parsimonious, 1)],
        "intermediate": [fit_model(frame, conditions, yv, m["model"]) | {"from": m["from"], "easy": rows_of(m["easy"])}
                         for m in intermediate],
    }
    return {
        "truth_table": tt,
        "solutions": fitted,
        "checks": {"conservative": sympy_cross_check(positive, set(), k, conservative),
                   "parsimonious": sympy_cross_check(positive, remainders, k, parsimonious)},
    }


def sympy_check(positive: set[tuple], remainders: set[tuple], k: int) -> list[Term]:
    """sympy's Quine-McCluskey minimal sum of products (``SOPform``) of the truth table, as terms:
    the positive rows as minterms and the remainders as don't-cares."""
    from sympy import Not, symbols
    from sympy.logic import SOPform

    names = symbols(f"x0:{k}")
    form = SOPform(names, [list(r) for r in sorted(positive)], [list(r) for r in sorted(remainders)])
    if form in (True, False):
        return [(None,) * k] if form is True else []
    out = []
    for term in (form.args if form.func.__name__ == "Or" else [form]):
        literals = term.args if term.func.__name__ == "And" else [term]
        values = {}
        for literal in literals:
            if isinstance(literal, Not):
                values[names.index(literal.args[0])] = 0
            else:
                values[names.index(literal)] = 1
        out.append(tuple(values.get(i) for i in range(k)))
    return sorted(out, key=_term_key)


def sympy_cross_check(positive: set[tuple], remainders: set[tuple], k: int, models: list[list[Term]]) -> dict:
    """Whether sympy's independent minimization agrees with ``models``: its form must cover every
    positive row and no row outside the positive rows and remainders, use only prime implicants,
    and have as few terms as the models (which are every cover with the fewest); when it has as
    few, it must be one of them."""
    allowed = positive | remainders
    form = sympy_check(positive, remainders, k) if positive else []
    primes = set(prime_implicants(positive, allowed, k))
    rows = list(product((0, 1), repeat=k))
    covers = all(any(_covers(t, r) for t in form) for r in positive)
    inside = all(r in allowed for t in form for r in rows if _covers(t, r))
    fewest = min((len(m) for m in models), default=0)
    agree = covers and inside and set(form) <= primes and len(form) >= fewest and \
        (len(form) > fewest or sorted(form, key=_term_key) in [sorted(m, key=_term_key) for m in models])
    return {"sympy_terms": len(form), "fewest_terms": fewest, "agree": bool(agree) if positive else True}


def station_scores(segments: pd.DataFrame, codes: pd.DataFrame, propositions: dict, conditions: dict[str, str],
                   outcome: str, outcome_contrary: list[str]) -> pd.DataFrame:
    """Raw scores per station, every one counted in distinct coded spans.

    A condition's score is the share of its proposition's evidence that supports it: spans with a
    supporting code / (those + spans with a contrary code), the spans of
    :func:`analysis.methods.mechanisms.evidence_spans`, so the score is the framework matrix's share.
    The outcome's is spans coded in the ``outcome`` theme / (those + spans with an
    ``outcome_contrary`` code). A station with neither kind of evidence on a set has a missing score
    there.
    """
    from analysis.methods.mechanisms import SPAN, evidence_spans

    keys = ["case_id", *SPAN]
    stations = sorted(segments["case_id"].unique())
    wanted = {prop: propositions[prop] for prop in conditions.values()}
    tagged = evidence_spans(segments, codes, wanted)
    tagged = tagged[tagged["role"].isin(["support", "contrary"])]
    counts = tagged.groupby(["case_id", "proposition", "role"]).size().unstack("role").reindex(
        columns=["support", "contrary"], fill_value=0).fillna(0)
    raw = pd.DataFrame(index=pd.Index(stations, name="case"))
    for name, prop in conditions.items():
        mine = counts.xs(prop, level="proposition") if prop in counts.index.get_level_values("proposition") \
            else pd.DataFrame(columns=["support", "contrary"], dtype=float)
        mine = mine.reindex(stations, fill_value=0)
        total = mine["support"] + mine["contrary"]
        raw[name] = (mine["support"] / total.where(total > 0)).to_numpy()
    theme_hit = themes_of(segments["code_id"]) == outcome
    against = segments["code_id"].isin(outcome_contrary)
    per = pd.DataFrame({"n_for": segments.loc[theme_hit, keys].drop_duplicates().groupby("case_id").size(),
                        "n_against": segments.loc[against, keys].drop_duplicates().groupby("case_id").size()})
    per = per.reindex(stations).fillna(0)
    raw[outcome] = (per["n_for"] / (per["n_for"] + per["n_against"]).where(lambda v: v > 0)).to_numpy()
    return raw.reset_index()


def calibrate_all(raw: pd.DataFrame, anchors: dict) -> tuple[pd.DataFrame, list[str]]:
    """Ragin's direct calibration of every column that has anchors, for the cases with evidence on
    every set.

    A case with no evidence on a set (a missing raw score) has no membership there, so it is left
    out of the analysis (listwise), not given a made-up score. A membership of exactly 0.5 would
    leave the case out of every truth-table row, so it is moved to 0.501 (the usual convention).
    The cases concerned are returned so the report can say so.

    Examples
    --------
    >>> raw = pd.DataFrame({"case": ["a", "b", "c"], "X": [0.5, float("nan"), 0.8]})
    >>> cal, notes = calibrate_all(raw, {"X": {"full": 0.8, "crossover": 0.5, "non": 0.2}})
    >>> cal["case"].tolist(), cal["X"].round(3).tolist(), notes
    (['a', 'c'], [0.501, 0.953], ['a: X at the crossover, set to 0.501', 'b: no evidence on X, left out'])
    """
    sets = [name for name in anchors if name in raw]
    missing = raw[sets].isna()
    notes = [f"{case}: no evidence on {', '.join(m for m, gone in zip(sets, row) if gone)}, left out"
             for case, row in zip(raw["case"], missing.to_numpy()) if row.any()]
    kept = raw[~missing.any(axis=1)].reset_index(drop=True)
    out = kept[["case"]].copy()
    crossover_notes = []
    for name in sets:
        a = anchors[name]
        values = calibrate(kept[name], a["full"], a["crossover"], a["non"])
        for i, (case, v) in enumerate(zip(kept["case"], values)):
            if abs(v - 0.5) < 1e-9:
                values[i] = 0.501
                crossover_notes.append((case, f"{case}: {name} at the crossover, set to 0.501"))
        out[name] = values
    order = {case: k for k, case in enumerate(raw["case"])}
    everything = crossover_notes + [(note.split(":")[0], note) for note in notes]
    return out, [note for _, note in sorted(everything, key=lambda x: order[x[0]])]


def intermediate_solution(raw: pd.DataFrame, anchors: dict, conditions: list[str], outcome: str,
                          **options) -> dict:
    """The intermediate solution of raw scores calibrated with ``anchors``: the cases kept, the
    models (``" | "`` between them; empty when there are fewer than two cases or no solution) and
    the first model's consistency and coverage. ``options`` go to :func:`solve`."""
    calibrated, _ = calibrate_all(raw, anchors)
    if len(calibrated) < 2:
        return {"n_cases": len(calibrated), "models": "", "incl": np.nan, "cov": np.nan}
    models = solve(calibrated, conditions, outcome, **options)["solutions"]["intermediate"]
    return {"n_cases": len(calibrated), "models": " | ".join(m["expression"] for m in models),
            "incl": models[0]["incl"] if models else np.nan, "cov": models[0]["cov"] if models else np.nan}


def anchors_at_same_quantiles(before: pd.DataFrame, after: pd.DataFrame, anchors: dict) -> dict:
    """Anchors for the raw scores ``after`` that sit where the configured ``anchors`` sit in the
    distribution of ``before``: each anchor's place among the sorted scores of ``before`` (the
    inverse of numpy's linear quantile; beyond the scores, the first or last), taken as the same
    quantile of ``after``. When a change of measure shifts every score (leaving out
    supporting codes lowers every support share), fixed anchors would move stations across the
    crossover for the change of scale alone; these anchors keep the stations' ranks' reading.

    >>> before = pd.DataFrame({"X": [0.2, 0.4, 0.6, 0.8]}); after = pd.DataFrame({"X": [0.1, 0.2, 0.3, 0.4]})
    >>> anchors_at_same_quantiles(before, after, {"X": {"full": 0.8, "crossover": 0.5, "non": 0.2}})
    {'X': {'full': 0.4, 'crossover': 0.25, 'non': 0.1}}
    """
    moved = {}
    for name, spec in anchors.items():
        old = before[name].dropna().to_numpy(dtype=float) if name in before else np.array([])
        new = after[name].dropna().to_numpy(dtype=float) if name in after else np.array([])
        if not len(old) or not len(new):
            moved[name] = dict(spec)
            continue
        old = np.sort(old)
        where = np.linspace(0, 1, len(old)) if len(old) > 1 else np.array([0.5])
        moved[name] = {k: round(float(np.quantile(new, float(np.interp(v, old, where)))), 6) for k, v in spec.items()}
    return moved


def anchor_robustness(raw: pd.DataFrame, anchors: dict, conditions: list[str], outcome: str, shift: float,
                      **options) -> pd.DataFrame:
    """The intermediate solution under other reasonable anchors: each set's crossover moved down and
    up by ``shift`` (one set at a time), beside the configured anchors. One row per variant with the
    cases kept, the solution's models, consistency and coverage; ``options`` go to :func:`solve`."""
    variants = [("configured", anchors)]
    for name in [*conditions, outcome]:
        a = anchors[name]
        for sign in (-1, 1):
            moved = round(a["crossover"] + sign * shift, 6)
            if min(a["full"], a["non"]) < moved < max(a["full"], a["non"]):
                variants.append((f"{name} crossover {moved:g}", {**anchors, name: {**a, "crossover": moved}}))
    out = pd.DataFrame([{"variant": label, **intermediate_solution(raw, chosen, conditions, outcome, **options)}
                        for label, chosen in variants])
    out["same_as_configured"] = out["models"] == out["models"].iloc[0]
    return out


def report(result: dict) -> dict:
    """The JSON object of ``casebook qca``: the truth table as rows, and the solutions."""
    tt = result["truth_table"]
    rows = [{"row": r.row, "n": int(r.n), "incl": _num(r.incl), "pri": _num(r.pri), "out": r.out, "cases": list(r.cases)}
            for r in tt.itertuples()]
    clean = {name: [{**{k: (_num(v) if isinstance(v, float) else v) for k, v in m.items() if k != "terms"},
                     "terms": [{k: (_num(v) if isinstance(v, float) else v) for k, v in t.items()} for t in m["terms"]]}
                    for m in models] for name, models in result["solutions"].items()}
    return {"truth_table": rows, "solutions": clean, "checks": result.get("checks", {})}


def _num(v: float):
    return None if v is None or (isinstance(v, float) and np.isnan(v)) else round(float(v), 6)
