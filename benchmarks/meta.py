"""What the results were measured on: versions, commit, machine, settings."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
import sys
from typing import Any

from benchmarks.config import Config
from benchmarks.fresh import ROOT
from benchmarks.peers import available, version


def _commit() -> str:
    try:
        done = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True,
                              text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return done.stdout.strip()


def describe(config: Config) -> dict[str, Any]:
    import numpy
    import sympy

    import symgrad

    peers = {name: version(name) if available(name) else "not installed"
             for name in ("torch", "jax", "casadi", "symengine")}
    return {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "mode": "quick (smoke sizes)" if config.quick else "full",
        "symgrad": f"{symgrad.__file__} at commit {_commit()}",
        "python": sys.version.split()[0],
        "numpy, sympy": f"{numpy.__version__}, {sympy.__version__}",
        "peers": ", ".join(f"{k} {v}" for k, v in peers.items()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load average at the start "
                   f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}",
        "threads": "1 per library (OMP/MKL/OPENBLAS variables, torch.set_num_threads(1), XLA one thread)",
        "timing": f"interleaved (ABBA order), median of {config.timing.repeats} samples after warm-up, "
                  f"each sample at least {config.timing.min_sample * 1e3:.0f} ms of repeated calls "
                  "(rows 4, 6, 7 use fewer, longer samples)",
    }
