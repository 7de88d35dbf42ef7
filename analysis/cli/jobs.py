"""What the workflow says about its own jobs: why one failed, and whether a lock is stale.

- :func:`~analysis.inputs.problems.failure_text` is the first thing a failed job says (on the
  console and in its log): the input problems, a full disk, or the exception in one line.
- :func:`failed_jobs_report` is what the Snakefile's ``onerror:`` handler prints: for each
  failed rule, that message first, then the last lines of its log.
- :func:`run_script` runs a workflow script as a job inside the Snakemake process (a ``run:``
  block), its log kept apart from the jobs running beside it.
- :func:`stale_lock` tells whether ``.snakemake/locks`` holds a lock that no running
  Snakemake owns (a build killed outright leaves one), which ``casebook recover`` releases.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import traceback
from pathlib import Path

#: How many lines of a failed job's log the console shows.
TAIL_LINES = 15


_ERROR = re.compile(r"^Error in rule (\w+):\s*$")
_LOG = re.compile(r"^\s+log:\s*(.+?)\s*(?:\(check log file\(s\) for error details\))?\s*$")


def failed_jobs(snakemake_log: str) -> list[tuple[str, list[str]]]:
    """The rules that failed, each with its log files, from Snakemake's own log text.

    Examples
    --------
    >>> text = "Error in rule qca:\\n    jobid: 3\\n    log: logs/a.log, logs/b.log (check log file(s) for error details)\\n"
    >>> failed_jobs(text)
    [('qca', ['logs/a.log', 'logs/b.log'])]
    """
    found: list[tuple[str, list[str]]] = []
    rule = None
    for line in snakemake_log.splitlines():
        if (m := _ERROR.match(line)):
            rule = m.group(1)
            found.append((rule, []))
        elif rule and (m := _LOG.match(line)):
            found[-1][1].extend(p.strip() for p in m.group(1).split(",") if p.strip())
        elif rule and not line.startswith((" ", "\t")):
            rule = None
    seen, out = set(), []
    for rule, logs in found:
        if (rule, tuple(logs)) not in seen:
            seen.add((rule, tuple(logs)))
            out.append((rule, logs))
    return out


def _message_and_tail(path: Path) -> tuple[list[str], list[str]]:
    """The ``casebook:`` message of a job log (with the problem lines under it), and its last lines."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    message: list[str] = []
    for i, line in enumerate(lines):
        if line.startswith("casebook:"):
            message = [line]
            for follow in lines[i + 1:i + 41]:  # the problems under the message, up to a traceback or a log record
                if not follow.strip() or follow.startswith(("Traceback", "  File ")) or re.match(r"\d{4}-\d\d-\d\d ", follow):
                    break
                message.append(follow)
    return message, lines[-TAIL_LINES:]


def failed_jobs_report(snakemake_log, root: Path = Path(".")) -> str:
    """What the console shows when the build fails: for each failed rule, its message first,
    then the last lines of its log; a log that is empty or unreadable is said to be so.

    ``snakemake_log`` is what Snakemake hands ``onerror:``: the path of its own log, or a list of paths.
    """
    paths = [snakemake_log] if isinstance(snakemake_log, (str, Path)) else list(snakemake_log or [])
    try:
        text = "\n".join(Path(p).read_text(encoding="utf-8", errors="replace") for p in paths)
    except OSError as err:
        return (f"casebook: the build failed, and Snakemake's log could not be read ({err.strerror}); "
                "if the disk is full, free some space and run the build again")
    jobs = failed_jobs(text)
    if not jobs:
        return ""
    out = [f"casebook: the build stopped: {len(jobs)} job{'s' if len(jobs) > 1 else ''} failed "
           f"({', '.join(rule for rule, _ in jobs)})."]
    for rule, logs in jobs:
        for log in logs or [None]:
            out.append("")
            if log is None:
                out.append(f"rule {rule}: it has no log; Snakemake's messages above say why it failed")
                continue
            path = Path(root) / log
            try:
                message, tail = _message_and_tail(path)
            except OSError as err:
                out.append(f"rule {rule}: its log {log} could not be read ({err.strerror}); if the disk is full, "
                           "free some space and run the build again")
                continue
            if not tail:
                out.append(f"rule {rule}: its log {log} is empty; if the disk is full (`df -h .`), free some space "
                           "and run the build again")
                continue
            out += [f"rule {rule} ({log}):", *(f"  {m}" for m in message)]
            if tail != message[-len(tail):]:
                out += [f"  last lines of {log}:", *(f"    {t}" for t in tail)]
    return "\n".join(out)


def _snakemake_here(root: Path) -> list[int]:
    """Process ids of running Snakemake processes whose working folder is ``root`` (Linux /proc)."""
    found = []
    here = Path(root).resolve()
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().decode("utf-8", "replace").split("\0")
            cwd = Path(os.readlink(entry / "cwd"))
        except OSError:
            continue
        if cwd == here and _is_snakemake(argv):
            found.append(int(entry.name))
    return found


def _is_snakemake(argv: list[str]) -> bool:
    """Whether a command line runs Snakemake itself (``snakemake ...``, ``python -m snakemake ...``,
    ``python .../bin/snakemake ...``), not merely names it (``tail .snakemake/log/x.log``).

    Examples
    --------
    >>> [_is_snakemake(a.split()) for a in ["snakemake --cores 2", "/venv/bin/python -m snakemake -n",
    ...                                      "python3 /venv/bin/snakemake", "tail .snakemake/log/x.log", "uv run snakemake"]]
    [True, True, True, False, True]
    """
    names = [os.path.basename(a) for a in argv if a]
    if not names:
        return False
    if names[0].startswith("snakemake"):
        return True
    if names[0].startswith("python"):
        rest = argv[1:3]
        return rest[:2] == ["-m", "snakemake"] or (bool(rest) and os.path.basename(rest[0]).startswith("snakemake"))
    return names[0] == "uv" and "snakemake" in argv[1:4]


def stale_lock(root: Path = Path(".")) -> bool | None:
    """True when ``.snakemake/locks`` holds a lock and no Snakemake runs in ``root``; False when a
    Snakemake does run there; None when there is no lock (or /proc cannot tell)."""
    locks = Path(root) / ".snakemake" / "locks"
    if not locks.is_dir() or not any(locks.iterdir()):
        return None
    if not Path("/proc/self").exists():
        return None
    return not _snakemake_here(root)


# ---------------------------------------------------------------------------- jobs run in the workflow's process

class JobFailed(Exception):
    """A job stopped; its message (:func:`~analysis.inputs.problems.failure_text`) is already in its log."""


class Job:
    """What a workflow script sees as ``snakemake``: the job's input, output, params, wildcards, log
    and the configuration, as Snakemake hands them to a ``run:`` block."""

    def __init__(self, input, output, params, wildcards, log, config):  # noqa: A002 - Snakemake's names
        self.input, self.output, self.params = input, output, params
        self.wildcards, self.log, self.config = wildcards, log, config


def _thread_filter(record: logging.LogRecord) -> bool:
    """A record of the job running in this thread (not Snakemake's own, which it logs from there too)."""
    return record.thread == threading.get_ident() and not record.name.startswith("snakemake")


def run_job(log_path: str, work, *args, outputs=()) -> None:
    """Run ``work(*args)`` as one job inside the Snakemake process, so that a job pays for its work
    and not for starting Python and importing pandas again.

    The job's logging and warnings (and nothing from jobs running beside it in other threads) go to
    ``log_path``. When ``work`` raises, the log gets the message in words (and the traceback,
    unless the input was at fault) and :class:`JobFailed` carries the message to Snakemake, so the
    console shows it without a traceback.
    """
    from analysis.inputs.problems import InputError, failure_text, name_unnamed_write

    stream = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed below
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    handler.addFilter(_thread_filter)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.captureWarnings(True)
    try:
        work(*args)
    except Exception as err:  # every failure becomes one message; Snakemake stops the build on it
        from analysis.cli.drawing import DrawingFailed

        name_unnamed_write(err, outputs)
        text = err.text if isinstance(err, DrawingFailed) else failure_text(err)
        try:
            stream.write(text + "\n")
            if isinstance(err, DrawingFailed):
                stream.write(err.log + err.details)
            elif not isinstance(err, InputError):
                traceback.print_exception(err, file=stream)
            stream.flush()
        except (OSError, ValueError):
            pass  # a disk too full for the log: the console still has the message
        raise JobFailed(text) from None
    finally:
        root.removeHandler(handler)
        try:
            stream.close()
        except OSError:
            pass


def run_script(script: str, job: Job) -> None:
    """Run a workflow script (``workflow/scripts/<name>.py``) for ``job``, in this process."""
    import runpy

    run_job(job.log[0], runpy.run_path, script, {"snakemake": job}, "__casebook_job__", outputs=job.output)


def _draw_figure(name, input, params, wildcards, output) -> None:
    """A figure, drawn in the build's drawing process (:mod:`analysis.cli.drawing`); its log lines
    go to the job's log."""
    from analysis.cli.drawing import DRAWER

    for line in DRAWER.draw(name, input, params, wildcards, output).splitlines():
        logging.info("%s", line)


def run_registered(kind: str, name: str, input, output, params, wildcards, log) -> None:
    """Run a figure, table or topic of numbers of the registry (``workflow/report.yaml``) for one job,
    in this process: :func:`analysis.report.figure_jobs.draw`, :func:`analysis.report.table_jobs.write`
    or :func:`analysis.report.number_jobs.write`."""
    if kind == "figure":
        run_job(log[0], _draw_figure, name, input, params, wildcards, output.figure, outputs=output)
    elif kind == "numbers":
        from analysis.report.number_jobs import write as write_numbers

        run_job(log[0], write_numbers, name, input, params, wildcards, output.numbers, outputs=output)
    else:
        from analysis.report.table_jobs import write

        run_job(log[0], write, name, input, params, wildcards, output, outputs=output)
