"""Run Snakemake for real on a copy of the demo study in a temporary folder.

The copy holds only the study (config.yaml and data/demo); the workflow runs from the
repository with ``-s REPO/Snakefile --directory COPY``, as CONTRACT.md §1 says a user runs it
on their own data.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]


def snakemake_env(tmp: Path) -> dict:
    """Environment for a Snakemake run: writable caches, no user profile."""
    env = dict(os.environ)
    env["XDG_CACHE_HOME"] = str(tmp / "xdg-cache")
    env["MPLCONFIGDIR"] = str(tmp / "mpl")
    env.pop("SNAKEMAKE_PROFILE", None)
    return env


def run_snakemake(workdir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run the repository's workflow on ``workdir``; return the finished process."""
    command = [*SNAKEMAKE, "-s", str(REPO / "Snakefile"), "--directory", str(workdir),
               "--configfile", str(workdir / "config.yaml"), "--cores", "2", *args]
    done = subprocess.run(command, capture_output=True, text=True, env=snakemake_env(workdir.parent), timeout=1500)
    if check and done.returncode != 0:
        raise AssertionError(f"snakemake failed ({done.returncode}):\n{done.stdout[-4000:]}\n{done.stderr[-8000:]}")
    return done


def planned_jobs(workdir: Path, *args: str) -> list[tuple[str, str]]:
    """The (rule, measurement) pairs a dry run would execute ('' where a rule has no wildcard)."""
    done = run_snakemake(workdir, "--dry-run", *args)
    text = done.stdout + done.stderr
    jobs: list[tuple[str, str]] = []
    for block in re.split(r"\n(?=(?:local)?rule \w+:)", text):
        head = re.match(r"(?:local)?rule (\w+):", block.strip())
        if not head:
            continue
        wildcard = re.search(r"wildcards: measurement=(\S+)", block)
        jobs.append((head.group(1), wildcard.group(1) if wildcard else ""))
    return [job for job in jobs if job[0] != "all"]


def copy_study(target: Path) -> Path:
    """Copy the demo study (config and data) into ``target``."""
    target.mkdir(parents=True)
    shutil.copy2(REPO / "config.yaml", target / "config.yaml")
    shutil.copytree(REPO / "data" / "demo", target / "data" / "demo")
    return target


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> Path:
    """A complete run of the demo study, done once for the session; treat it as read-only."""
    workdir = copy_study(tmp_path_factory.mktemp("demo_run") / "study")
    run_snakemake(workdir)
    return workdir


@pytest.fixture
def demo_run_copy(demo_run, tmp_path) -> Path:
    """A private copy of the complete run (results and Snakemake's records), free to change."""
    target = tmp_path / "study"
    shutil.copytree(demo_run, target, symlinks=True)
    return target
