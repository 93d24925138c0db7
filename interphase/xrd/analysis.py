"""Phase analysis of one 2θ scan: which peaks the expected phases explain, which are impurities.

``analyse(clean, params)`` finds and fits the peaks (:mod:`interphase.xrd.peaks`), refines a
common zero shift and a lattice strain per expected phase (:mod:`interphase.xrd.matching`),
assigns each peak to the expected phase with a reflection within ``tolerance_deg``, and
calls the rest impurity peaks, each with candidate phases ranked by the distance to the
nearest reflection of the other phases of the built-in library
(:mod:`interphase.xrd.references`). ``rows(fit)`` gives the summary rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import xarray as xr

from interphase.datasets import variable
from interphase.defaults import schema_defaults
from interphase.summary import row
from interphase.xrd import matching, references
from interphase.xrd import peaks as peakfit
from interphase.xrd import wavelength
from interphase.xrd.peaks import PeakSearch
from interphase.xrd.wavelength import Source

MIN_POINTS = 50  # fewer points in the analysed range: too few for peak finding


@dataclass(frozen=True)
class Expected:
    """The reflections of the expected phases, concatenated, with the phase of each."""

    names: list[str]
    sources: list[str]
    two_theta: np.ndarray
    intensity: np.ndarray
    phase: np.ndarray
    hkl: np.ndarray
    index: np.ndarray


@dataclass(frozen=True)
class Assignment:
    """Each fitted peak's expected phase (or 'impurity'), offset and library candidates."""

    refinement: matching.Refinement
    refined_two_theta: np.ndarray
    matched: np.ndarray
    offset: np.ndarray
    phase: np.ndarray
    hkl: np.ndarray
    candidate: np.ndarray
    candidates: np.ndarray


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


def expected_reflections(
    entries: list[str], ka1: float, trange: tuple[float, float], min_relative: float
) -> Expected:
    """The reflections of the expected phases in the scan's range, weak ones left out."""
    pats = [references.pattern(name, ka1, trange, min_relative) for name in entries]
    n = [pat.two_theta.size for pat in pats]
    return Expected(
        names=[references.phase_name(name) for name in entries],
        sources=[pat.source for pat in pats],
        two_theta=np.concatenate([pat.two_theta for pat in pats]),
        intensity=np.concatenate([pat.intensity for pat in pats]),
        phase=np.concatenate([[pat.name] * k for pat, k in zip(pats, n)]).astype(str),
        hkl=np.concatenate([list(pat.hkl) for pat in pats]).astype(str),
        index=np.concatenate([[i] * k for i, k in enumerate(n)]).astype(int),
    )


def library_patterns(expected: Expected, ka1: float, trange: tuple[float, float]) -> list:
    """The built-in phases that are not expected: the pool of impurity candidates."""
    others = [name for name in references.names() if name not in expected.names]
    return [references.pattern(name, ka1, trange) for name in others]


def assign(
    found: list[peakfit.Peak], expected: Expected, library: list, tol: float, max_strain: float
) -> Assignment:
    """Refine shift and strain, then match each peak to the nearest refined reflection."""
    pos = np.array([pk.position for pk in found], dtype=float)
    area = np.array([pk.area for pk in found], dtype=float)
    refs = expected.two_theta
    refined = matching.refine_shift_and_strain(
        pos, area, refs, expected.index, len(expected.names), tol, max_strain
    )
    refs_refined = refs
    if refs.size:
        refs_refined = matching.strained(refs, refined.strain[expected.index]) + refined.shift
    j, offset = matching.nearest(pos, refs_refined)
    matched = np.abs(offset) <= tol
    phase = np.where(matched, expected.phase[j] if refs.size else "", "impurity").astype(str)
    hkl = np.where(matched, expected.hkl[j] if refs.size else "", "").astype(str)
    cands = [
        matching.candidates(float(pp - refined.shift), library, tol) if not m else []
        for pp, m in zip(pos, matched)
    ]
    best = [c[0].phase if c else ("" if m else "unassigned") for c, m in zip(cands, matched)]
    text = [matching.candidate_text(c) if not m else "" for c, m in zip(cands, matched)]
    return Assignment(
        refined,
        refs_refined,
        matched,
        offset,
        phase,
        hkl,
        np.array(best, dtype=str),
        np.array(text, dtype=str),
    )


def _failed(clean: xr.Dataset, p: dict, reason: str) -> xr.Dataset:
    """A fit dataset holding the measured scan and the reason no analysis was possible."""
    fit = xr.Dataset(
        {"intensity": clean["intensity"].copy()},
        coords={"two_theta": clean["two_theta"].copy()},
        attrs={**clean.attrs},
    )
    fit["n_impurity_peaks"] = variable((), math.nan, "1", "number of impurity peaks")
    fit.attrs.update(
        status="failed", status_note=reason, expected_phases=", ".join(p["expected_phases"])
    )
    return fit


def _status(
    found: list, a: Assignment, expected: Expected, max_strain: float
) -> tuple[str, list[str]]:
    """The fit's status and the notes that explain it."""
    status, notes = "ok", []
    if not found:
        status = "flagged"
        notes.append("no diffraction peak above the noise")
    elif not a.matched.any():
        status = "flagged"
        notes.append(
            "no peak matches the expected phases: wrong phases, wavelength or a large zero error"
        )
    if abs(a.refinement.shift) >= matching.MAX_ZERO_SHIFT_DEG - 1e-9:
        status = "flagged"
        notes.append(f"zero shift at its bound ±{matching.MAX_ZERO_SHIFT_DEG}°")
    for k, name in enumerate(expected.names):
        if not np.any(a.phase == name):
            notes.append(f"{name}: no peak matched")
        if max_strain > 0 and abs(a.refinement.strain[k]) >= max_strain - 1e-12:
            status = "flagged"
            notes.append(f"{name}: lattice strain at its bound ±{max_strain:g}")
    n_imp = int((~a.matched).sum())
    notes.append(f"{len(found)} peaks, {int(a.matched.sum())} matched, {n_imp} impurity")
    return status, notes


def _peak_variables(found: list, a: Assignment) -> dict:
    """The per-peak variables of the fit dataset."""

    def pk(values, units: str, long_name: str, dtype=float) -> xr.Variable:
        return variable("peak", np.asarray(values, dtype=dtype), units, long_name)

    def attr(name: str) -> list[float]:
        return [getattr(q, name) for q in found]

    return {
        "peak_two_theta": pk(attr("position"), "degree", "fitted Kα1 peak position 2θ"),
        "peak_two_theta_stderr": pk(
            attr("position_stderr"), "degree", "standard error of the peak position"
        ),
        "peak_fwhm": pk(attr("fwhm"), "degree", "peak full width at half maximum"),
        "peak_fwhm_stderr": pk(attr("fwhm_stderr"), "degree", "standard error of the FWHM"),
        "peak_area": pk(attr("area"), "count degree", "integrated Kα1 peak area over background"),
        "peak_area_stderr": pk(
            attr("area_stderr"), "count degree", "standard error of the peak area"
        ),
        "peak_height": pk(attr("height"), "count", "Kα1 peak height over background"),
        "peak_snr": pk([q.height / q.noise for q in found], "1", "peak height over local noise"),
        "peak_phase": pk(a.phase, "1", "assigned expected phase, or 'impurity'", dtype=str),
        "peak_hkl": pk(a.hkl, "1", "Miller indices of the matched reference reflection", dtype=str),
        "peak_offset": pk(
            np.where(a.matched, a.offset, np.nan),
            "degree",
            "peak − shift − matched (strained) reflection",
        ),
        "peak_candidate": pk(
            a.candidate, "1", "best library candidate for an impurity peak", dtype=str
        ),
        "peak_candidates": pk(
            a.candidates, "1", "ranked library candidates for an impurity peak", dtype=str
        ),
    }


def _reference_variables(expected: Expected, a: Assignment) -> dict:
    """The per-reflection and per-phase variables of the fit dataset."""
    r, ref = a.refinement, "reflection"
    return {
        "reference_two_theta": variable(
            ref, expected.two_theta, "degree", "reference reflection 2θ of the expected phases"
        ),
        "reference_intensity": variable(
            ref, expected.intensity, "percent", "reference relative intensity"
        ),
        "reference_phase": variable(ref, expected.phase, "1", "phase of the reference reflection"),
        "reference_hkl": variable(
            ref, expected.hkl, "1", "Miller indices of the reference reflection"
        ),
        "reference_two_theta_refined": variable(
            ref,
            a.refined_two_theta,
            "degree",
            "reference reflection 2θ with the refined zero shift and lattice strain",
        ),
        "lattice_strain": variable(
            "phase", r.strain, "1", "refined common relative change of the d-spacings, d/d_ref - 1"
        ),
        "lattice_strain_stderr": variable(
            "phase", r.strain_stderr, "1", "standard error of the lattice strain"
        ),
        "lattice_strain_n_peaks": variable(
            "phase", r.strain_n, "1", "matched peaks the lattice strain rests on (0: not refined)"
        ),
        "zero_shift": variable(
            (), r.shift, "degree", "common 2θ zero shift applied before matching"
        ),
        "zero_shift_stderr": variable(
            (), r.shift_stderr, "degree", "standard error of the zero shift"
        ),
    }


def _scan_variables(x: np.ndarray, y: np.ndarray, search: PeakSearch, source: Source) -> dict:
    """The per-point variables of the fit dataset: data, background, model, noise."""
    model = search.background + peakfit.model_curve(x, search.peaks, source)
    return {
        "intensity": variable("two_theta", y, "count", "measured intensity"),
        "background": variable("two_theta", search.background, "count", "SNIP background"),
        "model": variable(
            "two_theta", model, "count", "background + fitted pseudo-Voigt peaks (Kα1+Kα2)"
        ),
        "noise": variable("two_theta", search.noise, "count", "local noise standard deviation"),
    }


def _count_variables(found: list, a: Assignment) -> dict:
    """The peak counts of the fit dataset."""
    n_matched = int(a.matched.sum())
    return {
        "n_peaks": variable((), len(found), "1", "number of peaks found"),
        "n_matched": variable((), n_matched, "1", "number of peaks matched by an expected phase"),
        "n_impurity_peaks": variable((), len(found) - n_matched, "1", "number of impurity peaks"),
    }


def _method_attrs(p: dict, a: Assignment, expected: Expected, source: Source) -> dict:
    """The attributes that record how the scan was analysed."""
    ka2 = "Kα1 only (no Kα2 in the file)"
    if source.ratio > 0:
        ka2 = "Kα1+Kα2 doublets fitted (ratio %.3g); Kα2 shoulders not counted as peaks" % (
            source.ratio
        )
    method = "zero shift only (median of matched offsets)"
    if a.refinement.refined:
        method = "zero shift + per-phase lattice strain, Gauss-Newton on matched peaks"
    return {
        "max_lattice_strain": float(p["max_lattice_strain"]),
        "shift_strain_method": method,
        "expected_phases": ", ".join(expected.names),
        "reference_sources": "; ".join(
            f"{n}: {s}" for n, s in zip(expected.names, expected.sources)
        ),
        "tolerance_deg": float(p["tolerance_deg"]),
        "min_peak_snr": float(p["min_peak_snr"]),
        "min_relative_intensity": float(p["min_relative_intensity"]),
        "zero_shift_n_peaks": a.refinement.n_shift,
        "background_method": f"SNIP, LLS operator, window {peakfit.SNIP_WINDOW_DEG} deg",
        "ka2_handling": ka2,
    }


def _scan_range(clean: xr.Dataset, p: dict) -> tuple[np.ndarray, np.ndarray]:
    """The finite points of the scan inside the configured 2θ range."""
    x = np.asarray(clean["two_theta"].values, dtype=float)
    y = np.asarray(clean["intensity"].values, dtype=float)
    lo = p["two_theta_min"] if p["two_theta_min"] is not None else -np.inf
    hi = p["two_theta_max"] if p["two_theta_max"] is not None else np.inf
    sel = (x >= lo) & (x <= hi) & np.isfinite(y)
    return x[sel], y[sel]


def analyse(clean: xr.Dataset, params: dict) -> xr.Dataset:
    """Peaks, zero shift, phase assignment and impurity peaks of one 2θ scan (the fit dataset)."""
    p = _params(params)
    if clean.attrs.get("scan_kind") == "reflectivity":
        reason = "X-ray reflectivity scan (2θ < 8° or marked so): no phase analysis"
        return _failed(clean, p, reason)
    x, y = _scan_range(clean, p)
    if x.size < MIN_POINTS:
        reason = f"only {x.size} points in the 2θ range analysed: too few for peak finding"
        return _failed(clean, p, reason)
    source = wavelength.from_attrs(clean.attrs)
    search = peakfit.find_and_fit(x, y, float(p["min_peak_snr"]), source)
    trange = (float(x.min()), float(x.max()))
    expected = expected_reflections(
        p["expected_phases"], source.ka1, trange, float(p["min_relative_intensity"])
    )
    library = library_patterns(expected, source.ka1, trange)
    tol, max_strain = float(p["tolerance_deg"]), float(p["max_lattice_strain"])
    a = assign(search.peaks, expected, library, tol, max_strain)
    status, notes = _status(search.peaks, a, expected, max_strain)
    fit = xr.Dataset(
        {
            **_scan_variables(x, y, search, source),
            **_peak_variables(search.peaks, a),
            **_reference_variables(expected, a),
            **_count_variables(search.peaks, a),
        },
        coords={
            "two_theta": variable("two_theta", x, "degree", "diffraction angle 2θ"),
            "phase": variable("phase", np.array(expected.names, dtype=str), "1", "expected phase"),
        },
        attrs={**clean.attrs},
    )
    fit.attrs.update(_method_attrs(p, a, expected, source))
    fit.attrs.update(status=status, status_note="; ".join(notes))
    return fit


def _strain_rows(fit: xr.Dataset, status: str) -> list[dict]:
    """One lattice_strain row per expected phase whose strain was refined."""
    out = []
    for k, name in enumerate(fit["phase"].values.astype(str)):
        n = int(fit["lattice_strain_n_peaks"].values[k])
        if n > 0:
            out.append(
                row(
                    "lattice_strain",
                    float(fit["lattice_strain"].values[k]),
                    "1",
                    stderr=float(fit["lattice_strain_stderr"].values[k]),
                    status=status,
                    note=f"{name}: d/d_ref - 1 on {n} peaks",
                )
            )
    return out


def rows(fit: xr.Dataset) -> list[dict]:
    """Summary rows: n_impurity_peaks, impurity_peak_2theta per impurity, counts, shift, strain."""
    status = fit.attrs.get("status", "failed")
    note = fit.attrs.get("status_note", "")
    if status == "failed":
        return [row("n_impurity_peaks", None, "1", status="failed", note=note)]
    out = [
        row(
            "n_impurity_peaks",
            int(fit["n_impurity_peaks"]),
            "1",
            status=status,
            note=f"expected {fit.attrs.get('expected_phases', '')}; {note}",
        )
    ]
    phase = fit["peak_phase"].values.astype(str)
    for i in np.flatnonzero(phase == "impurity"):
        out.append(
            row(
                "impurity_peak_2theta",
                float(fit["peak_two_theta"].values[i]),
                "degree",
                stderr=float(fit["peak_two_theta_stderr"].values[i]),
                status=status,
                note=str(fit["peak_candidates"].values[i]),
            )
        )
    out.append(row("n_peaks", int(fit["n_peaks"]), "1", status=status))
    out.append(row("n_matched", int(fit["n_matched"]), "1", status=status))
    out.append(
        row(
            "zero_shift",
            float(fit["zero_shift"]),
            "degree",
            stderr=float(fit["zero_shift_stderr"]),
            status=status,
        )
    )
    if "lattice_strain" in fit:
        out += _strain_rows(fit, status)
    return out
