"""Matrix structure and rearrangement: ``tril``, ``triu``, ``diag``,
``diagonal``, ``trace``, ``roll``, ``repeat``, ``index_select``.

All but one are composed from indexing, ``index_put``/``index_zero``,
``expand``, ``view`` and ``sum``, so their derivatives and closed forms come
from those ops' rules.  ``diagonal`` is an entry: it is a view in PyTorch
(in-place ops write through it into the input), and a composition through
advanced indexing would be a copy; its rule is that composition's derivative.  A triangle is
``index_zero`` with a constant mask (not ``where`` or a product with a 0/1
mask): the closed form holds ``0`` and ``x[i, j]`` as they are, ``inf`` above
the diagonal does not turn into ``nan``, and the dtype is the input's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symgrad._numpy_names import numpy_names
from symgrad.dispatch import apply
from symgrad.ops._util import norm_dim, norm_shape, tensor_arg
from symgrad.ops.positions import index_values
from symgrad.ops.registry import called, composed, defop
from symgrad.ops.shape import (
    _CLONE,
    _INDEX,
    _INDEX_BACKWARD,
    _INDEX_PUT,
    _INDEX_ZERO,
    _expand,
    _index,
    _permute,
    _reshape,
)

__all__ = ["tril", "triu", "diag", "diagonal", "trace", "roll", "repeat", "index_select"]


def _triangle(name: str, input: Any, diagonal: int, lower: bool) -> Any:
    x = tensor_arg(input)
    if x.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    if isinstance(diagonal, bool) or not isinstance(diagonal, (int, np.integer)):
        raise TypeError(f"{name}(): argument 'diagonal' must be int, not {type(diagonal).__name__}")
    n, m = x.shape[-2], x.shape[-1]
    keep = np.tri(n, m, int(diagonal), dtype=bool) if lower else ~np.tri(n, m, int(diagonal) - 1, dtype=bool)
    if keep.all():
        return apply(_CLONE, x)  # a copy, as PyTorch's
    return apply(_INDEX_ZERO, x, key=(np.broadcast_to(~keep, tuple(x.shape)).copy(),))


def tril(input: Any, diagonal: int = 0) -> Any:
    """The lower triangle of the last two dims (elements above ``diagonal`` set to 0).

    >>> import symgrad
    >>> x = symgrad.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    >>> symgrad.tril(x)
    tensor([[1., 0.],
            [3., 4.]], grad_fn=<TrilBackward0>)
    >>> symgrad.tril(x).expr
    [[x[0, 0], 0], [x[1, 0], x[1, 1]]]
    """
    return composed(_triangle("tril", input, diagonal, lower=True), "TrilBackward0", input)


def triu(input: Any, diagonal: int = 0) -> Any:
    """The upper triangle of the last two dims (elements below ``diagonal`` set to 0).

    >>> import symgrad
    >>> symgrad.triu(symgrad.ones(3, 3), 1)
    tensor([[0., 1., 1.],
            [0., 0., 1.],
            [0., 0., 0.]])
    """
    return composed(_triangle("triu", input, diagonal, lower=False), "TriuBackward0", input)


def _diagonal_positions(n: int, m: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    rows = np.arange(max(0, -k), min(n, m - k) if m - k > 0 else 0)
    return rows, rows + k


def diag(input: Any, diagonal: int = 0) -> Any:
    """A 1-d tensor as a square matrix with it on diagonal ``diagonal``, or the
    diagonal of a 2-d tensor as a 1-d tensor (a copy, as PyTorch's).

    >>> import symgrad
    >>> v = symgrad.tensor([1., 2.], requires_grad=True)
    >>> symgrad.diag(v).expr
    [[v[0], 0], [0, v[1]]]
    >>> symgrad.diag(symgrad.tensor([[1., 2.], [3., 4.]]))
    tensor([1., 4.])
    """
    x = tensor_arg(input)
    if x.ndim not in (1, 2):
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {x.ndim}D")
    if isinstance(diagonal, bool) or not isinstance(diagonal, (int, np.integer)):
        raise TypeError(f"diag(): argument 'diagonal' must be int, not {type(diagonal).__name__}")
    k = int(diagonal)
    if x.ndim == 2:
        rows, cols = _diagonal_positions(x.shape[0], x.shape[1], k)
        return composed(_index(x, (rows, cols)), "DiagonalBackward0_copy", x)  # (PyTorch 2.13's name)
    from symgrad.creation import zeros

    n = x.shape[0] + abs(k)
    rows, cols = _diagonal_positions(n, n, k)
    return composed(apply(_INDEX_PUT, zeros(n, n, dtype=x.dtype), x, key=(rows, cols)), "DiagEmbedBackward0", x)


def _diagonal_view(x: np.ndarray, offset: int, dim1: int, dim2: int) -> np.ndarray:
    """NumPy's diagonal, writable when ``x`` is (NumPy returns it read-only):
    PyTorch's diagonal is a view that in-place ops write through."""
    d = np.diagonal(x, offset, dim1, dim2)
    if x.flags.writeable:
        d.flags.writeable = True
    return d


def place_on_diagonal(values: Any, shape: tuple[int, ...], offset: int, dim1: int, dim2: int) -> Any:
    """Zeros of ``shape`` with ``values`` (its last dim) on diagonal ``offset``
    over ``dim1`` and ``dim2``: ``diagonal``'s derivative and ``diag_embed``.
    Written as index_backward (whose own derivative is indexing) into the
    shape with the two dims moved last, then moved back."""
    rest = tuple(d for d in range(len(shape)) if d not in (dim1, dim2))
    order = (*rest, dim1, dim2)
    moved_shape = tuple(shape[d] for d in order)
    rows, cols = _diagonal_positions(shape[dim1], shape[dim2], offset)
    placed = apply(_INDEX_BACKWARD, values, shape=moved_shape, key=(Ellipsis, rows, cols))
    return _permute(placed, tuple(int(i) for i in np.argsort(order)))


_DIAGONAL = defop("diagonal", _diagonal_view, None, params=("offset", "dim1", "dim2"), view=True,
                  vjp=(lambda g, out, x, offset, dim1, dim2: place_on_diagonal(g, tuple(x.shape), offset, dim1,
                                                                                 dim2),))


def diagonal(input: Any, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Any:
    """The diagonal ``offset`` of the matrices over dims ``dim1`` and ``dim2``,
    as a last dim: a view, as PyTorch's (in-place ops on it write into ``input``).

    >>> import symgrad
    >>> x = symgrad.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)
    >>> symgrad.diagonal(x), symgrad.diagonal(x, 1)
    (tensor([1., 5.], grad_fn=<DiagonalBackward0>), tensor([2., 6.], grad_fn=<DiagonalBackward0>))
    >>> symgrad.diagonal(x).expr
    [x[0, 0], x[1, 1]]
    """
    x = tensor_arg(input)
    for name, v in (("offset", offset), ("dim1", dim1), ("dim2", dim2)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"diagonal(): argument '{name}' must be int, not {type(v).__name__}")
    if x.ndim < 2:
        raise RuntimeError(f"diagonal(): the input must have at least 2 dimensions, got {x.ndim}")
    d1, d2 = norm_dim(dim1, x.ndim), norm_dim(dim2, x.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return apply(_DIAGONAL, x, offset=int(offset), dim1=d1, dim2=d2)


def trace(input: Any) -> Any:
    """The sum of a matrix's diagonal (integers sum to int64, as PyTorch).

    >>> import symgrad
    >>> x = symgrad.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    >>> symgrad.trace(x).expr
    x[0, 0] + x[1, 1]
    """
    x = tensor_arg(input)
    if x.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {x.ndim}")
    if x.dtype.numpy.kind == "b":
        raise NotImplementedError("\"trace\" not implemented for 'Bool' (as in PyTorch)")
    return composed(diag(x).sum(), "TraceBackward0", x)


def roll(input: Any, shifts: Any, dims: Any = None) -> Any:
    """Shift elements along ``dims`` cyclically (the flattened tensor when
    ``dims`` is None).

    >>> import symgrad
    >>> symgrad.roll(symgrad.tensor([1., 2., 3.]), 1)
    tensor([3., 1., 2.])
    """
    x = tensor_arg(input)
    if not isinstance(shifts, (int, np.integer, tuple, list)):
        raise TypeError(f"roll(): argument 'shifts' must be tuple of ints, not {type(shifts).__name__}")
    shift_list = [shifts] if isinstance(shifts, (int, np.integer)) else list(shifts)
    if not shift_list:
        raise RuntimeError("`shifts` required")
    for s in shift_list:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
            raise TypeError(f"roll(): shifts must be ints, got {type(s).__name__}")
    if dims is None:
        if len(shift_list) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shift_list)}, dims:0")
        flat = _reshape(x, (x.numel(),))
        return composed(_reshape(roll(flat, shift_list[0], 0), tuple(x.shape)), "RollBackward0", x)
    if not isinstance(dims, (int, np.integer, tuple, list)):
        raise TypeError(f"roll(): argument 'dims' must be tuple of ints, not {type(dims).__name__}")
    dim_list = [dims] if isinstance(dims, (int, np.integer)) else list(dims)
    if len(dim_list) != len(shift_list):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shift_list)}, dims:{len(dim_list)}")
    out = x
    for s, d in zip(shift_list, dim_list):
        d = norm_dim(d, x.ndim)
        if x.ndim == 0:
            continue
        n = x.shape[d]
        if n == 0 or int(s) % n == 0:
            continue
        out = _index(out, (slice(None),) * d + ((np.arange(n) - int(s)) % n,))
    return composed(out if out is not x else apply(_CLONE, x), "RollBackward0", x)


def repeat(input: Any, *sizes: Any) -> Any:
    """``input.repeat(*sizes)``: tile the tensor ``sizes[i]`` times along dim
    ``i`` (leading sizes add dims).  Composed as a reshape, an ``expand`` and a
    reshape, so its gradient is ``expand``'s: a sum over the copies.

    >>> import symgrad
    >>> symgrad.tensor([1., 2.]).repeat(2, 2)
    tensor([[1., 2., 1., 2.],
            [1., 2., 1., 2.]])
    """
    x = tensor_arg(input)
    reps = norm_shape(sizes)
    if len(reps) < x.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions "
                           "of tensor")
    shape = (1,) * (len(reps) - x.ndim) + tuple(x.shape)
    final = tuple(r * s for r, s in zip(reps, shape))
    for f in final:
        if f < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {f}: {list(final)}")
    interleaved = tuple(v for s in shape for v in (1, s))
    grown = tuple(v for r, s in zip(reps, shape) for v in (r, s))
    out = _reshape(_expand(_reshape(x, interleaved), grown), final)
    return composed(out if out is not x else apply(_CLONE, x), "RepeatBackward0", x)


@numpy_names
def index_select(input: Any, dim: int, index: Any) -> Any:
    """The entries of ``input`` at positions ``index`` (a 1-d integer tensor)
    along ``dim``; the gradient adds back into those positions (repeats sum).

    >>> import symgrad
    >>> x = symgrad.tensor([[1., 2., 3.], [4., 5., 6.]])
    >>> symgrad.index_select(x, 1, symgrad.tensor([2, 0]))
    tensor([[3., 1.],
            [6., 4.]])
    """
    from symgrad._tensor import Tensor

    x = tensor_arg(input)
    if not isinstance(index, Tensor):
        raise TypeError(f"index_select(): argument 'index' (position 3) must be Tensor, not {type(index).__name__}")
    idx = index_values(index)
    if idx.dtype not in (np.int32, np.int64):
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    d = norm_dim(dim, x.ndim)
    n = x.shape[d] if x.ndim else 1
    idx = np.atleast_1d(idx).astype(np.int64)
    if x.ndim == 0 and idx.size != 1:  # PyTorch's check (symgrad returned the scalar repeated)
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {idx.size} value(s)")
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError("index out of range in self")
    if x.ndim == 0:
        return _reshape(x, ())
    return called(_index(x, (slice(None),) * d + (idx,)), _INDEX, "IndexSelectBackward0", x)
