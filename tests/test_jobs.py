"""A job logs only its own lines, names bad input in one sentence, and records what it did."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from interphase.errors import ReadError
from interphase.jobs import Job, JobFailed, clean, failure_in_log, fit, step

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"


def demo_job(tmp_path: Path, measurement: str) -> tuple[Job, Job]:
    """The clean and fit jobs of one demo measurement, writing under tmp_path."""
    from interphase.sheets import config_defaults

    lines = (DEMO / "measurements.tsv").read_text().splitlines()
    header = lines[0].split("\t")
    row = next(dict(zip(header, line.split("\t"))) for line in lines[1:] if line.startswith(measurement + "\t"))
    row = {k: v for k, v in row.items() if v}
    sample = {"sample": row["sample"], "sintering_temperature_C": 700.0, "electrode_area_cm2": 0.196}
    raw = DEMO / "raw" / row["file"]
    nc, fitted = tmp_path / f"clean/{measurement}.nc", tmp_path / f"fits/{measurement}.nc"
    cleaning = Job("clean", {"raw": [str(raw)]}, {"nc": str(nc), "record": str(tmp_path / "records/clean.json")},
                   {"raw": str(raw), "measurement": row, "sample": sample, "reader_options": {}},
                   {"measurement": measurement}, str(tmp_path / f"logs/clean/{measurement}.log"))
    section = {"edx_line": "edx", "eels_line": "eels"}.get(row["technique"], row["technique"])
    fitting = Job("edx_fit", {"clean": [str(nc)]}, {"nc": str(fitted), "record": str(tmp_path / "records/fit.json")},
                  {"analysis": config_defaults()[section]}, {"measurement": measurement},
                  str(tmp_path / f"logs/fit/{measurement}.log"))
    return cleaning, fitting


def test_bad_input_fails_the_job_with_one_sentence_in_its_log_and_no_traceback(tmp_path):
    job = Job("clean", {}, {"record": str(tmp_path / "record.json")}, {}, {"measurement": "m"}, str(tmp_path / "m.log"))
    with pytest.raises(JobFailed, match=r"^m: x\.DTA, line 12: expected a number in column 'Im', found 'abc'$"):
        with step(job, "clean"):
            raise ReadError("x.DTA", "line 12", "a number in column 'Im'", "'abc'")
    text = (tmp_path / "m.log").read_text()
    assert "x.DTA, line 12" in text and "Traceback" not in text
    assert failure_in_log(tmp_path / "m.log") == "clean failed: x.DTA, line 12: expected a number in column 'Im', found 'abc'"
    assert not (tmp_path / "record.json").exists()


def test_a_bug_is_logged_with_its_traceback_and_raised_as_it_is(tmp_path):
    job = Job("fit", {}, {}, {}, {"measurement": "m"}, str(tmp_path / "m.log"))
    with pytest.raises(ZeroDivisionError):
        with step(job, "fit"):
            1 / 0
    assert "Traceback" in (tmp_path / "m.log").read_text()


def test_a_later_successful_run_leaves_no_failure_in_the_log(tmp_path):
    job = Job("clean", {}, {}, {}, {"measurement": "m"}, str(tmp_path / "m.log"))
    with pytest.raises(JobFailed):
        with step(job, "clean"):
            raise ReadError("x.DTA", "line 1", "a header")
    with step(job, "clean"):
        pass
    assert failure_in_log(tmp_path / "m.log") is None


def test_jobs_running_side_by_side_in_threads_each_log_only_their_own_lines(tmp_path):
    import logging

    def work(name: str, started: threading.Barrier) -> None:
        job = Job("clean", {}, {}, {}, {"measurement": name}, str(tmp_path / f"{name}.log"))
        with step(job, "clean"):
            started.wait()
            for k in range(50):
                logging.getLogger("interphase.test").info("%s line %d", name, k)

    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=work, args=(name, barrier)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for name, other in (("a", "b"), ("b", "a")):
        text = (tmp_path / f"{name}.log").read_text()
        assert text.count(f"{name} line") == 50 and f"{other} line" not in text


def test_a_successful_job_records_its_rule_inputs_outputs_parameters_and_software(tmp_path):
    cleaning, _ = demo_job(tmp_path, "NMC-700_edx")
    clean(cleaning)
    record = json.loads(Path(cleaning.output["record"]).read_text())
    assert record["rule"] == "clean"
    assert record["inputs"] == cleaning.input["raw"] and record["outputs"] == [cleaning.output["nc"]]
    assert record["params"]["measurement"]["measurement"] == "NMC-700_edx"
    assert record["software"]["packages"]["xarray"]
    from interphase.provenance import sha256_file

    assert record["checksums"] == {p: sha256_file(p) for p in [*cleaning.input["raw"], cleaning.output["nc"]]}


def test_every_failed_or_flagged_row_of_a_fit_stands_in_the_fit_jobs_log(tmp_path, capsys):
    cleaning, fitting = demo_job(tmp_path, "NMC-700_edx")
    clean(cleaning)
    fit(fitting)
    log = Path(fitting.log).read_text()
    # Oxygen's film and LATP plateaus differ by less than the noise: its width is a failed row.
    assert "NMC-700_edx: interdiffusion_width O failed: no step" in log
    assert "interdiffusion_width O failed" in capsys.readouterr().err


def test_a_job_round_trips_through_json_for_a_run_in_another_process():
    job = Job("eis_fit", {"clean": ["a.nc"]}, {"nc": "b.nc"}, {"analysis": {"x": 1}}, {"measurement": "m"}, "m.log", "c" * 64)
    assert Job.from_json(job.to_json()) == job


def test_a_job_runs_in_a_fresh_python_as_under_use_conda(tmp_path):
    import subprocess
    import sys

    import xarray as xr

    cleaning, _ = demo_job(tmp_path, "NMC-900_edx")
    spec = tmp_path / "job.json"
    spec.write_text(cleaning.to_json())
    done = subprocess.run([sys.executable, "-m", "interphase.jobs", "clean", str(spec)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with xr.open_dataset(cleaning.output["nc"]) as ds:
        assert ds.attrs["measurement"] == "NMC-900_edx"
    broken = Job("clean", {}, {"nc": str(tmp_path / "x.nc")}, {**cleaning.params, "raw": str(tmp_path / "missing.csv")},
                 cleaning.wildcards, str(tmp_path / "broken.log"))
    spec.write_text(broken.to_json())
    done = subprocess.run([sys.executable, "-m", "interphase.jobs", "clean", str(spec)], capture_output=True, text=True)
    assert done.returncode == 1 and "Traceback" not in done.stderr and done.stderr.startswith("interphase: NMC-900_edx:")


def test_netcdf_files_are_written_and_read_side_by_side_in_threads(tmp_path):
    # HDF5 under netCDF4 is not thread-safe: without interphase.ncio's lock this crashed the process.
    import numpy as np
    import xarray as xr

    from interphase.ncio import read_netcdf, write_netcdf

    def work(k: int) -> None:
        for i in range(30):
            ds = xr.Dataset({"x": ("n", np.arange(500.0) * i)}, attrs={"k": k})
            write_netcdf(ds, tmp_path / f"{k}_{i}.nc")
            assert float(read_netcdf(tmp_path / f"{k}_{i}.nc")["x"][1]) == i

    threads = [threading.Thread(target=work, args=(k,)) for k in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(list(tmp_path.glob("*.nc"))) == 90
