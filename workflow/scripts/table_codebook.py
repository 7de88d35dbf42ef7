"""Rule table_codebook: the full codebook for the appendix (Markdown and CSV)."""
import pandas as pd
import yaml

from analysis.report.tables import codebook_table, write_table


with open(snakemake.input.codebook, encoding="utf-8") as src:
    codebook = yaml.safe_load(src)
table = codebook_table(pd.read_parquet(snakemake.input.codes), codebook, snakemake.params.lang)
write_table(table, snakemake.output.markdown, snakemake.output.csv)
