"""A one-node SLURM cluster on this machine, for the test of the SLURM profile (tests/test_slurm.py).

:func:`start` reuses a SLURM that already runs and answers, and leaves it running. Otherwise it
installs Debian's ``slurm-wlm`` and ``munge`` when they are missing (as root, with apt-get), writes
``/etc/slurm/slurm.conf`` for one node (this machine, its CPUs and memory as ``slurmd -C`` reads
them, a default partition and one reached by name, no accounting), starts ``munged``, ``slurmctld`` and ``slurmd``, and
waits until ``sinfo`` reports the node idle. :func:`stop` stops exactly the daemons that
:func:`start` started, by the PIDs in their PID files, and removes the configuration it wrote.
What was started is recorded in ``/run/slurm/casebook-cluster.json``, so that a cluster started
from the command line can be stopped from another process:

    python tests/slurm_cluster.py start     # then: snakemake --workflow-profile workflow/profiles/slurm
    python tests/slurm_cluster.py stop

Everything listens on the loopback address only.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

CONF = Path("/etc/slurm/slurm.conf")
RUN = Path("/run/slurm")
MUNGE_RUN = Path("/run/munge")
MUNGE_PID = MUNGE_RUN / "munged.pid"
RECORD = RUN / "casebook-cluster.json"
#: The first line of the slurm.conf this module writes: a file without it is someone else's and is never touched.
MARKER = "# Written by tests/slurm_cluster.py for a one-node test cluster; removed when it stops."
PACKAGES = ["slurm-wlm", "munge"]
COMMANDS = ["munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scontrol", "scancel"]
#: The partition a job reaches only by name, on a cluster started here.
STUDY_PARTITION = "study"
#: How long the node may take to report idle after the daemons started (about 3 s here).
READY_SECONDS = 60


class Unavailable(Exception):
    """SLURM cannot be run here (not root, no apt-get, or a configuration that is not ours): a reason to skip."""


@dataclass
class Cluster:
    """A running cluster: whether this module started it, and what exactly it started."""

    node: str
    #: where a test sends its jobs: the named partition of a cluster started here, else the default one
    partition: str
    reused: bool
    #: daemon name -> PID file, for each daemon started here (and so to be stopped here)
    started: dict[str, str] = field(default_factory=dict)
    state_dir: str = ""
    wrote_conf: bool = False

    def log_tail(self, lines: int = 20) -> str:
        """The last lines of the daemons' logs, for an error message."""
        out = []
        for name in ("slurmctld", "slurmd"):
            path = Path(self.state_dir) / f"{name}.log"
            if self.state_dir and path.is_file():
                out.append(f"--- {path}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-lines:]))
        return "\n".join(out)


def _which(name: str) -> str | None:
    """A command's path, looking in the system folders too (the daemons live in /usr/sbin, which a
    non-login shell's PATH may lack)."""
    return shutil.which(name, path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))


def _run(*command: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([_which(command[0]) or command[0], *command[1:]], capture_output=True, text=True,
                          timeout=timeout)


def _answers(*command: str) -> str | None:
    """What a SLURM or munge client prints, or None when it fails (no daemon, no configuration)."""
    if _which(command[0]) is None:
        return None
    try:
        done = _run(*command, timeout=15)
    except subprocess.TimeoutExpired:
        return None
    return done.stdout if done.returncode == 0 else None


def _node_states(node: str | None = None) -> list[str]:
    out = _answers("sinfo", "--noheader", "--Node", "--format=%T", *(["--nodes", node] if node else []))
    return out.split() if out else []


def _usable() -> bool:
    """A SLURM that already runs here: the controller answers and a node can take jobs."""
    ping = _answers("scontrol", "ping")
    if not ping or "UP" not in ping:
        return False
    return any(state.rstrip("*~#") in ("idle", "mixed", "allocated", "completing") for state in _node_states())


def _default_partition() -> str:
    out = _answers("sinfo", "--noheader", "--format=%P") or ""
    return next((p.rstrip("*") for p in out.split() if p.endswith("*")), "")


def _alive(pid: int) -> bool:
    """Whether a process runs (a zombie, killed and not yet reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def _running(name: str) -> list[int]:
    """PIDs of live processes whose command name is ``name`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name and _alive(int(entry.name)):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def install() -> None:
    """Debian's slurm-wlm and munge, when a command they bring is missing."""
    if all(_which(c) for c in COMMANDS):
        return
    if os.geteuid() != 0 or _which("apt-get") is None:
        raise Unavailable(f"SLURM is not installed, and installing {' '.join(PACKAGES)} needs root and apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive",
           "PATH": os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])}  # dpkg wants sbin
    for command in (["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *PACKAGES]):
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
        if done.returncode != 0:
            raise Unavailable(f"{' '.join(command)} failed: {done.stderr.strip()[-500:]}")


def _node_facts() -> tuple[str, int, int]:
    """This machine's short host name, CPUs and memory (MB), as slurmd itself will find them."""
    facts = {}
    out = _answers("slurmd", "-C") or ""
    for word in out.split():
        key, _, value = word.partition("=")
        facts[key] = value
    node = socket.gethostname().split(".")[0]
    cpus = int(facts.get("CPUs") or len(os.sched_getaffinity(0)))
    memory = int(facts.get("RealMemory") or os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20)
    return node, cpus, memory


def slurm_conf(node: str, cpus: int, memory_mb: int, state_dir: str) -> str:
    """The configuration of a one-node cluster: the controller and the node on the loopback address,
    CPUs and memory consumable (so a job's --cpus-per-task and --mem are honoured), no accounting
    (``sacct`` then fails, which is what the profile's ``slurm-status-command: squeue`` is for), and
    two partitions on the node: ``main``, the default, and ``study``, which a job reaches only when
    asked for by name (the test asks for it through the profile).

    Examples
    --------
    >>> text = slurm_conf("vm", 2, 24105, "/tmp/state")
    >>> [line for line in text.splitlines() if line.startswith(("NodeName", "PartitionName=main"))]
    ['NodeName=vm NodeAddr=127.0.0.1 CPUs=2 RealMemory=24105 State=UNKNOWN', \
'PartitionName=main Nodes=vm Default=YES MaxTime=INFINITE State=UP']
    """
    lines = [
        MARKER,
        "ClusterName=casebook",
        f"SlurmctldHost={node}(127.0.0.1)",
        "SlurmUser=root",
        "AuthType=auth/munge",
        "MpiDefault=none",
        "ProctrackType=proctrack/linuxproc",
        "TaskPlugin=task/none",
        "SelectType=select/cons_tres",
        "SelectTypeParameters=CR_Core_Memory",
        "SchedulerType=sched/backfill",
        "AccountingStorageType=accounting_storage/none",
        "JobAcctGatherType=jobacct_gather/none",
        "JobCompType=jobcomp/none",
        # a finished job stays known to squeue and scontrol for an hour: the plugin's status checks
        # and the test's look at the jobs afterwards both read it there
        "MinJobAge=3600",
        "ReturnToService=2",
        f"StateSaveLocation={state_dir}/state",
        f"SlurmdSpoolDir={state_dir}/spool",
        f"SlurmctldPidFile={RUN}/slurmctld.pid",
        f"SlurmdPidFile={RUN}/slurmd.pid",
        f"SlurmctldLogFile={state_dir}/slurmctld.log",
        f"SlurmdLogFile={state_dir}/slurmd.log",
        f"NodeName={node} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={memory_mb} State=UNKNOWN",
        f"PartitionName=main Nodes={node} Default=YES MaxTime=INFINITE State=UP",
        f"PartitionName={STUDY_PARTITION} Nodes={node} Default=NO MaxTime=INFINITE State=UP",
    ]
    return "\n".join(lines) + "\n"


def _wait_for(check, seconds: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return check()


def _start_munge(cluster: Cluster) -> None:
    if _answers("munge", "--no-input") is not None:
        return  # a munged that answers already runs: use it, and leave it running
    if _running("munged"):
        raise Unavailable("a munged runs but does not answer; not touching it")
    MUNGE_RUN.mkdir(mode=0o755, exist_ok=True)
    shutil.chown(MUNGE_RUN, "munge", "munge")
    if not Path("/etc/munge/munge.key").is_file():
        _run("runuser", "-u", "munge", "--", _which("mungekey") or "mungekey", "--create")
    done = _run("runuser", "-u", "munge", "--", _which("munged") or "munged")
    if done.returncode != 0:
        raise RuntimeError(f"munged did not start: {done.stderr.strip()}")
    cluster.started["munged"] = str(MUNGE_PID)
    if not _wait_for(lambda: _answers("munge", "--no-input") is not None, 10):
        raise RuntimeError("munged started but does not answer")


def _start_daemon(cluster: Cluster, name: str) -> None:
    done = _run(name)
    if done.returncode != 0:
        raise RuntimeError(f"{name} did not start: {done.stderr.strip()}\n{cluster.log_tail()}")
    cluster.started[name] = str(RUN / f"{name}.pid")


def start() -> Cluster:
    """A usable one-node cluster: the one already running, or one started here (see the module's text)."""
    if _usable():
        nodes = (_answers("sinfo", "--noheader", "--Node", "--format=%N") or "").split()
        return Cluster(node=nodes[0] if nodes else "", partition=_default_partition(), reused=True)
    if os.geteuid() != 0:
        raise Unavailable("no SLURM runs here, and starting one needs root")
    install()
    for name in ("slurmctld", "slurmd"):
        if _running(name):
            raise Unavailable(f"a {name} runs but the cluster does not take jobs (`sinfo`); not touching it")
    if RECORD.is_file():
        stop()  # what a start here left when its daemons were killed: its munged, configuration and state
    if CONF.exists() and not CONF.read_text(errors="replace").startswith(MARKER):
        raise Unavailable(f"{CONF} exists and was not written by this test; not overwriting it")
    node, cpus, memory = _node_facts()
    cluster = Cluster(node=node, partition=STUDY_PARTITION, reused=False,
                      state_dir=tempfile.mkdtemp(prefix="casebook-slurm-"))
    try:
        for sub in ("state", "spool"):
            (Path(cluster.state_dir) / sub).mkdir()
        RUN.mkdir(mode=0o755, exist_ok=True)
        CONF.parent.mkdir(parents=True, exist_ok=True)
        CONF.write_text(slurm_conf(node, cpus, memory, cluster.state_dir))
        cluster.wrote_conf = True
        _record(cluster)
        _start_munge(cluster)
        _record(cluster)
        _start_daemon(cluster, "slurmctld")
        _record(cluster)
        _start_daemon(cluster, "slurmd")
        _record(cluster)
        if not _wait_for(lambda: "idle" in _node_states(node), READY_SECONDS, step=0.5):
            raise RuntimeError(f"node {node} is not idle after {READY_SECONDS} s "
                               f"(sinfo: {_node_states(node)})\n{cluster.log_tail()}")
    except BaseException:
        stop(cluster)
        raise
    return cluster


def _record(cluster: Cluster) -> None:
    RECORD.write_text(json.dumps(asdict(cluster), indent=1))


def _pid_of(name: str, pid_file: str) -> int | None:
    """The PID in a daemon's PID file, if that process still runs under the daemon's name."""
    try:
        pid = int(Path(pid_file).read_text().split()[0])
        if Path(f"/proc/{pid}/comm").read_text().strip() == name and _alive(pid):
            return pid
    except (OSError, ValueError, IndexError):
        pass
    return None


def _cancel_jobs() -> None:
    """Cancel what is still queued or running on a cluster started here (a build that timed out)."""
    out = _answers("squeue", "--noheader", "--format=%i") or ""
    if out.split():
        _answers("scancel", *out.split())
        _wait_for(lambda: not (_answers("squeue", "--noheader", "--states=PENDING,RUNNING,COMPLETING",
                                        "--format=%i") or "").split(), 30, step=0.5)


def stop(cluster: Cluster | None = None) -> list[str]:
    """Stop the daemons ``cluster`` started (by default, those recorded by the last :func:`start`),
    newest first, and remove the configuration and state it wrote; nothing else is touched. The
    names of the daemons stopped."""
    if cluster is None:
        if not RECORD.is_file():
            return []
        cluster = Cluster(**json.loads(RECORD.read_text()))
    if cluster.reused:
        return []
    if "slurmctld" in cluster.started:
        _cancel_jobs()
    stopped = []
    for name in ("slurmd", "slurmctld", "munged"):
        if name not in cluster.started:
            continue
        pid = _pid_of(name, cluster.started[name])
        if pid is None:
            continue
        os.kill(pid, signal.SIGTERM)
        if not _wait_for(lambda: not _alive(pid), 20):
            os.kill(pid, signal.SIGKILL)
            _wait_for(lambda: not _alive(pid), 5)
        stopped.append(name)
    if cluster.wrote_conf and CONF.is_file() and CONF.read_text(errors="replace").startswith(MARKER):
        CONF.unlink()
    if cluster.state_dir:
        shutil.rmtree(cluster.state_dir, ignore_errors=True)
    RECORD.unlink(missing_ok=True)
    return stopped


def main(argv: list[str]) -> int:
    what = argv[0] if argv else "status"
    try:
        if what == "start":
            cluster = start()
            print(f"SLURM {'was running already' if cluster.reused else 'started'}: node {cluster.node}, "
                  f"partition {cluster.partition or '(default)'}")
        elif what == "stop":
            print("stopped: " + (", ".join(stop()) or "nothing (no daemon was started by `start`)"))
        elif what == "status":
            print("usable" if _usable() else "not running")
        else:
            print("usage: python tests/slurm_cluster.py start|stop|status", file=sys.stderr)
            return 2
    except Unavailable as why:
        print(f"slurm_cluster: {why}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
