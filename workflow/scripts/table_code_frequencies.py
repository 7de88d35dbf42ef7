"""Rule table_code_frequencies: the code frequency table for the book (Markdown and CSV)."""
import pandas as pd

from analysis.report.tables import code_frequency_table, write_table


table = code_frequency_table(pd.read_parquet(snakemake.input.frequencies), snakemake.params.lang)
write_table(table, snakemake.output.markdown, snakemake.output.csv)
