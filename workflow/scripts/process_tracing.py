"""Rule process_tracing: observe each evidence item in the coding, weigh it, update each hypothesis."""
import pandas as pd
import yaml

from analysis.inputs.corpus import read_segments
from analysis.methods.process_tracing import sensitivity, trace


s = snakemake.params.settings
with open(snakemake.input.evidence, encoding="utf-8") as src:
    evidence = yaml.safe_load(src)
segments = read_segments(snakemake.input.segments, snakemake.params.coder)
items, summary = trace(evidence, s["priors"], segments)
items.to_parquet(snakemake.output.evidence_items, index=False)
summary.to_parquet(snakemake.output.summary, index=False)
sensitivity(items, s["sensitivity_priors"], s["sensitivity_scales"]).to_parquet(snakemake.output.sensitivity, index=False)
