"""The Moore-Penrose pseudoinverse: ``linalg.pinv`` (and ``symgrad.pinverse``),
one op-table entry.

* Numbers as PyTorch computes them: the SVD (``hermitian=True``: the
  eigendecomposition of the lower triangle), with the singular values at or
  below ``max(atol, rtol * largest)`` treated as zero.
* The rule is PyTorch's ``pinv_backward`` (Golub and Pereyra), in symgrad ops:
  the derivative of the pseudoinverse where the rank does not change nearby,
  which holds at full rank.
* The closed form assumes full rank: ``inv(A)``, ``inv(A.T @ A) @ A.T`` (tall),
  ``A.T @ inv(A @ A.T)`` (wide).  At a matrix whose numeric rank is lower -
  exactly singular, or with singular values under the threshold - that
  formula would be wrong (or divide by zero), so the entry's ``full_rank``
  parameter, found from the numbers when the op runs, makes ``.expr`` (and
  closed-form gradients) raise ``NoClosedFormError`` instead.  Numbers and
  numeric gradients work at any rank.  Scalar-mode code (``math``, C) is
  refused at every rank: it would run the full-rank formula at matrices of
  lower numeric rank too, where it silently differs (``ClosedFormAtTracedChoices``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symgrad.dispatch import apply
from symgrad.ops import _matrix_sympy as _sym
from symgrad.ops._util import tensor_arg
from symgrad.ops.linalg import _mm
from symgrad.ops.matrices import _mT, _square_matrices, _type_name
from symgrad.ops.registry import ClosedFormAtTracedChoices, NoClosedFormError, defop

__all__ = ["pinverse"]


# ---------------------------------------------------------------- numbers

def _decomposition(a: np.ndarray, hermitian: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(u, s, vh)`` with ``a = u @ diag(s) @ vh``: the thin SVD, or for
    ``hermitian`` the eigendecomposition of the lower triangle (``s`` signed)."""
    if hermitian:
        s, v = np.linalg.eigh(a, UPLO="L")
        return v, s, np.swapaxes(v, -1, -2)
    return np.linalg.svd(a, full_matrices=False)  # type: ignore[return-value]


def _kept(s: np.ndarray, atol: Any, rtol: Any) -> np.ndarray:
    """Which singular values count: above ``max(atol, rtol * largest)``, tolerances per matrix."""
    largest = np.abs(s).max(axis=-1, keepdims=True, initial=0.0)
    return np.abs(s) > np.maximum(np.asarray(atol)[..., None], np.asarray(rtol)[..., None] * largest)


def _pinv(a: np.ndarray, atol: Any, rtol: Any, hermitian: bool, full_rank: bool) -> np.ndarray:
    u, s, vh = _decomposition(a, hermitian)
    kept = _kept(s, atol, rtol)
    s_inv = np.where(kept, 1 / np.where(kept, s, 1), 0).astype(a.dtype)
    return np.matmul(np.swapaxes(vh, -1, -2) * s_inv[..., None, :], np.swapaxes(u, -1, -2))


def _pinv_sym(x: np.ndarray, atol: Any, rtol: Any, hermitian: bool, full_rank: bool) -> np.ndarray:
    if not full_rank:
        raise NoClosedFormError(
            "linalg.pinv has no closed form here: the matrix's numeric rank is lower than min(m, n) (singular "
            "values at or below max(atol, rtol * largest) count as zero), and the closed form symgrad writes, "
            "inv(A), inv(A.T @ A) @ A.T or A.T @ inv(A @ A.T), assumes full rank - it would be wrong at this "
            "matrix. The numbers and numeric gradients are right; use them (.numpy(), .grad), or give a full-rank "
            "matrix")
    batch = np.broadcast_shapes(x.shape[:-2], np.shape(atol), np.shape(rtol))
    return _sym.pseudoinverse(x, batch, hermitian)


# PyTorch's pinv_backward, real case: the product order keeps the matrices min(m, n) square
def _pinv_vjp(g: Any, out: Any, A: Any, atol: Any, rtol: Any, hermitian: bool, full_rank: bool) -> Any:
    P, Ph, gh = out, _mT(out), _mT(g)
    if A.shape[-2] <= A.shape[-1]:
        K = _mm(gh, P)
        KPh = _mm(K, Ph)
        return -_mT(_mm(P, K)) + KPh - _mm(_mm(A, P), KPh) + _mm(_mm(Ph, P), gh - _mm(K, A))
    K = _mm(P, gh)
    PhK = _mm(Ph, K)
    return -_mT(_mm(K, P)) + _mm(_mm(gh - _mm(A, K), P), Ph) + PhK - _mm(_mm(PhK, P), A)


# The rank decides which singular values pinv drops; code writing the full-rank formula would keep
# them all at every input: at a matrix of lower numeric rank (singular values within rtol of 0, not 0)
# it would return 1/s, about 1e17, where linalg.pinv returns 0
_TRACED_RANK = (
    "its closed form is the full-rank formula, right where the matrix has full numeric rank, and "
    "element-by-element code (the math and C backends, scalar inputs) would use it at every input: where singular "
    "values are at or below max(atol, rtol * largest) but not 0, it would return their huge reciprocals where "
    "linalg.pinv drops them. Give array inputs to the numpy, jax or torch backend (which compute the pseudoinverse "
    "at run time), or, for matrices known to have full rank, write the formula: "
    "linalg.solve(A.mT @ A, A.mT) for a tall A")

_PINV = defop("pinv", _pinv, ClosedFormAtTracedChoices(_pinv_sym, _TRACED_RANK), inputs=("A",), params=("atol", "rtol", "hermitian", "full_rank"),
              backward_name="LinalgPinvBackward0", vjp=(_pinv_vjp,))


# ---------------------------------------------------------------- arguments

def _tolerance(name: str, v: Any) -> Any:
    """A tolerance as a float, or a float64 array (one per matrix of a batch)."""
    from symgrad._tensor import Tensor

    if isinstance(v, Tensor):
        v = v._value
    if isinstance(v, np.ndarray) and v.dtype.kind in "biuf":
        return float(v) if v.ndim == 0 else v.astype(np.float64)
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return float(v)
    raise TypeError(f"linalg.pinv: {name} must be a real number or a tensor of them, not {type(v).__name__}")


def _tolerances(a: Any, atol: Any, rtol: Any) -> tuple[Any, Any]:
    """PyTorch's defaults: ``atol`` 0; ``rtol`` 0 where ``atol > 0`` was given, else ``eps * max(m, n)``."""
    atol_v = 0.0 if atol is None else _tolerance("atol", atol)
    if rtol is not None:
        return atol_v, _tolerance("rtol", rtol)
    default = float(np.finfo(a._value.dtype).eps * max(a.shape[-2:]))
    if atol is None:
        return atol_v, default
    rtol_v = np.where(np.asarray(atol_v) > 0, 0.0, default)
    return atol_v, float(rtol_v) if rtol_v.ndim == 0 else rtol_v


def _float_input(A: Any, hermitian: Any) -> Any:  # noqa: N803
    a = tensor_arg(A)
    if a.ndim < 2 or a._value.dtype.kind != "f" or a._value.dtype == np.float16:
        raise RuntimeError(f"linalg.pinv({_type_name(a)}{list(a.shape)}): expected a tensor with 2 or more "
                           "dimensions of float, double, cfloat or cdouble types (convert with .double())")
    if not isinstance(hermitian, bool):
        raise TypeError(f"linalg.pinv: hermitian must be a bool, not {type(hermitian).__name__}")
    return _square_matrices("linalg.eigh", a) if hermitian else a


# ---------------------------------------------------------------- public functions

def pinv(A: Any, rcond: Any = None, hermitian: bool = False, *, atol: Any = None,  # noqa: N803 - PyTorch's names
         rtol: Any = None) -> Any:
    """The pseudoinverse of each matrix ``(..., m, n)``, any shape and rank.

    Singular values at or below ``max(atol, rtol * largest)`` count as zero
    (``rtol`` defaults to ``eps * max(m, n)``, or 0 when ``atol > 0`` is given;
    ``rcond`` is NumPy's name for ``rtol``, with ``atol = 0``).  ``hermitian``
    says ``A`` is symmetric: only its lower triangle is read.  The gradient is
    PyTorch's.  The closed form is the full-rank formula; at a matrix of lower
    numeric rank ``.expr`` raises ``NoClosedFormError`` (the formula would be
    wrong there), while the numbers and numeric gradients stay right.

    >>> import symgrad
    >>> A = symgrad.tensor([[1., 0., 1.]], requires_grad=True)
    >>> symgrad.linalg.pinv(A)
    tensor([[0.5000],
            [0.0000],
            [0.5000]], grad_fn=<LinalgPinvBackward0>)
    >>> symgrad.linalg.pinv(A).expr
    [[A[0, 0]/(A[0, 0]**2 + A[0, 1]**2 + A[0, 2]**2)], [A[0, 1]/(A[0, 0]**2 + A[0, 1]**2 + A[0, 2]**2)], [A[0, 2]/(A[0, 0]**2 + A[0, 1]**2 + A[0, 2]**2)]]
    """
    if rcond is not None:
        if atol is not None or rtol is not None:
            raise TypeError("linalg.pinv: rcond is NumPy's name for rtol (with atol=0); pass either rcond, or "
                            "atol and rtol, not both")
        atol, rtol = 0.0, rcond
    a = _float_input(A, hermitian)
    atol_v, rtol_v = _tolerances(a, atol, rtol)
    _, s, _ = _decomposition(a._value, hermitian)
    full_rank = bool(_kept(s, atol_v, rtol_v).all())
    return apply(_PINV, a, atol=atol_v, rtol=rtol_v, hermitian=hermitian, full_rank=full_rank)


def pinverse(input: Any, rcond: float = 1e-15) -> Any:
    """``torch.pinverse``: ``linalg.pinv(input, rtol=rcond)``.

    >>> import symgrad
    >>> symgrad.pinverse(symgrad.tensor([[2., 0.], [0., 0.]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.0000]])
    """
    return pinv(input, rcond)
