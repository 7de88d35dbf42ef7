"""Rule fig_cooccurrence_network: the strongest links between co-production codes and resilience outcomes."""
import pandas as pd

from analysis.methods.cooccurrence import strongest_links
from analysis.report.figures import cooccurrence_network, use_cjk_font


use_cjk_font()
lang, p = snakemake.params.lang, snakemake.params
codes = pd.read_parquet(snakemake.input.codes)
leaf = codes[codes["is_leaf"]]
label = dict(zip(codes["code_id"], codes[f"label_{lang}"]))
left = [c for c in leaf["code_id"] if c.split(".")[0] in p.left_themes]
right = [c for c in leaf["code_id"] if c.split(".")[0] == p.models["outcome_theme"]]
pairs = pd.read_parquet(snakemake.input.pairs).query("level == 'segment'")
links = strongest_links(pairs, left, right, p.fdr, p.top)
words = {"zh": {"left": "合作生产与社工站机制编码", "right": "社区韧性结果", "none": "没有共现的编码对",
                "legend": "线宽为 c 系数，实线为 FDR 校正后显著"},
         "en": {"left": "co-production and mechanism codes", "right": "resilience outcomes", "none": "no co-occurring pairs",
                "legend": "width: c-coefficient; solid: significant after FDR"}}[lang]
fig = cooccurrence_network(links, {c: label[c] for c in left}, {c: label[c] for c in right}, words)
fig.savefig(snakemake.output.figure, dpi=snakemake.params.dpi, metadata={"Software": None})
