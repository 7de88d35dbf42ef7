"""Rule saturation: Guest, Namey & Chen's (2020) saturation, per station and pooled."""
import pandas as pd

from analysis.inputs.corpus import read_documents, read_segments
from analysis.methods.saturation import saturation_by_scope


segments = read_segments(snakemake.input.segments, snakemake.params.coder)
curve, runs, summary = saturation_by_scope(read_documents(snakemake.input.documents), segments,
                                           pd.read_parquet(snakemake.input.codes), snakemake.params.saturation,
                                           snakemake.params.seed)
curve.to_parquet(snakemake.output.curve, index=False)
runs.to_parquet(snakemake.output.runs, index=False)
summary.to_parquet(snakemake.output.summary, index=False)
