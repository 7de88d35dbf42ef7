"""Rule fig_saturation: the pooled saturation curve (cumulative codes and new information per run)."""
import pandas as pd

from analysis.report.figures import saturation_curve, use_cjk_font


use_cjk_font()
curve = pd.read_parquet(snakemake.input.curve).query("scope == 'pooled'")
runs = pd.read_parquet(snakemake.input.runs).query("scope == 'pooled'")
result = pd.read_parquet(snakemake.input.summary).query("scope == 'pooled'").iloc[0].to_dict()
words = {"zh": {"xlabel": "访谈（按进行顺序）", "cumulative": "累计不同编码数", "share": "本轮新信息占比", "point": "饱和点"},
         "en": {"xlabel": "Interview (order conducted)", "cumulative": "Distinct codes so far", "share": "New information in run",
                "point": "saturation"}}[snakemake.params.lang]
fig = saturation_curve(curve, runs, result, words)
fig.savefig(snakemake.output.figure, dpi=snakemake.params.dpi, metadata={"Software": None})
