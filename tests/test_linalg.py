"""symgrad.linalg's behaviour beyond the op spec table: closed forms as
matrix calculus writes them, higher derivatives, the size guard on symbolic
determinants, errors, and the code each backend writes."""

from __future__ import annotations

import math
import subprocess
import sys
import time

import numpy as np
import pytest
import sympy

import symgrad
from symgrad import linalg


def _matrix(t: symgrad.Tensor) -> sympy.Matrix:
    return sympy.Matrix(t.expr.tolist())


@pytest.mark.parametrize("n", [2, 3])
def test_derivative_of_det_is_det_times_inverse_transposed(n):
    A = symgrad.tensor(np.eye(n) * 2 + 0.25, requires_grad=True)
    got = sympy.Matrix(symgrad.diff(linalg.det(A), A).tolist())
    M = _matrix(A)
    want = M.det() * M.inv().T
    assert (got - want).applyfunc(sympy.simplify) == sympy.zeros(n, n)
    assert not any(e.has(sympy.Pow) and any(p.exp < 0 for p in e.atoms(sympy.Pow)) for e in got), \
        "the closed form is the cofactor matrix: det(A) cancels, no division is left"


def test_second_derivative_of_det():
    A = symgrad.tensor([[2.0, 1.0], [0.5, 3.0]], requires_grad=True)
    (g,) = symgrad.autograd.grad(linalg.det(A), A, create_graph=True)
    (h,) = symgrad.autograd.grad(g[0, 0], A)  # d/dA of the cofactor A[1, 1]
    np.testing.assert_allclose(h.numpy(), [[0.0, 0.0], [0.0, 1.0]], rtol=1e-14, atol=1e-14)
    assert g.expr.tolist() == sympy.Array([[A.expr[1, 1], -A.expr[1, 0]], [-A.expr[0, 1], A.expr[0, 0]]]).tolist()


def test_gradient_of_logdet_of_an_spd_matrix_is_the_inverse():
    rng = np.random.default_rng(3)
    m = rng.normal(size=(3, 3))
    spd = m @ m.T + 3 * np.eye(3)
    A = symgrad.tensor(spd, requires_grad=True)
    symgrad.logdet(A).backward()
    np.testing.assert_allclose(A.grad.numpy(), np.linalg.inv(spd), rtol=1e-12)
    M = _matrix(A)
    closed = sympy.Matrix(A.grad.expr.tolist())
    assert (closed - M.inv().T).applyfunc(sympy.simplify) == sympy.zeros(3, 3)
    S = symgrad.tensor(spd, requires_grad=True)
    linalg.slogdet(S).logabsdet.backward()
    np.testing.assert_allclose(S.grad.numpy(), A.grad.numpy(), rtol=1e-12)


def test_solve_closed_form_is_cramers_rule():
    A = symgrad.tensor([[2.0, 1.0], [1.0, 3.0]], requires_grad=True)
    b = symgrad.tensor([1.0, 2.0], requires_grad=True)
    x = linalg.solve(A, b)
    M, v = _matrix(A), sympy.Matrix(b.expr.tolist())
    assert (sympy.Matrix(x.expr.tolist()) - M.LUsolve(v)).applyfunc(sympy.simplify) == sympy.zeros(2, 1)
    np.testing.assert_allclose(x.detach().numpy(), np.linalg.solve(A.detach().numpy(), b.detach().numpy()),
                               rtol=1e-14)


def test_inverse_gradient_and_hessian_agree_with_finite_differences():
    a0 = np.array([[2.0, 0.3], [0.1, 1.5]])

    def f(a):
        return symgrad.linalg.inv(a)[0, 1] * symgrad.linalg.inv(a)[1, 0]

    h = symgrad.hessian(f)(symgrad.tensor(a0)).numpy().reshape(4, 4)
    eps = 1e-5
    grad = symgrad.grad(f)
    fd = np.zeros((4, 4))
    for k in range(4):
        d = np.zeros(4)
        d[k] = eps
        plus = grad(symgrad.tensor(a0 + d.reshape(2, 2))).numpy().reshape(-1)
        minus = grad(symgrad.tensor(a0 - d.reshape(2, 2))).numpy().reshape(-1)
        fd[:, k] = (plus - minus) / (2 * eps)
    np.testing.assert_allclose(h, fd, rtol=1e-6, atol=1e-8)


def test_large_symbolic_determinants_are_refused_quickly():
    A = symgrad.tensor(np.eye(9) * 3 + 0.1, requires_grad=True)
    d = linalg.det(A)
    assert d.item() == pytest.approx(np.linalg.det(A.detach().numpy()))  # numbers are fine
    start = time.perf_counter()
    with pytest.raises(symgrad.ExpressionTooLargeError, match="9! = 362880 terms"):
        _ = d.expr
    with pytest.raises(symgrad.ExpressionTooLargeError):
        _ = linalg.inv(A).expr
    assert time.perf_counter() - start < 5
    d.backward()  # the numeric gradient needs no closed form
    np.testing.assert_allclose(A.grad.numpy(), np.linalg.inv(A.detach().numpy()).T * d.item(), rtol=1e-10)


def test_large_matrices_in_generated_code():
    A = symgrad.tensor(np.eye(9) * 3 + 0.1, requires_grad=True, name="A")
    d = linalg.det(A)
    fn = symgrad.gradient_function(d, [A], "numpy")  # array mode: numpy.linalg calls
    value, (g,) = fn(A.detach().numpy())
    assert value == pytest.approx(d.item())
    with pytest.raises(symgrad.ExpressionTooLargeError):
        symgrad.lambdify([A], d, "c")  # scalar mode writes the closed form: too large


def test_singular_matrices_raise_linalg_error():
    assert issubclass(linalg.LinAlgError, RuntimeError)
    s = symgrad.tensor([[1.0, 2.0], [2.0, 4.0]], requires_grad=True)
    with pytest.raises(linalg.LinAlgError, match="The diagonal element 2 is zero"):
        linalg.inv(s)
    with pytest.raises(linalg.LinAlgError, match="singular"):
        linalg.solve(s, symgrad.tensor([1.0, 1.0]))
    d = linalg.det(s)
    assert d.item() == 0.0
    with pytest.raises(linalg.LinAlgError):  # the rule needs inv(A) (documented: PyTorch returns a number)
        d.backward()


def test_vector_norm_closed_form_and_gradient_at_zero():
    x = symgrad.tensor([3.0, 4.0], requires_grad=True)
    n = linalg.vector_norm(x)
    assert str(n.expr) == "sqrt(x[0]**2 + x[1]**2)"
    n.backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.6, 0.8], rtol=1e-15)
    z = symgrad.tensor([0.0, 0.0], requires_grad=True)
    linalg.vector_norm(z).backward()
    assert z.grad.tolist() == [0.0, 0.0]


def test_refused_options_say_why():
    A = symgrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(RuntimeError, match="Order 3 not supported"):  # ("nuc", 2, -2: test_linalg_rest.py)
        linalg.matrix_norm(A, 3)
    with pytest.raises(RuntimeError, match=r"equation XA = B \(2x2 and 2x1\)"):  # (a vector is a column)
        linalg.solve(A, A[0], left=False)
    with pytest.raises(NotImplementedError, match="float16"):
        linalg.det(A.half())


def test_pytorch_names():
    A = symgrad.tensor([[2.0, 1.0], [1.0, 3.0]])
    assert symgrad.det(A).item() == A.det().item() == 5.0
    np.testing.assert_allclose(symgrad.inverse(A).numpy(), A.inverse().numpy())
    assert A.logdet().item() == pytest.approx(np.log(5.0))
    assert type(A.slogdet()).__name__ == "slogdet" and type(linalg.slogdet(A)).__name__ == "linalg_slogdet"
    assert linalg.norm is not symgrad.norm  # torch.norm and torch.linalg.norm differ (defaults, ord names)


def test_code_uses_each_backends_linalg():
    A = symgrad.tensor([[2.0, 1.0], [1.0, 3.0]], requires_grad=True, name="A")
    f = linalg.det(A) + linalg.vector_norm(A, float("inf"))
    assert "numpy.linalg.det(A)" in symgrad.gradient_function(f, [A], "numpy").source
    assert 'numpy.linalg.vector_norm(A, ord=float("inf"))' in symgrad.gradient_function(f, [A], "numpy").source
    pytest.importorskip("torch")
    source = symgrad.gradient_function(linalg.inv(A).sum(), [A], "torch").source
    assert "torch.linalg.inv(A)" in source
    math_source = symgrad.lambdify([A], linalg.det(A), "math").source
    assert "linalg" not in math_source and "A[0][0]*A[1][1] - A[0][1]*A[1][0]" in math_source


def test_importing_linalg_does_not_import_sympy():
    code = ("import sys, symgrad; from symgrad import linalg; import symgrad.linalg; "
            "linalg.det(symgrad.eye(2)); print('sympy' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "False"


def test_fractional_norm_at_a_zero_element_as_pytorch():
    """For ord < 1 the gradient at a zero element is 0 (PyTorch masks |x|**(ord - 1) there), also for a
    finite incoming gradient of 0 (0 * inf was nan)."""
    x = symgrad.tensor([0.0, 1.0, -2.0], requires_grad=True)
    linalg.vector_norm(x, 0.5).backward()
    assert x.grad[0].item() == 0.0
    np.testing.assert_allclose(x.grad.numpy()[1:], [2.414213562373095, -1.7071067811865475], rtol=1e-12)
    x.grad = None
    linalg.vector_norm(x, -1.5).backward()  # (a norm of 0: every element's gradient is 0, as PyTorch's)
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_determinants_of_0x0_matrices_are_1():
    # (as PyTorch and NumPy: reshape could not infer the batch of 0x0 matrices)
    A = symgrad.ones(0, 0, requires_grad=True)
    d = linalg.det(A)
    assert d.item() == 1.0 and d.expr == 1
    d.backward()
    assert A.grad.shape == (0, 0)
    assert linalg.det(symgrad.ones(3, 0, 0)).tolist() == [1.0, 1.0, 1.0]
    assert linalg.det(symgrad.ones(0, 2, 2)).shape == (0,)


def test_norms_over_no_elements_as_pytorch():
    # vector_norm(inf) of nothing was NumPy's 0, matrix_norm(1) an amax error
    for order in (math.inf, -math.inf):
        with pytest.raises(RuntimeError, match="cannot compute the -?inf norm on an empty tensor"):
            linalg.vector_norm(symgrad.ones(0, 3), ord=order, dim=0)
        assert linalg.vector_norm(symgrad.ones(0, 3), ord=order, dim=1).shape == (0,)
    A = symgrad.ones(2, 0, 0, requires_grad=True)
    for order in (1, math.inf):
        n = linalg.matrix_norm(A, ord=order)
        assert n.tolist() == [0.0, 0.0]
        n.sum().backward()
    assert linalg.matrix_norm(symgrad.ones(0, 3), ord=1).item() == 0.0
    for order in (-1, -math.inf):
        with pytest.raises(RuntimeError, match="linalg.matrix_norm: ord=-.* has no value"):
            linalg.matrix_norm(A, ord=order)


def test_a_nan_matrix_inverts_and_solves_to_nan_as_pytorch():
    # LAPACK calls it singular: it was a LinAlgError about a zero that is not there
    nan = float("nan")
    A = symgrad.tensor([[[nan, 1.0], [1.0, 1.0]], [[2.0, 1.0], [1.0, 1.0]]], dtype=symgrad.float32)
    inverse = linalg.inv(A)
    assert inverse.dtype == symgrad.float32 and np.isnan(inverse[0].numpy()).all()
    assert inverse[1].tolist() == [[1.0, -1.0], [-1.0, 2.0]]
    x = linalg.solve(A, symgrad.ones(2, dtype=symgrad.float32))
    assert np.isnan(x[0].numpy()).all() and x[1].tolist() == [0.0, 1.0]
    with pytest.raises(linalg.LinAlgError, match=r"\(Batch element 1\): The diagonal element 2 is zero"):
        linalg.inv(symgrad.tensor([[[nan, 1.0], [1.0, 1.0]], [[1.0, 2.0], [2.0, 4.0]]]))
