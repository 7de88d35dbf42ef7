"""Rule framework_matrix: supporting and contrary segments per station and proposition."""
import pandas as pd

from analysis.inputs.corpus import read_segments
from analysis.methods.mechanisms import framework_matrix


segments = read_segments(snakemake.input.segments, snakemake.params.coder)
matrix = framework_matrix(segments, pd.read_parquet(snakemake.input.codes), snakemake.params.propositions,
                          snakemake.params.cases)
matrix.to_parquet(snakemake.output.matrix, index=False)
