"""No expression swell: the value-and-gradient program costs at most 4 times
the function's (counted as operations and calls in ``.source``), and the
ratio does not grow with the problem's size.  Speed is measured in
the benchmark suite (``python -m benchmarks``, rows 4 to 8), not here."""

from __future__ import annotations

import numpy as np
import pytest

import symgrad
from symgrad.codegen import count_operations

BOUND = 4.0


def ratio(f, wrt) -> float:
    """Operations of value+gradient code over operations of the function's code."""
    grad = symgrad.gradient_function(f, wrt)
    value = symgrad.lambdify(grad.inputs, f)
    return count_operations(grad) / count_operations(value)


def rosenbrock_vector(n):
    x = symgrad.tensor(np.linspace(-1.2, 1.2, n), requires_grad=True)
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum(), x


def rosenbrock_scalars(n):
    xs = [symgrad.tensor(v, requires_grad=True) for v in np.linspace(-1.2, 1.2, n)]
    f = 0
    for a, b in zip(xs, xs[1:], strict=False):
        f = f + 100 * (b - a ** 2) ** 2 + (1 - a) ** 2
    return f, xs


def product_scalars(n):
    xs = [symgrad.tensor(1 + 0.01 * i, requires_grad=True) for i in range(n)]
    f = xs[0]
    for v in xs[1:]:
        f = f * v
    return f, xs


def sin_chain(depth):
    x = symgrad.tensor(0.7, requires_grad=True)
    y = x
    for _ in range(depth):
        y = symgrad.sin(x * y)
    return y, x


def mlp_loss():
    rng = np.random.default_rng(0)
    X = symgrad.tensor(np.linspace(-1, 1, 11).reshape(11, 1))
    Y = symgrad.tensor(np.sin(3 * np.linspace(-1, 1, 11)).reshape(11, 1))
    W1 = symgrad.tensor(rng.normal(size=(16, 1)), requires_grad=True)
    b1 = symgrad.tensor(rng.normal(size=16), requires_grad=True)
    W2 = symgrad.tensor(rng.normal(size=(1, 16)), requires_grad=True)
    b2 = symgrad.tensor(rng.normal(size=1), requires_grad=True)
    hidden = symgrad.tanh(symgrad.linear(X, W1, b1))
    loss = ((symgrad.linear(hidden, W2, b2) - Y) ** 2).mean()
    return loss, [W1, b1, W2, b2]


@pytest.mark.parametrize("n", [10, 100, 1000])
def test_rosenbrock_vector(n):
    assert ratio(*rosenbrock_vector(n)) <= BOUND


@pytest.mark.parametrize("n", [10, 100])
def test_rosenbrock_scalar_leaves(n):
    assert ratio(*rosenbrock_scalars(n)) <= BOUND


@pytest.mark.parametrize("n", [20, 100])
def test_product_of_n_variables(n):
    assert ratio(*product_scalars(n)) <= BOUND
    x = symgrad.tensor(np.linspace(0.5, 1.5, n), requires_grad=True)
    assert ratio(x.prod(), x) <= BOUND


def test_mlp_mse_loss():
    assert ratio(*mlp_loss()) <= BOUND


def test_nested_sin_chain():
    assert ratio(*sin_chain(30)) <= BOUND


def test_the_ratio_does_not_grow_with_size():
    assert ratio(*rosenbrock_vector(1000)) == ratio(*rosenbrock_vector(10))
    assert ratio(*rosenbrock_scalars(100)) <= ratio(*rosenbrock_scalars(10)) + 0.05
    assert ratio(*product_scalars(100)) <= ratio(*product_scalars(20)) + 0.15
    assert ratio(*sin_chain(60)) <= ratio(*sin_chain(30)) + 0.05


def test_rosenbrock_1000_agrees_with_the_engine():
    point = np.random.default_rng(1).normal(size=1000)
    x = symgrad.tensor(point, requires_grad=True)
    f = (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()
    value, grad = symgrad.gradient_function(f, x)(point)
    (want,) = symgrad.autograd.grad(f, x)
    assert value == pytest.approx(f.item(), rel=1e-12)
    np.testing.assert_allclose(grad, want.numpy(), rtol=1e-12)


def test_a_10000_op_chain_generates_and_runs():
    x = symgrad.tensor(0.5, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = symgrad.sin(y)
    g = symgrad.gradient_function(y, x)
    value, grad = g(0.5)
    (want,) = symgrad.autograd.grad(y, x)
    assert value == pytest.approx(y.item(), rel=1e-12)
    assert grad == pytest.approx(want.item(), rel=1e-9)


def test_the_check_of_input_shapes_is_not_counted_as_work():
    # Generated array code starts by comparing its inputs' shapes (a call and
    # a comparison per input): counted, it added a constant to every program
    # and made gradient/function ratios look smaller (benchmark row 5).
    W = symgrad.randn(3, 2, requires_grad=True)
    v = symgrad.randn(2, requires_grad=True)
    f = symgrad.lambdify([W, v], (W @ v).tanh().sum())
    assert "_check_shapes" in f.source
    assert count_operations(f) == 3  # @, tanh, sum
