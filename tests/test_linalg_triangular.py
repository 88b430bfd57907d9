"""linalg.cholesky, cholesky_ex, solve_triangular, multi_dot, vecdot and vander
beyond the op spec table:
closed forms against SymPy, which triangle is read, PyTorch's errors and
dtypes, batches, the size guard."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import sympy

import symgrad
from symgrad import linalg

SPD = [[4.0, 2.0, 0.4], [2.0, 3.0, 0.5], [0.4, 0.5, 2.0]]
NOT_PD = [[1.0, 2.0], [2.0, 1.0]]


def _matrix(t: symgrad.Tensor) -> sympy.Matrix:
    return sympy.Matrix(t.expr.tolist())


def _is_zero(m: sympy.Matrix) -> bool:
    return m.applyfunc(sympy.simplify) == sympy.zeros(*m.shape)


def _torch():
    return pytest.importorskip("torch")


def _raised(case, module):
    try:
        case(module)
    except Exception as e:  # noqa: BLE001 - comparing what two libraries raise
        return type(e), str(e)
    raise AssertionError(f"{module.__name__} raised nothing")


def _kind(cls: type) -> type:
    return next(k for k in (TypeError, NotImplementedError, RuntimeError, Exception) if issubclass(cls, k))


def _raise_as_pytorch(cases, same_words=True):
    """Each case raises in both libraries, the same kind of error, with PyTorch's words first in ours."""
    torch = _torch()
    for case in cases:
        (ours, our_message), (theirs, their_message) = _raised(case, symgrad), _raised(case, torch)
        assert _kind(ours) is _kind(theirs), (our_message, their_message)
        assert not same_words or our_message.startswith(their_message), (our_message, their_message)


# ---------------------------------------------------------------- cholesky

def test_cholesky_closed_form_is_sympys_cholesky():
    A = symgrad.tensor(SPD, requires_grad=True)
    M = _matrix(A)
    lower = sympy.Matrix(3, 3, lambda i, j: M[max(i, j), min(i, j)])  # (the lower triangle is what is read)
    assert _is_zero(_matrix(linalg.cholesky(A)) - lower.cholesky(hermitian=False))
    upper = sympy.Matrix(3, 3, lambda i, j: M[min(i, j), max(i, j)])
    assert _is_zero(_matrix(linalg.cholesky(A, upper=True)) - upper.cholesky(hermitian=False).T)


def test_cholesky_reads_one_triangle_as_pytorch():
    torch = _torch()
    a = np.array([[4.0, 100.0], [2.0, 3.0]])  # lower triangle positive definite, upper not
    np.testing.assert_allclose(linalg.cholesky(symgrad.tensor(a)).numpy(), torch.linalg.cholesky(torch.tensor(a)))
    np.testing.assert_allclose(linalg.cholesky(symgrad.tensor(a.T), upper=True).numpy(),
                               torch.linalg.cholesky(torch.tensor(a.T), upper=True))
    L = linalg.cholesky(symgrad.tensor(a, name="A"))
    assert not any(e.has(sympy.Symbol("A[0, 1]")) for e in np.asarray(L.expr.tolist(), dtype=object).ravel())


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_gradient_is_pytorchs_symmetric_gradient(upper):
    torch = _torch()
    w = np.array([[1.0, -2.0, 0.5], [0.3, 1.0, 2.0], [-1.0, 0.7, 1.5]])
    A, T = symgrad.tensor(SPD, requires_grad=True), torch.tensor(SPD, dtype=torch.float64, requires_grad=True)
    (linalg.cholesky(A, upper=upper) * symgrad.tensor(w)).sum().backward()
    (torch.linalg.cholesky(T, upper=upper) * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(A.grad.numpy(), T.grad.numpy(), rtol=1e-12, atol=1e-14)
    assert type(linalg.cholesky(A).grad_fn).__name__ == "LinalgCholeskyExBackward0"


def test_cholesky_batches_and_float32_as_pytorch():
    torch = _torch()
    a = np.stack([np.array(SPD), np.eye(3) * 2])
    for dtype, tdtype in [(symgrad.float32, torch.float32), (symgrad.float64, torch.float64)]:
        got = linalg.cholesky(symgrad.tensor(a, dtype=dtype))
        want = torch.linalg.cholesky(torch.tensor(a, dtype=tdtype))
        assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)
    assert linalg.cholesky(symgrad.ones(2, 0, 0)).shape == (2, 0, 0)


def test_cholesky_errors_are_pytorchs():
    _raise_as_pytorch([
             lambda M: M.linalg.cholesky(M.tensor(NOT_PD)),
             lambda M: M.linalg.cholesky(M.tensor([[[1.0, 0.0], [0.0, 1.0]], NOT_PD])),
             lambda M: M.linalg.cholesky(M.tensor([[float("nan"), 2.0], [2.0, 1.0]])),
             lambda M: M.linalg.cholesky(M.tensor([[1, 2], [2, 1]])),
             lambda M: M.linalg.cholesky(M.ones(2, 3)),
             lambda M: M.linalg.cholesky(M.ones(3)),
             lambda M: M.linalg.cholesky(M.tensor(NOT_PD), upper=1),
             lambda M: M.linalg.cholesky_ex(M.tensor([[[1.0, 0.0], [0.0, 1.0]], NOT_PD]), check_errors=True),
             lambda M: M.linalg.cholesky(M.ones(2, 2, dtype=M.float16))])
    with pytest.raises(linalg.LinAlgError, match="leading minor of order 2"):
        linalg.cholesky(symgrad.tensor(NOT_PD))


def test_cholesky_ex_reports_instead_of_raising():
    torch = _torch()
    a = np.stack([np.array(SPD)[:2, :2], np.array(NOT_PD)])
    L, info = linalg.cholesky_ex(symgrad.tensor(a))
    want = torch.linalg.cholesky_ex(torch.tensor(a))
    assert info.dtype == symgrad.int32 and info.tolist() == want.info.tolist() == [0, 2]
    np.testing.assert_allclose(L[0].numpy(), want.L[0].numpy())
    assert np.isnan(L[1].numpy()).all()  # (PyTorch leaves LAPACK's partial factor there)
    result = linalg.cholesky_ex(symgrad.tensor(SPD))
    assert type(result).__name__ == "linalg_cholesky_ex" and result._fields == ("L", "info")
    assert result.info.item() == 0


def test_torch_cholesky_is_deprecated_and_the_method_too():
    A = symgrad.tensor(SPD)
    with pytest.warns(UserWarning, match="torch.cholesky is deprecated"):
        U = symgrad.cholesky(A, upper=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert A.cholesky().tolist() == linalg.cholesky(A).tolist()
    assert U.tolist() == linalg.cholesky(A, upper=True).tolist()


def test_cholesky_closed_form_is_refused_before_sympy_when_large():
    n = 10
    A = symgrad.tensor(np.eye(n) * 2, requires_grad=True)
    with pytest.raises(symgrad.ExpressionTooLargeError, match="cholesky of a 10x10 matrix"):
        _ = linalg.cholesky(A).expr
    assert linalg.cholesky(A)[n - 1, n - 1].item() == pytest.approx(2 ** 0.5)  # the numbers work


# ---------------------------------------------------------------- solve_triangular

def test_solve_triangular_closed_form_is_substitution():
    A = symgrad.tensor([[2.0, 0.5, 1.0], [0.0, 3.0, 0.2], [0.0, 0.0, 4.0]], requires_grad=True)
    B = symgrad.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
    X = linalg.solve_triangular(A, B, upper=True)
    M = sympy.Matrix(3, 3, lambda i, j: _matrix(A)[i, j] if j >= i else 0)
    assert _is_zero(_matrix(X) - M.LUsolve(_matrix(B)))
    Y = linalg.solve_triangular(A, B.T, upper=True, left=False, unitriangular=True)
    unit = sympy.Matrix(3, 3, lambda i, j: 1 if i == j else M[i, j])
    assert _is_zero(_matrix(Y) * unit - _matrix(B).T)


@pytest.mark.parametrize("flags", [dict(upper=True), dict(upper=False, left=False),
                                   dict(upper=False, unitriangular=True), dict(upper=True, left=False,
                                                                              unitriangular=True)])
def test_solve_triangular_values_and_gradients_as_pytorch(flags):
    torch = _torch()
    rng = np.random.default_rng(1)
    a, b = rng.uniform(-1, 1, (2, 3, 3)) + 3 * np.eye(3), rng.uniform(-1, 1, (3, 2) if flags.get("left", True)
                                                                        else (2, 3))
    A, B = symgrad.tensor(a, requires_grad=True), symgrad.tensor(b, requires_grad=True)
    TA, TB = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    X, TX = linalg.solve_triangular(A, B, **flags), torch.linalg.solve_triangular(TA, TB, **flags)
    np.testing.assert_allclose(X.detach().numpy(), TX.detach().numpy(), rtol=1e-12)
    (X ** 2).sum().backward()
    (TX ** 2).sum().backward()
    np.testing.assert_allclose(A.grad.numpy(), TA.grad.numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(B.grad.numpy(), TB.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_solve_triangular_dtypes_broadcasting_and_zeros_as_pytorch():
    torch = _torch()
    for a_dtype, b_dtype in [("float32", "float64"), ("float64", "float32"), ("float32", "int64")]:
        got = linalg.solve_triangular(symgrad.eye(2, dtype=getattr(symgrad, a_dtype)),
                                      symgrad.ones(2, 1, dtype=getattr(symgrad, b_dtype)), upper=False)
        want = torch.linalg.solve_triangular(torch.eye(2, dtype=getattr(torch, a_dtype)),
                                             torch.ones(2, 1, dtype=getattr(torch, b_dtype)), upper=False)
        assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
    assert linalg.solve_triangular(symgrad.ones(3, 2, 2), symgrad.ones(4, 1, 2, 1), upper=False).shape == (4, 3, 2, 1)
    singular = linalg.solve_triangular(symgrad.zeros(2, 2), symgrad.ones(2, 1), upper=False)
    want = torch.linalg.solve_triangular(torch.zeros(2, 2), torch.ones(2, 1), upper=False)
    np.testing.assert_array_equal(singular.numpy(), want.numpy())  # inf, then nan: no error, as LAPACK


def test_solve_triangular_errors_are_pytorchs():
    _raise_as_pytorch([
             lambda M: M.linalg.solve_triangular(M.eye(2), M.ones(2), upper=False),
             lambda M: M.linalg.solve_triangular(M.eye(2), M.ones(2, 1), upper=False, left=False),
             lambda M: M.linalg.solve_triangular(M.eye(2), M.ones(3, 1), upper=False),
             lambda M: M.linalg.solve_triangular(M.ones(2, 3), M.ones(2, 1), upper=False),
             lambda M: M.linalg.solve_triangular(M.eye(2), M.ones(2, 1), upper=1),
             lambda M: M.linalg.solve_triangular(M.ones(2, 2, dtype=M.int64), M.ones(2, 1), upper=True)])
    # (the words differ: Python's for a missing keyword, and symgrad's names both batch shapes)
    _raise_as_pytorch([lambda M: M.linalg.solve_triangular(M.eye(2), M.ones(2, 1)),
                       lambda M: M.linalg.solve_triangular(M.ones(3, 2, 2), M.ones(2, 2, 1), upper=True)],
                      same_words=False)


# ---------------------------------------------------------------- multi_dot, vecdot, vander, aliases

def test_multi_dot_vecdot_vander_errors_are_pytorchs():
    _raise_as_pytorch([
        lambda M: M.linalg.multi_dot([M.ones(2, 3)]),
        lambda M: M.linalg.multi_dot([]),
        lambda M: M.linalg.multi_dot([M.ones(2, 3), M.ones(2, 3)]),
        lambda M: M.linalg.multi_dot([M.ones(2, 3), M.ones(2, 3, 3)]),
        lambda M: M.linalg.multi_dot([M.ones(2, 3, 3), M.ones(3, 3)]),
        lambda M: M.linalg.multi_dot([M.ones(2), M.ones(2), M.ones(2, 2)]),
        lambda M: M.linalg.multi_dot([M.ones(2, 3, dtype=M.float32), M.ones(3, 4, dtype=M.float64)]),
        lambda M: M.linalg.vecdot(M.ones(3, dtype=M.int64), M.ones(3, dtype=M.int64)),
        lambda M: M.linalg.vecdot(M.ones(3, dtype=M.float32), M.ones(3, dtype=M.float64)),
        lambda M: M.linalg.vander(M.tensor([1.0, 2.0]), N=1),
        lambda M: M.linalg.vander(M.tensor([1.0]))])


def test_multi_dot_multiplies_in_pytorchs_order_and_shapes():
    torch = _torch()
    rng = np.random.default_rng(2)
    for shapes in [[(3,), (3, 20), (20, 2)], [(10, 2), (2, 10), (10, 3)], [(4, 4), (4, 4), (4, 4)],
                   [(5, 3), (3, 8), (8, 2), (2,)], [(3,), (3,)]]:
        xs = [rng.normal(size=s) for s in shapes]
        got = linalg.multi_dot([symgrad.tensor(x) for x in xs]).numpy()
        want = torch.linalg.multi_dot([torch.tensor(x) for x in xs]).numpy()
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-14)


def test_vander_of_integers_and_the_aliases():
    torch = _torch()
    got, want = linalg.vander(symgrad.tensor([1, 2, 3]), N=4), torch.linalg.vander(torch.tensor([1, 2, 3]), N=4)
    assert got.dtype == symgrad.int64 and got.tolist() == want.tolist()
    A = symgrad.tensor(np.arange(18.0).reshape(2, 3, 3))
    assert linalg.diagonal(A).tolist() == torch.linalg.diagonal(torch.tensor(A.numpy())).tolist()
    assert linalg.matmul(A, A).tolist() == (A @ A).tolist()
