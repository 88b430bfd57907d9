"""The functions of rows 4 and 5 written in SymPy, and the classic SymPy
pipeline: ``sympy.diff`` by every variable, then ``lambdify``.

:func:`main` runs in a fresh subprocess (``python -m
benchmarks.workloads.sympy_side NAME SIZE``) so a run that does not finish
can be stopped at the timeout, and SymPy's cache starts cold every time.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any


def build(name: str, size: int | None) -> tuple[Any, list[Any]]:
    import sympy as sp

    from benchmarks.workloads.functions import MLP_X, MLP_Y

    if name in ("rosenbrock_vector", "rosenbrock_scalars"):
        assert size is not None
        xs = list(sp.symbols(f"x0:{size}", real=True))
        f = sp.Add(*[100 * (b - a ** 2) ** 2 + (1 - a) ** 2 for a, b in zip(xs, xs[1:])])
        return f, xs
    if name == "product":
        assert size is not None
        xs = list(sp.symbols(f"x0:{size}", real=True))
        return sp.Mul(*xs), xs
    if name == "mlp":
        w1 = sp.symbols("W1_0:16", real=True)
        b1 = sp.symbols("b1_0:16", real=True)
        w2 = sp.symbols("W2_0:16", real=True)
        b2 = sp.Symbol("b2", real=True)
        residuals = [sp.Add(*[w2[j] * sp.tanh(w1[j] * float(x) + b1[j]) for j in range(16)]) + b2 - float(y)
                     for x, y in zip(MLP_X.ravel(), MLP_Y.ravel())]
        return sp.Add(*[r ** 2 for r in residuals]) / len(residuals), [*w1, *b1, *w2, b2]
    if name == "sin_chain":
        assert size is not None
        x = sp.Symbol("x", real=True)
        y: Any = x
        for _ in range(size):
            y = sp.sin(x * y)
        return y, [x]
    raise ValueError(f"unknown function {name!r}")


def emit(name: str, size: int | None, cse: bool = True) -> Any:
    """Build, differentiate by every variable, and generate value-and-gradient code."""
    import sympy as sp

    f, xs = build(name, size)
    grads = [sp.diff(f, x) for x in xs]
    return sp.lambdify(xs, [f, grads], cse=cse)


def program_sizes(name: str, size: int | None) -> tuple[int, int]:
    """Operations in the function's code and in the value-and-gradient code (no cse)."""
    import inspect

    import sympy as sp

    from benchmarks.workloads.count import count_python_source

    f, xs = build(name, size)
    function = sp.lambdify(xs, f)
    gradient = emit(name, size, cse=False)
    return count_python_source(inspect.getsource(function)), count_python_source(inspect.getsource(gradient))


def main(argv: list[str]) -> None:
    import sympy  # noqa: F401 - imported before the clock starts: row 9 times imports

    what, name, size_text = argv
    size = None if size_text == "None" else int(size_text)
    start = time.perf_counter()
    if what == "emit":
        emit(name, size)
        print(json.dumps({"seconds": time.perf_counter() - start}))
    elif what == "sizes":
        function_ops, gradient_ops = program_sizes(name, size)
        print(json.dumps({"function": function_ops, "gradient": gradient_ops}))
    else:
        raise SystemExit(f"unknown request {what!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
