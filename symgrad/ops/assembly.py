"""Tensors assembled from others: ``diag_embed``, ``diagflat``, ``kron``,
``tensordot``, ``block_diag``, ``cartesian_prod``, ``combinations``,
``vander`` and ``linalg.vander``.

No op-table entry: each is composed of ``view``, ``expand``, ``permute``,
``mul``, ``matmul``, ``cat``, ``stack``, powers and indexing, so the closed
forms read as the math (``kron``: ``a[0]*b[1]``; ``tensordot``: sums of
products; ``vander``: ``[1, x[0], x[0]**2]``) and gradients and generated
code come from those entries.  The positions that ``combinations`` and
``diag_embed`` read or write depend on shapes only, never on values.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from symgrad._tensor import Tensor
from symgrad.dtypes import result_type
from symgrad.ops._util import norm_dim, tensor_arg
from symgrad.ops.shape import _index, _permute, _reshape, cat, flatten, stack
from symgrad.ops.structure import diag, place_on_diagonal

__all__ = ["diag_embed", "diagflat", "kron", "tensordot", "block_diag", "cartesian_prod", "combinations", "vander"]


def _int_arg(fn: str, name: str, v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"{fn}(): argument '{name}' must be int, not {type(v).__name__}")
    return int(v)


def diag_embed(input: Any, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Any:
    """The last dim of ``input`` placed on diagonal ``offset`` of new square
    matrices over dims ``dim1`` and ``dim2`` (zeros elsewhere): the inverse of
    ``diagonal``.

    >>> import symgrad
    >>> v = symgrad.tensor([1., 2.], requires_grad=True)
    >>> symgrad.diag_embed(v).expr
    [[v[0], 0], [0, v[1]]]
    >>> symgrad.diag_embed(symgrad.ones(2, 3), 1, 0, 2).shape
    symgrad.Size([4, 2, 4])
    """
    x = tensor_arg(input)
    k = _int_arg("diag_embed", "offset", offset)
    if x.ndim == 0:
        raise IndexError("diag_embed(): the input must have at least 1 dimension (its last dim is the diagonal); "
                         "got a 0-d tensor: unsqueeze it first")
    d1, d2 = norm_dim(dim1, x.ndim + 1), norm_dim(dim2, x.ndim + 1)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    n = x.shape[-1] + abs(k)
    shape = [s for s in x.shape[:-1]]
    for d in sorted((d1, d2)):
        shape.insert(d, n)
    return place_on_diagonal(x, tuple(shape), k, d1, d2)


def diagflat(input: Any, offset: int = 0) -> Any:
    """The flattened ``input`` on diagonal ``offset`` of a square matrix.

    >>> import symgrad
    >>> symgrad.diagflat(symgrad.tensor([[1, 2], [3, 4]])).shape
    symgrad.Size([4, 4])
    """
    return diag(flatten(tensor_arg(input)), _int_arg("diagflat", "offset", offset))


def kron(input: Any, other: Any) -> Any:
    """The Kronecker product: every element of ``input`` times a block ``other``
    (the shorter shape padded with leading 1s).

    >>> import symgrad
    >>> a = symgrad.tensor([1., 2.], requires_grad=True)
    >>> b = symgrad.tensor([3., 4.], requires_grad=True)
    >>> symgrad.kron(a, b).expr
    [a[0]*b[0], a[0]*b[1], a[1]*b[0], a[1]*b[1]]
    """
    a, b = tensor_arg(input), tensor_arg(other)
    nd = max(a.ndim, b.ndim)
    sa = (1,) * (nd - a.ndim) + tuple(a.shape)
    sb = (1,) * (nd - b.ndim) + tuple(b.shape)
    # a's dims interleaved with b's: out[i*m + k] = a[i]*b[k]
    grid_a = _reshape(a, tuple(v for s in sa for v in (s, 1)))
    grid_b = _reshape(b, tuple(v for s in sb for v in (1, s)))
    return _reshape(grid_a * grid_b, tuple(p * q for p, q in zip(sa, sb)))


def _contracted_dims(dims: Any, a: Tensor, b: Tensor) -> tuple[list[int], list[int]]:
    """``tensordot``'s ``dims`` as two lists of non-negative dims of ``a`` and ``b``."""
    if isinstance(dims, Tensor):
        v = dims._value
        dims = int(v) if v.ndim == 0 else [np.atleast_1d(row).tolist() for row in v]
    if isinstance(dims, (int, np.integer)) and not isinstance(dims, bool):
        n = int(dims)
        if n < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={n}")
        if n > a.ndim or n > b.ndim:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={n}")
        return list(range(a.ndim - n, a.ndim)), list(range(n))
    if not isinstance(dims, (list, tuple)) or len(dims) != 2:
        raise TypeError("tensordot(): argument 'dims' must be an int or a pair of lists of dims, not "
                        f"{type(dims).__name__}")
    if not all(isinstance(d, (list, tuple)) for d in dims):
        raise TypeError("tensordot(): dims must be an int or two lists of dims, as dims=([1], [0]); got "
                        f"{dims!r}")
    da, db = (list(d) for d in dims)
    if len(da) != len(db):
        raise RuntimeError(f"both dimension lists should have same length (got {len(da)} and {len(db)})")
    return _distinct_dims(da, a.ndim), _distinct_dims(db, b.ndim)


def _distinct_dims(dims: list[Any], ndim: int) -> list[int]:
    out = [norm_dim(d, ndim) for d in dims]
    for d in out:
        if out.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return out


def tensordot(a: Any, b: Any, dims: Any = 2) -> Any:
    """Sum of products over the dims of ``a`` and ``b`` that ``dims`` pairs up
    (an int ``n``: the last ``n`` of ``a`` with the first ``n`` of ``b``); the
    free dims of ``a`` then of ``b`` remain.  A ``matmul`` of the two, reshaped.

    >>> import symgrad
    >>> a = symgrad.tensor([[1., 2.]], requires_grad=True)
    >>> b = symgrad.tensor([[3.], [4.]], requires_grad=True)
    >>> symgrad.tensordot(a, b, dims=([1], [0])).expr
    [[a[0, 0]*b[0, 0] + a[0, 1]*b[1, 0]]]
    """
    a, b = tensor_arg(a), tensor_arg(b)
    if a.dtype != b.dtype:
        raise RuntimeError(f"both inputs should have same dtype (got {a.dtype} and {b.dtype}); convert one with "
                           ".to(dtype)")
    ca, cb = _contracted_dims(dims, a, b)
    for i, j in zip(ca, cb):
        if a.shape[i] != b.shape[j]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a.shape[i]} in dim {i} and "
                               f"second has size {b.shape[j]} in dim {j}")
    free_a = [d for d in range(a.ndim) if d not in ca]
    free_b = [d for d in range(b.ndim) if d not in cb]
    shape_a, shape_b = [a.shape[d] for d in free_a], [b.shape[d] for d in free_b]
    size = _count([a.shape[d] for d in ca])
    left = _reshape(_permute(a, tuple(free_a + ca)), (_count(shape_a), size))
    right = _reshape(_permute(b, tuple(cb + free_b)), (size, _count(shape_b)))
    return _reshape(left @ right, tuple(shape_a + shape_b))


def _count(shape: list[int]) -> int:
    return int(np.prod(shape, dtype=np.int64))


def block_diag(*tensors: Any) -> Any:
    """A block-diagonal matrix of the inputs (0-d: 1x1, 1-d: one row), zeros
    elsewhere, in the inputs' common dtype.

    >>> import symgrad
    >>> symgrad.block_diag(symgrad.tensor([[1, 2]]), symgrad.tensor(3))
    tensor([[1, 2, 0],
            [0, 0, 3]])
    """
    from symgrad.creation import zeros

    xs = [tensor_arg(t) for t in tensors]
    for i, x in enumerate(xs):
        if x.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                               f"{x.ndim} dimensions")
    if not xs:
        return zeros(1, 0)
    common = result_type(*xs)  # PyTorch's: a 0-d float64 beside a float32 matrix gives float32
    blocks = [_reshape(x, (1, x.numel())) if x.ndim < 2 else x for x in (x.to(common) for x in xs)]
    width = sum(x.shape[1] for x in blocks)
    rows, left = [], 0
    for x in blocks:
        r, c = x.shape
        rows.append(cat([zeros(r, left, dtype=x.dtype), x, zeros(r, width - left - c, dtype=x.dtype)], 1))
        left += c
    return cat(rows, 0)


def cartesian_prod(*tensors: Any) -> Any:
    """Every combination of one element of each 1-d tensor, one per row
    (``itertools.product``'s order); a single tensor is returned as it is.

    >>> import symgrad
    >>> symgrad.cartesian_prod(symgrad.tensor([1, 2]), symgrad.tensor([3, 4]))
    tensor([[1, 3],
            [1, 4],
            [2, 3],
            [2, 4]])
    """
    from symgrad.ops.tiling import meshgrid

    ts = [tensor_arg(t) for t in tensors]
    for t in ts:
        if t.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    if len(ts) == 1:
        return ts[0]
    return stack([flatten(g) for g in meshgrid(*ts, indexing="ij")], 1)


def combinations(input: Any, r: int = 2, with_replacement: bool = False) -> Any:
    """Every ``r``-element combination of a 1-d tensor's elements, one per row,
    in ``itertools.combinations`` order (``with_replacement``: elements may repeat).

    >>> import symgrad
    >>> x = symgrad.tensor([1., 2., 3.], requires_grad=True)
    >>> symgrad.combinations(x).expr
    [[x[0], x[1]], [x[0], x[2]], [x[1], x[2]]]
    """
    x = tensor_arg(input)
    r = _int_arg("combinations", "r", r)
    if x.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(x.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return _index(x, (np.zeros(0, dtype=np.int64),))  # PyTorch's empty 1-d result
    choose = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    rows = list(choose(range(x.shape[0]), r))
    positions = np.array(rows, dtype=np.int64).reshape(len(rows), r)
    return _index(x, (positions,))


def _vander(x: Any, n: int, increasing: bool) -> Any:
    """The columns ``1, x, x**2, ..., x**(n-1)``: ``x`` repeated and multiplied up (``cumprod``), as
    PyTorch's ``linalg.vander`` computes them, so that the gradient is ``cumprod``'s (an infinite incoming
    gradient at ``x = 0`` gives PyTorch's ``inf``, not ``0 * inf`` from ``k * x**(k-1)``).  The closed form
    writes each power as it is (``x[0]**2``), ``x**0`` the constant 1."""
    from symgrad.creation import ones
    from symgrad.ops.scans import cumprod

    if not x.is_floating_point():
        x = x.long()  # integer (and bool) inputs give int64, as PyTorch's cumulative product does
    column = tuple(x.shape) + (1,)
    if n == 0:
        return _index(_reshape(x, column), (Ellipsis, slice(0, 0)))
    columns = ones(column, dtype=x.dtype)
    if n > 1:
        columns = cat([columns, cumprod(_reshape(x, column).expand(*x.shape, n - 1), -1)], -1)
    return columns if increasing else columns.flip(-1)


def vander(x: Any, N: int | None = None, increasing: bool = False) -> Any:  # noqa: N803 - PyTorch's name
    """The Vandermonde matrix of a 1-d tensor: columns ``x**(N-1), ..., x, 1``
    (``increasing``: ``1, x, ..., x**(N-1)``); ``N`` defaults to ``len(x)``.
    Integer and bool inputs give int64.

    >>> import symgrad
    >>> x = symgrad.tensor([2., 3.], requires_grad=True)
    >>> symgrad.vander(x, 3).expr
    [[x[0]**2, x[0], 1], [x[1]**2, x[1], 1]]
    """
    x = tensor_arg(x)
    if x.ndim != 1:
        raise RuntimeError(f"x must be a one-dimensional tensor (got {x.ndim} dims).")
    n = x.shape[0] if N is None else _int_arg("vander", "N", N)
    if n < 0:
        raise RuntimeError(f"N must be non-negative (got {n}).")
    return _vander(x, n, bool(increasing))


def linalg_vander(x: Any, *, N: int | None = None) -> Any:  # noqa: N803 - PyTorch's name
    """``torch.linalg.vander``: batched over leading dims, increasing powers
    ``1, x, ..., x**(N-1)`` along a new last dim, ``N >= 2`` (default
    ``x.shape[-1]``); bool inputs refused, other integers give int64.

    >>> import symgrad
    >>> symgrad.linalg.vander(symgrad.tensor([2, 3]), N=3)
    tensor([[1, 2, 4],
            [1, 3, 9]])
    """
    x = tensor_arg(x)
    if x.dtype.numpy.kind == "b":
        raise RuntimeError("linalg.vander supports floating point, complex, and integer tensors, but got Bool; "
                           "convert it with .long()")
    n = (x.shape[-1] if x.ndim else 0) if N is None else _int_arg("linalg.vander", "N", N)
    if n <= 1:
        raise RuntimeError(f"N must be greater than 1. (got N={n}; a Vandermonde matrix needs at least 2 columns)")
    return _vander(x, n, True)
