"""Rule validate_case: one case folder checked (tables, transcripts, codes, names); its ids recorded."""
import json
import logging
from pathlib import Path

from analysis.inputs.problems import InputError
from analysis.inputs.schemas import load_schemas
from analysis.inputs.validate import case_ids, validate_case
from analysis.inputs.writers import write_atomic

case = snakemake.wildcards.case
schemas = load_schemas(Path(snakemake.input.schemas[0]).parent)
raw, problems = validate_case(Path("."), snakemake.config, case, schemas)
if problems:
    raise InputError(problems)
ids = {"case": case, "folder": raw.folder, "ids": case_ids(raw)}
write_atomic(Path(snakemake.output.ids), (json.dumps(ids, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
logging.info("case %s: no problems (%d ids recorded)", case, len(ids["ids"]))
