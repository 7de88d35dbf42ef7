"""Rule rulegraph: `snakemake --rulegraph` for the whole study, in a fixed order (nodes by rule name).

The graph of rules does not depend on how many stations there are, while the DAG Snakemake builds
to draw it does: it is drawn for the first station alone (a province's 19,400 input files would
take Snakemake 15 s to look at, for the same graph)."""
import json
import subprocess
import sys
from pathlib import Path

from analysis.inputs.provenance import canonical_rulegraph

run = subprocess.run([sys.executable, "-m", "snakemake", "all", "--rulegraph", "--forceall", "--nolock",
                      "--configfile", snakemake.params.configfile, "--config", f"cases={json.dumps([snakemake.params.case])}"],
                     capture_output=True, text=True, check=False)
sys.stderr.write(run.stderr)
if run.returncode != 0:
    raise SystemExit(f"casebook: `snakemake --rulegraph` failed (exit {run.returncode}); its messages are above")
Path(snakemake.output.dot).write_text(canonical_rulegraph(run.stdout), encoding="utf-8")
