"""Rule fig_mechanism_diagram: conditions -> the station's mechanisms -> outcomes, as the evidence supports it."""
import pandas as pd

from analysis.report.figures import mechanism_diagram, use_cjk_font


use_cjk_font()
lang, p = snakemake.params.lang, snakemake.params
codes = pd.read_parquet(snakemake.input.codes)
label = dict(zip(codes["code_id"], codes[f"label_{lang}"]))
links = pd.read_parquet(snakemake.input.links)
nodes = {"conditions": [(c, label[c]) for c in p.conditions],
         "mechanisms": [(m, label[m]) for m in p.mechanisms],
         "outcomes": [(o, label[o]) for o in sorted(set(links["target"]) - set(p.mechanisms), key=list(codes["code_id"]).index)]}
words = {"zh": {"conditions": "合作生产条件", "mechanisms": "社工站引领机制", "outcomes": "社区韧性结果",
                "supported": "证据支持（共现检验显著）", "unsupported": "证据不足"},
         "en": {"conditions": "Conditions", "mechanisms": "Station mechanisms", "outcomes": "Resilience outcomes",
                "supported": "supported (significant co-occurrence)", "unsupported": "not supported"}}[lang]
fig = mechanism_diagram(nodes, links, words)
fig.savefig(snakemake.output.figure, dpi=snakemake.params.dpi, metadata={"Software": None})
