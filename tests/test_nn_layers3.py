"""Packed sequences (``nn.utils.rnn`` and the recurrent layers reading them),
``F.interpolate``'s modes ``bicubic``, ``area``, ``nearest-exact`` and
``trilinear``, and ``ConvTranspose3d``: PyTorch's outputs and gradients,
reprs and errors (skipped without torch where torch is the oracle), and
closed forms on tiny cases."""

from __future__ import annotations

import numpy as np
import pytest

import symgrad
import symgrad.nn.functional as F  # noqa: N812 - PyTorch's convention
from symgrad import nn

RNG = np.random.default_rng(11)
TOL = dict(rtol=1e-10, atol=1e-12)


def _torch():
    return pytest.importorskip("torch")


def _close(ours, theirs, **tol):
    np.testing.assert_allclose(np.asarray(ours.detach().numpy()), theirs.detach().numpy(), **(tol or TOL))


def _pair(*arrays):
    """The same float64 leaves in symgrad and in PyTorch."""
    torch = _torch()
    return ([symgrad.tensor(a, requires_grad=True) for a in arrays],
            [torch.tensor(a, requires_grad=True) for a in arrays])


def _backward_both(ours, theirs):
    """Backpropagate the same random cotangent through both outputs."""
    import torch

    g = RNG.standard_normal(tuple(theirs.shape))
    (ours * symgrad.tensor(g)).sum().backward()
    (theirs * torch.tensor(g)).sum().backward()


def _errors_alike(s_call, t_call):
    """Both raise the same exception type; returns symgrad's message."""
    with pytest.raises(Exception) as t_err:
        t_call()
    with pytest.raises(type(t_err.value)) as s_err:
        s_call()
    return str(s_err.value)


def _load_torch_weights(ours, theirs):
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


# ---------------------------------------------------------------- ConvTranspose3d

TRANSPOSED_3D = [
    ((2, 4, 3, 2, 3), (4, 3, 2, 2, 2), {}),
    ((4, 3, 2, 3), (4, 2, 3, 1, 2), {"stride": (2, 1, 3), "padding": (1, 0, 1), "output_padding": (1, 0, 2)}),
    ((1, 4, 2, 3, 2), (4, 1, 2, 2, 1), {"stride": 2, "padding": 1, "output_padding": 1, "groups": 2,
                                        "dilation": (2, 1, 3)}),
]


@pytest.mark.parametrize("x_shape, w_shape, kw", TRANSPOSED_3D)
@pytest.mark.parametrize("with_bias", [True, False])
def test_functional_conv_transpose3d_against_pytorch(x_shape, w_shape, kw, with_bias):
    torch = _torch()
    arrays = [RNG.standard_normal(x_shape), RNG.standard_normal(w_shape)]
    if with_bias:
        arrays.append(RNG.standard_normal(w_shape[1] * kw.get("groups", 1)))
    ours, theirs = _pair(*arrays)
    s_y, t_y = F.conv_transpose3d(*ours, **kw), torch.nn.functional.conv_transpose3d(*theirs, **kw)
    assert s_y.shape == t_y.shape
    _close(s_y, t_y)
    _backward_both(s_y, t_y)
    for s, t in zip(ours, theirs):
        _close(s.grad, t.grad)


def test_conv_transpose3d_module_against_pytorch():
    torch = _torch()
    args = dict(in_channels=4, out_channels=6, kernel_size=(2, 3, 2), stride=2, padding=(0, 1, 1),
                output_padding=(1, 1, 0), groups=2)
    theirs = torch.nn.ConvTranspose3d(**args).double()
    ours = nn.ConvTranspose3d(**args)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == ["weight", "bias"] and ours.weight.shape == theirs.weight.shape
    with torch.no_grad():
        theirs.weight.normal_()
        theirs.bias.normal_()
    _load_torch_weights(ours, theirs)
    x = RNG.standard_normal((2, 4, 3, 4, 3))
    for output_size in (None, [7, 8, 4], [2, 6, 6, 7, 5]):
        (s_x,), (t_x,) = _pair(x)
        s_y, t_y = ours(s_x, output_size=output_size), theirs(t_x, output_size=output_size)
        _close(s_y, t_y)
        _backward_both(s_y, t_y)
        for s, t in ((s_x, t_x), (ours.weight, theirs.weight), (ours.bias, theirs.bias)):
            _close(s.grad, t.grad)
        ours.zero_grad()
        theirs.zero_grad()
    for args, kw in [((2, 4, 3), {"bias": False, "dilation": 2}), ((2, 2, (1, 2, 3)), {"padding_mode": "zeros"})]:
        assert repr(nn.ConvTranspose3d(*args, **kw)) == repr(torch.nn.ConvTranspose3d(*args, **kw))


def test_conv_transpose3d_is_the_gradient_of_conv3d_and_its_closed_form():
    x = symgrad.tensor(RNG.standard_normal((1, 2, 4, 3, 5)), requires_grad=True)
    w = symgrad.tensor(RNG.standard_normal((3, 2, 2, 2, 3)))
    y = F.conv3d(x, w, stride=(2, 1, 2), padding=(1, 0, 1))
    g = symgrad.tensor(RNG.standard_normal(tuple(y.shape)))
    (y * g).sum().backward()
    back = F.conv_transpose3d(g, w, stride=(2, 1, 2), padding=(1, 0, 1))
    np.testing.assert_allclose(back.numpy(), x.grad.numpy(), rtol=1e-12, atol=1e-12)
    xs, ws = symgrad.tensor([[[[[1.]], [[2.]]]]], name="x"), symgrad.tensor([[[[[1.]], [[10.]]]]], name="w")
    assert str(F.conv_transpose3d(xs, ws).expr[0, 0, 1, 0, 0]) == "w[0, 0, 0, 0, 0]*x[0, 0, 1, 0, 0] + w[0, 0, 1, 0, 0]*x[0, 0, 0, 0, 0]"


@pytest.mark.parametrize("x_shape, w_shape, kw", [
    ((1, 2, 3, 3, 3), (2, 1, 2, 2, 2), {"stride": 1, "output_padding": 1}),
    ((1, 3, 3, 3, 3), (2, 1, 2, 2, 2), {}),
    ((2, 3, 3), (2, 1, 2, 2, 2), {}),
    ((1, 2, 1, 1, 1), (2, 1, 1, 1, 1), {"padding": 1}),
    ((1, 2, 3, 3, 3), (2, 1, 2, 2, 2), {"stride": 0}),
])
def test_conv_transpose3d_errors_as_pytorch(x_shape, w_shape, kw):
    torch = _torch()
    message = _errors_alike(lambda: F.conv_transpose3d(symgrad.zeros(*x_shape), symgrad.zeros(*w_shape), **kw),
                            lambda: torch.nn.functional.conv_transpose3d(torch.zeros(*x_shape),
                                                                         torch.zeros(*w_shape), **kw))
    if "output_padding" in kw:
        assert "output_padding_depth: 1 output_padding_height: 1 output_padding_width: 1" in message
    with pytest.raises(ValueError, match="zeros"):
        nn.ConvTranspose3d(2, 2, 3, padding_mode="reflect")
