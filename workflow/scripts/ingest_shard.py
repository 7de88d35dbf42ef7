"""Rule ingest_shard: the stations of one shard checked (tables, transcripts, codes, names), then
their de-identified documents, their segments (offsets moved with the masking), their station
attributes and their participants (without confidential columns) as one table each, and the ids
each station declares."""
import logging
from pathlib import Path

import pandas as pd

from analysis.inputs.corpus import case_corpus, pool_people
from analysis.inputs.io import file_manifest
from analysis.inputs.problems import InputError
from analysis.inputs.schemas import load_schemas
from analysis.inputs.validate import case_ids, validate_shard
from analysis.inputs.writers import write_csv, write_json

cases = snakemake.params.cases
schemas = load_schemas(Path(snakemake.input.schemas[0]).parent)
# names: every participant of every case, since any of them may be named in these cases' transcripts
raws, names, problems = validate_shard(Path("."), snakemake.config, cases, schemas)
if problems:
    raise InputError(problems)
parts = [case_corpus(case, raws[case], names, schemas) for case in cases]
documents = pd.concat([d for d, _ in parts], ignore_index=True)  # a shard holds one case or more
segments = pd.concat([s for _, s in parts], ignore_index=True)
documents.to_parquet(snakemake.output.documents, index=False)
segments.to_parquet(snakemake.output.segments, index=False)
# The stations table and the participants table, without confidential columns (masked like the rest).
stations, people = pool_people(raws, schemas, names)
stations.to_parquet(snakemake.output.stations, index=False)
people.to_parquet(snakemake.output.participants, index=False)
# The ids each case declares, for validate_project's check that ids are unique across the cases.
write_json(snakemake.output.ids, {"shard": snakemake.wildcards.shard,
                                  "cases": [{"case": case, "folder": raws[case].folder, "ids": case_ids(raws[case])}
                                            for case in cases]})
# Size and SHA-256 of the shard's raw files, for the manifest of every input (rule manifest).
write_csv(file_manifest(list(snakemake.input.files)), snakemake.output.manifest)
logging.info("shard %s: %d cases valid; %d documents, %d segments (%d name forms masked where found)",
             snakemake.wildcards.shard, len(cases), len(documents), len(segments), len(names))
