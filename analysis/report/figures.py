"""Figures: a CJK font found at run time, one function per figure, and the check that a figure's
text can be read where the book prints it.

Every figure function takes frames and returns a :class:`matplotlib.figure.Figure`;
the workflow scripts save it. :func:`use_cjk_font` must be called first; it stops
with a clear message when no installed font can draw Chinese, so a figure never
shows boxes in place of characters. :func:`text_problems` lists the texts of a figure that
overlap, are cut off or are smaller than :data:`MIN_PRINTED_PT` at its printed width (the book
prints a figure at its ``:width:`` share of :data:`BOOK_TEXT_WIDTH_IN`), and
:func:`mark_synthetic` stamps a figure drawn from synthetic data.
"""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402
import matplotlib.transforms  # noqa: E402
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


#: The book's text column: 570 CSS pixels (about 15 cm) at 96 pixels to the inch. A figure shown at
#: ``:width: 80%`` is printed 0.8 of this wide, whatever its own size.
BOOK_TEXT_WIDTH_IN = 570 / 96
#: The smallest text a reader of the printed figure should have to read, in points.
MIN_PRINTED_PT = 6.5


def _drawn_texts(fig) -> list:
    """Every text artist that a draw of ``fig`` actually puts on the canvas (tick labels outside the
    view, empty and hidden texts are skipped by matplotlib itself), in drawing order."""
    from matplotlib.text import Text

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not hasattr(fig.canvas, "get_renderer"):  # a Figure made without pyplot has no canvas to draw on yet
        FigureCanvasAgg(fig)
    drawn, original = [], Text.draw

    def recording(self, renderer):
        if self.get_visible() and self.get_text().strip():
            drawn.append(self)
        return original(self, renderer)

    Text.draw = recording
    try:
        fig.canvas.draw()
    finally:
        Text.draw = original
    return drawn


def text_problems(fig, printed_width_in: float, min_pt: float = MIN_PRINTED_PT, tolerance_px: float = 1.0) -> list[str]:
    """What keeps a reader from reading the text of ``fig`` when it is printed ``printed_width_in`` wide.

    Three kinds of problem, each one line: two texts whose bounding boxes overlap by more than
    ``tolerance_px`` printed pixels (at 96 to the inch) in both directions, a text smaller than
    ``min_pt`` points once the figure is scaled to its printed width, and a text cut off at the
    figure's edge. An empty list: every text is readable.

    Examples
    --------
    >>> fig, ax = plt.subplots(figsize=(6, 2))
    >>> ax.set_axis_off()
    >>> _ = ax.text(0.5, 0.5, "resilience", fontsize=9); _ = ax.text(0.5, 0.5, "co-production", fontsize=9)
    >>> text_problems(fig, 6.0)  # doctest: +ELLIPSIS
    ["overlap: 'resilience' and 'co-production' overlap by ... px"]
    >>> text_problems(fig, 2.0)[0]
    "too small: 'resilience' is 3.0 pt at the printed width (9 pt in a figure 6.0 in wide)"
    >>> plt.close(fig)
    """
    texts = _drawn_texts(fig)
    renderer = fig.canvas.get_renderer()
    width_in = fig.get_figwidth()
    scale = printed_width_in / width_in
    to_printed = printed_width_in * 96 / (width_in * fig.dpi)  # canvas pixels -> printed pixels
    canvas = fig.bbox
    boxes = [(t, t.get_window_extent(renderer)) for t in texts]
    problems = []
    for t, box in boxes:
        size = t.get_fontsize() * scale
        if size < min_pt - 1e-9:
            problems.append(f"too small: {t.get_text()!r} is {size:.1f} pt at the printed width "
                            f"({t.get_fontsize():g} pt in a figure {width_in:.1f} in wide)")
        outside = max(canvas.x0 - box.x0, box.x1 - canvas.x1, canvas.y0 - box.y0, box.y1 - canvas.y1) * to_printed
        if outside > tolerance_px:
            problems.append(f"cut off: {t.get_text()!r} reaches {outside:.0f} px past the figure's edge")
    for k, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[k + 1:]:
            dx = (min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)) * to_printed
            dy = (min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)) * to_printed
            if dx > tolerance_px and dy > tolerance_px:
                problems.append(f"overlap: {a.get_text()!r} and {b.get_text()!r} overlap by {dx:.0f} x {dy:.0f} px")
    return problems


def mark_synthetic(fig, text: str, strip_in: float = 0.3) -> None:
    """Stamp ``text`` (that the figure is drawn from synthetic data) in a strip added above the figure.

    The figure grows by ``strip_in`` and everything already drawn keeps its size and place, so the
    stamp covers nothing and moves no label.
    """
    width, height = fig.get_size_inches()
    keep = height / (height + strip_in)
    for ax in fig.axes:
        box = ax.get_position()
        ax.set_position([box.x0, box.y0 * keep, box.width, box.height * keep])
    for t in fig.texts:
        if t.get_transform() == fig.transFigure:
            x, y = t.get_position()
            t.set_position((x, y * keep))
    fig.set_size_inches(width, height + strip_in)
    fig.text(1 - 0.1 / width, 1 - strip_in / 2 / (height + strip_in), text, ha="right", va="center", fontsize=8.5,
             color="#8c2b1e", bbox=dict(boxstyle="round,pad=0.25", facecolor="#fbeeea", edgecolor="#d9a79c", linewidth=0.6))


def _box_overlaps(box, others, pad: float = 0.0) -> bool:
    return any(box.x0 < o.x1 + pad and o.x0 < box.x1 + pad and box.y0 < o.y1 + pad and o.y0 < box.y1 + pad for o in others)


#: Where a point's label may go, tried in order: offsets in points and the alignment that keeps the
#: label clear of its point.
LABEL_SPOTS = [(4, 2, "left", "bottom"), (4, -2, "left", "top"), (-4, 2, "right", "bottom"), (-4, -2, "right", "top"),
               (0, 5, "center", "bottom"), (0, -5, "center", "top"), (6, 0, "left", "center"), (-6, 0, "right", "center")]


def place_labels(ax, xs, ys, labels, fontsize: float = 8, colours=None, point_pt: float = 3.0, avoid=()) -> list:
    """Label each point (``xs``, ``ys`` in data coordinates) next to it, where the label overlaps no
    label placed before, no point, none of the artists in ``avoid`` and nothing outside the axes; a
    label with no free spot nearby goes further out, joined to its point by a thin line. Call once
    the figure's layout is final.

    Returns the labels' text artists.
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    to_px = fig.dpi / 72
    points = [ax.transData.transform((x, y)) for x, y in zip(xs, ys)]
    r = point_pt * to_px
    blocked = [matplotlib.transforms.Bbox([[px - r, py - r], [px + r, py + r]]) for px, py in points]
    blocked += [artist.get_window_extent(renderer) for artist in avoid]
    frame = ax.get_window_extent(renderer)
    spots = LABEL_SPOTS + [(dx * f, dy * f, ha, va) for f in (3, 5, 8) for dx, dy, ha, va in LABEL_SPOTS]
    placed = []
    for k, (x, y, text) in enumerate(zip(xs, ys, labels)):
        colour = colours[k] if colours is not None else "#222222"
        for n, (dx, dy, ha, va) in enumerate(spots):
            far = n >= len(LABEL_SPOTS)
            label = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va, fontsize=fontsize,
                                color=colour, arrowprops=dict(arrowstyle="-", color="#999999", linewidth=0.5) if far else None)
            box = label.get_window_extent(renderer)
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
            if inside and not _box_overlaps(box, blocked, pad=1):
                break
            if n < len(spots) - 1:
                label.remove()
        blocked.append(box)
        placed.append(label)
    return placed


def wrap_label(label: str, width: int = 4) -> str:
    """A Chinese label broken into lines of at most ``width`` characters, at its parentheses when it
    has them (a column label read across, not turned on its side); a label with spaces is left whole.

    >>> wrap_label("志愿者与社会组织"), wrap_label("村（社区）干部"), wrap_label("居民"), wrap_label("Residents and cadres")
    ('志愿者与\\n社会组织', '村（社区）\\n干部', '居民', 'Residents and cadres')
    """
    if " " in label or len(label) <= width:
        return label
    if "）" in label and label.index("）") < len(label) - 1:
        head, tail = label.split("）", 1)
        return head + "）\n" + wrap_label(tail, width)
    lines = -(-len(label) // width)
    step = -(-len(label) // lines)
    return "\n".join(label[k:k + step] for k in range(0, len(label), step))


def theme_frequency_bars(freq: pd.DataFrame, label: str = "label_zh", xlabel: str = "编码片段数") -> plt.Figure:
    """Ranked horizontal bars of segments per theme (roll-up of its codes).

    ``freq`` is the table of :func:`analysis.methods.coding.code_frequencies`; rows with
    ``depth == 0`` are the themes.
    """
    themes = freq[freq["depth"] == 0].sort_values("n_segments")
    fig, ax = plt.subplots(figsize=(5.0, 0.4 * len(themes) + 1.0))
    bars = ax.barh(themes[label], themes["n_segments"], color="#3b6e8f")
    ax.bar_label(bars, padding=3, fontsize=8.5)
    ax.set_xlabel(xlabel)
    ax.spines[["top", "right"]].set_visible(False)
    ax.margins(x=0.12)
    fig.tight_layout()
    return fig


def _cell_text_colour(value: float, low: float, high: float) -> str:
    """White on the dark ends of a diverging scale, black in its pale middle."""
    middle = (low + high) / 2
    return "white" if abs(value - middle) > 0.6 * (high - low) / 2 else "black"


def framework_heatmap(matrix: pd.DataFrame, row_label: str, col_label: str, cbar_label: str) -> plt.Figure:
    """Heat map of a stations x propositions table of shares in [0, 1] (NaN shown blank)."""
    values = matrix.to_numpy(dtype=float)
    fig, ax = plt.subplots(figsize=(0.85 * matrix.shape[1] + 1.9, 0.27 * matrix.shape[0] + 1.2))
    image = ax.imshow(np.ma.masked_invalid(values), cmap="RdBu", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(matrix.shape[1]), matrix.columns, fontsize=9)
    ax.set_yticks(range(matrix.shape[0]), matrix.index, fontsize=8.5)
    ax.set_xlabel(col_label, fontsize=9)
    ax.set_ylabel(row_label, fontsize=9)
    for (i, j), v in np.ndenumerate(values):
        if not np.isnan(v):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=8, color=_cell_text_colour(v, 0, 1))
    bar = fig.colorbar(image, ax=ax, fraction=0.08)
    bar.set_label(cbar_label, fontsize=9)
    bar.ax.tick_params(labelsize=8.5)
    fig.tight_layout()
    return fig


def residual_heatmap(cells: pd.DataFrame, row_labels: dict, col_labels: dict, xlabel: str,
                     cbar_label: str, fdr: dict | None = None, cell_fdr: float | None = None, clip: float = 4.0) -> plt.Figure:
    """Codes x categories heat map of the cells' permutation z-scores.

    ``cells`` is the long table of :func:`analysis.methods.coding.code_by_category`;
    rows and columns keep the order of ``row_labels`` and ``col_labels``. Each
    cell shows the row share (%); codes whose test survives the false-discovery-rate
    correction (``fdr``: code -> bool) are starred, and cells whose own permutation
    p-value survives the correction over all cells (``p_fdr`` below ``cell_fdr``) are framed.
    The colour scale stops at +-``clip``; the colour bar's arrows show that stronger cells take its end
    colours (``cbar_label`` may say so with ``{clip}``).
    """
    resid = cells.pivot(index="code_id", columns="category", values="perm_z").reindex(
        index=list(row_labels), columns=list(col_labels))
    share = cells.pivot(index="code_id", columns="category", values="row_share").reindex_like(resid)
    kept = (cells.pivot(index="code_id", columns="category", values="p_fdr").reindex_like(resid) < cell_fdr
            if cell_fdr is not None else pd.DataFrame(False, index=resid.index, columns=resid.columns))
    fig, ax = plt.subplots(figsize=(0.62 * len(col_labels) + 2.9, 0.25 * len(row_labels) + 1.5))
    image = ax.imshow(np.ma.masked_invalid(resid.to_numpy(dtype=float)), cmap="RdBu_r", vmin=-clip, vmax=clip, aspect="auto")
    ax.set_xticks(range(len(col_labels)), [wrap_label(v) for v in col_labels.values()], fontsize=8.5)
    names = [row_labels[c] + (" *" if fdr and fdr.get(c) else "") for c in row_labels]
    ax.set_yticks(range(len(row_labels)), names, fontsize=8)
    ax.set_xlabel(xlabel, fontsize=9)
    for (i, j), v in np.ndenumerate(share.to_numpy(dtype=float)):
        if not np.isnan(v):
            r = resid.iat[i, j]
            ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=7.5,
                    color="white" if not np.isnan(r) and abs(r) > 0.6 * clip else "black")
        if kept.iat[i, j]:
            ax.add_patch(plt.Rectangle((j - 0.46, i - 0.42), 0.92, 0.84, fill=False, edgecolor="black", linewidth=1.0))
    bar = fig.colorbar(image, ax=ax, fraction=0.06, extend="both")
    bar.set_label(cbar_label.format(clip=f"{clip:g}"), fontsize=8.5)
    bar.ax.tick_params(labelsize=8)
    fig.tight_layout()
    return fig


def alpha_forest(per_code: pd.DataFrame, overall: dict, labels: dict, thresholds: dict, words: dict) -> plt.Figure:
    """Forest plot of per-code Krippendorff's alpha with bootstrap intervals.

    Codes are sorted by alpha; the pooled alpha is drawn as a diamond at the
    top; dashed lines mark Krippendorff's thresholds. A code whose alpha is
    undefined is listed with the word in ``words["undefined"]`` instead of a point.
    """
    rows = per_code.sort_values(["krippendorff_alpha", "code_id"], na_position="first").reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(5.3, 0.22 * len(rows) + 1.6))
    y = np.arange(len(rows))
    defined = rows["krippendorff_alpha"].notna().to_numpy()
    lo = (rows["krippendorff_alpha"] - rows["krippendorff_alpha_lo"]).clip(lower=0)
    hi = (rows["krippendorff_alpha_hi"] - rows["krippendorff_alpha"]).clip(lower=0)
    ax.errorbar(rows.loc[defined, "krippendorff_alpha"], y[defined], xerr=[lo[defined], hi[defined]],
                fmt="o", color="#3b6e8f", ecolor="#9bb8cc", markersize=4, capsize=2)
    for i in y[~defined]:
        ax.text(0.02, i, words["undefined"], va="center", fontsize=8, color="#777777")
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
    ax.set_xlabel(words["xlabel"], fontsize=9)
    ax.tick_params(axis="x", labelsize=8.5)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def saturation_curve(curve: pd.DataFrame, runs: pd.DataFrame, result: dict, words: dict) -> plt.Figure:
    """Cumulative distinct codes by interview, and each run's share of new information.

    The base interviews are shaded. While some run brings new codes, each run's share stands as a
    bar at its last interview on a second axis, with the threshold dashed; when no run after the base
    brings any new code, that axis would be empty, so the figure has none and says so in words
    (``words["none_new"]``, which may name ``{base}``, ``{later}``, the interviews after it, and
    ``{runs}``). The vertical line marks the saturation point when reached. Past a few hundred
    interviews (a province pooled) the markers and bars would merge into ink and cost minutes to
    draw: the curve is a plain line and the shares a step line.
    """
    many = len(curve) > 300
    fig, ax = plt.subplots(figsize=(5.4, 3.0))
    base = int(result.get("base", 0) or 0)
    if base:
        ax.axvspan(0.5, base + 0.5, color="#eeeeee", zorder=0)
        ax.annotate(words["base"], (base + 0.5, 0.98), xycoords=("data", "axes fraction"), xytext=(-3, 0),
                    textcoords="offset points", ha="right", va="top", fontsize=8, color="#555555")
    ax.plot(curve["position"], curve["cumulative"], marker=None if many else "o", markersize=2.5, color="#3b6e8f",
            label=words["cumulative"])
    ax.set_xlabel(words["xlabel"], fontsize=9)
    ax.set_ylabel(words["cumulative"], fontsize=9)
    ax.tick_params(labelsize=8.5)
    ax.set_ylim(0, max(1, curve["cumulative"].max()) * 1.15)
    new_information = len(runs) and float(runs["share_new"].max()) > 0
    if new_information:
        right = ax.twinx()
        if many:
            right.step(runs["last"], runs["share_new"], where="mid", alpha=0.6, linewidth=0.8, color="#b03a2e",
                       label=words["share"])
        else:
            right.bar(runs["last"], runs["share_new"], width=0.6, alpha=0.35, color="#b03a2e", label=words["share"])
        right.axhline(result["threshold"], color="#b03a2e", linestyle="--", linewidth=0.8)
        right.set_ylabel(words["share"], fontsize=9)
        right.set_ylim(0, max(result["threshold"] * 2, float(runs["share_new"].max()) * 1.15))
        right.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        right.tick_params(labelsize=8.5)
        right.spines[["top"]].set_visible(False)
    elif len(runs):
        ax.text(0.97, 0.45, words["none_new"].format(base=base, runs=len(runs), later=len(curve) - base),
                transform=ax.transAxes, ha="right", va="center", multialignment="center", fontsize=8.5, color="#8c2b1e",
                bbox=dict(boxstyle="round,pad=0.4", facecolor="white", edgecolor="#cccccc", linewidth=0.6))
    if result.get("reached"):
        ax.axvline(result["point"], color="#333333", linewidth=0.8)
        ax.annotate(words["point"], (result["point"], 0.12), xycoords=("data", "axes fraction"), xytext=(4, 0),
                    textcoords="offset points", fontsize=8.5)
    ax.spines[["top"] if new_information else ["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def cooccurrence_heatmap(c: pd.DataFrame, significant: pd.DataFrame, words: dict, omitted=()) -> plt.Figure:
    """Heat map of the c-coefficients between co-production codes (rows) and resilience outcomes
    (columns), each cell's value written in it; a frame marks the pairs whose co-occurrence test
    survives the false-discovery-rate correction.

    ``c`` and ``significant`` are frames of the same shape, indexed and labelled as the axes show
    them; every cell shows its c with two decimals (a pair that never co-occurs, 0.00). ``omitted``
    names the rows left out by the caller (rows that co-occur with no outcome at all, which would be
    bands of zeros): they are named beneath the plot (``words["omitted"]``, with ``{rows}``).
    ``words`` names the axes, the colour bar and the frame.
    """
    values = c.to_numpy(dtype=float)
    high = c_scale_top(values)
    fig, ax = plt.subplots(figsize=(0.62 * c.shape[1] + 2.6, 0.34 * c.shape[0] + 1.6))
    image = ax.imshow(values, cmap="Blues", vmin=0, vmax=high, aspect="auto")
    ax.set_xticks(range(c.shape[1]), [wrap_label(v) for v in c.columns], fontsize=8.5)
    ax.set_yticks(range(c.shape[0]), list(c.index), fontsize=8.5)
    ax.set_xlabel(words["right"], fontsize=9)
    ax.set_ylabel(words["left"], fontsize=9)
    for (i, j), v in np.ndenumerate(values):
        ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=8,
                color="white" if v > 0.6 * high else "black")
        if significant.iat[i, j]:
            ax.add_patch(plt.Rectangle((j - 0.45, i - 0.42), 0.9, 0.84, fill=False, edgecolor="#b03a2e", linewidth=1.6))
    bar = fig.colorbar(image, ax=ax, fraction=0.07)
    bar.set_label(words["scale"], fontsize=8.5)
    bar.ax.tick_params(labelsize=8)
    n = int(significant.to_numpy().sum())
    ax.set_title(words["marked"] if n else words["none_marked"], fontsize=8.5, color="#8c2b1e" if n else "#555555")
    if omitted:
        fig.set_figheight(fig.get_figheight() + 0.35)
        fig.text(0.02, 0.02, words["omitted"].format(rows="、".join(map(str, omitted))), fontsize=8, color="#555555",
                 ha="left", va="bottom")
        fig.tight_layout(rect=(0, 0.07, 1, 1))
    else:
        fig.tight_layout()
    return fig


def qca_xy(solution: np.ndarray, outcome: np.ndarray, cases: list[str], fit: dict | None, words: dict,
           label_up_to: int = 30) -> plt.Figure:
    """XY plot: membership in the solution against membership in the outcome, with the diagonal;
    each point names its station (placed clear of the others) while there are at most ``label_up_to``."""
    fig, ax = plt.subplots(figsize=(3.8, 3.8))
    ax.plot([0, 1], [0, 1], color="#999999", linewidth=0.8, linestyle="--")
    ax.set_xlim(-0.02, 1.05)
    ax.set_ylim(-0.02, 1.05)
    ax.set_xlabel(words["x"], fontsize=8.5)
    ax.set_ylabel(words["y"], fontsize=8.5)
    ax.tick_params(labelsize=8)
    ax.set_aspect("equal")
    if fit is None:
        ax.text(0.5, 0.5, words["none"], ha="center", va="center", wrap=True, fontsize=8.5)
        fig.tight_layout()
        return fig
    many = not lists_each_station(len(cases), label_up_to)
    ax.scatter(solution, outcome, color="#3b6e8f", s=6 if many else 16, alpha=0.35 if many else 1.0, zorder=3)
    note = ax.text(0.03, 0.97, f"{words['incl']} {fit['incl']:.3f}\n{words['cov']} {fit['cov']:.3f}", va="top", fontsize=8,
                   transform=ax.transAxes)
    fig.tight_layout()
    if not many:  # too many stations to name each
        fig.canvas.draw()
        place_labels(ax, solution, outcome, cases, fontsize=7.5, avoid=[note])
    return fig


def logodds_steps(items: pd.DataFrame, priors: dict, labels: dict, words: dict) -> plt.Figure:
    """Cumulative log-odds (decibans) of each hypothesis as its evidence items come in, one panel per
    hypothesis on shared axes.

    In one panel the paths lay over each other (a hypothesis whose evidence moves it late ran hidden
    under the others along zero), so each hypothesis has its own, titled with its name and its full
    statement (``labels``: id -> (name, statement)) and its final weight written at the end of its path. An item the
    posterior does not count (``weight`` 0) is a hollow point, explained beneath (``words["hollow"]``).
    """
    hypotheses = list(dict.fromkeys(items["hypothesis"]))
    cols = 2 if len(hypotheses) > 1 else 1
    rows = -(-len(hypotheses) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.6, 0.7 + 2.0 * rows), sharex=True, sharey=True, squeeze=False)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, hyp in enumerate(hypotheses):
        ax, colour = axes.flat[k], colours[k % len(colours)]
        grp = items[items["hypothesis"] == hyp]
        prior = priors.get(hyp, priors.get("default", 0.5))
        start = 10 * np.log10(prior / (1 - prior))
        y = [start, *(start + grp["cumulative_decibans"]).tolist()]
        x = list(range(len(y)))
        ax.axhline(0, color="#999999", linewidth=0.8)
        ax.step(x, y, where="post", color=colour, linewidth=1.6)
        # the prior and each counted item filled; an item the posterior does not count, hollow
        counted = [True, *(grp["weight"] > 0).tolist()] if "weight" in grp else [True] * len(y)
        ax.scatter(x, y, s=16, zorder=3, color=colour, facecolors=[colour if k else "white" for k in counted],
                   linewidths=1.2)
        ax.annotate(f"{y[-1]:+.1f}".replace("-", "−"), (x[-1], y[-1]), xytext=(5, 0), textcoords="offset points", va="center",
                    fontsize=8.5, color=colour)
        name, statement = labels.get(hyp, (hyp, ""))
        ax.set_title(_panel_title(name, statement, 18), fontsize=8.5, loc="left", color=colour)
        ax.tick_params(labelsize=8.5)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.spines[["top", "right"]].set_visible(False)
        ax.margins(x=0.15, y=0.15)
    for ax in axes.flat[len(hypotheses):]:
        ax.set_visible(False)
    fig.supylabel(words["y"], fontsize=9)
    if "weight" in items and words.get("hollow") and bool((items["weight"] <= 0).any()):
        # the axis label, then the note beneath it, below the panels
        fig.supxlabel(words["x"], fontsize=9, y=0.045)
        fig.text(0.5, 0.005, words["hollow"], ha="center", va="bottom", fontsize=8, color="#555555")
        fig.tight_layout(rect=(0, 0.07, 1, 1))
    else:
        fig.supxlabel(words["x"], fontsize=9)
        fig.tight_layout()
    return fig


#: Marks a Chinese line may not begin with (the closing ones and the pause marks).
_NO_LINE_START = set("，。、；：！？）》」』”’·…")


def _panel_title(name: str, statement: str, width: int) -> str:
    """A hypothesis as a panel title: its name on a line of its own, then its statement in lines of at
    most ``width`` characters, none beginning with a closing or pausing mark (such a mark stays at the
    end of the line before).

    >>> print(_panel_title("机制（M）", "社会工作站通过能力培育、环境营造", 11))
    机制（M）
    社会工作站通过能力培育、
    环境营造
    """
    if not statement:
        return name
    lines, line = [], ""
    for char in statement:
        if len(line) >= width and char not in _NO_LINE_START:
            lines.append(line)
            line = ""
        line += char
    lines.append(line)
    return "\n".join(([name] if name else []) + lines)


def _connect(ax, source, target, **style):
    """An arrow from one boxed text to another that starts and ends at the boxes' edges."""
    return ax.annotate("", xy=(0.5, 0.5), xycoords=target, xytext=(0.5, 0.5), textcoords=source,
                       arrowprops=dict(arrowstyle="-|>", patchA=source.get_bbox_patch(), patchB=target.get_bbox_patch(),
                                       shrinkA=1, shrinkB=1, **style))


def c_scale_top(values) -> float:
    """The top of a c-coefficient colour scale: the largest c rounded up to a tenth, at least 0.1, so
    that a weak association is drawn pale and not, on a scale stretched to it, as dark as a strong one.

    >>> c_scale_top([0.0, 0.05]), c_scale_top([0.132, 0.2]), c_scale_top([])
    (0.1, 0.2, 0.1)
    """
    values = np.asarray(values, dtype=float)
    largest = float(np.nanmax(values)) if values.size and np.isfinite(values).any() else 0.0
    return max(0.1, float(np.ceil(round(largest * 10, 9)) / 10))


def mechanism_diagram(nodes: dict[str, list[tuple[str, str]]], edges: pd.DataFrame, words: dict) -> plt.Figure:
    """Every link the framework proposes between conditions, the station's mechanisms and outcomes,
    with its test: two grids, conditions x mechanisms and mechanisms x outcomes.

    ``nodes`` maps each layer ("conditions", "mechanisms", "outcomes") to (id, label) pairs;
    ``edges`` has ``source, target, weight`` (the c-coefficient), ``p_fdr`` and ``supported``. Each
    cell is coloured by c on one scale for both grids (:func:`c_scale_top`) and shows c above its
    corrected p-value; a supported link is framed. Every tested link is shown, so the reader sees how
    close each came, whether or not any passes. A note under the grids gives the legend and counts,
    for each pair of layers, how many links of how many tested are supported (``words["summary"]``
    with ``{supported}``, ``{tested}`` and the layers' names; ``summary_none`` and ``summary_all``
    when none or all are).
    """
    pairs = [("conditions", "mechanisms"), ("mechanisms", "outcomes")]
    top = c_scale_top(edges["weight"])
    heights = [len(nodes[a]) for a, _ in pairs]
    fig, axes = plt.subplots(2, 1, figsize=(5.8, 0.42 * sum(heights) + 3.3), gridspec_kw={"height_ratios": heights})
    by = edges.set_index(["source", "target"])
    lines, image = [], None
    for ax, (a, b) in zip(axes, pairs):
        rows, cols = nodes[a], nodes[b]
        grid = np.full((len(rows), len(cols)), np.nan)
        for r, (source, _) in enumerate(rows):
            for c, (target, _) in enumerate(cols):
                if (source, target) not in by.index:
                    continue
                link = by.loc[(source, target)]
                grid[r, c] = float(link["weight"])
                ax.text(c, r, f"{link['weight']:.2f}\n" + _p_short(link.get("p_fdr", np.nan)), ha="center", va="center",
                        fontsize=7.5, linespacing=1.2, color="white" if link["weight"] > 0.6 * top else "black")
                if bool(link["supported"]):
                    ax.add_patch(plt.Rectangle((c - 0.46, r - 0.44), 0.92, 0.88, fill=False, edgecolor="#b03a2e",
                                               linewidth=1.8))
        image = ax.imshow(np.ma.masked_invalid(grid), cmap="Blues", vmin=0, vmax=top, aspect="auto")
        ax.set_xticks(range(len(cols)), [wrap_label(label, 5) for _, label in cols], fontsize=8)
        ax.set_yticks(range(len(rows)), [label for _, label in rows], fontsize=8)
        ax.set_title(f"{words[a]} → {words[b]}", fontsize=8.5)
        ax.tick_params(length=0)
        tested = edges[edges["source"].isin([n for n, _ in rows]) & edges["target"].isin([n for n, _ in cols])]
        supported = int(tested["supported"].astype(bool).sum())
        form = ("summary_none" if not supported and len(tested) else
                "summary_all" if supported == len(tested) > 1 else "summary")
        lines.append(words.get(form, words["summary"]).format(source=words[a], target=words[b], tested=len(tested),
                                                               supported=supported))
    bar = fig.colorbar(image, ax=list(axes), fraction=0.035, pad=0.02)
    bar.set_label(words["scale"], fontsize=8)
    bar.ax.tick_params(labelsize=7.5)
    note = "\n".join([words["legend"], *lines])
    fig.text(0.02, 0.015, note, ha="left", va="bottom", fontsize=7.5, color="#333333", linespacing=1.4)
    fig.subplots_adjust(left=0.2, right=0.84, bottom=(0.16 * (len(lines) + 1) + 0.45) / fig.get_figheight(),
                        top=0.93, hspace=0.5)
    return fig


def _p_short(p: float) -> str:
    """A corrected p-value for a small cell: "p<.001", "p=.034", "p=1"."""
    if pd.isna(p):
        return "p —"
    if p < 0.001:
        return "p<.001"
    return "p=1" if p >= 0.9995 else f"p={p:.3f}".replace("0.", ".", 1)


def analytic_framework(conditions: list[tuple[str, str, str]], mechanisms: list[str], dimensions: list[str],
                       phases: list[str], barriers: list[str], words: dict) -> plt.Figure:
    """The study's analytic framework, drawn from the configuration (no data).

    ``conditions`` lists (proposition, condition label, direct-result label) triples: each condition
    of co-production brings, by its proposition, one direct result; through the station's leading
    mechanisms (``mechanisms``) the results become community resilience, whose dimensions are
    ``dimensions``. Two bands under the layers name what runs through all of them: the phases of
    co-production and the barriers coded as contrary evidence. Every arrow ends at a box's edge.
    """
    n = len(conditions)
    fig, ax = plt.subplots(figsize=(5.8, 0.6 * max(n, 3) + 2.2))
    box = dict(boxstyle="round,pad=0.4", linewidth=0.7, edgecolor="#555555")
    xs = {"conditions": 0.0, "results": 1.45, "mechanisms": 2.95, "dimensions": 4.45}
    ys = [(n - 1) / 2 - i for i in range(n)]
    size = 8.5
    mech = ax.text(xs["mechanisms"], 0, "\n".join(mechanisms), ha="center", va="center", fontsize=size, linespacing=1.5,
                   bbox=dict(box, facecolor="#f6e8d8"))
    res = ax.text(xs["dimensions"], 0, "\n".join(dimensions), ha="center", va="center", fontsize=size, linespacing=1.5,
                  bbox=dict(box, facecolor="#f3e1e1", linewidth=1.1))
    for (prop, condition, result), y in zip(conditions, ys):
        left = ax.text(xs["conditions"], y, condition, ha="center", va="center", fontsize=size, bbox=dict(box, facecolor="#e8eef3"))
        mid = ax.text(xs["results"], y, result, ha="center", va="center", fontsize=size, bbox=dict(box, facecolor="#eef3e8"))
        _connect(ax, left, mid, color="#3b6e8f", linewidth=1.1)
        ax.text((xs["conditions"] + xs["results"]) / 2 + 0.05, y + 0.1, prop, ha="center", va="bottom", fontsize=8,
                color="#3b6e8f")
        _connect(ax, mid, mech, color="#8f6b3b", linewidth=1.0)
    _connect(ax, mech, res, color="#8f3b3b", linewidth=1.6)
    top = max(ys[0], 1.3) + 0.55
    for key, x in (("conditions", xs["conditions"]), ("results", xs["results"]), ("mechanisms", xs["mechanisms"]),
                   ("outcomes", xs["dimensions"])):
        ax.text(x, top, words[key], ha="center", va="center", fontsize=8.5, fontweight="bold")
    bottom = min(ys[-1], -1.3) - 0.75
    bands = ((words["phases"] + " → ".join(phases), "#eef0f6"), (words["barriers"] + " · ".join(barriers), "#f6eeee"))
    for k, (text, colour) in enumerate(bands):
        ax.text(2.2, bottom - 0.55 * k, text, ha="center", va="center", fontsize=8, bbox=dict(box, facecolor=colour, linewidth=0.5))
    ax.set_xlim(-0.6, 5.05)
    ax.set_ylim(bottom - 0.55 * len(bands) + 0.15, top + 0.3)
    ax.axis("off")
    fig.tight_layout(pad=0.3)
    return fig


def evidence_profile(by_station: pd.DataFrame, by_actor: pd.DataFrame, actor_labels: dict, words: dict,
                     each_station: bool = True, title: str = "") -> plt.Figure:
    """One proposition's supporting and contrary evidence, by station (left) and by actor type (right),
    under ``title`` (the proposition's name, so the three figures can be told apart on their own).

    Both frames have ``n_support`` and ``n_contrary``; ``by_station`` is indexed
    by station id and ``by_actor`` by actor type. Contrary counts are drawn to
    the left of zero, supporting counts to the right. Without ``each_station`` (a study too large
    to draw station by station) the left panel is the histogram of the stations' support shares.
    """
    rows = max(len(by_station) if each_station else 8, len(by_actor))
    fig, axes = plt.subplots(1, 2, figsize=(5.3, 0.25 * rows + 1.6), gridspec_kw={"width_ratios": [1, 1]})
    panels = [(axes[1], by_actor, actor_labels, words["by_actor"])]
    if each_station:
        panels.insert(0, (axes[0], by_station, None, words["by_station"]))
    else:
        shares = by_station["support_share"].to_numpy(dtype=float)
        axes[0].hist(shares[np.isfinite(shares)], bins=np.linspace(0, 1, 21), color="#3b6e8f")
        axes[0].set_title(words["station_share"], fontsize=8.5)
        axes[0].set_xlabel(words["share"], fontsize=8)
        axes[0].set_ylabel(words["stations"], fontsize=8)
        axes[0].tick_params(labelsize=7.5)
    for ax, frame, labels, heading in panels:
        names = [labels.get(i, i) if labels else i for i in frame.index]
        y = np.arange(len(frame))[::-1]
        ax.barh(y, frame["n_support"], color="#3b6e8f", label=words["support"])
        ax.barh(y, -frame["n_contrary"], color="#c26a4a", label=words["contrary"])
        ax.axvline(0, color="#333333", linewidth=0.6)
        ax.set_yticks(y, names, fontsize=8)
        ax.set_title(heading, fontsize=8.5)
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{abs(v):.0f}"))
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(5, integer=True))
        ax.tick_params(axis="x", labelsize=7.5)
    fig.supxlabel(words["xlabel"], fontsize=8)
    axes[1].legend(fontsize=7.5, frameon=False, loc="lower right")
    if title:
        fig.suptitle(title, x=0.02, ha="left", fontsize=9, fontweight="bold")
    fig.tight_layout()
    return fig


def distribution_panels(values: dict[str, np.ndarray], xlabel: str, ylabel: str,
                        value_range: tuple[float, float] | None = None) -> plt.Figure:
    """One histogram per measure, side by side on a shared scale: how a per-station measure is
    spread over many stations (the book's view of a study too large to draw station by station)."""
    cols = min(4, len(values))
    rows = -(-len(values) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(1.45 * cols + 0.5, 1.9 * rows + 0.4), sharey=True, squeeze=False)
    finite = [v[np.isfinite(v)] for v in values.values()]
    low, high = value_range or (min((v.min() for v in finite if v.size), default=0.0),
                                max((v.max() for v in finite if v.size), default=1.0))
    bins = np.linspace(low, high if high > low else low + 1, 21)
    for ax, (title, v) in zip(axes.flat, zip(values, finite)):
        ax.hist(v, bins=bins, color="#4c72b0")
        ax.set_title(title, fontsize=8)
        ax.set_xlim(bins[0], bins[-1])
        ax.tick_params(labelsize=8)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(3))
    for ax in list(axes.flat)[len(values):]:
        ax.set_visible(False)
    fig.supxlabel(xlabel, fontsize=8)
    fig.supylabel(ylabel, fontsize=8)
    fig.tight_layout()
    return fig


def rule_graph(nodes: dict[str, str], edges: list[tuple[str, str]], stage_of: dict[str, str], colours: dict[str, str],
               words: dict, per_row: int = 4) -> plt.Figure:
    """The workflow's rules as a layered graph read from top to bottom: each rule in the row of its
    longest path from the raw data, a layer wider than ``per_row`` rules wrapped over several rows.

    ``stage_of`` maps a rule to its stage, which picks its colour from ``colours``; the legend
    names the stages with ``words``. A node's label may hold a line break (a group of rules).
    """
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(nodes.values())
    graph.add_edges_from((nodes[a], nodes[b]) for a, b in edges if nodes[a] != nodes[b])
    depth: dict[str, int] = {}
    for rule in nx.topological_sort(graph):
        depth[rule] = max((depth[p] + 1 for p in graph.predecessors(rule)), default=0)
    order = list(colours)
    layers: dict[int, list[str]] = {}
    for rule in sorted(graph, key=lambda r: (order.index(stage_of[r]) if stage_of.get(r) in order else len(order), r)):
        layers.setdefault(depth[rule], []).append(rule)
    rows = [layer[k:k + per_row] for _, layer in sorted(layers.items()) for k in range(0, len(layer), per_row)]
    fig, ax = plt.subplots(figsize=(6.2, 0.42 * len(rows) + 0.9))
    boxes = {}
    for r, row in enumerate(rows):
        shift = 0.5 if r % 2 and len(row) < per_row else 0.0  # stagger short rows so edges pass between boxes
        for k, rule in enumerate(row):
            x = k - (len(row) - 1) / 2 + (shift if len(row) > 1 else 0.0)
            boxes[rule] = ax.text(x, -r, rule, ha="center", va="center", fontsize=7.5, zorder=3, linespacing=1.1,
                                  bbox=dict(boxstyle="round,pad=0.25", facecolor=colours.get(stage_of.get(rule, ""), "#eeeeee"),
                                            edgecolor="#666666", linewidth=0.5))
    ax.set_xlim(-per_row / 2, per_row / 2)
    ax.set_ylim(-len(rows) + 0.5, 0.5)
    ax.axis("off")
    for a, b in graph.edges:
        _connect(ax, boxes[a], boxes[b], color="#a0a0a0", linewidth=0.5, mutation_scale=6).set_zorder(1)
    for stage, colour in colours.items():
        ax.scatter([], [], marker="s", s=40, color=colour, edgecolor="#666666", label=words.get(stage, stage))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=min(len(colours), 4), fontsize=8, frameon=False,
              handletextpad=0.3, columnspacing=1.2)
    fig.tight_layout(pad=0.3)
    return fig
