"""Rule fig_theme_frequencies: ranked bar chart of coded segments per theme."""
import pandas as pd

from analysis.report.figures import theme_frequency_bars, use_cjk_font


use_cjk_font()
xlabel = {"zh": "编码片段数", "en": "Coded segments"}[snakemake.params.lang]
fig = theme_frequency_bars(pd.read_parquet(snakemake.input.frequencies), f"label_{snakemake.params.lang}", xlabel)
fig.savefig(snakemake.output.figure, dpi=snakemake.params.dpi, metadata={"Software": None})
