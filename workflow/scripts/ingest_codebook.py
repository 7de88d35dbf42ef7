"""Rule ingest_codebook: the checked codebook as a table (one row per code, with its theme and labels)."""
from pathlib import Path

from analysis.codebook import codebook_frame
from analysis.io import log_to
from analysis.validate import checked_codebook, load_schemas

log_to(snakemake.log[0])
schemas = load_schemas(Path(snakemake.input.schemas[0]).parent)
codebook_frame(checked_codebook(Path("."), snakemake.config, schemas)).to_parquet(snakemake.output.codes, index=False)
