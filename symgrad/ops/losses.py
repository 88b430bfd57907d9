"""Fused losses, as PyTorch has them: one node (``MseLossBackward0``) instead
of a subtraction, a square and a mean.  The closed form is the same formula."""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from symgrad.dispatch import apply
from symgrad.ops._sympy import Exact, sp
from symgrad.ops._util import sym_reduce
from symgrad.ops.registry import defop

__all__ = ["mse_loss"]

_REDUCTIONS = ("mean", "sum", "none")


def _mse(x: Any, y: Any, reduction: str) -> Any:
    d = x - y
    sq = d * d
    if reduction == "none":
        return sq
    if reduction == "sum":
        return sq.sum()
    if sq.dtype.char in "fd":  # NumPy's own mean (a sum, then one division) without its Python overhead;
        return sq.sum() / sq.size  # float16 and integers keep mean(): it sums them in a wider type
    return sq.mean()


def _mse_sym(x: Any, y: Any, reduction: str) -> Any:
    d = np.asarray(x - y, dtype=object)  # 0-d object arrays subtract to a bare SymPy object
    sq = np.frompyfunc(lambda e: e ** 2, 1, 1)(d) if d.ndim else np.asarray(d[()] ** 2, dtype=object)
    if reduction == "none":
        return sq
    combine = (lambda items: sp.Add(*items) / len(items)) if reduction == "mean" else (lambda items: sp.Add(*items))
    return sym_reduce(np.asarray(sq, dtype=object), None, False, combine)


def _mse_scale(d: Any, reduction: str) -> Any:
    if reduction != "mean":
        return 2
    return _two_over(math.prod(d.shape))


@functools.lru_cache(maxsize=256)
def _two_over(n: int) -> Any:
    return Exact(2 / n, lambda: sp.Rational(2, n))  # prints as 2/n in closed forms


def _mse_grad(g: Any, x: Any, y: Any, reduction: str) -> Any:
    d = x - y
    if d.__class__ is np.ndarray:  # the numeric pass: a plain float multiplies twice as fast as Exact
        return d * (g * (2 / d.size if reduction == "mean" else 2.0))
    return d * (g * _mse_scale(d, reduction))


_MSE = defop("mse_loss", _mse, _mse_sym, inputs=("x", "y"), params=("reduction",), promote="common",
             backward_name="MseLossBackward0",
             vjp=(lambda g, out, x, y, reduction: _mse_grad(g, x, y, reduction),
                  lambda g, out, x, y, reduction: -_mse_grad(g, x, y, reduction)))


def mse_loss(input: Any, target: Any, reduction: str = "mean") -> Any:
    """Mean (or sum, or elementwise) squared error, fused as in PyTorch.

    >>> import symgrad
    >>> w = symgrad.tensor(3., requires_grad=True)
    >>> loss = symgrad.ops.mse_loss(w * symgrad.tensor([1., 2.]), symgrad.tensor([2., 4.]))
    >>> loss, loss.expr
    (tensor(2.5000, grad_fn=<MseLossBackward0>), (w - 2)**2/2 + (2*w - 4)**2/2)
    """
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction!r} is not a valid value for reduction: use 'mean', 'sum' or 'none'")
    return apply(_MSE, input, target, reduction=reduction)
