"""Rule disagreements: every stretch of text where the coders differ, ready for reconciliation."""
import pandas as pd

from analysis.inputs.writers import write_csv
from analysis.methods.reliability import disagreements


codes = pd.read_parquet(snakemake.input.codes)
leaves = codes.loc[codes["is_leaf"], "code_id"].tolist()
table = disagreements(pd.read_parquet(snakemake.input.segments), pd.read_parquet(snakemake.input.documents), leaves,
                      snakemake.params.coders)
write_csv(table, snakemake.output.table)
