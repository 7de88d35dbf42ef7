"""Rule ingest_case: one case checked (tables, transcripts, codes, names), then its de-identified
documents and its segments (offsets moved with the masking), and the ids it declares."""
import logging
from pathlib import Path

from analysis.inputs.corpus import case_corpus
from analysis.inputs.problems import InputError
from analysis.inputs.schemas import load_schemas
from analysis.inputs.validate import case_ids, validate_case
from analysis.inputs.writers import write_json

case = snakemake.wildcards.case
schemas = load_schemas(Path(snakemake.input.schemas[0]).parent)
# names: every participant of every case, since any of them may be named in this case's transcripts
raw, names, problems = validate_case(Path("."), snakemake.config, case, schemas)
if problems:
    raise InputError(problems)
documents, segments = case_corpus(case, raw, names, schemas)
documents.to_parquet(snakemake.output.documents, index=False)
segments.to_parquet(snakemake.output.segments, index=False)
# The ids it declares, for validate_project's check that ids are unique across the cases.
ids = {"case": case, "folder": raw.folder, "ids": case_ids(raw)}
write_json(snakemake.output.ids, ids)
logging.info("case %s: valid; %d documents, %d segments (%d name forms masked where found)", case, len(documents),
             len(segments), len(names))
