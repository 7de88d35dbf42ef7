"""Rule table_code_frequencies: the code frequency table for the book (Markdown and CSV)."""
import pandas as pd

from analysis.io import log_to
from analysis.tables import code_frequency_table, to_markdown

log_to(snakemake.log[0])

table = code_frequency_table(pd.read_parquet(snakemake.input.frequencies), snakemake.params.lang)
table.to_csv(snakemake.output.csv, index=False)
with open(snakemake.output.markdown, "w", encoding="utf-8") as out:
    out.write(to_markdown(table) + "\n")
