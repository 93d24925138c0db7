"""The Scribner ZPlot/ZView reader: 'ZPLOT2 ASCII' and 'ZPlotW Data File' in, the eis layout out.

Expected numbers were read by hand from the files in ../shared/realdata (line numbers given).
"""

from __future__ import annotations

import numpy as np
import pytest

from interphase import datasets
from interphase.errors import ReadError
from interphase.readers import zplot
from tests.conftest import real_file

CIRCUIT = "electrochem/eis/zplot_z/impedancepy_Circuit1_EIS_1.z"
SHORT = "electrochem/eis/zplot_z/impedancepy_exampleDataZPlot.z"
ZPLOTW = "electrochem/eis/zplot_z/impedancepy_exampleDataZPlot_noComments.z"
MINE = (CIRCUIT, SHORT, ZPLOTW)


def reader(path):
    """Read with this reader and check the layout, as the registry does."""
    ds = zplot.read(path, "eis")
    datasets.validate(ds, "eis")
    return ds


class TestZplot2Circuit:
    """ZPlot 3.2c, dummy circuit: 'Data Points: 48' and 48 rows, 50 kHz -> 1 Hz."""

    def test_points_frequencies_values(self):
        ds = reader(real_file(CIRCUIT))
        assert ds.sizes["frequency"] == 48
        # line 124: 5.000000E+04 ... Z' 2.9036E+01, Z'' 6.3662E-01 (inductive, positive)
        assert ds["frequency"].values[0] == 5.0e4
        assert ds["z_real"].values[0] == 29.036
        assert ds["z_imag"].values[0] == 0.63662
        # line 171: 1.000000E+00 ... 7.5803E+01, -1.6244E-01
        assert ds["frequency"].values[-1] == 1.0
        assert ds["z_imag"].values[-1] == -0.16244
        assert ds["time"].values[-1] == 40.85

    def test_header_attributes(self):
        ds = reader(real_file(CIRCUIT))
        assert ds.attrs["software"] == "ZPlot 3.2c"
        assert ds.attrs["start_time"] == "2018-10-12T12:32:21"
        assert ds.attrs["instrument"] == "Solartron 1287 + Solartron 1252"
        assert ds.attrs["area_in_file_cm2"] == 1.0
        assert ds.attrs["open_circuit_potential_V"] == 0.0033
        assert np.isnan(ds.attrs["dc_potential_V"])
        assert ds.attrs["z_imag_sign"] == datasets.Z_IMAG_SIGN


class TestZplot2CountDisagrees:
    """'Data Points: 56' but 21 rows (300 kHz -> 3 kHz): the rows present are read."""

    def test_rows_present_are_read(self):
        ds = reader(real_file(SHORT))
        assert ds.sizes["frequency"] == 21
        assert ds.attrs["data_points_in_header"] == 56
        assert ds.attrs["data_points_read"] == 21
        # line 124: 3.000000E+05, Z' 1.4777E+02, Z'' -1.1335E+01;
        # line 144: 3.000000E+03, Z' 6.1368E+02
        assert ds["frequency"].values[0] == 3.0e5
        assert ds["z_imag"].values[0] == -11.335
        assert ds["frequency"].values[-1] == 3.0e3
        assert ds["z_real"].values[-1] == 613.68


class TestZplotW:
    """'ZPlotW Data File: Version 3.2c': quoted header, a free comment, count 79 but 31 rows."""

    def test_points_frequencies_values(self):
        ds = reader(real_file(ZPLOTW))
        assert ds.sizes["frequency"] == 31
        assert ds.attrs["data_points_in_header"] == 79
        # line 11: 3.000000E+05, ..., 6.4262E+02, -8.5821E+01;
        # line 41: 3.000000E+02, ..., 1.3053E+03, -1.9501E+02
        assert ds["frequency"].values[0] == 3.0e5
        assert ds["z_real"].values[0] == 642.62
        assert ds["z_imag"].values[0] == -85.821
        assert ds["frequency"].values[-1] == 300.0
        assert ds["z_imag"].values[-1] == -195.01

    def test_header_attributes(self):
        ds = reader(real_file(ZPLOTW))
        assert ds.attrs["start_time"] == "2019-12-17T16:24:35"
        assert ds.attrs["software"] == "ZPlotW 3.2c"
        assert "1.7 sccm CO, 1.50 sccm CO2, 800 C" in ds.attrs["comment"]


ZPLOT2_QUIRKY = (
    "ZPLOT2 ASCII\r\r\n"
    "  Date:                       03-04-2020\r\r\n"
    "  Time:                       09:08:07\r\r\n"
    "    Surface Area:             0,5\r\r\n"
    "  Data Points:                4\r\r\n"
    "  Freq(Hz)\tAmpl\tBias\tTime(Sec)\tZ'(a)\tZ''(b)\tGD\tErr\tRange\r\r\n"
    "End Comments\r\r\n"
    "0\t0,01\t0\t1\t5\t0\t0\t0\t3\t\r\r\n"
    "1,0E+00\t0,01\t0\t2\t30\t-4\t0\t0\t3\t\r\r\n"
    "1,0E+01\t0,01\t0\t3\t20\t-6\t0\t0\t3\t\r\r\n"
    "1,0E+02\t0,01\t0\t4\t10\t-2\t0\t0\t3"
)


class TestQuirks:
    def test_cr_cr_lf_decimal_comma_dc_row_ascending(self, tmp_path):
        path = tmp_path / "quirky.z"
        path.write_bytes(ZPLOT2_QUIRKY.encode("cp1252"))
        ds = reader(path)
        assert ds["frequency"].values.tolist() == [100.0, 10.0, 1.0]
        assert ds["z_real"].values.tolist() == [10.0, 20.0, 30.0]
        assert ds["z_imag"].values.tolist() == [-2.0, -6.0, -4.0]
        assert ds.attrs["dc_rows_dropped"] == 1
        assert ds.attrs["area_in_file_cm2"] == 0.5
        assert ds.attrs["start_time"] == "2020-03-04T09:08:07"

    def test_bad_number_names_file_and_line(self, tmp_path):
        path = tmp_path / "bad.z"
        path.write_text(ZPLOT2_QUIRKY.replace("1,0E+01", "x1"), encoding="utf-8")
        with pytest.raises(ReadError, match=r"bad\.z, line 10, column 'Freq\(Hz\)'"):
            zplot.read(path, "eis")

    def test_missing_end_comments(self, tmp_path):
        path = tmp_path / "open.z"
        path.write_text(ZPLOT2_QUIRKY.replace("End Comments", "Begin Data"), encoding="utf-8")
        with pytest.raises(ReadError, match="End Comments"):
            zplot.read(path, "eis")

    def test_repeated_frequency_is_refused(self, tmp_path):
        path = tmp_path / "twice.z"
        path.write_text(ZPLOT2_QUIRKY.replace("1,0E+01", "1,0E+00"), encoding="utf-8")
        with pytest.raises(ReadError, match="one impedance per frequency"):
            zplot.read(path, "eis")
