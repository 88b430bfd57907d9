"""Rearranging and splitting: ``rot90``, ``take``, ``tensor_split``,
``hsplit``/``vsplit``/``dsplit``, ``column_stack``, ``row_stack``,
``dstack``, ``atleast_2d``/``atleast_3d`` (and ``atleast_1d`` of several
tensors), ``broadcast_shapes``.

No op-table entry: each is ``flip``, ``permute``, ``view``, indexing or
``cat``, so gradients, closed forms and generated code come from those
entries.  Splits are basic slices, hence views, as PyTorch's are.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symgrad._tensor import Size, Tensor
from symgrad.dispatch import apply
from symgrad.ops._util import norm_dim, tensor_arg
from symgrad.ops.positions import index_values
from symgrad.ops.shape import _CLONE, _flip, _index, _reshape, _transpose, cat, hstack

__all__ = ["rot90", "take", "tensor_split", "hsplit", "vsplit", "dsplit", "column_stack", "row_stack", "dstack",
           "atleast_1d", "atleast_2d", "atleast_3d", "broadcast_shapes"]


def rot90(input: Any, k: int = 1, dims: Any = (0, 1)) -> Any:
    """Rotate by 90 degrees ``k`` times in the plane of ``dims``, from the
    first dim towards the second (PyTorch's composition of ``flip`` and
    ``transpose``).

    >>> import symgrad
    >>> symgrad.rot90(symgrad.tensor([[1, 2], [3, 4]]))
    tensor([[2, 4],
            [1, 3]])
    """
    x = tensor_arg(input)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"rot90(): argument 'k' must be int, not {type(k).__name__}")
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if x.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {x.ndim}")
    d0, d1 = norm_dim(dims[0], x.ndim), norm_dim(dims[1], x.ndim)  # PyTorch's IndexError first
    if dims[0] == dims[1] or abs(dims[0] - dims[1]) == x.ndim:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} and dim1 = {dims[1]}")
    turns = int(k) % 4
    if turns == 1:
        return _transpose(_flip(x, (d1,)), d0, d1)
    if turns == 2:
        return _flip(x, (d0, d1))
    if turns == 3:
        return _transpose(_flip(x, (d0,)), d0, d1)
    return apply(_CLONE, x)


def take(input: Any, index: Any) -> Any:
    """The elements of the flattened ``input`` at ``index`` (an int64 tensor of
    any shape, which the result takes; negative positions count from the end).

    >>> import symgrad
    >>> x = symgrad.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    >>> symgrad.take(x, symgrad.tensor([[3, 0]])).expr
    [[x[1, 1], x[0, 0]]]
    """
    x = tensor_arg(input)
    if not isinstance(index, Tensor):
        raise TypeError(f"take(): argument 'index' (position 2) must be Tensor, not {type(index).__name__}")
    idx = index_values(index)
    if idx.dtype != np.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {index.dtype}; convert it with "
                           ".long()")
    n = x.numel()
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx.min() if idx.min() < -n else idx.max()
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    # (arithmetic keeps positions chosen by values marked: ops/positions.py)
    return _index(_reshape(x, (n,)), (idx + n * (idx < 0),))


def _pieces(indices_or_sections: Any, size: int) -> list[tuple[int | None, int | None]]:
    """``tensor_split``'s pieces as (start, stop) slice bounds: ``n`` sections
    (the first ``size % n`` one longer), or cuts at indices (sliced as Python
    slices, so a cut before the previous one gives an empty piece)."""
    if isinstance(indices_or_sections, Tensor):
        v = indices_or_sections._value
        if v.dtype != np.int64:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have dtype of long, but got "
                               f"{indices_or_sections.dtype}")
        if v.ndim > 1:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                               f"one-dimensional tensor, but got a tensor with {v.ndim} dims")
        indices_or_sections = int(v) if v.ndim == 0 else v.tolist()
    if isinstance(indices_or_sections, (int, np.integer)) and not isinstance(indices_or_sections, bool):
        n = int(indices_or_sections)
        if n <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {n}")
        small, extra = divmod(size, n)
        bounds = np.cumsum([0] + [small + (i < extra) for i in range(n)]).tolist()
        return list(zip(bounds[:-1], bounds[1:]))
    if not isinstance(indices_or_sections, (list, tuple)) or not all(
            isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in indices_or_sections):
        raise TypeError("tensor_split(): argument 'indices_or_sections' must be an int, a list of ints or an int64 "
                        f"tensor, not {type(indices_or_sections).__name__}")
    cuts: list[int | None] = [int(i) for i in indices_or_sections]
    return list(zip([None, *cuts], [*cuts, None]))


def tensor_split(input: Any, indices_or_sections: Any, dim: int = 0) -> tuple[Any, ...]:
    """Split along ``dim`` into ``n`` nearly equal pieces (an int: the first
    ``size % n`` pieces one longer) or at the given indices (a list, or an
    int64 tensor); views, as PyTorch's.

    >>> import symgrad
    >>> symgrad.tensor_split(symgrad.arange(5), 2)
    (tensor([0, 1, 2]), tensor([3, 4]))
    >>> symgrad.tensor_split(symgrad.arange(5), [1, 4])
    (tensor([0]), tensor([1, 2, 3]), tensor([4]))
    """
    x = tensor_arg(input)
    if x.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
    d = norm_dim(dim, x.ndim)
    pieces = _pieces(indices_or_sections, x.shape[d])
    return tuple(_index(x, (slice(None),) * d + (slice(start, stop),)) for start, stop in pieces)


def _split_along(name: str, input: Any, indices_or_sections: Any, dim: int, min_dims: int) -> tuple[Any, ...]:
    """``hsplit``/``vsplit``/``dsplit``: ``tensor_split`` with NumPy's rule
    that a number of sections must divide the size."""
    x = tensor_arg(input)
    if x.ndim < min_dims:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dims} dimension, but got a tensor with "
                           f"{x.ndim} dimensions!")
    if isinstance(indices_or_sections, (int, np.integer)) and not isinstance(indices_or_sections, bool):
        n = int(indices_or_sections)
        if n == 0 or x.shape[dim] % n:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the size of the dimension "
                               f"{x.shape[dim]} is not divisible by the split_size {n}!")
    return tensor_split(x, indices_or_sections, dim)


def hsplit(input: Any, indices_or_sections: Any) -> tuple[Any, ...]:
    """``tensor_split`` along dim 1 (dim 0 of a 1-d tensor); sections must divide the size.

    >>> import symgrad
    >>> [t.shape for t in symgrad.hsplit(symgrad.zeros(2, 4), 2)]
    [symgrad.Size([2, 2]), symgrad.Size([2, 2])]
    """
    return _split_along("hsplit", input, indices_or_sections, 1 if tensor_arg(input).ndim > 1 else 0, 1)


def vsplit(input: Any, indices_or_sections: Any) -> tuple[Any, ...]:
    """``tensor_split`` along dim 0 of a tensor with at least 2 dims; sections must divide the size.

    >>> import symgrad
    >>> symgrad.vsplit(symgrad.tensor([[1, 2], [3, 4]]), [1])
    (tensor([[1, 2]]), tensor([[3, 4]]))
    """
    return _split_along("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input: Any, indices_or_sections: Any) -> tuple[Any, ...]:
    """``tensor_split`` along dim 2 of a tensor with at least 3 dims; sections must divide the size.

    >>> import symgrad
    >>> [t.shape for t in symgrad.dsplit(symgrad.zeros(1, 2, 6), 3)]
    [symgrad.Size([1, 2, 2]), symgrad.Size([1, 2, 2]), symgrad.Size([1, 2, 2])]
    """
    return _split_along("dsplit", input, indices_or_sections, 2, 3)


def _tensors(tensors: Any, what: str) -> list[Any]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{what}(): argument 'tensors' must be a tuple or list of Tensors, not "
                        f"{type(tensors).__name__}")
    if not tensors:
        raise RuntimeError(f"{what}(): expects a non-empty TensorList")
    return [tensor_arg(t) for t in tensors]


def column_stack(tensors: Any) -> Any:
    """Tensors side by side as columns: 0-d and 1-d tensors become columns, then ``hstack``.

    >>> import symgrad
    >>> symgrad.column_stack([symgrad.tensor([1, 2]), symgrad.tensor([[3], [4]])])
    tensor([[1, 3],
            [2, 4]])
    """
    ts = _tensors(tensors, "column_stack")
    return hstack([_reshape(t, (t.numel(), 1)) if t.ndim <= 1 else t for t in ts])


def row_stack(tensors: Any) -> Any:
    """``vstack`` (PyTorch's alias).

    >>> import symgrad
    >>> symgrad.row_stack([symgrad.tensor([1, 2]), symgrad.tensor([3, 4])])
    tensor([[1, 2],
            [3, 4]])
    """
    from symgrad.ops.shape import vstack

    return vstack(_tensors(tensors, "row_stack"))


def dstack(tensors: Any) -> Any:
    """Stack along the third dim, after ``atleast_3d``.

    >>> import symgrad
    >>> symgrad.dstack([symgrad.tensor([1, 2]), symgrad.tensor([3, 4])])
    tensor([[[1, 3],
             [2, 4]]])
    """
    return cat([_at_least(t, 3) for t in _tensors(tensors, "dstack")], 2)


def _at_least(x: Any, ndim: int) -> Any:
    """A view with at least ``ndim`` dims, as NumPy's ``atleast_Nd`` place them:
    1-d ``(n,)`` is ``(1, n)`` and ``(1, n, 1)``, 2-d ``(m, n)`` is ``(m, n, 1)``."""
    x = tensor_arg(x)
    shape = tuple(x.shape)
    if len(shape) >= ndim:
        return x
    if len(shape) == 0:
        return _reshape(x, (1,) * ndim)
    if len(shape) == 1:
        return _reshape(x, ((1,) + shape + (1,))[:ndim])
    return _reshape(x, shape + (1,))


def _each_at_least(tensors: tuple[Any, ...], ndim: int) -> Any:
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(_at_least(t, ndim) for t in tensors[0])
    if len(tensors) == 1:
        return _at_least(tensors[0], ndim)
    return tuple(_at_least(t, ndim) for t in tensors)


def atleast_1d(*tensors: Any) -> Any:
    """A 1-d view of a 0-d tensor, other tensors as they are; several tensors
    (or one list) give a tuple.

    >>> import symgrad
    >>> symgrad.atleast_1d(symgrad.tensor(1.)), symgrad.atleast_1d(symgrad.tensor(1), symgrad.tensor([2]))
    (tensor([1.]), (tensor([1]), tensor([2])))
    """
    return _each_at_least(tensors, 1)


def atleast_2d(*tensors: Any) -> Any:
    """Views with at least 2 dims (a 1-d tensor becomes one row); several tensors give a tuple.

    >>> import symgrad
    >>> symgrad.atleast_2d(symgrad.tensor([1, 2]))
    tensor([[1, 2]])
    """
    return _each_at_least(tensors, 2)


def atleast_3d(*tensors: Any) -> Any:
    """Views with at least 3 dims (``(n,)`` becomes ``(1, n, 1)``, ``(m, n)``
    becomes ``(m, n, 1)``); several tensors give a tuple.

    >>> import symgrad
    >>> symgrad.atleast_3d(symgrad.zeros(2)).shape, symgrad.atleast_3d(symgrad.zeros(2, 3)).shape
    (symgrad.Size([1, 2, 1]), symgrad.Size([2, 3, 1]))
    """
    return _each_at_least(tensors, 3)


def broadcast_shapes(*shapes: Any) -> Size:
    """The shape that tensors of ``shapes`` broadcast to (each a sequence of
    ints, or an int for a 1-d shape).

    >>> import symgrad
    >>> symgrad.broadcast_shapes((2, 1), (3,), 3)
    symgrad.Size([2, 3])
    """
    for s in shapes:
        if not isinstance(s, (int, np.integer, tuple, list, Size)):
            raise TypeError(f"broadcast_shapes(): expected shapes (sequences of ints) or ints, got "
                            f"{type(s).__name__}")
    normal = [(s,) if isinstance(s, (int, np.integer)) else tuple(s) for s in shapes]
    for shape in normal:
        if any(isinstance(n, bool) or not isinstance(n, (int, np.integer)) for n in shape):
            raise TypeError(f"broadcast_shapes(): expected shapes of ints, got {shape!r}")
        if any(n < 0 for n in shape):
            raise ValueError(f"Attempting to broadcast a dimension with negative length! (shape {list(shape)})")
    try:
        return Size(int(n) for n in np.broadcast_shapes(*normal))
    except ValueError:
        raise RuntimeError(f"Shape mismatch: objects cannot be broadcast to a single shape: "
                           f"{[list(s) for s in normal]}") from None
