"""softplus is linear above its threshold (as PyTorch computes it), so its
derivative there is 1, not sigmoid(beta*x)."""

from __future__ import annotations

import numpy as np
import pytest

import symgrad


def test_softplus_gradient_is_one_above_the_threshold():
    x = symgrad.tensor([-1.0, 0.2, 0.6, 3.0], requires_grad=True)
    symgrad.softplus(x, beta=2.0, threshold=1.0).sum().backward()
    sig = 1 / (1 + np.exp(-2 * np.array([-1.0, 0.2])))
    np.testing.assert_allclose(np.asarray(x.grad), [sig[0], sig[1], 1.0, 1.0])


def test_softplus_gradient_matches_pytorch_on_both_sides():
    torch = pytest.importorskip("torch")
    values = np.linspace(-3, 3, 13)
    s = symgrad.tensor(values, requires_grad=True)
    t = torch.tensor(values, requires_grad=True)
    symgrad.softplus(s, beta=2.0, threshold=1.5).sum().backward()
    torch.nn.functional.softplus(t, beta=2.0, threshold=1.5).sum().backward()
    np.testing.assert_allclose(np.asarray(s.grad), t.grad.numpy(), rtol=1e-12)
