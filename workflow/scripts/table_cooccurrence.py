"""Rule table_cooccurrence: the strongest co-occurrences, with both levels' tests (Markdown and CSV)."""
import pandas as pd

from analysis.report.tables import cooccurrence_table, write_table


codes = pd.read_parquet(snakemake.input.codes)
label = dict(zip(codes["code_id"], codes[f"label_{snakemake.params.lang}"]))
table = cooccurrence_table(pd.read_parquet(snakemake.input.pairs), label, snakemake.params.lang, snakemake.params.top)
write_table(table, snakemake.output.markdown, snakemake.output.csv)
