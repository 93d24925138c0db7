"""Command line.

``python -m interphase demo OUTDIR``            regenerate the demo study
``python -m interphase demo OUTDIR --samples N`` a study of N samples like it (scale benchmark)
``python -m interphase audit RESULTS_DIR``      check a run's outputs against its manifest
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``interphase`` command."""
    parser = argparse.ArgumentParser(prog="interphase", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="write the embedded demo study (raw files and sheets)")
    demo.add_argument("outdir", type=Path, help="folder to write into (e.g. data/demo)")
    demo.add_argument(
        "--seed", type=int, default=None, help="random seed (default: the committed demo's)"
    )
    demo.add_argument(
        "--samples",
        type=int,
        default=2,
        help="number of samples, 8 measurements each (default 2: the embedded demo)",
    )
    audit = sub.add_parser("audit", help="check a results folder against its provenance manifest")
    audit.add_argument("results_dir", type=Path, help="the results/ folder of a run")
    audit.add_argument(
        "--raw", type=Path, default=None, help="where the raw files are now, if moved"
    )
    audit.add_argument(
        "--trace", type=Path, default=None, help="print the chain from raw files to this file"
    )
    audit.add_argument(
        "--all", action="store_true", help="list every file, not only those that differ"
    )
    args = parser.parse_args(argv)
    if args.command == "demo":
        from interphase import demo as demo_module

        kwargs = (
            {"samples": args.samples}
            if args.seed is None
            else {"seed": args.seed, "samples": args.samples}
        )
        written = demo_module.generate(args.outdir, **kwargs)
        print(f"wrote {len(written)} files under {args.outdir}")
        return 0
    if args.command == "audit":
        from interphase.audit import main as audit_main

        return audit_main(args.results_dir, args.raw, args.trace, args.all)
    return 0


if __name__ == "__main__":
    sys.exit(main())
