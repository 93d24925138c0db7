"""The EDX line-profile table reader: vendor CSV/TSV exports in, the edx_line layout out."""

from __future__ import annotations

import numpy as np
import pytest

from interphase import datasets
from interphase.errors import ReadError
from interphase.readers import edx_table
from tests.conftest import real_file


def write(tmp_path, name: str, text: str, encoding: str = "utf-8", bom: bool = False):
    """Write a test table and return its path."""
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


def read(path):
    """Read with the reader and check the layout, as the registry does."""
    ds = edx_table.read(path, "edx_line")
    datasets.validate(ds, "edx_line")
    return ds


def sniffed(path) -> bool:
    """The reader's sniff on the file's first 64 KiB."""
    return edx_table.sniff(path, path.read_bytes()[: 1 << 16])


VELOX_LIKE = (
    "Velox line profile\r\n"
    "Date,2020-01-02\r\n"
    "\r\n"
    "Distance (nm),O (at%),Ni (at%),Co (at%),Ti (at%)\r\n"
    "0,66.1,11.2,11.0,0.1\r\n"
    "2.5,66.3,11.0,10.9,0.2\r\n"
    "5,70.2,0.3,0.2,10.1\r\n"
)


def test_comma_csv_with_bom_gives_atomic_percent_in_nm(tmp_path):
    ds = read(write(tmp_path, "a.csv", VELOX_LIKE, bom=True))
    assert list(ds["element"].values) == ["O", "Ni", "Co", "Ti"]
    assert ds["distance"].values.tolist() == [0.0, 2.5, 5.0]
    assert ds["composition"].attrs["units"] == "percent"
    assert ds.attrs["composition_kind"] == "atomic_percent"
    assert ds["composition"].sel(element="Co").values.tolist() == [11.0, 10.9, 0.2]
    assert ds.attrs["distance_reversed"] == 0
    assert ds.attrs["start_time"] == "2020-01-02"


def test_tab_decimal_comma_micrometre_cp1252(tmp_path):
    text = (
        "Software\tESPRIT 2.3\r\n"
        "Position [µm]\tO K (Atomic %)\tMn K (Atomic %)\tP K (Atomic %)\t\r\n"
        "0,0000\t66,50\t11,10\t0,00\t\r\n"
        "0,0015\t66,70\t11,00\t0,05\t\r\n"
        "0,0030\t70,00\t0,10\t17,60\t\r\n"
    )
    ds = read(write(tmp_path, "b.txt", text, encoding="cp1252"))
    np.testing.assert_allclose(ds["distance"].values, [0.0, 1.5, 3.0])
    assert ds["composition"].sel(element="P").values.tolist() == [0.0, 0.05, 17.6]
    assert ds.attrs["distance_unit_in_file"] == "µm"
    assert ds.attrs["encoding"] == "cp1252"
    assert ds.attrs["software"] == "ESPRIT 2.3"


def test_semicolon_unitless_columns_summing_to_100_are_atomic_percent(tmp_path):
    text = "Distance [Å];O;Co;P\n0;66,7;33,3;0\n10;66,7;33,3;0\n20;70,0;0,0;30,0\n"
    ds = read(write(tmp_path, "c.csv", text))
    assert ds.attrs["composition_kind"] == "atomic_percent"
    np.testing.assert_allclose(ds["distance"].values, [0.0, 1.0, 2.0])


def test_count_columns_give_counts_and_error_columns_are_skipped(tmp_path):
    text = (
        "Position (nm),Co Ka (counts),Co Ka sigma,Ti Ka (counts),Total\n"
        "0,1200,35,10,1210\n1,1190,34,12,1202\n2,15,4,900,915\n"
    )
    ds = read(write(tmp_path, "d.csv", text))
    assert list(ds["element"].values) == ["Co", "Ti"]
    assert ds["composition"].attrs["units"] == "count"
    assert ds.attrs["composition_kind"] == "counts"
    assert ds["composition"].sel(element="Ti").values.tolist() == [10.0, 12.0, 900.0]


def test_percent_columns_win_over_count_columns(tmp_path):
    text = "Distance (nm),Co (at%),Co (counts),Ti (at%),Ti (counts)\n0,30,3000,0,5\n1,0,8,30,2900\n"
    ds = read(write(tmp_path, "e.csv", text))
    assert ds["composition"].attrs["units"] == "percent"
    assert ds["composition"].sel(element="Co").values.tolist() == [30.0, 0.0]


def test_weight_percent_columns_beside_atomic_percent_are_ignored(tmp_path):
    text = (
        "Distance (nm),O Wt%,O Atomic %,Co Wt%,Co Atomic %\n"
        "0,24.4,66.7,75.6,33.3\n1,24.4,66.7,75.6,33.3\n"
    )
    ds = read(write(tmp_path, "aztec.csv", text))
    assert ds["composition"].sel(element="Co").values.tolist() == [33.3, 33.3]
    assert ds.attrs["ignored_columns"] == "O Wt%, Co Wt%"


def test_line_from_electrolyte_into_film_is_turned_round(tmp_path):
    ni = [0, 1, 0, 1, 0, 9, 10, 11, 10, 11]
    rows = "".join(f"{10 * i},{11 - v},{v}\n" for i, v in enumerate(ni))
    ds = read(write(tmp_path, "f.csv", "Distance (nm),Ti (at%),Ni (at%)\n" + rows))
    assert ds.attrs["distance_reversed"] == 1
    assert ds["distance"].values.tolist() == [10.0 * i for i in range(10)]
    assert ds["composition"].sel(element="Ni").values.tolist() == ni[::-1]


def test_line_without_a_clear_step_is_kept_as_measured(tmp_path):
    rows = "".join(f"{10 * i},{10 + i % 2},{1 + i % 2}\n" for i in range(10))
    ds = read(write(tmp_path, "g.csv", "Distance (nm),Ti (at%),Ni (at%)\n" + rows))
    assert ds.attrs["distance_reversed"] == 0


def test_descending_distances_are_sorted_film_first(tmp_path):
    text = "Distance (nm),Ti (at%),Ni (at%)\n20,10,0\n10,5,5\n0,0,11\n"
    ds = read(write(tmp_path, "g.csv", text))
    assert ds["distance"].values.tolist() == [0.0, 10.0, 20.0]
    assert ds["composition"].sel(element="Ni").values.tolist() == [11.0, 5.0, 0.0]
    assert ds.attrs["distance_reversed"] == 0


def test_non_numeric_cell_names_line_and_column(tmp_path):
    text = "Distance (nm),O (at%),Co (at%)\n0,66,11\n1,66,n.d.\n"
    with pytest.raises(ReadError, match=r"line 3, column 3 'Co \(at%\)'.*'n\.d\.'"):
        read(write(tmp_path, "h.csv", text))


def test_missing_distance_column_is_a_read_error(tmp_path):
    text = "Point,O (at%),Co (at%)\n1,66,11\n2,66,11\n"
    with pytest.raises(ReadError, match=r"line 1: expected a distance column"):
        read(write(tmp_path, "i.csv", text))


def test_no_element_columns_is_a_read_error(tmp_path):
    text = "Distance (nm),Intensity\n0,5\n1,6\n"
    with pytest.raises(ReadError, match="two or more element columns"):
        read(write(tmp_path, "j.csv", text))


def test_unknown_units_are_read_errors(tmp_path):
    weight = "Distance (nm),O (wt%),Co (wt%)\n0,30,50\n1,30,50\n"
    with pytest.raises(ReadError, match=r"line 1, column 2 'O \(wt%\)'.*'wt%'"):
        read(write(tmp_path, "k.csv", weight))
    furlong = "Distance (furlong),O (at%),Co (at%)\n0,66,11\n1,66,11\n"
    with pytest.raises(ReadError, match=r"column 1 'Distance \(furlong\)'.*'furlong'"):
        read(write(tmp_path, "l.csv", furlong))


def test_short_row_names_its_line(tmp_path):
    text = "Distance (nm),O (at%),Co (at%)\n0,66,11\n1,66\n"
    with pytest.raises(ReadError, match=r"line 3: expected 3 comma-separated cells"):
        read(write(tmp_path, "m.csv", text))


def test_sniff_accepts_a_profile_table(tmp_path):
    assert sniffed(write(tmp_path, "n.csv", VELOX_LIKE, bom=True))


def test_registry_detects_the_table_by_content(tmp_path):
    from interphase import readers

    path = write(tmp_path, "profile.dat", VELOX_LIKE, bom=True)
    assert readers.detect(path, "edx_line") is edx_table


def test_sniff_refuses_tables_without_a_length_unit_or_composition_units(tmp_path):
    assert not sniffed(write(tmp_path, "o.csv", "x,I/mA,P/W\n0,1,2\n"))
    assert not sniffed(write(tmp_path, "p.csv", "Distance (s),O (at%),Co (at%)\n0,1,2\n"))


@pytest.mark.parametrize(
    "relative",
    [
        "tem/msa_edx/nexl_IIIE_K412_0_4.msa",
        "tem/msa_edx/rsciio_example2_EMSA-spec_NiO_EDS.msa",
        "tem/dm_edx/rsciio_test-EDS_spectrum.dm3",
        "xrd/panalytical_csv/yadg_210520step1_30min.csv",
        # 'x', 'I Range', 'P/W' columns: no length unit, no element in a composition unit
        "electrochem/battery/biologic_mpt/yadg_mb_issue95_de_decimalcomma.mpt",
    ],
)
def test_sniff_refuses_single_spectra_and_other_tables(relative):
    assert not sniffed(real_file(relative))


@pytest.mark.parametrize("end", ["\r\r\n", "\r"], ids=["CRCRLF", "CR"])
def test_cr_cr_lf_and_lone_cr_line_ends_read_like_crlf(tmp_path, end):
    reference = read(write(tmp_path, "crlf.csv", VELOX_LIKE))
    ds = read(write(tmp_path, "other.csv", VELOX_LIKE.replace("\r\n", end)))
    assert ds["distance"].values.tolist() == [0.0, 2.5, 5.0]
    assert ds["composition"].sel(element="Ti").values.tolist() == [0.1, 0.2, 10.1]
    assert ds.attrs["header_line"] == reference.attrs["header_line"] == 4
    assert ds.identical(reference)
