"""Rule ingest_context: the public context facts (each with its source), checked."""
from pathlib import Path

from analysis.inputs.io import read_table
from analysis.inputs.problems import InputError, Problem
from analysis.inputs.schemas import check_table, load_schemas

schemas = load_schemas(Path(snakemake.input.schemas[0]).parent)
problems: list[Problem] = []
context = read_table(Path(snakemake.input.context), problems, Path("."))
if context is not None:
    problems += check_table(context, schemas["context"], snakemake.input.context)
if problems:
    raise InputError(problems)
context.drop(columns="_line").to_parquet(snakemake.output.context, index=False)
