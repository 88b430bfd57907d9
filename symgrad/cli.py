"""The ``symgrad`` command line.  ``symgrad demo`` (also the default of
``python -m symgrad``) walks through the seed article's examples."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="symgrad", description="Numeric and symbolic derivatives.")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("demo", help="walk through the seed examples: values and closed forms")
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.command in (None, "demo"):
        from symgrad.demo import run

        run()
        return 0
    parser.print_help()  # pragma: no cover - argparse rejects unknown commands
    return 2
