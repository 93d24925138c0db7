"""Standard errors: realistic on the demo spectra; the bootstrap agrees with the covariance."""

from __future__ import annotations

from interphase.demo import eis as demo
from interphase.eis import analysis
from tests.eis.spectra import DEFAULTS, clean, spectrum


def test_standard_errors_are_realistic(demo_fits):
    for row, result in demo_fits:
        value, err = float(result["R_ct_area"]), float(result["R_ct_area_stderr"])
        truth = demo.TRUTH[row["sample"]][row["potential_V"]]["R_ct_area"]
        assert 0 < err < 0.02 * value
        assert abs(value - truth) < 6 * err, row["measurement"]


def test_bootstrap_standard_error_agrees_with_the_covariance_and_is_reported():
    f, z = spectrum(315.0, 10.0, seed=8)
    plain = analysis.analyse(clean(f, z), DEFAULTS)
    boot = analysis.analyse(clean(f, z), {**DEFAULTS, "bootstrap": 60})
    assert float(boot["R_ct_area"]) == float(plain["R_ct_area"])  # the estimate itself is unchanged
    ratio = float(boot["R_ct_area_stderr"]) / float(plain["R_ct_area_stderr"])
    assert 0.5 < ratio < 2.0
    assert boot.attrs["R_ct_stderr_method"] == "residual bootstrap (60 resamples)"
    assert "bootstrap" in boot["R_ct_stderr"].attrs["long_name"]
    rows = analysis.rows(boot)
    assert (
        "stderr by residual bootstrap (60 resamples)" in rows[0]["note"]
        and rows[0]["status"] == "ok"
    )
    assert plain.attrs["R_ct_stderr_method"].startswith("covariance")


def test_the_log_jacobian_is_central_differences_in_log_parameters():
    import numpy as np

    from interphase.eis.circuit import compile_circuit
    from interphase.eis.uncertainty import log_jacobian

    p = demo.TRUTH["NMC-900"][4.0]
    f = demo.frequencies()
    names = list(demo.PARAM_NAMES)
    values = np.array([p[n] for n in names])
    weight = np.ones(2 * f.size) / np.hstack([np.abs(demo.model(p, f))] * 2)
    jac, is_log = log_jacobian(f, demo.CIRCUIT, names, values, weight)
    assert list(is_log) == [not n.endswith("_1") for n in names]
    model = compile_circuit(demo.CIRCUIT)
    for k, name in enumerate(names):
        h = 1e-6
        up, down = values.copy(), values.copy()
        up[k], down[k] = (
            (values[k] * np.exp(h), values[k] * np.exp(-h))
            if is_log[k]
            else (values[k] + h, values[k] - h)
        )
        dz = (model(f, up) - model(f, down)) / (2 * h)
        numeric = np.hstack([dz.real, dz.imag]) * weight
        assert np.allclose(jac[:, k], numeric, rtol=1e-5, atol=1e-6 * np.max(np.abs(numeric))), name
