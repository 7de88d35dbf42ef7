"""Rule fig_code_by_actor: heat map of codes by the speaker's actor type (adjusted residuals)."""
import pandas as pd

from analysis.report.figures import residual_heatmap, use_cjk_font
from analysis.report.tables import ACTOR_LABELS


use_cjk_font()
lang = snakemake.params.lang
codes = pd.read_parquet(snakemake.input.codes)
tests = pd.read_parquet(snakemake.input.tests)
rows = {c: lab for c, lab, leaf in zip(codes["code_id"], codes[f"label_{lang}"], codes["is_leaf"]) if leaf}
cols = {k: v for k, v in ACTOR_LABELS[lang].items() if k != "none"}
fdr = dict(zip(tests["code_id"], tests["p_fdr"] < snakemake.params.fdr))
words = {"zh": ("发言人主体类型", "调整标准化残差"), "en": ("Speaker's actor type", "Adjusted standardized residual")}[lang]
fig = residual_heatmap(pd.read_parquet(snakemake.input.cells), rows, cols, *words, fdr=fdr)
fig.savefig(snakemake.output.figure, dpi=snakemake.params.dpi, metadata={"Software": None})
