"""Order statistics: ``median``, ``nanmedian``, ``kthvalue``, ``mode``,
``msort``, ``quantile``, ``nanquantile``.

No op-table entry, as for ``sort``: which element is the median (the k-th
value, the mode) is decided from the numbers, with PyTorch's tie-breaking,
and the value is that element gathered by indexing.  So the gradient goes to
the position PyTorch sends it to, the indices are int64 outside the graph,
and the closed form is the chosen element (``x[2]``): the position is a
constant of the expression, marked as chosen by values
(``positions.picked``) so code generation refuses to reuse it.

Tie-breaking, as PyTorch 2.13's CPU kernels:

* ``median``/``nanmedian`` with ``dim``: the ``(n - 1) // 2``-th element of
  the stable order (ties by index); ``median`` of a row with nan is its
  first nan; ``nanmedian`` counts only the numbers.
* ``median()`` of all elements shares the gradient evenly among the
  elements equal to the median (PyTorch's ``evenly_distribute_backward``):
  its closed form at a tie is ``Max`` of the tied elements (exactly their
  common value), and at nan the mean of the nan elements.
* ``kthvalue``: PyTorch's quickselect decides which of several equal values
  is returned; it is replayed (``_quickselect``) for the rows with a tie.
* ``mode``: the smallest of the most frequent values, at its last index
  (PyTorch's insertion sort for rows up to 16 long; longer rows are sorted
  by an unstable introsort there, and may report another of the equal
  positions).
* ``quantile``: ``sort`` then ``lerp`` as PyTorch composes it, so the
  gradient reaches ``q`` too.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from symgrad import return_types
from symgrad._numpy_names import numpy_names
from symgrad._tensor import Tensor
from symgrad.ops._util import kept_shape, norm_dim
from symgrad.ops._util import tensor_arg as _t
from symgrad.ops.positions import picked
from symgrad.ops.reductions import amax, mean
from symgrad.ops.registry import composed
from symgrad.ops.selection import where
from symgrad.ops.shape import _index, _reshape
from symgrad.ops.sorting import _indices, sort

__all__ = ["median", "nanmedian", "kthvalue", "mode", "msort", "quantile", "nanquantile"]

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")
_ROUNDINGS: dict[str, Any] = {"lower": np.floor, "higher": np.ceil, "nearest": np.round}


# ---------------------------------------------------------------- gathering chosen positions

def _gather(x: Any, d: int, positions: np.ndarray, lead: int = 0, keepdim: bool = True) -> Any:
    """``x``'s elements at ``positions`` along ``d``; ``positions`` has ``x``'s
    shape with size 1 at ``d`` (after ``lead`` extra leading axes).  One
    indexing op: the gradient goes back to those positions only."""
    keys = []
    for a, n in enumerate(x.shape):
        if a == d:
            keys.append(picked(positions, x) if n > 1 else positions)  # (one element: nothing was chosen)
        else:
            keys.append(np.arange(n).reshape([n if i == lead + a else 1 for i in range(positions.ndim)]))
    if not keepdim:
        keys = [np.squeeze(k, axis=lead + d) for k in keys]
    return _index(x, tuple(keys))


def _selection(x: Any, d: int, positions: np.ndarray, keepdim: bool, result: Any) -> Any:
    """The named tuple ``(values, indices)`` of the chosen ``positions`` (kept shape)."""
    indices = positions if keepdim else np.squeeze(positions, axis=d)
    return result(_gather(x, d, positions, keepdim=keepdim), _indices(indices, x))


def _of_scalar(x: Any, result: Any) -> Any:
    """A 0-d input reduced along its one dim: itself (a differentiable copy) at index 0."""
    return result(_index(x, ...), _indices(np.zeros((), np.int64), x))


def _tensor(v: Any, fn: str) -> Tensor:
    if not isinstance(v, Tensor):
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not {type(v).__name__}")
    return v


def _dim(dim: Any, ndim: int, fn: str) -> int:
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{fn}(): argument 'dim' must be int, not {type(dim).__name__}")
    return norm_dim(dim, ndim)


def _nonempty_dim(x: Any, d: int, fn: str) -> None:
    if x.shape[d] == 0:
        raise IndexError(f"{fn}(): Expected reduction dim {d} to have non-zero size.")


def _refuse_bool(x: Any, kernel: str) -> None:
    if x._value.dtype.kind == "b":
        raise NotImplementedError(f"\"{kernel}_cpu\" not implemented for 'Bool' (as in PyTorch): convert the "
                                  "tensor with .long() or .double() first")


# ---------------------------------------------------------------- median

@numpy_names
def median(input: Any, dim: Any = None, keepdim: bool = False) -> Any:
    """The lower of the two middle values (PyTorch's median, not the mean of
    the two): of all elements, or ``(values, indices)`` along ``dim``.  A nan
    makes the median nan (``nanmedian`` skips them).

    >>> import symgrad
    >>> x = symgrad.tensor([3., 1., 4., 2.], requires_grad=True)
    >>> m = symgrad.median(x)
    >>> m, m.expr
    (tensor(2., grad_fn=<MedianBackward0>), x[3])
    >>> symgrad.median(symgrad.tensor([[1., 5., 2.], [4., 4., 0.]]), dim=1)
    symgrad.return_types.median(
    values=tensor([2., 4.]),
    indices=tensor([2, 0]))
    """
    return _named(_median(input, dim, keepdim, "median", ignore_nan=False), f"MedianBackward{int(dim is not None)}",
                  input)


@numpy_names
def nanmedian(input: Any, dim: Any = None, keepdim: bool = False) -> Any:
    """``median`` of the numbers that are not nan (nan only where all are).

    >>> import symgrad
    >>> symgrad.nanmedian(symgrad.tensor([1., float("nan"), 3., 2.]))
    tensor(2.)
    """
    return _named(_median(input, dim, keepdim, "nanmedian", ignore_nan=True),
                  f"NanmedianBackward{int(dim is not None)}", input)


def _named(result: Any, name: str, input: Any) -> Any:
    """``result`` (a tensor, or ``(values, indices)``), its values' node named as
    PyTorch's one node (``MedianBackward1``, where symgrad gathers: ``index``)."""
    composed(result if isinstance(result, Tensor) else result[0], name, input)
    return result


def _median(input: Any, dim: Any, keepdim: bool, fn: str, ignore_nan: bool) -> Any:
    x = _tensor(input, fn)
    _refuse_bool(x, "median")
    if dim is None:
        if keepdim is not False:
            raise TypeError(f"{fn}() got keepdim without dim: pass dim= too (PyTorch requires it)")
        return _median_all(x, fn, ignore_nan)
    d = _dim(dim, x.ndim, fn)
    result = getattr(return_types, fn)
    if x.ndim == 0:
        return _of_scalar(x, result)
    _nonempty_dim(x, d, fn)
    return _selection(x, d, _median_positions(x._value, d, ignore_nan), bool(keepdim), result)


def _median_positions(v: np.ndarray, d: int, ignore_nan: bool) -> np.ndarray:
    """Where each line's median is (kept shape): the middle of the stable order,
    nan sorting last; ``median`` of a line with nan: its first nan."""
    order = np.argsort(v, axis=d, kind="stable")
    nan = np.isnan(v) if v.dtype.kind == "f" else np.zeros(v.shape, bool)
    if ignore_nan:
        count = v.shape[d] - nan.sum(axis=d, keepdims=True)
        positions = np.take_along_axis(order, np.maximum(count - 1, 0) // 2, axis=d)
        return np.where(count == 0, _first_of_equals(v.shape[d]), positions)
    middle = np.full(kept_shape(v.shape, (d,)), (v.shape[d] - 1) // 2)
    positions = np.take_along_axis(order, middle, axis=d)
    return np.where(nan.any(axis=d, keepdims=True), np.argmax(nan, axis=d, keepdims=True), positions)


@functools.cache
def _first_of_equals(n: int) -> int:
    """Where PyTorch's ``nanmedian`` finds the median of ``n`` nans: the
    element libstdc++'s ``std::nth_element`` leaves first when every element
    is equivalent (its pivot swaps, replayed on indices)."""
    order = list(range(n))
    first, last = 0, n
    while last - first > 3:
        mid = first + (last - first) // 2
        order[first], order[mid] = order[mid], order[first]  # (the median of three equivalent elements)
        lo, hi = first + 1, last
        while True:  # the unguarded partition: swaps pairs from both ends until they meet
            hi -= 1
            if not lo < hi:
                break
            order[lo], order[hi] = order[hi], order[lo]
            lo += 1
        first, last = (lo, last) if lo <= 0 else (first, lo)
    return order[0]


def _median_all(x: Any, fn: str, ignore_nan: bool) -> Any:
    flat = _reshape(x, (-1,))
    v = flat._value
    if v.size == 0:
        if v.dtype.kind != "f":
            raise RuntimeError(f"{fn}() of an empty integer tensor has no value (PyTorch returns an arbitrary "
                               "integer): convert it with .double() to get nan")
        return _index(_t(np.full((), np.nan, v.dtype)), ...)
    position = int(_median_positions(v, 0, ignore_nan)[0])
    value = v[position]
    tied = np.flatnonzero(np.isnan(v) if value != value else v == value)
    if len(tied) == 1:
        return _index(flat, picked(np.asarray(position), x) if v.size > 1 else np.asarray(position))
    # PyTorch shares the gradient evenly among the tied elements: amax's rule does (and its value is theirs,
    # exactly); nan equals nothing, so the nan elements share it through a mean (whose value is nan too)
    chosen = _index(flat, picked(tied, x))
    return mean(chosen) if value != value else amax(chosen)


# ---------------------------------------------------------------- kthvalue

@numpy_names
def kthvalue(input: Any, k: int, dim: int = -1, keepdim: bool = False) -> Any:
    """``(values, indices)`` of the ``k``-th smallest element along ``dim``
    (``k`` from 1; nan counts as the largest).  Among equal values the index
    is the one PyTorch's quickselect returns.

    >>> import symgrad
    >>> symgrad.kthvalue(symgrad.tensor([5., 1., 4., 2.]), 2)
    symgrad.return_types.kthvalue(
    values=tensor(2.),
    indices=tensor(3))
    """
    x = _tensor(input, "kthvalue")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"kthvalue(): argument 'k' must be int, not {type(k).__name__}")
    _refuse_bool(x, "kthvalue")
    d = _dim(dim, x.ndim, "kthvalue")
    n = x.shape[d] if x.ndim else 1
    if x.ndim and n == 0:
        _nonempty_dim(x, d, "kthvalue")
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d} (k = {k}, the dimension "
                           f"has {n} elements: k counts from 1)")
    if x.ndim == 0:
        return _named(_of_scalar(x, return_types.kthvalue), "KthvalueBackward0", x)
    return _named(_selection(x, d, _kth_positions(x._value, d, int(k) - 1), bool(keepdim), return_types.kthvalue),
                  "KthvalueBackward0", x)


def _kth_positions(v: np.ndarray, d: int, k: int) -> np.ndarray:
    """Where each line's k-th smallest value is (kept shape): the stable order
    where the value is unique in its line, PyTorch's quickselect where it is not."""
    order = np.argsort(v, axis=d, kind="stable")
    positions = np.take(order, [k], axis=d)
    value = np.take_along_axis(v, positions, axis=d)
    same = (v == value) | (np.isnan(v) & np.isnan(value)) if v.dtype.kind == "f" else v == value
    tied = np.moveaxis(same.sum(axis=d, keepdims=True) > 1, d, -1)
    if tied.any():
        lines, chosen = np.moveaxis(v, d, -1), np.moveaxis(positions, d, -1)  # (chosen: a view of positions)
        for line in np.ndindex(*tied.shape[:-1]):
            if tied[line][0]:
                chosen[line] = _quickselect(lines[line].tolist(), k)
    return positions


def _quickselect(values: list[Any], k: int) -> int:
    """The index PyTorch's CPU ``quick_select_template`` (ATen's
    SortingUtils.h) leaves at position ``k``: the same median-of-three pivots
    and swaps on (value, index) pairs, nan greater than every number."""
    idx = list(range(len(values)))

    def greater(a: Any, b: Any) -> bool:
        return (a != a and b == b) or a > b

    def swap(i: int, j: int) -> None:
        values[i], values[j] = values[j], values[i]
        idx[i], idx[j] = idx[j], idx[i]

    lo, hi = 0, len(values) - 1
    while hi > lo:
        if hi == lo + 1:
            if greater(values[lo], values[hi]):
                swap(lo, hi)
            break
        swap(lo + (hi - lo) // 2, lo + 1)
        for a, b in ((lo + 1, hi), (lo, hi), (lo + 1, lo)):
            if greater(values[a], values[b]):
                swap(a, b)
        i, j, pivot = lo + 1, hi, values[lo]
        while True:
            i += 1
            while greater(pivot, values[i]):
                i += 1
            j -= 1
            while greater(values[j], pivot):
                j -= 1
            if j < i:
                break
            swap(i, j)
        swap(lo, j)
        if j <= k:
            lo = i
        if j >= k:
            hi = j - 1
    return idx[k]


# ---------------------------------------------------------------- mode

@numpy_names
def mode(input: Any, dim: int = -1, keepdim: bool = False) -> Any:
    """``(values, indices)`` of the most frequent value along ``dim``: the
    smallest of them when several are as frequent, at its last position.

    >>> import symgrad
    >>> symgrad.mode(symgrad.tensor([[4, 4, 1], [2, 3, 3]]))
    symgrad.return_types.mode(
    values=tensor([4, 3]),
    indices=tensor([1, 2]))
    """
    x = _tensor(input, "mode")
    d = _dim(dim, x.ndim, "mode")
    if x.ndim == 0:
        return _named(_of_scalar(x, return_types.mode), "ModeBackward0", x)
    _nonempty_dim(x, d, "mode")
    lines = np.moveaxis(x._value, d, -1)
    positions = np.zeros(lines.shape[:-1] + (1,), np.int64)
    for line in np.ndindex(*lines.shape[:-1]):
        positions[line] = _mode_position(lines[line])
    return _named(_selection(x, d, np.moveaxis(positions, -1, d), bool(keepdim), return_types.mode), "ModeBackward0", x)


def _mode_position(line: np.ndarray) -> int:
    values, counts = np.unique(line, return_counts=True)
    most = values[np.argmax(counts)]  # (argmax: the first, so the smallest, of the most frequent)
    same = np.isnan(line) if most != most else line == most
    return len(line) - 1 - int(np.argmax(same[::-1]))


def msort(input: Any) -> Any:
    """``input`` sorted along its first dim (``sort(input, 0).values``).

    >>> import symgrad
    >>> symgrad.msort(symgrad.tensor([[3, 1], [2, 4]]))
    tensor([[2, 1],
            [3, 4]])
    """
    return sort(_tensor(input, "msort"), 0).values


# ---------------------------------------------------------------- quantile

def quantile(input: Any, q: Any, dim: Any = None, keepdim: bool = False, *, interpolation: str = "linear") -> Any:
    """The ``q``-th quantiles (``q`` a number or a 1-d tensor in [0, 1]) of
    all elements or along ``dim``, as PyTorch computes them: the sorted
    values at rank ``q * (n - 1)``, interpolated by ``interpolation``
    (``"linear"``, ``"lower"``, ``"higher"``, ``"midpoint"``, ``"nearest"``).
    A tensor ``q`` adds a leading dimension.  A nan makes the quantile nan.

    >>> import symgrad
    >>> x = symgrad.tensor([1., 4., 2., 8.], requires_grad=True)
    >>> r = symgrad.quantile(x, 0.5)
    >>> r.item(), r.expr
    (3.0, 0.5*x[1] + 0.5*x[2])
    >>> symgrad.quantile(x.detach(), symgrad.tensor([0.25, 1.], dtype=x.dtype), interpolation="lower")
    tensor([1., 8.])
    """
    return _quantile(input, q, dim, keepdim, interpolation, "quantile", ignore_nan=False)


def nanquantile(input: Any, q: Any, dim: Any = None, keepdim: bool = False, *,
                interpolation: str = "linear") -> Any:
    """``quantile`` of the numbers that are not nan (nan only where all are).

    >>> import symgrad
    >>> symgrad.nanquantile(symgrad.tensor([1., float("nan"), 3.]), 0.5)
    tensor(2.)
    """
    return _quantile(input, q, dim, keepdim, interpolation, "nanquantile", ignore_nan=True)


def _quantile(input: Any, q: Any, dim: Any, keepdim: bool, interpolation: Any, fn: str, ignore_nan: bool) -> Any:
    x = _tensor(input, fn)
    if not isinstance(interpolation, str):
        raise TypeError(f"{fn}(): argument 'interpolation' must be str, not {type(interpolation).__name__}")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{fn}() interpolation must be one of linear, lower, higher, midpoint or nearest, but "
                           f"got {interpolation}")
    qs = _quantiles(q, x, fn)
    lines, d = _lines(x, dim, fn)
    ranks = _ranks(qs, lines._value, d, ignore_nan)
    out = _interpolate(lines, d, ranks, interpolation)
    return _reshape(out, _quantile_shape(x, qs, dim, d, bool(keepdim)))


def _quantiles(q: Any, x: Tensor, fn: str) -> Tensor:
    """``q`` after PyTorch's checks, as a tensor in ``x``'s dtype (a number: 0-d)."""
    if isinstance(q, Tensor):
        qs = q
    elif isinstance(q, (int, float, np.integer, np.floating)):
        if not 0 <= q <= 1:
            raise RuntimeError(f"{fn}() q must be in the range [0, 1] but got {q}")
        qs = _t(np.asarray(q, x._value.dtype if x._value.dtype.kind == "f" else np.float64))
    else:
        raise TypeError(f"{fn}(): argument 'q' must be a number or a Tensor, not {type(q).__name__}")
    if x.numel() == 0:
        raise RuntimeError(f"{fn}() input tensor must be non-empty")
    if qs.ndim > 1:
        raise RuntimeError(f"{fn}() q must be a scalar or 1D tensor (got {qs.ndim} dims)")
    if x._value.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"{fn}() input tensor must be either float or double dtype (got {x.dtype}): convert it "
                           "with .double()")
    if qs._value.dtype != x._value.dtype:
        raise RuntimeError(f"{fn}() q tensor must be same dtype as the input tensor (got {qs.dtype} and {x.dtype})")
    if not ((qs._value >= 0) & (qs._value <= 1)).all():
        raise RuntimeError(f"{fn}() q values must be in the range [0, 1]")
    return qs


def _lines(x: Tensor, dim: Any, fn: str) -> tuple[Any, int]:
    """``x`` as lines to reduce along a dim: flattened (``dim=None``), or itself."""
    if dim is None:
        return _reshape(x, (-1,)), 0
    d = _dim(dim, x.ndim, fn)
    return (_reshape(x, (1,)), 0) if x.ndim == 0 else (x, d)


def _ranks(qs: Any, v: np.ndarray, d: int, ignore_nan: bool) -> Any:
    """Each quantile's rank in each sorted line, shape ``(len(q), *kept)``:
    ``q * (n - 1)``, the last rank for a line with nan (``quantile``: its value
    is nan), ``q * (numbers - 1)`` for ``nanquantile`` (0 where all are nan).
    Arithmetic on ``q``, so that its gradient is PyTorch's."""
    nan = np.isnan(v)
    last = v.shape[d] - 1
    if ignore_nan:
        scale = np.maximum(last - nan.sum(axis=d, keepdims=True), 0)
        offset = np.zeros_like(scale)
    else:
        has_nan = nan.any(axis=d, keepdims=True)
        scale, offset = np.where(has_nan, 0, last), np.where(has_nan, last, 0)
    q = _reshape(qs, (-1,) + (1,) * v.ndim)
    ranks = q * scale.astype(v.dtype)
    return ranks + offset.astype(v.dtype) if offset.any() else ranks


def _interpolate(lines: Any, d: int, ranks: Any, interpolation: str) -> Any:
    """The sorted values at ``ranks``: interpolated (``linear``, ``midpoint``) or rounded to one."""
    r = np.asarray(ranks._value if isinstance(ranks, Tensor) else ranks)
    order = np.argsort(lines._value, axis=d, kind="stable")[None]

    def at(rank: np.ndarray) -> Any:
        return _gather(lines, d, np.take_along_axis(order, rank.astype(np.int64), d + 1), lead=1)

    if interpolation in _ROUNDINGS:
        return at(_ROUNDINGS[interpolation](r))  # (np.round: half to even, as PyTorch's round_)
    below, above = at(np.floor(r)), at(np.ceil(r))
    weight = 0.5 if interpolation == "midpoint" else ranks - np.floor(r)
    return _lerp(below, above, weight)


def _lerp(start: Any, end: Any, weight: Any) -> Any:
    """PyTorch's ``lerp``, rounded as it rounds: ``start + w*(end - start)``
    below ``w = 0.5``, ``end - (end - start)*(1 - w)`` from there (the same
    closed form; the branch is chosen by the weights' numbers)."""
    w = np.asarray(weight._value if isinstance(weight, Tensor) else weight)
    low = w < 0.5
    if low.all():
        return start + weight * (end - start)
    if not low.any():
        return end - (end - start) * (1 - weight)
    return where(_t(low), start + weight * (end - start), end - (end - start) * (1 - weight))


def _quantile_shape(x: Tensor, qs: Any, dim: Any, d: int, keepdim: bool) -> tuple[int, ...]:
    """PyTorch's result shape: ``q``'s dim (if a vector), then the reduced shape."""
    lead = tuple(qs.shape)
    if dim is None:
        rest = (1,) * x.ndim if keepdim else ()
    elif x.ndim == 0:
        rest = ()
    else:
        rest = kept_shape(x.shape, (d,)) if keepdim else tuple(n for i, n in enumerate(x.shape) if i != d)
    return lead + rest

