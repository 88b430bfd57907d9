"""The functions of rows 4 and 5 written in SymPy, and the classic SymPy
pipeline: ``sympy.diff`` by every variable, then ``lambdify``; the same
with SymEngine (``diff``, then ``Lambdify``, which compiles instead of
printing code).

:func:`main` runs in a fresh subprocess (``python -m
benchmarks.workloads.sympy_side emit|sizes NAME SIZE [sympy|symengine]``)
so a run that does not finish can be stopped at the timeout, and SymPy's
cache starts cold every time.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any


def build(name: str, size: int, sp: Any = None) -> tuple[Any, list[Any]]:
    """``(f, symbols)`` in SymPy, or in ``sp`` (SymEngine has the same names)."""
    if sp is None:
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
        assert size is not None
        w1 = sp.symbols(f"W1_0:{size}", real=True)
        b1 = sp.symbols(f"b1_0:{size}", real=True)
        w2 = sp.symbols(f"W2_0:{size}", real=True)
        b2 = sp.Symbol("b2", real=True)
        residuals = [sp.Add(*[w2[j] * sp.tanh(w1[j] * float(x) + b1[j]) for j in range(size)]) + b2 - float(y)
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


def emit(name: str, size: int, cse: bool = True) -> Any:
    """Build, differentiate by every variable, and generate value-and-gradient code."""
    import sympy as sp

    f, xs = build(name, size)
    grads = [sp.diff(f, x) for x in xs]
    return sp.lambdify(xs, [f, grads], cse=cse)


def emit_symengine(name: str, size: int) -> Any:
    """SymEngine's version: build, ``diff`` by every variable, ``Lambdify(cse=True)``."""
    import symengine as se

    f, xs = build(name, size, se)
    return se.Lambdify(xs, [f, *[f.diff(x) for x in xs]], cse=True)


def program_sizes(name: str, size: int) -> tuple[int, int]:
    """Operations in the function's code and in the value-and-gradient code (no cse)."""
    import inspect

    import sympy as sp

    from benchmarks.workloads.count import count_python_source

    f, xs = build(name, size)
    function = sp.lambdify(xs, f)
    gradient = emit(name, size, cse=False)
    return count_python_source(inspect.getsource(function)), count_python_source(inspect.getsource(gradient))


def main(argv: list[str]) -> None:
    """``emit NAME SIZE [sympy|symengine]`` prints ``{"seconds": ...}``; ``sizes NAME
    SIZE,SIZE,...`` prints ``{"size": ..., "function": ..., "gradient": ...}`` per
    size as soon as it is counted (a parent that stops it keeps what was printed).
    A RecursionError (SymPy recursing on a deep expression) is printed as
    ``{"failed": ...}``: the parent reports it as a user would meet it."""
    import sympy  # noqa: F401 - imported before the clock starts: row 9 times imports

    what, name, size_text, *library = argv
    sizes = [None if text == "None" else int(text) for text in size_text.split(",")]
    if library == ["symengine"]:
        import symengine  # noqa: F401 - before the clock, as SymPy
    for size in sizes:
        start = time.perf_counter()
        try:
            if what == "emit":
                (emit_symengine if library == ["symengine"] else emit)(name, size)
                result: dict[str, Any] = {"seconds": time.perf_counter() - start}
            elif what == "sizes":
                function_ops, gradient_ops = program_sizes(name, size)
                result = {"function": function_ops, "gradient": gradient_ops}
            else:
                raise SystemExit(f"unknown request {what!r}")
        except RecursionError:
            result = {"failed": "RecursionError (maximum recursion depth exceeded)"}
        print(json.dumps({"size": size, **result}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
