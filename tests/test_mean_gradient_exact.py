"""The closed form of mean's gradient is exact: 1/n as a rational, not the
float 0.0909..., so gradients of mean losses read 70*w + 10*b - 150 rather
than 70.000000000000001*w + 10.0*b - 150.0."""

from __future__ import annotations

import sympy

import symgrad


def test_mean_gradient_closed_form_is_rational():
    x = symgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (g,) = symgrad.autograd.grad(x.mean(), x, create_graph=True)
    assert list(g.expr) == [sympy.Rational(1, 3)] * 3
    assert g.tolist() == [1 / 3] * 3


def test_mean_squared_error_gradient_has_integer_coefficients():
    w = symgrad.tensor(0.5, requires_grad=True)
    x = symgrad.arange(11).double()
    loss = ((w * x - (2 * x + 1)) ** 2).mean()
    assert symgrad.diff(loss, w) == 70 * w.expr - 150
    loss.backward()
    assert w.grad.expr == 70 * w.expr - 150
    assert w.grad.item() == 70 * 0.5 - 150
