"""Tables for the book: analysis frames turned into labelled display frames.

Each ``*_table`` function returns a DataFrame whose column headers are in the
language chosen by ``labels`` in the configuration (``zh`` or ``en``);
:func:`to_markdown` renders any of them for the book.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.inputs.writers import write_csv
from analysis.methods.codebook import code_labels, in_language
from analysis.report.labels import ACTOR_LABELS, CONTEXT_TERMS, CONTEXT_UNITS, HEADERS, WORDS


@dataclass
class Shown:
    """A table the book shows shorter than it is: ``full`` goes to the CSV download, ``shown`` to the
    book's Markdown (the chapter says what it shows instead: the number ``station_view``)."""

    full: pd.DataFrame
    shown: pd.DataFrame


def brief(frame: pd.DataFrame, keep=None, drop=(), rename=None) -> Shown:
    """``frame`` in full for the CSV and, for the book, only the rows ``keep`` (a boolean mask; all
    rows when None), without the columns ``drop`` and with the headers ``rename`` (the book's short
    headers, which a note under the table spells out).

    >>> t = brief(pd.DataFrame({"a": [1, 2], "b": [3, 4]}), keep=[True, False], drop=["b"], rename={"a": "A"})
    >>> t.shown.to_dict("list"), len(t.full)
    ({'A': [1]}, 2)
    """
    shown = frame if keep is None else frame[np.asarray(keep, dtype=bool)]
    return Shown(frame, shown.drop(columns=list(drop)).rename(columns=rename or {}).reset_index(drop=True))


def with_labels(frame: pd.DataFrame, labels: dict, ids: tuple[str, ...] = ("code_id",)) -> pd.DataFrame:
    """``frame`` with a ``<column>_label`` column beside each column of ``ids`` it has, the label of
    each code id in it (an id without a label stays as it is).

    >>> with_labels(pd.DataFrame({"source": ["a", "m"], "w": [1, 2]}), {"a": "甲"}, ("source",)).values.tolist()
    [['a', '甲', 1], ['m', 'm', 2]]
    """
    out = frame.copy()
    for column in ids:
        if column in out:
            out.insert(out.columns.get_loc(column) + 1, f"{column}_label",
                       out[column].map(lambda c: labels.get(c, c) if isinstance(c, str) else c))
    return out


def with_data(table: pd.DataFrame | Shown, data: pd.DataFrame, labels: dict | None = None,
              ids: tuple[str, ...] = ("code_id",)) -> Shown:
    """The book's table with ``data`` for its CSV download: the analysis's own columns at full
    precision (a p-value of 0.000123 rather than "< 0.001", an interval's two limits in two columns
    rather than "0.31–3.72", no significance stars), so that a reader can re-analyse it. Each column
    of ``ids`` that holds code ids gets a ``<column>_label`` column beside it, from ``labels``.

    >>> t = with_data(pd.DataFrame({"编码": ["甲"], "p": ["< 0.001"]}),
    ...               pd.DataFrame({"code_id": ["a"], "p_value": [0.000123]}), {"a": "甲"})
    >>> t.full.to_dict("records"), t.shown["p"].tolist()
    ([{'code_id': 'a', 'code_id_label': '甲', 'p_value': 0.000123}], ['< 0.001'])
    """
    shown = table.shown if isinstance(table, Shown) else table
    data = with_labels(data.reset_index(drop=True), labels, ids) if labels is not None else data.reset_index(drop=True).copy()
    for column in data.columns:  # lists (a truth-table row's cases) as text a spreadsheet reads
        if data[column].map(lambda v: isinstance(v, (list, tuple, np.ndarray))).any():
            data[column] = data[column].map(lambda v: "; ".join(map(str, v)) if isinstance(v, (list, tuple, np.ndarray)) else v)
    return Shown(data, shown)


def lists_each_station(n_stations: int, detail: int) -> bool:
    """Whether the book shows a study's stations one by one (at most ``detail``, the configuration's
    ``report.station_detail``) rather than as distributions: the one rule every table, figure and
    sentence follows.

    >>> lists_each_station(15, 30), lists_each_station(1940, 30)
    (True, False)
    """
    return n_stations <= detail


@dataclass
class StationView:
    """How the book shows a per-station measure (the configuration's ``report`` section): each
    station while there are at most ``detail`` of them, else their distribution and the ``top_k``
    highest and lowest."""

    detail: int
    top_k: int
    lang: str

    def lists(self, n_stations: int) -> bool:
        return lists_each_station(n_stations, self.detail)

    def per_station(self, full: pd.DataFrame, values: pd.DataFrame, digits: int | None = 2) -> pd.DataFrame | Shown:
        """``full`` (one row per station) as it is, or, for a large study, shown as the summary of
        ``values`` (stations x measures, indexed by station) by :func:`station_summary`."""
        if self.lists(len(values)):
            return full
        return Shown(full, station_summary(values, self.lang, self.top_k, digits))


def station_summary(values: pd.DataFrame, lang: str, k: int, digits: int | None = 2) -> pd.DataFrame:
    """One row per measure (a column of ``values``, whose index is the station): how many stations
    have a value, its quartiles and extremes, and the ``k`` stations with the highest and with the
    lowest value (ties by station id); values with ``digits`` decimals, or as short as they go (None).

    Examples
    --------
    >>> v = pd.DataFrame({"share": [0.2, 0.9, 0.5, np.nan]}, index=["S1", "S2", "S3", "S4"])
    >>> [str(x) for x in station_summary(v, "en", 1).iloc[0]]
    ['share', '3', '0.20', '0.35', '0.50', '0.70', '0.90', 'S2 (0.90)', 'S1 (0.20)']
    """
    from analysis.inputs.io import case_sort_key

    w = WORDS[lang]
    number = (lambda v: f"{v:g}") if digits is None else (lambda v: f"{v:.{digits}f}")
    rows = []
    for column in values.columns:
        col = values[column].dropna()
        ordered = sorted(col.items(), key=lambda item: case_sort_key(str(item[0])))
        ranked = sorted(ordered, key=lambda item: -item[1])
        lowest = sorted(ordered, key=lambda item: item[1])
        q = col.quantile([0, 0.25, 0.5, 0.75, 1]).tolist() if len(col) else [np.nan] * 5
        listed = (lambda items: "、".join(f"{s}（{number(v)}）" for s, v in items[:k]) if lang == "zh"
                  else ", ".join(f"{s} ({number(v)})" for s, v in items[:k]))
        rows.append([column, int(len(col)), *("—" if np.isnan(x) else number(x) for x in q), listed(ranked) or "—",
                     listed(lowest) or "—"])
    headers = [w["measure"], w["n_stations"], w["minimum"], w["lower_quartile"], w["median"], w["upper_quartile"],
               w["maximum"], w["highest"].format(k=k), w["lowest"].format(k=k)]
    return pd.DataFrame(rows, columns=headers)


def _interval(share: float, lo: float, hi: float, lang: str = "en") -> str:
    """A share with its interval as percentages, in full-width brackets in Chinese.

    Examples
    --------
    >>> _interval(0.25, 0.1, 0.5), _interval(0.25, 0.1, 0.5, "zh")
    ('25.0% (10.0–50.0)', '25.0%（10.0–50.0）')
    """
    inside = f"{lo * 100:.1f}–{hi * 100:.1f}"
    return f"{share:.1%}（{inside}）" if lang == "zh" else f"{share:.1%} ({inside})"


def code_frequency_table(freq: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Codes in codebook order, themes first in their block, leaf codes indented."""
    h = HEADERS[lang]
    label = freq[f"label_{lang}"].where(freq["depth"] == 0, "\u3000" + freq[f"label_{lang}"])
    return pd.DataFrame({
        h["code"]: label.where(freq["depth"] > 0, "**" + label + "**"),
        h["code_id"]: "`" + freq["code_id"] + "`",
        h["segments"]: freq["n_segments"],
        h["documents"]: freq["n_documents"],
        h["participants"]: freq["n_participants"],
        h["stations"]: freq["n_stations"],
        **_share_column(freq, h, lang),
    })


def _share_column(freq: pd.DataFrame, h: dict, lang: str = "en") -> dict:
    """The share of documents with its interval: clustered by station when the frame has it."""
    clustered = "share_documents_clu_lo" in freq
    lo, hi = ("share_documents_clu_lo", "share_documents_clu_hi") if clustered else ("share_documents_lo", "share_documents_hi")
    return {h["share_documents_clu" if clustered else "share_documents"]:
            [_interval(s, a, b, lang) for s, a, b in zip(freq["share_documents"], freq[lo], freq[hi])]}


def framework_table(matrix: pd.DataFrame, propositions: dict, lang: str) -> pd.DataFrame:
    """Stations x propositions: 'supporting / contrary (share supporting)' per cell."""
    share = "（{:.2f}）" if lang == "zh" else " ({:.2f})"
    cell = matrix.assign(cell=[f"{s} / {c}" + ("" if pd.isna(r) else share.format(r))
                               for s, c, r in zip(matrix["n_support"], matrix["n_contrary"], matrix["support_share"])])
    wide = cell.pivot(index="case_id", columns="proposition", values="cell")
    wide.columns = [proposition_heading(p, propositions[p]["label"][lang], lang) for p in wide.columns]
    wide.index.name = HEADERS[lang]["station"]
    return wide.reset_index()


#: The mark after a code whose intercoder reliability is below the tentative threshold.
UNRELIABLE_MARK = "†"


def mark_unreliable(labels: dict, per_code: pd.DataFrame) -> dict:
    """The code labels, a † after each code whose α interval's lower bound is below the tentative
    threshold (``flag`` "unreliable"), so a table says which of its rows rest on such a code.

    >>> mark_unreliable({"a": "甲", "b": "乙"}, pd.DataFrame({"code_id": ["a", "b"], "flag": ["unreliable", "reliable"]}))
    {'a': '甲†', 'b': '乙'}
    """
    weak = set(per_code.loc[per_code["flag"] == "unreliable", "code_id"])
    return {code: f"{text}{UNRELIABLE_MARK}" if code in weak else text for code, text in labels.items()}


def proposition_heading(proposition: str, label: str, lang: str) -> str:
    """A proposition as a column heading: its name as the book writes it, then its label.

    >>> proposition_heading("P1", "制度框架保障合法性", "zh"), proposition_heading("P1", "Legitimacy", "en")
    ('命题一（P1）：制度框架保障合法性', 'P1: Legitimacy')
    """
    return f"{hypothesis_label(proposition, lang)}：{label}" if lang == "zh" else f"{proposition}: {label}"


def codebook_table(codes: pd.DataFrame, codebook: dict, lang: str) -> pd.DataFrame:
    """The full codebook: id, both labels, parent and definition in ``lang`` (the other language's when
    only that one is given). A label taken from the other language is marked untranslated."""
    h, w = HEADERS[lang], WORDS[lang]
    definition = {c["id"]: in_language(c["definition"], lang) for c in codebook["codes"]}
    missing = codes.get("untranslated", pd.Series("", index=codes.index)).fillna("")
    return pd.DataFrame({
        h["code_id"]: "`" + codes["code_id"] + "`",
        h["label_zh"]: codes["label_zh"] + missing.eq("zh").map({True: w["untranslated"], False: ""}),
        h["label_en"]: codes["label_en"] + missing.eq("en").map({True: w["untranslated"], False: ""}),
        h["parent"]: codes["parent"].fillna("").map(lambda p: f"`{p}`" if p else "—"),
        h["definition"]: codes["code_id"].map(definition),
    })


def codebook_book_table(codes: pd.DataFrame, codebook: dict, lang: str) -> pd.DataFrame:
    """The codebook as the book shows it, three columns that fit the text column: the id, the name
    (a theme's in bold; the other language's name after it in parentheses) and the definition. The
    parent is the id's first part, so it needs no column of its own (the CSV,
    :func:`codebook_table`, keeps it)."""
    full = codebook_table(codes, codebook, lang)
    h = HEADERS[lang]
    own, other = (h["label_zh"], h["label_en"]) if lang == "zh" else (h["label_en"], h["label_zh"])
    name = full[own].where(codes["depth"].to_numpy() > 0, "**" + full[own] + "**")
    gloss = [f"{n}（{o}）" if lang == "zh" else f"{n} ({o})" for n, o in zip(name, full[other])]
    return pd.DataFrame({h["code_id"]: full[h["code_id"]], h["name"]: gloss, h["definition"]: full[h["definition"]]})


def context_table(context: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The public context facts with the source beside every figure, in the book's language: the
    scope, indicator, unit and note through :data:`~analysis.report.labels.CONTEXT_TERMS` (a text it
    does not list stays as the data has it), the value with its unit, the source as a link named by
    its site (and the date the fact was recorded, where the data gives one)."""
    h = HEADERS[lang]
    more = WORDS[lang]["more_than"]
    terms = CONTEXT_TERMS.get(lang, {})
    value = [_context_value(v, u, more if q == "more than" else "", lang)
             for v, u, q in zip(pd.to_numeric(context["value"]), context["unit"], context["qualifier"].fillna(""))]
    extra = {c: (context[c].fillna("") if c in context else pd.Series("", index=context.index))
             for c in ("accessed", "released_by")}
    return pd.DataFrame({
        h["date"]: context["date"].fillna("").map(lambda d: _context_date(d, lang)),
        h["scope"]: context["scope"].map(lambda t: terms.get(t, t)),
        h["indicator"]: context["indicator"].map(lambda t: terms.get(t, t)), h["value"]: value,
        h["note"]: context["note"].fillna("").map(lambda t: terms.get(t, t)),
        h["source"]: [_source_cell(s, a, r, lang) for s, a, r in zip(context["source"], extra["accessed"],
                                                                     extra["released_by"])],
    })


def _source_cell(url: str, accessed: str, released_by: str, lang: str) -> str:
    """A fact's source: the page that reports it, as a link named by its site, the body the page says
    the figure comes from (when the data names one) and the date the fact was recorded. The body is
    said as the page's attribution, so a news site is never passed off as a ministry's release.

    >>> _source_cell("https://www.gov.cn/a.htm", "2026-12-03", "民政部", "zh")
    '据 [www.gov.cn](https://www.gov.cn/a.htm) 报道（报道称出自民政部；2026 年 12 月 3 日记录）'
    >>> _source_cell("https://www.gov.cn/a.htm", "", "", "en")
    '[www.gov.cn](https://www.gov.cn/a.htm)'
    >>> _source_cell("https://www.gov.cn/a.htm", "2026-12-03", "MCA", "en")
    'as reported by [www.gov.cn](https://www.gov.cn/a.htm), which attributes it to MCA (recorded 2026-12-03)'
    """
    link = _source_link(url)
    zh = lang == "zh"
    when = _context_date(accessed, lang) + "记录" if accessed and zh else (f"recorded {accessed}" if accessed else "")
    if not released_by:
        return link + ((f"（{when}）" if zh else f" ({when})") if when else "")
    if zh:
        return f"据 {link} 报道（报道称出自{released_by}" + (f"；{when}）" if when else "）")
    return f"as reported by {link}, which attributes it to {released_by}" + (f" ({when})" if when else "")


def _context_date(date: str, lang: str) -> str:
    """A context fact's date as the book writes dates: year, month and day in words in Chinese (ISO in
    English); a fact its report does not date says so.

    >>> [_context_date(d, "zh") for d in ("2019", "2018-05", "2021-12-31", "")]
    ['2019 年', '2018 年 5 月', '2021 年 12 月 31 日', '未注明']
    """
    if not date:
        return "未注明" if lang == "zh" else "n.d."
    if lang != "zh":
        return date
    parts = [int(x) for x in str(date).split("-")]
    return " ".join(f"{v} {unit}" for v, unit in zip(parts, ("年", "月", "日")))


def _context_value(value: float, unit: str, more: str, lang: str) -> str:
    """A context figure with its unit in the book's language (:data:`~analysis.report.labels.CONTEXT_UNITS`
    may rescale it, e.g. billions of yuan to 亿元).

    >>> _context_value(2.49, "CNY billion", "", "zh"), _context_value(12000, "stations", "逾", "zh")
    ('24.9 亿元', '逾 12,000 个')
    >>> _context_value(56, "percent", "", "zh"), _context_value(40, "people", "", "en")
    ('56%', '40 people')
    """
    if unit == "event":  # a dated event (a launch): its date says it all, a count of one says nothing
        return "—"
    word, factor = CONTEXT_UNITS.get(lang, {}).get(unit, (unit, 1))
    number = f"{value * factor:,g}"
    if word == "%":
        return f"{more}{number}%"
    if lang == "zh":
        return f"{more} {number} {word}".strip() if more else f"{number} {word}"
    return f"{more}{number} {word}"


def _source_link(url: str) -> str:
    """A source as a link named by its site, so a long address never widens the table.

    >>> _source_link("https://www.gov.cn/xinwen/2021-12/28/content.htm")
    '[www.gov.cn](https://www.gov.cn/xinwen/2021-12/28/content.htm)'
    """
    from urllib.parse import urlsplit

    return f"[{urlsplit(url).netloc or url}]({url})"


def to_markdown(frame: pd.DataFrame) -> str:
    """A pipe table for MyST Markdown.

    Examples
    --------
    >>> print(to_markdown(pd.DataFrame({"a": [1], "b": ["x"]})))
    | a | b |
    |---|---|
    | 1 | x |
    >>> print(to_markdown(pd.DataFrame(columns=["a", "b"])))
    | a | b |
    |---|---|
    | — | — |
    """
    cols = [str(c).replace("|", "\\|") for c in frame.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    if frame.empty:  # a table with no rows (e.g. QCA not run) shows a row of dashes, never a bare header
        lines.append("| " + " | ".join("—" for _ in cols) + " |")
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |")
    return "\n".join(lines)





#: The book's text column in em (about 570 px at 16 px a character: 35 Chinese characters), and what a
#: column takes besides its text (the cell's padding).
TEXT_EM, PADDING_EM = 35.0, 1.3
#: The fewest characters a line of a column's text holds (the CSS table layout would go down to one).
MIN_LINE_EM = 4.0


def _plain_text(text: str) -> str:
    """A cell's text as drawn: a link's text only, no Markdown marks."""
    import re

    return re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", str(text)).replace("**", "").replace("`", "").replace("\\", "")


def _em(text: str) -> float:
    """How wide ``text`` is when drawn, in em: a Chinese character (or full-width mark) 1, another
    character about 0.55; a link counts its text only, Markdown marks nothing.

    >>> _em("湖南省"), _em("2021-12-31"), _em("[www.gov.cn](https://www.gov.cn/a)")
    (3.0, 5.5, 5.5)
    """
    import unicodedata

    return round(sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.55 for c in _plain_text(text)), 2)


def _longest_word(text: str) -> float:
    """The widest stretch of ``text`` a line cannot break (Latin letters, digits and their marks; a
    Chinese character breaks anywhere), in em.

    >>> _longest_word("湖南省民政厅，jxxfw.com，2026-12-03 查阅")
    5.5
    """
    import re
    import unicodedata

    words = re.split(r"\s+", "".join(" " if unicodedata.east_asian_width(c) in "WF" else c for c in _plain_text(text)))
    return max([_em(w) for w in words] + [0.0])


def column_widths(frame: pd.DataFrame) -> list[int]:
    """Relative column widths (percent) for the book's text column (:data:`TEXT_EM`), so that no column
    is squeezed to a character per line, as the browser's own table layout does to Chinese text: each
    column starts from the narrowest width that still holds :data:`MIN_LINE_EM` characters a line (or
    its longest unbreakable word, or all of its text when that is shorter), and the space left is shared
    in proportion to how much more each column's longest cell needs.

    >>> column_widths(pd.DataFrame({"站点": ["S01"], "引文": ["很长的一段话" * 20]}))
    [9, 91]
    >>> column_widths(pd.DataFrame({"a": ["甲乙"], "b": ["丙丁"]}))
    [50, 50]
    """
    cells = [[str(c)] + frame[c].astype(str).tolist() for c in frame.columns]
    need = [max(min(_em(col[0]), MIN_LINE_EM), *(_em(v) for v in col[1:])) + PADDING_EM for col in cells]
    floor = [min(n, max(MIN_LINE_EM, *(_longest_word(v) for v in col)) + PADDING_EM) for n, col in zip(need, cells)]
    room, extra = TEXT_EM - sum(floor), sum(need) - sum(floor)
    if sum(need) <= TEXT_EM:
        width = need
    elif room <= 0 or extra <= 0:
        width = floor
    else:
        width = [f + room * (n - f) / extra for f, n in zip(floor, need)]
    total = sum(width) or 1.0
    return [max(1, round(100 * x / total)) for x in width]


#: A cell left blank on purpose (a summary row's other cells); any other empty cell shows a dash.
BLANK = "\u00a0"


def to_list_table(frame: pd.DataFrame) -> str:
    """A MyST ``list-table`` with :func:`column_widths`, which the browser keeps (a pipe table leaves
    the widths to it, and it squeezes Chinese text to a character per line). Inside a chapter's
    ``{table}`` block, it takes that block's caption and label.

    Examples
    --------
    >>> print(to_list_table(pd.DataFrame({"a": [1], "b": [""]})))
    ```{list-table}
    :header-rows: 1
    :widths: 50 50
    <BLANKLINE>
    * - a
      - b
    * - 1
      - —
    ```
    """
    shown = frame if len(frame) else pd.DataFrame([["—"] * len(frame.columns)], columns=frame.columns)
    lines = ["```{list-table}", ":header-rows: 1", ":widths: " + " ".join(map(str, column_widths(shown))), ""]
    for row in [list(shown.columns)] + shown.astype(str).values.tolist():
        cells = [v if v == BLANK else (v.strip() or "—").replace("\n", " ") for v in map(str, row)]
        lines += ["* - " + _cell_text(cells[0])] + ["  - " + _cell_text(c) for c in cells[1:]]
    lines.append("```")
    return "\n".join(lines)


def _cell_text(text: str) -> str:
    r"""A cell's text that Markdown cannot take for the start of a list or a heading.

    >>> _cell_text("- 3"), _cell_text("1. x"), _cell_text("+2.6")
    ('\\- 3', '1\\. x', '+2.6')
    """
    import re

    if re.match(r"^[-+*] ", text) or text.startswith("#"):
        return "\\" + text
    return re.sub(r"^(\d+)([.)]) ", r"\1\\\2 ", text)


def _p(p: float) -> str:
    """A p-value as journals print it.

    Examples
    --------
    >>> _p(0.00001), _p(0.0312), _p(float("nan"))
    ('< 0.001', '0.031', '—')
    """
    if pd.isna(p):
        return "—"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def _p_starred(p: float, fdr: float | None) -> str:
    """:func:`_p`, starred when it is below the false-discovery level ``fdr`` (None: never starred).

    >>> _p_starred(0.0496, 0.05), _p_starred(0.2, 0.05), _p_starred(float("nan"), 0.05), _p_starred(0.01, None)
    ('0.050 *', '0.200', '—', '0.010')
    """
    return _p(p) + (" *" if fdr is not None and pd.notna(p) and p < fdr else "")


def cross_tab_table(tests: pd.DataFrame, cells: pd.DataFrame, codes: pd.DataFrame, categories: dict,
                    lang: str, fdr: float) -> pd.DataFrame:
    """One row per code: spans with the code, the permutation statistic (sum of squared cell z), its
    p and FDR-adjusted p, the p the spans would give as independent draws, and the over-represented
    categories (cells whose permutation z is above 0 and whose own p survives the FDR over all cells)."""
    h, w = HEADERS[lang], WORDS[lang]
    label = code_labels(codes, lang)
    over = {}
    for code, grp in cells.groupby("code_id"):
        strong = grp[(grp["perm_z"] > 0) & (grp["p_fdr"] < fdr)].sort_values("perm_z", ascending=False)
        over[code] = "、".join(WORDS[lang]["with_residual"].format(label=categories[c], r=_signed(r, 1))
                              for c, r in zip(strong["category"], strong["perm_z"])) or "—"
    return pd.DataFrame({
        h["code"]: tests["code_id"].map(label),
        h["code_id"]: "`" + tests["code_id"] + "`",
        w["n_with"]: tests["n_with_code"],
        w["perm_statistic"]: [("—" if pd.isna(s) else f"{s:.1f}") for s in tests["statistic"]],
        w["p_perm"]: tests["p_value"].map(_p),
        w["p_fdr"]: [_p_starred(p, fdr) for p in tests["p_fdr"]],
        w["p_spans"]: tests["p_spans"].map(_p),
        w["over"]: tests["code_id"].map(over),
    })


def cross_tab_book(table: pd.DataFrame, tests: pd.DataFrame, lang: str) -> Shown:
    """:func:`cross_tab_table` for the book: only the codes that were tested (a code with too few
    spans, or never used, has no test and stays in the CSV only), without the id column, and with
    short headers (the chapter's note under the table spells them out)."""
    w = WORDS[lang]
    short = {w["n_with"]: w["n_with_short"], w["perm_statistic"]: w["statistic_short"], w["p_perm"]: w["p_perm_short"],
             w["p_fdr"]: w["p_fdr_short"], w["p_spans"]: w["p_spans_short"], w["over"]: w["over_short"]}
    return brief(table, keep=tests["p_value"].notna().to_numpy(), drop=[HEADERS[lang]["code_id"]], rename=short)


def _ci(value: float, lo: float, hi: float, undefined: str) -> str:
    """A coefficient with its interval, or a word when undefined.

    Examples
    --------
    >>> _ci(0.8312, 0.8, 0.862, "undefined"), _ci(float("nan"), 0, 0, "undefined")
    ('0.831 [0.800, 0.862]', 'undefined')
    """
    if pd.isna(value):
        return undefined
    if pd.isna(lo) or pd.isna(hi):
        return f"{value:.3f}"
    return f"{value:.3f} [{lo:.3f}, {hi:.3f}]"


def reliability_table(per_code: pd.DataFrame, codes: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Per-code agreement with 95% bootstrap intervals, weakest alpha first; undefined said in words."""
    h, w = HEADERS[lang], WORDS[lang]
    merged = per_code.merge(codes[["code_id", f"label_{lang}"]], on="code_id").sort_values(
        ["krippendorff_alpha", "code_id"], na_position="first")
    out = pd.DataFrame({h["code"]: merged[f"label_{lang}"], h["code_id"]: "`" + merged["code_id"] + "`"})
    for name, head in (("krippendorff_alpha", h["alpha"]), ("cohen_kappa", w["kappa"]), ("gwet_ac1", w["ac1"])):
        out[head] = [_ci(v, lo, hi, w["undefined"]) for v, lo, hi in
                     zip(merged[name], merged[f"{name}_lo"], merged[f"{name}_hi"])]
    out[h["agreement"]] = [w["undefined"] if pd.isna(p) else f"{p:.1%}" for p in merged["percent_agreement"]]
    out[w["coded"]] = [w["undefined"] if pd.isna(p) else f"{p:.1%}" for p in merged["coded_agreement"]]
    out[w["flag"]] = merged["flag"].map(w)
    return out


def reliability_book_table(per_code: pd.DataFrame, codes: pd.DataFrame, lang: str) -> Shown:
    """:func:`reliability_table` for the book: alpha with its interval, kappa and AC1 as point
    values (their intervals, and the code ids, stay in the CSV), so that the verdict column fits."""
    h, w = HEADERS[lang], WORDS[lang]
    full = reliability_table(per_code, codes, lang)
    shown = full.copy()
    for head in (w["kappa"], w["ac1"]):
        shown[head] = shown[head].map(lambda v: v.split(" [")[0])
    return Shown(full, brief(shown, drop=[h["code_id"]], rename={h["alpha"]: w["alpha_interval"],
                                                                 w["coded"]: w["coded_short"]}).shown)


def station_theme_table(by_station: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Stations x themes: coded segments per theme in each station."""
    themes = by_station[by_station["depth"] == 0]
    wide = themes.pivot(index="case_id", columns="code_id", values="n_segments")
    order = themes.drop_duplicates("code_id")
    wide = wide[order["code_id"]]
    wide.columns = order[f"label_{lang}"].tolist()
    wide.index.name = HEADERS[lang]["station"]
    return wide.reset_index()


def saturation_table(summary: pd.DataFrame, sentences: list[str], lang: str) -> pd.DataFrame:
    """Per scope (all stations, then each station): interviews, codes in the base and in all, the result.
    A station whose result reads as the station above it says "同上" (ditto), not the sentence again."""
    w = WORDS[lang]
    sentences = list(sentences)
    scopes = list(summary["scope"])
    for k in range(len(sentences) - 1, 0, -1):
        if scopes[k] != "pooled" and scopes[k - 1] != "pooled" and sentences[k] == sentences[k - 1]:
            sentences[k] = "同上" if lang == "zh" else "as above"
    return pd.DataFrame({
        w["scope"]: summary["scope"].replace({"pooled": w["pooled"]}),
        w["interviews"]: summary["n_interviews"],
        w["base_codes"]: [("—" if pd.isna(v) else f"{int(v):,}") for v in summary["base_codes"]],
        w["total_codes"]: summary["total_codes"],
        w["result"]: sentences,
    })


def saturation_summary_table(summary: pd.DataFrame, sentences: list[str], lang: str) -> pd.DataFrame:
    """The pooled row of :func:`saturation_table`, and one row for all the stations: the median (and
    range) of their interviews and codes, and how many reached saturation or why not."""
    w = WORDS[lang]
    pooled = saturation_table(summary[summary["scope"] == "pooled"], [s for s, scope in zip(sentences, summary["scope"])
                                                                      if scope == "pooled"], lang)
    stations = summary[summary["scope"] != "pooled"]

    def spread(column):
        v = stations[column].astype(float).dropna()
        if v.empty:
            return "—"
        return f"{v.median():g}（{v.min():g}–{v.max():g}）" if lang == "zh" else f"{v.median():g} ({v.min():g}-{v.max():g})"

    reached = stations[stations["reached"].astype(bool)]
    reasons = stations.loc[~stations["reached"].astype(bool), "reason_code"].value_counts()
    from analysis.methods.saturation import REASONS_ZH

    named = {code: (REASONS_ZH.get(code, code) if lang == "zh" else code.replace("_", " ")) for code in reasons.index}
    rest = ("、".join(f"{named[c]}（{n:,} 个）" for c, n in reasons.items()) if lang == "zh"
            else ", ".join(f"{named[c]} ({n:,})" for c, n in reasons.items())) or "—"
    point = f"{reached['point'].astype(float).median():g}" if len(reached) else "—"
    row = pd.DataFrame([[w["stations_summary"].format(n=len(stations)), spread("n_interviews"), spread("base_codes"),
                         spread("total_codes"), w["saturation_stations"].format(n=len(stations), reached=len(reached),
                                                                                point=point, rest=rest)]],
                       columns=pooled.columns)
    return pd.concat([pooled.astype(str), row], ignore_index=True)


def disagreement_table(table: pd.DataFrame, codes: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Per code: stretches where the coders differ, how many were another code rather than none, characters."""
    h, w = HEADERS[lang], WORDS[lang]
    label = code_labels(codes, lang)
    if table.empty:
        return pd.DataFrame(columns=[h["code"], h["code_id"], w["stretches"], w["confusions"], w["omissions"], w["chars"]])
    t = table.assign(confused=table["other_codes_there"].fillna("") != "", chars=table["end"] - table["start"])
    grp = t.groupby("code_id").agg(n=("start", "size"), confused=("confused", "sum"), chars=("chars", "sum"))
    grp = grp.sort_values(["n", "chars"], ascending=False).reset_index()
    return pd.DataFrame({
        h["code"]: grp["code_id"].map(label), h["code_id"]: "`" + grp["code_id"] + "`",
        w["stretches"]: grp["n"], w["confusions"]: grp["confused"].astype(int),
        w["omissions"]: (grp["n"] - grp["confused"]).astype(int), w["chars"]: grp["chars"].map(lambda n: f"{int(n):,}"),
    })


def _quote(text: str, who: str, actor: str, lang: str) -> str:
    """A quotation attributed by pseudonymous id and actor type only, after a dash (an actor type such
    as 村（社区）干部 has brackets of its own). Quotation marks inside it, straight or curly, double or
    single, become single curly ones, as a quotation within a quotation is set (left alone, the
    book's typesetter would turn a straight quote that follows a CJK character into a closing one).

    >>> _quote('三句话不离"要回镇里开会"。', "S05-P06", "resident", "zh")
    '“三句话不离‘要回镇里开会’。”——S05-P06，居民'
    >>> _quote("说是“做服务”，又说'我们村'。", "S01-D07", "none", "zh")
    '“说是‘做服务’，又说‘我们村’。”——S01-D07，无发言人'
    """
    if not text:
        return "—"
    role = ACTOR_LABELS[lang].get(actor, actor)
    if role.startswith("（") and role.endswith("）"):  # the label in words stands in brackets of its own
        role = role[1:-1]
    inner = curly_quotes(text, "‘’")  # the straight double quotes, paired
    inner = curly_quotes(inner.replace("'", '"'), "‘’")  # then the straight single ones
    inner = inner.translate(INNER_QUOTES)  # and the curly double ones, as single
    return WORDS[lang]["quotation"].format(text=inner, who=who, role=role)


#: Curly double quotes inside a quotation become single ones.
INNER_QUOTES = str.maketrans("“”", "‘’")


def curly_quotes(text: str, marks: str = "“”") -> str:
    """Straight double quotes as the curly ``marks``, opening and closing in turn (an odd last one opens).

    >>> curly_quotes('他说"好"，又说"不好"')
    '他说“好”，又说“不好”'
    """
    parts = text.split('"')
    return "".join(part + marks[k % 2] for k, part in enumerate(parts[:-1])) + parts[-1]


def evidence_table(matrix: pd.DataFrame, claim: str, by: str, labels: dict, lang: str) -> pd.DataFrame:
    """One claim's evidence by ``by`` (actor type or station): counts, share and the two exemplars."""
    h = HEADERS[lang]
    w = WORDS[lang]
    rows = matrix[(matrix["claim"] == claim) & ((matrix["n_support"] + matrix["n_contrary"]) > 0)]
    return pd.DataFrame({
        {"case_id": h["station"], "scope": w["mechanism_element"]}.get(by, w["actor"]): rows[by].map(lambda v: labels.get(v, v)),
        w["supporting"]: rows["n_support"],
        w["contrary"]: rows["n_contrary"],
        w["share_supporting"]: [("—" if pd.isna(v) else f"{v:.0%}") for v in rows["support_share"]],
        w["typical_supporting_quotation"]: [
            _quote(t, w, a, lang) for t, w, a in zip(rows["exemplar_support"], rows["exemplar_support_by"], rows["exemplar_support_actor"])],
        w["typical_contrary_quotation"]: [
            _quote(t, w, a, lang) for t, w, a in zip(rows["exemplar_contrary"], rows["exemplar_contrary_by"], rows["exemplar_contrary_actor"])],
    })


def evidence_station_table(matrix: pd.DataFrame, claim_labels: dict, lang: str) -> pd.DataFrame:
    """Stations x claims: 'supporting / contrary' per cell."""
    cell = matrix.assign(cell=matrix["n_support"].astype(str) + " / " + matrix["n_contrary"].astype(str))
    wide = cell.pivot(index="case_id", columns="claim", values="cell")[list(claim_labels)]
    wide.columns = [claim_labels[c] for c in wide.columns]
    wide.index.name = HEADERS[lang]["station"]
    return wide.reset_index()


def reliability_sensitivity_table(claims: pd.DataFrame, labels: dict, lang: str) -> pd.DataFrame:
    """Each claim's evidence with every code and without the codes of low reliability
    (:func:`analysis.methods.evidence.without_codes`): the codes left out, supporting / contrary
    spans and the support share in both versions, and the stations whose share crosses one half.

    >>> c = pd.DataFrame({"claim": ["P1", "m.a"], "kind": ["proposition", "mechanism"], "dropped": ["a", "m.a"],
    ...                   "n_support": [30, 8], "n_contrary": [10, 8], "support_share": [0.75, 0.5],
    ...                   "n_support_kept": [20, 0], "n_contrary_kept": [10, 8], "support_share_kept": [2 / 3, float("nan")],
    ...                   "n_stations": [4, 0], "n_stations_crossing": [1, 0]})
    >>> reliability_sensitivity_table(c, {"a": "甲", "m.a": "机制甲"}, "zh").iloc[1].tolist()
    ['机制甲', '机制甲', '8 / 8', '0.50', '无法评估', '—', '—']
    """
    zh = lang == "zh"
    def name(row) -> str:
        return hypothesis_label(row.claim, lang) if row.kind == "proposition" else labels.get(row.claim, row.claim)

    def share(v) -> str:
        return "—" if pd.isna(v) else f"{v:.2f}"

    return pd.DataFrame({
        "命题或机制" if zh else "claim": [name(r) for r in claims.itertuples()],
        "不计的编码" if zh else "codes left out": claims["dropped"].map(
            lambda d: ("、" if zh else ", ").join(labels.get(c, c) for c in d.split("; ")) if d else ("无" if zh else "none")),
        "支持 / 反证（全部编码）" if zh else "support / contrary (all codes)":
            claims["n_support"].map(lambda n: f"{n:,}") + " / " + claims["n_contrary"].map(lambda n: f"{n:,}"),
        "支持占比" if zh else "share": claims["support_share"].map(share),
        "支持 / 反证（不计信度不足的编码）" if zh else "support / contrary (reliable codes)": [
            (f"{r.n_support_kept:,} / {r.n_contrary_kept:,}" if not pd.isna(r.support_share_kept) or not r.dropped
             else ("无法评估" if zh else "cannot be weighed")) for r in claims.itertuples()],
        "支持占比（不计）" if zh else "share (reliable codes)": claims["support_share_kept"].map(share),
        "支持与反证孰多易位的站点" if zh else "stations where the majority flips": [
            "—" if not r.n_stations else f"{r.n_stations_crossing:,} / {r.n_stations:,}" for r in claims.itertuples()],
    })


def reliability_sensitivity_qca_table(result: dict, labels: dict, lang: str) -> pd.DataFrame:
    """The intermediate solution with every code, and without the codes of low reliability with the
    anchors as configured and moved to the same quantiles of the new scores (rule
    ``reliability_sensitivity``).

    >>> r = {"all_codes": {"n_cases": 15, "models": "x*y", "incl": 0.95, "cov": 0.77},
    ...      "without": {"n_cases": 15, "models": "", "incl": None, "cov": None}, "requantiled": None}
    >>> reliability_sensitivity_qca_table(r, {"x": "甲", "y": "乙"}, "zh").values.tolist()
    [['全部编码，配置的锚点', '15', '甲 × 乙', '0.950', '0.770'], ['不计信度不足的编码，锚点不变', '15', '无解', '—', '—'], ['不计信度不足的编码，锚点移到相同分位', '—', '未运行（站点太少）', '—', '—']]
    """
    zh = lang == "zh"
    names = {"all_codes": ("全部编码，配置的锚点", "all codes, anchors as configured"),
             "without": ("不计信度不足的编码，锚点不变", "reliable codes only, anchors as configured"),
             "requantiled": ("不计信度不足的编码，锚点移到相同分位", "reliable codes only, anchors at the same quantiles")}
    rows = []
    for key, (zh_name, en_name) in names.items():
        r = result.get(key)
        if r is None:
            rows.append([zh_name if zh else en_name, "—", "未运行（站点太少）" if zh else "not run (too few stations)", "—", "—"])
            continue
        models = ("；".join(qca_expression(m, labels, lang) for m in r["models"].split(" | ")) if r["models"]
                  else ("无解" if zh else "none"))
        rows.append([zh_name if zh else en_name, f"{int(r['n_cases']):,}", models,
                     "—" if r["incl"] is None else f"{r['incl']:.3f}", "—" if r["cov"] is None else f"{r['cov']:.3f}"])
    return pd.DataFrame(rows, columns=["方案", "案例数", "中间解", "一致性", "覆盖度"] if zh else
                        ["variant", "cases", "intermediate solution", "consistency", "coverage"])


def cooccurrence_table(pairs: pd.DataFrame, labels: dict, lang: str, top: int, fdr: float | None = None) -> pd.DataFrame:
    """The strongest segment-level co-occurrences (by c) with both levels' tests; a p below ``fdr``
    after the correction is starred (so a p of 0.0496, printed 0.050, still shows it passes)."""
    w = WORDS[lang]
    seg = pairs[pairs["level"] == "segment"].sort_values(["c", "code_a", "code_b"], ascending=[False, True, True]).head(top)
    doc = pairs[pairs["level"] == "document"].set_index(["code_a", "code_b"])
    return pd.DataFrame({
        w["code_a"]: seg["code_a"].map(labels), w["code_b"]: seg["code_b"].map(labels),
        w["spans_together"]: seg["n_ab"],
        w["c_spans"]: seg["c"].map(lambda v: f"{v:.3f}"),
        w["permutation_fdr_p"]: seg["p_fdr"].map(lambda v: _p_starred(v, fdr)),
        w["c_documents"]: [f"{doc.loc[(a, b), 'c']:.3f}" for a, b in zip(seg["code_a"], seg["code_b"])],
        w["stratified_fdr_p"]: [_p_starred(doc.loc[(a, b), "p_fdr"], fdr) for a, b in zip(seg["code_a"], seg["code_b"])],
    })


def model_table(fits: pd.DataFrame, labels: dict, lang: str) -> pd.DataFrame:
    """Odds ratios with 95% intervals, the p-value and, for the coefficients the analysis corrects
    for multiple testing (fits with a ``p_fdr`` column), the FDR-adjusted p; a model that could not be
    estimated says why, in the book's language (:func:`model_note`)."""
    w = WORDS[lang]
    rows = fits[fits["term"] != "Intercept"]
    for col in ("odds_ratio", "or_lo", "or_hi", "p_value", "note", "code_id", "reference", "n_clusters", "dropped"):
        if col not in rows:  # every model failed, or fits from before the reference was recorded
            rows = rows.assign(**{col: np.nan if col not in ("note", "reference", "dropped") else ""})

    def term_label(term: str) -> str:
        if term.startswith("voice="):
            v = term.split("=", 1)[1]
            extra = {"focus_group": w["focus_group"], "written": w["written"]}
            return w["voice"] + extra.get(v, ACTOR_LABELS[lang].get(v, v))
        if term == "log_spans":
            return w["coded_spans_in_the_document_log"]
        if term == "mech_before":
            return w["mechanism_already_mentioned"]
        if term == "position":
            return w["position_in_document"]
        return labels.get(term.replace("_", ".", 1), term)

    out = pd.DataFrame({
        w["outcome"]: rows["code_id"].map(lambda c: labels.get(c, c)),
        w["predictor"]: [term_label(t) if t else model_note(n or "", lang) for t, n in zip(rows["term"], rows["note"])],
        w["odds_ratio"]: [("—" if pd.isna(v) else f"{v:.2f}") for v in rows["odds_ratio"]],
        w["95_interval"]: [("—" if pd.isna(lo) else f"{lo:.2f}–{hi:.2f}")
                                               for lo, hi in zip(rows["or_lo"], rows["or_hi"])],
        w["p"]: rows["p_value"].map(_p),
    })
    if "p_fdr" in rows:
        out[w["p_fdr"]] = rows["p_fdr"].map(_p).to_numpy()
    out[w["reference_distribution"]] = reference_texts(rows, lang)
    return out


def reference_texts(rows: pd.DataFrame, lang: str) -> list[str]:
    """Each fit's reference distribution with its number of stations (and whether the voice was left
    out), as the models' tables print it; "—" for a model not estimated.

    >>> reference_texts(pd.DataFrame({"reference": ["t(14)", ""], "n_clusters": [15, None], "dropped": ["voice", ""]}), "zh")
    ['t(14)，G = 15；不含发言主体', '—']
    """
    return [_reference_text(r, int(g), bool(d), lang) if r and not pd.isna(g) else "—"
            for r, g, d in zip(rows["reference"].fillna(""), rows["n_clusters"], rows["dropped"].fillna(""))]


def _reference_text(reference: str, stations: int, voice_left_out: bool, lang: str) -> str:
    text = f"{reference}，G = {stations}" if lang == "zh" else f"{reference}, G = {stations}"
    return text + (WORDS[lang]["voice_left_out"] if voice_left_out else "")


def shared_reference(fits: pd.DataFrame) -> tuple[str, int, bool] | None:
    """The reference distribution, number of stations and whether the voice was left out that every
    estimated coefficient of ``fits`` shares, or None when they differ (or the fits do not record them).

    >>> f = pd.DataFrame({"term": ["Intercept", "a", "b"], "reference": "t(14)", "n_clusters": 15, "dropped": ""})
    >>> shared_reference(f), shared_reference(f.assign(n_clusters=[15, 15, 14]))
    (('t(14)', 15, False), None)
    """
    rows = fits[fits["term"] != "Intercept"]
    if any(col not in rows for col in ("reference", "n_clusters", "dropped")):
        return None
    found = {(r, int(g), bool(d)) for r, g, d in zip(rows["reference"].fillna(""), rows["n_clusters"],
                                                     rows["dropped"].fillna("")) if r and not pd.isna(g)}
    return found.pop() if len(found) == 1 else None


def constant_reference(fits: pd.DataFrame, lang: str) -> str:
    """The reference every estimated coefficient of ``fits`` shares (:func:`shared_reference`) as the
    tables print it, or "" when they differ: a table whose rows all share it says it once, in its
    note, instead of in a column.

    >>> f = pd.DataFrame({"term": ["Intercept", "a", "b"], "reference": "t(14)", "n_clusters": 15, "dropped": ""})
    >>> constant_reference(f, "zh"), constant_reference(f.assign(n_clusters=[15, 15, 14]), "zh")
    ('t(14)，G = 15', '')
    """
    shared = shared_reference(fits)
    return _reference_text(*shared, lang) if shared else ""


def without_constant_reference(frame: pd.DataFrame, fits: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``frame`` (a models' table) without its reference column when every row shares one reference."""
    column = WORDS[lang]["reference_distribution"]
    return frame.drop(columns=column) if constant_reference(fits, lang) and column in frame else frame


#: A failed model's note (``analysis.methods.models``) in the book's language: pattern -> text.
MODEL_NOTES = {
    "zh": [(r"^the outcome does not vary$", "结果编码没有变异（在每份文档中都出现或都不出现），无法估计"),
           (r"^not estimated: (\d+) parameters for (\d+) clusters$", "未估计：{0} 个参数只有 {1} 个站点"),
           (r"^not estimable: the fit did not converge \(separation\)$", "无法估计：完全分离，模型不收敛"),
           (r"^not estimable: (\w+)$", "无法估计：拟合出错（{0}）")],
}


def model_note(note: str, lang: str) -> str:
    """Why a model was not estimated, in ``lang`` (English notes stay as the method wrote them).

    >>> model_note("not estimable: the fit did not converge (separation)", "zh")
    '无法估计：完全分离，模型不收敛'
    >>> model_note("not estimated: 7 parameters for 15 clusters", "zh"), model_note("odd", "zh")
    ('未估计：7 个参数只有 15 个站点', 'odd')
    """
    import re

    for pattern, text in MODEL_NOTES.get(lang, []):
        found = re.match(pattern, note)
        if found:
            return text.format(*found.groups())
    return note


def model_book_table(fits: pd.DataFrame, labels: dict, lang: str, max_ratio: float) -> Shown:
    """:func:`model_table` for the book: the coefficients the analysis tests (those with an FDR-adjusted
    p) whose interval is finite and no wider than ``max_ratio`` (upper over lower limit), the models that
    could not be estimated with the reason; what only the CSV lists (the control variables'
    coefficients, and tested ones with a wider interval) the table's note counts (:func:`model_rest`)."""
    full = model_table(fits, labels, lang)
    failed, tested, narrow = _model_rows(fits, max_ratio)
    return Shown(full, full[failed | (tested & narrow)].reset_index(drop=True))


def _model_rows(fits: pd.DataFrame, max_ratio: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each coefficient row of ``fits`` but the intercepts: a model that failed, a coefficient the
    analysis tests (it has an FDR-adjusted p), and an interval finite and no wider than ``max_ratio``."""
    rows = fits[fits["term"] != "Intercept"].reset_index(drop=True)
    failed = rows["term"].fillna("").eq("").to_numpy()
    tested = rows["p_fdr"].notna().to_numpy() if "p_fdr" in rows else ~failed
    lo = pd.to_numeric(rows.get("or_lo", pd.Series(np.nan, index=rows.index)), errors="coerce").to_numpy()
    hi = pd.to_numeric(rows.get("or_hi", pd.Series(np.nan, index=rows.index)), errors="coerce").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        narrow = np.isfinite(lo) & np.isfinite(hi) & (lo > 0) & (hi / lo <= max_ratio)
    return failed, tested, narrow


def model_rest(fits: pd.DataFrame, lang: str, max_ratio: float) -> str:
    """What the book's outcome table (:func:`model_book_table`) leaves to the CSV, for its note: the
    control variables' coefficients (naming the controls the models hold) and the tested coefficients
    whose interval is too wide to read; empty when it leaves out nothing.

    >>> fits = pd.DataFrame({"term": ["Intercept", "mech_a", "mech_b", "log_spans"], "p_fdr": [None, 0.2, 0.3, None],
    ...                      "or_lo": [1, 0.5, 0.01, 0.9], "or_hi": [1, 2.0, 90.0, 1.1]})
    >>> model_rest(fits, "zh", 100), model_rest(fits, "zh", 10000)
    ('另有 1 个控制变量（文档中编码片段数的对数）的系数与 1 个区间过宽（上限超过下限的 100 倍）、无从解读的机制系数只列在 CSV 下载中', '另有 1 个控制变量（文档中编码片段数的对数）的系数只列在 CSV 下载中')
    """
    w = WORDS[lang]
    rows = fits[fits["term"] != "Intercept"].reset_index(drop=True)
    failed, tested, narrow = _model_rows(fits, max_ratio)
    wide, controls = int((tested & ~narrow & ~failed).sum()), int((~tested & ~failed).sum())
    if not (wide or controls):
        return ""
    # the controls the models hold: the document's length always, the voice only where it was kept
    terms = set(rows.loc[~tested & ~failed, "term"].fillna(""))
    which = [w["control_length"]] * ("log_spans" in terms) + [w["control_voice"]] * any(
        t.startswith("voice=") for t in terms)
    which += sorted(t for t in terms if t != "log_spans" and not t.startswith("voice="))
    rest = [w["rest_controls"].format(n=controls, which=("、" if lang == "zh" else ", ").join(which))] if controls else []
    rest += [w["rest_wide"].format(n=wide, ratio=f"{max_ratio:g}")] if wide else []
    return w["rest_in_csv"].format(what=(w["rest_and"]).join(rest))


def _signed(value: float, digits: int) -> str:
    """A signed number as the prose prints it, with a true minus sign.

    >>> _signed(-3.0103, 1), _signed(2.5, 1), _signed(0.0, 3)
    ('−3.0', '+2.5', '+0.000')
    """
    return f"{value:+.{digits}f}".replace("-", "−")


def _plain(text: str) -> str:
    r"""Text that Markdown shows as it is: its emphasis and strike-through marks escaped.

    >>> _plain("a*b_c~d")
    'a\\*b\\_c\\~d'
    """
    for mark in ("\\", "*", "_", "~", "`"):
        text = text.replace(mark, "\\" + mark)
    return text


def qca_expression(expression: str, labels: dict, lang: str) -> str:
    """A Boolean expression of QCA (``*`` and, ``+`` or, ``~`` not) with each set's label, written
    with ``×``, ``+`` and ``¬`` so that no ``*`` or ``~`` reaches Markdown (which would read them as
    emphasis); every QCA table writes its conditions and solutions through this function.

    >>> qca_expression("inst*cap + ~inst*inc", {"inst": "制度框架", "cap": "能力", "inc": "激励"}, "zh")
    '制度框架 × 能力 + ¬制度框架 × 激励'
    >>> qca_expression("", {}, "en")
    '—'
    """
    if not expression.strip():
        return "—"

    def literal(text: str) -> str:
        text = text.strip()
        negated = text.startswith("~")
        name = text.lstrip("~").strip()
        return ("¬" if negated else "") + _plain(labels.get(name, name))

    return " + ".join(" × ".join(literal(x) for x in term.split("*")) for term in expression.split("+"))


def qca_calibration_table(raw: pd.DataFrame, calibrated: pd.DataFrame, labels: dict, lang: str) -> pd.DataFrame:
    """Per station: each set's raw evidence share and its calibrated membership, sets by their labels."""
    w = WORDS[lang]
    out = pd.DataFrame({HEADERS[lang]["station"]: raw["case"]})
    for col in [c for c in raw.columns if c != "case"]:
        name = qca_expression(col, labels, lang)
        out[w["raw_score"].format(col=name)] = raw[col].map(lambda v: "—" if pd.isna(v) else f"{v:.2f}")
        out[w["membership"].format(col=name)] = calibrated[col].map(lambda v: f"{v:.2f}")
    return out


def qca_calibration_book(raw: pd.DataFrame, calibrated: pd.DataFrame, labels: dict, lang: str) -> Shown:
    """:func:`qca_calibration_table` for the book: one column per set, each cell 'raw score → membership'
    (the CSV keeps the two in columns of their own)."""
    full = qca_calibration_table(raw, calibrated, labels, lang)
    shown = pd.DataFrame({HEADERS[lang]["station"]: raw["case"]})
    for col in [c for c in raw.columns if c != "case"]:
        shown[qca_expression(col, labels, lang)] = [("—" if pd.isna(r) else f"{r:.2f}") + f" → {m:.2f}"
                                                    for r, m in zip(raw[col], calibrated[col])]
    return Shown(full, shown)


def qca_necessity_table(table: pd.DataFrame, labels: dict, lang: str) -> pd.DataFrame:
    """Each condition and its negation (¬) as a necessary condition: consistency, coverage, RoN."""
    w = WORDS[lang]
    return pd.DataFrame({w["condition"]: table["condition"].map(lambda c: qca_expression(c, labels, lang)),
                         w["consistency"]: table["incl"].map(lambda v: f"{v:.3f}"),
                         w["coverage"]: table["cov"].map(lambda v: f"{v:.3f}"),
                         w["relevance_ron"]: table["ron"].map(lambda v: f"{v:.3f}")})


def qca_anchor_table(anchors: dict, conditions: dict, outcome: str, labels: dict, lang: str) -> pd.DataFrame:
    """Each set's raw measure and the three anchors of its direct calibration (the configuration's
    ``qca.anchors``): what Schneider and Wagemann (2012) ask a QCA to report before its results.

    >>> qca_anchor_table({"x": {"full": 0.7, "crossover": 0.45, "non": 0.25}, "y": {"full": 0.85, "crossover": 0.65,
    ...                   "non": 0.45}}, {"x": "P1"}, "y", {"x": "甲", "y": "乙"}, "zh").values.tolist()[0]
    ['甲', '命题一的证据中支持性片段的占比', '0.70', '0.45', '0.25']
    """
    zh = lang == "zh"
    rows = []
    for name in [*conditions, outcome]:
        a = anchors[name]
        if name in conditions:
            measure = (f"{hypothesis_name(conditions[name], lang)}的证据中支持性片段的占比" if zh else
                       f"share of {conditions[name]}'s evidence that supports it")
        else:
            measure = "韧性叙述中支持性片段的占比" if zh else "share of resilience talk that is supportive"
        rows.append([qca_expression(name, labels, lang), measure, f"{a['full']:.2f}", f"{a['crossover']:.2f}",
                     f"{a['non']:.2f}"])
    return pd.DataFrame(rows, columns=["集合", "原始得分", "完全隶属", "交叉点", "完全不隶属"] if zh else
                        ["set", "raw score", "full membership", "crossover", "full non-membership"])


def qca_robustness_table(table: pd.DataFrame, labels: dict, lang: str) -> pd.DataFrame:
    """The intermediate solution under each anchor variant (:func:`analysis.methods.qca.anchor_robustness`)."""
    zh = lang == "zh"

    def variant(text: str) -> str:
        if text == "configured":
            return "配置的锚点" if zh else "anchors as configured"
        name, _, value = text.partition(" crossover ")
        name = qca_expression(name, labels, lang)
        return f"{name}的交叉点改为 {value}" if zh else f"{name} crossover at {value}"

    return pd.DataFrame({
        "锚点" if zh else "anchors": table["variant"].map(variant),
        "案例数" if zh else "cases": table["n_cases"].map(lambda n: f"{int(n):,}"),
        "中间解" if zh else "intermediate solution": table["models"].map(
            lambda m: "；".join(qca_expression(x, labels, lang) for x in m.split(" | ")) if m else ("无解" if zh else "none")),
        "一致性" if zh else "consistency": table["incl"].map(lambda v: "—" if pd.isna(v) else f"{v:.3f}"),
        "覆盖度" if zh else "coverage": table["cov"].map(lambda v: "—" if pd.isna(v) else f"{v:.3f}"),
        "与配置相同" if zh else "same as configured": table["same_as_configured"].map(
            lambda v: ("相同" if v else "不同") if zh else ("same" if v else "differs")),
    })


def _some_cases(cases, most: int | None, lang: str) -> str:
    """The cases of a truth-table row, all of them or the first ``most`` and how many more.

    >>> _some_cases(["S1", "S2", "S3"], 2, "en"), _some_cases([], None, "en")
    ('S1, S2 and 1 more', '—')
    """
    cases = list(cases)
    if not cases:
        return "—"
    joined = "、" if lang == "zh" else ", "
    if most is None or len(cases) <= most:
        return joined.join(cases)
    return WORDS[lang]["and_more"].format(shown=joined.join(cases[:most]), more=len(cases) - most)


def qca_truth_table(tt: pd.DataFrame, conditions: list[str], lang: str, most: int | None = None,
                    labels: dict | None = None) -> pd.DataFrame:
    """The truth table, conditions by their labels; with ``most``, each row names at most that many of
    its cases."""
    w = WORDS[lang]
    out = pd.DataFrame({qca_expression(c, labels or {}, lang): tt["row"].str[i] for i, c in enumerate(conditions)})
    out[w["n_cases"]] = tt["n"]
    out[w["consistency"]] = tt["incl"].map(lambda v: "—" if pd.isna(v) else f"{v:.3f}")
    out["PRI"] = tt["pri"].map(lambda v: "—" if pd.isna(v) else f"{v:.3f}")
    out[w["qca_out"]] = tt["out"]
    out[w["cases"]] = tt["cases"].map(lambda cs: _some_cases(cs, most, lang))
    return out


def qca_solution_table(solutions: dict, lang: str, labels: dict | None = None) -> pd.DataFrame:
    """Every model of every solution type, term by term, with the model's own fit on its first line.

    Solution types whose models are the same (as when the truth table has no remainders, and the
    three solutions coincide) are one block named by all of them, not the same rows two or three
    times; a solution type without a model says so.

    Examples
    --------
    >>> m = [{"expression": "A*B", "incl": 0.9, "pri": 0.8, "cov": 0.7, "from": ["C1P1"],
    ...       "terms": [{"term": "A*B", "incl": 0.9, "pri": 0.8, "cov": 0.7, "cov_u": 0.7}]}]
    >>> qca_solution_table({"conservative": m, "parsimonious": m, "intermediate": m}, "zh").iloc[:, 0].tolist()
    ['保守解 = 简约解 = 中间解', '\xa0']
    """
    w = WORDS[lang]
    names = {"conservative": w["conservative"], "parsimonious": w["parsimonious"],
             "intermediate": w["intermediate"]}
    groups: dict[tuple, list[str]] = {}
    for kind, models in solutions.items():
        groups.setdefault(tuple(m["expression"] for m in models), []).append(kind)
    trivial = all(len(solutions.get(k) or []) <= 1 for k in ("conservative", "parsimonious"))
    rows = []
    for members in groups.values():
        name = " = ".join(names[k] for k in members)
        models = solutions[members[0]]
        if not models:
            rows.append({"solution": name, "term": "无解" if lang == "zh" else "none", "incl": float("nan"),
                         "pri": float("nan"), "cov": float("nan"), "cov_u": float("nan")})
        for k, model in enumerate(models, start=1):
            label = name + (f" M{k}" if len(models) > 1 else "")
            if members == ["intermediate"] and model.get("from") and not trivial:
                # the conservative and parsimonious models it came from (only when there is a choice of them)
                label += f"（{'、'.join(model['from'])}）" if lang == "zh" else f" ({', '.join(model['from'])})"
            # by qca_expression, so that no '*' of a solution is read as Markdown emphasis
            rows.append({"solution": label, "term": f"**{qca_expression(model['expression'], labels or {}, lang)}**",
                         "incl": model["incl"], "pri": model["pri"], "cov": model["cov"], "cov_u": float("nan")})
            rows += [{"solution": BLANK, "term": qca_expression(t["term"], labels or {}, lang), "incl": t["incl"],
                      "pri": t["pri"], "cov": t["cov"], "cov_u": t["cov_u"]} for t in model["terms"]]
    frame = pd.DataFrame(rows, columns=["solution", "term", "incl", "pri", "cov", "cov_u"])
    for col in ("incl", "pri", "cov", "cov_u"):
        frame[col] = frame[col].map(lambda v: "—" if pd.isna(v) else f"{v:.3f}")
    return frame.rename(columns={"solution": w["solution"], "term": w["term"], "incl": w["consistency"], "pri": "PRI",
                                 "cov": w["coverage"], "cov_u": w["unique_cov"]})


def hypothesis_label(hypothesis: str, lang: str) -> str:
    """A hypothesis of the process tracing as the book names it, its id after it.

    >>> hypothesis_label("P2", "zh"), hypothesis_label("M", "zh"), hypothesis_label("P2", "en")
    ('命题二（P2）', '机制（M）', 'P2')
    """
    name = hypothesis_name(hypothesis, lang)
    return hypothesis if name == hypothesis else f"{name}（{hypothesis}）"


def hypothesis_name(hypothesis: str, lang: str) -> str:
    """A hypothesis as the prose names it, without its id (the id itself where the book has no name).

    >>> hypothesis_name("P2", "zh"), hypothesis_name("M", "zh"), hypothesis_name("P12", "zh"), hypothesis_name("P2", "en")
    ('命题二', '机制', 'P12', 'P2')
    """
    if lang != "zh":
        return hypothesis
    numerals = "〇一二三四五六七八九"
    if hypothesis[:1] == "P" and hypothesis[1:].isdigit() and int(hypothesis[1:]) < 10:
        return f"命题{numerals[int(hypothesis[1:])]}"
    return {"M": "机制"}.get(hypothesis, hypothesis)


def pt_items_table(items: pd.DataFrame, lang: str, labels: dict | None = None) -> pd.DataFrame:
    """Every evidence item: what it is, its test and likelihoods, whether it was observed and on what
    basis (:func:`_basis`), its weight, whether it counts and the posterior so far. The book shows it
    as two tables (:data:`PT_ITEM_COLUMNS`)."""
    w = WORDS[lang]
    labels = labels or {}
    tests = {"hoop": w["hoop"], "smoking_gun": w["smoking_gun"],
             "straw_in_the_wind": w["straw_in_the_wind"], "doubly_decisive": w["doubly_decisive"]}
    return pd.DataFrame({
        w["hypothesis"]: items["hypothesis"].map(lambda h: hypothesis_label(h, lang)), w["item"]: items["item"],
        w["evidence"]: items["description_zh"], w["test_2"]: items["test"].map(tests),
        "P(E|H)": items["p_e_h"].map(lambda v: f"{v:.2f}"), "P(E|¬H)": items["p_e_not_h"].map(lambda v: f"{v:.2f}"),
        w["observed"]: [w["yes"] if o else w["no"] for o in items["observed"]],
        w["basis"]: items["detail"].map(lambda d: _basis(d, labels, lang)),
        w["decibans"]: items["decibans"].map(lambda v: _signed(v, 1)),
        w["counted"]: [("计入" if lang == "zh" else "counted") if wt else _why_not(why, lang, labels)
                       for wt, why in zip(items.get("weight", pd.Series(1, index=items.index)),
                                          items.get("why", pd.Series("", index=items.index)))],
        w["posterior_so_far"]: items["posterior_after"].map(lambda v: f"{v:.3f}"),
    })


#: The two tables the book makes of :func:`pt_items_table`: the items as designed, and what the coding
#: showed (keys of :data:`~analysis.report.labels.WORDS`, or literal headers).
PT_ITEM_COLUMNS = {"pt_items": ["item", "evidence", "test_2", "P(E|H)", "P(E|¬H)"],
                   "pt_observations": ["item", "observed", "basis", "decibans", "counted", "posterior_so_far"]}


def pt_item_views(items: pd.DataFrame, lang: str, labels: dict) -> dict[str, Shown]:
    """:func:`pt_items_table` as the book's two tables (:data:`PT_ITEM_COLUMNS`), each with the full
    table as its CSV."""
    w = WORDS[lang]
    full = pt_items_table(items, lang, labels)
    return {name: Shown(full, full[[w.get(c, c) for c in columns]]) for name, columns in PT_ITEM_COLUMNS.items()}


#: How :mod:`analysis.methods.process_tracing` states what it counted: pattern -> the book's words.
BASIS = {
    "zh": [(r"^(\d+) documents carry all of (.+)$", "{0} 份文档同时含{1}"),
           (r"^(\d+) spans carry all of (.+)$", "{0} 个片段同时标有{1}"),
           (r"^(\d+) actor types speak of (.+)$", "{0} 类主体谈到{1}"),
           (r"^(\d+) stations have (.+)$", "{0} 个站点出现{1}")],
}


def _code_list(codes: str, labels: dict, lang: str) -> str:
    """Code ids (comma-separated) by their labels.

    >>> _code_list("a.x, a.y", {"a.x": "甲", "a.y": "乙"}, "zh")
    '“甲”与“乙”'
    """
    names = [labels.get(c.strip(), c.strip()) for c in codes.split(",")]
    if lang != "zh":
        return ", ".join(names)
    quoted = [f"“{n}”" for n in names]
    return "与".join(quoted) if len(quoted) <= 2 else "、".join(quoted[:-1]) + "与" + quoted[-1]


def _basis(detail: str, labels: dict, lang: str) -> str:
    """What an item's observation rests on, in ``lang``, codes by their labels.

    >>> _basis("5 actor types speak of inst.legitimacy", {"inst.legitimacy": "合法性认可"}, "zh")
    '5 类主体谈到“合法性认可”'
    """
    import re

    for pattern, text in BASIS.get(lang, []):
        found = re.match(pattern, detail)
        if found:
            return text.format(found.group(1), _code_list(found.group(2), labels, lang))
    return detail


def _why_not(why: str, lang: str, labels: dict | None = None) -> str:
    """Why an item carries no weight, in the book's language.

    >>> _why_not("shares codes with P1-E1 (a.x), which counts for both", "zh", {"a.x": "甲"})
    '不计入：与 P1-E1 共用编码“甲”，只计一次'
    >>> _why_not("shares codes with P1-E1 (through other items), which counts for both", "zh")
    '不计入：与 P1-E1 经由其他条目共用编码，只计一次'
    >>> _why_not("reads a.x, a.y, below the reliability threshold", "zh", {"a.x": "甲"})
    '不计入：所据编码“甲”与“a.y”的信度低于门槛'
    """
    if lang != "zh":
        return f"not counted: {why}"
    if why.startswith("shares codes with "):
        item, _, rest = why.removeprefix("shares codes with ").partition(" (")
        item = item.split(",")[0]
        shared = rest.split(")")[0] if rest else ""
        if not shared or shared == "through other items":
            return f"不计入：与 {item} 经由其他条目共用编码，只计一次"
        return f"不计入：与 {item} 共用编码{_code_list(shared, labels or {}, lang)}，只计一次"
    if "reliability" in why:
        codes = why.removeprefix("reads ").split(", below")[0]
        return f"不计入：所据编码{_code_list(codes, labels or {}, lang)}的信度低于门槛"
    return f"不计入：{why}"


def pt_influence_table(influence: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Each hypothesis's posterior as analysed and under each other choice of items."""
    zh = lang == "zh"
    names = {"as_analysed": "本书的分析（共用编码的证据只计一次，低信度编码的证据不计）" if zh else "as analysed",
             "all_independent": "全部证据视为相互独立" if zh else "every item as if independent",
             "unreliable_kept": "保留低信度编码的证据" if zh else "items of unreliable codes kept"}
    label = [names.get(s, (f"去掉 {i}" if zh else f"without {i}")) for s, i in zip(influence["scenario"], influence["item"])]
    return pd.DataFrame({WORDS[lang]["hypothesis"]: influence["hypothesis"].map(lambda h: hypothesis_label(h, lang)),
                         ("设定" if zh else "choice"): label,
                         ("后验概率" if zh else "posterior"): influence["posterior"].map(lambda v: f"{v:.3f}"),
                         ("相对本书的变化" if zh else "change"): influence["change"].map(lambda v: _signed(v, 3))})


def pt_sensitivity_table(sens: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Hypothesis x likelihood scenario rows, one column per prior."""
    w = WORDS[lang]
    scen = {"weaker": w["evidence_half_as_strong"], "as_stated": w["as_stated"],
            "stronger": w["evidence_half_again_as_strong"]}
    wide = sens.pivot_table(index=["hypothesis", "scenario"], columns="prior", values="posterior", sort=False)
    wide.columns = [w["prior"] + f"{p:g}" for p in wide.columns]
    wide = wide.map(lambda v: f"{v:.3f}").reset_index()
    wide["scenario"] = wide["scenario"].map(lambda s: scen.get(s, s))
    wide["hypothesis"] = wide["hypothesis"].map(lambda h: hypothesis_label(h, lang))
    return wide.rename(columns={"hypothesis": w["hypothesis"], "scenario": w["likelihoods"]})


def write_table(frame: pd.DataFrame | Shown, markdown: str, csv_path: str) -> None:
    """Write a display table as Markdown (for the book) and CSV (for readers); a :class:`Shown`
    table puts its full version in the CSV and its shorter version in the book. The CSV carries no
    Markdown (:func:`plain`): a spreadsheet reads the cells, not the book's bold and code marks."""
    if isinstance(frame, Shown):
        write_csv(plain(frame.full), csv_path)
        Path(markdown).write_text(to_list_table(frame.shown) + "\n", encoding="utf-8")
        return
    write_csv(plain(frame), csv_path)
    Path(markdown).write_text(to_list_table(frame) + "\n", encoding="utf-8")


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """A display table's text without the book's Markdown: no bold marks, no code backticks, and an
    empty cell where the book holds a no-break space.

    >>> plain(pd.DataFrame({"a": ["**制度框架 × 能力**", "`inst.policy`", "\u00a0"], "b": [1, 2, 3]}))["a"].tolist()
    ['制度框架 × 能力', 'inst.policy', '']
    """
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = [v.replace("**", "").replace("`", "").replace(BLANK, "") if isinstance(v, str) else v
                           for v in out[column]]
    out.columns = [c.replace("**", "").replace("`", "") if isinstance(c, str) else c for c in out.columns]
    return out
