"""The tables the book shows, one function per entry of ``workflow/report.yaml``, and :data:`TABLES`,
the registry from an entry's name to its function.

Each function takes the job's input files (``i``), its parameters (``p``) and wildcards (``w``)
and returns ``{table name: display frame}``; :func:`write` writes each as Markdown for the book
and CSV for readers (``results/tables/<table>.md`` and ``.csv``). The display frames come from
:mod:`analysis.report.tables`.
"""

from __future__ import annotations


import pandas as pd
import yaml

from analysis.inputs.io import read_code_labels, read_json
from analysis.methods.codebook import code_labels
from analysis.methods.saturation import describe
from analysis.report import tables as show
from analysis.report.labels import ACTOR_LABELS, HEADERS, WORDS


def table_context(i, p, w):
    """The public context facts with their sources."""
    return {"context_facts": show.context_table(pd.read_parquet(i.context), p.lang)}


def table_code_frequencies(i, p, w):
    """The code frequency table."""
    table = show.code_frequency_table(pd.read_parquet(i.frequencies), p.lang)
    return {"code_frequencies": show.brief(table, drop=[HEADERS[p.lang]["code_id"]])}  # the ids: in the CSV and the codebook


def _view(p) -> show.StationView:
    """How this job's tables show per-station measures (the configuration's ``report`` section)."""
    return show.StationView(p.detail, p.top_k, p.lang)


def table_station_themes(i, p, w):
    """Coded segments per theme in each station (a large study: their distribution over the stations)."""
    full = show.station_theme_table(pd.read_parquet(i.by_station), p.lang)
    return {"station_themes": _view(p).per_station(full, full.set_index(full.columns[0]).astype(float), digits=None)}


def table_code_by_category(i, p, w):
    """Each code's test of independence from the speaker's actor type or the phase (the book: the codes
    that were tested; the CSV: every code)."""
    codes, tests, cells = pd.read_parquet(i.codes), pd.read_parquet(i.tests), pd.read_parquet(i.cells)
    categories = ACTOR_LABELS[p.lang] if w.category == "actor" else code_labels(codes, p.lang)
    table = show.cross_tab_table(tests, cells, codes, categories, p.lang, p.fdr)
    # the CSV: each code's test, then each category's observed count, permutation z and corrected p
    wide = cells.pivot(index="code_id", columns="category", values=["observed", "perm_z", "p_fdr"])
    wide.columns = [f"{value}_{category}" for value, category in wide.columns]
    data = tests.merge(wide.reset_index(), on="code_id", how="left")
    return {f"code_by_{w.category}": show.with_data(show.cross_tab_book(table, tests, p.lang), data,
                                                    code_labels(codes, p.lang))}


def table_reliability(i, p, w):
    """Per-code agreement with bootstrap intervals (the book: alpha's interval only)."""
    per_code = pd.read_parquet(i.per_code)
    return {"reliability": show.with_data(show.reliability_book_table(per_code, pd.read_parquet(i.codes), p.lang),
                                          per_code, read_code_labels(i.codes, p.lang))}


def table_disagreements(i, p, w):
    """Where the coders differed, per code."""
    table = pd.read_csv(i.table, keep_default_na=False, dtype={"other_codes_there": str})
    return {"disagreements": show.brief(show.disagreement_table(table, pd.read_parquet(i.codes), p.lang),
                                        drop=[HEADERS[p.lang]["code_id"]])}


def table_saturation(i, p, w):
    """Saturation pooled and per station."""
    summary = pd.read_parquet(i.summary)
    sentences = [describe(row, p.lang) for row in summary.to_dict("records")]
    full = show.saturation_table(summary, sentences, p.lang)
    view = _view(p)
    n_stations = int((summary["scope"] != "pooled").sum())
    if view.lists(n_stations):
        return {"saturation": full}
    return {"saturation": show.Shown(full, show.saturation_summary_table(summary, sentences, p.lang))}


def table_framework_matrix(i, p, w):
    """Stations x propositions evidence table (a large study: the support shares' distribution)."""
    matrix = pd.read_parquet(i.matrix)
    full = show.framework_table(matrix, p.propositions, p.lang)
    shares = matrix.pivot(index="case_id", columns="proposition", values="support_share")
    shares.columns = [WORDS[p.lang]["share_of"].format(label=show.proposition_heading(c, p.propositions[c]["label"][p.lang], p.lang))
                      for c in shares.columns]
    return {"framework_matrix": _view(p).per_station(full, shares)}


def table_codebook(i, p, w):
    """The full codebook for the appendix."""
    with open(i.codebook, encoding="utf-8") as src:
        codebook = yaml.safe_load(src)
    codes = pd.read_parquet(i.codes)
    return {"codebook": show.Shown(show.codebook_table(codes, codebook, p.lang),
                                   show.codebook_book_table(codes, codebook, p.lang))}


def table_evidence(i, p, w):
    """Evidence matrices: one per proposition, the mechanisms, and by station."""
    label = read_code_labels(i.codes, p.lang)
    by_actor = pd.read_parquet(i.by_actor)
    out = {f"evidence_{prop.lower()}": show.evidence_table(by_actor, prop, "actor_type", ACTOR_LABELS[p.lang], p.lang)
           for prop in p.propositions}
    pooled = pd.read_parquet(i.pooled)
    mech = pooled[pooled["kind"] == "mechanism"].assign(scope=lambda f: f["claim"])
    mech = mech.set_index("claim").loc[[m for m in p.mechanisms if m in set(mech["claim"])]].reset_index()  # the book's order
    marked = show.mark_unreliable(label, pd.read_parquet(i.reliability))
    out["evidence_mechanisms"] = show.evidence_table(mech.assign(claim="m"), "m", "scope", marked, p.lang)
    claims = {c: show.hypothesis_label(c, p.lang) for c in p.propositions} | {m: label[m] for m in p.mechanisms}
    by_station = pd.read_parquet(i.by_station)
    shares = by_station.pivot(index="case_id", columns="claim", values="support_share")[list(claims)]
    shares.columns = [WORDS[p.lang]["share_of"].format(label=claims[c]) for c in shares.columns]
    out["evidence_by_station"] = _view(p).per_station(show.evidence_station_table(by_station, claims, p.lang), shares)
    return out


def table_reliability_sensitivity(i, p, w):
    """Each proposition's and mechanism's evidence, and the QCA's solution, with and without the codes of low
    reliability."""
    claims, labels = pd.read_parquet(i.claims), read_code_labels(i.codes, p.lang)
    result = read_json(i.qca)
    return {"reliability_sensitivity": show.with_data(show.reliability_sensitivity_table(claims, labels, p.lang),
                                                      claims, labels, ids=("claim",)),
            "reliability_sensitivity_qca": show.reliability_sensitivity_qca_table(result, labels, p.lang)}


def table_cooccurrence(i, p, w):
    """The strongest co-occurrences, with both levels' tests."""
    pairs, labels = pd.read_parquet(i.pairs), read_code_labels(i.codes, p.lang)
    return {"cooccurrence": show.with_data(show.cooccurrence_table(pairs, labels, p.lang, p.top, p.fdr), pairs, labels,
                                           ids=("code_a", "code_b"))}


def table_models(i, p, w):
    """Odds ratios of the clustered models (the outcome models: the book shows the tested coefficients
    whose interval can be read, the CSV every coefficient)."""
    label = read_code_labels(i.codes, p.lang) | {"supportive": WORDS[p.lang]["supportive"]}
    marked = show.mark_unreliable(label, pd.read_parquet(i.reliability))
    outcomes, link = pd.read_parquet(i.outcomes), pd.read_parquet(i.link)
    book = show.model_book_table(outcomes, marked, p.lang, p.max_interval_ratio)
    # a reference every row shares is said once, in the table's note (numbers: models_reference), not in a column
    book = show.Shown(book.full, show.without_constant_reference(book.shown, outcomes, p.lang))
    linked = show.model_table(link, label, p.lang)
    return {"outcome_models": show.with_data(book, outcomes, label),
            "mechanism_link_model": show.with_data(show.without_constant_reference(linked, link, p.lang), link, label)}


def table_qca(i, p, w):
    """Calibration, necessity, truth table and solutions, every set by its code's label."""
    result = read_json(i.solutions)
    labels = read_code_labels(i.codes, p.lang)
    raw, calibrated, truth = pd.read_parquet(i.raw), pd.read_parquet(i.calibrated), pd.read_parquet(i.truth_table)
    view = _view(p)
    memberships = calibrated.set_index("case")
    memberships.columns = [WORDS[p.lang]["membership"].format(col=show.qca_expression(c, labels, p.lang))
                           for c in memberships.columns]
    truth_table = show.qca_truth_table(truth, result["conditions"], p.lang, labels=labels)
    if not view.lists(len(calibrated)):
        truth_table = show.Shown(truth_table, show.qca_truth_table(truth, result["conditions"], p.lang, p.top_k, labels))
    calibration = show.qca_calibration_book(raw, calibrated, labels, p.lang)
    if not view.lists(len(calibrated)):
        calibration = view.per_station(calibration.full, memberships)
    necessity, robustness = pd.read_parquet(i.necessity), pd.read_parquet(i.robustness)
    scores = raw.merge(calibrated, on="case", how="left", suffixes=("_raw", "_membership"))
    return {"qca_calibration": show.with_data(calibration, scores),
            "qca_necessity": show.with_data(show.qca_necessity_table(necessity, labels, p.lang), necessity),
            "qca_truth_table": show.with_data(truth_table, truth),
            "qca_solutions": show.qca_solution_table(result["solutions"], p.lang, labels),
            "qca_robustness": show.with_data(show.qca_robustness_table(robustness, labels, p.lang), robustness),
            "qca_anchors": show.qca_anchor_table(p.anchors, p.conditions, result["outcome"], labels, p.lang)}


def table_process_tracing(i, p, w):
    """The evidence items (as designed, and what the coding showed) and the sensitivity of the posteriors."""
    items = show.pt_item_views(pd.read_parquet(i.evidence_items), p.lang, read_code_labels(i.codes, p.lang))
    sensitivity, influence = pd.read_parquet(i.sensitivity), pd.read_parquet(i.influence)
    return {**items,
            "pt_sensitivity": show.with_data(show.pt_sensitivity_table(sensitivity, p.lang), sensitivity),
            "pt_influence": show.with_data(show.pt_influence_table(influence, p.lang), influence)}


#: Every table function, by its name (``table_`` and the name ``workflow/report.yaml`` declares it under).
TABLES = {name: fn for name, fn in dict(globals()).items() if name.startswith("table_") and callable(fn)}


def write(name: str, i, p, w, output) -> None:
    """Make the tables of function ``name`` for one job and write each to its outputs ``results/tables/<table>.md``
    and ``.csv``."""
    from pathlib import Path

    made = TABLES[name](i, p, w)
    paths = {Path(path).stem: str(path)[: -len(Path(path).suffix)] for path in output}
    if set(made) != set(paths):
        raise ValueError(f"{name} made the tables {sorted(made)}, the registry declares {sorted(paths)}")
    for table, frame in made.items():
        show.write_table(frame, paths[table] + ".md", paths[table] + ".csv")
