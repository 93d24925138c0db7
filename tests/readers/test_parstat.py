"""The Princeton Applied Research text reader: Parstat tables (DC rows + EIS), PowerSuite EIS."""

from __future__ import annotations

import numpy as np
import pytest

from interphase import datasets
from interphase.errors import ReadError
from interphase.readers import head_of, parstat
from tests.conftest import real_file

PARSTAT_FILE = "electrochem/eis/parstat_txt/impedancepy_exampleDataParstat.txt"
POWERSUITE_FILE = "electrochem/eis/powersuite_txt/impedancepy_exampleDataPowersuite.txt"
OWN_FILES = ("electrochem/eis/parstat_txt/", "electrochem/eis/powersuite_txt/")
HEADER = (
    "Potential (V)\tCurrent (A)\tElapsed Time (s)\tFrequency (Hz)\t"
    "Zre (ohms)\tZim (ohms)\t|Vac| (V)\t|Iac| (A)\t"
)


def read(path, technique):
    """Read with the reader and check the layout, as the registry does."""
    ds = parstat.read(path, technique)
    datasets.validate(ds, technique)
    return ds


def parstat_text(rows) -> str:
    """A Parstat export: the header and rows, every line ending in a TAB, CRLF line ends."""
    lines = [HEADER] + ["\t".join(f"{v:.6g}" for v in row) + "\t" for row in rows]
    return "\r\n".join(lines) + "\r\n"


def test_real_parstat_file_drops_the_dc_rows_for_eis():
    ds = read(real_file(PARSTAT_FILE), "eis")
    assert ds.sizes["frequency"] == 31  # 812 rows, the first 781 with Frequency 0
    assert ds.attrs["dc_rows_dropped"] == 781
    f = ds["frequency"].values
    assert f[0] == pytest.approx(10000.0)
    assert f[-1] == pytest.approx(10.0)
    assert np.all(np.diff(f) < 0)
    # Row at 10 kHz: Zre -0.00049816280376104, Zim 0.0175143479976367 (inductive, positive).
    assert ds["z_real"].values[0] == pytest.approx(-0.00049816280376104)
    assert ds["z_imag"].values[0] == pytest.approx(0.0175143479976367)
    # Last row, 10 Hz: Zre 0.0270946491457229, Zim -0.00399791080333837 (capacitive, negative).
    assert ds["z_real"].values[-1] == pytest.approx(0.0270946491457229)
    assert ds["z_imag"].values[-1] == pytest.approx(-0.00399791080333837)
    assert ds["time"].values[-1] == pytest.approx(7750.166999)
    assert ds.attrs["dc_potential_V"] == pytest.approx(3.50029397010803)
    assert ds.attrs["file_variant"] == "parstat"


def test_real_parstat_dc_rows_are_a_hold_not_a_sweep_so_cv_is_refused():
    with pytest.raises(
        ReadError, match=r"DC rows: expected a potential sweep .* found 781 DC rows"
    ):
        parstat.read(real_file(PARSTAT_FILE), "cv")


def test_real_powersuite_file_with_cr_cr_lf_and_ascending_frequency():
    path = real_file(POWERSUITE_FILE)
    assert path.read_bytes().count(b"\r\r\n") == 31  # header + 30 rows
    ds = read(path, "eis")
    assert ds.sizes["frequency"] == 30
    f = ds["frequency"].values
    assert f[0] == pytest.approx(
        2e6
    )  # last line of the file: "2000000<TAB> -470.54113<TAB> -1397.7358"
    assert f[-1] == pytest.approx(0.1)  # first data line: "0.1<TAB> 423929.46<TAB> -49014.063"
    assert np.all(np.diff(f) < 0)
    assert ds["z_real"].values[0] == pytest.approx(-470.54113)
    assert ds["z_imag"].values[0] == pytest.approx(-1397.7358)
    assert ds["z_real"].values[-1] == pytest.approx(423929.46)
    assert ds["z_imag"].values[-1] == pytest.approx(-49014.063)
    assert ds.attrs["file_variant"] == "powersuite"
    with pytest.raises(ReadError, match="PowerSuite impedance export"):
        parstat.read(path, "cv")


def test_dc_only_file_gives_a_clear_read_error_for_eis(tmp_path):
    path = tmp_path / "dc_only.txt"
    path.write_text(parstat_text([[3.5, -0.15, 10.0 * k, 0, 0, 0, 0, 0] for k in range(1, 6)]))
    assert parstat.sniff(path, head_of(path))
    with pytest.raises(
        ReadError,
        match=(
            r"dc_only.txt, lines 2-6: expected impedance rows \(Frequency \(Hz\) > 0\),"
            r" found only 5 DC rows"
        ),
    ):
        parstat.read(path, "eis")


def test_dc_sweep_before_the_impedance_rows_is_read_as_cv(tmp_path):
    # A 10 mV/s sweep 3.0 -> 4.2 -> 3.0 V, one point a second, then two impedance rows.
    e = np.concatenate([3.0 + 0.01 * np.arange(120), 4.2 - 0.01 * np.arange(121)])
    i = 1e-5 * np.sign(np.gradient(e))
    rows = [[ev, iv, float(k), 0, 0, 0, 0, 0] for k, (ev, iv) in enumerate(zip(e, i))]
    rows += [
        [4.2, 0.0, 300.0, 1000.0, 10.0, -1.0, 0.01, 0.001],
        [4.2, 0.0, 301.0, 100.0, 12.0, -5.0, 0.01, 0.001],
    ]
    path = tmp_path / "cv_then_eis.txt"
    path.write_text(parstat_text(rows))
    ds = read(path, "cv")
    assert ds.sizes["point"] == 241
    assert ds.attrs["scan_rate_V_s"] == pytest.approx(0.01)
    assert ds["potential"].values[120] == pytest.approx(4.2)
    assert set(ds["cycle"].values.tolist()) == {1}
    assert ds["current"].values[0] == pytest.approx(1e-5)
    eis = read(path, "eis")
    assert eis["frequency"].values.tolist() == [1000.0, 100.0]
    assert eis.attrs["dc_rows_dropped"] == 241


def test_decimal_commas_and_a_bad_cell(tmp_path):
    text = parstat_text(
        [
            [3.5, 0.0, 1.0, 1000.0, 10.5, -1.25, 0.01, 0.001],
            [3.5, 0.0, 2.0, 100.0, 12.0, -5.0, 0.01, 0.001],
        ]
    )
    path = tmp_path / "comma.txt"
    path.write_text(text.replace("10.5", "10,5").replace("-1.25", "-1,25"))
    ds = read(path, "eis")
    assert ds["z_real"].values[0] == pytest.approx(10.5)
    assert ds["z_imag"].values[0] == pytest.approx(-1.25)
    path.write_text(text.replace("-1.25", "n/a"))
    with pytest.raises(ReadError, match="comma.txt, line 2: expected numbers in every cell"):
        parstat.read(path, "eis")
