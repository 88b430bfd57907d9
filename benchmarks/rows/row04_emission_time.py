"""Row 4: time to emit closed-form gradient code (build the graph, take the
gradient, produce printable code) against ``sympy.diff`` + ``lambdify(cse=True)``
and against CasADi (SX gradient, Function, C code).

SymPy runs in a fresh interpreter per measurement (cold cache, and it can be
stopped at the timeout); symgrad and CasADi take turns in this process.
"""

from __future__ import annotations

import statistics
from typing import Any

from benchmarks.config import Config
from benchmarks.fresh import run_module
from benchmarks.peers import PeerMissingError, version
from benchmarks.result import Line, Target, skipped
from benchmarks.timing import Settings, interleaved
from benchmarks.workloads import casadi_side
from benchmarks.workloads.functions import BUILDERS

NUMBER = 4
TITLE = "closed-form gradient emission (graph + printable code)"
VS_SYMPY = Target("<=", 0.02, ">= 50x faster than SymPy (<= 0.02x)")
VS_CASADI = Target("<=", 10.0, "within 10x of CasADi (<= 10x)")
SYMPY_REPEATS_BELOW = 10.0  # seconds: a SymPy run shorter than this is repeated (median of 3)


def functions(config: Config) -> list[tuple[str, str, int | None]]:
    n, m = config.pick(1000, 10), config.pick(100, 10)
    return [(f"Rosenbrock n={n}, {n} scalar leaves", "rosenbrock_scalars", n),
            (f"Rosenbrock n={n}, one vector leaf", "rosenbrock_vector", n),
            ("1-16-1 tanh MLP loss, 11 points", "mlp", None),
            (f"product of {m} variables", "product", m)]


def symgrad_emit(name: str, size: int | None) -> str:
    import symgrad

    f, wrt = BUILDERS[name](size)
    return str(symgrad.gradient_function(f, wrt).source)


def sympy_seconds(name: str, size: int | None, config: Config) -> float | None:
    """Median seconds of SymPy's diff + lambdify(cse=True), or None when it did not finish."""
    runs: list[float] = []
    while len(runs) < 3:
        outcome = run_module("benchmarks.workloads.sympy_side", "emit", name, str(size), timeout=config.sympy_timeout)
        if outcome.timed_out:
            return None
        runs.append(outcome.data["seconds"])
        if runs[0] >= SYMPY_REPEATS_BELOW or config.quick:
            break
    return statistics.median(runs)


def run(config: Config) -> list[Line]:
    lines = []
    settings = Settings(repeats=config.pick(5, 1), min_sample=0.0, warmup=1)
    for case, name, size in functions(config):
        contenders: dict[str, Any] = {"symgrad": lambda n=name, s=size: symgrad_emit(n, s)}
        try:
            version("casadi")
            contenders["casadi"] = lambda n=name, s=size: casadi_side.emit(n, s)
        except PeerMissingError as missing:
            lines.append(skipped(NUMBER, f"{case} vs CasADi", VS_CASADI, str(missing)))
        times = interleaved(contenders, settings)
        mine = times["symgrad"].wall
        sympy = sympy_seconds(name, size, config)
        if sympy is None:
            lines.append(Line(NUMBER, f"{case} vs SymPy", VS_SYMPY, symgrad=mine, baseline_name="sympy.diff + lambdify(cse=True)",
                              ratio=mine / config.sympy_timeout, bound="<",
                              note=f"SymPy did not finish in {config.sympy_timeout:.0f} s (stopped)"))
        else:
            lines.append(Line(NUMBER, f"{case} vs SymPy", VS_SYMPY, symgrad=mine, baseline=sympy,
                              baseline_name="sympy.diff + lambdify(cse=True)", ratio=mine / sympy,
                              note=f"symgrad {1 / (mine / sympy):.0f}x faster"))
        if "casadi" in times:
            theirs = times["casadi"]
            lines.append(Line(NUMBER, f"{case} vs CasADi", VS_CASADI, symgrad=mine, baseline=theirs.wall,
                              baseline_name=f"CasADi {version('casadi')} (SX gradient, Function, C code)",
                              ratio=mine / theirs.wall, cpu_ratio=times["symgrad"].cpu / theirs.cpu))
    return lines
