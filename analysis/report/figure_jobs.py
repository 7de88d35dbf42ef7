"""The figures the book shows, one function per figure, and :data:`FIGURES`, the registry from a
figure's name (as in ``workflow/report.yaml``) to its function.

Each function takes the job's input files (``i``, by the names the registry gives them), its
parameters (``p``: ``lang``, ``dpi``, the figure's ``words`` in both languages and its own
settings, all from its registry entry) and wildcards (``w``), reads what it needs and returns a
:class:`matplotlib.figure.Figure`; :func:`draw` saves it. The drawing is in
:mod:`analysis.report.figures`, the words shared with the tables in :mod:`analysis.report.labels`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.inputs.io import read_code_labels, read_json
from analysis.inputs.provenance import parse_rulegraph, rule_stages
from analysis.methods.codebook import code_labels
from analysis.methods.cooccurrence import strongest_links
from analysis.methods.qca import parse_term, term_membership
from analysis.report import figures as draw_
from analysis.report.labels import ACTOR_LABELS
from analysis.report.tables import lists_each_station


def fig_alpha_forest(i, p, w):
    """Forest plot of per-code Krippendorff's alpha with bootstrap intervals."""
    overall = read_json(i.overall)
    return draw_.alpha_forest(pd.read_parquet(i.per_code), overall, read_code_labels(i.codes, p.lang), p.thresholds,
                              p.words[p.lang])


def fig_analytic_framework(i, p, w):
    """The analytic framework (conditions -> resilience, led by the station), from the configuration."""
    label = read_code_labels(i.codes, p.lang)
    conditions = [(prop, label[spec["condition"]], label[spec["outcome"]]) for prop, spec in p.propositions.items()]
    return draw_.analytic_framework(conditions, [label[m] for m in p.mechanisms], label[p.models["outcome_theme"]],
                                    p.words[p.lang])


def fig_code_by_actor(i, p, w):
    """Heat map of codes by the speaker's actor type (adjusted residuals)."""
    codes = pd.read_parquet(i.codes)
    tests = pd.read_parquet(i.tests)
    rows = {c: lab for c, lab, leaf in zip(codes["code_id"], codes[f"label_{p.lang}"], codes["is_leaf"]) if leaf}
    cols = {k: v for k, v in ACTOR_LABELS[p.lang].items() if k != "none"}
    fdr = dict(zip(tests["code_id"], tests["p_fdr"] < p.fdr))
    words = p.words[p.lang]
    return draw_.residual_heatmap(pd.read_parquet(i.cells), rows, cols, words["columns"], words["scale"], fdr=fdr,
                                  cell_fdr=p.fdr)


def fig_cooccurrence_network(i, p, w):
    """The strongest links between co-production codes and resilience outcomes."""
    codes = pd.read_parquet(i.codes)
    leaf = codes[codes["is_leaf"]]
    label = code_labels(codes, p.lang)
    left = [c for c in leaf["code_id"] if c.split(".")[0] in p.left_themes]
    right = [c for c in leaf["code_id"] if c.split(".")[0] == p.models["outcome_theme"]]
    pairs = pd.read_parquet(i.pairs).query("level == 'segment'")
    links = strongest_links(pairs, left, right, p.fdr, p.top)
    return draw_.cooccurrence_network(links, {c: label[c] for c in left}, {c: label[c] for c in right},
                                      p.words[p.lang])


def fig_evidence(i, p, w):
    """One proposition's supporting and contrary evidence by station and by actor type."""
    claim = w.claim.upper()
    by_station = pd.read_parquet(i.by_station).query("claim == @claim").set_index("case_id")
    by_actor = pd.read_parquet(i.by_actor).query("claim == @claim").set_index("actor_type")
    return draw_.evidence_profile(by_station.sort_index(), by_actor, ACTOR_LABELS[p.lang], p.words[p.lang],
                                  each_station=lists_each_station(len(by_station), p.detail))


def fig_framework_matrix(i, p, w):
    """Heat map of the support share per station and proposition."""
    matrix = pd.read_parquet(i.matrix).pivot(index="case_id", columns="proposition", values="support_share")
    words = p.words[p.lang]
    if not lists_each_station(len(matrix), p.detail):  # too many stations for a row each: the distribution of each proposition's shares
        return draw_.distribution_panels({c: matrix[c].to_numpy(dtype=float) for c in matrix.columns}, words["scale"],
                                         words["stations"], (0.0, 1.0))
    return draw_.framework_heatmap(matrix, words["rows"], words["columns"], words["scale"])


def fig_mechanism_diagram(i, p, w):
    """Conditions -> the station's mechanisms -> outcomes, as the evidence supports it."""
    codes = pd.read_parquet(i.codes)
    label = code_labels(codes, p.lang)
    links = pd.read_parquet(i.links)
    conditions = [spec["condition"] for spec in p.propositions.values()]
    outcomes = sorted(set(links["target"]) - set(p.mechanisms), key=list(codes["code_id"]).index)
    nodes = {"conditions": [(c, label[c]) for c in conditions], "mechanisms": [(m, label[m]) for m in p.mechanisms],
             "outcomes": [(o, label[o]) for o in outcomes]}
    return draw_.mechanism_diagram(nodes, links, p.words[p.lang])


def fig_pt_logodds(i, p, w):
    """The cumulative log-odds (decibans) of each hypothesis over its evidence."""
    names = {h: f"{h}: {spec['label'][p.lang]}" for h, spec in p.propositions.items()}
    return draw_.logodds_steps(pd.read_parquet(i.evidence_items), p.priors, names, p.words[p.lang])


def fig_qca_xy(i, p, w):
    """XY plot of the (first) intermediate solution against the outcome."""
    result = read_json(i.solutions)
    data = pd.read_parquet(i.calibrated)
    conditions, outcome = result["conditions"], result["outcome"]
    models = result["solutions"]["intermediate"]
    fill = {"outcome": outcome, "n_cases": result["status"]["n_cases"], "min_cases": result["status"]["min_cases"]}
    words = {key: text.format(**fill) for key, text in p.words[p.lang].items()}
    if not models:
        return draw_.qca_xy(np.array([]), np.array([]), [], None, words)
    terms = [parse_term(t["term"], conditions) for t in models[0]["terms"]]
    solution = np.max([term_membership(data, conditions, t) for t in terms], axis=0)
    return draw_.qca_xy(solution, data[outcome].to_numpy(), list(data["case"]), models[0], words, p.detail)


#: The colour of each stage of the workflow in the rule graph.
STAGE_COLOURS = {"ingest": "#e8eef3", "coding": "#e3f0e0", "reliability": "#f1ecd9", "mechanisms": "#f6e8d8",
                 "figures": "#efe3f1", "paper": "#f3e1e1", "Snakefile": "#dddddd"}


def fig_rulegraph(i, p, w):
    """The workflow's rules as a figure, from ``snakemake --rulegraph``."""
    nodes, edges = parse_rulegraph(Path(i.dot).read_text(encoding="utf-8"))
    return draw_.rule_graph(nodes, edges, rule_stages(i.rules), STAGE_COLOURS, p.words[p.lang])


def fig_saturation(i, p, w):
    """The pooled saturation curve (cumulative codes and new information per run)."""
    curve = pd.read_parquet(i.curve).query("scope == 'pooled'")
    runs = pd.read_parquet(i.runs).query("scope == 'pooled'")
    result = pd.read_parquet(i.summary).query("scope == 'pooled'").iloc[0].to_dict()
    return draw_.saturation_curve(curve, runs, result, p.words[p.lang])


def fig_station_themes(i, p, w):
    """Coded segments per theme in each station: one small panel per theme, on a shared scale."""
    from matplotlib.figure import Figure

    themes = pd.read_parquet(i.by_station).query("depth == 0")
    names = list(dict.fromkeys(themes["code_id"]))
    stations = sorted(themes["case_id"].unique())
    words = p.words[p.lang]
    if not lists_each_station(len(stations), p.detail):  # too many stations for a bar each: each theme's counts over the stations
        counts = themes.pivot(index="case_id", columns="code_id", values="n_segments").reindex(columns=names).fillna(0)
        titles = dict(zip(themes["code_id"], themes[f"label_{p.lang}"]))
        return draw_.distribution_panels({titles[c]: counts[c].to_numpy(dtype=float) for c in names}, words["segments"],
                                         words["stations"])
    figure = Figure(figsize=(2.2 * len(names) + 1, 0.28 * len(stations) + 1.4))
    axes = figure.subplots(1, len(names), sharey=True, sharex=True, squeeze=False)[0]
    for ax, code in zip(axes, names):
        rows = themes[themes["code_id"] == code].set_index("case_id").reindex(stations)
        ax.barh(range(len(stations)), rows["n_segments"].fillna(0), color="#4c72b0")
        ax.set_title(rows[f"label_{p.lang}"].dropna().iloc[0], fontsize=9)
        ax.set_xlabel(words["segments"], fontsize=8)
    axes[0].invert_yaxis()  # the first station on top; the panels share the axis
    axes[0].set_yticks(range(len(stations)), stations, fontsize=7)
    axes[0].set_ylabel(words["station"])
    figure.tight_layout()
    return figure


def fig_theme_frequencies(i, p, w):
    """Ranked bar chart of coded segments per theme."""
    return draw_.theme_frequency_bars(pd.read_parquet(i.frequencies), f"label_{p.lang}",
                                      p.words[p.lang]["xlabel"])


#: Every figure function, by its name (``fig_`` and the name ``workflow/report.yaml`` declares it under).
FIGURES = {name: fn for name, fn in dict(globals()).items() if name.startswith("fig_") and callable(fn)}


def draw(name: str, i, p, w, output: str) -> None:
    """Draw the figure of function ``name`` for one job and save it to ``output`` (PNG at ``p.dpi``, no timestamp)."""
    import matplotlib.pyplot as plt

    draw_.use_cjk_font()
    figure = FIGURES[name](i, p, w)
    try:
        figure.savefig(output, dpi=p.dpi, metadata={"Software": None})
    finally:
        plt.close(figure)
