"""Rule code_frequencies: counts per code, rolled up the code tree, pooled and per station."""
import pandas as pd

from analysis.methods.coding import code_frequencies, code_frequencies_by_station, primary_coding


segments = primary_coding(pd.read_parquet(snakemake.input.segments), snakemake.params.coder)
tables = [pd.read_parquet(snakemake.input[name]) for name in ("codes", "documents", "participants")]
code_frequencies(segments, *tables).to_parquet(snakemake.output.pooled, index=False)
code_frequencies_by_station(segments, *tables).to_parquet(snakemake.output.by_station, index=False)
