"""The numbers the book prints, by topic: one function per topic of ``workflow/report.yaml``
(``numbers:``), and :data:`NUMBERS`, the registry from a topic's function name to the function.

Each function takes the job's input files (``i``), its parameters (``p``) and wildcards (``w``)
and returns the numbers of its topic through :func:`made_by`, which records the function that
computed each one; :func:`write` adds the rule and writes ``results/numbers/<topic>.json``
(``{key: {"value", "rule", "function", "inputs"}}``). The book's extension merges the topics and stops on
a key two topics both define, or one a chapter uses and no topic defines.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.methods.codebook import code_labels
from analysis.inputs.io import read_json
from analysis.inputs.writers import write_json
from analysis.report import numbers as bn


def made_by(function, *args) -> dict[str, dict]:
    """The numbers ``function(*args)`` returns, each with the function's dotted name."""
    where = f"{function.__module__}.{function.__name__}"
    return {key: {"value": value, "function": where} for key, value in function(*args).items()}


def _tables(i) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(path) for name, path in i.items() if str(path).endswith(".parquet")}


def numbers_corpus(i, p, w):
    """The corpus, the context facts, the data notice and the methods' settings."""
    t = _tables(i)
    return (made_by(bn.corpus_numbers, t["stations"], t["participants"], t["documents"], t["segments"], t["codes"], p.coder)
            | made_by(bn.context_numbers, t["context"]) | made_by(bn.data_notice, p.study["synthetic_data"])
            | made_by(bn.design_numbers, p.study, t["participants"])
            | made_by(bn.chapter_titles, p.study["synthetic_data"])
            | made_by(bn.method_numbers, p.coding, p.reliability) | made_by(bn.station_view, len(t["stations"]), p.report))


def numbers_coding(i, p, w):
    """Code frequencies, the tests by actor type and by phase, and saturation."""
    from analysis.methods.saturation import describe

    t = _tables(i)
    pooled = t["saturation"].query("scope == 'pooled'").iloc[0].to_dict()
    return (made_by(bn.frequency_numbers, t["frequencies"], p.lang)
            | made_by(bn.cross_tab_numbers, t["actor_tests"], t["actor_cells"], "actor", p.fdr)
            | made_by(bn.cross_tab_numbers, t["phase_tests"], t["phase_cells"], "phase", p.fdr)
            | made_by(bn.untested_codes_numbers, t["actor_tests"], "actor", p.min_segments)
            | made_by(bn.untested_codes_numbers, t["phase_tests"], "phase", p.min_segments)
            | made_by(bn.saturation_numbers, t["saturation"], describe(pooled, p.lang)))


def numbers_reliability(i, p, w):
    """Intercoder agreement and the coders' disagreements."""
    t = _tables(i)
    disagreements = pd.read_csv(i.disagreements, keep_default_na=False)
    return (made_by(bn.reliability_numbers, read_json(i.overall), t["per_code"], t["codes"], len(t["documents"]),
                    p.thresholds, p.lang)
            | made_by(bn.disagreement_numbers, disagreements) | made_by(bn.coverage_numbers, read_json(i.coverage)))


def numbers_mechanisms(i, p, w):
    """The evidence matrix, co-occurrence, the clustered models and process tracing."""
    t = _tables(i)
    labels = code_labels(t["codes"], p.lang)
    return (made_by(bn.framework_numbers, t["matrix"])
            | made_by(bn.cooccurrence_numbers, t["pairs"], p.cooccurrence["fdr"], labels)
            | made_by(bn.model_numbers, t["link"], t["outcome_models"], p.models["clusters_per_parameter"])
            | made_by(bn.tracing_numbers, t["pt_summary"])
            | made_by(bn.mechanism_balance, t["pooled"], t["pt_items"], labels))


def numbers_qca(i, p, w):
    """The cross-case QCA and, while the data are synthetic, whether the planted structure was recovered."""
    from analysis.inputs.yaml_bounded import load_yaml_text

    t = _tables(i)
    qca = read_json(i.qca)
    # the generator's planted structure (its rule and mechanism boost), read as the generator wrote it
    design = load_yaml_text(Path(i.design).read_text(encoding="utf-8")) if p.study["synthetic_data"] else None
    labels = code_labels(t["codes"], p.lang)
    return (made_by(bn.qca_numbers, qca, t["necessity"], p.lang, p.qca["necessity_incl"], labels)
            | made_by(bn.robustness_numbers, t["robustness"], p.qca["robustness_shift"], p.lang)
            | made_by(bn.recovery_numbers, qca, t["link"], design, p.lang, t["necessity"], p.qca["necessity_incl"], labels)
            | made_by(bn.qca_core_numbers, qca, labels, t["necessity"], p.qca["necessity_incl"]))


def numbers_provenance(i, p, w):
    """Raw files, locked packages, the workflow's rules and Python."""
    from analysis.inputs.provenance import locked_versions, parse_rulegraph

    rules, _ = parse_rulegraph(Path(i.rulegraph).read_text(encoding="utf-8"))
    return (made_by(bn.provenance_numbers, pd.read_csv(i.manifest), locked_versions(Path(i.lock)), rules)
            | made_by(bn.shard_numbers, p.ingest))


#: Every topic's function, by its name (``numbers_`` and the topic).
NUMBERS = {name: fn for name, fn in dict(globals()).items() if name.startswith("numbers_") and callable(fn)}


def input_files(i) -> list[str]:
    """Every file a job read, in the order the registry names them (a list of files flattened).

    >>> input_files({"codes": "a.parquet", "rules": ["Snakefile", "b.smk"]})
    ['a.parquet', 'Snakefile', 'b.smk']
    """
    return [str(f) for _, value in i.items() for f in ([value] if isinstance(value, str) else value)]


def write(name: str, i, p, w, output: str) -> None:
    """Compute the numbers of function ``name`` for one job and write them with their rule, function
    and the files the rule read (the book shows them on hovering over a number)."""
    read = {"inputs": input_files(i)} if i else {}  # a job without input files (a test's probe) records none
    write_json(output, {key: {**record, "rule": name, **read} for key, record in NUMBERS[name](i, p, w).items()})
