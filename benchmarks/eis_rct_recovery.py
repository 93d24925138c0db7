"""Benchmark: R_ct recovery by interphase.eis on a synthetic corpus, next to naive impedance.py.

    python benchmarks/eis_rct_recovery.py --n 500 --out benchmarks/results/eis_rct_recovery.md

Corpus: spectra of the project's circuit R0-p(R1,CPE1)-p(R2,CPE2)-CPE3 (bulk, grain
boundary, charge transfer, diffusion tail) with known parameters drawn per spectrum from
np.random.default_rng([seed, i]):

- R_ct × area log-uniform in 10 .. 1e6 ohm cm2, electrode area log-uniform in 0.1 .. 0.5 cm2;
- R0 log-uniform 20 .. 200 ohm, R1 log-uniform 50 .. 1000 ohm, grain-boundary apex
  3e4 .. f_max Hz, n1 in 0.85 .. 0.95, n2 in 0.75 .. 0.92;
- window: f_max in {1e6, 3e5, 1e5} Hz, f_min in {0.01, 0.03, 0.1} Hz, {5, 7, 10} points a
  decade;
- tail CPE3: n3 in 0.45 .. 0.65, |Z_tail(f_min)| = 0.05 .. 1 × R_ct (log-uniform);
- noise: Gaussian, 0.1 .. 0.5 % of |Z| (log-uniform) on the real and imaginary parts;
- 80 % 'closing' spectra: Rct apex log-uniform between f_min × 10^0.7 and
  min(GB apex / 10^1.5, f_max / 10^0.7); 20 % 'non-closing': apex log-uniform between
  f_min / 10^1.5 and f_min (at most half the arc is measured). Apexes between f_min and
  f_min × 10^0.7 are left out: there "closes" is a matter of definition.

Each spectrum is fitted by ``interphase.eis.analysis.analyse`` with the default parameters,
and by impedance.py's CustomCircuit from one fixed start (R 100 ohm, Q 1e-8 / 1e-5 / 1e-3,
n 0.9 / 0.8 / 0.5: what a user types by hand) with its default settings (no weighting,
default bounds) except the evaluation budget, capped at NAIVE_MAXFEV (impedance.py's default
1e5 took minutes on some spectra). For the naive fit the two R-CPE pairs are put in
time-constant order too, so only the start differs. For every spectrum the Cramér–Rao bound
on R_ct (at the true parameters, the corpus's noise model) says how well any unbiased
estimator could do with those data. Times are CPU time of the worker process
(time.process_time), so that other load on a shared machine does not count.
Uses at most 2 processes.

The corpus is evaluated with the fitter's own compiled circuit (``circuit.compile_circuit``),
kept so for the before/after comparison of the fit's speed-up (issue 19); the independent
corpus is another benchmark's.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import statistics
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

import numpy as np

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MPLCONFIGDIR", "/tmp/mpl")

CIRCUIT = "R0-p(R1,CPE1)-p(R2,CPE2)-CPE3"
NAMES = ["R0", "R1", "CPE1_0", "CPE1_1", "R2", "CPE2_0", "CPE2_1", "CPE3_0", "CPE3_1"]
NAIVE_START = [100.0, 100.0, 1e-8, 0.9, 100.0, 1e-5, 0.8, 1e-3, 0.5]
NAIVE_MAXFEV = 1000
CLOSING_SHARE = 0.8
TOLERANCE = 0.05
# R_ct counts as determined by the data when its Cramér–Rao SD is at most half the tolerance:
# then an efficient unbiased estimator lands within the tolerance ≥ 95 % of the time.
DETERMINED_CRB = TOLERANCE / 2
SEED = 2024


def log_uniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    """A log-uniform draw in [lo, hi]."""
    return float(10 ** rng.uniform(math.log10(lo), math.log10(hi)))


def draw(i: int, seed: int) -> dict:
    """Parameters, window and noise of spectrum i."""
    rng = np.random.default_rng([seed, i])
    f_max = float(rng.choice([1e6, 3e5, 1e5]))
    f_min = float(rng.choice([1e-2, 3e-2, 1e-1]))
    per_decade = int(rng.choice([5, 7, 10]))
    area = log_uniform(rng, 0.1, 0.5)
    rct_area = log_uniform(rng, 10.0, 1e6)
    r2 = rct_area / area
    n1, n2, n3 = rng.uniform(0.85, 0.95), rng.uniform(0.75, 0.92), rng.uniform(0.45, 0.65)
    r0, r1 = log_uniform(rng, 20, 200), log_uniform(rng, 50, 1000)
    apex1 = log_uniform(rng, 3e4, f_max)
    closing = bool(rng.uniform() < CLOSING_SHARE)
    if closing:
        apex2 = log_uniform(rng, f_min * 10**0.7, min(apex1 / 10**1.5, f_max / 10**0.7))
    else:
        apex2 = log_uniform(rng, f_min / 10**1.5, f_min)
    tail_ratio = log_uniform(rng, 0.05, 1.0)
    q3 = 1.0 / (tail_ratio * r2 * (2 * math.pi * f_min) ** n3)
    p = {
        "R0": r0,
        "R1": r1,
        "CPE1_0": 1.0 / (r1 * (2 * math.pi * apex1) ** n1),
        "CPE1_1": n1,
        "R2": r2,
        "CPE2_0": 1.0 / (r2 * (2 * math.pi * apex2) ** n2),
        "CPE2_1": n2,
        "CPE3_0": q3,
        "CPE3_1": n3,
    }
    n_points = int(round(math.log10(f_max / f_min) * per_decade)) + 1
    return {
        "i": i,
        "params": p,
        "area": area,
        "rct_area": rct_area,
        "closing": closing,
        "apex2": apex2,
        "f": np.logspace(math.log10(f_max), math.log10(f_min), n_points),
        "noise": log_uniform(rng, 0.001, 0.005),
        "rng_state": [seed, i, 1],
    }


def spectrum(case: dict) -> np.ndarray:
    """The noisy impedance of a case."""
    from interphase.eis.circuit import compile_circuit

    z = compile_circuit(CIRCUIT)(case["f"], [case["params"][n] for n in NAMES])
    rng = np.random.default_rng(case["rng_state"])
    return z + case["noise"] * np.abs(z) * (
        rng.standard_normal(z.size) + 1j * rng.standard_normal(z.size)
    )


def cramer_rao_relative(case: dict) -> float:
    """Cramér–Rao bound on the relative standard deviation of R_ct at the true parameters.

    The smallest standard deviation any unbiased estimator can reach with this window and noise:
    the inverse Fisher information of the Gaussian noise model the corpus uses, with the fit's
    own Jacobian (``uncertainty.log_jacobian``; R_ct's column is in log R_ct, so its variance
    is relative).
    It says how well the data could determine R_ct at all, independent of the fitting method.
    """
    from interphase.eis.circuit import compile_circuit
    from interphase.eis.uncertainty import log_jacobian

    values = np.array([case["params"][n] for n in NAMES])
    z = compile_circuit(CIRCUIT)(case["f"], values)
    sigma = case["noise"] * np.abs(z)
    jac, _ = log_jacobian(case["f"], CIRCUIT, NAMES, values, 1.0 / np.hstack([sigma, sigma]))
    cov = np.linalg.pinv(jac.T @ jac)
    return float(math.sqrt(max(cov[NAMES.index("R2"), NAMES.index("R2")], 0.0)))


def ideal_within(relative_sd: float) -> float:
    """Probability that a normal unbiased estimate with this relative SD lands within TOLERANCE."""
    return math.erf(TOLERANCE / (relative_sd * math.sqrt(2))) if relative_sd > 0 else 1.0


def naive_rct(f: np.ndarray, z: np.ndarray) -> float:
    """R_ct from impedance.py's CustomCircuit.fit started at NAIVE_START (pairs in τ order)."""
    from impedance.models.circuits import CustomCircuit

    from interphase.eis.circuit import order_pairs

    model = CustomCircuit(CIRCUIT, initial_guess=list(NAIVE_START))
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            model.fit(f, z, maxfev=NAIVE_MAXFEV)
    except Exception:  # noqa: BLE001 - a naive fit that raises counts as not recovered
        return math.nan
    values, _ = order_pairs(
        CIRCUIT, NAMES, np.asarray(model.parameters_, float), np.zeros(len(NAMES))
    )
    return float(values[NAMES.index("R2")])


def run_case(args: tuple[int, int]) -> dict:
    """Both fits of spectrum i: recovered values, flags and times."""
    import xarray as xr

    from interphase import datasets
    from interphase.eis import analysis
    from interphase.eis.circuit import compile_circuit
    from interphase.eis.optimise import chi_square, sigma_for

    i, seed = args
    case = draw(i, seed)
    f, z = case["f"], spectrum(case)
    clean = xr.Dataset(
        {
            "z_real": datasets.variable("frequency", z.real, "ohm", "re"),
            "z_imag": datasets.variable("frequency", z.imag, "ohm", "im"),
        },
        coords={"frequency": datasets.variable("frequency", f, "Hz", "frequency")},
        attrs={
            "sample": "bench",
            "measurement": f"bench_{i}",
            "technique": "eis",
            "electrode_area_cm2": case["area"],
            "sintering_temperature_C": 700.0,
            "dc_potential_V": 4.0,
        },
    )
    t0 = time.process_time()
    result = analysis.analyse(clean, {})
    t_ours = time.process_time() - t0
    # chi-square of the true parameters and of the fit, with the fit's (modulus) weighting: a miss
    # whose fit has the lower chi-square is one the data themselves point away from the truth
    sigma = sigma_for(z, "modulus")
    chi2_truth = chi_square(
        z, compile_circuit(CIRCUIT)(f, [case["params"][n] for n in NAMES]), sigma
    )
    chi2_fit = float(result["chi_square"].values) if "chi_square" in result else math.nan
    t0 = time.process_time()
    r_naive = naive_rct(f, z)
    t_naive = time.process_time() - t0
    note = result.attrs.get("status_note", "")
    return {
        "i": i,
        "closing": case["closing"],
        "rct_area": case["rct_area"],
        "area": case["area"],
        "noise": case["noise"],
        "apex2": case["apex2"],
        "f_min": float(f.min()),
        "n_points": int(f.size),
        "ours": float(result["R_ct_area"].values),
        "ours_stderr": float(result["R_ct_area_stderr"].values)
        if "R_ct_area_stderr" in result
        else math.nan,
        "status": result.attrs.get("status"),
        "closure_flag": "close inside the measured window" in note,
        "note": note,
        "undetermined_flag": "R_ct not determined by the data" in note,
        "dropped": result.attrs.get("unresolved_elements", ""),
        "naive": r_naive * case["area"],
        "t_ours": t_ours,
        "t_naive": t_naive,
        "chi2_ratio": chi2_fit / chi2_truth,
        "kk_flag": "lin-KK residual" in note,
        "crb": cramer_rao_relative(case),
    }


def within(value: float, truth: float) -> bool:
    """True when value is within TOLERANCE of truth."""
    return math.isfinite(value) and abs(value / truth - 1) <= TOLERANCE


def expected(results: list[dict]) -> str:
    """Expected 'k / n (p %)' within TOLERANCE of an efficient unbiased estimator (Cramér–Rao)."""
    k = sum(ideal_within(r["crb"]) for r in results)
    return f"{k:.1f} / {len(results)} ({100 * k / len(results):.1f} %)" if results else "0 / 0"


def share(flags: list[bool]) -> str:
    """'k / n (p %)'."""
    n = len(flags)
    k = sum(flags)
    return f"{k} / {n} ({100 * k / n:.1f} %)" if n else "0 / 0"


def row(label: str, ours: str, naive: str = "(no check)") -> str:
    """One Markdown table row of the summary."""
    return f"| {label} | {ours} | {naive} |"


def recovered(group: list[dict], who: str) -> str:
    """'k / n (p %)' of the group within TOLERANCE, for 'ours' or 'naive'."""
    return share([within(r[who], r["rct_area"]) for r in group])


def machine() -> str:
    """CPU model, cores and Python version of this machine."""
    model = platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


def summary_rows(results: list[dict]) -> list[str]:
    """The summary table: recovery, flags, failures and CPU time, ours next to naive."""
    closing = [r for r in results if r["closing"]]
    open_ = [r for r in results if not r["closing"]]
    determined = [r for r in closing if r["crb"] <= DETERMINED_CRB]
    ok = [r for r in closing if r["status"] == "ok"]
    t_ours = [r["t_ours"] for r in results]
    t_naive = [r["t_naive"] for r in results]
    crb_label = f"Cramér–Rao SD of R_ct ≤ {100 * DETERMINED_CRB:g} %"
    return [
        "| | interphase.eis (auto starts, DRT, multi-start) | impedance.py, naive fixed start |",
        "|---|---|---|",
        row(
            "closing arcs: R_ct within 5 %", recovered(closing, "ours"), recovered(closing, "naive")
        ),
        row(
            "closing arcs: an efficient unbiased estimator would be within 5 % (expected share "
            "from the Cramér–Rao bound)",
            expected(closing),
            expected(closing),
        ),
        row(
            f"closing arcs the data determine ({crb_label}): R_ct within 5 %",
            recovered(determined, "ours"),
            recovered(determined, "naive"),
        ),
        row(
            "closing arcs given as ok (not flagged): R_ct within 5 %",
            recovered(ok, "ours"),
            "(no flags)",
        ),
        row(
            "closing arcs: flagged 'R_ct not determined' (relative stderr > 5 %)",
            share([r["undetermined_flag"] for r in closing]),
        ),
        row(
            "closing arcs: flagged by lin-KK (all synthetic spectra are KK-valid)",
            share([r["kk_flag"] for r in closing]),
        ),
        row("closing arcs: flagged (any reason)", share([r["status"] != "ok" for r in closing])),
        row(
            "closing arcs: wrongly flagged as not closing",
            share([r["closure_flag"] for r in closing]),
        ),
        row(
            "closing arcs: grain-boundary arc not resolved, fitted without it",
            share([bool(r["dropped"]) for r in closing]),
        ),
        row("non-closing arcs: flagged as not closing", share([r["closure_flag"] for r in open_])),
        row("non-closing arcs: flagged (any reason)", share([r["status"] != "ok" for r in open_])),
        row(
            "non-closing arcs: R_ct within 5 % anyway",
            recovered(open_, "ours"),
            recovered(open_, "naive"),
        ),
        row(
            "fit raised / did not converge in its budget",
            share([r["status"] == "failed" for r in results]),
            share([not math.isfinite(r["naive"]) for r in results]),
        ),
        row(
            "median CPU time a spectrum (s)",
            f"{statistics.median(t_ours):.3f} (whole analyse: fit, lin-KK, DRT)",
            f"{statistics.median(t_naive):.3f}",
        ),
        row(
            "90th percentile CPU time (s)",
            f"{np.percentile(t_ours, 90):.3f}",
            f"{np.percentile(t_naive, 90):.3f}",
        ),
    ]


def decade_rows(closing: list[dict]) -> list[str]:
    """Closing arcs by decade of R_ct × area: recovery, the efficient expectation, coverage."""
    lines = [
        (
            "| R_ct × area (ohm cm2) | n | ours within 5 % | naive within 5 % | efficient "
            "estimator, expected within 5 % | ours: |error| < 3 stderr |"
        ),
        "|---|---|---|---|---|---|",
    ]
    for lo in (10, 100, 1e3, 1e4, 1e5):
        group = [r for r in closing if lo <= r["rct_area"] < 10 * lo]
        cover = [
            math.isfinite(r["ours_stderr"])
            and abs(r["ours"] - r["rct_area"]) < 3 * r["ours_stderr"]
            for r in group
        ]
        lines.append(
            f"| {lo:g} – {10 * lo:g} | {len(group)} | {recovered(group, 'ours')} | "
            f"{recovered(group, 'naive')} | {expected(group)} | {share(cover)} |"
        )
    return lines


def miss_rows(misses: list[dict]) -> list[str]:
    """Every closing arc whose R_ct is off by more than TOLERANCE."""
    if not misses:
        return ["none"]
    lines = [
        "χ² fit / χ² truth < 1: the fit matches the noisy data better than the true parameters",
        "do, so the miss is the noise's, not the optimiser's.",
        "",
        (
            "| i | R_ct × area | fitted | stderr | Cramér–Rao SD % | χ² fit / χ² truth | "
            "noise % | apex Hz | f_min Hz | points | status | note |"
        ),
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in misses:
        lines.append(
            f"| {r['i']} | {r['rct_area']:.4g} | {r['ours']:.4g} | {r['ours_stderr']:.2g} | "
            f"{100 * r['crb']:.2g} | {r['chi2_ratio']:.3f} | {100 * r['noise']:.2f} | "
            f"{r['apex2']:.3g} | {r['f_min']:g} | {r['n_points']} | {r['status']} | "
            f"{r['note'][:60]} |"
        )
    return lines


def unflagged_rows(unflagged: list[dict]) -> list[str]:
    """Every non-closing arc not flagged as not closing."""
    if not unflagged:
        return ["none"]
    lines = [
        "| i | R_ct × area | fitted | apex Hz | f_min Hz | status | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in unflagged:
        lines.append(
            f"| {r['i']} | {r['rct_area']:.4g} | {r['ours']:.4g} | {r['apex2']:.3g} | "
            f"{r['f_min']:g} | {r['status']} | {r['note'][:80]} |"
        )
    return lines


def report(results: list[dict], n: int, seed: int, wall: float, processes: int = 2) -> str:
    """The results as Markdown."""
    closing = [r for r in results if r["closing"]]
    open_ = [r for r in results if not r["closing"]]
    misses = sorted(
        (r for r in closing if not within(r["ours"], r["rct_area"])), key=lambda r: r["i"]
    )
    unflagged = sorted((r for r in open_ if not r["closure_flag"]), key=lambda r: r["i"])
    lines = [
        "# EIS benchmark: R_ct recovery on a synthetic corpus",
        "",
        (
            f"`python benchmarks/eis_rct_recovery.py --n {n} --seed {seed}` ({date.today()}; "
            f"{machine()}; {processes} processes, wall time {wall:.0f} s on a shared machine; "
            "times are CPU time of the process, time.process_time). Corpus and fits: see the "
            "script's docstring."
        ),
        "",
        *summary_rows(results),
        "",
        "## Closing arcs by decade of R_ct × area",
        "",
        *decade_rows(closing),
        "",
        "## Closing arcs missed by interphase (all of them)",
        "",
        *miss_rows(misses),
        "",
        "## Non-closing arcs not flagged as not closing (all of them)",
        "",
        *unflagged_rows(unflagged),
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write the Markdown report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="number of spectra (default 500)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/eis_rct_recovery.md"))
    parser.add_argument("--processes", type=int, default=2, help="at most 2")
    parser.add_argument("--raw", type=Path, help="also write every spectrum's result (JSON lines)")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    processes = max(1, min(args.processes, 2))
    with ProcessPoolExecutor(max_workers=processes) as pool:
        results = []
        for result in pool.map(run_case, [(i, args.seed) for i in range(args.n)], chunksize=8):
            results.append(result)
            if len(results) % 50 == 0:
                print(
                    f"{len(results)} / {args.n} spectra, {time.perf_counter() - t0:.0f} s",
                    file=sys.stderr,
                    flush=True,
                )
    text = report(results, args.n, args.seed, time.perf_counter() - t0, processes)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    if args.raw:
        args.raw.write_text("".join(json.dumps(r) + "\n" for r in results), encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
