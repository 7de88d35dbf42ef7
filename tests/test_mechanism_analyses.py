"""Process tracing pinned to the worked check, co-occurrence against brute force, the exemplar rule,
the clustered model on data with a known effect, and the recovery of the synthetic corpus's planted structure."""

from __future__ import annotations

from itertools import permutations

import numpy as np
import pandas as pd
import pytest

from analysis.methods.cooccurrence import c_coefficient, within_document_p
from analysis.methods.evidence import evidence_matrix, medoid, medoid_position
from analysis.methods.models import gee_logit
from analysis.methods.process_tracing import decibans, likelihood_ratio, posterior, sensitivity


@pytest.mark.parametrize("p_e_h,p_e_not_h,passed,expected", [
    # source: tests/reference/README.md (Fairfield & Charman 2017; Bennett 2015): prior 0.5
    (0.95, 0.50, True, 0.655), (0.95, 0.50, False, 0.091),    # hoop test passed / failed
    (0.30, 0.02, True, 0.9375), (0.30, 0.02, False, 0.4167),  # smoking gun passed / failed
])
def test_worked_check_of_the_posterior(p_e_h, p_e_not_h, passed, expected):
    assert posterior(0.5, [likelihood_ratio(p_e_h, p_e_not_h, passed)]) == pytest.approx(expected, abs=5e-4)


def test_decibans_and_sensitivity():
    assert decibans(likelihood_ratio(0.30, 0.02, True)) == pytest.approx(10 * np.log10(15))
    items = pd.DataFrame({"hypothesis": ["H", "H"], "lr": [15.0, 0.1]})
    table = sensitivity(items, [0.5], {"as_stated": 1.0, "none": 0.0}).set_index("scenario")["posterior"]
    assert table["as_stated"] == pytest.approx(posterior(0.5, [15.0, 0.1]))
    assert table["none"] == pytest.approx(0.5)  # evidence with no force leaves the prior


def test_c_coefficient_as_atlas_ti_defines_it():
    # ATLAS.ti: c = n12 / (n1 + n2 - n12)
    assert c_coefficient(10, 6, 4) == pytest.approx(4 / 12)
    assert c_coefficient(0, 0, 0) == 0


def test_exact_within_document_p_equals_enumerating_every_permutation():
    rng = np.random.default_rng(5)
    doc = np.array([0] * 5 + [1] * 4)
    a, b = (rng.random(9) < 0.5).astype(int), (rng.random(9) < 0.5).astype(int)
    observed = int((a & b).sum())
    hits = total = 0
    for pa in set(permutations(a[:5])):
        for pb in set(permutations(a[5:])):
            shuffled = np.array(pa + pb)  # permuting one code within documents is enough: the other is fixed
            hits += int((shuffled & b).sum() >= observed)
            total += 1
    assert within_document_p(a, b, doc) == pytest.approx(hits / total)


def test_the_evidence_matrix_picks_each_cells_medoid_as_the_one_cell_rule_does():
    # every cell of the matrix is chosen at once; each must be the span the one-cell rule picks
    rng = np.random.default_rng(11)
    pool = [("a",), ("a", "b"), ("b", "c"), ("a", "b", "c"), ("c",), ()]
    n = 400
    tagged = pd.DataFrame({
        "claim": rng.choice(["P1", "P2", "M"], n), "kind": "proposition", "role": rng.choice(["support", "contrary"], n),
        "case_id": rng.choice(["S01", "S02", "S03", None], n, p=[0.45, 0.45, 0.05, 0.05]),
        "codes": [pool[k] for k in rng.integers(0, len(pool), n)],
        "text": ["话" * int(k) for k in rng.integers(1, 4, n)], "segment_id": [f"s{k:04d}" for k in rng.permutation(n)],
        "participant_id": rng.choice(["S01-P01", ""], n), "document_id": "S01-D01", "actor_type": "resident"})
    matrix = evidence_matrix(tagged, "case_id", ["S01", "S02", "S03", "S04"]).set_index(["claim", "case_id"])
    assert len(matrix) == 12 and matrix.loc[("P1", "S04"), "n_support"] == 0  # a level nobody spoke at is a row
    for (claim, case, role), cell in tagged.groupby(["claim", "case_id", "role"]):
        pick = cell.iloc[medoid_position(list(cell["codes"]), list(cell["text"]), list(cell["segment_id"]))]
        assert matrix.loc[(claim, case), f"n_{role}"] == len(cell)
        assert matrix.loc[(claim, case), f"exemplar_{role}_segment"] == pick["segment_id"]
        assert matrix.loc[(claim, case), f"exemplar_{role}_by"] == (pick["participant_id"] or "S01-D01")


def test_the_exemplar_is_the_medoid_of_the_cell():
    cell = pd.DataFrame({"codes": [("a", "b"), ("a", "b", "c"), ("a", "b"), ("x",)],
                         "text": ["较长的一段话。", "一段话。", "短话。", "另一段。"], "segment_id": ["s1", "s2", "s3", "s4"]})
    # s1 and s3 share the most typical code set; the shorter text wins the tie
    assert medoid(cell)["segment_id"] == "s3"


def test_gee_recovers_a_known_clustered_effect():
    rng = np.random.default_rng(11)
    rows = []
    for cluster in range(15):
        shift = rng.normal(0, 0.5)
        for _ in range(60):
            x = rng.random() < 0.5
            p = 1 / (1 + np.exp(-(-0.5 + np.log(3.0) * x + shift)))
            rows.append({"case_id": f"S{cluster}", "x": int(x), "y": int(rng.random() < p), "voice": "resident"})
    fit = gee_logit(pd.DataFrame(rows), "y", ["x"]).set_index("term")
    assert fit.loc["x", "or_lo"] < 3.0 < fit.loc["x", "or_hi"] and fit.loc["x", "or_lo"] > 1


def test_gee_intervals_and_p_values_refer_to_t_with_g_minus_1_degrees_of_freedom():
    # 15 clusters: t(14). NIST/SEMATECH e-Handbook of Statistical Methods, table 1.3.6.7.2 (upper
    # critical values of Student's t): t(0.975; 14) = 2.145. The 95% interval of the log odds is
    # coef +- 2.145 x SE, wider than the normal's 1.960.
    rng = np.random.default_rng(3)
    rows = [{"case_id": f"S{c}", "x": int(x), "y": int(rng.random() < (0.6 if x else 0.3)), "voice": "resident"}
            for c in range(15) for x in rng.random(40) < 0.5]
    fit = gee_logit(pd.DataFrame(rows), "y", ["x"]).set_index("term")
    coef, se = fit.loc["x", "coef"], fit.loc["x", "se"]
    lo, hi = np.log(fit.loc["x", "or_lo"]), np.log(fit.loc["x", "or_hi"])
    assert fit.loc["x", "reference"] == "t(14)"
    assert (hi - coef) / se == pytest.approx(2.145, abs=5e-4) and (coef - lo) / se == pytest.approx(2.145, abs=5e-4)
    # p is the two-sided tail of t(14) beyond |coef / se|; at the table's 2.145 that tail is 0.05
    from scipy import stats
    assert fit.loc["x", "p_value"] == pytest.approx(2 * stats.t.sf(abs(coef / se), 14))
    assert 2 * stats.t.sf(2.145, 14) == pytest.approx(0.05, abs=1e-4)


def test_a_model_keeps_one_parameter_per_two_clusters_by_leaving_out_the_voice():
    # 10 clusters, 2 per parameter: at most 5 coefficients. Intercept + x + 6 voice levels beyond the
    # reference = 8 > 5, so the voice goes (2 left); with 40 clusters 8 x 2 = 16 <= 40 and it stays.
    rng = np.random.default_rng(4)
    voices = ["resident", "cadre", "government", "social_worker", "volunteer_org", "written", "focus_group"]

    def frame(clusters):
        return pd.DataFrame([{"case_id": f"S{c}", "x": int(rng.random() < 0.5), "y": int(rng.random() < 0.5),
                              "voice": voices[(c + k) % 7]} for c in range(clusters) for k in range(30)])
    small = gee_logit(frame(10), "y", ["x", "C(voice)"], clusters_per_parameter=2)
    assert set(small["term"]) == {"Intercept", "x"} and small["dropped"].iloc[0] == "voice"
    assert small["n_params"].iloc[0] == 2
    large = gee_logit(frame(40), "y", ["x", "C(voice)"], clusters_per_parameter=2)
    assert large["n_params"].iloc[0] == 8 and large["dropped"].iloc[0] == ""


def test_a_model_that_cannot_be_estimated_says_so():
    frame = pd.DataFrame({"case_id": ["a", "b"] * 5, "y": [1] * 10, "x": [0, 1] * 5})
    fit = gee_logit(frame, "y", ["x"])
    assert fit.loc[0, "note"] == "the outcome does not vary"


def test_codes_on_overlapping_spans_co_occur_as_in_atlas_ti():
    """Imported codings rarely share boundaries: a passage joins every span that overlaps another."""
    from analysis.methods.cooccurrence import segment_cooccurrence

    seg = pd.DataFrame({
        "document_id": ["d1"] * 5,
        "start": [0, 4, 20, 30, 45],    # a [0,10) overlaps b [4,12); a [20,30) only touches b [30,40)
        "end": [10, 12, 30, 40, 50],
        "code_id": ["a", "b", "a", "b", "a"],
    })
    pair = segment_cooccurrence(seg, ["a", "b"]).iloc[0]
    assert (pair["n_a"], pair["n_b"], pair["n_ab"]) == (3, 2, 1)


def test_one_code_sets_co_occur_exactly_as_their_codes_do():
    """A set test over one-code sets is the pair test: same passages, counts and exact p-value."""
    from analysis.methods.cooccurrence import segment_cooccurrence, set_cooccurrence

    rng = np.random.default_rng(3)
    seg = pd.DataFrame({"document_id": rng.choice(["d1", "d2", "d3"], 120), "start": rng.integers(0, 400, 120),
                        "code_id": rng.choice(list("abcd"), 120)})
    seg["end"] = seg["start"] + rng.integers(1, 12, 120)
    pairs = segment_cooccurrence(seg, list("abcd"))
    sets = set_cooccurrence(seg, list("abcd"), {c: [c] for c in "abcd"}, list(zip(pairs["code_a"], pairs["code_b"])))
    columns = ["code_a", "code_b", "n_a", "n_b", "n_ab", "c", "p_value"]
    pd.testing.assert_frame_equal(sets[columns], pairs[columns])


def test_a_chain_of_overlapping_spans_is_one_passage():
    """a [0,10) and b [18,30) do not overlap, but x [8,20) overlaps both: one passage (documented)."""
    from analysis.methods.cooccurrence import overlap_units

    seg = pd.DataFrame({"document_id": ["d"] * 4, "start": [0, 8, 18, 40], "end": [10, 20, 30, 50]})
    assert overlap_units(seg).tolist() == [0, 0, 0, 1]


def test_the_exemplar_tie_rule_holds_when_floating_point_sums_differ():
    """Spans 0 and 1 have the same mean Jaccard similarity to the others (exactly 1/2), which
    summing the similarities in floating point gets as 0.49999999999999994 and 0.5: the tie must
    go to the shorter text, as the rule says, not to the larger rounding."""
    sets = [("c", "e"), ("c", "d", "e"), ("c",), ("a", "c", "d"), ("b", "c", "d"), ("a", "c", "e"), ("b", "c", "e")]
    group = pd.DataFrame({"codes": sets, "text": ["short", "a longer text", "x" * 30, "x" * 30, "x" * 30, "x" * 30,
                                                  "x" * 30], "segment_id": [f"s{k}" for k in range(7)]})
    assert medoid(group)["segment_id"] == "s0"


def test_document_cooccurrence_uses_fishers_one_sided_test_as_in_the_tea_tasting_example():
    # Fisher (1935), the lady tasting tea: 8 cups, 4 of each kind, 3 of the 4 guessed right; the
    # one-sided exact p is 17/70 = 0.2429 (Agresti 2002, sec. 3.5.1). Here: 8 documents, code a in
    # d1-d4, code b in d1-d3 and d5, so the 2 x 2 table is [[3, 1], [1, 3]].
    from analysis.methods.cooccurrence import document_cooccurrence

    docs = [f"d{i}" for i in range(1, 9)]
    rows = [(d, "a") for d in docs[:4]] + [(d, "b") for d in ["d1", "d2", "d3", "d5"]]
    seg = pd.DataFrame(rows, columns=["document_id", "code_id"])
    seg["start"], seg["end"] = 0, 10
    pair = document_cooccurrence(seg, ["a", "b"], docs).iloc[0]
    assert (pair["n_a"], pair["n_b"], pair["n_ab"]) == (4, 4, 3)
    assert pair["p_value"] == pytest.approx(17 / 70, abs=1e-12)  # one station: the stratified test is Fisher's
    assert pair["p_fisher"] == pytest.approx(17 / 70, abs=1e-12)


def test_document_cooccurrence_within_stations_does_not_count_shared_stations_as_association():
    # Station S1: both codes in all 4 documents; S2: in none. Pooled, the table [[4, 0], [0, 4]]
    # gives Fisher's one-sided p = 1/70. Within stations nothing could have been otherwise
    # (S1's overlap is 4 whatever the shuffle): p = 1.
    from analysis.methods.cooccurrence import document_cooccurrence

    docs = [f"d{i}" for i in range(1, 9)]
    seg = pd.DataFrame([(d, c) for d in docs[:4] for c in "ab"], columns=["document_id", "code_id"])
    seg["start"], seg["end"] = 0, 10
    pair = document_cooccurrence(seg, ["a", "b"], docs, ["S1"] * 4 + ["S2"] * 4).iloc[0]
    assert pair["p_fisher"] == pytest.approx(1 / 70, abs=1e-12)
    assert pair["p_value"] == pytest.approx(1.0)


def test_items_that_share_codes_count_once_and_unreliable_codes_not_at_all():
    # Worked by hand, prior 0.5. E1 (code a, observed: LR 0.9/0.5 = 1.8) and E2 (codes a and b,
    # observed: LR 0.5/0.2 = 2.5) share a, so they count once, by the item whose likelihoods could
    # move the posterior most either way, chosen before the data: E1 (not observed it would give
    # 0.1/0.5 = 0.2, |ln 0.2| = 1.61) over E2 (|ln 2.5| = 0.92), though E2 came out stronger here.
    # E3 (code c, not observed: LR 0.25/0.5 = 0.5) stands alone. Posterior odds 1.8 x 0.5 = 0.9:
    # 0.4737. As if independent: 1.8 x 2.5 x 0.5 = 2.25, 0.6923. With c unreliable E3 drops out:
    # 1.8, 0.6429.
    from analysis.methods.process_tracing import item_influence, trace

    def item(name, codes, p_e_h, p_e_not_h):
        return {"id": name, "test": "straw_in_the_wind", "p_e_h": p_e_h, "p_e_not_h": p_e_not_h,
                "description": {"zh": name}, "justification": "",
                "observed_if": {"rule": "stations_with", "codes": codes, "at_least": 1}}
    evidence = {"hypotheses": {"H": {"items": [item("E1", ["a"], 0.9, 0.5), item("E2", ["a", "b"], 0.5, 0.2),
                                               item("E3", ["c"], 0.75, 0.5)]}}}
    seg = pd.DataFrame({"case_id": ["S1", "S1"], "code_id": ["a", "b"]})
    items, summary = trace(evidence, {"default": 0.5}, seg)
    assert items["weight"].tolist() == [1, 0, 1] and items["group"].tolist() == [0, 0, 1]
    assert summary.loc[0, "posterior"] == pytest.approx(0.9 / 1.9)
    assert summary.loc[0, "posterior_independent"] == pytest.approx(2.25 / 3.25)
    items, summary = trace(evidence, {"default": 0.5}, seg, unreliable={"c"})
    assert items["weight"].tolist() == [1, 0, 0] and summary.loc[0, "posterior"] == pytest.approx(1.8 / 2.8)
    influence = item_influence(items, {"default": 0.5}).set_index(["scenario", "item"])["posterior"]
    assert influence[("unreliable_kept", "")] == pytest.approx(0.9 / 1.9)
    assert influence[("without", "E1")] == pytest.approx(0.5)


def test_outcome_models_correct_the_mechanism_coefficients_of_all_models_together(monkeypatch):
    # Three models whose mechanism terms carry five of Benjamini & Hochberg's (1995, sec. 4.1)
    # p-values. Over those five (0.0001, 0.0019, 0.0201, 0.0298, 0.3240) the step-up adjustment is
    # p * 5 / rank, made monotone from the top: 0.0005, 0.00475, 0.0335, 0.03725, 0.3240. The intercepts and the
    # voice terms (p = 0.0004, 0.0095) are not in the family and get no adjusted p.
    import analysis.methods.models as models

    p_of = {"o1": {"Intercept": 0.0004, "mech_a": 0.0001, "mech_b": 0.0298},
            "o2": {"Intercept": 0.5, "mech_a": 0.0019, "C(voice)[T.x]": 0.0095},
            "o3": {"mech_a": 0.0201, "mech_b": 0.3240}}

    def fake_gee(table, outcome, predictors, clusters_per_parameter=0.0):
        return pd.DataFrame({"term": list(p_of[outcome]), "p_value": list(p_of[outcome].values())})

    monkeypatch.setattr(models, "gee_logit", fake_gee)
    fits = models.outcome_models(pd.DataFrame(), ["o1", "o2", "o3"], ["mech.a", "mech.b"])
    adjusted = dict(zip(zip(fits["code_id"], fits["term"]), fits["p_fdr"]))
    assert adjusted[("o1", "mech_a")] == pytest.approx(0.0005)
    assert adjusted[("o2", "mech_a")] == pytest.approx(0.00475)
    assert adjusted[("o3", "mech_a")] == pytest.approx(0.0335)
    assert adjusted[("o1", "mech_b")] == pytest.approx(0.03725)
    assert adjusted[("o3", "mech_b")] == pytest.approx(0.3240)
    assert np.isnan(adjusted[("o1", "Intercept")]) and np.isnan(adjusted[("o2", "C(voice)[T.x]")])


def test_the_diagram_links_each_propositions_direct_result_to_the_mechanisms_as_the_framework_draws_it():
    # The framework (figure 1): condition i -> its direct result i.o -> mechanism m.x -> resilience r.y.
    # The diagram's first layer is i.o -> m.x: i.o shares two passages with m.x; the condition's other
    # evidence (i.a, i.b) shares none and does not enter that link.
    from analysis.methods.mechanisms import mechanism_links

    codes = pd.DataFrame({"code_id": ["i", "i.a", "i.b", "i.o", "m", "m.x", "r", "r.y"],
                          "theme": ["i", "i", "i", "i", "m", "m", "r", "r"],
                          "is_leaf": [False, True, True, True, False, True, False, True]})
    passages = [["i.o", "m.x"], ["i.o", "m.x"], ["i.a"], ["i.b"], ["m.x", "r.y"], ["r.y"]]
    segments = pd.DataFrame([{"document_id": "d", "start": 10 * k, "end": 10 * k + 5, "code_id": c}
                             for k, held in enumerate(passages) for c in held])
    props = {"P1": {"condition": "i", "outcome": "i.o", "contrary": []}}
    links = mechanism_links(segments, codes, props, ["m.x"], "r", 0.05).set_index(["source", "target"])
    assert list(links.index) == [("i.o", "m.x"), ("m.x", "r.y")]
    assert links.loc[("i.o", "m.x"), ["n_source", "n_both", "n_codes"]].tolist() == [2, 2, 1]


def test_a_condition_without_a_direct_result_is_one_test_over_its_theme_corrected_over_the_diagrams_links():
    # A proposition without an outcome code stands in by its condition theme as a whole.
    # Six documents of four passages. In each, one passage carries a code of theme i (i.a in three
    # documents, i.b in the other three) together with m.x, m.x is on one passage more, and the
    # other two carry r.y and o.q (a code of no layer). Per
    # document P(overlap >= 1) = 1 - C(3,2)/C(4,2) = 1/2, so the theme-level p is P(all six share)
    # = 1/2**6 = 1/64 exactly. Tested leaf by leaf, each code shares only three documents: p = 1/8,
    # and the strongest leaf would have stood in for the theme. The mechanism -> outcome link (m.x,
    # r.y) shares nothing: p = 1. Benjamini-Hochberg over the diagram's two links: 2/64 and 1.
    from analysis.methods.cooccurrence import segment_cooccurrence
    from analysis.methods.mechanisms import mechanism_links

    codes = pd.DataFrame({"code_id": ["i", "i.a", "i.b", "m", "m.x", "r", "r.y", "o", "o.q"],
                          "theme": ["i", "i", "i", "m", "m", "r", "r", "o", "o"],
                          "is_leaf": [False, True, True, False, True, False, True, False, True]})
    rows = []
    for d in range(6):
        leaf = "i.a" if d < 3 else "i.b"
        for k, held in enumerate([[leaf, "m.x"], ["m.x"], ["r.y"], ["o.q"]]):
            rows += [{"document_id": f"d{d}", "start": 10 * k, "end": 10 * k + 5, "code_id": c} for c in held]
    segments = pd.DataFrame(rows)
    links = mechanism_links(segments, codes, {"P1": {"condition": "i", "contrary": []}}, ["m.x"], "r",
                            0.05).set_index(["source", "target"])
    assert links.loc[("i", "m.x"), "p_value"] == pytest.approx(1 / 64)
    assert links.loc[("i", "m.x"), "p_fdr"] == pytest.approx(2 / 64) and links.loc[("i", "m.x"), "supported"]
    assert links.loc[("m.x", "r.y"), "p_value"] == pytest.approx(1.0) and not links.loc[("m.x", "r.y"), "supported"]
    leaf = segment_cooccurrence(segments, ["i.a", "i.b", "m.x", "r.y", "o.q"]).set_index(["code_a", "code_b"])
    assert leaf.loc[("i.a", "m.x"), "p_value"] == pytest.approx(1 / 8)


def test_the_link_model_tells_after_the_mechanism_from_later_in_the_document():
    # Simulated talk that grows more supportive along the document (logit -1.5 + 3 * position) and
    # owes nothing to the mechanism, whose first mention falls at a random point of each document.
    # Without the position, "after the mechanism" takes the credit for "later" (odds ratio ~3, p far
    # below 0.001); the book's model, which holds the position, finds no mechanism effect.
    from analysis.methods.models import gee_logit, mechanism_link_model

    rng = np.random.default_rng(7)
    rows = []
    for station in range(15):
        for _ in range(6):
            first = rng.uniform(0.1, 0.9)
            for position in rng.uniform(size=12):
                rows.append({"case_id": f"S{station}", "voice": "resident", "position": position,
                             "mech_before": int(position > first),
                             "supportive": int(rng.uniform() < 1 / (1 + np.exp(1.5 - 3 * position)))})
    spans = pd.DataFrame(rows)
    naive = gee_logit(spans, "supportive", ["mech_before"]).set_index("term").loc["mech_before"]
    assert naive["odds_ratio"] > 2 and naive["p_value"] < 0.001
    held = mechanism_link_model(spans).set_index("term")
    assert held.loc["mech_before", "p_value"] > 0.5 and 0.7 < held.loc["mech_before", "odds_ratio"] < 1.4
    assert held.loc["position", "odds_ratio"] > 5 and held.loc["position", "p_value"] < 0.001


def test_a_typical_supporting_quotation_is_not_one_that_is_also_contrary_evidence():
    # Three supporting spans of P1: two carry the contrary code b.x as well (mixed), one does not.
    # The mixed ones are the most typical coding of the cell (two alike of three), but a typical
    # supporting quotation should not read as contrary evidence: the pure span is chosen. In the
    # contrary cell every span is mixed, so the rule falls back to the most typical of them.
    from analysis.methods.evidence import claims, evidence_matrix, tag_spans

    codes = pd.DataFrame({"code_id": ["i", "i.a", "b", "b.x"], "parent": [None, "i", None, "b"]})
    held = [["i.a", "b.x"], ["i.a", "b.x"], ["i.a"]]
    seg = pd.DataFrame([{"segment_id": f"s{k}{c}", "document_id": "d", "start": 10 * k, "end": 10 * k + 5,
                         "case_id": "S1", "participant_id": "p", "actor_type": "resident", "code_id": c,
                         "text": "x" * (5 - k)} for k, cs in enumerate(held) for c in cs])
    tagged = tag_spans(seg, claims(codes, {"P1": {"condition": "i", "contrary": ["b.x"]}}, {}))
    cell = evidence_matrix(tagged, "case_id", ["S1"]).iloc[0]
    assert cell["n_support"] == 3 and cell["exemplar_support_segment"] == "s2i.a"
    assert cell["n_contrary"] == 2 and cell["exemplar_contrary_segment"] == "s1b.x"


def test_a_co_occurrence_item_is_observed_only_beyond_what_chance_gives():
    # Twenty documents of ten spans, codes a and b each on five spans of every document. Placed on the
    # same spans they meet 100 times where chance gives 2.5 a document (50): observed. Placed on
    # alternating halves with one overlap a document they meet 20 times, at least the threshold of 3,
    # yet far below chance: a count alone would have called it observed.
    from analysis.methods.process_tracing import RULES

    def corpus(b_spans):
        rows = []
        for d in range(20):
            for k in range(10):
                held = (["a"] if k < 5 else []) + (["b"] if k in b_spans else [])
                rows += [{"document_id": f"d{d}", "case_id": f"s{d % 4}", "start": 10 * k, "end": 10 * k + 5,
                          "code_id": c} for c in held] or [{"document_id": f"d{d}", "case_id": f"s{d % 4}",
                                                            "start": 10 * k, "end": 10 * k + 5, "code_id": "x"}]
        return pd.DataFrame(rows)

    item = {"codes": ["a", "b"], "at_least": 3}
    n, seen, detail = RULES["spans_with_all"](corpus({0, 1, 2, 3, 4}), item)
    assert (n, seen) == (100, True) and "50.0 expected by chance" in detail
    n, seen, detail = RULES["spans_with_all"](corpus({4, 5, 6, 7, 8}), item)
    assert (n, seen) == (20, False) and "not beyond chance" in detail


def test_a_typical_supporting_quotation_carries_no_barrier_of_any_claim():
    # P1's supporting spans: two carry b.y, a barrier that counts against P2 only; one carries none.
    from analysis.methods.evidence import claims, evidence_matrix, tag_spans

    codes = pd.DataFrame({"code_id": ["i", "i.a", "j", "j.a", "b", "b.x", "b.y"],
                          "parent": [None, "i", None, "j", None, "b", "b"]})
    held = [["i.a", "b.y"], ["i.a", "b.y"], ["i.a"]]
    seg = pd.DataFrame([{"segment_id": f"s{k}{c}", "document_id": "d", "start": 10 * k, "end": 10 * k + 5,
                         "case_id": "S1", "participant_id": "p", "actor_type": "resident", "code_id": c,
                         "text": "x" * (5 - k)} for k, cs in enumerate(held) for c in cs])
    props = {"P1": {"condition": "i", "contrary": ["b.x"]}, "P2": {"condition": "j", "contrary": ["b.y"]}}
    tagged = tag_spans(seg, claims(codes, props, {}))
    cell = evidence_matrix(tagged, "case_id", ["S1"]).set_index("claim").loc["P1"]
    assert cell["n_support"] == 3 and cell["exemplar_support_segment"] == "s2i.a"
