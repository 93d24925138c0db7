"""One command takes the demo study from raw files to the seed's conclusions."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from interphase import datasets, summary
from tests.workflow.conftest import run_snakemake

pytestmark = pytest.mark.workflow


def load_summary(workdir):
    """summary.csv as a DataFrame (empty cells as NaN / '')."""
    return pd.read_csv(workdir / "results/summary/summary.csv", keep_default_na=False, na_values=[""])


def value(frame, sample, quantity, element="", potential=None):
    """The one value of a quantity in the summary."""
    sel = (frame["sample"] == sample) & (frame["quantity"] == quantity)
    if element:
        sel &= frame["element"] == element
    if potential is not None:
        sel &= np.isclose(frame["potential_V"].astype(float), potential)
    rows = frame[sel]
    assert len(rows) == 1, f"{sample} {quantity} {element} {potential}: {len(rows)} rows"
    return rows.iloc[0]


def test_every_measurement_has_a_clean_and_a_fit_file_in_the_documented_layout(demo_run):
    sheet = pd.read_csv(demo_run / "data/demo/measurements.tsv", sep="\t")
    for m, technique in zip(sheet["measurement"], sheet["technique"]):
        clean = xr.open_dataset(demo_run / f"results/clean/{m}.nc").load()
        datasets.validate(clean, technique, clean=True)
        assert len(clean.attrs["source_sha256"]) == 64
        fit = xr.open_dataset(demo_run / f"results/fits/{m}.nc").load()
        for name, var in fit.variables.items():
            assert "units" in var.attrs and "long_name" in var.attrs, f"{m}: {name}"
        assert fit.attrs["status"] in summary.STATUSES
        assert fit.attrs["history"].count("\n") >= 1  # clean and fit lines


def test_the_summary_has_the_contracts_columns_and_statuses(demo_run):
    frame = load_summary(demo_run)
    assert tuple(frame.columns) == summary.COLUMNS
    assert set(frame["status"]) <= set(summary.STATUSES)
    failed = frame[frame["status"] == "failed"]
    # Only oxygen, whose film and LATP plateaus differ by less than the noise, has no width;
    # Ni's L2,3 edge lies beyond the demo's 600-850 eV EELS range: failed rows that say so.
    no_ni = {("L3_L2_bulk", "Ni"), ("L3_L2_interface", "Ni")}
    assert set(zip(failed["quantity"], failed["element"])) <= {("interdiffusion_width", "O")} | no_ni
    is_ni = failed["element"] == "Ni"
    assert failed.loc[~is_ni, "note"].str.startswith("no step").all()
    assert failed.loc[is_ni, "note"].str.contains("above the recorded range").all()


def test_rct_at_4V_reproduces_the_seed_within_5_percent(demo_run):
    frame = load_summary(demo_run)
    assert value(frame, "NMC-700", "R_ct_area", potential=4.0)["value"] == pytest.approx(315, rel=0.05)
    assert value(frame, "NMC-900", "R_ct_area", potential=4.0)["value"] == pytest.approx(114000, rel=0.05)
    row = value(frame, "NMC-700", "R_ct_area", potential=4.0)
    assert row["unit"] == "ohm cm2" and row["stderr"] > 0


def test_redox_peaks_only_at_700C_between_3p6_and_3p8_V(demo_run):
    frame = load_summary(demo_run)
    assert value(frame, "NMC-700", "redox_peaks_detected")["value"] == 1
    assert value(frame, "NMC-900", "redox_peaks_detected")["value"] == 0
    for quantity in ("E_pa", "E_pc"):
        rows = frame[(frame["sample"] == "NMC-700") & (frame["quantity"] == quantity)]
        assert len(rows) >= 1 and rows["value"].between(3.6, 3.8).all()
    assert frame[(frame["sample"] == "NMC-900") & (frame["quantity"] == "E_pa")].empty


def test_impurity_peaks_only_at_900C(demo_run):
    frame = load_summary(demo_run)
    assert value(frame, "NMC-700", "n_impurity_peaks")["value"] == 0
    assert value(frame, "NMC-900", "n_impurity_peaks")["value"] >= 1
    n = value(frame, "NMC-900", "n_impurity_peaks")["value"]
    assert len(frame[(frame["sample"] == "NMC-900") & (frame["quantity"] == "impurity_peak_2theta")]) == n


def test_interdiffusion_is_about_30_nm_at_both_temperatures(demo_run):
    frame = load_summary(demo_run)
    for sample in ("NMC-700", "NMC-900"):
        for element in ("Ni", "Co", "Mn"):
            row = value(frame, sample, "interdiffusion_width", element=element)
            assert row["unit"] == "nm"
            assert row["value"] == pytest.approx(30, abs=max(4.0, 3 * row["stderr"]))


def test_co_white_line_ratio_rises_at_the_interface_only_at_900C(demo_run):
    frame = load_summary(demo_run)
    rise = {}
    for sample in ("NMC-700", "NMC-900"):
        bulk = value(frame, sample, "L3_L2_bulk", element="Co")
        interface = value(frame, sample, "L3_L2_interface", element="Co")
        rise[sample] = (interface["value"] - bulk["value"]) / math.hypot(interface["stderr"], bulk["stderr"])
        assert math.isfinite(value(frame, sample, "L3_L2_bulk", element="Mn")["value"])
    assert rise["NMC-900"] > 3
    assert abs(rise["NMC-700"]) < 3


def test_figures_are_written_as_pdf_and_png(demo_run):
    figures = demo_run / "results/figures"
    names = {"overview", "eis_nyquist", "eis_rct_vs_potential", "cv_overlay", "xrd_stack", "edx_profiles",
             "eels_l3l2_profiles", "eels_method", "eis/NMC-700_eis_4.0V", "eis/NMC-900_eis_4.2V"}
    for name in names:
        pdf, png = figures / f"{name}.pdf", figures / f"{name}.png"
        assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 5000, name
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20000, name


def test_the_manifest_lists_every_raw_file_and_output_with_its_checksum(demo_run):
    manifest = pd.read_csv(demo_run / "results/provenance/manifest.tsv", sep="\t")
    assert {"raw input", "clean", "fit", "summary", "figure"} <= set(manifest["role"])
    assert manifest["sha256"].str.len().eq(64).all()


def test_the_snakemake_report_builds_with_every_figure(demo_run, tmp_path):
    report = tmp_path / "report.html"
    run_snakemake(demo_run, "--report", str(report))
    html = report.read_text(encoding="utf-8", errors="replace")
    assert report.stat().st_size > 100_000
    for name in ("overview.png", "eis_nyquist.png", "cv_overlay.png", "xrd_stack.png", "summary.csv"):
        assert name in html, name


def test_the_eels_line_is_registered_on_the_edx_line_of_each_sample(demo_run):
    frame = load_summary(demo_run)
    for sample in ("NMC-700", "NMC-900"):
        row = value(frame, sample, "eels_edx_interface_offset")
        # Both demo lines share one geometry (interphase.demo.edx.INTERFACE_NM): offset ~0.
        assert row["unit"] == "nm" and abs(row["value"]) < max(1.0, 3 * row["stderr"])


def test_figures_carry_their_provenance_in_png_text_and_pdf_info(demo_run):
    from PIL import Image

    png = Image.open(demo_run / "results/figures/overview.png")
    assert png.text["git_commit"] and len(png.text["config_sha256"]) == 64
    assert png.text["sources"].startswith("summary.csv:sha256:")
    pdf = (demo_run / "results/figures/xrd_stack.pdf").read_bytes()
    assert b"config_sha256=" in pdf and b"NMC-700_xrd.nc:sha256:" in pdf
