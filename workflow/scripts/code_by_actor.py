"""Rule code_by_actor: is each code's use independent of the speaker's actor type?"""
import pandas as pd

from analysis.coding import by_actor, primary_coding
from analysis.io import log_to

log_to(snakemake.log[0])

segments = primary_coding(pd.read_parquet(snakemake.input.segments), snakemake.params.coder)
cells, tests = by_actor(segments, pd.read_parquet(snakemake.input.codes), snakemake.params.coding,
                        snakemake.params.seed)
cells.to_parquet(snakemake.output.cells, index=False)
tests.to_parquet(snakemake.output.tests, index=False)
