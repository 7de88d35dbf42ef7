"""Rule evidence_matrices: support and contrary evidence per claim, by actor type and by station, with exemplars."""
import pandas as pd

from analysis.methods.coding import ACTOR_TYPES, primary_coding
from analysis.methods.evidence import claims, evidence_matrix, tag_spans


p = snakemake.params
segments = primary_coding(pd.read_parquet(snakemake.input.segments), p.coder)
tagged = tag_spans(segments, claims(pd.read_parquet(snakemake.input.codes), p.propositions, p.mechanisms))
evidence_matrix(tagged, "actor_type", [*ACTOR_TYPES, "none"]).to_parquet(snakemake.output.by_actor, index=False)
evidence_matrix(tagged, "case_id", p.cases).to_parquet(snakemake.output.by_station, index=False)
evidence_matrix(tagged.assign(scope="all"), "scope", ["all"]).to_parquet(snakemake.output.pooled, index=False)
