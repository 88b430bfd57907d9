"""Peak memory of a long chain of ops and its backward pass, symgrad vs PyTorch.

    python benchmarks/chain_memory.py [--ops 1000000] [--lib symgrad|torch|both]

Each library runs in its own process (peak RSS cannot be reset); the number
reported is the growth of the peak resident set over the process after
imports, so it covers the graph, the saved values and the backward pass.
tests/test_limits.py runs this with 50 000 ops in every test run and with
1 000 000 ops under ``pytest -m slow``.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import subprocess
import sys

_CHILD = r"""
import resource, sys
lib, n = sys.argv[1], int(sys.argv[2])
if lib == "torch":
    import torch as M
    x = M.tensor(0.5, dtype=M.float64, requires_grad=True)
else:
    import symgrad as M
    x = M.tensor(0.5, requires_grad=True)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
y = x
for _ in range(n):
    y = y * 1.0000001
y.backward()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(repr({"lib": lib, "ops": n, "peak_mb": (peak - before) / 1024, "grad": x.grad.item()}))
"""


def measure(lib: str, ops: int) -> dict[str, float]:
    """Run the chain in a fresh interpreter; returns lib, ops, peak_mb, grad."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                         env.get("PYTHONPATH", "")])
    out = subprocess.run([sys.executable, "-c", _CHILD, lib, str(ops)], capture_output=True, text=True, env=env,
                         check=True)
    return ast.literal_eval(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ops", type=int, default=1_000_000)
    parser.add_argument("--lib", choices=["symgrad", "torch", "both"], default="both")
    args = parser.parse_args()
    libs = ["symgrad", "torch"] if args.lib == "both" else [args.lib]
    results = [measure(lib, args.ops) for lib in libs]
    for r in results:
        print(json.dumps(r))


if __name__ == "__main__":
    main()
