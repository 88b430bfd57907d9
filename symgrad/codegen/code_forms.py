"""Ops whose closed form is exact but loses precision when computed as written.

``log1p(x)`` is ``log(1 + x)`` in closed form, and ``1 + x`` rounds to 1 for
``|x|`` below 1e-16: code printed from the closed form gave ``log1p(1e-20)
= 0`` where symgrad's forward (NumPy's ``log1p``) gives 1e-20.  Likewise
``exp(x) - 1`` for ``expm1``, and ``log(1 + exp(x))`` for ``softplus``, which
overflows to inf at ``x = 710`` and rounds to 0 below ``x = -37``, as
``log(exp(x) + exp(y))`` does for ``logaddexp`` (and ``2**x`` for
``logaddexp2``).  Code computes them as the NumPy forwards do: with ``log1p``
and ``expm1`` (SymPy's ``sympy.codegen.cfunctions``, which every backend prints
as its own ``log1p``/``expm1``), softplus as ``max(x, 0) + log1p(exp(-|x|))``,
and ``logaddexp`` as ``max(x, y) + log1p(exp(-|x - y|))`` (``x + log(2)`` where
``x == y``, so that two infinities of one sign give that infinity, as
``numpy.logaddexp``).  ``xlogy`` is nan where ``y`` is (the closed form is 0 where
``x`` is), ``heaviside`` 0 at nan (as the forward and PyTorch).  ``log10`` and ``log2`` are the backends' own (``log(x)/log(10)``
is off in the last digit: 0.5 gives -0.30102999566398114 for -0.3010299956639812);
``sigmoid`` is the forward's ``where(x >= 0, 1, e)/(1 + e)`` with ``e = exp(-|x|)``
(``1/(1 + exp(-x))`` differs in the last digit below 0); ``erfinv`` is
``copysign(erfinv(x), x)`` (SciPy's is +0.0 at -0.0, symgrad's and PyTorch's
-0.0), and ``special_i1`` (odd, as ``erfinv``) ``copysign(i1(x), x)``
(PyTorch's ``torch.special.i1`` is +0.0 at -0.0, symgrad's -0.0).  The closed forms (``t.expr``, the docstrings' math) keep the textbook
formulas.

A form that reads a part more than once takes ``bind`` (``ssa.Builder.bind``
from ``lower``), which makes that part a temporary, computed once.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import sympy
from sympy.codegen.cfunctions import expm1, log1p, log2, log10

from symgrad.codegen.runtime_forms import CopySign, IsNan
from symgrad.symbolic.constants import number
from symgrad.symbolic.piecewise import piecewise


def _softplus(x: Any, beta: float, threshold: float) -> Any:
    b = number(beta)
    bx = b * x
    smooth = (sympy.Max(bx, 0) + log1p(sympy.exp(-sympy.Abs(bx)))) / b
    return piecewise((x, bx > number(threshold)), (smooth, True))


def _logaddexp(x: Any, y: Any) -> Any:
    return piecewise((sympy.Max(x, y) + log1p(sympy.exp(-sympy.Abs(x - y))), sympy.Ne(x, y)),
                     (x + sympy.log(2), True))


def _logaddexp2(x: Any, y: Any) -> Any:
    # (times log2(e) rounded, as NumPy's log2_1p: dividing by log(2) differs in the last digit)
    log2e = number(1 / math.log(2))
    return piecewise((sympy.Max(x, y) + log1p(2 ** -sympy.Abs(x - y)) * log2e, sympy.Ne(x, y)), (x + 1, True))


def _xlogy(x: Any, y: Any) -> Any:
    # (the forward's: nan where y is nan, also where x is 0; the closed form is 0 there)
    return piecewise((sympy.nan, IsNan(y)), (0, sympy.Eq(x, 0)), (x * sympy.log(y), True))


def _heaviside(x: Any, v: Any) -> Any:
    # (the forward's x == 0 ? v : x > 0, 0 at nan; the closed form's last piece is 1 there)
    return piecewise((1, x > 0), (v, sympy.Eq(x, 0)), (0, True))  # (v innermost: float32 stays float32)


def _same(e: Any) -> Any:
    return e


def _sigmoid(x: Any, bind: Callable[[Any], Any] = _same) -> Any:
    x = bind(x)
    e = bind(sympy.exp(-sympy.Abs(x)))
    return piecewise((sympy.Integer(1), x >= 0), (e, True)) / (1 + e)


def _erfinv(x: Any, bind: Callable[[Any], Any] = _same) -> Any:
    x = bind(x)
    return CopySign(sympy.erfinv(x), x)


def _i1(x: Any, bind: Callable[[Any], Any] = _same) -> Any:
    x = bind(x)
    return CopySign(sympy.besseli(1, x), x)


def _silu(x: Any, bind: Callable[[Any], Any] = _same) -> Any:
    x = bind(x)
    return x * bind(_sigmoid(x, bind))  # (the forward's x * sigmoid(x): sigmoid rounded first)


def _mish(x: Any, bind: Callable[[Any], Any] = _same) -> Any:
    x = bind(x)
    return x * bind(sympy.tanh(_softplus(x, 1.0, math.inf)))


def _gelu(x: Any, approximate: str, bind: Callable[[Any], Any] = _same) -> Any:
    # (the forward's x * (inner + 1) / 2, with its rounded constants)
    x = bind(x)
    if approximate == "tanh":
        cube = sympy.Mul(sympy.Mul(x, x, evaluate=False), x, evaluate=False)  # (x*x*x, not pow(x, 3))
        inner = sympy.tanh((x + cube * number(0.044715)) * number(math.sqrt(2 / math.pi)))
    else:
        inner = sympy.erf(x * number(math.sqrt(0.5)))
    return x * (inner + 1) / 2


def _hardswish(x: Any, bind: Callable[[Any], Any] = _same) -> Any:
    # (x * 0.0 below -3, as the forward: -0.0, and nan at -inf; the closed form's 0 is +0.0)
    x = bind(x)
    middle = sympy.Mul(bind(x * (x + 3)), sympy.Pow(6, -1), evaluate=False)  # (x*(x + 3)/6, not (1/6)*x*(x + 3))
    return piecewise((sympy.Mul(number(0.0), x, evaluate=False), x <= -3), (middle, x < 3), (x, True))


# forms that take ``bind``
BINDING = frozenset({"sigmoid", "erfinv", "special_i1", "silu", "mish", "gelu", "hardswish"})

def _lerp(x: Any, end: Any, weight: Any) -> Any:
    return x + sympy.Mul(weight, end - x, evaluate=False)  # (the forward's x + weight*(end - x), not expanded)


FORMS: dict[str, Callable[..., Any]] = {
    "log10": log10,
    "log2": log2,
    "sigmoid": _sigmoid,
    "erfinv": _erfinv,
    "special_i1": _i1,
    "log1p": log1p,
    "expm1": expm1,
    "softplus": _softplus,
    "silu": _silu,
    "mish": _mish,
    "gelu": _gelu,
    "hardswish": _hardswish,
    "logaddexp": _logaddexp,
    "logaddexp2": _logaddexp2,
    "xlogy": _xlogy,
    "lerp": _lerp,
    "heaviside": _heaviside,
}
