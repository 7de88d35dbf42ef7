"""Workflow scripts run as jobs in worker processes beside the Snakemake process.

Jobs that run inside the Snakemake process (its ``run:`` blocks, in threads) share one
interpreter lock, so a large study's heavy jobs would take turns on one core however many the
machine has. :func:`run_script_apart` writes what the job sees as ``snakemake`` (its input, output,
params, wildcards, log and the configuration, as JSON) to a file beside its log and hands it to
one of a few worker processes (``python -m analysis.cli.apart --serve``, one per core, kept for
the build), which rebuilds that object and runs the script the way
:func:`analysis.cli.jobs.run_script` does in-process: the same log, the same message on failure.
The Snakemake thread waits without holding the lock. Handing a job over costs more than running
a small one in-process, so the workflow sends jobs here only for a large study (common.smk).
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path


class Named(list):
    """A list whose named entries are attributes too, as in Snakemake's input, output and params:
    each name's span of the values, and whether it names a list or one value.

    >>> files = Named(["a.csv", "b.csv", "c.yaml"], {"tables": [0, 2, "list"], "schema": [2, 3, "one"]})
    >>> files.tables, files.schema, files[0], files["schema"]
    (['a.csv', 'b.csv'], 'c.yaml', 'a.csv', 'c.yaml')
    """

    def __init__(self, values: list, spans: dict[str, list]):
        super().__init__(values)
        for name, (start, end, kind) in spans.items():
            setattr(self, name, values[start:end] if kind == "list" else values[start])

    def __getitem__(self, key):
        """An entry by position, or by name (``snakemake.input["codes"]``)."""
        return getattr(self, key) if isinstance(key, str) else super().__getitem__(key)


def _packed(names) -> dict:
    """A Snakemake named list (or params, wildcards) as JSON: its values in order and each name's
    span of them; a named entry that is a list of paths keeps being a list."""
    values: list = []
    spans: dict[str, list] = {}
    items = list(names.items()) if hasattr(names, "items") else []
    for name, value in items:
        start = len(values)
        if isinstance(value, (list, tuple)) and not isinstance(value, str):
            values.extend(_plain(v) for v in value)
            spans[name] = [start, len(values), "list"]
        else:
            values.append(_plain(value))
            spans[name] = [start, start + 1, "one"]
    if not items:
        values = [_plain(v) for v in names]
    return {"values": values, "spans": spans}


def _plain(value):
    if isinstance(value, (dict, list, int, float, bool, str)) or value is None:
        return value
    return str(value)


def _unpacked(packed: dict) -> Named:
    return Named(packed["values"], packed["spans"])


class _Job:
    """What the script sees as ``snakemake``."""

    def __init__(self, spec: dict):
        self.input, self.output, self.log = (_unpacked(spec[k]) for k in ("input", "output", "log"))
        self.params, self.wildcards = _unpacked(spec["params"]), _unpacked(spec["wildcards"])
        self.config = spec["config"]


class Workers:
    """A few job processes (as many as the build's cores), started on first use and kept for the
    build: each imports Python's libraries once and then runs job after job, so a job pays for its
    work, not for starting Python and importing pandas. A job takes an idle worker, sends it one
    line (the path of its job file) and waits for one line back: done, or the failure in words. A
    worker that stops is replaced for the next job."""

    def __init__(self):
        self._idle: queue.LifoQueue | None = None
        self._all: list[subprocess.Popen] = []
        self._lock = threading.RLock()

    def _take(self, count: int) -> subprocess.Popen:
        with self._lock:
            if self._idle is None:
                # The worker used last is taken first: a lone job after another reuses its worker
                # (its libraries loaded, its cache of names read). The first job starts a worker of
                # its own; the others start now and load the analyses' libraries while it runs (a
                # build begins with one ingest job after another, and their cores would wait idle).
                self._idle = queue.LifoQueue()
                self._idle.put(None)  # a slot whose worker starts when a job takes it
                for _ in range(max(1, count) - 1):
                    self._idle.put(self._start(warm=True))
        worker = self._idle.get()
        if worker is None or worker.poll() is not None:
            worker = self._start(warm=False)
        return worker

    def _start(self, warm: bool) -> subprocess.Popen:
        worker = subprocess.Popen([sys.executable, "-m", "analysis.cli.apart", "--serve", *(["--warm"] if warm else [])],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8",
                                  env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)})
        with self._lock:  # reentrant: _take starts the first workers while it holds it
            self._all.append(worker)
        return worker

    def run(self, spec_path: Path, count: int) -> tuple[bool, str]:
        worker = self._take(count)
        try:
            worker.stdin.write(str(spec_path) + "\n")
            worker.stdin.flush()
            reply = worker.stdout.readline()
        except OSError:
            reply = ""
        self._idle.put(worker)
        if not reply:
            return False, "casebook: the process running the job stopped; its messages are above"
        answer = json.loads(reply)
        return answer["ok"], answer["text"]

    def close(self) -> None:
        """Stop the workers (each ends when its input closes)."""
        with self._lock:
            for worker in self._all:
                if worker.poll() is None:
                    try:
                        worker.stdin.close()
                        worker.wait(timeout=30)
                    except (OSError, subprocess.TimeoutExpired):
                        worker.kill()
            self._all.clear()
            self._idle = None


#: The workers of this build, stopped when the build's process exits.
WORKERS = Workers()
atexit.register(WORKERS.close)


def run_script_apart(script: str, job, workers: int = 2) -> None:
    """Run a workflow script for ``job`` (:class:`analysis.cli.jobs.Job`) in one of ``workers`` job
    processes; raises :class:`~analysis.cli.jobs.JobFailed` with the job's message when it fails."""
    from analysis.cli.jobs import JobFailed

    log = Path(job.log[0])
    spec = {"script": script, "config": job.config,
            **{k: _packed(getattr(job, k)) for k in ("input", "output", "params", "wildcards", "log")}}
    spec_path = log.with_name(log.name + ".job.json")
    spec_path.parent.mkdir(parents=True, exist_ok=True)
    spec_path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    try:
        ok, text = WORKERS.run(spec_path, workers)
    finally:
        spec_path.unlink(missing_ok=True)
    if not ok:
        raise JobFailed(text) from None


def _run_one(spec_path: str) -> tuple[bool, str]:
    """Rebuild a job from its file and run its script, as :func:`analysis.cli.jobs.run_script` does."""
    import runpy

    from analysis.cli.jobs import JobFailed, run_job

    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    job = _Job(spec)
    try:
        run_job(job.log[0], runpy.run_path, spec["script"], {"snakemake": job}, "__casebook_job__", outputs=job.output)
    except JobFailed as failed:
        return False, str(failed)
    except SystemExit as stop:  # a script that exits: a failure in its own words, and the worker lives on
        return False, str(stop.code) if stop.code not in (None, 0) else "casebook: the job's script exited early"
    return True, ""


#: What a worker started ahead of its first job loads while it waits: the libraries of the analyses
#: and figures, which every worker would otherwise load when its first such job arrives.
WARM_MODULES = ("pandas", "pyarrow.parquet", "scipy.stats", "statsmodels.api", "statsmodels.formula.api",
                "matplotlib", "analysis.methods.coding", "analysis.methods.models", "analysis.methods.cooccurrence")


def _serve(warm: bool = False) -> None:
    """A worker's loop: one job file per line on standard input, one answer per line on the standard
    output it was started with (anything else the code prints goes to standard error)."""
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    sys.stdout = sys.stderr
    if warm:
        import importlib

        for module in WARM_MODULES:
            importlib.import_module(module)
    for line in sys.stdin:
        ok, text = _run_one(line.strip())
        answers.write(json.dumps({"ok": ok, "text": text}, ensure_ascii=False) + "\n")
        answers.flush()


if __name__ == "__main__":
    _serve(warm="--warm" in sys.argv[1:])
