"""Determinants, inverses and linear solves: the op-table entries behind
``symgrad.linalg`` (and ``symgrad.det``, ``inverse``, ``logdet``, ``slogdet``).

Numeric forwards are NumPy's LAPACK calls, symbolic forwards SymPy matrices
(``_matrix_sympy``), and the rules the matrix-calculus identities, written in
symgrad ops so that one rule gives numbers, closed forms and higher orders::

    det(A)        g * det(A) * inv(A).mT
    log|det(A)|   g * inv(A).mT           (also log det(A))
    inv(A)        -inv(A).mT @ g @ inv(A).mT
    solve(A, B)   gB = solve(A.mT, g),  gA = -gB @ X.mT

Batches broadcast as in PyTorch; the engine sums gradients back to each
input's shape, so no rule mentions broadcasting.  A singular matrix in
``inv`` or ``solve`` raises ``LinAlgError``, a RuntimeError as PyTorch's is;
so does the derivative of ``det`` at a singular matrix, whose rule needs the
inverse (PyTorch returns a number there).
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from symgrad.dispatch import apply
from symgrad.ops import _matrix_sympy as _sym
from symgrad.ops._sympy import sp
from symgrad.ops._util import tensor_arg
from symgrad.ops.linalg import _mm
from symgrad.ops.registry import defop
from symgrad.ops.shape import _expand, _reshape, _transpose

__all__ = ["det", "inverse", "logdet", "slogdet"]

slogdet_result = namedtuple("slogdet", ["sign", "logabsdet"])  # type: ignore[name-match]  # torch.return_types.slogdet
linalg_slogdet_result = namedtuple("linalg_slogdet", ["sign", "logabsdet"])  # type: ignore[name-match]


class LinAlgError(RuntimeError):
    """A linear-algebra function met a singular matrix (PyTorch's
    ``torch.linalg.LinAlgError``, also a RuntimeError)."""


# ---------------------------------------------------------------- numeric forwards

# Up to this size the determinant is the product of U's diagonal, as PyTorch
# computes it (det([[2, 1], [1, 3]]) is 5.0, where NumPy's exp(log|det|) gives
# 5.000000000000001); larger matrices use NumPy's det (LAPACK's speed).
_LU_DET_MAX = 16


def _lu_diagonal(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """U's diagonal (..., n) and the permutation's sign (...) of the LU
    factorization with partial pivoting (LAPACK's ``getrf``), for a batch of
    small matrices.  A zero pivot leaves its column as it is (``getrf`` does
    the same): the column is zero from there down, so nothing is eliminated."""
    n = a.shape[-1]
    # (the batch size spelt out: reshape cannot infer a -1 for 0x0 matrices, whose determinant is 1)
    u = np.array(a, dtype=a.dtype).reshape((int(np.prod(a.shape[:-2])), n, n))
    sign = np.ones(len(u), dtype=a.dtype)
    every = np.arange(len(u))
    for k in range(n):
        p = k + np.argmax(np.abs(u[:, k:, k]), axis=-1)
        sign[p != k] *= -1
        row = u[every, k].copy()
        u[every, k] = u[every, p]
        u[every, p] = row
        pivot = u[:, k, k]
        factors = u[:, k + 1:, k] / np.where(pivot == 0, 1, pivot)[:, None]
        u[:, k + 1:, k:] -= factors[:, :, None] * u[:, None, k, k:]
    return np.diagonal(u, axis1=-2, axis2=-1).reshape(a.shape[:-1]), sign.reshape(a.shape[:-2])


def _det(a: np.ndarray) -> np.ndarray:
    if a.shape[-1] > _LU_DET_MAX:
        return np.linalg.det(a)
    diagonal, sign = _lu_diagonal(a)
    return sign * np.prod(diagonal, axis=-1)


def _singular(name: str, a: np.ndarray) -> LinAlgError:
    """PyTorch's message: the first singular matrix of the batch, and the first
    zero on U's diagonal (1-based, LAPACK's ``info``)."""
    diagonal, _ = _lu_diagonal(a.reshape((-1,) + a.shape[-2:]))
    zeros = diagonal == 0
    i = int(np.argmax(zeros.any(axis=-1)))
    where = f"(Batch element {i}): " if a.ndim > 2 else ""
    return LinAlgError(f"{name}: {where}The diagonal element {int(np.argmax(zeros[i])) + 1} is zero, the inversion "
                       "could not be completed because the input matrix is singular.")


def _inv(a: np.ndarray) -> np.ndarray:
    return _nan_tolerant(np.linalg.inv, a, (), lambda: _singular("linalg.inv", a))


def _solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _nan_tolerant(np.linalg.solve, a, (b,), lambda: LinAlgError(
        "linalg.solve: The solver failed because the input matrix is singular."))


def _nan_tolerant(fn: Any, a: np.ndarray, rest: tuple[Any, ...], singular: Any) -> np.ndarray:
    """``fn(a, *rest)``, with nan results for the matrices of ``a`` holding a nan,
    as PyTorch's: LAPACK reports them singular, and NumPy raises for the batch."""
    try:
        return fn(a, *rest)  # type: ignore[no-any-return]
    except np.linalg.LinAlgError:
        nan = np.isnan(a).any(axis=(-2, -1))[..., None, None]
        if not nan.any():
            raise singular() from None
        eye = np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape)
        return np.where(nan, np.nan, _nan_tolerant(fn, np.where(nan, eye, a), rest, singular))


def _logdet(a: np.ndarray) -> np.ndarray:
    sign, logabs = np.linalg.slogdet(a)
    # PyTorch's logdet: -inf for a singular matrix, nan for a negative determinant
    return np.asarray(np.where(sign > 0, logabs, np.where(sign == 0, -np.inf, np.nan)), dtype=logabs.dtype)


# ---------------------------------------------------------------- rule helpers (arrays or tensors)

def _mT(x: Any) -> Any:  # noqa: N802 - PyTorch's name
    return _transpose(x, x.ndim - 2, x.ndim - 1)


def _mat(v: Any) -> Any:
    """A batch of numbers as a batch of 1x1 matrices (broadcasts against matrices)."""
    return _reshape(v, tuple(v.shape) + (1, 1))


def _inverse_t(a: Any) -> Any:
    return _mT(apply(_INV, a))


def _solve_t(a: Any, g: Any) -> Any:
    return apply(_SOLVE, _mT(a), g)


# ---------------------------------------------------------------- the entries

_DET = defop("det", _det, _sym.of_determinant(lambda d: d, "det"), inputs=("A",),
             backward_name="LinalgDetBackward0",
             vjp=(lambda g, out, A: _mat(g * out) * _inverse_t(A),))

_LOGABSDET = defop("logabsdet", lambda a: np.linalg.slogdet(a)[1],
                   _sym.of_determinant(lambda d: sp.log(sp.Abs(d)), "slogdet"), inputs=("A",),
                   backward_name="LinalgSlogdetBackward0",
                   vjp=(lambda g, out, A: _mat(g) * _inverse_t(A),))

# slogdet's sign: in the graph as PyTorch has it, with a zero derivative
_DET_SIGN = defop("det_sign", lambda a: np.linalg.slogdet(a)[0], _sym.of_determinant(lambda d: sp.sign(d), "slogdet"),
                  inputs=("A",), backward_name="LinalgSlogdetBackward0",
                  vjp=(lambda g, out, A: _expand(_mat(g) * 0.0, tuple(A.shape)),))

_LOGDET = defop("logdet", _logdet, _sym.of_determinant(lambda d: sp.log(d), "logdet"), inputs=("A",),
                vjp=(lambda g, out, A: _mat(g) * _inverse_t(A),))

_INV = defop("inv", _inv, _sym.inverse, inputs=("A",), backward_name="LinalgInvExBackward0",
             vjp=(lambda g, out, A: -_mm(_mm(_mT(out), g), _mT(out)),))

_SOLVE = defop("solve", _solve, _sym.solve, inputs=("A", "B"), backward_name="LinalgSolveExBackward0",
               vjp=(lambda g, out, A, B: -_mm(_solve_t(A, g), _mT(out)),
                    lambda g, out, A, B: _solve_t(A, g)))


# ---------------------------------------------------------------- argument checks

_TYPE_NAMES = {"float16": "Half", "float32": "Float", "float64": "Double", "int8": "Char", "int16": "Short",
               "int32": "Int", "int64": "Long", "uint8": "Byte", "bool": "Bool"}


def _float_matrices(name: str, input: Any) -> Any:
    """``input`` as a tensor of square matrices of a LAPACK dtype, or PyTorch's error."""
    a = tensor_arg(input)
    if a.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are {a.shape[-2]} by "
                           f"{a.shape[-1]} matrices")
    _floating(name, a)
    return a


def _type_name(a: Any) -> str:
    """PyTorch's name of a tensor's scalar type (``Double``, ``Long``)."""
    name = a._value.dtype.name
    return _TYPE_NAMES.get(name, name)


def _floating(name: str, a: Any) -> None:
    dtype = a._value.dtype
    if dtype.kind != "f":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got {_type_name(a)}")
    if dtype == np.float16:  # (PyTorch: NotImplementedError, "lu_cpu" not implemented for 'Half')
        raise NotImplementedError(f"{name}: float16 is not supported (LAPACK has no half precision); "
                                  "convert with .float() or .double() first")


# ---------------------------------------------------------------- public functions

def det(input: Any) -> Any:
    """Determinant of each square matrix in the last two dimensions.

    >>> import symgrad
    >>> A = symgrad.tensor([[2., 1.], [1., 3.]], requires_grad=True)
    >>> symgrad.det(A)
    tensor(5., grad_fn=<LinalgDetBackward0>)
    >>> symgrad.det(A).expr
    A[0, 0]*A[1, 1] - A[0, 1]*A[1, 0]
    """
    return apply(_DET, _float_matrices("linalg.det", input))


def inv(A: Any) -> Any:  # noqa: N803 - PyTorch's argument name
    """Inverse of each square matrix; ``LinAlgError`` if one is singular.

    >>> import symgrad
    >>> symgrad.linalg.inv(symgrad.tensor([[2., 0.], [0., 4.]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.2500]])
    """
    return apply(_INV, _float_matrices("linalg.inv", A))


def inverse(input: Any) -> Any:
    """``torch.inverse``: the same as ``symgrad.linalg.inv``.

    >>> import symgrad
    >>> a, b = symgrad.tensor(2., requires_grad=True), symgrad.tensor(3., requires_grad=True)
    >>> symgrad.inverse(symgrad.stack([symgrad.stack([a, 0 * b]), symgrad.stack([0 * a, b])])).expr
    [[1/a, 0], [0, 1/b]]
    """
    return inv(input)


def solve(A: Any, B: Any, *, left: bool = True) -> Any:  # noqa: N803 - PyTorch's argument names
    """The solution ``X`` of ``A @ X = B``: ``B`` a matrix, a vector, or a batch
    of either (PyTorch's rule: ``B`` is a batch of vectors when its shape is
    ``A.shape[:-1]``); batch dimensions broadcast.

    >>> import symgrad
    >>> symgrad.linalg.solve(symgrad.tensor([[2., 0.], [0., 4.]]), symgrad.tensor([1., 1.]))
    tensor([0.5000, 0.2500])
    """
    if not left:
        raise NotImplementedError("linalg.solve: left=False (X @ A = B) is not supported; "
                                  "solve A.mT @ X.mT = B.mT instead")
    a = _float_matrices("linalg.solve", A)
    b = tensor_arg(B)
    if b._value.dtype != a._value.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
                           f"{_type_name(a)} and B of type {_type_name(b)} instead")
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and tuple(b.shape) == tuple(a.shape[:-1]))
    rhs = _reshape(b, tuple(b.shape) + (1,)) if vector else b
    if rhs.ndim < 2 or rhs.shape[-2] != a.shape[-1]:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
                           f"({a.shape[-2]}x{a.shape[-1]} and {rhs.shape[-2] if rhs.ndim > 1 else rhs.shape[0]}x"
                           f"{rhs.shape[-1] if rhs.ndim > 1 else 1})")
    try:
        np.broadcast_shapes(tuple(a.shape[:-2]), tuple(rhs.shape[:-2]))
    except ValueError:
        raise RuntimeError(f"linalg.solve: the batch dimensions of A {list(a.shape[:-2])} and B "
                           f"{list(rhs.shape[:-2])} do not broadcast") from None
    x = apply(_SOLVE, a, rhs)
    return _reshape(x, tuple(x.shape[:-1])) if vector else x


def _slogdet(name: str, input: Any, result: Any) -> Any:
    a = _float_matrices(name, input)
    return result(apply(_DET_SIGN, a), apply(_LOGABSDET, a))


def slogdet(input: Any) -> Any:
    """``(sign, logabsdet)`` of the determinant; the gradient of ``logabsdet``
    is ``inv(A).mT``.

    >>> import symgrad
    >>> symgrad.slogdet(symgrad.tensor([[-2., 0.], [0., 3.]]))
    slogdet(sign=tensor(-1.), logabsdet=tensor(1.7918))
    """
    return _slogdet("linalg.slogdet", input, slogdet_result)


def linalg_slogdet(A: Any) -> Any:  # noqa: N803 - PyTorch's argument name
    """``torch.linalg.slogdet``: ``(sign, logabsdet)`` of the determinant."""
    return _slogdet("linalg.slogdet", A, linalg_slogdet_result)


def logdet(input: Any) -> Any:
    """``log(det(A))``: nan for a negative determinant, ``-inf`` for a singular
    matrix (as PyTorch); its gradient is ``inv(A).mT``.

    >>> import symgrad
    >>> A = symgrad.tensor([[2., 1.], [1., 2.]], requires_grad=True)
    >>> symgrad.logdet(A).backward()
    >>> A.grad
    tensor([[ 0.6667, -0.3333],
            [-0.3333,  0.6667]])
    """
    return apply(_LOGDET, _float_matrices("logdet", input))
