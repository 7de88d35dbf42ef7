"""Rule ingest_case: one case's de-identified documents and its segments (offsets moved with the masking)."""
import logging
from pathlib import Path

from analysis.inputs.corpus import case_corpus
from analysis.inputs.names import read_names
from analysis.inputs.schemas import load_schemas
from analysis.inputs.validate import checked_case, checked_codebook

case = snakemake.wildcards.case
schemas = load_schemas(Path(snakemake.input.schemas[0]).parent)
codebook = checked_codebook(Path("."), snakemake.config, schemas)
raw = checked_case(Path("."), snakemake.config, case, schemas, codebook)
# A participant of any case may be named in this case's transcripts: mask every name form.
names = read_names(snakemake.input.names, Path("."), snakemake.config)
documents, segments = case_corpus(case, raw, names, schemas)
documents.to_parquet(snakemake.output.documents, index=False)
segments.to_parquet(snakemake.output.segments, index=False)
logging.info("case %s: %d documents, %d segments (%d name forms masked where found)", case, len(documents),
             len(segments), len(names))
