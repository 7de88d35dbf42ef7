"""The cluster profile, workflow/profiles/slurm.

The test marked ``slurm`` runs it for real: a one-node SLURM on this machine (tests/slurm_cluster.py,
which installs Debian's slurm-wlm and munge when they are missing) builds the three-station study
through snakemake-executor-plugin-slurm, and the results and the book must equal, byte for byte, a
build of the same copy with the local profile. The other tests read the profile: every job that is
not a local rule is in a group, and every rule it names exists (Snakemake ignores a name that is
not a rule without a word).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yte

import slurm_cluster
from analysis.report.registry import Registry
from conftest import ROOT, book_numbers
from test_workflow import MINI, copy_repo, differences, file_digests

PROFILE = ROOT / "workflow/profiles/slurm/config.yaml"
#: A polling hang (the plugin waiting for ever on a status it cannot read) fails the test after this.
BUILD_SECONDS = 900


def profile(env: dict[str, str] | None = None) -> dict:
    """The profile as Snakemake reads it (through YTE), with ``env`` as the environment."""
    saved = dict(os.environ)
    try:
        if env is not None:
            os.environ.clear()
            os.environ.update(env)
        with PROFILE.open(encoding="utf-8") as stream:
            return yte.process_yaml(stream, require_use_yte=True)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def local_rules() -> set[str]:
    """The local rules on a cluster: those report.smk makes from the registry, and any rule of the
    workflow declared with ``localrule: True``."""
    import yaml

    registry = Registry(ROOT, yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8")))
    made = {e.rule for e in [*registry.figures, *(t for t in registry.tables if t.generated), *registry.numbers]}
    declared = {name for path in (ROOT / "workflow/rules").glob("*.smk")
                for name in re.findall(r"^rule (\w+):\n    localrule: True$", path.read_text(encoding="utf-8"),
                                       flags=re.MULTILINE)}
    return made | declared


def test_partition_and_account_come_from_the_environment():
    bare = {k: v for k, v in os.environ.items() if not k.startswith("SBATCH_")}
    unset = profile(bare)["default-resources"]
    assert "slurm_partition" not in unset and "slurm_account" not in unset
    given = profile({**bare, "SBATCH_PARTITION": "all", "SBATCH_ACCOUNT": "ab-123"})["default-resources"]
    # quoted, so that Snakemake takes them as strings and not as Python (`all` is a builtin)
    assert given["slurm_partition"] == "'all'" and given["slurm_account"] == "'ab-123'"


def test_every_rule_the_profile_names_is_a_rule_of_the_workflow():
    run = subprocess.run([sys.executable, "-m", "snakemake", "--list-rules"], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    rules = set(run.stdout.split())
    named = set(profile()["set-resources"]) | set(profile()["groups"])
    assert named - rules == set(), "rename these in workflow/profiles/slurm/config.yaml"


def test_every_job_is_in_a_group_or_a_local_rule():
    """A job outside the groups would be a SLURM job of its own, about 20 s of queue and polling."""
    run = subprocess.run([sys.executable, "-m", "snakemake", "--workflow-profile", "workflow/profiles/slurm",
                          *MINI, "--dry-run"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    alone = set(re.findall(r"^rule (\w+):$", run.stdout + run.stderr, flags=re.MULTILINE))  # grouped jobs are indented
    assert alone - local_rules() - {"all"} == set(), "add these to `groups:` in workflow/profiles/slurm/config.yaml"
    assert re.search(r"^\S.*Group job ingest", run.stdout + run.stderr, flags=re.MULTILINE)


@pytest.fixture(scope="module")
def cluster():
    """A one-node SLURM: the one running here, or one started for this module and stopped after it."""
    try:
        started = slurm_cluster.start()
    except slurm_cluster.Unavailable as why:
        pytest.skip(f"no SLURM cluster for the profile's test: {why}")
    yield started
    stopped = slurm_cluster.stop(started)
    assert sorted(stopped) == sorted(started.started), f"started {sorted(started.started)}, stopped {stopped}"
    left = [name for name, pid_file in started.started.items() if slurm_cluster._pid_of(name, pid_file)]
    assert left == [], f"still running after stop: {left}"


def _cancel_jobs_in(repo: Path) -> None:
    """Cancel the SLURM jobs a build in ``repo`` left behind (a build stopped by the timeout)."""
    listing = subprocess.run(["squeue", "--noheader", "--format=%i %Z"], capture_output=True, text=True)
    ids = [line.split()[0] for line in listing.stdout.splitlines() if line.split()[1:] == [str(repo)]]
    if ids:
        subprocess.run(["scancel", *ids], capture_output=True)


def _job_facts(job_id: str) -> dict[str, str]:
    """What scontrol knows of a job (empty once the controller has forgotten it)."""
    shown = subprocess.run(["scontrol", "--oneliner", "show", "job", job_id], capture_output=True, text=True)
    return dict(word.split("=", 1) for word in shown.stdout.split() if "=" in word)


@pytest.mark.slurm
def test_the_study_builds_through_slurm_as_it_builds_here(cluster, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SBATCH_", "SLURM_"))}
    # the jobs run with the submitting environment (sbatch --export=ALL): the book's rule finds
    # jupyter-book beside this Python
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["SBATCH_PARTITION"] = cluster.partition

    here = copy_repo(tmp_path / "here")
    local = subprocess.run([sys.executable, "-m", "snakemake", "--workflow-profile", "workflow/profiles/default",
                            "--cores", "2", *MINI], cwd=here, env=env, capture_output=True, text=True, timeout=1200)
    assert local.returncode == 0, local.stderr[-4000:]

    repo = copy_repo(tmp_path / "slurm")
    command = [sys.executable, "-m", "snakemake", "--workflow-profile", "workflow/profiles/slurm", *MINI,
               "--slurm-keep-successful-logs"]
    try:
        run = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, timeout=BUILD_SECONDS)
    except subprocess.TimeoutExpired as stuck:  # the build is killed (SIGKILL); its jobs are not
        _cancel_jobs_in(repo)
        said = stuck.stderr.decode(errors="replace") if isinstance(stuck.stderr, bytes) else stuck.stderr or ""
        pytest.fail(f"the SLURM build did not end within {BUILD_SECONDS} s; its last words:\n{said[-3000:]}")
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-4000:]

    # The jobs went through SLURM: one job per group, each with its log, run in the partition asked for.
    job_ids = re.findall(r"has been submitted with SLURM jobid (\d+)", out)
    logs = sorted((repo / ".snakemake/slurm_logs").rglob("*.log"))
    folders = [log.relative_to(repo / ".snakemake/slurm_logs").parts[0] for log in logs]
    assert all(folder.startswith("group_") for folder in folders), folders
    groups = {folder.removeprefix("group_").split("_")[0] for folder in folders}
    assert groups == set(profile()["groups"].values()), folders
    assert len(job_ids) == len(groups), job_ids
    assert sorted(log.stem for log in logs) == sorted(job_ids)
    for log in logs:
        assert "Finished jobid" in log.read_text(encoding="utf-8", errors="replace"), log
    for job_id in job_ids:
        facts = _job_facts(job_id)
        if facts or not cluster.reused:  # a controller started here remembers its jobs for an hour
            assert facts.get("JobState") == "COMPLETED", (job_id, facts)
            assert facts.get("Partition") == cluster.partition, (job_id, facts)
            assert facts.get("WorkDir") == str(repo), (job_id, facts)

    # The book, and the same bytes as the local build.
    for page in ("index.html", "design.html", "coding.html", "crosscase.html"):
        assert (repo / "paper/_build/html" / page).is_file(), page
    assert book_numbers(repo)["n_stations"] == "3"
    assert "{{" not in (repo / "paper/_build/html/design.html").read_text(encoding="utf-8")
    built = file_digests(repo)
    assert any(path.startswith("results/numbers/") for path in built)
    assert differences(file_digests(here), built) == []
