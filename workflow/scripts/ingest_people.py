"""Rule ingest_people: the stations table and the participants table, without confidential columns."""
import logging
from pathlib import Path

from analysis.inputs.corpus import pool_people
from analysis.inputs.names import read_names
from analysis.inputs.schemas import load_schemas
from analysis.inputs.validate import checked_case

schemas = load_schemas(Path(snakemake.input.schemas[0]).parent)
cases = {}
for station in snakemake.input.stations:
    folder = Path(station).parent
    cases[folder.name] = checked_case(folder, schemas, None, snakemake.params.coders, parts=("station", "participants"))
stations, people = pool_people(cases, schemas, read_names(snakemake.input.names, Path("."), {"deid": snakemake.params.deid}))
stations.to_parquet(snakemake.output.stations, index=False)
people.to_parquet(snakemake.output.participants, index=False)
logging.info("%d stations, %d participants", len(stations), len(people))
