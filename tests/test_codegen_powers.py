"""``x ** p`` and its gradient at the special points (-0.0, 0.0, -inf, inf,
nan), eager and generated, against PyTorch: PyTorch computes ``x ** 0.5`` as
``sqrt`` and ``x ** -0.5`` as ``rsqrt`` (``1/sqrt``), which differ from C's
``pow`` at -0.0 and -inf (``pow(-0.0, -0.5)`` is inf, ``rsqrt(-0.0)`` -inf)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import symgrad
from symgrad.codegen.backends.c import compiler

POWERS = (0.5, 1.5, -0.5, 2, 3, -1, -1.5, 2.5)
POINTS = (-0.0, 0.0, -np.inf, np.inf, np.nan, -2.0, 0.3, 2.0)


def _same(got, want, what):
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    # exact (sign of zero, nan) where the value is special; elsewhere rounding may differ in the last bit
    # (PyTorch's x ** 3 is x*x*x, NumPy's power rounds once)
    close = np.isclose(got, want, rtol=4e-16, atol=0) & np.isfinite(want) & (want != 0)
    same = close | (got == want) & (np.signbit(got) == np.signbit(want)) | (np.isnan(got) & np.isnan(want))
    assert same.all(), f"{what}: {got.tolist()} != {want.tolist()} at {POINTS}"


def _torch(p):
    torch = pytest.importorskip("torch")
    t = torch.tensor(POINTS, dtype=torch.float64, requires_grad=True)
    out = t ** p
    out.sum().backward()
    return out.detach().numpy(), t.grad.numpy()


@pytest.mark.parametrize("p", POWERS)
def test_eager_power_and_gradient_are_pytorchs(p):
    # x ** 0.5's gradient was +inf at -0.0 and 0 at -inf (PyTorch: -inf and nan): 0.5 * x**-0.5 was NumPy's power
    value, grad = _torch(p)
    x = symgrad.tensor(np.array(POINTS), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out = x ** p
        out.sum().backward()
    _same(out.data, value, f"x ** {p}")
    _same(x.grad.data, grad, f"gradient of x ** {p}")


def _generated(p, backend, **options):
    a = symgrad.tensor(2., requires_grad=True)
    return symgrad.gradient_function(a ** p, a, backend=backend, **options)


@pytest.mark.parametrize("p", POWERS)
@pytest.mark.parametrize("backend", ["numpy", "c", "jax", "math"])
def test_generated_power_and_gradient_are_pytorchs(p, backend):
    # math and C code printed x ** 0.5 as pow(x, 0.5): inf at -inf and 0.0 at -0.0, where sqrt gives nan and -0.0
    # (x ** 1.5's gradient was inf at -inf); and x ** -0.5 as pow(x, -0.5), inf at -0.0 (PyTorch: rsqrt, -inf)
    value, grad = _torch(p)
    options = {}
    if backend == "c":
        if compiler() is None:
            pytest.skip("no C compiler")
        options["compile"] = True
    if backend == "jax":
        jax = pytest.importorskip("jax")
        jax.config.update("jax_enable_x64", True)
    g = _generated(p, backend, **options)
    got_value, got_grad = [], []
    for k, at in enumerate(POINTS):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            try:
                v, d = g(np.float64(at))
            except (ValueError, ZeroDivisionError):  # math's domain errors (docs/codegen.md, Limits)
                assert backend == "math"
                v, d = value[k], grad[k]
        got_value.append(float(v))
        got_grad.append(float(d))
    _same(got_value, value, f"{backend} x ** {p}")
    _same(got_grad, grad, f"{backend} gradient of x ** {p}")


def test_half_powers_print_as_square_roots():
    # pow(x, 0.5) is not sqrt(x) at -0.0 and -inf: the code says what it computes
    assert "numpy.sqrt(a)" in _generated(-0.5, "numpy").source
    assert "math.sqrt(a)" in _generated(0.5, "math").source
    assert "1.0/sqrt(a)" in _generated(0.5, "c").source
