"""The matrix exponential: ``linalg.matrix_exp`` (``symgrad.matrix_exp``,
``Tensor.matrix_exp``), one op-table entry.

* Numbers: scaling and squaring with Padé approximants of degree 3 to 13
  (Higham 2005, the algorithm behind SciPy's ``expm``), in float64 for every input
  (float32 results are rounded from it).
* Rule: PyTorch's ``linalg_matrix_exp_differential`` (adjoint): the gradient
  is the upper-right block of ``exp([[A.T, g], [0, A.T]])`` (Mathias 1996),
  written with this same entry, so every order of derivative is one more
  (twice larger) exponential.
* No closed form.  SymPy's ``Matrix.exp`` goes through the Jordan form: the
  eigenvalues of a symbolic matrix (roots of its characteristic polynomial,
  with square roots and cases for repeated ones already at 2x2), which would
  not agree with the numbers where the cases change.  ``.expr`` raises
  ``NoClosedFormError``, and code generation refuses it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symgrad.dispatch import apply
from symgrad.ops.matrices import _float_matrices, _mT
from symgrad.ops.registry import NoClosedForm, defop
from symgrad.ops.shape import _CAT, _dtype_of

__all__ = ["matrix_exp"]

# b_0 ... b_m of the [m/m] Padé approximants of exp, and the 1-norm up to which each is exact to
# double precision (Higham 2005, table 2.3); beyond the last, matrices are scaled by 2**-s first
_PADE = {
    3: (120.0, 60.0, 12.0, 1.0),
    5: (30240.0, 15120.0, 3360.0, 420.0, 30.0, 1.0),
    7: (17297280.0, 8648640.0, 1995840.0, 277200.0, 25200.0, 1512.0, 56.0, 1.0),
    9: (17643225600.0, 8821612800.0, 2075673600.0, 302702400.0, 30270240.0, 2162160.0, 110880.0, 3960.0,
        90.0, 1.0),
    13: (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
         129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0,
         40840800.0, 960960.0, 16380.0, 182.0, 1.0),
}
_THETA = {3: 1.495585217958292e-2, 5: 2.539398330063230e-1, 7: 9.504178996162932e-1, 9: 2.097847961257068,
          13: 5.371920351148152}


def _pade(a: np.ndarray, degree: int) -> np.ndarray:
    """The Padé approximant ``(V - U)^-1 (V + U)`` of ``exp(a)``: U holds the odd powers, V the even ones."""
    b = _PADE[degree]
    eye = np.broadcast_to(np.eye(a.shape[-1]), a.shape)
    a2 = a @ a
    if degree == 13:  # (Higham's grouping: six products instead of twelve)
        a4 = a2 @ a2
        a6 = a4 @ a2
        u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * eye)
        v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * eye
        return np.linalg.solve(v - u, v + u)
    odd, even, power = b[1] * eye, b[0] * eye, eye
    for k in range(2, degree + 1, 2):
        power = power @ a2
        odd, even = odd + b[k + 1] * power, even + b[k] * power
    u = a @ odd
    return np.linalg.solve(even - u, even + u)


def _expm(a: np.ndarray) -> np.ndarray:
    """exp of each matrix: the lowest-degree Padé approximant exact at the batch's largest 1-norm; beyond
    degree 13's range, each matrix scaled by 2**-s into it, and the result squared s times."""
    x = a.astype(np.float64)
    if x.size == 0:
        return x.astype(a.dtype)
    norm = np.abs(x).sum(axis=-2).max(axis=-1)  # the 1-norm of each matrix
    largest = float(norm.max())
    for degree in (3, 5, 7, 9):
        if largest <= _THETA[degree]:
            return _pade(x, degree).astype(a.dtype)
    s = np.ceil(np.log2(np.maximum(norm, _THETA[13]) / _THETA[13])).astype(np.int64)
    r = _pade(x / (2.0 ** s)[..., None, None], 13)
    for k in range(int(s.max(initial=0))):
        r = np.where((s > k)[..., None, None], r @ r, r)  # (each matrix squared as often as it was scaled)
    return r.astype(a.dtype)


def _block_exp_vjp(g: Any, out: Any, A: Any) -> Any:  # noqa: N803
    """The upper-right block of ``exp([[A.T, g], [0, A.T]])``: the adjoint of the Fréchet derivative."""
    n = A.shape[-1]
    At = _mT(A)
    zeros = np.zeros(tuple(At.shape), dtype=_dtype_of(At))
    top = apply(_CAT, At, g, dim=At.ndim - 1)
    bottom = apply(_CAT, zeros, At, dim=At.ndim - 1)
    block = apply(_MATRIX_EXP, apply(_CAT, top, bottom, dim=At.ndim - 2))
    return block[..., :n, n:]


_MATRIX_EXP = defop(
    "matrix_exp", _expm,
    NoClosedForm("linalg.matrix_exp has no closed form symgrad could write correctly: SymPy's Matrix.exp goes "
                 "through the eigenvalues (roots of the characteristic polynomial, with separate cases for repeated "
                 "ones), which would not agree with the numbers where the cases change. Numbers and numeric "
                 "gradients (any order) work; for a closed form of what follows, make the result a constant first "
                 "(symgrad.tensor(E.detach().numpy())), and generate code from a graph without matrix_exp"),
    inputs=("A",), backward_name="LinalgMatrixExpBackward0", vjp=(_block_exp_vjp,))


def matrix_exp(A: Any) -> Any:  # noqa: N803 - PyTorch's name
    """The matrix exponential ``sum(A**k / k!)`` of each square matrix.  The
    gradient is PyTorch's (a block-matrix exponential); there is no closed
    form (``.expr`` raises ``NoClosedFormError``).

    >>> import symgrad
    >>> A = symgrad.tensor([[0., 1.], [0., 0.]], requires_grad=True)
    >>> symgrad.linalg.matrix_exp(A)
    tensor([[1., 1.],
            [0., 1.]], grad_fn=<LinalgMatrixExpBackward0>)
    >>> symgrad.linalg.matrix_exp(A)[0, 1].backward()
    >>> A.grad
    tensor([[0.5000, 1.0000],
            [0.1667, 0.5000]])
    """
    return apply(_MATRIX_EXP, _float_matrices("linalg.matrix_exp", A))
