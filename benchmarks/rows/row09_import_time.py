"""Row 9: ``import symgrad`` in a fresh interpreter, against ``import sympy``.

Each measurement starts a new interpreter, so interpreter startup is in every
number; ``python -c pass`` is timed in the same rounds and subtracted for the
import's own cost.  The children use bytecode caches, as installed packages
do (``fresh.child_environment``); the first round writes them and is dropped.  Children's CPU time (``RUSAGE_CHILDREN``) is kept beside
wall time: it does not count waiting for a core on a busy machine.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time

from benchmarks.config import Config
from benchmarks.fresh import child_environment
from benchmarks.result import Line, Target

NUMBER = 9
TITLE = "import symgrad (fresh process)"
ABSOLUTE = Target("<=", 0.3, "<= 0.3 s")
VS_SYMPY = Target("<=", 0.5, "<= 0.5x import sympy")
PROGRAMS = {"pass": "pass", "symgrad": "import symgrad", "sympy": "import sympy"}


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(repeats: int) -> dict[str, tuple[float, float]]:
    """program -> (median wall seconds, median CPU seconds) of ``python -c PROGRAM``."""
    env = child_environment()
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in PROGRAMS}
    for round_number in range(repeats + 1):  # round 0 writes the bytecode caches, warms the file cache: dropped
        names = list(PROGRAMS) if round_number % 2 == 0 else list(reversed(PROGRAMS))
        for name in names:
            cpu0, wall0 = _child_cpu(), time.perf_counter()
            subprocess.run([sys.executable, "-c", PROGRAMS[name]], check=True, env=env)
            wall1, cpu1 = time.perf_counter(), _child_cpu()
            if round_number:
                samples[name].append((wall1 - wall0, cpu1 - cpu0))
    return {name: (statistics.median(s[0] for s in runs), statistics.median(s[1] for s in runs))
            for name, runs in samples.items()}


def run(config: Config) -> list[Line]:
    times = measure(config.pick(15, 2))
    (bare, bare_cpu), (mine, mine_cpu), (sympy, sympy_cpu) = times["pass"], times["symgrad"], times["sympy"]
    startup = f"python -c pass {bare * 1e3:.0f} ms"
    own, own_cpu = mine - bare, mine_cpu - bare_cpu
    return [Line(NUMBER, "import symgrad, interpreter startup subtracted", ABSOLUTE, symgrad=own, unit="s absolute",
                 ratio=own, cpu_ratio=own_cpu, baseline_name=startup,
                 note=f"with startup {mine * 1e3:.0f} ms; CPU {own_cpu * 1e3:.0f} ms"),
            Line(NUMBER, "import symgrad vs import sympy, startups included", VS_SYMPY, symgrad=mine, baseline=sympy,
                 baseline_name="import sympy", ratio=mine / sympy, cpu_ratio=mine_cpu / sympy_cpu,
                 note=f"startup subtracted: {own * 1e3:.0f} ms vs {(sympy - bare) * 1e3:.0f} ms = "
                      f"{own / (sympy - bare):.2f}x; {startup}")]
