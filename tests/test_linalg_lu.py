"""linalg.lu_factor, lu_factor_ex, lu, lu_solve, lu_unpack and torch.lu beyond
the op spec table: numbers, pivots and gradients (second order too) against
PyTorch where it is installed, singular matrices, closed forms against SymPy,
code generation's refusals, result types and bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import sympy

import symgrad
from symgrad import linalg
from symgrad.ops.lu_factorization import getrf

_rng = np.random.default_rng(3)
SHAPES = [(3, 3), (4, 2), (2, 4), (2, 3, 3), (2, 1, 3, 2), (1, 1)]


def _torch():
    return pytest.importorskip("torch")


def _ours_and_torchs(torch, fn_sg, fn_t, a, w):
    """The outputs and the gradients of sum(out * w) of both libraries, at ``a``."""
    A = symgrad.tensor(a, requires_grad=True)
    out = fn_sg(A)
    (out * symgrad.tensor(w)).sum().backward()
    tA = torch.tensor(a, requires_grad=True)
    tout = fn_t(tA)
    (tout * torch.tensor(w)).sum().backward()
    return out.detach().numpy(), A.grad.numpy(), tout.detach().numpy(), tA.grad.numpy()


# ---------------------------------------------------------------- numbers and gradients against PyTorch

@pytest.mark.parametrize("shape", SHAPES + [(0, 3), (2, 0, 0)], ids=str)
def test_factors_and_pivots_are_pytorchs(shape):
    torch = _torch()
    a = _rng.standard_normal(shape)
    LU, pivots, info = linalg.lu_factor_ex(symgrad.tensor(a))
    want = torch.linalg.lu_factor_ex(torch.tensor(a))
    np.testing.assert_allclose(LU.numpy(), want.LU.numpy(), rtol=1e-12, atol=1e-14)
    assert pivots.numpy().dtype == np.int32 and info.numpy().dtype == np.int32
    np.testing.assert_array_equal(pivots.numpy(), want.pivots.numpy())
    np.testing.assert_array_equal(info.numpy(), want.info.numpy())
    for ours, theirs in zip(linalg.lu(symgrad.tensor(a)), torch.linalg.lu(torch.tensor(a)), strict=True):
        assert ours.shape == tuple(theirs.shape)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, atol=1e-14)


def test_float32_stays_float32():
    torch = _torch()
    a = _rng.standard_normal((3, 3)).astype(np.float32)
    LU, pivots = linalg.lu_factor(symgrad.tensor(a))
    want = torch.linalg.lu_factor(torch.tensor(a))
    assert LU.dtype == symgrad.float32
    np.testing.assert_allclose(LU.numpy(), want.LU.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(pivots.numpy(), want.pivots.numpy())


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("part", ["LU", "L", "U"])
def test_gradients_are_pytorchs(shape, part):
    torch = _torch()
    a = _rng.standard_normal(shape)
    if part == "LU":
        fns = (lambda A: linalg.lu_factor(A).LU, lambda A: torch.linalg.lu_factor(A).LU)
    else:
        fns = (lambda A: getattr(linalg.lu(A), part), lambda A: getattr(torch.linalg.lu(A), part))
    w = _rng.standard_normal(tuple(fns[1](torch.tensor(a)).shape))
    out, grad, tout, tgrad = _ours_and_torchs(torch, *fns, a, w)
    np.testing.assert_allclose(out, tout, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(grad, tgrad, rtol=1e-10, atol=1e-12)


def test_grad_fn_names_and_p_outside_the_graph():
    torch = _torch()
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    A, tA = symgrad.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    for ours, theirs in [(linalg.lu_factor(A), torch.linalg.lu_factor(tA)), (linalg.lu(A), torch.linalg.lu(tA)),
                         (linalg.lu_factor_ex(A), torch.linalg.lu_factor_ex(tA))]:
        assert type(ours).__name__ == type(theirs).__name__ and len(ours) == len(theirs)
        for x, y in zip(ours, theirs, strict=True):
            assert x.requires_grad == y.requires_grad
            assert (x.grad_fn is None) == (y.grad_fn is None)
            if y.grad_fn is not None:
                assert type(x.grad_fn).__name__ == type(y.grad_fn).__name__
    LU, pivots = linalg.lu_factor(A)
    X = linalg.lu_solve(LU, pivots, symgrad.ones(2, 1, dtype=symgrad.float32).double())
    assert type(X.grad_fn).__name__ == "LinalgLuSolveBackward0"
    P, L, U = symgrad.lu_unpack(LU, pivots)
    assert P.grad_fn is None and type(L.grad_fn).__name__ == type(U.grad_fn).__name__ == "LuUnpackBackward0"


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [False, True])
@pytest.mark.parametrize("shapes", [((3, 3), (3, 2)), ((2, 3, 3), (3, 1)), ((3, 3), (2, 3, 2))], ids=str)
def test_lu_solve_and_its_gradients_are_pytorchs(left, adjoint, shapes):
    torch = _torch()
    a = _rng.standard_normal(shapes[0])
    b = _rng.standard_normal(shapes[1] if left else shapes[1][:-2] + shapes[1][:-3:-1])
    tLU, tpivots = torch.linalg.lu_factor(torch.tensor(a))
    LU, B = symgrad.tensor(tLU.numpy(), requires_grad=True), symgrad.tensor(b, requires_grad=True)
    X = linalg.lu_solve(LU, symgrad.tensor(tpivots.numpy()), B, left=left, adjoint=adjoint)
    tLU.requires_grad_()
    tB = torch.tensor(b, requires_grad=True)
    tX = torch.linalg.lu_solve(tLU, tpivots, tB, left=left, adjoint=adjoint)
    w = _rng.standard_normal(tuple(tX.shape))
    (X * symgrad.tensor(w)).sum().backward()
    (tX * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(X.detach().numpy(), tX.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(LU.grad.numpy(), tLU.grad.numpy(), rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(B.grad.numpy(), tB.grad.numpy(), rtol=1e-9, atol=1e-11)


def test_second_derivatives_are_pytorchs():
    """create_graph through linalg.lu and lu_solve: the gradient's own gradient."""
    torch = _torch()
    a = np.array([[1.0, 2.0, 0.5], [3.0, -1.0, 2.0], [0.5, 1.5, -2.0]])
    b = np.array([[1.0], [-2.0], [0.5]])

    def f(M, A, B):
        P, L, U = M.linalg.lu(A)
        LU, pivots = M.linalg.lu_factor(A)
        return (L * U.mT).sum() + (M.linalg.lu_solve(LU, pivots, B) ** 2).sum()

    A, B = symgrad.tensor(a, requires_grad=True), symgrad.tensor(b, requires_grad=True)
    tA, tB = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    (gA,) = symgrad.autograd.grad(f(symgrad, A, B), A, create_graph=True)
    (tgA,) = torch.autograd.grad(f(torch, tA, tB), tA, create_graph=True)
    np.testing.assert_allclose(gA.detach().numpy(), tgA.detach().numpy(), rtol=1e-10)
    second = symgrad.autograd.grad((gA * gA).sum(), [A, B])
    tsecond = torch.autograd.grad((tgA * tgA).sum(), [tA, tB])
    for ours, theirs in zip(second, tsecond, strict=True):
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-9, atol=1e-12)


def test_gradcheck_and_gradgradcheck():
    A = symgrad.tensor([[0.5, 2.0, 1.0], [3.0, -1.0, 2.0], [1.0, 1.5, -2.0]], requires_grad=True)
    assert symgrad.gradcheck(lambda A: linalg.lu(A).U, (A,))
    assert symgrad.gradgradcheck(lambda A: linalg.lu_factor(A).LU, (A,))
    B = symgrad.tensor([[1.0, 2.0], [0.0, 1.0], [-1.0, 0.5]], requires_grad=True)
    LU, pivots = linalg.lu_factor(A.detach())
    LU.requires_grad_()
    assert symgrad.gradgradcheck(lambda LU, B: linalg.lu_solve(LU, pivots, B, adjoint=True), (LU, B))


# ---------------------------------------------------------------- singular matrices

def test_singular_matrices_as_pytorch():
    torch = _torch()
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    ours, theirs = linalg.lu_factor_ex(symgrad.tensor(singular)), torch.linalg.lu_factor_ex(torch.tensor(singular))
    np.testing.assert_array_equal(ours.LU.numpy(), theirs.LU.numpy())
    assert int(ours.info) == int(theirs.info) == 2
    for a in (np.array([[0.0, 1.0, 2.0], [0.0, 3.0, 4.0], [0.0, 5.0, 7.0]]), np.zeros((3, 3))):
        ours, theirs = linalg.lu_factor_ex(symgrad.tensor(a)), torch.linalg.lu_factor_ex(torch.tensor(a))
        np.testing.assert_allclose(ours.LU.numpy(), theirs.LU.numpy(), atol=1e-15)
        np.testing.assert_array_equal(ours.pivots.numpy(), theirs.pivots.numpy())
        assert int(ours.info) == int(theirs.info)
    batch = np.array([[[1.0, 2.0], [3.0, 4.0]], singular])
    for fn, name in [(lambda M, x: M.linalg.lu_factor(x), "linalg.lu_factor"),
                     (lambda M, x: M.linalg.lu_factor_ex(x, check_errors=True), "linalg.lu_factor_ex")]:
        for a in (singular, batch):
            with pytest.raises(RuntimeError) as theirs_error:
                fn(torch, torch.tensor(a))
            with pytest.raises(linalg.LinAlgError) as ours_error:
                fn(symgrad, symgrad.tensor(a))
            assert str(ours_error.value) == str(theirs_error.value)
            assert name in str(ours_error.value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        LU, pivots, infos = symgrad.lu(symgrad.tensor(batch), get_infos=True)  # (torch.lu never raises)
    np.testing.assert_array_equal(infos.numpy(), [0, 2])


def test_zero_pivot_with_rows_below_has_no_closed_form():
    A = symgrad.tensor([[0.0, 1.0, 2.0], [0.0, 3.0, 4.0], [1.0, 5.0, 7.0]], requires_grad=True)
    assert linalg.lu_factor(A).LU.expr is not None  # (the pivot 1 is swapped up: no zero pivot)
    B = symgrad.tensor([[0.0, 1.0], [0.0, 3.0]], requires_grad=True)
    LU = linalg.lu_factor_ex(B).LU
    with pytest.raises(linalg.NoClosedFormError, match="a pivot is zero with rows below it"):
        _ = LU.expr
    C = symgrad.tensor([[1.0, 2.0], [2.0, 4.0]], requires_grad=True)  # (the zero is the last pivot: nothing below)
    assert linalg.lu_factor_ex(C).LU.expr[1][1] is not None


# ---------------------------------------------------------------- closed forms and code generation

def test_closed_form_is_elimination_at_the_traced_pivots():
    a = [[1.0, 2.0, 0.0], [3.0, 1.0, 2.0], [0.5, 4.0, 1.0]]
    A = symgrad.tensor(a, requires_grad=True)
    P, L, U = linalg.lu(A)
    M = sympy.Matrix(A.expr.tolist())
    product = sympy.Matrix(P.numpy().astype(int)) * sympy.Matrix(L.expr.tolist()) * sympy.Matrix(U.expr.tolist())
    assert sympy.simplify(product - M) == sympy.zeros(3, 3)
    grad = symgrad.diff(U[2, 2], A)
    want = sympy.Array(sympy.derive_by_array(U.expr[2][2], M))
    subs = {M[i, j]: a[i][j] for i in range(3) for j in range(3)}
    np.testing.assert_allclose(np.array(grad.subs(subs).tolist(), dtype=float),
                               np.array(want.subs(subs).tolist(), dtype=float), rtol=1e-12)


def test_scalar_code_refuses_traced_pivots_and_array_code_factors_at_run_time():
    A = symgrad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, name="A")
    U = linalg.lu(A).U
    with pytest.raises(symgrad.codegen.CodegenError, match="no scalar-mode code .*row swaps"):
        symgrad.lambdify([A], U, "math")
    fn = symgrad.lambdify([A], U, "numpy")
    other = np.array([[3.0, 4.0], [1.0, 2.0]])  # (no swap here: the traced pivots would be wrong)
    np.testing.assert_allclose(fn(other), linalg.lu(symgrad.tensor(other)).U.numpy())


def test_pivots_of_a_symbolic_matrix_are_chosen_by_values():
    A = symgrad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, name="A")
    b = symgrad.tensor([[1.0], [2.0]], name="b")
    X = linalg.lu_solve(*linalg.lu_factor(A), b)
    with pytest.raises(symgrad.codegen.CodegenError, match="positions chosen"):
        symgrad.lambdify([A, b], X, "numpy")
    np.testing.assert_allclose(X.detach().numpy(), np.linalg.solve(A.detach().numpy(), b.numpy()))


# ---------------------------------------------------------------- results, torch.lu, bad input

def test_lu_unpack_flags_and_torch_lu():
    torch = _torch()
    a = np.array([[1.0, 2.0, 3.0], [3.0, 4.0, 5.0]])
    LU, pivots = linalg.lu_factor(symgrad.tensor(a))
    tLU, tpivots = torch.linalg.lu_factor(torch.tensor(a))
    for kw in ({}, {"unpack_data": False}, {"unpack_pivots": False}):
        for ours, theirs in zip(symgrad.lu_unpack(LU, pivots, **kw), torch.lu_unpack(tLU, tpivots, **kw), strict=True):
            assert ours.shape == tuple(theirs.shape)
            np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-15)
    with pytest.warns(UserWarning, match="torch.lu is deprecated"):
        result = symgrad.lu(symgrad.tensor(a))
    assert type(result) is tuple and len(result) == 2
    with pytest.warns(UserWarning):
        method = symgrad.tensor(a).lu(get_infos=True)
    assert type(method).__name__ == "_lu_with_info" and int(method.info) == 0


@pytest.mark.parametrize("call,message", [
    (lambda: linalg.lu_factor(symgrad.ones(2)), "Expected tensor with 2 or more dimensions"),
    (lambda: linalg.lu_factor(symgrad.ones(2, 2, dtype=symgrad.int64)), "\"lu_cpu\" not implemented for 'Long'"),
    (lambda: linalg.lu(symgrad.ones(2, 2), pivot=False), "LU without pivoting is not implemented on the CPU"),
    (lambda: linalg.lu_factor(symgrad.eye(2), pivot=1), "argument 'pivot' must be bool"),
    (lambda: linalg.lu_solve(symgrad.eye(2), symgrad.tensor([1, 2]), symgrad.ones(2, 1)),
     "pivots should be a Tensor of scalar type torch.int32"),
    (lambda: linalg.lu_solve(symgrad.eye(2), symgrad.tensor([0, 2], dtype=symgrad.int32), symgrad.ones(2, 1)),
     "pivots must be between 1 and LU.size"),
    (lambda: linalg.lu_solve(symgrad.eye(2), symgrad.tensor([1, 2], dtype=symgrad.int32), symgrad.ones(3, 1)),
     r"Incompatible shapes of A and B for the equation AX = B \(2x2 and 3x1\)"),
    (lambda: linalg.lu_solve(symgrad.eye(2), symgrad.tensor([1, 2], dtype=symgrad.int32), symgrad.ones(2)),
     "The input tensor B must have at least 2 dimensions"),
    (lambda: linalg.lu_solve(symgrad.eye(2).double(), symgrad.tensor([1, 2], dtype=symgrad.int32),
                             symgrad.ones(2, 1, dtype=symgrad.float32)), "Expected LU and B to have the same dtype"),
    (lambda: linalg.lu_solve(symgrad.ones(2, 3), symgrad.tensor([1, 2], dtype=symgrad.int32), symgrad.ones(2, 1)),
     "A must be batches of square matrices"),
    (lambda: symgrad.lu_unpack(symgrad.eye(2), symgrad.tensor([[1, 2]], dtype=symgrad.int32)),
     "expected pivots of shape"),
])
def test_bad_input_is_refused_with_a_message(call, message):
    with pytest.raises((RuntimeError, TypeError, NotImplementedError), match=message):
        call()


def test_getrf_on_a_batch_matches_one_by_one():
    a = _rng.standard_normal((4, 3, 3))
    lu, pivots, zeros = getrf(a)
    for i in range(4):
        one = getrf(a[i])
        np.testing.assert_array_equal(lu[i], one[0])
        np.testing.assert_array_equal(pivots[i], one[1])
    assert not zeros.any()
