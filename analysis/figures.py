"""Figures: a CJK font found at run time, and one function per figure.

Every figure function takes frames and returns a :class:`matplotlib.figure.Figure`;
the workflow scripts save it. :func:`use_cjk_font` must be called first; it stops
with a clear message when no installed font can draw Chinese, so a figure never
shows boxes in place of characters.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
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
        "`bash workflow/setup.sh` does this), then delete ~/.cache/matplotlib and rebuild."
    )


def use_cjk_font() -> str:
    """Make matplotlib draw every text with a CJK font; return the family used."""
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
