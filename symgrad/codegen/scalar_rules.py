"""Scalar-mode forms of ops whose symbolic forward would grow quadratically.

In scalar mode each element is its own expression, built by the op's SymPy
forward.  For a few ops that forward writes element ``k`` from scratch (a
running sum's ``x0 + ... + xk``, the product of all *other* elements), so
printing every element costs ``n**2``.  Here the same values are built from
shared partial results (a running total, prefix and suffix products), each a
temporary, so the code stays linear in the number of elements.

``logsumexp``, ``softmax`` and ``log_softmax`` are here for another reason:
their closed forms, ``log(exp(a) + exp(b))``, overflow where the eager
forwards do not (``logsumexp([800, 1600])`` is 1600, not inf), so their code
subtracts the largest element first, as the NumPy forwards in ``ops`` do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import sympy

from symgrad.codegen.ssa import Builder
from symgrad.ops._util import sym_along, sym_reduce
from symgrad.ops.reductions import variance_line

Line = Callable[[Builder, list[Any]], list[Any]]


def _along(x: np.ndarray, axes: tuple[int, ...], fn: Callable[[list[Any]], list[Any]]) -> np.ndarray:
    """Apply ``fn`` to every line of ``x`` running over ``axes`` (flattened)."""
    rest = [i for i in range(x.ndim) if i not in axes]
    moved = np.transpose(x, rest + list(axes))
    flat = moved.reshape(moved.shape[:len(rest)] + (-1,))
    out = np.empty(flat.shape, dtype=object)
    for idx in np.ndindex(*flat.shape[:-1]):
        out[idx] = _object_row(fn(list(flat[idx])))
    return np.transpose(out.reshape(moved.shape), np.argsort(rest + list(axes)))


def _object_row(items: list[Any]) -> np.ndarray:
    row = np.empty(len(items), dtype=object)
    row[:] = items
    return row


def _running_sum(b: Builder, items: list[Any]) -> list[Any]:
    out, total = [], None
    for v in items:
        total = v if total is None else b.flatten(total + v)
        out.append(total)
    return out


def _others_product(b: Builder, items: list[Any]) -> list[Any]:
    n = len(items)
    left: list[Any] = [sympy.Integer(1)]
    for v in items[:-1]:
        left.append(b.flatten(left[-1] * v))
    right: list[Any] = [sympy.Integer(1)]
    for v in reversed(items[1:]):
        right.append(b.flatten(right[-1] * v))
    right.reverse()
    return [b.flatten(left[k] * right[k]) for k in range(n)]


def _shift(b: Builder, items: list[Any], finite: bool) -> Any:
    """The largest element, a temporary; with ``finite``, 0 where it is not
    finite (as ``ops.reductions._logsumexp``: inf - inf would be nan)."""
    m = b.flatten(sympy.Max(*items))
    if finite:
        m = b.flatten(sympy.Piecewise((m, sympy.Ne(sympy.Function("isfinite")(m), 0)), (0, True)))
    return m


def _logsumexp_line(b: Builder, items: list[Any]) -> Any:
    m = _shift(b, items, finite=True)
    return m + sympy.log(sympy.Add(*[sympy.exp(v - m) for v in items]))


def _softmax_line(b: Builder, items: list[Any]) -> list[Any]:
    m = _shift(b, items, finite=False)
    exps = [b.flatten(sympy.exp(v - m)) for v in items]
    total = b.flatten(sympy.Add(*exps))
    return [e / total for e in exps]


def _log_softmax_line(b: Builder, items: list[Any]) -> list[Any]:
    lse = b.flatten(_logsumexp_line(b, items))
    return [v - lse for v in items]


def logsumexp(b: Builder, x: np.ndarray, dims: tuple[int, ...] | None, keepdim: bool) -> Any:
    return sym_reduce(x, dims, keepdim, lambda items: _logsumexp_line(b, items))


def cumsum(b: Builder, x: np.ndarray, dim: int) -> np.ndarray:
    return _along(x, (dim,), lambda items: _running_sum(b, items))


def prod_others(b: Builder, x: np.ndarray, dims: tuple[int, ...] | None) -> np.ndarray:
    axes = tuple(range(x.ndim)) if dims is None else tuple(dims)
    return _along(x, axes, lambda items: _others_product(b, items))


def sum_to_size(b: Builder, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    # NumPy's object-array sum adds one term at a time, and each SymPy Add
    # copies its terms: n**2.  One Add per output element instead.
    lead = x.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape) if s == 1 and x.shape[lead + i] != 1)
    rest = [i for i in range(x.ndim) if i not in axes]
    moved = np.transpose(x, rest + list(axes))
    flat = moved.reshape(moved.shape[:len(rest)] + (-1,))
    out = np.empty(flat.shape[:-1], dtype=object)
    for idx in np.ndindex(*out.shape):
        out[idx] = sympy.Add(*flat[idx])
    return out.reshape(shape)


def matmul(b: Builder, x: np.ndarray, y: np.ndarray) -> Any:
    """``x @ y`` with one ``Add`` per element (NumPy's object matmul adds term by term)."""
    if x.ndim == 1 and y.ndim == 1:
        return sympy.Add(*[p * q for p, q in zip(x, y, strict=True)])
    xm = x[None, :] if x.ndim == 1 else x
    ym = y[:, None] if y.ndim == 1 else y
    batch = np.broadcast_shapes(xm.shape[:-2], ym.shape[:-2])
    xm = np.broadcast_to(xm, batch + xm.shape[-2:])
    ym = np.broadcast_to(ym, batch + ym.shape[-2:])
    out = np.empty(batch + (xm.shape[-2], ym.shape[-1]), dtype=object)
    for idx in np.ndindex(*out.shape):
        *bi, i, j = idx
        row, col = xm[tuple(bi) + (i,)], ym[tuple(bi) + (slice(None), j)]
        out[idx] = sympy.Add(*[p * q for p, q in zip(row, col, strict=True)])
    if x.ndim == 1:
        out = out[..., 0, :]
    if y.ndim == 1:
        out = out[..., 0]
    return out


RULES: dict[str, Callable[..., Any]] = {
    "cumsum": lambda b, x, dim: cumsum(b, x, dim),
    "prod_others": lambda b, x, dims: prod_others(b, x, dims),
    "sum_to_size": lambda b, x, shape: sum_to_size(b, x, shape),
    "matmul": lambda b, x, y: matmul(b, x, y),
    "logsumexp": lambda b, x, dims, keepdim: logsumexp(b, x, dims, keepdim),
    # (the mean of each line a temporary: the closed form repeats it in every square)
    "var": lambda b, x, dims, correction, keepdim: sym_reduce(x, dims, keepdim,
                                                             lambda items: variance_line(items, correction, b.flatten)),
    "softmax": lambda b, x, dim: sym_along(x, dim, lambda items: _softmax_line(b, items)),
    "log_softmax": lambda b, x, dim: sym_along(x, dim, lambda items: _log_softmax_line(b, items)),
}
