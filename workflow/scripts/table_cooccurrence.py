"""Rule table_cooccurrence: the strongest co-occurrences, with both levels' tests (Markdown and CSV)."""
import pandas as pd

from analysis.inputs.writers import log_to
from analysis.report.tables import cooccurrence_table, write_table

log_to(snakemake.log[0])

codes = pd.read_parquet(snakemake.input.codes)
label = dict(zip(codes["code_id"], codes[f"label_{snakemake.params.lang}"]))
table = cooccurrence_table(pd.read_parquet(snakemake.input.pairs), label, snakemake.params.lang, snakemake.params.top)
write_table(table, snakemake.output.markdown, snakemake.output.csv)
