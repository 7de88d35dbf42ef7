"""Rule table_reliability: per-code agreement with bootstrap intervals (Markdown and CSV)."""
import pandas as pd

from analysis.report.tables import reliability_table, write_table


table = reliability_table(pd.read_parquet(snakemake.input.per_code), pd.read_parquet(snakemake.input.codes),
                          snakemake.params.lang)
write_table(table, snakemake.output.markdown, snakemake.output.csv)
