"""PyTorch's scaled products plus a scaled input: ``addmv``, ``addr``,
``addbmm``, ``baddbmm`` (``beta * input + alpha * product``), and
``chain_matmul``; compositions of ``matmul``, ``*``, ``+`` and ``sum``, no
table entries, so their closed forms, gradients and generated code are those
ops'.

``beta = 0`` ignores ``input`` as PyTorch does: nan and inf in it do not
reach the result (``0 * nan`` would be nan), and its gradient is 0.  A
floating ``beta`` or ``alpha`` is cast to an integer result's dtype
(``0.5`` -> 0), as PyTorch casts it; ``addr`` refuses it instead, with
PyTorch's message.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from symgrad.ops._util import tensor_arg
from symgrad.ops.linalg import matmul, outer
from symgrad.ops.matrices import _type_name
from symgrad.ops.matrix_chains import multi_dot
from symgrad.ops.reductions import _sum
from symgrad.ops.registry import composed
from symgrad.ops.selection import where

__all__ = ["addmv", "addr", "addbmm", "baddbmm", "chain_matmul"]


def _plus_scaled_input(input: Any, product: Any, beta: Any, alpha: Any) -> Any:
    """``beta * input + alpha * product``, ``input`` expanded to the product's shape
    (PyTorch's message when it cannot be); ``beta = 0`` leaves ``input``'s numbers out."""
    shape = tuple(product.shape)
    expanded = input.expand(*shape)
    integral = product._value.dtype.kind in "iub"
    beta, alpha = _cast(beta, integral), _cast(alpha, integral)
    scaled = product if alpha == 1 else product * alpha
    if beta == 0:
        if not input.requires_grad:
            return scaled
        # (in the graph with gradient 0, as PyTorch's; the numbers never read)
        return scaled + where(np.zeros(shape, dtype=bool), expanded, 0)
    return scaled + (expanded if beta == 1 else expanded * beta)


def _cast(value: Any, integral: bool) -> Any:
    """A ``beta``/``alpha`` as PyTorch uses it: cast to an integer result's dtype (0.5 -> 0)."""
    if integral and isinstance(value, float):
        return int(value)
    return value


def _same_dtypes(message: str, *tensors: Any, lower: bool = False) -> None:
    if len({t._value.dtype for t in tensors}) > 1:
        names = [_type_name(t).lower() if lower else _type_name(t) for t in tensors]
        raise RuntimeError(message.format(*names))


def addmv(input: Any, mat: Any, vec: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:
    """``beta * input + alpha * (mat @ vec)``: ``mat`` a matrix, ``vec`` and
    ``input`` vectors (``input`` broadcast to the result); ``beta = 0`` ignores
    ``input``, nan and inf included.

    >>> import symgrad
    >>> M = symgrad.tensor([[1., 2.], [3., 4.]], name="M")
    >>> symgrad.addmv(symgrad.tensor([1., 1.]), M, symgrad.tensor([1., 0.]), beta=2, alpha=3)
    tensor([ 5., 11.])
    >>> symgrad.addmv(symgrad.tensor(float("nan")), M, symgrad.tensor([1., 1.]), beta=0).expr
    [M[0, 0] + M[0, 1], M[1, 0] + M[1, 1]]
    """
    b, m, v = tensor_arg(input), tensor_arg(mat), tensor_arg(vec)
    if b.ndim > 1 or m.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {b.ndim}, {m.ndim}, {v.ndim}")
    if m.shape[1] != v.shape[0] or (b.ndim == 1 and b.shape[0] not in (1, m.shape[0])):
        size = "" if b.ndim == 0 else str(b.shape[0])
        raise RuntimeError(f"size mismatch, got input ({size}), mat ({m.shape[0]}x{m.shape[1]}), vec ({v.shape[0]})")
    _same_dtypes("addmv input tensors must have the same dtype, but got {}, {}, and {}", b, m, v)
    return composed(_plus_scaled_input(b, matmul(m, v), beta, alpha), "AddmvBackward0", input)


def addr(input: Any, vec1: Any, vec2: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:
    """``beta * input + alpha * outer(vec1, vec2)`` (``input`` broadcast to the
    outer product; types promote as in ``*`` and ``+``).

    >>> import symgrad
    >>> symgrad.addr(symgrad.zeros(2, 2), symgrad.tensor([1., 2.]), symgrad.tensor([3., 4.]), alpha=0.5)
    tensor([[1.5000, 2.0000],
            [3.0000, 4.0000]])
    """
    b, x, y = tensor_arg(input), tensor_arg(vec1), tensor_arg(vec2)
    for name, v in (("vec1", x), ("vec2", y)):
        if v.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {v.ndim}-D")
    product = outer(x, y)
    boolean = product._value.dtype == np.bool_
    for name, value in (("beta", beta), ("alpha", alpha)):
        if isinstance(value, bool) and not boolean:
            raise RuntimeError(f"Boolean {name} only supported for Boolean results.")
        if isinstance(value, float) and product._value.dtype.kind in "iub":
            raise RuntimeError(f"For integral input tensors, argument {name} must not be a floating point number.")
    return composed(_plus_scaled_input(b, product, beta, alpha), "AddrBackward0", input)


def _batches(caller: str, batch1: Any, batch2: Any) -> tuple[Any, Any]:
    """Two batches of matrices (3-d) that multiply, or PyTorch's errors."""
    b1, b2 = tensor_arg(batch1), tensor_arg(batch2)
    if b1.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b2.ndim != 3 and caller == "baddbmm":  # (PyTorch's error reading batch2's third dimension)
        raise IndexError(f"Dimension out of range (expected to be in range of [{-b2.ndim}, {b2.ndim - 1}], but "
                         "got 2)")
    if b2.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if caller == "addbmm" and b1.shape[0] != b2.shape[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got {b1.shape[0]} and "
                           f"{b2.shape[0]}")
    if caller == "addbmm" and b1.shape[2] != b2.shape[1]:
        raise RuntimeError(f"Incompatible matrix sizes for bmm ({b1.shape[1]}x{b1.shape[2]} and "
                           f"{b2.shape[1]}x{b2.shape[2]})")
    if caller == "baddbmm" and (b2.shape[0], b2.shape[1]) != (b1.shape[0], b1.shape[2]):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{b1.shape[0]}, "
                           f"{b1.shape[2]}] but got: [{b2.shape[0]}, {b2.shape[1]}].")
    return b1, b2


def _batch_input(input: Any, b1: Any, b2: Any) -> Any:
    b = tensor_arg(input)
    _same_dtypes("Input dtypes must be the same, got: input {}, batch1: {}, batch2: {}", b, b1, b2, lower=True)
    return b


def addbmm(input: Any, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:
    """``beta * input + alpha * sum_i(batch1[i] @ batch2[i])``: the batch's
    products summed into one matrix.

    >>> import symgrad
    >>> b = symgrad.ones(3, 2, 2)
    >>> symgrad.addbmm(symgrad.eye(2), b, b, beta=0.5)
    tensor([[6.5000, 6.0000],
            [6.0000, 6.5000]])
    """
    b1, b2 = tensor_arg(batch1), tensor_arg(batch2)
    if b1.ndim >= 2 and b2.ndim >= 3:  # (PyTorch expands input to the result's shape first)
        tensor_arg(input).expand(b1.shape[1], b2.shape[2])
    b1, b2 = _batches("addbmm", b1, b2)
    b = _batch_input(input, b1, b2)
    return composed(_plus_scaled_input(b, _sum(matmul(b1, b2), (0,), False), beta, alpha), "AddbmmBackward0", input)


def baddbmm(input: Any, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:
    """``beta * input + alpha * (batch1 @ batch2)``, batch by batch.

    >>> import symgrad
    >>> symgrad.baddbmm(symgrad.zeros(2, 1, 1), symgrad.ones(2, 1, 3), symgrad.ones(2, 3, 1), alpha=2).flatten()
    tensor([6., 6.])
    """
    b1, b2 = _batches("baddbmm", batch1, batch2)
    b = _batch_input(input, b1, b2)
    return composed(_plus_scaled_input(b, matmul(b1, b2), beta, alpha), "BaddbmmBackward0", input)


def chain_matmul(*matrices: Any) -> Any:
    """``torch.chain_matmul`` (deprecated in PyTorch, with its warning): the
    product of two-dimensional matrices, in ``linalg.multi_dot``'s order.

    >>> import symgrad, warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     symgrad.chain_matmul(symgrad.ones(2, 3), symgrad.ones(3, 1))
    tensor([[3.],
            [3.]])
    """
    warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
                  "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than "
                  "multiple parameters.", UserWarning, stacklevel=2)
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    tensors = [tensor_arg(m) for m in matrices]
    for t in tensors:
        if t.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {t.ndim}, expected 2 instead.")
    return tensors[0].clone() if len(tensors) == 1 else multi_dot(tensors)
