"""The generic table reader: CSV/TSV/semicolon tables with named columns and units, and the
header-less spectrum."""

from __future__ import annotations

import numpy as np
import pytest

from interphase import datasets
from interphase.errors import ReadError
from interphase.readers import detect, generic_table, head_of
from tests.conftest import real_file

CSV_FILE = "electrochem/eis/generic_csv/impedancepy_exampleData.csv"
OWN_FILES = ("electrochem/eis/generic_csv/",)


def read(path, technique):
    """Read with the reader and check the layout, as the registry does."""
    ds = generic_table.read(path, technique)
    datasets.validate(ds, technique)
    return ds


def write(tmp_path, name, text, encoding="utf-8"):
    """Write a synthetic table and return its path."""
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_real_headerless_spectrum_is_read_with_assumed_columns():
    ds = read(real_file(CSV_FILE), "eis")
    assert ds.sizes["frequency"] == 66
    f = ds["frequency"].values
    assert f[0] == pytest.approx(1.0e4)  # the file's last row; it is written ascending
    assert f[-1] == pytest.approx(3.1623e-3)
    assert np.all(np.diff(f) < 0)
    # Last row "1.0...e+04,1.577148266048593317e-02,1.015747456493823649e-02".
    assert ds["z_real"].values[0] == pytest.approx(1.577148266048593317e-02)
    assert ds["z_imag"].values[0] == pytest.approx(1.015747456493823649e-02)
    # First row "3.162299999999999833e-03,4.949989776405060160e-02,-2.043869854441892481e-02".
    assert ds["z_real"].values[-1] == pytest.approx(4.949989776405060160e-02)
    assert ds["z_imag"].values[-1] == pytest.approx(-2.043869854441892481e-02)
    assert "columns assumed" in ds.attrs["columns_assumed"]
    assert np.isnan(ds.attrs["dc_potential_V"])


def test_semicolon_table_with_decimal_commas_units_and_negated_imaginary_part(tmp_path):
    text = (
        "# exported by a lab script\r\n"
        "freq/kHz;Re(Z)/kOhm;-Im(Z)/Ohm;\r\n"
        "0,0;1,500;0,0;\r\n"  # a DC row mixed into the table
        "0,01;1,2;300,5;\r\n"
        "1,0;0,8;120,25;\r\n"
        "100,0;0,1;5,0;\r\n"
    )
    path = write(tmp_path, "de.csv", text, "cp1252")
    assert generic_table.sniff(path, head_of(path))
    ds = read(path, "eis")
    assert ds["frequency"].values.tolist() == pytest.approx([1e5, 1e3, 10.0])
    assert ds["z_real"].values.tolist() == pytest.approx([100.0, 800.0, 1200.0])
    assert ds["z_imag"].values.tolist() == pytest.approx(
        [-5.0, -120.25, -300.5]
    )  # -Im(Z) negated back
    assert ds.attrs["dc_rows_dropped"] == 1
    assert ds.attrs["z_imag_in_file"].startswith("negated")


def test_comma_table_with_bom_bracket_units_mhz_and_true_sign(tmp_path):
    text = (
        "frequency (mHz), Z' (Ohm), Z'' (Ohm), |Z| (Ohm)\n"
        "100, 50, -40, 64.03\n1000, 30, -20, 36.06\n10000, 10, -2, 10.2\n"
    )
    path = tmp_path / "eis.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))  # UTF-8 with BOM
    assert generic_table.sniff(path, head_of(path))
    ds = read(path, "eis")
    assert ds["frequency"].values.tolist() == pytest.approx([10.0, 1.0, 0.1])
    assert ds["z_imag"].values.tolist() == pytest.approx([-2.0, -20.0, -40.0])
    assert ds.attrs["z_imag_in_file"] == "true sign"


def test_tab_separated_cv_in_ma_with_cycle_column_and_mu_ampere_in_cp1252(tmp_path):
    e = np.concatenate([3.0 + 0.01 * np.arange(120), 4.2 - 0.01 * np.arange(120)])
    rows = "".join(
        f"{k * 1.0:.1f}\t{ev:.3f}\t{1.5 * np.sign(np.gradient(e))[k]:.4f}"
        f"\t{2 if k >= 120 else 1}\t\r\n"
        for k, ev in enumerate(e)
    )
    path = write(tmp_path, "cv.txt", "time/s\tE / V\tI / mA\tcycle\t\r\n" + rows.replace(".", ","))
    assert detect(path, "cv") is generic_table
    ds = read(path, "cv")
    assert ds.sizes["point"] == 240
    assert ds["current"].values[0] == pytest.approx(1.5e-3)  # mA -> A
    assert ds["potential"].values[119] == pytest.approx(4.19)
    assert np.bincount(ds["cycle"].values)[1:].tolist() == [120, 120]
    assert ds.attrs["scan_rate_V_s"] == pytest.approx(0.01)
    micro = write(
        tmp_path, "cv_ua.csv", "E (V),I (\u00b5A)\n3.0,1.0\n3.1,2.0\n3.2,3.0\n3.1,-1.0\n", "cp1252"
    )
    ds = read(micro, "cv")
    assert ds["current"].values.tolist() == pytest.approx([1e-6, 2e-6, 3e-6, -1e-6])
    assert np.isnan(ds.attrs["scan_rate_V_s"])  # no time column: unknown, not invented


def test_sniff_is_strict_for_the_fallback(tmp_path):
    # An XRD-like 3-column file (2theta spans less than 2 decades) is not an impedance spectrum.
    xrd = write(
        tmp_path,
        "scan.xy",
        "".join(f"{10 + 0.02 * k:.2f} {100 + k} {10.0:.1f}\n" for k in range(200)),
    )
    assert not generic_table.sniff(xrd, head_of(xrd))
    # Columns without units, or with units of the wrong kind, are not claimed.
    no_units = write(tmp_path, "nounits.csv", "freq,Zre,Zim\n1,2,3\n10,2,3\n100,2,3\n1000,2,3\n")
    assert not generic_table.sniff(no_units, head_of(no_units))
    wrong = write(
        tmp_path, "wrong.csv", "freq (V),Zre (Ohm),Zim (Ohm)\n1,2,3\n10,2,3\n100,2,3\n1000,2,3\n"
    )
    assert not generic_table.sniff(wrong, head_of(wrong))
    # A vendor mark leaves the file to its reader.
    vendor = write(
        tmp_path,
        "nova.txt",
        "Potential applied (V),Time (s),WE(1).Current (A),E (V),I (A)\n"
        "1,2,3,4,5\n1,2,3,4,5\n1,2,3,4,5\n",
    )
    assert not generic_table.sniff(vendor, head_of(vendor))


def test_unreadable_tables_raise_read_error_naming_line_and_expectation(tmp_path):
    path = write(tmp_path, "bad.csv", "freq/Hz,Z'/Ohm,Z''/Ohm\n1,2,-3\n10,x,-3\n")
    with pytest.raises(ReadError, match=r"bad.csv, line 3: expected a number in every cell"):
        generic_table.read(path, "eis")
    short = write(tmp_path, "short.csv", "freq/Hz,Z'/Ohm,Z''/Ohm\n1,2,-3\n10,2\n")
    with pytest.raises(ReadError, match=r"short.csv, line 3: expected 3 cells"):
        generic_table.read(short, "eis")
    cv = write(tmp_path, "cv.csv", "E / V, I / mA\n3.0, 1.0\n")
    with pytest.raises(
        ReadError, match=r"cv.csv, line 1: expected eis columns with units: frequency, Z', Z''"
    ):
        generic_table.read(cv, "eis")
    with pytest.raises(ReadError, match="a header naming the columns with units"):
        generic_table.read(real_file(CSV_FILE), "cv")
