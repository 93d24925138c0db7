"""CPU time of one XRD fit job: interpreter, imports and the analysis, in fresh processes.

    python benchmarks/xrd_job_time.py results/clean/NMC-900_xrd.nc --runs 5

Each run starts a new Python (as every Snakemake job does), imports what the fit job imports
(:mod:`interphase.pipeline`), then the XRD analysis module, reads the clean dataset and runs
``analyse`` with the default parameters (NMC111 + LATP). CPU time (``time.process_time``) of
each stage, and the whole child process's CPU time (user + system, from ``getrusage``), are
reported as the median over the runs: CPU time, not wall time, because the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys

CHILD = r"""
import json, sys, time
t0 = time.process_time()
import interphase.pipeline
t1 = time.process_time()
from interphase.techniques import analysis_module
module = analysis_module("xrd")
t2 = time.process_time()
from interphase.ncio import read_netcdf
clean = read_netcdf(sys.argv[1])
t3 = time.process_time()
fit = module.analyse(clean, {})
t4 = time.process_time()
print(json.dumps({"startup": t0, "pipeline_import": t1 - t0, "xrd_import": t2 - t1,
                  "read": t3 - t2, "analyse": t4 - t3, "n_peaks": int(fit["n_peaks"]),
                  "pymatgen_loaded": "pymatgen.core" in sys.modules}))
"""


def one_run(clean: str) -> dict:
    """One fresh process: its stage times and its total CPU time (s)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        [sys.executable, "-c", CHILD, clean], check=True, capture_output=True, text=True
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    stages = json.loads(out.stdout.strip().splitlines()[-1])
    stages["process_total"] = (after.ru_utime - before.ru_utime) + (
        after.ru_stime - before.ru_stime
    )
    return stages


def main() -> None:
    """Run the child ``--runs`` times and print the medians as a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clean", help="a clean XRD netCDF (results/clean/<measurement>.nc)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    runs = [one_run(args.clean) for _ in range(args.runs)]
    keys = ["pipeline_import", "xrd_import", "read", "analyse", "process_total"]
    print("| stage | CPU s (median of %d) |" % args.runs)
    print("|---|---|")
    for key in keys:
        print(f"| {key} | {statistics.median(r[key] for r in runs):.3f} |")
    print(f"\npeaks: {runs[0]['n_peaks']}; pymatgen imported: {runs[0]['pymatgen_loaded']}")


if __name__ == "__main__":
    main()
