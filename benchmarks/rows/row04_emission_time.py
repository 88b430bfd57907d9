"""Row 4: time to emit closed-form gradient code (build the graph, take the
gradient, produce printable code) against ``sympy.diff`` + ``lambdify(cse=True)``
and against CasADi (SX gradient, Function, C code).  SymEngine (``diff`` +
``Lambdify(cse=True)``, compiled rather than printed) is noted beside SymPy.

SymPy and SymEngine run in a fresh interpreter per measurement (cold caches,
and they can be stopped at the timeout); symgrad and CasADi take turns in
this process.
"""

from __future__ import annotations

import statistics
from typing import Any

from benchmarks.config import Config
from benchmarks.fresh import run_module
from benchmarks.peers import PeerMissingError, available, require_codegen, version
from benchmarks.result import Line, Target, skipped
from benchmarks.timing import Settings, interleaved
from benchmarks.workloads import casadi_side
from benchmarks.workloads.functions import BUILDERS

NUMBER = 4
TITLE = "closed-form gradient emission (graph + printable code)"
VS_SYMPY = Target("<=", 0.02, ">= 50x faster than SymPy (<= 0.02x)")
VS_CASADI = Target("<=", 10.0, "within 10x of CasADi (<= 10x)")
REPEAT_BELOW = 10.0  # seconds: a SymPy run shorter than this is repeated (median of 3)


def functions(config: Config) -> list[tuple[str, str, int]]:
    n, m, h = config.pick(1000, 10), config.pick(100, 10), config.pick(16, 2)
    return [(f"Rosenbrock n={n}, {n} scalar leaves", "rosenbrock_scalars", n),
            (f"Rosenbrock n={n}, one vector leaf", "rosenbrock_vector", n),
            (f"1-{h}-1 tanh MLP loss, 11 points", "mlp", h),
            (f"product of {m} variables", "product", m)]


def symgrad_emit(name: str, size: int) -> str:
    import symgrad

    f, wrt = BUILDERS[name](size)
    return str(symgrad.gradient_function(f, wrt).source)


class FreshRuns:
    """Median seconds of SymPy's (or SymEngine's) pipeline in fresh interpreters,
    or why there are none (it did not finish in time, or failed).  They have one Rosenbrock (of n symbols) for
    symgrad's two, so each result is kept and reused."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.known: dict[Any, float | str] = {}

    def seconds(self, name: str, size: int, library: str = "sympy") -> float | str:
        key = (name.replace("_vector", "_scalars"), size, library)
        if key not in self.known:
            self.known[key] = self._runs(*key)
        return self.known[key]

    def _runs(self, name: str, size: int, library: str) -> float | str:
        runs: list[float] = []
        while len(runs) < 3:
            outcome = run_module("benchmarks.workloads.sympy_side", "emit", name, str(size), library,
                                 timeout=self.config.sympy_timeout)
            if outcome.timed_out:
                return f"did not finish in {self.config.sympy_timeout:.0f} s (stopped)"
            if "failed" in outcome.data:  # a failure produced nothing: SymPy did not finish either
                return f"failed: {outcome.data['failed']}"
            runs.append(outcome.data["seconds"])
            if runs[0] >= REPEAT_BELOW or self.config.quick:
                break
        return statistics.median(runs)


def run(config: Config) -> list[Line]:
    try:
        require_codegen()
    except PeerMissingError as missing:
        return [skipped(NUMBER, "every case", VS_SYMPY, str(missing))]
    lines = []
    fresh = FreshRuns(config)
    settings = Settings(repeats=config.pick(5, 1), min_sample=0.0, warmup=1)
    for case, name, size in functions(config):
        contenders: dict[str, Any] = {"symgrad": lambda n=name, s=size: symgrad_emit(n, s)}
        if available("casadi"):
            contenders["casadi"] = lambda n=name, s=size: casadi_side.emit(n, s)
        times = interleaved(contenders, settings)
        lines.append(sympy_line(case, times["symgrad"].wall, fresh, name, size))
        if "casadi" in times:
            mine, theirs = times["symgrad"], times["casadi"]
            lines.append(Line(NUMBER, f"{case} vs CasADi", VS_CASADI, symgrad=mine.wall, baseline=theirs.wall,
                              baseline_name=f"CasADi {version('casadi')} (SX gradient, Function, C code)",
                              ratio=mine.wall / theirs.wall, cpu_ratio=mine.cpu / theirs.cpu))
        else:
            lines.append(skipped(NUMBER, f"{case} vs CasADi", VS_CASADI, "casadi is not installed (pip install casadi)"))
    return lines


def sympy_line(case: str, mine: float, fresh: FreshRuns, name: str, size: int) -> Line:
    timeout = fresh.config.sympy_timeout
    sympy = fresh.seconds(name, size)
    note = ""
    if available("symengine"):
        symengine = fresh.seconds(name, size, "symengine")
        note = (f"SymEngine {version('symengine')} diff + Lambdify(cse=True): "
                + (symengine if isinstance(symengine, str) else f"{symengine:.3g} s"))
    baseline_name = "sympy.diff + lambdify(cse=True)"
    if isinstance(sympy, str):
        # SymPy took at least the timeout (if it failed instead, it produced nothing: symgrad did better)
        return Line(NUMBER, f"{case} vs SymPy", VS_SYMPY, symgrad=mine, baseline_name=baseline_name,
                    ratio=mine / timeout, bound="<", note=f"SymPy {sympy}; " + note)
    return Line(NUMBER, f"{case} vs SymPy", VS_SYMPY, symgrad=mine, baseline=sympy, baseline_name=baseline_name,
                ratio=mine / sympy, note=f"symgrad {sympy / mine:.0f}x faster; " + note)
