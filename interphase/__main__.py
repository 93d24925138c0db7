"""Command line: ``python -m interphase demo OUTDIR`` regenerates the demo study."""

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
    demo.add_argument("--seed", type=int, default=None, help="random seed (default: the committed demo's)")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from interphase import demo as demo_module

        kwargs = {} if args.seed is None else {"seed": args.seed}
        written = demo_module.generate(args.outdir, **kwargs)
        print(f"wrote {len(written)} files under {args.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
