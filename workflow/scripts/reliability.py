"""Rule reliability: agreement per code and overall, with bootstrap intervals, on double-coded documents."""
import json

import pandas as pd

from analysis.inputs.corpus import read_documents, read_segments
from analysis.methods.reliability import code_agreement


codes = pd.read_parquet(snakemake.input.codes)
leaves = codes.loc[codes["is_leaf"], "code_id"].tolist()
settings = snakemake.params.reliability
per_code, overall = code_agreement(read_segments(snakemake.input.segments), read_documents(snakemake.input.documents),
                                   leaves, snakemake.params.coders, settings["bootstrap"], snakemake.params.seed,
                                   settings["thresholds"], settings["interval"])
per_code.to_parquet(snakemake.output.per_code, index=False)
with open(snakemake.output.overall, "w", encoding="utf-8") as out:
    json.dump(overall, out, indent=2, sort_keys=True)
