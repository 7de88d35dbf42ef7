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

With ``--stations N`` (repeatable) the benchmark grows a size axis: for each N it builds a fresh
synthetic study of N stations (``casebook synth --stations N``) in its own temporary folder and
measures the clean build, the no-op and the rebuild after one station is recoded (the same recode
of S06), each with the peak memory of the build (the largest resident set of Snakemake, which runs
the jobs in its threads, and of any process it started), beside the same measures of the
fifteen-station demo. ``--dag-stations N`` (repeatable) times only the dry run (the DAG built and
every input's timestamp read) of an N-station study. The size table goes to ``benchmarks/size.csv``
and ``benchmarks/summary.md``.

Other arguments after ``bench`` go to Snakemake (``--configfile tests/e2e/config.yaml`` for the
three-station miniature).
"""

from __future__ import annotations

import csv
import io
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP_NAMES = (".venv", ".git", "results", "logs", "_build", ".snakemake", "benchmarks", "__pycache__", ".pytest_cache", "*.pyc")
SKIP = shutil.ignore_patterns(*SKIP_NAMES)


def timed(command: list[str], cwd: Path) -> tuple[float, str]:
    """Run ``command`` in ``cwd``; its wall time in seconds and its output. A failure stops the benchmark."""
    seconds, output, _ = timed_peak(command, cwd)
    return seconds, output


def timed_peak(command: list[str], cwd: Path) -> tuple[float, str, float]:
    """:func:`timed`, and the peak resident memory in MB of the command or of any process it
    started and waited for (Linux's ``wait4``: the largest of their maximum resident sets)."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read()
    if process.returncode != 0:
        sys.stderr.write(output[-6000:])
        raise SystemExit(f"casebook bench: `{' '.join(command)}` failed (exit {process.returncode}); its output is above")
    return seconds, output, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


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


def snakemake_command(snakemake_args: list[str]) -> list[str]:
    return [sys.executable, "-m", "snakemake", "--workflow-profile", "workflow/profiles/default", *snakemake_args]


def measure(snakemake_args: list[str]) -> tuple[list[dict], dict]:
    """Every measurement of the demo, in one run, as rows of the summary table, and its row of the size table."""
    snakemake = snakemake_command(snakemake_args)
    with tempfile.TemporaryDirectory(prefix="casebook-bench-") as tmp:
        repo = Path(tmp) / "repo"
        shutil.copytree(ROOT, repo, ignore=SKIP)
        clean, out, clean_peak = timed_peak(snakemake, repo)
        clean_jobs = jobs_run(out)
        size = corpus_size(repo)
        shutil.rmtree(repo / "paper/_build")
        book, _ = timed(["jupyter-book", "build", "paper", "--all", "--warningiserror", "--keep-going"], repo)
        timed(snakemake, repo)  # the book's own rule again, since the bare build replaced its output
        noop, out, noop_peak = timed_peak(snakemake, repo)
        noop_jobs = jobs_run(out)
        version, _ = timed([sys.executable, "-m", "snakemake", "--version"], repo)
        recode_one_segment(repo)
        recode, out, recode_peak = timed_peak(snakemake, repo)
        recode_jobs = jobs_run(out)
    rows = [
        {"measure": "clean build", "seconds": clean, "jobs": clean_jobs, "ratio": clean / book, "ratio_of": "bare book build"},
        {"measure": "bare book build", "seconds": book, "jobs": "", "ratio": 1.0, "ratio_of": "bare book build"},
        {"measure": "no-op build", "seconds": noop, "jobs": noop_jobs, "ratio": noop / version, "ratio_of": "snakemake --version"},
        {"measure": "snakemake --version", "seconds": version, "jobs": "", "ratio": 1.0, "ratio_of": "snakemake --version"},
        {"measure": "one recoded segment", "seconds": recode, "jobs": recode_jobs, "ratio": recode / clean,
         "ratio_of": f"clean build ({recode_jobs} of {clean_jobs} jobs)"},
    ]
    demo = {"stations": size["stations"], "documents": size["documents"], "segments": size["segments"],
            "clean": clean, "clean_jobs": clean_jobs, "noop": noop, "recode": recode, "recode_jobs": recode_jobs,
            "peak_mb": max(clean_peak, noop_peak, recode_peak), "dry_run": None}
    return rows, demo


def corpus_size(repo: Path) -> dict:
    """Stations, documents and coded segments of a built study (from the pooled corpus tables)."""
    import pyarrow.parquet as pq

    documents = pq.read_table(repo / "results/ingest/documents.parquet", columns=["case_id"])
    segments = pq.read_metadata(repo / "results/ingest/segments.parquet").num_rows
    return {"stations": len(set(documents.column("case_id").to_pylist())), "documents": documents.num_rows,
            "segments": segments}


def synthetic_study(tmp: str, stations: int) -> Path:
    """A copy of the repository whose data/cases holds ``stations`` synthetic stations (config: cases: all)."""
    repo = Path(tmp) / "repo"
    shutil.copytree(ROOT, repo, ignore=shutil.ignore_patterns(*SKIP_NAMES, "cases"))
    timed([sys.executable, "-m", "analysis.cli", "--root", str(repo), "synth", "--stations", str(stations),
           "--dest", str(repo / "data/cases")], repo)
    return repo


def measure_size(stations: int, snakemake_args: list[str]) -> dict:
    """The clean build, no-op and one recoded station of a fresh ``stations``-station study, with the peak memory."""
    snakemake = snakemake_command(snakemake_args)
    with tempfile.TemporaryDirectory(prefix=f"casebook-bench-{stations}-") as tmp:
        repo = synthetic_study(tmp, stations)
        dry_run, _ = timed([*snakemake, "--dry-run", "--quiet"], repo)
        clean, out, clean_peak = timed_peak(snakemake, repo)
        clean_jobs = jobs_run(out)
        size = corpus_size(repo)
        noop, _, noop_peak = timed_peak(snakemake, repo)
        recode_one_segment(repo)
        recode, out, recode_peak = timed_peak(snakemake, repo)
    return {**size, "clean": clean, "clean_jobs": clean_jobs, "noop": noop, "recode": recode,
            "recode_jobs": jobs_run(out), "peak_mb": max(clean_peak, noop_peak, recode_peak), "dry_run": dry_run}


def measure_dag(stations: int, snakemake_args: list[str]) -> dict:
    """The dry run alone (the DAG built, every input's timestamp read) of a fresh ``stations``-station study."""
    with tempfile.TemporaryDirectory(prefix=f"casebook-bench-{stations}-") as tmp:
        repo = synthetic_study(tmp, stations)
        dry_run, out, peak = timed_peak([*snakemake_command(snakemake_args), "--dry-run", "--quiet"], repo)
        found = re.findall(r"^total\s+(\d+)", out, re.M)
    return {"stations": stations, "documents": "", "segments": "", "clean": None, "clean_jobs": int(found[-1]) if found else "",
            "noop": None, "recode": None, "recode_jobs": "", "peak_mb": peak, "dry_run": dry_run}


def size_table(rows: list[dict]) -> str:
    """The size axis: each study's measures and their ratios to the fifteen-station demo (the first row)."""
    demo = rows[0]

    def secs(value):
        return "" if value is None else f"{value:.1f}"

    def count(value):
        return f"{value:,}" if isinstance(value, int) else ""

    def ratio(value, of):
        return "" if value is None or not of else f"{value / of:.2f}"

    lines = ["| stations | documents | segments | dry run s | clean build s | jobs | x demo clean | no-op s | x demo no-op "
             "| one station recoded s | jobs | of its clean | peak memory MB |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {count(r['stations'])} | {count(r['documents'])} | {count(r['segments'])} | {secs(r['dry_run'])} "
                     f"| {secs(r['clean'])} | {count(r['clean_jobs'])} | {ratio(r['clean'], demo['clean'])} | {secs(r['noop'])} "
                     f"| {ratio(r['noop'], demo['noop'])} | {secs(r['recode'])} | {count(r['recode_jobs'])} "
                     f"| {ratio(r['recode'], r['clean'])} | {r['peak_mb']:,.0f} |")
    return "\n".join(lines) + "\n"


def markdown(rows: list[dict], note: str) -> str:
    lines = [f"Measured {note}.", "", "| measure | seconds | jobs | ratio | of |", "|---|---:|---:|---:|---|"]
    lines += [f"| {r['measure']} | {r['seconds']:.1f} | {r['jobs']} | {r['ratio']:.2f} | {r['ratio_of']} |" for r in rows]
    return "\n".join(lines) + "\n"


def split_arguments(argv: list[str]) -> tuple[list[int], list[int], list[str]]:
    """``--stations N`` and ``--dag-stations N`` (each repeatable), and the arguments for Snakemake.

    >>> split_arguments(["--stations", "150", "--dag-stations=29000", "--cores", "2"])
    ([150], [29000], ['--cores', '2'])
    """
    sizes: dict[str, list[int]] = {"--stations": [], "--dag-stations": []}
    rest, items = [], iter(argv)
    for arg in items:
        name, eq, value = arg.partition("=")
        if name in sizes:
            value = value if eq else next(items, "")
            if not value.isdigit() or int(value) < 1:
                raise SystemExit(f"casebook bench: {name} takes a whole number of stations, not {value!r}")
            sizes[name].append(int(value))
        else:
            rest.append(arg)
    return sizes["--stations"], sizes["--dag-stations"], rest


def write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: f"{v:.3f}" if isinstance(v, float) else v for k, v in r.items()} for r in rows)


def main(argv: list[str]) -> int:
    stations, dag_stations, snakemake_args = split_arguments(argv)
    rows, demo = measure(snakemake_args)
    sizes = [demo] + [measure_size(n, snakemake_args) for n in stations] + [measure_dag(n, snakemake_args) for n in dag_stations]
    out = ROOT / "benchmarks"
    out.mkdir(exist_ok=True)
    write_csv(out / "summary.csv", rows)
    note = (f"on {os.cpu_count()} cores ({platform.machine()}, Python {platform.python_version()}), "
            f"{time.strftime('%Y-%m-%d')}, {' '.join(snakemake_args) or 'the default configuration'}")
    table = markdown(rows, note)
    if len(sizes) > 1:
        write_csv(out / "size.csv", sizes)
        table += "\nBy size (the first row is the demo above; the others synthetic studies built afresh):\n\n" + size_table(sizes)
    (out / "summary.md").write_text(table, encoding="utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
