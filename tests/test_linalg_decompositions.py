"""linalg.qr, svd, svdvals (and torch.qr / torch.svd's forms) beyond the op
spec table: closed forms against SymPy, the refusals PyTorch makes, the
missing closed forms, result types and bad input, compared with PyTorch
where it is installed."""

from __future__ import annotations

import importlib
import importlib.util
import warnings

import numpy as np
import pytest
import sympy

import symgrad
from symgrad import linalg


@pytest.fixture(autouse=True)
def _torch_default_float64():
    """PyTorch's default dtype as symgrad's, for this module's tests only
    (left at float64, it changed later modules' torch models: LeNet's bias)."""
    torch = importlib.import_module("torch") if importlib.util.find_spec("torch") else None
    previous = torch.get_default_dtype() if torch is not None else None
    yield
    if torch is not None:
        torch.set_default_dtype(previous)


def _torch():
    torch = pytest.importorskip("torch")
    torch.set_default_dtype(torch.float64)  # (restored after the test: _torch_default_float64)
    return torch


# ---------------------------------------------------------------- QR

def test_qr_closed_form_is_gram_schmidt_with_lapacks_signs():
    A = symgrad.tensor([[2.0, 1.0], [1.0, 3.0], [0.0, 1.0]], requires_grad=True)
    Q, R = linalg.qr(A)
    q, r = sympy.Matrix(Q.expr.tolist()), sympy.Matrix(R.expr.tolist())
    M = sympy.Matrix(A.expr.tolist())
    assert (q * r - M).applyfunc(sympy.simplify) == sympy.zeros(3, 2)
    assert (q.T * q).applyfunc(sympy.simplify) == sympy.eye(2)
    values = {s: v for s, v in zip(M, A.detach().numpy().reshape(-1), strict=True)}
    np.testing.assert_allclose(np.array(q.subs(values), dtype=float), Q.detach().numpy(), atol=1e-14)
    (g,) = symgrad.autograd.grad(Q[0, 1] + R[1, 1], A)
    expected = sympy.Matrix(3, 2, lambda i, j: sympy.diff(q[0, 1] + r[1, 1], M[i, j]))
    np.testing.assert_allclose(np.array(expected.subs(values), dtype=float), g.numpy(), atol=1e-13)


def test_qr_modes_shapes_and_result_types():
    A = symgrad.tensor(np.arange(12.0).reshape(4, 3) ** 1.5)
    for mode, q_shape, r_shape in [("reduced", (4, 3), (3, 3)), ("complete", (4, 4), (4, 3)), ("r", (0,), (3, 3))]:
        result = linalg.qr(A, mode=mode)
        assert type(result).__name__ == "linalg_qr" and result._fields == ("Q", "R")
        assert tuple(result.Q.shape) == q_shape and tuple(result.R.shape) == r_shape
    with pytest.warns(UserWarning, match="torch.qr is deprecated"):
        result = symgrad.qr(A, some=False)
    assert type(result).__name__ == "qr" and tuple(result.Q.shape) == (4, 4)
    assert linalg.qr(A.float()).Q.dtype == symgrad.float32


def test_qr_gradients_are_refused_where_pytorch_refuses_them():
    A = symgrad.tensor([[2.0, 1.0], [1.0, 3.0], [0.0, 1.0]], requires_grad=True)
    with pytest.raises(RuntimeError, match="not computed when mode='r'. Please use linalg.qr"):
        linalg.qr(A, mode="r").R.sum().backward()
    with pytest.raises(RuntimeError, match="not differentiable when mode='complete' and nrows > ncols"):
        linalg.qr(A, mode="complete").Q.sum().backward()
    with pytest.raises(linalg.NoClosedFormError, match="any orthonormal completion"):
        _ = linalg.qr(A, mode="complete").Q.expr
    assert linalg.qr(A, mode="complete").R.expr.shape == (3, 2)


def test_qr_of_dependent_columns_has_no_closed_form():
    A = symgrad.tensor([[1.0, 2.0], [2.0, 4.0]], requires_grad=True)
    Q, R = linalg.qr(A)
    with pytest.raises(linalg.NoClosedFormError, match="R has a zero on its diagonal"):
        _ = Q.expr


@pytest.mark.parametrize("backend", ["math", "c"])
def test_scalar_mode_code_refuses_qr_whose_signs_were_read_at_the_traced_matrix(backend):
    A = symgrad.tensor([[2.0, 1.0], [1.0, 3.0]], requires_grad=True, name="A")
    R = linalg.qr(A).R
    with pytest.raises(symgrad.codegen.CodegenError, match="no scalar-mode code .*signs LAPACK chose"):
        symgrad.lambdify([A], R, backend)
    with pytest.raises(symgrad.codegen.CodegenError, match="no scalar-mode code"):
        symgrad.gradient_function((linalg.qr(A).Q * 1.5).sum(), [A], backend)


def test_array_code_for_qr_chooses_the_signs_at_run_time():
    A = symgrad.tensor([[2.0, 1.0], [1.0, 3.0]], requires_grad=True, name="A")
    fn = symgrad.lambdify([A], linalg.qr(A).R, "numpy")
    flipped = np.array([[-2.0, 1.0], [1.0, -3.0]])  # LAPACK gives R's diagonal other signs here
    np.testing.assert_allclose(fn(flipped), linalg.qr(symgrad.tensor(flipped)).R.numpy(), atol=1e-14)


def test_qr_bad_input_as_pytorch():
    torch = _torch()
    for call in (lambda m, x: m.linalg.qr(x(np.ones((2, 2))), mode="full"),
                 lambda m, x: m.linalg.qr(x(np.ones(3))),
                 lambda m, x: m.linalg.qr(x(np.ones((2, 2), dtype=np.int64)))):
        with pytest.raises(RuntimeError) as want:
            call(torch, torch.tensor)
        with pytest.raises(RuntimeError) as got:
            call(symgrad, symgrad.tensor)
        assert str(got.value) == str(want.value).split(" (Triggered")[0]


# ---------------------------------------------------------------- SVD

def test_svd_has_no_closed_form_and_codegen_refuses_it():
    A = symgrad.tensor([[3.0, 1.0], [0.0, 2.0]], requires_grad=True)
    U, S, Vh = linalg.svd(A)
    for t in (U, S, Vh, linalg.svdvals(A)):
        with pytest.raises(linalg.NoClosedFormError, match="linalg.svd and linalg.svdvals have no closed form"):
            _ = t.expr
    with pytest.raises(symgrad.codegen.CodegenError, match="no code can be generated through"):
        symgrad.lambdify([A], S, "numpy")


def test_svd_gradients_at_repeated_singular_values_as_pytorch():
    A = symgrad.eye(3, requires_grad=True)
    U, S, Vh = linalg.svd(A)
    (U.sum() + Vh.sum()).backward()
    assert np.isnan(A.grad.numpy()).all()  # (PyTorch: nan as well)
    B = symgrad.eye(3, requires_grad=True)
    linalg.svdvals(B).sum().backward()
    np.testing.assert_array_equal(B.grad.numpy(), np.eye(3))


def test_svd_forms_and_result_types():
    a = np.array([[3.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    full = linalg.svd(symgrad.tensor(a))
    assert type(full).__name__ == "linalg_svd" and full._fields == ("U", "S", "Vh")
    assert tuple(full.U.shape) == (3, 3) and tuple(linalg.svd(symgrad.tensor(a), False).U.shape) == (3, 2)
    old = symgrad.tensor(a).svd()
    assert type(old).__name__ == "svd" and old._fields == ("U", "S", "V") and tuple(old.U.shape) == (3, 2)
    no_uv = symgrad.svd(symgrad.tensor(a), compute_uv=False)
    assert no_uv.U.tolist() == np.zeros((3, 3)).tolist() and no_uv.S.tolist() == [3.0, 1.0]


def test_svd_matches_pytorch_and_bad_input():
    torch = _torch()
    a = np.random.default_rng(3).uniform(-1, 1, (2, 3, 4))
    np.testing.assert_allclose(linalg.svdvals(symgrad.tensor(a)).numpy(), torch.linalg.svdvals(torch.tensor(a)),
                               rtol=1e-13)
    V = symgrad.svd(symgrad.tensor(a)).V.numpy()
    tV = torch.svd(torch.tensor(a)).V.numpy()
    np.testing.assert_allclose(np.abs(V), np.abs(tV), atol=1e-13)
    for call in (lambda m, x: m.linalg.svd(x(np.ones(3))), lambda m, x: m.linalg.svdvals(x(np.ones((2, 2), int))),
                 lambda m, x: m.linalg.svd(x(np.ones((2, 2))), driver="gesvd")):
        with pytest.raises(RuntimeError) as want:
            call(torch, torch.tensor)
        with pytest.raises(RuntimeError) as got:
            call(symgrad, symgrad.tensor)
        assert str(got.value) == str(want.value)


def test_deprecated_qr_warns_once_per_call_like_pytorch():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        symgrad.tensor([[1.0, 0.0], [0.0, 1.0]]).qr()
    assert any("torch.linalg.qr" in str(w.message) for w in caught)
