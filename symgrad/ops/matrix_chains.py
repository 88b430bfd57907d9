"""``torch.linalg`` functions composed from table ops, so their closed forms
and derivatives are those ops': ``multi_dot`` (matrix products in the order
of least work, as PyTorch picks it), ``vecdot``, and
``linalg.matmul`` / ``linalg.diagonal`` (PyTorch's aliases, the latter with
the last two dims as defaults)."""

from __future__ import annotations

from typing import Any

from symgrad.ops._util import tensor_arg
from symgrad.ops.linalg import _mm, matmul
from symgrad.ops.matrices import _type_name
from symgrad.ops.reductions import sum as _sum
from symgrad.ops.shape import _reshape
from symgrad.ops.structure import diagonal as _diagonal

__all__: list[str] = []


# ---------------------------------------------------------------- multi_dot

def _chain_order(dims: list[int]) -> list[list[int]]:
    """The matrix-chain split points of least cost (the textbook dynamic programme
    PyTorch's ``multi_dot`` runs): ``split[i][j]`` is where ``i..j`` is cut.
    Ties go to the first cut, except for three matrices, where PyTorch's own
    rule prefers ``(A @ B) @ C`` (only the rounding depends on it)."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cuts = range(j - 1, i - 1, -1) if n == 3 else range(i, j)
            cost[i][j], split[i][j] = min(((cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1], k)
                                           for k in cuts), key=lambda c: c[0])
    return split


def _product(mats: list[Any], split: list[list[int]], i: int, j: int) -> Any:
    if i == j:
        return mats[i]
    k = split[i][j]
    return _mm(_product(mats, split, i, k), _product(mats, split, k + 1, j))


def _multi_dot_operands(tensors: Any) -> list[Any]:
    """The tensors, checked as PyTorch checks them: 1-d or 2-d ends, 2-d middles, one dtype, sizes that chain."""
    ts = [tensor_arg(t) for t in tensors]
    if len(ts) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(ts)}")
    for i, t in enumerate(ts):
        where = "the first tensor" if i == 0 else "the last tensor" if i == len(ts) - 1 else f"tensor {i}"
        if t.ndim not in ((1, 2) if i in (0, len(ts) - 1) else (2,)):
            need = "1D or 2D" if i in (0, len(ts) - 1) else "2D"
            raise RuntimeError(f"multi_dot(): {where} must be {need} but got {t.ndim}D")
        if t._value.dtype != ts[0]._value.dtype:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor 0 is "
                               f"{_type_name(ts[0]).lower()} and tensor {i} {_type_name(t).lower()}")
    return ts


def multi_dot(tensors: Any) -> Any:
    """The product of a chain of matrices, multiplied in the order of least work
    (as PyTorch chooses it); the first may be a row vector and the last a
    column vector (1-d), as in ``dot`` and ``mv``.

    >>> import symgrad
    >>> a, b = symgrad.tensor([1., 2.], name="a"), symgrad.tensor([[1., 0.], [1., 1.]], name="B")
    >>> symgrad.linalg.multi_dot([a, b, a]).expr
    a[0]*(B[0, 0]*a[0] + B[1, 0]*a[1]) + a[1]*(B[0, 1]*a[0] + B[1, 1]*a[1])
    """
    ts = _multi_dot_operands(tensors)
    first_vector, last_vector = ts[0].ndim == 1, ts[-1].ndim == 1
    mats = [_reshape(ts[0], (1, ts[0].shape[0])) if first_vector else ts[0], *ts[1:-1],
            _reshape(ts[-1], (ts[-1].shape[0], 1)) if last_vector else ts[-1]]
    for i in range(len(mats) - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes {list(ts[i].shape)} and "
                               f"{list(ts[i + 1].shape)} cannot be multiplied")
    dims = [mats[0].shape[0], *[m.shape[1] for m in mats]]
    out = _product(mats, _chain_order(dims), 0, len(mats) - 1)
    shape = tuple(out.shape[first_vector:2 - last_vector])  # drop the dims the vectors added
    return _reshape(out, shape)


# ---------------------------------------------------------------- vecdot, aliases

def vecdot(x: Any, y: Any, *, dim: int = -1) -> Any:
    """The dot products of the vectors along ``dim`` (batches broadcast):
    ``(x * y).sum(dim)``.

    >>> import symgrad
    >>> x = symgrad.tensor([[1., 2.], [3., 4.]], name="x")
    >>> symgrad.linalg.vecdot(x, symgrad.tensor([1., 1.])).expr
    [x[0, 0] + x[0, 1], x[1, 0] + x[1, 1]]
    """
    a, b = tensor_arg(x), tensor_arg(y)
    if a._value.dtype.kind != "f":
        raise RuntimeError(f"linalg.vecdot: Expected a floating point or complex tensor as input. Got {_type_name(a)}")
    if a._value.dtype != b._value.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found x of type "
                           f"{_type_name(a)} and y of type {_type_name(b)} instead")
    return _sum(a * b, dim)


def linalg_matmul(input: Any, other: Any) -> Any:
    """``torch.linalg.matmul``: the same as ``symgrad.matmul``.

    >>> import symgrad
    >>> symgrad.linalg.matmul(symgrad.ones(2, 3), symgrad.ones(3))
    tensor([3., 3.])
    """
    return matmul(input, other)


def linalg_diagonal(A: Any, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Any:  # noqa: N803
    """``torch.linalg.diagonal``: ``symgrad.diagonal`` over the last two dims by default.

    >>> import symgrad
    >>> symgrad.linalg.diagonal(symgrad.eye(2).expand(3, 2, 2)).shape
    symgrad.Size([3, 2])
    """
    return _diagonal(A, offset, dim1, dim2)
