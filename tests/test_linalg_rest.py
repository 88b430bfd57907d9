"""addmv, addr, addbmm, baddbmm, chain_matmul, renorm, histc, bernoulli,
poisson beyond the op spec table: beta = 0, integer scaling, dtypes, methods,
random draws and PyTorch's errors, compared with PyTorch where installed."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import symgrad

rng = np.random.default_rng(3)


def _torch():
    return pytest.importorskip("torch")


def _same_error(call):
    """``call(module, make_tensor)`` raises the same error type and message in symgrad and PyTorch."""
    torch = _torch()
    with pytest.raises(Exception) as theirs:
        call(torch, torch.tensor)
    with pytest.raises(type(theirs.value), match=f"^{_escaped(theirs.value)}"):
        call(symgrad, symgrad.tensor)


def _escaped(e: BaseException) -> str:
    import re

    return re.escape(str(e).split(" (Triggered internally")[0].split("\n")[0])


def _both(call):
    """``call`` run on symgrad and PyTorch: results as NumPy arrays (and dtypes' names)."""
    torch = _torch()
    ours, theirs = call(symgrad, symgrad.tensor), call(torch, torch.tensor)
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    return ours.detach().numpy(), theirs.detach().numpy()


# ---------------------------------------------------------------- addmv, addr, addbmm, baddbmm

def test_beta_zero_ignores_nan_and_inf_in_input_and_gives_it_gradient_zero():
    x = symgrad.tensor([np.nan, np.inf], requires_grad=True)
    M = symgrad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    out = symgrad.addmv(x, M, symgrad.tensor([1.0, 1.0]), beta=0)
    assert out.tolist() == [3.0, 7.0]
    out.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0] and M.grad.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    nan_matrix = symgrad.full((2, 2), np.nan)
    assert symgrad.addbmm(nan_matrix, symgrad.ones(3, 2, 1), symgrad.ones(3, 1, 2), beta=0).tolist() == [[3.0] * 2] * 2
    assert symgrad.baddbmm(nan_matrix, symgrad.ones(1, 2, 1), symgrad.ones(1, 1, 2), beta=0).tolist() == [[[1.0] * 2] * 2]
    assert symgrad.addr(nan_matrix, symgrad.ones(2), symgrad.ones(2), beta=0).tolist() == [[1.0] * 2] * 2


@pytest.mark.parametrize("beta,alpha", [(1, 1), (0.5, 2), (0, -1.5), (2, 0)])
def test_products_against_pytorch(beta, alpha):
    b2, b1, m, v = rng.normal(size=(2, 4)), rng.normal(size=4), rng.normal(size=(4, 3)), rng.normal(size=3)
    x1, x2 = rng.normal(size=(5, 4, 3)), rng.normal(size=(5, 3, 4))
    calls = [lambda M, t: M.addmv(t(b1), t(m), t(v), beta=beta, alpha=alpha),
             lambda M, t: M.addr(t(b2), t(v[:2]), t(b1), beta=beta, alpha=alpha),
             lambda M, t: M.addbmm(t(b2[:1]), t(x1[:, :2]), t(x2), beta=beta, alpha=alpha),
             lambda M, t: M.baddbmm(t(b1), t(x1), t(x2), beta=beta, alpha=alpha),
             lambda M, t: t(b1).addmv(t(m), t(v), beta=beta, alpha=alpha)]
    for call in calls:
        ours, theirs = _both(call)
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_integer_products_cast_beta_and_alpha_as_pytorch():
    for call in (lambda M, t: M.addmv(t([4, 4]), t([[1, 2], [3, 4]]), t([1, 1]), beta=0.5, alpha=2),
                 lambda M, t: M.addmv(t([1, 1]), t([[1, 2], [3, 4]]), t([1, 1]), alpha=0.5),
                 lambda M, t: M.baddbmm(t([[[1]]]), t([[[2]]]), t([[[3]]]), beta=3),
                 lambda M, t: M.addr(t([[1, 1]]), t([2]), t([3, 4]), beta=2),
                 lambda M, t: M.addr(t([[True, False]]), t([False]), t([True, True]))):
        ours, theirs = _both(call)
        assert ours.tolist() == theirs.tolist()


def test_float32_stays_float32_and_addr_promotes():
    f32 = np.float32
    ours, theirs = _both(lambda M, t: M.addmv(t(np.ones(2, f32)), t(np.ones((2, 3), f32)), t(np.ones(3, f32))))
    assert ours.dtype == np.float32
    ours, theirs = _both(lambda M, t: M.addr(t(np.ones((2, 3), f32)), t(np.ones(2)), t(np.ones(3))))
    assert ours.dtype == np.float64


def test_in_place_forms():
    x = symgrad.ones(2)
    assert x.addmv_(symgrad.ones(2, 3), symgrad.ones(3), alpha=2) is x and x.tolist() == [7.0, 7.0]
    y = symgrad.zeros(2, 2)
    y.addr_(symgrad.ones(2), symgrad.tensor([1.0, 2.0]))
    assert y.tolist() == [[1.0, 2.0], [1.0, 2.0]]
    z = symgrad.zeros(1, 1)
    z.addbmm_(symgrad.ones(2, 1, 1), symgrad.ones(2, 1, 1))
    assert z.tolist() == [[2.0]]


@pytest.mark.parametrize("call", [
    lambda M, t: M.addmv(t(np.ones(3)), t(np.ones((2, 3))), t(np.ones(3))),
    lambda M, t: M.addmv(t(np.ones(2)), t(np.ones((2, 3))), t(np.ones(2))),
    lambda M, t: M.addmv(t(np.ones((2, 1))), t(np.ones((2, 3))), t(np.ones(3))),
    lambda M, t: M.addmv(t(np.ones(2, np.float32)), t(np.ones((2, 3))), t(np.ones(3))),
    lambda M, t: M.addr(t(np.ones((3, 3))), t(np.ones(2)), t(np.ones(3))),
    lambda M, t: M.addr(t(np.ones((2, 3))), t(np.ones(2)), t(np.ones((2, 3)))),
    lambda M, t: M.addr(t(np.ones((2, 3))), t(np.ones(2)), t(np.ones(3)), beta=True),
    lambda M, t: M.addr(t(np.ones((2, 3), np.int64)), t(np.ones(2, np.int64)), t(np.ones(3, np.int64)), alpha=0.5),
    lambda M, t: M.addbmm(t(np.ones((2, 5))), t(np.ones((4, 2, 3))), t(np.ones((3, 3, 5)))),
    lambda M, t: M.addbmm(t(np.ones((2, 5))), t(np.ones((4, 2, 3))), t(np.ones((4, 2, 5)))),
    lambda M, t: M.addbmm(t(np.ones((3, 5))), t(np.ones((4, 2, 3))), t(np.ones((4, 3, 5)))),
    lambda M, t: M.addbmm(t(np.ones((2, 5))), t(np.ones((2, 3))), t(np.ones((4, 3, 5)))),
    lambda M, t: M.baddbmm(t(np.ones(5)), t(np.ones((4, 2, 3))), t(np.ones((4, 4, 5)))),
    lambda M, t: M.baddbmm(t(np.ones(5)), t(np.ones((4, 2, 3))), t(np.ones((3, 5)))),
    lambda M, t: M.baddbmm(t(np.ones((3, 2, 5))), t(np.ones((4, 2, 3))), t(np.ones((4, 3, 5)))),
    lambda M, t: M.baddbmm(t(np.ones((4, 2, 5), np.float32)), t(np.ones((4, 2, 3))), t(np.ones((4, 3, 5)))),
], ids=lambda c: "")
def test_product_errors_as_pytorch(call):
    _same_error(call)


# ---------------------------------------------------------------- chain_matmul

def test_chain_matmul_warns_and_multiplies_as_pytorch():
    with pytest.warns(UserWarning, match="torch.chain_matmul is deprecated .* torch.linalg.multi_dot instead"):
        out = symgrad.chain_matmul(symgrad.ones(2, 3), symgrad.ones(3, 4), symgrad.ones(4, 1))
    assert out.tolist() == [[12.0], [12.0]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one = symgrad.ones(2, 2)
        assert symgrad.chain_matmul(one) is not one
        for call in (lambda M, t: M.chain_matmul(), lambda M, t: M.chain_matmul(t(np.ones(3)), t(np.ones((3, 2))))):
            _same_error(call)


# ---------------------------------------------------------------- renorm

def test_renorm_and_its_gradient_against_pytorch():
    torch = _torch()
    a = rng.normal(size=(3, 4)) * 2
    for p, dim, maxnorm in [(2, 0, 1.5), (1, 1, 2.0), (float("inf"), -1, 1.0), (3, 0, 0.0)]:
        x, tx = symgrad.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        out, tout = x.renorm(p, dim, maxnorm), tx.renorm(p, dim, maxnorm)
        np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-12)
        (out * symgrad.tensor(a)).sum().backward()
        (tout * torch.tensor(a)).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert symgrad.ones(2, 2).float().renorm(2, 0, 1).dtype == symgrad.float32


@pytest.mark.parametrize("call", [
    lambda M, t: M.renorm(t(np.ones((2, 2))), 0, 0, 1.0),
    lambda M, t: M.renorm(t(np.ones((2, 2))), -1, 0, 1.0),
    lambda M, t: M.renorm(t(np.ones((2, 2))), 2, 0, -1.0),
    lambda M, t: M.renorm(t(np.ones(3)), 2, 0, 1.0),
    lambda M, t: M.renorm(t(np.ones((2, 2))), 2, 2, 1.0),
    lambda M, t: M.renorm(t(np.ones((2, 2), np.int64)), 2, 0, 1.0),
])
def test_renorm_errors_as_pytorch(call):
    _same_error(call)


# ---------------------------------------------------------------- histc

def test_histc_counts_as_pytorch():
    torch = _torch()
    data = np.concatenate([rng.normal(size=200), [0.0, 1.0, -1.0, 0.5, np.nan, 2.0, -2.0]])
    for dtype in (np.float32, np.float64):
        for bins, low, high in [(100, 0, 0), (7, -1, 1), (4, 0, 1), (3, 0.5, 0.5), (10, -0.3, 2.0)]:
            values = data if low != high else data[~np.isnan(data)]  # (nan extremes: no range)
            ours = symgrad.histc(symgrad.tensor(values.astype(dtype)), bins, low, high)
            theirs = torch.histc(torch.tensor(values.astype(dtype)), bins, low, high)
            assert ours.dtype == getattr(symgrad, np.dtype(dtype).name)
            assert ours.tolist() == theirs.tolist(), (dtype, bins, low, high)
    x = symgrad.tensor([1.0, 1.0, 1.0], requires_grad=True)
    counts = x.histc(3)
    assert counts.tolist() == [0.0, 3.0, 0.0] and not counts.requires_grad
    assert symgrad.histc(symgrad.tensor([], dtype=symgrad.float64), 3).tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("call", [
    lambda M, t: M.histc(t([1, 2])),
    lambda M, t: M.histc(t([1.0, 2.0]), bins=0),
    lambda M, t: M.histc(t([1.0, 2.0]), bins=2.5),
    lambda M, t: M.histc(t([1.0, 2.0]), bins=3, min=3, max=1),
    lambda M, t: M.histc(t([1.0, float("inf")]), bins=3),
])
def test_histc_errors_as_pytorch(call):
    _same_error(call)


# ---------------------------------------------------------------- bernoulli, poisson

def test_bernoulli_draws_follow_the_probabilities_and_the_seed():
    p = symgrad.tensor(np.linspace(0, 1, 11).repeat(2000), requires_grad=True)
    symgrad.manual_seed(5)
    drawn = symgrad.bernoulli(p)
    symgrad.manual_seed(5)
    assert drawn.tolist() == p.bernoulli().tolist()  # the same seed, the same draws
    means = drawn.detach().numpy().reshape(11, 2000).mean(axis=1)
    np.testing.assert_allclose(means, np.linspace(0, 1, 11), atol=0.05)
    assert means[0] == 0.0 and means[-1] == 1.0
    drawn.sum().backward()  # PyTorch's gradient: zeros
    assert p.grad.tolist() == [0.0] * p.numel()
    own = symgrad.bernoulli(symgrad.full((4,), 0.5), generator=np.random.default_rng(1))
    assert own.tolist() == symgrad.bernoulli(symgrad.full((4,), 0.5), generator=np.random.default_rng(1)).tolist()


def test_bernoulli_with_a_number_and_in_place():
    assert symgrad.bernoulli(symgrad.ones(3, dtype=symgrad.int64), 1.0).tolist() == [1, 1, 1]
    assert symgrad.bernoulli(symgrad.ones(3, dtype=symgrad.float32), 0.0).dtype == symgrad.float32
    x = symgrad.ones(4)
    assert x.bernoulli_(0.0) is x and x.tolist() == [0.0] * 4
    assert x.bernoulli_(symgrad.tensor([0.0, 1.0, 1.0, 0.0])).tolist() == [0.0, 1.0, 1.0, 0.0]


def test_poisson_draws_and_gradient():
    rates = symgrad.tensor(np.full(4000, 3.0), requires_grad=True)
    drawn = symgrad.poisson(rates)
    assert abs(drawn.detach().numpy().mean() - 3.0) < 0.15 and drawn.dtype == symgrad.float64
    drawn.sum().backward()
    assert not rates.grad.numpy().any()
    assert symgrad.poisson(symgrad.zeros(3)).tolist() == [0.0] * 3


@pytest.mark.parametrize("call", [
    lambda M, t: M.bernoulli(t([1.5])),
    lambda M, t: M.bernoulli(t([float("nan")])),
    lambda M, t: M.bernoulli(t([1, 0])),
    lambda M, t: M.bernoulli(t([0.5]), 1.5),
    lambda M, t: M.poisson(t([-1.0, 2.0])),
    lambda M, t: M.poisson(t([1, 2])),
])
def test_random_errors_as_pytorch(call):
    _same_error(call)


def test_draws_from_symbolic_input_are_not_reused_by_generated_code():
    p = symgrad.tensor([0.5, 0.5], requires_grad=True, name="p")
    with pytest.raises(symgrad.codegen.CodegenError, match="positions chosen by the values"):
        symgrad.lambdify([p], symgrad.bernoulli(p) * p, "numpy")


# ---------------------------------------------------------------- matrix_norm through singular values

@pytest.mark.parametrize("ord", ["nuc", 2, -2])
def test_singular_value_norms_and_gradients_against_pytorch(ord):
    torch = _torch()
    a = rng.normal(size=(2, 3, 4))
    for dim, keepdim in [((-2, -1), False), ((0, 2), True), ((2, 1), False)]:
        x, tx = symgrad.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        out, tout = symgrad.linalg.matrix_norm(x, ord, dim, keepdim), torch.linalg.matrix_norm(tx, ord, dim, keepdim)
        assert tuple(out.shape) == tuple(tout.shape)
        np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-12)
        w = rng.normal(size=tuple(out.shape))
        (out * symgrad.tensor(w)).sum().backward()
        (tout * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-9, atol=1e-12)
    assert symgrad.linalg.norm(symgrad.tensor(a[0], dtype=symgrad.float32), ord).dtype == symgrad.float32
    with pytest.raises(symgrad.linalg.NoClosedFormError):
        _ = symgrad.linalg.matrix_norm(symgrad.tensor(a[0], requires_grad=True), ord).expr
