"""The regularized incomplete gamma functions ``igamma``/``igammac``
(``symgrad.special.gammainc``/``gammaincc``) and ``Gamma.cdf``: what the op
spec rows (``tests/op_specs.py``: random points, every oracle) leave out.

* the numbers against mpmath over many decades of ``a`` and ``x``, tails
  included, and PyTorch's values at the edges (0, inf, nan, negatives);
* the derivative: in ``x`` PyTorch's at the special points, mpmath's from
  ``a = 1`` to 1e10 (Stirling's form for ``a >= 10``, float64 and float32),
  the same numbers with a graph (create_graph: the op ``igamma_density``) and
  its second derivative against mpmath's; in ``a`` an error, as PyTorch's
  (never a silent 0), but the derivative in ``a`` of the derivative in ``x``
  is PyTorch's;
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
@pytest.mark.parametrize("low,high,rtol", [(-3, 0, 1e-13), (0, 2, 1e-12), (2, 3, 1e-12)])
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


# ---------------------------------------------------------------- large a (Temme's expansion, Stirling's prefactor)

def _large_a_points(rng: np.random.Generator, low: float, high: float, count: int,
                    sigma_scale: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # x = a (1 + sigma): both tails, sigma from a small multiple of 1/sqrt(a) up to 0.9
    a = 10 ** rng.uniform(low, high, count)
    return a, a * (1 + sigma_scale * rng.choice([-1.0, 1.0], count))


@pytest.mark.parametrize("upper", [False, True])
def test_large_a_against_scipy(upper):
    # up to a = 1e5 SciPy (Cephes) is right to ~1e-12 (its x**a e**-x / gamma(a) loses ~a*eps where
    # |x - a| > 0.4 a); beyond, only where |x - a| < 4.5 sqrt(a) (its own asymptotic series; outside, its
    # series stops at 2000 terms: see the mpmath tests below, to 1e-13)
    scipy_special = pytest.importorskip("scipy.special")
    rng = np.random.default_rng(7)
    near = np.concatenate([rng.uniform(0, 0.3, 100), rng.uniform(0.3, 0.9, 60)])
    a1, x1 = _large_a_points(rng, np.log10(20), 5, 160, near)
    a2, x2 = _large_a_points(rng, 5, 8, 60, rng.uniform(0, 4, 60) / np.sqrt(10 ** rng.uniform(5, 8, 60)))
    a2, x2 = a2[np.abs(x2 - a2) < 4 * np.sqrt(a2)], x2[np.abs(x2 - a2) < 4 * np.sqrt(a2)]
    a, x = np.concatenate([a1, a2]), np.concatenate([x1, x2])
    got = (num.gammaincc if upper else num.gammainc)(a, x)
    want = (scipy_special.gammaincc if upper else scipy_special.gammainc)(a, x)
    keep = want > 1e-100  # (further out, both lose ~|log value| units of the last place, x's own rounding)
    np.testing.assert_allclose(got[keep], want[keep], rtol=2e-12)
    np.testing.assert_allclose(got[~keep], want[~keep], rtol=1e-11, atol=1e-300)


def _mp_series(a: float, x: float, upper: bool) -> float:
    # mpmath.gammainc gives up for large a ("converges too slowly"): P's series with enough terms, Q = 1 - P
    # (the points keep Q above 1e-30, so 60 digits hold it)
    with mpmath.workdps(60):
        p = mpmath.exp(a * mpmath.log(x) - x - mpmath.loggamma(a + 1)) * mpmath.hyp1f1(1, a + 1, x, maxterms=10**7)
        return float(1 - p if upper else p)


# (a, x) where a 1e-7 change of x/a moves far more than the last digit; SciPy 1.x and PyTorch are off by up to 35%
# at the first (their series stops at 2000 terms), symgrad before Temme's expansion by 1e-7 (a*eps in the prefactor)
LARGE_A = [(1e8, 0.9995e8), (1e8, 0.999e8), (1e8, 1.0003e8), (1e7, 0.998e7), (1e7, 1.001e7), (1e6, 0.99e6),
           (1e6, 1.005e6), (3e5, 0.97e5 * 3), (1e5, 1.02e5), (1e4, 0.9e4), (250.0, 200.0), (25.0, 30.0)]


@pytest.mark.parametrize("upper", [False, True])
def test_large_a_against_mpmath_where_scipy_is_off(upper):
    a, x = np.array(LARGE_A).T
    want = np.array([_mp_series(ai, xi, upper) for ai, xi in zip(a, x)])
    got = (num.gammaincc if upper else num.gammainc)(a, x)
    np.testing.assert_allclose(got, want, rtol=1e-13)


def _mp_fraction(a: float, x: float, upper: bool) -> float:
    # Q by Legendre's continued fraction (modified Lentz) in 40 digits, for x > a where mpmath.gammainc gives up
    a, x = mpmath.mpf(a), mpmath.mpf(x)
    tiny = mpmath.mpf(10) ** -200
    b, c, n = x + 1 - a, 1 / tiny, 0
    d = 1 / b
    h = d
    while n < 10**6:
        n += 1
        an, b = -n * (n - a), b + 2
        d = an * d + b
        d = 1 / (d if abs(d) > tiny else tiny)
        c = b + an / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        if abs(d * c - 1) < mpmath.mpf(10) ** -35:
            break
    q = mpmath.exp(a * mpmath.log(x) - x - mpmath.loggamma(a)) * h
    return float(q if upper else 1 - q)


def _mp_any(a: float, x: float, upper: bool) -> float:
    try:
        return _mp(a, x, upper)
    except mpmath.libmp.libhyper.NoConvergence:
        return _mp_series(a, x, upper) if x < a else _mp_fraction(a, x, upper)


@pytest.mark.parametrize("upper", [False, True])
def test_moderately_large_a_against_mpmath(upper):
    # a from 20 to 1e4, x from 0.1 a to 3 a: Temme's band, the series and the fraction each with Stirling's prefactor
    rng = np.random.default_rng(11)
    a = 10 ** rng.uniform(np.log10(20), 4, 60)
    x = a * np.concatenate([rng.uniform(0.7, 1.3, 30), rng.uniform(0.1, 0.7, 15), rng.uniform(1.3, 3, 15)])
    with mpmath.workdps(40):
        want = np.array([_mp_any(ai, xi, upper) for ai, xi in zip(a, x)])
    got = (num.gammaincc if upper else num.gammainc)(a, x)
    keep = want > 1e-100
    np.testing.assert_allclose(got[keep], want[keep], rtol=2e-13)
    np.testing.assert_allclose(got[~keep], want[~keep], rtol=1e-12, atol=1e-300)


def test_temme_coefficients_are_the_known_ones():
    # DLMF 8.12.10: c_0 = -1/3 + eta/12 - 2 eta**2/135 + eta**3/864 + ..., c_1 = -1/540 - eta/288 + ...;
    # the last row's first entries as in Cephes' igam.h
    d = num._temme_coefficients()
    np.testing.assert_allclose(d[0, :4], [-1 / 3, 1 / 12, -2 / 135, 1 / 864], rtol=1e-15)
    np.testing.assert_allclose(d[1, :2], [-1 / 540, -1 / 288], rtol=1e-15)
    np.testing.assert_allclose(d[24, :2], [-9.8959643098322368e2, 2.1925555360905233e3], rtol=1e-14)


def test_large_a_float32_stays_float32_and_close():
    scipy_special = pytest.importorskip("scipy.special")
    rng = np.random.default_rng(9)
    a, x = _large_a_points(rng, np.log10(20), 5, 200, rng.uniform(0, 0.5, 200))
    a32, x32 = a.astype(np.float32), x.astype(np.float32)
    for fn, ref in ((num.gammainc, scipy_special.gammainc), (num.gammaincc, scipy_special.gammaincc)):
        got = fn(a32, x32)
        assert got.dtype == np.float32
        want = ref(a32.astype(np.float64), x32.astype(np.float64))  # (the function at the float32 arguments)
        keep = want > 1e-30
        np.testing.assert_allclose(got[keep], want[keep], rtol=1.2e-7)  # (one rounding to float32)


def test_large_a_agrees_with_torch_to_its_accuracy():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(9)
    a, x = _large_a_points(rng, np.log10(20), 5, 200, rng.uniform(0, 0.5, 200))
    for name in ("gammainc", "gammaincc"):
        got = getattr(sg.special, name)(sg.tensor(a), sg.tensor(x)).numpy()
        want = getattr(torch.special, name)(torch.tensor(a), torch.tensor(x)).numpy()
        keep = want > 1e-100
        np.testing.assert_allclose(got[keep], want[keep], rtol=1e-8)  # (PyTorch's own: ~2e-9 near a = 25)


def _mp_density(a: float, x: float) -> float:
    """``x**(a - 1) e**-x / gamma(a)`` at the float arguments, to 30 digits (60 for ``a log a`` to cancel)."""
    with mpmath.workdps(60):
        a_, x_ = mpmath.mpf(a), mpmath.mpf(x)
        return float(mpmath.exp((a_ - 1) * mpmath.log(x_) - x_ - mpmath.loggamma(a_)))


def _x_gradient(name: str, a: np.ndarray, x: np.ndarray, dtype: object = sg.float64) -> np.ndarray:
    xs = sg.tensor(x, dtype=dtype, requires_grad=True)
    getattr(sg, name)(sg.tensor(a, dtype=dtype), xs).sum().backward()
    return xs.grad.numpy()


@pytest.mark.parametrize("name", ["igamma", "igammac"])
def test_derivative_in_x_at_large_a(name):
    # Stirling's form: mpmath's to the last digits where PyTorch's formula loses ~a*eps (3e-8 at a = 1e7), and
    # the slope of the values
    torch = pytest.importorskip("torch")
    a = np.array([50.0, 1e3, 1e5, 1e7, 1e7])
    x = np.array([45.0, 1010.0, 1.001e5, 1e7 * (1 - 2e-4), 1e7 * 1.0003])
    got = _x_gradient(name, a, x)
    sign = 1.0 if name == "igamma" else -1.0
    np.testing.assert_allclose(got, [sign * _mp_density(ai, xi) for ai, xi in zip(a, x)], rtol=1e-14)
    xt = torch.tensor(x, requires_grad=True)
    getattr(torch, name)(torch.tensor(a), xt).sum().backward()
    np.testing.assert_allclose(got, xt.grad.numpy(), rtol=1e-7)  # (PyTorch's own error: 3e-8 at the last)
    h = 1e-4 * np.sqrt(a)  # (the function changes on the scale sqrt(a))
    f = getattr(num, "gammainc" if name == "igamma" else "gammaincc")
    slope = (f(a, x + h) - f(a, x - h)) / (2 * h)
    np.testing.assert_allclose(got, slope, rtol=1e-6)


def _density_points(rng: np.random.Generator, a: float) -> np.ndarray:
    # the bulk (|x - a| up to 8 sqrt(a)), lambda = x/a over [0.5, 2], and the tails out to lambda = 1e-3 and 50
    return np.concatenate([a + np.sqrt(a) * rng.uniform(-8, 8, 12), a * rng.uniform(0.5, 2.0, 8),
                           a * np.exp(rng.uniform(np.log(1e-3), np.log(50), 8))])


def test_derivative_in_x_against_mpmath_from_a_1_to_1e10():
    # measured: within ~4 units of the last place of |log density| (the rounding of exp's argument) at every a;
    # PyTorch's exp((a - 1) log x - x - lgamma(a)), kept below a = 10, is off by ~a*eps (5e-5 at a = 1e10)
    rng = np.random.default_rng(11)
    for a in [1.0, 2.5, 9.5, 10.0, 12.0, 30.0, 100.0, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10]:
        x = _density_points(rng, a)
        x = x[x > 0]
        want = np.array([_mp_density(a, xi) for xi in x])
        keep = want > 1e-300
        for name, sign in (("igamma", 1.0), ("igammac", -1.0)):
            got = sign * _x_gradient(name, np.full_like(x, a), x)
            error = np.abs(got[keep] - want[keep]) / want[keep]
            bound = 8 * np.finfo(np.float64).eps * np.maximum(1.0, np.abs(np.log(want[keep])))
            assert np.all(error <= bound), (name, a, x[keep][error > bound], error[error > bound])


def test_derivative_in_x_in_float32_at_large_a():
    # float32 keeps float32, rounded once from float64 (PyTorch's formula in float32 was inf by a = 1e7)
    a = np.array([20.0, 1e3, 1e5, 1e7, 1e8, 1e10], dtype=np.float32).astype(np.float64)
    x = (a * np.array([0.9, 1.02, 1.003, 0.9997, 1.00005, 1.000003])).astype(np.float32).astype(np.float64)
    for name, sign in (("igamma", 1.0), ("igammac", -1.0)):
        got = _x_gradient(name, a, x, sg.float32)
        assert got.dtype == np.float32
        np.testing.assert_allclose(sign * got.astype(np.float64), [_mp_density(ai, xi) for ai, xi in zip(a, x)],
                                   rtol=1.2e-7)


def test_derivative_in_x_of_a_scalar_and_of_broadcast_arguments():
    a = sg.tensor(1e6)  # (0-d: the backward pass gives the rule NumPy scalars)
    x = sg.tensor(1e6 + 500.0, requires_grad=True)
    sg.igamma(a, x).backward()
    assert x.grad.shape == () and x.grad.dtype == sg.float64
    np.testing.assert_allclose(x.grad.item(), _mp_density(1e6, 1e6 + 500.0), rtol=1e-14)
    x = sg.tensor(1e6 + 500.0, requires_grad=True)  # (a of shape (2,), x 0-d)
    sg.igammac(sg.tensor([1e6, 5.0]), x).sum().backward()
    np.testing.assert_allclose(x.grad.item(), -_mp_density(1e6, 1e6 + 500.0) - _mp_density(5.0, 1e6 + 500.0),
                               rtol=1e-14)


@pytest.mark.parametrize("name", ["igamma", "igammac"])
def test_derivative_in_x_at_large_a_edges_is_pytorchs(name):
    # where Stirling's form is not used (x 0 or inf, a inf or nan, a density below 1e-290 that PyTorch's formula
    # still has as a normal number), the numbers are PyTorch's formula's, in float64 and float32
    torch = pytest.importorskip("torch")
    a = [50.0, 50.0, np.inf, np.nan, 10.0, 1e6, 20.0, 1e3, 12.0]
    x = [0.0, np.inf, 5.0, 3.0, 1e-32, 1e-300, 1e4, -1.0, 2e-33]
    for dtype, tdtype in ((sg.float64, torch.float64), (sg.float32, torch.float32)):
        got = _x_gradient(name, np.array(a), np.array(x), dtype)
        xt = torch.tensor(x, dtype=tdtype, requires_grad=True)
        getattr(torch, name)(torch.tensor(a, dtype=tdtype), xt).sum().backward()
        np.testing.assert_allclose(got, xt.grad.numpy(), rtol=1e-6 if dtype is sg.float32 else 1e-12, atol=0)
    assert _x_gradient("igamma", np.array([10.0]), np.array([1e-32]))[0] > 0  # (x**9/gamma(10): 3e-294)


def _x_gradient_with_a_graph(name: str, a: np.ndarray, x: np.ndarray,
                              dtype: object = sg.float64) -> tuple[sg.Tensor, sg.Tensor]:
    xs = sg.tensor(x, dtype=dtype, requires_grad=True)
    (first,) = sg.autograd.grad(getattr(sg, name)(sg.tensor(a, dtype=dtype), xs).sum(), [xs], create_graph=True)
    return first, xs


@pytest.mark.parametrize("dtype", [sg.float64, sg.float32])
@pytest.mark.parametrize("name", ["igamma", "igammac"])
def test_derivative_in_x_with_a_graph_is_backwards_bit_for_bit(name, dtype):
    # one op (igamma_density) on every path: create_graph, autograd.grad without it, derivative() and backward()
    # give the same numbers, Stirling's form at large a (the graph used to keep PyTorch's formula: 3e-5 off at 1e10)
    rng = np.random.default_rng(13)
    a = np.repeat([0.5, 2.5, 9.5, 1e3, 1e5, 1e7, 1e8, 1e10], 4)
    x = a * np.exp(rng.uniform(-3, 3, a.size) / np.sqrt(np.maximum(a, 9.0)))  # (|x - a| up to ~3 sqrt(a))
    a, x = (v.astype(np.float32 if dtype is sg.float32 else np.float64).astype(np.float64) for v in (a, x))
    want = _x_gradient(name, a, x, dtype)
    first, _ = _x_gradient_with_a_graph(name, a, x, dtype)
    np.testing.assert_array_equal(first.detach().numpy(), want)
    xs = sg.tensor(x, dtype=dtype, requires_grad=True)
    (plain,) = sg.autograd.grad(getattr(sg, name)(sg.tensor(a, dtype=dtype), xs).sum(), [xs])
    np.testing.assert_array_equal(plain.numpy(), want)
    derivative = sg.derivative(getattr(sg, name)(sg.tensor(a[-1], dtype=dtype), xs[-1]), xs)
    np.testing.assert_array_equal(derivative.detach().numpy()[-1], want[-1])
    if dtype is sg.float64:
        sign = 1.0 if name == "igamma" else -1.0
        np.testing.assert_allclose(want, [sign * _mp_density(ai, xi) for ai, xi in zip(a, x)], rtol=1e-13)


def _mp_density_slope(a: float, x: float) -> float:
    """``d2/dx2 P(a, x) = density * ((a - 1)/x - 1)`` at the float arguments, to 60 digits."""
    with mpmath.workdps(60):
        a_, x_ = mpmath.mpf(a), mpmath.mpf(x)
        return float(mpmath.exp((a_ - 1) * mpmath.log(x_) - x_ - mpmath.loggamma(a_)) * ((a_ - 1) / x_ - 1))


def test_second_derivative_in_x_against_mpmath_at_large_a():
    # create_graph twice: the density's rule, density * (a - 1 - x)/x (exact near x = a - 1, where (a - 1)/x - 1
    # would cancel), on Stirling's numbers: within the density's own error (PyTorch's formula's graph: 3e-5 at 1e10)
    rng = np.random.default_rng(17)
    for a in [10.0, 30.0, 1e3, 1e5, 1e7, 1e8, 1e9, 1e10]:
        x = _density_points(rng, a)
        x = np.concatenate([x[x > 0], [a - 1]])
        want = np.array([_mp_density_slope(a, xi) for xi in x])
        for name, sign in (("igamma", 1.0), ("igammac", -1.0)):
            first, xs = _x_gradient_with_a_graph(name, np.full_like(x, a), x)
            (second,) = sg.autograd.grad(first.sum(), [xs])
            got = sign * second.numpy()
            keep = np.abs(want) > 1e-300
            error = np.abs(got[keep] - want[keep]) / np.abs(want[keep])
            bound = 12 * np.finfo(np.float64).eps * np.maximum(1.0, np.abs(np.log(np.abs(want[keep]))))
            assert np.all(error <= bound), (name, a, x[keep][error > bound], error[error > bound])
            assert got[-1] == 0.0  # (the density's peak, x = a - 1)


def test_derivative_in_a_of_the_derivative_in_x_is_pytorchs():
    # PyTorch's igamma backward is written in differentiable ops, so d/da dP/dx exists there: density * (log x -
    # digamma(a)), which the density op's rule in a gives (igamma's own derivative in a raises, as PyTorch's)
    torch = pytest.importorskip("torch")
    a0, x0 = np.array([0.5, 2.5, 9.5, 30.0]), np.array([0.3, 2.0, 11.0, 28.0])
    a, x = sg.tensor(a0, requires_grad=True), sg.tensor(x0, requires_grad=True)
    (first,) = sg.autograd.grad(sg.igammac(a, x).sum(), [x], create_graph=True)
    (got,) = sg.autograd.grad(first.sum(), [a])
    at, xt = torch.tensor(a0, requires_grad=True), torch.tensor(x0, requires_grad=True)
    (first_t,) = torch.autograd.grad(torch.igammac(at, xt).sum(), [xt], create_graph=True)
    (want,) = torch.autograd.grad(first_t.sum(), [at])
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)


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
    (first,) = sg.autograd.grad(sg.igamma(a, x), [x], create_graph=True)
    assert str(sg.diff(first, x)) == "(a - x - 1)*exp(-x + (a - 1)*log(x) - loggamma(a))/x"


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
    assert "gammaln" in grad.source  # (the derivative's code is its closed form, PyTorch's formula: a*eps)
    x.grad = None
    sg.special.gammainc(a, x).backward()
    np.testing.assert_allclose(grad(290.0, 300.0)[1][0], x.grad.numpy(), rtol=1e-12)


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
