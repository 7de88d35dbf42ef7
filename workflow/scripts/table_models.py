"""Rule table_models: odds ratios of the clustered models (Markdown and CSV)."""
import pandas as pd

from analysis.report.tables import model_table, write_table


lang = snakemake.params.lang
codes = pd.read_parquet(snakemake.input.codes)
label = dict(zip(codes["code_id"], codes[f"label_{lang}"]))
label["supportive"] = "韧性叙述为支持性" if lang == "zh" else "resilience talk is supportive"
write_table(model_table(pd.read_parquet(snakemake.input.outcomes), label, lang), snakemake.output.outcomes_md,
            snakemake.output.outcomes_csv)
write_table(model_table(pd.read_parquet(snakemake.input.link), label, lang), snakemake.output.link_md, snakemake.output.link_csv)
