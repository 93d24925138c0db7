"""The summary table follows CONTRACT.md §3 to the letter."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from interphase import summary


def test_columns_are_the_contracts_in_order():
    assert summary.COLUMNS == (
        "sample",
        "sintering_temperature_C",
        "technique",
        "measurement",
        "quantity",
        "element",
        "potential_V",
        "value",
        "stderr",
        "unit",
        "status",
        "note",
    )


def test_a_row_without_uncertainty_has_an_empty_stderr_cell(tmp_path):
    rows = summary.complete(
        [
            summary.row("R_ct", 1607.0, "ohm", potential_V=4.0),
            summary.row("redox_peaks_detected", 1, "1"),
        ],
        {"sample": "S", "sintering_temperature_C": 700.0, "technique": "eis", "measurement": "m"},
    )
    path = tmp_path / "summary.csv"
    summary.write_csv(summary.to_frame(rows), path)
    lines = path.read_text().splitlines()
    assert lines[0] == ",".join(summary.COLUMNS)
    assert lines[1] == "S,700,eis,m,R_ct,,4,1607,,ohm,ok,"
    assert lines[2] == "S,700,eis,m,redox_peaks_detected,,,1,,1,ok,"


def test_a_status_outside_the_contract_is_refused():
    with pytest.raises(ValueError):
        summary.row("R_ct", 1.0, "ohm", status="bad")


def test_a_failed_row_carries_its_reason_and_no_value():
    row = summary.failed_row(
        {"measurement": "m", "sample": "S", "technique": "cv"},
        {"sintering_temperature_C": 900},
        "clean failed: x.DTA, line 3: expected a number",
    )
    assert row["status"] == "failed" and math.isnan(row["value"])
    assert row["note"].startswith("clean failed: x.DTA, line 3")


def test_rows_sort_by_temperature_then_sample():
    rows = [
        {
            **summary.row("a", 1, "1"),
            "sample": "B",
            "sintering_temperature_C": 900.0,
            "technique": "cv",
            "measurement": "b",
        },
        {
            **summary.row("a", 2, "1"),
            "sample": "A",
            "sintering_temperature_C": 700.0,
            "technique": "cv",
            "measurement": "a",
        },
    ]
    frame = summary.to_frame(rows)
    assert list(frame["sample"]) == ["A", "B"]


def test_the_netcdf_summary_has_units_and_long_names_on_every_column():
    rows = [
        {
            **summary.row("R_ct", 5.0, "ohm", stderr=0.1),
            "sample": "A",
            "sintering_temperature_C": 700.0,
            "technique": "eis",
            "measurement": "m",
        }
    ]
    ds = summary.to_dataset(summary.to_frame(rows))
    for name, var in ds.variables.items():
        assert "units" in var.attrs and "long_name" in var.attrs, name
    assert float(ds["value"][0]) == 5.0 and str(ds["unit"].values[0]) == "ohm"
    assert isinstance(summary.to_frame(rows), pd.DataFrame)
