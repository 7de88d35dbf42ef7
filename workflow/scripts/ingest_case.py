"""Rule ingest_case: one case's de-identified documents and its segments (offsets moved with the masking)."""
import logging
from pathlib import Path

import pandas as pd

from analysis.corpus import case_corpus, name_tokens
from analysis.io import log_to, read_table
from analysis.problems import InputError, Problem
from analysis.validate import checked_case, checked_codebook, load_schemas

log_to(snakemake.log[0])
case = snakemake.wildcards.case
schemas = load_schemas(Path(snakemake.input.schemas[0]).parent)
codebook = checked_codebook(Path("."), snakemake.config, schemas)
raw = checked_case(Path("."), snakemake.config, case, schemas, codebook)
# A participant of any case may be named in this case's transcripts: mask every name.
problems: list[Problem] = []
people = [read_table(Path(path), problems, Path(".")) for path in snakemake.input.people]
if problems:
    raise InputError(problems)
documents, segments = case_corpus(case, raw, name_tokens(pd.concat(people, ignore_index=True)), schemas)
documents.to_parquet(snakemake.output.documents, index=False)
segments.to_parquet(snakemake.output.segments, index=False)
logging.info("case %s: %d documents, %d segments", case, len(documents), len(segments))
