"""Rule table_context: the public context facts with their sources (Markdown and CSV)."""
import pandas as pd

from analysis.report.tables import context_table, write_table


table = context_table(pd.read_parquet(snakemake.input.context), snakemake.params.lang)
write_table(table, snakemake.output.markdown, snakemake.output.csv)
