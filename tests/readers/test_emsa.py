"""The EMSA/MAS reader: real .msa files checked by hand, folders of spectra as EELS lines."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from interphase import datasets
from interphase.errors import ReadError
from interphase.readers import _text, detect, emsa, read
from tests.conftest import real_file

HEADER = """#FORMAT      : EMSA/MAS Spectral Data File
#VERSION     : 1.0
#TITLE       : test
#NPOINTS     : {n}.00
#NCOLUMNS    : 1.00000
#XUNITS      : eV
#YUNITS      : Counts
#DATATYPE    : Y
#XPERCHAN    : {disp}
#OFFSET      : {offset}
#SIGNALTYPE  : {signal}
#BEAMKV   -kV: 200.0
{extra}#SPECTRUM    :{space}
"""


def write_msa(
    path: Path, values, *, disp=0.5, offset=600.0, signal="ELS", extra="", space=" "
) -> Path:
    """A small Y-only EMSA file."""
    text = HEADER.format(
        n=len(values), disp=disp, offset=offset, signal=signal, extra=extra, space=space
    )
    text += "\n".join(str(v) for v in values) + "\n#ENDOFDATA   : \n"
    path.write_text(text, encoding="latin-1")
    return path


# --- real files, values read by hand from the files -------------------------------------


def test_real_mn_core_loss_spectrum_has_2048_channels_from_360_eV():
    path = real_file("tem/msa_eels/exspy_coreloss_spectrum_MnL23_OK.msa")
    ds = read(path, "eels_line")
    datasets.validate(ds, "eels_line")
    assert ds.sizes == {"distance": 1, "energy_loss": 2048}
    assert ds["distance"].values.tolist() == [0.0]
    assert ds["energy_loss"].values[0] == pytest.approx(360.0)
    assert ds["energy_loss"].values[-1] == pytest.approx(360.0 + 0.2 * 2047)
    assert ds["intensity"].values[0, :2].tolist() == [47179.0, 47304.0]  # lines 14-15
    assert ds["intensity"].values[0, -1] == 12924.0  # last line before #ENDOFDATA
    assert ds.attrs["dispersion_eV"] == pytest.approx(0.2)
    assert math.isnan(ds.attrs["beam_energy_keV"])  # no BEAMKV in this file
    assert ds.attrs["npoints_header"] == "2048.0"  # '#NPOINTS : 2048.00', a float
    assert ds.attrs["reader_notes"] == ""


def test_real_low_loss_spectrum_has_a_negative_offset_and_a_date():
    ds = read(real_file("tem/msa_eels/exspy_lowloss_spectrum.msa"), "eels_line")
    assert ds.sizes["energy_loss"] == 2048
    assert ds["energy_loss"].values[0] == pytest.approx(-40.0)
    assert ds["energy_loss"].values[-1] == pytest.approx(369.4)
    assert ds["intensity"].values[0, :3].tolist() == [35.0, 23.0, 20.0]
    assert ds.attrs["start_time"] == "2012-09-04T23:14:00"


def test_real_xy_example_keeps_all_21_rows_and_its_own_energies():
    """NPOINTS says 20 but there are 21 rows; X values are not uniform (563.47 -> 565.79)."""
    ds = read(real_file("tem/msa_eels/rsciio_example1_EMSA-spec_NiO_OK.msa"), "eels_line")
    energy = ds["energy_loss"].values
    assert energy.size == 21
    assert energy[0] == pytest.approx(520.13) and energy[-1] == pytest.approx(580.50)
    assert energy[15] == pytest.approx(565.79)  # not 520.13 + 15 * 3.1 = 566.63
    assert ds["intensity"].values[0, 15] == 5034.0
    assert "NPOINTS says 20 but the file holds 21 values" in ds.attrs["reader_notes"]
    assert ds.attrs["beam_energy_keV"] == 120.0  # '#BEAMKV   -kV: 120.0'
    assert ds.attrs["convergence_angle_mrad"] == 1.5  # '#CONVANGLE-mR: 1.5'
    assert ds.attrs["collection_angle_mrad"] == 3.4  # '#COLLANGLE-mR: 3.4 '
    assert ds.attrs["title"] == "NIO EELS OK SHELL"


@pytest.mark.parametrize(
    "name", ["nexl_IIIE_K412_0_4.msa", "rsciio_example2_EMSA-spec_NiO_EDS.msa"]
)
def test_real_edx_spectra_are_refused_for_eels_line(name):
    path = real_file(f"tem/msa_edx/{name}")
    assert emsa.sniff(path, path.read_bytes()[:65536])
    with pytest.raises(ReadError, match="SIGNALTYPE EDS"):
        read(path, "eels_line")


def test_real_edx_header_quirks_parse():
    """'2.0 E-06' with a space, unit suffixes and user keys come through the header."""
    spectrum = emsa.read_spectrum(real_file("tem/msa_edx/rsciio_example2_EMSA-spec_NiO_EDS.msa"))
    assert spectrum.counts.size == 80
    assert _text.loose_number(spectrum.header["TAUWIND"][0]) == pytest.approx(2.0e-6)
    assert spectrum.header["TAUWIND"][1] == "cm"
    assert spectrum.header["ALPHA"][0] == "3.1415926535"  # '##ALPHA-1' user key
    trailing = emsa.read_spectrum(real_file("tem/msa_edx/nexl_IIIE_K412_0_4.msa"))
    assert trailing.counts.size == 4096 and trailing.counts[:3].tolist() == [4.0, 4.0, 6.0]  # '4, '


# --- folders: one spectrum a position ------------------------------------------------------


def test_folder_positions_from_header_are_sorted(tmp_path):
    for x, v in [(6.0, 3), (0.0, 1), (3.0, 2)]:
        write_msa(tmp_path / f"s{int(v)}.msa", [v] * 5, extra=f"##POSITION -nm: {x}\n")
    ds = read(tmp_path, "eels_line")
    assert ds["distance"].values.tolist() == [0.0, 3.0, 6.0]
    assert ds["intensity"].values[:, 0].tolist() == [1.0, 2.0, 3.0]
    assert ds.attrs["position_source"] == "header ##POSITION"
    assert ds.attrs["beam_energy_keV"] == 200.0


def test_folder_positions_from_file_names_with_units(tmp_path):
    write_msa(tmp_path / "pos_012.5nm.msa", [2] * 4)
    write_msa(tmp_path / "pos_0.01um.msa", [1] * 4)
    ds = read(tmp_path, "eels_line")
    assert ds["distance"].values.tolist() == pytest.approx([10.0, 12.5])
    assert ds.attrs["position_source"] == "file name"


def test_header_position_in_micrometres(tmp_path):
    write_msa(tmp_path / "a.msa", [1] * 4, extra="##POSITION -um: 0.02\n")
    write_msa(tmp_path / "b.msa", [1] * 4, extra="##POSITION -um: 0.0\n")
    assert read(tmp_path, "eels_line")["distance"].values.tolist() == pytest.approx([0.0, 20.0])


def test_bare_index_names_are_refused(tmp_path):
    write_msa(tmp_path / "spectrum_001.msa", [1] * 4)
    write_msa(tmp_path / "spectrum_002.msa", [1] * 4)
    with pytest.raises(ReadError, match="##POSITION"):
        read(tmp_path, "eels_line")


def test_a_spectrum_on_another_energy_axis_is_named(tmp_path):
    write_msa(tmp_path / "p_0nm.msa", [1] * 6)
    write_msa(tmp_path / "p_3nm.msa", [1] * 6)
    write_msa(tmp_path / "p_6nm.msa", [1] * 6, offset=601.0)
    with pytest.raises(ReadError) as info:
        read(tmp_path, "eels_line")
    assert info.value.path.endswith("p_6nm.msa")
    assert "601-603.5 eV" in info.value.message


def test_duplicate_positions_are_refused(tmp_path):
    write_msa(tmp_path / "a.msa", [1] * 4, extra="##POSITION -nm: 3.0\n")
    write_msa(tmp_path / "b.msa", [1] * 4, extra="##POSITION -nm: 3.0\n")
    with pytest.raises(ReadError, match="one spectrum a position"):
        read(tmp_path, "eels_line")


def test_an_eds_spectrum_in_a_folder_is_refused_by_name(tmp_path):
    write_msa(tmp_path / "p_0nm.msa", [1] * 4)
    write_msa(tmp_path / "p_3nm.msa", [1] * 4, signal="EDS")
    with pytest.raises(ReadError) as info:
        read(tmp_path, "eels_line")
    assert info.value.path.endswith("p_3nm.msa")


def test_spectrum_line_without_space_falls_back_to_the_tolerant_parser(tmp_path):
    """rsciio splits header lines on ': ' and misses '#SPECTRUM    :' with nothing after it."""
    path = write_msa(tmp_path / "x.msa", [5, 6, 7], space="")
    spectrum = emsa.read_spectrum(path)
    assert spectrum.parser == "interphase"
    assert spectrum.counts.tolist() == [5.0, 6.0, 7.0]
    assert spectrum.energy.tolist() == [600.0, 600.5, 601.0]


def test_utf8_bom_and_crlf_are_read(tmp_path):
    path = write_msa(tmp_path / "x.msa", [5, 6, 7])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    ds = read(path, "eels_line")
    assert ds["intensity"].values[0].tolist() == [5.0, 6.0, 7.0]


def test_sniff_and_detection(tmp_path):
    folder = tmp_path / "line"
    folder.mkdir()
    write_msa(folder / "p_0nm.msa", [1] * 4)
    assert emsa.sniff(folder, b"")
    assert detect(folder, "eels_line") is emsa
    assert not emsa.sniff(tmp_path / "other.txt", b"2theta,counts\n10,5\n")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert not emsa.sniff(empty, b"")
    assert np.isnan(read(folder / "p_0nm.msa", "eels_line").attrs["convergence_angle_mrad"])
