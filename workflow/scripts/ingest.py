"""Rule ingest: validate the raw case data and write the de-identified corpus tables."""
import logging
from pathlib import Path

from analysis.corpus import build_corpus
from analysis.io import file_manifest, log_to
from analysis.problems import InputError
from analysis.validate import load_schemas, validate_project

log_to(snakemake.log[0])
config = {**snakemake.config, "cases": snakemake.params.cases}
schemas = load_schemas(Path(snakemake.input.schemas[0]).parent)
project, problems = validate_project(Path("."), config, "config.yaml", schemas)
if problems:
    raise InputError(problems)
tables = build_corpus(project, schemas)
for name, frame in tables.items():
    frame.to_parquet(snakemake.output[name], index=False)
context = project.context.drop(columns="_line")
context.to_parquet(snakemake.output.context, index=False)
raw = [snakemake.input.codebook, snakemake.input.context, *snakemake.input.cases]
file_manifest(raw).to_csv(snakemake.output.manifest, index=False)
logging.info("wrote %d segments from %d documents", len(tables["segments"]), len(tables["documents"]))
