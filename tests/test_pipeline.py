"""The steps' glue: flagged statuses carried into the summary, failures given the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from interphase.pipeline import clean_measurement, fit_measurement, summary_rows
from interphase.provenance import sha256_file

from interphase.sheets import config_defaults

EIS_PARAMS = config_defaults()["eis"]


DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"


def demo_measurement(measurement_id: str) -> dict:
    """One row of the demo's measurements.tsv."""
    lines = (DEMO / "measurements.tsv").read_text().splitlines()
    header = lines[0].split("\t")
    for line in lines[1:]:
        row = dict(zip(header, line.split("\t")))
        if row["measurement"] == measurement_id:
            return {k: v for k, v in row.items() if v}
    raise KeyError(measurement_id)


def test_an_electrode_area_differing_from_the_files_by_over_1_percent_flags_the_measurement():
    row = demo_measurement("NMC-700_eis_4.0V")
    sample = {"sample": "NMC-700", "sintering_temperature_C": 700.0, "electrode_area_cm2": 0.25}
    clean = clean_measurement(DEMO / "raw" / row["file"], row, sample)
    assert clean.attrs["area_in_file_cm2"] == pytest.approx(0.196)
    assert clean.attrs["clean_status"] == "flagged"
    assert "0.196" in clean.attrs["clean_status_note"] and "0.25" in clean.attrs["clean_status_note"]
    rows = summary_rows(fit_measurement(clean, EIS_PARAMS))
    assert {r["status"] for r in rows} == {"flagged"}
    assert all("electrode area" in r["note"] for r in rows)


def test_an_area_within_1_percent_is_not_flagged_and_provenance_is_attached():
    row = demo_measurement("NMC-700_eis_4.0V")
    sample = {"sample": "NMC-700", "sintering_temperature_C": 700.0, "electrode_area_cm2": 0.197}
    clean = clean_measurement(DEMO / "raw" / row["file"], row, sample, config_sha256="c" * 64)
    assert "clean_status" not in clean.attrs
    assert clean.attrs["source"] == f"NMC-700_eis_4.0V.mpt sha256:{sha256_file(DEMO / 'raw' / row['file'])}"
    assert clean.attrs["config_sha256"] == "c" * 64
    assert clean.attrs["dc_potential_V"] == pytest.approx(4.0) and clean.attrs["dc_potential_source"] == "measurements.tsv"


def test_cvs_of_one_sample_at_several_scan_rates_give_the_log_log_slope(tmp_path):
    from interphase.cv.analysis import analyse
    from interphase.ncio import write_netcdf
    from interphase.pipeline import build_summary
    from tests.cv.test_scan_rate import power_law_cv

    params = config_defaults()["cv"]
    measurements, fit_paths = {}, {}
    for k, rate in enumerate((0.5e-3, 1e-3, 2e-3, 5e-3)):
        m = f"S_cv_{k}"
        clean = power_law_cv(rate, exponent=1.0, seed=k)
        clean.attrs.update({"measurement": m, "sample": "S", "technique": "cv"})
        fit_paths[m] = tmp_path / f"{m}.nc"
        write_netcdf(analyse(clean, params), fit_paths[m])
        measurements[m] = {"measurement": m, "sample": "S", "technique": "cv"}
    frame = build_summary(fit_paths, measurements, {"S": {"sintering_temperature_C": 700.0}})
    slope = frame[frame["quantity"] == "ip_scan_rate_slope_anodic"]
    assert len(slope) == 1
    assert slope["value"].iloc[0] == pytest.approx(1.0, abs=0.05)
    assert slope["measurement"].iloc[0].count("S_cv_") == 4


def test_a_failure_of_this_run_wins_over_a_fit_left_from_an_earlier_run(tmp_path):
    from interphase.ncio import write_netcdf
    from interphase.pipeline import build_summary

    row = demo_measurement("NMC-700_eis_4.0V")
    sample = {"sample": "NMC-700", "sintering_temperature_C": 700.0, "electrode_area_cm2": 0.196}
    fit = tmp_path / "fit.nc"
    write_netcdf(fit_measurement(clean_measurement(DEMO / "raw" / row["file"], row, sample), EIS_PARAMS), fit)
    measurements, samples = {row["measurement"]: row}, {"NMC-700": sample}
    assert set(build_summary({row["measurement"]: fit}, measurements, samples)["status"]) == {"ok"}
    reason = "clean failed: x.mpt, line 70: expected a number, found 'abc'"
    frame = build_summary({row["measurement"]: fit}, measurements, samples, {row["measurement"]: reason})
    assert list(frame["status"]) == ["failed"] and list(frame["note"]) == [reason]
