"""Rule ingest_people: the stations table and the participants table, without confidential columns."""
import logging
from pathlib import Path

from analysis.inputs.corpus import pool_people
from analysis.inputs.io import read_case
from analysis.inputs.names import read_names
from analysis.inputs.problems import InputError, Problem
from analysis.inputs.schemas import load_schemas
from analysis.inputs.validate import check_case

schemas = load_schemas(Path(snakemake.input.schemas[0]).parent)
problems: list[Problem] = []
cases = {}
for case in snakemake.params.cases:
    raw = read_case(Path("."), snakemake.config["paths"]["cases"], case, problems, parts=("station", "participants"))
    problems += check_case(raw, schemas, None, set(snakemake.config["coders"]["known"]))
    cases[case] = raw
if problems:
    raise InputError(problems)
stations, people = pool_people(cases, schemas, read_names(snakemake.input.names, Path("."), snakemake.config))
stations.to_parquet(snakemake.output.stations, index=False)
people.to_parquet(snakemake.output.participants, index=False)
logging.info("%d stations, %d participants", len(stations), len(people))
