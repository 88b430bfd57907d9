"""LU factorization with partial pivoting: ``linalg.lu_factor`` (and
``lu_factor_ex``, ``symgrad.lu``, ``Tensor.lu``), ``linalg.lu``,
``linalg.lu_solve`` and ``lu_unpack``.

NumPy has no LU, so the numbers are LAPACK's ``getrf`` algorithm written here
on batches (one step per column: the row with the largest magnitude is swapped
up, the column below is scaled by the pivot's reciprocal, the rest updated);
pivots are 1-based int32, as PyTorch's.  A zero pivot is left in place and
counted in ``info`` (the 1-based step of the first), as ``getrf`` does.

Entries: ``lu_factor`` (packed LU), ``lu_l``, ``lu_u``, ``lu_p`` (of A, for
``linalg.lu``), ``lu_unpack_l``, ``lu_unpack_u`` (of a packed LU) and
``lu_solve``.  The rules are PyTorch's (``linalg_lu_backward``,
``lu_factor_ex_backward``, ``linalg_lu_solve_LU``, real case), with ``P``
fixed at the pivots chosen; square ``A = P L U``::

    gA = P L^-T (tril(L^T gL, -1) + triu(gU U^T)) U^-T

(wide and tall matrices add the parts of U and L past the square, as PyTorch's).

Closed forms.  With the permutation fixed, ``P^T A = L U`` is Gaussian
elimination without pivoting: a rational function of A's entries.  The
permutation is read from the numbers when the op runs and kept as a parameter,
as ``qr`` keeps its signs, so code writing closed forms element by element
refuses these ops (``ClosedFormAtTracedChoices``); array code calls an LU at
run time.  Where a zero pivot has rows below it, elimination would divide by
it: there is no closed form, and ``.expr`` raises ``NoClosedFormError``.
``lu_solve`` and ``lu_unpack`` take the pivots as given: their closed forms
are exact (substitution), and pivots computed from symbolic values are
positions chosen by values (``positions.picked``), which code generation
refuses to reuse.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from symgrad import return_types
from symgrad._tensor import Tensor
from symgrad.dispatch import apply
from symgrad.ops._sympy import sp
from symgrad.ops._util import tensor_arg
from symgrad.ops.linalg import _mm
from symgrad.ops.matrices import LinAlgError, _check_batches, _mT, _type_name
from symgrad.ops.positions import Picked, index_values, picked
from symgrad.ops.registry import ClosedFormAtTracedChoices, NoClosedFormError, OpDef, defop
from symgrad.ops.shape import _CAT, _dtype_of
from symgrad.ops.structure import tril, triu
from symgrad.ops.triangular import _SOLVE_TRIANGULAR, _bool_arg, _lapack_float, _refuse_if_large, _solve_triangular

__all__ = ["lu", "lu_unpack"]


# ---------------------------------------------------------------- numbers: getrf on a batch

def getrf(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(LU, pivots, zeros)`` of each matrix ``(..., m, n)``: the packed factors,
    the 1-based int32 pivots ``(..., k)`` (row ``j`` swapped with row
    ``pivots[j] - 1`` at step ``j``), and which pivots are zero ``(..., k)``."""
    m, n = a.shape[-2:]
    k = min(m, n)
    count = int(np.prod(a.shape[:-2]))  # (spelt out: reshape cannot infer -1 for empty matrices)
    lu = np.array(a, dtype=a.dtype).reshape((count, m, n))
    pivots = np.empty((count, k), dtype=np.int32)
    zeros = np.zeros((count, k), dtype=bool)
    every = np.arange(count)
    tiny = np.finfo(a.dtype).tiny
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for j in range(k):
            p = j + np.argmax(np.abs(lu[:, j:, j]), axis=-1)
            pivots[:, j] = p + 1
            row = lu[every, j].copy()
            lu[every, j] = lu[every, p]
            lu[every, p] = row
            pivot = lu[:, j, j][:, None]
            zeros[:, j] = pivot[:, 0] == 0
            # (getf2: times the reciprocal when it is representable, else divided; a zero pivot left alone)
            below = lu[:, j + 1:, j]
            scaled = np.where(np.abs(pivot) >= tiny, below * (1 / pivot), below / pivot)
            lu[:, j + 1:, j] = np.where(pivot == 0, below, scaled)
            lu[:, j + 1:, j + 1:] -= lu[:, j + 1:, j, None] * lu[:, None, j, j + 1:]
    batch = a.shape[:-2]
    return lu.reshape(a.shape), pivots.reshape(batch + (k,)), zeros.reshape(batch + (k,))


def info_of(zeros: np.ndarray) -> np.ndarray:
    """LAPACK's ``info`` per matrix (int32): the 1-based step of the first zero pivot, 0 if none."""
    if zeros.shape[-1] == 0:  # (empty matrices: nothing to factor)
        return np.zeros(zeros.shape[:-1], dtype=np.int32)
    return np.where(zeros.any(axis=-1), np.argmax(zeros, axis=-1) + 1, 0).astype(np.int32)


def permutation(pivots: np.ndarray, m: int) -> np.ndarray:
    """For each matrix, ``perm`` with ``(P^T A)[i] = A[perm[i]]``: the row swaps applied in order."""
    perm = np.array(np.broadcast_to(np.arange(m), pivots.shape[:-1] + (m,)))
    if perm.size == 0:
        return perm
    flat, swaps = perm.reshape(-1, m), pivots.reshape(-1, pivots.shape[-1]) - 1
    every = np.arange(len(flat))
    for j in range(swaps.shape[-1]):
        row = flat[every, j].copy()
        flat[every, j] = flat[every, swaps[:, j]]
        flat[every, swaps[:, j]] = row
    return flat.reshape(perm.shape)


def _permutation_matrix(pivots: np.ndarray, m: int, dtype: Any) -> np.ndarray:
    """``P`` with ``A = P @ L @ U``: ``P[perm[i], i] = 1``."""
    return np.swapaxes(np.eye(m, dtype=dtype)[permutation(pivots, m)], -1, -2)


def _ones_zeros(x: np.ndarray) -> tuple[Any, Any]:
    """1 and 0 in ``x``'s kind of array: SymPy's integers in object arrays (closed forms), else numbers."""
    if x.dtype == object:
        return sp.Integer(1), sp.Integer(0)
    return x.dtype.type(1), x.dtype.type(0)


def unpack_l(lu: np.ndarray) -> np.ndarray:
    """L ``(..., m, k)``: the strict lower triangle of the packed factors, ones on the diagonal."""
    m, n = lu.shape[-2:]
    one, zero = _ones_zeros(lu)
    k = min(m, n)
    filler = np.where(np.eye(m, k, dtype=bool), one, zero)
    return np.where(np.tri(m, k, -1, dtype=bool), lu[..., :, :k], filler).astype(lu.dtype, copy=False)


def unpack_u(lu: np.ndarray) -> np.ndarray:
    """U ``(..., k, n)``: the upper triangle of the packed factors."""
    m, n = lu.shape[-2:]
    k = min(m, n)
    return np.where(np.tri(k, n, -1, dtype=bool), _ones_zeros(lu)[1], lu[..., :k, :]).astype(lu.dtype, copy=False)


# ---------------------------------------------------------------- closed forms: elimination at the traced pivots

_ZERO_PIVOT = ("linalg.lu_factor has no closed form here: a pivot is zero with rows below it (the matrix, or its "
               "leading columns, is singular), and elimination would divide by it where LAPACK skips the step. "
               "The numbers are LAPACK's algorithm; use them (.numpy())")


def _getrf_sym(x: np.ndarray, pivots: tuple[int, ...], zero_pivot: bool) -> np.ndarray:
    """The packed factors of object arrays: the traced row swaps, then elimination without pivoting."""
    if zero_pivot:
        raise NoClosedFormError(_ZERO_PIVOT)
    m, n = x.shape[-2:]
    k = min(m, n)
    count = int(np.prod(x.shape[:-2]))
    _refuse_if_large("lu_factor", k, count * m * n * 2 ** k)
    out = np.empty(x.shape, dtype=object)
    for b, idx in enumerate(np.ndindex(*x.shape[:-2])):
        out[idx] = _eliminate(x[idx], pivots[b * k:(b + 1) * k])
    return out


def _eliminate(a: np.ndarray, pivots: tuple[int, ...]) -> np.ndarray:
    lu = np.array(a, dtype=object)
    m, n = lu.shape
    for j, p in enumerate(pivots):
        lu[[j, p - 1]] = lu[[p - 1, j]]
        for i in range(j + 1, m):
            lu[i, j] = lu[i, j] / lu[j, j]
            for c in range(j + 1, n):
                lu[i, c] = lu[i, c] - lu[i, j] * lu[j, c]
    return lu


def _permutation_sym(x: np.ndarray, pivots: tuple[int, ...], zero_pivot: bool) -> np.ndarray:
    m, n = x.shape[-2:]
    p = _permutation_matrix(np.array(pivots, dtype=np.int64).reshape(x.shape[:-2] + (min(m, n),)), m, np.int64)
    return np.vectorize(sp.Integer, otypes=[object])(p) if p.size else p.astype(object)


# ---------------------------------------------------------------- PyTorch's rules

def _lu_vjp(gL: Any, gU: Any, A: Any, pivots: tuple[int, ...], zero_pivot: bool) -> Any:  # noqa: N803
    """``linalg_lu_backward`` (real): A's gradient from L's and U's (either may be None)."""
    m, n = A.shape[-2:]
    k = min(m, n)
    L = apply(_LU_L, A, pivots=pivots, zero_pivot=zero_pivot)
    U = apply(_LU_U, A, pivots=pivots, zero_pivot=zero_pivot)
    P = apply(_LU_P, A, pivots=pivots, zero_pivot=zero_pivot)
    if m == n:
        parts = [tril(_mm(_mT(L), gL), -1) if gL is not None else None,
                 triu(_mm(gU, _mT(U))) if gU is not None else None]
        gA = _add(*parts)
        gA = _solve(_mT(U), gA, upper=False, left=False)
        gA = _solve(_mT(L), gA, upper=True, left=True, unitriangular=True)
    elif m < n:  # wide: U = [U1, U2], U1 square
        gA = _add(_mm(_mT(L), gL) if gL is not None else None,
                  -_mm(triu(gU), _mT(U)) if gU is not None else None)
        gA = _solve(_mT(U[..., :k]), tril(gA, -1), upper=False, left=False)
        if gU is not None:
            gA = apply(_CAT, gA + triu(gU[..., :k]), gU[..., k:], dim=gA.ndim - 1)
        gA = _solve(_mT(L), gA, upper=True, left=True, unitriangular=True)
        if gU is None:
            gA = apply(_CAT, gA, np.zeros(tuple(gA.shape[:-1]) + (n - k,), dtype=_dtype_of(gA)), dim=gA.ndim - 1)
    else:  # tall: L = [L1; L2], L1 square
        gA = _add(_mm(gU, _mT(U)) if gU is not None else None,
                  -_mm(_mT(L), tril(gL, -1)) if gL is not None else None)
        gA = _solve(_mT(L[..., :k, :]), triu(gA), upper=True, left=True, unitriangular=True)
        if gL is not None:
            gA = apply(_CAT, gA + tril(gL[..., :k, :], -1), gL[..., k:, :], dim=gA.ndim - 2)
        gA = _solve(_mT(U), gA, upper=False, left=False)
        if gL is None:
            gA = apply(_CAT, gA, np.zeros(tuple(gA.shape[:-2]) + (m - k, n), dtype=_dtype_of(gA)), dim=gA.ndim - 2)
    return _mm(P, gA)


def _add(x: Any, y: Any) -> Any:
    return y if x is None else x if y is None else x + y


def _solve(A: Any, B: Any, *, upper: bool, left: bool, unitriangular: bool = False) -> Any:  # noqa: N803
    return apply(_SOLVE_TRIANGULAR, A, B, upper=upper, left=left, unitriangular=unitriangular)


def _lu_factor_vjp(g: Any, out: Any, A: Any, pivots: tuple[int, ...], zero_pivot: bool) -> Any:  # noqa: N803
    k = min(A.shape[-2:])
    return _lu_vjp(g[..., :, :k], g[..., :k, :], A, pivots, zero_pivot)


# Which row LAPACK swaps up at each step depends on the magnitudes of the matrix's entries, so code writing
# the closed form would keep the traced permutation at every input
_TRACED_PIVOTS = (
    "its closed form keeps the row swaps (pivots) LAPACK chose at the traced matrix, and at other matrices "
    "partial pivoting may choose other rows, so element-by-element code (the math and C backends, scalar inputs) "
    "would silently differ from linalg.lu_factor there. Give array inputs to the numpy, jax or torch backend, "
    "which factor at run time")


def _lu_factor_forward(a: np.ndarray, pivots: tuple[int, ...], zero_pivot: bool) -> np.ndarray:
    return getrf(a)[0]


_LU_FACTOR = defop("lu_factor", _lu_factor_forward, ClosedFormAtTracedChoices(_getrf_sym, _TRACED_PIVOTS),
                   inputs=("A",), params=("pivots", "zero_pivot"), backward_name="LinalgLuFactorExBackward0",
                   vjp=(_lu_factor_vjp,))
_LU_L = defop("lu_l", lambda a, pivots, zero_pivot: unpack_l(getrf(a)[0]),
              ClosedFormAtTracedChoices(lambda x, pivots, zero_pivot: unpack_l(_getrf_sym(x, pivots, zero_pivot)),
                                        _TRACED_PIVOTS),
              inputs=("A",), params=("pivots", "zero_pivot"), backward_name="LinalgLuBackward0",
              vjp=(lambda g, out, A, pivots, zero_pivot: _lu_vjp(g, None, A, pivots, zero_pivot),))
_LU_U = defop("lu_u", lambda a, pivots, zero_pivot: unpack_u(getrf(a)[0]),
              ClosedFormAtTracedChoices(lambda x, pivots, zero_pivot: unpack_u(_getrf_sym(x, pivots, zero_pivot)),
                                        _TRACED_PIVOTS),
              inputs=("A",), params=("pivots", "zero_pivot"), backward_name="LinalgLuBackward0",
              vjp=(lambda g, out, A, pivots, zero_pivot: _lu_vjp(None, g, A, pivots, zero_pivot),))
# P: outside the graph (a permutation has no derivative; PyTorch's P has no grad_fn either)
_LU_P = defop("lu_p", lambda a, pivots, zero_pivot: _permutation_matrix(getrf(a)[1], a.shape[-2], a.dtype),
              ClosedFormAtTracedChoices(_permutation_sym, _TRACED_PIVOTS), inputs=("A",),
              params=("pivots", "zero_pivot"))


# ---------------------------------------------------------------- unpacking and solving with given pivots

def _unpack_l_vjp(g: Any, out: Any, LU: Any) -> Any:  # noqa: N803
    m, n = LU.shape[-2:]
    gLU = tril(g, -1)
    if m >= n:
        return gLU
    return apply(_CAT, gLU, np.zeros(tuple(g.shape[:-1]) + (n - m,), dtype=_dtype_of(g)), dim=g.ndim - 1)


def _unpack_u_vjp(g: Any, out: Any, LU: Any) -> Any:  # noqa: N803
    m, n = LU.shape[-2:]
    gLU = triu(g)
    if m <= n:
        return gLU
    return apply(_CAT, gLU, np.zeros(tuple(g.shape[:-2]) + (m - n, n), dtype=_dtype_of(g)), dim=g.ndim - 2)


_LU_UNPACK_L = defop("lu_unpack_l", unpack_l, unpack_l, inputs=("LU",), backward_name="LuUnpackBackward0",
                     vjp=(_unpack_l_vjp,))
_LU_UNPACK_U = defop("lu_unpack_u", unpack_u, unpack_u, inputs=("LU",), backward_name="LuUnpackBackward0",
                     vjp=(_unpack_u_vjp,))


def _lu_solve(lu: np.ndarray, b: np.ndarray, pivots: np.ndarray, left: bool, adjoint: bool) -> np.ndarray:
    """X with ``A X = B`` (``adjoint``: ``A^T X = B``; ``left=False``: X on the right), ``A = P L U``:
    a row permutation and two substitutions reading the packed factors (numbers and SymPy alike)."""
    if not left:  # X A = B is A^T X^T = B^T (X A^T = B is A X^T = B^T)
        return np.swapaxes(_lu_solve(lu, np.swapaxes(b, -1, -2), pivots, True, not adjoint), -1, -2)
    batch = np.broadcast_shapes(lu.shape[:-2], b.shape[:-2])
    perm = np.broadcast_to(permutation(np.asarray(pivots), lu.shape[-1]), batch + lu.shape[-1:])
    b = np.broadcast_to(b, batch + b.shape[-2:])
    if not adjoint:  # U X = L^-1 P^T B
        y = _solve_triangular(lu, np.take_along_axis(b, perm[..., None], axis=-2), False, True, True)
        return _solve_triangular(lu, y, True, True, False)
    lu_t = np.swapaxes(lu, -1, -2)  # U^T L^T P^T X = B
    y = _solve_triangular(lu_t, _solve_triangular(lu_t, b, False, True, False), True, True, True)
    return np.take_along_axis(y, np.argsort(perm, axis=-1)[..., None], axis=-2)


def _lu_solve_sym(lu: np.ndarray, b: np.ndarray, pivots: np.ndarray, left: bool, adjoint: bool) -> np.ndarray:
    n = lu.shape[-1]
    batch = int(np.prod(np.broadcast_shapes(lu.shape[:-2], b.shape[:-2])))
    _refuse_if_large("lu_solve", n, batch * b.shape[-1 if left else -2] * n * 4 ** n)
    return _lu_solve(lu, b, pivots, left, adjoint)


def _lu_solve_grad_lu(g: Any, out: Any, LU: Any, B: Any, pivots: Any, left: bool, adjoint: bool) -> Any:  # noqa: N803
    """``linalg_lu_solve_LU`` (real)."""
    L, U = apply(_LU_UNPACK_L, LU), apply(_LU_UNPACK_U, LU)
    if left != adjoint:
        gR = _solve(_mT(U), -(_mm(g, _mT(out)) if left else _mm(_mT(g), out)), upper=False, left=True)
        gL = _solve(_mT(L), _mm(gR, _mT(U)), upper=True, left=True, unitriangular=True)
        return tril(gL, -1) + triu(gR)
    p = _permutation_matrix(pivots, LU.shape[-1], _dtype_of(LU))
    P = Tensor._make(p.view(Picked) if isinstance(pivots, Picked) else p)  # (stays marked, as the pivots are)
    gR = -_mm(_mm(_mm(_mT(P), out if left else _mT(out)), _mT(g) if left else g), P)
    gR = _solve(_mT(L), gR, upper=True, left=False, unitriangular=True)
    gU = _solve(_mT(U), _mm(_mT(L), gR), upper=False, left=False)
    return tril(gR, -1) + triu(gU)


def _lu_solve_grad_b(g: Any, out: Any, LU: Any, B: Any, pivots: Any, left: bool, adjoint: bool) -> Any:  # noqa: N803
    return apply(_LU_SOLVE, LU, g, pivots=pivots, left=left, adjoint=not adjoint)


_LU_SOLVE: OpDef = defop("lu_solve", _lu_solve, _lu_solve_sym, inputs=("LU", "B"),
                         params=("pivots", "left", "adjoint"), backward_name="LinalgLuSolveBackward0",
                         vjp=(_lu_solve_grad_lu, _lu_solve_grad_b))


# ---------------------------------------------------------------- arguments

def _factor_input(name: str, A: Any, pivot: Any) -> Any:  # noqa: N803 - PyTorch's name
    """``A`` as matrices of a LAPACK dtype, ``pivot`` True: PyTorch's errors otherwise."""
    pivot = _bool_arg(name.replace(".", "_"), "pivot", pivot)
    a = tensor_arg(A)
    if a.ndim < 2:
        raise RuntimeError(f"torch.lu_factor: Expected tensor with 2 or more dimensions. Got size: "
                           f"{list(a.shape)} instead")
    _lapack_float("lu_cpu", a)
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    return a


def _zero_pivot_error(name: str, a: np.ndarray, info: np.ndarray) -> LinAlgError:
    """PyTorch's message: the first singular matrix of the batch and U's zero diagonal element (1-based)."""
    flat = info.reshape(-1)
    i = int(np.argmax(flat > 0))
    where = f"(Batch element {i}): " if a.ndim > 2 else ""
    return LinAlgError(f"torch.{name}: {where}U[{flat[i]},{flat[i]}] is zero and using it on lu_solve would result "
                       "in a division by zero. If you still want to perform the factorization, consider calling "
                       "linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")


class _Factored:
    """One factorization of ``a``: the traced choices the entries keep, and the pivots and info as tensors."""

    def __init__(self, a: Any) -> None:
        self.a = a
        value = a._value
        _, pivots, zeros = getrf(value)
        m = value.shape[-2]
        # (a zero pivot at the last row divides nothing: elimination has no rows below it)
        self.params = {"pivots": tuple(int(p) for p in pivots.reshape(-1)),
                       "zero_pivot": bool(zeros[..., :max(m - 1, 0)].any())}
        self.info = info_of(zeros)
        self.pivots = Tensor._make(picked(pivots, a))  # (positions chosen by A's values when A is symbolic)

    def LU(self) -> Any:  # noqa: N802
        return apply(_LU_FACTOR, self.a, **self.params)


def _pivots_values(name: str, pivots: Any, m: int, batch: tuple[int, ...], k: int) -> np.ndarray:
    """The pivots' numbers (marked if chosen by values), checked as PyTorch checks them."""
    p = tensor_arg(pivots)
    values = index_values(p)
    if values.dtype != np.int32:
        raise RuntimeError(f"{name}: pivots should be a Tensor of scalar type torch.int32 (as linalg.lu_factor "
                           f"returns them), not {_type_name(p)}")
    if tuple(values.shape) != batch + (k,):
        raise RuntimeError(f"{name}: expected pivots of shape {list(batch + (k,))} for LU of shape "
                           f"{list(batch + (m, m if k == m else k))}, got {list(values.shape)}; pass the pivots "
                           "linalg.lu_factor returned with LU")
    if values.size and (values.min() < 1 or values.max() > m):
        raise RuntimeError(f"{name}: pivots must be between 1 and LU.size(-2) = {m} inclusive. Did you properly "
                           "pass the result of lu_factor?")
    return values


# ---------------------------------------------------------------- public functions

def lu_factor(A: Any, *, pivot: bool = True) -> Any:  # noqa: N803 - PyTorch's name
    """``(LU, pivots)``: the LU factorization with partial pivoting ``A = P @ L @
    U`` of each matrix ``(..., m, n)``, packed (L's strict lower triangle, its
    unit diagonal implied, and U's upper triangle in one matrix), with LAPACK's
    1-based int32 pivots: row ``i`` was swapped with row ``pivots[i]`` at step
    ``i``.  A matrix with a zero pivot raises ``LinAlgError`` (use
    ``lu_factor_ex``).  The closed form is Gaussian elimination with the
    traced row swaps; the gradient is PyTorch's.

    >>> import symgrad
    >>> A = symgrad.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    >>> LU, pivots = symgrad.linalg.lu_factor(A)
    >>> LU
    tensor([[3.0000, 4.0000],
            [0.3333, 0.6667]], grad_fn=<LinalgLuFactorExBackward0>)
    >>> pivots
    tensor([2, 2], dtype=symgrad.int32)
    >>> LU.expr
    [[A[1, 0], A[1, 1]], [A[0, 0]/A[1, 0], -A[0, 0]*A[1, 1]/A[1, 0] + A[0, 1]]]
    """
    LU, pivots, info = _lu_factor_ex("linalg.lu_factor", A, pivot)
    if info._value.any():
        raise _zero_pivot_error("linalg.lu_factor", tensor_arg(A)._value, info._value)
    return return_types.linalg_lu_factor(LU, pivots)


def _lu_factor_ex(name: str, A: Any, pivot: Any) -> tuple[Any, Any, Any]:  # noqa: N803
    f = _Factored(_factor_input(name, A, pivot))
    return f.LU(), f.pivots, Tensor._make(f.info)


def lu_factor_ex(A: Any, *, pivot: bool = True, check_errors: bool = False) -> Any:  # noqa: N803 - PyTorch's names
    """``(LU, pivots, info)``: ``lu_factor``'s results and LAPACK's ``info``
    (int32 per matrix: 0, or the 1-based step of the first zero pivot, where
    U's diagonal is zero).  A singular matrix is factored all the same, as
    LAPACK does, unless ``check_errors=True``, which raises ``LinAlgError``.

    >>> import symgrad
    >>> LU, pivots, info = symgrad.linalg.lu_factor_ex(symgrad.tensor([[1., 2.], [2., 4.]]))
    >>> info
    tensor(2, dtype=symgrad.int32)
    >>> LU
    tensor([[2.0000, 4.0000],
            [0.5000, 0.0000]])
    """
    check_errors = _bool_arg("linalg_lu_factor_ex", "check_errors", check_errors)
    LU, pivots, info = _lu_factor_ex("linalg.lu_factor_ex", A, pivot)
    if check_errors and info._value.any():
        raise _zero_pivot_error("linalg.lu_factor_ex", tensor_arg(A)._value, info._value)
    return return_types.linalg_lu_factor_ex(LU, pivots, info)


def linalg_lu(A: Any, *, pivot: bool = True) -> Any:  # noqa: N803 - PyTorch's name
    """``(P, L, U)`` with ``A = P @ L @ U`` for each matrix ``(..., m, n)``:
    ``P`` a permutation matrix (outside the graph), ``L`` ``(m, k)`` lower
    triangular with ones on its diagonal, ``U`` ``(k, n)`` upper triangular,
    ``k = min(m, n)``.  Singular matrices are factored too (U's diagonal holds
    the zero).  The gradient is PyTorch's, with P fixed.

    >>> import symgrad
    >>> A = symgrad.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    >>> P, L, U = symgrad.linalg.lu(A)
    >>> P
    tensor([[0., 1.],
            [1., 0.]])
    >>> U
    tensor([[3.0000, 4.0000],
            [0.0000, 0.6667]], grad_fn=<LinalgLuBackward0>)
    >>> L.expr
    [[1, 0], [A[0, 0]/A[1, 0], 1]]
    >>> U[1, 1].backward()
    >>> A.grad
    tensor([[-1.3333,  1.0000],
            [ 0.4444, -0.3333]])
    """
    f = _Factored(_factor_input("linalg.lu", A, pivot))
    return return_types.linalg_lu(apply(_LU_P, f.a, **f.params), apply(_LU_L, f.a, **f.params),
                                  apply(_LU_U, f.a, **f.params))


def lu_unpack(LU_data: Any, LU_pivots: Any, unpack_data: bool = True, unpack_pivots: bool = True) -> Any:  # noqa: N803
    """``(P, L, U)`` from ``lu_factor``'s packed factors and pivots, as
    ``linalg.lu`` gives them.  ``unpack_data=False`` leaves L and U empty,
    ``unpack_pivots=False`` leaves P empty.  L and U are linear in ``LU_data``
    (their gradients are its triangles); P is outside the graph.

    >>> import symgrad
    >>> LU, pivots = symgrad.linalg.lu_factor(symgrad.tensor([[1., 2.], [3., 4.]]))
    >>> P, L, U = symgrad.lu_unpack(LU, pivots)
    >>> P @ L @ U
    tensor([[1., 2.],
            [3., 4.]])
    """
    unpack_data = _bool_arg("lu_unpack", "unpack_data", unpack_data)
    unpack_pivots = _bool_arg("lu_unpack", "unpack_pivots", unpack_pivots)
    lu = tensor_arg(LU_data)
    if lu.ndim < 2:
        raise RuntimeError(f"torch.lu_unpack: Expected tensor with 2 or more dimensions. Got size: {list(lu.shape)} "
                           "instead")
    m, n = lu.shape[-2:]
    empty = Tensor._make(np.zeros((0,), dtype=lu._value.dtype))
    P = empty
    if unpack_pivots:
        p = tensor_arg(LU_pivots)
        values = _pivots_values("torch.lu_unpack", p, m, tuple(lu.shape[:-2]), min(m, n))
        P = Tensor._make(picked(_permutation_matrix(values, m, lu._value.dtype), p))
    if not unpack_data:
        return return_types.lu_unpack(P, empty, empty)
    return return_types.lu_unpack(P, apply(_LU_UNPACK_L, lu), apply(_LU_UNPACK_U, lu))


def lu_solve(LU: Any, pivots: Any, B: Any, *, left: bool = True, adjoint: bool = False) -> Any:  # noqa: N803
    """The solution ``X`` of ``A @ X = B`` given ``A``'s factorization from
    ``lu_factor`` (``adjoint=True``: ``A.mT @ X = B``; ``left=False``: ``X @ A
    = B``, or ``X @ A.mT = B``).  Batch dimensions broadcast.  Gradients reach
    both ``LU`` and ``B`` (PyTorch's rules); the closed form is substitution
    with the given pivots.

    >>> import symgrad
    >>> A = symgrad.tensor([[2., 1.], [4., 4.]])
    >>> LU, pivots = symgrad.linalg.lu_factor(A)
    >>> symgrad.linalg.lu_solve(LU, pivots, symgrad.tensor([[4.], [12.]]))
    tensor([[1.],
            [2.]])
    >>> symgrad.linalg.lu_solve(LU, pivots, symgrad.tensor([[10., 9.]]), left=False)
    tensor([[1., 2.]])
    >>> symgrad.linalg.lu_solve(LU, pivots, symgrad.tensor([[10.], [9.]]), adjoint=True)
    tensor([[1.],
            [2.]])
    """
    left = _bool_arg("linalg_lu_solve", "left", left)
    adjoint = _bool_arg("linalg_lu_solve", "adjoint", adjoint)
    lu, b = tensor_arg(LU), tensor_arg(B)
    name = "linalg.lu_solve"
    if lu.ndim < 2:
        raise RuntimeError(f"torch.{name}: The input tensor A must have at least 2 dimensions.")
    m, n = lu.shape[-2:]
    if m != n:
        raise RuntimeError(f"torch.{name}: A must be batches of square matrices, but they are {m} by {n} matrices")
    if b.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor B must have at least 2 dimensions.")
    _lapack_float("lu_solve_cpu", lu)
    if b._value.dtype != lu._value.dtype:
        raise RuntimeError(f"{name}: Expected LU and B to have the same dtype, but found LU of type {_type_name(lu)} "
                           f"and B of type {_type_name(b)} instead")
    if (b.shape[-2] if left else b.shape[-1]) != n:
        raise RuntimeError(f"{name}: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and {b.shape[-2]}x{b.shape[-1]})")
    _check_batches(name, lu, b)
    values = _pivots_values(name, pivots, n, tuple(lu.shape[:-2]), n)
    return apply(_LU_SOLVE, lu, b, pivots=values, left=left, adjoint=adjoint)


def lu(A: Any, pivot: bool = True, get_infos: bool = False) -> Any:  # noqa: N803 - PyTorch's names
    """``torch.lu`` (deprecated in PyTorch, with its warning): ``(LU, pivots)``
    as ``linalg.lu_factor`` gives them, and with ``get_infos=True``
    ``(LU, pivots, infos)`` as ``linalg.lu_factor_ex``; it never raises for a
    singular matrix.

    >>> import symgrad, warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     LU, pivots = symgrad.lu(symgrad.tensor([[1., 2.], [3., 4.]]))
    >>> pivots
    tensor([2, 2], dtype=symgrad.int32)
    """
    warnings.warn("torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex and will be "
                  "removed in a future PyTorch release.\nLU, pivots = torch.lu(A, compute_pivots)\nshould be replaced "
                  "with\nLU, pivots = torch.linalg.lu_factor(A, compute_pivots)\nand\nLU, pivots, info = torch.lu(A, "
                  "compute_pivots, get_infos=True)\nshould be replaced with\nLU, pivots, info = "
                  "torch.linalg.lu_factor_ex(A, compute_pivots)", UserWarning, stacklevel=2)
    LU, pivots, info = _lu_factor_ex("torch.lu", A, pivot)
    if get_infos:
        return return_types._lu_with_info(LU, pivots, info)
    return LU, pivots

