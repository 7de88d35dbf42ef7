"""Rule code_frequencies: counts per code, rolled up the code tree, with Wilson intervals."""
import pandas as pd

from analysis.coding import code_frequencies, primary_coding
from analysis.io import log_to

log_to(snakemake.log[0])

segments = primary_coding(pd.read_parquet(snakemake.input.segments), snakemake.params.coder)
freq = code_frequencies(segments, pd.read_parquet(snakemake.input.codes),
                        pd.read_parquet(snakemake.input.documents), pd.read_parquet(snakemake.input.participants))
freq.to_parquet(snakemake.output.frequencies, index=False)
