"""Positions found from numbers: ``searchsorted``, ``bucketize``, ``isin``,
``unravel_index``.

Their results are integers or booleans computed from the inputs' numbers,
outside the graph, as PyTorch's are (none of them has a derivative).  When
an input is symbolic (a variable, or computed from one) the results are
positions chosen by values and are marked (``positions.picked``): selecting
with them is exact where they were computed, and code generation refuses a
graph that uses them.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from symgrad._tensor import Tensor
from symgrad.ops._util import tensor_arg
from symgrad.ops.positions import picked

__all__ = ["searchsorted", "bucketize", "isin", "unravel_index"]


def _numbers(v: Any, fn: str, name: str) -> np.ndarray:
    """A tensor's numbers, or a real number as a 0-d array (what PyTorch accepts here)."""
    if isinstance(v, Tensor):
        return v._value
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return np.asarray(v)
    raise TypeError(f"{fn}(): argument '{name}' must be a Tensor or a real number, not {type(v).__name__}")


def _marked(positions: np.ndarray, *sources: Any) -> Tensor:
    for s in sources:
        if isinstance(s, Tensor):
            positions = picked(positions, s)
    return Tensor._make(positions)


def _side(right: bool, side: str | None) -> Literal["left", "right"]:
    if side is None:
        return "right" if right else "left"
    if side not in ("left", "right"):
        raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
    if right and side == "left":
        raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left while "
                           "right was True")
    return "right" if side == "right" else "left"


def _sorted_rows(seq: Tensor, sorter: Any) -> np.ndarray:
    """The boundaries in ascending order (``sorter`` gives the order of an unsorted sequence)."""
    v = seq._value
    if sorter is None:
        return v
    order = tensor_arg(sorter)._value
    if order.shape != v.shape:
        raise RuntimeError(f"torch.searchsorted(): boundary and sorter must have the same size, but got boundary "
                           f"tensor {list(v.shape)}and got sorter tensor {list(order.shape)}")
    if order.dtype != np.int64:
        raise RuntimeError(f"torch.searchsorted(): sorter must be a tensor of long dtype but got dtype "
                           f"{tensor_arg(sorter).dtype}")
    if order.size and (order.min() < 0 or order.max() >= v.shape[-1]):
        raise RuntimeError("torch.searchsorted(): sorter index out of range")
    return np.take_along_axis(v, order, axis=-1)


def searchsorted(sorted_sequence: Any, input: Any, *, out_int32: bool = False, right: bool = False,
                 side: str | None = None, sorter: Any = None) -> Tensor:
    """Where each element of ``input`` would be inserted into the innermost dim
    of ``sorted_sequence`` to keep it sorted: the first such position, or the
    last with ``right=True`` / ``side="right"``.  A 1-d sequence serves every
    value; an n-d one pairs its leading dims with ``input``'s.  int64 (int32
    with ``out_int32``), outside the graph.

    >>> import symgrad
    >>> s = symgrad.tensor([1., 3., 5., 7.])
    >>> symgrad.searchsorted(s, symgrad.tensor([3., 6., 9.]))
    tensor([1, 3, 4])
    >>> symgrad.searchsorted(s, 3., right=True)
    tensor(2)
    """
    seq = tensor_arg(sorted_sequence)
    values = input if isinstance(input, Tensor) else None
    v = _numbers(input, "searchsorted", "input")
    if seq.ndim == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 "
                           "dimension")
    if seq.ndim > 1 and tuple(seq.shape[:-1]) != tuple(v.shape[:-1]):
        raise RuntimeError(f"torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                           f"dimensions of boundaries tensor and input value tensor must match, but we got "
                           f"boundaries tensor {list(seq.shape)} and input value tensor {list(v.shape)}")
    how = _side(bool(right), side)
    rows = _sorted_rows(seq, sorter)
    if rows.ndim == 1:
        found = np.searchsorted(rows, v, side=how)
    else:
        # sizes, not -1: either may hold no elements (no rows, or no values per row)
        batch = int(np.prod(rows.shape[:-1]))
        flat_rows, flat_v = rows.reshape(batch, rows.shape[-1]), v.reshape(batch, v.shape[-1])
        found = np.zeros(flat_v.shape, dtype=np.int64)
        for i, (r, w) in enumerate(zip(flat_rows, flat_v)):
            found[i] = np.searchsorted(r, w, side=how)
        found = found.reshape(v.shape)
    out = np.asarray(found, dtype=np.int32 if out_int32 else np.int64)
    return _marked(out, seq, values)


def bucketize(input: Any, boundaries: Any, *, out_int32: bool = False, right: bool = False) -> Tensor:
    """The bucket of each element of ``input`` between the sorted 1-d
    ``boundaries``: ``searchsorted(boundaries, input)`` (``right=True``: the
    boundary itself belongs to the bucket below).

    >>> import symgrad
    >>> symgrad.bucketize(symgrad.tensor([0.5, 3., 9.]), symgrad.tensor([1., 3., 5.]))
    tensor([0, 1, 3])
    """
    b = tensor_arg(boundaries)
    if b.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({b.ndim})")
    return searchsorted(b, input, out_int32=out_int32, right=right)


def isin(elements: Any, test_elements: Any, *, assume_unique: bool = False, invert: bool = False) -> Tensor:
    """Whether each element of ``elements`` is among ``test_elements`` (either
    may be a number), as a bool tensor of ``elements``' shape; ``invert``
    negates it.  nan is in nothing.

    >>> import symgrad
    >>> symgrad.isin(symgrad.tensor([1, 2, 3]), symgrad.tensor([2, 5]))
    tensor([False,  True, False])
    """
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin(): elements or test_elements must be a Tensor (got "
                        f"{type(elements).__name__} and {type(test_elements).__name__})")
    for t in (elements, test_elements):
        if isinstance(t, Tensor) and t.dtype.numpy.kind == "b":
            raise RuntimeError("Unsupported input type encountered for isin(): Bool; convert it with .long()")
    a, b = _numbers(elements, "isin", "elements"), _numbers(test_elements, "isin", "test_elements")
    return _marked(np.isin(a, b, invert=bool(invert)), elements, test_elements)


def unravel_index(indices: Any, shape: Any) -> tuple[Tensor, ...]:
    """The coordinates in a tensor of ``shape`` of each flat position in
    ``indices`` (negative ones count from the end): a tuple of int64 tensors
    shaped like ``indices``, one per dim.

    >>> import symgrad
    >>> symgrad.unravel_index(symgrad.tensor([4, -1]), (2, 3))
    (tensor([1, 1]), tensor([1, 2]))
    """
    if not isinstance(indices, Tensor):
        raise TypeError(f"unravel_index(): 'indices' must be a Tensor, not {type(indices).__name__}")
    if indices.dtype.numpy.kind not in "iu":
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    dims = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    if any(isinstance(n, bool) or not isinstance(n, (int, np.integer)) for n in dims):
        raise TypeError(f"unravel_index(): 'shape' must be an int or a sequence of ints, got {shape!r}")
    if any(n < 0 for n in dims):
        raise ValueError(f"'shape' cannot have negative values, but got {dims}")
    flat = indices._value.astype(np.int64)
    total = int(np.prod(dims, dtype=np.int64))
    # (PyTorch wraps positions past the end around; a position outside the tensor is refused here)
    if flat.size and (flat.min() < -total or flat.max() >= total):
        bad = flat.min() if flat.min() < -total else flat.max()
        raise RuntimeError(f"unravel_index(): index {bad} is out of bounds for a tensor of shape {list(dims)} "
                           f"({total} elements)")
    coords = np.unravel_index(flat % total if total else flat, dims) if dims else ()
    return tuple(_marked(np.asarray(c, dtype=np.int64), indices) for c in coords)
