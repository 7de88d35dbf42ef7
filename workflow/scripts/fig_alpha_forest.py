"""Rule fig_alpha_forest: forest plot of per-code Krippendorff's alpha with bootstrap intervals."""
import json

import pandas as pd

from analysis.report.figures import alpha_forest, use_cjk_font


use_cjk_font()
lang = snakemake.params.lang
codes = pd.read_parquet(snakemake.input.codes)
with open(snakemake.input.overall, encoding="utf-8") as src:
    overall = json.load(src)
words = {"zh": {"undefined": "无法计算", "overall": "全部编码合并", "xlabel": "Krippendorff's α（95% 自助法区间）"},
         "en": {"undefined": "undefined", "overall": "All codes pooled", "xlabel": "Krippendorff's α (95% bootstrap interval)"}}
fig = alpha_forest(pd.read_parquet(snakemake.input.per_code), overall, dict(zip(codes["code_id"], codes[f"label_{lang}"])),
                   snakemake.params.thresholds, words[lang])
fig.savefig(snakemake.output.figure, dpi=snakemake.params.dpi, metadata={"Software": None})
