"""A workflow script run as a job in a process of its own, beside the Snakemake process.

Jobs that run inside the Snakemake process (its ``run:`` blocks, in threads) share one
interpreter lock, so a large study's heavy jobs would take turns on one core however many the
machine has. :func:`run_script_apart` writes what the job sees as ``snakemake`` (its input, output,
params, wildcards, log and the configuration, as JSON) to a file beside its log and runs
``python -m analysis.cli.apart FILE``, which rebuilds that object and runs the script the way
:func:`analysis.cli.jobs.run_script` does in-process: the same log, the same message on failure.
The Snakemake thread waits without holding the lock. Starting Python and importing pandas costs
about a second, so the workflow sends a job here only when it is large (common.smk).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
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


def run_script_apart(script: str, job) -> None:
    """Run a workflow script for ``job`` (:class:`analysis.cli.jobs.Job`) in a process of its own;
    raises :class:`~analysis.cli.jobs.JobFailed` with the job's message when it fails."""
    from analysis.cli.jobs import JobFailed

    log = Path(job.log[0])
    spec = {"script": script, "config": job.config,
            **{k: _packed(getattr(job, k)) for k in ("input", "output", "params", "wildcards", "log")}}
    spec_path = log.with_name(log.name + ".job.json")
    spec_path.parent.mkdir(parents=True, exist_ok=True)
    spec_path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    try:
        run = subprocess.run([sys.executable, "-m", "analysis.cli.apart", str(spec_path)], capture_output=True,
                             text=True, encoding="utf-8", env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)})
    finally:
        spec_path.unlink(missing_ok=True)
    if run.returncode != 0:
        raise JobFailed(run.stdout.strip() or f"casebook: the job's process stopped (exit {run.returncode}): "
                        + (run.stderr.strip().splitlines() or ["no message"])[-1]) from None


def _main(spec_path: str) -> int:
    """The job's process: rebuild the job and run its script; on failure print its message (the log
    has it too, with the traceback) and exit 1."""
    import runpy

    from analysis.cli.jobs import JobFailed, run_job

    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    job = _Job(spec)
    try:
        run_job(job.log[0], runpy.run_path, spec["script"], {"snakemake": job}, "__casebook_job__", outputs=job.output)
    except JobFailed as failed:
        print(str(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1]))
