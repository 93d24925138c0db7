"""The two probes of issue 17, rebuilt from the demo's NMC-700 4.0 V spectrum.

The demo's true parameters are read from ``interphase.demo.eis.TRUTH`` (a parameter table: the demo
is itself a generator, so no fitter code comes with it); the model is eis_corpus.py's closed form.
Issue 17 reports, with the default two-arc circuit, R_ct x area = 480 +/- 12 and 673 +/- 9 ohm cm2
for a third arc (the liquid | LATP Li+-transfer arc) of 500 and 2 000 ohm, and 367 +/- 4 for a
finite-length Warburg tail instead of the CPE tail, all 'ok', where the truth is 315. It does not
give the arcs' time constants nor the Warburg's; these reproduce its numbers on the demo file's own
noise draw (``--probe-demo``): R||CPE (Q 1e-6, n 0.9; apex 741 Hz) for 500 ohm, (Q 2e-6, n 0.9;
apex 73 Hz) for 2 000 ohm, and R_W 300 ohm, tau 0.4 s. Each probe is fitted

- on the demo file's spectrum with the probe's change added (what a new user tries: the noise is
  the demo file's, 0.3 % of |Z| a part), when the demo can be written and read, and
- on fresh draws of the demo's noise model around the closed-form probe (mean and SD over draws).
"""

from __future__ import annotations

import math
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from benchmarks.eis_corpus import Spectrum, Sweep, Term, impedance, point_times, sweep_frequencies

DEMO_SAMPLE, DEMO_POTENTIAL_V = "NMC-700", 4.0
DEMO_NOISE = 0.003  # of |Z| on each part (interphase/demo/eis.py docstring)
DEMO_SWEEP = Sweep(f_max=1e6, f_min=1e-2, per_decade=10)
# name -> (what the issue reports for R_ct x area, ohm cm2, as text; the change to the demo model)
PROBES = {
    "demo spectrum unchanged": ("315 (truth)", None),
    "third arc 500 ohm (Q 1e-6, n 0.9)": ("480 +/- 12, ok", Term("RQ", (500.0, 1e-6, 0.9))),
    "third arc 2000 ohm (Q 2e-6, n 0.9)": ("673 +/- 9, ok", Term("RQ", (2000.0, 2e-6, 0.9))),
    "finite-length Warburg tail (R_W 300 ohm, tau 0.4 s)": (
        "367 +/- 4, ok",
        Term("Ws", (300.0, 0.4)),
    ),
}


def demo_truth() -> tuple[dict, float]:
    """The demo's true parameters of the NMC-700 4.0 V spectrum, and its electrode area (cm2)."""
    from interphase.demo.eis import AREA_CM2, TRUTH  # a parameter table, no model code

    return dict(TRUTH[DEMO_SAMPLE][DEMO_POTENTIAL_V]), float(AREA_CM2)


def demo_terms(truth: dict) -> tuple[Term, ...]:
    """The demo's circuit R0-p(R1,CPE1)-p(R2,CPE2)-CPE3 as closed-form terms."""
    return (
        Term("R", (truth["R0"],)),
        Term("RQ", (truth["R1"], truth["CPE1_0"], truth["CPE1_1"])),
        Term("RQ", (truth["R2"], truth["CPE2_0"], truth["CPE2_1"])),
        Term("CPE", (truth["CPE3_0"], truth["CPE3_1"])),
    )


def probe_terms(truth: dict, change: Term | None) -> tuple[Term, ...]:
    """The demo model with a probe's change: a third arc before R_ct's, or another tail."""
    terms = demo_terms(truth)
    if change is None:
        return terms
    if change.kind == "RQ":
        return terms[:2] + (change,) + terms[2:]
    return terms[:3] + (change,)


def probe_spectrum(
    name: str, z: np.ndarray, f: np.ndarray, terms, sigma, truth: dict, area: float
) -> Spectrum:
    """A probe as a corpus Spectrum (measured from high to low frequency, as the demo)."""
    info = {"closing": True, "noise": "modulus", "probe": name, "rct_area": truth["R_ct_area"]}
    z_true = impedance(terms, f)
    return Spectrum("probe", 0, f, point_times(f), z, z_true, sigma, terms, truth["R2"], area, info)


def own_noise_probes(seed: int, draws: int) -> list[Spectrum]:
    """Every probe with ``draws`` fresh draws of the demo's noise model."""
    truth, area = demo_truth()
    f = sweep_frequencies(DEMO_SWEEP)
    out = []
    for k, (name, (_, change)) in enumerate(PROBES.items()):
        terms = probe_terms(truth, change)
        z_true = impedance(terms, f)
        sigma = DEMO_NOISE * np.abs(z_true)
        for d in range(draws):
            rng = np.random.default_rng([seed, 900 + k, d])
            z = z_true + sigma * (rng.standard_normal(f.size) + 1j * rng.standard_normal(f.size))
            out.append(probe_spectrum(name, z, f, terms, sigma, truth, area))
    return out


def demo_file_spectrum() -> tuple[np.ndarray, np.ndarray]:
    """Frequency and impedance of the demo's NMC-700 4.0 V file, written and read by interphase."""
    from interphase import readers

    with tempfile.TemporaryDirectory(prefix="eis-probes-") as tmp:
        subprocess.run(
            [sys.executable, "-m", "interphase", "demo", tmp], check=True, capture_output=True
        )
        path = Path(tmp) / "raw" / "eis" / f"{DEMO_SAMPLE}_eis_{DEMO_POTENTIAL_V:.1f}V.mpt"
        ds = readers.read(path, "eis")
    return np.asarray(ds["frequency"].values, float), ds["z_real"].values + 1j * ds["z_imag"].values


def demo_file_probes() -> list[Spectrum]:
    """Every probe as the demo file's spectrum plus the probe's change (the file's own noise)."""
    truth, area = demo_truth()
    f, z_file = demo_file_spectrum()
    z_demo = impedance(demo_terms(truth), f)
    out = []
    for name, (_, change) in PROBES.items():
        terms = probe_terms(truth, change)
        z_true = impedance(terms, f)
        sigma = DEMO_NOISE * np.abs(z_demo)  # the file's noise was drawn on the demo's |Z|
        out.append(probe_spectrum(name, z_file + z_true - z_demo, f, terms, sigma, truth, area))
    return out


def reported(name: str) -> str:
    """What issue 17 reports for a probe."""
    return PROBES[name][0]


def apex_text(change: Term | None) -> str:
    """The apex (Hz) of a probe's third arc, or its Warburg's 1/(2 pi tau)."""
    if change is None:
        return ""
    if change.kind == "RQ":
        r, q, n = change.values
        return f"{(r * q) ** (-1 / n) / (2 * math.pi):.3g} Hz"
    return f"{1 / (2 * math.pi * change.values[1]):.3g} Hz"
