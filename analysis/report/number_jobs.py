"""The numbers the book prints, by topic: one function per topic of ``workflow/report.yaml``
(``numbers:``), and :data:`NUMBERS`, the registry from a topic's function name to the function.

Each function takes the job's input files (``i``), its parameters (``p``) and wildcards (``w``)
and returns the numbers of its topic through :func:`made_by`, which records the function that
computed each one; :func:`write` adds the rule and writes ``results/numbers/<topic>.json``
(``{key: {"value", "rule", "function", "inputs"}}``). The book's extension merges the topics and stops on
a key two topics both define, or one a chapter uses and no topic defines.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd

from analysis.methods.codebook import code_labels
from analysis.inputs.io import read_json
from analysis.inputs.writers import write_json
from analysis.report import numbers as bn


class Sources:
    """The file each object a job loaded was read from, so that a number can name its own inputs
    (the files its function was given) rather than every file of its rule. Objects are known by
    identity and kept alive here, so an id is never reused while a job runs."""

    def __init__(self):
        self._by_id: dict[int, tuple[object, list[str]]] = {}

    def note(self, thing, *paths) -> object:
        """Remember that ``thing`` comes from ``paths`` (files, or other noted things); returns it."""
        files = []
        for path in paths:
            files += self._by_id[id(path)][1] if id(path) in self._by_id else [str(path)]
        self._by_id[id(thing)] = (thing, list(dict.fromkeys(files)))
        return thing

    def of(self, args) -> list[str]:
        """The files behind ``args``, in order, each once."""
        files = [f for a in args if id(a) in self._by_id for f in self._by_id[id(a)][1]]
        return list(dict.fromkeys(files))


class _PerThread:
    """The :class:`Sources` of the job running in this thread. Snakemake runs the ``run:`` blocks of
    several jobs in threads of one process, so the sources of one job must never be another's; this
    hands each thread its own (:meth:`reset` starts a job's)."""

    def __init__(self):
        self._local = threading.local()

    def reset(self) -> None:
        self._local.sources = Sources()

    def __getattr__(self, name):
        if not hasattr(self._local, "sources"):
            self.reset()
        return getattr(self._local.sources, name)


#: The sources of the job that is running in this thread (:func:`write` starts each job afresh).
SOURCES = _PerThread()
#: What a function that is given no file read: the study's configuration.
CONFIGURATION = "config.yaml"


def made_by(function, *args, reads=()) -> dict[str, dict]:
    """The numbers ``function(*args)`` returns, each with the function's dotted name and the files it
    was given (:data:`SOURCES`, with ``reads`` for a file it gets as a count or a setting; the
    configuration when it gets no file)."""
    where = f"{function.__module__}.{function.__name__}"
    files = SOURCES.of(args) + [str(f) for f in reads]
    files = list(dict.fromkeys(files)) or [CONFIGURATION]
    return {key: {"value": value, "function": where, "inputs": files} for key, value in function(*args).items()}


def _tables(i) -> dict[str, pd.DataFrame]:
    return {name: SOURCES.note(pd.read_parquet(path), path) for name, path in i.items() if str(path).endswith(".parquet")}


def _json(path) -> dict:
    return SOURCES.note(read_json(path), path)


def numbers_corpus(i, p, w):
    """The corpus, the context facts, the data notice and the methods' settings."""
    t = _tables(i)
    return (made_by(bn.corpus_numbers, t["stations"], t["participants"], t["documents"], t["segments"], t["codes"], p.coder)
            | made_by(bn.context_numbers, t["context"]) | made_by(bn.data_notice, p.study["synthetic_data"])
            | made_by(bn.design_numbers, p.study, t["participants"])
            | made_by(bn.repetition_numbers, t["segments"], p.coder)
            | made_by(bn.chapter_titles, p.study["synthetic_data"])
            | made_by(bn.method_numbers, p.coding, p.reliability)
            | made_by(bn.station_view, len(t["stations"]), p.report, reads=SOURCES.of([t["stations"]])))


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
    disagreements = SOURCES.note(pd.read_csv(i.disagreements, keep_default_na=False), i.disagreements)
    return (made_by(bn.reliability_numbers, _json(i.overall), t["per_code"], t["codes"], len(t["documents"]),
                    p.thresholds, p.lang, reads=SOURCES.of([t["documents"]]))
            | made_by(bn.disagreement_numbers, disagreements) | made_by(bn.coverage_numbers, _json(i.coverage)))


def numbers_mechanisms(i, p, w):
    """The evidence matrix, co-occurrence, the clustered models and process tracing."""
    t = _tables(i)
    labels = SOURCES.note(code_labels(t["codes"], p.lang), t["codes"])
    return (made_by(bn.framework_numbers, t["matrix"])
            | made_by(bn.cooccurrence_numbers, t["pairs"], p.cooccurrence["fdr"], labels)
            | made_by(bn.model_numbers, t["link"], t["outcome_models"], p.models["clusters_per_parameter"])
            | made_by(bn.tracing_numbers, t["pt_summary"])
            | made_by(bn.mechanism_balance, t["pooled"], labels)
            | made_by(bn.resilience_terms, p.models, labels)
            | made_by(bn.pt_items_numbers, t["pt_items"], labels, [*p.propositions, "M"])
            | made_by(bn.diagram_numbers, t["links"], t["codes"], labels, p.models["mechanism_theme"])
            | made_by(bn.diagram_family_numbers, t["links"], t["pairs"], labels, list(p.mechanisms), p.cooccurrence["fdr"])
            | made_by(bn.shared_contrary_numbers, p.propositions, p.mechanisms, labels, p.models["outcome_contrary"])
            | made_by(bn.reference_numbers, t["link"], t["outcome_models"])
            | made_by(bn.model_reference_categories, t["link"], t["outcome_models"])
            | made_by(bn.outcome_rest_numbers, t["outcome_models"], p.max_interval_ratio)
            | made_by(bn.models_contrast_numbers, t["link"], t["outcome_models"])
            | made_by(bn.pt_contrast_numbers, t["pt_items"], t["pt_summary"], labels)
            | made_by(bn.pt_scale_numbers, p.process_tracing["sensitivity_scales"])
            | made_by(bn.pt_chance_numbers, t["pt_items"], p.process_tracing["chance_p"]))


def numbers_qca(i, p, w):
    """The cross-case QCA and, while the data are synthetic, whether the planted structure was recovered."""
    from analysis.inputs.yaml_bounded import load_yaml_text

    t = _tables(i)
    qca = _json(i.qca)
    # the generator's planted structure (its rule and mechanism boost), read as the generator wrote it
    design = SOURCES.note(load_yaml_text(Path(i.design).read_text(encoding="utf-8")), i.design) \
        if p.study["synthetic_data"] else None
    labels = SOURCES.note(code_labels(t["codes"], p.lang), t["codes"])
    return (made_by(bn.qca_numbers, qca, t["necessity"], p.lang, p.qca["necessity_incl"], labels)
            | made_by(bn.robustness_numbers, t["robustness"], p.qca["robustness_shift"], p.lang)
            | made_by(bn.recovery_numbers, qca, t["link"], design, p.lang, t["necessity"], p.qca["necessity_incl"], labels)
            | made_by(bn.qca_core_numbers, qca, labels, t["necessity"], p.qca["necessity_incl"])
            | made_by(bn.qca_pt_numbers, qca, t["pt_summary"], p.qca["conditions"], labels)
            | made_by(bn.reliability_sensitivity_numbers, t["sensitivity"], _json(i.sensitivity_qca), labels)
            | made_by(bn.qca_settings_numbers, p.qca, labels))


def numbers_provenance(i, p, w):
    """Raw files, locked packages, the workflow's rules and Python."""
    from analysis.inputs.provenance import locked_versions, parse_rulegraph

    rules = SOURCES.note(parse_rulegraph(Path(i.rulegraph).read_text(encoding="utf-8"))[0], i.rulegraph)
    manifest = SOURCES.note(pd.read_csv(i.manifest), i.manifest)
    return (made_by(bn.provenance_numbers, manifest, SOURCES.note(locked_versions(Path(i.lock)), i.lock), rules)
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
    SOURCES.reset()
    rule_inputs = input_files(i) if i else []  # a job without input files (a test's probe) records none
    numbers = NUMBERS[name](i, p, w)
    # each number keeps the files its own function read (all of them among the rule's); the rule's
    # are recorded beside them for the appendix, which lists what every rule read
    write_json(output, {key: {**record, "rule": name, "rule_inputs": rule_inputs} for key, record in numbers.items()})
