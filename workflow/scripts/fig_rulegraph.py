"""Rule fig_rulegraph: the workflow's rules as a figure, from `snakemake --rulegraph`."""
from pathlib import Path

from analysis.inputs.provenance import parse_rulegraph, rule_stages
from analysis.report.figures import rule_graph, use_cjk_font


use_cjk_font()
nodes, edges = parse_rulegraph(Path(snakemake.input.dot).read_text(encoding="utf-8"))
stages = rule_stages(snakemake.input.rules)
colours = {"ingest": "#e8eef3", "coding": "#e3f0e0", "reliability": "#f1ecd9", "mechanisms": "#f6e8d8",
           "figures": "#efe3f1", "paper": "#f3e1e1", "Snakefile": "#dddddd"}
words = {"zh": {"ingest": "导入", "coding": "编码汇总", "reliability": "信度", "mechanisms": "机制分析",
                "figures": "图表与数字", "paper": "成书", "Snakefile": "总目标"},
         "en": {"Snakefile": "target"}}[snakemake.params.lang]
fig = rule_graph(nodes, edges, stages, colours, words)
fig.savefig(snakemake.output.figure, dpi=snakemake.params.dpi, metadata={"Software": None})
