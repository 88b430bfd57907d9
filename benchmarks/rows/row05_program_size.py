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
from benchmarks.peers import PeerMissingError, require_codegen
from benchmarks.result import Line, Target, skipped
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
            "mlp": ("tanh MLP loss, 11 points, 1-n-1, n=", config.pick([4, 16], [2])),
            "sin_chain": ("nested y = sin(x*y), depth ", config.pick([10, 30, 100], [5, 10]))}


def symgrad_sizes(name: str, size: Any) -> tuple[int, int]:
    import symgrad
    from symgrad.codegen import count_operations

    f, wrt = BUILDERS[name](size)
    grad = symgrad.gradient_function(f, wrt)
    return count_operations(symgrad.lambdify(grad.inputs, f)), count_operations(grad)


def sympy_sizes(name: str, sizes: list[Any], timeout: float) -> dict[Any, tuple[int, int] | str]:
    """SymPy's sizes (or why there are none) at every size, counted in one fresh
    interpreter with ``timeout`` seconds per size."""
    outcome = run_module("benchmarks.workloads.sympy_side", "sizes", name, ",".join(map(str, sizes)),
                         timeout=timeout * len(sizes))
    found: dict[Any, tuple[int, int] | str] = {size: f"did not finish in {timeout * len(sizes):.0f} s for all sizes"
                                               for size in sizes}
    for line in outcome.lines:
        found[line["size"]] = (f"failed: {line['failed']}" if "failed" in line
                               else (line["function"], line["gradient"]))
    return found


def peer_ratio(sizes: Callable[..., Any], *args: Any) -> str:
    try:
        counted = sizes(*args)
    except PeerMissingError:
        return "not installed"
    if isinstance(counted, str):
        return counted
    function, gradient = counted
    return f"{gradient / function:.2f} ({gradient}/{function})"


def run(config: Config) -> list[Line]:
    try:
        require_codegen()
    except PeerMissingError as missing:
        return [skipped(NUMBER, "every case", BOUND, str(missing))]
    lines = []
    counted: dict[str, Any] = {}  # SymPy has one Rosenbrock (of n symbols) for symgrad's two: counted once
    for name, (label, sizes) in families(config).items():
        sympy_name = name.replace("_vector", "_scalars")
        if sympy_name not in counted:
            counted[sympy_name] = sympy_sizes(sympy_name, sizes, config.sympy_timeout)
        sympy = counted[sympy_name]
        ratios = []
        for size in sizes:
            function_ops, gradient_ops = symgrad_sizes(name, size)
            ratio = gradient_ops / function_ops
            ratios.append(ratio)
            peers = {"CasADi": peer_ratio(casadi_side.program_sizes, name, size),
                     "JAX": peer_ratio(jax_side.program_sizes, name, size),
                     "SymPy no cse": peer_ratio(sympy.__getitem__, size)}
            lines.append(Line(NUMBER, label + str(size), BOUND, symgrad=ratio,
                              baseline_name="; ".join(f"{k} {v}" for k, v in peers.items()), unit="ops ratio",
                              ratio=ratio, note=f"symgrad {gradient_ops}/{function_ops} ops", extra=peers))
        if len(sizes) > 1:
            growth = ratios[-1] / ratios[0]
            lines.append(Line(NUMBER, f"{label}{sizes[0]} to {sizes[-1]}: growth of the ratio", NOT_GROWING,
                              symgrad=growth, unit="growth", ratio=growth,
                              note=" -> ".join(f"{r:.2f}" for r in ratios)))
    return lines
