"""Rule fig_framework_matrix: heat map of the support share per station and proposition."""
import pandas as pd

from analysis.report.figures import framework_heatmap, use_cjk_font


use_cjk_font()
matrix = pd.read_parquet(snakemake.input.matrix).pivot(index="case_id", columns="proposition", values="support_share")
words = {"zh": ("站点", "命题", "支持性证据占比"), "en": ("Station", "Proposition", "Share of supporting evidence")}
fig = framework_heatmap(matrix, *words[snakemake.params.lang])
fig.savefig(snakemake.output.figure, dpi=snakemake.params.dpi, metadata={"Software": None})
