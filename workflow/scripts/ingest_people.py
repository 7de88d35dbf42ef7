"""Rule ingest_people: the stations table and the participants table, without confidential columns."""
import logging
from pathlib import Path

from analysis.corpus import pool_people
from analysis.io import log_to, read_case, read_names
from analysis.problems import InputError, Problem
from analysis.validate import check_case, load_schemas

log_to(snakemake.log[0])
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
