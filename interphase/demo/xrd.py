"""Demo XRD scans of NMC111 films on LATP: 700 °C phase-pure, 900 °C with interlayer impurity peaks.

Physics (per sample, 2θ 10-80° in 0.02° steps, 3501 points, Cu Kα):
- reflections of NMC111 (film) and LATP (substrate) from the built-in reference library
  (:mod:`interphase.xrd.references`, pymatgen), every reflection ≥ 0.5 % of its phase's
  strongest, with heights scaled so the strongest NMC111 peak is ``NMC_HEIGHT`` and the
  strongest LATP peak ``LATP_HEIGHT`` counts;
- pseudo-Voigt profiles (η = 0.5) with a Caglioti width FWHM² = U tan²θ + V tanθ + W
  (FWHM 0.10-0.19° over the range), Cu Kα1 1.540598 Å + Kα2 1.544426 Å at ratio 0.5
  (Hölzer et al., Phys. Rev. A 56, 4554 (1997)) at the Bragg angle for each wavelength;
- background: exponential decay from low angle + a broad amorphous hump at 26°;
- Poisson counting noise on the expected counts.
- NMC-900 only: ``IMPURITY_REFLECTIONS``: single reflections of LiCoPO4, Co3O4 and CoTiO3
  (the crystallised interdiffusion layer, strongly textured, so only these reflections
  carry intensity), chosen ≥ 0.45° away from every NMC111/LATP reflection so that they
  are resolvable, 250-450 counts high (20-40 × the noise, below every main-phase peak).
  Their 2θ come from the library too (``TRUTH['NMC-900']['impurity_peaks_2theta']``).

Files: NMC-700 as PANalytical XRDML 1.6 (the structure of an X'Pert Pro Data Collector
export: ``<intensities>`` with ``commonCountingTime``), NMC-900 as Rigaku SmartLab .ras
(Shift-JIS, ``*KEY "value"`` header, rows ``2θ counts attenuation``: points whose
expected count exceeds ``ATTENUATOR_ABOVE`` are measured through an attenuator of factor
``ATTENUATOR_FACTOR``, so intensity = counts × attenuation). Counts are integers, so the
files do not depend on pymatgen's last digits.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from interphase.xrd import peaks as peakfit
from interphase.xrd import references
from interphase.xrd.wavelength import Source

RNG_STREAM = 3  # this module's fixed stream number for np.random.default_rng([seed, RNG_STREAM])

KA1, KA2, KA2_RATIO = 1.540598, 1.544426, 0.5  # Cu Kα1/Kα2 (Å), Hölzer et al. 1997; natural ratio
TWO_THETA = np.round(np.arange(0, 3501) * 0.02 + 10.0, 4)  # 10-80°, 0.02° steps
ETA = 0.5  # pseudo-Voigt Lorentzian fraction
CAGLIOTI = {"NMC-700": (0.012, -0.002, 0.010), "NMC-900": (0.010, -0.002, 0.008)}  # U, V, W (deg²)
NMC_HEIGHT, LATP_HEIGHT = 2400.0, 3000.0  # counts at the strongest reflection of each phase
MIN_RELATIVE = 0.5  # percent: weaker reflections are left out
ATTENUATOR_ABOVE, ATTENUATOR_FACTOR = 2000.0, 10.0
XRDML_COUNTING_TIME_S = 40.800  # X'Celerator effective counting time per step
RAS_SCAN_SPEED_DEG_MIN = 2.0  # → 0.6 s per 0.02° step

# (phase, hkl label from the library, peak height in counts)
IMPURITY_REFLECTIONS = {
    "NMC-700": (),
    "NMC-900": (("LiCoPO4", "200", 300.0), ("Co3O4", "220", 350.0), ("LiCoPO4", "311", 450.0), ("CoTiO3", "2 -1 6", 280.0)),
}

FILES = {"NMC-700": "xrd/NMC-700_xrd.xrdml", "NMC-900": "xrd/NMC-900_xrd.ras"}
FORMATS = {"NMC-700": "panalytical_xrdml", "NMC-900": "rigaku_ras"}


def reflection(phase: str, hkl: str) -> tuple[float, float]:
    """2θ (Kα1) and relative intensity of one library reflection."""
    pat = references.pattern(phase, KA1, (float(TWO_THETA[0]), float(TWO_THETA[-1])))
    i = pat.hkl.index(hkl)
    return float(pat.two_theta[i]), float(pat.intensity[i])


def _truth() -> dict:
    """The known parameters per sample."""
    out = {}
    for sample, impurities in IMPURITY_REFLECTIONS.items():
        two_theta = [reflection(phase, hkl)[0] for phase, hkl, _ in impurities]
        out[sample] = {
            "measurement": f"{sample}_xrd",
            "file": FILES[sample],
            "phases": ["NMC111", "LATP"],
            "n_impurity_peaks": len(impurities),
            "impurity_peaks_2theta": sorted(two_theta),
            "impurity_phases": [phase for phase, _, _ in sorted(impurities, key=lambda r: reflection(r[0], r[1])[0])],
            "position_tolerance_deg": 0.05,
            "caglioti_UVW": CAGLIOTI[sample],
        }
    return out


def fwhm(two_theta: np.ndarray, uvw: tuple[float, float, float]) -> np.ndarray:
    """Caglioti width (deg) at 2θ."""
    t = np.tan(np.radians(two_theta) / 2.0)
    u, v, w = uvw
    return np.sqrt(u * t**2 + v * t + w)


def background(x: np.ndarray) -> np.ndarray:
    """Expected background counts: low-angle decay + amorphous hump + constant."""
    return 140.0 * np.exp(-(x - 10.0) / 12.0) + 70.0 * np.exp(-0.5 * ((x - 26.0) / 5.0) ** 2) + 60.0


def _add_reflection(y: np.ndarray, x: np.ndarray, center: float, height: float, uvw) -> None:
    """Add a Kα1+Kα2 pseudo-Voigt doublet whose Kα1 peak is ``height`` counts high."""
    f = float(fwhm(np.array(center), uvw))
    area = height / peakfit.pv_height(f, 1.0, ETA)
    y += peakfit.doublet(x, center, f, area, ETA, Source(KA1, KA2, KA2_RATIO))


def expected_counts(sample: str) -> np.ndarray:
    """Expected (noise-free) counts of a sample's scan."""
    x = TWO_THETA
    y = background(x)
    uvw = CAGLIOTI[sample]
    rng = (float(x[0]) - 1.0, float(x[-1]) + 1.0)
    for phase, top in (("NMC111", NMC_HEIGHT), ("LATP", LATP_HEIGHT)):
        pat = references.pattern(phase, KA1, rng, MIN_RELATIVE)
        f = fwhm(pat.two_theta, uvw)
        # pymatgen gives integrated intensities: heights scale as area / FWHM
        heights = pat.intensity / f
        heights = top * heights / heights.max()
        for center, height in zip(pat.two_theta, heights):
            _add_reflection(y, x, float(center), float(height), uvw)
    for phase, hkl, height in IMPURITY_REFLECTIONS[sample]:
        _add_reflection(y, x, reflection(phase, hkl)[0], height, uvw)
    return y


def xrdml_text(counts: np.ndarray) -> str:
    """An XRDML 1.6 document in the layout of X'Pert Pro Data Collector exports."""
    intensities = " ".join(str(int(c)) for c in counts)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<xrdMeasurements xmlns="http://www.xrdml.com/XRDMeasurement/1.6" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.xrdml.com/XRDMeasurement/1.6 http://www.xrdml.com/XRDMeasurement/1.6/XRDMeasurement.xsd" status="Completed">
\t<comment>
\t\t<entry>Configuration=Reflection-Transmission Spinner, Owner=User-1, Creation date=4/2/2019 9:12:00 AM</entry>
\t\t<entry>Goniometer=PW3050/60 (Theta/2Theta); Minimum step size 2Theta:0.001; Minimum step size Omega:0.001</entry>
\t\t<entry>Sample stage=Reflection-Transmission Spinner PW3064/60</entry>
\t\t<entry>Diffractometer system=XPERT-PRO</entry>
\t\t<entry>Measurement program=C:\\PANalytical\\Data Collector\\Programs\\10to80_film.xrdmp, Identifier={{6F3C2A10-4B7E-4D21-9A55-3E1D0C7B2A91}}</entry>
\t\t<entry>Fine Calibration Offset for 2Theta = 0.000 deg</entry>
\t</comment>
\t<sample type="To be analyzed">
\t\t<id>NMC-700</id>
\t\t<name>NMC111 film on LATP, sintered 700 C</name>
\t\t<preparedBy>User</preparedBy>
\t</sample>
\t<xrdMeasurement measurementType="Scan" status="Completed" sampleMode="Reflection">
\t\t<comment>
\t\t\t<entry>10-80 deg, 0.02 deg step, thin film on LATP</entry>
\t\t</comment>
\t\t<usedWavelength intended="K-Alpha">
\t\t\t<kAlpha1 unit="Angstrom">1.5405980</kAlpha1>
\t\t\t<kAlpha2 unit="Angstrom">1.5444260</kAlpha2>
\t\t\t<kBeta unit="Angstrom">1.3922500</kBeta>
\t\t\t<ratioKAlpha2KAlpha1>0.5000</ratioKAlpha2KAlpha1>
\t\t</usedWavelength>
\t\t<incidentBeamPath>
\t\t\t<radius unit="mm">240.00</radius>
\t\t\t<xRayTube id="1010048" name="Empyrean Cu LFF HR (9430 033 7310x)">
\t\t\t\t<tension unit="kV">45.0</tension>
\t\t\t\t<current unit="mA">40.0</current>
\t\t\t\t<anodeMaterial>Cu</anodeMaterial>
\t\t\t\t<focus type="Line">
\t\t\t\t\t<length unit="mm">12.0</length>
\t\t\t\t\t<width unit="mm">0.4</width>
\t\t\t\t\t<takeOffAngle unit="deg">6.0</takeOffAngle>
\t\t\t\t</focus>
\t\t\t</xRayTube>
\t\t\t<sollerSlit id="21020003" name="Soller 0.04 rad.">
\t\t\t\t<opening unit="rad">0.0400</opening>
\t\t\t</sollerSlit>
\t\t\t<mask id="22080002" name="Fixed incident beam mask 10 mm">
\t\t\t\t<width unit="mm">6.60</width>
\t\t\t</mask>
\t\t\t<divergenceSlit id="22010012" name="Programmable divergence slit" xsi:type="fixedDivergenceSlitType">
\t\t\t\t<distanceToSample unit="mm">140.00</distanceToSample>
\t\t\t\t<angle unit="deg">0.5</angle>
\t\t\t</divergenceSlit>
\t\t</incidentBeamPath>
\t\t<sampleMovement xsi:type="spinningSampleMovementType">
\t\t\t<spinnerRevolutionTime unit="seconds">1.0</spinnerRevolutionTime>
\t\t</sampleMovement>
\t\t<diffractedBeamPath>
\t\t\t<radius unit="mm">240.00</radius>
\t\t\t<antiScatterSlit id="22060009" name="Programmable anti-scatter slit" xsi:type="fixedAntiScatterSlitType">
\t\t\t\t<angle unit="deg">0.5</angle>
\t\t\t</antiScatterSlit>
\t\t\t<sollerSlit id="21020003" name="Large Soller slits 0.04 rad.">
\t\t\t\t<opening unit="rad">0.0400</opening>
\t\t\t</sollerSlit>
\t\t\t<filter id="23010001" name="Nickel">
\t\t\t\t<material>Ni</material>
\t\t\t\t<thickness unit="mm">0.020</thickness>
\t\t\t</filter>
\t\t\t<detector id="7010013" name="X'Celerator detector" xsi:type="rtmsDetectorType">
\t\t\t\t<phd>
\t\t\t\t\t<lowerLevel unit="%">42.0</lowerLevel>
\t\t\t\t\t<upperLevel unit="%">79.5</upperLevel>
\t\t\t\t</phd>
\t\t\t\t<mode>Scanning</mode>
\t\t\t\t<activeLength unit="deg">2.122</activeLength>
\t\t\t</detector>
\t\t</diffractedBeamPath>
\t\t<scan appendNumber="0" mode="Continuous" scanAxis="Gonio" status="Completed">
\t\t\t<header>
\t\t\t\t<startTimeStamp>2019-04-02T09:14:05+09:00</startTimeStamp>
\t\t\t\t<endTimeStamp>2019-04-02T09:44:39+09:00</endTimeStamp>
\t\t\t\t<author>
\t\t\t\t\t<name>User</name>
\t\t\t\t</author>
\t\t\t\t<source>
\t\t\t\t\t<applicationSoftware version="5.4">Data Collector</applicationSoftware>
\t\t\t\t\t<instrumentControlSoftware version="2.2F 20161117">XPERT-PRO</instrumentControlSoftware>
\t\t\t\t\t<instrumentID>0000000011049883</instrumentID>
\t\t\t\t</source>
\t\t\t</header>
\t\t\t<dataPoints>
\t\t\t\t<positions axis="2Theta" unit="deg">
\t\t\t\t\t<startPosition>{TWO_THETA[0]:.8f}</startPosition>
\t\t\t\t\t<endPosition>{TWO_THETA[-1]:.8f}</endPosition>
\t\t\t\t</positions>
\t\t\t\t<positions axis="Omega" unit="deg">
\t\t\t\t\t<startPosition>{TWO_THETA[0] / 2:.8f}</startPosition>
\t\t\t\t\t<endPosition>{TWO_THETA[-1] / 2:.8f}</endPosition>
\t\t\t\t</positions>
\t\t\t\t<commonCountingTime unit="seconds">{XRDML_COUNTING_TIME_S:.3f}</commonCountingTime>
\t\t\t\t<intensities unit="counts">{intensities}</intensities>
\t\t\t</dataPoints>
\t\t</scan>
\t</xrdMeasurement>
</xrdMeasurements>
"""


# Header lines of a SmartLab Guidance .ras export ('日本語|English' names as written on Japanese Windows).
RAS_HEADER = (
    ("FILE_COMMENT", " "),
    ("FILE_MEMO", "NMC111 film on LATP, co-sintered 900 C"),
    ("FILE_OPERATOR", "Administrator"),
    ("FILE_SAMPLE", "NMC-900"),
    ("FILE_TYPE", "RAS_RAW"),
    ("FILE_USERGROUP", "System Manager"),
    ("FILE_VERSION", "1.0000000000"),
    ("HW_ATTACHMENT_NAME", "標準|Standard"),
    ("HW_COUNTER_SELECT_NAME", "D/teX Ultra 250|D/teX Ultra 250"),
    ("HW_GONIOMETER_NAME", "SmartLab|SmartLab"),
    ("HW_I_OPT_NAME-0", "CBOユニット|CBO unit"),
    ("HW_R_OPT_NAME-4", "標準アッテネータ|Standard Attenuator"),
    ("HW_SAMPLE_HOLDER_NAME", "標準Zステージ|Standard Z stage"),
    ("HW_XG_FOCUS", "0.4mm x 8mm"),
    ("HW_XG_NAME", "3kW 封入管|3kW Sealed tube"),
    ("HW_XG_TARGET_ATOMIC_NUMBER", "29.0000000000"),
    ("HW_XG_TARGET_NAME", "Cu"),
    ("HW_XG_WAVE_LENGTH_ALPHA1", "1.540593"),
    ("HW_XG_WAVE_LENGTH_ALPHA2", "1.544414"),
    ("HW_XG_WAVE_LENGTH_BETA", "1.392250"),
    ("MEAS_COND_OPT_ATTR", "Bragg-Brentano focusing"),
    ("MEAS_COND_XG_CURRENT", "30.0000000000"),
    ("MEAS_COND_XG_VOLTAGE", "40.0000000000"),
    ("MEAS_COND_XG_WAVE_TYPE", "Ka"),
)


def ras_text(counts: np.ndarray, attenuation: np.ndarray) -> str:
    """A Rigaku .ras document (text; encode as Shift-JIS)."""
    step = float(TWO_THETA[1] - TWO_THETA[0])
    header = list(RAS_HEADER) + [
        ("MEAS_DATA_COUNT", f"{TWO_THETA.size:.10f}"),
        ("MEAS_SCAN_AXIS_X", "2-Theta"),
        ("MEAS_SCAN_END_TIME", "04/03/19 10:48:07"),
        ("MEAS_SCAN_MODE", "CONTINUOUS"),
        ("MEAS_SCAN_SPEED", f"{RAS_SCAN_SPEED_DEG_MIN:.4f}"),
        ("MEAS_SCAN_SPEED_UNIT", "deg/min"),
        ("MEAS_SCAN_START", f"{TWO_THETA[0]:.10f}"),
        ("MEAS_SCAN_START_TIME", "04/03/19 10:12:55"),
        ("MEAS_SCAN_STEP", f"{step:.10f}"),
        ("MEAS_SCAN_STOP", f"{TWO_THETA[-1]:.10f}"),
        ("MEAS_SCAN_UNIT_X", "deg"),
        ("MEAS_SCAN_UNIT_Y", "counts"),
    ]
    lines = ["*RAS_DATA_START", "*RAS_HEADER_START"]
    lines += [f'*{key} "{value}"' for key, value in header]
    lines += ["*RAS_HEADER_END", "*RAS_INT_START"]
    lines += [f"{x:.4f} {c:.4f} {a:.4f}" for x, c, a in zip(TWO_THETA, counts, attenuation)]
    lines += ["*RAS_INT_END", "*RAS_DATA_END"]
    return "\n".join(lines) + "\n"


def generate(raw_dir: Path, samples: list[dict], seed: int) -> list[dict]:
    """Write one XRD scan per demo sample under raw_dir/xrd/; return the measurements rows."""
    raw_dir = Path(raw_dir)
    (raw_dir / "xrd").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, RNG_STREAM])
    rows = []
    for sample in samples:
        name = sample["sample"]
        if name not in FILES:
            continue
        expected = np.round(expected_counts(name), 3)
        path = raw_dir / FILES[name]
        if FILES[name].endswith(".xrdml"):
            counts = rng.poisson(expected)
            path.write_text(xrdml_text(counts), encoding="utf-8", newline="\n")
        else:
            attenuation = np.where(expected > ATTENUATOR_ABOVE, ATTENUATOR_FACTOR, 1.0)
            counts = rng.poisson(expected / attenuation).astype(float)
            path.write_bytes(ras_text(counts, attenuation).encode("shift_jis"))
        rows.append(
            {
                "measurement": TRUTH[name]["measurement"],
                "sample": name,
                "technique": "xrd",
                "file": FILES[name],
                "format": "",
                "potential_V": "",
                "scan_rate_mV_s": "",
            }
        )
    return rows


TRUTH: dict = _truth()
