"""Rule code_by_category (code_by_actor, code_by_phase): is each code's use independent of the span's actor type or phase?"""
import pandas as pd

from analysis.inputs.corpus import read_segments
from analysis.methods.coding import by_actor, by_phase


TESTS = {"actor": by_actor, "phase": by_phase}
segments = read_segments(snakemake.input.segments, snakemake.params.coder)
cells, tests = TESTS[snakemake.wildcards.category](segments, pd.read_parquet(snakemake.input.codes), snakemake.params.coding,
                                          snakemake.params.seed)
cells.to_parquet(snakemake.output.cells, index=False)
tests.to_parquet(snakemake.output.tests, index=False)
