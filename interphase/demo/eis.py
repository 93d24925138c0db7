"""Demo impedance spectra of the NMC111 | LATP half cells, written as real vendor files.

Circuit R0-p(R1,CPE1)-p(R2,CPE2)-CPE3 (impedance.py notation; CPE: Z = 1 / (Q (jω)^n)):

- R0: LATP bulk plus the liquid electrolyte between film and counter electrode;
- R1 || CPE1: LATP grain boundaries (apex ~100 kHz);
- R2 || CPE2: charge transfer at the NMC | LATP interface (R2 = R_ct);
- CPE3: Li diffusion in the NMC film (the low-frequency tail, n ~ 0.55-0.6).

R_ct × area at 4.0 V is 315 Ω cm² for NMC-700 and 114 000 Ω cm² for NMC-900 (the seed
abstract), with area 0.196 cm². Potential dependence: R_ct is largest in the lithium-rich
state (3.6 V) and smallest near 4.0 V, rising again at 4.2 V, the usual shape for layered
oxides (e.g. Ohzuku & Makimura-type NMC111 cells); CPE3's Q grows with the Li diffusivity
mid-charge. NMC-900 has a small interfacial capacitance (a resistive reaction layer) so
that its much larger arc still peaks near 1 Hz, well inside the 1 MHz - 10 mHz window.

Files: BioLogic EC-Lab .mpt (PEIS, cp1252, CRLF) for every spectrum except NMC-900 at
4.2 V, which is a Gamry .DTA (EISPOT, ISO-8859-1, CRLF), as a lab with two potentiostats
would have. Noise: Gaussian, 0.3 % of |Z| on the real and the imaginary part independently.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

# Fixed sub-seed of this module for np.random.default_rng([seed, RNG_STREAM]).
RNG_STREAM = 3011
AREA_CM2 = 0.196
POTENTIALS_V = (3.6, 3.8, 4.0, 4.2)
CIRCUIT = "R0-p(R1,CPE1)-p(R2,CPE2)-CPE3"
PARAM_NAMES = ("R0", "R1", "CPE1_0", "CPE1_1", "R2", "CPE2_0", "CPE2_1", "CPE3_0", "CPE3_1")
F_MAX_HZ = 1e6
F_MIN_HZ = 1e-2
POINTS_PER_DECADE = 10
NOISE_FRACTION = 0.003  # of |Z|, per component
AC_AMPLITUDE_V = 0.010  # rms, as in the files' 'Va (mV)' / VAC settings
GAMRY_CASE = ("NMC-900", 4.2)

# Area-specific charge-transfer resistance (Ω cm²) per potential; 4.0 V values from the abstract.
_RCT_AREA = {
    "NMC-700": {3.6: 980.0, 3.8: 450.0, 4.0: 315.0, 4.2: 365.0},
    "NMC-900": {3.6: 265000.0, 3.8: 162000.0, 4.0: 114000.0, 4.2: 131000.0},
}
# Potential-independent elements (ohm; Q in ohm-1 s^n) and CPE3 Q relative factor per potential.
_FIXED = {
    "NMC-700": {
        "R0": 145.0,
        "R1": 420.0,
        "CPE1_0": 1.0e-8,
        "CPE1_1": 0.90,
        "CPE2_0": 2.0e-5,
        "CPE2_1": 0.82,
        "CPE3_0": 4.0e-3,
        "CPE3_1": 0.55,
    },
    "NMC-900": {
        "R0": 152.0,
        "R1": 610.0,
        "CPE1_0": 8.0e-9,
        "CPE1_1": 0.90,
        "CPE2_0": 3.0e-7,
        "CPE2_1": 0.86,
        "CPE3_0": 2.0e-5,
        "CPE3_1": 0.60,
    },
}
_TAIL_FACTOR = {3.6: 1.0, 3.8: 1.3, 4.0: 1.5, 4.2: 1.2}


def _truth() -> dict:
    """TRUTH[sample][potential_V] = circuit parameters, with R_ct_area (Ω cm²)."""
    out = {}
    for sample, rct in _RCT_AREA.items():
        out[sample] = {}
        for potential in POTENTIALS_V:
            p = dict(_FIXED[sample])
            p["R2"] = rct[potential] / AREA_CM2
            p["CPE3_0"] = p["CPE3_0"] * _TAIL_FACTOR[potential]
            p["R_ct_area"] = rct[potential]
            out[sample][potential] = {k: p[k] for k in (*PARAM_NAMES, "R_ct_area")}
    return out


# TRUTH["NMC-700"][4.0]["R_ct_area"] == 315.0; parameters named as impedance.py names them.
TRUTH: dict = _truth()
SAMPLE_TEMPERATURES_C = {"NMC-700": 700.0, "NMC-900": 900.0}


def frequencies() -> np.ndarray:
    """The measured frequencies, 1 MHz to 10 mHz, 10 per decade, as a potentiostat steps them."""
    decades = round(math.log10(F_MAX_HZ / F_MIN_HZ))
    return np.logspace(math.log10(F_MAX_HZ), math.log10(F_MIN_HZ), decades * POINTS_PER_DECADE + 1)


def cpe(q: float, n: float, f: np.ndarray) -> np.ndarray:
    """Impedance of a constant-phase element, 1 / (Q (jω)^n)."""
    return 1.0 / (q * (1j * 2 * np.pi * f) ** n)


def model(params: dict, f: np.ndarray) -> np.ndarray:
    """Impedance of R0-p(R1,CPE1)-p(R2,CPE2)-CPE3, written out here (independent of the fitter)."""

    def parallel(r, z):
        return 1.0 / (1.0 / r + 1.0 / z)

    return (
        params["R0"]
        + parallel(params["R1"], cpe(params["CPE1_0"], params["CPE1_1"], f))
        + parallel(params["R2"], cpe(params["CPE2_0"], params["CPE2_1"], f))
        + cpe(params["CPE3_0"], params["CPE3_1"], f)
    )


def noisy(z: np.ndarray, rng: np.random.Generator, fraction: float = NOISE_FRACTION) -> np.ndarray:
    """``z`` plus Gaussian noise of ``fraction`` × |Z| on each component."""
    mod = np.abs(z)
    return z + fraction * mod * (rng.standard_normal(z.size) + 1j * rng.standard_normal(z.size))


def ecl(value: float, digits: int = 7) -> str:
    """A number with a three-digit exponent, as EC-Lab and Gamry write them: '1.0003201E+003'."""
    mantissa, exponent = f"{value:.{digits}E}".split("E")
    return f"{mantissa}E{int(exponent):+04d}"


def gamry_number(value: float) -> str:
    """A number the Gamry way: 7 significant digits, 'E-006' exponents when small or large."""
    text = f"{value:.7g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}E{int(exponent):+04d}"
    return text


def point_times(f: np.ndarray, cycles: int = 2, settle_s: float = 0.25) -> np.ndarray:
    """Elapsed time at each point: ``cycles`` periods plus a settling time, accumulated."""
    return np.cumsum(cycles / f + settle_s)


def mpt_text(
    z: np.ndarray, f: np.ndarray, potential: float, name: str, start: str, rng: np.random.Generator
) -> str:
    """An EC-Lab ASCII PEIS export modelled on impedance.py's exampleDataBioLogic.mpt."""
    settings = [
        ("Mode", "Single sine"),
        ("E (V)", f"{potential:.4f}"),
        ("vs.", "Ref"),
        ("tE (h:m:s)", "0:00:0.0000"),
        ("record", "0"),
        ("dI", "0.000"),
        ("unit dI", "mA"),
        ("dt (s)", "0.000"),
        ("fi", "1.000"),
        ("unit fi", "MHz"),
        ("ff", "10.000"),
        ("unit ff", "mHz"),
        ("Nd", f"{POINTS_PER_DECADE}"),
        ("Points", "per decade"),
        ("spacing", "Logarithmic"),
        ("Va (mV)", f"{AC_AMPLITUDE_V * 1000:.1f}"),
        ("pw", "0.10"),
        ("Na", "2"),
        ("corr", "0"),
        ("E range min (V)", "-10.000"),
        ("E range max (V)", "10.000"),
        ("I Range", "Auto"),
        ("Bandwidth", "7"),
        ("nc cycles", "0"),
        ("goto Ns'", "0"),
        ("nr cycles", "0"),
        ("inc. cycle", "0"),
    ]
    free = [
        "",
        "Potentio Electrochemical Impedance Spectroscopy",
        "",
        "Run on channel : 1 (SN 20417)",
        "User : ",
        "CE vs. WE compliance from -10 V to 10 V",
        "Electrode connection : standard",
        "Potential control : Ewe",
        "Ewe ctrl range : min = -10.00 V, max = 10.00 V",
        "Safety Limits :",
        "\tDo not start on E overload",
        f"Acquisition started on : {start}",
        f"Technique started on : {start}",
        "Saved on :",
        f"\tFile : {name}.mpr",
        "\tDirectory : C:\\EC-Lab\\Data\\interphase-demo\\",
        "\tHost : 192.168.0.17",
        "Device : SP-150 (SN 20417)",
        "Address : USB",
        "EC-Lab for windows v11.18 (software)",
        "Internet server v11.18 (firmware)",
        "Command interpretor v11.16 (firmware)",
        "Electrode material : NMC111 film on LATP",
        "Initial state : ",
        "Electrolyte : 1 M LiPF6 EC/DMC",
        "Comments : ",
        f"Electrode surface area : {AREA_CM2:.3f} cm\u00b2",
        "Characteristic mass : 0.001 g",
        "Equivalent Weight : 0.000 g/eq.",
        "Density : 0.000 g/cm3",
        "Cycle Definition : Charge/Discharge alternance",
    ]
    free += [f"{key:<20}{value:<20}" for key, value in settings]
    free.append("")
    columns = [
        "freq/Hz",
        "Re(Z)/Ohm",
        "-Im(Z)/Ohm",
        "|Z|/Ohm",
        "Phase(Z)/deg",
        "time/s",
        "<Ewe>/V",
        "<I>/mA",
        "Cs/\u00b5F",
        "Cp/\u00b5F",
        "cycle number",
        "I Range",
        "|Ewe|/V",
        "|I|/A",
        "Re(Y)/Ohm-1",
        "Im(Y)/Ohm-1",
        "|Y|/Ohm-1",
        "Phase(Y)/deg",
    ]
    lines = [
        "EC-Lab ASCII FILE",
        f"Nb header lines : {len(free) + 3:<3d}" + " " * 23,
        *free,
        "\t".join(columns) + "\t",
    ]
    w = 2 * np.pi * f
    y = 1.0 / z
    phase = np.degrees(np.angle(z))
    times = point_times(f)
    ewe = potential + 2e-4 * rng.standard_normal(f.size)
    i_dc = 1e-4 * rng.standard_normal(f.size)
    ewe_amp = AC_AMPLITUDE_V * math.sqrt(2) * (1 + 0.002 * rng.standard_normal(f.size))
    for k in range(f.size):
        fields = [
            ecl(f[k]),
            ecl(z[k].real),
            ecl(-z[k].imag),
            ecl(abs(z[k])),
            ecl(phase[k]),
            ecl(times[k], 15),
            ecl(ewe[k]),
            ecl(i_dc[k]),
            ecl(1e6 / (w[k] * -z[k].imag)),
            ecl(1e6 * y[k].imag / w[k]),
            ecl(1.0, 15),
            "11" if abs(z[k]) < 1e4 else "10",
            ecl(ewe_amp[k]),
            ecl(ewe_amp[k] / abs(z[k])),
            ecl(y[k].real),
            ecl(y[k].imag),
            ecl(abs(y[k])),
            ecl(-phase[k]),
        ]
        lines.append("\t".join(fields))
    return "\r\n".join(lines) + "\r\n"


def dta_text(
    z: np.ndarray,
    f: np.ndarray,
    potential: float,
    note: str,
    date: str,
    time: str,
    rng: np.random.Generator,
) -> str:
    """A Gamry Framework EISPOT .DTA modelled on impedance.py's exampleDataGamry.DTA."""
    eoc = potential - 0.35
    lines = [
        "EXPLAIN",
        "TAG\tEISPOT",
        "TITLE\tLABEL\tPotentiostatic EIS\tTest &Identifier",
        f"DATE\tLABEL\t{date}\tDate",
        f"TIME\tLABEL\t{time}\tTime",
        "NOTES\tNOTES\t1\t&Notes...",
        f"\t{note}",
        "PSTAT\tPSTAT\tREF3000-34128\tPotentiostat",
        f"VDC\tPOTEN\t{ecl(potential, 5)}\tF\tDC &Voltage (V)",
        "FREQINIT\tQUANT\t1.00000E+006\tInitial Fre&q. (Hz)",
        "FREQFINAL\tQUANT\t1.00000E-002\tFinal Fre&q. (Hz)",
        f"PTSPERDEC\tQUANT\t{ecl(POINTS_PER_DECADE, 5)}\tPoints/&decade",
        f"VAC\tQUANT\t{ecl(AC_AMPLITUDE_V * 1000, 5)}\tAC &Voltage (mV rms)",
        f"AREA\tQUANT\t{ecl(AREA_CM2, 5)}\t&Area (cm^2)",
        "CONDIT\tTWOPARAM\tF\t1.50000E+001\t0.00000E+000\tConditionin&g\tTime(s)\tE(V)",
        "DELAY\tTWOPARAM\tT\t1.00000E+002\t0.00000E+000\tInit. De&lay\tTime(s)\tStab.(mV/s)",
        "SPEED\tSELECTOR\t1\t&Optimize for:",
        "ZGUESS\tQUANT\t1.00000E+005\tE&stimated Z (ohms)",
    ]
    n_ocv = 40
    lines += [
        f"OCVCURVE\tTABLE\t{n_ocv}",
        "\tPt\tT\tVf\tVm\tAch\tOver\tTemp",
        "\t#\ts\tV vs. Ref.\tV\tV\tbits\tdeg C",
    ]
    drift = eoc + 0.004 * np.exp(-np.arange(n_ocv) / 15.0)
    for k in range(n_ocv):
        vf = drift[k] + 3e-5 * rng.standard_normal()
        vm = vf + 2e-5 * rng.standard_normal()
        ach = 1e-4 * rng.standard_normal()
        lines.append(
            f"\t{k}\t{0.258333 * (k + 1):.6g}\t{ecl(vf, 5)}\t{ecl(vm, 5)}\t{ecl(ach, 5)}"
            "\t..........a\t-327.67"
        )
    lines += [
        f"EOC\tQUANT\t{drift[-1]:.7g}\tOpen Circuit (V)",
        "PSTATMODEL\tIQUANT\t5\tPstat Model",
        "PSTATSECTION\tLABEL\tREF3000-34128\tPstat Section",
        "PSTATSERIALNO\tLABEL\t34128\tPstat Serial Number",
        "CTRLMODE\tIQUANT\t1\tControl Mode",
        "ELECTROMETER\tIQUANT\t0\tRE=0 or CS=1",
        "IESTAB\tIQUANT\t0\tI/E Stability",
        "CASPEED\tIQUANT\t3\tControl Amp Speed",
        "CONVENTION\tIQUANT\t1\tCurrent Convention",
        "IERANGEMODE\tTOGGLE\tT\tI/E AutoRange",
        "DCCALDATE\tLABEL\t5/2/2025\tDC Calibration Date",
        "ACCALDATE\tLABEL\t5/2/2025\tAC Calibration Date",
        "FRAMEWORKVERSION\tQUANT\t7.05\tFramework Version",
        "INSTRUMENTVERSION\tLABEL\t4.21\tInstrument Version",
        "ZCURVE\tTABLE",
        "\tPt\tTime\tFreq\tZreal\tZimag\tZsig\tZmod\tZphz\tIdc\tVdc\tIERange",
        "\t#\ts\tHz\tohm\tohm\tV\tohm\t\u00b0\tA\tV\t#",
    ]
    times = np.rint(point_times(f)).astype(int)
    phase = np.degrees(np.angle(z))
    for k in range(f.size):
        idc = 2e-8 * rng.standard_normal()
        vdc = potential + 5e-5 * rng.standard_normal()
        ie_range = max(3, min(11, 11 - int(math.log10(abs(z[k])))))
        fields = [
            str(k),
            str(times[k]),
            gamry_number(f[k]),
            gamry_number(z[k].real),
            gamry_number(z[k].imag),
            "1",
            gamry_number(abs(z[k])),
            gamry_number(phase[k]),
            gamry_number(idc),
            gamry_number(vdc),
            str(ie_range),
        ]
        lines.append("\t" + "\t".join(fields))
    return "\r\n".join(lines) + "\r\n"


def truth_for(sample: dict) -> dict:
    """The TRUTH entry for a demo sample (by id, else by sintering temperature)."""
    if sample["sample"] in TRUTH:
        return TRUTH[sample["sample"]]
    temperature = float(sample["sintering_temperature_C"])
    key = min(SAMPLE_TEMPERATURES_C, key=lambda s: abs(SAMPLE_TEMPERATURES_C[s] - temperature))
    return TRUTH[key]


def generate(raw_dir: Path, samples: list[dict], seed: int) -> list[dict]:
    """Write the EIS files of every sample and potential under raw_dir/eis/; return their rows."""
    rng = np.random.default_rng([seed, RNG_STREAM])
    out_dir = Path(raw_dir) / "eis"
    out_dir.mkdir(parents=True, exist_ok=True)
    f = frequencies()
    rows = []
    for s_index, sample in enumerate(
        sorted(samples, key=lambda s: (float(s["sintering_temperature_C"]), s["sample"]))
    ):
        truth = truth_for(sample)
        for p_index, potential in enumerate(POTENTIALS_V):
            z = noisy(model(truth[potential], f), rng)
            measurement = f"{sample['sample']}_eis_{potential:.1f}V"
            hour, minute = 9 + s_index * 4 + p_index, 15
            if (truth is TRUTH.get(GAMRY_CASE[0])) and potential == GAMRY_CASE[1]:
                name = f"{measurement}.DTA"
                note = f"{sample.get('label') or sample['sample']} {potential:.1f} V vs Li/Li+"
                text = dta_text(
                    z, f, potential, note, "6/12/2025", f"{hour:02d}:{minute:02d}:00", rng
                )
                (out_dir / name).write_bytes(text.encode("iso-8859-1"))
            else:
                name = f"{measurement}.mpt"
                start = f"06/12/2025 {hour:02d}:{minute:02d}:00"
                (out_dir / name).write_bytes(
                    mpt_text(z, f, potential, measurement, start, rng).encode("cp1252")
                )
            rows.append(
                {
                    "measurement": measurement,
                    "sample": sample["sample"],
                    "technique": "eis",
                    "file": f"eis/{name}",
                    "format": "",
                    "potential_V": potential,
                    "scan_rate_mV_s": "",
                }
            )
    return rows
