"""Rule process_tracing: observe each evidence item in the coding, weigh it, update each hypothesis."""
import pandas as pd
import yaml

from analysis.inputs.corpus import read_segments
from analysis.methods.process_tracing import item_influence, sensitivity, trace


s = snakemake.params.settings
with open(snakemake.input.evidence, encoding="utf-8") as src:
    evidence = yaml.safe_load(src)
segments = read_segments(snakemake.input.segments, snakemake.params.coder)
# codes whose reliability flag (the lower bound of alpha's interval) is "unreliable" carry no weight
per_code = pd.read_parquet(snakemake.input.reliability)
unreliable = set(per_code.loc[per_code["flag"] == "unreliable", "code_id"])
items, summary = trace(evidence, s["priors"], segments, unreliable, s["chance_p"])
items.to_parquet(snakemake.output.evidence_items, index=False)
summary.to_parquet(snakemake.output.summary, index=False)
sensitivity(items, s["sensitivity_priors"], s["sensitivity_scales"]).to_parquet(snakemake.output.sensitivity, index=False)
item_influence(items, s["priors"]).to_parquet(snakemake.output.influence, index=False)
