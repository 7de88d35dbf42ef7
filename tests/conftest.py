"""Shared fixtures: a tiny valid project written from literals, and the repository root."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]

BODY = "**访谈者**：您好。\n\n**K01-P01**：社工站来了以后，村里热闹多了。大家都愿意出来。\n"

CODEBOOK = {
    "version": 1,
    "codes": [
        {"id": c, "parent": p, **{f: {"zh": f"{c}{f}", "en": f"{c} {f}"} for f in
                                  ("label", "definition", "when_to_use", "when_not_to_use", "example")}}
        for c, p in (("t", None), ("t.a", "t"), ("t.b", "t"), ("b", None), ("b.x", "b"))
    ],
}

EVIDENCE = {"version": 1, "hypotheses": {"P1": {
    "statement": {"zh": "命题", "en": "P"},
    "items": [{"id": "E1", "description": {"zh": "证据", "en": "E"}, "test": "hoop", "p_e_h": 0.9, "p_e_not_h": 0.5,
               "justification": "a one-line justification", "observed_if": {"rule": "stations_with", "codes": ["t.a"], "at_least": 1}}],
}}}

CONFIG = {
    "study": {"title_zh": "测试", "title_en": "Test", "synthetic_data": True},
    "paths": {"codebook": "data/codebook.yaml", "cases": "data/cases", "context": "data/context/context_facts.csv",
              "process_tracing": "data/process_tracing.yaml"},
    "cases": ["K01"],
    "coders": {"primary": "C1", "known": ["C1", "C2"], "independent": ["C1", "C2"]},
    "labels": "zh",
    "propositions": {"P1": {"label": {"zh": "命题", "en": "P"}, "condition": "t", "outcome": "t.a", "contrary": ["b.x"]}},
    "mechanisms": {"t.a": ["b.x"]},
    "cooccurrence": {"fdr": 0.05},
    "models": {"outcome_theme": "t", "mechanism_theme": "t", "outcome_contrary": ["b.x"]},
    "qca": {"conditions": {"t": "P1"}, "outcome": "t", "anchors": {"t": {"full": 0.7, "crossover": 0.5, "non": 0.3}},
            "incl_cut": 0.8, "pri_cut": 0.5, "n_cut": 1, "dir_exp": {"t": 1}, "min_cases": 6,
            "necessity_incl": 0.9},
    "process_tracing": {"priors": {"default": 0.5}, "sensitivity_priors": [0.5], "sensitivity_scales": {"as_stated": 1.0}},
    "coding": {"min_expected": 5, "monte_carlo_resamples": 999, "permutations": 999, "fdr": 0.05},
    "reliability": {"bootstrap": 200, "interval": "bca", "coverage_runs": 20,
                    "thresholds": {"reliable": 0.8, "tentative": 0.667}},
    "saturation": {"base": 4, "run": 2, "threshold": 0.05, "kinds": ["interview"]},
    "seeds": {"synthetic": 1, "bootstrap": 2, "permutation": 3},
}


def span(text: str) -> tuple[int, int]:
    start = BODY.index(text)
    return start, start + len(text)


def segment_rows() -> list[list]:
    a, b = span("社工站来了以后，村里热闹多了。"), span("大家都愿意出来。")
    return [
        ["K01-C1-0001", "K01-D01", "K01-P01", a[0], a[1], "t.a", "C1", "社工站来了以后，村里热闹多了。"],
        ["K01-C1-0002", "K01-D01", "K01-P01", b[0], b[1], "t.b", "C1", "大家都愿意出来。"],
        ["K01-C2-0001", "K01-D01", "K01-P01", a[0], a[1], "t.a", "C2", "社工站来了以后，村里热闹多了。"],
    ]


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


SEGMENT_HEADER = ["segment_id", "document_id", "participant_id", "start", "end", "code_id", "coder_id", "text"]


def write_project(root: Path) -> Path:
    """Write the tiny valid project under ``root`` and return it."""
    (root / "data" / "context").mkdir(parents=True)
    shutil.copytree(ROOT / "workflow" / "schemas", root / "workflow" / "schemas")
    (root / "config.yaml").write_text(yaml.safe_dump(CONFIG, allow_unicode=True), encoding="utf-8")
    (root / "data" / "codebook.yaml").write_text(yaml.safe_dump(CODEBOOK, allow_unicode=True), encoding="utf-8")
    (root / "data" / "process_tracing.yaml").write_text(yaml.safe_dump(EVIDENCE, allow_unicode=True), encoding="utf-8")
    write_csv(root / "data/context/context_facts.csv",
              ["fact_id", "date", "scope", "indicator", "value", "unit", "qualifier", "note", "source", "accessed"],
              [["units", "2015", "District", "units", "15", "units", "", "", "http://example.org/x", "2026-12-03"]])
    case = root / "data" / "cases" / "K01"
    (case / "transcripts").mkdir(parents=True)
    (case / "station.yaml").write_text(
        "station_id: K01\nunit_type: town\nsetting: rural\noperator_type: social_work_agency\n"
        "start_year: 2019\nstaff: 2\nsynthetic: true\n", encoding="utf-8")
    write_csv(case / "participants.csv", ["participant_id", "actor_type", "role", "gender", "age_band", "name"],
              [["K01-P01", "resident", "村民", "female", "60-74", "王秀兰"]])
    write_csv(case / "segments.csv", SEGMENT_HEADER, segment_rows())
    (case / "transcripts" / "K01-D01.md").write_text(
        "---\nid: K01-D01\nparticipants: [K01-P01]\ndate: 2021-06-07\ninterviewer: I1\nkind: interview\n"
        "synthetic: true\n---\n" + BODY, encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A tiny valid project (one case, one transcript, three segments) in a temporary folder."""
    return write_project(tmp_path / "proj")


def book_numbers(repo: Path) -> dict[str, str]:
    """The numbers a build's book prints, merged from ``results/numbers/<topic>.json`` by the
    book's own extension (so a test reads them as the book does)."""
    sys.path.insert(0, str(ROOT / "paper/_ext"))
    try:
        from casebook_numbers import read_numbers
    finally:
        sys.path.pop(0)
    return {key: record["value"] for key, record in read_numbers(Path(repo) / "results/numbers").items()}
