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


# ---------------------------------------------------------------- interpolate: bicubic, area, nearest-exact, trilinear

INTERPOLATE = [
    ((1, 2, 4, 5), {"size": (7, 3), "mode": "bicubic"}),
    ((2, 1, 3, 3), {"scale_factor": 2.5, "mode": "bicubic"}),
    ((1, 1, 5, 4), {"size": (2, 9), "mode": "bicubic", "align_corners": True}),
    ((1, 1, 6, 6), {"scale_factor": (0.5, 1.7), "mode": "bicubic", "align_corners": True}),
    ((1, 1, 4, 4), {"size": 4, "mode": "bicubic"}),
    ((1, 1, 1, 3), {"size": (3, 1), "mode": "bicubic"}),
    ((1, 1, 5, 5), {"scale_factor": 0.7, "mode": "bicubic", "recompute_scale_factor": True}),
    ((1, 1, 5, 5), {"scale_factor": 0.7, "mode": "bicubic", "recompute_scale_factor": False}),
    ((2, 2, 7), {"size": 3, "mode": "area"}), ((1, 1, 5, 7), {"size": (2, 4), "mode": "area"}),
    ((1, 2, 3, 5, 4), {"size": (2, 3, 6), "mode": "area"}), ((1, 1, 6, 5), {"scale_factor": 0.45, "mode": "area"}),
    ((1, 1, 5), {"scale_factor": 1.5, "mode": "area"}),
    ((2, 1, 5), {"size": 8, "mode": "nearest-exact"}), ((1, 2, 7), {"scale_factor": 0.45, "mode": "nearest-exact"}),
    ((1, 1, 3, 5), {"scale_factor": (7 / 3, 0.6), "mode": "nearest-exact"}),
    ((1, 1, 2, 3, 4), {"size": (3, 5, 2), "mode": "nearest-exact"}),
    ((1, 1, 4, 5), {"scale_factor": 1.3, "mode": "nearest-exact", "recompute_scale_factor": True}),
    ((1, 1, 2, 3, 4), {"size": (3, 5, 2)}), ((1, 1, 2, 3, 3), {"scale_factor": (2, 1.5, 0.7)}),
    # 4-d "nearest" in PyTorch: an output as long as the input copies it, one twice as long takes i // 2
    # (its nearest_idx), whatever the scale factor; 3-d and 5-d use floor(i * scale) (test below)
    ((1, 1, 3, 3), {"scale_factor": 1.3}), ((2, 1, 5, 4), {"scale_factor": (2.1, 1.1)}),
    ((1, 1, 3, 4), {"scale_factor": (1.3, 2.2), "recompute_scale_factor": False}),
    ((1, 2, 2, 3, 4), {"size": (3, 5, 2), "mode": "trilinear"}),
    ((1, 1, 3, 2, 4), {"scale_factor": (1.5, 2, 0.6), "mode": "trilinear"}),
    ((2, 1, 3, 2, 4), {"size": (5, 3, 3), "mode": "trilinear", "align_corners": True}),
    ((1, 1, 3, 3, 3), {"scale_factor": 1.7, "mode": "trilinear", "recompute_scale_factor": True}),
]


@pytest.mark.parametrize("shape,kwargs", INTERPOLATE, ids=lambda v: str(v))
def test_interpolate_modes_values_and_gradients_as_pytorch(shape, kwargs):
    torch = _torch()
    values = RNG.normal(size=shape)
    (s_x,), (t_x,) = _pair(values)
    s_y, t_y = F.interpolate(s_x, **kwargs), torch.nn.functional.interpolate(t_x, **kwargs)
    assert tuple(s_y.shape) == tuple(t_y.shape)
    _close(s_y, t_y, rtol=1e-12, atol=1e-13)
    _backward_both(s_y, t_y)
    _close(s_x.grad, t_x.grad, rtol=1e-12, atol=1e-13)
    f32 = F.interpolate(symgrad.tensor(values, dtype=symgrad.float32), **kwargs)
    t32 = torch.nn.functional.interpolate(torch.tensor(values, dtype=torch.float32), **kwargs)
    assert f32.dtype == symgrad.float32
    np.testing.assert_allclose(f32.numpy(), t32.numpy(), rtol=2e-6, atol=2e-6)


@pytest.mark.parametrize("shape", [(1, 1, 3), (1, 1, 3, 3), (1, 1, 3, 3, 3)])
def test_nearest_keeps_or_doubles_the_length_as_pytorch_forward_does(shape):
    torch = _torch()
    values = RNG.normal(size=shape)
    for factor in (1.3, 2.1):  # lengths 3 -> 3 and 3 -> 6
        ours = F.interpolate(symgrad.tensor(values), scale_factor=factor)
        np.testing.assert_array_equal(ours.numpy(), torch.nn.functional.interpolate(
            torch.tensor(values), scale_factor=factor).numpy())


def test_bicubic_weights_are_keys_kernel_clamped_at_the_borders():
    x = symgrad.tensor([[[[1., 2., 3.]]]], name="x")
    y = F.interpolate(x, size=(1, 6), mode="bicubic")
    # the first output sits at -0.25: its four positions -2, -1, 0, 1 clamp to 0, 0, 0, 1
    assert str(y.expr[0, 0, 0, 0]) == "1.10546875*x[0, 0, 0, 0] - 0.10546875*x[0, 0, 0, 1]"
    weights = symgrad.nn.interpolation_weights.cubic_weights(7, 13, 0.5, False, np.dtype(np.float64))
    np.testing.assert_allclose(weights.sum(axis=1), 1.0)  # Keys' kernel sums to 1 at every offset
    assert F.interpolate(symgrad.ones(1, 1, 4, 4), size=4, mode="bicubic").equal(symgrad.ones(1, 1, 4, 4))


def test_area_is_adaptive_average_pooling():
    x = symgrad.tensor(RNG.normal(size=(1, 2, 5, 7)))
    assert F.interpolate(x, size=(2, 3), mode="area").equal(F.adaptive_avg_pool2d(x, (2, 3)))
    x3 = symgrad.tensor([[[1., 2., 3., 4.]]], name="x")
    assert str(F.interpolate(x3, scale_factor=0.5, mode="area").expr[0, 0, 1]) == "x[0, 0, 2]/2 + x[0, 0, 3]/2"
    torch = _torch()  # an empty output, as PyTorch's adaptive pooling gives
    assert tuple(F.interpolate(x3, scale_factor=0.1, mode="area").shape) == tuple(
        torch.nn.functional.interpolate(torch.zeros(1, 1, 4), scale_factor=0.1, mode="area").shape)


@pytest.mark.parametrize("shape,kwargs", [
    ((1, 1, 4), {"size": 3, "mode": "bicubic"}), ((1, 1, 4, 4, 4), {"size": 3, "mode": "bicubic"}),
    ((1, 1, 4, 4), {"size": 3, "mode": "trilinear"}), ((1, 1, 4, 4, 4), {"size": 3, "mode": "linear"}),
    ((1, 1, 4), {"size": 3, "mode": "area", "align_corners": True}),
    ((1, 1, 4), {"size": 3, "mode": "nearest-exact", "align_corners": False}),
    ((1, 1, 4), {"size": 3, "recompute_scale_factor": True}), ((1, 1, 4, 4), {"size": [3.0, 2], "mode": "bicubic"}),
    ((1, 1, 4, 4, 4), {"scale_factor": (2, 2), "mode": "trilinear"}),
    ((1, 1, 4), {"size": 3, "mode": "bicubic", "antialias": True}),
    ((1, 1, 4, 4, 4), {"size": 3, "mode": "lanczos"}),
])
def test_interpolate_mode_errors_as_pytorch(shape, kwargs):
    torch = _torch()
    assert _errors_alike(lambda: F.interpolate(symgrad.zeros(*shape), **kwargs),
                         lambda: torch.nn.functional.interpolate(torch.zeros(*shape), **kwargs))


def test_interpolate_refusals_name_the_way_out():
    with pytest.raises(NotImplementedError, match="all but lanczos"):
        F.interpolate(symgrad.zeros(1, 1, 4, 4), size=2, mode="lanczos")
    with pytest.raises(TypeError, match="scale_factor=2.5"):
        F.interpolate(symgrad.zeros(1, 1, 4), size=2.5)


@pytest.mark.parametrize("kwargs", [{"scale_factor": 2, "mode": "bicubic"}, {"size": (3, 5), "mode": "area"},
                                    {"scale_factor": 1.5, "mode": "nearest-exact"},
                                    {"size": (3, 4), "mode": "bicubic", "align_corners": True}])
def test_upsample_modes_as_pytorch(kwargs):
    torch = _torch()
    s_up, t_up = nn.Upsample(**kwargs), torch.nn.Upsample(**kwargs)
    assert repr(s_up) == repr(t_up)
    values = RNG.normal(size=(1, 2, 3, 2))
    np.testing.assert_allclose(s_up(symgrad.tensor(values)).numpy(), t_up(torch.tensor(values)).numpy(), rtol=1e-12)
    s3, t3 = nn.Upsample(scale_factor=(1, 2, 1.5), mode="trilinear"), torch.nn.Upsample(scale_factor=(1, 2, 1.5),
                                                                                         mode="trilinear")
    values = RNG.normal(size=(1, 1, 2, 3, 2))
    np.testing.assert_allclose(s3(symgrad.tensor(values)).numpy(), t3(torch.tensor(values)).numpy(), rtol=1e-12)


def test_adaptive_avg_pool3d_against_pytorch():
    torch = _torch()
    (s_x,), (t_x,) = _pair(RNG.normal(size=(2, 3, 5, 4, 7)))
    s_y = F.adaptive_avg_pool3d(s_x, (2, None, 3))
    t_y = torch.nn.functional.adaptive_avg_pool3d(t_x, (2, None, 3))
    _close(s_y, t_y)
    _backward_both(s_y, t_y)
    _close(s_x.grad, t_x.grad)


# ---------------------------------------------------------------- packed sequences: nn.utils.rnn

def _rnn_utils():
    return _torch().nn.utils.rnn


def _same_packed(ours, theirs):
    assert type(ours).__name__ == "PackedSequence" and ours._fields == theirs._fields
    _close(ours.data, theirs.data)
    assert ours.batch_sizes.dtype == symgrad.int64
    np.testing.assert_array_equal(ours.batch_sizes.numpy(), theirs.batch_sizes.numpy())
    for s, t in ((ours.sorted_indices, theirs.sorted_indices), (ours.unsorted_indices, theirs.unsorted_indices)):
        assert (s is None) == (t is None)
        if s is not None:
            np.testing.assert_array_equal(s.numpy(), t.numpy())


@pytest.mark.parametrize("lengths,batch_first,enforce_sorted", [
    ([4, 3, 3, 1], False, True), ([2, 4, 1, 4], False, False), ([3, 1, 3], True, False), ([4, 4], True, True),
    ([1, 1, 1], False, False), (np.array([2, 3]), False, False),
])
def test_pack_and_pad_packed_against_pytorch(lengths, batch_first, enforce_sorted):
    torch = _torch()
    utils = _rnn_utils()
    batch, steps = len(lengths), 4
    shape = (batch, steps, 2) if batch_first else (steps, batch, 2)
    (s_x,), (t_x,) = _pair(RNG.normal(size=shape))
    s_p = nn.utils.rnn.pack_padded_sequence(s_x, lengths, batch_first, enforce_sorted)
    t_p = utils.pack_padded_sequence(t_x, torch.as_tensor(lengths), batch_first, enforce_sorted)
    _same_packed(s_p, t_p)
    s_loss, t_loss = 0, 0
    for kw in ({}, {"padding_value": -2.5, "total_length": 6}, {"batch_first": not batch_first}):
        s_y, s_len = nn.utils.rnn.pad_packed_sequence(s_p, **kw)
        t_y, t_len = utils.pad_packed_sequence(t_p, **kw)
        _close(s_y, t_y)
        assert s_len.dtype == symgrad.int64 and s_len.tolist() == t_len.tolist()
        g = RNG.normal(size=tuple(t_y.shape))
        s_loss, t_loss = s_loss + (s_y * symgrad.tensor(g)).sum(), t_loss + (t_y * torch.tensor(g)).sum()
    s_loss.backward()
    t_loss.backward()
    _close(s_x.grad, t_x.grad)
    s_seqs, t_seqs = nn.utils.rnn.unpack_sequence(s_p), utils.unpack_sequence(t_p)
    assert len(s_seqs) == len(t_seqs)
    for s, t in zip(s_seqs, t_seqs):
        _close(s, t)


@pytest.mark.parametrize("kw", [{}, {"batch_first": True}, {"padding_value": 7.0, "padding_side": "left"},
                                {"batch_first": True, "padding_side": "left"}])
def test_pad_pack_and_unpad_sequence_against_pytorch(kw):
    torch = _torch()
    utils = _rnn_utils()
    arrays = [RNG.normal(size=(n, 2, 3)) for n in (2, 5, 1, 5)]
    ours, theirs = _pair(*arrays)
    s_y, t_y = nn.utils.rnn.pad_sequence(ours, **kw), utils.pad_sequence(theirs, **kw)
    _close(s_y, t_y)
    _backward_both(s_y, t_y)
    for s, t in zip(ours, theirs):
        _close(s.grad, t.grad)
    if kw.get("padding_side", "right") == "right":
        first = kw.get("batch_first", False)
        lengths = torch.tensor([2, 5, 1, 5])
        for s, t in zip(nn.utils.rnn.unpad_sequence(s_y, lengths.tolist(), first),
                        utils.unpad_sequence(t_y, lengths, first)):
            _close(s, t)
    for enforce_sorted in (False,):
        _same_packed(nn.utils.rnn.pack_sequence(ours, enforce_sorted), utils.pack_sequence(theirs, enforce_sorted))
    sorted_ours, sorted_theirs = [ours[1], ours[0], ours[2]], [theirs[1], theirs[0], theirs[2]]
    _same_packed(nn.utils.rnn.pack_sequence(sorted_ours), utils.pack_sequence(sorted_theirs))
    # a stacked tensor is read as its sequences
    stacked = RNG.normal(size=(3, 4))
    _close(nn.utils.rnn.pad_sequence(symgrad.tensor(stacked)), utils.pad_sequence(torch.tensor(stacked)))


@pytest.mark.parametrize("call", [
    lambda M, R: R.pack_padded_sequence(M.zeros(3, 4, 1), [2, 3, 2, 1]),
    lambda M, R: R.pack_padded_sequence(M.zeros(3, 4, 1), [3, 2, 1]),
    lambda M, R: R.pack_padded_sequence(M.zeros(3, 4, 1), [3, 3, 2, 0], enforce_sorted=False),
    lambda M, R: R.pack_padded_sequence(M.zeros(3, 4, 1), M.tensor([[3, 3], [2, 1]])),
    lambda M, R: R.pack_padded_sequence(M.zeros(3), [3]),
    lambda M, R: R.pad_packed_sequence(R.pack_padded_sequence(M.zeros(3, 2), [3, 1]), total_length=2),
    lambda M, R: R.pad_sequence([M.zeros(2, 3), M.zeros(3, 2)]),
    lambda M, R: R.pad_sequence([]),
    lambda M, R: R.pad_sequence([M.zeros(2), M.zeros(1)], padding_side="middle"),
    lambda M, R: R.pack_sequence([M.zeros(2, 3), M.zeros(3, 3)]),
])
def test_packing_errors_as_pytorch(call):
    torch = _torch()
    assert _errors_alike(lambda: call(symgrad, nn.utils.rnn), lambda: call(torch, torch.nn.utils.rnn))


def test_packing_refuses_what_pytorch_gets_wrong_silently():
    with pytest.raises(RuntimeError, match="more than the input's 3 time steps"):
        nn.utils.rnn.pack_padded_sequence(symgrad.zeros(3, 2), [4, 1])  # PyTorch reads past the input
    with pytest.raises(TypeError, match="whole numbers"):
        nn.utils.rnn.pack_padded_sequence(symgrad.zeros(3, 2), [2.5, 1])  # PyTorch truncates to 2
    with pytest.raises(TypeError, match="symgrad PackedSequence"):
        nn.utils.rnn.pad_packed_sequence((symgrad.zeros(3), symgrad.tensor([2, 1])))
    with pytest.raises(ValueError, match="non-increasing"):
        nn.utils.rnn.PackedSequence(symgrad.zeros(3), [1, 2])


def test_packed_sequence_is_a_named_tuple_as_pytorch():
    data = symgrad.tensor([1., 2., 3.])
    packed = nn.utils.rnn.PackedSequence(data, symgrad.tensor([2, 1]), symgrad.tensor([1, 0]))
    assert packed.unsorted_indices.tolist() == [1, 0]
    assert packed.data is data and packed[1].tolist() == [2, 1] and len(packed) == 4
    assert nn.utils.rnn.PackedSequence((data, [2, 1])).batch_sizes.tolist() == [2, 1]
    as_float = packed.float()
    assert isinstance(as_float, nn.utils.rnn.PackedSequence) and as_float.data.dtype == symgrad.float32
    assert as_float.sorted_indices is packed.sorted_indices and not packed.is_cuda
    assert packed.to(symgrad.float64) is packed
    torch = _torch()
    theirs = torch.nn.utils.rnn.PackedSequence(torch.tensor([1., 2., 3.]), torch.tensor([2, 1]), torch.tensor([1, 0]))
    assert repr(packed) == repr(theirs)


# ---------------------------------------------------------------- packed sequences through RNN, LSTM, GRU

PACKED_LAYERS = [
    ("RNN", {}, [3, 4, 1], True), ("RNN", {"nonlinearity": "relu", "num_layers": 2}, [2, 4, 4], False),
    ("LSTM", {}, [1, 3, 2], False), ("LSTM", {"bidirectional": True, "num_layers": 2, "proj_size": 2}, [4, 2, 2], True),
    ("GRU", {"bidirectional": True}, [2, 1, 4], False), ("GRU", {"num_layers": 2, "batch_first": True}, [4, 3, 1], True),
]


@pytest.mark.parametrize("mode,options,lengths,with_hx", PACKED_LAYERS)
def test_recurrent_layers_on_packed_sequences_against_pytorch(mode, options, lengths, with_hx):
    torch = _torch()
    utils = _rnn_utils()
    theirs = getattr(torch.nn, mode)(2, 3, **options).double()
    ours = getattr(nn, mode)(2, 3, **options)
    _load_torch_weights(ours, theirs)
    first = options.get("batch_first", False)
    shape = (len(lengths), 4, 2) if first else (4, len(lengths), 2)
    arrays = [RNG.normal(size=shape)]
    layers = options.get("num_layers", 1) * (2 if options.get("bidirectional") else 1)
    h_size = options.get("proj_size", 0) or 3
    if with_hx:
        arrays.append(RNG.normal(size=(layers, len(lengths), h_size)))
        if mode == "LSTM":
            arrays.append(RNG.normal(size=(layers, len(lengths), 3)))
    ours_in, theirs_in = _pair(*arrays)
    sorted_lengths = sorted(lengths, reverse=True) == lengths
    s_p = nn.utils.rnn.pack_padded_sequence(ours_in[0], lengths, first, enforce_sorted=sorted_lengths)
    t_p = utils.pack_padded_sequence(theirs_in[0], lengths, first, enforce_sorted=sorted_lengths)

    def hx(inputs):
        return None if not with_hx else tuple(inputs[1:]) if mode == "LSTM" else inputs[1]
    (s_out, s_h), (t_out, t_h) = ours(s_p, hx(ours_in)), theirs(t_p, hx(theirs_in))
    _same_packed(s_out, t_out)
    s_states, t_states = (s_h, t_h) if mode == "LSTM" else ((s_h,), (t_h,))
    for s, t in zip(s_states, t_states):
        _close(s, t)
    g = [RNG.normal(size=tuple(t.shape)) for t in (t_out.data, *t_states)]
    sum((s * symgrad.tensor(w)).sum() for s, w in zip((s_out.data, *s_states), g)).backward()
    sum((t * torch.tensor(w)).sum() for t, w in zip((t_out.data, *t_states), g)).backward()
    for s, t in zip(ours_in, theirs_in):
        _close(s.grad, t.grad)
    for (name, s), (their_name, t) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == their_name
        _close(s.grad, t.grad)
    padded, out_lengths = nn.utils.rnn.pad_packed_sequence(s_out, batch_first=first)
    assert out_lengths.tolist() == list(lengths)


def test_packed_final_state_is_each_sequence_alone():
    """A short sequence's h_n in a packed batch is its h_n run alone (the padding is never read)."""
    rnn = nn.RNN(1, 1, bias=False)
    x = symgrad.tensor([[[1.], [4.]], [[2.], [0.]], [[3.], [0.]]], name="x")
    _, h_n = rnn(nn.utils.rnn.pack_padded_sequence(x, [3, 1]))
    _, alone = rnn(x[:1, 1])
    assert str(h_n.expr[0, 1, 0]) == str(alone.expr[0, 0]) == "tanh(weight_ih_l0[0, 0]*x[0, 1, 0])"
    reverse = nn.GRU(1, 1, bidirectional=True)
    out, _ = reverse(nn.utils.rnn.pack_padded_sequence(x, [3, 1]))
    padded, _ = nn.utils.rnn.pad_packed_sequence(out)
    _, alone_h = reverse(x[:1, 1])
    np.testing.assert_allclose(padded[0, 1].detach().numpy(), alone_h.detach().numpy()[[0, 1], 0].ravel())


def test_packed_input_errors():
    lstm = nn.LSTM(2, 3)
    packed = nn.utils.rnn.pack_sequence([symgrad.zeros(3, 2), symgrad.zeros(1, 2)])
    with pytest.raises(RuntimeError, match=r"Expected hidden\[0\] size \(1, 2, 3\)"):
        lstm(packed, (symgrad.zeros(1, 3, 3), symgrad.zeros(1, 3, 3)))
    with pytest.raises(RuntimeError, match="input_size. Expected 4, got 2"):
        nn.GRU(4, 3)(packed)
    with pytest.raises(TypeError, match="run the whole sequence"):
        nn.LSTMCell(2, 3)(packed)
    torch = _torch()
    with pytest.raises(TypeError, match="pack_padded_sequence"):
        lstm(torch.nn.utils.rnn.pack_sequence([torch.zeros(3, 2)]))
