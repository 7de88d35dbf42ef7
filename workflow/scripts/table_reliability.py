"""Rule table_reliability: per-code agreement for the book (Markdown and CSV)."""
import pandas as pd

from analysis.io import log_to
from analysis.tables import reliability_table, to_markdown

log_to(snakemake.log[0])

table = reliability_table(pd.read_parquet(snakemake.input.per_code), pd.read_parquet(snakemake.input.codes),
                          snakemake.params.lang)
table.to_csv(snakemake.output.csv, index=False)
with open(snakemake.output.markdown, "w", encoding="utf-8") as out:
    out.write(to_markdown(table) + "\n")
