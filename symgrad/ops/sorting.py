"""Sorting: ``sort``, ``argsort``, ``topk``.

No op-table entry: the order is found in numbers (NumPy's stable argsort),
and the values are ``gather``-ed with it.  So the values are differentiable
(each gradient goes back to the position its value came from: ``gather``'s
rule) and the indices are plain integers outside the graph, as in PyTorch.
The closed form of the values is the input's elements in the order they have
*now*: ``sort([x, y])`` at ``x > y`` reads ``[y, x]``; the order is a constant
of the expression, not a condition in it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symgrad import return_types
from symgrad._numpy_names import numpy_names
from symgrad.ops._util import norm_dim, tensor_arg
from symgrad.ops.positions import picked
from symgrad.ops.registry import called
from symgrad.ops.shape import _INDEX, _index

__all__ = ["sort", "argsort", "topk"]

sort_result = return_types.sort
topk_result = return_types.topk


def _order(v: np.ndarray, dim: int, descending: bool) -> np.ndarray:
    """Stable sorting indices along ``dim`` (ties keep their order, both ways;
    nan sorts as the largest value, as PyTorch sorts it)."""
    if not descending:
        return np.argsort(v, axis=dim, kind="stable")
    n = v.shape[dim]
    # stable descending: sort the reversed array ascending, map back, reverse
    rev = np.argsort(np.flip(v, axis=dim), axis=dim, kind="stable")
    return np.flip(n - 1 - rev, axis=dim)


def _take(x: Any, dim: int, idx: np.ndarray) -> Any:
    grids: list[Any] = list(np.indices(idx.shape, sparse=True))
    grids[dim] = picked(idx, x) if x.shape[dim] > 1 else idx  # (one element: no choice was made)
    return _index(x, tuple(grids))


def _indices(idx: np.ndarray, x: Any) -> Any:
    from symgrad._tensor import Tensor

    # (np.array, not np.ascontiguousarray: that makes a 0-d index 1-d)
    return Tensor._make(picked(np.array(idx, dtype=np.int64, order="C"), x))


@numpy_names
def sort(input: Any, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Any:
    """``(values, indices)`` sorted along ``dim``.  The sort is always stable
    (PyTorch's ``stable=False`` allows any order of ties; this is one of them).

    >>> import symgrad
    >>> x = symgrad.tensor([3., 1., 2.], requires_grad=True)
    >>> r = symgrad.sort(x)
    >>> r.values.expr, r.indices
    ([x[1], x[2], x[0]], tensor([1, 2, 0]))
    """
    x = tensor_arg(input)
    if x.ndim == 0:
        norm_dim(dim, 0)
        return sort_result(called(_index(x, ...), _INDEX, "SortBackward0", x), _indices(np.zeros((), np.int64), x))
    d = norm_dim(dim, x.ndim)
    idx = _order(x._value, d, bool(descending))
    return sort_result(called(_take(x, d, idx), _INDEX, "SortBackward0", x), _indices(idx, x))


@numpy_names
def argsort(input: Any, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Any:
    """The indices that sort ``input`` along ``dim`` (outside the graph).

    >>> import symgrad
    >>> symgrad.argsort(symgrad.tensor([3, 1, 2]))
    tensor([1, 2, 0])
    """
    return sort(input, dim, descending, stable=stable).indices


@numpy_names
def topk(input: Any, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002
    """The ``k`` largest (or smallest) values along ``dim`` and their indices;
    gradients flow to the chosen positions only.

    >>> import symgrad
    >>> symgrad.topk(symgrad.tensor([1., 5., 3.]), 2)
    symgrad.return_types.topk(
    values=tensor([5., 3.]),
    indices=tensor([1, 2]))
    """
    x = tensor_arg(input)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"topk(): argument 'k' must be int, not {type(k).__name__}")
    d = norm_dim(dim, x.ndim)
    n = x.shape[d] if x.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    if x.ndim == 0:
        return topk_result(*sort(x)) if k else topk_result(x.reshape(0), _indices(np.zeros(0, np.int64), x))
    idx = np.take(_order(x._value, d, bool(largest)), np.arange(int(k)), axis=d)
    return topk_result(called(_take(x, d, idx), _INDEX, "TopkBackward0", x), _indices(idx, x))
