"""``python -m tests.fuzz [--long] [--programs N] [--seed S] [--trace FILE]``: run the
differential fuzzer outside pytest and print what it covered.

Without ``--long`` it runs the fixed-seed profile of the normal test run;
with it, ``LONG_PROGRAMS`` fresh random programs (seeded by ``--seed``).
On a disagreement hypothesis shrinks it and prints the minimal program.
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import os
import sys
import time
from typing import Any

from hypothesis import given, reject, seed, settings

from tests.fuzz import oracles
from tests.fuzz.generate import programs
from tests.fuzz.profiles import CI_PROGRAMS, LONG_PROGRAMS, fuzz_settings
from tests.fuzz.program import Program


class Stats:
    def __init__(self) -> None:
        self.programs = self.rejected = 0
        self.checks: collections.Counter[str] = collections.Counter()
        self.skipped: collections.Counter[str] = collections.Counter()
        self.ops: collections.Counter[str] = collections.Counter()
        self.steps: collections.Counter[int] = collections.Counter()

    def add(self, program: Program, report: oracles.Report) -> None:
        self.checks.update(report.checks)
        self.skipped.update(report.skipped.keys())
        self.ops.update(s.op.name for s in program.steps)
        self.steps[len(program.steps)] += 1

    def summary(self) -> str:
        from tests.fuzz.catalogue import CATALOGUE

        unused = [op.name for op in CATALOGUE if op.name not in self.ops]
        lines = [f"programs: {self.programs} ({self.rejected} discarded: finite differences could not resolve the point, a kink or too fast a change)",
                 f"steps per program: {dict(sorted(self.steps.items()))}",
                 f"ops exercised: {len(self.ops)} of {len(CATALOGUE)}" + (f" (never: {unused})" if unused else ""),
                 "checks run: " + ", ".join(f"{k} {v}" for k, v in sorted(self.checks.items()))]
        lines += [f"skipped: {k}: {v}" for k, v in sorted(self.skipped.items())]
        return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--long", action="store_true", help=f"the long profile ({LONG_PROGRAMS} programs)")
    parser.add_argument("--programs", type=int, help="override the number of programs")
    parser.add_argument("--seed", type=int, default=0, help="seed of the long profile")
    parser.add_argument("--trace", metavar="FILE",
                        help="write each program to FILE before checking it (to find one that hangs)")
    args = parser.parse_args(argv)
    trace = open(args.trace, "w") if args.trace else None  # noqa: SIM115 - open for the whole run
    if args.long:
        os.environ["SYMGRAD_FUZZ"] = "long"
    n = args.programs or (LONG_PROGRAMS if args.long else CI_PROGRAMS)
    torch: Any = None
    if importlib.util.find_spec("torch") is not None:
        import torch
    stats = Stats()

    @seed(args.seed)
    @settings(fuzz_settings(n, n))
    @given(program=programs())
    def run(program: Program) -> None:
        stats.programs += 1
        if trace is not None:
            trace.write(f"# program {stats.programs}\n{program.to_source()}\n")
            trace.flush()
        try:
            report = oracles.check(program, torch=torch)
        except oracles.NotSmoothError:
            stats.rejected += 1
            reject()
        stats.add(program, report)

    start = time.monotonic()
    failed = False
    try:
        run()
    except Exception as e:  # hypothesis attaches the minimal program as notes
        failed = True
        for err in getattr(e, "exceptions", [e]):  # several distinct failures come as an ExceptionGroup
            notes = "\n".join(getattr(err, "__notes__", []))
            print(f"\nDISAGREEMENT: {type(err).__name__}: {err}\n{notes}", file=sys.stderr)
    print(f"profile: {'long, seed ' + str(args.seed) if args.long else 'fixed-seed'}; "
          f"PyTorch: {'torch ' + torch.__version__ if torch else 'not installed'}; "
          f"{time.monotonic() - start:.0f} s")
    print(stats.summary())
    print("result: " + ("a disagreement (see above)" if failed else "0 disagreements"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
