"""Rule table_codebook: the full codebook for the appendix (Markdown and CSV)."""
import pandas as pd
import yaml

from analysis.io import log_to
from analysis.tables import codebook_table, to_markdown

log_to(snakemake.log[0])

with open(snakemake.input.codebook, encoding="utf-8") as src:
    codebook = yaml.safe_load(src)
table = codebook_table(pd.read_parquet(snakemake.input.codes), codebook, snakemake.params.lang)
table.to_csv(snakemake.output.csv, index=False)
with open(snakemake.output.markdown, "w", encoding="utf-8") as out:
    out.write(to_markdown(table) + "\n")
