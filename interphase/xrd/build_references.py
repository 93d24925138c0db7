"""Build the shipped reference data file of the built-in phases with pymatgen (run once).

    python -m interphase.xrd.build_references            # rewrites interphase/data/...json
    python -m interphase.xrd.build_references --check    # exit 1 when the file is out of date

For every phase of :data:`interphase.xrd.references.LIBRARY`, pymatgen's ``XRDCalculator``
computes every reflection with d ≥ :data:`D_MIN_ANGSTROM` (at a build wavelength for which
those reflections lie below 2θ = :data:`BUILD_TWO_THETA_MAX`). What does not depend on the
wavelength is kept per reflection: its hkl label, d (Å) and Σ|F|² over the symmetry-equivalent
reflections (multiplicity × |F|², with pymatgen's atomic scattering factors, no Debye–Waller
factor as XRDCalculator's default), obtained by dividing pymatgen's intensity by the
Lorentz–polarisation factor it applied. At run time :mod:`interphase.xrd.reference_data`
multiplies back the factor for the scan's wavelength. The file records the pymatgen version,
these settings and each phase's inputs (space group, lattice, sites), so that a test (and the
run time) can tell when it is stale.

pymatgen drops reflections weaker than 10⁻⁵ of the strongest *in the range asked for*; the
builder switches that filter off (the strongest reflection of a narrow run-time range can be
much weaker than the strongest of the whole sphere) and keeps every reflection with Σ|F|²
above :data:`ABSENT_RELATIVE` of the phase's largest (below it: systematic absences that
cancel to rounding error); the run time then applies pymatgen's filter to the range.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from unittest import mock

from interphase.xrd import crystal
from interphase.xrd.references import LIBRARY, hkl_label, spec_record

DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "xrd_references.json"
FORMAT_VERSION = 1
D_MIN_ANGSTROM = 0.5  # smallest d kept: Cu/Co/Fe/Cr scans to 2θ 180°, Mo Kα1 to 90°, Ag Kα1 to 68°
BUILD_TWO_THETA_MAX = 120.0  # deg: the build wavelength puts d_min here (LP well away from 180°)
ABSENT_RELATIVE = 1e-12  # Σ|F|² below this × the phase's largest is a systematic absence


def build_wavelength() -> float:
    """The wavelength (Å) at which d = D_MIN_ANGSTROM diffracts at BUILD_TWO_THETA_MAX."""
    return 2.0 * D_MIN_ANGSTROM * math.sin(math.radians(BUILD_TWO_THETA_MAX / 2.0))


def lorentz_polarisation(two_theta_deg: float) -> float:
    """pymatgen's Lorentz–polarisation factor (1 + cos²2θ) / (sin²θ cosθ)."""
    theta = math.radians(two_theta_deg) / 2.0
    return (1.0 + math.cos(2.0 * theta) ** 2) / (math.sin(theta) ** 2 * math.cos(theta))


def phase_reflections(name: str) -> list[list]:
    """Rows [hkl label, d (Å), Σ|F|²] of one built-in phase, largest d first."""
    from pymatgen.analysis.diffraction.core import AbstractDiffractionPatternCalculator
    from pymatgen.analysis.diffraction.xrd import XRDCalculator

    struct = crystal.spec_structure(LIBRARY[name])
    calc = XRDCalculator(wavelength=build_wavelength())
    with mock.patch.object(AbstractDiffractionPatternCalculator, "SCALED_INTENSITY_TOL", 0.0):
        pat = calc.get_pattern(struct, scaled=False, two_theta_range=(0.0, BUILD_TWO_THETA_MAX))
    rows = [
        [hkl_label(h[0]["hkl"]), float(d), float(y) / lorentz_polarisation(float(x))]
        for x, y, h, d in zip(pat.x, pat.y, pat.hkls, pat.d_hkls)
    ]
    largest = max(r[2] for r in rows)
    return [r for r in rows if r[2] > ABSENT_RELATIVE * largest]


def build() -> dict:
    """The whole data file as a dict."""
    return {
        "format_version": FORMAT_VERSION,
        "description": (
            "Reflections of interphase's built-in XRD reference phases: hkl label, d (Angstrom) "
            "and sum of |F|^2 over the symmetry-equivalent reflections (multiplicity x |F|^2), "
            "from pymatgen's XRDCalculator with the Lorentz-polarisation factor divided out"
        ),
        "generator": "python -m interphase.xrd.build_references",
        "pymatgen_version": crystal.pymatgen_version(),
        "d_min_angstrom": D_MIN_ANGSTROM,
        "build_wavelength_angstrom": build_wavelength(),
        "build_two_theta_max_deg": BUILD_TWO_THETA_MAX,
        "columns": ["hkl", "d_angstrom", "multiplicity_F2"],
        "phases": {
            name: {"inputs": spec_record(spec), "reflections": phase_reflections(name)}
            for name, spec in LIBRARY.items()
        },
    }


def dumps(data: dict) -> str:
    """JSON text with one reflection a line (readable, and diffs show what changed)."""
    head = {k: v for k, v in data.items() if k != "phases"}
    lines = ["{"]
    lines += [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in head.items()]
    lines.append('  "phases": {')
    names = list(data["phases"])
    for i, name in enumerate(names):
        phase = data["phases"][name]
        lines.append(f"    {json.dumps(name)}: {{")
        lines.append(f'      "inputs": {json.dumps(phase["inputs"], ensure_ascii=False)},')
        lines.append('      "reflections": [')
        rows = [f"        {json.dumps(r)}" for r in phase["reflections"]]
        lines.append(",\n".join(rows))
        lines.append("      ]")
        lines.append("    }" + ("," if i < len(names) - 1 else ""))
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the data file, or with --check say whether the shipped one is up to date."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("--out", type=Path, default=DATA_FILE)
    args = parser.parse_args(argv)
    text = dumps(build())
    if args.check:
        same = args.out.is_file() and args.out.read_text(encoding="utf-8") == text
        print(f"{args.out}: {'up to date' if same else 'OUT OF DATE: rebuild it'}")
        return 0 if same else 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
