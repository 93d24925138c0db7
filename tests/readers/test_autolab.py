"""The Metrohm Autolab reader: NOVA ASCII exports (cv, eis) and the 'Z60W Data File' (eis).

Expected numbers were read by hand from the files in ../shared/realdata (line numbers given);
the NOVA impedance export and the separator/decimal-comma variants are written here, because
../shared/realdata has no such file.
"""

from __future__ import annotations

import numpy as np
import pytest

from interphase import datasets
from interphase.errors import ReadError
from interphase.readers import autolab, detect, read
from tests.conftest import real_file

NOVA_CV = "electrochem/cv/autolab_nova_txt/chemotion_Cu-TMG2cHexqu2-PF6_comma.txt"
Z60W = "electrochem/eis/autolab_z60w_txt/impedancepy_exampleDataAutolab.txt"
MINE = ((NOVA_CV, "cv"), (Z60W, "eis"))


def reader(path, technique):
    """Read with this reader and check the layout, as the registry does."""
    ds = autolab.read(path, technique)
    datasets.validate(ds, technique)
    return ds


class TestNovaCv:
    """NOVA export, comma-separated, decimal point: 506 rows of scan 3, E 0.199-0.701 V."""

    def test_points_potential_current(self):
        ds = reader(real_file(NOVA_CV), "cv")
        assert ds.sizes["point"] == 506
        # line 2: applied 0.301971435546875, time 16.5535919582062,
        # current -4.32098388671875E-07, WE(1).Potential 0.3033447265625
        assert ds["potential"].values[0] == 0.3033447265625
        assert ds["control_potential"].values[0] == 0.301971435546875
        assert ds["current"].values[0] == -4.32098388671875e-07
        assert ds["time"].values[0] == 16.5535919582062
        # line 507 (last): WE(1).Potential 0.301300048828125
        assert ds["potential"].values[-1] == 0.301300048828125
        # line 100: current 2.25921630859375E-06 (anodic, positive)
        assert ds["current"].values[98] == 2.25921630859375e-06

    def test_potential_range_and_scan_number(self):
        ds = reader(real_file(NOVA_CV), "cv")
        assert ds["control_potential"].values.min() == 0.198822021484375
        assert ds["control_potential"].values.max() == 0.70068359375
        assert set(ds["cycle"].values.tolist()) == {3}

    def test_scan_rate_is_not_in_the_file_but_estimated(self):
        ds = reader(real_file(NOVA_CV), "cv")
        assert np.isnan(ds.attrs["scan_rate_V_s"])
        # applied potential steps of 1.98 mV every 9.918 ms: 0.2 V/s
        assert ds.attrs["scan_rate_from_data_V_s"] == pytest.approx(0.2, rel=1e-3)

    def test_refused_as_eis(self):
        with pytest.raises(ReadError, match="Frequency"):
            autolab.read(real_file(NOVA_CV), "eis")


class TestZ60w:
    """ZView-style 'Z60W Data File: Version 1.1', UTF-8 BOM, 41 points 10 kHz -> 0.1 Hz."""

    def test_points_frequencies_values(self):
        ds = reader(real_file(Z60W), "eis")
        assert ds.sizes["frequency"] == 41
        # line 12: 10000,...,0.013785863964281,0.007191946305823 (inductive: positive)
        assert ds["frequency"].values[0] == 10000.0
        assert ds["z_real"].values[0] == 0.013785863964281
        assert ds["z_imag"].values[0] == 0.007191946305823
        # line 20: 1000 Hz, Z'' -0.00136828404533815; line 52: 0.1 Hz
        assert ds["z_imag"].sel(frequency=1000.0).item() == -0.00136828404533815
        assert ds["frequency"].values[-1] == 0.1
        assert ds["z_real"].values[-1] == 0.0345697771923854

    def test_attributes(self):
        ds = reader(real_file(Z60W), "eis")
        assert ds.attrs["data_points_in_header"] == 41
        assert ds.attrs["file_variant"] == "Z60W Data File"
        assert ds.attrs["reader"] == "autolab"
        assert "time" not in ds  # the Time(Sec) column is all zeros: not recorded
        assert np.isnan(ds.attrs["dc_potential_V"])

    def test_refused_as_cv(self):
        with pytest.raises(ReadError, match="Z60W"):
            autolab.read(real_file(Z60W), "cv")


NOVA_EIS = (
    "Index;Frequency (Hz);Z' (Ω);-Z'' (Ω);Z (Ω);-Phase (°);Time (s);WE(1).Potential (V);\r\n"
    "1;0,1;120,5;40,25;127,0;18,5;100,0;4,0012;\r\n"
    "2;0;99;0;99;0;101,0;4,0010;\r\n"
    "3;10;80,0;25,5;84,0;17,7;102,0;4,0008;\r\n"
    "4;1000;20,0;-1,5;20,1;-4,3;103,0;4,0006;\r\n"
)


class TestNovaEisVariants:
    """Semicolons, decimal commas, UTF-8 BOM, CRLF, trailing separators, a DC row, ascending."""

    def test_semicolon_decimal_comma_bom(self, tmp_path):
        path = tmp_path / "nova_eis.txt"
        path.write_bytes(b"\xef\xbb\xbf" + NOVA_EIS.encode("utf-8"))
        assert detect(path, "eis") is autolab
        ds = reader(path, "eis")
        assert ds["frequency"].values.tolist() == [1000.0, 10.0, 0.1]
        assert ds["z_real"].values.tolist() == [20.0, 80.0, 120.5]
        assert ds["z_imag"].values.tolist() == [1.5, -25.5, -40.25]
        assert ds.attrs["dc_rows_dropped"] == 1
        assert ds.attrs["dc_potential_V"] == pytest.approx(4.0009)
        assert ds.attrs["z_imag_sign"] == datasets.Z_IMAG_SIGN

    def test_tab_separated_ohm_spelled_out(self, tmp_path):
        text = NOVA_EIS.replace(";", "\t").replace("Ω", "Ohm")
        path = tmp_path / "nova_tab.txt"
        path.write_bytes(text.encode("cp1252"))
        ds = read(path, "eis")
        assert ds["z_imag"].values.tolist() == [1.5, -25.5, -40.25]

    def test_cv_with_semicolons_and_decimal_commas(self, tmp_path):
        path = tmp_path / "nova_cv.txt"
        path.write_text(
            "Potential applied (V);Time (s);WE(1).Current (A);WE(1).Potential (V);Scan;Index;\n"
            "0,10;0,0;1,5E-06;0,101;1;1;\n0,11;0,1;2,5E-06;0,111;1;2;\n0,12;0,2;-3,0E-06;0,121;2;3;\n",
            encoding="utf-8",
        )
        ds = reader(path, "cv")
        assert ds["current"].values.tolist() == [1.5e-06, 2.5e-06, -3.0e-06]
        assert ds["cycle"].values.tolist() == [1, 1, 2]
        assert ds.attrs["scan_rate_from_data_V_s"] == pytest.approx(0.1)

    def test_short_row_names_the_line(self, tmp_path):
        path = tmp_path / "short.txt"
        path.write_text(
            NOVA_EIS.replace("3;10;80,0;25,5;84,0;17,7;102,0;4,0008;", "3;10;80,0"),
            encoding="utf-8",
        )
        with pytest.raises(ReadError, match=r"short\.txt, line 4: expected 8 fields"):
            autolab.read(path, "eis")

    def test_text_in_a_number_field_names_line_and_column(self, tmp_path):
        path = tmp_path / "text.txt"
        path.write_text(NOVA_EIS.replace("80,0", "n/a"), encoding="utf-8")
        with pytest.raises(ReadError, match=r"line 4, column \"Z' \(Ω\)\""):
            autolab.read(path, "eis")
