"""The BioLogic EC-Lab .mpr reader: PEIS, CV and battery records in, the eis and cv layouts out.

The binary files cannot be read by eye, so the expected numbers are read by hand from the
.mpt text export of the same run (line numbers given), and the whole arrays are compared
with what the .mpt reader returns for it.
"""

from __future__ import annotations

import numpy as np
import pytest

from interphase import datasets
from interphase.errors import ReadError
from interphase.readers import biologic, biologic_mpr, read
from tests.conftest import real_file

PEIS = "electrochem/eis/biologic_mpr/yadg_peis.mpr"
PEIS_MPT = "electrochem/eis/biologic_mpt/yadg_peis.mpt"
CV = "electrochem/cv/biologic_mpr/yadg_cv.mpr"
CV_MPT = "electrochem/cv/biologic_mpt/yadg_cv.mpt"
BATTERY = "electrochem/battery/biologic_mpr/yadg_mb_issue95.mpr"
BATTERY_MPT = "electrochem/battery/biologic_mpt/yadg_mb_issue95_de_decimalcomma.mpt"
EMPTY = "electrochem/eis/biologic_mpr/chemotion_CHD048_CHD050_60C_C01.mpr"
MINE = (PEIS, CV, BATTERY, EMPTY)
# Generic fallbacks recognise the least specific content and come last in READERS.


def reader(path, technique):
    """Read with this reader and check the layout, as the registry does."""
    ds = biologic_mpr.read(path, technique)
    datasets.validate(ds, technique)
    return ds


class TestPeis:
    """SP-240, EC-Lab v11.33, data module v3: 32 points, 200 kHz -> 1 Hz."""

    def test_points_and_frequency_range(self):
        ds = reader(real_file(PEIS), "eis")
        assert ds.sizes["frequency"] == 32
        # .mpt line 71: freq/Hz 1.9999814E+005; last row 1.0000616 Hz
        assert ds["frequency"].values[0] == pytest.approx(199998.14, rel=1e-7)
        assert ds["frequency"].values[-1] == pytest.approx(1.0000616, rel=1e-7)

    def test_impedance_has_its_true_sign(self):
        ds = reader(real_file(PEIS), "eis")
        # .mpt line 71: Re(Z) 1.0512296E+001, -Im(Z) 7.3047662E-001 -> z_imag = -0.73047662
        assert ds["z_real"].values[0] == pytest.approx(10.512296, rel=1e-7)
        assert ds["z_imag"].values[0] == pytest.approx(-0.73047662, rel=1e-7)
        # .mpt line 101 (1.483 Hz): -Im(Z) -4.1455436E-001 -> z_imag positive
        assert ds["z_imag"].values[30] == pytest.approx(0.41455436, rel=1e-7)
        assert ds["time"].values[0] == pytest.approx(448.1567263361649)

    def test_header_attributes(self):
        ds = reader(real_file(PEIS), "eis")
        assert ds.attrs["software_version"] == "11.33"
        assert ds.attrs["instrument"] == "BioLogic (SN 0200)"
        assert ds.attrs["start_time"] == "2021-03-02T16:17:59"
        assert ds.attrs["area_in_file_cm2"] == 0.001
        assert ds.attrs["reference_electrode"] == "SCE Saturated Calomel Electrode"
        assert ds.attrs["instrument_technique"] == "Potentio Electrochemical Impedance Spectroscopy"
        assert ds.attrs["z_imag_sign"] == datasets.Z_IMAG_SIGN
        # 'E (V) 0.0000 vs. Emeas' is relative: the mean <Ewe>/V, about -3.5914 V
        assert ds.attrs["dc_potential_V"] == pytest.approx(-3.5914, abs=2e-4)

    def test_same_arrays_as_the_mpt_export(self):
        mpr = read(real_file(PEIS), "eis")
        mpt = read(real_file(PEIS_MPT), "eis")
        for name in ("frequency", "z_real", "z_imag", "time"):
            np.testing.assert_allclose(mpr[name].values, mpt[name].values, rtol=1e-7)
        assert mpr.attrs["dc_potential_V"] == pytest.approx(mpt.attrs["dc_potential_V"], abs=1e-6)

    def test_is_refused_as_cv(self):
        with pytest.raises(ReadError, match="freq/Hz"):
            biologic_mpr.read(real_file(PEIS), "cv")


class TestCv:
    """VMP3, EC-Lab v11.12, data module v2: 5103 points, 2 cycles, dE/dt 0.100 mV/s."""

    def test_points_potential_current(self):
        ds = reader(real_file(CV), "cv")
        assert ds.sizes["point"] == 5103
        # .mpt line 59: Ewe/V 2.4807117, <I>/mA -1.235983972946997E-006, control/V 2.4814086
        assert ds["potential"].values[0] == pytest.approx(2.4807117, rel=1e-7)
        assert ds["current"].values[0] == pytest.approx(-1.235983972946997e-9, rel=1e-7)
        assert ds["control_potential"].values[0] == pytest.approx(2.4814086, rel=1e-7)
        # last line: time/s 1.496513870154098E+005, Ewe/V 3.1632588
        assert ds["time"].values[-1] == pytest.approx(1.496513870154098e5)
        assert ds["potential"].values[-1] == pytest.approx(3.1632588, rel=1e-7)

    def test_cycles_and_scan_rate_from_the_settings_module(self):
        ds = reader(real_file(CV), "cv")
        cycles, counts = np.unique(ds["cycle"].values, return_counts=True)
        assert cycles.tolist() == [1, 2]
        assert counts.tolist() == [3778, 1325]
        assert ds.attrs["scan_rate_V_s"] == pytest.approx(1e-4)
        assert ds.attrs["instrument_technique"] == "Cyclic Voltammetry"
        assert ds.attrs["start_time"] == "2018-01-10T17:01:24"
        assert ds.attrs["software_version"] == "11.12"

    def test_same_arrays_as_the_mpt_export(self):
        mpr = read(real_file(CV), "cv")
        mpt = read(real_file(CV_MPT), "cv")
        for name in ("time", "potential", "current", "control_potential"):
            np.testing.assert_allclose(mpr[name].values, mpt[name].values, rtol=1e-7, atol=1e-15)
        np.testing.assert_array_equal(mpr["cycle"].values, mpt["cycle"].values)
        assert mpr.attrs["scan_rate_V_s"] == pytest.approx(mpt.attrs["scan_rate_V_s"])


class TestBattery:
    """VSP, EC-Lab v11.43, Modulo Bat, data module v3: 33 points, I/mA and control/mA."""

    def test_refused_as_cv_naming_the_technique(self):
        with pytest.raises(ReadError, match="'Modulo Bat' record under current control"):
            reader(real_file(BATTERY), "cv")

    def test_records_decode(self):
        data, mpr = biologic_mpr.records(real_file(BATTERY))
        assert data.shape[0] == 33
        # .mpt line 95: Ewe/V 2,3278546;
        # line 127: time 3,0000199E+001, control/mA -65, I/mA -6,4980278E+001
        assert data["Ewe/V"][0] == pytest.approx(2.3278546, rel=1e-7)
        assert data["time/s"][-1] == pytest.approx(30.00019924211665)
        assert data["I/mA"][-1] == pytest.approx(-64.980278, rel=1e-7)
        assert data["control/mA"][-1] == pytest.approx(-65.0)
        assert biologic_mpr.header_attrs(mpr)["instrument_technique"] == "Modulo Bat"

    def test_same_arrays_as_the_german_mpt_export(self):
        data, _ = biologic_mpr.records(real_file(BATTERY))
        _, table = biologic.parse(real_file(BATTERY_MPT))
        for name in ("time/s", "Ewe/V", "I/mA"):
            np.testing.assert_allclose(data[name], biologic.column(table, (name,)), rtol=1e-7)


class TestRefusals:
    def test_zero_point_file_is_a_clear_read_error(self):
        path = real_file(EMPTY)
        with pytest.raises(ReadError, match="no data points") as err:
            biologic_mpr.read(path, "eis")
        assert str(path) in str(err.value)

    def test_truncated_file_is_a_read_error(self, tmp_path):
        cut = tmp_path / "cut.mpr"
        cut.write_bytes(real_file(PEIS).read_bytes()[:3000])
        with pytest.raises(ReadError, match="cut.mpr"):
            biologic_mpr.read(cut, "eis")

    def test_text_file_is_refused_at_byte_0(self):
        with pytest.raises(ReadError, match="byte 0"):
            biologic_mpr.read(real_file(PEIS_MPT), "eis")
