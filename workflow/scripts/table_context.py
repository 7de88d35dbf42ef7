"""Rule table_context: the public context facts with their sources (Markdown and CSV)."""
import pandas as pd

from analysis.io import log_to
from analysis.tables import context_table, to_markdown

log_to(snakemake.log[0])

table = context_table(pd.read_parquet(snakemake.input.context), snakemake.params.lang)
table.to_csv(snakemake.output.csv, index=False)
with open(snakemake.output.markdown, "w", encoding="utf-8") as out:
    out.write(to_markdown(table) + "\n")
