"""The demo impedance spectra: known truth, real vendor formats, deterministic bytes."""

from __future__ import annotations

import importlib.util
import math
import re

import numpy as np
import pytest

from interphase.demo import eis as demo
from interphase.eis import analysis
from interphase.readers import biologic, detect, read

SAMPLES = [
    {"sample": "NMC-700", "label": "NMC-700", "sintering_temperature_C": 700.0, "electrode_area_cm2": 0.196},
    {"sample": "NMC-900", "label": "NMC-900", "sintering_temperature_C": 900.0, "electrode_area_cm2": 0.196},
]
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The demo written once with seed 1: (raw folder, measurements rows)."""
    raw = tmp_path_factory.mktemp("raw")
    return raw, demo.generate(raw, SAMPLES, seed=1)


class TestTruth:
    def test_headline_rct_area_at_4_0_V(self):
        assert demo.TRUTH["NMC-700"][4.0]["R_ct_area"] == 315.0
        assert demo.TRUTH["NMC-900"][4.0]["R_ct_area"] == 114000.0

    def test_r2_times_area_is_rct_area(self):
        for sample, by_potential in demo.TRUTH.items():
            assert sorted(by_potential) == [3.6, 3.8, 4.0, 4.2]
            for potential, p in by_potential.items():
                assert p["R2"] * demo.AREA_CM2 == pytest.approx(p["R_ct_area"]), (sample, potential)

    def test_rct_minimum_near_4_0_V(self):
        for by_potential in demo.TRUTH.values():
            values = {e: p["R_ct_area"] for e, p in by_potential.items()}
            assert min(values, key=values.get) == 4.0

    def test_every_arc_closes_inside_the_window(self):
        lo = demo.F_MIN_HZ * 10**0.3
        hi = demo.F_MAX_HZ / 10**0.3
        for by_potential in demo.TRUTH.values():
            for p in by_potential.values():
                for r, q, n in (("R1", "CPE1_0", "CPE1_1"), ("R2", "CPE2_0", "CPE2_1")):
                    f_apex = 1 / (2 * math.pi * (p[r] * p[q]) ** (1 / p[n]))
                    assert lo < f_apex < hi
                # the charge-transfer apex is at least a decade above the lowest frequency
                f_ct = 1 / (2 * math.pi * (p["R2"] * p["CPE2_0"]) ** (1 / p["CPE2_1"]))
                assert f_ct > 10 * demo.F_MIN_HZ

    def test_frequencies(self):
        f = demo.frequencies()
        assert f[0] == pytest.approx(1e6) and f[-1] == pytest.approx(1e-2)
        assert f.size == 81 and np.all(np.diff(f) < 0)


class TestFiles:
    def test_rows(self, generated):
        raw, rows = generated
        assert len(rows) == 8
        assert [r["measurement"] for r in rows[:4]] == [f"NMC-700_eis_{e}V" for e in ("3.6", "3.8", "4.0", "4.2")]
        for row in rows:
            assert ID_PATTERN.match(row["measurement"])
            assert set(row) == {"measurement", "sample", "technique", "file", "format", "potential_V", "scan_rate_mV_s"}
            assert row["technique"] == "eis" and row["format"] == "" and row["scan_rate_mV_s"] == ""
            assert isinstance(row["potential_V"], float)
            assert (raw / row["file"]).is_file()
            assert "\\" not in row["file"]

    def test_one_gamry_file_the_rest_biologic(self, generated):
        raw, rows = generated
        names = {r["measurement"]: r["file"] for r in rows}
        assert names["NMC-900_eis_4.2V"] == "eis/NMC-900_eis_4.2V.DTA"
        assert sum(f.endswith(".mpt") for f in names.values()) == 7
        for measurement, file in names.items():
            expected = "gamry_dta" if file.endswith(".DTA") else "biologic_mpt"
            assert detect(raw / file, "eis").NAME == expected, measurement

    def test_mpt_looks_like_ec_lab(self, generated):
        raw, _rows = generated
        data = (raw / "eis" / "NMC-700_eis_4.0V.mpt").read_bytes()
        assert data.startswith(b"EC-Lab ASCII FILE\r\nNb header lines : ")
        assert b"Electrode surface area : 0.196 cm\xb2" in data  # cp1252 superscript two
        assert b"Cs/\xb5F" in data  # cp1252 micro sign
        assert b"E (V)               4.0000" in data
        lines = data.split(b"\r\n")
        count = int(lines[1].split(b":")[1])
        assert lines[count - 1].startswith(b"freq/Hz\tRe(Z)/Ohm\t-Im(Z)/Ohm")
        assert lines[count].startswith(b"1.0000000E+006\t")

    def test_mpt_reads_back_with_its_settings(self, generated):
        raw, _rows = generated
        ds = biologic.read(raw / "eis" / "NMC-900_eis_3.6V.mpt", "eis")
        assert ds.sizes["frequency"] == 81
        assert ds.attrs["dc_potential_V"] == pytest.approx(3.6)
        assert ds.attrs["area_in_file_cm2"] == pytest.approx(0.196)
        assert ds.attrs["start_time"].startswith("2025-06-12T")

    def test_noise_is_about_0_3_percent(self, generated):
        raw, _rows = generated
        ds = biologic.read(raw / "eis" / "NMC-700_eis_4.0V.mpt", "eis")
        f = ds["frequency"].values
        z = ds["z_real"].values + 1j * ds["z_imag"].values
        exact = demo.model(demo.TRUTH["NMC-700"][4.0], f)
        rel = np.r_[(z - exact).real, (z - exact).imag] / np.r_[np.abs(exact), np.abs(exact)]
        assert 0.002 < np.std(rel) < 0.004

    def test_deterministic_bytes(self, generated, tmp_path):
        raw, rows = generated
        again = demo.generate(tmp_path, SAMPLES, seed=1)
        assert again == rows
        for row in rows:
            assert (tmp_path / row["file"]).read_bytes() == (raw / row["file"]).read_bytes(), row["file"]

    def test_other_seed_other_noise(self, generated, tmp_path):
        raw, rows = generated
        demo.generate(tmp_path, SAMPLES, seed=2)
        assert (tmp_path / rows[0]["file"]).read_bytes() != (raw / rows[0]["file"]).read_bytes()


gamry_missing = importlib.util.find_spec("interphase.readers.gamry") is None


@pytest.mark.skipif(gamry_missing, reason="interphase.readers.gamry (another developer's) not present")
def test_gamry_round_trip_recovers_truth(generated):
    """The .DTA read by the project's Gamry reader, then fitted: R_ct × area within 5 %."""
    raw, _rows = generated
    ds = read(raw / "eis" / "NMC-900_eis_4.2V.DTA", "eis")
    assert ds.attrs["reader"] == "gamry_dta"
    assert ds.sizes["frequency"] == 81
    assert ds.attrs["dc_potential_V"] == pytest.approx(4.2)
    assert ds.attrs["area_in_file_cm2"] == pytest.approx(0.196)
    ds.attrs["electrode_area_cm2"] = 0.196
    result = analysis.analyse(ds, {})
    assert result.attrs["status"] == "ok"
    assert float(result["R_ct_area"]) == pytest.approx(demo.TRUTH["NMC-900"][4.2]["R_ct_area"], rel=0.05)
