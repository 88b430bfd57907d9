"""3-d pooling (``max_pool3d``, ``avg_pool3d``, ``adaptive_*_pool3d``) and
adaptive max pooling in 1-3 dims: PyTorch's values, gradients, indices,
reprs and errors (skipped without torch), and closed forms on tiny cases."""

from __future__ import annotations

import numpy as np
import pytest

import symgrad
import symgrad.nn.functional as F  # noqa: N812 - PyTorch's convention
from symgrad import nn

RNG = np.random.default_rng(5)
TOL = dict(rtol=1e-10, atol=1e-12)


def _torch():
    return pytest.importorskip("torch")


def _pair(shape):
    torch = _torch()
    a = RNG.standard_normal(shape)
    return symgrad.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def _check(ours, theirs, s_x, t_x):
    """Same values, and the same gradients of a random cotangent."""
    import torch

    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), **TOL)
    g = RNG.standard_normal(tuple(theirs.shape))
    (ours * symgrad.tensor(g)).sum().backward()
    (theirs * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(s_x.grad.numpy(), t_x.grad.numpy(), **TOL)


def _errors_alike(s_call, t_call):
    with pytest.raises(Exception) as t_err:
        t_call()
    with pytest.raises(type(t_err.value)) as s_err:
        s_call()
    return str(s_err.value), str(t_err.value)


MAX_3D = [
    ((2, 3, 4, 5, 6), dict(kernel_size=2)),
    ((3, 5, 6, 7), dict(kernel_size=(2, 3, 2), stride=(1, 2, 3))),
    ((1, 2, 5, 6, 7), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ((1, 2, 7, 6, 7), dict(kernel_size=(3, 2, 2), stride=1, padding=(1, 0, 1), dilation=(2, 1, 3))),
    ((1, 1, 5, 5, 5), dict(kernel_size=2, stride=2, ceil_mode=True)),
    ((0, 2, 4, 4, 4), dict(kernel_size=2)),
]


@pytest.mark.parametrize("shape,kw", MAX_3D)
def test_max_pool3d_values_gradients_and_indices_as_pytorch(shape, kw):
    torch = _torch()
    s_x, t_x = _pair(shape)
    s_y, s_i = F.max_pool3d(s_x, **kw, return_indices=True)
    t_y, t_i = torch.nn.functional.max_pool3d(t_x, **kw, return_indices=True)
    np.testing.assert_array_equal(s_i.numpy(), t_i.numpy())
    assert s_i.dtype == symgrad.int64
    _check(s_y, t_y, s_x, t_x)


def test_max_pool3d_ties_and_integers_as_pytorch():
    torch = _torch()
    a = RNG.integers(0, 3, (2, 3, 4, 4, 4)).astype(np.float64)  # many ties: the gradient to the first largest
    s_x, t_x = symgrad.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    s_y, s_i = F.max_pool3d(s_x, 3, 1, 1, return_indices=True)
    t_y, t_i = torch.nn.functional.max_pool3d(t_x, 3, 1, 1, return_indices=True)
    np.testing.assert_array_equal(s_i.numpy(), t_i.numpy())
    _check(s_y, t_y, s_x, t_x)
    n = np.arange(120).reshape(1, 2, 3, 4, 5)
    np.testing.assert_array_equal(F.max_pool3d(symgrad.tensor(n), 2).numpy(),
                                  torch.nn.functional.max_pool3d(torch.tensor(n), 2).numpy())


AVG_3D = [
    ((2, 3, 4, 5, 6), dict(kernel_size=2)),
    ((3, 5, 6, 7), dict(kernel_size=(2, 3, 2), stride=(1, 2, 3))),
    ((1, 2, 5, 6, 7), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ((1, 2, 5, 6, 7), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
    ((1, 2, 4, 5, 6), dict(kernel_size=(2, 3, 3), padding=(1, 1, 0), divisor_override=5)),
    ((1, 1, 5, 5, 5), dict(kernel_size=2, stride=2, ceil_mode=True, count_include_pad=False)),
]


@pytest.mark.parametrize("shape,kw", AVG_3D)
def test_avg_pool3d_values_and_gradients_as_pytorch(shape, kw):
    torch = _torch()
    s_x, t_x = _pair(shape)
    _check(F.avg_pool3d(s_x, **kw), torch.nn.functional.avg_pool3d(t_x, **kw), s_x, t_x)


def test_avg_pool3d_integers_as_pytorch():
    torch = _torch()
    n = np.arange(120).reshape(1, 2, 3, 4, 5) * 7
    np.testing.assert_array_equal(F.avg_pool3d(symgrad.tensor(n), 2, padding=1).numpy(),
                                  torch.nn.functional.avg_pool3d(torch.tensor(n), 2, padding=1).numpy())


ADAPTIVE_MAX = [
    (1, (2, 3, 7), 3), (1, (3, 5), (2,)), (1, (2, 9), 9), (1, (1, 2, 4), 7), (1, (1, 2, 5), 0),
    (2, (2, 3, 5, 7), (3, 4)), (2, (3, 6, 5), (None, 2)), (2, (1, 1, 3, 4), 5), (2, (1, 3, 4), (0, 2)),
    (3, (2, 2, 5, 6, 7), (2, 3, 4)), (3, (2, 5, 6, 7), (3, None, 2)), (3, (1, 1, 3, 3, 3), 1),
    (3, (1, 1, 2, 3, 4), (4, 4, 4)),
]


@pytest.mark.parametrize("dims,shape,out", ADAPTIVE_MAX)
def test_adaptive_max_pool_values_gradients_and_indices_as_pytorch(dims, shape, out):
    torch = _torch()
    s_x, t_x = _pair(shape)
    ours = getattr(F, f"adaptive_max_pool{dims}d")
    theirs = getattr(torch.nn.functional, f"adaptive_max_pool{dims}d")
    s_y, s_i = ours(s_x, out, return_indices=True)
    t_y, t_i = theirs(t_x, out, return_indices=True)
    np.testing.assert_array_equal(s_i.numpy(), t_i.numpy())
    if t_y.numel():  # (PyTorch's backward refuses empty outputs; see docs/pytorch.md)
        _check(s_y, t_y, s_x, t_x)
    else:
        assert tuple(s_y.shape) == tuple(t_y.shape)


def test_adaptive_max_pool_ties_and_nan_as_pytorch():
    torch = _torch()
    a = RNG.integers(0, 2, (2, 3, 5, 7)).astype(np.float64)
    s_x, t_x = symgrad.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    s_y, s_i = F.adaptive_max_pool2d(s_x, (3, 4), return_indices=True)
    t_y, t_i = torch.nn.functional.adaptive_max_pool2d(t_x, (3, 4), return_indices=True)
    np.testing.assert_array_equal(s_i.numpy(), t_i.numpy())
    _check(s_y, t_y, s_x, t_x)
    x = [[1., 5., 2., float("nan"), 3.]]
    s_y, s_i = F.adaptive_max_pool1d(symgrad.tensor(x), 2, return_indices=True)
    t_y, t_i = torch.nn.functional.adaptive_max_pool1d(torch.tensor(x), 2, return_indices=True)
    np.testing.assert_array_equal(s_y.numpy(), t_y.numpy())
    np.testing.assert_array_equal(s_i.numpy(), t_i.numpy())


def test_adaptive_max_pool_closed_form():
    x = symgrad.tensor([[1., 3., 2., 0.]], name="x")
    assert str(F.adaptive_max_pool1d(x, 3).expr) == "[[Max(x[0, 0], x[0, 1]), Max(x[0, 1], x[0, 2]), Max(x[0, 2], x[0, 3])]]"
    y = F.max_pool3d(symgrad.tensor(np.ones((1, 1, 2, 1)), name="v"), (1, 2, 1))
    assert str(y.expr) == "[[[[Max(v[0, 0, 0, 0], v[0, 0, 1, 0])]]]]"


MODULES = [
    ("MaxPool3d", (2,), dict(stride=1, padding=1, ceil_mode=True), (2, 3, 4, 5, 6)),
    ("MaxPool3d", ((1, 2, 2),), dict(return_indices=True), (3, 4, 5, 6)),
    ("AvgPool3d", (3,), dict(stride=(1, 2, 1), padding=1, count_include_pad=False), (2, 3, 4, 5, 6)),
    ("AvgPool3d", (2,), dict(divisor_override=3, ceil_mode=True), (2, 5, 5, 5)),
    ("AdaptiveAvgPool3d", ((2, None, 3),), {}, (2, 3, 4, 5, 6)),
    ("AdaptiveMaxPool1d", (3,), dict(return_indices=True), (2, 3, 8)),
    ("AdaptiveMaxPool2d", ((3, None),), {}, (2, 5, 6)),
    ("AdaptiveMaxPool3d", (2,), dict(return_indices=True), (1, 2, 3, 5, 6)),
]


@pytest.mark.parametrize("name,args,kw,shape", MODULES)
def test_pool3d_modules_as_pytorch(name, args, kw, shape):
    torch = _torch()
    ours, theirs = getattr(nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
    assert repr(ours) == repr(theirs)
    s_x, t_x = _pair(shape)
    s_y, t_y = ours(s_x), theirs(t_x)
    if kw.get("return_indices"):
        np.testing.assert_array_equal(s_y[1].numpy(), t_y[1].numpy())
        s_y, t_y = s_y[0], t_y[0]
    _check(s_y, t_y, s_x, t_x)


ERRORS = [
    ("max_pool3d", (3, 4, 5), (2,), {}),
    ("max_pool3d", (2, 3, 4, 5, 6, 7), (2,), {}),
    ("max_pool3d", (2, 0, 4, 5, 6), (2,), {}),
    ("max_pool3d", (1, 2, 3, 4, 5), (2,), dict(padding=2)),
    ("max_pool3d", (1, 2, 5, 5, 5), (3,), dict(padding=2, dilation=2)),
    ("max_pool3d", (1, 2, 3, 4, 5), (4,), {}),
    ("max_pool3d", (1, 2, 3, 4, 5), (0,), {}),
    ("avg_pool3d", (3, 4, 5), (2,), {}),
    ("avg_pool3d", (2, 0, 4, 5, 6), (2,), {}),
    ("avg_pool3d", (1, 2, 3, 4, 5), (4,), {}),
    ("avg_pool3d", (1, 2, 3, 4, 5), (2,), dict(padding=2)),
    ("avg_pool3d", (1, 2, 3, 4, 5), (2,), dict(divisor_override=0)),
    ("adaptive_max_pool3d", (3, 4, 5), (2,), {}),
    ("adaptive_max_pool3d", (1, 2, 3, 4, 5), ((2, 3),), {}),
    ("adaptive_max_pool3d", (1, 0, 3, 4, 5), (2,), {}),
    ("adaptive_max_pool2d", (3, 4, 5, 6, 7), (2,), {}),
    ("adaptive_max_pool2d", (3, 0, 4), (2,), {}),
    ("adaptive_max_pool1d", (3, 4, 5, 6), (2,), {}),
    ("adaptive_max_pool1d", (3,), (2,), {}),
    ("adaptive_max_pool1d", (3, 4), (-1,), {}),
]


@pytest.mark.parametrize("fn,shape,args,kw", ERRORS)
def test_pool3d_errors_as_pytorch(fn, shape, args, kw):
    torch = _torch()
    a = np.ones(shape)
    ours, theirs = _errors_alike(lambda: getattr(F, fn)(symgrad.tensor(a), *args, **kw),
                                 lambda: getattr(torch.nn.functional, fn)(torch.tensor(a), *args, **kw))
    if "internal error" not in theirs and "negative dimension" not in theirs:
        assert ours.startswith(theirs) or theirs.startswith(ours)


def test_adaptive_max_pool_refuses_integers_as_pytorch():
    torch = _torch()
    n = np.arange(12).reshape(1, 3, 4)
    ours, theirs = _errors_alike(lambda: F.adaptive_max_pool2d(symgrad.tensor(n), 2),
                                 lambda: torch.nn.functional.adaptive_max_pool2d(torch.tensor(n), 2))
    assert ours.startswith(theirs)


@pytest.mark.parametrize("call", [
    lambda F, x: F.interpolate(x, size=(0, 2), mode="area"),
    lambda F, x: F.adaptive_avg_pool2d(x, (2, 0)),
    lambda F, x: F.adaptive_max_pool2d(x, (0, 3)),
])
def test_empty_adaptive_output_gradient_is_zero_where_pytorch_backward_raises(call):
    """A documented difference (docs/pytorch.md): PyTorch's backward refuses an
    empty output; symgrad's gradient is the right one, zeros."""
    torch = _torch()
    s_x, t_x = _pair((1, 2, 4, 4))
    s_y, t_y = call(F, s_x), call(torch.nn.functional, t_x)
    assert tuple(s_y.shape) == tuple(t_y.shape) and s_y.numel() == 0
    with pytest.raises(RuntimeError, match="Expected grad_output to have non-zero size"):
        t_y.sum().backward()
    s_y.sum().backward()
    np.testing.assert_array_equal(s_x.grad.numpy(), np.zeros((1, 2, 4, 4)))
