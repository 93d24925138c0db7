"""Impedance files holding several sweeps (issue 15.1): every sweep kept, one chosen for the fit.

Multi-sweep files are built here from real single-sweep exports of ../shared/realdata (the
sweep repeated with its impedance scaled by the sweep number, as an instrument looping a
PEIS writes it: cycle number 1..n, each sweep starting again at the top frequency).
"""

from __future__ import annotations

import re
import struct

import numpy as np
import pytest
from galvani import BioLogic

from interphase import datasets, pipeline, readers
from interphase.errors import AnalysisError, ReadError
from interphase.readers import _text, biologic_mpr, gamry, generic_table
from interphase.sheets import read_sheet
from tests.conftest import real_file

PEIS_MPT = "electrochem/eis/biologic_mpt/yadg_peis.mpt"
PEIS_MPR = "electrochem/eis/biologic_mpr/yadg_peis.mpr"
GAMRY_EIS = "electrochem/eis/gamry_dta/impedancepy_exampleDataGamry.DTA"
ZPLOT = "electrochem/eis/zplot_z/impedancepy_exampleDataZPlot.z"


def mpt_of_sweeps(tmp_path, scales, *, drop_last=0, numbered=True):
    """The real PEIS .mpt repeated once a scale (Re(Z) times the scale), cycle number 1..n."""
    lines = _text.split_lines(real_file(PEIS_MPT).read_bytes().decode("cp1252"))
    count = int(re.search(r"\d+", lines[1]).group())
    names = lines[count - 1].split("\t")
    j_re, j_cycle = names.index("Re(Z)/Ohm"), names.index("cycle number")
    rows = []
    for k, scale in enumerate(scales, start=1):
        sweep = lines[count:]
        for line in sweep[: len(sweep) - drop_last] if k == len(scales) else sweep:
            cells = line.split("\t")
            cells[j_re] = f"{float(cells[j_re]) * scale:.7E}"
            cells[j_cycle] = f"{k if numbered else 1:.15E}"
            rows.append("\t".join(cells))
    path = tmp_path / "peis_looped.mpt"
    path.write_bytes("\r\n".join(lines[:count] + rows).encode("cp1252"))
    return path


def mpr_of_sweeps(tmp_path, scales):
    """The real PEIS .mpr with its data module's records repeated (cycle number 1..n)."""
    raw = real_file(PEIS_MPR).read_bytes()
    dtype = BioLogic.MPRfile(str(real_file(PEIS_MPR))).data.dtype
    pos = len(BioLogic.MPR_MAGIC)
    out = bytearray(raw[:pos])
    while pos < len(raw):
        header = bytearray(raw[pos + 6 : pos + 57])  # after b"MODULE": a v1 module header
        (length,) = struct.unpack_from("<I", header, 35)
        body = raw[pos + 57 : pos + 57 + length]
        if bytes(header[:10]) == b"VMP data  ":
            records = np.frombuffer(body[406:], dtype=dtype)  # data module v3: 406 header bytes
            copies = []
            for k, scale in enumerate(scales, start=1):
                copy = records.copy()
                copy["cycle number"] = k
                copy["Re(Z)/Ohm"] *= scale
                copies.append(copy)
            head = bytearray(body[:406])
            struct.pack_into("<I", head, 0, len(scales) * records.size)
            body = bytes(head) + np.concatenate(copies).tobytes()
            struct.pack_into("<I", header, 35, len(body))
        out += b"MODULE" + bytes(header) + body
        pos += 57 + length
    path = tmp_path / "peis_looped.mpr"
    path.write_bytes(bytes(out))
    return path


def single():
    """The real single-sweep spectrum, as its reader gives it."""
    return readers.read(real_file(PEIS_MPT), "eis")


# --- EC-Lab text and binary ----------------------------------------------------------------


def test_looped_peis_mpt_keeps_every_sweep(tmp_path):
    ds = readers.read(mpt_of_sweeps(tmp_path, [1.0, 2.0, 3.0], drop_last=10), "eis")
    datasets.validate(ds, "eis")
    assert ds.sizes == {"sweep": 3, "point": 32}
    assert ds["sweep"].values.tolist() == [1, 2, 3]
    assert ds["sweep_points"].values.tolist() == [32, 32, 22]
    assert ds["sweep_complete"].values.tolist() == [1, 1, 0]  # the third stops 10 points early
    assert ds.attrs["n_sweeps"] == 3 and ds.attrs["sweep_coordinate"] == "frequency"
    one = single()
    np.testing.assert_allclose(ds["frequency"].values[1], one["frequency"].values)
    np.testing.assert_allclose(ds["z_real"].values[1], 2 * one["z_real"].values, rtol=1e-6)
    np.testing.assert_allclose(ds["z_imag"].values[2, :22], one["z_imag"].values[:22])
    assert np.isnan(ds["frequency"].values[2, 22:]).all()  # padding after the last point
    assert ds["sweep_dc_potential"].attrs["units"] == "V"
    assert ds.attrs["reference_electrode"] == "SCE Saturated Calomel Electrode (0.241 V)"


def test_sweeps_are_found_by_the_frequency_restart_without_a_cycle_number(tmp_path):
    """The error of old: '199998 Hz twice'. Each restart at the top starts a sweep."""
    ds = readers.read(mpt_of_sweeps(tmp_path, [1.0, 2.0], numbered=False), "eis")
    assert ds.sizes["sweep"] == 2
    assert ds["sweep_complete"].values.tolist() == [1, 1]
    assert ds.attrs["sweep_starts"] == "line 71, line 103"  # the column header is line 70


def test_default_is_the_last_complete_sweep(tmp_path):
    clean = readers.read(mpt_of_sweeps(tmp_path, [1.0, 2.0, 3.0], drop_last=10), "eis")
    chosen, note = datasets.select_sweep(clean)
    datasets.validate(chosen, "eis")
    assert note == "sweep 2 of 3 in the file (the last complete one, by default)"
    assert chosen.attrs["sweep_used"] == 2 and chosen.attrs["n_sweeps"] == 3
    one = single()
    np.testing.assert_allclose(chosen["z_real"].values, 2 * one["z_real"].values, rtol=1e-6)
    np.testing.assert_allclose(chosen["frequency"].values, one["frequency"].values)
    assert "sweep" not in chosen.dims and "sweep_points" not in chosen
    # the DC potential of the sweep chosen: its mean <Ewe>, the real file's -3.59 V
    assert chosen.attrs["dc_potential_V"] == pytest.approx(one.attrs["dc_potential_V"])
    assert chosen.attrs["dc_potential_source"] == "mean DC potential of the sweep (sweep 2)"


@pytest.mark.parametrize(
    "requested,used,words",
    [
        ("first", 1, "'first' in measurements.tsv"),
        ("last", 3, "'last' in measurements.tsv); sweep 3 is incomplete (22 of 32 points)"),
        ("3", 3, "as measurements.tsv asks"),
        ("1", 1, "as measurements.tsv asks"),
    ],
)
def test_the_sweep_column_chooses(tmp_path, requested, used, words):
    clean = readers.read(mpt_of_sweeps(tmp_path, [1.0, 2.0, 3.0], drop_last=10), "eis")
    clean.attrs["sweep_requested"] = requested
    chosen, note = datasets.select_sweep(clean)
    assert chosen.attrs["sweep_used"] == used
    assert note.startswith(f"sweep {used} of 3 in the file") and words in note
    np.testing.assert_allclose(
        chosen["z_real"].values[:22], used * single()["z_real"].values[:22], rtol=1e-6
    )


def test_a_sweep_the_file_does_not_hold_is_a_sentence(tmp_path):
    clean = readers.read(mpt_of_sweeps(tmp_path, [1.0, 2.0]), "eis")
    clean.attrs["sweep_requested"] = "4"
    with pytest.raises(AnalysisError) as info:
        datasets.select_sweep(clean)
    message = info.value.message
    assert "column 'sweep' of measurements.tsv" in message
    assert "expected a sweep number from 1 to 2, 'first' or 'last', found '4'" in message


def test_a_single_sweep_file_is_left_alone():
    clean = single()
    same, note = datasets.select_sweep(clean)
    assert same is clean and note == ""
    clean.attrs["sweep_requested"] = "2"
    with pytest.raises(AnalysisError, match="holds one sweep"):
        datasets.select_sweep(clean)


def test_looped_peis_mpr_gives_the_sweeps_of_its_mpt(tmp_path):
    mpr = readers.read(mpr_of_sweeps(tmp_path, [1.0, 2.0]), "eis")
    mpt = readers.read(mpt_of_sweeps(tmp_path, [1.0, 2.0]), "eis")
    assert mpr.attrs["reader"] == biologic_mpr.NAME
    assert mpr.sizes == {"sweep": 2, "point": 32}
    for name in ("frequency", "z_real", "z_imag"):
        np.testing.assert_allclose(mpr[name].values, mpt[name].values, rtol=1e-6)
    assert mpr.attrs["sweep_starts"] == "data point 1, data point 33"
    assert mpr.attrs["reference_electrode"] == "SCE Saturated Calomel Electrode"


# --- other vendors whose files can hold repeated sweeps -----------------------------------


def test_gamry_file_with_two_zcurve_tables(tmp_path):
    text = real_file(GAMRY_EIS).read_bytes().decode("iso-8859-1")
    lines = _text.split_lines(text)
    start = next(i for i, line in enumerate(lines) if line.startswith("ZCURVE\tTABLE"))
    end = next(
        (i for i in range(start + 1, len(lines)) if not lines[i].startswith("\t")), len(lines)
    )
    block = lines[start:end]
    path = tmp_path / "two.DTA"
    path.write_bytes("\r\n".join(lines + block).encode("iso-8859-1"))
    ds = readers.read(path, "eis")
    assert ds.attrs["reader"] == gamry.NAME and ds.sizes["sweep"] == 2
    one = readers.read(real_file(GAMRY_EIS), "eis")
    np.testing.assert_allclose(ds["z_real"].values[1, : one.sizes["frequency"]], one["z_real"])
    assert (
        ds.attrs["sweep_starts"] == f"table ZCURVE, line {start + 4}, table ZCURVE, line {end + 4}"
    )


def test_zplot_file_with_a_repeated_sweep(tmp_path):
    lines = _text.split_lines(real_file(ZPLOT).read_text(encoding="latin-1"))
    end = lines.index("End Comments")
    path = tmp_path / "twice.z"
    path.write_text("\n".join(lines + lines[end + 1 :]) + "\n", encoding="latin-1")
    ds = readers.read(path, "eis")
    assert ds.sizes["sweep"] == 2 and ds["sweep_complete"].values.tolist() == [1, 1]
    assert ds.attrs["sweep_starts"] == f"line {end + 2}, line {len(lines) + 1}"


def test_nova_export_of_two_sweeps_and_a_generic_table_with_a_cycle_column(tmp_path):
    freq = np.logspace(5, -1, 13)
    z = 10.0 + 100.0 / (1 + 1j * 2 * np.pi * freq * 100.0 * 1e-6)  # R0 + R || C, by hand
    nova = "Index;Frequency (Hz);Z' (Ω);-Z'' (Ω);Time (s)\n" + "".join(
        f"{i};{f:.6E};{(k * zz.real):.6E};{-zz.imag:.6E};{i}\n".replace(".", ",")
        for k in (1, 2)
        for i, (f, zz) in enumerate(zip(freq, z))
    )
    path = tmp_path / "nova.txt"
    path.write_text(nova, encoding="utf-8")
    ds = readers.read(path, "eis")
    assert ds.attrs["reader"] == "autolab" and ds.sizes["sweep"] == 2
    np.testing.assert_allclose(ds["z_real"].values[1], 2 * z.real, rtol=1e-6)
    table = "cycle,freq/Hz,Z'/Ohm,-Z''/Ohm\n" + "".join(
        f"{k},{f:.6e},{zz.real:.6e},{-zz.imag:.6e}\n" for k in (1, 2) for f, zz in zip(freq, z)
    )
    path = tmp_path / "table.csv"
    path.write_text(table, encoding="utf-8")
    ds = readers.read(path, "eis")
    assert ds.attrs["reader"] == generic_table.NAME and ds.sizes["sweep"] == 2


def test_conflicting_impedance_at_one_frequency_within_a_sweep_is_still_refused(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("f/Hz,Z'/Ohm,-Z''/Ohm\n100,1,2\n10,3,4\n10,5,6\n1,7,8\n", encoding="utf-8")
    with pytest.raises(ReadError, match="lines 3 and 4: expected one impedance per frequency"):
        readers.read(path, "eis")


# --- measurements.tsv and the workflow -----------------------------------------------------


def test_the_sweep_column_of_measurements_tsv_is_a_number_or_a_word(tmp_path):
    sheet = tmp_path / "measurements.tsv"
    sheet.write_text(
        "measurement\tsample\ttechnique\tfile\tsweep\n"
        "a\tS\teis\ta.mpt\t2\nb\tS\teis\tb.mpt\tlast\nc\tS\teis\tc.mpt\t\n",
        encoding="utf-8",
    )
    rows = [record.get("sweep") for _, record in read_sheet(sheet)]
    assert rows == [2, "last", None]


def test_clean_keeps_every_sweep_and_the_fit_and_summary_say_which_was_used(tmp_path):
    path = mpt_of_sweeps(tmp_path, [1.0, 2.0, 3.0], drop_last=10)
    measurement = {"measurement": "m1", "sample": "S", "technique": "eis", "file": path.name}
    sample = {"sample": "S", "sintering_temperature_C": 700.0, "electrode_area_cm2": 1.0}
    clean = pipeline.clean_measurement(path, {**measurement, "sweep": "first"}, sample)
    assert clean.sizes["sweep"] == 3 and clean.attrs["sweep_requested"] == "first"
    fit = pipeline.fit_measurement(clean, {})
    assert fit.attrs["sweep_used"] == 1 and fit.attrs["n_sweeps"] == 3
    rows = pipeline.summary_rows(fit)
    assert rows and all(
        "sweep 1 of 3 in the file ('first' in measurements.tsv)" in r["note"] for r in rows
    )
