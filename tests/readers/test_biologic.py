"""The BioLogic EC-Lab .mpt reader: PEIS and CV text exports in, the eis and cv layouts out.

Expected numbers were read by hand from the files in ../shared/realdata (line numbers given).
"""

from __future__ import annotations

import numpy as np
import pytest

from interphase import datasets
from interphase.errors import ReadError
from interphase.readers import biologic, detect
from tests.conftest import real_file

EIS_IMPEDANCEPY = "electrochem/eis/biologic_mpt/impedancepy_exampleDataBioLogic.mpt"
EIS_YADG = "electrochem/eis/biologic_mpt/yadg_peis.mpt"
CV_YADG = "electrochem/cv/biologic_mpt/yadg_cv.mpt"
BATTERY_DE = "electrochem/battery/biologic_mpt/yadg_mb_issue95_de_decimalcomma.mpt"
GAMRY_EIS = "electrochem/eis/gamry_dta/impedancepy_exampleDataGamry.DTA"


def read(path, technique):
    """Read with the reader and check the layout, as the registry does."""
    ds = biologic.read(path, technique)
    datasets.validate(ds, technique)
    return ds


def sniffed(path) -> bool:
    """The reader's sniff on the file's first 64 KiB."""
    return biologic.sniff(path, path.read_bytes()[: 1 << 16])


class TestImpedancePyExample:
    """SP-150, EC-Lab v11.18: 61 header lines, 43 points 1 kHz -> 16.9 mHz, E (V) 0.0 vs. Ref."""

    def test_points_and_frequency_range(self):
        ds = read(real_file(EIS_IMPEDANCEPY), "eis")
        assert ds.sizes["frequency"] == 43
        assert ds["frequency"].values[0] == pytest.approx(1000.3201)
        assert ds["frequency"].values[-1] == pytest.approx(0.01689554)

    def test_impedance_signs(self):
        ds = read(real_file(EIS_IMPEDANCEPY), "eis")
        # line 62: Re(Z) 6.5470886E+001, -Im(Z) 3.8998979E-001 -> z_imag = -0.38998979
        assert ds["z_real"].values[0] == pytest.approx(65.470886)
        assert ds["z_imag"].values[0] == pytest.approx(-0.38998979)
        # line 64 (592.9 Hz): -Im(Z) is negative there (noise), so z_imag is positive
        assert ds["z_imag"].values[2] == pytest.approx(0.49220982)
        assert ds["time"].values[0] == pytest.approx(0.7836904905780102)

    def test_header_attributes(self):
        ds = read(real_file(EIS_IMPEDANCEPY), "eis")
        assert ds.attrs["area_in_file_cm2"] == pytest.approx(0.001)
        assert ds.attrs["dc_potential_V"] == 0.0
        assert ds.attrs["dc_potential_source"] == "setting 'E (V)' vs. Ref"
        assert ds.attrs["instrument"] == "SP-150 (SN 10791079)"
        assert ds.attrs["software_version"] == "11.18"
        assert ds.attrs["start_time"] == "2018-02-04T10:02:46"
        assert ds.attrs["reader"] == "biologic_mpt"


class TestYadgPeis:
    """SP-240, EC-Lab v11.33: trailing TAB in the column header, no final newline, E vs. Emeas."""

    def test_points_and_frequency_range(self):
        ds = read(real_file(EIS_YADG), "eis")
        assert ds.sizes["frequency"] == 32
        assert ds["frequency"].values[0] == pytest.approx(199998.14)
        assert ds["frequency"].values[-1] == pytest.approx(1.0000616)

    def test_last_row_without_newline_is_read(self):
        ds = read(real_file(EIS_YADG), "eis")
        assert ds["z_real"].values[-1] == pytest.approx(18.024315)
        assert ds["z_imag"].values[-1] == pytest.approx(-2.6962531)

    def test_dc_potential_from_mean_ewe_when_setting_is_relative(self):
        ds = read(real_file(EIS_YADG), "eis")
        # 'E (V) 0.0000 vs. Emeas' is relative; <Ewe>/V is -3.5914290 in the first row
        assert ds.attrs["dc_potential_source"] == "mean of <Ewe>/V"
        assert ds.attrs["dc_potential_V"] == pytest.approx(-3.5914, abs=2e-4)
        assert ds.attrs["start_time"] == "2021-03-02T16:17:59"


class TestYadgCv:
    """VMP3, EC-Lab v11.12: 58 header lines, 5103 points, 2 cycles, dE/dt 0.100 mV/s."""

    def test_points_potential_current(self):
        ds = read(real_file(CV_YADG), "cv")
        assert ds.sizes["point"] == 5103
        # line 59: Ewe/V 2.4807117, <I>/mA -1.235983972946997E-006
        assert ds["potential"].values[0] == pytest.approx(2.4807117)
        assert ds["current"].values[0] == pytest.approx(-1.235983972946997e-9)
        assert ds["control_potential"].values[0] == pytest.approx(2.4814086)
        assert ds["time"].values[-1] == pytest.approx(1.496513870154098e5)
        assert ds["potential"].values[-1] == pytest.approx(3.1632588)

    def test_cycles_and_scan_rate(self):
        ds = read(real_file(CV_YADG), "cv")
        cycles, counts = np.unique(ds["cycle"].values, return_counts=True)
        assert cycles.tolist() == [1, 2]
        assert counts.tolist() == [3778, 1325]
        assert ds.attrs["scan_rate_V_s"] == pytest.approx(1e-4)
        assert ds.attrs["instrument_technique"] == "Cyclic Voltammetry"


class TestGermanBatteryFile:
    """VSP, EC-Lab v11.43, German locale: decimal commas everywhere, 'Modulo Bat', cycle 0.

    A galvanostatic battery record: declared as cv it is refused with a sentence naming the
    technique (issue 15.3); its table still parses (decimal commas in data and header).
    """

    def test_refused_as_cv_naming_the_technique_and_control(self):
        with pytest.raises(ReadError) as info:
            read(real_file(BATTERY_DE), "cv")
        message = info.value.message
        assert "line 4 (technique)" in message
        assert "expected a voltammogram (cv), as measurements.tsv declares" in message
        assert "found an EC-Lab 'Modulo Bat' record under current control" in message

    def test_decimal_commas_in_data_and_header_parse(self):
        header, table = biologic.parse(real_file(BATTERY_DE))
        assert len(table.rows) == 33 and table.lines[0] == 95
        assert biologic.column(table, ("Ewe/V",))[0] == pytest.approx(2.3278546)
        # last row: I/mA -6,4980278E+001
        assert biologic.column(table, ("I/mA",))[-1] == pytest.approx(-64.980278)
        assert biologic.column(table, ("time/s",))[1] == pytest.approx(0.9999999747378752)
        assert set(biologic.column(table, ("cycle number",)).tolist()) == {0.0}
        assert biologic.area_cm2(header) == pytest.approx(0.001)  # '0,001 cm²'
        assert header[3].strip() == "Modulo Bat"
        assert biologic.control_mode(table.names) == "galvanostatic"  # control/mA column

    def test_refused_as_eis(self):
        with pytest.raises(ReadError, match="freq/Hz"):
            biologic.read(real_file(BATTERY_DE), "eis")


def test_cv_file_is_refused_as_eis_naming_the_column_header_line():
    with pytest.raises(ReadError, match=r"line 58 .*freq/Hz"):
        biologic.read(real_file(CV_YADG), "eis")


def test_impedance_file_is_refused_as_cv():
    with pytest.raises(ReadError, match="impedance record"):
        biologic.read(real_file(EIS_IMPEDANCEPY), "cv")


@pytest.mark.parametrize("relative", [EIS_IMPEDANCEPY, EIS_YADG, CV_YADG, BATTERY_DE])
def test_sniffs_every_ec_lab_export(relative):
    assert sniffed(real_file(relative))


def test_does_not_sniff_a_gamry_file():
    assert not sniffed(real_file(GAMRY_EIS))


def test_registry_detects_the_reader():
    assert detect(real_file(EIS_YADG), "eis").NAME == "biologic_mpt"


def quirky_mpt(rows: list[str], count_offset: int = 0) -> bytes:
    """A small PEIS export: 'EC-LAB' spelling, UTF-8 µ and ², decimal commas, CR CR LF endings."""
    header = [
        "EC-LAB ASCII FILE",
        None,
        "",
        "Potentio Electrochemical Impedance Spectroscopy",
        "",
        "Electrode surface area : 1,5 mm²",
        "E (V)               3,7000              ",
        "vs.                 Ref                 ",
        "",
    ]
    header[1] = f"Nb header lines : {len(header) + 1 + count_offset}"
    columns = "freq/Hz\tRe(Z)/Ohm\t-Im(Z)/Ohm\ttime/s\tCs/µF\t"
    return "\r\r\n".join(header + [columns] + rows).encode("utf-8")


def test_quirks_decimal_comma_utf8_crcrlf_ascending_and_duplicate_rows(tmp_path):
    rows = [
        "1,0E+000\t10,5\t1,25\t3,0\t1,0",
        "1,0E+001\t10,2\t0,50\t2,0\t1,0",
        "1,0E+001\t10,2\t0,50\t2,0\t1,0",  # an exact repeat: dropped
        "1,0E+002\t10,0\t0,10\t1,0\t1,0",
    ]
    path = tmp_path / "quirky.mpt"
    path.write_bytes(quirky_mpt(rows))
    assert sniffed(path)
    ds = read(path, "eis")
    assert ds["frequency"].values.tolist() == [100.0, 10.0, 1.0]
    assert ds["z_real"].values.tolist() == [10.0, 10.2, 10.5]
    assert ds["z_imag"].values.tolist() == [-0.1, -0.5, -1.25]
    assert ds.attrs["area_in_file_cm2"] == pytest.approx(0.015)
    assert ds.attrs["dc_potential_V"] == pytest.approx(3.7)


def test_conflicting_duplicate_frequency_is_an_error_naming_both_lines(tmp_path):
    rows = ["1,0E+001\t10,2\t0,50\t2,0\t1,0", "1,0E+001\t11,0\t0,50\t3,0\t1,0"]
    path = tmp_path / "dup.mpt"
    path.write_bytes(quirky_mpt(rows))
    with pytest.raises(ReadError, match=r"lines 11 and 12.*10 Hz twice"):
        biologic.read(path, "eis")


def test_wrong_header_count_is_an_error(tmp_path):
    path = tmp_path / "count.mpt"
    path.write_bytes(quirky_mpt(["1,0E+001\t10,2\t0,50\t2,0\t1,0"], count_offset=-3))
    with pytest.raises(ReadError, match="column header"):
        biologic.read(path, "eis")


def test_bad_number_names_line_and_column(tmp_path):
    path = tmp_path / "bad.mpt"
    path.write_bytes(
        quirky_mpt(["1,0E+001\t10,2\t0,50\t2,0\t1,0", "1,0E+000\tabc\t0,50\t3,0\t1,0"])
    )
    with pytest.raises(ReadError, match=r"line 12, column 'Re\(Z\)/Ohm'"):
        biologic.read(path, "eis")
