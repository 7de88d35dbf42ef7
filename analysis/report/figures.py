"""Figures: a CJK font found at run time, and one function per figure.

Every figure function takes frames and returns a :class:`matplotlib.figure.Figure`;
the workflow scripts save it. :func:`use_cjk_font` must be called first; it stops
with a clear message when no installed font can draw Chinese, so a figure never
shows boxes in place of characters.
"""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.ft2font import FT2Font  # noqa: E402

from analysis.report.tables import lists_each_station  # noqa: E402

#: Families tried first, in order; any other installed font that draws the probe text is the fallback.
PREFERRED_CJK = (
    "Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "Source Han Sans CN",
    "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans SC", "AR PL UMing CN",
)
#: Characters a usable font must contain (from the study's own vocabulary).
PROBE = "社区韧性合作生产禾计划望城乡镇街道"


class FontMissingError(RuntimeError):
    """No installed font can draw Chinese."""


def _draws(path: str, text: str) -> bool:
    try:
        font = FT2Font(path)
    except (OSError, RuntimeError):
        return False
    return all(font.get_char_index(ord(ch)) != 0 for ch in text)


def find_cjk_font(preferred: tuple[str, ...] = PREFERRED_CJK, probe: str = PROBE,
                  entries: list | None = None) -> tuple[str, str]:
    """Return ``(family, path)`` of an installed font that draws ``probe``.

    ``entries`` are matplotlib font entries to search (default: every installed font).

    Raises
    ------
    FontMissingError
        When no installed font draws every character of ``probe``.
    """
    entries = font_manager.fontManager.ttflist if entries is None else entries
    ranked = sorted(entries, key=lambda f: (preferred.index(f.name) if f.name in preferred else len(preferred), f.fname))
    for entry in ranked:
        if entry.weight in ("normal", 400, "regular") and _draws(entry.fname, probe):
            return entry.name, entry.fname
    for entry in ranked:
        if _draws(entry.fname, probe):
            return entry.name, entry.fname
    raise FontMissingError(
        "no installed font can draw Chinese, so figures would show boxes instead of characters.\n"
        "    fix: install a CJK font, e.g. `apt-get install fonts-noto-cjk` (the set-up command "
        "`bash workflow/run.sh` does this), then delete ~/.cache/matplotlib and rebuild."
    )


#: The CJK font chosen in this process (family, path): the workflow draws every figure in one
#: process, and opening the fonts again for each figure cost a second or more per build.
_CHOSEN: tuple[str, str] | None = None


def use_cjk_font() -> str:
    """Make matplotlib draw every text with a CJK font; return the family used.

    From then on a character the font lacks is an error, not a box in the figure.
    """
    global _CHOSEN
    warnings.filterwarnings("error", message=r"Glyph .* missing from font", category=UserWarning)
    if _CHOSEN is None:
        _CHOSEN = find_cjk_font()
        font_manager.fontManager.addfont(_CHOSEN[1])
    family = _CHOSEN[0]
    plt.rcParams["font.family"] = [family]
    plt.rcParams["axes.unicode_minus"] = False
    plt.rcParams["svg.fonttype"] = "none"
    plt.rcParams["pdf.fonttype"] = 42
    return family


def theme_frequency_bars(freq: pd.DataFrame, label: str = "label_zh", xlabel: str = "编码片段数") -> plt.Figure:
    """Ranked horizontal bars of segments per theme (roll-up of its codes).

    ``freq`` is the table of :func:`analysis.methods.coding.code_frequencies`; rows with
    ``depth == 0`` are the themes.
    """
    themes = freq[freq["depth"] == 0].sort_values("n_segments")
    fig, ax = plt.subplots(figsize=(6.4, 0.45 * len(themes) + 1.2))
    bars = ax.barh(themes[label], themes["n_segments"], color="#3b6e8f")
    ax.bar_label(bars, padding=3, fontsize=8)
    ax.set_xlabel(xlabel)
    ax.spines[["top", "right"]].set_visible(False)
    ax.margins(x=0.12)
    fig.tight_layout()
    return fig


def framework_heatmap(matrix: pd.DataFrame, row_label: str, col_label: str, cbar_label: str) -> plt.Figure:
    """Heat map of a stations x propositions table of shares in [0, 1] (NaN shown blank)."""
    values = matrix.to_numpy(dtype=float)
    fig, ax = plt.subplots(figsize=(1.2 * matrix.shape[1] + 2.5, 0.32 * matrix.shape[0] + 1.4))
    image = ax.imshow(np.ma.masked_invalid(values), cmap="RdBu", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(matrix.shape[1]), matrix.columns)
    ax.set_yticks(range(matrix.shape[0]), matrix.index)
    ax.set_xlabel(col_label)
    ax.set_ylabel(row_label)
    for (i, j), v in np.ndenumerate(values):
        if not np.isnan(v):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7, color="white" if abs(v - 0.5) > 0.3 else "black")
    fig.colorbar(image, ax=ax, label=cbar_label, fraction=0.05)
    fig.tight_layout()
    return fig


def residual_heatmap(cells: pd.DataFrame, row_labels: dict, col_labels: dict, xlabel: str,
                     cbar_label: str, fdr: dict | None = None, cell_fdr: float | None = None) -> plt.Figure:
    """Codes x categories heat map of the cells' permutation z-scores.

    ``cells`` is the long table of :func:`analysis.methods.coding.code_by_category`;
    rows and columns keep the order of ``row_labels`` and ``col_labels``. Each
    cell shows the row share (%); codes whose test survives the false-discovery-rate
    correction (``fdr``: code -> bool) are starred, and cells whose own permutation
    p-value survives the correction over all cells (``p_fdr`` below ``cell_fdr``) are framed.
    """
    resid = cells.pivot(index="code_id", columns="category", values="perm_z").reindex(
        index=list(row_labels), columns=list(col_labels))
    share = cells.pivot(index="code_id", columns="category", values="row_share").reindex_like(resid)
    kept = (cells.pivot(index="code_id", columns="category", values="p_fdr").reindex_like(resid) < cell_fdr
            if cell_fdr is not None else pd.DataFrame(False, index=resid.index, columns=resid.columns))
    fig, ax = plt.subplots(figsize=(0.95 * len(col_labels) + 3.6, 0.27 * len(row_labels) + 1.6))
    image = ax.imshow(np.ma.masked_invalid(resid.to_numpy(dtype=float)), cmap="RdBu_r", vmin=-4, vmax=4, aspect="auto")
    ax.set_xticks(range(len(col_labels)), list(col_labels.values()), rotation=30, ha="right")
    names = [row_labels[c] + (" *" if fdr and fdr.get(c) else "") for c in row_labels]
    ax.set_yticks(range(len(row_labels)), names, fontsize=8)
    ax.set_xlabel(xlabel)
    for (i, j), v in np.ndenumerate(share.to_numpy(dtype=float)):
        if not np.isnan(v):
            r = resid.iat[i, j]
            ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=6,
                    color="white" if not np.isnan(r) and abs(r) > 2.5 else "black")
        if kept.iat[i, j]:
            ax.add_patch(plt.Rectangle((j - 0.46, i - 0.42), 0.92, 0.84, fill=False, edgecolor="black", linewidth=1.0))
    fig.colorbar(image, ax=ax, label=cbar_label, fraction=0.04)
    fig.tight_layout()
    return fig


def alpha_forest(per_code: pd.DataFrame, overall: dict, labels: dict, thresholds: dict, words: dict) -> plt.Figure:
    """Forest plot of per-code Krippendorff's alpha with bootstrap intervals.

    Codes are sorted by alpha; the pooled alpha is drawn as a diamond at the
    top; dashed lines mark Krippendorff's thresholds. A code whose alpha is
    undefined is listed with the word in ``words["undefined"]`` instead of a point.
    """
    rows = per_code.sort_values(["krippendorff_alpha", "code_id"], na_position="first").reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(6.6, 0.24 * len(rows) + 1.8))
    y = np.arange(len(rows))
    defined = rows["krippendorff_alpha"].notna().to_numpy()
    lo = (rows["krippendorff_alpha"] - rows["krippendorff_alpha_lo"]).clip(lower=0)
    hi = (rows["krippendorff_alpha_hi"] - rows["krippendorff_alpha"]).clip(lower=0)
    ax.errorbar(rows.loc[defined, "krippendorff_alpha"], y[defined], xerr=[lo[defined], hi[defined]],
                fmt="o", color="#3b6e8f", ecolor="#9bb8cc", markersize=4, capsize=2)
    for i in y[~defined]:
        ax.text(0.02, i, words["undefined"], va="center", fontsize=7, color="#888888")
    top = len(rows) + 0.8
    if overall.get("krippendorff_alpha") is not None:
        ax.errorbar([overall["krippendorff_alpha"]], [top],
                    xerr=[[overall["krippendorff_alpha"] - overall["krippendorff_alpha_lo"]],
                          [overall["krippendorff_alpha_hi"] - overall["krippendorff_alpha"]]],
                    fmt="D", color="#b03a2e", markersize=6, capsize=3)
    ax.set_yticks([*y, top], [labels.get(c, c) for c in rows["code_id"]] + [words["overall"]], fontsize=8)
    for value, style in ((thresholds["tentative"], ":"), (thresholds["reliable"], "--")):
        ax.axvline(value, color="#555555", linestyle=style, linewidth=0.8)
    ax.set_xlim(min(0.0, float(np.nanmin(rows["krippendorff_alpha_lo"].fillna(0)))) - 0.02, 1.02)
    ax.set_xlabel(words["xlabel"])
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def saturation_curve(curve: pd.DataFrame, runs: pd.DataFrame, result: dict, words: dict) -> plt.Figure:
    """Cumulative distinct codes by interview, and each run's share of new information.

    The run's bar stands at the run's last interview; the dashed line is the
    threshold and the vertical line marks the saturation point when reached.
    Past a few hundred interviews (a province pooled) the markers and bars would merge into ink
    and cost minutes to draw: the curve is a plain line and the runs' shares a step line.
    """
    many = len(curve) > 300
    fig, ax = plt.subplots(figsize=(7.0, 3.6))
    ax.plot(curve["position"], curve["cumulative"], marker=None if many else "o", markersize=3, color="#3b6e8f",
            label=words["cumulative"])
    ax.set_xlabel(words["xlabel"])
    ax.set_ylabel(words["cumulative"])
    ax.set_ylim(0, max(1, curve["cumulative"].max()) * 1.1)
    right = ax.twinx()
    if len(runs) and many:
        right.step(runs["last"], runs["share_new"], where="mid", alpha=0.6, linewidth=0.8, color="#b03a2e",
                   label=words["share"])
    elif len(runs):
        right.bar(runs["last"], runs["share_new"], width=0.6, alpha=0.35, color="#b03a2e", label=words["share"])
    right.axhline(result["threshold"], color="#b03a2e", linestyle="--", linewidth=0.8)
    right.set_ylabel(words["share"])
    right.set_ylim(0, max(0.3, float(runs["share_new"].max()) * 1.15 if len(runs) else 0.3))
    right.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    if result.get("reached"):
        ax.axvline(result["point"], color="#333333", linewidth=0.8)
        ax.annotate(words["point"], (result["point"], ax.get_ylim()[1] * 0.05), xytext=(4, 0),
                    textcoords="offset points", fontsize=8)
    ax.spines[["top"]].set_visible(False)
    fig.tight_layout()
    return fig


def cooccurrence_network(links: pd.DataFrame, left: dict, right: dict, words: dict) -> plt.Figure:
    """Bipartite network of the strongest links: co-production codes (left) to resilience outcomes (right).

    Positions are fixed (two columns in codebook order), so the figure is the
    same on every run; edge width follows the c-coefficient.
    """
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(left, side=0)
    graph.add_nodes_from(right, side=1)
    for r in links.itertuples():
        graph.add_edge(r.code_a, r.code_b, weight=r.c, significant=bool(getattr(r, "significant", True)))
    pos = {c: (0.0, -i) for i, c in enumerate(left)} | {c: (1.0, -i * (len(left) - 1) / max(1, len(right) - 1))
                                                        for i, c in enumerate(right)}
    fig, ax = plt.subplots(figsize=(7.2, 0.42 * max(len(left), len(right)) + 1.4))
    for flag, style, colour in ((True, "solid", "#3b6e8f"), (False, "dashed", "#bbbbbb")):
        edges = [(u, v) for u, v in graph.edges if graph[u][v]["significant"] == flag]
        nx.draw_networkx_edges(graph, pos, edgelist=edges, ax=ax, width=[1 + 14 * graph[u][v]["weight"] for u, v in edges],
                               edge_color=colour, style=style, alpha=0.85)
    nx.draw_networkx_nodes(graph, pos, nodelist=list(left), ax=ax, node_color="#3b6e8f", node_size=120)
    nx.draw_networkx_nodes(graph, pos, nodelist=list(right), ax=ax, node_color="#b03a2e", node_size=120)
    for c, (x, y) in pos.items():
        ax.text(x + (-0.04 if x == 0 else 0.04), y, (left | right)[c], ha="right" if x == 0 else "left", va="center", fontsize=8)
    for u, v in graph.edges:
        (x1, y1), (x2, y2) = pos[u], pos[v]
        ax.text((x1 + x2) / 2, (y1 + y2) / 2, f"{graph[u][v]['weight']:.2f}", fontsize=6, color="#555555", ha="center")
    if not len(links):
        ax.text(0.5, 0.5, words["none"], ha="center", va="center", transform=ax.transAxes)
    ax.set_title(f"{words['left']} → {words['right']}（{words['legend']}）", fontsize=9)
    ax.set_xlim(-0.9, 1.9)
    ax.axis("off")
    fig.tight_layout()
    return fig


def qca_xy(solution: np.ndarray, outcome: np.ndarray, cases: list[str], fit: dict | None, words: dict,
           label_up_to: int = 30) -> plt.Figure:
    """XY plot: membership in the solution against membership in the outcome, with the diagonal;
    each point names its station while there are at most ``label_up_to``."""
    fig, ax = plt.subplots(figsize=(4.8, 4.8))
    ax.plot([0, 1], [0, 1], color="#999999", linewidth=0.8, linestyle="--")
    if fit is None:
        ax.text(0.5, 0.5, words["none"], ha="center", va="center", wrap=True)
    else:
        many = not lists_each_station(len(cases), label_up_to)
        ax.scatter(solution, outcome, color="#3b6e8f", s=6 if many else 22, alpha=0.35 if many else 1.0, zorder=3)
        for x, y, c in ([] if many else zip(solution, outcome, cases)):  # too many stations to name each
            ax.annotate(c, (x, y), xytext=(3, 2), textcoords="offset points", fontsize=7)
        ax.text(0.02, 0.97, f"{words['incl']} {fit['incl']:.3f}\n{words['cov']} {fit['cov']:.3f}", va="top", fontsize=8,
                transform=ax.transAxes)
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(words["x"])
    ax.set_ylabel(words["y"])
    ax.set_aspect("equal")
    fig.tight_layout()
    return fig


def logodds_steps(items: pd.DataFrame, priors: dict, labels: dict, words: dict) -> plt.Figure:
    """Cumulative log-odds (decibans) of each hypothesis as its evidence items come in."""
    fig, ax = plt.subplots(figsize=(6.6, 3.8))
    for k, (hyp, grp) in enumerate(items.groupby("hypothesis", sort=False)):
        prior = priors.get(hyp, priors.get("default", 0.5))
        start = 10 * np.log10(prior / (1 - prior))
        y = [start, *(start + grp["cumulative_decibans"]).tolist()]
        x = list(range(len(y)))
        ax.step(x, y, where="post", marker="o", markersize=3, label=labels.get(hyp, hyp))
        ax.annotate(hyp, (x[-1], y[-1]), xytext=(4, 0), textcoords="offset points", fontsize=8)
    ax.axhline(0, color="#999999", linewidth=0.8)
    ax.set_xlabel(words["x"])
    ax.set_ylabel(words["y"])
    ax.legend(fontsize=7, loc="best")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def mechanism_diagram(nodes: dict[str, list[tuple[str, str]]], edges: pd.DataFrame, words: dict) -> plt.Figure:
    """Conditions -> the station's mechanisms -> outcomes; edge width is the link's weight,
    solid when the evidence supports the link and dashed grey when it does not.

    ``nodes`` maps each layer ("conditions", "mechanisms", "outcomes") to
    (id, label) pairs; ``edges`` has ``source, target, weight, supported``.
    """
    layers = ["conditions", "mechanisms", "outcomes"]
    pos = {}
    for x, layer in enumerate(layers):
        items = nodes[layer]
        for i, (node, _) in enumerate(items):
            pos[node] = (x, (len(items) - 1) / 2 - i)
    label = {n: lab for layer in layers for n, lab in nodes[layer]}
    fig, ax = plt.subplots(figsize=(8.4, 4.6))
    for r in edges.itertuples():
        (x1, y1), (x2, y2) = pos[r.source], pos[r.target]
        style = dict(color="#3b6e8f", linestyle="-", alpha=0.85) if r.supported else dict(color="#bbbbbb", linestyle="--", alpha=0.9)
        ax.plot([x1 + 0.12, x2 - 0.12], [y1, y2], linewidth=0.6 + 6 * max(r.weight, 0), **style, zorder=1)
    colours = {"conditions": "#e8eef3", "mechanisms": "#f6e8d8", "outcomes": "#f3e1e1"}
    for layer in layers:
        for node, _ in nodes[layer]:
            x, y = pos[node]
            ax.text(x, y, label[node], ha="center", va="center", fontsize=8, zorder=3,
                    bbox=dict(boxstyle="round,pad=0.35", facecolor=colours[layer], edgecolor="#666666", linewidth=0.6))
    for x, layer in enumerate(layers):
        ax.text(x, max(p[1] for p in pos.values()) + 0.8, words[layer], ha="center", fontsize=9, fontweight="bold")
    ax.plot([], [], color="#3b6e8f", label=words["supported"])
    ax.plot([], [], color="#bbbbbb", linestyle="--", label=words["unsupported"])
    ax.legend(loc="lower center", fontsize=7, ncol=2, frameon=False, bbox_to_anchor=(0.5, -0.08))
    ax.set_xlim(-0.5, 2.5)
    ax.axis("off")
    fig.tight_layout()
    return fig


def analytic_framework(conditions: list[tuple[str, str, str]], mechanisms: list[str], resilience: str,
                       words: dict) -> plt.Figure:
    """The study's analytic framework, drawn from the configuration (no data).

    ``conditions`` lists (proposition, condition label, outcome label) triples:
    each condition of co-production leads, by its proposition, to one dimension
    of community resilience. The station's leading mechanisms sit above the
    conditions, since the station steers co-production as a whole.
    """
    fig, ax = plt.subplots(figsize=(8.4, 4.8))
    n = len(conditions)
    ys = [(n - 1) / 2 - i for i in range(n)]
    box = dict(boxstyle="round,pad=0.45", linewidth=0.7, edgecolor="#555555")
    arrow = dict(arrowstyle="-|>", color="#3b6e8f", linewidth=1.1, shrinkA=4, shrinkB=4)
    for (prop, condition, outcome), y in zip(conditions, ys):
        ax.annotate("", xy=(1.55, y), xytext=(0.45, y), arrowprops=arrow)
        ax.text(1.0, y + 0.14, prop, ha="center", va="bottom", fontsize=8, color="#3b6e8f")
        ax.annotate("", xy=(2.62, 0), xytext=(2.45, y), arrowprops=dict(arrow, color="#8f3b3b"))
        ax.text(0, y, condition, ha="center", va="center", fontsize=9, bbox=dict(box, facecolor="#e8eef3"))
        ax.text(2.0, y, outcome, ha="center", va="center", fontsize=9, bbox=dict(box, facecolor="#f3e1e1"))
    ax.text(3.05, 0, resilience, ha="center", va="center", fontsize=10, fontweight="bold",
            bbox=dict(box, facecolor="#f3e1e1", linewidth=1.2))
    top = ys[0] + 1.35
    ax.text(1.0, top, words["station"] + "\n" + "  ·  ".join(mechanisms), ha="center", va="center", fontsize=9,
            bbox=dict(box, facecolor="#f6e8d8"))
    ax.annotate("", xy=(0, ys[0] + 0.35), xytext=(0.55, top - 0.3), arrowprops=dict(arrow, color="#a0692c"))
    ax.text(0.12, top - 0.5, words["leads"], ha="right", va="center", fontsize=8, color="#a0692c")
    for x, key in ((0, "conditions"), (2.0, "outcomes")):
        ax.text(x, ys[-1] - 0.85, words[key], ha="center", va="center", fontsize=9, fontweight="bold")
    ax.set_xlim(-0.7, 3.6)
    ax.set_ylim(ys[-1] - 1.1, top + 0.55)
    ax.axis("off")
    fig.tight_layout()
    return fig


def evidence_profile(by_station: pd.DataFrame, by_actor: pd.DataFrame, actor_labels: dict, words: dict,
                     each_station: bool = True) -> plt.Figure:
    """One proposition's supporting and contrary evidence, by station (left) and by actor type (right).

    Both frames have ``n_support`` and ``n_contrary``; ``by_station`` is indexed
    by station id and ``by_actor`` by actor type. Contrary counts are drawn to
    the left of zero, supporting counts to the right. Without ``each_station`` (a study too large
    to draw station by station) the left panel is the histogram of the stations' support shares.
    """
    rows = max(len(by_station) if each_station else 8, len(by_actor))
    fig, axes = plt.subplots(1, 2, figsize=(8.6, 0.28 * rows + 1.8), gridspec_kw={"width_ratios": [1.25, 1]})
    panels = [(axes[1], by_actor, actor_labels, words["by_actor"])]
    if each_station:
        panels.insert(0, (axes[0], by_station, None, words["by_station"]))
    else:
        shares = by_station["support_share"].to_numpy(dtype=float)
        axes[0].hist(shares[np.isfinite(shares)], bins=np.linspace(0, 1, 21), color="#3b6e8f")
        axes[0].set_title(words["station_share"], fontsize=9)
        axes[0].set_xlabel(words["share"], fontsize=8)
        axes[0].set_ylabel(words["stations"], fontsize=8)
        axes[0].tick_params(labelsize=7)
    for ax, frame, labels, title in panels:
        names = [labels.get(i, i) if labels else i for i in frame.index]
        y = np.arange(len(frame))[::-1]
        ax.barh(y, frame["n_support"], color="#3b6e8f", label=words["support"])
        ax.barh(y, -frame["n_contrary"], color="#c26a4a", label=words["contrary"])
        ax.axvline(0, color="#333333", linewidth=0.6)
        ax.set_yticks(y, names, fontsize=8)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel(words["xlabel"], fontsize=8)
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{abs(v):.0f}"))
        ax.tick_params(axis="x", labelsize=7)
    axes[0 if each_station else 1].legend(fontsize=7, frameon=False, loc="lower left")
    fig.tight_layout()
    return fig


def distribution_panels(values: dict[str, np.ndarray], xlabel: str, ylabel: str,
                        value_range: tuple[float, float] | None = None) -> plt.Figure:
    """One histogram per measure, side by side on a shared scale: how a per-station measure is
    spread over many stations (the book's view of a study too large to draw station by station)."""
    fig, axes = plt.subplots(1, len(values), figsize=(2.4 * len(values) + 1, 2.9), sharex=True, sharey=True,
                             squeeze=False)
    finite = [v[np.isfinite(v)] for v in values.values()]
    low, high = value_range or (min((v.min() for v in finite if v.size), default=0.0),
                                max((v.max() for v in finite if v.size), default=1.0))
    bins = np.linspace(low, high if high > low else low + 1, 21)
    for ax, (title, v) in zip(axes[0], zip(values, finite)):
        ax.hist(v, bins=bins, color="#4c72b0")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel(xlabel, fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0][0].set_ylabel(ylabel)
    fig.tight_layout()
    return fig


def rule_graph(nodes: dict[str, str], edges: list[tuple[str, str]], stage_of: dict[str, str], colours: dict[str, str],
               words: dict) -> plt.Figure:
    """The workflow's rules as a layered graph: each rule in the column of its longest path from the raw data.

    ``stage_of`` maps a rule to its stage (the .smk file it lives in), which
    picks its colour from ``colours``; the legend names the stages with ``words``.
    """
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(nodes.values())
    graph.add_edges_from((nodes[a], nodes[b]) for a, b in edges)
    depth: dict[str, int] = {}
    for rule in nx.topological_sort(graph):
        depth[rule] = max((depth[p] + 1 for p in graph.predecessors(rule)), default=0)
    columns: dict[int, list[str]] = {}
    for rule in sorted(graph, key=lambda r: (stage_of.get(r, ""), r)):
        columns.setdefault(depth[rule], []).append(rule)
    tallest = max(len(c) for c in columns.values())
    pos = {rule: (x, (len(col) - 1) / 2 - i) for x, col in columns.items() for i, rule in enumerate(col)}
    fig, ax = plt.subplots(figsize=(2.0 * len(columns) + 1, 0.34 * tallest + 1.4))
    for a, b in graph.edges:
        (x1, y1), (x2, y2) = pos[a], pos[b]
        ax.annotate("", xy=(x2 - 0.32, y2), xytext=(x1 + 0.32, y1),
                    arrowprops=dict(arrowstyle="-|>", color="#9a9a9a", linewidth=0.5, shrinkA=0, shrinkB=0), zorder=1)
    for rule, (x, y) in pos.items():
        ax.text(x, y, rule, ha="center", va="center", fontsize=6.2, zorder=3,
                bbox=dict(boxstyle="round,pad=0.25", facecolor=colours.get(stage_of.get(rule, ""), "#eeeeee"),
                          edgecolor="#666666", linewidth=0.5))
    for stage, colour in colours.items():
        ax.scatter([], [], marker="s", s=40, color=colour, edgecolor="#666666", label=words.get(stage, stage))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=len(colours), fontsize=7, frameon=False)
    ax.set_xlim(-0.6, len(columns) - 0.4)
    ax.set_ylim(-tallest / 2 - 0.2, tallest / 2 + 0.2)
    ax.axis("off")
    fig.tight_layout()
    return fig
