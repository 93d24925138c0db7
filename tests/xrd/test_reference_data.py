"""The shipped reference data file: fresh, equal to pymatgen at several wavelengths, and used
instead of pymatgen when it can be."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from interphase.xrd import reference_data, references

REPO = Path(__file__).resolve().parents[2]
# Kα1 wavelengths (Å) of Cu, Co and Mo (Hölzer et al., Phys. Rev. A 56, 4554 (1997)),
# each with a range a diffractometer of that anode scans.
WAVELENGTHS = [(1.5405929, (5.0, 150.0)), (1.7889960, (10.0, 120.0)), (0.7093171, (3.0, 90.0))]


def test_the_file_records_every_built_in_phase_with_its_current_structure():
    data = reference_data.load()
    assert set(data["phases"]) == set(references.names())
    for name, spec in references.LIBRARY.items():
        assert data["phases"][name]["inputs"] == references.spec_record(spec), (
            f"{reference_data.DATA_FILE.name} is stale for {name}: "
            "run python -m interphase.xrd.build_references"
        )
        assert reference_data.stale_reason(name) == ""
    assert data["pymatgen_version"] and data["generator"].endswith("build_references")
    assert data["d_min_angstrom"] == 0.5


def test_an_edited_structure_makes_the_file_stale(monkeypatch):
    spec = references.LIBRARY["NMC111"]
    edited = dataclasses.replace(spec, lattice=(2.870, 2.870, 14.26, 90.0, 90.0, 120.0))
    monkeypatch.setitem(references.LIBRARY, "NMC111", edited)
    assert "stale for NMC111" in reference_data.stale_reason("NMC111")
    assert isinstance(reference_data.pattern("NMC111", 1.5405929, 10.0, 80.0), str)


@pytest.mark.parametrize(("wavelength", "two_theta_range"), WAVELENGTHS)
@pytest.mark.parametrize("name", references.names())
def test_patterns_equal_pymatgens_xrd_calculator(name, wavelength, two_theta_range):
    pytest.importorskip("pymatgen")
    from interphase.xrd import crystal

    ours = reference_data.pattern(name, wavelength, *two_theta_range)
    theirs = crystal.computed_pattern(name, wavelength, *two_theta_range)
    assert ours.two_theta.size == theirs.two_theta.size > 10
    # pymatgen puts reflections within 1e-5° in one peak and names it after the first, even
    # a systematic absence (the file keeps none): the position may then differ by < 1e-5°
    np.testing.assert_allclose(ours.two_theta, theirs.two_theta, rtol=0, atol=1e-5)
    np.testing.assert_allclose(ours.intensity, theirs.intensity, rtol=1e-9, atol=1e-9)
    differ = [i for i, (a, b) in enumerate(zip(ours.hkl, theirs.hkl)) if a != b]
    for i in differ:
        assert abs(ours.two_theta[i] - theirs.two_theta[i]) < 1e-5


def test_the_builder_reproduces_the_shipped_file():
    pytest.importorskip("pymatgen")
    from interphase.xrd import build_references

    rebuilt = build_references.build()
    shipped = reference_data.load()
    assert {k: v for k, v in rebuilt.items() if k not in ("phases", "pymatgen_version")} == {
        k: v for k, v in shipped.items() if k not in ("phases", "pymatgen_version")
    }
    for name, phase in rebuilt["phases"].items():
        mine = shipped["phases"][name]["reflections"]
        assert [r[0] for r in phase["reflections"]] == [r[0] for r in mine]
        np.testing.assert_allclose(
            [r[1:] for r in phase["reflections"]], [r[1:] for r in mine], rtol=1e-9
        )


def test_a_range_beyond_the_file_is_computed_by_pymatgen_and_says_so():
    pytest.importorskip("pymatgen")
    why = reference_data.pattern("Co3O4", 0.7093171, 10.0, 120.0)
    assert isinstance(why, str) and "d < 0.5" in why
    pat = references.pattern("Co3O4", 0.7093171, (10.0, 120.0))
    assert "computed with pymatgen at run time" in pat.source
    assert pat.two_theta.max() > 100.0


def test_the_built_in_phases_need_no_pymatgen_at_run_time():
    code = (
        "import sys\n"
        "from interphase.xrd import references\n"
        "for name in references.names():\n"
        "    references.pattern(name, 1.5405929, (10, 80), 1.0)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('pymatgen'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", "import json\n" + code],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    assert json.loads(out.stdout) == []


def test_lorentz_polarisation_factor():
    # (1 + cos²2θ) / (sin²θ cosθ) at 2θ = 90°: (1 + 0) / (0.5 × 0.7071) = 2.828
    assert float(reference_data.lorentz_polarisation(np.array([90.0]))[0]) == pytest.approx(
        2.0 * np.sqrt(2.0), rel=1e-12
    )
