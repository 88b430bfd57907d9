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

from symgrad import return_types
from symgrad.dispatch import apply
from symgrad.ops import _matrix_sympy as _sym
from symgrad.ops._sympy import sp
from symgrad.ops._util import SCALAR_TYPES, tensor_arg
from symgrad.ops.linalg import _mm
from symgrad.ops.registry import defop
from symgrad.ops.shape import _expand, _reshape, _transpose

__all__ = ["det", "inverse", "logdet", "slogdet", "matrix_power"]

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


def _lapack_info(a: np.ndarray) -> np.ndarray:
    """LAPACK's ``info`` for each matrix (int32, shape ``a.shape[:-2]``): the
    1-based position of the first zero on U's diagonal, 0 when there is none."""
    if a.shape[-1] == 0:
        return np.zeros(a.shape[:-2], dtype=np.int32)
    zeros = _lu_diagonal(a)[0] == 0
    return np.where(zeros.any(axis=-1), np.argmax(zeros, axis=-1) + 1, 0).astype(np.int32)


def _singular(name: str, a: np.ndarray) -> LinAlgError:
    """PyTorch's message: the first singular matrix of the batch, and the first
    zero on U's diagonal (1-based, LAPACK's ``info``)."""
    info = _lapack_info(a).reshape(-1)
    i = int(np.argmax(info > 0))
    where = f"(Batch element {i}): " if a.ndim > 2 else ""
    return LinAlgError(f"{name}: {where}The diagonal element {info[i]} is zero, the inversion "
                       "could not be completed because the input matrix is singular.")


def _inv(a: np.ndarray) -> np.ndarray:
    return _nan_tolerant(np.linalg.inv, a, (), lambda: _singular("linalg.inv", a))


def _inverse_or_nan(a: np.ndarray) -> np.ndarray:
    """``inv(a)``, with nan for each matrix LAPACK cannot invert (``linalg.inv_ex``
    does not raise; PyTorch leaves LAPACK's partial results there, inf and nan)."""
    try:
        return np.linalg.inv(a)
    except np.linalg.LinAlgError:
        if a.ndim == 2:
            return np.full_like(a, np.nan)
        return np.stack([_inverse_or_nan(m) for m in a.reshape((-1,) + a.shape[-2:])]).reshape(a.shape)


def _solve_or_nan(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``solve(a, b)``, with nan for each system whose matrix LAPACK cannot factor (``linalg.solve_ex``
    does not raise; PyTorch leaves LAPACK's partial results there, inf and nan)."""
    try:
        return np.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        a, b = np.broadcast_to(a, batch + a.shape[-2:]), np.broadcast_to(b, batch + b.shape[-2:])
        if not batch:
            return np.full(b.shape, np.nan, dtype=np.result_type(a, b))
        pairs = zip(a.reshape((-1,) + a.shape[-2:]), b.reshape((-1,) + b.shape[-2:]))
        return np.stack([_solve_or_nan(m, r) for m, r in pairs]).reshape(batch + b.shape[-2:])


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

def _inverse_vjp(g: Any, out: Any, A: Any) -> Any:
    return -_mm(_mm(_mT(out), g), _mT(out))


_INV = defop("inv", _inv, _sym.inverse, inputs=("A",), backward_name="LinalgInvExBackward0", vjp=(_inverse_vjp,))

# inv_ex: the same inverse and rule, with nan for a singular matrix instead of an error
_INV_EX = defop("inv_ex", _inverse_or_nan, _sym.inverse, inputs=("A",), backward_name="LinalgInvExBackward0",
                vjp=(_inverse_vjp,))

_SOLVE = defop("solve", _solve, _sym.solve, inputs=("A", "B"), backward_name="LinalgSolveExBackward0",
               vjp=(lambda g, out, A, B: -_mm(_solve_t(A, g), _mT(out)),
                    lambda g, out, A, B: _solve_t(A, g)))

# solve_ex: the same solution and rule, with nan for a singular matrix instead of an error
_SOLVE_EX = defop("solve_ex", _solve_or_nan, _sym.solve, inputs=("A", "B"), backward_name="LinalgSolveExBackward0",
                  vjp=(lambda g, out, A, B: -_mm(_solve_t(A, g), _mT(out)),
                       lambda g, out, A, B: _solve_t(A, g)))


# ---------------------------------------------------------------- argument checks



def _float_matrices(name: str, input: Any) -> Any:
    """``input`` as a tensor of square matrices of a LAPACK dtype, or PyTorch's error."""
    a = _square_matrices(name, input)
    _floating(name, a)
    return a


def _square_matrices(name: str, input: Any) -> Any:
    """``input`` as a tensor of square matrices (any dtype), or PyTorch's error."""
    a = tensor_arg(input)
    if a.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are {a.shape[-2]} by "
                           f"{a.shape[-1]} matrices")
    return a


def _type_name(a: Any) -> str:
    """PyTorch's name of a tensor's scalar type (``Double``, ``Long``)."""
    name = a._value.dtype.name
    return SCALAR_TYPES.get(name, name)


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


def inv_ex(A: Any, *, check_errors: bool = False) -> Any:  # noqa: N803 - PyTorch's argument name
    """``(inverse, info)``: the inverse of each square matrix, and LAPACK's
    ``info`` (int32; 0, or the 1-based position of the zero on U's diagonal of
    a singular matrix).  A singular matrix's inverse is nan (PyTorch leaves
    LAPACK's inf and nan there) unless ``check_errors=True``, which raises
    ``LinAlgError`` instead.  The inverse is ``linalg.inv``'s: same closed form,
    same derivative.

    >>> import symgrad
    >>> A = symgrad.tensor([[[2., 0.], [0., 4.]], [[1., 2.], [2., 4.]]])
    >>> inverse, info = symgrad.linalg.inv_ex(A)
    >>> info
    tensor([0, 2], dtype=symgrad.int32)
    >>> inverse[0]
    tensor([[0.5000, 0.0000],
            [0.0000, 0.2500]])
    >>> inverse[1]
    tensor([[nan, nan],
            [nan, nan]])
    """
    a = _float_matrices("linalg.inv", A)  # (PyTorch's argument errors name linalg.inv too)
    info = _lapack_info(a._value)
    if check_errors and info.any():
        raise _singular("linalg.inv_ex", a._value)
    return return_types.linalg_inv_ex(apply(_INV_EX, a), tensor_arg(info))


def matrix_power(input: Any, n: Any) -> Any:
    """``input`` to the integer power ``n``, composed as PyTorch composes it:
    the identity (still in the graph, with gradient 0) for ``n = 0``, a copy
    for ``n = 1``, ``inv(input)`` to the power ``-n`` for negative ``n``, else
    products by repeated squaring.  Integer matrices are fine for ``n >= 0``.

    >>> import symgrad
    >>> A = symgrad.tensor([[1., 1.], [0., 1.]], requires_grad=True)
    >>> symgrad.matrix_power(A, 3)
    tensor([[1., 3.],
            [0., 1.]], grad_fn=<MmBackward0>)
    >>> symgrad.matrix_power(A, -1).expr
    [[A[1, 1]/(A[0, 0]*A[1, 1] - A[0, 1]*A[1, 0]), -A[0, 1]/(A[0, 0]*A[1, 1] - A[0, 1]*A[1, 0])], [-A[1, 0]/(A[0, 0]*A[1, 1] - A[0, 1]*A[1, 0]), A[0, 0]/(A[0, 0]*A[1, 1] - A[0, 1]*A[1, 0])]]
    >>> symgrad.matrix_power(A, 0)
    tensor([[1., 0.],
            [0., 1.]], grad_fn=<FillBackward0>)
    """
    return _matrix_power("matrix_power", input, n)


def linalg_matrix_power(A: Any, n: Any) -> Any:  # noqa: N803 - PyTorch's argument name
    """``torch.linalg.matrix_power``: the same as ``symgrad.matrix_power``.

    >>> import symgrad
    >>> symgrad.linalg.matrix_power(symgrad.tensor([[[0, 1], [1, 0]], [[2, 0], [0, 3]]]), 2)
    tensor([[[1, 0],
             [0, 1]],
    <BLANKLINE>
            [[4, 0],
             [0, 9]]])
    """
    return _matrix_power("linalg_matrix_power", A, n)


def _matrix_power(caller: str, A: Any, n: Any) -> Any:  # noqa: N803
    n = _exponent(caller, n)
    a = _square_matrices("linalg.matrix_power", A)
    if n == 0:
        identity = a.clone()  # (a copy overwritten, as PyTorch's: the result stays in A's graph)
        return identity.copy_(tensor_arg(np.broadcast_to(np.eye(a.shape[-1], dtype=a._value.dtype), a.shape)))
    if n == 1:
        return a.clone()
    if n < 0:
        a = inv(a)
    if abs(n) > 1 and a._value.dtype == np.bool_:
        raise NotImplementedError("linalg.matrix_power: boolean matrices are not multiplied (as PyTorch: "
                                  "\"addmm_impl_cpu_\" not implemented for 'Bool'); convert with .int() first")
    return _repeated_squaring(a, abs(n))


def _exponent(caller: str, n: Any) -> int:
    from symgrad._tensor import Tensor

    if isinstance(n, Tensor) and n.ndim == 0 and n._value.dtype.kind in "iu":
        return int(n._value)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{caller}(): argument 'n' must be int, not {type(n).__name__} "
                        "(matrix powers take whole exponents: pass an int)")
    return int(n)


def _repeated_squaring(a: Any, n: int) -> Any:
    """``a`` to the power ``n >= 1`` with PyTorch's products: ``a @ a``,
    ``(a @ a) @ a``, else the binary digits of ``n`` from the lowest."""
    if n < 4:
        return a if n == 1 else _mm(a, a) if n == 2 else _mm(_mm(a, a), a)
    result, z = None, None
    while n:
        n, bit = divmod(n, 2)
        z = a if z is None else _mm(z, z)
        if bit:
            result = z if result is None else _mm(result, z)
    return result


def solve(A: Any, B: Any, *, left: bool = True) -> Any:  # noqa: N803 - PyTorch's argument names
    """The solution ``X`` of ``A @ X = B`` (``left=False``: ``X @ A = B``): ``B``
    a matrix, a vector, or a batch of either (PyTorch's rule: ``B`` is a batch
    of vectors when its shape is ``A.shape[:-1]``; a vector is a column, so
    ``left=False`` needs matrices); batch dimensions broadcast.

    >>> import symgrad
    >>> symgrad.linalg.solve(symgrad.tensor([[2., 0.], [0., 4.]]), symgrad.tensor([1., 1.]))
    tensor([0.5000, 0.2500])
    >>> symgrad.linalg.solve(symgrad.tensor([[2., 0.], [1., 4.]]), symgrad.tensor([[4., 8.]]), left=False)
    tensor([[1., 2.]])
    """
    return _solve_system(A, B, left, _SOLVE)


def solve_ex(A: Any, B: Any, *, left: bool = True, check_errors: bool = False) -> Any:  # noqa: N803 - PyTorch's names
    """``(result, info)``: ``linalg.solve``'s solution and LAPACK's ``info``
    (int32, one per matrix of ``A``: 0, or the 1-based position of the zero on
    U's diagonal of a singular matrix).  A singular system's solution is nan
    (PyTorch leaves LAPACK's inf and nan there) unless ``check_errors=True``,
    which raises ``LinAlgError``.  Same closed form and derivative as ``solve``.

    >>> import symgrad
    >>> A = symgrad.tensor([[[2., 0.], [0., 4.]], [[1., 2.], [2., 4.]]])
    >>> result, info = symgrad.linalg.solve_ex(A, symgrad.tensor([1., 1.]))
    >>> info
    tensor([0, 2], dtype=symgrad.int32)
    >>> result
    tensor([[0.5000, 0.2500],
            [   nan,    nan]])
    """
    a = _float_matrices("linalg.solve", A)
    info = _lapack_info(a._value)
    if check_errors and info.any():
        i = int(np.argmax(info.reshape(-1) > 0))
        where = f"(Batch element {i}): " if a.ndim > 2 else ""
        raise LinAlgError(f"torch.linalg.solve_ex: {where}The solver failed because the input matrix is singular.")
    return return_types.linalg_solve_ex(_solve_system(a, B, left, _SOLVE_EX), tensor_arg(info))


def _solve_system(A: Any, B: Any, left: bool, op: Any) -> Any:  # noqa: N803
    """``op`` (solve or solve_ex) applied as ``linalg.solve`` applies it: vectors as columns, ``left=False``
    through the transposes; PyTorch's argument errors."""
    a = _float_matrices("linalg.solve", A)
    b = tensor_arg(B)
    if b._value.dtype != a._value.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
                           f"{_type_name(a)} and B of type {_type_name(b)} instead")
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and tuple(b.shape) == tuple(a.shape[:-1]))
    rhs = _reshape(b, tuple(b.shape) + (1,)) if vector else b
    matching = rhs.shape[-2] if left else rhs.shape[-1]
    if rhs.ndim < 2 or matching != a.shape[-1]:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({a.shape[-2]}x{a.shape[-1]} and "
                           f"{rhs.shape[-2] if rhs.ndim > 1 else rhs.shape[0]}x{rhs.shape[-1] if rhs.ndim > 1 else 1})")
    _check_batches("linalg.solve", a, rhs)
    if not left:  # X @ A = B is A.mT @ X.mT = B.mT
        return _mT(apply(op, _mT(a), _mT(rhs)))
    x = apply(op, a, rhs)
    return _reshape(x, tuple(x.shape[:-1])) if vector else x


def _check_batches(name: str, a: Any, b: Any) -> None:
    """The batch dimensions of ``A`` and ``B`` broadcast, or an error naming both."""
    try:
        np.broadcast_shapes(tuple(a.shape[:-2]), tuple(b.shape[:-2]))
    except ValueError:
        raise RuntimeError(f"{name}: the batch dimensions of A {list(a.shape[:-2])} and B "
                           f"{list(b.shape[:-2])} do not broadcast") from None


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
