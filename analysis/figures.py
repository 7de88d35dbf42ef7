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


def use_cjk_font() -> str:
    """Make matplotlib draw every text with a CJK font; return the family used.

    From then on a character the font lacks is an error, not a box in the figure.
    """
    warnings.filterwarnings("error", message=r"Glyph .* missing from font", category=UserWarning)
    family, path = find_cjk_font()
    font_manager.fontManager.addfont(path)
    plt.rcParams["font.family"] = [family]
    plt.rcParams["axes.unicode_minus"] = False
    plt.rcParams["svg.fonttype"] = "none"
    plt.rcParams["pdf.fonttype"] = 42
    return family


def theme_frequency_bars(freq: pd.DataFrame, label: str = "label_zh", xlabel: str = "编码片段数") -> plt.Figure:
    """Ranked horizontal bars of segments per theme (roll-up of its codes).

    ``freq`` is the table of :func:`analysis.coding.code_frequencies`; rows with
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
                     cbar_label: str, fdr: dict | None = None) -> plt.Figure:
    """Codes x categories heat map of adjusted standardized residuals.

    ``cells`` is the long table of :func:`analysis.coding.code_by_category`;
    rows and columns keep the order of ``row_labels`` and ``col_labels``. Each
    cell shows the row share (%), and codes whose test survives the
    false-discovery-rate correction (``fdr``: code -> bool) are starred.
    """
    resid = cells.pivot(index="code_id", columns="category", values="adj_resid").reindex(
        index=list(row_labels), columns=list(col_labels))
    share = cells.pivot(index="code_id", columns="category", values="row_share").reindex_like(resid)
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
    """
    fig, ax = plt.subplots(figsize=(7.0, 3.6))
    ax.plot(curve["position"], curve["cumulative"], marker="o", markersize=3, color="#3b6e8f", label=words["cumulative"])
    ax.set_xlabel(words["xlabel"])
    ax.set_ylabel(words["cumulative"])
    ax.set_ylim(0, max(1, curve["cumulative"].max()) * 1.1)
    right = ax.twinx()
    if len(runs):
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
