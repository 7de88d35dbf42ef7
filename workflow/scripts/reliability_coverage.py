"""Rule reliability_coverage: how often the bootstrap intervals of alpha cover the value they estimate (iterated bootstrap)."""
import json

import pandas as pd

from analysis.inputs.corpus import read_documents, read_segments
from analysis.methods.reliability import coverage_check


codes = pd.read_parquet(snakemake.input.codes)
leaves = codes.loc[codes["is_leaf"], "code_id"].tolist()
settings = snakemake.params.reliability
result = coverage_check(read_segments(snakemake.input.segments), read_documents(snakemake.input.documents), leaves,
                        snakemake.params.coders, settings["coverage_runs"], settings["bootstrap"], snakemake.params.seed)
with open(snakemake.output.coverage, "w", encoding="utf-8") as out:
    json.dump(result | {"chosen": settings["interval"]}, out, indent=2, sort_keys=True)
