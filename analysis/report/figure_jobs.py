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
from analysis.inputs.yaml_bounded import load_yaml_text
from analysis.methods.codebook import code_labels
from analysis.methods.qca import parse_term, term_membership
from analysis.report import figures as draw_
from analysis.report.labels import ACTOR_LABELS
from analysis.report.tables import hypothesis_label, hypothesis_name, lists_each_station


def fig_alpha_forest(i, p, w):
    """Forest plot of per-code Krippendorff's alpha with bootstrap intervals."""
    overall = read_json(i.overall)
    return draw_.alpha_forest(pd.read_parquet(i.per_code), overall, read_code_labels(i.codes, p.lang), p.thresholds,
                              p.words[p.lang])


def _children(codes: pd.DataFrame, theme: str) -> list[str]:
    """The leaf codes under ``theme``, in codebook order."""
    return list(codes.loc[codes["is_leaf"] & (codes["theme"] == theme), "code_id"])


def fig_analytic_framework(i, p, w):
    """The analytic framework from the configuration and the codebook: conditions -> direct results
    -> the station's mechanisms -> the dimensions of resilience, with the phases of co-production
    and the barriers (the configured contrary codes) running through them."""
    codes = pd.read_parquet(i.codes)
    label = code_labels(codes, p.lang)
    order = list(codes["code_id"])
    # each arrow named as the book names its proposition (命题一), not by its bare id
    conditions = [(hypothesis_name(prop, p.lang), label[spec["condition"]], label[spec["outcome"]])
                  for prop, spec in p.propositions.items()]
    contrary = {c for spec in p.propositions.values() for c in spec.get("contrary", [])}
    contrary |= {c for codes_ in p.mechanisms.values() for c in codes_} | set(p.models.get("outcome_contrary", []))
    words = p.words[p.lang]
    return draw_.analytic_framework(conditions, [label[m] for m in p.mechanisms],
                                    [label[c] for c in _children(codes, p.models["outcome_theme"])],
                                    [label[c] for c in _children(codes, p.phase_theme)],
                                    [label[c] for c in sorted(contrary, key=order.index)], words)


def fig_code_by_actor(i, p, w):
    """Heat map of codes by the speaker's actor type (adjusted residuals)."""
    codes = pd.read_parquet(i.codes)
    tests = pd.read_parquet(i.tests)
    rows = {c: lab for c, lab, leaf in zip(codes["code_id"], codes[f"label_{p.lang}"], codes["is_leaf"]) if leaf}
    cols = {k: v for k, v in ACTOR_LABELS[p.lang].items() if k != "none"}
    fdr = dict(zip(tests["code_id"], tests["p_fdr"] < p.fdr))
    words = p.words[p.lang]
    return draw_.residual_heatmap(pd.read_parquet(i.cells), rows, cols, words["columns"], words["scale"], fdr=fdr,
                                  cell_fdr=p.fdr, clip=p.clip)


def fig_cooccurrence_heatmap(i, p, w):
    """The segment-level c-coefficient of every pair of a co-production code (phase or mechanism) and a
    resilience outcome, the pairs that survive the FDR correction framed."""
    codes = pd.read_parquet(i.codes)
    label = code_labels(codes, p.lang)
    left = [c for theme in p.left_themes for c in _children(codes, theme)]
    right = _children(codes, p.models["outcome_theme"])
    pairs = pd.read_parquet(i.pairs).query("level == 'segment'")
    c = pd.DataFrame(0.0, index=left, columns=right)
    significant = pd.DataFrame(False, index=left, columns=right)
    for r in pairs.itertuples():
        for a, b in ((r.code_a, r.code_b), (r.code_b, r.code_a)):
            if a in c.index and b in c.columns:
                c.loc[a, b] = r.c
                significant.loc[a, b] = bool(r.p_fdr < p.fdr)
    names = {code: label[code] for code in left + right}
    words = {key: text.replace("{fdr}", f"{p.fdr}") for key, text in p.words[p.lang].items()}  # {rows} the figure fills
    # a row that co-occurs with no outcome would be a band of zeros: it is named beneath the plot instead
    # (unless every row is such), and the rows' axis names only the themes still drawn
    empty = (c.fillna(0).to_numpy() == 0).all(axis=1)
    if empty.any() and not empty.all():
        omitted = [names[code] for code in c.index[empty]]
        c, significant = c[~empty], significant[~empty]
        drawn = [theme for theme in p.left_themes if set(_children(codes, theme)) & set(c.index)]
        if len(drawn) < len(p.left_themes):
            words["left"] = "、".join(label.get(theme, theme) for theme in drawn)
    else:
        omitted = []
    return draw_.cooccurrence_heatmap(c.rename(index=names, columns=names), significant.rename(index=names, columns=names),
                                      words, omitted)


def fig_evidence(i, p, w):
    """One proposition's supporting and contrary evidence by station and by actor type."""
    claim = w.claim.upper()
    by_station = pd.read_parquet(i.by_station).query("claim == @claim").set_index("case_id")
    by_actor = pd.read_parquet(i.by_actor).query("claim == @claim").set_index("actor_type")
    return draw_.evidence_profile(by_station.sort_index(), by_actor, ACTOR_LABELS[p.lang], p.words[p.lang],
                                  each_station=lists_each_station(len(by_station), p.detail),
                                  title=hypothesis_label(claim, p.lang))


def fig_framework_matrix(i, p, w):
    """Heat map of the support share per station and proposition (named as the tables name it)."""
    matrix = pd.read_parquet(i.matrix).pivot(index="case_id", columns="proposition", values="support_share")
    matrix = matrix.rename(columns=lambda h: hypothesis_label(h, p.lang))  # 命题一（P1）, as the tables name it
    words = p.words[p.lang]
    if not lists_each_station(len(matrix), p.detail):  # too many stations for a row each: the distribution of each proposition's shares
        return draw_.distribution_panels({c: matrix[c].to_numpy(dtype=float) for c in matrix.columns}, words["scale"],
                                         words["stations"], (0.0, 1.0))
    return draw_.framework_heatmap(matrix, words["rows"], words["columns"], words["scale"])


def fig_mechanism_diagram(i, p, w):
    """The propositions' direct results -> the station's mechanisms -> outcomes: every link tested."""
    codes = pd.read_parquet(i.codes)
    label = code_labels(codes, p.lang)
    links = pd.read_parquet(i.links)
    # the first layer's sources, as rule mechanism_links made them: each proposition's direct result
    results = [s for s in dict.fromkeys(links["source"]) if s not in set(p.mechanisms)]
    outcomes = sorted(set(links["target"]) - set(p.mechanisms), key=list(codes["code_id"]).index)
    nodes = {"conditions": [(r, label.get(r, r)) for r in results], "mechanisms": [(m, label[m]) for m in p.mechanisms],
             "outcomes": [(o, label[o]) for o in outcomes]}
    return draw_.mechanism_diagram(nodes, links, p.words[p.lang])


def fig_pt_logodds(i, p, w):
    """The cumulative log-odds (decibans) of each hypothesis over its evidence; the legend names each
    hypothesis as the tables do (命题一（P1）, 机制（M）), then states it: a proposition by its configured
    label, any other (the mechanism, M) by the statement in the process-tracing evidence file."""
    evidence = load_yaml_text(Path(i.evidence).read_text(encoding="utf-8"))["hypotheses"]
    statements = {h: spec["statement"].get(p.lang) or spec["statement"]["zh"] for h, spec in evidence.items()}
    statements |= {h: spec["label"][p.lang] for h, spec in p.propositions.items()}
    return draw_.logodds_steps(pd.read_parquet(i.evidence_items), p.priors,
                               {h: (hypothesis_label(h, p.lang), text) for h, text in statements.items()},
                               p.words[p.lang])


def fig_qca_xy(i, p, w):
    """XY plot of the (first) intermediate solution against the outcome."""
    result = read_json(i.solutions)
    data = pd.read_parquet(i.calibrated)
    conditions, outcome = result["conditions"], result["outcome"]
    models = result["solutions"]["intermediate"]
    label = read_code_labels(i.codes, p.lang)
    fill = {"outcome": label.get(outcome, outcome), "n_cases": result["status"]["n_cases"],
            "min_cases": result["status"]["min_cases"]}
    words = {key: text.format(**fill) for key, text in p.words[p.lang].items()}
    if not models:
        return draw_.qca_xy(np.array([]), np.array([]), [], None, words)
    terms = [parse_term(t["term"], conditions) for t in models[0]["terms"]]
    solution = np.max([term_membership(data, conditions, t) for t in terms], axis=0)
    return draw_.qca_xy(solution, data[outcome].to_numpy(), list(data["case"]), models[0], words, p.detail)


#: The colour of each stage of the workflow in the rule graph. "figures" holds the rules made from the
#: registry in a loop (workflow/rules/report.smk), which no ``rule <name>:`` line names.
STAGE_COLOURS = {"ingest": "#dbe6f0", "coding": "#d9ecd3", "reliability": "#efe6c4", "mechanisms": "#f4dcc2",
                 "figures": "#e6d6ec", "paper": "#f0d3d3", "Snakefile": "#d6d6d6"}
#: A stage file whose rules the rule graph shows with another stage's colour.
STAGE_OF_FILE = {"report": "figures", "gate": "paper"}


def fig_rulegraph(i, p, w):
    """The workflow's rules as a figure, from ``snakemake --rulegraph``: each rule the registry makes
    (``fig_*``, ``table_*``, ``numbers_*``) folded into one node per kind, which says how many it holds."""
    nodes, edges = parse_rulegraph(Path(i.dot).read_text(encoding="utf-8"))
    stages = {rule: STAGE_OF_FILE.get(stage, stage) for rule, stage in rule_stages(i.rules).items()}
    generated = [rule for rule in nodes.values() if rule not in stages]
    kinds = {rule: rule.split("_")[0] for rule in generated}
    counts = {kind: list(kinds.values()).count(kind) for kind in kinds.values()}
    folded = {rule: p.words[p.lang]["group"].format(prefix=kind, n=counts[kind]) for rule, kind in kinds.items()}
    stages |= {name: "figures" for name in folded.values()}
    return draw_.rule_graph({key: folded.get(rule, rule) for key, rule in nodes.items()}, edges, stages, STAGE_COLOURS,
                            p.words[p.lang])


def fig_saturation(i, p, w):
    """The pooled saturation curve (cumulative codes and new information per run)."""
    curve = pd.read_parquet(i.curve).query("scope == 'pooled'")
    runs = pd.read_parquet(i.runs).query("scope == 'pooled'")
    result = pd.read_parquet(i.summary).query("scope == 'pooled'").iloc[0].to_dict()
    return draw_.saturation_curve(curve, runs, result, p.words[p.lang])


def fig_station_themes(i, p, w):
    """Coded segments per theme in each station: one small panel per theme, on a shared scale."""
    import matplotlib.ticker
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
    cols = min(4, len(names))
    rows_of_panels = -(-len(names) // cols)
    figure = Figure(figsize=(6.2, rows_of_panels * (0.2 * len(stations) + 0.75) + 0.5))
    axes = figure.subplots(rows_of_panels, cols, sharey=True, squeeze=False)
    top = float(themes["n_segments"].max()) * 1.05
    for ax, code in zip(axes.flat, names):
        rows = themes[themes["code_id"] == code].set_index("case_id").reindex(stations)
        ax.barh(range(len(stations)), rows["n_segments"].fillna(0), color="#4c72b0")
        ax.set_title(rows[f"label_{p.lang}"].dropna().iloc[0], fontsize=8.5)
        ax.set_xlim(0, top)  # one scale for every panel
        ax.tick_params(axis="x", labelsize=7.5)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(3, integer=True))
    for ax in axes.flat[len(names):]:
        ax.set_visible(False)
    axes[0][0].invert_yaxis()  # the first station on top; the panels share the axis
    for row in axes:
        row[0].set_yticks(range(len(stations)), stations, fontsize=7.5)
    figure.supylabel(words["station"], fontsize=8.5)
    figure.supxlabel(words["segments"], fontsize=8.5)
    figure.tight_layout()
    return figure


def fig_theme_frequencies(i, p, w):
    """Ranked bar chart of coded segments per theme."""
    return draw_.theme_frequency_bars(pd.read_parquet(i.frequencies), f"label_{p.lang}",
                                      p.words[p.lang]["xlabel"])


#: Every figure function, by its name (``fig_`` and the name ``workflow/report.yaml`` declares it under).
FIGURES = {name: fn for name, fn in dict(globals()).items() if name.startswith("fig_") and callable(fn)}


#: The stamp on every figure drawn from synthetic data (a figure whose registry entry takes the
#: setting ``synthetic: study.synthetic_data``, while it is true).
SYNTHETIC_MARK = {"zh": "合成数据 · 仅作方法示范", "en": "Synthetic data · illustration only"}


def make(name: str, i, p, w):
    """The figure of function ``name`` for one job, stamped :data:`SYNTHETIC_MARK` when its data are synthetic."""
    draw_.use_cjk_font()
    figure = FIGURES[name](i, p, w)
    if getattr(p, "synthetic", False):
        draw_.mark_synthetic(figure, SYNTHETIC_MARK[p.lang])
    return figure


def draw(name: str, i, p, w, output: str) -> None:
    """Draw the figure of function ``name`` for one job (:func:`make`) and save it to ``output`` (PNG at
    ``p.dpi``, no timestamp)."""
    import matplotlib.pyplot as plt

    figure = make(name, i, p, w)
    try:
        figure.savefig(output, dpi=p.dpi, metadata={"Software": None})
    finally:
        plt.close(figure)
