"""Special functions, functions of two tensors and scans: what the op spec
rows (random points inside each domain) and the conformance cases (PyTorch's
values at the special points) leave out.

* the numbers of ``ops/_special_numbers`` against mpmath, at many points
  (poles, tails and negative arguments included);
* closed forms at the special points (``sinc`` at 0, ``xlogy`` at ``x = 0``);
* generated code: nan masked by ``nansum`` and ``-0.0`` seen by ``signbit``
  at run time; functions a backend has none of refused by name, with NumPy
  without SciPy too.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy

import symgrad as sg
from symgrad.codegen.backends.c import compiler
from symgrad.ops import _special_numbers as num

mpmath.mp.dps = 30
RNG = np.random.default_rng(3)


def _relative(got: np.ndarray, want: list[float]) -> float:
    w = np.asarray(want, dtype=float)
    return float(np.max(np.abs(got - w) / np.maximum(np.abs(w), 1e-300)))


# ---------------------------------------------------------------- numbers

POINTS = np.concatenate([RNG.uniform(0.01, 60, 400), RNG.uniform(-12, 0, 200), [1e-8, 0.5, 1.0, 9.999, 10.0, 1e6]])
POINTS = POINTS[np.abs(POINTS - np.round(POINTS)) > 1e-6]  # (away from the poles at the non-positive integers)


def test_digamma_to_the_last_places():
    want = [float(mpmath.digamma(v)) for v in POINTS]
    got = num.digamma(POINTS)
    near_root = np.abs(got) < 1e-3  # (relative error grows near its zero at 1.4616...)
    assert _relative(got[~near_root], [w for w, r in zip(want, near_root) if not r]) < 1e-13


@pytest.mark.parametrize("n", [2, 3, 6])
def test_polygamma_to_the_last_places(n):
    x = POINTS[POINTS > 0]
    assert _relative(num.polygamma(n, x), [float(mpmath.polygamma(n, v)) for v in x]) < 1e-13


def test_trigamma_is_pytorchs_formula():
    # (about 1e-9 relative error, as PyTorch's: digamma's gradient equals PyTorch's)
    x = POINTS[POINTS > 0]
    assert _relative(num.trigamma(x), [float(mpmath.polygamma(1, v)) for v in x]) < 2e-9


def test_lgamma_and_i1():
    assert _relative(num.lgamma(POINTS), [float(mpmath.log(abs(mpmath.gamma(v)))) for v in POINTS]) < 1e-10
    x = np.concatenate([RNG.uniform(-40, 40, 300), [29.99, 30.0, 30.01, 300.0, 700.0, 1e-300]])
    assert _relative(num.i1(x), [float(mpmath.besseli(1, v)) for v in x]) < 5e-15


def test_erfinv_in_the_middle_and_the_tails():
    y = np.concatenate([RNG.uniform(-1, 1, 400), [1e-300, 0.5, 1 - 1e-10, -(1 - 2 ** -53), 1 - 2 ** -52]])
    assert _relative(num.erfinv(y), [float(mpmath.erfinv(mpmath.mpf(v))) for v in y]) < 1e-15


def test_values_at_the_poles_and_ends():
    assert num.digamma(np.array([0.0, -0.0, -1.0, np.inf])).tolist()[:2] == [-np.inf, np.inf]
    assert np.isnan(num.digamma(np.array([-1.0, -np.inf, np.nan]))).all()
    assert num.lgamma(np.array([0.0, -3.0, np.inf, 1e308])).tolist() == [np.inf] * 4
    assert num.polygamma(3, np.array([0.0, -2.0])).tolist() == [np.inf, np.inf]
    assert num.erfinv(np.array([1.0, -1.0])).tolist() == [np.inf, -np.inf]
    assert np.isnan(num.erfinv(np.array([1.5, np.nan]))).all()
    assert num.i1(np.array([710.0, -720.0])).tolist() == [np.inf, -np.inf]
    assert np.isnan(num.zeta(3.0, np.array([-1e6 + 0.5])))  # (beyond 10**5 shifts: nan, not an endless loop)


def test_the_series_constants_are_bernoullis():
    assert num._BERNOULLI_OVER_FACTORIAL == tuple(
        float(sympy.bernoulli(2 * k) / sympy.factorial(2 * k)) for k in range(1, 13))
    assert num._BERNOULLI_OVER_INDEX == tuple(float(sympy.bernoulli(2 * k) / (2 * k)) for k in range(1, 8))


def test_float32_stays_float32():
    x = np.array([0.5, 2.5], dtype=np.float32)
    for fn in (num.lgamma, num.digamma, num.trigamma, num.erfinv, num.i0, num.i1):
        assert fn(x if fn is not num.erfinv else x / 4).dtype == np.float32


# ---------------------------------------------------------------- closed forms at the special points

def test_sinc_closed_form_is_right_at_zero():
    x = sg.tensor(0.0, requires_grad=True)
    out = sg.sinc(x)
    assert out.item() == 1.0
    assert out.expr.subs(out.expr.free_symbols.pop(), 0) == 1
    d = sg.diff(out, x)
    assert d.subs(d.free_symbols.pop(), 0) == 0
    assert sg.diff(out, x).subs(d.free_symbols.pop(), sympy.Rational(1, 2)) == sympy.diff(
        sympy.sin(sympy.pi * sympy.Symbol("t")) / (sympy.pi * sympy.Symbol("t")), sympy.Symbol("t")).subs(
        sympy.Symbol("t"), sympy.Rational(1, 2))


def test_xlogy_closed_form_is_zero_at_zero():
    x, y = sg.tensor(2.0, requires_grad=True), sg.tensor(0.0, requires_grad=True)
    e = sg.xlogy(x, y).expr
    s = {str(v): v for v in e.free_symbols}
    assert e.subs({s["x"]: 0, s["y"]: 0}) == 0
    assert e.subs({s["x"]: 2, s["y"]: 3}) == 2 * sympy.log(3)


def test_logit_gradient_is_nan_outside_zero_one_and_reads_as_the_formula():
    x = sg.tensor([-0.5, 0.0, 0.25, 1.0, 1.5], requires_grad=True)
    sg.logit(x).sum().backward()
    g = x.grad.numpy()
    assert np.isnan(g[[0, 4]]).all() and g[1] == g[3] == np.inf and g[2] == pytest.approx(1 / (0.25 * 0.75))
    t = sg.tensor(0.25, requires_grad=True)
    assert str(sg.diff(sg.logit(t), t)) == "1/(t*(1 - t))"


def test_integer_operators_are_bitwise():
    a, b = sg.tensor([12, -3]), sg.tensor([10, 5])
    assert (a & b).tolist() == [8, 5] and (a | b).tolist() == [14, -3] and (a ^ b).tolist() == [6, -8]
    assert (~a).tolist() == [-13, 2] and (~sg.tensor([True, False])).tolist() == [False, True]
    m = sg.tensor([True, False])
    assert (m & sg.tensor([True, True])).tolist() == [True, False]


# ---------------------------------------------------------------- generated code

def test_generated_nansum_masks_nan_at_run_time():
    x = sg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    f = sg.gradient_function(sg.nansum(x) + sg.nanmean(x), [x])
    value, (g,) = f(np.array([1.0, np.nan, 4.0]))
    assert value == pytest.approx(5.0 + 2.5)
    assert g.tolist() == [1.5, 0.0, 1.5]


@pytest.mark.parametrize("backend", ["numpy", "math"] + (["c"] if compiler() is not None else []))
def test_generated_signbit_sees_negative_zero(backend):
    x = sg.tensor(1.0, name="x")
    fn = sg.lambdify([x], sg.signbit(x), backend, **({"compile": True} if backend == "c" else {}))
    assert [bool(fn(v)) for v in (-0.0, 0.0, -2.0, 3.0)] == [True, False, True, False]


@pytest.mark.parametrize("backend", ["math", "c"])
def test_scalar_backends_refuse_special_functions_by_name(backend):
    x = sg.tensor(1.5, requires_grad=True, name="x")
    with pytest.raises(sg.codegen.CodegenError, match=f"the {backend} backend has no polygamma"):
        sg.lambdify([x], sg.digamma(x), backend)
    sg.lambdify([x], sg.lgamma(x) + sg.atan2(x, x) + sg.sinc(x), backend)  # these it has
    with pytest.raises(sg.codegen.CodegenError, match="has no polygamma"):  # lgamma's derivative is digamma
        sg.gradient_function(sg.lgamma(x), [x], backend)


def test_numpy_without_scipy(monkeypatch):
    import importlib.util

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "scipy" else find_spec(name, *a))
    x = sg.tensor([0.0, 1.5, 4.0], requires_grad=True, name="x")
    fn = sg.lambdify([x], sg.lgamma(x), "numpy")  # math's lgamma on each element: inf at the pole
    assert "scipy" not in fn.source
    np.testing.assert_allclose(fn(np.array([0.0, 1.5, 4.0])), [math.inf, math.lgamma(1.5), math.lgamma(4.0)])
    with pytest.raises(sg.codegen.CodegenError, match="SciPy is not installed"):
        sg.lambdify([x], sg.erfinv(x / 8), "numpy")
