"""Rule fig_pt_logodds: the cumulative log-odds (decibans) of each hypothesis over its evidence."""
import pandas as pd

from analysis.report.figures import logodds_steps, use_cjk_font


use_cjk_font()
lang = snakemake.params.lang
words = {"zh": {"x": "已纳入的证据条数", "y": "累计对数几率（分贝班）"},
         "en": {"x": "evidence items taken in", "y": "cumulative log-odds (decibans)"}}[lang]
labels = {h: f"{h}: {t}" for h, t in snakemake.params.labels.items()}
fig = logodds_steps(pd.read_parquet(snakemake.input.evidence_items), snakemake.params.priors, labels, words)
fig.savefig(snakemake.output.figure, dpi=snakemake.params.dpi, metadata={"Software": None})
