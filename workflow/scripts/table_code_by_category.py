"""Rules table_code_by_actor and table_code_by_phase: each code's test of independence (Markdown and CSV)."""
import pandas as pd

from analysis.report.tables import ACTOR_LABELS, cross_tab_table, write_table


codes = pd.read_parquet(snakemake.input.codes)
lang = snakemake.params.lang
if snakemake.params.categories == "actor":
    categories = ACTOR_LABELS[lang]
else:
    categories = dict(zip(codes["code_id"], codes[f"label_{lang}"]))
table = cross_tab_table(pd.read_parquet(snakemake.input.tests), pd.read_parquet(snakemake.input.cells), codes,
                        categories, lang, snakemake.params.fdr)
write_table(table, snakemake.output.markdown, snakemake.output.csv)
