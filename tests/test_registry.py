"""The registry of figures, tables and numbers (workflow/report.yaml), and the functions and words behind it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml

from analysis.report import figure_jobs, labels, number_jobs, table_jobs
from analysis.report import numbers as bn
from analysis.report.registry import Registry
from conftest import ROOT

CONFIG = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
REGISTRY = Registry(ROOT, CONFIG)


def test_every_registered_figure_has_its_function_and_every_function_is_registered():
    assert {entry.function for entry in REGISTRY.figures} == set(figure_jobs.FIGURES)


def test_every_generated_table_has_its_function_and_every_function_is_registered():
    assert {entry.function for entry in REGISTRY.tables if entry.generated} == set(table_jobs.TABLES)


def test_the_registry_lists_every_output_once_with_wildcards_filled():
    figures, tables = REGISTRY.figure_names(), REGISTRY.table_names()
    assert len(figures) == len(set(figures)) and len(tables) == len(set(tables))
    assert {"evidence_p1", "evidence_p2", "evidence_p3", "rulegraph"} <= set(figures)
    assert {"code_by_actor", "code_by_phase", "evidence_p3", "qca_solutions", "raw_checksums"} <= set(tables)
    assert not any("{" in name for name in figures + tables)


@pytest.mark.parametrize("entry", REGISTRY.figures, ids=lambda e: e.name)
def test_every_figure_declares_what_the_report_needs(entry):
    assert entry.spec["category"] and len(entry.spec["caption"].split()) >= 8
    assert all(Path(path).suffix for path in entry.inputs(ROOT).values() if isinstance(path, str))
    assert entry.rule in entry.caption() if isinstance(entry.caption(), str) else entry.each[0]


@pytest.mark.parametrize("table", ["HEADERS", "ACTOR_LABELS", "WORDS"])
def test_table_words_exist_in_both_languages(table):
    words = getattr(labels, table)
    assert set(words) == {"zh", "en"}
    assert set(words["zh"]) == set(words["en"]), set(words["zh"]) ^ set(words["en"])


@pytest.mark.parametrize("entry", REGISTRY.figures, ids=lambda e: e.name)
def test_figure_words_exist_in_both_languages(entry):
    words = entry.spec["words"]
    assert set(words) == {"zh", "en"}
    assert set(words["zh"]) == set(words["en"]), set(words["zh"]) ^ set(words["en"])
    assert all(text.strip() for lang in words.values() for text in lang.values())


def test_a_table_function_that_makes_other_tables_than_declared_is_refused(tmp_path):
    table_jobs.TABLES["_probe"] = lambda i, p, w: {"right": None}
    try:
        with pytest.raises(ValueError, match="the registry declares"):
            table_jobs.write("_probe", None, None, None, [str(tmp_path / "wrong.md"), str(tmp_path / "wrong.csv")])
    finally:
        del table_jobs.TABLES["_probe"]


def test_every_topic_of_numbers_has_its_function_and_every_function_is_registered():
    assert {entry.function for entry in REGISTRY.numbers} == set(number_jobs.NUMBERS)
    assert {"corpus", "coding", "reliability", "mechanisms", "qca", "provenance"} <= set(REGISTRY.number_topics())


def test_each_number_records_the_rule_and_the_function_that_made_it(tmp_path):
    number_jobs.NUMBERS["numbers_probe"] = lambda i, p, w: number_jobs.made_by(bn.data_notice, True)
    try:
        number_jobs.write("numbers_probe", None, None, None, str(tmp_path / "probe.json"))
    finally:
        del number_jobs.NUMBERS["numbers_probe"]
    written = json.loads((tmp_path / "probe.json").read_text(encoding="utf-8"))
    # a function given no file computes from the configuration
    assert written["data_is_synthetic"] == {"value": "是", "rule": "numbers_probe", "inputs": ["config.yaml"],
                                            "function": "analysis.report.numbers.data_notice", "rule_inputs": []}


def test_each_number_names_the_files_its_own_function_read_not_all_its_rule_read(tmp_path):
    import pandas as pd

    facts, other = tmp_path / "facts.parquet", tmp_path / "other.parquet"
    pd.DataFrame({"fact_id": ["a"], "value": ["3"], "qualifier": [""]}).to_parquet(facts)
    pd.DataFrame({"x": [1]}).to_parquet(other)

    def probe(i, p, w):
        t = number_jobs._tables(i)
        return (number_jobs.made_by(bn.context_numbers, t["facts"])
                | number_jobs.made_by(bn.station_view, len(t["other"]), {"station_detail": 9, "top_k": 1},
                                      reads=number_jobs.SOURCES.of([t["other"]])))

    number_jobs.NUMBERS["numbers_probe"] = probe
    try:
        number_jobs.write("numbers_probe", {"facts": str(facts), "other": str(other)}, None, None, str(tmp_path / "p.json"))
    finally:
        del number_jobs.NUMBERS["numbers_probe"]
    written = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    assert written["ctx_a"]["inputs"] == [str(facts)] and written["station_view"]["inputs"] == [str(other)]
    assert written["ctx_a"]["rule_inputs"] == [str(facts), str(other)]


def _extension():
    sys.path.insert(0, str(ROOT / "paper/_ext"))
    try:
        import casebook_numbers
    finally:
        sys.path.pop(0)
    return casebook_numbers


def test_the_book_stops_on_a_number_two_topics_both_define(tmp_path):
    record = {"value": "3", "function": "f"}
    (tmp_path / "a.json").write_text(json.dumps({"n": {**record, "rule": "numbers_a"}}), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps({"n": {**record, "rule": "numbers_b"}}), encoding="utf-8")
    with pytest.raises(Exception, match="computed twice, by rules numbers_a and numbers_b"):
        _extension().read_numbers(tmp_path)


def test_the_book_stops_when_no_topic_was_written(tmp_path):
    with pytest.raises(Exception, match="holds no numbers"):
        _extension().read_numbers(tmp_path)


def test_a_figure_that_fails_in_the_drawing_process_says_why_in_words(tmp_path):
    from analysis.cli.drawing import Drawer, DrawingFailed

    drawer = Drawer()
    params = {"lang": "zh", "dpi": 100, "words": {"zh": {"xlabel": "编码片段数"}, "en": {"xlabel": "Coded segments"}}}
    try:
        with pytest.raises(DrawingFailed, match="missing.parquet") as failed:
            drawer.draw("fig_theme_frequencies", {"frequencies": str(tmp_path / "missing.parquet")}, params, {},
                        str(tmp_path / "figure.png"))
        assert "Traceback" in failed.value.details and not (tmp_path / "figure.png").exists()
    finally:
        drawer.close()


def _caption(entry) -> str:
    caption = entry.caption()
    return caption if isinstance(caption, str) else caption({entry.each[0]: entry.each[1][0]})


@pytest.mark.parametrize("synthetic", [True, False])
def test_report_captions_of_figures_drawn_from_the_corpus_say_when_it_is_synthetic(synthetic):
    from analysis.report.registry import SYNTHETIC_CAPTION

    config = {**CONFIG, "study": {**CONFIG["study"], "synthetic_data": synthetic}}
    marked = {e.name for e in Registry(ROOT, config).figures if _caption(e).startswith(SYNTHETIC_CAPTION)}
    # the framework and the rule graph draw the design and the pipeline, not the corpus
    drawn_from_data = {e.name for e in REGISTRY.figures} - {"analytic_framework", "rulegraph"}
    assert marked == (drawn_from_data if synthetic else set())


def test_jobs_running_in_threads_of_one_process_keep_their_own_sources(tmp_path):
    # Snakemake runs several jobs' run: blocks in threads of one process: each must name its own files
    import threading

    import pandas as pd

    paths = {}
    for name in ("a", "b"):
        paths[name] = tmp_path / f"{name}.parquet"
        pd.DataFrame({"fact_id": [name], "value": ["1"], "qualifier": [""]}).to_parquet(paths[name])
    gate = threading.Barrier(2)

    def probe(i, p, w):
        t = number_jobs._tables(i)
        gate.wait()  # both jobs have loaded their tables before either names its sources
        return number_jobs.made_by(bn.context_numbers, t["facts"])

    number_jobs.NUMBERS["numbers_probe"] = probe
    try:
        jobs = [threading.Thread(target=number_jobs.write, args=("numbers_probe", {"facts": str(paths[n])}, None, None,
                                                                 str(tmp_path / f"{n}.json"))) for n in paths]
        for job in jobs:
            job.start()
        for job in jobs:
            job.join()
    finally:
        del number_jobs.NUMBERS["numbers_probe"]
    for name in paths:
        written = json.loads((tmp_path / f"{name}.json").read_text(encoding="utf-8"))
        assert written[f"ctx_{name}"]["inputs"] == [str(paths[name])]
