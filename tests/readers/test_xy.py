"""Plain .xy/.xye reader: the real exports, separators and headers, and a sniff strict enough
never to claim another format's file."""

from __future__ import annotations

import numpy as np
import pytest

from interphase import datasets, readers
from interphase.errors import ReadError
from interphase.readers import xy
from tests.conftest import real_file


def test_yadg_xy_values_checked_by_hand():
    ds = readers.read(real_file("xrd/xy/yadg_210520step1_30min.xy"), "xrd")
    assert ds.attrs["reader"] == "xy"
    assert ds.sizes["two_theta"] == 4489
    assert ds["two_theta"].values[[0, -1]] == pytest.approx([5.008355630, 80.00853080])
    assert ds["intensity"].values[0] == 1719.0 and ds["intensity"].values[-1] == 288
    assert np.isnan(ds.attrs["wavelength_ka1_angstrom"]) and ds.attrs["anode"] == ""
    assert "intensity_cps" not in ds and ds.attrs["scan_kind"] == "powder"


def test_chemotion_xy_equals_its_xrdml():
    ds = readers.read(
        real_file("xrd/xy/chemotion_LA_P37cd_DUT52Zr-Thermo-XRD-5-90-45min_25C_1.xy"), "xrd"
    )
    assert ds.sizes["two_theta"] == 6474
    assert ds["intensity"].values[0] == 90 and ds["intensity"].values[-1] == 43
    xrdml = readers.read(
        real_file("xrd/xrdml/chemotion_LA_P37cd_DUT52Zr-Thermo-XRD-5-90-45min_25C_1.xrdml"), "xrd"
    )
    np.testing.assert_allclose(ds["two_theta"].values, xrdml["two_theta"].values, atol=1e-5)
    np.testing.assert_array_equal(ds["intensity"].values, xrdml["intensity"].values)


def test_fixed_width_xyd():
    ds = readers.read(real_file("xrd/xy/chemotion_LA_P-37cd_DUT-52Zr_act_EtOH.xyd"), "xrd")
    assert ds.sizes["two_theta"] == 2704
    assert ds["two_theta"].values[[0, -1]].tolist() == [5.0, 45.545]
    assert ds["intensity"].values[:2].tolist() == [1800, 1694] and ds["intensity"].values[-1] == 429


def _scan(x0: float, n: int, fmt: str) -> str:
    """n rows of a synthetic scan starting at x0 in 0.02° steps, formatted with fmt."""
    return "".join(fmt.format(x0 + 0.02 * i, 100 + i, 10.0) for i in range(n))


@pytest.mark.parametrize(
    "text",
    [
        "# sample A, Cu\n2theta intensity esd\n" + _scan(10, 30, "{:.2f}\t{}\t{}\n"),
        _scan(10, 30, "{:.2f},{},{}\r\n"),
        _scan(10, 30, "{:.2f};{};{}\r").replace(".", ","),  # decimal commas, CR line ends
        _scan(10, 30, "  {:8.3f}  {:8d}  {:6.1f}   \n"),
    ],
    ids=["header+tabs", "comma", "semicolon-decimal-comma", "fixed-width"],
)
def test_xye_variants_are_sniffed_and_read(tmp_path, text):
    path = tmp_path / "scan.xye"
    path.write_bytes(text.encode("utf-8"))
    assert readers.detect(path, "xrd") is xy
    ds = readers.read(path, "xrd")
    datasets.validate(ds, "xrd")
    assert ds.sizes["two_theta"] == 30
    assert ds["two_theta"].values[[0, -1]] == pytest.approx([10.0, 10.58])
    assert ds["intensity"].values[[0, -1]].tolist() == [100, 129]
    assert ds["intensity_esd"].values[0] == 10.0


def test_low_angle_scan_is_reflectivity(tmp_path):
    path = tmp_path / "xrr.xy"
    path.write_text(
        "".join(f"{0.1 + 0.05 * i:.3f} {1e6 / (1 + i)}\n" for i in range(40)), encoding="utf-8"
    )
    assert xy.read(path, "xrd").attrs["scan_kind"] == "reflectivity"
    with pytest.raises(ReadError, match="reflectivity"):
        readers.read(path, "xrd", declared=True)


@pytest.mark.parametrize(
    "text",
    [
        "".join(
            f"{1e5 / 1.2**i:.4g}\t{10 + i}\t{-i}\n" for i in range(40)
        ),  # EIS: frequency decreasing
        "".join(f"{i * 0.5}\t{3 + i * 0.01}\t{i * 1e-6}\t1\n" for i in range(40)),  # CV: 4 columns
        "".join(f"{i * 0.5}\t{3 + i * 0.01}\n" for i in range(10)),  # too few rows
        "".join(f"{100 + 2 * i}\t{i}\n" for i in range(40)),  # beyond 160°
        "".join(
            f"{10 + 0.02 * i + (0.3 if i % 2 else 0):.3f}\t{i}\n" for i in range(40)
        ),  # irregular grid
        "_FILEVERSION=2\n_2THETACOUNTS\n"
        + "".join(f"{10 + 0.02 * i:.2f}\t{i}\n" for i in range(40)),
        "#FORMAT : EMSA/MAS Spectral Data File\n"
        + "".join(f"{0.01 * i:.2f}, {i}\n" for i in range(40)),
    ],
    ids=["eis", "cv", "short", "angle-range", "irregular", "uxd", "emsa"],
)
def test_sniff_refuses_what_is_not_a_2theta_scan(tmp_path, text):
    path = tmp_path / "table.txt"
    path.write_text(text, encoding="utf-8")
    assert not xy.sniff(path, path.read_bytes())


def test_ragged_rows_are_refused(tmp_path):
    path = tmp_path / "ragged.xy"
    path.write_text("10.0 5\n10.1 6 7\n10.2 5\n", encoding="utf-8")
    with pytest.raises(ReadError, match=r"ragged\.xy.*2 or 3 numbers"):
        xy.read(path, "xrd")


def test_angle_out_of_range_names_the_line(tmp_path):
    path = tmp_path / "wide.xy"
    path.write_text("# header\n150 5\n170 6\n", encoding="utf-8")
    with pytest.raises(ReadError, match=r"wide\.xy, line 3.*0–160"):
        xy.read(path, "xrd")
