"""Max unpooling (``max_unpool1d/2d/3d``, ``MaxUnpool1d/2d/3d``): PyTorch's
values, gradients, reprs and errors (skipped without torch), repeated indices
from overlapping windows included, and the closed form on a tiny case."""

from __future__ import annotations

import numpy as np
import pytest

import symgrad
import symgrad.nn.functional as F  # noqa: N812 - PyTorch's convention
from symgrad import nn

RNG = np.random.default_rng(11)
TOL = dict(rtol=1e-12, atol=1e-12)


def _torch():
    return pytest.importorskip("torch")


def _pooled(dims, shape, pool_kw):
    """(ours, theirs): a leaf x, its max pooling and indices (from PyTorch, so the two share them)."""
    torch = _torch()
    a = RNG.standard_normal(shape)
    t_x = torch.tensor(a, requires_grad=True)
    t_y, t_i = getattr(torch.nn.functional, f"max_pool{dims}d")(t_x, return_indices=True, **pool_kw)
    s_x = symgrad.tensor(a, requires_grad=True)
    s_y, s_i = getattr(F, f"max_pool{dims}d")(s_x, return_indices=True, **pool_kw)
    np.testing.assert_array_equal(s_i.numpy(), t_i.numpy())
    return (s_x, s_y, s_i), (t_x, t_y, t_i)


def _check(ours, theirs, s_x, t_x):
    """Same values, and the same gradients of a random cotangent."""
    import torch

    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), **TOL)
    g = RNG.standard_normal(tuple(theirs.shape))
    (ours * symgrad.tensor(g)).sum().backward()
    (theirs * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(s_x.grad.numpy(), t_x.grad.numpy(), **TOL)


CASES = [
    (1, (2, 3, 8), dict(kernel_size=2), {}),
    (1, (3, 7), dict(kernel_size=3, stride=2, padding=1), {}),
    (1, (2, 3, 9), dict(kernel_size=2), dict(output_size=[9])),
    (2, (2, 3, 6, 5), dict(kernel_size=2), dict(output_size=(2, 3, 6, 5))),
    (2, (3, 7, 6), dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 0)), {}),
    (1, (0, 2, 6), dict(kernel_size=2), {}),
    (3, (0, 2, 4, 4, 4), dict(kernel_size=2), {}),
    (3, (2, 2, 4, 5, 6), dict(kernel_size=2), dict(output_size=(4, 5, 6))),
    (3, (2, 5, 4, 6), dict(kernel_size=(3, 2, 2), stride=(2, 2, 1), padding=(1, 0, 1)), {}),
]


@pytest.mark.parametrize("dims,shape,pool_kw,unpool_kw", CASES)
def test_max_unpool_values_and_gradients_as_pytorch(dims, shape, pool_kw, unpool_kw):
    torch = _torch()
    (s_x, s_y, s_i), (t_x, t_y, t_i) = _pooled(dims, shape, pool_kw)
    ours = getattr(F, f"max_unpool{dims}d")(s_y, s_i, **pool_kw, **unpool_kw)
    theirs = getattr(torch.nn.functional, f"max_unpool{dims}d")(t_y, t_i, **pool_kw, **unpool_kw)
    _check(ours, theirs, s_x, t_x)


@pytest.mark.parametrize("dims,shape", [(1, (2, 3, 9)), (2, (2, 2, 6, 7)), (3, (1, 2, 4, 5, 5))])
def test_repeated_indices_written_once_and_gradient_gathered_to_each_as_pytorch(dims, shape):
    """Overlapping windows (stride 1) choose the same element more than once:
    PyTorch writes it once and sends the gradient to every entry naming it."""
    torch = _torch()
    kw = dict(kernel_size=3, stride=1)
    (s_x, s_y, s_i), (t_x, t_y, t_i) = _pooled(dims, shape, kw)
    flat = t_i.reshape(-1, t_i[0, 0].numel())
    assert any(len(set(row.tolist())) < row.numel() for row in flat)  # the case under test is there
    ours = getattr(F, f"max_unpool{dims}d")(s_y, s_i, **kw)
    theirs = getattr(torch.nn.functional, f"max_unpool{dims}d")(t_y, t_i, **kw)
    # written once: every output element is 0 or an input element, never a sum of two
    assert set(ours.detach().numpy().ravel()) - {0.0} <= set(s_x.detach().numpy().ravel())
    s_y.retain_grad()
    t_y.retain_grad()
    _check(ours, theirs, s_x, t_x)
    np.testing.assert_allclose(s_y.grad.numpy(), t_y.grad.numpy(), **TOL)


def test_repeated_indices_with_different_values_last_wins_as_pytorch():
    torch = _torch()
    values = [[[1., 2., 3., 4.], [5., 6., 7., 8.]]]
    where = [[[3, 0, 3, 3], [1, 1, 2, 0]]]
    s_v = symgrad.tensor(values, dtype=symgrad.float64, requires_grad=True)
    t_v = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    ours = F.max_unpool1d(s_v, symgrad.tensor(where), 2, stride=1)
    theirs = torch.nn.functional.max_unpool1d(t_v, torch.tensor(where), 2, stride=1)
    np.testing.assert_array_equal(ours.detach().numpy(), [[[2., 0., 0., 4., 0.], [8., 6., 7., 0., 0.]]])
    _check(ours, theirs, s_v, t_v)


def test_float32_kept_as_pytorch():
    y, where = F.max_pool2d(symgrad.ones(1, 4, 4, dtype=symgrad.float32), 2, return_indices=True)
    assert F.max_unpool2d(y, where, 2).dtype == symgrad.float32


def test_closed_form_and_no_double_counting():
    x = symgrad.tensor([[1., 3., 2.]], name="x")
    y, where = F.max_pool1d(x, 2, stride=1, return_indices=True)  # both windows choose x[0, 1]
    out = F.max_unpool1d(y, where, 2, stride=1)
    assert str(out.expr) == "[[0, Max(x[0, 1], x[0, 2]), 0]]"
    np.testing.assert_array_equal(out.numpy(), [[0., 3., 0.]])


@pytest.mark.parametrize("dims,args,kw,shape", [
    (1, (2,), {}, (2, 3, 4)),
    (1, (3,), dict(stride=2, padding=1), (3, 7)),
    (2, (2,), dict(stride=1), (1, 2, 5, 5)),
    (2, ((2, 3),), dict(stride=(2, 1), padding=(1, 0)), (2, 6, 7)),
    (3, (2,), {}, (1, 2, 4, 4, 4)),
    (3, ((1, 2, 2),), dict(padding=(0, 1, 1)), (2, 3, 4, 4)),
])
def test_unpool_modules_as_pytorch(dims, args, kw, shape):
    torch = _torch()
    ours, theirs = getattr(nn, f"MaxUnpool{dims}d")(*args, **kw), getattr(torch.nn, f"MaxUnpool{dims}d")(*args, **kw)
    assert repr(ours) == repr(theirs)
    (s_x, s_y, s_i), (t_x, t_y, t_i) = _pooled(dims, shape, dict(kernel_size=args[0], **kw))
    _check(ours(s_y, s_i), theirs(t_y, t_i), s_x, t_x)


def test_unpool_module_output_size_as_pytorch():
    torch = _torch()
    (s_x, s_y, s_i), (t_x, t_y, t_i) = _pooled(2, (1, 2, 5, 5), dict(kernel_size=2))
    size = [1, 2, 5, 5]
    _check(nn.MaxUnpool2d(2)(s_y, s_i, output_size=size), torch.nn.MaxUnpool2d(2)(t_y, t_i, output_size=size),
           s_x, t_x)


def _errors_alike(s_call, t_call):
    with pytest.raises(Exception) as t_err:
        t_call()
    with pytest.raises(type(t_err.value)) as s_err:
        s_call()
    return str(s_err.value), str(t_err.value)


def _long(shape, value=0):
    return np.full(shape, value, dtype=np.int64)


ERRORS = [  # (dims, input shape, indices, args, kw, PyTorch's words)
    (2, (1, 2, 2, 2), _long((1, 2, 2, 2), 16), (2,), {}, "Found an invalid max index: 16 (output volumes are of size 4x4)"),
    (2, (1, 2, 2, 2), _long((1, 2, 2, 2), -1), (2,), {}, "Found an invalid max index: -1"),
    (3, (1, 2, 2, 2, 2), _long((1, 2, 2, 2, 2), 70), (2,), {}, "(output volumes are of size 4x4x4)"),
    (1, (1, 2, 3), _long((1, 2, 3), 6), (2,), {}, "Found an invalid max index: 6"),
    (1, (1, 2, 3), _long((1, 2, 3)), (2,), dict(output_size=[9]), "dim 0 must be between 4 and 8"),
    (2, (1, 2, 2, 2), _long((1, 2, 2, 2)), (2,), dict(output_size=(4, 2)), "dim 1 must be between 2 and 6"),
    (2, (1, 2, 2, 2), _long((1, 2, 2, 2)), (2,), dict(output_size=(1, 4, 4)), "2 or 4 elements"),
    (3, (1, 2, 3, 2, 2), _long((1, 2, 3, 2, 2)), (2,), dict(output_size=(1, 2)), "3 or 5 elements"),
    (1, (1, 2, 1), _long((1, 2, 1)), (1,), dict(padding=1), "non-negative spatial dimensions"),
    (2, (1, 2, 2, 2), _long((1, 2, 2, 3)), (2,), {}, "Expected shape of indices to be same"),
    (3, (1, 2, 2, 2, 2), _long((1, 2, 2, 2, 2)).astype(np.int32), (2,), {}, "elements in indices should be type int64"),
    (2, (2, 0, 2, 2), _long((2, 0, 2, 2)), (2,), {}, "with dimension 1 being empty"),
    (3, (2, 2, 2, 2, 2, 2), _long((2, 2, 2, 2, 2, 2)), (2,), {}, "should be a 4d or 5d Tensor"),
    (2, (2, 2, 2, 2, 2), _long((2, 2, 2, 2, 2)), (2,), {}, "should be a 3d or 4d Tensor"),
    (3, (1, 2, 3, 2, 2), _long((1, 2, 3, 2, 2)), (2,), dict(stride=0), "strides should be greater than zero"),
]


@pytest.mark.parametrize("dims,shape,where,args,kw,words", ERRORS)
def test_unpool_errors_as_pytorch(dims, shape, where, args, kw, words):
    torch = _torch()
    a = np.zeros(shape)
    ours, theirs = _errors_alike(
        lambda: getattr(F, f"max_unpool{dims}d")(symgrad.tensor(a), symgrad.tensor(where), *args, **kw),
        lambda: getattr(torch.nn.functional, f"max_unpool{dims}d")(torch.tensor(a), torch.tensor(where), *args, **kw))
    assert words in theirs and words in ours


def test_unpool_refuses_integer_inputs_and_non_tensors():
    torch = _torch()
    ours, theirs = _errors_alike(
        lambda: F.max_unpool2d(symgrad.zeros(1, 2, 2, dtype=symgrad.int64), symgrad.zeros(1, 2, 2, dtype=symgrad.int64), 2),
        lambda: torch.nn.functional.max_unpool2d(torch.zeros(1, 2, 2, dtype=torch.long), torch.zeros(1, 2, 2).long(), 2))
    assert "not implemented for 'Long'" in ours and ".float()" in ours
    with pytest.raises(TypeError, match="argument 'indices'"):
        F.max_unpool2d(symgrad.zeros(1, 2, 2), [[1]], 2)
    with pytest.raises(RuntimeError, match="strides should be greater than zero"):  # PyTorch 2-d only sizes it
        F.max_unpool2d(symgrad.zeros(1, 2, 2), symgrad.zeros(1, 2, 2, dtype=symgrad.int64), 2, stride=0)
