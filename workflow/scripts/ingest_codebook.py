"""Rule ingest_codebook: the checked codebook as a table (one row per code, with its theme and labels)."""
from pathlib import Path

from analysis.inputs.schemas import load_schemas
from analysis.inputs.validate import checked_codebook
from analysis.methods.codebook import codebook_frame

schemas = load_schemas(Path(snakemake.input.schemas[0]).parent)
codebook_frame(checked_codebook(snakemake.input.codebook, schemas)).to_parquet(snakemake.output.codes, index=False)
