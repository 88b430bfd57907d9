"""QR and singular value decompositions: ``linalg.qr`` (``symgrad.qr``,
``Tensor.qr``), ``linalg.svd``, ``linalg.svdvals`` (``symgrad.svd``,
``Tensor.svd``); one op-table entry per result, as ``eigh`` has (each runs
LAPACK through NumPy; a rule reads the other results by applying their
entries to the same input).

The rules are PyTorch's (``linalg_qr_backward``, ``svd_backward``, real
case), split by result; they are linear in the incoming gradients, so the
parts add up to PyTorch's gradient::

    QR, m >= n     M = g_R @ R.T - Q.T @ g_Q,   gA = (g_Q + Q @ syminv(triu(M))) @ R^-T
    QR, m <  n     gA = [Q @ tril(X - X.T) @ R1^-T, 0] + Q @ g_R,   X = -M,  R1 = R[:, :m]
    SVD            gS: U @ diag(g) @ Vh;  gU, gVh: PyTorch's, through E[i, j] = S[j]**2 - S[i]**2

``syminv(X) = X + X.T`` with the diagonal halved.  ``E`` is 0 off the
diagonal at repeated singular values, so the singular vectors' gradient is
inf or nan there, as PyTorch's; the singular values' gradient is fine.

Closed forms.  QR has one: the factorization with R's diagonal signs fixed is
unique at a matrix of full column rank, ``R = D @ cholesky(A.T @ A).T`` and
``Q = A @ R^-1`` (Gram-Schmidt), with ``D`` the signs LAPACK's Householder
steps chose - read from the numbers when the op runs and kept as a parameter,
as ``pinv`` keeps its rank.  Where a diagonal element of R is 0, or for the
extra columns of a complete Q (any orthonormal completion would do), there is
none, and ``.expr`` raises ``NoClosedFormError``.  The SVD has none (singular
values are roots of a polynomial, the vectors' signs LAPACK's choice).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from symgrad import return_types
from symgrad.dispatch import apply
from symgrad.ops._sympy import sp
from symgrad.ops.linalg import _mm
from symgrad.ops.matrices import _mT
from symgrad.ops.registry import ClosedFormAtTracedChoices, NoClosedForm, NoClosedFormError, defop
from symgrad.ops.shape import _CAT, _dtype_of, _reshape
from symgrad.ops.structure import triu
from symgrad.ops.triangular import _SOLVE_TRIANGULAR, _cholesky_recurrence, _refuse_if_large, _substitute

__all__ = ["qr", "svd"]

_QR_MODES = ("reduced", "complete", "r")


# ---------------------------------------------------------------- QR: numbers and closed form

def _qr_q(a: np.ndarray, mode: str, signs: tuple[float, ...]) -> np.ndarray:
    if mode == "r":  # (Q is not computed: PyTorch returns an empty tensor)
        return np.zeros((0,), dtype=a.dtype)
    q = np.linalg.qr(a, mode="complete").Q if mode == "complete" else np.linalg.qr(a).Q
    return q.astype(a.dtype)


def _qr_r(a: np.ndarray, mode: str, signs: tuple[float, ...]) -> np.ndarray:
    r: np.ndarray = np.linalg.qr(a, mode="complete").R if mode == "complete" else np.linalg.qr(a, mode="r")  # type: ignore[assignment]
    return r.astype(a.dtype)


def diagonal_signs(a: np.ndarray) -> tuple[float, ...]:
    """The signs of R's diagonal (flattened over the batch): LAPACK's choices,
    which the closed form keeps.  0 where the diagonal element is 0 at working
    precision (at most ``eps * max(m, n)`` times the largest): the columns are
    dependent there, Q is not determined by A, and there is no closed form."""
    diagonal = np.diagonal(np.linalg.qr(a, mode="r"), axis1=-2, axis2=-1)
    largest = np.abs(diagonal).max(axis=-1, keepdims=True, initial=0.0)
    small = np.abs(diagonal) <= np.finfo(a.dtype).eps * max(a.shape[-2:]) * largest
    return tuple(float(s) for s in np.where(small, 0.0, np.sign(diagonal)).reshape(-1))


_NO_COMPLETION = ("linalg.qr has no closed form for Q when mode='complete' and the matrix has more rows than "
                  "columns: its last m - n columns are any orthonormal completion (LAPACK's choice). Use "
                  "mode='reduced', or the numbers (.numpy())")
_RANK_DEFICIENT = ("linalg.qr has no closed form here: R has a zero on its diagonal (the columns are linearly "
                   "dependent), where Q is not determined by A. The numbers are LAPACK's; use them (.numpy())")


def _qr_sym(x: np.ndarray, mode: str, signs: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(Q, R) of object arrays, by Gram-Schmidt with R's diagonal signs ``signs``."""
    m, n = x.shape[-2:]
    k = min(m, n)
    if 0 in signs:
        raise NoClosedFormError(_RANK_DEFICIENT)
    _refuse_if_large("qr", k, int(np.prod(x.shape[:-2])) * m * n * 4 ** k)
    q, r = np.empty(x.shape[:-1] + (k,), dtype=object), np.empty(x.shape[:-2] + (k, n), dtype=object)
    for b, idx in enumerate(np.ndindex(*x.shape[:-2])):
        q[idx], r[idx] = _gram_schmidt(x[idx], signs[b * k:(b + 1) * k])
    return q, r


def _gram_schmidt(a: np.ndarray, signs: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Q and R of one matrix: R's first k columns are the Cholesky factor of the
    Gram matrix (rows signed), Q solves Q @ R1 = A[:, :k], the rest of R is Q.T @ A."""
    k = min(a.shape)
    first = a[:, :k]
    gram = np.array([[sp.Add(*(first[:, i] * first[:, j])) for j in range(k)] for i in range(k)], dtype=object)
    sign = np.array([sp.Integer(int(s)) for s in signs], dtype=object)
    r1 = _cholesky_recurrence(gram).T * sign[:, None]
    q = _substitute(r1.T[None], first.T[None], False, False)[0].T  # R1.T @ Q.T = A1.T, R1.T lower triangular
    rest = np.array([[sp.Add(*(q[:, i] * a[:, j])) for j in range(k, a.shape[1])] for i in range(k)], dtype=object)
    return q, np.concatenate([r1, rest.reshape(k, a.shape[1] - k)], axis=1)


def _qr_q_sym(x: np.ndarray, mode: str, signs: tuple[float, ...]) -> np.ndarray:
    if mode == "r":
        return np.zeros((0,), dtype=object)
    if mode == "complete" and x.shape[-2] > x.shape[-1]:
        raise NoClosedFormError(_NO_COMPLETION)
    return _qr_sym(x, mode, signs)[0]


def _qr_r_sym(x: np.ndarray, mode: str, signs: tuple[float, ...]) -> np.ndarray:
    r = _qr_sym(x, mode, signs)[1]
    m, n = x.shape[-2:]
    if mode != "complete" or m <= n:
        return r
    zeros = np.full(x.shape[:-2] + (m - n, n), sp.Integer(0), dtype=object)  # R's rows below the square
    return np.concatenate([r, zeros], axis=-2)


# ---------------------------------------------------------------- QR: PyTorch's rule, split by result

def _qr_vjp(gQ: Any, gR: Any, A: Any, mode: str, signs: tuple[float, ...]) -> Any:  # noqa: N803
    if mode == "r":
        raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please "
                           "use linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.")
    m, n = A.shape[-2:]
    if mode == "complete" and m > n:
        raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
    Q, R = apply(_QR_Q, A, mode=mode, signs=signs), apply(_QR_R, A, mode=mode, signs=signs)
    M = _mm(gR, _mT(R)) if gQ is None else -_mm(_mT(Q), gQ) if gR is None else _mm(gR, _mT(R)) - _mm(_mT(Q), gQ)
    if m >= n:
        upper = triu(M)
        gA = _mm(Q, upper + _mT(upper) - upper * np.eye(n, dtype=_dtype_of(M)))  # syminv: the diagonal once
        gA = gA if gQ is None else gA + gQ
        return apply(_SOLVE_TRIANGULAR, _mT(R), gA, upper=False, left=False, unitriangular=False)
    skew = _mm(Q, (M - _mT(M)) * -np.tri(m, m, dtype=_dtype_of(M)))  # tril(X - X.T), X = -M
    gA = apply(_SOLVE_TRIANGULAR, _mT(R[..., :m]), skew, upper=False, left=False, unitriangular=False)
    gA = _pad_columns(gA, n - m)
    return gA if gR is None else gA + _mm(Q, gR)


def _pad_columns(x: Any, extra: int) -> Any:
    """``x`` with ``extra`` zero columns on the right (A's columns past the square block get no gradient here)."""
    if not extra:
        return x
    return apply(_CAT, x, np.zeros(tuple(x.shape[:-1]) + (extra,), dtype=_dtype_of(x)), dim=x.ndim - 1)


# Which sign Householder gives each diagonal element of R depends on the matrix (the sign of a
# reflected column's element), so code writing the closed form would keep the traced signs at every input
_TRACED_SIGNS = (
    "its closed form keeps the signs LAPACK chose for R's diagonal at the traced matrix, and at other matrices "
    "LAPACK may choose other signs, so element-by-element code (the math and C backends, scalar inputs) would "
    "silently differ from linalg.qr there. Give array inputs to the numpy, jax or torch backend, which call "
    "their own QR at run time")

_QR_Q = defop("qr_q", _qr_q, ClosedFormAtTracedChoices(_qr_q_sym, _TRACED_SIGNS), inputs=("A",),
              params=("mode", "signs"), backward_name="LinalgQrBackward0",
              vjp=(lambda g, out, A, mode, signs: _qr_vjp(g, None, A, mode, signs),))
_QR_R = defop("qr_r", _qr_r, ClosedFormAtTracedChoices(_qr_r_sym, _TRACED_SIGNS), inputs=("A",),
              params=("mode", "signs"), backward_name="LinalgQrBackward0",
              vjp=(lambda g, out, A, mode, signs: _qr_vjp(None, g, A, mode, signs),))


# ---------------------------------------------------------------- SVD: numbers, PyTorch's rule split by result

_NO_SVD_CLOSED_FORM = NoClosedForm(
    "linalg.svd and linalg.svdvals have no closed form: singular values are the square roots of the eigenvalues of "
    "A.T @ A (roots of a polynomial, no formula beyond small sizes) and the singular vectors' signs are chosen by "
    "LAPACK, so a formula would not agree with the numbers. Numbers and numeric gradients (any order) work; for a "
    "closed form of what follows, make the numbers a constant first (symgrad.tensor(S.detach().numpy())), and "
    "generate code from a graph without svd")


def _row(v: Any) -> Any:
    """A batch of vectors (..., k) as rows (..., 1, k): it scales columns."""
    return _reshape(v, tuple(v.shape[:-1]) + (1, v.shape[-1]))


def _col(v: Any) -> Any:
    """A batch of vectors (..., k) as columns (..., k, 1): it scales rows."""
    return _reshape(v, tuple(v.shape) + (1,))


def _thin_svd(A: Any) -> tuple[Any, Any, Any]:  # noqa: N803
    return (apply(_SVD_U, A, full_matrices=False), apply(_SVDVALS, A),
            apply(_SVD_VH, A, full_matrices=False))


def _svdvals_vjp(g: Any, out: Any, A: Any) -> Any:  # noqa: N803
    U, _, Vh = _thin_svd(A)
    return _mm(U * _row(g), Vh)


def _singular_vectors_vjp(gU: Any, gVh: Any, A: Any) -> Any:  # noqa: N803
    """PyTorch's svd_backward (real case) for the gradient of one of U, Vh (thin)."""
    m, n = A.shape[-2:]
    U, S, Vh = _thin_svd(A)
    S2 = S * S
    E = _row(S2) - _col(S2) + np.eye(S.shape[-1], dtype=_dtype_of(S))  # S[j]**2 - S[i]**2; 1 on the diagonal
    if gU is not None:
        UhgU = _mm(_mT(U), gU)
        gA = (UhgU - _mT(UhgU)) / E * _row(S)
        if m > n:  # the part of gU outside U's columns
            gUSinv = gU / _row(S)
            return _mm(_mm(U, gA) + gUSinv - _mm(U, _mm(_mT(U), gUSinv)), Vh)
    else:
        VhgV = _mm(Vh, _mT(gVh))
        gA = _col(S) * ((VhgV - _mT(VhgV)) / E)
        if m < n:  # the part of gVh outside Vh's rows
            SinvgVh = gVh / _col(S)
            return _mm(U, _mm(gA, Vh) + SinvgVh - _mm(_mm(SinvgVh, _mT(Vh)), Vh))
    return _mm(_mm(U, gA), Vh)


def _svd(a: np.ndarray, full_matrices: bool) -> Any:
    return np.linalg.svd(a, full_matrices=full_matrices)


# (a full U's extra columns, a full Vh's extra rows, carry no information about A: PyTorch drops their gradients)
_SVD_U = defop("svd_u", lambda a, full_matrices: _svd(a, full_matrices)[0], _NO_SVD_CLOSED_FORM, inputs=("A",),
               params=("full_matrices",), backward_name="LinalgSvdBackward0",
               vjp=(lambda g, out, A, full_matrices: _singular_vectors_vjp(g[..., :min(A.shape[-2:])], None, A),))
_SVDVALS = defop("svdvals", lambda a: np.linalg.svd(a, compute_uv=False), _NO_SVD_CLOSED_FORM, inputs=("A",),
                 backward_name="LinalgSvdBackward0", vjp=(_svdvals_vjp,))
_SVD_VH = defop("svd_vh", lambda a, full_matrices: _svd(a, full_matrices)[2], _NO_SVD_CLOSED_FORM, inputs=("A",),
                params=("full_matrices",), backward_name="LinalgSvdBackward0",
                vjp=(lambda g, out, A, full_matrices: _singular_vectors_vjp(None, g[..., :min(A.shape[-2:]), :], A),))


# ---------------------------------------------------------------- arguments

def _float_matrices(name: str, A: Any) -> Any:  # noqa: N803
    """``A`` as a tensor of matrices (any shape) of a LAPACK dtype, or PyTorch's error."""
    from symgrad.ops._util import tensor_arg
    from symgrad.ops.matrices import _floating

    a = tensor_arg(A)
    if a.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    _floating(name, a)
    return a


def _no_driver(driver: Any) -> None:
    if driver is not None:
        raise RuntimeError("torch.linalg.svd: keyword argument `driver=` is only supported on CUDA inputs with "
                           "cuSOLVER backend.")


# ---------------------------------------------------------------- public functions

def linalg_qr(A: Any, mode: str = "reduced") -> Any:  # noqa: N803 - PyTorch's name
    """``(Q, R)`` with ``A = Q @ R`` for each matrix ``(..., m, n)``: ``Q`` with
    orthonormal columns, ``R`` upper triangular.  ``mode="reduced"`` (Q is m x k,
    R k x n, k = min(m, n)), ``"complete"`` (Q m x m, R m x n) or ``"r"`` (R
    only; Q is empty).  The numbers are LAPACK's (Householder); the closed form
    is Gram-Schmidt with the signs LAPACK chose for R's diagonal, the gradient
    PyTorch's, refused as PyTorch refuses it for ``mode="r"`` and for
    ``"complete"`` with m > n.

    >>> import symgrad
    >>> A = symgrad.tensor([[3.], [4.]], requires_grad=True)
    >>> Q, R = symgrad.linalg.qr(A)
    >>> R
    tensor([[-5.]], grad_fn=<LinalgQrBackward0>)
    >>> R.expr
    [[-sqrt(A[0, 0]**2 + A[1, 0]**2)]]
    >>> Q.expr
    [[-A[0, 0]/sqrt(A[0, 0]**2 + A[1, 0]**2)], [-A[1, 0]/sqrt(A[0, 0]**2 + A[1, 0]**2)]]
    """
    if not isinstance(mode, str):
        raise TypeError(f"linalg_qr(): argument 'mode' must be str, not {type(mode).__name__}")
    if mode not in _QR_MODES:
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', "
                           "or 'complete'")
    a = _float_matrices("linalg.qr", A)
    signs = diagonal_signs(a._value)
    return return_types.linalg_qr(apply(_QR_Q, a, mode=mode, signs=signs), apply(_QR_R, a, mode=mode, signs=signs))


def qr(input: Any, some: bool = True) -> Any:
    """``torch.qr`` (deprecated in PyTorch, with its warning): ``linalg.qr(input,
    "reduced" if some else "complete")``.

    >>> import symgrad, warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     symgrad.qr(symgrad.tensor([[3.], [4.]]), some=False).Q
    tensor([[-0.6000, -0.8000],
            [-0.8000,  0.6000]])
    """
    warnings.warn("torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future PyTorch "
                  "release.\nThe boolean parameter 'some' has been replaced with a string parameter 'mode'.\n"
                  "Q, R = torch.qr(A, some)\nshould be replaced with\n"
                  "Q, R = torch.linalg.qr(A, 'reduced' if some else 'complete')", UserWarning, stacklevel=2)
    Q, R = linalg_qr(input, "reduced" if some else "complete")
    return return_types.qr(Q, R)


def linalg_svd(A: Any, full_matrices: bool = True, *, driver: Any = None) -> Any:  # noqa: N803 - PyTorch's names
    """``(U, S, Vh)`` with ``A = U @ diag(S) @ Vh`` for each matrix, singular
    values descending; ``full_matrices=False`` gives the thin factors (U m x k,
    Vh k x n).  Gradients are PyTorch's (the vectors': inf or nan at repeated
    singular values, as PyTorch's); each singular vector's sign is LAPACK's
    choice, and there is no closed form (``.expr`` raises ``NoClosedFormError``).

    >>> import symgrad
    >>> A = symgrad.tensor([[3., 0.], [0., -2.]], requires_grad=True)
    >>> U, S, Vh = symgrad.linalg.svd(A)
    >>> S.detach().numpy().round(12).tolist()
    [3.0, 2.0]
    >>> S[1].backward()
    >>> A.grad
    tensor([[ 0.,  0.],
            [ 0., -1.]])
    """
    _no_driver(driver)
    a = _float_matrices("linalg.svd", A)
    fm = bool(full_matrices)
    return return_types.linalg_svd(apply(_SVD_U, a, full_matrices=fm), apply(_SVDVALS, a),
                                   apply(_SVD_VH, a, full_matrices=fm))


def svdvals(A: Any, *, driver: Any = None) -> Any:  # noqa: N803 - PyTorch's names
    """The singular values of each matrix, descending; the gradient is
    ``U @ diag(g) @ Vh``.

    >>> import symgrad
    >>> symgrad.linalg.svdvals(symgrad.tensor([[0., 2.], [1., 0.]]))
    tensor([2., 1.])
    """
    _no_driver(driver)
    return apply(_SVDVALS, _float_matrices("linalg.svd", A))


def svd(input: Any, some: bool = True, compute_uv: bool = True) -> Any:
    """``torch.svd``: ``(U, S, V)`` - ``V``, not ``Vh`` - thin unless
    ``some=False``.  With ``compute_uv=False`` U and V are zeros (full size), as
    PyTorch's.

    >>> import symgrad
    >>> U, S, V = symgrad.svd(symgrad.tensor([[0., 2.], [1., 0.]]))
    >>> S
    tensor([2., 1.])
    >>> V.abs()
    tensor([[0., 1.],
            [1., 0.]])
    """
    a = _float_matrices("linalg.svd", input)
    if not compute_uv:
        m, n = a.shape[-2:]
        batch = tuple(a.shape[:-2])
        return return_types.svd(_zeros(a, batch + (m, m)), svdvals(a), _zeros(a, batch + (n, n)))
    U, S, Vh = linalg_svd(a, full_matrices=not some)
    return return_types.svd(U, S, _mT(Vh))


def _zeros(like: Any, shape: tuple[int, ...]) -> Any:
    from symgrad.ops._util import tensor_arg

    return tensor_arg(np.zeros(shape, dtype=like._value.dtype))
