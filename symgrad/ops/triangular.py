"""Triangular systems and the Cholesky factorization: ``linalg.solve_triangular``
and ``linalg.cholesky`` (with ``cholesky_ex``, ``symgrad.cholesky`` and
``Tensor.cholesky``), two op-table entries.

Both have honest closed forms, because both are finite algorithms without
choices: substitution for a triangular system, and Cholesky's recurrence
(``L[j, j] = sqrt(A[j, j] - sum L[j, :j]**2)``, ``L[i, j] = (A[i, j] -
L[i, :j] . L[j, :j]) / L[j, j]``) for a positive-definite matrix, whose
factor with a positive diagonal is unique - the one LAPACK computes.  The
closed form reads only the triangle the numbers read.

The rules are PyTorch's (``linalg_solve_triangular_backward``,
``cholesky_backward``), in symgrad ops::

    solve_triangular   gB = solve_triangular(A.mT, g, upper=not upper),  gA = tril/triu(-gB @ X.mT)
    cholesky           P = tril(L.mT @ g),  S = (P + tril(P, -1).mT) / 2,  gA = L.mT \\ S / L

``cholesky``'s gradient is symmetric, as PyTorch's, though one triangle is
read: finite differences agree with it through a symmetric input.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from symgrad import return_types
from symgrad.dispatch import apply
from symgrad.ops._sympy import sp
from symgrad.ops._util import tensor_arg
from symgrad.ops.linalg import _mm
from symgrad.ops.matrices import LinAlgError, _check_batches, _mT, _square_matrices, _type_name
from symgrad.ops.registry import defop
from symgrad.ops.shape import _dtype_of

__all__ = ["cholesky"]


# ---------------------------------------------------------------- substitution (numbers and SymPy alike)

def _substitute(a: np.ndarray, b: np.ndarray, upper: bool, unitriangular: bool) -> np.ndarray:
    """``X`` with ``a @ X = b``, ``a`` triangular, row by row; batches broadcast.
    The same steps on float arrays (a zero on the diagonal gives inf and nan,
    as LAPACK's ``trsm``) and on object arrays of SymPy expressions."""
    n = a.shape[-1]
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    x = np.empty(batch + b.shape[-2:], dtype=np.result_type(a, b))
    with np.errstate(divide="ignore", invalid="ignore"):  # (inf and nan are the answer there, without a warning)
        for i in reversed(range(n)) if upper else range(n):
            known = slice(i + 1, n) if upper else slice(0, i)
            row = b[..., i:i + 1, :] - np.matmul(a[..., i:i + 1, known], x[..., known, :])
            x[..., i:i + 1, :] = row if unitriangular else row / a[..., i:i + 1, i:i + 1]
    return x


def _solve_triangular(a: np.ndarray, b: np.ndarray, upper: bool, left: bool, unitriangular: bool) -> np.ndarray:
    if left:
        return _substitute(a, b, upper, unitriangular)
    # X @ A = B is A.mT @ X.mT = B.mT, whose matrix is triangular the other way
    return np.swapaxes(_substitute(np.swapaxes(a, -1, -2), np.swapaxes(b, -1, -2), not upper, unitriangular), -1, -2)


def _solve_triangular_sym(a: np.ndarray, b: np.ndarray, upper: bool, left: bool, unitriangular: bool) -> np.ndarray:
    n, columns = a.shape[-1], b.shape[-1] if left else b.shape[-2]
    batch = int(np.prod(np.broadcast_shapes(a.shape[:-2], b.shape[:-2])))
    _refuse_if_large("solve_triangular", n, batch * columns * n * 2 ** n)
    return _solve_triangular(a, b, upper, left, unitriangular)


def _refuse_if_large(what: str, n: int, nodes: int) -> None:
    """Each unknown of a substitution (each entry of a Cholesky factor) reads all
    the earlier ones, so closed forms grow like ``2**n`` (``4**n``) nodes as
    SymPy's trees count them (measured up to 9x9); refused before SymPy starts,
    as ``_matrix_sympy`` refuses determinants."""
    from symgrad.symbolic.evaluate import limits, too_large

    if nodes > limits.size:
        raise too_large(f"The closed form of {what} of a {n}x{n} matrix has about {nodes} nodes (each entry "
                        f"reads all the earlier ones; limit {limits.size})")


# ---------------------------------------------------------------- rule helpers

def _triangle_mask(n: int, upper: bool, strict: bool, like: Any) -> np.ndarray:
    """1 on the triangle a triangular solve reads (``strict``: without the diagonal), 0 elsewhere."""
    lower = np.tri(n, n, -1 if strict else 0, dtype=_dtype_of(like))
    return lower.T.copy() if upper else lower


def _solve_triangular_grad_a(g: Any, out: Any, A: Any, B: Any, upper: bool, left: bool,
                             unitriangular: bool) -> Any:
    gB = _solve_triangular_grad_b(g, out, A, B, upper, left, unitriangular)
    gA = -_mm(gB, _mT(out)) if left else -_mm(_mT(out), gB)
    return gA * _triangle_mask(A.shape[-1], upper, unitriangular, gA)


def _solve_triangular_grad_b(g: Any, out: Any, A: Any, B: Any, upper: bool, left: bool,
                             unitriangular: bool) -> Any:
    return apply(_SOLVE_TRIANGULAR, _mT(A), g, upper=not upper, left=left, unitriangular=unitriangular)


_SOLVE_TRIANGULAR = defop("solve_triangular", _solve_triangular, _solve_triangular_sym, inputs=("A", "B"),
                          params=("upper", "left", "unitriangular"),
                          backward_name="LinalgSolveTriangularBackward0",
                          vjp=(_solve_triangular_grad_a, _solve_triangular_grad_b))


# ---------------------------------------------------------------- Cholesky

def _positive_definite_order(m: np.ndarray) -> int:
    """LAPACK's ``potrf`` info for one matrix (lower triangle read): the order of
    the first leading minor that is not positive definite (nan counts), or 0."""
    for k in range(1, m.shape[-1] + 1):
        try:
            diagonal = np.diagonal(np.linalg.cholesky(m[:k, :k]))
        except np.linalg.LinAlgError:
            return k
        if np.isnan(diagonal).any():
            return k
    return 0


def _cholesky_info(a: np.ndarray) -> np.ndarray:
    """``potrf``'s info per matrix (int32, shape ``a.shape[:-2]``), lower triangle read."""
    flat = a.reshape((-1,) + a.shape[-2:])
    return np.array([_positive_definite_order(m) for m in flat], dtype=np.int32).reshape(a.shape[:-2])


def _not_positive_definite(name: str, a: np.ndarray, info: np.ndarray) -> LinAlgError:
    """PyTorch's message: the first failing matrix of the batch and its minor's order."""
    flat = info.reshape(-1)
    i = int(np.argmax(flat > 0))
    where = f"(Batch element {i}): " if a.ndim > 2 else ""
    return LinAlgError(f"{name}: {where}The factorization could not be completed because the input is not "
                       f"positive-definite (the leading minor of order {flat[i]} is not positive-definite).")


def _lower_factor(a: np.ndarray) -> np.ndarray:
    """``cholesky`` of the lower triangle, nan for the matrices that are not positive definite."""
    try:
        factor = np.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        factor = None
    if factor is not None and not np.isnan(np.diagonal(factor, axis1=-2, axis2=-1)).any():
        return factor
    failed = (_cholesky_info(a) > 0)[..., None, None]
    eye = np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape)
    return np.where(failed, np.nan, np.linalg.cholesky(np.where(failed, eye, a)))


def _cholesky(a: np.ndarray, upper: bool) -> np.ndarray:
    # upper=True reads the upper triangle, which is the lower one of A.mT: U = cholesky(A.mT).mT
    if upper:
        return np.swapaxes(_lower_factor(np.swapaxes(a, -1, -2)), -1, -2)
    return _lower_factor(a)


def _cholesky_sym(x: np.ndarray, upper: bool) -> np.ndarray:
    n = x.shape[-1]
    _refuse_if_large("cholesky", n, int(np.prod(x.shape[:-2])) * 4 ** n)
    a = np.swapaxes(x, -1, -2) if upper else x
    out = np.empty(x.shape, dtype=object)
    for idx in np.ndindex(*x.shape[:-2]):
        out[idx] = _cholesky_recurrence(a[idx])
    return np.swapaxes(out, -1, -2) if upper else out


def _cholesky_recurrence(a: np.ndarray) -> np.ndarray:
    """Cholesky's recurrence on one matrix of SymPy expressions, lower triangle read."""
    n = a.shape[-1]
    factor = np.full((n, n), sp.Integer(0), dtype=object)
    for j in range(n):
        factor[j, j] = sp.sqrt(a[j, j] - sp.Add(*[factor[j, k] ** 2 for k in range(j)]))
        for i in range(j + 1, n):
            factor[i, j] = (a[i, j] - sp.Add(*[factor[i, k] * factor[j, k] for k in range(j)])) / factor[j, j]
    return factor


def _cholesky_vjp(g: Any, out: Any, A: Any, upper: bool) -> Any:
    L, gL = (_mT(out), _mT(g)) if upper else (out, g)
    n = A.shape[-1]
    P = _mm(_mT(L), gL) * _triangle_mask(n, False, False, L)
    S = (P + _mT(P * _triangle_mask(n, False, True, L))) * 0.5
    gA = apply(_SOLVE_TRIANGULAR, _mT(L), S, upper=True, left=True, unitriangular=False)
    return apply(_SOLVE_TRIANGULAR, L, gA, upper=False, left=False, unitriangular=False)


_CHOLESKY = defop("cholesky", _cholesky, _cholesky_sym, inputs=("A",), params=("upper",),
                  backward_name="LinalgCholeskyExBackward0", vjp=(_cholesky_vjp,))


# ---------------------------------------------------------------- arguments

def _bool_arg(fn: str, name: str, v: Any) -> bool:
    if not isinstance(v, (bool, np.bool_)):
        raise TypeError(f"{fn}(): argument '{name}' must be bool, not {type(v).__name__}")
    return bool(v)


def _lapack_float(kernel: str, a: Any) -> None:
    """LAPACK's dtypes only, with PyTorch's error for the others (a kernel not implemented)."""
    if a._value.dtype.kind != "f" or a._value.dtype == np.float16:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_type_name(a)}': convert with .float() "
                                  "or .double() first")


def _cholesky_input(name: str, A: Any, upper: Any) -> Any:  # noqa: N803 - PyTorch's name
    upper = _bool_arg(name.replace(".", "_"), "upper", upper)
    a = _square_matrices(name, A)
    if a._value.dtype.kind != "f":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{_type_name(a)}")
    _lapack_float("cholesky_cpu", a)
    return a, upper


def _matrices_b(B: Any, a: Any, left: bool) -> Any:  # noqa: N803 - PyTorch's name
    """``B`` as matrices of ``A``'s dtype (PyTorch converts B to A's dtype), checked against ``A``."""
    b = tensor_arg(B)
    if b.ndim < 2:
        raise RuntimeError("linalg.solve_triangular: The input tensor B must have at least 2 dimensions.")
    n = a.shape[-1]
    if (b.shape[-2] if left else b.shape[-1]) != n:
        raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and {b.shape[-2]}x{b.shape[-1]})")
    _check_batches("linalg.solve_triangular", a, b)
    return b if b._value.dtype == a._value.dtype else b.to(a.dtype)


# ---------------------------------------------------------------- public functions

def solve_triangular(A: Any, B: Any, *, upper: bool, left: bool = True,  # noqa: N803 - PyTorch's names
                     unitriangular: bool = False) -> Any:
    """The solution ``X`` of ``A @ X = B`` (``left=False``: ``X @ A = B``) for
    triangular ``A``: only its upper (``upper=True``) or lower triangle is
    read, and with ``unitriangular=True`` its diagonal is taken to be ones.
    Batch dimensions broadcast; ``B`` is converted to ``A``'s dtype, as
    PyTorch does.  A zero on the diagonal gives inf and nan, as LAPACK's.
    The closed form is substitution, exact; the gradient is PyTorch's.

    >>> import symgrad
    >>> A = symgrad.tensor([[2., 0.], [1., 4.]], requires_grad=True)
    >>> b = symgrad.tensor([[2.], [5.]])
    >>> X = symgrad.linalg.solve_triangular(A, b, upper=False)
    >>> X
    tensor([[1.],
            [1.]], grad_fn=<LinalgSolveTriangularBackward0>)
    >>> X.expr
    [[2/A[0, 0]], [(5 - 2*A[1, 0]/A[0, 0])/A[1, 1]]]
    """
    for name, v in (("upper", upper), ("left", left), ("unitriangular", unitriangular)):
        _bool_arg("linalg_solve_triangular", name, v)
    a = _square_matrices("linalg.solve_triangular", A)
    _lapack_float("triangular_solve_cpu", a)
    b = _matrices_b(B, a, bool(left))
    return apply(_SOLVE_TRIANGULAR, a, b, upper=bool(upper), left=bool(left), unitriangular=bool(unitriangular))


def linalg_cholesky(A: Any, *, upper: bool = False) -> Any:  # noqa: N803 - PyTorch's name
    """``L`` with ``A = L @ L.mT`` for each symmetric positive-definite matrix,
    ``L`` lower triangular with a positive diagonal (``upper=True``: ``U`` with
    ``A = U.mT @ U``).  Only the lower (``upper=True``: the upper) triangle of
    ``A`` is read.  A matrix that is not positive definite raises
    ``LinAlgError`` naming the first leading minor that is not.  The closed
    form is Cholesky's recurrence; the gradient is PyTorch's (symmetric).

    >>> import symgrad
    >>> A = symgrad.tensor([[4., 2.], [2., 3.]], requires_grad=True)
    >>> L = symgrad.linalg.cholesky(A)
    >>> L
    tensor([[2.0000, 0.0000],
            [1.0000, 1.4142]], grad_fn=<LinalgCholeskyExBackward0>)
    >>> L.expr
    [[sqrt(A[0, 0]), 0], [A[1, 0]/sqrt(A[0, 0]), sqrt(A[1, 1] - A[1, 0]**2/A[0, 0])]]
    """
    a, upper = _cholesky_input("linalg.cholesky", A, upper)
    info = _cholesky_info_if_failed(a._value, upper)
    if info is not None:
        raise _not_positive_definite("linalg.cholesky", a._value, info)
    return apply(_CHOLESKY, a, upper=upper)


def _cholesky_info_if_failed(a: np.ndarray, upper: bool) -> np.ndarray | None:
    """``potrf``'s info when some matrix is not positive definite, else None (the common case costs one factorization)."""
    lower = np.swapaxes(a, -1, -2) if upper else a
    try:
        if not np.isnan(np.diagonal(np.linalg.cholesky(lower), axis1=-2, axis2=-1)).any():
            return None
    except np.linalg.LinAlgError:
        pass
    return _cholesky_info(lower)


def cholesky_ex(A: Any, *, upper: bool = False, check_errors: bool = False) -> Any:  # noqa: N803
    """``(L, info)``: ``linalg.cholesky``'s factor, and LAPACK's ``info`` (int32;
    0, or the order of the first leading minor that is not positive definite).
    The factor of such a matrix is nan (PyTorch leaves LAPACK's partial result)
    unless ``check_errors=True``, which raises ``LinAlgError`` instead.

    >>> import symgrad
    >>> L, info = symgrad.linalg.cholesky_ex(symgrad.tensor([[[4., 2.], [2., 3.]], [[1., 2.], [2., 1.]]]))
    >>> info
    tensor([0, 2], dtype=symgrad.int32)
    >>> L[1]
    tensor([[nan, nan],
            [nan, nan]])
    """
    a, upper = _cholesky_input("linalg.cholesky_ex", A, upper)
    info = _cholesky_info_if_failed(a._value, upper)
    if info is None:
        info = np.zeros(a.shape[:-2], dtype=np.int32)
    elif check_errors:
        raise _not_positive_definite("linalg.cholesky_ex", a._value, info)
    return return_types.linalg_cholesky_ex(apply(_CHOLESKY, a, upper=upper), tensor_arg(info))


def cholesky(input: Any, upper: bool = False) -> Any:
    """``torch.cholesky`` (deprecated in PyTorch, with its warning):
    ``linalg.cholesky(input, upper=upper)``.

    >>> import symgrad, warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     symgrad.cholesky(symgrad.tensor([[4., 2.], [2., 3.]]), upper=True)
    tensor([[2.0000, 1.0000],
            [0.0000, 1.4142]])
    """
    warnings.warn("torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a future "
                  "PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\nL = torch.linalg.cholesky(A)\n"
                  "and\nU = torch.cholesky(A, upper=True)\nshould be replaced with\nU = torch.linalg.cholesky(A).mH\n"
                  "This transform will produce equivalent results for all valid (symmetric positive definite) "
                  "inputs.", UserWarning, stacklevel=2)
    return linalg_cholesky(input, upper=upper)

