"""A bad config or sheet stops Snakemake before any job, with one message naming the place."""

from __future__ import annotations

import pytest
import yaml

from tests.workflow.conftest import copy_study, run_snakemake

pytestmark = pytest.mark.workflow


def test_an_unknown_config_key_stops_the_run_before_any_job(tmp_path):
    workdir = copy_study(tmp_path / "study")
    config = yaml.safe_load((workdir / "config.yaml").read_text())
    config["eis"]["rtc_element"] = "R2"
    (workdir / "config.yaml").write_text(yaml.safe_dump(config))
    done = run_snakemake(workdir, check=False)
    assert done.returncode != 0
    assert "key 'eis.rtc_element'" in done.stderr + done.stdout
    assert not (workdir / "results").exists()


def test_a_measurement_of_an_unknown_sample_stops_the_run_naming_line_and_column(tmp_path):
    workdir = copy_study(tmp_path / "study")
    sheet = workdir / "data/demo/measurements.tsv"
    lines = sheet.read_text().splitlines()
    lines[3] = lines[3].replace("NMC-700", "NMC-800").replace("NMC-900", "NMC-800", 1) if "NMC-" in lines[3] else lines[3]
    sheet.write_text("\n".join(lines) + "\n")
    done = run_snakemake(workdir, check=False)
    assert done.returncode != 0
    assert "measurements.tsv, line 4, column 'sample'" in done.stderr + done.stdout
    assert not (workdir / "results").exists()


def test_snakemake_lint_reports_nothing(tmp_path):
    done = run_snakemake(copy_study(tmp_path / "study"), "--lint", check=False)
    assert "Lints for" not in done.stdout + done.stderr, done.stdout + done.stderr
