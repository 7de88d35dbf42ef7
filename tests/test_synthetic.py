"""The synthetic corpus: reproducible byte for byte, labelled, and the size and shape the issue asks for."""

from __future__ import annotations

import shutil
from functools import lru_cache

import pandas as pd
import pytest
import yaml
from scipy.stats import spearmanr

from analysis.methods.coding import primary_coding
from analysis.inputs.corpus import build_corpus
from analysis.methods.mechanisms import framework_matrix
from analysis.methods.reliability import code_agreement
from analysis.casework.synthetic.generator import generate, load_design
from analysis.inputs.schemas import load_schemas
from analysis.inputs.validate import validate_project
from conftest import ROOT

CONFIG = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
CASES_DIR = ROOT / CONFIG["paths"]["cases"]


@lru_cache(maxsize=1)
def corpus() -> dict[str, pd.DataFrame]:
    schemas = load_schemas(ROOT / "workflow" / "schemas")
    project, problems = validate_project(ROOT, CONFIG, "config.yaml", schemas)
    assert problems == []
    return build_corpus(project, schemas)


def test_generator_reproduces_the_committed_corpus_byte_for_byte():
    files = generate(CONFIG["seeds"]["synthetic"])
    committed = {str(p.relative_to(CASES_DIR)): p.read_bytes() for p in CASES_DIR.rglob("*") if p.is_file()}
    assert sorted(files) == sorted(committed)
    for rel, text in files.items():
        assert text.encode("utf-8") == committed[rel], rel


def test_another_seed_gives_another_corpus():
    assert generate(CONFIG["seeds"]["synthetic"] + 1) != generate(CONFIG["seeds"]["synthetic"])


def test_every_transcript_and_station_says_it_is_synthetic():
    for path in CASES_DIR.rglob("*.md"):
        header = path.read_text(encoding="utf-8").split("---\n")[1]
        assert "synthetic: true" in header and "合成示例数据" in header, path
    for path in CASES_DIR.glob("*/station.yaml"):
        assert yaml.safe_load(path.read_text(encoding="utf-8"))["synthetic"] is True


def test_corpus_size_and_shape():
    t = corpus()
    primary = primary_coding(t["segments"], CONFIG["coders"]["primary"])
    assert len(t["stations"]) >= 15
    assert len(t["documents"]) >= 60
    assert set(t["participants"]["actor_type"]) == {"government", "social_worker", "cadre", "resident", "volunteer_org"}
    assert len(primary) >= 1500
    double = t["segments"].groupby("document_id")["coder_id"].nunique()
    assert (double >= 2).sum() / len(t["documents"]) >= 0.20
    barrier = primary["theme"].eq("bar").mean()
    assert 0.10 < barrier < 0.45  # contrary evidence is present but does not dominate


def test_overall_alpha_in_the_designed_range_with_weaker_codes():
    t = corpus()
    leaves = t["codes"].loc[t["codes"]["is_leaf"], "code_id"].tolist()
    per_code, overall = code_agreement(t["segments"], t["documents"], leaves, CONFIG["coders"]["independent"], n_boot=200,
                                       seed=CONFIG["seeds"]["bootstrap"], thresholds=CONFIG["reliability"]["thresholds"])
    assert 0.70 <= overall["krippendorff_alpha"] <= 0.90
    assert per_code["krippendorff_alpha"].min() < overall["krippendorff_alpha"] - 0.15  # some codes are clearly harder
    assert (per_code["flag"] == "unreliable").any() and (per_code["flag"] == "reliable").any()


@pytest.mark.parametrize("proposition,condition", [("P1", "inst"), ("P2", "cap"), ("P3", "inc")])
def test_the_planted_memberships_show_in_the_coded_evidence(proposition, condition):
    t = corpus()
    primary = primary_coding(t["segments"], CONFIG["coders"]["primary"])
    matrix = framework_matrix(primary, t["codes"], CONFIG["propositions"], CONFIG["cases"])
    share = matrix[matrix["proposition"] == proposition].set_index("case_id")["support_share"]
    planted = pd.Series({s["station_id"]: s[condition] for s in load_design()["stations"]})
    rho = spearmanr(planted.loc[share.index], share).statistic
    assert rho > 0.6, rho


def test_the_evidence_matrix_and_the_framework_matrix_count_the_same_spans():
    # the book's framework table, its mechanism table by station and the QCA scores must agree cell by
    # cell: all count distinct coded spans, and a passage coded twice for one proposition counts once
    from analysis.methods.evidence import claims, evidence_matrix, tag_spans
    from analysis.methods.qca import station_scores

    t = corpus()
    primary = primary_coding(t["segments"], CONFIG["coders"]["primary"])
    props = CONFIG["propositions"]
    framework = framework_matrix(primary, t["codes"], props, CONFIG["cases"]).set_index(["case_id", "proposition"])
    tagged = tag_spans(primary, claims(t["codes"], props, CONFIG["mechanisms"]))
    by_station = evidence_matrix(tagged, "case_id", CONFIG["cases"])
    by_station = by_station[by_station["kind"] == "proposition"].set_index(["case_id", "claim"])
    for column in ("n_support", "n_contrary"):
        assert by_station[column].sort_index().tolist() == framework[column].sort_index().tolist(), column
    q = CONFIG["qca"]
    raw = station_scores(primary, t["codes"], props, q["conditions"], q["outcome"],
                         CONFIG["models"]["outcome_contrary"]).set_index("case")
    for condition, prop in q["conditions"].items():
        share = framework.xs(prop, level="proposition")["support_share"]
        assert raw[condition].tolist() == pytest.approx(share.loc[raw.index].tolist()), condition


def test_the_reliability_sensitivity_counts_as_the_matrices_do_and_drops_only_the_named_codes():
    # with nothing left out, the sensitivity's counts are the pooled evidence matrix's; leaving out one
    # supporting code of P2 removes exactly the spans that carry no other P2 support code
    from analysis.methods.evidence import claims, evidence_matrix, tag_spans, without_codes

    t = corpus()
    primary = primary_coding(t["segments"], CONFIG["coders"]["primary"])
    roles = claims(t["codes"], CONFIG["propositions"], CONFIG["mechanisms"])
    pooled = evidence_matrix(tag_spans(primary, roles).assign(scope="all"), "scope", ["all"]).set_index("claim")
    same = without_codes(primary, roles, [], CONFIG["cases"]).set_index("claim")
    for column in ("n_support", "n_contrary"):
        assert same[column].tolist() == pooled.loc[same.index, column].tolist()
        assert same[f"{column}_kept"].tolist() == same[column].tolist()
    assert (same["n_stations_crossing"] == 0).all() and (same["dropped"] == "").all()
    support = roles[(roles["claim"] == "P2") & (roles["role"] == "support")]["code_id"].tolist()
    gone = support[-1]
    spans = primary.merge(roles[roles["claim"] == "P2"], on="code_id")
    spans = spans[spans["role"] == "support"].groupby(["document_id", "start", "end"])["code_id"].agg(set)
    expected = int((spans != {gone}).sum())
    row = without_codes(primary, roles, [gone], CONFIG["cases"]).set_index("claim").loc["P2"]
    assert row["dropped"] == gone and row["n_support_kept"] == expected < row["n_support"]


def test_the_analyses_recover_the_planted_structure():
    """A recovery check on synthetic data: the QCA finds the planted rule res = inst*(cap + inc), and the
    clustered model finds the planted mechanism -> resilience link with the planted (positive) sign."""
    from analysis.methods.models import mechanism_link_model, resilience_spans
    from analysis.methods.qca import calibrate_all, solve, station_scores

    t = corpus()
    primary = primary_coding(t["segments"], CONFIG["coders"]["primary"])
    q, m = CONFIG["qca"], CONFIG["models"]
    raw = station_scores(primary, t["codes"], CONFIG["propositions"], q["conditions"], q["outcome"], m["outcome_contrary"])
    result = solve(calibrate_all(raw, q["anchors"])[0], list(q["conditions"]), q["outcome"], q["incl_cut"], q["n_cut"],
                   q["dir_exp"], pri_cut=q["pri_cut"])
    planted = load_design()["rule"]
    assert planted == "res = min(inst, max(cap, inc))"
    assert [m_["expression"] for m_ in result["solutions"]["intermediate"]] == ["inst*cap + inst*inc"]
    spans = resilience_spans(primary, t["documents"], t["participants"], m["outcome_theme"], m["outcome_contrary"],
                             m["mechanism_theme"])
    link = mechanism_link_model(spans).set_index("term").loc["mech_before"]
    assert load_design()["mechanism_boost"] > 0 and link["odds_ratio"] > 1 and link["or_lo"] > 1


def test_a_corpus_of_any_size_begins_with_the_committed_one_and_keeps_the_planted_rule():
    seed = CONFIG["seeds"]["synthetic"]
    small, large = generate(seed), generate(seed, stations=40)
    assert {k: v for k, v in large.items() if k.split("/")[0] in {f"S{n:02d}" for n in range(1, 16)}} == small
    assert len({k.split("/")[0] for k in large}) == 40 and large == generate(seed, stations=40)
    assert generate(seed, stations=3) == {k: v for k, v in small.items() if k[:3] in ("S01", "S02", "S03")}
    from analysis.casework.synthetic.generator import design_stations

    design = load_design()
    stations = design_stations(design, 40, seed)
    levels = {st[c] for st in design["stations"] for c in ("inst", "cap", "inc")}
    assert all(st["res"] == min(st["inst"], max(st["cap"], st["inc"])) for st in stations)
    assert all({st["inst"], st["cap"], st["inc"]} <= levels for st in stations)
    first, last = design["fieldwork"]["start"], max(
        yaml.safe_load(v.split("---\n")[1])["date"] for k, v in small.items() if k.endswith(".md")).isoformat()
    dates = {yaml.safe_load(v.split("---\n")[1])["date"].isoformat() for k, v in large.items() if k.endswith(".md")}
    assert first <= min(dates) and max(dates) <= last  # further stations are visited within the same fieldwork


def test_synth_writes_n_stations_and_says_when_the_config_lists_fewer(tmp_path, capsys):
    from analysis.cli.commands import main

    shutil.copyfile(ROOT / "config.yaml", tmp_path / "config.yaml")
    assert main(["--root", str(tmp_path), "synth", "--stations", "17", "--dest", str(tmp_path / "data/cases")]) == 0
    out = capsys.readouterr().out
    assert "17 SYNTHETIC stations" in out and "note:" not in out  # config.yaml says `cases: all`
    assert sorted(p.name for p in (tmp_path / "data/cases").iterdir())[-2:] == ["S16", "S17"]
    (tmp_path / "config.yaml").write_text("cases: [S01]\n", encoding="utf-8")
    assert main(["--root", str(tmp_path), "synth", "--stations", "2", "--seed", "1", "--dest", str(tmp_path / "data/cases")]) == 0
    assert "lists 1 case(s) in `cases`; set `cases: all`" in capsys.readouterr().out
