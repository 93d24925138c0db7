"""A throwaway single-node Slurm cluster on this machine, for tests that submit real jobs.

Debian's slurm-wlm (22.05) and munge, started by hand as root (no systemd): munged as the
munge user, then slurmctld and slurmd, with every state, spool, socket, pid and log file in
one temporary folder. One node, named after the host, at 127.0.0.1; the controller and the
node daemon listen on free loopback ports, so no traffic leaves the machine. The finished
jobs are written by Slurm itself to a job-completion file (``jobcomp/filetxt``), which needs
no accounting database: that file is the evidence that jobs really went through sbatch.

Memory is a consumable resource (``CR_CPU_Memory``) and is enforced: the Linux accounting
gatherer samples every job step each second and ``OverMemoryKill`` kills a step over its
``--mem``, as a production cluster does.

Why by hand: Slurm's own test harness needs a source build, and no maintained Python package
starts a real slurmctld/slurmd (pyslurm is a client library; docker images need docker). The
client tools read ``/etc/slurm/slurm.conf`` (the Snakemake jobstep plugin strips ``SLURM_*``
variables before ``srun``, so ``SLURM_CONF`` is not enough): a symlink to the temporary
config is made there and removed again; an existing regular file there (a real cluster) is
never replaced.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

SYSTEM_CONF = Path("/etc/slurm/slurm.conf")
HOSTS = Path("/etc/hosts")
HOSTS_MARK = "# added by interphase's Slurm test; removed when it ends"
BINARIES = ("munged", "mungekey", "slurmctld", "slurmd", "sbatch", "srun", "squeue", "sinfo", "scontrol", "scancel")
START_TIMEOUT_S = 30


@dataclass
class SlurmCluster:
    """A running throwaway cluster: its folder, node name and the files Slurm writes."""

    root: Path
    node: str
    conf: Path
    jobcomp: Path
    pid_files: list[Path] = field(default_factory=list)
    added_hosts_line: str = ""
    linked_conf: bool = False


def missing_binaries() -> list[str]:
    """The Slurm and munge programs not found on PATH."""
    return [name for name in BINARIES if shutil.which(name) is None]


def install_with_apt() -> bool:
    """Install Debian's slurm-wlm and munge (root only); True when the programs are there after."""
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return False
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "slurm-wlm", "munge"]):
        if subprocess.run(command, capture_output=True, env=env, timeout=900).returncode != 0:
            return False
    return not missing_binaries()


def reason_to_skip() -> str:
    """Why a throwaway cluster cannot be started here ('' when it can)."""
    if os.geteuid() != 0:
        return "starting a throwaway Slurm needs root (slurmd, munged as the munge user, /etc/slurm)"
    if missing_binaries() and not install_with_apt():
        return f"Slurm/munge programs missing and `apt-get install slurm-wlm munge` impossible: {missing_binaries()}"
    if SYSTEM_CONF.exists() and not SYSTEM_CONF.is_symlink():
        return f"{SYSTEM_CONF} exists (a real Slurm?): refusing to replace it"
    try:
        pwd.getpwnam("munge")
    except KeyError:
        return "no 'munge' user (the munge package creates it)"
    return ""


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def memory_mb() -> int:
    """Physical memory of this machine in MB (from /proc/meminfo)."""
    text = Path("/proc/meminfo").read_text()
    return int(re.search(r"MemTotal:\s+(\d+) kB", text).group(1)) // 1024


def slurm_conf(root: Path, node: str, cpus: int, real_memory_mb: int, ports: tuple[int, int]) -> str:
    """The text of a one-node slurm.conf keeping all its files under ``root``."""
    return f"""\
# Throwaway single-node cluster for interphase's tests (tests/workflow/slurm_cluster.py).
ClusterName=interphase-test
SlurmctldHost={node}(127.0.0.1)
SlurmctldPort={ports[0]}
SlurmdPort={ports[1]}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket={root}/munge/munge.socket
CredType=cred/munge
StateSaveLocation={root}/state
SlurmdSpoolDir={root}/spool
SlurmctldPidFile={root}/slurmctld.pid
SlurmdPidFile={root}/slurmd.pid
SlurmctldLogFile={root}/slurmctld.log
SlurmdLogFile={root}/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=task=1
JobAcctGatherParams=OverMemoryKill
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc={root}/jobcomp.txt
MpiDefault=none
MailProg=/bin/true
MinJobAge=600
ReturnToService=2
SchedulerType=sched/backfill
NodeName={node} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={real_memory_mb} State=UNKNOWN
PartitionName=debug Nodes={node} Default=YES MaxTime=INFINITE State=UP
"""


def ensure_hosts_entry(node: str) -> str:
    """Make ``node`` resolvable from /etc/hosts (never DNS); return the line added, or ''."""
    for line in HOSTS.read_text().splitlines():
        if node in line.split("#")[0].split()[1:]:
            return ""
    line = f"127.0.0.1 {node} {HOSTS_MARK}"
    with HOSTS.open("a") as hosts:
        hosts.write(f"\n{line}\n")
    return line


def remove_hosts_entry(line: str) -> None:
    """Remove the line ``ensure_hosts_entry`` added."""
    if line:
        kept = [text for text in HOSTS.read_text().splitlines() if text != line]
        HOSTS.write_text("\n".join(kept).rstrip("\n") + "\n")


def run(command: list[str], **kwargs) -> None:
    """Run a daemon's start command; raise with its output when it fails."""
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, **kwargs)
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({done.returncode}): {done.stdout}{done.stderr}")


def start_munge(root: Path) -> Path:
    """Create a key and start munged as the munge user with its socket under ``root``."""
    munge_dir = root / "munge"
    munge_dir.mkdir()
    user = pwd.getpwnam("munge")
    key = munge_dir / "munge.key"
    run(["mungekey", "--create", f"--keyfile={key}"])
    for path in (munge_dir, key):
        os.chown(path, user.pw_uid, user.pw_gid)
    key.chmod(0o600)
    pid_file = munge_dir / "munged.pid"
    run(["runuser", "-u", "munge", "--", "munged", "--force", f"--socket={munge_dir}/munge.socket",
         f"--key-file={key}", f"--pid-file={pid_file}", f"--log-file={munge_dir}/munged.log",
         f"--seed-file={munge_dir}/munged.seed"])
    return pid_file


def wait_for_idle_node(cluster: SlurmCluster) -> None:
    """Wait until sinfo shows the node idle; raise with the daemons' logs if it never does."""
    deadline = time.monotonic() + START_TIMEOUT_S
    state = ""
    while time.monotonic() < deadline:
        done = subprocess.run(["sinfo", "-h", "-N", "-o", "%N %t"], capture_output=True, text=True, timeout=20)
        state = done.stdout.strip() + done.stderr.strip()
        if done.returncode == 0 and state == f"{cluster.node} idle":
            return
        time.sleep(0.5)
    logs = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(cluster.root.glob("*.log")))
    raise RuntimeError(f"the Slurm node never became idle (sinfo: {state!r})\n{logs}")


def start_cluster(root: Path) -> SlurmCluster:
    """Start munged, slurmctld and slurmd keeping their files under ``root``; return the cluster.

    On failure everything already started is stopped again before the error propagates.
    """
    node = socket.gethostname().split(".")[0]
    root.chmod(0o755)  # the munge user must reach its folder
    for sub in ("state", "spool"):
        (root / sub).mkdir()
    conf = root / "slurm.conf"
    real_memory = int(memory_mb() * 0.8)  # under the physical memory, or slurmd drains the node
    conf.write_text(slurm_conf(root, node, os.cpu_count() or 1, real_memory, (free_port(), free_port())))
    cluster = SlurmCluster(root=root, node=node, conf=conf, jobcomp=root / "jobcomp.txt")
    try:
        cluster.added_hosts_line = ensure_hosts_entry(node)
        SYSTEM_CONF.parent.mkdir(parents=True, exist_ok=True)
        if SYSTEM_CONF.is_symlink():
            SYSTEM_CONF.unlink()  # left over by an earlier run that was killed
        SYSTEM_CONF.symlink_to(conf)
        cluster.linked_conf = True
        cluster.pid_files.append(start_munge(root))
        env = dict(os.environ, SLURM_CONF=str(conf))
        cluster.pid_files.append(root / "slurmctld.pid")
        run(["slurmctld", "-c", "-f", str(conf)], env=env)
        cluster.pid_files.append(root / "slurmd.pid")
        run(["slurmd", "-N", node, "-f", str(conf)], env=env)
        wait_for_idle_node(cluster)
    except BaseException:
        stop_cluster(cluster)
        raise
    return cluster


def stop_pid_file(pid_file: Path, grace_s: float = 10) -> None:
    """Stop the process named in a pid file: SIGTERM, then SIGKILL after ``grace_s``."""
    try:
        pid = int(pid_file.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        while time.monotonic() < deadline:
            os.kill(pid, 0)  # raises ProcessLookupError once it is gone
            if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
                return  # a zombie of ours: it has stopped
            time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)


def stop_cluster(cluster: SlurmCluster) -> None:
    """Stop the daemons by their pid files (last started first) and undo the system changes."""
    for pid_file in reversed(cluster.pid_files):
        stop_pid_file(pid_file)
    if cluster.linked_conf and SYSTEM_CONF.is_symlink() and SYSTEM_CONF.resolve() == cluster.conf.resolve():
        SYSTEM_CONF.unlink()
    remove_hosts_entry(cluster.added_hosts_line)


@contextlib.contextmanager
def running_cluster() -> Iterator[SlurmCluster]:
    """A started cluster in a fresh temporary folder; stopped and removed on exit, even on error."""
    root = Path(tempfile.mkdtemp(prefix="interphase-slurm-"))
    cluster = None
    try:
        cluster = start_cluster(root)
        yield cluster
    finally:
        if cluster is not None:
            stop_cluster(cluster)
        shutil.rmtree(root, ignore_errors=True)


def completed_jobs(cluster: SlurmCluster) -> list[dict[str, str]]:
    """Slurm's own record of the finished jobs (the jobcomp file), one dict of fields a job."""
    if not cluster.jobcomp.exists():
        return []
    return [dict(re.findall(r"(\w+)=(\S*)", line)) for line in cluster.jobcomp.read_text().splitlines() if line.strip()]
