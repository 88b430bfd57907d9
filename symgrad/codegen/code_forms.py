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
``numpy.logaddexp``).  The closed forms (``t.expr``, the docstrings' math)
keep the textbook formulas.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy
from sympy.codegen.cfunctions import expm1, log1p

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
    ln2 = sympy.log(2)
    return piecewise((sympy.Max(x, y) + log1p(2 ** -sympy.Abs(x - y)) / ln2, sympy.Ne(x, y)), (x + 1, True))


FORMS: dict[str, Callable[..., Any]] = {
    "log1p": log1p,
    "expm1": expm1,
    "softplus": _softplus,
    "logaddexp": _logaddexp,
    "logaddexp2": _logaddexp2,
}
