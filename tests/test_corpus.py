"""De-identification and the ingest tables."""

from __future__ import annotations

import yaml

from analysis.inputs.corpus import build_corpus
from analysis.inputs.deid import NameMatcher, move_offset
from analysis.inputs.schemas import load_schemas
from analysis.inputs.validate import validate_project
from conftest import ROOT

SCHEMAS = load_schemas(ROOT / "workflow" / "schemas")


def corpus_of(root):
    config = yaml.safe_load((root / "config.yaml").read_text(encoding="utf-8"))
    project, problems = validate_project(root, config, "config.yaml", SCHEMAS)
    assert problems == []
    return build_corpus(project, SCHEMAS)


def redact(body: str, forms: dict[str, str]):
    """Mask ``body`` with each form declared as the name of the participant its token names."""
    return NameMatcher.from_rows([{"participant_id": token.strip("〔〕"), "name": form} for form, token in forms.items()]).mask(body)


def test_redaction_moves_offsets_after_the_name():
    body = "我叫王秀兰，住在村东头。"
    new, spans = redact(body, {"王秀兰": "〔P1〕"})
    assert new == "我叫〔P1〕，住在村东头。"
    start = body.index("住在")
    assert new[move_offset(start, spans, False):move_offset(start + 5, spans, True)] == "住在村东头"


def test_a_segment_covering_a_name_keeps_the_whole_token():
    body = "我叫王秀兰。"
    new, spans = redact(body, {"王秀兰": "〔P1〕"})
    assert new[move_offset(0, spans, False):move_offset(4, spans, True)] == "我叫〔P1〕"


def test_longer_names_win_over_their_prefixes():
    new, _ = redact("王秀兰和王秀", {"王秀": "〔A〕", "王秀兰": "〔B〕"})
    assert new == "〔B〕和〔A〕"


def test_no_name_reaches_the_corpus(project):
    path = project / "data/cases/K01/transcripts/K01-D01.md"
    text = path.read_text(encoding="utf-8").replace("您好。", "王秀兰您好。")
    path.write_text(text, encoding="utf-8")
    # the segments' offsets move with the name, so rebuild their text from the new body
    import csv

    seg_path = project / "data/cases/K01/segments.csv"
    rows = list(csv.reader(seg_path.open(encoding="utf-8")))
    for row in rows[1:]:
        row[3], row[4] = str(int(row[3]) + 3), str(int(row[4]) + 3)
    with seg_path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out, lineterminator="\n").writerows(rows)
    tables = corpus_of(project)
    assert "name" not in tables["participants"].columns
    for name, frame in tables.items():
        assert not frame.astype(str).apply(lambda col: col.str.contains("王秀兰")).any().any(), name
    body = tables["documents"]["body"].iloc[0]
    assert "〔K01-P01〕您好" in body
    seg = tables["segments"]
    assert (seg["text"] == [body[s:e] for s, e in zip(seg["start"], seg["end"])]).all()
    assert seg["text"].iloc[0] == "社工站来了以后，村里热闹多了。"


def test_segments_carry_case_kind_actor_and_theme(project):
    seg = corpus_of(project)["segments"]
    assert set(seg["case_id"]) == {"K01"}
    assert set(seg["kind"]) == {"interview"}
    assert set(seg["actor_type"]) == {"resident"}
    assert set(seg["theme"]) == {"t"}
