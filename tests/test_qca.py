"""QCA pinned to the R QCA package's examples (data LC, Lipset's conditions for democracy, crisp; data LF, the same in fuzzy sets),
the calibration's anchors, and the `casebook qca` command."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from analysis.methods.qca import (calibrate, minimal_covers, necessity_table, prime_implicants, solve, sufficiency, sympy_check)

# tests/reference/README.md: R package QCA, data LC (crisp), conditions DEV URB LIT IND STB, outcome SURV
LC_TEXT = """AU 1 0 1 1 0 0   BE 1 1 1 1 1 1   CZ 1 1 1 1 1 1   EE 0 0 1 0 1 0   FI 1 0 1 0 1 1   FR 1 0 1 1 1 1
DE 1 1 1 1 0 0   GR 0 0 0 0 0 0   HU 0 0 1 0 0 0   IE 1 0 1 0 1 1   IT 0 0 0 0 1 0   NL 1 1 1 1 1 1
PL 0 0 1 0 0 0   PT 0 0 0 0 0 0   RO 0 0 0 0 1 0   ES 0 0 0 0 0 0   SE 1 0 1 1 1 1   UK 1 1 1 1 1 1"""
CONDITIONS = ["DEV", "URB", "LIT", "IND", "STB"]


def lc() -> pd.DataFrame:
    return _table(LC_TEXT)


# tests/reference/README.md: R package QCA, data LF (fuzzy; Ragin 2009, p. 95), same conditions and outcome
LF_TEXT = """AU .81 .12 .99 .73 .43 .05   BE .99 .89 .98 1 .98 .95   CZ .58 .98 .98 .90 .91 .89
EE .16 .07 .98 .01 .91 .12   FI .58 .03 .99 .08 .58 .77   FR .98 .03 .99 .81 .95 .95
DE .89 .79 .99 .96 .31 .05   GR .04 .09 .13 .36 .43 .06   HU .07 .16 .88 .07 .13 .42
IE .72 .05 .98 .01 .95 .92   IT .34 .10 .41 .47 .58 .05   NL .98 1 .99 .94 .99 .95
PL .02 .17 .59 0 0 .12   PT .01 .02 .01 .11 .01 .05   RO .01 .03 .17 0 .84 .21
ES .03 .30 .09 .21 .20 .06   SE .95 .13 .99 .67 .91 .95   UK .98 .99 .99 1 .98 .95"""


def _table(text: str) -> pd.DataFrame:
    cells = text.split()
    rows = [cells[i:i + 7] for i in range(0, len(cells), 7)]
    frame = pd.DataFrame(rows, columns=["case", *CONDITIONS, "SURV"])
    return frame.astype({c: float for c in [*CONDITIONS, "SURV"]})


def lf() -> pd.DataFrame:
    return _table(LF_TEXT)


def terms(model: dict) -> dict:
    return {t["term"]: t for t in model["terms"]}


def test_lc_truth_table_rows_with_the_outcome():
    # source: tests/reference/README.md: rows 11111 (n=4), 10101 (n=2), 10111 (n=2)
    tt = solve(lc(), CONDITIONS, "SURV")["truth_table"]
    positive = tt[tt["out"] == "1"].set_index("row")["n"].to_dict()
    assert positive == {"11111": 4, "10101": 2, "10111": 2}


def test_lc_conservative_solution():
    # source: tests/reference/README.md (R QCA): DEV*~URB*LIT*STB + DEV*LIT*IND*STB, coverage .500/.750,
    # unique coverage .250/.500, solution consistency 1, coverage 1
    (model,) = solve(lc(), CONDITIONS, "SURV")["solutions"]["conservative"]
    t = terms(model)
    assert set(t) == {"DEV*~URB*LIT*STB", "DEV*LIT*IND*STB"}
    assert (t["DEV*~URB*LIT*STB"]["cov"], t["DEV*~URB*LIT*STB"]["cov_u"]) == pytest.approx((0.5, 0.25))
    assert (t["DEV*LIT*IND*STB"]["cov"], t["DEV*LIT*IND*STB"]["cov_u"]) == pytest.approx((0.75, 0.5))
    assert (model["incl"], model["cov"]) == pytest.approx((1.0, 1.0))


def test_lc_parsimonious_solution():
    # source: tests/reference/README.md (R QCA): DEV*STB
    models = solve(lc(), CONDITIONS, "SURV")["solutions"]["parsimonious"]
    assert [m["expression"] for m in models] == ["DEV*STB"]


def test_lc_negated_outcome():
    # source: tests/reference/README.md (R QCA): conservative ~DEV*~URB*~IND + DEV*LIT*IND*~STB;
    # parsimonious ~DEV + ~STB with coverage .800/.700 and unique coverage .300/.200
    result = solve(lc(), CONDITIONS, "~SURV")["solutions"]
    assert set(terms(result["conservative"][0])) == {"~DEV*~URB*~IND", "DEV*LIT*IND*~STB"}
    t = terms(result["parsimonious"][0])
    assert set(t) == {"~DEV", "~STB"}
    assert (t["~DEV"]["cov"], t["~DEV"]["cov_u"]) == pytest.approx((0.8, 0.3))
    assert (t["~STB"]["cov"], t["~STB"]["cov_u"]) == pytest.approx((0.7, 0.2))


def test_intermediate_uses_only_easy_counterfactuals():
    # With every condition expected present, ~URB may be dropped from DEV*~URB*LIT*STB (an easy
    # counterfactual), but LIT may not (its presence is expected to help): DEV*LIT*STB.
    result = solve(lc(), CONDITIONS, "SURV", dir_exp={c: 1 for c in CONDITIONS})["solutions"]
    assert [m["expression"] for m in result["intermediate"]] == ["DEV*LIT*STB"]


def test_all_equally_minimal_models_are_reported():
    # f = A*B + ~A*C with remainders making B*C redundant: the classic consensus example has two
    # minimal covers for f = A~B + ~AB + BC-type charts; here rows 001, 011, 110, 111 are positive.
    positive = {(0, 0, 1), (0, 1, 1), (1, 1, 0), (1, 1, 1)}
    covers = minimal_covers(positive, prime_implicants(positive, positive, 3))
    assert [sorted(map(str, c)) for c in covers] == [sorted(map(str, [(0, None, 1), (1, 1, None)]))]
    cyclic = {(0, 0, 1), (0, 1, 0), (0, 1, 1), (1, 0, 0), (1, 0, 1), (1, 1, 0)}  # two minimal covers
    covers = minimal_covers(cyclic, prime_implicants(cyclic, cyclic, 3))
    assert len(covers) == 2 and all(len(c) == 3 for c in covers)
    # sympy's Quine-McCluskey gives one of the two (3 terms of 2 literals each)
    assert sympy_check(cyclic, set(), 3) in covers


def test_covers_with_the_fewest_terms_are_all_kept_whatever_their_literals():
    # R QCA (minimize, Details: "exhaustively search through all possible disjunctions of k prime
    # implicants which do cover those configurations") keeps every cover with the fewest prime
    # implicants. Worked by hand: positive 011, 100, 101; remainders 001, 010, 111; negative 000, 110.
    # The prime implicants are A*~B (100, 101), ~A*B (010, 011) and C (001, 011, 101, 111); 100 needs
    # A*~B, and 011 either of the others: A*~B + ~A*B (4 literals) and A*~B + C (3 literals).
    positive, remainders = {(0, 1, 1), (1, 0, 0), (1, 0, 1)}, {(0, 0, 1), (0, 1, 0), (1, 1, 1)}
    covers = minimal_covers(positive, prime_implicants(positive, positive | remainders, 3))
    assert covers == [[(1, 0, None), (0, 1, None)], [(1, 0, None), (None, None, 1)]]


def test_every_solution_records_the_sympy_cross_check():
    # sympy's SOPform on the LC truth table: DEV*STB with remainders (R QCA's parsimonious solution, above)
    checks = solve(lc(), CONDITIONS, "SURV")["checks"]
    assert checks["parsimonious"] == {"sympy_terms": 1, "fewest_terms": 1, "agree": True}
    assert checks["conservative"]["agree"] and checks["conservative"]["fewest_terms"] == 2


def test_formulas_of_sufficiency_and_necessity():
    # Ragin (2008): incl = sum(min(X,Y))/sum(X), cov = sum(min(X,Y))/sum(Y), and the PRI formula
    x, y = np.array([0.9, 0.6, 0.2, 0.8]), np.array([0.8, 0.7, 0.4, 0.3])
    both, overlap = np.minimum(x, y).sum(), np.minimum(np.minimum(x, y), 1 - y).sum()
    fit = sufficiency(x, y)
    assert fit["incl"] == pytest.approx(both / x.sum()) and fit["cov"] == pytest.approx(both / y.sum())
    assert fit["pri"] == pytest.approx((both - overlap) / (x.sum() - overlap))
    nec = necessity_table(pd.DataFrame({"X": x, "Y": y}), ["X"], "Y").set_index("condition")
    assert nec.loc["X", "incl"] == pytest.approx(both / y.sum())


def test_direct_calibration_anchors():
    # Ragin (2008): the anchors map to log-odds +3, 0 and -3, i.e. memberships 0.953, 0.5, 0.047
    values = calibrate([0.9, 0.6, 0.3, 1.0, 0.0], full=0.9, crossover=0.6, non=0.3)
    assert values[:3] == pytest.approx([1 / (1 + np.exp(-3)), 0.5, 1 / (1 + np.exp(3))])
    assert values[3] > values[0] and values[4] < values[2]
    with pytest.raises(ValueError):
        calibrate([0.5], full=0.3, crossover=0.9, non=0.1)


# --- the command line ---------------------------------------------------------------------------

def run(path, *args):
    return subprocess.run([sys.executable, "-m", "analysis.cli", "qca", str(path), *args], capture_output=True, text=True)


def test_command_reproduces_the_lc_example(tmp_path):
    path = tmp_path / "lc.csv"
    lc().astype({c: int for c in [*CONDITIONS, "SURV"]}).to_csv(path, index=False)
    out = json.loads(run(path, "--outcome", "SURV", "--conditions", ",".join(CONDITIONS)).stdout)
    rows = {r["row"]: r for r in out["truth_table"]}
    assert rows["11111"]["n"] == 4 and rows["11111"]["out"] == "1" and sorted(rows["11111"]["cases"]) == ["BE", "CZ", "NL", "UK"]
    assert [m["expression"] for m in out["solutions"]["parsimonious"]] == ["DEV*STB"]
    model = out["solutions"]["conservative"][0]
    assert set(model) >= {"expression", "incl", "pri", "cov", "terms"}
    assert set(model["terms"][0]) == {"term", "incl", "pri", "cov", "cov_u"}
    negated = json.loads(run(path, "--outcome", "~SURV", "--conditions", ",".join(CONDITIONS)).stdout)
    assert [m["expression"] for m in negated["solutions"]["parsimonious"]] == ["~DEV + ~STB"]
    directed = json.loads(run(path, "--outcome", "SURV", "--conditions", ",".join(CONDITIONS),
                              "--dir-exp", "DEV=1,URB=1,LIT=1,IND=1,STB=1").stdout)
    assert [m["expression"] for m in directed["solutions"]["intermediate"]] == ["DEV*LIT*STB"]


def test_command_applies_the_pri_cut(tmp_path):
    # Worked by hand (Ragin 2008's PRI): the two cases in A have Y 0.8 and 0.55, so incl = (0.8 + 0.55) / 2 = 0.675 >= 0.6,
    # PRI = (1.35 - (0.2 + 0.45)) / (2.0 - 0.65) = 0.70 / 1.35 = 0.519, so --pri-cut 0.6 turns the row to 0.
    path = tmp_path / "m.csv"
    path.write_text("case,A,Y\nx,1,0.8\ny,1,0.55\nz,0,0\n", encoding="utf-8")
    base = ["--outcome", "Y", "--conditions", "A", "--incl-cut", "0.6"]
    rows = {r["row"]: r for r in json.loads(run(path, *base).stdout)["truth_table"]}
    assert rows["1"]["out"] == "1" and rows["1"]["pri"] == pytest.approx(0.70 / 1.35, abs=1e-6)
    cut = {r["row"]: r for r in json.loads(run(path, *base, "--pri-cut", "0.6").stdout)["truth_table"]}
    assert cut["1"]["out"] == "0"


@pytest.mark.parametrize("content,args,message", [
    ("case,A,Y\nx,1.2,1\ny,0,0\n", [], "not a membership in [0, 1]"),
    ("case,A,Y\nx,1,1\ny,0,0\n", ["--conditions", "A,B"], "B is missing"),
    ("case,A,Y\nx,1,1\n", [], "only 1 case"),
    ("case,A,Y\nx,1,1\ny,0,0\n", ["--incl-cut", "1.5"], "outside [0, 1]"),
    ("case,A,Y\nx,1,1\ny,0,0\n", ["--n-cut", "0"], "below 1"),
    ("case,A,Y\nx,1,1\ny,0,0\n", ["--pri-cut", "-0.1"], "outside [0, 1]"),
    ("case,A,Y\nx,1,1\ny,0,0\n", ["--dir-exp", "A=2"], "directional expectation"),
])
def test_bad_input_exits_2(tmp_path, content, args, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    base = {"--outcome": "Y", "--conditions": "A"}
    for k, v in zip(args[::2], args[1::2]):
        base[k] = v
    call = run(path, *[x for kv in base.items() for x in kv])
    assert call.returncode == 2, call.stderr
    assert message in call.stderr and "Traceback" not in call.stderr and call.stdout == ""


def test_intermediate_is_never_empty_when_a_conservative_term_lies_outside_the_chosen_model():
    # A counterexample found in review of the per-term rule: positive rows 0010, 1010, 1110; negative
    # rows 0101, 0110, 0111, 1000, 1011, 1101; the rest are remainders. Minimizing the positive rows
    # again with each pair's easy counterfactuals always gives models that cover every positive row.
    bits = {"0010": 1, "1010": 1, "1110": 1, "0101": 0, "0110": 0, "0111": 0, "1000": 0, "1011": 0, "1101": 0}
    data = pd.DataFrame([{"case": r, **{c: float(r[i]) for i, c in enumerate("ABCD")}, "Y": float(y)}
                         for r, y in bits.items()])
    result = solve(data, list("ABCD"), "Y", dir_exp={c: 1 for c in "ABCD"})["solutions"]
    assert result["intermediate"], "the intermediate solution is empty"
    assert all(m["cov"] == pytest.approx(1.0) for m in result["intermediate"])
    # without any expectation R QCA gives no intermediate solution, and neither does solve
    assert solve(data, list("ABCD"), "Y")["solutions"]["intermediate"] == []


def test_relevance_of_necessity_worked_by_hand():
    # Schneider & Wagemann (2012), RoN = sum(1 - X) / sum(1 - min(X, Y)). By hand for
    # X = .2, .8, .6 and Y = .3, .9, .5: (0.8 + 0.2 + 0.4) / (0.8 + 0.2 + 0.5) = 1.4 / 1.5
    table = necessity_table(pd.DataFrame({"X": [0.2, 0.8, 0.6], "Y": [0.3, 0.9, 0.5]}), ["X"], "Y").set_index("condition")
    assert table.loc["X", "ron"] == pytest.approx(1.4 / 1.5)
    # and consistency sum(min) / sum(Y) = (0.2 + 0.8 + 0.5) / 1.7, coverage the same over sum(X) = 1.6
    assert (table.loc["X", "incl"], table.loc["X", "cov"]) == pytest.approx((1.5 / 1.7, 1.5 / 1.6))


def test_station_scores_count_distinct_spans_for_conditions_and_outcome():
    # Worked by hand. Station S1: span 1 carries two support codes of condition theme i (it counts
    # once), span 2 one support code, span 3 the contrary code b.x: inst = 2 / (2 + 1). Outcome theme
    # r: spans 1 and 4 carry r codes, span 5 the outcome's contrary code z.z: res = 2 / 3. Station S2
    # has no evidence on inst (missing) and one r span: res = 1.
    from analysis.methods.qca import station_scores

    codes = pd.DataFrame({"code_id": ["i", "i.a", "i.b", "b", "b.x", "r", "r.a", "z", "z.z"],
                          "parent": [None, "i", "i", None, "b", None, "r", None, "z"]})
    spans = [("S1", "d1", 0, 5, "i.a"), ("S1", "d1", 0, 5, "i.b"), ("S1", "d1", 0, 5, "r.a"), ("S1", "d1", 6, 9, "i.a"),
             ("S1", "d1", 10, 12, "b.x"), ("S1", "d2", 0, 4, "r.a"), ("S1", "d2", 5, 8, "z.z"), ("S2", "d3", 0, 3, "r.a")]
    seg = pd.DataFrame(spans, columns=["case_id", "document_id", "start", "end", "code_id"])
    props = {"P1": {"condition": "i", "contrary": ["b.x"]}}
    raw = station_scores(seg, codes, props, {"inst": "P1"}, "r", ["z.z"]).set_index("case")
    assert raw.loc["S1", "inst"] == pytest.approx(2 / 3) and raw.loc["S1", "r"] == pytest.approx(2 / 3)
    assert np.isnan(raw.loc["S2", "inst"]) and raw.loc["S2", "r"] == pytest.approx(1.0)


# -- fuzzy sets: R QCA on LF, truthTable(LF, outcome = "SURV", incl.cut = 0.8) -------------------
# Sources (tests/reference/README.md): [doc] R QCA's own documentation of minimize(), dusadrian/QCA
# inst/staticdocs/minimize.html (QCA 3.22.1), printed to 3 decimals; [run] the output of R QCA 3.25
# on data(LF) stored by omicverse/socialverse, socialverse/external/pyqca/tests/reference.json
# (commit 390a72fd), at full precision.

LF_ROWS = {  # [run] row: (n, OUT, incl, PRI)
    "00000": (3, "0", 0.215976331360947, 0.0), "00001": (2, "0", 0.278026905829596, 0.0),
    "00100": (2, "0", 0.520900321543409, 0.113095238095238), "00101": (1, "0", 0.528571428571429, 0.228070175438597),
    "10101": (2, "1", 0.804270462633452, 0.719387755102041), "10110": (1, "0", 0.378205128205128, 0.0396039603960395),
    "10111": (2, "0", 0.708771929824562, 0.634361233480176), "11110": (1, "0", 0.445255474452555, 0.05),
    "11111": (4, "1", 0.904205607476635, 0.885793871866295),
}


def lf_solutions(**kw):
    return solve(lf(), CONDITIONS, "SURV", incl_cut=0.8, **kw)["solutions"]


def test_lf_truth_table_as_r_qca_computes_it():
    tt = solve(lf(), CONDITIONS, "SURV", incl_cut=0.8)["truth_table"].set_index("row")
    observed = tt[tt["n"] > 0]
    assert set(observed.index) == set(LF_ROWS)
    for row, (n, out, incl, pri) in LF_ROWS.items():
        assert (observed.loc[row, "n"], observed.loc[row, "out"]) == (n, out), row
        assert (observed.loc[row, "incl"], observed.loc[row, "pri"]) == pytest.approx((incl, pri), abs=1e-12), row
    # [doc] the cases printed beside the two positive rows
    assert sorted(observed.loc["11111", "cases"]) == ["BE", "CZ", "NL", "UK"]
    assert sorted(observed.loc["10101", "cases"]) == ["FI", "IE"]
    assert (tt["out"] == "?").sum() == 32 - len(LF_ROWS)


def _fit_of(model):
    return {t["term"]: (t["incl"], t["pri"], t["cov"], t["cov_u"]) for t in model["terms"]}


def test_lf_conservative_solution():
    # [doc] minimize(ttLF, details = TRUE): M1 = DEV*URB*LIT*IND*STB + DEV*~URB*LIT*~IND*STB,
    # inclS .904 .804, PRI .886 .719, covS .454 .265, covU .393 .204; M1 .870 .843 .658.
    # [run] the same at full precision: M1 0.8697674418604652, 0.8429906542056075, 0.6584507042253521.
    (model,) = lf_solutions()["conservative"]
    fit = _fit_of(model)
    assert fit["DEV*URB*LIT*IND*STB"] == pytest.approx((0.9042056074766355, 0.8857938718662952, 0.454225352112676,
                                                        0.3931924882629108), abs=1e-12)
    assert fit["DEV*~URB*LIT*~IND*STB"] == pytest.approx((0.8042704626334523, 0.7193877551020412,
                                                          0.2652582159624414, 0.2042253521126761), abs=1e-12)
    assert (model["incl"], model["pri"], model["cov"]) == pytest.approx(
        (0.8697674418604652, 0.8429906542056075, 0.6584507042253521), abs=1e-12)


def test_lf_parsimonious_solution():
    # [doc] minimize(ttLF, include = "?"): M1 = DEV*~IND + URB*STB, inclS .815 .874, PRI .721 .845,
    # covS .284 .520, covU .194 .430; M1 .850 .819 .714.
    (model,) = lf_solutions()["parsimonious"]
    fit = _fit_of(model)
    assert set(fit) == {"DEV*~IND", "URB*STB"}
    assert fit["DEV*~IND"] == pytest.approx((0.815, 0.721, 0.284, 0.194), abs=5e-4)
    assert fit["URB*STB"] == pytest.approx((0.874, 0.845, 0.520, 0.430), abs=5e-4)
    assert (model["incl"], model["pri"], model["cov"]) == pytest.approx((0.850, 0.819, 0.714), abs=5e-4)


def test_lf_intermediate_solution_with_every_condition_expected_present():
    # [doc] minimize(ttLF, include = "?", dir.exp = "DEV, URB, LIT, IND, STB"):
    # M1 = DEV*URB*LIT*STB + DEV*LIT*~IND*STB, inclS .901 .814, PRI .879 .721, covS .468 .282,
    # covU .378 .191; M1 .866 .839 .660.
    (model,) = lf_solutions(dir_exp={c: 1 for c in CONDITIONS})["intermediate"]
    fit = _fit_of(model)
    assert set(fit) == {"DEV*URB*LIT*STB", "DEV*LIT*~IND*STB"}
    assert fit["DEV*URB*LIT*STB"] == pytest.approx((0.901, 0.879, 0.468, 0.378), abs=5e-4)
    assert fit["DEV*LIT*~IND*STB"] == pytest.approx((0.814, 0.721, 0.282, 0.191), abs=5e-4)
    assert (model["incl"], model["pri"], model["cov"]) == pytest.approx((0.866, 0.839, 0.660), abs=5e-4)
    assert model["from"] == ["C1P1"]


def test_lf_necessity_with_relevance_as_r_qca_reports_it():
    # [run] superSubset(LF, outcome = "SURV", incl.cut = 0.9, cov.cut = 0.6): inclN, RoN, covN of
    # LIT, STB, LIT*STB and DEV + URB + IND.
    from analysis.methods.qca import necessity

    data, y = lf(), lf()["SURV"].to_numpy()
    x = {c: data[c].to_numpy() for c in CONDITIONS}
    expected = {
        "LIT": (x["LIT"], 0.9906103286384976, 0.5094142259414226, 0.6428027418126427),
        "STB": (x["STB"], 0.9201877934272301, 0.6801181102362206, 0.7069431920649235),
        "LIT*STB": (np.minimum(x["LIT"], x["STB"]), 0.9154929577464789, 0.7999999999999999, 0.7926829268292683),
        "DEV+URB+IND": (np.maximum.reduce([x["DEV"], x["URB"], x["IND"]]), 0.9025821596244132, 0.7041707080504365,
                        0.7160148975791435),
    }
    for name, (member, incl, ron, cov) in expected.items():
        got = necessity(member, y)
        assert (got["incl"], got["ron"], got["cov"]) == pytest.approx((incl, ron, cov), abs=1e-12), name
    table = necessity_table(data, CONDITIONS, "SURV").set_index("condition")
    assert table.loc["LIT", ["incl", "ron", "cov"]].tolist() == pytest.approx(expected["LIT"][1:], abs=1e-12)


def test_calibrate_all_worked_by_hand():
    # Ragin's direct method with full 10, crossover 5, non 0: a raw score above the crossover has
    # log-odds (x - 5) * 3 / (10 - 5), below it (x - 5) * 3 / (5 - 0). So 7.5 -> 1.5 -> 0.817574,
    # 2 -> -1.8 -> 0.141851, 5 -> 0.5, nudged to 0.501 so that the case falls in a truth-table row.
    # Case c has no evidence on B and is left out of every set, not given a score.
    from analysis.methods.qca import calibrate_all

    raw = pd.DataFrame({"case": ["a", "b", "c"], "A": [7.5, 2.0, 9.0], "B": [5.0, 7.5, float("nan")], "note": "x"})
    anchors = {"A": {"full": 10, "crossover": 5, "non": 0}, "B": {"full": 10, "crossover": 5, "non": 0},
               "C": {"full": 1, "crossover": 0.5, "non": 0}}  # a set without a column is skipped
    out, notes = calibrate_all(raw, anchors)
    assert out.columns.tolist() == ["case", "A", "B"] and out["case"].tolist() == ["a", "b"]
    assert out["A"].tolist() == pytest.approx([0.817574, 0.141851], abs=1e-6)
    assert out["B"].tolist() == pytest.approx([0.501, 0.817574], abs=1e-6)
    assert notes == ["a: B at the crossover, set to 0.501", "c: no evidence on B, left out"]
