"""Generated code against eager code at edge points, bit for bit.

Every elementwise op of one argument in the op table (and the compositions
and casts that print their own forms: ``silu``, ``copysign`` of a difference,
``to(float32)``) is generated in the NumPy backend (array code, and scalar
code called with an array of points), the ``math`` backend and C (when a
compiler is found), and its values and gradients are compared with eager code
at signed zeros, infinities, nan, denormals, huge values and the domains'
boundaries: the same bits (any nan matches any nan; the sign of a zero counts).

NumPy code is compared with eager code on arrays (NumPy's functions), the
``math`` and C code with eager code on 0-d tensors (whose scalar lane computes
with Python's ``math``, that is the C library's functions).  What is allowed to
differ is listed in ``EXCEPTIONS``, with the reason, per op, backend and point;
a row not in the table fails ``test_every_unary_op_has_a_row``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import symgrad as sg
from symgrad.codegen.graph import CodegenError
from symgrad.ops import TABLE
from tests.codegen_edge_points import differentiable, same, scalar_build

POINTS = [0.0, -0.0, math.inf, -math.inf, math.nan, 5e-324, -5e-324, 1e-300, -1e-300, 1e-20, -1e-20, 1e300,
          -1e300, 1.0, -1.0, 0.5, -0.5, 2.5, -2.5, 3.0, -3.0, 30.0, -30.0, 710.0, -750.0]
ALL = "all"  # every point


def _special() -> Any:
    from symgrad.ops import special

    return special


# op (or row) -> symgrad function of one tensor
ROWS: dict[str, Callable[[Any], Any]] = {
    name: (lambda x, name=name: getattr(sg, name)(x))
    for name in ("neg", "exp", "exp2", "log", "log2", "log10", "log1p", "expm1", "sqrt", "rsqrt", "reciprocal",
                 "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
                 "sigmoid", "relu", "abs", "sign", "erf", "erfc", "floor", "ceil", "round", "trunc", "frac",
                 "logical_not", "isnan", "isinf", "isfinite", "signbit", "nan_to_num", "lgamma", "digamma",
                 "erfinv", "i0", "sinc", "logit")
}
ROWS.update({
    "clamp": lambda x: sg.clamp(x, -1.0, 1.0),
    "softplus": lambda x: sg.nn.functional.softplus(x),
    "polygamma": lambda x: sg.polygamma(1, x),
    "special_i1": lambda x: _special()._i1(x),
    # compositions and casts whose code has its own forms
    "silu": lambda x: sg.nn.functional.silu(x),
    "copysign(2, -(x - 1))": lambda x: sg.copysign(sg.tensor(2.0), -(x - 1.0)),
    "copysign(x, x - 1)": lambda x: sg.copysign(x, x - 1.0),
    "to(float32)": lambda x: x.to(sg.float32),
    "to(bool)": lambda x: x.to(sg.bool),
    "to(int64)": lambda x: x.to(sg.int64),
})
# ops of the table that are not rows, and why
NOT_ROWS = {"bitwise_not": "integers only: no float edge points"}

_LIBM = "NumPy's function and the C library's differ in the last digit"
_SCIPY = "NumPy code calls SciPy's function; symgrad's own differs in the last digits (docs/codegen.md)"
_PYTHON_RAISES = "Python's math raises where NumPy gives inf or nan (docs/codegen.md)"
_INT_CAST = "code of scalars has no integer dtype: the cast is trunc(x) as a float; at inf and nan eager's is " \
            "NumPy's undefined conversion (INT64_MIN)"

# (row, backend) -> {point or ALL: reason}.  Backends: numpy (array code), numpy_scalar, math, c.
EXCEPTIONS: dict[tuple[str, str], dict[Any, str]] = {
    **{(op, be): {ALL: _SCIPY} for op in ("lgamma", "digamma", "polygamma", "i0", "special_i1")
       for be in ("numpy", "numpy_scalar")},
    # eager's backward of a 0-d tensor computes cosh(710) with NumPy, its forward with math.cosh
    **{(op, be): {710.0: _LIBM} for op in ("sinh", "cosh") for be in ("math", "c")},
    **{("to(int64)", be): {ALL: _INT_CAST} for be in ("numpy_scalar", "math", "c")},
}
# ops the backend refuses with a CodegenError (the value or a derivative needs the function)
REFUSED = {be: {"lgamma", "digamma", "polygamma", "erfinv", "i0", "special_i1"} for be in ("math", "c")}


def _allowed(row: str, backend: str, point: float) -> bool:
    allowed = EXCEPTIONS.get((row, backend), {})
    return ALL in allowed or any(same(point, p) for p in allowed)


def test_every_unary_op_has_a_row():
    unary = {name for name, op in TABLE.items() if op.elementwise and len(op.inputs) == 1}
    assert unary - set(ROWS) - set(NOT_ROWS) == set(), "add a row (or a NOT_ROWS reason) for these ops"


def _eager_arrays(fn: Callable[[Any], Any]) -> tuple[np.ndarray, np.ndarray | None]:
    x = sg.tensor(np.array(POINTS), requires_grad=True)
    out = fn(x)
    grad = sg.autograd.grad(out.sum(), [x])[0].numpy() if differentiable(out) else None
    return out.detach().numpy(), grad


@pytest.mark.parametrize("scalar_leaf", [False, True], ids=["numpy", "numpy_scalar"])
@pytest.mark.parametrize("row", list(ROWS))
def test_numpy_code_is_eager_at_edge_points(row, scalar_leaf):
    fn = ROWS[row]
    backend = "numpy_scalar" if scalar_leaf else "numpy"
    x = sg.tensor(0.7 if scalar_leaf else np.full(len(POINTS), 0.7), requires_grad=True)
    out = fn(x)
    f = sg.lambdify([x], out)
    g = sg.gradient_function(out if scalar_leaf else out.sum(), [x]) if differentiable(out) else None
    points = np.array(POINTS)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want, want_grad = _eager_arrays(fn)
        got = np.asarray(f(points))
        grad = None if g is None else g(points)[1][0]
    assert grad is None or np.shape(grad) == points.shape, (row, "one gradient per point", grad)
    if not (scalar_leaf and row == "to(int64)"):
        assert got.dtype == want.dtype, (row, got.dtype, want.dtype)
    bad = [(p, "value", a, b) for p, a, b in zip(POINTS, got.astype(np.float64), want.astype(np.float64))
           if not same(a, b) and not _allowed(row, backend, p)]
    if grad is not None:
        bad += [(p, "grad", a, b) for p, a, b in zip(POINTS, grad, want_grad)
                if not same(a, b) and not _allowed(row, backend, p)]
    assert not bad, (row, bad, f.source)


@pytest.mark.parametrize("backend", ["math", "c"])
@pytest.mark.parametrize("row", list(ROWS))
def test_scalar_code_is_eager_at_edge_points(row, backend):
    """``math`` and C code, one point per call, against eager 0-d tensors."""
    build = scalar_build(backend)
    fn = ROWS[row]
    x = sg.tensor(0.7, requires_grad=True)
    out = fn(x)
    if row in REFUSED.get(backend, ()):
        with pytest.raises(CodegenError, match=f"the {backend} backend has no"):
            sg.lambdify([x], out, backend=backend, **build)
            sg.gradient_function(out, [x], backend=backend, **build)
        return
    f = sg.lambdify([x], out, backend=backend, **build)
    g = sg.gradient_function(out, [x], backend=backend, **build) if differentiable(out) else None
    bad = []
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for p in POINTS:
            t = sg.tensor(p, requires_grad=True)
            o = fn(t)
            pairs = []
            try:
                pairs.append(("value", f(np.float64(p)), o.item()))
                if g is not None:
                    want = sg.autograd.grad(o, [t], allow_unused=True, materialize_grads=True)[0].item()
                    pairs.append(("grad", g(np.float64(p))[1][0], want))
            except (ValueError, OverflowError, ZeroDivisionError):
                assert backend == "math", (row, p)  # (_PYTHON_RAISES: an error, never a wrong number)
            for what, a, b in pairs:
                if not same(a, b) and not _allowed(row, backend, p):
                    bad.append((p, what, a, b))
    assert not bad, (row, bad, f.source)


def test_exceptions_name_rows_and_backends():
    backends = {"numpy", "numpy_scalar", "math", "c"}
    for row, backend in EXCEPTIONS:
        assert row in ROWS and backend in backends, (row, backend)
