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
