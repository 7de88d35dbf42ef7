"""Rule code_frequencies: counts per code, rolled up the code tree, pooled and per station."""
import pandas as pd

from analysis.inputs.corpus import read_documents, read_segments
from analysis.methods.coding import code_frequencies, code_frequencies_by_station


segments = read_segments(snakemake.input.segments, snakemake.params.coder)
tables = [pd.read_parquet(snakemake.input.codes), read_documents(snakemake.input.documents),
          pd.read_parquet(snakemake.input.participants)]
code_frequencies(segments, *tables).to_parquet(snakemake.output.pooled, index=False)
code_frequencies_by_station(segments, *tables).to_parquet(snakemake.output.by_station, index=False)
