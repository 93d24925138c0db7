"""The EMSA reader for EDX: a folder of .msa X-ray spectra (one a position), kept as measured."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from interphase import datasets
from interphase.edx import quantify as q
from interphase.errors import ReadError
from interphase.readers import detect, emsa, read
from tests.conftest import real_file

K412 = "tem/msa_edx/nexl_IIIE_K412_0_4.msa"
NIO = "tem/msa_edx/rsciio_example2_EMSA-spec_NiO_EDS.msa"
ENERGY = np.arange(2048) * 10.0  # eV
NMC = {"O": 50.0, "Mn": 50 / 3, "Co": 50 / 3, "Ni": 50 / 3, "Al": 0.0, "P": 0.0, "Ti": 0.0}
LATP = {
    "O": 1200 / 17,
    "Mn": 0.0,
    "Co": 0.0,
    "Ni": 0.0,
    "Al": 30 / 17,
    "P": 300 / 17,
    "Ti": 170 / 17,
}


def write_eds(path: Path, counts, *, extra="", beam="#BEAMKV   -kV: 200.0\n") -> Path:
    """A Y-only EMSA EDS file at 10 eV/ch from 0 eV, with CRLF line ends (Windows software)."""
    lines = [
        "#FORMAT      : EMSA/MAS Spectral Data File",
        "#VERSION     : 1.0",
        "#TITLE       : line",
        f"#NPOINTS     : {len(counts)}",
        "#NCOLUMNS    : 1",
        "#XUNITS      : eV",
        "#YUNITS      : counts",
        "#DATATYPE    : Y",
        "#XPERCHAN    : 10.0",
        "#OFFSET      : 0.0",
        "#SIGNALTYPE  : EDS",
    ]
    text = (
        "\r\n".join(lines)
        + "\r\n"
        + beam.replace("\n", "\r\n")
        + extra.replace("\n", "\r\n")
        + "#SPECTRUM    : \r\n"
    )
    text += "".join(f"{int(c)}, \r\n" for c in counts) + "#ENDOFDATA   : \r\n"
    path.write_bytes(text.encode("latin-1"))
    return path


# --- real files, values read by hand ------------------------------------------------------


def folder_of_copies(tmp_path: Path, relative: str, n: int = 2) -> Path:
    """A folder holding ``n`` copies of one real spectrum, named at 2 nm steps (a short line)."""
    raw = real_file(relative).read_bytes()
    for i in range(n):
        (tmp_path / f"spot_{2 * i:03d}nm.msa").write_bytes(raw)
    return tmp_path


def test_real_k412_single_spectrum_is_refused_as_a_line():
    with pytest.raises(ReadError) as info:
        read(real_file(K412), "edx_line")
    assert "a single spectrum (an EDX line needs two or more positions)" in info.value.message
    assert info.value.path.endswith("nexl_IIIE_K412_0_4.msa")


def test_real_k412_spectra_are_kept_as_measured_with_their_metadata(tmp_path):
    ds = read(folder_of_copies(tmp_path, K412), "edx_line")
    datasets.validate(ds, "edx_line")
    assert ds.sizes == {"distance": 2, "energy": 4096}
    assert ds["distance"].values.tolist() == [0.0, 2.0]
    assert ds["counts"].attrs["units"] == "count" and ds["energy"].attrs["units"] == "eV"
    assert ds["energy"].values[0] == pytest.approx(1.63032)  # '#OFFSET : 1.63032'
    assert ds["energy"].values[-1] == pytest.approx(1.63032 + 9.99856 * 4095)
    spectrum = emsa.read_spectrum(real_file(K412))
    np.testing.assert_array_equal(ds["counts"].values[0], spectrum.counts)
    assert ds.attrs["elements_named"] == "O, Mg, Al, Si, Ca, Fe"  # from ##D2STDCMP
    assert ds.attrs["elements_source"] == "header"
    assert ds.attrs["composition_kind"] == "spectra"
    assert ds.attrs["dispersion_eV"] == pytest.approx(9.99856)
    assert ds.attrs["beam_energy_keV"] == 20.0  # '#BEAMKV : 20'
    assert ds.attrs["elevation_angle_deg"] == 35.0
    assert ds.attrs["live_time_s"] == pytest.approx(235.48403)
    assert ds.attrs["detector"] == "SDUTW"
    assert ds.attrs["start_time"] == "2019-05-07T01:51:00"
    assert ds["spectrum_file"].values.tolist() == ["spot_000nm.msa", "spot_002nm.msa"]


def test_real_nio_example_reads_though_too_narrow_to_quantify(tmp_path):
    """80 channels from 200 eV at 10 eV/ch: read as measured (the analysis refuses it)."""
    spectrum = emsa.read_spectrum(real_file(NIO))
    assert spectrum.counts.size == 80
    assert spectrum.energy[0] == 200.0 and spectrum.energy[-1] == 990.0
    assert spectrum.counts[0] == pytest.approx(65.820)  # first data line
    assert emsa._header_float(spectrum, "BEAMKV", {"kv": 1.0}) == 120.0
    ds = read(folder_of_copies(tmp_path, NIO), "edx_line")
    assert ds.sizes == {"distance": 2, "energy": 80}
    assert ds.attrs["beam_energy_keV"] == 120.0


def test_real_eels_spectrum_is_refused_for_edx_line():
    with pytest.raises(ReadError, match="SIGNALTYPE ELS"):
        read(real_file("tem/msa_eels/exspy_coreloss_spectrum_MnL23_OK.msa"), "edx_line")


# --- synthetic folders: one spectrum a position ------------------------------------------


def synthetic_line(folder: Path, fractions, *, seed=3, names="header", extra="") -> list:
    """EDS spectra of NMC/LATP mixtures (fraction of LATP) at 2 nm steps; the counts written."""
    rng = np.random.default_rng(seed)
    written = []
    for i, f in enumerate(fractions):
        truth = {e: (1 - f) * NMC[e] + f * LATP[e] for e in NMC}
        counts = rng.poisson(q.model_spectrum(ENERGY, truth, 200.0, 1e5, 3e4))
        written.append(counts)
        if names == "header":
            write_eds(folder / f"spot{i}.msa", counts, extra=f"##POSITION -nm: {2.0 * i}\n" + extra)
        else:
            write_eds(folder / f"line_{2.0 * i:04.1f}nm.msa", counts, extra=extra)
    return written


def test_folder_of_eds_spectra_is_a_line_of_spectra_as_measured(tmp_path):
    written = synthetic_line(tmp_path, [0.0, 0.1, 0.3, 0.7, 0.9, 1.0])
    ds = read(tmp_path, "edx_line")
    assert detect(tmp_path, "edx_line") is emsa
    datasets.validate(ds, "edx_line")
    assert ds["distance"].values.tolist() == [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
    assert ds.attrs["position_source"] == "header ##POSITION"
    assert ds.attrs["elements_named"] == "" and ds.attrs["beam_energy_keV"] == 200.0
    np.testing.assert_array_equal(ds["counts"].values, np.array(written, dtype=float))
    np.testing.assert_array_equal(ds["energy"].values, ENERGY)
    assert "composition" not in ds


def test_positions_from_file_names_keep_the_measured_order(tmp_path):
    written = synthetic_line(tmp_path, [1.0, 0.5, 0.0], names="file")
    ds = read(tmp_path, "edx_line")
    assert ds.attrs["position_source"] == "file name"
    assert ds["distance"].values.tolist() == [0.0, 2.0, 4.0]  # as measured: not turned round
    assert ds["spectrum_file"].values.tolist() == [
        "line_00.0nm.msa",
        "line_02.0nm.msa",
        "line_04.0nm.msa",
    ]
    np.testing.assert_array_equal(ds["counts"].values[2], written[2])


def test_elements_key_names_the_elements(tmp_path):
    synthetic_line(tmp_path, [0.5, 0.6], extra="##ELEMENTS  : O, P, Ti, Co\n")
    ds = read(tmp_path, "edx_line")
    assert ds.attrs["elements_named"] == "O, P, Ti, Co"
    assert ds.attrs["elements_source"] == "header"


def test_folder_with_an_eels_spectrum_is_refused_by_name(tmp_path):
    synthetic_line(tmp_path, [0.0, 1.0])
    text = (
        (tmp_path / "spot1.msa")
        .read_text(encoding="latin-1")
        .replace("SIGNALTYPE  : EDS", "SIGNALTYPE  : ELS")
    )
    (tmp_path / "spot1.msa").write_text(text, encoding="latin-1")
    with pytest.raises(ReadError) as info:
        read(tmp_path, "edx_line")
    assert info.value.path.endswith("spot1.msa") and "SIGNALTYPE ELS" in info.value.message


def test_folder_of_one_spectrum_is_refused_as_a_line(tmp_path):
    synthetic_line(tmp_path, [0.5])
    with pytest.raises(ReadError, match="an EDX line needs two or more positions"):
        read(tmp_path, "edx_line")


def test_missing_beam_energy_is_nan(tmp_path):
    rng = np.random.default_rng(5)
    for i in range(2):
        counts = rng.poisson(q.model_spectrum(ENERGY, NMC, 200.0, 1e5, 3e4))
        write_eds(tmp_path / f"a_{i}nm.msa", counts, beam="")
    ds = read(tmp_path, "edx_line")
    assert np.isnan(ds.attrs["beam_energy_keV"])


def test_the_reader_takes_no_k_factors():
    """Quantification (and its k-factors) is the EDX analysis's: changing them reruns no read."""
    assert emsa.OPTIONS == ()
