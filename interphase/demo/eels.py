"""Demo STEM-EELS lines across the NMC111 | LATP interface: Mn and Co L2,3 edges, known L3/L2.

Geometry (shared with :mod:`interphase.demo.edx`): each line runs from the NMC film
(distance 0) into LATP, 0-120 nm, here every 3 nm (41 spectra). Mn and Co concentrations
fall with the EDX demo's erf profiles: centre ``INTERFACE_NM[sample]`` (60.0 nm at 700 °C,
58.0 nm at 900 °C), 10-90 % width ``WIDTH_NM[sample][element]`` (~30 nm).

Spectra: 600-850 eV at 0.5 eV/channel (501 channels; Mn L2,3 at 640/651 eV and Co L2,3 at
779/794 eV with their post-edge continua; Ni L3 at 855 eV is out of range, so Ni is
not measurable), 200 kV. Each spectrum is

- a power-law background ``B·(E/600 eV)^-2.8`` (the O K edge tail and lower edges), B = 8000
  counts/channel, the same everywhere (constant thickness);
- per element, a continuum: Pearson's arctan double step (steps at the L3 and L2 maxima,
  heights 2:1, 0.7 eV wide) of height ``STEP[el]·c(x)``, falling past the L2 maximum as
  (E/E_L2)^-CONTINUUM_EXPONENT (an ionisation edge's intensity falls with energy loss above
  its threshold, like the background but more slowly near it: R. F. Egerton, *Electron
  Energy-Loss Spectroscopy in the Electron Microscope*, 3rd ed., 2011, Sec. 3.6), so it
  lies under the next edge too. The analysis scales a flat step to its post-edge window: on
  this continuum it is a model that does not fit exactly, as on a real spectrum;
- Gaussian white lines (instrument-broadened; FWHM L3 2.5/2.8 eV, L2 3.2/3.5 eV for Mn/Co,
  L2 broader by its Coster-Kronig decay) at WHITE_LINES_EV, holding
  ``WHITE_LINE_AREA[el]·c(x)`` counts shared as L3/L2 = ``l3_l2(sample, el, x)`` (the total
  is kept: the d-hole count changes little between Co3+ and Co2+);
- optionally (``t_over_lambda`` > 0; the committed demo is single scattering) plural
  scattering: the spectrum convolved with the inelastic part of a low-loss spectrum made as
  a Poisson sum of plasmon peaks (Egerton 2011, Sec. 3.7 and 4.3: P_n = exp(-t/λ)
  (t/λ)^n/n!, the n-fold self-convolution of one plasmon's shape), which
  :func:`low_loss` also writes out with its zero-loss peak;
- Poisson noise (film: ~4000-8000 counts/channel in the background, up to ~17000 at the
  Mn L3 maximum).

The true L3/L2 (ratio of the Gaussian areas), for the two valences of NMC111 (Ni2+, Co3+,
Mn4+):

- Mn4+: 2.0 at both temperatures, all along the line (MnO2 / Mn4+ L3/L2 ≈ 1.9-2.0 with
  Pearson-type windows: Z. L. Wang, J. S. Yin, Y. D. Jiang, Micron 31, 571 (2000), Table 1;
  T. Riedl et al., Ultramicroscopy 106, 284 (2006));
- Co3+: 2.3 in the bulk of both films (LiCoO2 / Co3+ ≈ 2.1-2.5; Co2+ in CoO ≈ 4-5: Wang et al.
  2000, Table 1; H. Kurata, C. Colliex, Phys. Rev. B 48, 2102 (1993));
- NMC-900 only: Co reduced toward Co2+ near the interface (the abstract: Co L3/L2 rises there):
  L3/L2 = 2.3 + 1.4·exp(-(x - x0)²/(2·(5 nm)²)), i.e. 3.7 at the interface and back to ~2.5
  10 nm from it. NMC-700 stays at 2.3.

Files: one EMSA 1.0 .msa per position, in the style of the DigitalMicrograph export
../shared/realdata/tem/msa_eels/exspy_coreloss_spectrum_MnL23_OK.msa (same keys and value
formats: ``#NPOINTS : 501.00``, Y-only integer counts, ``#SIGNALTYPE : ELS``, LF line ends),
plus ``#BEAMKV -kV``, ``#CONVANGLE-mR``, ``#COLLANGLE-mR``, ``#DATE``/``#TIME`` and the
position in the user keyword ``##POSITION -nm`` (EMSA allows user keywords with a unit
suffix) and in the file name (``NMC-700_eels_012.0nm.msa``), in raw_dir/eels/<sample>/.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from scipy.special import erfc

from interphase.demo.edx import INTERFACE_NM, WIDTH_NM
from interphase.interface import WIDTH_10_90_PER_SIGMA

RNG_STREAM = 6  # this module's fixed int for np.random.default_rng([seed, RNG_STREAM])

DISTANCE_NM = np.arange(0.0, 120.0 + 1e-9, 3.0)  # 41 positions, film side first
DEMO_DISPERSION_EV = 0.5
ENERGY_EV = 600.0 + DEMO_DISPERSION_EV * np.arange(501)  # 600-850 eV
BEAM_KV = 200.0
CONVERGENCE_MRAD = 21.0
COLLECTION_MRAD = 35.0
DWELL_MS = 500.0

BACKGROUND_AT_600 = 8000.0  # counts/channel at 600 eV
BACKGROUND_EXPONENT = 2.8
# L3 and L2 white-line maxima (eV) of Mn4+ and Co3+ in oxides, written out here (the demo
# shares nothing with interphase.eels): Z. L. Wang, J. S. Yin, Y. D. Jiang, Micron 31, 571
# (2000), Figs. 2-3; onsets 640/651 and 779/794 eV in the EELS Atlas (Ahn & Krivanek 1983).
WHITE_LINES_EV = {"Mn": (642.5, 653.5), "Co": (780.0, 795.5)}
CONTINUUM_EXPONENT = 2.0
# Low loss: a zero-loss peak ~1 eV wide (a Schottky emitter) and one Drude plasmon near
# 24 eV, 10 eV wide (valence-electron plasmons of oxides lie at ~20-30 eV: Egerton 2011,
# Sec. 3.3; the exact value matters little here).
ZERO_LOSS_FWHM_EV = 1.0
PLASMON_EV = 24.0
PLASMON_WIDTH_EV = 10.0
MAX_PLURAL_ORDER = 8
ELEMENTS = ("Mn", "Co")
STEP = {"Mn": 800.0, "Co": 600.0}  # continuum step (counts/channel) in the film
WHITE_LINE_AREA = {"Mn": 80000.0, "Co": 64000.0}  # L3+L2 counts (summed over channels) in the film
FWHM_EV = {"Mn": (2.5, 3.2), "Co": (2.8, 3.5)}  # L3, L2
STEP_WIDTH_EV = 0.7
CO_REDUCTION = {"NMC-700": 0.0, "NMC-900": 1.4}  # peak rise of Co L3/L2 at the interface
CO_REDUCTION_SIGMA_NM = 5.0

META = {
    "NMC-700": {"date": "21-MAY-2019", "time": "14:05"},
    "NMC-900": {"date": "22-MAY-2019", "time": "09:42"},
}


def _truth(sample: str) -> dict:
    """The known parameters of one demo sample."""
    return {
        "interface_nm": INTERFACE_NM[sample],
        "width_10_90_nm": {el: WIDTH_NM[sample][el] for el in ELEMENTS},
        "L3_L2_bulk": {"Mn": 2.0, "Co": 2.3},
        "L3_L2_interface_peak": {"Mn": 2.0, "Co": 2.3 + CO_REDUCTION[sample]},
        "co_reduction_sigma_nm": CO_REDUCTION_SIGMA_NM,
        "elements_absent": ("Ni",),
        "distance_nm": (0.0, 120.0, 3.0),
        "energy_eV": (600.0, 850.0, 0.5),
    }


TRUTH = {sample: _truth(sample) for sample in INTERFACE_NM}


def concentration(sample: str, element: str, x: np.ndarray) -> np.ndarray:
    """Fraction of the film's concentration of an element at distance x (erf step)."""
    sigma = WIDTH_NM[sample][element] / WIDTH_10_90_PER_SIGMA
    return 0.5 * erfc((np.asarray(x, float) - INTERFACE_NM[sample]) / (math.sqrt(2.0) * sigma))


def l3_l2(sample: str, element: str, x: np.ndarray) -> np.ndarray:
    """The true L3/L2 ratio of an element along the line."""
    x = np.asarray(x, dtype=float)
    bulk = TRUTH[sample]["L3_L2_bulk"][element]
    if element != "Co":
        return np.full(x.shape, bulk)
    z = (x - INTERFACE_NM[sample]) / CO_REDUCTION_SIGMA_NM
    return bulk + CO_REDUCTION[sample] * np.exp(-0.5 * z**2)


def gaussian(energy: np.ndarray, centre: float, fwhm: float, area: float) -> np.ndarray:
    """Counts per channel of a Gaussian line holding ``area`` counts in all (eV axis, uniform)."""
    sigma = fwhm / (2.0 * math.sqrt(2.0 * math.log(2.0)))
    per_channel = float(energy[1] - energy[0])
    return (
        area
        * per_channel
        / (sigma * math.sqrt(2.0 * math.pi))
        * np.exp(-0.5 * ((energy - centre) / sigma) ** 2)
    )


def arctan_step(energy: np.ndarray, at: float) -> np.ndarray:
    """A unit step at ``at`` broadened as an arctan of half-width STEP_WIDTH_EV."""
    return 0.5 + np.arctan((energy - at) / STEP_WIDTH_EV) / math.pi


def continuum(energy: np.ndarray, element: str, height: float) -> np.ndarray:
    """The element's ionisation continuum: a 2:1 double step decaying past the L2 maximum."""
    l3, l2 = WHITE_LINES_EV[element]
    steps = (2.0 / 3.0) * arctan_step(energy, l3) + (1.0 / 3.0) * arctan_step(energy, l2)
    return height * steps * (np.maximum(energy, l2) / l2) ** -CONTINUUM_EXPONENT


def edge_signal(
    energy: np.ndarray, element: str, fraction: float, ratio: float, per_channel: float = 1.0
) -> np.ndarray:
    """Continuum plus white lines of one element, film concentration × fraction."""
    l3, l2 = WHITE_LINES_EV[element]
    area = WHITE_LINE_AREA[element] * fraction
    lines = gaussian(energy, l3, FWHM_EV[element][0], area * ratio / (1.0 + ratio))
    lines += gaussian(energy, l2, FWHM_EV[element][1], area / (1.0 + ratio))
    return continuum(energy, element, per_channel * STEP[element] * fraction) + lines


def single_scattering(sample: str, x: float, energy: np.ndarray) -> np.ndarray:
    """The single-scattering core-loss spectrum (counts/channel) at distance x.

    Background and steps are counts per channel of DEMO_DISPERSION_EV, scaled to the
    channel width of ``energy``; the white lines are given by their areas.
    """
    per_channel = float(energy[1] - energy[0]) / DEMO_DISPERSION_EV
    spectrum = per_channel * BACKGROUND_AT_600 * (energy / 600.0) ** -BACKGROUND_EXPONENT
    for el in ELEMENTS:
        c, r = float(concentration(sample, el, x)), float(l3_l2(sample, el, x))
        spectrum = spectrum + edge_signal(energy, el, c, r, per_channel)
    return spectrum


def plasmon_shape(loss: np.ndarray) -> np.ndarray:
    """One plasmon's Drude loss function (Egerton 2011, Sec. 3.3), per channel, summing to 1."""
    e = np.clip(loss, 0.0, None)
    shape = (
        e
        * PLASMON_EV**2
        * PLASMON_WIDTH_EV
        / ((e**2 - PLASMON_EV**2) ** 2 + (e * PLASMON_WIDTH_EV) ** 2)
    )
    return shape / shape.sum()


def inelastic_kernel(dispersion: float, t_over_lambda: float, span_ev: float) -> np.ndarray:
    """exp(-t/λ) Σ (t/λ)^n/n! P^{*n} on losses 0..span (channel 0 holds the unscattered part)."""
    loss = dispersion * np.arange(int(round(span_ev / dispersion)) + 1)
    single = plasmon_shape(loss)
    kernel = np.zeros(loss.size)
    kernel[0] = 1.0
    term = kernel.copy()
    total = np.zeros(loss.size)
    for n in range(MAX_PLURAL_ORDER + 1):
        total += math.exp(-t_over_lambda) * t_over_lambda**n / math.factorial(n) * term
        term = np.convolve(term, single)[: loss.size]
    return total


def plural(spectrum_of, energy: np.ndarray, t_over_lambda: float) -> np.ndarray:
    """A spectrum with plural scattering: ``spectrum_of(E)`` convolved with the kernel."""
    if t_over_lambda <= 0:
        return spectrum_of(energy)
    dispersion = float(energy[1] - energy[0])
    span = 8.0 * PLASMON_EV
    pad = int(round(span / dispersion))
    wide = energy[0] + dispersion * np.arange(-pad, energy.size)
    kernel = inelastic_kernel(dispersion, t_over_lambda, span)
    return np.convolve(spectrum_of(wide), kernel)[pad : pad + energy.size]


def expected_spectrum(
    sample: str, x: float, energy: np.ndarray = ENERGY_EV, t_over_lambda: float = 0.0
) -> np.ndarray:
    """The noise-free core-loss spectrum (counts/channel) at distance x."""
    return plural(lambda e: single_scattering(sample, x, e), energy, t_over_lambda)


def low_loss(energy: np.ndarray, t_over_lambda: float, electrons: float) -> np.ndarray:
    """Noise-free low-loss spectrum: zero-loss Gaussian and Poisson-summed plasmons (counts)."""
    dispersion = float(energy[1] - energy[0])
    zero = gaussian(energy, 0.0, ZERO_LOSS_FWHM_EV, 1.0)
    span = float(energy[-1] - energy[0])
    kernel = inelastic_kernel(dispersion, t_over_lambda, span)
    return electrons * np.convolve(zero, kernel)[: energy.size]


def msa_text(sample: dict, x: float, counts: np.ndarray, meta: dict) -> str:
    """One EMSA 1.0 file in the DigitalMicrograph export style."""
    label = sample.get("label") or sample["sample"]
    header = [
        ("#FORMAT      ", "EMSA/MAS Spectral Data File"),
        ("#VERSION     ", "1.0"),
        ("#TITLE       ", f"{label} EELS line, {x:.1f} nm"),
        ("#DATE        ", meta["date"]),
        ("#TIME        ", meta["time"]),
        ("#OWNER       ", "interphase demo"),
        ("#NPOINTS     ", f"{ENERGY_EV.size:.2f}"),
        ("#NCOLUMNS    ", "1.00000"),
        ("#XUNITS      ", "eV"),
        ("#YUNITS      ", "Counts"),
        ("#DATATYPE    ", "Y"),
        ("#XPERCHAN    ", f"{ENERGY_EV[1] - ENERGY_EV[0]:.6f}"),
        ("#OFFSET      ", f"{ENERGY_EV[0]:.3f}"),
        ("#SIGNALTYPE  ", "ELS"),
        ("#BEAMKV   -kV", f"{BEAM_KV:.1f}"),
        ("#CONVANGLE-mR", f"{CONVERGENCE_MRAD:.1f}"),
        ("#COLLANGLE-mR", f"{COLLECTION_MRAD:.1f}"),
        ("#INTEGTIME-ms", f"{DWELL_MS:.1f}"),
        ("##POSITION -nm", f"{x:.1f}"),
        ("#SPECTRUM    ", ""),
    ]
    lines = [f"{key}: {value}" for key, value in header]
    lines.extend(str(int(c)) for c in counts)
    lines.append("#ENDOFDATA   : ")
    return "\n".join(lines) + "\n"


def truth_for(sample: dict) -> tuple[str, dict]:
    """The TRUTH entry of a sample: its own, else the demo sample nearest in temperature."""
    name = str(sample["sample"])
    if name in TRUTH:
        return name, TRUTH[name]
    temps = {"NMC-700": 700.0, "NMC-900": 900.0}
    nearest = min(
        temps, key=lambda k: (abs(temps[k] - float(sample["sintering_temperature_C"])), k)
    )
    return nearest, TRUTH[nearest]


def file_name(sample: str, x: float) -> str:
    """'NMC-700_eels_012.0nm.msa'."""
    return f"{sample}_eels_{x:05.1f}nm.msa"


def generate(raw_dir: Path, samples: list[dict], seed: int) -> list[dict]:
    """Write one folder of .msa spectra a sample under raw_dir/eels/; return the sheet rows."""
    rng = np.random.default_rng([seed, RNG_STREAM])
    rows = []
    for sample in samples:
        key, _ = truth_for(sample)
        name = str(sample["sample"])
        folder = Path(raw_dir) / "eels" / name
        folder.mkdir(parents=True, exist_ok=True)
        for x in DISTANCE_NM:
            counts = rng.poisson(expected_spectrum(key, float(x)))
            text = msa_text(sample, float(x), counts, META[key])
            (folder / file_name(name, float(x))).write_bytes(text.encode("ascii"))
        rows.append(
            {
                "measurement": f"{name}_eels",
                "sample": name,
                "technique": "eels_line",
                "file": f"eels/{name}",
                "format": "",
                "potential_V": "",
                "scan_rate_mV_s": "",
            }
        )
    return rows
