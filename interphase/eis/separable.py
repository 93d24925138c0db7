"""Global start values: separable least squares on a grid of time constants.

Most equivalent circuits of solid interfaces are a series of terms, each linear in one
scale parameter once its time constant and exponent are fixed:

    R                 Z = R
    p(R, CPE)         Z = R / (1 + (jωτ)^n),   Q = τ^n / R
    p(R, C)           Z = R / (1 + jωτ),       C = τ / R
    CPE (in series)   Z = (jω)^-n / Q
    C (in series)     Z = 1 / (jωC)
    L                 Z = jωL
    W                 Z = A_W (1 - j) / sqrt(ω)   (impedance.py's semi-infinite Warburg)

For fixed (τ, n) the best scale parameters solve a non-negative linear least-squares
problem (scipy.optimize.nnls, Lawson & Hanson, Solving Least Squares Problems, 1974), which
takes microseconds; so the time constants can be searched exhaustively on a grid that
spans the measured window and beyond it. This is the variable-projection idea of Golub &
Pereyra (SIAM J. Numer. Anal. 10 (1973) 413) used as a global search: local least squares
from a guess (impedance.py's CustomCircuit.fit, or this package's optimiser) finds the
nearest optimum, and over six decades of resistance the nearest one is often wrong. The few
best grid points that differ by more than GRID_DISTINCT_DECADES in some time constant are the
starts of the nonlinear fit (:mod:`interphase.eis.starts`, :mod:`interphase.eis.optimise`).

Circuits with any other structure (nested parallels, transmission lines, Gerischer
elements...) give no grid starts; the fit then relies on the geometric starts alone.
No library offers this: impedance.py's global option is basinhopping (~30 s a spectrum),
pyDRTtools and others fit distributions, not circuits.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from interphase.eis.circuit import Term, kind_of, terms_of

# Time-constant grid: points a decade, and how far it reaches beyond the window
# (1/(2π f_max) / 10^HIGH ... 1/(2π f_min) × 10^LOW), so that an arc whose apex lies
# below f_min (one that does not close) can be represented.
GRID_POINTS_PER_DECADE = 4
GRID_BEYOND_HIGH_DECADES = 1.0
GRID_BEYOND_LOW_DECADES = 1.5
# Largest number of time-constant combinations; the grid is coarsened beyond it.
MAX_COMBINATIONS = 3000
# Exponents tried on the grid, each arc its own: R||CPE arcs of solid interfaces (0.65-0.95,
# Orazem & Tribollet, Electrochemical Impedance Spectroscopy, 2nd ed., ch. 14; the largest
# arc's shape matters most: a wrong one is otherwise mended by splitting the arc with a spare
# pair) and series CPEs from diffusion (0.5) to blocking-capacitor-like (0.9).
ARC_N = (0.65, 0.75, 0.85, 0.95)
# Grid points whose unconstrained solution has a negative scale parameter: this many of the
# best are solved again with the non-negativity constraint (NNLS), the rest are dropped.
NNLS_RECHECK = 300
SERIES_CPE_N = (0.5, 0.7, 0.9)
# Grid points closer than this in every time constant count as the same start.
GRID_DISTINCT_DECADES = 0.75
# Scale parameters that the grid found to be zero are replaced by this fraction of max|Z|
# (the fit works with their logarithms).
ZERO_FLOOR = 1e-6


def tau_grid(f_min: float, f_max: float, n_pairs: int) -> np.ndarray:
    """Log-spaced time constants over the window and beyond, coarsened to MAX_COMBINATIONS."""
    lo = math.log10(1 / (2 * math.pi * f_max)) - GRID_BEYOND_HIGH_DECADES
    hi = math.log10(1 / (2 * math.pi * f_min)) + GRID_BEYOND_LOW_DECADES
    per_decade = GRID_POINTS_PER_DECADE
    while per_decade > 1:
        size = int(round((hi - lo) * per_decade)) + 1
        if math.comb(size, n_pairs) <= MAX_COMBINATIONS:
            break
        per_decade -= 1
    return np.logspace(lo, hi, int(round((hi - lo) * per_decade)) + 1)


def pair_n(term: Term, arc_n: float) -> float:
    """The exponent of a pair on the grid: arc_n for R||CPE, 1 for R||C."""
    return arc_n if kind_of(term.c) == "CPE" else 1.0


def column(term: Term, w: np.ndarray, tau: float, n: float) -> np.ndarray:
    """The impedance of a term per unit scale parameter at angular frequencies w."""
    if term.kind == "R":
        return np.ones(w.size, dtype=complex)
    if term.kind == "pair":
        return 1.0 / (1.0 + (1j * w * tau) ** n)
    if term.kind in ("CPE", "C"):
        return (1j * w) ** (-n)
    if term.kind == "L":
        return 1j * w
    return (1 - 1j) / np.sqrt(w)  # W


def parameters(
    terms: list[Term],
    coefs: np.ndarray,
    taus: list[float],
    ns: dict[str, float],
    z_max: float,
    w_min: float,
) -> dict[str, float]:
    """impedance.py parameter values from the scale coefficients, time constants and exponents."""
    floor = ZERO_FLOOR * z_max
    values, taus = {}, iter(taus)
    for term, coef in zip(terms, coefs):
        if term.kind == "R":
            values[term.r] = max(coef, floor)
        elif term.kind == "pair":
            r, tau, n = max(coef, floor), next(taus), ns.get(term.c, 1.0)
            values[term.r] = r
            if kind_of(term.c) == "CPE":
                values[term.c + "_0"], values[term.c + "_1"] = tau**n / r, n
            else:
                values[term.c] = tau / r
        elif term.kind in ("CPE", "C"):
            n = ns.get(term.r, 1.0)
            a = max(coef, floor * w_min**n)  # |Z| of an absent CPE: floor at the lowest frequency
            if term.kind == "CPE":
                values[term.r + "_0"], values[term.r + "_1"] = 1.0 / a, n
            else:
                values[term.r] = 1.0 / a
        else:  # L, W
            values[term.r] = max(coef, floor * 1e-12)
    return values


def grid_candidates(
    terms: list[Term], grid: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every grid point, one row each: arc τ indices (increasing), arc and series-CPE exponents."""
    pairs = [t for t in terms if t.kind == "pair"]
    n_series = sum(t.kind == "CPE" for t in terms)
    combos = np.array(
        list(itertools.combinations(range(grid.size), len(pairs))), dtype=int
    ).reshape(-1, len(pairs))
    arc_choices = [ARC_N if kind_of(t.c) == "CPE" else (1.0,) for t in pairs]
    arc_sets = np.array(list(itertools.product(*arc_choices)), dtype=float).reshape(-1, len(pairs))
    series_sets = np.array(
        list(itertools.product(*[SERIES_CPE_N] * n_series)), dtype=float
    ).reshape(-1, n_series)
    m = len(combos) * len(arc_sets) * len(series_sets)
    tau_index = np.tile(combos, (len(arc_sets) * len(series_sets), 1))
    arc_n = np.repeat(np.tile(arc_sets, (len(series_sets), 1)), len(combos), axis=0)
    series_n = np.repeat(series_sets, len(combos) * len(arc_sets), axis=0)
    return tau_index[:m], arc_n[:m], series_n[:m]


def grid_starts(
    f: np.ndarray,
    z: np.ndarray,
    circuit: str,
    names: list[str],
    sigma: np.ndarray | None,
    n_starts: int = 4,
) -> list[list[float]]:
    """Up to n_starts parameter vectors (in ``names`` order) from the best distinct grid points.

    Every combination of arc time constants (on :func:`tau_grid`), arc exponents (ARC_N, one
    per arc) and series-CPE exponents (SERIES_CPE_N) is a grid point. Its scale parameters
    are the linear least-squares solution, all grid points at once through the Gram matrix
    of the distinct columns; points whose solution has a negative scale are solved again by
    NNLS (the best NNLS_RECHECK of them) or dropped.
    """
    from scipy.optimize import nnls

    terms = terms_of(circuit)
    if terms is None:
        return []
    w = 2 * math.pi * np.asarray(f, dtype=float)
    z_max = float(np.max(np.abs(z)))
    weight = 1.0 / sigma if sigma is not None else np.full(2 * z.size, 1.0 / z_max)
    target = np.hstack([z.real, z.imag]) * weight
    pairs = [t for t in terms if t.kind == "pair"]
    series_cpe = [t for t in terms if t.kind == "CPE"]
    grid = tau_grid(float(np.min(f)), float(np.max(f)), len(pairs))
    tau_index, arc_n, series_n = grid_candidates(terms, grid)

    # the bank of distinct columns: each arc shape (n, τ), each series term with each exponent
    bank, where = [], {}
    for n in sorted(set(arc_n.ravel().tolist())):
        for g, tau in enumerate(grid):
            where[("pair", n, g)] = len(bank)
            bank.append(column(Term("pair"), w, float(tau), n))
    for t in terms:
        if t.kind != "pair":
            for n in SERIES_CPE_N if t.kind == "CPE" else (1.0,):
                where[(t.r, n)] = len(bank)
                bank.append(column(t, w, 0.0, n))
    columns = np.column_stack([np.hstack([c.real, c.imag]) * weight for c in bank])
    gram, rhs = columns.T @ columns, columns.T @ target

    # column indices of every grid point, in term order
    arc_values = sorted(set(arc_n.ravel().tolist()))
    arc_offset = np.array([where[("pair", n, 0)] for n in arc_values])
    index = np.empty((tau_index.shape[0], len(terms)), dtype=int)
    k_pair = k_series = 0
    for j, t in enumerate(terms):
        if t.kind == "pair":
            index[:, j] = (
                arc_offset[np.searchsorted(arc_values, arc_n[:, k_pair])] + tau_index[:, k_pair]
            )
            k_pair += 1
        elif t.kind == "CPE":
            series_offset = np.array([where[(t.r, n)] for n in SERIES_CPE_N])
            index[:, j] = series_offset[np.searchsorted(SERIES_CPE_N, series_n[:, k_series])]
            k_series += 1
        else:
            index[:, j] = where[(t.r, 1.0)]
    a = gram[index[:, :, None], index[:, None, :]]
    b = rhs[index]
    ridge = 1e-12 * np.trace(a, axis1=1, axis2=2)[:, None, None] * np.eye(len(terms))
    coefs = np.linalg.solve(a + ridge, b[:, :, None])[:, :, 0]
    residual = float(target @ target) - np.sum(coefs * b, axis=1)
    negative = np.any(coefs < 0, axis=1)
    residual[negative] = np.inf
    recheck = np.flatnonzero(negative)
    recheck = recheck[
        np.argsort(float(target @ target) - np.sum(coefs[recheck] * b[recheck], axis=1))[
            :NNLS_RECHECK
        ]
    ]
    for i in recheck:
        x, rnorm = nnls(columns[:, index[i]], target)
        coefs[i], residual[i] = x, rnorm**2

    chosen = distinct_best(residual, np.log10(grid[tau_index]), n_starts)
    starts = []
    for i in chosen:
        ns = dict(zip([t.r for t in series_cpe], series_n[i].tolist())) | dict(
            zip([t.c for t in pairs], arc_n[i].tolist())
        )
        values = parameters(
            terms, coefs[i], [float(grid[g]) for g in tau_index[i]], ns, z_max, float(np.min(w))
        )
        starts.append([values[name] for name in names])
    return starts


def distinct_best(residual: np.ndarray, log_taus: np.ndarray, n_starts: int) -> list[int]:
    """Indices of the best grid points, each GRID_DISTINCT_DECADES from those before it.

    Greedy in order of residual (ties in index order): a point is taken when, in some time
    constant, it lies at least GRID_DISTINCT_DECADES from every point taken. Points with an
    infinite residual are never taken. Vectorised over all points for each point taken.
    """
    order = np.argsort(residual, kind="stable")
    order = order[np.isfinite(residual[order])]
    candidates = log_taus[order]
    allowed = np.ones(order.size, dtype=bool)
    chosen: list[int] = []
    while len(chosen) < n_starts:
        first = np.flatnonzero(allowed)
        if first.size == 0:
            break
        k = int(first[0])
        chosen.append(int(order[k]))
        distance = np.max(np.abs(candidates - candidates[k]), axis=1, initial=0.0)
        allowed &= distance >= GRID_DISTINCT_DECADES
    return chosen


def term_column(term: Term, w: np.ndarray, values: dict[str, float]) -> np.ndarray:
    """The column of a term with its shape (τ, n) taken from fitted parameter values."""
    if term.kind == "pair":
        return column(term, w, _tau_of(term, values), _n_of(term, values))
    return column(term, w, 0.0, values.get(term.r + "_1", 1.0) if term.kind == "CPE" else 1.0)


def reseed_starts(
    f: np.ndarray,
    z: np.ndarray,
    circuit: str,
    names: list[str],
    fitted: np.ndarray,
    sigma: np.ndarray | None,
) -> list[list[float]]:
    """For each arc of a fit, the best place elsewhere on the grid, the other terms' shapes kept.

    A local fit that used a spare R||CPE pair to patch the largest arc's shape (instead of
    modelling a small arc at the window's top) is left by moving that one pair: its time
    constant and exponent are scanned over the grid while the other terms keep their fitted
    shapes and all scale parameters are re-solved by NNLS. One start a pair, for pairs whose
    best place is at least GRID_DISTINCT_DECADES from where the fit put them.
    """
    terms = terms_of(circuit)
    if terms is None:
        return []
    values = dict(zip(names, (float(v) for v in fitted)))
    scan = _Scan(f, z, sigma)
    starts = []
    for moved in (t for t in terms if t.kind == "pair"):
        others = [t for t in terms if t is not moved]
        tau, n, coefs = scan.best_place(moved, others, values)
        tau_now = _tau_of(moved, values)
        if tau_now > 0 and abs(math.log10(tau / tau_now)) < GRID_DISTINCT_DECADES:
            continue
        new = scan.placed(others, moved, tau, n, coefs, values)
        starts.append([new[name] for name in names])
    return starts


def grow_starts(
    f: np.ndarray,
    z: np.ndarray,
    circuit: str,
    names: list[str],
    reduced: dict[str, float],
    sigma: np.ndarray | None,
) -> list[list[float]]:
    """A start of the full circuit from a fit of the circuit without some of its pairs.

    The missing pairs are put back one at a time, each at its best place on the grid (time
    constant and exponent scanned, the fitted terms' shapes kept, all scales re-solved by NNLS).
    The reduced fit describes the large arcs and the tail well, so what is left is the small
    arc: this finds a grain-boundary arc at the window's top beside a megaohm arc, which the
    global grid misses when the big arc's exponent falls between its grid values (its
    high-frequency flank then outweighs the small arc).
    """
    terms = terms_of(circuit)
    if terms is None:
        return []
    values = dict(reduced)
    present = [t for t in terms if t.kind != "pair" or t.r in values]
    missing = [t for t in terms if t.kind == "pair" and t.r not in values]
    if not missing:
        return []
    scan = _Scan(f, z, sigma)
    for added in missing:
        tau, n, coefs = scan.best_place(added, present, values)
        values = scan.placed(present, added, tau, n, coefs, values)
        present = present + [added]
    return [[values[name] for name in names]]


class _Scan:
    """One pair's time constant and exponent scanned over the grid, other terms' shapes fixed."""

    def __init__(self, f: np.ndarray, z: np.ndarray, sigma: np.ndarray | None):
        self.w = 2 * math.pi * np.asarray(f, dtype=float)
        self.z_max = float(np.max(np.abs(z)))
        self.weight = 1.0 / sigma if sigma is not None else np.full(2 * z.size, 1.0 / self.z_max)
        self.target = np.hstack([z.real, z.imag]) * self.weight
        self.grid = tau_grid(float(np.min(f)), float(np.max(f)), 1)

    def _stacked(self, col: np.ndarray) -> np.ndarray:
        """Real and imaginary parts of a column, weighted."""
        return np.hstack([col.real, col.imag]) * self.weight

    def best_place(
        self, moved: Term, others: list[Term], values: dict[str, float]
    ) -> tuple[float, float, np.ndarray]:
        """(τ, n, NNLS scales of others + moved) with the smallest residual."""
        from scipy.optimize import nnls

        base = [self._stacked(term_column(t, self.w, values)) for t in others]
        best = None
        for n in ARC_N if kind_of(moved.c) == "CPE" else (1.0,):
            for tau in self.grid:
                matrix = np.column_stack(
                    base + [self._stacked(column(moved, self.w, float(tau), n))]
                )
                coefs, rnorm = nnls(matrix, self.target)
                if best is None or rnorm < best[0]:
                    best = (rnorm, float(tau), n, coefs)
        return best[1], best[2], best[3]

    def placed(
        self,
        others: list[Term],
        moved: Term,
        tau: float,
        n: float,
        coefs: np.ndarray,
        values: dict[str, float],
    ) -> dict[str, float]:
        """Parameter values: the others rescaled (shapes kept), the moved pair placed at (τ, n)."""
        new = dict(values)
        w_min = float(np.min(self.w))
        for term, coef in zip(others, coefs[:-1]):
            new.update(_scaled(term, coef, values, self.z_max, w_min))
        new.update(
            parameters([moved], np.array([coefs[-1]]), [tau], {moved.c: n}, self.z_max, w_min)
        )
        return new


def _n_of(term: Term, values: dict[str, float]) -> float:
    """Exponent of a fitted pair (1 for R||C)."""
    return values[term.c + "_1"] if kind_of(term.c) == "CPE" else 1.0


def _tau_of(term: Term, values: dict[str, float]) -> float:
    """Time constant (R Q)^(1/n) of a fitted pair (0 when undefined)."""
    r, n = values[term.r], _n_of(term, values)
    q = values[term.c + "_0"] if kind_of(term.c) == "CPE" else values[term.c]
    return (r * q) ** (1.0 / n) if r > 0 and q > 0 else 0.0


def _scaled(
    term: Term, coef: float, values: dict[str, float], z_max: float, w_min: float
) -> dict[str, float]:
    """Parameters of a term whose scale is re-solved (coef) while its shape (τ, n) is kept."""
    if term.kind == "pair":
        return parameters(
            [term],
            np.array([coef]),
            [_tau_of(term, values)],
            {term.c: _n_of(term, values)},
            z_max,
            w_min,
        )
    if term.kind == "CPE":
        return parameters(
            [term], np.array([coef]), [], {term.r: values[term.r + "_1"]}, z_max, w_min
        )
    return parameters([term], np.array([coef]), [], {}, z_max, w_min)
