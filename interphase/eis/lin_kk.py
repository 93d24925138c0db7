"""Lin-KK validity test of an impedance spectrum.

Schönleber et al., Electrochim. Acta 131 (2014) 20.

Uses impedance.py's ``validation.linKK`` (the reference implementation of the
published algorithm, already a dependency) rather than a re-implementation. Under
NumPy 2 it builds Python source from printed numbers ("np.float64(1.0)") and fails
with NameError (upstream issue ECSHackWeek/impedance.py#296); printing numbers the
NumPy 1.25 way inside ``np.printoptions(legacy="1.25")`` avoids that. Its progress
prints are swallowed.
"""

from __future__ import annotations

import contextlib
import io
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
    """impedance.py's linKK with a fixed number of RC elements."""
    from impedance.validation import linKK

    with np.printoptions(legacy="1.25"), contextlib.redirect_stdout(io.StringIO()):
        n, mu, _z_fit, res_real, res_imag = linKK(
            f, z, c=None, max_M=n_rc, fit_type="complex", add_cap=True
        )
    return KKResult(np.asarray(res_real, float), np.asarray(res_imag, float), int(n), float(mu))
