"""Demo EDX line scans: small vendor-style files, deterministic, and the analysis recovers TRUTH."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interphase.demo import SEED as DEMO_SEED
from interphase.demo import edx
from interphase.edx import analysis as edx_analysis
from interphase.readers import edx_table

SAMPLES = [
    {
        "sample": "NMC-700",
        "label": "NMC-700",
        "sintering_temperature_C": 700.0,
        "electrode_area_cm2": 0.196,
    },
    {
        "sample": "NMC-900",
        "label": "NMC-900",
        "sintering_temperature_C": 900.0,
        "electrode_area_cm2": 0.196,
    },
]
PARAMS = {"film_elements": ["Ni", "Co", "Mn"], "elements": []}
SEEDS = (DEMO_SEED, 0, 1, 2)  # the committed demo study's seed first


@pytest.fixture(scope="module", params=SEEDS)
def demo(request, tmp_path_factory):
    """The demo raw folder and its measurement rows for one seed."""
    raw = tmp_path_factory.mktemp(f"raw{request.param}")
    return raw, edx.generate(raw, SAMPLES, seed=request.param)


def test_shared_geometry_constants():
    assert edx.INTERFACE_NM == {"NMC-700": 60.0, "NMC-900": 58.0}
    assert (
        edx.DISTANCE_NM[0] == 0.0 and edx.DISTANCE_NM[-1] == 120.0 and edx.DISTANCE_NM.size == 121
    )
    for sample, widths in edx.WIDTH_NM.items():
        assert all(abs(w - edx.NOMINAL_WIDTH_NM) <= 2.0 for w in widths.values()), sample
    assert edx.WIDTH_NM["NMC-900"]["Co"] > edx.WIDTH_NM["NMC-700"]["Co"]


def test_plateaus_are_nmc111_and_latp_without_li():
    assert edx.FILM_AT["O"] == pytest.approx(66.667, abs=1e-3)
    assert (
        edx.FILM_AT["Ni"]
        == edx.FILM_AT["Co"]
        == edx.FILM_AT["Mn"]
        == pytest.approx(11.111, abs=1e-3)
    )
    assert edx.LATP_AT["O"] == pytest.approx(70.588, abs=1e-3)
    assert edx.LATP_AT["P"] == pytest.approx(17.647, abs=1e-3)
    assert edx.LATP_AT["Ti"] == pytest.approx(10.0)
    assert edx.LATP_AT["Al"] == pytest.approx(1.765, abs=1e-3)
    assert sum(edx.FILM_AT.values()) == pytest.approx(100.0) and sum(
        edx.LATP_AT.values()
    ) == pytest.approx(100.0)


def test_rows_and_files(demo):
    raw, rows = demo
    assert [r["measurement"] for r in rows] == ["NMC-700_edx", "NMC-900_edx"]
    for r in rows:
        assert (
            r["technique"] == "edx_line"
            and r["format"] == ""
            and r["potential_V"] == ""
            and r["scan_rate_mV_s"] == ""
        )
        path = raw / r["file"]
        assert path.is_file() and path.stat().st_size < 10_000
        assert edx_table.sniff(path, path.read_bytes())
    csv_bytes = (raw / rows[0]["file"]).read_bytes()
    tsv_bytes = (raw / rows[1]["file"]).read_bytes()
    assert csv_bytes.startswith(b"\xef\xbb\xbf") and b"\r\n" in csv_bytes
    assert b"Position [\xb5m]\t" in tsv_bytes  # cp1252 micro sign, tab-separated
    assert (
        b"\t0,0010\t" not in tsv_bytes and b"0,0010\t" in tsv_bytes
    )  # decimal comma in the position column


def test_same_seed_same_bytes(tmp_path):
    a = edx.generate(tmp_path / "a", SAMPLES, seed=42)
    b = edx.generate(tmp_path / "b", SAMPLES, seed=42)
    c = edx.generate(tmp_path / "c", SAMPLES, seed=43)
    for ra, rb, rc in zip(a, b, c):
        assert (tmp_path / "a" / ra["file"]).read_bytes() == (
            tmp_path / "b" / rb["file"]
        ).read_bytes()
        assert (tmp_path / "a" / ra["file"]).read_bytes() != (
            tmp_path / "c" / rc["file"]
        ).read_bytes()


def test_reader_recovers_the_grid(demo):
    raw, rows = demo
    for r in rows:
        ds = edx_table.read(raw / r["file"], "edx_line")
        np.testing.assert_allclose(ds["distance"].values, edx.DISTANCE_NM)
        assert list(ds["element"].values) == list(edx.ELEMENTS)
        assert ds.attrs["distance_reversed"] == 0 and ds.attrs["beam_energy_keV"] == 200.0


def test_analysis_recovers_truth(demo):
    raw, rows = demo
    for r in rows:
        truth = edx.TRUTH[r["sample"]]
        clean = edx_table.read(raw / r["file"], "edx_line")
        fit = edx_analysis.analyse(clean, PARAMS)
        assert abs(float(fit["interface_position_nm"]) - truth["interface_nm"]) < 1.5
        for out in edx_analysis.rows(fit):
            el = out["element"]
            if not el:
                continue
            if el in truth["no_step"]:
                assert out["status"] == "failed" and math.isnan(out["value"]), el
                continue
            expected = truth["width_nm"][el]
            assert out["status"] == "ok", (r["sample"], el, out["note"])
            assert abs(out["value"] - expected) < 3 * out["stderr"], (r["sample"], el, out)
            assert abs(out["value"] - expected) < 0.15 * expected, (r["sample"], el, out)


def test_unknown_sample_borrows_the_nearest_truth(tmp_path):
    rows = edx.generate(
        tmp_path,
        [{"sample": "X-880", "sintering_temperature_C": 880, "electrode_area_cm2": 0.2}],
        seed=1,
    )
    assert rows[0]["measurement"] == "X-880_edx" and rows[0]["file"] == "edx_line/X-880_edx.txt"
    fit = edx_analysis.analyse(edx_table.read(tmp_path / rows[0]["file"], "edx_line"), PARAMS)
    assert abs(float(fit["interface_position_nm"]) - 58.0) < 1.5
