"""The worker processes a large study's jobs run in (analysis/cli/apart.py): which worker a job
gets, and that a job's failure comes back in words."""
import threading
from pathlib import Path

import pytest

from analysis.cli.apart import Workers, run_script_apart
from analysis.cli.jobs import Job, JobFailed

SCRIPT = """import os, time
from pathlib import Path
time.sleep(snakemake.params.pause)
Path(snakemake.output.pid).write_text(str(os.getpid()), encoding="utf-8")
if snakemake.params.fail:
    raise ValueError("the planted failure")
"""


@pytest.fixture()
def workers(monkeypatch):
    pool = Workers()
    monkeypatch.setattr("analysis.cli.apart.WORKERS", pool)
    yield pool
    pool.close()


def _job(tmp_path: Path, name: str, pause: float = 0.0, fail: bool = False) -> Job:
    return Job(input={}, output={"pid": str(tmp_path / f"{name}.pid")}, params={"pause": pause, "fail": fail},
               wildcards={}, log=[str(tmp_path / f"{name}.log")], config={})


def _run(script: Path, job: Job, cores: int) -> None:
    """run_script_apart, failing (not hanging) if the job never comes back from its worker."""
    failure = []

    def target():
        try:
            run_script_apart(str(script), job, cores)
        except JobFailed as failed:
            failure.append(failed)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive(), "the job never came back from its worker"
    if failure:
        raise failure[0]


def _pid(tmp_path: Path, name: str) -> str:
    return (tmp_path / f"{name}.pid").read_text(encoding="utf-8")


def test_a_lone_job_after_another_reuses_its_worker_and_two_at_once_use_two(workers, tmp_path):
    script = tmp_path / "job.py"
    script.write_text(SCRIPT, encoding="utf-8")
    _run(script, _job(tmp_path, "first"), 2)
    _run(script, _job(tmp_path, "second"), 2)
    # the worker used last is taken first (its libraries and its cache of names are warm)
    assert _pid(tmp_path, "first") == _pid(tmp_path, "second")
    side_by_side = [threading.Thread(target=_run, args=(script, _job(tmp_path, n, pause=1.0), 2), daemon=True)
                    for n in ("left", "right")]
    for thread in side_by_side:
        thread.start()
    for thread in side_by_side:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in side_by_side), "a job never came back from its worker"
    assert _pid(tmp_path, "left") != _pid(tmp_path, "right")
    assert len(workers._all) == 2  # one per core, the second started ahead of its first job


def test_a_failing_job_reports_its_message_and_the_worker_serves_the_next(workers, tmp_path):
    script = tmp_path / "job.py"
    script.write_text(SCRIPT, encoding="utf-8")
    with pytest.raises(JobFailed, match="the planted failure"):
        _run(script, _job(tmp_path, "bad", fail=True), 1)
    assert "the planted failure" in (tmp_path / "bad.log").read_text(encoding="utf-8")
    _run(script, _job(tmp_path, "good"), 1)
    assert _pid(tmp_path, "good") == _pid(tmp_path, "bad")
