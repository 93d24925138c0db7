"""Demo cyclic voltammograms of the two NMC111|LATP films, written in real vendor formats.

Protocol (both samples): start at open circuit (3.012 V vs Li/Li+), sweep at 1 mV/s to 4.3 V,
back to 3.0 V, three cycles, one point every 2 mV (2 s). Current = background + faradaic + noise:

- background (both films, :data:`BACKGROUND`): a capacitive current C * dE/dt that relaxes to
  its new sign at each vertex with time constant tau (the cell's RC), plus a resistive leak
  (E - E_leak0) / R_leak through the film/electrolyte stack;
- faradaic (NMC-700 only): the Ni2+/Ni4+ (+Co) couple of a 100 nm NMC111 film whose interface
  lets only a small fraction of the film react (surface-like, thin-layer behaviour). Each sweep
  gives the derivative of a Nernstian isotherm with an apparent electron number n_app < 1 (the
  Frumkin-like broadening of insertion hosts): j = Q n_app f v theta (1 - theta), theta =
  1 / (1 + exp(-n_app f (E - E_p))), f = F/RT (Bard & Faulkner 2001, eq. 14.3.7-14.3.10). The
  peak sits exactly at E_p: E_pa on anodic sweeps, E_pc on cathodic ones (their split stands
  for the quasi-reversible kinetics and iR drop); the peak charge is Q per sweep;
- noise: Gaussian, sigma_I on the current (potentiostat noise at microampere currents), and
  sigma_E on the measured potential;
- NMC-900: background only (the blocked interface shows no peaks), the same noise.

NMC-700 is written as a BioLogic EC-Lab .mpt CV export (like ../shared/realdata/electrochem/
cv/biologic_mpt/yadg_cv.mpt: cp1252, 'Nb header lines', CV settings in 20-character columns,
tab-separated columns mode ... (Q-Qo)/C), NMC-900 as a Gamry Framework CV .DTA (like
cv/gamry_dta/chemotion_01_CV.DTA: ISO-8859-1, CRLF, CURVE1..3 and a 1-point CURVE4).
Fixed timestamps and fixed float formats make the files byte-for-byte deterministic for a seed.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

# CODATA 2018 exact: Faraday constant (C mol-1) and molar gas constant (J mol-1 K-1).
FARADAY = 96485.33212
GAS_CONSTANT = 8.314462618
TEMPERATURE_K = 298.15  # room temperature of the measurement

MODULE_SEED = 31  # this module's fixed int for np.random.default_rng([seed, MODULE_SEED])

PROTOCOL = {
    "E_ocv_V": 3.012,  # open circuit of the as-assembled (discharged) cell, vs Li/Li+
    "E_upper_V": 4.3,
    "E_lower_V": 3.0,
    "scan_rate_V_s": 1e-3,
    "step_V": 2e-3,
    "cycles": 3,
}

# Background shared by both films (per cm2 of electrode).
BACKGROUND = {
    "capacitance_F_cm2": 1.0e-3,  # 1 uA cm-2 at 1 mV/s
    "tau_s": 4.0,  # RC relaxation of the capacitive current after a vertex
    "R_leak_ohm_cm2": 1.0e6,
    "E_leak0_V": 3.0,
    "sigma_current_A": 2.0e-7,  # 0.2 uA rms current noise
    "sigma_potential_V": 1.0e-4,  # 0.1 mV rms on the measured Ewe
}

# Known truth per sample. Q: charge of each peak per sweep; n_app: apparent electron number.
# A 100 nm NMC111 film (4.7 g cm-3, ~150 mAh g-1 between 3.0 and 4.3 V) holds ~25 mC cm-2;
# 3 mC cm-2 (0.83 uAh cm-2) is the ~12 % that the 700 °C interface still lets react.
TRUTH = {
    "NMC-700": {
        "redox_peaks_detected": 1,
        "E_pa_V": 3.78,
        "E_pc_V": 3.68,
        "E_half_V": 3.73,
        "delta_Ep_V": 0.10,
        "Q_peak_C_cm2": 3.0e-3,
        "n_app": 0.7,
        "file_format": "biologic_mpt",
        **BACKGROUND,
    },
    "NMC-900": {
        "redox_peaks_detected": 0,
        "Q_peak_C_cm2": 0.0,
        "file_format": "gamry_dta",
        **BACKGROUND,
    },
}

START_TIME = {"mpt": "03/14/2025 10:15:00.000", "dta_date": "14.3.2025", "dta_time": "11:02:10"}


def measurement_id(sample: str) -> str:
    """The demo CV's measurement id for a sample."""
    return f"{sample}_cv_1mVs"


def sweep_potential(protocol: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Control potential, cycle number and vertex flags of the triangular sweep, a point a step."""
    step = protocol["step_V"]
    up, lo = protocol["E_upper_V"], protocol["E_lower_V"]
    e, cyc, vertex = [protocol["E_ocv_V"]], [1], [1]
    for c in range(1, protocol["cycles"] + 1):
        start = e[-1]
        n_up = int(round((up - start) / step))
        n_down = int(round((up - lo) / step))
        ups = np.linspace(start, up, n_up + 1)[1:]
        downs = np.linspace(up, lo, n_down + 1)[1:]
        e.extend(ups)
        e.extend(downs)
        cyc.extend([c] * (n_up + n_down))
        vertex.extend([0] * (n_up - 1) + [1] + [0] * (n_down - 1) + [1])
    return np.array(e), np.array(cyc, dtype=int), np.array(vertex, dtype=int)


def capacitive_current(
    direction: np.ndarray, dt: float, cap: float, v: float, tau: float
) -> np.ndarray:
    """C dE/dt relaxing to each new sweep direction with time constant tau (A cm-2), from rest."""
    out = np.zeros(direction.size)
    decay = math.exp(-dt / tau)
    current = 0.0
    for k in range(1, direction.size):
        target = cap * v * direction[k]
        current = target + (current - target) * decay
        out[k] = current
    return out


def faradaic_current(e: np.ndarray, direction: np.ndarray, truth: dict, v: float) -> np.ndarray:
    """Thin-layer Nernstian peaks with apparent n (A cm-2): anodic at E_pa, cathodic at E_pc."""
    q = truth.get("Q_peak_C_cm2", 0.0)
    if q <= 0:
        return np.zeros(e.size)
    a = truth["n_app"] * FARADAY / (GAS_CONSTANT * TEMPERATURE_K)
    e_peak = np.where(direction > 0, truth["E_pa_V"], truth["E_pc_V"])
    theta = 1.0 / (1.0 + np.exp(-a * (e - e_peak)))
    return direction * q * a * v * theta * (1.0 - theta)


def simulate(
    truth: dict, area_cm2: float, rng: np.random.Generator, protocol: dict = PROTOCOL
) -> dict:
    """Time, control and measured potential, current (A), cycle and vertex flags of one CV."""
    e, cyc, vertex = sweep_potential(protocol)
    v = protocol["scan_rate_V_s"]
    dt = protocol["step_V"] / v
    t = dt * np.arange(e.size)
    direction = np.sign(np.gradient(e))
    direction[0] = 1.0
    j = capacitive_current(direction, dt, truth["capacitance_F_cm2"], v, truth["tau_s"])
    j += (e - truth["E_leak0_V"]) / truth["R_leak_ohm_cm2"]
    j += faradaic_current(e, direction, truth, v)
    current = j * area_cm2 + rng.normal(0.0, truth["sigma_current_A"], e.size)
    ewe = e + rng.normal(0.0, truth["sigma_potential_V"], e.size)
    return {"time": t, "control": e, "ewe": ewe, "current": current, "cycle": cyc, "vertex": vertex}


def sci(value: float, digits: int) -> str:
    """Scientific notation with a 3-digit exponent, as EC-Lab and Gamry write it (1.5E+000)."""
    mantissa, exponent = f"{value:.{digits}E}".split("E")
    return f"{mantissa}E{int(exponent):+04d}"


def setting(key: str, value: str) -> str:
    """One EC-Lab technique setting line: key and value in 20-character columns."""
    return f"{key:<20}{value:<20}"


def mpt_text(data: dict, area_cm2: float, name: str) -> str:
    """The EC-Lab ASCII export of a CV (cp1252 characters kept as str)."""
    settings = [
        setting("Ei (V)", "0.000"),
        setting("vs.", "Eoc"),
        setting("dE/dt", "1.000"),
        setting("dE/dt unit", "mV/s"),
        setting("E1 (V)", f"{PROTOCOL['E_upper_V']:.3f}"),
        setting("vs.", "Ref"),
        setting("Step percent", "50"),
        setting("N", "1"),
        setting("E range min (V)", "0.000"),
        setting("E range max (V)", "5.000"),
        setting("I Range", "Auto"),
        setting("I Range min", "Unset"),
        setting("I Range max", "Unset"),
        setting("I Range init", "Unset"),
        setting("Bandwidth", "5"),
        setting("E2 (V)", f"{PROTOCOL['E_lower_V']:.3f}"),
        setting("vs.", "Ref"),
        setting("nc cycles", str(PROTOCOL["cycles"] - 1)),
        setting("Reverse Scan", "1"),
        setting("Ef (V)", f"{PROTOCOL['E_lower_V']:.3f}"),
        setting("vs.", "Ref"),
    ]
    free = [
        "Cyclic Voltammetry",
        "",
        "Run on channel : 1 (SN 4242)",
        "User : ",
        "CE vs. WE compliance from -10 V to 10 V",
        "Electrode connection : standard",
        "Potential control : Ewe",
        "Ewe ctrl range : min = 0.00 V, max = 5.00 V",
        "Safety Limits :",
        "\tDo not start on E overload",
        f"Acquisition started on : {START_TIME['mpt']}",
        "Loaded Setting File : NONE",
        "Saved on :",
        f"\tFile : {name}.mpr",
        "\tDirectory : C:\\Users\\lab\\Documents\\interphase\\",
        "\tHost : 192.168.0.10",
        "Device : VMP3 (SN 4242)",
        "Address : 192.168.0.11",
        "EC-Lab for windows v11.12 (software)",
        "Internet server v11.12 (firmware)",
        "Command interpretor v11.12 (firmware)",
        "Electrode material : NMC111 thin film (100 nm)",
        "Initial state : as sintered",
        "Electrolyte : LATP (solid)",
        "Comments : demo data (interphase.demo.cv)",
        f"Electrode surface area : {area_cm2:.3f} cm\u00b2",
        "Characteristic mass : 0.001 g",
        "Equivalent Weight : 0.000 g/eq.",
        "Density : 0.000 g/cm3",
        "Volume (V) : 0.000 cm\u00b3",
        "Cycle Definition : Charge/Discharge alternance",
    ]
    columns = [
        "mode",
        "ox/red",
        "error",
        "control changes",
        "counter inc.",
        "time/s",
        "control/V",
        "Ewe/V",
        "<I>/mA",
        "cycle number",
        "(Q-Qo)/C",
    ]
    n_header = 3 + len(free) + len(settings) + 1 + 1  # magic, count, blank, ..., blank, column line
    lines = ["EC-Lab ASCII FILE", f"{'Nb header lines : ' + str(n_header):<46}", ""]
    lines += free + settings + ["", "\t".join(columns) + "\t"]
    current = data["current"]
    charge = np.concatenate(
        [[0.0], np.cumsum(0.5 * (current[1:] + current[:-1]) * np.diff(data["time"]))]
    )
    counter = np.r_[0, (np.diff(data["cycle"]) > 0).astype(int)]
    for k in range(current.size):
        cells = [
            "2",
            "1" if current[k] > 0 else "0",
            "0",
            str(int(data["vertex"][k])),
            str(int(counter[k])),
            sci(data["time"][k], 7),
            sci(data["control"][k], 7),
            sci(data["ewe"][k], 7),
            sci(current[k] * 1e3, 7),
            sci(float(data["cycle"][k]), 7),
            sci(charge[k], 7),
        ]
        lines.append("\t".join(cells))
    assert len(lines) - current.size == n_header
    return "\n".join(lines) + "\n"


def dta_text(data: dict, area_cm2: float) -> str:
    """The Gamry Framework CV .DTA text, one CURVEk table a cycle plus the closing 1-point table."""
    p = PROTOCOL
    head = [
        "EXPLAIN",
        "TAG\tCV",
        "TITLE\tLABEL\tCyclic Voltammetry\tTest Identifier",
        f"DATE\tLABEL\t{START_TIME['dta_date']}\tDate",
        f"TIME\tLABEL\t{START_TIME['dta_time']}\tTime",
        "NOTES\tNOTES\t1\tNotes...",
        "\tdemo data (interphase.demo.cv), NMC111 thin film on LATP",
        "PSTAT\tPSTAT\tIFC1010-04242\tPotentiostat",
        f"VINIT\tPOTEN\t{sci(0.0, 5)}\tT\tInitial E (V)",
        f"VLIMIT1\tPOTEN\t{sci(p['E_upper_V'], 5)}\tF\tScan Limit 1 (V)",
        f"VLIMIT2\tPOTEN\t{sci(p['E_lower_V'], 5)}\tF\tScan Limit 2 (V)",
        f"VFINAL\tPOTEN\t{sci(p['E_lower_V'], 5)}\tF\tFinal E (V)",
        f"SCANRATE\tQUANT\t{sci(p['scan_rate_V_s'] * 1e3, 5)}\tScan Rate (mV/s)",
        f"STEPSIZE\tQUANT\t{sci(p['step_V'] * 1e3, 5)}\tStep Size (mV)",
        f"CYCLES\tIQUANT\t{p['cycles']}\tCycles (#)",
        "IMODE\tSELECTOR\t1\tI/E Range Mode",
        "IRANGE\tQUANT\t1.00000E-001\tMax Current (mA)",
        f"AREA\tQUANT\t{sci(area_cm2, 5)}\tSample Area (cm^2)",
        "EQDELAY\tQUANT\t2.00000E+000\tEquil. Time (s)",
        "IRCOMP\tSELECTOR\t0\tIRComp",
        "PFCOR\tQUANT\t1.20000E+002\tLast Measured Ru (Ohms)",
        "SAMPLINGMODE\tSELECTOR\t2\tSampling Mode",
        f"EOC\tQUANT\t{p['E_ocv_V']:.7f}\tOpen Circuit (V)",
        "ELECTRODETYPE\tSELECTOR\t0\tElectrode Type",
        "STRIPPING\tTOGGLE\tF\tUsed for Stripping",
        "SEQUENCER\tTOGGLE\tF\tRun as Sequence",
        "PSTATMODEL\tIQUANT\t64\tPstat Model",
        "PSTATSECTION\tLABEL\tIFC1010-04242\tPstat Section",
        "PSTATSERIALNO\tLABEL\t04242\tPstat Serial Number",
        "CTRLMODE\tIQUANT\t1\tControl Mode",
        "ELECTROMETER\tIQUANT\t0\tRE=0 or CS=1",
        "IESTAB\tIQUANT\t2\tI/E Stability",
        "CASPEED\tIQUANT\t4\tControl Amp Speed",
        "CONVENTION\tIQUANT\t1\tCurrent Convention",
        "IERANGE\tIQUANT\t5\tI/E Range",
        "DCCALDATE\tLABEL\t1/10/2025\tDC Calibration Date",
        "ACCALDATE\tLABEL\t1/10/2025\tAC Calibration Date",
        "FRAMEWORKVERSION\tLABEL\t7.8.6\tFramework Version",
        "INSTRUMENTVERSION\tLABEL\t4.50\tInstrument Version",
    ]
    lines = list(head)
    cycles = data["cycle"]
    # Gamry's closing point: the last sample is written alone as CURVE(n+1), like the real file.
    table_of = np.where(np.arange(cycles.size) == cycles.size - 1, cycles.max() + 1, cycles)
    dt = p["step_V"] / p["scan_rate_V_s"]
    for k in range(1, int(table_of.max()) + 1):
        lines += [
            f"CURVE{k}\tTABLE",
            "\tPt\tT\tVf\tIm\tVu\tSig\tAch\tIERange\tOver\tTemp",
            "\t#\ts\tV vs. Ref.\tA\tV\tV\tV\t#\tbits\tdeg C",
        ]
        for i in np.flatnonzero(table_of == k):
            lines.append(
                "\t"
                + "\t".join(
                    [
                        str(i),
                        f"{(i + 1) * dt:g}",
                        sci(data["ewe"][i], 5),
                        sci(data["current"][i], 5),
                        sci(0.0, 5),
                        sci(data["control"][i], 5),
                        sci(0.0, 5),
                        "5",
                        "...........",
                        "24.97",
                    ]
                )
            )
    return "\r\n".join(lines) + "\r\n"


def generate(raw_dir: Path, samples: list[dict], seed: int) -> list[dict]:
    """Write the demo CV files under raw_dir/cv/ and return their measurements.tsv rows."""
    raw_dir = Path(raw_dir)
    out_dir = raw_dir / "cv"
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, MODULE_SEED])
    rows = []
    for sample in sorted(
        samples, key=lambda s: (float(s["sintering_temperature_C"]), str(s["sample"]))
    ):
        name = str(sample["sample"])
        truth = TRUTH.get(name)
        if truth is None:
            continue
        area = float(sample["electrode_area_cm2"])
        data = simulate(truth, area, rng)
        mid = measurement_id(name)
        if truth["file_format"] == "biologic_mpt":
            path = out_dir / f"{mid}.mpt"
            path.write_bytes(mpt_text(data, area, mid).encode("cp1252"))
        else:
            path = out_dir / f"{mid}.DTA"
            path.write_bytes(dta_text(data, area).encode("iso-8859-1"))
        rows.append(
            {
                "measurement": mid,
                "sample": name,
                "technique": "cv",
                "file": path.relative_to(raw_dir).as_posix(),
                "format": "",
                "potential_V": "",
                "scan_rate_mV_s": PROTOCOL["scan_rate_V_s"] * 1e3,
            }
        )
    return rows
