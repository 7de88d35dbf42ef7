"""Rule fig_analytic_framework: the analytic framework (conditions -> resilience, led by the station), from config."""
import pandas as pd

from analysis.report.figures import analytic_framework, use_cjk_font


use_cjk_font()
lang, p = snakemake.params.lang, snakemake.params.framework
codes = pd.read_parquet(snakemake.input.codes)
label = dict(zip(codes["code_id"], codes[f"label_{lang}"]))
conditions = [(prop, label[spec["condition"]], label[spec["outcome"]]) for prop, spec in p["propositions"].items()]
words = {"zh": {"station": "乡镇社会工作站的引领机制", "leads": "引领合作生产",
                "conditions": "合作生产的条件", "outcomes": "社区韧性的维度"},
         "en": {"station": "The station's leading mechanisms", "leads": "leads co-production",
                "conditions": "Conditions of co-production", "outcomes": "Dimensions of resilience"}}[lang]
fig = analytic_framework(conditions, [label[m] for m in p["mechanisms"]], label[p["resilience"]], words)
fig.savefig(snakemake.output.figure, dpi=snakemake.params.dpi, metadata={"Software": None})
