"""linalg.matrix_power, inv_ex, pinv and eigh beyond the op spec table:
closed forms against SymPy, PyTorch's conventions where the table cannot
see them (gradients at rank-deficient matrices, the symmetric gradient of
eigh), the refusals of the symbolic view, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

import symgrad
from symgrad import linalg
from symgrad.codegen import CodegenError


def _matrix(t: symgrad.Tensor) -> sympy.Matrix:
    return sympy.Matrix(t.expr.tolist())


def _is_zero(m: sympy.Matrix) -> bool:
    return m.applyfunc(sympy.simplify) == sympy.zeros(*m.shape)


# ---------------------------------------------------------------- matrix_power

def test_matrix_power_closed_forms_are_products_and_inverses():
    A = symgrad.tensor([[2.0, 1.0], [0.5, 3.0]], requires_grad=True)
    M = _matrix(A)
    assert _is_zero(_matrix(linalg.matrix_power(A, 5)) - M ** 5)
    assert _is_zero(_matrix(linalg.matrix_power(A, -2)) - M.inv() ** 2)
    (g,) = symgrad.autograd.grad(linalg.matrix_power(A, 2).sum(), A)
    assert _is_zero(sympy.Matrix(g.expr.tolist()) - sympy.Matrix(2, 2, lambda i, j: sympy.diff(sum(M ** 2), M[i, j])))


def test_matrix_power_zero_is_an_identity_batch_in_the_graph():
    A = symgrad.tensor(np.arange(18.0).reshape(2, 3, 3), requires_grad=True)
    r = linalg.matrix_power(A, 0)
    np.testing.assert_array_equal(r.detach().numpy(), np.broadcast_to(np.eye(3), (2, 3, 3)))
    assert type(r.grad_fn).__name__ == "FillBackward0"  # (PyTorch: CopyBackwards; docs/pytorch.md)
    assert r.requires_grad and r.expr.tolist() == np.broadcast_to(np.eye(3, dtype=int), (2, 3, 3)).tolist()
    r.sum().backward()
    assert A.grad.tolist() == np.zeros((2, 3, 3)).tolist()
    ints = linalg.matrix_power(symgrad.tensor([[1, 2], [3, 4]]), 0)
    assert ints.dtype == symgrad.int64 and ints.tolist() == [[1, 0], [0, 1]]


def test_matrix_power_refuses_bad_input_clearly():
    A = symgrad.tensor([[2.0, 1.0], [1.0, 3.0]])
    for n, kind in [(2.0, "float"), (True, "bool"), (symgrad.tensor(2.0), "Tensor"), (None, "NoneType")]:
        with pytest.raises(TypeError, match=f"argument 'n' must be int, not {kind} .*pass an int"):
            linalg.matrix_power(A, n)
    assert linalg.matrix_power(A, symgrad.tensor(2)).tolist() == [[5.0, 5.0], [5.0, 10.0]]  # (as PyTorch)
    with pytest.raises(RuntimeError, match="linalg.matrix_power: A must be batches of square matrices"):
        linalg.matrix_power(symgrad.ones(2, 3), 2)
    with pytest.raises(RuntimeError, match="linalg.inv: Expected a floating point"):
        linalg.matrix_power(symgrad.tensor([[1, 2], [3, 4]]), -1)
    with pytest.raises(NotImplementedError, match="convert with .int()"):
        symgrad.matrix_power(symgrad.tensor([[True, False], [True, True]]), 2)
    with pytest.raises(linalg.LinAlgError, match="linalg.inv: The diagonal element 2 is zero"):
        symgrad.tensor([[1.0, 2.0], [2.0, 4.0]]).matrix_power(-3)


# ---------------------------------------------------------------- inv_ex

def test_inv_ex_reports_singular_matrices_instead_of_raising():
    A = symgrad.tensor([[[2.0, 1.0], [1.0, 3.0]], [[1.0, 2.0], [2.0, 4.0]], [[0.0, 0.0], [0.0, 0.0]]],
                       requires_grad=True)
    result = linalg.inv_ex(A)
    assert type(result).__name__ == "linalg_inv_ex" and result._fields == ("inverse", "info")
    assert result.info.dtype == symgrad.int32 and result.info.tolist() == [0, 2, 1]
    assert not result.info.requires_grad and type(result.inverse.grad_fn).__name__ == "LinalgInvExBackward0"
    np.testing.assert_allclose(result.inverse[0].detach().numpy(), [[0.6, -0.2], [-0.2, 0.4]], rtol=1e-15)
    assert np.isnan(result.inverse[1:].detach().numpy()).all()
    with pytest.raises(linalg.LinAlgError, match=r"linalg.inv_ex: \(Batch element 1\): The diagonal element 2"):
        linalg.inv_ex(A, check_errors=True)


def test_inv_ex_has_the_closed_form_and_gradient_of_inv():
    A = symgrad.tensor([[2.0, 1.0], [0.5, 3.0]], requires_grad=True)
    B = symgrad.tensor([[2.0, 1.0], [0.5, 3.0]], requires_grad=True)
    w = symgrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    (linalg.inv_ex(A).inverse * w).sum().backward()
    (linalg.inv(B) * w).sum().backward()
    assert A.grad.tolist() == B.grad.tolist()
    assert linalg.inv_ex(A).inverse.expr == linalg.inv(A).expr


# ---------------------------------------------------------------- pinv

@pytest.mark.parametrize("shape", [(2, 3), (3, 2), (2, 2)])
def test_pinv_closed_form_is_sympys_pinv(shape):
    A = symgrad.tensor(np.arange(1.0, 7.0)[:np.prod(shape)].reshape(shape) ** 1.5, requires_grad=True)
    assert _is_zero(_matrix(linalg.pinv(A)) - _matrix(A).pinv())


def test_pinv_rank_deficient_numbers_without_a_closed_form():
    a = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]])  # rank 1
    A = symgrad.tensor(a, requires_grad=True, name="A")
    P = linalg.pinv(A)
    np.testing.assert_allclose(P.detach().numpy(), np.linalg.pinv(a), rtol=1e-12)
    with pytest.raises(linalg.NoClosedFormError, match="numeric rank is lower than min.*assumes full rank"):
        _ = P.expr
    P.sum().backward()  # numeric gradients work at any rank
    assert np.isfinite(A.grad.numpy()).all()
    with pytest.raises(linalg.NoClosedFormError):
        _ = A.grad.expr
    fn = symgrad.lambdify([A], P, "numpy")  # array code computes the pseudoinverse at run time
    np.testing.assert_allclose(fn(a), P.detach().numpy(), rtol=1e-12)
    with pytest.raises(CodegenError, match="no scalar-mode code .*full-rank formula"):
        symgrad.lambdify([A], P, "math")


def test_scalar_mode_code_refuses_pinv_even_at_full_rank():
    # traced at full rank, the formula would be run at matrices whose tiny singular values pinv drops
    A = symgrad.tensor([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]], requires_grad=True, name="A")
    for backend in ("math", "c"):
        with pytest.raises(CodegenError, match="no scalar-mode code .*huge reciprocals"):
            symgrad.lambdify([A], linalg.pinv(A), backend)
    fn = symgrad.lambdify([A], linalg.pinv(A), "numpy")
    nearly_deficient = np.array([[1.0, 0.0], [0.0, 1e-17], [0.0, 0.0]])
    np.testing.assert_array_equal(fn(nearly_deficient), linalg.pinv(symgrad.tensor(nearly_deficient)).numpy())


def test_pinv_singular_values_under_the_tolerance_count_as_zero():
    A = symgrad.tensor([[1.0, 0.0], [0.0, 1e-9]], requires_grad=True)
    assert linalg.pinv(A, rtol=1e-6).tolist() == [[1.0, 0.0], [0.0, 0.0]]
    with pytest.raises(linalg.NoClosedFormError):
        _ = linalg.pinv(A, rtol=1e-6).expr
    full = linalg.pinv(A)  # the default rtol (2 * eps) keeps 1e-9: full rank, so a closed form
    assert full[1, 1].item() == pytest.approx(1e9)
    assert _is_zero(_matrix(full) - _matrix(A).inv())


def test_pinv_tolerances_as_pytorch():
    A = symgrad.tensor([[[2.0, 0.0], [0.0, 0.5]], [[2.0, 0.0], [0.0, 0.5]]])
    assert linalg.pinv(A, atol=1.0)[0].tolist() == [[0.5, 0.0], [0.0, 0.0]]  # atol > 0: rtol 0
    assert linalg.pinv(A, 0.2)[0].tolist() == [[0.5, 0.0], [0.0, 2.0]]  # rcond is rtol: 0.5 > 0.2 * 2
    assert linalg.pinv(A, rtol=0.3)[0].tolist() == [[0.5, 0.0], [0.0, 0.0]]  # 0.5 <= 0.3 * 2
    per_matrix = linalg.pinv(A, atol=symgrad.tensor([0.1, 1.0]))
    assert per_matrix[0, 1, 1].item() == 2.0 and per_matrix[1, 1, 1].item() == 0.0
    assert symgrad.pinverse(A[0], rcond=0.3).tolist() == A[0].pinverse(0.3).tolist() == [[0.5, 0.0], [0.0, 0.0]]
    with pytest.raises(TypeError, match="rcond is NumPy's name for rtol"):
        linalg.pinv(A, 0.1, atol=0.2)
    with pytest.raises(TypeError, match="atol must be a real number"):
        linalg.pinv(A, atol="a")
    with pytest.raises(RuntimeError, match=r"linalg.pinv\(Long\[2, 2\]\): expected .*convert with .double\(\)"):
        linalg.pinv(symgrad.tensor([[1, 2], [3, 4]]))


def test_pinv_gradient_at_a_rank_deficient_matrix_is_pytorchs():
    torch = pytest.importorskip("torch")
    a = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]])
    w = np.array([[1.0, -2.0], [0.5, 3.0], [2.0, 1.0]])
    A, T = symgrad.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    (linalg.pinv(A) * symgrad.tensor(w)).sum().backward()
    (torch.linalg.pinv(T) * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(A.grad.numpy(), T.grad.numpy(), rtol=1e-10, atol=1e-14)


# ---------------------------------------------------------------- eigh

S = [[2.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 4.0]]


def test_eigh_has_no_closed_form_and_says_what_to_do():
    A = symgrad.tensor(S, requires_grad=True)
    values, vectors = linalg.eigh(A)
    for t in (values, vectors, linalg.eigvalsh(A)):
        with pytest.raises(linalg.NoClosedFormError, match=r"no closed form.*symgrad\.tensor\(values\.detach\(\)"):
            _ = t.expr
    values.sum().backward()
    np.testing.assert_allclose(A.grad.numpy(), np.eye(3), atol=1e-14)  # the trace's gradient
    with pytest.raises(linalg.NoClosedFormError):
        _ = A.grad.expr
    with pytest.raises(linalg.NoClosedFormError):
        symgrad.diff(linalg.eigvalsh(A).sum(), A)
    x = symgrad.tensor(2.0, requires_grad=True)
    assert str((symgrad.tensor(values.detach().numpy())[0] * x).expr).endswith("*x")  # numbers as a constant


def test_eigh_gradient_is_pytorchs_symmetric_gradient():
    torch = pytest.importorskip("torch")
    w = np.array([[1.0, -2.0, 0.5], [0.3, 1.0, 2.0], [-1.0, 0.7, 1.5]])
    A, T = symgrad.tensor(S, requires_grad=True), torch.tensor(S, dtype=torch.float64, requires_grad=True)
    L, V = linalg.eigh(A)
    (L * symgrad.tensor(w[0])).sum().add((V * V[:1] * symgrad.tensor(w)).sum()).backward()
    Lt, Vt = torch.linalg.eigh(T)
    ((Lt * torch.tensor(w[0])).sum() + (Vt * Vt[:1] * torch.tensor(w)).sum()).backward()
    np.testing.assert_allclose(A.grad.numpy(), T.grad.numpy(), rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(A.grad.numpy(), A.grad.numpy().T, atol=1e-13)  # both triangles, as PyTorch


def test_eigenvalue_gradient_is_v_diag_g_vt():
    A = symgrad.tensor(S, requires_grad=True)
    g = np.array([1.0, -2.0, 0.5])
    (linalg.eigvalsh(A) * symgrad.tensor(g)).sum().backward()
    _, v = np.linalg.eigh(np.array(S))
    np.testing.assert_allclose(A.grad.numpy(), v @ np.diag(g) @ v.T, rtol=1e-12, atol=1e-14)
    assert type(linalg.eigvalsh(A).grad_fn).__name__ == "LinalgEighBackward0"


def test_eigh_reads_one_triangle():
    a = np.array([[2.0, 7.0], [1.0, 3.0]])  # not symmetric: lower [[2, 1], [1, 3]], upper [[2, 7], [7, 3]]
    np.testing.assert_allclose(linalg.eigvalsh(symgrad.tensor(a)).numpy(), np.linalg.eigvalsh([[2, 1], [1, 3.0]]))
    np.testing.assert_allclose(linalg.eigh(symgrad.tensor(a), UPLO="U").eigenvalues.numpy(),
                               np.linalg.eigvalsh([[2, 7], [7, 3.0]]))
    batch = linalg.eigh(symgrad.tensor(np.stack([a, a.T])))
    assert batch.eigenvalues.shape == (2, 2) and batch.eigenvectors.shape == (2, 2, 2)


def test_eigh_at_repeated_eigenvalues_as_pytorch():
    w = symgrad.tensor(np.arange(9.0).reshape(3, 3))
    A = symgrad.eye(3, requires_grad=True)
    linalg.eigvalsh(A).sum().backward()
    assert A.grad.tolist() == np.eye(3).tolist()  # eigenvalues: fine
    B = symgrad.eye(3, requires_grad=True)
    (linalg.eigh(B).eigenvectors * w).sum().backward()
    assert np.isnan(B.grad.numpy()).all()  # eigenvectors: 1/(L[j] - L[i]) with equal eigenvalues


def test_eigh_refuses_bad_input_clearly():
    with pytest.raises(RuntimeError, match="Expected UPLO argument to be 'L' or 'U', but got X"):
        linalg.eigh(symgrad.eye(2), UPLO="X")
    with pytest.raises(TypeError, match="argument 'UPLO' must be str, not int"):
        linalg.eigvalsh(symgrad.eye(2), UPLO=1)
    with pytest.raises(NotImplementedError, match="not implemented for 'Long': convert with .float"):
        linalg.eigh(symgrad.tensor([[1, 0], [0, 1]]))
    with pytest.raises(RuntimeError, match="linalg.eigh: A must be batches of square matrices"):
        linalg.eigvalsh(symgrad.ones(2, 3))
