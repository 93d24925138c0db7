"""Matching fitted peaks to reference reflections: zero shift, lattice strain, candidates.

Zero shift: the median offset (peak − nearest expected reflection) of the strongest peaks
that lie within ``tolerance`` + 0.3° of a reflection, recomputed on the peaks then matched,
bounded to ±0.3° (a specimen-displacement/zero error larger than that is not a shift but a
wrong phase); fewer than 3 such peaks → no shift.

Lattice strain (films): a film clamped on a substrate, or slightly off-stoichiometric, has all
its d-spacings scaled by a common 1 + ε, which moves a reflection by Δ2θ ≈ −2 tanθ ε (more at
high angle, so a fixed tolerance would call the high-angle reflections impurities). After the
zero shift, the common shift and one ε per expected phase are refined together by
Gauss-Newton least squares on the peaks matched within ``tolerance`` (model: peak =
shift + 2 arcsin(sin θ_ref / (1 + ε_phase))), re-matching after each step until the matched
set is stable. ε is bounded by ``max_strain`` and refined only for a phase with at least
:data:`MIN_STRAIN_PEAKS` matched peaks spread in tanθ; it can only grow out of peaks that
already match, so a lone impurity peak cannot pull a phase onto itself. ``max_strain`` 0
turns it off (zero shift only).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

MAX_ZERO_SHIFT_DEG = 0.3  # largest zero shift accepted (degrees 2θ)
N_SHIFT_PEAKS = 10  # strongest peaks used to estimate the zero shift
MIN_SHIFT_PEAKS = 3  # fewer matched peaks than this: no zero shift
# √(π/2): standard error of a median relative to that of a mean, for normal errors.
MEDIAN_EFFICIENCY = 1.2533
CANDIDATE_MIN_RELATIVE = 5.0  # library reflections weaker than this (%) do not name candidates
N_CANDIDATES = 3  # candidates listed per impurity peak
MIN_STRAIN_PEAKS = 3  # matched peaks a phase needs before its lattice strain is refined
# Smallest spread (max − min) of tanθ over those peaks: below it ε and the shift are degenerate.
MIN_TAN_SPREAD = 0.05
STRAIN_ITERATIONS = 8  # Gauss-Newton / re-matching rounds at most


@dataclass(frozen=True)
class ZeroShift:
    """A common 2θ zero shift (deg), its standard error and the peaks it rests on."""

    shift: float
    stderr: float
    n_peaks: int


@dataclass
class Refinement:
    """Zero shift and per-phase lattice strain refined on the matched peaks."""

    shift: float
    shift_stderr: float
    n_shift: int
    strain: np.ndarray
    strain_stderr: np.ndarray
    strain_n: np.ndarray
    refined: bool = False


@dataclass(frozen=True)
class Candidate:
    """A library reflection near an impurity peak: phase, hkl and offset peak − reflection (deg)."""

    phase: str
    hkl: str
    offset: float


@dataclass
class _StrainState:
    """What the Gauss-Newton loop carries between rounds."""

    shift: float
    strain: np.ndarray
    free: list[int] = field(default_factory=list)


def nearest(positions: np.ndarray, refs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the nearest reference to each position and the offset position − reference."""
    if refs.size == 0:
        return np.full(positions.size, -1), np.full(positions.size, np.inf)
    j = np.abs(positions[:, None] - refs[None, :]).argmin(axis=1)
    return j, positions - refs[j]


def _clip_shift(value: float) -> float:
    """A zero shift bounded to ±MAX_ZERO_SHIFT_DEG."""
    return float(np.clip(value, -MAX_ZERO_SHIFT_DEG, MAX_ZERO_SHIFT_DEG))


def zero_shift(
    positions: np.ndarray, areas: np.ndarray, refs: np.ndarray, tolerance: float
) -> ZeroShift:
    """Common zero shift (deg) from the strongest peaks near a reflection, then the matched ones."""
    if positions.size == 0 or refs.size == 0:
        return ZeroShift(0.0, math.nan, 0)
    _, offset = nearest(positions, refs)
    strong = np.argsort(-areas, kind="stable")[:N_SHIFT_PEAKS]
    near = [i for i in strong if abs(offset[i]) <= tolerance + MAX_ZERO_SHIFT_DEG]
    if len(near) < MIN_SHIFT_PEAKS:
        return ZeroShift(0.0, math.nan, len(near))
    shift = _clip_shift(np.median(offset[near]))
    _, offset = nearest(positions - shift, refs)
    matched = np.abs(offset) <= tolerance
    if matched.sum() < MIN_SHIFT_PEAKS:
        return ZeroShift(0.0, math.nan, int(matched.sum()))
    shift = _clip_shift(shift + np.median(offset[matched]))
    _, offset = nearest(positions - shift, refs)
    res = offset[np.abs(offset) <= tolerance]
    stderr = math.nan
    if res.size > 1:
        stderr = MEDIAN_EFFICIENCY * float(np.std(res, ddof=1)) / math.sqrt(res.size)
    return ZeroShift(shift, stderr, int(res.size))


def strained(two_theta: np.ndarray, strain: np.ndarray | float) -> np.ndarray:
    """2θ (deg) of reflections at ``two_theta`` when every d is scaled by 1 + strain (Bragg)."""
    theta = np.radians(np.asarray(two_theta, dtype=float)) / 2.0
    s = np.sin(theta) / (1.0 + np.asarray(strain, dtype=float))
    return np.degrees(2.0 * np.arcsin(np.clip(s, -1.0, 1.0)))


def strain_derivative(two_theta: np.ndarray, strain: np.ndarray | float) -> np.ndarray:
    """d(2θ)/dε in degrees at the strained positions: −2 tanθ' / (1 + ε)."""
    theta = np.radians(strained(two_theta, strain)) / 2.0
    return -np.degrees(2.0 * np.tan(theta) / (1.0 + np.asarray(strain, dtype=float)))


def _design(
    refs: np.ndarray, strain: np.ndarray, phase_of: np.ndarray, free: list[int]
) -> np.ndarray:
    """Jacobian of the matched peak positions: a column of ones (shift), one a free strain."""
    deriv = strain_derivative(refs, strain[phase_of])
    return np.column_stack([np.ones(refs.size)] + [deriv * (phase_of == k) for k in free])


def _free_phases(phase_of: np.ndarray, tan: np.ndarray, n_phases: int) -> list[int]:
    """Phases with enough matched peaks, spread enough in tanθ, to refine their strain."""
    return [
        k
        for k in range(n_phases)
        if np.sum(phase_of == k) >= MIN_STRAIN_PEAKS
        and np.ptp(tan[phase_of == k]) >= MIN_TAN_SPREAD
    ]


def _gauss_newton(
    positions: np.ndarray,
    refs: np.ndarray,
    ref_phase: np.ndarray,
    state: _StrainState,
    tolerance: float,
    max_strain: float,
) -> bool:
    """Refine shift and strains in place, re-matching each round; False when too few match."""
    n_phases = state.strain.size
    previous = None
    for _ in range(STRAIN_ITERATIONS):
        model = strained(refs, state.strain[ref_phase]) + state.shift
        j, offset = nearest(positions, model)
        matched = np.abs(offset) <= tolerance
        if matched.sum() < MIN_STRAIN_PEAKS:
            return False
        phase_of = ref_phase[j[matched]]
        tan = np.tan(np.radians(refs[j[matched]]) / 2.0)
        state.free = _free_phases(phase_of, tan, n_phases)
        design = _design(refs[j[matched]], state.strain, phase_of, state.free)
        if design.shape[0] <= design.shape[1]:
            return False
        delta, *_ = np.linalg.lstsq(design, offset[matched], rcond=None)
        state.shift = _clip_shift(state.shift + delta[0])
        for col, k in enumerate(state.free, start=1):
            state.strain[k] = float(np.clip(state.strain[k] + delta[col], -max_strain, max_strain))
        key = tuple(np.flatnonzero(matched))
        if key == previous and np.max(np.abs(delta)) < 1e-7:
            break
        previous = key
    return True


def refine_shift_and_strain(
    positions: np.ndarray,
    areas: np.ndarray,
    refs: np.ndarray,
    ref_phase: np.ndarray,
    n_phases: int,
    tolerance: float,
    max_strain: float,
) -> Refinement:
    """Zero shift, then shift + one lattice strain per phase by Gauss-Newton (see module doc)."""
    zs = zero_shift(positions, areas, refs, tolerance)
    out = Refinement(
        zs.shift,
        zs.stderr,
        zs.n_peaks,
        np.zeros(n_phases),
        np.full(n_phases, np.nan),
        np.zeros(n_phases, dtype=int),
    )
    if max_strain <= 0 or positions.size < MIN_STRAIN_PEAKS or refs.size == 0:
        return out
    state = _StrainState(zs.shift, np.zeros(n_phases))
    if not _gauss_newton(positions, refs, ref_phase, state, tolerance, max_strain):
        return out
    model = strained(refs, state.strain[ref_phase]) + state.shift
    j, offset = nearest(positions, model)
    matched = np.abs(offset) <= tolerance
    phase_of = ref_phase[j[matched]]
    design = _design(refs[j[matched]], state.strain, phase_of, state.free)
    dof = design.shape[0] - design.shape[1]
    if dof > 0:
        fitted = design @ np.linalg.lstsq(design, offset[matched], rcond=None)[0]
        resid = offset[matched] - fitted
        cov = np.linalg.pinv(design.T @ design) * float(resid @ resid) / dof
        out.shift_stderr = float(math.sqrt(max(cov[0, 0], 0.0)))
        for col, k in enumerate(state.free, start=1):
            out.strain_stderr[k] = float(math.sqrt(max(cov[col, col], 0.0)))
    out.shift, out.strain, out.n_shift, out.refined = (
        state.shift,
        state.strain,
        int(matched.sum()),
        True,
    )
    out.strain_n = np.array(
        [int(np.sum(phase_of == k)) if k in state.free else 0 for k in range(n_phases)]
    )
    return out


def candidates(position: float, library: list, tolerance: float) -> list[Candidate]:
    """Library phases with a reflection within 2 × tolerance of ``position``, nearest first."""
    found = []
    for pat in library:
        keep = pat.intensity >= CANDIDATE_MIN_RELATIVE
        refs = pat.two_theta[keep]
        if refs.size == 0:
            continue
        j = int(np.abs(refs - position).argmin())
        offset = position - float(refs[j])
        if abs(offset) <= 2.0 * tolerance:
            found.append(Candidate(pat.name, np.array(pat.hkl, dtype=object)[keep][j], offset))
    found.sort(key=lambda c: (abs(c.offset), c.phase))
    return found[:N_CANDIDATES]


def candidate_text(found: list[Candidate]) -> str:
    """Candidates as text: 'Co3O4 (311) Δ+0.01°; LiCoPO4 (…)' or 'no library match'."""
    if not found:
        return "no library match"
    return "; ".join(f"{c.phase} ({c.hkl}) Δ{c.offset:+.2f}°" for c in found)
