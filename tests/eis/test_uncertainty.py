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
