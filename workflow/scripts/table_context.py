"""Rule table_context: the public context facts with their sources (Markdown and CSV)."""
import pandas as pd

from analysis.io import log_to, write_table
from analysis.tables import context_table

log_to(snakemake.log[0])

table = context_table(pd.read_parquet(snakemake.input.context), snakemake.params.lang)
write_table(table, snakemake.output.markdown, snakemake.output.csv)
