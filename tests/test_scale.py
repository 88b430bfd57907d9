"""Deep and wide graphs: every walk is iterative."""

from __future__ import annotations

import numpy as np
import pytest

import symgrad as sg


def test_chain_of_100k_ops_backpropagates():
    x = sg.tensor(0.5, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0000001
    y.backward()
    assert x.grad.item() == pytest.approx(1.0000001 ** 100_000, rel=1e-9)


def test_chain_with_create_graph_and_closed_form_of_first_derivative():
    x = sg.tensor(0.5, requires_grad=True)
    y = x
    for _ in range(5_000):
        y = y + x * 0.001
    (g,) = sg.autograd.grad(y, x, create_graph=True)
    assert g.item() == pytest.approx(1 + 5_000 * 0.001)
    assert float(g.expr) == pytest.approx(6.0)


def test_wide_fan_in_and_reuse():
    x = sg.tensor(np.linspace(0, 1, 1000), requires_grad=True)
    parts = [x[i] * x[i] for i in range(1000)]
    total = sg.stack(parts).sum()
    total.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.linspace(0, 1, 1000))


def test_closed_form_of_a_10k_chain_is_a_clear_error():
    x = sg.tensor(0.5, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = sg.sin(y * 0.5) + 0.5
    y.backward()
    with pytest.raises(sg.ExpressionTooLargeError, match="compact"):
        _ = x.grad.expr
