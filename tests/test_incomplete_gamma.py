"""The regularized incomplete gamma functions ``igamma``/``igammac``
(``symgrad.special.gammainc``/``gammaincc``) and ``Gamma.cdf``: what the op
spec rows (``tests/op_specs.py``: random points, every oracle) leave out.

* the numbers against mpmath over many decades of ``a`` and ``x``, tails
  included, and PyTorch's values at the edges (0, inf, nan, negatives);
* the derivative: in ``x`` PyTorch's at the special points; in ``a`` an
  error, as PyTorch's (never a silent 0);
* PyTorch's argument errors, ``symgrad.special``'s aliases;
* generated code: SciPy's, JAX's and PyTorch's regularized functions, refused
  by name where a backend has none;
* ``distributions.Gamma.cdf`` against ``torch.distributions``.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

import symgrad as sg
from symgrad.distributions import Gamma
from symgrad.ops import _special_numbers as num

mpmath.mp.dps = 30
RNG = np.random.default_rng(5)


def _mp(a: float, x: float, upper: bool) -> float:
    return float(mpmath.gammainc(a, x, mpmath.inf, regularized=True) if upper
                 else mpmath.gammainc(a, 0, x, regularized=True))


@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("low,high,rtol", [(-3, 0, 1e-13), (0, 2, 1e-12), (2, 3, 1e-11)])
def test_numbers_against_mpmath(upper, low, high, rtol):
    a = 10 ** RNG.uniform(low, high, 150)
    x = np.concatenate([a[:75] * np.exp(RNG.normal(0, 0.5, 75)), 10 ** RNG.uniform(-3, high + 0.3, 75)])
    got = (num.gammaincc if upper else num.gammainc)(a, x)
    want = np.array([_mp(ai, xi, upper) for ai, xi in zip(a, x)])
    keep = want > 1e-280  # (below, exp of a large negative number: the last digits go)
    np.testing.assert_allclose(got[keep], want[keep], rtol=rtol)


def test_the_small_side_keeps_its_digits():
    # Q where P is nearly 1 (and P where Q is): computed directly, not as 1 minus the other
    a, x = np.array([1e-10, 0.5, 3.0, 50.0]), np.array([1.0, 40.0, 1e-4, 150.0])
    for upper in (False, True):
        got = (num.gammaincc if upper else num.gammainc)(a, x)
        want = [_mp(ai, xi, upper) for ai, xi in zip(a, x)]
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_float32_stays_float32():
    assert num.gammainc(np.float32([1.5]), np.float32([2.0])).dtype == np.float32
    assert sg.igammac(sg.tensor([1.5], dtype=sg.float32), sg.tensor([2.0], dtype=sg.float64)).dtype == sg.float64


EDGE_A = [0.0, 1.0, -1.0, np.inf, 2.0, 0.0, np.inf, np.nan, 1.0, 2.0, 0.5, 1e-3, 1e3]
EDGE_X = [1.0, 0.0, 1.0, 1.0, np.inf, 0.0, np.inf, 1.0, -1.0, np.nan, 1e3, 1e-3, 1e-3]


@pytest.mark.parametrize("name", ["igamma", "igammac"])
def test_values_at_the_edges_are_pytorchs(name):
    torch = pytest.importorskip("torch")
    got = getattr(sg, name)(sg.tensor(EDGE_A), sg.tensor(EDGE_X)).numpy()
    want = getattr(torch, name)(torch.tensor(EDGE_A, dtype=torch.float64), torch.tensor(EDGE_X, dtype=torch.float64))
    np.testing.assert_allclose(got, want.numpy(), rtol=1e-12, atol=0)


@pytest.mark.parametrize("name", ["igamma", "igammac"])
def test_derivative_in_x_at_the_special_points_is_pytorchs(name):
    torch = pytest.importorskip("torch")
    a = [1.0, 0.5, 2.0, 0.0, 2.0, 1e3, 3.0]
    x = [0.0, 0.0, 0.0, 1.0, -1.0, 1e3, 50.0]
    xs = sg.tensor(x, requires_grad=True)
    getattr(sg, name)(sg.tensor(a), xs).sum().backward()
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    getattr(torch, name)(torch.tensor(a, dtype=torch.float64), xt).sum().backward()
    np.testing.assert_allclose(xs.grad.numpy(), xt.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("fn", [sg.igamma, sg.igammac, sg.special.gammainc, sg.special.gammaincc])
def test_derivative_in_a_raises_as_pytorchs(fn):
    a = sg.tensor([2.0, 3.0], requires_grad=True)
    x = sg.tensor([1.0, 1.5], requires_grad=True)
    with pytest.raises(NotImplementedError, match="derivative .* in 'input' .* is not implemented"):
        fn(a, x).sum().backward()
    with pytest.raises(NotImplementedError, match="not implemented"):
        sg.autograd.grad(fn(a, x).sum(), [a])
    (gx,) = sg.autograd.grad(fn(a, x).sum(), [x])  # the derivative in x alone is fine
    assert np.all(np.isfinite(gx.numpy()))


def test_derivative_in_a_raises_in_pytorch_too():
    torch = pytest.importorskip("torch")
    a = torch.tensor(2.0, requires_grad=True)
    with pytest.raises(NotImplementedError, match="igamma: input"):
        torch.special.gammainc(a, torch.tensor(1.0)).backward()


def test_closed_form_and_its_derivative():
    a = sg.tensor(2.5, name="a")
    x = sg.tensor(1.5, requires_grad=True, name="x")
    assert str(sg.special.gammainc(a, x).expr) == "lowergamma(a, x)/gamma(a)"
    assert str(sg.special.gammaincc(a, x).expr) == "uppergamma(a, x)/gamma(a)"
    assert str(sg.diff(sg.igammac(a, x), x)) == "-exp(-x + (a - 1)*log(x) - loggamma(a))"


def test_argument_errors_are_pytorchs():
    with pytest.raises(TypeError, match=r"igamma\(\): argument 'other' \(position 2\) must be Tensor, not float"):
        sg.igamma(sg.tensor([1.0]), 2.0)
    with pytest.raises(TypeError, match="argument 'input' .* must be Tensor"):
        sg.special.gammaincc(1.0, sg.tensor([1.0]))
    with pytest.raises(NotImplementedError, match="\"igammac_cpu\" not implemented for 'Long'"):
        sg.igammac(sg.tensor([1]), sg.tensor([2]))
    np.testing.assert_allclose(sg.igamma(sg.tensor([1.5]), sg.tensor(2)).numpy(), [0.7385358700508893])


@pytest.mark.parametrize("name", ["gammaln", "digamma", "psi", "erf", "erfc", "expit", "logit", "exp2", "expm1",
                                  "log1p", "i0", "sinc"])
def test_special_aliases_are_torch_specials(name):
    torch = pytest.importorskip("torch")
    v = np.array([0.1, 0.4, 0.75])
    np.testing.assert_allclose(getattr(sg.special, name)(sg.tensor(v)).numpy(),
                               getattr(torch.special, name)(torch.tensor(v)).numpy(), rtol=1e-8)


# ---------------------------------------------------------------- generated code

def test_numpy_code_calls_scipys_regularized_functions():
    pytest.importorskip("scipy")
    a = sg.tensor(300.0, name="a")  # (gamma(300) overflows: the code must not divide by it)
    x = sg.tensor(290.0, requires_grad=True, name="x")
    for fn, name in ((sg.special.gammainc, "gammainc"), (sg.special.gammaincc, "gammaincc")):
        code = sg.lambdify([a, x], fn(a, x), "numpy")
        assert f"_{name}(a, x)" in code.source  # (SciPy's, in a helper keeping float32)
        np.testing.assert_allclose(code(300.0, 290.0), fn(a, x).detach().numpy(), rtol=1e-12)
    grad = sg.gradient_function(sg.special.gammainc(a, x), [x], "numpy")
    assert "gammaln" in grad.source


@pytest.mark.parametrize("backend", ["math", "c"])
def test_scalar_backends_refuse_it_by_name(backend):
    a = sg.tensor(2.5, name="a")
    x = sg.tensor(1.5, requires_grad=True, name="x")
    with pytest.raises(sg.codegen.CodegenError, match=f"the {backend} backend has no lowergamma .*igamma"):
        sg.lambdify([a, x], sg.igamma(a, x), backend)
    with pytest.raises(sg.codegen.CodegenError, match="has no uppergamma"):
        sg.lambdify([x], sg.igammac(sg.tensor(0.7), x), backend)


def test_numpy_without_scipy_refuses_it(monkeypatch):
    import importlib.util

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "scipy" else find_spec(name, *a))
    a = sg.tensor(2.5, name="a")
    x = sg.tensor(1.5, requires_grad=True, name="x")
    with pytest.raises(sg.codegen.CodegenError, match="has no lowergamma .*SciPy is not installed"):
        sg.lambdify([a, x], sg.igamma(a, x), "numpy")


# ---------------------------------------------------------------- Gamma.cdf

def test_gamma_cdf_values_and_gradients_match_torch():
    torch = pytest.importorskip("torch")
    conc, rate, value = np.array([0.5, 2.0, 7.5]), np.array([[1.0], [3.0]]), np.array([0.2, 1.0, 4.0])
    r, v = sg.tensor(rate, requires_grad=True), sg.tensor(value, requires_grad=True)
    out = Gamma(sg.tensor(conc), r).cdf(v)
    rt = torch.tensor(rate, requires_grad=True)
    vt = torch.tensor(value, requires_grad=True)
    tout = torch.distributions.Gamma(torch.tensor(conc), rt).cdf(vt)
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-12)
    w = RNG.uniform(0.5, 1.5, out.shape)
    (out * sg.tensor(w)).sum().backward()
    (tout * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(r.grad.numpy(), rt.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(v.grad.numpy(), vt.grad.numpy(), rtol=1e-10)


def test_gamma_cdf_in_concentration_raises_as_torchs():
    torch = pytest.importorskip("torch")
    c = sg.tensor(2.0, requires_grad=True)
    with pytest.raises(NotImplementedError, match="not implemented"):
        Gamma(c, 1.0).cdf(sg.tensor(1.0)).backward()
    ct = torch.tensor(2.0, requires_grad=True)
    with pytest.raises(NotImplementedError, match="not implemented"):
        torch.distributions.Gamma(ct, 1.0).cdf(torch.tensor(1.0)).backward()


def test_gamma_cdf_validates_its_value_and_has_a_closed_form():
    with pytest.raises(ValueError):
        Gamma(2.0, 1.0, validate_args=True).cdf(sg.tensor(-1.0))
    c = sg.tensor(2.5, name="c")
    x = sg.tensor(0.5, requires_grad=True, name="x")
    assert str(Gamma(c, 3.0).cdf(x).expr) == "lowergamma(c, 3*x)/gamma(c)"


def test_tensor_methods_match_pytorch():
    torch = pytest.importorskip("torch")
    a = [0.5, 2.0, 7.5]
    x = [0.3, 2.5, 4.0]
    for name in ("igamma", "igammac"):
        got = getattr(sg.tensor(a, dtype=sg.float64), name)(sg.tensor(x, dtype=sg.float64))
        want = getattr(torch.tensor(a, dtype=torch.float64), name)(torch.tensor(x, dtype=torch.float64))
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)
        t = sg.tensor(a, dtype=sg.float64)
        getattr(t, name + "_")(sg.tensor(x, dtype=sg.float64))
        np.testing.assert_allclose(t.numpy(), want.numpy(), rtol=1e-12)
