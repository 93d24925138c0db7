"""Potentials carry their reference electrode: from the sheet, else the file, else the config;
the summary says it and flags a comparison that mixes references; figure axes name it."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from snakemake.utils import validate

from interphase import reference, summary
from interphase.cv import analysis
from interphase.datasets import variable
from interphase.figures import cv as cv_figure
from interphase.figures import eis as eis_figure
from interphase.ncio import write_netcdf
from interphase.pipeline import build_summary, clean_measurement
from interphase.sheets import load_study
from tests.conftest import real_file
from tests.cv import simulate as sim

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
SAMPLE = {"sample": "NMC-700", "sintering_temperature_C": 700.0, "electrode_area_cm2": 0.196}
EIS_ROW = {
    "measurement": "m_eis",
    "sample": "NMC-700",
    "technique": "eis",
    "file": "eis/NMC-700_eis_4.0V.mpt",
    "potential_V": 4.0,
}


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("Li", "Li/Li+"),
        ("Li+/Li", "Li/Li+"),
        (" li / li⁺ ", "Li/Li+"),
        ("Li metal", "Li/Li+"),
        ("SCE Saturated Calomel Electrode", "SCE"),
        ("Ag/AgCl", "Ag/AgCl"),
        ("Ag/AgCl (3 M KCl)", "Ag/AgCl (3 M KCl)"),
        ("Na+/Na", "Na/Na+"),
    ],
)
def test_names_are_compared_in_one_spelling(written, name):
    assert reference.canonical(written) == name


@pytest.mark.parametrize("blank", ["", "  ", "(unspecified)", "None", None, math.nan])
def test_a_blank_or_unspecified_entry_states_no_reference(blank):
    assert reference.stated(blank) == ""


def test_the_sheet_wins_over_the_file_which_wins_over_the_config():
    assert reference.resolve("SCE", "Li", "Ag/AgCl") == ("Li/Li+", "measurements.tsv")
    assert reference.resolve("SCE", None, "Ag/AgCl") == ("SCE", "file")
    assert reference.resolve("(unspecified)", None, "Ag/AgCl")[0] == "Ag/AgCl"
    assert reference.resolve("", None, None) == ("Li/Li+", "config (the file states none)")


def test_a_clean_eis_dataset_carries_the_configs_reference_when_neither_sheet_nor_file_has_one():
    row = {**EIS_ROW, reference.CONFIG_KEY: "Li/Li+"}
    clean = clean_measurement(DEMO / "raw" / row["file"], row, SAMPLE)
    assert clean.attrs["reference_electrode"] == "Li/Li+"
    assert clean.attrs["reference_electrode_source"].startswith("config")
    row = {**EIS_ROW, reference.CONFIG_KEY: "Na"}
    assert (
        clean_measurement(DEMO / "raw" / row["file"], row, SAMPLE).attrs["reference_electrode"]
        == "Na/Na+"
    )


def test_the_sheets_reference_overrides_the_one_the_file_states():
    path = real_file("electrochem/eis/biologic_mpr/yadg_peis.mpr")  # EC-Lab states SCE
    row = {**EIS_ROW, "file": path.name, reference.CONFIG_KEY: "Li/Li+"}
    from_file = clean_measurement(path, row, SAMPLE)
    assert from_file.attrs["reference_electrode"] == "SCE"
    assert from_file.attrs["reference_electrode_source"] == "file"
    overridden = clean_measurement(path, {**row, "reference_electrode": "Ag/AgCl"}, SAMPLE)
    assert overridden.attrs["reference_electrode"] == "Ag/AgCl"
    assert overridden.attrs["reference_electrode_source"] == "measurements.tsv"
    assert overridden.attrs["reference_electrode_in_file"].startswith("SCE")


def test_other_techniques_get_no_reference():
    assert reference.clean_attrs({}, {"technique": "xrd"}) == {}


def write_study(tmp_path: Path, measurements: str, **config) -> dict:
    """A one-sample study in tmp_path; its config."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("x")
    (tmp_path / "samples.tsv").write_text(
        "sample\tsintering_temperature_C\telectrode_area_cm2\nS\t700\t0.196\n"
    )
    (tmp_path / "measurements.tsv").write_text(measurements)
    return {
        "samples": str(tmp_path / "samples.tsv"),
        "measurements": str(tmp_path / "measurements.tsv"),
        "raw_dir": str(raw),
        **config,
    }


def test_the_sheet_column_and_the_config_key_are_accepted_and_the_default_is_li(tmp_path):
    sheet = (
        "measurement\tsample\ttechnique\tfile\treference_electrode\n"
        "m1\tS\tcv\ta.txt\tAg/AgCl\n"
        "m2\tS\teis\ta.txt\t\n"
        "m3\tS\txrd\ta.txt\t\n"
    )
    study = load_study(write_study(tmp_path, sheet), validate)
    assert study.config["reference_electrode"] == "Li/Li+"
    assert study.measurements["m1"]["reference_electrode"] == "Ag/AgCl"
    assert "reference_electrode" not in study.measurements["m2"]
    assert study.measurements["m2"][reference.CONFIG_KEY] == "Li/Li+"
    assert reference.CONFIG_KEY not in study.measurements["m3"]
    other = tmp_path / "other"
    other.mkdir()
    study = load_study(write_study(other, sheet, reference_electrode="SCE"), validate)
    assert study.measurements["m2"][reference.CONFIG_KEY] == "SCE"


def cv_fit(tmp_path: Path, measurement: str, sample: str, ref: str | None) -> Path:
    """A simulated CV of a clear couple at E0' 3.75 V, analysed and written; its path."""
    clean = sim.simulate(sim.Cell(couples=(sim.Couple(k_s=0.02),)), seed=1)
    clean.attrs.update({"measurement": measurement, "sample": sample})
    if ref:
        clean.attrs["reference_electrode"] = ref
    path = tmp_path / f"{measurement}.nc"
    write_netcdf(analysis.analyse(clean, {}), path)
    return path


def summary_of(tmp_path: Path, references: dict[str, str | None]):
    """The summary frame of one simulated CV per sample, each against the given reference."""
    measurements, paths, samples = {}, {}, {}
    for k, (sample, ref) in enumerate(references.items()):
        m = f"{sample}_cv"
        paths[m] = cv_fit(tmp_path, m, sample, ref)
        measurements[m] = {"measurement": m, "sample": sample, "technique": "cv"}
        samples[sample] = {"sintering_temperature_C": 700.0 + 200 * k}
    return build_summary(paths, measurements, samples)


def test_summary_notes_say_vs_which_reference_and_one_reference_flags_nothing(tmp_path):
    frame = summary_of(tmp_path, {"A": "Li/Li+", "B": "Li"})
    potentials = frame[frame["quantity"].isin(["E_pa", "E_pc", "E_half"])]
    assert len(potentials) == 6
    assert all(note.startswith("vs Li/Li+") for note in potentials["note"])
    assert set(potentials["status"]) == {"ok"}
    delta = frame[frame["quantity"] == "delta_Ep"]
    assert not any("vs" in note for note in delta["note"])  # a difference has no reference


def test_a_comparison_against_different_references_is_flagged(tmp_path):
    frame = summary_of(tmp_path, {"A": "Li/Li+", "B": "SCE Saturated Calomel Electrode"})
    potentials = frame[frame["quantity"].isin(["E_pa", "E_pc", "E_half"])]
    assert set(potentials["status"]) == {"flagged"}
    note = potentials["note"].iloc[0]
    assert "different references (Li/Li+: A_cv; SCE: B_cv)" in note
    assert set(frame[frame["quantity"] == "redox_peaks_detected"]["status"]) == {"ok"}


def test_eis_rows_at_a_potential_say_their_reference():
    rows = summary.complete(
        [summary.row("R_ct", 315.0, "ohm", potential_V=4.0, note="fit ok")],
        {"sample": "S", "technique": "eis", "measurement": "m", "reference_electrode": "Li"},
    )
    [marked] = reference.mark_references(rows)
    assert marked["note"] == "potential vs Li/Li+; fit ok" and marked["status"] == "ok"
    assert list(summary.to_frame([marked]).columns) == list(summary.COLUMNS)


def capture(monkeypatch, module) -> list:
    """Replace a figure module's save_figure by one that keeps the figure."""
    kept = []
    monkeypatch.setattr(module, "save_figure", lambda fig, stem, metadata: kept.append(fig) or [])
    return kept


def test_the_cv_figure_names_the_reference_and_says_when_samples_differ(tmp_path, monkeypatch):
    kept = capture(monkeypatch, cv_figure)
    fits = [xr.open_dataset(cv_fit(tmp_path, "a", "A", "SCE"))]
    cv_figure.cv_overlay(fits, tmp_path / "x", {})
    assert kept[-1].axes[-1].get_xlabel() == "E (V vs SCE)"
    fits.append(xr.open_dataset(cv_fit(tmp_path, "b", "B", "Li")))
    cv_figure.cv_overlay(fits, tmp_path / "x", {})
    assert kept[-1].axes[-1].get_xlabel() == "E (V vs each sample's reference (Li/Li⁺, SCE))"


def eis_fit(sample: str, potential: float, ref: str) -> xr.Dataset:
    """The few variables the R_ct-vs-potential figure reads."""
    return xr.Dataset(
        {
            "R_ct_area": variable((), 300.0 + potential, "ohm cm2", "R_ct x area"),
            "R_ct_area_stderr": variable((), 5.0, "ohm cm2", "its standard error"),
        },
        attrs={
            "status": "ok",
            "sample": sample,
            "sintering_temperature_C": 700.0,
            "dc_potential_V": potential,
            "reference_electrode": ref,
        },
    )


def test_the_eis_potential_axis_names_the_reference(tmp_path, monkeypatch):
    kept = capture(monkeypatch, eis_figure)
    fits = [eis_fit("A", e, "Li/Li+") for e in (3.6, 4.0)]
    eis_figure.rct_vs_potential(fits, tmp_path / "r", {})
    assert kept[-1].axes[0].get_xlabel() == "DC potential vs Li/Li⁺ (V)"


def test_a_fit_without_a_reference_is_drawn_against_the_contracts_default():
    assert reference.axis_reference([{}]) == "Li/Li⁺"
    assert np.isnan(summary.row("x", None, "1")["value"])
