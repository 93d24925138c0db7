"""Probe and beam broadening: Goldstein et al. (1977) and widths corrected in quadrature."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interphase.edx import analysis, broadening
from tests.edx.lines import TEN_NINETY, X, clean_dataset, step, step_sigma

PARAMS = {"film_elements": ["Ni", "Co", "Mn"], "elements": []}


def test_goldstein_beam_broadening_in_nm():
    # 100 nm Cu (Z 29, A 63.55, 8.96 g cm-3) at 100 keV:
    # 6.25e5 * 29/1e5 * (8.96/63.55)^0.5 * (1e-5 cm)^1.5 = 2.152e-6 cm
    assert broadening.beam_broadening_nm(29, 63.55, 8.96, 100.0, 100.0) == pytest.approx(
        21.52, abs=0.01
    )
    # t^(3/2) and 1/E0 scaling
    b = broadening.beam_broadening_nm(11.0, 24.0, 4.8, 50.0, 200.0)
    assert broadening.beam_broadening_nm(11.0, 24.0, 4.8, 200.0, 200.0) == pytest.approx(8 * b)
    assert broadening.beam_broadening_nm(11.0, 24.0, 4.8, 50.0, 100.0) == pytest.approx(2 * b)


def test_specimen_materials_are_atom_fraction_means():
    z, a, rho = broadening.MATERIALS["NMC111"]
    assert z == pytest.approx((3 + (28 + 27 + 25) / 3 + 16) / 4)  # Li + TM + 2 O over 4 atoms
    assert a == pytest.approx(96.46 / 4, abs=0.01)  # M(LiNi1/3Co1/3Mn1/3O2) = 96.46 g/mol
    z, a, rho = broadening.MATERIALS["LATP"]
    assert z == pytest.approx(186.2 / 18.3, abs=1e-3) and a == pytest.approx(383.4 / 18.3, abs=0.01)
    assert broadening.MATERIALS["NMC111/LATP"][2] == pytest.approx((4.77 + 2.94) / 2)


def test_probe_and_beam_broadening_are_removed_in_quadrature():
    rng = np.random.default_rng(24)
    true_sigma = 10.0
    probe_fwhm, thickness, energy = 4.0, 100.0, 200.0
    b = broadening.beam_broadening_nm(*broadening.MATERIALS["NMC111/LATP"], thickness, energy)
    assert 3.0 < b < 6.0  # ~4.4 nm for 100 nm at 200 keV
    sigma_instr2 = (probe_fwhm / 2.355) ** 2 + (b / 2.355) ** 2
    measured = math.sqrt(true_sigma**2 + sigma_instr2)
    y = step_sigma(11.1, 0.0, 60.0, measured) + rng.normal(0.0, 0.1, X.size)
    clean = clean_dataset({"Ni": y})
    clean.attrs["beam_energy_keV"] = energy  # from the file
    params = {
        **PARAMS,
        "probe_fwhm_nm": probe_fwhm,
        "specimen_thickness_nm": thickness,
        "beam_energy_keV": None,
    }
    fit = analysis.analyse(clean, params)
    assert float(fit["beam_broadening"]) == pytest.approx(b)
    raw = float(fit["interdiffusion_width"].sel(element="Ni"))
    corr = float(fit["interdiffusion_width_corrected"].sel(element="Ni"))
    corr_err = float(fit["interdiffusion_width_corrected_stderr"].sel(element="Ni"))
    assert raw == pytest.approx(TEN_NINETY * measured, rel=0.02)
    assert abs(corr - TEN_NINETY * true_sigma) < 3 * corr_err and corr < raw
    raw_err = float(fit["interdiffusion_width_stderr"].sel(element="Ni"))
    assert corr_err == pytest.approx(
        raw_err * raw / corr, rel=1e-6
    )  # d(sigma_c) = sigma/sigma_c d(sigma)
    rows = {r["quantity"]: r for r in analysis.rows(fit) if r["element"] == "Ni"}
    assert rows["interdiffusion_width_corrected"]["value"] == pytest.approx(corr)
    assert rows["interdiffusion_width_corrected"]["status"] == "ok"


def test_no_correction_rows_unless_configured_and_nan_when_broadening_exceeds_the_width():
    ni = step(11.1, 0.0, 60.0, 5.0)  # sigma 1.95 nm
    fit = analysis.analyse(clean_dataset({"Ni": ni}), PARAMS)
    assert not any(r["quantity"] == "interdiffusion_width_corrected" for r in analysis.rows(fit))
    assert fit.attrs["broadening_correction"] == 0
    fit = analysis.analyse(
        clean_dataset({"Ni": ni}), {**PARAMS, "probe_fwhm_nm": 10.0}
    )  # sigma_probe 4.2 nm
    (row,) = [r for r in analysis.rows(fit) if r["quantity"] == "interdiffusion_width_corrected"]
    assert row["status"] == "failed" and math.isnan(row["value"]) and "exceeds" in row["note"]
    # thickness without any beam energy: not corrected, and said so
    fit = analysis.analyse(clean_dataset({"Ni": ni}), {**PARAMS, "specimen_thickness_nm": 80.0})
    (row,) = [r for r in analysis.rows(fit) if r["quantity"] == "interdiffusion_width_corrected"]
    assert row["status"] == "failed" and "no beam energy" in row["note"]
