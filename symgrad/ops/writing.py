"""Copies with a part overwritten: ``index_copy``, ``index_fill``,
``select_scatter``, ``slice_scatter``, ``diagonal_scatter``,
``masked_scatter``, and ``narrow_copy``.

No op-table entry: each is ``index_put`` with a key built from its
arguments (slices, positions, a diagonal, a mask), so the input's gradient
is ``g`` with the written positions zeroed, the written values' gradient is
``g`` gathered there, and closed forms and generated code come from that
entry.  A mask or index computed from a symbolic tensor's values is marked
(``positions``): code generation refuses such graphs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symgrad._numpy_names import numpy_names
from symgrad._tensor import Tensor
from symgrad.dispatch import apply
from symgrad.ops._util import norm_dim, tensor_arg
from symgrad.ops.positions import index_values, picked
from symgrad.ops.scattering import _as_1d, _integer_index, _tensor
from symgrad.ops.shape import _CLONE, _INDEX_PUT, _expand, _index, _permute, _reshape, narrow, select
from symgrad.ops.structure import _diagonal_positions, diagonal

__all__ = ["index_copy", "index_fill", "select_scatter", "slice_scatter", "diagonal_scatter", "masked_scatter",
           "narrow_copy"]


def _put(x: Tensor, key: Any, values: Any) -> Any:
    return apply(_INDEX_PUT, x, values, key=key)


def _vector_index(fn: str, index: Any, size: int, dim: int) -> np.ndarray:
    """A 0-d or 1-d int64 index, every position inside ``[0, size)`` (PyTorch refuses negative ones here)."""
    idx = _integer_index(index, fn)
    if idx.ndim > 1:
        raise IndexError(f"{fn}(): Index should have dimension 1 or 0 (got {idx.ndim})")
    idx = idx.reshape(-1)
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise IndexError(f"{fn}(): index {bad} is out of bounds for dimension {dim} with size {size}")
    return idx


def _check_source(x: Tensor, d: int, idx: np.ndarray, source: Tensor) -> None:
    if source.dtype != x.dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but got (self) {x.dtype} "
                           f"and (source) {source.dtype}; convert source with .to(self.dtype)")
    if source.ndim != x.ndim:
        raise IndexError(f"index_copy_(): When source and destination are not scalars, their dimensionality must "
                         f"match. Source dimensionality ({source.ndim}), destination dimensionality ({x.ndim})")
    if idx.size != source.shape[d]:
        raise IndexError(f"index_copy_(): Number of indices ({idx.size}) should be equal to source.size(dim) "
                         f"({source.shape[d]})")
    for i, (a, b) in enumerate(zip(x.shape, source.shape)):
        if i != d and a != b:
            raise RuntimeError(f"index_copy_(): Source/destination tensor must have same slice shapes. Destination "
                               f"slice shape: {a} at dimension {i} and source slice shape: {b} at dimension {i}.")


@numpy_names
def index_copy(input: Any, dim: int, index: Any, source: Any) -> Any:
    """A copy of ``input`` with the slices of ``source`` written along ``dim``
    at the positions ``index`` (a repeated position: the last write wins).

    >>> import symgrad
    >>> s = symgrad.tensor([[1., 2.]], requires_grad=True)
    >>> symgrad.index_copy(symgrad.zeros(2, 2), 0, symgrad.tensor([1]), s).expr
    [[0, 0], [s[0, 0], s[0, 1]]]
    """
    x0 = _tensor(input, "index_copy", "input", 1)
    source = _tensor(source, "index_copy", "source", 4)
    x, src = (_as_1d(x0), _as_1d(source)) if x0.ndim == 0 else (x0, source)
    d = norm_dim(dim, x.ndim)
    idx = _vector_index("index_copy_", index, x.shape[d], d)
    _check_source(x, d, idx, src)
    out = _put(x, (slice(None),) * d + (idx,), src) if idx.size else apply(_CLONE, x)
    return _reshape(out, ()) if x0.ndim == 0 else out


@numpy_names
def index_fill(input: Any, dim: int, index: Any, value: Any) -> Any:
    """A copy of ``input`` with the slices along ``dim`` at ``index`` set to
    ``value`` (a number, or a 0-d tensor, which gets their gradients);
    negative positions count from the end.

    >>> import symgrad
    >>> x = symgrad.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    >>> symgrad.index_fill(x, 1, symgrad.tensor([0]), -1.).expr
    [[-1, x[0, 1]], [-1, x[1, 1]]]
    """
    x0 = _tensor(input, "index_fill", "input", 1)
    x = _as_1d(x0)
    d = norm_dim(dim, x.ndim)
    if not isinstance(index, Tensor) or index.dtype.numpy != np.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index; convert it with .long()")
    idx = index_values(index).reshape(-1)
    n = x.shape[d]
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx.min() if idx.min() < -n else idx.max()
        raise IndexError(f"index {bad} is out of bounds for dimension {d} with size {n}")
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with {value.ndim} "
                           "dimension(s).")
    # each slice once: a repeated position would count a 0-d value's gradient twice
    positions = picked(np.unique(idx % n if n else idx), index)
    if isinstance(value, Tensor) and value.dtype != x.dtype:
        value = value.to(x.dtype)
    out = _put(x, (slice(None),) * d + (positions,), value) if positions.size else apply(_CLONE, x)
    return _reshape(out, ()) if x0.ndim == 0 else out


def _same_as_slice(src: Tensor, part: Any, x: Tensor) -> None:
    if tuple(src.shape) != tuple(part.shape):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = {list(src.shape)}, "
                           f"slice size = {list(part.shape)}")
    if src.dtype != x.dtype:
        raise RuntimeError(f"expected src to have the dtype of self ({x.dtype}), got {src.dtype}; convert it with "
                           ".to(self.dtype)")


@numpy_names
def select_scatter(input: Any, src: Any, dim: int, index: int) -> Any:
    """A copy of ``input`` with ``input.select(dim, index)`` replaced by ``src``.

    >>> import symgrad
    >>> symgrad.select_scatter(symgrad.zeros(2, 2), symgrad.ones(2), 0, -1)
    tensor([[0., 0.],
            [1., 1.]])
    """
    x, s = tensor_arg(input), _tensor(src, "select_scatter", "src", 2)
    part = select(x, dim, index)
    _same_as_slice(s, part, x)
    d = norm_dim(dim, x.ndim)
    return _put(x, (slice(None),) * d + (int(index) % x.shape[d],), s)


@numpy_names
def slice_scatter(input: Any, src: Any, dim: int = 0, start: int | None = None, end: int | None = None,
                  step: int = 1) -> Any:
    """A copy of ``input`` with the slice ``start:end:step`` along ``dim`` replaced by ``src``.

    >>> import symgrad
    >>> symgrad.slice_scatter(symgrad.zeros(4), symgrad.ones(2), start=1, step=2)
    tensor([0., 1., 0., 1.])
    """
    x, s = tensor_arg(input), _tensor(src, "slice_scatter", "src", 2)
    d = norm_dim(dim, x.ndim)
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or step <= 0:
        raise RuntimeError(f"slice step must be positive (got {step!r})")
    key = (slice(None),) * d + (slice(start, end, int(step)),)
    _same_as_slice(s, _index(x, key), x)
    return _put(x, key, s)


def diagonal_scatter(input: Any, src: Any, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Any:
    """A copy of ``input`` with ``input.diagonal(offset, dim1, dim2)`` replaced by ``src``.

    >>> import symgrad
    >>> s = symgrad.tensor([1., 2.], requires_grad=True)
    >>> symgrad.diagonal_scatter(symgrad.zeros(2, 3), s, 1).expr
    [[0, s[0], 0], [0, 0, s[1]]]
    """
    x, s = tensor_arg(input), _tensor(src, "diagonal_scatter", "src", 2)
    _same_as_slice(s, diagonal(x, offset, dim1, dim2), x)
    d1, d2 = norm_dim(dim1, x.ndim), norm_dim(dim2, x.ndim)
    # the two dims moved last, the diagonal written there, moved back
    order = tuple(d for d in range(x.ndim) if d not in (d1, d2)) + (d1, d2)
    rows, cols = _diagonal_positions(x.shape[d1], x.shape[d2], int(offset))
    moved = _put(_permute(x, order), (Ellipsis, rows, cols), s)
    return _permute(moved, tuple(int(i) for i in np.argsort(order)))


def masked_scatter(input: Any, mask: Any, source: Any) -> Any:
    """A copy of ``input`` (broadcast with ``mask``) with the positions where
    ``mask`` is true filled, in order, with the first elements of ``source``.

    >>> import symgrad
    >>> s = symgrad.tensor([7., 8., 9.], requires_grad=True)
    >>> symgrad.masked_scatter(symgrad.zeros(3), symgrad.tensor([True, False, True]), s).expr
    [s[0], 0, s[1]]
    """
    x, m, src = tensor_arg(input), _tensor(mask, "masked_scatter", "mask", 2), _tensor(source, "masked_scatter",
                                                                                       "source", 3)
    if m.dtype.numpy.kind != "b":
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with dtype {m.dtype}")
    if src.dtype != x.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got {x.dtype} and "
                           f"{src.dtype}; convert source with .to(self.dtype)")
    shape = tuple(np.broadcast_shapes(tuple(x.shape), tuple(m.shape)))
    where = picked(np.broadcast_to(m._value, shape).copy(), m)
    count = int(where.sum())
    if count > src.numel():
        raise RuntimeError(f"Number of elements of source < number of ones in mask ({src.numel()} < {count})")
    base = _expand(x, shape) if tuple(x.shape) != shape else x
    if not count:
        return apply(_CLONE, base)
    return _put(base, (where,), _index(_reshape(src, (src.numel(),)), (slice(0, count),)))


@numpy_names
def narrow_copy(input: Any, dim: int, start: int, length: int) -> Any:
    """``narrow`` as a copy with its own memory.

    >>> import symgrad
    >>> symgrad.narrow_copy(symgrad.arange(5.), 0, 1, 2)
    tensor([1., 2.])
    """
    return apply(_CLONE, narrow(input, dim, start, length))
