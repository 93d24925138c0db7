"""The fit of one spectrum: the best optimum of each candidate circuit and the one kept.

- :func:`multistart`: one circuit from many starts (:mod:`interphase.eis.starts`): short
  log-parameter least squares from all of them at once (:func:`optimise.explore`), fits to
  convergence from the N_REFINE best (:func:`optimise.log_fit`), then each arc of the best
  moved to its best place elsewhere on the grid and refitted. impedance.py's own global
  optimiser (basinhopping) takes ~30 s a spectrum; this ~0.1 s.
- :func:`fit_spectrum`: arcs the data do not resolve. A grain-boundary arc of 100 ohm under
  a charge-transfer arc of 1e6 ohm is below the noise; the fit then uses the spare R||CPE
  pair to split the big arc or the tail in two, and time-constant order names the wrong arc
  R_ct. So the circuit without its first (highest-frequency) pairs is fitted too and kept
  when its BIC is lower or when an arc resistance of the full circuit is within CI_FACTOR
  standard errors of zero; the dropped elements are reported as NaN with a note.

Parallel R-CPE (or R-C) pairs in series are interchangeable in the model; after the fit
they are put in order of increasing time constant, so the first pair in the circuit string
is the highest-frequency arc (R1 = grain boundary, R2 = charge transfer for the default
circuit).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from interphase.eis import separable
from interphase.eis.circuit import (
    compile_circuit,
    kind_of,
    order_pairs,
    parameter_names,
    reduced_circuits,
)
from interphase.eis.diagnostics import (
    CI_FACTOR,
    arcs_determined,
    rct_arc_in_data,
    window_of,
)
from interphase.eis.optimise import (
    MAX_NFEV_REFINE,
    Problem,
    explore,
    log_fit,
    problem,
)
from interphase.eis.starts import start_values
from interphase.eis.uncertainty import standard_errors

# Evaluation budget of the short log-parameter least squares run from every start; the
# N_REFINE best are then run with MAX_NFEV_REFINE.
MAX_NFEV_EXPLORE = 60
N_REFINE = 3


@dataclass(frozen=True)
class Optimum:
    """The best parameters of one circuit (pairs in τ order), chi-square and starts tried."""

    values: np.ndarray
    chi2: float
    n_starts: int
    n_drt: int  # of the starts, those from the DRT peaks


@dataclass(frozen=True)
class Candidate:
    """One candidate circuit fitted: its optimum, standard errors, BIC and support."""

    circuit: str
    dropped: list[str]  # elements of the configured circuit left out
    names: list[str]
    units: list[str]
    optimum: Optimum
    errors: np.ndarray
    bic: float
    determined: bool  # every arc resistance (but a resolved R_ct's) clear of zero

    @property
    def values(self) -> np.ndarray:
        """The candidate's parameter values."""
        return self.optimum.values


@dataclass
class CircuitFit:
    """The chosen fit: the circuit fitted (the configured one, or it without unresolved arcs)."""

    circuit: str
    names: list[str]
    units: list[str]
    values: np.ndarray
    errors: np.ndarray
    z_fit: np.ndarray
    chi2: float
    n_starts: int
    dropped: list[str]  # elements of the configured circuit the data do not resolve
    note: str  # why they were dropped ('' when none was)
    full_values: dict  # parameters of the configured circuit's own best fit (empty if it failed)
    drt_starts: int  # starts of the configured circuit's fit taken from the DRT peaks


def multistart(
    pr: Problem, drt_peaks=None, more_starts: Sequence[list[float]] = ()
) -> Optimum | None:
    """Best parameters of one circuit from many starts (see the module docstring).

    ``drt_peaks``: (time constants, resistances) of the DRT peaks, or None; ``more_starts``:
    fits of the circuit without some pairs, with those pairs put back.
    """
    starts = start_values(pr, drt_peaks, more_starts)
    explored = explore(pr, starts.guesses, MAX_NFEV_EXPLORE)
    explored = sorted((r for r in explored if r is not None), key=lambda r: r.chi2)
    refined = [log_fit(pr, r.values, MAX_NFEV_REFINE) for r in explored[:N_REFINE]]
    refined = [r for r in refined if r is not None]
    if not refined:
        return None
    best = min(refined, key=lambda r: r.chi2)
    for guess in separable.reseed_starts(pr.f, pr.z, pr.circuit, pr.names, best.values, pr.sigma):
        moved = log_fit(pr, guess, MAX_NFEV_REFINE)
        if moved is not None and moved.chi2 < best.chi2:
            best = moved
    values, _ = order_pairs(pr.circuit, pr.names, best.values, np.zeros(len(pr.names)))
    return Optimum(values, best.chi2, len(starts.guesses), starts.n_drt)


def bic(chi2: float, n_residuals: int, n_params: int) -> float:
    """Bayesian information criterion of a least-squares fit with unknown noise scale.

    Schwarz, Ann. Stat. 6 (1978) 461.
    """
    return n_residuals * math.log(max(chi2, 1e-300) / n_residuals) + n_params * math.log(
        n_residuals
    )


def fit_spectrum(
    f: np.ndarray,
    z: np.ndarray,
    circuit: str,
    weighting: str,
    drt_peaks=None,
    keep: str = "",
    margin: float = 0.0,
) -> CircuitFit | None:
    """The configured circuit fitted, or, when the data do not resolve all its arcs, without them.

    The configured circuit and each of its reductions (:func:`reduced_circuits`) are fitted;
    the one with the lowest BIC is kept, among those whose arc resistances are all more than
    CI_FACTOR standard errors from zero (among all when there is none such); the R_ct
    resistance ``keep`` is exempt when its arc lies inside the window, apart from the others
    (:func:`rct_arc_in_data`, with the closure check's ``margin``). Reductions that would drop
    the element ``keep`` (the R_ct element) are not tried.
    """
    settings = Settings(weighting, drt_peaks, keep, margin)
    candidates = [(circuit, [])] + [c for c in reduced_circuits(circuit) if keep not in c[1]]
    fits: list[Candidate] = []
    # the most reduced circuit first: each fit then also starts from the smaller ones' fits
    # with their missing pairs put back (a small arc beside a large one is found that way)
    for text, dropped in reversed(candidates):
        fitted = fit_candidate(f, z, (text, dropped), settings, fits)
        if fitted is not None:
            fits.append(fitted)
    if not fits:
        return None
    fits.reverse()  # the configured circuit first
    return chosen(f, z, circuit, fits)


@dataclass(frozen=True)
class Settings:
    """How every candidate circuit of a spectrum is fitted and judged."""

    weighting: str
    drt_peaks: tuple[np.ndarray, np.ndarray] | None  # DRT peak time constants, resistances
    keep: str  # the R_ct element: never dropped
    margin: float  # closure margin (decades)


def fit_candidate(
    f: np.ndarray,
    z: np.ndarray,
    candidate: tuple[str, list[str]],
    settings: Settings,
    smaller: list[Candidate],
) -> Candidate | None:
    """One candidate (circuit, dropped elements) fitted from all starts, smaller fits grown too."""
    circuit, dropped = candidate
    keep = settings.keep
    pr = problem(f, z, circuit, settings.weighting)
    _, units = parameter_names(circuit)
    grown = [
        start
        for fit in smaller
        for start in separable.grow_starts(
            f, z, circuit, pr.names, dict(zip(fit.names, fit.values)), pr.sigma
        )
    ]
    optimum = multistart(pr, settings.drt_peaks, grown)
    if optimum is None:
        return None
    errors = standard_errors(pr, optimum.values)
    by_name = dict(zip(pr.names, optimum.values))
    in_data = rct_arc_in_data(circuit, by_name, keep, window_of(f, settings.margin))
    skip = keep if in_data else ""
    return Candidate(
        circuit=circuit,
        dropped=dropped,
        names=pr.names,
        units=units,
        optimum=optimum,
        errors=errors,
        bic=bic(optimum.chi2, 2 * f.size, optimum.values.size),
        determined=arcs_determined(circuit, pr.names, optimum.values, errors, skip=skip),
    )


def chosen(f: np.ndarray, z: np.ndarray, circuit: str, fits: list[Candidate]) -> CircuitFit:
    """The candidate of lowest BIC among the determined ones (among all when none is)."""
    determined = [fit for fit in fits if fit.determined] or fits
    best = min(determined, key=lambda fit: fit.bic)
    full = fits[0] if fits[0].circuit == circuit else None
    note = ""
    if best.dropped:
        why = "lower BIC"
        if full is not None and not full.determined:
            why = (
                f"an arc resistance of the full circuit within {CI_FACTOR:g} standard errors "
                "of zero"
            )
        resistors = ", ".join(e for e in best.dropped if kind_of(e) == "R")
        note = f"{resistors} arc not resolved by the data ({why}): fitted {best.circuit}"
    return CircuitFit(
        circuit=best.circuit,
        names=best.names,
        units=best.units,
        values=best.values,
        errors=best.errors,
        z_fit=compile_circuit(best.circuit)(f, best.values),
        chi2=best.optimum.chi2,
        n_starts=sum(fit.optimum.n_starts for fit in fits),
        dropped=best.dropped,
        note=note,
        full_values=dict(zip(full.names, full.values)) if full is not None else {},
        drt_starts=full.optimum.n_drt if full is not None else 0,
    )
