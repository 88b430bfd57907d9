"""Generated code against eager code at edge points, bit for bit.

Every elementwise op of one argument in the op table (and the compositions
and casts that print their own forms: ``silu``, ``copysign`` of a difference,
``to(float32)``) is generated in the NumPy backend (array code, and scalar
code called with an array of points), the ``math`` backend and C (when a
compiler is found), and in the JAX and PyTorch backends (array code, float64:
JAX with ``jax_enable_x64``; skipped without the library), and its values and gradients are compared with eager code
at signed zeros, infinities, nan, denormals, huge values and the domains'
boundaries: the same bits (any nan matches any nan; the sign of a zero counts).

NumPy, JAX and PyTorch code is compared with eager code on arrays (NumPy's functions), the
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
from tests.codegen_edge_points import LIBRARIES, as_numpy, differentiable, library_argument, same, scalar_build

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
    # (PyTorch's clamp keeps x where it equals a bound: -0.0 at min=0.0; a nan bound is nan everywhere)
    "clamp(min=0.0)": lambda x: sg.clamp(x, min=0.0),
    "clamp(max=-0.0)": lambda x: sg.clamp(x, max=-0.0),
    "clamp(-0.0, 0.0)": lambda x: sg.clamp(x, -0.0, 0.0),
    "clamp(2.0, 1.0)": lambda x: sg.clamp(x, 2.0, 1.0),
    "clamp(min=nan)": lambda x: sg.clamp(x, min=math.nan),
    "softplus": lambda x: sg.nn.functional.softplus(x),
    "polygamma": lambda x: sg.polygamma(1, x),
    "special_i1": lambda x: _special()._i1(x),
    # compositions and casts whose code has its own forms
    "silu": lambda x: sg.nn.functional.silu(x),
    "gelu": lambda x: sg.nn.functional.gelu(x),
    "gelu(tanh)": lambda x: sg.nn.functional.gelu(x, approximate="tanh"),
    "mish": lambda x: sg.nn.functional.mish(x),
    "hardswish": lambda x: sg.nn.functional.hardswish(x),
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

_DENORMAL = (5e-324, -5e-324)
_FTZ = "XLA on the CPU flushes denormals to zero (its inputs and results): JAX code computes at 5e-324 as at 0"
_XLA = "XLA's own approximation of the function (not the C library's, which NumPy's calls) differs in the last digit"
_JAX_SPECIAL = ("jax.scipy.special's gammaln/digamma/polygamma are their own approximations (last digits; nan at "
                "digamma's poles 0 and -0.0, where symgrad's is -inf and inf); symgrad's polygamma is PyTorch's "
                "formula, about 1e-9 relative error (docs/codegen.md)")
_ATEN = "ATen's (PyTorch's vectorised) function differs from NumPy's in the last digit"
_ATEN_SPECIAL = "PyTorch's own lgamma/digamma/polygamma/i0/i1 differ from symgrad's in the last digits"
_I1_DENORMAL = ("i1(5e-324) is x/2, halfway between 0 and 5e-324: symgrad's rounds to 0 (to even), "
                "torch.special.i1 to 5e-324")
_TORCH_LOG1P = "ATen's log1p flushes a denormal argument to zero: +0.0 at 5e-324 and -5e-324"

# JAX code's differences at the denormals (_FTZ), per row
_JAX_DENORMAL_ROWS = ("log", "log2", "log10", "log1p", "sqrt", "rsqrt", "asin", "sinh", "cosh", "tanh", "asinh",
                      "atanh", "relu", "erf", "floor", "ceil", "frac", "logical_not", "erfinv", "sinc", "logit",
                      "clamp", "clamp(min=0.0)", "clamp(max=-0.0)", "clamp(-0.0, 0.0)", "special_i1",
                      "copysign(x, x - 1)")
# row -> the points where XLA's function (value or derivative) is not NumPy's to the last digit
_JAX_LAST_DIGIT = {
    "exp": (1.0, -1.0), "log2": (1e-300, 1e300, 3.0), "log10": (3.0,), "expm1": (1.0, -1.0, 0.5, -0.5),
    "atan": (1.0, -1.0, 710.0, -750.0), "sinh": (0.5, -0.5, 1.0, -1.0, 2.5, -2.5, 30.0, -30.0, 710.0),
    "cosh": (0.5, -0.5, 1.0, -1.0, 2.5, -2.5, 30.0, -30.0, 710.0), "tanh": (0.5, -0.5, 2.5, -2.5),
    "asinh": (1.0, -1.0, 1e300, -1e300), "acosh": (2.5, 30.0), "atanh": (0.5, -0.5), "erf": (1.0, -1.0),
    "erfc": (1.0, -1.0, 3.0), "erfinv": (0.5, -0.5, 1e-300, -1e-300), "softplus": (-1.0,),
    **{row: (0.5, -0.5, 1.0, -1.0, 2.5, -2.5, 3.0, -3.0, 30.0, -30.0, 1e-20, -1e-20, 1e-300, -1e-300)
       for row in ("i0", "special_i1")},
}
# row -> the points where ATen's function is not NumPy's (or symgrad's) to the last digit
_TORCH_LAST_DIGIT = {
    "sqrt": (1e-20,), "sinh": (710.0,), "cosh": (710.0,), "asinh": (1e300, -1e300), "acosh": (1e300,),
    "atanh": (-0.5,), "erfc": (-1.0, 3.0),
}
_TORCH_SPECIAL = {
    "lgamma": (0.5, -0.5, 1.0, 2.5, -2.5, 3.0, 30.0, 710.0), "digamma": (1.0, 3.0),
    "polygamma": (0.5, -0.5, 1.0, 2.5, -2.5, 3.0, 30.0, 710.0, 1e-20, -1e-20),
    **{row: (0.5, -0.5, 1.0, -1.0, 2.5, -2.5, 3.0, -3.0, 30.0, -30.0, 1e-20, -1e-20, 1e-300, -1e-300)
       for row in ("i0", "special_i1")},
}

# (row, backend) -> {point or ALL: reason}.  Backends: numpy (array code), numpy_scalar, math, c, jax, torch.
EXCEPTIONS: dict[tuple[str, str], dict[Any, str]] = {
    **{(op, be): {ALL: _SCIPY} for op in ("lgamma", "digamma", "polygamma", "i0", "special_i1")
       for be in ("numpy", "numpy_scalar")},
    # eager's backward of a 0-d tensor computes cosh(710) with NumPy, its forward with math.cosh
    **{(op, be): {710.0: _LIBM} for op in ("sinh", "cosh") for be in ("math", "c")},
    **{("to(int64)", be): {ALL: _INT_CAST} for be in ("numpy_scalar", "math", "c")},
    **{(row, "jax"): {p: _FTZ for p in _DENORMAL} for row in _JAX_DENORMAL_ROWS},
    **{(row, "jax"): {ALL: _JAX_SPECIAL} for row in ("lgamma", "digamma", "polygamma")},
    **{(row, "torch"): {p: _ATEN_SPECIAL for p in points} for row, points in _TORCH_SPECIAL.items()},
    ("log1p", "torch"): {p: _TORCH_LOG1P for p in _DENORMAL},
}
# The fused activations (one op each, with PyTorch's rule): their code is SymPy's arrangement of the rule's
# terms (and of the forward's, gelu(tanh)'s x**3 for x*x*x), eager computes the rule as written
_ARRANGED = "code computes SymPy's arrangement of the terms of the rule (or forward) eager computes as written: last digit"
_FUSED_LAST_DIGIT = {
    ("gelu", "numpy"): (-2.5,), ("gelu", "numpy_scalar"): (-2.5,), ("gelu", "math"): (-0.5,), ("gelu", "c"): (-0.5,),
    ("gelu", "torch"): (-0.5,), ("gelu", "jax"): (-3.0, -2.5, -0.5), ("gelu(tanh)", "math"): (-1.0,),
    ("gelu(tanh)", "c"): (-1.0,), ("gelu(tanh)", "jax"): (-3.0, -2.5, -0.5, 0.5, 2.5, 3.0),
}
for _key, _points in _FUSED_LAST_DIGIT.items():
    EXCEPTIONS.setdefault(_key, {}).update({p: _ARRANGED for p in _points})
for _be, _points, _why in (("math", (-2.5, 3.0), _LIBM), ("c", (-2.5, 3.0), _LIBM), ("torch", (0.5, 3.0), _ATEN)):
    EXCEPTIONS.setdefault(("mish", _be), {}).update({p: _why for p in _points})
# (at 12 of the points, +-0.0 among them, which one dict key cannot tell apart)
EXCEPTIONS[("mish", "jax")] = {ALL: _XLA + ", and it flushes denormals to zero"}
for _row, _points in _JAX_LAST_DIGIT.items():
    EXCEPTIONS.setdefault((_row, "jax"), {}).update({p: _XLA for p in _points})
for _row, _points in _TORCH_LAST_DIGIT.items():
    EXCEPTIONS.setdefault((_row, "torch"), {}).update({p: _ATEN for p in _points})
for _row in ("i0", "special_i1"):  # (i0's derivative is i1)
    EXCEPTIONS[(_row, "torch")].update({p: _I1_DENORMAL for p in _DENORMAL})
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


def _assert_eager(row, backend, got, want, grad, want_grad, source):
    """Values (and gradients, if any) equal eager's bit for bit at every point, but the listed exceptions."""
    bad = [(p, "value", a, b) for p, a, b in zip(POINTS, got.astype(np.float64), want.astype(np.float64))
           if not same(a, b) and not _allowed(row, backend, p)]
    if grad is not None:
        bad += [(p, "grad", a, b) for p, a, b in zip(POINTS, grad, want_grad)
                if not same(a, b) and not _allowed(row, backend, p)]
    assert not bad, (row, bad, source)


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
    _assert_eager(row, backend, got, want, grad, want_grad, f.source)


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
    backends = {"numpy", "numpy_scalar", "math", "c", *LIBRARIES}
    for row, backend in EXCEPTIONS:
        assert row in ROWS and backend in backends, (row, backend)


@pytest.mark.parametrize("backend", LIBRARIES)
@pytest.mark.parametrize("row", list(ROWS))
def test_jax_and_torch_code_is_eager_at_edge_points(row, backend):
    """JAX and PyTorch array code (called op by op, not under ``jax.jit``) against eager arrays."""
    argument = library_argument(backend)
    fn = ROWS[row]
    x = sg.tensor(np.full(len(POINTS), 0.7), requires_grad=True)
    out = fn(x)
    f = sg.lambdify([x], out, backend=backend)
    g = sg.gradient_function(out.sum(), [x], backend=backend) if differentiable(out) else None
    points = argument(np.array(POINTS))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want, want_grad = _eager_arrays(fn)
        got = as_numpy(f(points))
        grad = None if g is None else as_numpy(g(points)[1][0])
    assert got.dtype == want.dtype, (row, got.dtype, want.dtype)
    assert grad is None or grad.shape == want.shape, (row, "one gradient per point", grad)
    _assert_eager(row, backend, got, want, grad, want_grad, f.source)
