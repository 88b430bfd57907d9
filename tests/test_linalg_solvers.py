"""linalg.lstsq, matrix_rank, cond, solve_ex and matrix_exp beyond the op spec
table: which lstsq fields each driver fills, dtypes, batches, singular
matrices, no closed forms, and PyTorch's errors, compared with PyTorch where
installed."""

from __future__ import annotations

import math

import numpy as np
import pytest

import symgrad
from symgrad import linalg
from symgrad.ops.registry import NoClosedFormError
from tests.test_linalg_rest import _escaped, _torch

rng = np.random.default_rng(11)
DRIVERS = [None, "gels", "gelsy", "gelsd", "gelss"]


def _same_error(call):
    """``call(module, make_tensor)`` raises the same message in symgrad and PyTorch, and a RuntimeError in
    symgrad where PyTorch's error is one (its LinAlgError is a RuntimeError, as symgrad's)."""
    torch = _torch()
    with pytest.raises(Exception) as theirs:
        call(torch, torch.tensor)
    expected = RuntimeError if isinstance(theirs.value, RuntimeError) else type(theirs.value)
    with pytest.raises(expected, match=f"^{_escaped(theirs.value)}"):
        call(symgrad, symgrad.tensor)


def _pair(shape, dtype=np.float64):
    a = rng.standard_normal(shape).astype(dtype)
    return a, symgrad.tensor(a, requires_grad=True)


# ---------------------------------------------------------------- lstsq

@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize("shapes", [((4, 3), (4, 2)), ((3, 3), (3, 2)), ((2, 3), (2, 1)), ((4, 3), (4,)),
                                    ((2, 4, 3), (1, 4, 2)), ((2, 4, 3), (2, 4))])
def test_lstsq_fields_values_and_gradients_as_pytorch(driver, shapes):
    torch = _torch()
    (a, A), (b, B) = _pair(shapes[0]), _pair(shapes[1])
    At, Bt = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    ours, theirs = linalg.lstsq(A, B, driver=driver), torch.linalg.lstsq(At, Bt, driver=driver)
    for mine, want in zip(ours, theirs, strict=True):
        assert mine.shape == tuple(want.shape) and str(mine.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
        np.testing.assert_allclose(mine.detach().numpy(), want.detach().numpy(), rtol=1e-9, atol=1e-12)
    w, v = rng.standard_normal(ours.solution.shape), rng.standard_normal(ours.residuals.shape)
    ((ours.solution * symgrad.tensor(w)).sum() + (ours.residuals * symgrad.tensor(v)).sum()).backward()
    ((theirs.solution * torch.tensor(w)).sum() + (theirs.residuals * torch.tensor(v)).sum()).backward()
    np.testing.assert_allclose(A.grad.numpy(), At.grad.numpy(), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(B.grad.numpy(), Bt.grad.numpy(), rtol=1e-8, atol=1e-10)


def test_lstsq_float32_batches_and_rank_deficiency():
    torch = _torch()
    a = rng.standard_normal((3, 5, 3)).astype(np.float32)
    a[1, :, 2] = a[1, :, 0]  # (a rank-2 matrix in the batch: gelsd leaves the residuals empty)
    b = rng.standard_normal((3, 5, 2)).astype(np.float32)
    for driver in ("gelsy", "gelsd"):
        ours = linalg.lstsq(symgrad.tensor(a), symgrad.tensor(b), driver=driver)
        theirs = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
        assert ours.solution.dtype == symgrad.float32 and ours.rank.dtype == symgrad.int64
        assert ours.rank.tolist() == theirs.rank.tolist() == [3, 2, 3]
        assert ours.residuals.shape == tuple(theirs.residuals.shape) == (0,)
        np.testing.assert_allclose(ours.solution.numpy(), theirs.solution.numpy(), rtol=1e-3, atol=1e-4)


def test_lstsq_rcond_decides_the_rank_and_the_solution():
    torch = _torch()
    a, b = np.array([[1.0, 0.0], [0.0, 1e-3], [0.0, 0.0]]), np.array([[1.0], [1.0], [1.0]])
    ours = linalg.lstsq(symgrad.tensor(a), symgrad.tensor(b), rcond=1e-2, driver="gelsd")
    theirs = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), rcond=1e-2, driver="gelsd")
    assert int(ours.rank) == int(theirs.rank) == 1
    np.testing.assert_allclose(ours.solution.numpy(), theirs.solution.numpy())


def test_lstsq_closed_form_is_the_full_rank_formula():
    A = symgrad.tensor([[1.0], [2.0]], requires_grad=True, name="A")
    b = symgrad.tensor([3.0, 4.0], name="b")
    x = linalg.lstsq(A, b).solution
    assert str(x.expr) == "[A[0, 0]*b[0]/(A[0, 0]**2 + A[1, 0]**2) + A[1, 0]*b[1]/(A[0, 0]**2 + A[1, 0]**2)]"
    with pytest.raises(NoClosedFormError, match="numeric rank"):
        _ = linalg.lstsq(symgrad.tensor([[1.0, 2.0], [2.0, 4.0]], requires_grad=True), b).solution.expr


@pytest.mark.parametrize("call", [
    lambda M, t: M.linalg.lstsq(t([1.0, 2.0]), t([1.0, 2.0])),
    lambda M, t: M.linalg.lstsq(t([[1.0, 2.0], [3.0, 4.0]]), t([[1.0], [2.0], [3.0]])),
    lambda M, t: M.linalg.lstsq(t([[1.0, 2.0], [3.0, 4.0]]), t([[[1.0], [2.0]]] * 2)),
    lambda M, t: M.linalg.lstsq(t([[1.0, 2.0], [3.0, 4.0]]), t([[1.0], [2.0]]), driver="lu"),
    lambda M, t: M.linalg.lstsq(t([[1, 2], [3, 4]]), t([[1], [2]])),
    lambda M, t: M.linalg.lstsq(t([[1.0, 2.0], [3.0, 4.0]], dtype=M.float32), t([[1.0], [2.0]], dtype=M.float64)),
])
def test_lstsq_errors_as_pytorch(call):
    _same_error(call)


# ---------------------------------------------------------------- matrix_rank

@pytest.mark.parametrize("kwargs", [{}, {"atol": 3.0}, {"rtol": 0.5}, {"hermitian": True}, {"atol": 0.1, "rtol": 0.2}])
def test_matrix_rank_as_pytorch(kwargs):
    torch = _torch()
    a = rng.standard_normal((3, 4, 4))
    a = a + np.swapaxes(a, -1, -2)
    a[0] = np.outer(a[0, 0], a[0, 0])  # (rank 1)
    ours, theirs = linalg.matrix_rank(symgrad.tensor(a), **kwargs), torch.linalg.matrix_rank(torch.tensor(a), **kwargs)
    assert ours.dtype == symgrad.int64 and ours.tolist() == theirs.tolist()
    assert linalg.matrix_rank(symgrad.tensor(a[0]), 1.0).tolist() == torch.linalg.matrix_rank(torch.tensor(a[0]), 1.0).tolist()


def test_matrix_rank_has_no_gradient_and_takes_tolerances_per_matrix():
    A = symgrad.tensor([[[3.0, 0.0], [0.0, 0.5]], [[3.0, 0.0], [0.0, 0.5]]], requires_grad=True)
    rank = linalg.matrix_rank(A, atol=symgrad.tensor([0.1, 1.0]))
    assert rank.tolist() == [2, 1] and not rank.requires_grad


@pytest.mark.parametrize("call", [
    lambda M, t: M.linalg.matrix_rank(t([1.0, 2.0])),
    lambda M, t: M.linalg.matrix_rank(t([[1, 2], [3, 4]])),
    lambda M, t: M.linalg.matrix_rank(t([[1.0, 2.0, 3.0], [3.0, 4.0, 5.0]]), hermitian=True),
])
def test_matrix_rank_errors_as_pytorch(call):
    _same_error(call)


def test_matrix_rank_tol_and_atol_together_is_a_type_error():
    with pytest.raises(TypeError, match="tol is the older name of atol"):
        linalg.matrix_rank(symgrad.eye(2), 1.0, atol=1.0)


# ---------------------------------------------------------------- cond

@pytest.mark.parametrize("p", [None, 2, -2, "fro", "nuc", math.inf, -math.inf, 1, -1])
def test_cond_at_regular_and_singular_matrices_as_pytorch(p):
    torch = _torch()
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    for a in (np.array([[1.0, 2.0], [3.0, 4.0]]), singular, rng.standard_normal((2, 3, 3))):
        ours, theirs = linalg.cond(symgrad.tensor(a), p), torch.linalg.cond(torch.tensor(a), p)
        if a is singular and (math.isfinite(ours.item()) or math.isfinite(theirs.item())):
            # made of rounding noise (σ_min ~1e-16, or an inverse of ~1e16): its digits are the LAPACK
            # build's (NumPy's and PyTorch's differ by 2x on some CPUs); its size is not
            for value in (ours.item(), theirs.item()):
                assert (value > 1e15) if p != -2 else (value < 1e-15), (p, ours, theirs)
            continue
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_cond_float32_and_empty_matrices():
    torch = _torch()
    a = rng.standard_normal((2, 3, 3)).astype(np.float32)
    assert linalg.cond(symgrad.tensor(a)).dtype == symgrad.float32
    np.testing.assert_allclose(linalg.cond(symgrad.tensor(a), "fro").numpy(),
                               torch.linalg.cond(torch.tensor(a), "fro").numpy(), rtol=1e-4)
    assert linalg.cond(symgrad.zeros(2, 0, 0)).tolist() == [0.0, 0.0]


@pytest.mark.parametrize("call", [
    lambda M, t: M.linalg.cond(t([1.0, 2.0])),
    lambda M, t: M.linalg.cond(t([[1.0, 2.0, 3.0], [3.0, 4.0, 5.0]]), "fro"),
    lambda M, t: M.linalg.cond(t([[1.0, 2.0], [3.0, 4.0]]), 3),
    lambda M, t: M.linalg.cond(t([[1.0, 2.0], [3.0, 4.0]]), "foo"),
    lambda M, t: M.linalg.cond(t([[1, 2], [3, 4]])),
    lambda M, t: M.linalg.cond(t([[1, 2], [3, 4]]), "fro"),
])
def test_cond_errors_as_pytorch(call):
    _same_error(call)


# ---------------------------------------------------------------- solve_ex

def test_solve_ex_reports_singular_systems_in_info():
    torch = _torch()
    a = np.array([[[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0], [2.0, 4.0]]])
    ours, theirs = linalg.solve_ex(symgrad.tensor(a), symgrad.ones(2)), torch.linalg.solve_ex(torch.tensor(a), torch.ones(2, dtype=torch.float64))
    assert ours.info.dtype == symgrad.int32 and ours.info.tolist() == theirs.info.tolist() == [0, 2]
    np.testing.assert_allclose(ours.result.numpy()[0], theirs.result.numpy()[0])
    assert np.isnan(ours.result.numpy()[1]).all()  # (PyTorch: LAPACK's partial results, inf)
    _same_error(lambda M, t: M.linalg.solve_ex(t(a), t([1.0, 1.0], dtype=M.float64), check_errors=True))
    _same_error(lambda M, t: M.linalg.solve_ex(t(a[1]), t([1.0, 1.0], dtype=M.float64), check_errors=True))


def test_solve_ex_gradient_is_solves():
    torch = _torch()
    (a, A), (b, B) = _pair((3, 3)), _pair((3, 2))
    a += 3 * np.eye(3)
    A = symgrad.tensor(a, requires_grad=True)
    At, Bt = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    linalg.solve_ex(A, B).result.sum().backward()
    torch.linalg.solve_ex(At, Bt).result.sum().backward()
    np.testing.assert_allclose(A.grad.numpy(), At.grad.numpy())
    np.testing.assert_allclose(B.grad.numpy(), Bt.grad.numpy())


def test_solve_ex_generated_code_gives_nan_for_singular_systems():
    A = symgrad.tensor([[2.0, 0.0], [0.0, 3.0]], requires_grad=True, name="A")
    f = symgrad.lambdify([A], linalg.solve_ex(A, symgrad.tensor([1.0, 1.0])).result, "numpy")
    assert np.isnan(f(np.array([[1.0, 2.0], [2.0, 4.0]]))).all()
    np.testing.assert_allclose(f(np.array([[2.0, 0.0], [0.0, 4.0]])), [0.5, 0.25])


# ---------------------------------------------------------------- matrix_exp

@pytest.mark.parametrize("scale", [1e-3, 0.5, 3.0, 40.0])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_matrix_exp_values_and_gradients_as_pytorch(scale, dtype):
    torch = _torch()
    a = (rng.standard_normal((2, 4, 4)) * scale).astype(dtype)
    A, At = symgrad.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    E, Et = linalg.matrix_exp(A), torch.linalg.matrix_exp(At)
    assert E.dtype == (symgrad.float64 if dtype == np.float64 else symgrad.float32)
    rtol = 1e-9 if dtype == np.float64 else 1e-4
    scale_of = float(np.abs(Et.detach().numpy()).max())
    np.testing.assert_allclose(E.detach().numpy(), Et.detach().numpy(), rtol=rtol, atol=rtol * scale_of)
    w = rng.standard_normal(a.shape).astype(dtype)
    (E * symgrad.tensor(w)).sum().backward()
    (Et * torch.tensor(w)).sum().backward()
    g = At.grad.numpy()
    np.testing.assert_allclose(A.grad.numpy(), g, rtol=rtol * 10, atol=rtol * 10 * float(np.abs(g).max()))


def test_matrix_exp_of_known_matrices_and_aliases():
    rotation = symgrad.tensor([[0.0, -math.pi / 2], [math.pi / 2, 0.0]])
    np.testing.assert_allclose(symgrad.matrix_exp(rotation).numpy(), [[0.0, -1.0], [1.0, 0.0]], atol=1e-15)
    assert rotation.matrix_exp().tolist() == linalg.matrix_exp(rotation).tolist()
    assert linalg.matrix_exp(symgrad.tensor([[0.0, 1.0], [0.0, 0.0]])).tolist() == [[1.0, 1.0], [0.0, 1.0]]
    assert linalg.matrix_exp(symgrad.zeros(2, 0, 0)).shape == (2, 0, 0)


def test_matrix_exp_second_derivative_matches_finite_differences():
    a = rng.standard_normal((2, 2)) * 0.5
    A = symgrad.tensor(a, requires_grad=True)
    (g,) = symgrad.autograd.grad(linalg.matrix_exp(A)[0, 1], A, create_graph=True)
    (h,) = symgrad.autograd.grad(g[1, 0], A)
    eps = 1e-5

    def grad_at(x):
        X = symgrad.tensor(x, requires_grad=True)
        linalg.matrix_exp(X)[0, 1].backward()
        return X.grad.numpy()[1, 0]

    fd = np.array([[(grad_at(a + eps * np.eye(2)[i][:, None] * np.eye(2)[j]) -
                     grad_at(a - eps * np.eye(2)[i][:, None] * np.eye(2)[j])) / (2 * eps) for j in range(2)]
                   for i in range(2)])
    np.testing.assert_allclose(h.numpy(), fd, rtol=1e-6, atol=1e-8)


def test_matrix_exp_has_no_closed_form_and_no_generated_code():
    A = symgrad.tensor([[1.0, 2.0], [0.0, 1.0]], requires_grad=True, name="A")
    E = linalg.matrix_exp(A)
    with pytest.raises(NoClosedFormError, match="matrix_exp has no closed form"):
        _ = E.expr
    with pytest.raises(symgrad.codegen.CodegenError, match="no closed form"):
        symgrad.lambdify([A], E, "numpy")


@pytest.mark.parametrize("call", [
    lambda M, t: M.linalg.matrix_exp(t([1.0, 2.0])),
    lambda M, t: M.linalg.matrix_exp(t([[1.0, 2.0, 3.0], [3.0, 4.0, 5.0]])),
    lambda M, t: M.linalg.matrix_exp(t([[1, 2], [3, 4]])),
])
def test_matrix_exp_errors_as_pytorch(call):
    _same_error(call)
