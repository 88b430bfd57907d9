"""Running Python in a fresh interpreter: import times, peak memory, and
SymPy runs that may have to be stopped at a timeout.

The child inherits this process's environment (one thread per library) and
working directory, and finds the ``benchmarks`` package through
``PYTHONPATH``: the caller's entries come first, so the symgrad the caller
imports is the one the child imports.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Outcome:
    """The JSON lines a child printed (up to the timeout, if it was stopped), and its wall time."""

    lines: list[Any]
    seconds: float
    timed_out: bool

    @property
    def data(self) -> Any:
        """The last line printed (None if none)."""
        return self.lines[-1] if self.lines else None


def child_environment() -> dict[str, str]:
    """This environment, ``benchmarks`` importable, and bytecode caching on.

    Caching matters for import times: where ``PYTHONDONTWRITEBYTECODE`` is set
    (as on our machines), symgrad would be compiled from source at every
    import while NumPy and SymPy load the ``.pyc`` files pip wrote when it
    installed them.  Users have caches, so every child reads and writes them,
    in one temporary tree (``PYTHONPYCACHEPREFIX``) to keep the work tree clean.
    """
    env = dict(os.environ)
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(paths + [str(ROOT)])
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = _bytecode_cache()
    return env


@cache
def _bytecode_cache() -> str:
    path = tempfile.mkdtemp(prefix="symgrad-bench-pycache-")
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def run_python(args: list[str], timeout: float | None = None) -> Outcome:
    """``python ARGS`` in a fresh interpreter; each line it prints is parsed as JSON."""
    start = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout,
                              env=child_environment())
    except subprocess.TimeoutExpired as stopped:
        return Outcome(_json_lines(stopped.stdout), time.perf_counter() - start, True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"python {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return Outcome(_json_lines(done.stdout), seconds, False)


def _json_lines(output: str | bytes | None) -> list[Any]:
    """Complete JSON lines of a child's output (a line cut short by a timeout is dropped)."""
    if isinstance(output, bytes):  # TimeoutExpired keeps bytes even in text mode
        output = output.decode(errors="replace")
    parsed = []
    for line in (output or "").splitlines():
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return parsed


def run_module(module: str, *args: str, timeout: float | None = None) -> Outcome:
    return run_python(["-m", module, *args], timeout=timeout)
