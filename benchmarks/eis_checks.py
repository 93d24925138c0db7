"""The referee's own checks on the corpus of eis_corpus.py: a Kramers–Kronig test and a Cramér–Rao bound.

Both use only the corpus's closed-form model and NumPy, nothing of interphase:

- ``kk_test``: the linear Kramers–Kronig test of Boukamp (J. Electrochem. Soc. 142 (1995) 1885)
  in the form of Schönleber et al. (Electrochim. Acta 131 (2014) 20): a series resistance, an
  inductance, a capacitance and a fixed ladder of RC elements (time constants log-spaced a decade
  beyond the window at both ends) fitted by linear least squares to the real and imaginary parts
  at once. Every such model obeys the Kramers–Kronig relations, so what it cannot fit is not a
  causal, linear, stationary impedance. Knowing the noise (as the corpus does), the reduced χ²
  says so directly: about 1 for a valid spectrum, many times that for a drifting one; its p-value
  below ``KK_P_VALUE`` calls a spectrum KK-invalid.
- ``cramer_rao_relative``: the smallest relative standard deviation of one parameter that an
  unbiased estimator can reach (the inverse Fisher information of the Gaussian noise at the true
  parameters), with a central finite-difference Jacobian of the corpus's own model in log
  parameters (exponents n linear).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy import stats

from benchmarks.eis_corpus import TERM_VALUES, Term, impedance

# RC elements a decade of the extended range: with fewer, valid spectra of depressed arcs (CPE
# n 0.75) keep structure above the noise (1 a decade: 95 % of 40 valid corpus spectra fail; 2: 47 %;
# 3: none, reduced chi-square 0.7 .. 1.4); more absorb more of a drift.
KK_PER_DECADE = 3.0
KK_EXTEND_DECADES = 1.0
KK_P_VALUE = 1e-3
FD_STEP = 1e-5  # relative (log) step; exponents get an absolute step of the same size


@dataclass(frozen=True)
class KKResult:
    """How far the best Kramers–Kronig-valid ladder stays from the data."""

    max_percent: float  # largest residual of the real or imaginary part, percent of |Z|
    chi2_reduced: float  # sum of (residual / sigma)^2 over the degrees of freedom
    p_value: float  # of that chi-square if the spectrum were valid and sigma right
    n_rc: int


def kk_test(f: np.ndarray, z: np.ndarray, sigma: np.ndarray | None = None) -> KKResult:
    """Fit a Kramers–Kronig-valid RC ladder to z; sigma (per part) defaults to |Z|."""
    f = np.asarray(f, dtype=float)
    z = np.asarray(z, dtype=complex)
    sigma = np.abs(z) if sigma is None else np.asarray(sigma, dtype=float)
    w = 2 * math.pi * f
    lo = math.log10(1 / w.max()) - KK_EXTEND_DECADES
    hi = math.log10(1 / w.min()) + KK_EXTEND_DECADES
    n_rc = max(math.ceil((hi - lo) * KK_PER_DECADE), 2)
    tau = np.logspace(lo, hi, n_rc)
    columns = [np.ones_like(w) + 0j, 1j * w, 1 / (1j * w)]
    columns += [1 / (1 + 1j * w * t) for t in tau]
    a = np.stack(columns, axis=1)
    design = np.vstack([a.real / sigma[:, None], a.imag / sigma[:, None]])
    target = np.concatenate([z.real / sigma, z.imag / sigma])
    scale = np.linalg.norm(design, axis=0)
    scale[scale == 0] = 1.0
    x, *_ = np.linalg.lstsq(design / scale, target, rcond=None)
    residual = z - a @ (x / scale)
    dof = max(2 * f.size - a.shape[1], 1)
    chi2 = float(np.sum((residual.real / sigma) ** 2 + (residual.imag / sigma) ** 2) / dof)
    worst = np.maximum(np.abs(residual.real), np.abs(residual.imag)) / np.abs(z)
    p_value = float(stats.chi2.sf(chi2 * dof, dof))
    return KKResult(float(100 * worst.max()), chi2, p_value, n_rc)


def free_values(terms: tuple[Term, ...]) -> list[tuple[int, int, bool]]:
    """(term index, value index, is exponent) of every value of the model."""
    return [
        (k, j, name == "n")
        for k, t in enumerate(terms)
        for j, name in enumerate(TERM_VALUES[t.kind])
    ]


def perturbed(
    terms: tuple[Term, ...], where: tuple[int, int, bool], step: float
) -> tuple[Term, ...]:
    """The terms with one value moved by step (in log, or linearly for an exponent)."""
    k, j, exponent = where
    values = list(terms[k].values)
    values[j] = values[j] + step if exponent else values[j] * math.exp(step)
    return terms[:k] + (replace(terms[k], values=tuple(values)),) + terms[k + 1 :]


def weighted_jacobian(terms: tuple[Term, ...], f: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """d(Z / sigma) / d(log value or exponent), real parts stacked on imaginary parts."""
    columns = []
    for where in free_values(terms):
        dz = impedance(perturbed(terms, where, FD_STEP), f) - impedance(
            perturbed(terms, where, -FD_STEP), f
        )
        dz = dz / (2 * FD_STEP)
        columns.append(np.concatenate([dz.real / sigma, dz.imag / sigma]))
    return np.stack(columns, axis=1)


def cramer_rao_relative(
    terms: tuple[Term, ...], f: np.ndarray, sigma: np.ndarray, term: int, value: int = 0
) -> float:
    """Cramér–Rao bound on the relative SD of one positive value (e.g. R_ct: term 2, value 0)."""
    jac = weighted_jacobian(terms, f, sigma)
    scale = np.linalg.norm(jac, axis=0)
    scale[scale == 0] = 1.0
    fisher = (jac / scale).T @ (jac / scale)
    cov = np.linalg.pinv(fisher) / np.outer(scale, scale)
    index = free_values(terms).index((term, value, False))
    return float(math.sqrt(max(cov[index, index], 0.0)))
