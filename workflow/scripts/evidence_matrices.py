"""Rule evidence_matrices: support and contrary evidence per claim, by actor type and by station, with exemplars."""
import pandas as pd

from analysis.inputs.corpus import read_segments
from analysis.methods.coding import ACTOR_TYPES
from analysis.methods.evidence import claims, evidence_matrix, tag_spans


p = snakemake.params
segments = read_segments(snakemake.input.segments, p.coder, text=True)
tagged = tag_spans(segments, claims(pd.read_parquet(snakemake.input.codes), p.propositions, p.mechanisms))
evidence_matrix(tagged, "actor_type", [*ACTOR_TYPES, "none"]).to_parquet(snakemake.output.by_actor, index=False)
evidence_matrix(tagged, "case_id", p.cases).to_parquet(snakemake.output.by_station, index=False)
evidence_matrix(tagged.assign(scope="all"), "scope", ["all"]).to_parquet(snakemake.output.pooled, index=False)
