"""Chinese text in figures: a CJK font is found, or the build stops with a clear message."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

from analysis.report.figures import FontMissingError, find_cjk_font, theme_frequency_bars, use_cjk_font


def test_a_cjk_font_is_installed_and_draws_the_study_vocabulary():
    family, path = find_cjk_font()
    font = FT2Font(path)
    assert all(font.get_char_index(ord(ch)) for ch in "社区韧性合作生产禾计划")


def test_no_font_stops_with_a_clear_message():
    # a machine whose only font is matplotlib's own DejaVu Sans, which has no Chinese
    latin_only = [f for f in font_manager.fontManager.ttflist if f.name == "DejaVu Sans"]
    assert latin_only
    with pytest.raises(FontMissingError, match="fonts-noto-cjk"):
        find_cjk_font(entries=latin_only)


def test_figure_text_uses_the_cjk_font(tmp_path):
    family = use_cjk_font()
    freq = pd.DataFrame({"depth": [0, 0], "label_zh": ["社区韧性", "制度框架"], "n_segments": [5, 3]})
    fig = theme_frequency_bars(freq)
    labels = fig.axes[0].get_yticklabels()
    assert {t.get_text() for t in labels} == {"社区韧性", "制度框架"}
    assert all(t.get_fontname() == family for t in labels)
    fig.savefig(tmp_path / "f.png")
    assert (tmp_path / "f.png").stat().st_size > 1000


def test_a_character_the_font_lacks_is_an_error_not_a_box(tmp_path):
    import matplotlib.pyplot as plt

    use_cjk_font()
    fig, ax = plt.subplots()
    ax.set_title("社区\U000f0000")  # a private-use character that no installed font draws
    with pytest.raises(UserWarning, match="missing from font"):
        fig.savefig(tmp_path / "g.png")
    plt.close(fig)


# ---------------------------------------------------------------------------------------------------
# Every figure the book shows, drawn by its registry entry from demo-sized inputs and checked for
# text a reader cannot read at the width the book prints it.

import json  # noqa: E402
import re  # noqa: E402
from pathlib import Path  # noqa: E402
from types import SimpleNamespace  # noqa: E402

import numpy as np  # noqa: E402
import yaml  # noqa: E402

from analysis.inputs.provenance import rule_stages  # noqa: E402
from analysis.report import figure_jobs  # noqa: E402
from analysis.report.figures import BOOK_TEXT_WIDTH_IN, text_problems  # noqa: E402
from analysis.report.labels import ACTOR_LABELS  # noqa: E402
from analysis.report.registry import Registry  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
STATIONS = [f"S{k:02d}" for k in range(1, 16)]  # the demo's fifteen stations
#: ``{figure} ../results/figures/<name>.png`` with its ``:width:``, in every chapter.
FIGURE_DIRECTIVE = re.compile(r"\{figure\} \.\./results/figures/(\w+)\.png\n(?::name: .*\n)?:width: (\d+)%")


def book_figures() -> dict[str, float]:
    """Each figure the book shows and the width it is printed at, in inches."""
    found = {}
    for chapter in sorted((ROOT / "paper").glob("*.md")):
        for name, width in FIGURE_DIRECTIVE.findall(chapter.read_text(encoding="utf-8")):
            found[name] = int(width) / 100 * BOOK_TEXT_WIDTH_IN
    return found


def registry_jobs() -> dict[str, tuple]:
    """Each figure output of the registry: (entry, wildcards)."""
    jobs = {}
    for entry in Registry(ROOT, CONFIG).figures:
        wildcard, values = entry.each
        for value in values:
            name = entry.name.replace(f"{{{wildcard}}}", value) if wildcard else entry.name
            jobs[name] = (entry, {wildcard: value} if wildcard else {})
    return jobs


def _rulegraph_dot() -> str:
    """A rule graph with the workflow's own rule names: the rules its files define and the rules the
    registry makes, joined stage by stage as the real workflow joins them."""
    files = [str(ROOT / "Snakefile"), *sorted(str(p) for p in (ROOT / "workflow/rules").glob("*.smk"))]
    stages = rule_stages(files)
    made = [e.function for kind in ("figures", "tables", "numbers")
            for e in getattr(Registry(ROOT, CONFIG), kind) if e.generated]
    ingest = [r for r, s in stages.items() if s == "ingest" and r != "corpus"]
    analyses = [r for r, s in stages.items() if s in ("coding", "reliability", "mechanisms")]
    edges = [(r, "corpus") for r in ingest] + [("corpus", r) for r in analyses]
    edges += [(a, m) for k, a in enumerate(analyses) for m in made[k % 4::4]] + [(m, "book") for m in made]
    edges += [("book", "leak_gate"), ("leak_gate", "all"), ("ingest_codebook", made[0])]
    names = sorted({n for e in edges for n in e})
    ids = {n: str(k) for k, n in enumerate(names)}
    lines = [f'\t{ids[n]}[label = "{n}", color = "0 0 0"];' for n in names]
    lines += [f"\t{ids[a]} -> {ids[b]}" for a, b in edges]
    return "digraph snakemake_dag {\n" + "\n".join(lines) + "\n}\n"


def write_demo_inputs(root: Path, rng: np.random.Generator) -> None:
    """Every input a figure reads, at the demo's size (fifteen stations, the project's own codebook),
    with made-up values: the figures' layout depends on how many labels and how long, not on the data."""
    from analysis.inputs.schemas import load_schemas
    from analysis.inputs.validate import checked_codebook
    from analysis.methods.codebook import codebook_frame

    def out(path: str) -> Path:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        return root / path

    codes = codebook_frame(checked_codebook(ROOT / CONFIG["paths"]["codebook"], load_schemas(ROOT / "workflow/schemas")))
    codes.to_parquet(out("results/ingest/codes.parquet"), index=False)
    leaves = codes[codes["is_leaf"]]
    themes = codes[codes["depth"] == 0]
    frequencies = codes.assign(n_segments=rng.integers(50, 450, len(codes)))
    frequencies.to_parquet(out("results/coding/code_frequencies.parquet"), index=False)
    pd.DataFrame([{**t, "case_id": s, "n_segments": int(rng.integers(5, 75))} for t in themes.to_dict("records")
                  for s in STATIONS]).to_parquet(out("results/coding/code_frequencies_by_station.parquet"), index=False)
    actors = [a for a in ACTOR_LABELS["zh"] if a != "none"]
    cells = pd.DataFrame([{"code_id": c, "category": a, "perm_z": rng.normal(0, 2.5), "row_share": rng.uniform(0.02, 0.6),
                           "p_fdr": rng.uniform(0, 0.2)} for c in leaves["code_id"] for a in actors])
    cells.to_parquet(out("results/coding/code_by_actor_cells.parquet"), index=False)
    pd.DataFrame({"code_id": leaves["code_id"], "p_fdr": rng.uniform(0, 0.1, len(leaves))}).to_parquet(
        out("results/coding/code_by_actor_tests.parquet"), index=False)
    alpha = rng.uniform(0.55, 0.99, len(leaves))
    pd.DataFrame({"code_id": leaves["code_id"], "krippendorff_alpha": alpha, "krippendorff_alpha_lo": alpha - 0.15,
                  "krippendorff_alpha_hi": np.minimum(alpha + 0.1, 1.0)}).to_parquet(
        out("results/reliability/per_code.parquet"), index=False)
    out("results/reliability/overall.json").write_text(json.dumps(
        {"krippendorff_alpha": 0.86, "krippendorff_alpha_lo": 0.83, "krippendorff_alpha_hi": 0.89}), encoding="utf-8")
    write_saturation(root, new_codes=[])
    pd.DataFrame([{"case_id": s, "proposition": p, "support_share": rng.uniform(0.2, 0.8)} for s in STATIONS
                  for p in CONFIG["propositions"]]).to_parquet(out("results/mechanisms/framework_matrix.parquet"), index=False)
    ids = list(leaves["code_id"])
    pairs = [{"code_a": a, "code_b": b, "n_ab": int(rng.integers(0, 4)), "c": 0.0, "p_fdr": rng.uniform(0, 1) ** 3,
              "level": "segment"} for k, a in enumerate(ids) for b in ids[k + 1:]]
    pairs = pd.DataFrame(pairs).assign(c=lambda d: np.where(d["n_ab"] > 0, rng.uniform(0.01, 0.12, len(d)), 0.0))
    pairs.to_parquet(out("results/mechanisms/cooccurrence.parquet"), index=False)
    conditions = list(CONFIG["qca"]["conditions"])
    outcome = CONFIG["qca"]["outcome"]
    out("results/mechanisms/qca_solutions.json").write_text(json.dumps({
        "conditions": conditions, "outcome": outcome, "status": {"n_cases": len(STATIONS), "min_cases": 6},
        "solutions": {"intermediate": [{"incl": 0.947, "cov": 0.771, "terms": [{"term": "inst*cap"}, {"term": "inst*inc"}]}]},
    }), encoding="utf-8")
    # stations in tight clusters, as the demo's are, so that their names must be placed apart
    centres = rng.uniform(0.05, 0.95, (5, 2))
    spots = centres[np.arange(len(STATIONS)) % 5] + rng.normal(0, 0.015, (len(STATIONS), 2))
    calibrated = pd.DataFrame({"case": STATIONS, **{c: np.clip(spots[:, 0], 0, 1) for c in conditions},
                               outcome: np.clip(spots[:, 1], 0, 1)})
    calibrated.to_parquet(out("results/mechanisms/qca_calibrated.parquet"), index=False)
    # the hypotheses' last steps end at nearly the same point, where their ids would overprint
    pd.DataFrame({"hypothesis": ["P1"] * 4 + ["P2"] * 3 + ["P3"] * 3 + ["M"] * 3,
                  "cumulative_decibans": [0, 0, 8.5, 5.4, 0, 2.2, 2.3, 2.1, 2.1, -2.0, 0, 0, 2.3]}).to_parquet(
        out("results/mechanisms/pt_items.parquet"), index=False)
    links = [{"source": spec["outcome"], "target": m} for spec in CONFIG["propositions"].values() for m in CONFIG["mechanisms"]]
    links += [{"source": m, "target": r} for m in CONFIG["mechanisms"] for r in _children(codes, CONFIG["models"]["outcome_theme"])]
    links = pd.DataFrame(links).assign(weight=rng.uniform(0, 0.1, len(links)), supported=False, p_fdr=0.5, n_codes=1)
    links.loc[[1, 14], ["supported", "p_fdr"]] = [True, 0.01]
    links.to_parquet(out("results/mechanisms/mechanism_links.parquet"), index=False)
    evidence = [{"claim": p, "case_id": s, "n_support": int(rng.integers(2, 20)), "n_contrary": int(rng.integers(2, 20))}
                for p in CONFIG["propositions"] for s in STATIONS]
    pd.DataFrame(evidence).assign(support_share=lambda d: d["n_support"] / (d["n_support"] + d["n_contrary"])).to_parquet(
        out("results/mechanisms/evidence_by_station.parquet"), index=False)
    pd.DataFrame([{"claim": p, "actor_type": a, "n_support": int(rng.integers(2, 60)), "n_contrary": int(rng.integers(2, 60))}
                  for p in CONFIG["propositions"] for a in ACTOR_LABELS["zh"]]).to_parquet(
        out("results/mechanisms/evidence_by_actor.parquet"), index=False)
    out("results/provenance/rulegraph.dot").write_text(_rulegraph_dot(), encoding="utf-8")


def _children(codes: pd.DataFrame, theme: str) -> list[str]:
    return list(codes.loc[codes["is_leaf"] & (codes["theme"] == theme), "code_id"])


def write_saturation(root: Path, new_codes: list[int], interviews: int = 90, base: int = 4, run: int = 2) -> None:
    """The pooled saturation curve: 31 codes in the base, then ``new_codes[k]`` new ones in run k."""
    curve = pd.DataFrame({"position": range(1, interviews + 1), "scope": "pooled"})
    curve["cumulative"] = np.minimum(16 + 5 * np.arange(interviews), 31)
    firsts = list(range(base + 1, interviews - run + 2))
    new = [new_codes[k] if k < len(new_codes) else 0 for k in range(len(firsts))]
    curve["cumulative"] += np.cumsum([0] * base + [sum(new[:k + 1]) - sum(new[:k]) if k < len(new) else 0
                                                    for k in range(interviews - base)])
    runs = pd.DataFrame({"first": firsts, "last": [f + run - 1 for f in firsts], "share_new": [n / 31 for n in new],
                         "scope": "pooled"})
    summary = pd.DataFrame([{"scope": "pooled", "base": base, "threshold": 0.05, "reached": True, "point": base}])
    (root / "results/coding").mkdir(parents=True, exist_ok=True)
    curve.to_parquet(root / "results/coding/saturation_curve.parquet", index=False)
    runs.to_parquet(root / "results/coding/saturation_runs.parquet", index=False)
    summary.to_parquet(root / "results/coding/saturation.parquet", index=False)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("figures")
    write_demo_inputs(root, np.random.default_rng(20221015))
    return root


def draw_figure(name: str, root: Path, **settings):
    """The figure ``name`` as the book's build draws it (stamp included), from the inputs under ``root``
    (an input the fixture does not write, such as the process-tracing evidence, is the project's own)."""
    entry, wildcards = registry_jobs()[name]
    files = {}
    for key, value in entry.inputs(ROOT).items():
        paths = [p if Path(p).is_absolute() else str(root / p if (root / p).exists() else ROOT / p)
                 for p in (value if isinstance(value, list) else [value])]
        files[key] = paths if isinstance(value, list) else paths[0]
    params = SimpleNamespace(lang=CONFIG["labels"], dpi=CONFIG["figures"]["dpi"], words=entry.spec["words"],
                             **{**entry.params(), **settings})
    return figure_jobs.make(entry.function, SimpleNamespace(**files), params, SimpleNamespace(**wildcards))


def test_the_book_shows_every_registered_figure_and_no_other():
    assert set(book_figures()) == set(registry_jobs())


@pytest.mark.parametrize("name", sorted(book_figures()))
def test_no_text_of_a_book_figure_overlaps_or_is_too_small_at_its_printed_width(name, demo):
    import matplotlib.pyplot as plt

    figure = draw_figure(name, demo)
    try:
        assert text_problems(figure, book_figures()[name]) == []
    finally:
        plt.close(figure)


@pytest.mark.parametrize("name", sorted(n for n, (entry, _) in registry_jobs().items()
                                         if "detail" in entry.spec.get("settings", {}) and n in book_figures()))
def test_the_large_study_view_of_a_figure_is_readable_too(name, demo):
    import matplotlib.pyplot as plt

    # past report.station_detail stations a figure shows distributions instead of a row per station
    figure = draw_figure(name, demo, detail=2, top_k=2)
    try:
        assert text_problems(figure, book_figures()[name]) == []
    finally:
        plt.close(figure)


def test_the_check_finds_overprinted_and_tiny_text():
    import matplotlib.pyplot as plt

    # the old process-tracing plot's kind of fault: two end labels at one point, set in a figure
    # twice as wide as the column it is printed in
    fig, ax = plt.subplots(figsize=(12, 4))
    ax.plot([0, 3], [0, 2.3])
    ax.annotate("P2", (3, 2.3), xytext=(4, 0), textcoords="offset points", fontsize=8)
    ax.annotate("M", (3, 2.25), xytext=(4, 0), textcoords="offset points", fontsize=8)
    problems = text_problems(fig, BOOK_TEXT_WIDTH_IN)
    plt.close(fig)
    assert any(p.startswith("overlap: 'P2' and 'M'") for p in problems)
    assert any(p.startswith("too small: 'P2' is 4.0 pt") for p in problems)


def _texts(figure) -> list[str]:
    from matplotlib.text import Text

    return [t.get_text() for t in figure.findobj(Text) if t.get_visible() and t.get_text()]


def test_every_figure_from_synthetic_data_is_stamped_and_the_others_are_not(demo):
    import matplotlib.pyplot as plt

    mark = figure_jobs.SYNTHETIC_MARK[CONFIG["labels"]]
    unstamped = {name for name, (entry, _) in registry_jobs().items() if "synthetic" not in entry.spec.get("settings", {})}
    assert unstamped == {"analytic_framework", "rulegraph"}  # drawn from the configuration and the workflow, not data
    for name in ["saturation", "rulegraph", "analytic_framework", "evidence_p2"]:
        figure = draw_figure(name, demo, **({} if name in unstamped else {"synthetic": True}))
        assert (mark in _texts(figure)) == (name not in unstamped), name
        plt.close(figure)
    figure = draw_figure("saturation", demo, synthetic=False)  # a real study's figure carries no stamp
    assert mark not in _texts(figure)
    plt.close(figure)


def test_saturation_without_new_information_says_so_and_draws_no_empty_axis(demo, tmp_path):
    import matplotlib.pyplot as plt

    figure = draw_figure("saturation", demo, synthetic=False)
    assert len(figure.axes) == 1
    assert any("没有出现新编码" in t for t in _texts(figure))
    plt.close(figure)
    write_saturation(tmp_path, new_codes=[3, 1])
    figure = draw_figure("saturation", tmp_path, synthetic=False)
    assert len(figure.axes) == 2  # the runs' shares of new information on their own axis
    assert max(bar.get_height() for bar in figure.axes[1].patches) == pytest.approx(3 / 31)
    assert not any("没有出现新编码" in t for t in _texts(figure))
    plt.close(figure)


def test_the_cooccurrence_heatmap_frames_exactly_the_significant_pairs(demo):
    import matplotlib.pyplot as plt

    pairs = pd.read_parquet(demo / "results/mechanisms/cooccurrence.parquet")
    codes = pd.read_parquet(demo / "results/ingest/codes.parquet")
    left = {c for t in ("phase", "mech") for c in _children(codes, t)}
    right = set(_children(codes, "res"))
    between = pairs[(pairs["code_a"].isin(left) & pairs["code_b"].isin(right))
                    | (pairs["code_b"].isin(left) & pairs["code_a"].isin(right))]
    figure = draw_figure("cooccurrence_heatmap", demo)
    frames = [p for p in figure.axes[0].patches if not p.get_fill()]
    assert len(frames) == int((between["p_fdr"] < CONFIG["cooccurrence"]["fdr"]).sum()) > 0
    # every pair has its value written, but for the rows that co-occur with no outcome: those are named
    together = set(between.loc[between["n_ab"] > 0, "code_a"]) | set(between.loc[between["n_ab"] > 0, "code_b"])
    drawn = left & together
    assert len(figure.axes[0].texts) == len(drawn) * len(right)
    note = [t.get_text() for t in figure.texts if t.get_text().startswith("未画出")]
    labels = dict(zip(codes["code_id"], codes["label_zh"]))
    assert all(labels[c] in note[0] for c in left - drawn) if left - drawn else not note
    plt.close(figure)


def test_the_mechanism_diagram_shows_every_tested_link_frames_the_supported_and_counts_them(demo):
    import matplotlib.pyplot as plt

    figure = draw_figure("mechanism_diagram", demo)
    grids = [ax for ax in figure.axes if ax.get_title()]
    assert [len(ax.texts) for ax in grids] == [12, 20]  # a cell for each of the 32 links, supported or not
    framed = [patch for ax in grids for patch in ax.patches if patch.get_edgecolor()[:3] != (0, 0, 0)]
    assert len(framed) == 2  # the fixture supports two of the 32 links
    assert sum("p=.010" in t.get_text() for ax in grids for t in ax.texts) == 2
    note = " ".join(_texts(figure))
    assert "检验 12 条联系，1 条获支持" in note and "检验 20 条联系，1 条获支持" in note
    plt.close(figure)


@pytest.mark.parametrize("name", ["analytic_framework"])
def test_every_arrowhead_is_drawn_above_the_boxes_and_ends_at_an_edge(demo, name):
    """An arrow is cut at its boxes' edges as the boxes stand when it is drawn; a box drawn after the
    arrow (a higher zorder) has not yet been placed, so the saved image showed the mechanism diagram's
    one arrow running into its box, the head hidden beneath it."""
    import matplotlib.pyplot as plt

    figure = draw_figure(name, demo)
    figure.canvas.draw()
    ax = figure.axes[0]
    boxes = {id(t.get_bbox_patch()): t for t in ax.texts if t.get_bbox_patch() is not None}
    annotations = [t for t in ax.texts if getattr(t, "arrow_patch", None) is not None]
    assert annotations
    drawn = {id(a): n for n, a in enumerate(sorted(ax.get_children(), key=lambda a: a.get_zorder()))}  # as Axes.draw orders them
    for annotation in annotations:
        arrow = annotation.arrow_patch
        for end in (arrow.patchA, arrow.patchB):
            box = boxes[id(end)]
            assert drawn[id(annotation)] > drawn[id(box)], f"the arrow at '{box.get_text()}' is drawn before its box"
        shaft, _ = arrow._get_path_in_displaycoord()  # the shaft's last point is the head's tip
        tip = shaft[0].vertices[-1]
        target = boxes[id(arrow.patchB)].get_bbox_patch().get_window_extent()
        assert not (target.x0 + 1 < tip[0] < target.x1 - 1 and target.y0 + 1 < tip[1] < target.y1 - 1), \
            f"an arrowhead ends inside the box '{boxes[id(arrow.patchB)].get_text()}'"
        assert target.padded(6).contains(*tip), "an arrowhead stops short of its box"
    plt.close(figure)


def test_the_process_tracing_panels_name_every_hypothesis_in_full(demo):
    import matplotlib.pyplot as plt

    figure = draw_figure("pt_logodds", demo)
    shown = [ax for ax in figure.axes if ax.get_visible()]
    titles = [ax.get_title(loc="left").split("\n") for ax in shown]
    assert titles[-1][0] == "机制（M）" and "".join(titles[-1][1:]).startswith("社会工作站通过")
    assert titles[0][0] == "命题一（P1）", "a panel names its proposition as the tables do"
    assert "".join(titles[0][1:]) == "制度框架保障社区韧性的合法性", "and states it in full"
    assert not any(line[:1] in "，。、；：）" for title in titles for line in title), "no line begins with a closing mark"
    # one path per panel, so no hypothesis's path can lie hidden under another's
    assert all(len([l for l in ax.get_lines() if len(l.get_xdata()) > 2]) == 1 for ax in shown)
    plt.close(figure)


def test_the_framework_matrix_names_the_propositions_as_the_tables_do(demo):
    import matplotlib.pyplot as plt

    figure = draw_figure("framework_matrix", demo)
    assert [t.get_text() for t in figure.axes[0].get_xticklabels()] == ["命题一（P1）", "命题二（P2）", "命题三（P3）"]
    plt.close(figure)


def test_the_qca_axis_names_the_outcome_not_its_id(demo):
    import matplotlib.pyplot as plt

    figure = draw_figure("qca_xy", demo)
    assert "社区韧性" in figure.axes[0].get_ylabel() and "res" not in figure.axes[0].get_ylabel()
    plt.close(figure)


def test_each_evidence_figure_names_its_proposition(demo):
    import matplotlib.pyplot as plt

    for claim, name in (("p1", "命题一（P1）"), ("p3", "命题三（P3）")):
        figure = draw_figure(f"evidence_{claim}", demo)
        assert figure._suptitle is not None and figure._suptitle.get_text() == name
        plt.close(figure)
