"""Rule snakemake_report: `snakemake --report` over the figures, so that the build makes the report the book links to.

It runs beside the build (--nolock) on the same configuration, for the figures alone: the report
collects what their rules marked with report(), and its DAG stops there, before the book."""
import subprocess
import sys

run = subprocess.run([sys.executable, "-m", "snakemake", "--nolock", "--configfile", snakemake.params.configfile,
                      "--report", snakemake.output.report, *snakemake.input.figures],
                     capture_output=True, text=True, check=False)
sys.stderr.write(run.stderr)
if run.returncode != 0:
    raise SystemExit(f"casebook: `snakemake --report` failed (exit {run.returncode}); its messages are above")
