"""The demo EELS lines: EMSA folders the reader takes, and the known L3/L2 recovered from them."""

from __future__ import annotations

import math
from pathlib import Path

import subprocess
import sys

import numpy as np
import pytest
import xarray as xr

from interphase.demo import SAMPLES, SEED
from interphase.demo import eels as demo
from interphase.demo.edx import INTERFACE_NM
from interphase.eels import analysis, thickness
from interphase.readers import detect, read

PARAMS = {
    "interface_window_nm": 5.0,
    "bulk_distance_nm": 20.0,
    "elements": ["Mn", "Co", "Ni"],
    "min_edge_snr": 5.0,
}


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> tuple[Path, list[dict]]:
    raw = tmp_path_factory.mktemp("raw")
    rows = demo.generate(raw, [dict(s) for s in SAMPLES], SEED)
    return raw, rows


@pytest.fixture(scope="module")
def fits(demo_dir) -> dict:
    raw, rows = demo_dir
    out = {}
    for row in rows:
        ds = read(raw / row["file"], "eels_line")
        out[row["sample"]] = analysis.analyse(ds, PARAMS)
    return out


def test_rows_name_one_folder_per_sample(demo_dir):
    raw, rows = demo_dir
    assert [r["measurement"] for r in rows] == ["NMC-700_eels", "NMC-900_eels"]
    assert [r["file"] for r in rows] == ["eels/NMC-700", "eels/NMC-900"]
    assert all(r["technique"] == "eels_line" and r["format"] == "" for r in rows)
    for r in rows:
        files = sorted((raw / r["file"]).glob("*.msa"))
        assert len(files) == 41
        assert detect(raw / r["file"], "eels_line").NAME == "emsa"


def test_files_are_small_and_the_same_for_the_same_seed(demo_dir, tmp_path):
    raw, _ = demo_dir
    again = tmp_path / "again"
    demo.generate(again, [dict(s) for s in SAMPLES], SEED)
    first = sorted(p.relative_to(raw) for p in (raw / "eels").rglob("*.msa"))
    assert first == sorted(p.relative_to(again) for p in (again / "eels").rglob("*.msa"))
    assert all((raw / p).read_bytes() == (again / p).read_bytes() for p in first)
    assert sum((raw / p).stat().st_size for p in first) < 800_000


def test_position_in_header_and_name_agree(demo_dir):
    raw, _ = demo_dir
    path = raw / "eels" / "NMC-700" / "NMC-700_eels_012.0nm.msa"
    text = path.read_text(encoding="ascii")
    assert "##POSITION -nm: 12.0\n" in text and "#SIGNALTYPE  : ELS\n" in text
    ds = read(raw / "eels" / "NMC-700", "eels_line")
    assert ds["distance"].values.tolist() == pytest.approx(np.arange(0.0, 121.0, 3.0).tolist())
    assert ds.sizes["energy_loss"] == 501
    assert ds.attrs["beam_energy_keV"] == 200.0 and ds.attrs["dispersion_eV"] == 0.5


def test_film_counts_are_in_the_thousands(demo_dir):
    ds = read(demo_dir[0] / "eels" / "NMC-700", "eels_line")
    film = ds["intensity"].values[:10]
    assert 1e3 < film.min() and 1e3 < np.median(film) < 1e4 and film.max() < 2e4


@pytest.fixture(scope="module")
def method_values() -> dict:
    """What the analysis gives on the noise-free film spectrum of each sample (no statistics)."""
    out = {}
    for sample in ("NMC-700", "NMC-900"):
        x = np.arange(0.0, 12.0, 3.0)
        counts = np.array([demo.expected_spectrum(sample, float(v)) for v in x])
        clean = xr.Dataset(
            {
                "intensity": (
                    ("distance", "energy_loss"),
                    counts,
                    {"units": "count", "long_name": "i"},
                )
            },
            coords={
                "distance": ("distance", x, {"units": "nm", "long_name": "distance"}),
                "energy_loss": ("energy_loss", demo.ENERGY_EV, {"units": "eV", "long_name": "E"}),
            },
        )
        fit = analysis.analyse(clean, PARAMS)
        out[sample] = {el: float(fit["L3_L2"].sel(element=el).values[0]) for el in ("Mn", "Co")}
    return out


@pytest.mark.parametrize("sample", ["NMC-700", "NMC-900"])
@pytest.mark.parametrize("element", ["Mn", "Co"])
def test_bulk_ratio_recovers_truth(fits, method_values, sample, element):
    """Within its stderr of the method's noise-free value; within 5 % of the truth (Pearson's
    flat step on the demo's decaying continuum reads ~3 % low: the method's own error)."""
    fit = fits[sample]
    truth = demo.TRUTH[sample]["L3_L2_bulk"][element]
    value = float(fit["L3_L2_bulk"].sel(element=element))
    stderr = float(fit["L3_L2_bulk_stderr"].sel(element=element))
    assert abs(value - method_values[sample][element]) <= 3 * stderr
    assert abs(value - truth) <= 0.05 * truth
    assert method_values[sample][element] < truth  # the systematic has the sign the model predicts


@pytest.mark.parametrize("sample", ["NMC-700", "NMC-900"])
def test_interface_is_where_the_edx_demo_puts_it(fits, sample):
    fit = fits[sample]
    assert float(fit["interface_position_nm"]) == pytest.approx(INTERFACE_NM[sample], abs=1.5)
    assert float(fit["interface_width_nm"]) == pytest.approx(30.0, abs=4.0)


def _excess(fit) -> float:
    """(interface - bulk) Co L3/L2 in units of its combined stderr."""
    co = {
        q: float(fit[q].sel(element="Co"))
        for q in ("L3_L2_bulk", "L3_L2_bulk_stderr", "L3_L2_interface", "L3_L2_interface_stderr")
    }
    return (co["L3_L2_interface"] - co["L3_L2_bulk"]) / math.hypot(
        co["L3_L2_bulk_stderr"], co["L3_L2_interface_stderr"]
    )


def test_co_is_reduced_at_the_interface_only_at_900(fits):
    assert _excess(fits["NMC-900"]) >= 3.0
    assert float(fits["NMC-900"]["L3_L2_interface"].sel(element="Co")) > 3.0
    assert abs(_excess(fits["NMC-700"])) < 3.0


def test_summary_rows_have_co_and_mn_and_a_failed_ni_saying_why(fits):
    rows = analysis.rows(fits["NMC-900"])
    keys = {(r["quantity"], r["element"]) for r in rows}
    assert {
        ("L3_L2_bulk", "Co"),
        ("L3_L2_interface", "Co"),
        ("L3_L2_bulk", "Mn"),
        ("L3_L2_interface", "Mn"),
    } <= keys
    ni = [r for r in rows if r["element"] == "Ni"]
    assert [r["quantity"] for r in ni] == ["L3_L2_bulk", "L3_L2_interface"]  # no Ni standards
    assert all(
        r["status"] == "failed" and "above the recorded range 600-850 eV" in r["note"] for r in ni
    )
    assert all(
        r["status"] == "ok" and r["unit"] in ("1", "nm") for r in rows if r["element"] != "Ni"
    )
    assert fits["NMC-900"].attrs["status"] == "ok"


def test_the_demo_generator_imports_no_analysis():
    code = (
        "import sys, interphase.demo.eels, interphase.demo.edx; "
        "print([m for m in sys.modules if m.startswith(('interphase.eels', 'interphase.edx'))])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_plural_scattering_and_low_loss_of_the_demo_give_back_t_over_lambda():
    """The demo's optional plural scattering: its low loss gives t/λ back by the log-ratio
    method, and thicker spectra read higher Mn and Co ratios."""
    energy = -5.0 + 0.05 * np.arange(4100)
    for tau in (0.2, 0.5):
        result = thickness.log_ratio(energy, demo.low_loss(energy, tau, 1e6))
        assert result.t_over_lambda == pytest.approx(tau, rel=0.02)
    thin, thick = (demo.expected_spectrum("NMC-700", 0.0, t_over_lambda=t) for t in (0.0, 0.5))
    assert thick.sum() == pytest.approx(thin.sum(), rel=0.1)  # electrons moved, not made
    ratios = []
    for counts in (thin, thick):
        clean = xr.Dataset(
            {
                "intensity": (
                    ("distance", "energy_loss"),
                    counts[None, :],
                    {"units": "count", "long_name": "i"},
                )
            },
            coords={
                "distance": ("distance", [0.0], {"units": "nm", "long_name": "distance"}),
                "energy_loss": ("energy_loss", demo.ENERGY_EV, {"units": "eV", "long_name": "E"}),
            },
        )
        ratios.append(analysis.analyse(clean, PARAMS)["L3_L2"].values[0, :2])
    assert np.all(ratios[1] > ratios[0] * 1.03)
