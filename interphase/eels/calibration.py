"""Energy calibration of an EELS line: the shift that puts each edge's L3 maximum on the table.

Spectra without a zero-loss reference are often a few eV off; each element's windows are
moved by the offset of the line-summed L3 maximum from the table's (at most 8 eV, and only
when that maximum stands clear of the noise; ``energy_shift`` in the fit dataset).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from scipy.signal import find_peaks

from interphase.eels.edges import Edge
from interphase.eels.integration import fit_power_law, power_law, window_mask

# The L3 maximum is looked for this far (eV) from the table's; EELS spectra are often off by
# a few eV without a zero-loss reference (the exspy Mn example by ~5 eV).
MAX_SHIFT_EV = 8.0
MIN_ALIGN_SNR = 10.0
# The L3 maximum is the first local maximum reaching this fraction of the window's highest point.
FIRST_PEAK_FRACTION = 1.0 / 3.0
# ... and standing this many Poisson standard deviations above the dips beside it.
PEAK_PROMINENCE = 5.0


def shifted(e: Edge, shift: float) -> Edge:
    """The edge with every energy moved by ``shift`` eV (an energy-calibration offset)."""

    def move(w: tuple[float, float]) -> tuple[float, float]:
        """A window moved by the shift."""
        return (w[0] + shift, w[1] + shift)

    return replace(
        e,
        l3_onset=e.l3_onset + shift,
        l2_onset=e.l2_onset + shift,
        l3_max=e.l3_max + shift,
        l2_max=e.l2_max + shift,
        pre=move(e.pre),
        l3=move(e.l3),
        l2=move(e.l2),
        post=move(e.post),
    )


def first_peak(smooth: np.ndarray, idx: np.ndarray, noise: np.ndarray) -> int:
    """Index of the lowest-energy peak in idx reaching FIRST_PEAK_FRACTION of the highest point.

    A peak (scipy.signal.find_peaks) must stand PEAK_PROMINENCE times its noise above the
    dips on either side, so noise wiggles on a rising edge do not count.
    """
    values = smooth[idx]
    top = float(np.max(values))
    peaks, props = find_peaks(values, prominence=0.0)
    for n, prominence in zip(peaks, props["prominences"]):
        tall = values[n] >= FIRST_PEAK_FRACTION * top
        if tall and prominence >= PEAK_PROMINENCE * noise[idx[n]]:
            return int(idx[n])
    return int(idx[int(np.argmax(values))])


def _boxcar(values: np.ndarray, half: int) -> np.ndarray:
    """Running mean over 2*half+1 channels (same length)."""
    return np.convolve(values, np.ones(2 * half + 1) / (2 * half + 1), mode="same")


def calibration_shift(energy: np.ndarray, total: np.ndarray, e: Edge) -> float:
    """Offset (eV) of the L3 maximum of the line-summed spectrum from the table's, 0 if unclear.

    The white-line maximum is searched within MAX_SHIFT_EV of the tabulated one after the
    power-law background is removed and the spectrum smoothed over ~1 eV; it counts only when
    it stands MIN_ALIGN_SNR Poisson standard deviations above the background. The L3 maximum
    is the lowest-energy local maximum reaching FIRST_PEAK_FRACTION of the window's highest
    point, not that point itself: for Ti4+ (d0) the crystal field splits L3 and L2 into
    t2g and eg peaks and the tallest is L2 eg, ~7 eV above the tabulated L3 (t2g) maximum
    (checked on the SrTiO3 spectrum in ../shared/realdata/tem/dm_eels).
    """
    theta, _, _ = fit_power_law(energy, total, e.pre)
    net = total - power_law(energy, theta)
    step = float(np.median(np.diff(energy))) if energy.size > 1 else 1.0
    half = max(int(round(0.5 / step)), 0)
    smooth = _boxcar(net, half)
    search = window_mask(energy, (e.l3_max - MAX_SHIFT_EV, e.l3_max + MAX_SHIFT_EV))
    if not search.any():
        return 0.0
    idx = np.nonzero(search)[0]
    fine_half = max(int(round(0.25 / step)), 1)
    fine = _boxcar(net, fine_half)
    fine_noise = np.sqrt(np.clip(total, 1.0, None) / (2 * fine_half + 1))
    peak = first_peak(fine, idx, fine_noise)
    noise = math.sqrt(max(float(total[peak]), 1.0) / (2 * half + 1))
    if smooth[peak] < MIN_ALIGN_SNR * noise:
        return 0.0
    return float(energy[peak] - e.l3_max)
