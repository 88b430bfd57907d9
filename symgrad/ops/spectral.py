"""Eigenvalues and eigenvectors of symmetric matrices: ``linalg.eigh`` and
``linalg.eigvalsh``, two op-table entries (one per result, as ``slogdet``
has one per result; each runs LAPACK's ``syevd`` through NumPy).

The rules are PyTorch's (``linalg_eig_backward``, real symmetric case),
split by result; their sum is PyTorch's gradient::

    eigenvalues L     V @ diag(g) @ V.T
    eigenvectors V    V @ (skew(V.T @ g) / E) @ V.T,   skew(X) = (X - X.T) / 2,
                      E[i, j] = L[j] - L[i] off the diagonal, 1 on it

Only the lower (``UPLO="U"``: upper) triangle is read, and the gradient is
symmetric, as PyTorch's: differentiate ``eigh(A + A.mT)`` to compare with
finite differences.  Repeated eigenvalues make the eigenvectors' gradient
inf or nan (``1/(L[j] - L[i])``), as in PyTorch; the eigenvalues' gradient
is fine there.

No closed form: the eigenvalues of an n x n matrix are the roots of a
degree-n polynomial, and the eigenvectors' signs are LAPACK's choice, so a
formula could not agree with the numbers.  The symbolic forwards raise
``NoClosedFormError``, and code generation refuses these graphs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symgrad import return_types
from symgrad.dispatch import apply
from symgrad.ops.linalg import _mm
from symgrad.ops.matrices import LinAlgError, _mT, _square_matrices, _type_name
from symgrad.ops.registry import NoClosedForm, defop
from symgrad.ops.shape import _dtype_of, _reshape

__all__: list[str] = []

_NO_CLOSED_FORM = NoClosedForm(
    "linalg.eigh and linalg.eigvalsh have no closed form: eigenvalues are the roots of the characteristic "
    "polynomial (no formula beyond small sizes) and the eigenvectors' signs are chosen by LAPACK, so a formula "
    "would not agree with the numbers. Numbers and numeric gradients (any order) work; for a closed form of what "
    "follows, make the numbers a constant first (symgrad.tensor(values.detach().numpy())), and generate code from "
    "a graph without eigh")


def _eigh(a: np.ndarray, UPLO: str) -> tuple[np.ndarray, np.ndarray]:  # noqa: N803 - PyTorch's name
    try:
        return np.linalg.eigh(a, UPLO=UPLO)  # type: ignore[call-overload,return-value]
    except np.linalg.LinAlgError:
        raise LinAlgError("linalg.eigh: The algorithm failed to converge because the input matrix is "
                          "ill-conditioned or has too many repeated eigenvalues") from None


def _row(v: Any) -> Any:
    """A batch of vectors (..., n) as a batch of rows (..., 1, n): it scales columns."""
    return _reshape(v, tuple(v.shape[:-1]) + (1, v.shape[-1]))


def _eigenvalues_vjp(g: Any, out: Any, A: Any, UPLO: str) -> Any:  # noqa: N803
    V = apply(_EIGENVECTORS, A, UPLO=UPLO)
    return _mm(V * _row(g), _mT(V))


def _eigenvectors_vjp(g: Any, out: Any, A: Any, UPLO: str) -> Any:  # noqa: N803
    L = _row(apply(_EIGENVALUES, A, UPLO=UPLO))
    E = L - _mT(L) + np.eye(A.shape[-1], dtype=_dtype_of(A))  # L[j] - L[i]; 1 on the diagonal, where skew is 0
    X = _mm(_mT(out), g)
    return _mm(_mm(out, (X - _mT(X)) * 0.5 / E), _mT(out))


_EIGENVALUES = defop("eigvalsh", lambda a, UPLO: _eigh(a, UPLO)[0], _NO_CLOSED_FORM, inputs=("A",),
                     params=("UPLO",), backward_name="LinalgEighBackward0", vjp=(_eigenvalues_vjp,))
_EIGENVECTORS = defop("eigh_vectors", lambda a, UPLO: _eigh(a, UPLO)[1], _NO_CLOSED_FORM, inputs=("A",),
                      params=("UPLO",), backward_name="LinalgEighBackward0", vjp=(_eigenvectors_vjp,))


def _symmetric_input(name: str, A: Any, UPLO: Any) -> tuple[Any, str]:  # noqa: N803
    if not isinstance(UPLO, str):
        raise TypeError(f"{name}(): argument 'UPLO' must be str, not {type(UPLO).__name__}")
    if UPLO.upper() not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    a = _square_matrices("linalg.eigh", A)
    dtype = a._value.dtype
    if dtype.kind != "f" or dtype == np.float16:
        raise NotImplementedError(f"\"linalg_eigh_cpu\" not implemented for '{_type_name(a)}': "
                                  "convert with .float() or .double() first")
    return a, UPLO.upper()


def eigh(A: Any, UPLO: str = "L") -> Any:  # noqa: N803 - PyTorch's argument names
    """``(eigenvalues, eigenvectors)`` of each symmetric matrix, eigenvalues in
    ascending order, ``A = V @ diag(L) @ V.mT``; only the lower triangle
    (``UPLO="U"``: the upper) is read.  Each eigenvector is unique up to its
    sign, which LAPACK chooses.  Gradients are PyTorch's; there is no closed
    form (``.expr`` raises ``NoClosedFormError``).

    >>> import symgrad
    >>> A = symgrad.tensor([[2., 1.], [1., 2.]], requires_grad=True)
    >>> L, V = symgrad.linalg.eigh(A)
    >>> L
    tensor([1., 3.], grad_fn=<LinalgEighBackward0>)
    >>> L[1].backward()
    >>> A.grad
    tensor([[0.5000, 0.5000],
            [0.5000, 0.5000]])
    """
    a, uplo = _symmetric_input("linalg_eigh", A, UPLO)
    return return_types.linalg_eigh(apply(_EIGENVALUES, a, UPLO=uplo), apply(_EIGENVECTORS, a, UPLO=uplo))


def eigvalsh(A: Any, UPLO: str = "L") -> Any:  # noqa: N803 - PyTorch's argument names
    """The eigenvalues of each symmetric matrix, ascending (``eigh``'s first
    result); the gradient is ``V @ diag(g) @ V.mT``.

    >>> import symgrad
    >>> symgrad.linalg.eigvalsh(symgrad.tensor([[2., 1.], [1., 2.]]))
    tensor([1., 3.])
    """
    a, uplo = _symmetric_input("linalg_eigvalsh", A, UPLO)
    return apply(_EIGENVALUES, a, UPLO=uplo)
