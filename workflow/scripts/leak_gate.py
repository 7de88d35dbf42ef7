"""Rule leak_gate: no form of any confidential name in the results, the book or the logs.

Stops the build (naming each file, place and participant id, never the name) when one is found.
"""
import json
import logging
from pathlib import Path

from analysis.inputs.io import read_json
from analysis.inputs.names import read_names
from analysis.inputs.problems import InputError
from analysis.report.leaks import leak_problems, scan_files

# every file that may hold names, from their index (rule name_sources)
sources = [source["path"] for source in read_json(snakemake.input.names)["sources"]]
names = read_names(sources, Path("."), {"deid": snakemake.params.deid})
report = {"name_forms": len(names), "leaks": 0, "scanned": {}}
problems = []
for label, folder in snakemake.params.folders.items():
    # the gate's own reports and log are not scanned; how many logs there are depends on what ran before
    count, leaks = scan_files([Path(folder)], names, exclude={Path("results/leak_gate"), Path(snakemake.log[0])},
                              root=Path("."))
    if label != "logs":
        report["scanned"][label] = count
    problems += leak_problems(leaks)
    logging.info("%s: %d files scanned, %d leaks", folder, count, len(leaks))
if problems:
    raise InputError(problems)
Path(snakemake.output.report).write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
