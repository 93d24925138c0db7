"""Lin-KK: the same numbers as impedance.py's linKK, and a drifting spectrum caught."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest

from interphase.demo import eis as demo
from interphase.eis import lin_kk
from tests.eis.spectra import corpus_spectrum


def impedance_py(f: np.ndarray, z: np.ndarray, n_rc: int):
    """impedance.py's linKK with n_rc elements (complex fit, series capacitance)."""
    from impedance.validation import linKK

    # impedance.py evals printed numbers: NumPy 2 needs its 1.25 printing (upstream issue #296)
    with np.printoptions(legacy="1.25"), contextlib.redirect_stdout(io.StringIO()):
        return linKK(f, z, c=None, max_M=n_rc, fit_type="complex", add_cap=True)


SPECTRA = {
    "demo NMC-700 4.0 V": (
        demo.frequencies(),
        demo.model(demo.TRUTH["NMC-700"][4.0], demo.frequencies()),
    ),
    "demo NMC-900 3.6 V, noisy": (
        demo.frequencies(),
        demo.noisy(
            demo.model(demo.TRUTH["NMC-900"][3.6], demo.frequencies()), np.random.default_rng(1)
        ),
    ),
    "benchmark-like, 5 a decade": corpus_spectrum(
        {n: demo.TRUTH["NMC-700"][3.8][n] for n in demo.PARAM_NAMES}, 0.1, 1e5, 0.004, 3
    ),
}


@pytest.mark.parametrize("name", SPECTRA)
@pytest.mark.parametrize("n_rc", [3, 12, 25])
def test_the_same_numbers_as_impedance_py(name, n_rc):
    f, z = SPECTRA[name]
    m, mu, _z_fit, res_real, res_imag = impedance_py(f, z, n_rc)
    ours = lin_kk.run(f, z, n_rc)
    assert ours.n_rc == m
    assert ours.mu == pytest.approx(mu, rel=1e-9, abs=1e-12)
    assert np.allclose(ours.residual_real, res_real, rtol=0, atol=1e-12)
    assert np.allclose(ours.residual_imag, res_imag, rtol=0, atol=1e-12)


def test_the_number_of_elements_is_the_smallest_above_the_start_with_mu_below_the_cut_off():
    f, z = SPECTRA["demo NMC-900 3.6 V, noisy"]
    result = lin_kk.lin_kk(f, z)
    start = max(lin_kk.MIN_RC, round(lin_kk.MIN_RC_PER_DECADE * np.log10(f.max() / f.min())))
    assert result.n_rc >= start and result.mu < lin_kk.MU_CUTOFF
    if result.n_rc > start:
        assert lin_kk.run(f, z, result.n_rc - 1).mu >= lin_kk.MU_CUTOFF
    # the demo noise is 0.3 % of |Z| per part: a valid spectrum's residuals are of that size
    assert result.max_percent < 1.5
