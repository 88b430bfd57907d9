"""Least squares, numerical rank and condition numbers: ``linalg.lstsq``,
``linalg.matrix_rank``, ``linalg.cond``.  No op-table entries of their own:

* ``lstsq`` is ``pinv(A) @ B`` (the minimum-norm least-squares solution, what
  the SVD drivers and ``gelsy`` compute), so its gradient is PyTorch's
  ``linalg_lstsq_backward``, which differentiates exactly that through
  ``pinv_backward``.  The residuals are ``sum((A @ X - B)**2)`` per column;
  at the optimum ``A.T @ (A @ X - B) = 0``, so their gradient through ``X``
  vanishes and what is left is PyTorch's ``2 r X.T``.  The closed form is
  ``pinv``'s: the full-rank formula, refused at a matrix of lower numeric
  rank.  Which fields are filled follows the driver, as in PyTorch on CPU.
* ``matrix_rank`` counts singular values above ``max(atol, rtol * largest)``:
  a number outside the graph (int64), as in PyTorch.
* ``cond`` is the ratio of singular values (``p`` None, 2, -2), else
  ``matrix_norm(A, p) * matrix_norm(inv(A), p)``, inf where ``A`` is singular
  (PyTorch's composition).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from symgrad import return_types
from symgrad.ops._util import tensor_arg
from symgrad.ops.linalg import _mm
from symgrad.ops.matrices import _square_matrices, _type_name, inv_ex
from symgrad.ops.pseudoinverse import _decomposition, _kept, _tolerances, pinv

__all__ = ["lstsq", "matrix_rank", "cond"]

_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")
_NOT_FLOAT = "This function doesn't handle types other than float and double"


def _float_or_double(a: Any) -> None:
    """PyTorch's error for the LAPACK-only functions (lstsq, matrix_rank): float32 and float64 only."""
    if a._value.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"{_NOT_FLOAT} (got {_type_name(a)}; convert with .float() or .double())")


# ---------------------------------------------------------------- matrix_rank

def _rank(a: np.ndarray, atol: Any, rtol: Any, hermitian: bool) -> np.ndarray:
    """The number of singular values above ``max(atol, rtol * largest)`` per matrix (int64)."""
    if 0 in a.shape[-2:]:
        return np.zeros(a.shape[:-2], dtype=np.int64)
    _, s, _ = _decomposition(a, hermitian)
    return np.asarray(_kept(s, atol, rtol).sum(axis=-1), dtype=np.int64)


def matrix_rank(A: Any, tol: Any = None, hermitian: bool = False, *, atol: Any = None,  # noqa: N803 - PyTorch's names
                rtol: Any = None) -> Any:
    """The numerical rank of each matrix ``(..., m, n)``: how many singular
    values are above ``max(atol, rtol * largest)`` (``rtol`` defaults to
    ``eps * max(m, n)``, or 0 when ``atol > 0`` is given; the older ``tol`` is
    ``atol`` with ``rtol = 0``).  ``hermitian=True`` reads the lower triangle of
    symmetric matrices (eigenvalues' absolute values).  An int64 number with no
    gradient, as in PyTorch.

    >>> import symgrad
    >>> symgrad.linalg.matrix_rank(symgrad.tensor([[1., 2.], [2., 4.]]))
    tensor(1)
    >>> symgrad.linalg.matrix_rank(symgrad.tensor([[3., 0.], [0., 0.1]]), atol=0.5)
    tensor(1)
    """
    if tol is not None:
        if atol is not None or rtol is not None:
            raise TypeError("linalg.matrix_rank: tol is the older name of atol (with rtol=0); pass either tol, or "
                            "atol and rtol, not both")
        atol, rtol = tol, 0.0
    a = tensor_arg(A)
    if a.ndim < 2:
        raise RuntimeError("torch.linalg.matrix_rank: The input tensor input must have at least 2 dimensions.")
    _float_or_double(a)
    if not isinstance(hermitian, bool):
        raise TypeError(f"linalg.matrix_rank: hermitian must be a bool, not {type(hermitian).__name__}")
    if hermitian:
        _square_matrices("linalg.eigh", a)
    atol_v, rtol_v = _tolerances(a, atol, rtol)
    return tensor_arg(_rank(a._value, atol_v, rtol_v, hermitian))


# ---------------------------------------------------------------- lstsq

def _lstsq_arguments(A: Any, B: Any, driver: Any) -> tuple[Any, Any, str]:  # noqa: N803
    """``A``, ``B`` as tensors and the driver (``gelsy``, PyTorch's CPU default), or PyTorch's errors."""
    a, b = tensor_arg(A), tensor_arg(B)
    if a.ndim < 2:
        raise RuntimeError("torch.linalg.lstsq: input must have at least 2 dimensions.")
    if b.ndim < 1:
        raise RuntimeError("torch.linalg.lstsq: other must have at least 1 dimension.")
    if a._value.dtype != b._value.dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same dtype, but got input's "
                           f"dtype {_type_name(a)} and other's dtype {_type_name(b)}")
    _float_or_double(a)
    if not (a.ndim >= b.ndim and a.ndim - b.ndim <= 1):
        raise RuntimeError("torch.linalg.lstsq: input.dim() must be greater or equal to other.dim() and "
                           "(input.dim() - other.dim()) <= 1")
    driver = "gelsy" if driver is None else driver
    if driver not in _DRIVERS:
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    return a, b, driver


def _as_columns(a: Any, b: Any) -> Any:
    """``B`` as a batch of matrices: a batch of vectors (one dimension fewer than ``A``) becomes columns."""
    from symgrad.dispatch import _broadcast_message
    from symgrad.ops.shape import _reshape

    rhs = _reshape(b, tuple(b.shape) + (1,)) if b.ndim == a.ndim - 1 else b
    if rhs.shape[-2] != a.shape[-2]:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    try:
        np.broadcast_shapes(tuple(a.shape[:-2]), tuple(rhs.shape[:-2]))
    except ValueError:
        raise RuntimeError(_broadcast_message([tuple(a.shape[:-2]), tuple(rhs.shape[:-2])])) from None
    return rhs


def _residuals(a: Any, x: Any, rhs: Any, driver: str, rank: np.ndarray | None) -> Any:
    """The squared 2-norm of each column of ``A @ X - B``, where PyTorch fills it:
    more rows than columns, a driver other than ``gelsy``, and (for the drivers
    that find the rank) full column rank everywhere; else empty."""
    m, n = a.shape[-2:]
    if m <= n or driver == "gelsy" or (rank is not None and bool((rank < n).any())):
        return tensor_arg(np.zeros((0,), dtype=a._value.dtype))
    r = _mm(a, x) - rhs
    return (r * r).sum(-2)


def lstsq(A: Any, B: Any, rcond: Any = None, *, driver: Any = None) -> Any:  # noqa: N803 - PyTorch's names
    """``(solution, residuals, rank, singular_values)``: the least-squares
    solution ``X`` minimising ``||A @ X - B||`` for each matrix ``A (..., m, n)``
    (``B (..., m, k)``, or a batch of vectors with one dimension fewer than ``A``).

    ``X`` is ``pinv(A) @ B`` with singular values at or below ``rcond * largest``
    dropped (``rcond`` defaults to ``eps * max(m, n)``): the minimum-norm
    solution, with PyTorch's gradients.  The other fields follow the driver
    as PyTorch's on CPU: ``rank`` for ``gelsy`` (the default), ``gelsd``,
    ``gelss``; ``singular_values`` for ``gelsd``, ``gelss``; ``residuals`` (the
    squared norms of ``A @ X - B``'s columns, differentiable) when ``m > n``
    for ``gels`` and, at full rank, ``gelsd``, ``gelss``.  Empty otherwise.

    >>> import symgrad
    >>> A = symgrad.tensor([[1., 0.], [0., 1.], [1., 1.]], requires_grad=True)
    >>> b = symgrad.tensor([1., 2., 2.])
    >>> result = symgrad.linalg.lstsq(A, b, driver="gelsd")
    >>> result.solution
    tensor([0.6667, 1.6667], grad_fn=<ViewBackward0>)
    >>> result.residuals
    tensor([0.3333], grad_fn=<SumBackward1>)
    >>> result.rank
    tensor(2)
    """
    a, b, driver = _lstsq_arguments(A, B, driver)
    rhs = _as_columns(a, b)
    m, n = a.shape[-2:]
    rtol = float(np.finfo(a._value.dtype).eps * max(m, n)) if rcond is None else rcond
    x = _mm(pinv(a, atol=0.0, rtol=rtol), rhs)
    rank = None if driver == "gels" else _rank(a._value, 0.0, rtol, False)
    residuals = _residuals(a, x, rhs, driver, rank)
    solution = x.reshape(tuple(x.shape[:-1])) if rhs is not b else x
    no_rank = tensor_arg(np.zeros((0,), dtype=np.int64))
    values = _singular_values(a) if driver in ("gelsd", "gelss") else tensor_arg(np.zeros((0,), dtype=a._value.dtype))
    return return_types.linalg_lstsq(solution, residuals, no_rank if rank is None else tensor_arg(rank), values)


def _singular_values(a: Any) -> Any:
    """LAPACK's singular values of ``A``, outside the graph (PyTorch does not differentiate this field)."""
    return tensor_arg(np.linalg.svd(a._value, compute_uv=False).astype(a._value.dtype))


# ---------------------------------------------------------------- cond

_NORM_ORDERS = ("fro", "nuc", math.inf, -math.inf, 1, -1)


def cond(A: Any, p: Any = None) -> Any:  # noqa: N803 - PyTorch's name
    """The condition number of each matrix in the norm ``p``: for ``p`` None
    or 2 the largest singular value over the smallest (-2: the reverse), any
    shape; for ``"fro"``, ``"nuc"``, ``inf``, ``-inf``, ``1``, ``-1``
    ``matrix_norm(A, p) * matrix_norm(inv(A), p)`` of square matrices, inf
    where ``A`` is singular.  Gradients are PyTorch's; through singular values
    there is no closed form.

    >>> import symgrad
    >>> A = symgrad.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    >>> symgrad.linalg.cond(A, "fro")
    tensor(15.0000, grad_fn=<MulBackward0>)
    >>> symgrad.linalg.cond(A, 1).expr
    Max(Abs(A[0, 0]) + Abs(A[1, 0]), Abs(A[0, 1]) + Abs(A[1, 1]))*Max(Abs(A[0, 0]/(A[0, 0]*A[1, 1] - A[0, 1]*A[1, 0])) + Abs(A[0, 1]/(A[0, 0]*A[1, 1] - A[0, 1]*A[1, 0])), Abs(A[1, 0]/(A[0, 0]*A[1, 1] - A[0, 1]*A[1, 0])) + Abs(A[1, 1]/(A[0, 0]*A[1, 1] - A[0, 1]*A[1, 0])))
    """
    a = tensor_arg(A)
    if a.ndim < 2:
        raise RuntimeError("linalg.cond: The input tensor must have at least 2 dimensions.")
    if p in (None, 2, -2) and not isinstance(p, bool):
        return _singular_value_ratio(a, p)
    if isinstance(p, bool) or p not in _NORM_ORDERS:
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    square = _square_matrices(f"linalg.cond(ord={p})", a)
    return _nuclear_ratio(square) if p == "nuc" else _norm_product(square, p)


def _singular_value_ratio(a: Any, p: Any) -> Any:
    """``largest / smallest`` singular value (``p = -2``: the reverse); 0 for empty matrices, as PyTorch's."""
    from symgrad.ops.decompositions import svdvals

    if 0 in a.shape[-2:]:
        _float_or_double(a)
        return tensor_arg(np.zeros(a.shape[:-2], dtype=a._value.dtype))
    s = svdvals(a)
    last = s.ndim - 1
    largest, smallest = s.amax(last), s.amin(last)
    return smallest / largest if p == -2 else largest / smallest


def _nuclear_ratio(a: Any) -> Any:
    """``sum(s) * sum(1 / s)``, the nuclear norms of ``A`` and ``inv(A)``: PyTorch's numbers through the singular
    values (huge, not inf, at a singular matrix)."""
    from symgrad.ops.decompositions import svdvals

    s = svdvals(a)
    last = s.ndim - 1
    return s.sum(last) * (1 / s).sum(last)


def _norm_product(a: Any, p: Any) -> Any:
    """``norm(A) * norm(inv(A))``, inf where ``A`` has no inverse (PyTorch reads inv_ex's info).  inv_ex's
    inverse is nan there; the where on it is decided at run time, so generated code is right at every input."""
    from symgrad.ops.comparison import isnan
    from symgrad.ops.norms import matrix_norm
    from symgrad.ops.selection import where

    inverse, info = inv_ex(a)
    product = matrix_norm(a, p) * matrix_norm(inverse, p)
    if not info._value.any():  # (no singular matrix: the closed form stays the plain product)
        return product
    return where(isnan(product), tensor_arg(np.asarray(np.inf, dtype=a._value.dtype)), product)
