"""Generated code against eager code at pairs of edge points, bit for bit.

The two-argument counterpart of ``test_codegen_edges.py``: every elementwise
op of two arguments in the op table (and the compositions that print their
own forms: ``fmax``, ``fmin``, ``clamp`` to tensors, ``where``) is generated in
the NumPy backend (array code, and scalar code called with arrays of points),
the ``math`` backend, C (when a compiler is found), JAX and PyTorch (array code,
float64; skipped without the library), and its values and
both gradients are compared with eager code over every pair of ``POINTS``
(signed zeros, infinities, nan, a denormal, huge values, 1, -1, 0.5, 2.5): the
same bits (any nan matches any nan; the sign of a zero counts).

NumPy, JAX and PyTorch code is compared with eager code on arrays, the ``math`` and C code with
eager code on 0-d tensors.  What is allowed to differ is listed in
``EXCEPTIONS``, with the reason, per row, backend and pair (or ``ALL``); an op
of the table without a row fails ``test_every_binary_op_has_a_row``.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import symgrad as sg
from symgrad.ops import TABLE
from tests.codegen_edge_points import LIBRARIES, as_numpy, differentiable, library_argument, same, scalar_build

POINTS = [0.0, -0.0, math.inf, -math.inf, math.nan, 5e-324, 1e300, -1e300, 1.0, -1.0, 0.5, 2.5, -2.5]
PAIRS = list(itertools.product(POINTS, POINTS))
ALL = "all"  # every pair


def _op(name: str) -> Callable[[Any, Any], Any]:
    return lambda x, y: getattr(sg, name)(x, y)


# op (or row) -> symgrad function of two tensors
ROWS: dict[str, Callable[[Any, Any], Any]] = {
    name: _op(name)
    for name in ("add", "sub", "mul", "div", "pow", "remainder", "floor_divide", "maximum", "minimum", "fmod",
                 "atan2", "hypot", "logaddexp", "logaddexp2", "xlogy", "copysign", "heaviside", "nextafter",
                 "eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor")
}
ROWS.update({
    "where": lambda x, y: sg.where(x > y, x, y),
    # the operands in the order SymPy's Max/Min do not sort them into
    "maximum(y, x)": lambda x, y: sg.maximum(y, x),
    "minimum(y, x)": lambda x, y: sg.minimum(y, x),
    # compositions whose code has its own forms
    "fmax": _op("fmax"),
    "fmin": _op("fmin"),
    "clamp(x, min=y)": lambda x, y: sg.clamp(x, min=y),
    "clamp(x, max=y)": lambda x, y: sg.clamp(x, max=y),
    "clamp(x, y, 1)": lambda x, y: sg.clamp(sg.clamp(x, min=y), max=1.0),
    # an op of three arguments: the weight a number, and a tensor (the second argument again)
    "lerp": lambda x, y: sg.lerp(x, y, 0.3),
    "lerp(x, y, y)": lambda x, y: sg.lerp(x, y, y),
})
# ops of the table that are not rows, and why
NOT_ROWS = {
    "_overwritten": "internal: marks a tensor written in place, never in a graph that code is generated from",
    "pow_scalar": "the exponent is a number, not a tensor: x**2 and x**0.5 are one-argument code (test_codegen_powers)",
    **{name: "not yet compared at edge points: math and C refuse it, and NumPy code calls SciPy's "
             "gammainc/gammaincc (compared with eager at one point in test_incomplete_gamma)"
       for name in ("igamma", "igammac")},
    "igamma_density": "internal (igamma's derivative in x): its code is its closed form, PyTorch's formula "
                      "exp((a - 1)*log(x) - x - lgamma(a)), where the engine has Stirling's form for a >= 10 "
                      "(tests/test_incomplete_gamma.py compares the two)",
    **{name: "integers only: no float edge points" for name in ("gcd", "lcm", "bitwise_and", "bitwise_or",
                                                                 "bitwise_xor")},
}

_LIBM = "NumPy's function and the C library's differ in the last digit"
_SQRT = "NumPy's power with the exponent 0.5 is sqrt (-0.0 at -0.0, nan at -inf); C's pow gives +0.0 and inf"

_FTZ = "XLA on the CPU flushes denormals to zero (its inputs and results): JAX code computes at 5e-324 as at 0"
_XLA = "XLA's own approximation of the function (not the C library's, which NumPy's calls) differs in the last digit"
_ATEN = "ATen's (PyTorch's vectorised) pow and exp2 differ from NumPy's in the last digit"
_ATEN_FMOD = "ATen's fmod by the denormal 5e-324 is nan where x/y overflows (C's fmod: exact, 0 here) and 0 at (5e-324, 5e-324)"
_DENORMAL_PAIRS = [p for p in PAIRS if 5e-324 in p]


def _at(reason: str, pairs: Any) -> dict[str, str]:
    """{pair: reason}, keyed by the pair's repr: as dict keys (0.0, 1) and (-0.0, 1) are one."""
    return {repr(tuple(map(float, p))): reason for p in pairs}


# the rows whose JAX code differs at pairs with a denormal (_FTZ)
_JAX_DENORMAL_ROWS = ("pow", "remainder", "floor_divide", "maximum", "minimum", "fmod", "atan2", "hypot", "logaddexp",
                      "logaddexp2", "xlogy", "copysign", "heaviside", "nextafter", "eq", "ne", "lt", "le", "gt", "ge",
                      "logical_and", "logical_or", "logical_xor", "where", "maximum(y, x)", "minimum(y, x)", "fmax",
                      "fmin", "clamp(x, min=y)", "clamp(x, max=y)", "clamp(x, y, 1)")

# (row, backend) -> {repr((x, y)) or ALL: reason} (see _at).  Backends: numpy (array code), numpy_scalar, math, c, jax, torch.
EXCEPTIONS: dict[tuple[str, str], dict[Any, str]] = {
    **{("pow", be): {**_at(_SQRT, [(-0.0, 0.5), (-math.inf, 0.5)]), **_at(_LIBM, [(2.5, 2.5)])} for be in ("math", "c")},
    **{(row, "jax"): _at(_FTZ, _DENORMAL_PAIRS) for row in _JAX_DENORMAL_ROWS},
    ("pow", "torch"): _at(_ATEN, [(0.5, 0.5), (0.5, 2.5), (1e300, -1.0), (2.5, 2.5)]),
    # (logaddexp2's code is max(x, y) + log1p(2**-|x - y|)*log2(e))
    ("logaddexp2", "torch"): _at(_ATEN, [(-1.0, -2.5), (-1.0, 0.5), (-2.5, 0.0), (-2.5, -0.0), (0.0, -2.5),
                                         (-0.0, -2.5), (5e-324, -2.5), (0.5, -1.0)]),
    ("fmod", "torch"): _at(_ATEN_FMOD, _DENORMAL_PAIRS),
}
# XLA's pow, hypot and exp/log1p (logaddexp's code: max(x, y) + log1p(exp(-|x - y|))) in the last digit
for _row, _pairs in {"pow": ((1e300, -1.0), (2.5, 2.5)), "hypot": ((-2.5, 0.5), (0.5, -2.5), (0.5, 2.5), (2.5, 0.5)),
                     "logaddexp": ((-1.0, 0.0), (0.0, -1.0), (-1.0, -0.0), (-0.0, -1.0))}.items():
    EXCEPTIONS[(_row, "jax")].update(_at(_XLA, _pairs))


def _allowed(row: str, backend: str, pair: tuple[float, float]) -> bool:
    allowed = EXCEPTIONS.get((row, backend), {})
    return ALL in allowed or repr(tuple(map(float, pair))) in allowed


def test_every_binary_op_has_a_row():
    binary = {name for name, op in TABLE.items() if op.elementwise and len(op.inputs) > 1}
    assert binary - set(ROWS) - set(NOT_ROWS) == set(), "add a row (or a NOT_ROWS reason) for these ops"


def test_exceptions_name_rows_and_backends():
    for row, backend in EXCEPTIONS:
        assert row in ROWS and backend in {"numpy", "numpy_scalar", "math", "c", *LIBRARIES}, (row, backend)


def _quiet() -> Any:
    class Quiet:
        def __enter__(self) -> None:
            self.err = np.seterr(all="ignore")
            self.w = warnings.catch_warnings()
            self.w.__enter__()
            warnings.simplefilter("ignore")

        def __exit__(self, *exc: Any) -> None:
            self.w.__exit__(*exc)
            np.seterr(**self.err)

    return Quiet()


def _eager_arrays(fn: Callable[[Any, Any], Any]) -> tuple[np.ndarray, list[np.ndarray] | None]:
    x = sg.tensor(np.array([p[0] for p in PAIRS]), requires_grad=True)
    y = sg.tensor(np.array([p[1] for p in PAIRS]), requires_grad=True)
    out = fn(x, y)
    if not differentiable(out):
        return out.detach().numpy(), None
    grads = sg.autograd.grad(out.sum(), [x, y], allow_unused=True, materialize_grads=True)
    return out.detach().numpy(), [g.numpy() for g in grads]


def _differences(row: str, backend: str, got: Any, want: Any, grads: Any, want_grads: Any) -> list[Any]:
    bad = [(p, "value", a, b) for p, a, b in zip(PAIRS, got, want) if not same(a, b) and not _allowed(row, backend, p)]
    for i, (grad, want_grad) in enumerate(zip(grads or [], want_grads or [])):
        bad += [(p, f"grad{i}", a, b) for p, a, b in zip(PAIRS, grad, want_grad)
                if not same(a, b) and not _allowed(row, backend, p)]
    return bad


@pytest.mark.parametrize("scalar_leaf", [False, True], ids=["numpy", "numpy_scalar"])
@pytest.mark.parametrize("row", list(ROWS))
def test_numpy_code_is_eager_at_edge_pairs(row, scalar_leaf):
    fn = ROWS[row]
    backend = "numpy_scalar" if scalar_leaf else "numpy"
    n = len(PAIRS)
    x = sg.tensor(0.7 if scalar_leaf else np.full(n, 0.7), requires_grad=True)
    y = sg.tensor(0.3 if scalar_leaf else np.full(n, 0.3), requires_grad=True)
    out = fn(x, y)
    f = sg.lambdify([x, y], out)
    g = sg.gradient_function(out if scalar_leaf else out.sum(), [x, y]) if differentiable(out) else None
    xs, ys = np.array([p[0] for p in PAIRS]), np.array([p[1] for p in PAIRS])
    with _quiet():
        want, want_grads = _eager_arrays(fn)
        got = np.asarray(f(xs, ys))
        grads = None if g is None else list(g(xs, ys)[1])
    assert grads is None or all(np.shape(d) == (n,) for d in grads), (row, "one gradient per point", grads)
    assert got.dtype == want.dtype, (row, got.dtype, want.dtype)
    bad = _differences(row, backend, got.astype(np.float64), want.astype(np.float64), grads, want_grads)
    assert not bad, (row, len(bad), bad[:12], f.source)


@pytest.mark.parametrize("backend", ["math", "c"])
@pytest.mark.parametrize("row", list(ROWS))
def test_scalar_code_is_eager_at_edge_pairs(row, backend):
    """``math`` and C code, one pair per call, against eager 0-d tensors."""
    build = scalar_build(backend)
    fn = ROWS[row]
    x, y = sg.tensor(0.7, requires_grad=True), sg.tensor(0.3, requires_grad=True)
    out = fn(x, y)
    f = sg.lambdify([x, y], out, backend=backend, **build)
    g = sg.gradient_function(out, [x, y], backend=backend, **build) if differentiable(out) else None
    got, want, grads, want_grads = [], [], [[], []], [[], []]
    with _quiet():
        for p in PAIRS:
            s, t = sg.tensor(p[0], requires_grad=True), sg.tensor(p[1], requires_grad=True)
            o = fn(s, t)
            want.append(o.item())
            try:
                got.append(f(np.float64(p[0]), np.float64(p[1])))
            except (ValueError, OverflowError, ZeroDivisionError):
                assert backend == "math", (row, p)  # (Python's math raises: an error, never a wrong number)
                got.append(want[-1])
            if g is None:
                continue
            for i, w in enumerate(sg.autograd.grad(o, [s, t], allow_unused=True, materialize_grads=True)):
                want_grads[i].append(w.item())
            try:
                for i, d in enumerate(g(np.float64(p[0]), np.float64(p[1]))[1]):
                    grads[i].append(d)
            except (ValueError, OverflowError, ZeroDivisionError):
                assert backend == "math", (row, p)
                for i in range(2):
                    grads[i].append(want_grads[i][-1])
    bad = _differences(row, backend, got, want, grads if g else None, want_grads if g else None)
    assert not bad, (row, len(bad), bad[:12], f.source)


@pytest.mark.parametrize("backend", LIBRARIES)
@pytest.mark.parametrize("row", list(ROWS))
def test_jax_and_torch_code_is_eager_at_edge_pairs(row, backend):
    """JAX and PyTorch array code (called op by op, not under ``jax.jit``) against eager arrays."""
    argument = library_argument(backend)
    fn = ROWS[row]
    n = len(PAIRS)
    x, y = sg.tensor(np.full(n, 0.7), requires_grad=True), sg.tensor(np.full(n, 0.3), requires_grad=True)
    out = fn(x, y)
    f = sg.lambdify([x, y], out, backend=backend)
    g = sg.gradient_function(out.sum(), [x, y], backend=backend) if differentiable(out) else None
    xs, ys = (argument(np.array([p[i] for p in PAIRS])) for i in range(2))
    with _quiet():
        want, want_grads = _eager_arrays(fn)
        got = as_numpy(f(xs, ys))
        grads = None if g is None else [as_numpy(d) for d in g(xs, ys)[1]]
    assert grads is None or all(d.shape == (n,) for d in grads), (row, "one gradient per point", grads)
    assert got.dtype == want.dtype, (row, got.dtype, want.dtype)
    bad = _differences(row, backend, got.astype(np.float64), want.astype(np.float64), grads, want_grads)
    assert not bad, (row, len(bad), bad[:12], f.source)
