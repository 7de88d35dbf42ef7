"""The build's cost, measured in one run on the machine at hand: `bash workflow/run.sh bench`.

The repository is copied to a temporary folder (without results, builds, logs or the virtual
environment) and built there, so the working tree is never touched. Measured, each as the wall
time of the whole command:

- ``clean``: the whole study from nothing (``snakemake`` with the default profile);
- ``book``: the bare book build (``jupyter-book build paper --all``) over the finished results,
  the floor any build of the book pays;
- ``noop``: the same ``snakemake`` again, with nothing to do;
- ``version``: ``snakemake --version``, what starting Snakemake costs on this machine at all;
- ``recode``: the build after one segment of one station is recoded (a proposition-2 code
  becomes a proposition-1 code), with the number of jobs it ran.

The table (``benchmarks/summary.csv`` and ``benchmarks/summary.md`` in the working tree) gives
each time and the ratios the architecture issue sets targets for: clean / book, noop / version,
and the share of the clean build's jobs and time that the recode reran.

Arguments after ``bench`` go to Snakemake (``--configfile tests/e2e/config.yaml`` for the
three-station miniature).
"""

from __future__ import annotations

import csv
import io
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP = shutil.ignore_patterns(".venv", ".git", "results", "logs", "_build", ".snakemake", "benchmarks", "__pycache__",
                              ".pytest_cache", "*.pyc")


def timed(command: list[str], cwd: Path) -> tuple[float, str]:
    """Run ``command`` in ``cwd``; its wall time in seconds and its output. A failure stops the benchmark."""
    start = time.perf_counter()
    run = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if run.returncode != 0:
        sys.stderr.write(run.stdout[-3000:] + run.stderr[-3000:])
        raise SystemExit(f"casebook bench: `{' '.join(command)}` failed (exit {run.returncode}); its output is above")
    return seconds, run.stdout + run.stderr


def jobs_run(output: str) -> int:
    """How many jobs a Snakemake run finished, from its ``N of M steps`` line (0 when nothing was to be done)."""
    found = re.findall(r"(\d+) of \d+ steps \(100%\) done", output)
    return int(found[-1]) if found else 0


def recode_one_segment(repo: Path) -> str:
    """Give one primary-coder segment of S06 coded cap.* (not the outcome code, and alone on its
    span) the code inst.policy; return its id."""
    path = repo / "data/cases/S06/segments.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    spans: dict[tuple, set] = {}
    for row in body:
        spans.setdefault((row[col["document_id"]], row[col["start"]], row[col["end"]], row[col["coder_id"]]), set()).add(
            row[col["code_id"]])
    for row in body:
        codes = spans[(row[col["document_id"]], row[col["start"]], row[col["end"]], row[col["coder_id"]])]
        code = row[col["code_id"]]
        if row[col["coder_id"]] == "C1" and code.startswith("cap.") and code != "cap.org_resilience" \
                and not ({c for c in codes if c.startswith(("inst.", "cap."))} - {code}):
            row[col["code_id"]] = "inst.policy"
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerows([header, *body])
            path.write_text(out.getvalue(), encoding="utf-8")
            return row[col["segment_id"]]
    raise SystemExit("casebook bench: no segment of S06 can be recoded")


def measure(snakemake_args: list[str]) -> list[dict]:
    """Every measurement, in one run, as rows of the summary table."""
    snakemake = [sys.executable, "-m", "snakemake", "--workflow-profile", "workflow/profiles/default", *snakemake_args]
    with tempfile.TemporaryDirectory(prefix="casebook-bench-") as tmp:
        repo = Path(tmp) / "repo"
        shutil.copytree(ROOT, repo, ignore=SKIP)
        clean, out = timed(snakemake, repo)
        clean_jobs = jobs_run(out)
        shutil.rmtree(repo / "paper/_build")
        book, _ = timed(["jupyter-book", "build", "paper", "--all", "--warningiserror", "--keep-going"], repo)
        timed(snakemake, repo)  # the book's own rule again, since the bare build replaced its output
        noop, out = timed(snakemake, repo)
        noop_jobs = jobs_run(out)
        version, _ = timed([sys.executable, "-m", "snakemake", "--version"], repo)
        recode_one_segment(repo)
        recode, out = timed(snakemake, repo)
        recode_jobs = jobs_run(out)
    return [
        {"measure": "clean build", "seconds": clean, "jobs": clean_jobs, "ratio": clean / book, "ratio_of": "bare book build"},
        {"measure": "bare book build", "seconds": book, "jobs": "", "ratio": 1.0, "ratio_of": "bare book build"},
        {"measure": "no-op build", "seconds": noop, "jobs": noop_jobs, "ratio": noop / version, "ratio_of": "snakemake --version"},
        {"measure": "snakemake --version", "seconds": version, "jobs": "", "ratio": 1.0, "ratio_of": "snakemake --version"},
        {"measure": "one recoded segment", "seconds": recode, "jobs": recode_jobs, "ratio": recode / clean,
         "ratio_of": f"clean build ({recode_jobs} of {clean_jobs} jobs)"},
    ]


def markdown(rows: list[dict], note: str) -> str:
    lines = [f"Measured {note}.", "", "| measure | seconds | jobs | ratio | of |", "|---|---:|---:|---:|---|"]
    lines += [f"| {r['measure']} | {r['seconds']:.1f} | {r['jobs']} | {r['ratio']:.2f} | {r['ratio_of']} |" for r in rows]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    rows = measure(argv)
    out = ROOT / "benchmarks"
    out.mkdir(exist_ok=True)
    with (out / "summary.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({**r, "seconds": f"{r['seconds']:.2f}", "ratio": f"{r['ratio']:.3f}"} for r in rows)
    import os

    note = (f"on {os.cpu_count()} cores ({platform.machine()}, Python {platform.python_version()}), "
            f"{time.strftime('%Y-%m-%d')}, {' '.join(argv) or 'the default configuration'}")
    table = markdown(rows, note)
    (out / "summary.md").write_text(table, encoding="utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
