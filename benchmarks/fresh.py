"""Running Python in a fresh interpreter: import times, peak memory, and
SymPy runs that may have to be stopped at a timeout.

The child inherits this process's environment (one thread per library) and
working directory, and finds the ``benchmarks`` package through
``PYTHONPATH``: the caller's entries come first, so the symgrad the caller
imports is the one the child imports.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Outcome:
    """What a child printed last as JSON (``None`` if it timed out), and its wall time."""

    data: Any
    seconds: float
    timed_out: bool


def child_environment() -> dict[str, str]:
    env = dict(os.environ)
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(paths + [str(ROOT)])
    return env


def run_python(args: list[str], timeout: float | None = None) -> Outcome:
    """``python ARGS`` in a fresh interpreter; parses the last line of its output as JSON."""
    start = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout,
                              env=child_environment())
    except subprocess.TimeoutExpired:
        return Outcome(None, time.perf_counter() - start, True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"python {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    lines = done.stdout.strip().splitlines()
    return Outcome(json.loads(lines[-1]) if lines else None, seconds, False)


def run_module(module: str, *args: str, timeout: float | None = None) -> Outcome:
    return run_python(["-m", module, *args], timeout=timeout)
