"""Thematic saturation after Guest, Namey & Chen (2020)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.methods.saturation import describe, saturation, saturation_by_scope


def interviews(codes_per_interview: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Interview i (1-based) is dated day i and carries the codes in the i-th string."""
    docs = pd.DataFrame({"document_id": [f"d{i:02d}" for i in range(1, len(codes_per_interview) + 1)],
                         "date": [f"2021-03-{i:02d}" for i in range(1, len(codes_per_interview) + 1)]})
    seg = pd.DataFrame([(f"d{i:02d}", c) for i, codes in enumerate(codes_per_interview, start=1) for c in codes],
                       columns=["document_id", "code_id"])
    return docs, seg


# 20 codes in the base (interviews 1-4); new codes appear in interviews 5, 7 and 9 (one each), then none.
BASE = ["abcde", "fghij", "klmno", "pqrst"]
LATER = ["u", "a", "v", "b", "w", "c", "", "d", "e", "f"]


def test_saturation_point_is_the_interview_before_the_first_quiet_run():
    docs, seg = interviews(BASE + LATER)
    curve, runs, result = saturation(docs, seg, base=4, run=2, threshold=0.05)
    assert result["base_codes"] == 20
    # runs 5-6, 6-7, 7-8, 8-9 each hold one new code (1/20 = 5%, at the threshold): the first already qualifies
    assert runs["share_new"].tolist()[:4] == [0.05, 0.05, 0.05, 0.05]
    assert result["reached"] and result["point"] == 4
    stricter = saturation(docs, seg, base=4, run=2, threshold=0.0)[2]
    # with a 0% threshold the first run without new codes is 10-11, so saturation is at interview 9
    assert stricter["point"] == 9
    assert describe(stricter, "en") == "saturation at interview 9 (base 4, run 2, ≤0%)"
    assert curve["cumulative"].tolist()[-1] == 23


def test_report_sentence_in_the_published_form():
    # tests/reference/README.md: report it as "saturation at interview 9 (base 4, run 2, <= 5%)"
    result = {"reached": True, "point": 9, "base": 4, "run": 2, "threshold": 0.05}
    assert describe(result, "en") == "saturation at interview 9 (base 4, run 2, ≤5%)"
    assert describe(result, "zh") == "第 9 次访谈达到饱和（基线 4 次，每轮 2 次，新信息 ≤5%）"


def test_not_reached_is_said_plainly():
    docs, seg = interviews(["ab", "cd", "ef", "gh", "ij", "kl", "mn"])
    result = saturation(docs, seg, base=4, run=2, threshold=0.05)[2]
    assert not result["reached"] and result["point"] is None
    assert "not reached" in describe(result, "en") and "未达到饱和" in describe(result, "zh")


def test_too_few_interviews_and_an_empty_base():
    docs, seg = interviews(["ab", "c", "d"])
    result = saturation(docs, seg, base=4, run=2, threshold=0.05)[2]
    assert not result["reached"] and result["reason_code"] == "too_few"
    docs, seg = interviews(["", "", "", "", "a", "b"])  # interviews with no segments at all
    result = saturation(docs, seg, base=4, run=2, threshold=0.05)[2]
    assert result["reason_code"] == "empty_base" and "基线访谈中没有任何编码" in describe(result, "zh")


def test_interviews_are_taken_in_the_order_conducted():
    docs, seg = interviews(BASE + LATER)
    shuffled = docs.sample(frac=1, random_state=3)
    assert saturation(shuffled, seg, 4, 2, 0.0)[2]["point"] == 9


def test_by_scope_pools_and_splits_stations_and_keeps_only_interview_kinds():
    docs, seg = interviews(BASE + LATER)
    docs["case_id"] = ["S1"] * 7 + ["S2"] * 7
    docs["kind"] = "interview"
    docs.loc[0, "kind"] = "field_note"
    codes = pd.DataFrame({"code_id": list("abcdefghijklmnopqrstuvw"), "is_leaf": True})
    curve, runs, summary = saturation_by_scope(docs, seg, codes, {"base": 4, "run": 2, "threshold": 0.05,
                                                                  "kinds": ["interview"]})
    assert summary["scope"].tolist() == ["pooled", "S1", "S2"]
    assert summary.set_index("scope").loc["pooled", "n_interviews"] == 13
    assert set(curve["scope"]) == {"pooled", "S1", "S2"}


def test_a_scope_needs_two_runs_before_it_is_judged():
    # base 4 and run 2: six interviews hold one run only (5-6), seven hold two (5-6 and 6-7)
    docs, seg = interviews(BASE + ["u", "v"])
    one = saturation(docs, seg, base=4, run=2, threshold=0.05, min_runs=2)[2]
    assert not one["reached"] and one["reason_code"] == "too_few"
    # a scope not judged still reports its base (20 codes) and says how many interviews a judgement needs
    assert one["base_codes"] == 20 and one["needed"] == 7
    assert describe(one, "zh").startswith("不作判断：访谈 6 次，少于判断所需的 7 次") and "未达到" not in describe(one, "zh")
    assert describe(one, "en").startswith("not judged: 6 interviews, fewer than the 7 needed")
    assert saturation(*interviews(BASE[:3]), base=4, run=2, threshold=0.05)[2]["base_codes"] is None
    assert saturation(docs, seg, base=4, run=2, threshold=0.05, min_runs=1)[2]["reason_code"] != "too_few"
    docs, seg = interviews(BASE + ["u", "v", ""])
    assert saturation(docs, seg, base=4, run=2, threshold=0.05, min_runs=2)[2]["reason_code"] != "too_few"


def test_the_spread_over_interview_orders():
    from analysis.methods.saturation import order_spread

    # Worked by hand: every interview holds the same codes, so in every order nothing is new after
    # the base and the point is the base's last interview (4) in all 100 orders.
    same = [{"a", "b"}] * 8
    spread = order_spread(same, base=4, run=2, threshold=0.0, orders=100, seed=3)
    assert spread == {"orders": 100, "reached_share": 1.0, "point_median": 4.0, "point_lo": 4.0, "point_hi": 4.0}
    # one interview of six holds a code nobody else has
    odd = [{"a"}] * 5 + [{"a", "z"}]
    spread = order_spread(odd, base=4, run=2, threshold=0.0, orders=400, seed=3)
    # z in the base (4 of 6 positions, probability 2/3): reached at 4; z in interview 5 or 6 (1/3): the
    # only run holds it and no run is quiet, so not reached
    assert spread["reached_share"] == pytest.approx(2 / 3, abs=0.06) and spread["point_median"] == 4.0
