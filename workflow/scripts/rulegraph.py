"""Rule rulegraph: `snakemake --rulegraph` for the whole study, in a fixed order (nodes by rule name)."""
import subprocess
import sys
from pathlib import Path

from analysis.inputs.provenance import canonical_rulegraph

run = subprocess.run([sys.executable, "-m", "snakemake", "all", "--rulegraph", "--forceall", "--nolock",
                      "--configfile", snakemake.params.configfile], capture_output=True, text=True, check=False)
sys.stderr.write(run.stderr)
if run.returncode != 0:
    raise SystemExit(f"casebook: `snakemake --rulegraph` failed (exit {run.returncode}); its messages are above")
Path(snakemake.output.dot).write_text(canonical_rulegraph(run.stdout), encoding="utf-8")
