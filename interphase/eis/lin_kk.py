"""Lin-KK validity test of an impedance spectrum.

Schönleber et al., Electrochim. Acta 131 (2014) 20: an ohmic resistor, M RC elements with
time constants fixed log-spaced over the window, a series inductance and (for a blocking
low-frequency tail) a series capacitance are fitted to Z/|Z| by linear least squares; the
residuals relative to |Z| say whether the spectrum is Kramers–Kronig consistent, and
μ = 1 - Σ|R_k < 0| / Σ|R_k ≥ 0| says whether M over-fits.

This is impedance.py's ``validation.linKK`` (``fit_type="complex"``, ``add_cap=True``,
version 1.7.1) written again with the same matrices and the same order of operations, so
its results agree with impedance.py's to rounding (``tests/eis/test_lin_kk.py`` checks
that). Why not call impedance.py's: it rebuilds and evals a circuit string for every
evaluation (and under NumPy 2 needs ``np.printoptions(legacy="1.25")`` to do so, upstream
issue ECSHackWeek/impedance.py#296), and importing it brings matplotlib and altair: the
test took ~0.14 s a spectrum, this takes a few milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# μ cut-off of Schönleber et al. 2014 (their recommended 0.85) and the largest number of RC
# elements.
MU_CUTOFF = 0.85
MAX_RC = 50
MIN_RC = 3
MIN_RC_PER_DECADE = 2.0


@dataclass(frozen=True)
class KKResult:
    """Lin-KK outcome: residuals relative to |Z| (fractions), number of RC elements, μ."""

    residual_real: np.ndarray
    residual_imag: np.ndarray
    n_rc: int
    mu: float

    @property
    def max_percent(self) -> float:
        """The largest |residual| of the real and imaginary parts, in percent of |Z|."""
        return 100.0 * float(
            max(np.max(np.abs(self.residual_real)), np.max(np.abs(self.residual_imag)))
        )


def lin_kk(frequency: np.ndarray, z: np.ndarray) -> KKResult:
    """Run lin-KK (complex fit, series capacitance allowed for a blocking low-frequency tail).

    The number of RC elements is Schönleber's: the smallest M with μ < 0.85, but the search
    starts at 2 elements per decade of frequency: on spectra spanning several orders of |Z|,
    μ dips below the cut-off spuriously at M ~ 6 while residuals are still tens of percent.
    """
    f = np.asarray(frequency, dtype=float)
    z = np.asarray(z, dtype=complex)
    decades = float(np.log10(f.max() / f.min()))
    m = max(MIN_RC, int(round(MIN_RC_PER_DECADE * decades)))
    result = run(f, z, m)
    while result.mu >= MU_CUTOFF and m < MAX_RC:
        m += 1
        result = run(f, z, m)
    return result


def run(f: np.ndarray, z: np.ndarray, n_rc: int) -> KKResult:
    """Lin-KK with a fixed number of RC elements (impedance.py's linKK with c=None)."""
    tau = time_constants(f, n_rc)
    elements = fit(f, z, tau)
    mu = calc_mu(elements[1:-2])
    err = (z - evaluate(elements, tau, f)) / np.abs(z)
    return KKResult(np.asarray(err.real, float), np.asarray(err.imag, float), n_rc, float(mu))


def time_constants(f: np.ndarray, m: int) -> np.ndarray:
    """M time constants log-spaced from 1/(2π f_max) to 1/(2π f_min) (get_tc_distribution)."""
    t_max = 1 / (2 * np.pi * np.min(f))
    t_min = 1 / (2 * np.pi * np.max(f))
    ts = np.zeros(shape=(m,))
    ts[0] = t_min
    ts[-1] = t_max
    for k in range(2, m):
        ts[k - 1] = 10 ** (np.log10(t_min) + ((k - 1) / (m - 1)) * np.log10(t_max / t_min))
    return ts


def fit(f: np.ndarray, z: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """[R0, R_1..R_M, 1/C, L] by the complex linear fit of Schönleber's Eq. 14 (fit_linKK)."""
    w = 2 * np.pi * f
    m = ts.size
    mod = np.abs(z)
    a_re = np.zeros((f.size, m + 3))
    a_im = np.zeros((f.size, m + 3))
    a_im[:, -2] = -1 / (w * mod)
    a_re[:, 0] = 1 / mod
    a_im[:, -1] = w / mod
    for i, tau in enumerate(ts):
        k = rc_element(1.0, tau, w)
        a_re[:, i + 1] = k.real / mod
        a_im[:, i + 1] = k.imag / mod
    x = np.linalg.inv(a_re.T.dot(a_re) + a_im.T.dot(a_im))
    y = a_re.T.dot(z.real / mod) + a_im.T.dot(z.imag / mod)
    return x.dot(y)


def rc_element(r: float, tau: float, w: np.ndarray) -> np.ndarray:
    """impedance.py's K element: R / (1 + jωτ)."""
    return r / (1 + 1j * w * tau)


def evaluate(elements: np.ndarray, ts: np.ndarray, f: np.ndarray) -> np.ndarray:
    """The lin-KK circuit's impedance, summed in impedance.py's order (eval_linKK)."""
    w = 2 * np.pi * np.array(f)
    z = np.array(len(f) * [elements[0]])
    for r_k, t_k in zip(elements[1:], ts):
        z = z + rc_element(r_k, t_k, w)
    z = z + elements[-1] * 1j * w
    return z + 1.0 / (1 / elements[-2] * 1j * w)


def calc_mu(rs: np.ndarray) -> float:
    """μ = 1 - Σ|R_k < 0| / Σ|R_k ≥ 0| (Schönleber et al. 2014, Eq. 21; calc_mu)."""
    neg_sum = sum(abs(x) for x in rs if x < 0)
    pos_sum = sum(abs(x) for x in rs if x >= 0)
    return 1 - neg_sum / pos_sum
