"""Rule models: clustered (GEE) models of the resilience outcomes on the mechanism codes."""
import pandas as pd

from analysis.inputs.corpus import read_documents, read_segments
from analysis.methods.models import document_table, mechanism_link_model, outcome_models, resilience_spans


s = snakemake.params.settings
segments = read_segments(snakemake.input.segments, snakemake.params.coder)
codes = pd.read_parquet(snakemake.input.codes)
documents, participants = read_documents(snakemake.input.documents), pd.read_parquet(snakemake.input.participants)
leaf = codes[codes["is_leaf"]]
outcomes = leaf.loc[leaf["theme"] == s["outcome_theme"], "code_id"].tolist()
mechanisms = leaf.loc[leaf["theme"] == s["mechanism_theme"], "code_id"].tolist()
table = document_table(segments, documents, participants, outcomes + mechanisms)
outcome_models(table, outcomes, mechanisms, s["clusters_per_parameter"]).to_parquet(snakemake.output.outcomes, index=False)
spans = resilience_spans(segments, documents, participants, s["outcome_theme"], s["outcome_contrary"], s["mechanism_theme"])
mechanism_link_model(spans, s["clusters_per_parameter"]).assign(code_id="supportive").to_parquet(snakemake.output.link, index=False)
