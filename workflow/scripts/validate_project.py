"""Rule validate_project: what the cases share checked (codebook, configuration, context facts,
process-tracing evidence, names in any of them), and ids unique across the cases."""
import logging
from pathlib import Path

from analysis.inputs.io import read_json
from analysis.inputs.problems import InputError
from analysis.inputs.schemas import load_schemas
from analysis.inputs.validate import validate_shared
from analysis.inputs.writers import write_json

ids_by_case = {}
for path in snakemake.input.shards:
    for record in read_json(path)["cases"]:
        ids_by_case[record["case"]] = (record["folder"], [tuple(i) for i in record["ids"]])
schemas = load_schemas(Path(snakemake.input.schemas[0]).parent)
problems = validate_shared(Path("."), snakemake.config, snakemake.params.configfile, schemas, ids_by_case)
if problems:
    raise InputError(problems)
write_json(snakemake.output.report, {"cases": sorted(ids_by_case), "problems": 0})
logging.info("%d cases and what they share: no problems", len(ids_by_case))
