"""Lin-KK validity test of an impedance spectrum (Schönleber et al., Electrochim. Acta 131 (2014) 20).

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

# μ cut-off of Schönleber et al. 2014 (their recommended 0.85) and the largest number of RC elements.
MU_CUTOFF = 0.85
MAX_RC = 50


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
        return 100.0 * float(max(np.max(np.abs(self.residual_real)), np.max(np.abs(self.residual_imag))))


def lin_kk(frequency: np.ndarray, z: np.ndarray) -> KKResult:
    """Run lin-KK (complex fit, series capacitance allowed for a blocking low-frequency tail)."""
    from impedance.validation import linKK

    f = np.asarray(frequency, dtype=float)
    z = np.asarray(z, dtype=complex)
    with np.printoptions(legacy="1.25"), contextlib.redirect_stdout(io.StringIO()):
        n_rc, mu, _z_fit, res_real, res_imag = linKK(f, z, c=MU_CUTOFF, max_M=MAX_RC, fit_type="complex", add_cap=True)
    return KKResult(np.asarray(res_real, float), np.asarray(res_imag, float), int(n_rc), float(mu))
