"""The Markdown report of the EIS referee benchmark (benchmarks/eis_referee.py), and a comparison of two runs.

The criteria are issue 17's: R_ct within 5 % (``TOLERANCE``) on well-specified closing spectra, among
them those whose Cramér–Rao bound is at most 2.5 % (``DETERMINED_CRB``: an efficient unbiased
estimator is then within 5 % at least 95 % of the time); misspecified spectra whose R_ct is more
than 10 % off (``WRONG``) should be flagged; well-specified determined ones should not.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter

import numpy as np

from benchmarks import eis_corpus, eis_probes

TOLERANCE = 0.05
DETERMINED_CRB = TOLERANCE / 2
WRONG = 0.10
GOALS = {"recovery": 0.99, "flagged_wrong": 0.95, "false_flags": 0.03}
DEFINITIONS = [
    "Truth: R_ct is R2 of the generating model (the NMC | LATP charge-transfer arc); for `drift`, its",
    "value half-way through the sweep (the arc itself is measured later or earlier, so a drifting",
    "spectrum's R_ct can be off whichever value is called true: what matters there is that it is",
    "flagged). 'Flagged': the R_ct row's status is not `ok`. 'Closing': the R_ct arc's apex lies at",
    "least 0.7 decade above f_min; every misspecified spectrum closes. 'Bound': the Cramér–Rao",
    "bound on the relative SD of R_ct (the corpus's model and noise, at the truth).",
]


def share(flags) -> str:
    """'k / n (p %)'."""
    flags = list(flags)
    n, k = len(flags), sum(bool(x) for x in flags)
    return f"{k} / {n} ({100 * k / n:.1f} %)" if n else "0 / 0"


def within(r: dict, tol: float = TOLERANCE) -> bool:
    """R_ct within tol of the truth."""
    return abs(r["error"]) <= tol


def flagged(r: dict) -> bool:
    """The R_ct row is not 'ok'."""
    return r["status"] != "ok"


def expected_within(rs: list[dict]) -> str:
    """Expected count within 5 % of an efficient unbiased estimator (from the Cramér–Rao bound)."""
    k = sum(math.erf(TOLERANCE / (r["crb"] * math.sqrt(2))) if r["crb"] > 0 else 1.0 for r in rs)
    return f"{k:.1f} / {len(rs)} ({100 * k / len(rs):.1f} %)" if rs else "0 / 0"


def reasons(note: str) -> list[str]:
    """The kinds of reason in a note: each clause up to its colon, numbers removed."""
    out = []
    for clause in (c.strip() for c in note.split(";")):
        if clause:
            head = re.sub(r"[-+]?\d[\d.eE+-]*", "#", clause.split(":")[0])
            out.append(head[:70])
    return out


def percentile(values, q: float) -> float:
    """A percentile that tolerates an empty list."""
    values = [v for v in values if math.isfinite(v)]
    return float(np.percentile(values, q)) if values else math.nan


def headline(results: list[dict]) -> list[str]:
    """The table against issue 17's goals."""
    well = [r for r in results if r["kind"] == "well"]
    closing = [r for r in well if r["info"]["closing"]]
    determined = [r for r in closing if r["crb"] <= DETERMINED_CRB]
    open_ = [r for r in well if not r["info"]["closing"]]
    mis = [r for r in results if r["kind"] in eis_corpus.MISSPECIFIED]
    wrong = [r for r in mis if abs(r["error"]) > WRONG]
    drift = [r for r in results if r["kind"] == "drift"]
    return [
        "| | result | goal |",
        "|---|---|---|",
        f"| well-specified, closing: R_ct within 5 % | {share(within(r) for r in closing)} | |",
        f"| the same, an efficient unbiased estimator (expected, Cramér–Rao) | {expected_within(closing)} | |",
        f"| well-specified, closing, data determine R_ct (bound ≤ {100 * DETERMINED_CRB:g} %): within 5 % | "
        f"{share(within(r) for r in determined)} | ≥ {100 * GOALS['recovery']:g} % |",
        f"| well-specified, closing, determined: flagged (false flags) | {share(flagged(r) for r in determined)} | "
        f"≤ {100 * GOALS['false_flags']:g} % |",
        f"| well-specified, closing: flagged (any reason) | {share(flagged(r) for r in closing)} | |",
        f"| well-specified, not closing: flagged | {share(flagged(r) for r in open_)} | |",
        f"| misspecified: R_ct more than {100 * WRONG:g} % off | {share(abs(r['error']) > WRONG for r in mis)} | |",
        f"| misspecified, R_ct more than {100 * WRONG:g} % off: flagged | {share(flagged(r) for r in wrong)} | "
        f"≥ {100 * GOALS['flagged_wrong']:g} % |",
        f"| misspecified, R_ct within {100 * WRONG:g} %: flagged | "
        f"{share(flagged(r) for r in mis if abs(r['error']) <= WRONG)} | |",
        f"| misspecified: 'ok' and R_ct more than {100 * WRONG:g} % off | {share(not flagged(r) for r in wrong)} "
        f"of those off | 0 |",
        "| drift spectra the referee's KK test rejects (p < 1e-3): flagged | "
        f"{share(flagged(r) for r in drift if r['kk_invalid'])} | (any error) |",
        f"| CPU time a spectrum (analyse + rows): median / 90th percentile / total | "
        f"{statistics.median(r['cpu'] for r in results):.2f} s / {percentile([r['cpu'] for r in results], 90):.2f} s / "
        f"{sum(r['cpu'] for r in results):.0f} s | |",
    ]


def class_table(results: list[dict]) -> list[str]:
    """One row a class."""
    lines = [
        f"| class | n | R_ct > {100 * WRONG:g} % off | of those flagged | ≤ {100 * WRONG:g} % off: flagged | within 5 % "
        "| median abs error | 90th pct abs error | KK-invalid (referee's test) | median CPU s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for kind in eis_corpus.CLASSES:
        rs = [r for r in results if r["kind"] == kind and (kind != "well" or r["info"]["closing"])]
        if not rs:
            continue
        wrong = [r for r in rs if abs(r["error"]) > WRONG]
        errors = [abs(r["error"]) for r in rs]
        label = "well (closing)" if kind == "well" else kind
        lines.append(
            f"| {label} | {len(rs)} | {share(abs(r['error']) > WRONG for r in rs)} | {share(flagged(r) for r in wrong)} | "
            f"{share(flagged(r) for r in rs if abs(r['error']) <= WRONG)} | {share(within(r) for r in rs)} | "
            f"{100 * percentile(errors, 50):.1f} % | {100 * percentile(errors, 90):.1f} % | "
            f"{share(r['kk_invalid'] for r in rs)} | {statistics.median(r['cpu'] for r in rs):.2f} |"
        )
    return lines


def by_table(results: list[dict], kinds: tuple[str, ...], key: str, values) -> list[str]:
    """Rows per value of an info key (noise model, sweep direction) over some classes."""
    lines = [
        f"| {key} | n | within 5 % | > {100 * WRONG:g} % off | of those flagged | flagged (any) |",
        "|---|---|---|---|---|---|",
    ]
    for value in values:
        rs = [
            r
            for r in results
            if r["kind"] in kinds
            and r["info"].get(key) == value
            and (r["kind"] != "well" or r["info"]["closing"])
        ]
        wrong = [r for r in rs if abs(r["error"]) > WRONG]
        lines.append(
            f"| {value} | {len(rs)} | {share(within(r) for r in rs)} | {share(abs(r['error']) > WRONG for r in rs)} | "
            f"{share(flagged(r) for r in wrong)} | {share(flagged(r) for r in rs)} |"
        )
    return lines


def reason_table(results: list[dict]) -> list[str]:
    """How often each kind of reason appears in the R_ct notes, per class."""
    counts = {kind: Counter() for kind in eis_corpus.CLASSES}
    for r in results:
        counts[r["kind"]].update(set(reasons(r["note"])))
    heads = sorted({h for c in counts.values() for h in c})
    if not heads:
        return ["no R_ct row has a note"]
    lines = [
        "| reason (note clause, numbers as #) | " + " | ".join(eis_corpus.CLASSES) + " |",
        "|---|" + "---|" * len(eis_corpus.CLASSES),
    ]
    for h in heads:
        lines.append(f"| {h} | " + " | ".join(str(counts[k][h]) for k in eis_corpus.CLASSES) + " |")
    return lines


def drawn(info: dict) -> str:
    """The class-specific draws of a spectrum, short."""
    skip = {
        "closing",
        "noise_percent",
        "f_max",
        "per_decade",
        "rct_area",
        "noise",
        "f_min",
        "ascending",
        "apex_ct_Hz",
    }
    return ", ".join(
        f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}"
        for k, v in info.items()
        if k not in skip
    )


def miss_lists(results: list[dict], limit: int) -> list[str]:
    """Well-specified determined misses, and misspecified spectra 'ok' but more than 10 % off."""
    lines = [
        "## Well-specified closing spectra the data determine, R_ct more than 5 % off (all)",
        "",
    ]
    misses = [
        r
        for r in results
        if r["kind"] == "well"
        and r["info"]["closing"]
        and r["crb"] <= DETERMINED_CRB
        and not within(r)
    ]
    header = [
        "| class | i | R_ct × area | error | stderr % | bound % | noise | f_min | apex Hz | up? | status | note |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    lines += header if misses else ["none"]
    lines += [row_line(r) for r in misses]
    unflagged = sorted(
        (
            r
            for r in results
            if r["kind"] in eis_corpus.MISSPECIFIED and abs(r["error"]) > WRONG and not flagged(r)
        ),
        key=lambda r: -abs(r["error"]),
    )
    lines += [
        "",
        f"## Misspecified spectra given as ok with R_ct more than {100 * WRONG:g} % off "
        f"({len(unflagged)}; the {min(limit, len(unflagged))} largest errors)",
        "",
    ]
    if unflagged:
        lines += [
            "| class | i | R_ct × area | error | stderr % | noise | f_min | R_ct apex Hz | up? | drawn |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in unflagged[:limit]:
            info = r["info"]
            lines.append(
                f"| {r['kind']} | {r['i']} | {info['rct_area']:.4g} | {100 * r['error']:+.1f} % | "
                f"{100 * r['stderr'] / r['value']:.2g} | {info['noise']} | {info['f_min']:g} | "
                f"{info['apex_ct_Hz']:.3g} | {'yes' if info['ascending'] else ''} | {drawn(info)} |"
            )
    else:
        lines.append("none")
    return lines


def row_line(r: dict) -> str:
    """One spectrum as a table row."""
    info = r["info"]
    rel = 100 * r["stderr"] / r["value"] if r["value"] else math.nan
    return (
        f"| {r['kind']} | {r['i']} | {info['rct_area']:.4g} | {100 * r['error']:+.1f} % | {rel:.2g} | "
        f"{100 * r['crb']:.2g} | {info['noise']} | {info['f_min']:g} | {info['apex_ct_Hz']:.3g} | "
        f"{'yes' if info['ascending'] else ''} | {r['status']} | {r['note'][:70]} |"
    )


def probe_table(own: list[dict], demo: list[dict] | str) -> list[str]:
    """The probes of issue 17: reported, on the demo file's noise, on fresh noise draws."""
    lines = [
        "| probe | issue 17 reports | demo file + change: R_ct × A, status | fresh noise draws: mean ± SD, flagged | "
        "third arc apex / Warburg 1/(2πτ) |",
        "|---|---|---|---|---|",
    ]
    for name, (_, change) in eis_probes.PROBES.items():
        file_text = (
            demo
            if isinstance(demo, str)
            else next(
                f"{r['value'] * r['area']:.0f} ± {r['stderr'] * r['area']:.0f}, {r['status']}"
                for r in demo
                if r["info"]["probe"] == name
            )
        )
        rs = [r for r in own if r["info"]["probe"] == name]
        lines.append(
            f"| {name} | {eis_probes.reported(name)} | {file_text} | {fresh_text(rs)} | "
            f"{eis_probes.apex_text(change)} |"
        )
    notes = {
        r["info"]["probe"]: r["note"]
        for r in (demo if not isinstance(demo, str) else own)
        if r["note"]
    }
    if notes:
        lines += [
            "",
            "Notes of the probes' R_ct rows: "
            + "; ".join(f"*{k}*: {v[:160]}" for k, v in notes.items()),
        ]
    return lines


def fresh_text(rs: list[dict]) -> str:
    """Mean ± SD of R_ct × A over a probe's fresh noise draws, the mean stderr, the flagged share."""
    if not rs:
        return "not run"
    values = [r["value"] * r["area"] for r in rs]
    spread = statistics.stdev(values) if len(values) > 1 else math.nan
    stderr = statistics.mean(r["stderr"] * r["area"] for r in rs)
    return (
        f"{statistics.mean(values):.0f} ± {spread:.0f} (stderr {stderr:.0f}), "
        f"{share(flagged(r) for r in rs)}"
    )


def report(
    meta: dict,
    results: list[dict],
    probes: tuple,
    list_limit: int,
    before: list[dict] | None = None,
) -> str:
    """The results as Markdown."""
    lines = [
        "# EIS referee benchmark: interphase's R_ct on an independent corpus",
        "",
        f"`{meta['command']}`",
        "",
        f"{meta['interphase']}; {meta['platform']}; {meta['processes']} process(es); wall time "
        f"{meta['wall']:.0f} s on a shared 2-core machine. "
        "Corpus: benchmarks/eis_corpus.py (docstring: classes, parameter ranges, noise models, sweeps); "
        "the referee's Kramers–Kronig test and Cramér–Rao bound: benchmarks/eis_checks.py; the probes: "
        "benchmarks/eis_probes.py. "
        f"Fitted with `{meta['params']['circuit']}`, R_ct = {meta['params']['rct_element']}, the other settings the defaults. "
        "Every spectrum's record (JSON lines, beside this file) lets a later run be compared spectrum by spectrum.",
        "",
        *DEFINITIONS,
        "",
        "## Against the goals of issue 17",
        "",
        *headline(results),
        "",
        "## Per class",
        "",
        "The well-specified row has the closing spectra only. 'KK-invalid': the referee's own linear",
        "Kramers–Kronig test, knowing the noise, rejects the spectrum (p < 1e-3).",
        "",
        *class_table(results),
        "",
        "## Well-specified closing spectra by noise model",
        "",
        *by_table(results, ("well",), "noise", eis_corpus.NOISE_MODELS),
        "",
        "## Misspecified spectra by noise model",
        "",
        *by_table(results, eis_corpus.MISSPECIFIED, "noise", eis_corpus.NOISE_MODELS),
        "",
        "## Drift spectra by sweep direction (ascending: measured from low to high frequency)",
        "",
        *by_table(results, ("drift",), "ascending", (False, True)),
        "",
        "## Reasons given in the R_ct notes (spectra per class whose note has the reason)",
        "",
        *reason_table(results),
        "",
        "## The probes of issue 17 (demo NMC-700 4.0 V, truth R_ct × A = 315 ohm cm2)",
        "",
        *probe_table(*probes),
        "",
        *miss_lists(results, list_limit),
        *([] if before is None else ["", *comparison(before, results)]),
    ]
    return "\n".join(lines) + "\n"


def comparison(before: list[dict], after: list[dict]) -> list[str]:
    """What changed, spectrum by spectrum, against an earlier run of the same corpus (same seed)."""
    old = {(r["kind"], r["i"]): r for r in before}
    pairs = [(old[(r["kind"], r["i"])], r) for r in after if (r["kind"], r["i"]) in old]
    lines = [
        f"## Against the earlier run ({len(pairs)} spectra in both)",
        "",
        "| class | n | ok -> flagged | flagged -> ok | R_ct moved > 1 % | > 10 % off: flagged before | now | "
        "within 5 % before | now | median CPU s before | now |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for kind in eis_corpus.CLASSES:
        ps = [
            (a, b)
            for a, b in pairs
            if b["kind"] == kind and (kind != "well" or b["info"]["closing"])
        ]
        if not ps:
            continue
        moved = [abs(b["value"] / a["value"] - 1) > 0.01 if a["value"] else True for a, b in ps]
        label = "well (closing)" if kind == "well" else kind
        lines.append(
            f"| {label} | {len(ps)} | {sum(not flagged(a) and flagged(b) for a, b in ps)} | "
            f"{sum(flagged(a) and not flagged(b) for a, b in ps)} | {sum(moved)} | "
            f"{share(flagged(a) for a, _ in ps if abs(a['error']) > WRONG)} | "
            f"{share(flagged(b) for _, b in ps if abs(b['error']) > WRONG)} | "
            f"{share(within(a) for a, _ in ps)} | {share(within(b) for _, b in ps)} | "
            f"{statistics.median(a['cpu'] for a, _ in ps):.2f} | {statistics.median(b['cpu'] for _, b in ps):.2f} |"
        )
    return lines
