"""Rule disagreements: every stretch of text where the coders differ, ready for reconciliation."""
import pandas as pd

from analysis.inputs.corpus import read_documents, read_segments
from analysis.inputs.writers import write_csv
from analysis.methods.reliability import disagreements


codes = pd.read_parquet(snakemake.input.codes)
leaves = codes.loc[codes["is_leaf"], "code_id"].tolist()
table = disagreements(read_segments(snakemake.input.segments), read_documents(snakemake.input.documents, body=True), leaves,
                      snakemake.params.coders)
write_csv(table, snakemake.output.table)
