"""Every step is cached: Snakemake reruns exactly what a change touched, nothing more."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import yaml

from tests.workflow.conftest import planned_jobs

pytestmark = pytest.mark.workflow


def measurements(workdir: Path) -> dict[str, dict]:
    """measurements.tsv of the study as {id: row}."""
    lines = (workdir / "data/demo/measurements.tsv").read_text().splitlines()
    header = lines[0].split("\t")
    rows = [dict(zip(header, line.split("\t"))) for line in lines[1:]]
    return {r["measurement"]: r for r in rows}


def first_of(workdir: Path, technique: str) -> str:
    """The first measurement id of a technique."""
    return next(m for m, r in measurements(workdir).items() if r["technique"] == technique)


def raw_file(workdir: Path, measurement: str) -> Path:
    """The raw file of a measurement (the first file of a folder)."""
    path = workdir / "data/demo/raw" / measurements(workdir)[measurement]["file"]
    return sorted(p for p in path.rglob("*") if p.is_file())[0] if path.is_dir() else path


def test_a_second_run_does_nothing(demo_run_copy):
    assert planned_jobs(demo_run_copy) == []


def test_touching_a_raw_file_without_changing_it_reruns_nothing(demo_run_copy):
    for technique in ("eis", "eels_line"):
        path = raw_file(demo_run_copy, first_of(demo_run_copy, technique))
        later = time.time() + 60
        os.utime(path, (later, later))
    assert planned_jobs(demo_run_copy) == []


def test_changing_one_raw_file_reruns_only_its_chain_and_the_aggregation(demo_run_copy):
    m = first_of(demo_run_copy, "eis")
    path = raw_file(demo_run_copy, m)
    path.write_bytes(path.read_bytes() + b"\r\n")  # same data, different bytes
    jobs = planned_jobs(demo_run_copy)
    per_measurement = {job for job in jobs if job[1]}
    assert per_measurement == {("clean", m), ("eis_fit", m), ("eis_spectrum_figure", m)}
    aggregation = {rule for rule, wildcard in jobs if not wildcard}
    assert aggregation == {"summary", "overview", "eis_nyquist", "eis_rct_vs_potential", "provenance"}


def test_changing_one_file_of_a_spectrum_folder_reruns_that_measurement(demo_run_copy):
    m = first_of(demo_run_copy, "eels_line")
    path = raw_file(demo_run_copy, m)
    path.write_bytes(path.read_bytes() + b"\r\n")
    per_measurement = {job for job in planned_jobs(demo_run_copy) if job[1]}
    assert per_measurement == {("clean", m), ("eels_fit", m)}


def test_changing_a_fit_parameter_reruns_only_that_techniques_fits(demo_run_copy):
    config_path = demo_run_copy / "config.yaml"
    config = yaml.safe_load(config_path.read_text())
    config.setdefault("eis", {})["kk_residual_limit_percent"] = 3.5
    config_path.write_text(yaml.safe_dump(config))
    jobs = planned_jobs(demo_run_copy)
    eis = {m for m, r in measurements(demo_run_copy).items() if r["technique"] == "eis"}
    assert {job for job in jobs if job[1]} == {(rule, m) for m in eis for rule in ("eis_fit", "eis_spectrum_figure")}
    assert {rule for rule, w in jobs if not w} == {"summary", "overview", "eis_nyquist", "eis_rct_vs_potential", "provenance"}


def test_a_raw_file_above_snakemakes_default_checksum_limit_is_compared_by_content(demo_run_copy):
    # Snakemake compares inputs by sha256 only below --max-checksum-file-size (1 MB by
    # default); profiles/default raises it, so a large raw file that is merely touched
    # reruns nothing, like a small one.
    m = first_of(demo_run_copy, "eels_line")
    folder = raw_file(demo_run_copy, m).parent
    big = folder / "acquisition_notes.txt"
    big.write_bytes(b"# notes kept beside the spectra by the microscope software\n" * 40000)
    assert big.stat().st_size > 2_000_000
    from tests.workflow.conftest import run_snakemake

    run_snakemake(demo_run_copy)  # the new file is a new input: this run redoes the measurement
    later = time.time() + 120
    os.utime(big, (later, later))
    assert planned_jobs(demo_run_copy) == []


def test_changing_the_edx_k_factors_reruns_only_the_edx_fits(demo_run_copy):
    # EDX spectra are quantified in the fit step (issue 15.4): the clean datasets keep what was measured.
    config_path = demo_run_copy / "config.yaml"
    config = yaml.safe_load(config_path.read_text())
    config.setdefault("edx", {})["k_factors"] = {"Co": 1.5}
    config_path.write_text(yaml.safe_dump(config))
    jobs = planned_jobs(demo_run_copy)
    edx = {m for m, r in measurements(demo_run_copy).items() if r["technique"] == "edx_line"}
    assert {job for job in jobs if job[1]} == {("edx_fit", m) for m in edx}
    assert {rule for rule, w in jobs if not w} == {"summary", "overview", "edx_profiles", "provenance"}


def test_the_spectrum_figures_can_be_switched_off(tmp_path):
    from tests.workflow.conftest import copy_study

    study = copy_study(tmp_path / "study")
    config = yaml.safe_load((study / "config.yaml").read_text())
    config["figures"] = {"eis_spectra": False}
    (study / "config.yaml").write_text(yaml.safe_dump(config))
    rules = {rule for rule, _ in planned_jobs(study)}
    assert "eis_spectrum_figure" not in rules
    assert {"clean", "eis_fit", "eis_nyquist", "summary", "provenance"} <= rules
