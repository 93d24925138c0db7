"""The workflow runs on a Slurm cluster through profiles/slurm, with the results of a local run.

A throwaway single-node Slurm (tests/workflow/slurm_cluster.py) is started for this module and
stopped by its pid files when the module ends, whether the tests pass or fail. Needs root and
Debian's slurm-wlm + munge (installed here with apt-get when missing) and the optional extra
`.[slurm]`; otherwise the tests skip with the reason. Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml

from tests.workflow.conftest import REPO, copy_study, planned_jobs, run_snakemake
from tests.workflow.slurm_cluster import SlurmCluster, completed_jobs, reason_to_skip, running_cluster

pytestmark = [pytest.mark.workflow, pytest.mark.slurm]

PROFILE = REPO / "profiles" / "slurm"
# The README's command, plus two settings for a test cluster: squeue as the status command
# (no accounting database here) and the first status check after 2 s instead of 20 s.
# `--cores 1` restates the profile's value over the `--cores 2` that run_snakemake adds.
SLURM_ARGS = ("--workflow-profile", "none", "--profile", str(PROFILE), "--cores", "1",
              "--slurm-status-command", "squeue", "--slurm-init-seconds-before-status-checks", "2")
# Attributes that legitimately differ between two runs of the same study: when and where it ran.
RUN_ATTRS = {"history", "date_created", "created", "run_time", "host"}


@pytest.fixture(scope="module")
def cluster():
    """A running throwaway Slurm cluster for the module; stopped even when a test fails."""
    reason = reason_to_skip()
    if reason:
        pytest.skip(reason)
    pytest.importorskip("snakemake_executor_plugin_slurm", reason='needs the extra: pip install ".[slurm]"')
    with running_cluster() as running:
        yield running


@pytest.fixture(scope="module")
def slurm_run(cluster, tmp_path_factory) -> tuple[Path, str, list[dict[str, str]]]:
    """The demo study run through the Slurm profile: (study folder, Snakemake's output, Slurm's job records)."""
    workdir = copy_study(tmp_path_factory.mktemp("slurm_run") / "study")
    done = run_snakemake(workdir, *SLURM_ARGS)
    run_id = re.search(r"SLURM run ID: (\S+)", done.stdout + done.stderr).group(1)
    return workdir, done.stdout + done.stderr, [job for job in completed_jobs(cluster) if job["Name"] == run_id]


def profile() -> dict:
    """The Slurm profile's settings."""
    return yaml.safe_load((PROFILE / "config.yaml").read_text())


def expected_cluster_jobs(workdir: Path) -> int:
    """Slurm jobs the profile should make: one a `group-components` chunk of grouped jobs, one an ungrouped job."""
    settings = profile()
    size = int(settings["group-components"][0].split("=")[1])
    jobs = planned_jobs(workdir, "--workflow-profile", "none")  # the plain DAG: no groups, no plugin
    measurements = {m for rule, m in jobs if rule in settings["groups"]}
    ungrouped = [job for job in jobs if job[0] not in settings["groups"]]
    return math.ceil(len(measurements) / size) + len(ungrouped)


def assert_same_dataset(local: Path, cluster: Path) -> None:
    """Same variables, equal strings, numbers equal to 1e-9 relative, same attributes but run times."""
    with xr.open_dataset(local) as a, xr.open_dataset(cluster) as b:
        assert set(a.variables) == set(b.variables), local.name
        for name in a.variables:
            x, y = a[name].values, b[name].values
            assert x.shape == y.shape, f"{local.name}:{name}"
            if np.issubdtype(x.dtype, np.number):
                np.testing.assert_allclose(y, x, rtol=1e-9, atol=0, equal_nan=True, err_msg=f"{local.name}:{name}")
            else:
                assert (x == y).all(), f"{local.name}:{name}"
            assert a[name].attrs.keys() == b[name].attrs.keys(), f"{local.name}:{name}"
        differing = {k for k in a.attrs.keys() | b.attrs.keys() if str(a.attrs.get(k)) != str(b.attrs.get(k))}
        assert differing <= RUN_ATTRS, f"{local.name}: {differing}"


def test_the_profile_groups_every_per_measurement_rule_and_states_no_resources(tmp_path):
    settings = profile()
    assert settings["executor"] == "slurm"
    assert "set-resources" not in settings  # resources are stated once, in the rules
    jobs = planned_jobs(copy_study(tmp_path / "study"), "--workflow-profile", "none")
    per_measurement = {rule for rule, measurement in jobs if measurement}
    assert {"clean", "eis_fit", "eis_spectrum_figure"} <= per_measurement
    assert set(settings["groups"]) == per_measurement


def test_the_jobs_went_through_sbatch_grouped_as_the_profile_says(slurm_run, cluster: SlurmCluster):
    workdir, output, jobs = slurm_run
    assert jobs, "Slurm recorded no job of this run"
    assert {job["JobState"] for job in jobs} == {"COMPLETED"}
    assert {Path(job["WorkDir"]).resolve() for job in jobs} == {workdir.resolve()}
    assert {job["NodeList"] for job in jobs} == {cluster.node}
    assert len(re.findall(r"has been submitted with SLURM jobid", output)) == len(jobs)
    fresh = copy_study(workdir.parent.parent / "dry" / "study")
    assert len(jobs) == expected_cluster_jobs(fresh)


def test_the_summary_equals_the_local_runs(slurm_run, demo_run):
    workdir = slurm_run[0]
    read = lambda d: pd.read_csv(d / "results/summary/summary.csv", keep_default_na=False, na_values=[""])
    local, cluster = read(demo_run), read(workdir)
    assert list(cluster.columns) == list(local.columns)
    assert len(cluster) == len(local) > 0
    for column in local.columns:
        if pd.api.types.is_numeric_dtype(local[column]):
            np.testing.assert_allclose(cluster[column], local[column], rtol=1e-9, equal_nan=True, err_msg=column)
        else:
            assert cluster[column].tolist() == local[column].tolist(), column


def test_every_netcdf_equals_the_local_runs(slurm_run, demo_run):
    workdir = slurm_run[0]
    local = sorted(p.relative_to(demo_run) for p in (demo_run / "results").rglob("*.nc"))
    cluster = sorted(p.relative_to(workdir) for p in (workdir / "results").rglob("*.nc"))
    assert cluster == local and len(local) > 30
    for relative in local:
        assert_same_dataset(demo_run / relative, workdir / relative)


def test_a_job_killed_over_its_memory_is_reported_and_a_rerun_completes(cluster, demo_run, tmp_path):
    workdir = copy_study(tmp_path / "study")
    target = "results/clean/NMC-700_eis_4.0V.nc"
    done = run_snakemake(workdir, target, *SLURM_ARGS, "--set-resources", "clean:mem_mb=1", check=False)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    # Snakemake names the rule and the measurement's file, and prints Slurm's log of the job.
    assert re.search(r"Error in rule clean:.*?output: results/clean/NMC-700_eis_4\.0V\.nc", output, re.S)
    assert re.search(r"exceeded memory limit \(\d+ > 1048576\), being killed", output)
    killed = [job for job in completed_jobs(cluster) if Path(job["WorkDir"]).resolve() == workdir.resolve()]
    retries = profile()["retries"]
    assert len(killed) == 1 + retries and {job["Tres"].split(",")[1] for job in killed} == {"mem=1M"}
    # SIGKILL from Slurm's memory enforcement: recorded as signal 9 ("0:9") when the step is
    # killed, or as exit status 128 + 9 ("137:0") when the batch shell reports its killed child
    # (which of the two Slurm records depends on timing; both were seen on this test cluster).
    assert {job["ExitCode"] for job in killed} <= {"0:9", "137:0"}
    slurm_logs = "".join(p.read_text() for p in (workdir / ".snakemake/slurm_logs").rglob("*.log"))
    assert re.search(r"exceeded memory limit|oom-kill|Out Of Memory", slurm_logs, re.I)
    assert not (workdir / target).exists()

    run_snakemake(workdir, target, *SLURM_ARGS, "--rerun-incomplete")
    assert_same_dataset(demo_run / target, workdir / target)
