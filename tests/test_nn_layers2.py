"""Instance normalisation, transposed convolutions, ``fold`` and
``MultiheadAttention``: PyTorch's outputs and gradients (from PyTorch's
weights, loaded with ``load_state_dict``), reprs, state_dict keys,
initialisation and errors, and closed forms on tiny cases."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import symgrad
import symgrad.nn.functional as F  # noqa: N812 - PyTorch's convention
from symgrad import nn

RNG = np.random.default_rng(7)
TOL = dict(rtol=1e-10, atol=1e-12)


def _close(ours, theirs):
    """symgrad's tensor against PyTorch's (nan where PyTorch has nan)."""
    np.testing.assert_allclose(np.asarray(ours.detach().numpy()), theirs.detach().numpy(), **TOL)


def _pair(*arrays):
    """The same float64 leaves in symgrad and in PyTorch."""
    torch = pytest.importorskip("torch")
    ours = [symgrad.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    return ours, theirs


def _backward_both(ours, theirs):
    """Backpropagate the same random cotangent through both outputs."""
    import torch

    g = RNG.standard_normal(tuple(theirs.shape))
    (ours * symgrad.tensor(g)).sum().backward()
    (theirs * torch.tensor(g)).sum().backward()


def _load_torch_weights(ours, theirs):
    """PyTorch's state dict, as NumPy arrays, into symgrad's module (strict)."""
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


def _randomise(module):
    import torch

    with torch.no_grad():
        for p in module.parameters():
            p.normal_()


# ---------------------------------------------------------------- instance norm

INSTANCE_OPTIONS = [{}, {"affine": True}, {"affine": True, "track_running_stats": True},
                    {"track_running_stats": True, "momentum": None}, {"affine": True, "bias": False},
                    {"track_running_stats": True, "eps": 0.1, "momentum": 0.3}]


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("options", INSTANCE_OPTIONS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()) or "default")
def test_instance_norm_modules_against_pytorch(dims, options):
    torch = pytest.importorskip("torch")
    theirs = getattr(torch.nn, f"InstanceNorm{dims}d")(3, **options).double()
    ours = getattr(nn, f"InstanceNorm{dims}d")(3, **options)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    _randomise(theirs)
    _load_torch_weights(ours, theirs)
    full = (2, 3, 5, 4, 3)[:2 + dims]
    # training, evaluation, training again; batched and unbatched
    for training, shape in [(True, full), (False, full), (True, full[1:]), (False, full[1:]), (True, full)]:
        theirs.train(training)
        ours.train(training)
        x = RNG.standard_normal(shape) * 3 + 1
        (s_x,), (t_x,) = _pair(x)
        s_y, t_y = ours(s_x), theirs(t_x)
        _close(s_y, t_y)
        _backward_both(s_y, t_y)
        _close(s_x.grad, t_x.grad)
        for name, p in theirs.named_parameters():
            _close(ours.get_parameter(name).grad, p.grad)
        for name, b in theirs.named_buffers():
            np.testing.assert_allclose(dict(ours.named_buffers())[name].numpy(), b.numpy(), **TOL)
        theirs.zero_grad()
        ours.zero_grad()


def test_functional_instance_norm_against_pytorch():
    torch = pytest.importorskip("torch")
    x, w, b = RNG.standard_normal((2, 3, 4, 2)), RNG.standard_normal(3), RNG.standard_normal(3)
    mean, var = RNG.standard_normal(3), RNG.random(3) + 0.5
    for use_input_stats in (True, False):
        (s_x, s_w, s_b), (t_x, t_w, t_b) = _pair(x, w, b)
        s_stats = [symgrad.tensor(mean), symgrad.tensor(var)]
        t_stats = [torch.tensor(mean), torch.tensor(var)]
        s_y = F.instance_norm(s_x, *s_stats, s_w, s_b, use_input_stats, 0.2, 1e-3)
        t_y = torch.nn.functional.instance_norm(t_x, *t_stats, t_w, t_b, use_input_stats, 0.2, 1e-3)
        _close(s_y, t_y)
        _backward_both(s_y, t_y)
        for s, t in [(s_x, t_x), (s_w, t_w), (s_b, t_b), *zip(s_stats, t_stats)]:
            _close(s.grad if s.requires_grad else s, t.grad if t.requires_grad else t)


def test_instance_norm_closed_form_of_one_channel():
    x = symgrad.tensor([[[1., 2., 4.]]], name="x")
    y = F.instance_norm(x)
    e = y.expr[0, 0, 0]
    symbols = sorted(e.free_symbols, key=str)
    assert [str(s) for s in symbols] == ["x[0, 0, 0]", "x[0, 0, 1]", "x[0, 0, 2]"]
    value = float(e.subs(dict(zip(symbols, [1., 2., 4.]))))
    mean, var = 7 / 3, ((1 - 7 / 3) ** 2 + (2 - 7 / 3) ** 2 + (4 - 7 / 3) ** 2) / 3
    assert value == pytest.approx((1 - mean) / math.sqrt(var + 1e-5), rel=1e-12)
    assert value == pytest.approx(y[0, 0, 0].item(), rel=1e-12)
    # the derivative of the closed form is the gradient backward computes
    xs = symgrad.tensor([[[1., 2., 4.]]], requires_grad=True)
    F.instance_norm(xs)[0, 0, 0].backward()
    d = float(e.diff(symbols[1]).subs(dict(zip(symbols, [1., 2., 4.]))))
    assert d == pytest.approx(xs.grad[0, 0, 1].item(), rel=1e-10)


def test_instance_norm_errors():
    with pytest.raises(ValueError, match="Expected more than 1 spatial element when training"):
        F.instance_norm(symgrad.ones(2, 3))
    with pytest.raises(RuntimeError, match="Expected running_mean and running_var to be defined"):
        F.instance_norm(symgrad.ones(2, 3, 4), use_input_stats=False)
    with pytest.raises(RuntimeError, match="weight should contain 3 elements"):
        F.instance_norm(symgrad.ones(2, 3, 4), weight=symgrad.ones(2))
    with pytest.raises(ValueError, match="must either both be None or neither"):
        F.instance_norm(symgrad.ones(2, 3, 4), running_mean=symgrad.zeros(3))
    with pytest.raises(NotImplementedError, match="not implemented for 'Long'.*double"):
        F.instance_norm(symgrad.ones(2, 3, 4, dtype=symgrad.int64))
    with pytest.raises(TypeError, match="symgrad Tensor"):
        F.instance_norm(np.ones((2, 3, 4)))
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        nn.InstanceNorm1d(3)(symgrad.ones(2, 3, 4, 5))
    with pytest.raises(ValueError, match=r"expected 3D or 4D input \(got 2D input\)"):
        nn.InstanceNorm2d(3)(symgrad.ones(2, 3))
    with pytest.raises(ValueError, match=r"size at dim=1 to match num_features \(3\), but got: 4"):
        nn.InstanceNorm1d(3, affine=True)(symgrad.ones(2, 4, 5))
    with pytest.warns(UserWarning, match="does not match num_features"):
        nn.InstanceNorm1d(3)(symgrad.ones(2, 4, 5))


def test_instance_norm_evaluation_without_running_stats_uses_each_instance():
    norm = nn.InstanceNorm1d(1).eval()
    out = norm(symgrad.tensor([[[1., 3.]]]))
    assert out.reshape(-1).tolist() == pytest.approx([-1.0, 1.0], rel=1e-4)


# ---------------------------------------------------------------- transposed convolutions

TRANSPOSED = [
    (1, (2, 4, 5), (4, 3, 3), {}),
    (1, (2, 4, 5), (4, 1, 3), {"stride": 3, "padding": 2, "output_padding": 1, "groups": 4, "dilation": 2}),
    (1, (4, 5), (4, 2, 2), {"stride": 2, "output_padding": 1}),
    (2, (2, 4, 3, 5), (4, 3, 3, 2), {"stride": (2, 3), "padding": (1, 2), "output_padding": (1, 0), "groups": 2,
                                      "dilation": (2, 1)}),
    (2, (4, 3, 5), (4, 3, 3, 2), {}),
    (2, (1, 2, 4, 4), (2, 2, 3, 3), {"stride": 2, "padding": 1, "output_padding": 1}),
    (2, (1, 2, 3, 3), (2, 1, 1, 1), {"stride": 2, "padding": 1}),
]


@pytest.mark.parametrize("dims, x_shape, w_shape, kw", TRANSPOSED)
@pytest.mark.parametrize("with_bias", [True, False])
def test_functional_conv_transpose_against_pytorch(dims, x_shape, w_shape, kw, with_bias):
    torch = pytest.importorskip("torch")
    groups = kw.get("groups", 1)
    arrays = [RNG.standard_normal(x_shape), RNG.standard_normal(w_shape)]
    if with_bias:
        arrays.append(RNG.standard_normal(w_shape[1] * groups))
    ours, theirs = _pair(*arrays)
    s_y = getattr(F, f"conv_transpose{dims}d")(*ours, **kw)
    t_y = getattr(torch.nn.functional, f"conv_transpose{dims}d")(*theirs, **kw)
    assert s_y.shape == t_y.shape
    _close(s_y, t_y)
    _backward_both(s_y, t_y)
    for s, t in zip(ours, theirs):
        _close(s.grad, t.grad)


@pytest.mark.parametrize("dims", [1, 2])
def test_conv_transpose_modules_against_pytorch(dims):
    torch = pytest.importorskip("torch")
    args = dict(in_channels=4, out_channels=6, kernel_size=3, stride=2, padding=1, output_padding=1, groups=2)
    theirs = getattr(torch.nn, f"ConvTranspose{dims}d")(**args).double()
    ours = getattr(nn, f"ConvTranspose{dims}d")(**args)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == ["weight", "bias"]
    assert ours.weight.shape == theirs.weight.shape
    _load_torch_weights(ours, theirs)
    x = RNG.standard_normal((2, 4) + (5,) * dims)
    for output_size in (None, [10] * dims, [2, 6] + [9] * dims):
        (s_x,), (t_x,) = _pair(x)
        s_y, t_y = ours(s_x, output_size=output_size), theirs(t_x, output_size=output_size)
        _close(s_y, t_y)
        _backward_both(s_y, t_y)
        _close(s_x.grad, t_x.grad)
        _close(ours.weight.grad, theirs.weight.grad)
        _close(ours.bias.grad, theirs.bias.grad)
        ours.zero_grad()
        theirs.zero_grad()


def test_conv_transpose_reprs_and_initialisation():
    torch = pytest.importorskip("torch")
    for args, kw in [((2, 4, 3), {"stride": 2, "output_padding": 1, "groups": 2, "dilation": 2, "bias": False}),
                     ((2, 4, (2, 3)), {"padding": (1, 0)})]:
        assert repr(nn.ConvTranspose2d(*args, **kw)) == repr(torch.nn.ConvTranspose2d(*args, **kw))
    assert repr(nn.ConvTranspose1d(2, 4, 3)) == repr(torch.nn.ConvTranspose1d(2, 4, 3))
    # PyTorch's scheme: fan_in from the weight's dim 1 (out_channels/groups) times the kernel
    symgrad.manual_seed(0)
    layer = nn.ConvTranspose2d(4, 6, 3, groups=2)
    bound = 1 / math.sqrt(3 * 9)
    assert layer.weight.shape == (4, 3, 3, 3)
    assert 0.5 * bound < float(layer.weight.abs().max()) <= bound
    assert 0.5 * bound < float(layer.bias.abs().max()) <= bound


def test_conv_transpose_is_the_gradient_of_conv():
    """``conv_transpose2d(g, w)`` is the gradient of ``conv2d(x, w)`` in ``x`` for the cotangent ``g``."""
    x = symgrad.tensor(RNG.standard_normal((1, 2, 7, 6)), requires_grad=True)
    w = symgrad.tensor(RNG.standard_normal((3, 2, 3, 2)))
    y = F.conv2d(x, w, stride=2, padding=1, dilation=(1, 2))
    g = symgrad.tensor(RNG.standard_normal(tuple(y.shape)))
    (y * g).sum().backward()
    back = F.conv_transpose2d(g, w, stride=2, padding=1, output_padding=(0, 1), dilation=(1, 2))
    np.testing.assert_allclose(back.numpy(), x.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_conv_transpose_closed_form():
    x = symgrad.tensor([[[1., 2.]]], name="x")
    w = symgrad.tensor([[[1., 10.]]], name="w")
    y = F.conv_transpose1d(x, w, stride=1)
    assert str(y.expr[0, 0, 1]) == "w[0, 0, 0]*x[0, 0, 1] + w[0, 0, 1]*x[0, 0, 0]"
    assert y.tolist() == [[[1., 12., 20.]]]
    # strided: no overlap, so each output is one product
    assert str(F.conv_transpose1d(x, w, stride=2).expr[0, 0, 2]) == "w[0, 0, 0]*x[0, 0, 1]"


def test_conv_transpose_same_padding_fails_in_pytorch_only_when_called():
    torch = pytest.importorskip("torch")
    layer = torch.nn.ConvTranspose1d(4, 3, 3, padding="same")
    with pytest.raises(TypeError, match="padding"):
        layer(torch.ones(1, 4, 5))


def test_conv_transpose_errors():
    w = symgrad.ones(4, 3, 3, 3)
    with pytest.raises(RuntimeError, match="output padding must be smaller than either stride or dilation"):
        F.conv_transpose2d(symgrad.ones(1, 4, 5, 5), w, stride=2, output_padding=2)
    with pytest.raises(RuntimeError, match=r"expected input\[1, 3, 5, 5\] to have 4 channels"):
        F.conv_transpose2d(symgrad.ones(1, 3, 5, 5), w)
    with pytest.raises(RuntimeError, match="expected weight to be divisible by 3 at dimension 0"):
        F.conv_transpose2d(symgrad.ones(1, 4, 5, 5), w, groups=3)
    with pytest.raises(RuntimeError, match="expected bias to be 1-dimensional with 6 elements"):
        F.conv_transpose2d(symgrad.ones(1, 4, 5, 5), w, groups=2, bias=symgrad.ones(3))
    with pytest.raises(RuntimeError, match="Output size is too small"):
        F.conv_transpose2d(symgrad.ones(1, 4, 1, 1), w, padding=2)
    with pytest.raises(RuntimeError, match="negative padding is not supported"):
        F.conv_transpose2d(symgrad.ones(1, 4, 5, 5), w, padding=-1)
    with pytest.raises(RuntimeError, match=r"Expected 3D \(unbatched\) or 4D \(batched\) input to conv_transpose2d"):
        F.conv_transpose2d(symgrad.ones(4, 5), w)
    with pytest.raises(RuntimeError, match="non-positive stride"):
        F.conv_transpose2d(symgrad.ones(1, 4, 5, 5), w, stride=0)
    with pytest.raises(TypeError, match="'padding' must be tuple of ints, not str"):
        F.conv_transpose2d(symgrad.ones(1, 4, 5, 5), w, padding="same")
    with pytest.raises(ValueError, match='Only "zeros" padding mode is supported for ConvTranspose2d'):
        nn.ConvTranspose2d(4, 3, 3, padding_mode="reflect")
    # (docs/pytorch.md: PyTorch builds the layer and fails when it is called; symgrad refuses it at once)
    with pytest.raises(ValueError, match="padding must be an int or a tuple of ints"):
        nn.ConvTranspose1d(4, 3, 3, padding="same")
    layer = nn.ConvTranspose2d(4, 3, 3, stride=2)
    with pytest.raises(ValueError, match=r"valid sizes range from \[11, 11\] to \[12, 12\]"):
        layer(symgrad.ones(1, 4, 5, 5), output_size=(20, 20))
    with pytest.raises(ValueError, match="output_size must have 2 or 4 elements"):
        layer(symgrad.ones(1, 4, 5, 5), output_size=(3, 12, 12))


# ---------------------------------------------------------------- fold

FOLDS = [((2, 12, 9), dict(output_size=(4, 4), kernel_size=2)),
         ((12, 6), dict(output_size=(5, 4), kernel_size=(2, 3), stride=(2, 1), padding=(1, 0))),
         ((1, 8, 6), dict(output_size=(4, 5), kernel_size=2, dilation=2, padding=1, stride=2)),
         ((1, 4, 4), dict(output_size=3, kernel_size=2))]


@pytest.mark.parametrize("shape, kw", FOLDS)
def test_fold_against_pytorch(shape, kw):
    torch = pytest.importorskip("torch")
    (s_x,), (t_x,) = _pair(RNG.standard_normal(shape))
    s_y, t_y = F.fold(s_x, **kw), torch.nn.functional.fold(t_x, **kw)
    _close(s_y, t_y)
    _backward_both(s_y, t_y)
    _close(s_x.grad, t_x.grad)
    module, theirs = nn.Fold(**kw), torch.nn.Fold(**kw)
    assert repr(module) == repr(theirs)
    _close(module(s_x), theirs(t_x))


def test_fold_inverts_unfold_up_to_the_overlap_count():
    x = symgrad.tensor(RNG.standard_normal((1, 2, 4, 5)))
    again = F.fold(F.unfold(x, 2, padding=1), (4, 5), 2, padding=1)
    counts = F.fold(F.unfold(symgrad.ones(1, 2, 4, 5), 2, padding=1), (4, 5), 2, padding=1)
    np.testing.assert_allclose(again.numpy(), (x * counts).numpy(), rtol=1e-12)
    assert nn.Unfold(2)(x).shape == (1, 8, 12)
    assert nn.Fold((4, 5), 2)(nn.Unfold(2)(x)).shape == (1, 2, 4, 5)


def test_fold_closed_form():
    cols = symgrad.tensor([[[1., 2.], [3., 4.]]], name="c")
    y = F.fold(cols, (1, 3), (1, 2))
    assert y.tolist() == [[[[1., 5., 4.]]]]
    assert str(y.expr[0, 0, 0, 1]) == "c[0, 0, 1] + c[0, 1, 0]"


def test_fold_errors():
    with pytest.raises(RuntimeError, match=r"calculated number of sliding blocks 3 \* 3 = 9, but got input.size\(2\)=8"):
        F.fold(symgrad.ones(1, 12, 8), (4, 4), 2)
    with pytest.raises(RuntimeError, match=r"divisible by the product of kernel_size, but got input.size\(1\)=11"):
        F.fold(symgrad.ones(1, 11, 9), (4, 4), 2)
    with pytest.raises(RuntimeError, match="Expected 2D or 3D"):
        F.fold(symgrad.ones(2, 1, 12, 9), (4, 4), 2)
    with pytest.raises(RuntimeError, match="output_size equals to 2, but got size 3"):
        F.fold(symgrad.ones(1, 12, 9), (4, 4, 4), 2)
    with pytest.raises(RuntimeError, match="kernel size should be greater than zero"):
        F.fold(symgrad.ones(1, 12, 9), (4, 4), 0)
    with pytest.raises(RuntimeError, match="padding should be non-negative"):
        F.fold(symgrad.ones(1, 12, 9), (4, 4), 2, padding=-1)
    with pytest.raises(RuntimeError, match="stride should be greater than zero"):
        F.fold(symgrad.ones(1, 12, 9), (4, 4), 2, stride=0)


# ---------------------------------------------------------------- multi-head attention

def _padding(source):
    """A key padding mask of a batch of two, leaving every query something to attend to."""
    return np.array([[False] * (source - 1) + [True], [True] + [False] * (source - 1)])


MHA_CASES = [
    ("plain", {}, lambda L, S: {}),
    ("batch_first", {"batch_first": True}, lambda L, S: {}),
    ("batch_first_no_weights", {"batch_first": True}, lambda L, S: {"need_weights": False}),
    ("per_head_weights", {}, lambda L, S: {"average_attn_weights": False}),
    ("kdim_vdim", {"kdim": 3, "vdim": 5}, lambda L, S: {}),
    ("no_bias_one_head", {"bias": False, "num_heads": 1}, lambda L, S: {}),
    ("bool_attn_mask", {}, lambda L, S: {"attn_mask": np.triu(np.ones((L, S), bool), 1)}),
    ("float_attn_mask", {}, lambda L, S: {"attn_mask": RNG.standard_normal((L, S))}),
    ("per_head_attn_mask", {}, lambda L, S: {"attn_mask": RNG.standard_normal((4, L, S))}),
    ("key_padding_mask", {}, lambda L, S: {"key_padding_mask": _padding(S)}),
    ("key_padding_mask_no_weights", {}, lambda L, S: {"key_padding_mask": _padding(S), "need_weights": False}),
    ("both_masks", {}, lambda L, S: {"key_padding_mask": _padding(S),
                                     "attn_mask": np.tril(np.ones((L, S), bool), -2)}),
    ("causal_hint", {}, lambda L, S: {"attn_mask": np.triu(np.ones((L, S), bool), 1), "is_causal": True,
                                      "need_weights": False}),
    ("add_bias_kv", {"add_bias_kv": True}, lambda L, S: {}),
    ("add_zero_attn", {"add_zero_attn": True}, lambda L, S: {"key_padding_mask": _padding(S)}),
    ("bias_kv_zero_attn_mask", {"add_bias_kv": True, "add_zero_attn": True},
     lambda L, S: {"attn_mask": RNG.standard_normal((L, S))}),
]


def _attention_pair(options):
    torch = pytest.importorskip("torch")
    kw = {"embed_dim": 4, "num_heads": 2, **options}
    theirs = torch.nn.MultiheadAttention(**kw).double()
    ours = nn.MultiheadAttention(**kw)
    _randomise(theirs)
    _load_torch_weights(ours, theirs)
    return ours, theirs


# (self-attention needs kdim = vdim = embed_dim)
MHA_RUNS = [(*case, batched, self_attention) for case in MHA_CASES for batched in (True, False)
            for self_attention in (False, True) if not (self_attention and "kdim" in case[1])]


@pytest.mark.parametrize("name, options, call, batched, self_attention", MHA_RUNS,
                         ids=[f"{r[0]}-{'batched' if r[3] else 'unbatched'}-{'self' if r[4] else 'cross'}"
                              for r in MHA_RUNS])
def test_multihead_attention_against_pytorch(name, options, call, batched, self_attention):
    torch = pytest.importorskip("torch")
    target, source = 3, 3 if self_attention else 4
    args = call(target, source)
    if not batched and getattr(args.get("attn_mask"), "ndim", 2) == 3:
        args["attn_mask"] = args["attn_mask"][:2]  # unbatched: one mask per head, (heads, L, S)
    ours, theirs = _attention_pair(options)
    embed, kdim, vdim = 4, options.get("kdim", 4), options.get("vdim", 4)

    def shape(length, features):
        if not batched:
            return (length, features)
        return (2, length, features) if options.get("batch_first") else (length, 2, features)

    q = RNG.standard_normal(shape(target, embed))
    arrays = [q] if self_attention else [q, RNG.standard_normal(shape(source, kdim)),
                                         RNG.standard_normal(shape(source, vdim))]
    s_in, t_in = _pair(*arrays)
    # self-attention passes one tensor three times (PyTorch's packed-projection path)
    s_qkv, t_qkv = ([s_in[0]] * 3, [t_in[0]] * 3) if self_attention else (s_in, t_in)
    s_args = {k: symgrad.tensor(v) if isinstance(v, np.ndarray) else v for k, v in args.items()}
    t_args = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in args.items()}
    if not batched and "key_padding_mask" in args:
        s_args["key_padding_mask"], t_args["key_padding_mask"] = s_args["key_padding_mask"][0], \
            t_args["key_padding_mask"][0]
    s_out, s_w = ours(*s_qkv, **s_args)
    t_out, t_w = theirs(*t_qkv, **t_args)
    _close(s_out, t_out)
    assert (s_w is None) == (t_w is None)
    s_loss = (s_out * symgrad.tensor(g := RNG.standard_normal(tuple(t_out.shape)))).sum()
    t_loss = (t_out * torch.tensor(g)).sum()
    if t_w is not None:
        _close(s_w, t_w)
        gw = RNG.standard_normal(tuple(t_w.shape))
        s_loss, t_loss = s_loss + (s_w * symgrad.tensor(gw)).sum(), t_loss + (t_w * torch.tensor(gw)).sum()
    s_loss.backward()
    t_loss.backward()
    for s, t in zip(s_in, t_in):
        _close(s.grad, t.grad)
    for name_, p in theirs.named_parameters():
        _close(ours.get_parameter(name_).grad, p.grad)


def test_multihead_attention_parameters_state_dict_and_repr():
    torch = pytest.importorskip("torch")
    for kw in [{}, {"kdim": 3, "vdim": 5}, {"add_bias_kv": True}, {"bias": False}]:
        ours, theirs = nn.MultiheadAttention(4, 2, **kw), torch.nn.MultiheadAttention(4, 2, **kw)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
        assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == \
            {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
        assert repr(ours) == repr(theirs)
    # PyTorch's initialisation: Glorot uniform projections, zero biases
    symgrad.manual_seed(0)
    layer = nn.MultiheadAttention(4, 2)
    assert float(layer.in_proj_weight.abs().max()) <= math.sqrt(6 / (4 + 12))
    assert layer.in_proj_bias.tolist() == [0.0] * 12 and layer.out_proj.bias.tolist() == [0.0] * 4
    assert (layer.q_proj_weight, layer.bias_k, layer.head_dim) == (None, None, 2)


def test_multihead_attention_weights_closed_form():
    """One head of one feature: the weights are a softmax of products of the parameters' symbols."""
    attn = nn.MultiheadAttention(1, 1, bias=False)
    x = symgrad.tensor([[1.], [2.]], name="x")   # unbatched (L=2, E=1)
    out, weights = attn(x, x, x)
    e = weights.expr[0, 1]
    names = {str(s) for s in e.free_symbols}
    assert names == {"in_proj_weight[0, 0]", "in_proj_weight[1, 0]", "x[0, 0]", "x[1, 0]"}
    w = attn.in_proj_weight
    values = {w.symbol[i, 0]: w[i, 0].item() for i in range(3)} | {x.symbol[i, 0]: i + 1.0 for i in range(2)}
    assert float(e.subs(values)) == pytest.approx(weights[0, 1].item(), rel=1e-12)


def test_multihead_attention_errors():
    with pytest.raises(ValueError, match="embed_dim and num_heads must be greater than 0"):
        nn.MultiheadAttention(0, 1)
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        nn.MultiheadAttention(5, 2)
    with pytest.raises(TypeError, match="embed_dim must be an int"):
        nn.MultiheadAttention(4.0, 2)
    attn = nn.MultiheadAttention(4, 2)
    x = symgrad.ones(3, 2, 4)
    with pytest.raises(AssertionError, match="query should be unbatched 2D or batched 3D"):
        attn(symgrad.ones(4), x, x)
    with pytest.raises(AssertionError, match="expected `key` and `value` to be 3-D"):
        attn(x, symgrad.ones(3, 4), x)
    with pytest.raises(AssertionError, match="was expecting embedding dimension of 4, but got 3"):
        attn(symgrad.ones(3, 2, 3), symgrad.ones(3, 2, 3), symgrad.ones(3, 2, 3))
    with pytest.raises(RuntimeError, match=r"The shape of the 2D attn_mask is .*\(3, 3\)"):
        attn(x, x, x, attn_mask=symgrad.zeros(2, 3))
    with pytest.raises(AssertionError, match="only bool and floating types of attn_mask"):
        attn(x, x, x, attn_mask=symgrad.zeros(3, 3, dtype=symgrad.int64))
    with pytest.raises(AssertionError, match=r"Expected key_padded_mask.shape\[1\] to be 3, but got 2"):
        attn(x, x, x, key_padding_mask=symgrad.zeros(2, 2, dtype=symgrad.bool))
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        attn(x, x, x, is_causal=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning, match="mismatched key_padding_mask and attn_mask"):
            attn(x, x, x, key_padding_mask=symgrad.zeros(2, 3, dtype=symgrad.bool), attn_mask=symgrad.zeros(3, 3))


# ---------------------------------------------------------------- 3-d convolution

@pytest.mark.parametrize("kw", [{}, {"stride": (1, 2, 1), "padding": (1, 0, 2), "dilation": (2, 1, 1), "groups": 2},
                                {"padding": "same", "dilation": (1, 2, 1)}])
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")  # (PyTorch's, about its own kernel)
def test_functional_conv3d_against_pytorch(kw, batched):
    torch = pytest.importorskip("torch")
    x_shape = (2, 4, 5, 4, 6) if batched else (4, 5, 4, 6)
    ours, theirs = _pair(RNG.standard_normal(x_shape), RNG.standard_normal((6, 4 // kw.get("groups", 1), 2, 3, 2)),
                         RNG.standard_normal(6))
    s_y, t_y = F.conv3d(*ours, **kw), torch.nn.functional.conv3d(*theirs, **kw)
    _close(s_y, t_y)
    _backward_both(s_y, t_y)
    for s, t in zip(ours, theirs):
        _close(s.grad, t.grad)


@pytest.mark.parametrize("padding_mode", ["zeros", "reflect", "replicate", "circular"])
def test_conv3d_module_against_pytorch(padding_mode):
    torch = pytest.importorskip("torch")
    args = dict(in_channels=2, out_channels=3, kernel_size=(2, 3, 3), stride=(1, 2, 1), padding=1,
                padding_mode=padding_mode)
    theirs, ours = torch.nn.Conv3d(**args).double(), nn.Conv3d(**args)
    assert repr(ours) == repr(theirs)
    assert ours.weight.shape == theirs.weight.shape
    _load_torch_weights(ours, theirs)
    (s_x,), (t_x,) = _pair(RNG.standard_normal((2, 2, 3, 5, 4)))
    s_y, t_y = ours(s_x), theirs(t_x)
    _close(s_y, t_y)
    _backward_both(s_y, t_y)
    _close(s_x.grad, t_x.grad)
    _close(ours.weight.grad, theirs.weight.grad)
    _close(ours.bias.grad, theirs.bias.grad)


def test_conv3d_closed_form_and_errors():
    x = symgrad.tensor(np.arange(8.).reshape(1, 1, 2, 2, 2), name="x")
    w = symgrad.tensor(np.ones((1, 1, 1, 1, 2)), name="w")
    assert str(F.conv3d(x, w).expr[0, 0, 1, 0, 0]) == "w[0, 0, 0, 0, 0]*x[0, 0, 1, 0, 0] + w[0, 0, 0, 0, 1]*x[0, 0, 1, 0, 1]"
    with pytest.raises(RuntimeError, match=r"Expected 4D \(unbatched\) or 5D \(batched\) input to conv3d"):
        F.conv3d(symgrad.ones(2, 3, 4), symgrad.ones(1, 2, 1, 1, 1))
    with pytest.raises(RuntimeError, match="expected input.* to have 2 channels, but got 3 channels"):
        F.conv3d(symgrad.ones(1, 3, 2, 2, 2), symgrad.ones(1, 2, 1, 1, 1))


def test_multihead_attention_dropout_only_in_training():
    symgrad.manual_seed(0)
    attn = nn.MultiheadAttention(4, 2, dropout=0.5)
    x = symgrad.randn(3, 2, 4)
    _, dropped = attn(x, x, x, average_attn_weights=False)
    values = dropped.detach().numpy()
    assert (values == 0).any() and (values > 1.0 / 3).any()   # some dropped, the others scaled by 2
    attn.eval()
    _, weights = attn(x, x, x, average_attn_weights=False)
    np.testing.assert_allclose(weights.detach().numpy().sum(-1), 1.0, rtol=1e-12)
