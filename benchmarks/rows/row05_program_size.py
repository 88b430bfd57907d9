"""Row 5: gradient program size / function program size (operations and calls
in the generated code), on the functions of row 4 and a nested sin, at growing
sizes; beside it the same ratio for CasADi, JAX and SymPy without cse.

Sizes are counted the same way for symgrad and SymPy (symgrad's
``count_operations`` on the generated Python); CasADi's are its SX
instructions and JAX's the equations of its jaxpr, the nearest equivalents.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from benchmarks.config import Config
from benchmarks.fresh import run_module
from benchmarks.peers import PeerMissingError
from benchmarks.result import Line, Target
from benchmarks.workloads import casadi_side, jax_side
from benchmarks.workloads.functions import BUILDERS

NUMBER = 5
TITLE = "gradient program size / function program size"
BOUND = Target("<=", 4.0, "<= 4")
# "Not growing": the ratio at the largest size is at most 10% above the ratio at the smallest.
NOT_GROWING = Target("<=", 1.1, "not growing: largest-size ratio / smallest-size ratio <= 1.1")


def families(config: Config) -> dict[str, tuple[str, list[Any]]]:
    """function name -> (label, sizes)"""
    return {"rosenbrock_vector": ("Rosenbrock, one vector leaf, n=", config.pick([10, 100, 1000], [10, 20])),
            "rosenbrock_scalars": ("Rosenbrock, scalar leaves, n=", config.pick([10, 100, 1000], [10, 20])),
            "product": ("product of n variables, n=", config.pick([10, 100], [10, 20])),
            "mlp": ("1-16-1 tanh MLP loss, 11 points", [None]),
            "sin_chain": ("nested y = sin(x*y), depth ", config.pick([10, 30, 100], [5, 10]))}


def symgrad_sizes(name: str, size: Any) -> tuple[int, int]:
    from symgrad.codegen import count_operations

    import symgrad

    f, wrt = BUILDERS[name](size)
    grad = symgrad.gradient_function(f, wrt)
    return count_operations(symgrad.lambdify(grad.inputs, f)), count_operations(grad)


def sympy_sizes(name: str, size: Any, timeout: float) -> tuple[int, int] | None:
    outcome = run_module("benchmarks.workloads.sympy_side", "sizes", name, str(size), timeout=timeout)
    return None if outcome.timed_out else (outcome.data["function"], outcome.data["gradient"])


def peer_ratio(sizes: Callable[..., Any], *args: Any) -> str:
    try:
        counted = sizes(*args)
    except PeerMissingError:
        return "not installed"
    if counted is None:
        return "did not finish"
    function, gradient = counted
    return f"{gradient / function:.2f} ({gradient}/{function})"


def run(config: Config) -> list[Line]:
    lines = []
    for name, (label, sizes) in families(config).items():
        ratios = []
        for size in sizes:
            function_ops, gradient_ops = symgrad_sizes(name, size)
            ratio = gradient_ops / function_ops
            ratios.append(ratio)
            peers = {"CasADi": peer_ratio(casadi_side.program_sizes, name, size),
                     "JAX": peer_ratio(jax_side.program_sizes, name, size),
                     "SymPy no cse": peer_ratio(sympy_sizes, name, size, config.sympy_timeout)}
            lines.append(Line(NUMBER, label + ("" if size is None else str(size)), BOUND, symgrad=ratio,
                              baseline_name="; ".join(f"{k} {v}" for k, v in peers.items()), unit="ops ratio",
                              ratio=ratio, note=f"symgrad {gradient_ops}/{function_ops} ops", extra=peers))
        if len(sizes) > 1:
            growth = ratios[-1] / ratios[0]
            lines.append(Line(NUMBER, f"{label}{sizes[0]} to {sizes[-1]}: growth of the ratio", NOT_GROWING,
                              symgrad=growth, unit="growth", ratio=growth,
                              note=" -> ".join(f"{r:.2f}" for r in ratios)))
    return lines
