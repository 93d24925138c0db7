"""Files a lab hands over that are not clean exports (issue 15, points 2, 3, 5, 6 and 7).

Extra text columns and overload marks, files of another technique, UTF-16 re-saves, refusals
that must read as one sentence, and rows of NaN or inf: each class on a file of that class,
built here from a real export of ../shared/realdata or written from scratch.
"""

from __future__ import annotations

import zipfile

import numpy as np
import pytest

from interphase import datasets, pipeline, readers
from interphase.errors import ReadError
from interphase.readers import _text, rigaku
from tests.conftest import real_file
from tests.readers.test_contract import CASES

EC = "electrochem"
PEIS_MPT = f"{EC}/eis/biologic_mpt/yadg_peis.mpt"
NOVA_CV = f"{EC}/cv/autolab_nova_txt/chemotion_Cu-TMG2cHexqu2-PF6_comma.txt"
GAMRY_CV = f"{EC}/cv/gamry_dta/chemotion_01_CV.DTA"
CHI_EIS = f"{EC}/eis/chi_txt/impedancepy_exampleDataCHInstruments.txt"
XRDML = "xrd/xrdml/xylib_empyrean.xrdml"
SAMPLE = {"sample": "S", "sintering_temperature_C": 700.0, "electrode_area_cm2": 1.0}

# Text formats and how their vendors encode them (a UTF-16 re-save must read the same).
BINARY = (".mpr", ".raw", ".dm3", ".brml", ".rasx", ".xrdml")  # bytes, zip or XML-declared
ENCODINGS = {"gamry": ("iso-8859-1",), "rigaku": rigaku.ENCODINGS}
TEXT_CASES = [c for c in CASES if not c.refused and not c.path.lower().endswith(BINARY)]


def measurement(path, technique="eis", **extra) -> dict:
    """A measurements.tsv row for ``path``."""
    return {"measurement": "m1", "sample": "S", "technique": technique, "file": path.name, **extra}


def data_values(ds) -> dict:
    """The arrays of a dataset, to compare two reads of the same data."""
    return {name: np.asarray(var.values) for name, var in ds.variables.items()}


# --- 5. encodings ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", TEXT_CASES, ids=[c.path.rsplit("/", 1)[-1] for c in TEXT_CASES])
def test_a_utf16_resave_reads_as_the_original(case, tmp_path):
    """As Windows PowerShell's '>' writes it: UTF-16 LE with a byte-order mark."""
    path = real_file(case.path)
    text = _text.decode(path.read_bytes(), ENCODINGS.get(case.reader, _text.FALLBACKS))
    resaved = tmp_path / path.name
    resaved.write_bytes(text.encode("utf-16"))
    assert resaved.read_bytes()[:2] == b"\xff\xfe"
    original = readers.read(path, case.technique)
    again = readers.read(resaved, case.technique)
    assert again.attrs["reader"] == original.attrs["reader"]
    for name, values in data_values(original).items():
        np.testing.assert_array_equal(data_values(again)[name], values, err_msg=name)


def test_utf16_big_endian_and_the_decoder_order():
    assert _text.decode("µ;1,5".encode("utf-16-be").join([b"\xfe\xff", b""])) == "µ;1,5"
    assert _text.decoded(b"\xef\xbb\xbfa\xb5") == ("aµ", "cp1252")  # BOM, then not UTF-8
    assert _text.decoded("µ".encode("cp1252")) == ("µ", "cp1252")
    assert _text.decoded(b"\x81") == ("\x81", "latin-1")  # not cp1252 either


# --- 6. refusals are one sentence -----------------------------------------------------------


@pytest.mark.parametrize("technique", ["eis", "cv", "xrd", "edx_line", "eels_line"])
def test_an_empty_file_says_so(technique, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(ReadError) as info:
        readers.read(empty, technique)
    assert (
        info.value.message
        == f"{empty}, byte 0: expected an instrument export, found an empty file (0 bytes)"
    )
    named = {"eis": "gamry_dta", "cv": "biologic_mpt", "xrd": "xy"}.get(technique, "emsa")
    with pytest.raises(ReadError, match="empty file"):
        readers.read(empty, technique, format=named)


def test_xml_entity_declarations_are_refused_in_a_sentence(tmp_path):
    text = real_file(XRDML).read_text(encoding="utf-8")
    declaration_end = text.index("?>") + 2
    bomb = '<!DOCTYPE xrdMeasurements [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
    path = tmp_path / "entity.xrdml"
    path.write_text(text[:declaration_end] + bomb + text[declaration_end:], encoding="utf-8")
    with pytest.raises(ReadError) as info:
        readers.read(path, "xrd")
    assert info.value.message == (
        f"{path}, XML document: expected plain XML without entity declarations, "
        "found an XML entity declaration or DTD (not allowed: it can expand without bound)"
    )


def test_a_one_row_cv_needs_more_points(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("E / V, I / mA\n0.1, 0.2\n", encoding="utf-8")
    with pytest.raises(ReadError) as info:
        readers.read(path, "cv", format="generic_table")
    assert info.value.message.endswith(
        "data rows: expected a voltammogram of at least 3 points, found 1"
    )


def test_library_failures_read_as_one_line(tmp_path):
    """A truncated .mpr (galvani) and a damaged .rasx (zip): a sentence, no traceback text."""
    cut = tmp_path / "cut.mpr"
    cut.write_bytes(real_file(f"{EC}/eis/biologic_mpr/yadg_peis.mpr").read_bytes()[:9000])
    with pytest.raises(ReadError) as info:
        readers.read(cut, "eis")
    assert "\n" not in info.value.message and "a damaged or unsupported file" in info.value.message
    rasx = tmp_path / "broken.rasx"
    with zipfile.ZipFile(rasx, "w") as zf:
        zf.writestr("Data0/Profile0.txt", "20.0\tabc\t1\n")
    with pytest.raises(ReadError) as info:
        readers.read(rasx, "xrd")
    assert "Data0/Profile0.txt" in info.value.message and "\n" not in info.value.message


# --- 3. files of another technique ----------------------------------------------------------


def test_chi_chronopotentiometry_declared_as_cv_is_refused(tmp_path):
    lines = _text.split_lines(real_file(CHI_EIS).read_text(encoding="latin-1"))
    header = next(i for i, line in enumerate(lines) if line.startswith("Freq/Hz"))
    body = ["Potential/V, Current/A", ""] + [f"{0.1 * k:.3f}, {1e-6 * k:.3e}" for k in range(20)]
    path = tmp_path / "cp.txt"
    path.write_text("\n".join([lines[0], "Chronopotentiometry", *lines[2:header], *body]) + "\n")
    with pytest.raises(ReadError) as info:
        readers.read(path, "cv")
    assert info.value.message == (
        f"{path}, line 2 (technique): expected a voltammogram (cv), as measurements.tsv "
        "declares, found a CHI 'Chronopotentiometry' record"
    )


# --- 2. auxiliary text columns and overload marks -----------------------------------------


def test_nova_text_columns_are_not_numbers_and_overload_marks_drop_rows(tmp_path):
    """A NOVA CV export with 'Current range' ('1 µA') and an overload column (2 rows marked)."""
    lines = _text.split_lines(real_file(NOVA_CV).read_text(encoding="utf-8"))
    rows = [f"{line},1 µA,{'true' if k in (3, 7) else ''}" for k, line in enumerate(lines[1:])]
    path = tmp_path / "nova_ranges.txt"
    path.write_text("\n".join([lines[0] + ",Current range,Overload", *rows]) + "\n", "utf-8")
    ds = readers.read(path, "cv")
    plain = readers.read(real_file(NOVA_CV), "cv")
    assert ds.sizes["point"] == plain.sizes["point"] - 2
    keep = np.ones(plain.sizes["point"], dtype=bool)
    keep[[3, 7]] = False
    np.testing.assert_array_equal(ds["current"].values, plain["current"].values[keep])
    note = ds.attrs[datasets.QUALITY_NOTE]
    assert note == "2 rows flagged as overloaded by the instrument dropped: line 5, line 9"


def test_gamry_over_column_marks_drop_rows(tmp_path):
    text = real_file(GAMRY_CV).read_bytes().decode("iso-8859-1")
    lines = _text.split_lines(text)
    marked = [i for i, line in enumerate(lines) if line.endswith("...........\t1467.45")][:1]
    assert marked
    lines[marked[0]] = lines[marked[0]].replace("...........", "....c......")
    path = tmp_path / "over.DTA"
    path.write_bytes("\r\n".join(lines).encode("iso-8859-1"))
    ds = readers.read(path, "cv")
    assert ds.sizes["point"] == readers.read(real_file(GAMRY_CV), "cv").sizes["point"] - 1
    assert ds.attrs[datasets.QUALITY_NOTE] == (
        "1 rows flagged as overloaded by the instrument dropped: "
        f"table CURVE1, line {marked[0] + 1}"
    )


# --- 7. rows of NaN or inf -------------------------------------------------------------------


def peis_with_bad_rows(tmp_path, bad: dict[int, str]):
    """The real PEIS .mpt with the Re(Z) cell of some data rows (index: text) replaced."""
    lines = _text.split_lines(real_file(PEIS_MPT).read_bytes().decode("cp1252"))
    for index, text in bad.items():
        cells = lines[70 + index].split("\t")  # line 71 is the first data row
        cells[1] = text
        lines[70 + index] = "\t".join(cells)
    path = tmp_path / "nan.mpt"
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    return path


def test_non_finite_rows_are_dropped_named_and_flag_the_measurement(tmp_path):
    path = peis_with_bad_rows(tmp_path, {4: "NaN", 9: "inf"})
    ds = readers.read(path, "eis")
    assert ds.sizes["frequency"] == 30
    note = "2 rows with non-finite values (NaN or inf) dropped: line 75, line 80"
    assert ds.attrs[datasets.QUALITY_NOTE] == note
    sample = {**SAMPLE, "electrode_area_cm2": 0.001}  # as the file states
    clean = pipeline.clean_measurement(path, measurement(path), sample)
    assert clean.attrs["clean_status"] == "flagged" and clean.attrs["clean_status_note"] == note
    rows = pipeline.summary_rows(pipeline.fit_measurement(clean, {}))
    assert all(r["status"] != "ok" for r in rows)
    assert any(r["status"] == "flagged" and note in r["note"] for r in rows)


def test_too_few_rows_left_is_a_sentence(tmp_path):
    path = tmp_path / "mostly_nan.csv"
    path.write_text("f/Hz,Z'/Ohm,-Z''/Ohm\n100,1,2\n10,nan,4\n1,7,inf\n", encoding="utf-8")
    with pytest.raises(ReadError) as info:
        readers.read(path, "eis")
    assert info.value.message == (
        f"{path}, data rows: expected an impedance spectrum of at least 2 points, found 1 "
        "(2 rows with non-finite values (NaN or inf) dropped: line 3, line 4)"
    )


def test_non_finite_rows_of_a_voltammogram_and_a_scan(tmp_path):
    cv = tmp_path / "cv.csv"
    e = np.concatenate([np.linspace(3.0, 4.0, 11), np.linspace(3.9, 3.0, 10)])
    rows = [f"{v:.3f},{1e-3 * (v - 3.5):.4e}" for v in e]
    rows[5] = "3.500,nan"
    cv.write_text("E / V,I / A\n" + "\n".join(rows) + "\n", encoding="utf-8")
    ds = readers.read(cv, "cv")
    assert ds.sizes["point"] == 20
    assert ds.attrs[datasets.QUALITY_NOTE].endswith("dropped: line 7")
    xy = tmp_path / "scan.xy"
    lines = [f"{10 + 0.02 * k:.2f} {100 + k}" for k in range(30)]
    lines[12] = f"{10 + 0.02 * 12:.2f} nan"
    xy.write_text("\n".join(lines) + "\n", encoding="utf-8")
    scan = readers.read(xy, "xrd")
    assert scan.sizes["two_theta"] == 29
    assert scan.attrs[datasets.QUALITY_NOTE].endswith("dropped: line 13")


def test_a_reflectivity_scan_declared_as_xrd_fails_the_clean_step(tmp_path):
    """readers.read gives the scan (its scan_kind says reflectivity); the clean step refuses it."""
    path = tmp_path / "xrr.xy"
    path.write_text("".join(f"{0.1 + 0.05 * i:.3f} {1e6 / (1 + i)}\n" for i in range(40)))
    assert readers.read(path, "xrd").attrs["scan_kind"] == "reflectivity"
    with pytest.raises(ReadError) as info:
        pipeline.clean_measurement(path, measurement(path, "xrd"), SAMPLE)
    assert info.value.message == (
        f"{path}, scan: expected a diffraction scan, as measurements.tsv declares (technique xrd),"
        " found an X-ray reflectivity scan (2θ 0.1–2.05°)"
    )
