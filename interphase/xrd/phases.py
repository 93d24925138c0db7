"""Phase matching of a 2θ scan: which peaks the expected phases explain, and which are impurities.

``analyse(clean, params)`` finds and fits the peaks (:mod:`interphase.xrd.peaks`), refines a
common zero shift, assigns each peak to the expected phase with a reflection within
``tolerance_deg``, and calls the rest impurity peaks, each with candidate phases ranked by
the distance to the nearest reflection of the other phases of the built-in library
(:mod:`interphase.xrd.references`). ``rows(fit)`` gives the summary rows.

Zero shift: the median offset (peak − nearest expected reflection) of the strongest peaks
that lie within ``tolerance_deg`` + 0.3° of a reflection, recomputed on the peaks then
matched, bounded to ±0.3° (a specimen-displacement/zero error larger than that is not a
shift but a wrong phase); fewer than 3 such peaks → no shift.

Lattice strain (films): a film clamped on a substrate, or slightly off-stoichiometric, has all
its d-spacings scaled by a common 1 + ε, which moves a reflection by Δ2θ ≈ −2 tanθ ε (more at
high angle, so a fixed tolerance would call the high-angle reflections impurities). After the
zero shift, the common shift and one ε per expected phase are refined together by
Gauss-Newton least squares on the peaks matched within ``tolerance_deg`` (model: peak =
shift + 2 arcsin(sin θ_ref / (1 + ε_phase))), re-matching after each step until the matched
set is stable. ε is bounded by ``max_lattice_strain`` (default 0.5 %) and refined only for a
phase with at least :data:`MIN_STRAIN_PEAKS` matched peaks spread in tanθ; it can only grow
out of peaks that already match, so a lone impurity peak cannot pull a phase onto itself.
``max_lattice_strain: 0`` turns it off (zero shift only).
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from interphase.defaults import schema_defaults
from interphase.datasets import variable
from interphase.summary import row
from interphase.xrd import peaks as peakfit
from interphase.xrd import references

MAX_ZERO_SHIFT_DEG = 0.3  # largest zero shift accepted (degrees 2θ)
N_SHIFT_PEAKS = 10  # strongest peaks used to estimate the zero shift
CANDIDATE_MIN_RELATIVE = 5.0  # library reflections weaker than this (%) do not name candidates
N_CANDIDATES = 3  # candidates listed per impurity peak
MIN_STRAIN_PEAKS = 3  # matched peaks a phase needs before its lattice strain is refined
MIN_TAN_SPREAD = 0.05  # smallest spread (max - min) of tanθ over those peaks: else ε and shift are degenerate
STRAIN_ITERATIONS = 8  # Gauss-Newton / re-matching rounds at most


def _params(params: dict) -> dict:
    """The xrd parameters with defaults, validated."""
    p = {**schema_defaults("xrd"), **(params or {})}
    if not p["expected_phases"]:
        raise ValueError("xrd.expected_phases must name at least one phase")
    if not p["tolerance_deg"] > 0 or not p["min_peak_snr"] > 0:
        raise ValueError("xrd.tolerance_deg and xrd.min_peak_snr must be > 0")
    if not 0 <= p["max_lattice_strain"] < 0.05:
        raise ValueError("xrd.max_lattice_strain must be in [0, 0.05)")
    return p


def nearest(positions: np.ndarray, refs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the nearest reference to each position and the signed offset position − reference."""
    if refs.size == 0:
        return np.full(positions.size, -1), np.full(positions.size, np.inf)
    j = np.abs(positions[:, None] - refs[None, :]).argmin(axis=1)
    return j, positions - refs[j]


def zero_shift(positions: np.ndarray, areas: np.ndarray, refs: np.ndarray, tolerance: float) -> tuple[float, float, int]:
    """Common zero shift (deg), its standard error and the number of peaks it rests on."""
    if positions.size == 0 or refs.size == 0:
        return 0.0, math.nan, 0
    _, offset = nearest(positions, refs)
    strong = np.argsort(-areas, kind="stable")[:N_SHIFT_PEAKS]
    near = [i for i in strong if abs(offset[i]) <= tolerance + MAX_ZERO_SHIFT_DEG]
    if len(near) < 3:
        return 0.0, math.nan, len(near)
    shift = float(np.clip(np.median(offset[near]), -MAX_ZERO_SHIFT_DEG, MAX_ZERO_SHIFT_DEG))
    _, offset = nearest(positions - shift, refs)
    matched = np.abs(offset) <= tolerance
    if matched.sum() < 3:
        return 0.0, math.nan, int(matched.sum())
    shift = float(np.clip(shift + np.median(offset[matched]), -MAX_ZERO_SHIFT_DEG, MAX_ZERO_SHIFT_DEG))
    _, offset = nearest(positions - shift, refs)
    res = offset[np.abs(offset) <= tolerance]
    stderr = 1.2533 * float(np.std(res, ddof=1)) / math.sqrt(res.size) if res.size > 1 else math.nan
    return shift, stderr, int(res.size)


def strained(two_theta: np.ndarray, strain: np.ndarray | float) -> np.ndarray:
    """2θ (deg) of reflections at ``two_theta`` when every d-spacing is scaled by 1 + strain (Bragg)."""
    s = np.sin(np.radians(np.asarray(two_theta, dtype=float)) / 2.0) / (1.0 + np.asarray(strain, dtype=float))
    return np.degrees(2.0 * np.arcsin(np.clip(s, -1.0, 1.0)))


def strain_derivative(two_theta: np.ndarray, strain: np.ndarray | float) -> np.ndarray:
    """d(2θ)/dε in degrees at the strained positions: −2 tanθ' / (1 + ε) (radians → degrees)."""
    theta = np.radians(strained(two_theta, strain)) / 2.0
    return -np.degrees(2.0 * np.tan(theta) / (1.0 + np.asarray(strain, dtype=float)))


def refine_shift_and_strain(positions: np.ndarray, areas: np.ndarray, refs: np.ndarray, ref_phase: np.ndarray,
                            n_phases: int, tolerance: float, max_strain: float) -> dict:
    """Common zero shift and per-phase lattice strain refined on the matched peaks (see module docstring).

    ``ref_phase`` is the index (0..n_phases-1) of the phase of each reference reflection. Returns
    a dict: shift, shift_stderr, strain (array), strain_stderr (array), strain_n (peaks per phase),
    n_shift (peaks the shift rests on), refined (whether least squares ran).
    """
    shift, shift_err, n_shift = zero_shift(positions, areas, refs, tolerance)
    out = {"shift": shift, "shift_stderr": shift_err, "n_shift": n_shift, "strain": np.zeros(n_phases),
           "strain_stderr": np.full(n_phases, np.nan), "strain_n": np.zeros(n_phases, dtype=int), "refined": False}
    if max_strain <= 0 or positions.size < MIN_STRAIN_PEAKS or refs.size == 0:
        return out
    strain = np.zeros(n_phases)
    previous = None
    for _ in range(STRAIN_ITERATIONS):
        model = strained(refs, strain[ref_phase]) + shift
        j, offset = nearest(positions, model)
        matched = np.abs(offset) <= tolerance
        if matched.sum() < MIN_STRAIN_PEAKS:
            return out
        phase_of = ref_phase[j[matched]]
        tan = np.tan(np.radians(refs[j[matched]]) / 2.0)
        free = [k for k in range(n_phases)
                if np.sum(phase_of == k) >= MIN_STRAIN_PEAKS and np.ptp(tan[phase_of == k]) >= MIN_TAN_SPREAD]
        deriv = strain_derivative(refs[j[matched]], strain[phase_of])
        design = np.column_stack([np.ones(matched.sum())] + [deriv * (phase_of == k) for k in free])
        if design.shape[0] <= design.shape[1]:
            return out
        delta, *_ = np.linalg.lstsq(design, offset[matched], rcond=None)
        shift = float(np.clip(shift + delta[0], -MAX_ZERO_SHIFT_DEG, MAX_ZERO_SHIFT_DEG))
        for col, k in enumerate(free, start=1):
            strain[k] = float(np.clip(strain[k] + delta[col], -max_strain, max_strain))
        key = tuple(np.flatnonzero(matched))
        if key == previous and np.max(np.abs(delta)) < 1e-7:
            break
        previous = key
    model = strained(refs, strain[ref_phase]) + shift
    j, offset = nearest(positions, model)
    matched = np.abs(offset) <= tolerance
    phase_of = ref_phase[j[matched]]
    deriv = strain_derivative(refs[j[matched]], strain[phase_of])
    design = np.column_stack([np.ones(matched.sum())] + [deriv * (phase_of == k) for k in free])
    dof = design.shape[0] - design.shape[1]
    if dof > 0:
        resid = offset[matched] - design @ np.linalg.lstsq(design, offset[matched], rcond=None)[0]
        cov = np.linalg.pinv(design.T @ design) * float(resid @ resid) / dof
        out["shift_stderr"] = float(math.sqrt(max(cov[0, 0], 0.0)))
        for col, k in enumerate(free, start=1):
            out["strain_stderr"][k] = float(math.sqrt(max(cov[col, col], 0.0)))
    out.update(shift=shift, strain=strain, n_shift=int(matched.sum()), refined=True,
               strain_n=np.array([int(np.sum(phase_of == k)) if k in free else 0 for k in range(n_phases)]))
    return out


def candidates(position: float, library: list[references.Pattern], tolerance: float) -> list[tuple[str, str, float]]:
    """Library phases with a reflection within 2 × tolerance, nearest first: (phase, hkl, offset)."""
    found = []
    for pat in library:
        keep = pat.intensity >= CANDIDATE_MIN_RELATIVE
        refs = pat.two_theta[keep]
        if refs.size == 0:
            continue
        j = int(np.abs(refs - position).argmin())
        offset = position - float(refs[j])
        if abs(offset) <= 2.0 * tolerance:
            found.append((pat.name, np.array(pat.hkl, dtype=object)[keep][j], offset))
    found.sort(key=lambda c: (abs(c[2]), c[0]))
    return found[:N_CANDIDATES]


def candidate_text(found: list[tuple[str, str, float]]) -> str:
    """Candidates as text: 'Co3O4 (311) Δ+0.01°; LiCoPO4 (…)' or 'no library match'."""
    if not found:
        return "no library match"
    return "; ".join(f"{name} ({hkl}) Δ{offset:+.2f}°" for name, hkl, offset in found)


def _failed(clean: xr.Dataset, p: dict, reason: str) -> xr.Dataset:
    """A fit dataset holding the measured scan and the reason no analysis was possible."""
    fit = xr.Dataset(
        {"intensity": clean["intensity"].copy()},
        coords={"two_theta": clean["two_theta"].copy()},
        attrs={**clean.attrs},
    )
    fit["n_impurity_peaks"] = variable((), math.nan, "1", "number of impurity peaks")
    fit.attrs.update(status="failed", status_note=reason, expected_phases=", ".join(p["expected_phases"]))
    return fit


def _wavelengths(attrs: dict) -> tuple[float, float, float]:
    """Kα1, Kα2 (Å) and Kα2/Kα1 from the attributes; Cu Kα1 when the file gives no wavelength."""
    ka1 = float(attrs.get("wavelength_ka1_angstrom", math.nan))
    ka2 = float(attrs.get("wavelength_ka2_angstrom", math.nan))
    ratio = float(attrs.get("ka2_ka1_ratio", 0.0) or 0.0)
    if not np.isfinite(ka1):
        ka1 = references.CU_KA1_ANGSTROM
    if not np.isfinite(ka2) or not np.isfinite(ratio):
        ratio = 0.0
    return ka1, ka2, ratio


def analyse(clean: xr.Dataset, params: dict) -> xr.Dataset:
    """Peaks, zero shift, phase assignment and impurity peaks of one 2θ scan (the fit dataset)."""
    p = _params(params)
    if clean.attrs.get("scan_kind") == "reflectivity":
        return _failed(clean, p, "X-ray reflectivity scan (2θ < 8° or marked so): no phase analysis")
    x = np.asarray(clean["two_theta"].values, dtype=float)
    y = np.asarray(clean["intensity"].values, dtype=float)
    lo = p["two_theta_min"] if p["two_theta_min"] is not None else -np.inf
    hi = p["two_theta_max"] if p["two_theta_max"] is not None else np.inf
    sel = (x >= lo) & (x <= hi) & np.isfinite(y)
    x, y = x[sel], y[sel]
    if x.size < 50:
        return _failed(clean, p, f"only {x.size} points in the 2θ range analysed: too few for peak finding")
    ka1, ka2, ratio = _wavelengths(clean.attrs)
    background, noise, found = peakfit.find_and_fit(x, y, float(p["min_peak_snr"]), ka1, ka2, ratio)

    trange = (float(x.min()), float(x.max()))
    expected = [references.pattern(name, ka1, trange, float(p["min_relative_intensity"])) for name in p["expected_phases"]]
    expected_names = [references.phase_name(n) for n in p["expected_phases"]]
    library = [references.pattern(name, ka1, trange) for name in references.names() if name not in expected_names]
    ref_pos = np.concatenate([e.two_theta for e in expected]) if expected else np.zeros(0)
    ref_phase = np.concatenate([[e.name] * e.two_theta.size for e in expected]).astype(str)
    ref_hkl = np.concatenate([list(e.hkl) for e in expected]).astype(str) if ref_pos.size else np.zeros(0, str)
    ref_int = np.concatenate([e.intensity for e in expected]) if expected else np.zeros(0)

    pos = np.array([pk.position for pk in found], dtype=float)
    area = np.array([pk.area for pk in found], dtype=float)
    tol = float(p["tolerance_deg"])
    max_strain = float(p["max_lattice_strain"])
    ref_index = np.concatenate([[k] * e.two_theta.size for k, e in enumerate(expected)]).astype(int)
    refined = refine_shift_and_strain(pos, area, ref_pos, ref_index, len(expected), tol, max_strain)
    shift, shift_err, n_shift = refined["shift"], refined["shift_stderr"], refined["n_shift"]
    strain = refined["strain"]
    ref_refined = strained(ref_pos, strain[ref_index]) + shift if ref_pos.size else ref_pos
    j, offset = nearest(pos, ref_refined)
    matched = np.abs(offset) <= tol
    phase = np.where(matched, ref_phase[j] if ref_pos.size else "", "impurity").astype(str)
    hkl = np.where(matched, ref_hkl[j] if ref_pos.size else "", "").astype(str)
    cands = [candidates(float(pp - shift), library, tol) if not m else [] for pp, m in zip(pos, matched)]
    best = np.array([c[0][0] if c else ("" if m else "unassigned") for c, m in zip(cands, matched)], dtype=str)
    cand_text = np.array([candidate_text(c) if not m else "" for c, m in zip(cands, matched)], dtype=str)

    model = background + peakfit.model_curve(x, found, ka1, ka2, ratio)
    n_imp = int((~matched).sum())
    status, notes = "ok", []
    if not found:
        status = "flagged"
        notes.append("no diffraction peak above the noise")
    elif not matched.any():
        status = "flagged"
        notes.append("no peak matches the expected phases: wrong phases, wavelength or a large zero error")
    if abs(shift) >= MAX_ZERO_SHIFT_DEG - 1e-9:
        status = "flagged"
        notes.append(f"zero shift at its bound ±{MAX_ZERO_SHIFT_DEG}°")
    for k, name in enumerate(expected_names):
        if not np.any(phase == name):
            notes.append(f"{name}: no peak matched")
        if max_strain > 0 and abs(strain[k]) >= max_strain - 1e-12:
            status = "flagged"
            notes.append(f"{name}: lattice strain at its bound ±{max_strain:g}")
    notes.append(f"{len(found)} peaks, {int(matched.sum())} matched, {n_imp} impurity")

    def pk(values, units, long_name, dtype=float):
        return variable("peak", np.asarray(values, dtype=dtype), units, long_name)

    fit = xr.Dataset(
        {
            "intensity": variable("two_theta", y, "count", "measured intensity"),
            "background": variable("two_theta", background, "count", "SNIP background"),
            "model": variable("two_theta", model, "count", "background + fitted pseudo-Voigt peaks (Kα1+Kα2)"),
            "noise": variable("two_theta", noise, "count", "local noise standard deviation"),
            "peak_two_theta": pk(pos, "degree", "fitted Kα1 peak position 2θ"),
            "peak_two_theta_stderr": pk([q.position_stderr for q in found], "degree", "standard error of the peak position"),
            "peak_fwhm": pk([q.fwhm for q in found], "degree", "peak full width at half maximum"),
            "peak_fwhm_stderr": pk([q.fwhm_stderr for q in found], "degree", "standard error of the FWHM"),
            "peak_area": pk(area, "count degree", "integrated Kα1 peak area over background"),
            "peak_area_stderr": pk([q.area_stderr for q in found], "count degree", "standard error of the peak area"),
            "peak_height": pk([q.height for q in found], "count", "Kα1 peak height over background"),
            "peak_snr": pk([q.height / q.noise for q in found], "1", "peak height over local noise"),
            "peak_phase": pk(phase, "1", "assigned expected phase, or 'impurity'", dtype=str),
            "peak_hkl": pk(hkl, "1", "Miller indices of the matched reference reflection", dtype=str),
            "peak_offset": pk(np.where(matched, offset, np.nan), "degree", "peak − shift − matched (strained) reflection"),
            "peak_candidate": pk(best, "1", "best library candidate for an impurity peak", dtype=str),
            "peak_candidates": pk(cand_text, "1", "ranked library candidates for an impurity peak", dtype=str),
            "reference_two_theta": variable("reflection", ref_pos, "degree", "reference reflection 2θ of the expected phases"),
            "reference_intensity": variable("reflection", ref_int, "percent", "reference relative intensity"),
            "reference_phase": variable("reflection", ref_phase, "1", "phase of the reference reflection"),
            "reference_hkl": variable("reflection", ref_hkl, "1", "Miller indices of the reference reflection"),
            "reference_two_theta_refined": variable("reflection", ref_refined, "degree",
                                                    "reference reflection 2θ with the refined zero shift and lattice strain"),
            "lattice_strain": variable("phase", strain, "1", "refined common relative change of the d-spacings, d/d_ref - 1"),
            "lattice_strain_stderr": variable("phase", refined["strain_stderr"], "1", "standard error of the lattice strain"),
            "lattice_strain_n_peaks": variable("phase", refined["strain_n"], "1", "matched peaks the lattice strain rests on (0: not refined)"),
            "zero_shift": variable((), shift, "degree", "common 2θ zero shift applied before matching"),
            "zero_shift_stderr": variable((), shift_err, "degree", "standard error of the zero shift"),
            "n_peaks": variable((), len(found), "1", "number of peaks found"),
            "n_matched": variable((), int(matched.sum()), "1", "number of peaks matched by an expected phase"),
            "n_impurity_peaks": variable((), n_imp, "1", "number of impurity peaks"),
        },
        coords={"two_theta": variable("two_theta", x, "degree", "diffraction angle 2θ"),
                "phase": variable("phase", np.array(expected_names, dtype=str), "1", "expected phase")},
        attrs={**clean.attrs},
    )
    fit.attrs.update(
        max_lattice_strain=max_strain,
        shift_strain_method=("zero shift + per-phase lattice strain, Gauss-Newton on matched peaks"
                             if refined["refined"] else "zero shift only (median of matched offsets)"),
        status=status,
        status_note="; ".join(notes),
        expected_phases=", ".join(expected_names),
        reference_sources="; ".join(f"{e.name}: {e.source}" for e in expected),
        tolerance_deg=tol,
        min_peak_snr=float(p["min_peak_snr"]),
        min_relative_intensity=float(p["min_relative_intensity"]),
        zero_shift_n_peaks=n_shift,
        background_method=f"SNIP, LLS operator, window {peakfit.SNIP_WINDOW_DEG} deg",
        ka2_handling=("Kα1+Kα2 doublets fitted (ratio %.3g); Kα2 shoulders not counted as peaks" % ratio)
        if ratio > 0 else "Kα1 only (no Kα2 in the file)",
    )
    return fit


def rows(fit: xr.Dataset) -> list[dict]:
    """Summary rows: n_impurity_peaks, one impurity_peak_2theta per impurity peak, n_peaks, n_matched."""
    status = fit.attrs.get("status", "failed")
    note = fit.attrs.get("status_note", "")
    if status == "failed":
        return [row("n_impurity_peaks", None, "1", status="failed", note=note)]
    out = [row("n_impurity_peaks", int(fit["n_impurity_peaks"]), "1", status=status,
               note=f"expected {fit.attrs.get('expected_phases', '')}; {note}")]
    phase = fit["peak_phase"].values.astype(str)
    for i in np.flatnonzero(phase == "impurity"):
        out.append(row("impurity_peak_2theta", float(fit["peak_two_theta"].values[i]), "degree",
                       stderr=float(fit["peak_two_theta_stderr"].values[i]), status=status,
                       note=str(fit["peak_candidates"].values[i])))
    out.append(row("n_peaks", int(fit["n_peaks"]), "1", status=status))
    out.append(row("n_matched", int(fit["n_matched"]), "1", status=status))
    out.append(row("zero_shift", float(fit["zero_shift"]), "degree", stderr=float(fit["zero_shift_stderr"]), status=status))
    if "lattice_strain" in fit:
        for k, name in enumerate(fit["phase"].values.astype(str)):
            if int(fit["lattice_strain_n_peaks"].values[k]) > 0:
                out.append(row("lattice_strain", float(fit["lattice_strain"].values[k]), "1",
                               stderr=float(fit["lattice_strain_stderr"].values[k]), status=status,
                               note=f"{name}: d/d_ref - 1 on {int(fit['lattice_strain_n_peaks'].values[k])} peaks"))
    return out
