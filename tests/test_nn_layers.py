"""Layers, activations, containers and ``nn.init``: PyTorch's numbers,
initialisation schemes, shapes and errors."""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
import pytest

import symgrad
import symgrad.nn.functional as F  # noqa: N812 - PyTorch's convention
from symgrad import nn
from symgrad.nn import init

X = np.random.default_rng(0).normal(size=(4, 3))


# ---------------------------------------------------------------- Linear

def test_linear_shapes_dtype_and_grad_fn():
    layer = nn.Linear(3, 2)
    assert layer.weight.shape == (2, 3) and layer.bias.shape == (2,)
    assert layer.weight.dtype == symgrad.float64
    out = layer(symgrad.tensor(X))
    assert out.shape == (4, 2) and out.grad_fn.name() == "AddmmBackward0"
    expected = X @ np.asarray(layer.weight.detach()).T + np.asarray(layer.bias.detach())
    np.testing.assert_allclose(np.asarray(out.detach()), expected)


def test_linear_on_1d_and_3d_inputs_and_without_bias():
    layer = nn.Linear(3, 2)
    assert layer(symgrad.tensor(X[0])).shape == (2,)
    assert layer(symgrad.tensor(X.reshape(2, 2, 3))).shape == (2, 2, 2)
    no_bias = nn.Linear(3, 2, bias=False)
    assert no_bias.bias is None and len(list(no_bias.parameters())) == 1
    np.testing.assert_allclose(no_bias(symgrad.tensor(X)).detach().numpy(), X @ np.asarray(no_bias.weight.detach()).T)


def test_linear_dtype_argument_and_default_dtype():
    assert nn.Linear(2, 2, dtype=symgrad.float32).weight.dtype == symgrad.float32
    symgrad.set_default_dtype(symgrad.float32)
    assert nn.Linear(2, 2).bias.dtype == symgrad.float32


def test_linear_promotes_mixed_dtypes():
    layer = nn.Linear(1, 1)  # float64
    x32 = symgrad.tensor([[1.0], [2.0]], dtype=symgrad.float32)
    assert layer(x32).dtype == symgrad.float64


def test_linear_initialisation_follows_pytorch_bounds():
    _ = symgrad.manual_seed(0)
    layer = nn.Linear(16, 200)
    bound = 1 / math.sqrt(16)
    w, b = np.asarray(layer.weight.detach()), np.asarray(layer.bias.detach())
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    # uniform on [-bound, bound]: the spread covers the interval, the variance is bound**2 / 3
    assert np.abs(w).max() > 0.95 * bound
    assert abs(w.var() - bound ** 2 / 3) < 0.1 * bound ** 2 / 3


def test_linear_initialisation_is_seeded():
    _ = symgrad.manual_seed(3)
    a = nn.Linear(2, 2).state_dict()
    _ = symgrad.manual_seed(3)
    b = nn.Linear(2, 2).state_dict()
    assert all(np.array_equal(np.asarray(a[k]), np.asarray(b[k])) for k in a)


def test_linear_against_pytorch():
    torch = pytest.importorskip("torch")
    t_layer = torch.nn.Linear(3, 2).double()
    s_layer = nn.Linear(3, 2)
    s_layer.load_state_dict(t_layer.state_dict())
    t_x = torch.tensor(X, requires_grad=True)
    s_x = symgrad.tensor(X, requires_grad=True)
    t_layer(t_x).pow(2).sum().backward()
    s_layer(s_x).pow(2).sum().backward()
    np.testing.assert_allclose(np.asarray(s_x.grad), t_x.grad.numpy())
    np.testing.assert_allclose(np.asarray(s_layer.weight.grad), t_layer.weight.grad.numpy())
    np.testing.assert_allclose(np.asarray(s_layer.bias.grad), t_layer.bias.grad.numpy())


def test_linear_errors():
    layer = nn.Linear(2, 3)
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(4x5 and 2x3\).*in_features"):
        layer(symgrad.zeros(4, 5))
    with pytest.raises(TypeError, match="must be a symgrad Tensor, not ndarray"):
        layer(np.zeros((4, 2)))
    with pytest.raises(RuntimeError, match="at least 1 dimension"):
        layer(symgrad.tensor(1.0))
    with pytest.raises(ValueError, match="in_features must be >= 0, got -1"):
        nn.Linear(-1, 2)
    with pytest.raises(TypeError, match="out_features must be an int, got float"):
        nn.Linear(1, 2.5)
    with pytest.raises(RuntimeError, match="not available"):
        nn.Linear(1, 1, device="cuda")


# ---------------------------------------------------------------- activations and shapes

@pytest.mark.parametrize("name,args", [("ReLU", ()), ("Tanh", ()), ("Sigmoid", ()), ("Softplus", ()),
                                       ("Softplus", (2.0, 1.0)), ("Identity", ()), ("Flatten", ()),
                                       ("Flatten", (0, -1)), ("Softmax", (1,)), ("LogSoftmax", (0,)),
                                       ("SiLU", ()), ("Hardtanh", ()), ("Hardtanh", (-2.0, 0.5)), ("ReLU6", ())])
def test_layers_against_pytorch(name, args):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).normal(size=(2, 3, 4)) * 3
    s_x, t_x = symgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    s_out, t_out = getattr(nn, name)(*args)(s_x), getattr(torch.nn, name)(*args)(t_x)
    np.testing.assert_allclose(np.asarray(s_out.detach()), t_out.detach().numpy(), rtol=1e-12)
    s_out.pow(2).sum().backward()
    t_out.pow(2).sum().backward()
    np.testing.assert_allclose(np.asarray(s_x.grad), t_x.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_inplace_relu_and_activation_reprs():
    x = symgrad.tensor([-1.0, 2.0])
    assert nn.ReLU(inplace=True)(x) is x and x.tolist() == [0.0, 2.0]
    assert repr(nn.ReLU(inplace=True)) == "ReLU(inplace=True)"
    assert repr(nn.Softplus(beta=2)) == "Softplus(beta=2, threshold=20.0)"
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"


def test_activation_closed_forms():
    x = symgrad.tensor(0.5, requires_grad=True)
    assert str(nn.Sigmoid()(x).expr) == "1/(1 + exp(-x))"
    assert str(nn.Tanh()(x).expr) == "tanh(x)"
    assert str(symgrad.diff(nn.Tanh()(x), x)) == "1 - tanh(x)**2"


def test_softmax_without_dim_warns_and_picks_pytorchs_dim():
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        out = F.softmax(symgrad.zeros(2, 4))
    assert out.tolist() == [[0.25] * 4] * 2


def test_hardtanh_derivative_is_zero_at_its_bounds_as_pytorchs():
    torch = pytest.importorskip("torch")
    v = [-1.0, 1.0, 0.5, -2.0, 3.0]
    s_x, t_x = symgrad.tensor(v, requires_grad=True), torch.tensor(v, requires_grad=True)
    F.hardtanh(s_x).sum().backward()
    torch.nn.functional.hardtanh(t_x).sum().backward()
    assert s_x.grad.tolist() == t_x.grad.tolist() == [0.0, 0.0, 1.0, 0.0, 0.0]
    assert F.hardtanh(symgrad.tensor([-3, 0, 3])).tolist() == [-1, 0, 1]
    r_x, q_x = symgrad.tensor([0.0, 6.0, 3.0], requires_grad=True), torch.tensor([0.0, 6.0, 3.0], requires_grad=True)
    F.relu6(r_x).sum().backward()
    torch.nn.functional.relu6(q_x).sum().backward()
    assert r_x.grad.tolist() == q_x.grad.tolist() == [0.0, 0.0, 1.0]
    assert [repr(m) for m in (nn.ReLU6(), nn.ReLU6(inplace=True))] == ["ReLU6()", "ReLU6(inplace=True)"]


def test_new_activation_reprs_and_errors():
    assert [repr(m) for m in (nn.SiLU(), nn.SiLU(True), nn.Hardtanh(), nn.Hardtanh(-2, 3.5, True))] == [
        "SiLU()", "SiLU(inplace=True)", "Hardtanh(min_val=-1.0, max_val=1.0)",
        "Hardtanh(min_val=-2, max_val=3.5, inplace=True)"]
    with pytest.raises(AssertionError, match="must be greater than min_val"):
        nn.Hardtanh(1, 0)
    with pytest.raises(NotImplementedError, match="silu_cpu"):
        F.silu(symgrad.tensor([1, 2]))
    x = symgrad.tensor([-3.0, 0.5])
    assert nn.Hardtanh(inplace=True)(x) is x and x.tolist() == [-1.0, 0.5]
    v = symgrad.tensor(1.0, requires_grad=True)
    assert str(F.silu(v).expr) == "v/(1 + exp(-v))"


# ---------------------------------------------------------------- Embedding and LayerNorm

def test_embedding_against_pytorch_with_padding():
    torch = pytest.importorskip("torch")
    t_emb = torch.nn.Embedding(5, 3, padding_idx=1).double()
    s_emb = nn.Embedding(5, 3, padding_idx=1)
    s_emb.load_state_dict(t_emb.state_dict())
    idx = [[0, 1, 4], [4, 4, 1]]
    t_out, s_out = t_emb(torch.tensor(idx)), s_emb(symgrad.tensor(idx))
    np.testing.assert_array_equal(s_out.detach().numpy(), t_out.detach().numpy())
    w = np.random.default_rng(2).normal(size=(2, 3, 3))
    (t_out * torch.tensor(w)).sum().backward()
    (s_out * symgrad.tensor(w)).sum().backward()
    np.testing.assert_allclose(s_emb.weight.grad.numpy(), t_emb.weight.grad.numpy(), rtol=1e-14)
    assert not s_emb.weight.grad[1].any() and s_emb.weight.grad[4].abs().sum() > 0


def test_embedding_initialisation_closed_form_and_repr():
    _ = symgrad.manual_seed(0)
    emb = nn.Embedding(2000, 50, padding_idx=-1)
    w = emb.weight.detach().numpy()
    assert emb.padding_idx == 1999 and not w[1999].any()
    assert abs(w[:-1].mean()) < 0.01 and abs(w[:-1].std() - 1) < 0.01  # standard normal, as PyTorch
    _ = symgrad.manual_seed(0)
    assert np.array_equal(nn.Embedding(2000, 50, padding_idx=-1).weight.detach().numpy(), w)  # seeded
    small = nn.Embedding(3, 2)
    assert str(small(symgrad.tensor([2])).expr) == "[[weight[2, 0], weight[2, 1]]]"
    assert repr(emb) == "Embedding(2000, 50, padding_idx=1999)"
    frozen = nn.Embedding.from_pretrained(symgrad.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert not frozen.weight.requires_grad and frozen(symgrad.tensor([1])).tolist() == [[3.0, 4.0]]
    assert nn.Embedding.from_pretrained(symgrad.ones(2, 2), freeze=False).weight.requires_grad


def test_embedding_errors():
    emb = nn.Embedding(3, 2)
    with pytest.raises(RuntimeError, match="'indices' to have one of the following scalar types: Long, Int"):
        emb(symgrad.tensor([1.0]))
    with pytest.raises(IndexError, match="index out of range in self"):
        emb(symgrad.tensor([3]))
    with pytest.raises(IndexError, match="index out of range in self"):
        emb(symgrad.tensor([-1]))
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(3, 2, padding_idx=3)
    with pytest.raises(NotImplementedError, match=r"sparse=True\): symgrad has no sparse gradients; use sparse=False"):
        nn.Embedding(3, 2, sparse=True)
    with pytest.raises(NotImplementedError, match="sparse=False"):
        nn.Embedding.from_pretrained(symgrad.ones(3, 2), sparse=True)
    with pytest.raises(NotImplementedError, match="sparse=False"):
        F.embedding(symgrad.tensor([0]), symgrad.ones(3, 2), sparse=True)
    with pytest.raises(NotImplementedError, match="scale_grad_by_freq"):
        F.embedding(symgrad.tensor([0]), symgrad.ones(3, 2), scale_grad_by_freq=True)
    w = symgrad.ones(3, 2, requires_grad=True)
    with pytest.raises(RuntimeError, match="max_norm.*must be a leaf"):
        F.embedding(symgrad.tensor([0]), w * 2, max_norm=1.0)


@pytest.mark.parametrize("norm_type, dtype", [(2.0, "float64"), (1.0, "float64"), (float("inf"), "float64"),
                                              (3.0, "float32")])
def test_embedding_max_norm_renormalises_the_rows_looked_up_as_pytorch(norm_type, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    t_emb = torch.nn.Embedding(6, 4, max_norm=1.5, norm_type=norm_type, padding_idx=1).to(getattr(torch, dtype))
    s_emb = nn.Embedding(6, 4, max_norm=1.5, norm_type=norm_type, padding_idx=1, dtype=getattr(symgrad, dtype))
    with torch.no_grad():
        t_emb.weight.copy_(torch.tensor(rng.normal(size=(6, 4)) * 2))
    s_emb.load_state_dict(t_emb.state_dict())
    assert repr(s_emb) == repr(t_emb)
    idx, g = [[0, 2, 2], [5, 1, 0]], rng.normal(size=(2, 3, 4))
    t_out, s_out = t_emb(torch.tensor(idx)), s_emb(symgrad.tensor(idx))
    (t_out * torch.tensor(g)).sum().backward()
    (s_out * symgrad.tensor(g)).sum().backward()
    # the same bits: rows 0, 1, 2 and 5 scaled in the weight itself, rows 3 and 4 untouched
    np.testing.assert_array_equal(s_emb.weight.detach().numpy(), t_emb.weight.detach().numpy())
    np.testing.assert_array_equal(s_out.detach().numpy(), t_out.detach().numpy())
    np.testing.assert_allclose(s_emb.weight.grad.numpy(), t_emb.weight.grad.numpy(), rtol=1e-6)


def test_embedding_max_norm_writes_outside_autograd():
    emb = nn.Embedding(3, 2, max_norm=1.0)
    with symgrad.no_grad():
        emb.weight.copy_(symgrad.tensor([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]]))
    out = emb(symgrad.tensor([0, 1]))
    assert emb.weight.is_leaf and emb.weight.grad_fn is None and emb.weight.requires_grad
    np.testing.assert_allclose(emb.weight.detach().numpy(), [[0.6, 0.8], [0.3, 0.4], [6.0, 8.0]], rtol=1e-6)
    assert str(out.expr) == "[[weight[0, 0], weight[0, 1]], [weight[1, 0], weight[1, 1]]]"  # still the symbols
    frozen = symgrad.tensor([[3.0, 4.0]])
    F.embedding(symgrad.tensor([0]), frozen[0:1], max_norm=2.5)  # a view: written through to its base
    np.testing.assert_allclose(frozen.tolist(), [[1.5, 2.0]], rtol=1e-6)


@pytest.mark.parametrize("shape, affine", [((4,), True), ((3, 4), True), ((4,), False)])
def test_layer_norm_against_pytorch(shape, affine):
    torch = pytest.importorskip("torch")
    t_ln = torch.nn.LayerNorm(shape, elementwise_affine=affine).double()
    s_ln = nn.LayerNorm(shape, elementwise_affine=affine)
    rng = np.random.default_rng(3)
    if affine:
        with torch.no_grad():
            t_ln.weight.copy_(torch.tensor(rng.normal(size=shape)))
            t_ln.bias.copy_(torch.tensor(rng.normal(size=shape)))
        s_ln.load_state_dict(t_ln.state_dict())
    x = rng.normal(size=(2, 3, 4)) * 3
    t_x, s_x = torch.tensor(x, requires_grad=True), symgrad.tensor(x, requires_grad=True)
    t_out, s_out = t_ln(t_x), s_ln(s_x)
    np.testing.assert_allclose(s_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-12, atol=1e-14)
    t_out.pow(3).sum().backward()
    s_out.pow(3).sum().backward()
    np.testing.assert_allclose(s_x.grad.numpy(), t_x.grad.numpy(), rtol=1e-9, atol=1e-12)
    for s_p, t_p in zip(s_ln.parameters(), t_ln.parameters()):
        np.testing.assert_allclose(s_p.grad.numpy(), t_p.grad.numpy(), rtol=1e-9, atol=1e-12)
    assert repr(s_ln) == repr(t_ln)


def test_layer_norm_initialisation_and_errors():
    ln = nn.LayerNorm(3)
    assert ln.weight.tolist() == [1.0] * 3 and ln.bias.tolist() == [0.0] * 3
    assert nn.LayerNorm(3, bias=False).bias is None and len(list(nn.LayerNorm(3, bias=False).parameters())) == 1
    with pytest.raises(RuntimeError, match=r"Given normalized_shape=\[3\], expected input with shape \[\*, 3\], "
                                           r"but got input of size\[2, 4\]"):
        ln(symgrad.ones(2, 4))
    with pytest.raises(NotImplementedError, match="LayerNormKernelImpl"):
        F.layer_norm(symgrad.tensor([[1, 2]]), (2,))


# ---------------------------------------------------------------- BatchNorm1d, BatchNorm2d, BatchNorm3d

def _random_affine(torch, layer, rng):
    if layer.weight is not None:
        with torch.no_grad():
            layer.weight.copy_(torch.tensor(rng.normal(size=layer.num_features)))
            if layer.bias is not None:
                layer.bias.copy_(torch.tensor(rng.normal(size=layer.num_features)))


@pytest.mark.parametrize("kind, shape, kw", [
    ("BatchNorm1d", (5, 3), {}), ("BatchNorm1d", (4, 3, 6), {"momentum": None}),
    ("BatchNorm1d", (4, 3), {"affine": False}), ("BatchNorm1d", (4, 3), {"track_running_stats": False}),
    ("BatchNorm1d", (4, 3), {"bias": False, "eps": 1e-3, "momentum": 0.5}), ("BatchNorm2d", (3, 2, 4, 5), {}),
    ("BatchNorm2d", (2, 3, 2, 2), {"momentum": None}),
    ("BatchNorm2d", (2, 3, 2, 2), {"affine": False, "track_running_stats": False}),
    ("BatchNorm3d", (2, 3, 2, 3, 2), {}), ("BatchNorm3d", (3, 2, 1, 2, 2), {"momentum": None}),
    ("BatchNorm3d", (2, 3, 2, 1, 2), {"affine": False, "track_running_stats": False}),
    ("BatchNorm3d", (2, 3, 2, 2, 2), {"bias": False, "eps": 1e-3, "momentum": 0.5})])
def test_batch_norm_trains_and_evaluates_as_pytorch(kind, shape, kw):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    t_bn, s_bn = getattr(torch.nn, kind)(shape[1], **kw).double(), getattr(nn, kind)(shape[1], **kw)
    _random_affine(torch, t_bn, rng)
    s_bn.load_state_dict(t_bn.state_dict())
    assert repr(s_bn) == repr(t_bn)
    for step in range(4):
        if step == 3:  # the running statistics (or, without them, the batch's) in evaluation
            t_bn.eval(), s_bn.eval()
        x, w = rng.normal(size=shape) * 2 + 1, rng.normal(size=shape)
        t_x, s_x = torch.tensor(x, requires_grad=True), symgrad.tensor(x, requires_grad=True)
        t_out, s_out = t_bn(t_x), s_bn(s_x)
        np.testing.assert_allclose(s_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-10, atol=1e-12)
        (t_out * torch.tensor(w)).pow(2).sum().backward()
        (s_out * symgrad.tensor(w)).pow(2).sum().backward()
        np.testing.assert_allclose(s_x.grad.numpy(), t_x.grad.numpy(), rtol=1e-8, atol=1e-10)
        for s_p, t_p in zip(s_bn.parameters(), t_bn.parameters()):
            np.testing.assert_allclose(s_p.grad.numpy(), t_p.grad.numpy(), rtol=1e-8, atol=1e-10)
        t_state, s_state = t_bn.state_dict(), s_bn.state_dict()
        assert list(s_state) == list(t_state)
        for key, value in t_state.items():  # running mean, unbiased running variance, batches counted
            np.testing.assert_allclose(s_state[key].numpy(), value.numpy(), rtol=1e-13, err_msg=key)
            assert s_state[key].numpy().dtype == value.numpy().dtype


def test_batch_norm_float32_and_dtypes_of_the_buffers():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(7).normal(size=(4, 3, 5, 5)).astype(np.float32) * 3 + 2
    t_bn, s_bn = torch.nn.BatchNorm2d(3), nn.BatchNorm2d(3, dtype=symgrad.float32)
    for _ in range(3):
        t_out, s_out = t_bn(torch.tensor(x)), s_bn(symgrad.tensor(x))
    assert s_out.dtype == symgrad.float32 and s_bn.running_var.dtype == symgrad.float32
    np.testing.assert_allclose(s_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(s_bn.running_var.numpy(), t_bn.running_var.numpy(), rtol=1e-6)
    double = nn.BatchNorm1d(2).float().double()
    assert double.running_mean.dtype == symgrad.float64 and double.num_batches_tracked.dtype == symgrad.int64


def test_batch_norm_buffers_update_outside_autograd():
    bn = nn.BatchNorm1d(2, momentum=None)
    mean = bn.running_mean
    x = symgrad.tensor([[1.0, 2.0], [3.0, 6.0]], requires_grad=True)
    bn(x)
    bn(x * 3)
    assert bn.running_mean is mean and mean.grad_fn is None and not mean.requires_grad  # written in place
    assert bn.running_mean.tolist() == [4.0, 8.0] and bn.num_batches_tracked.item() == 2  # the average of both
    assert bn.running_var.tolist() == [(2.0 + 18.0) / 2, (8.0 + 72.0) / 2]  # unbiased variances averaged
    assert [name for name, _ in bn.named_buffers()] == ["running_mean", "running_var", "num_batches_tracked"]
    bn.reset_running_stats()
    assert bn.running_mean.tolist() == [0.0, 0.0] and bn.running_var.tolist() == [1.0, 1.0]
    assert bn.num_batches_tracked.item() == 0
    frozen = nn.BatchNorm1d(2, track_running_stats=False)
    assert frozen.running_mean is None and list(frozen.state_dict()) == ["weight", "bias"]


def test_batch_norm_closed_forms():
    x = symgrad.tensor([[1.0], [3.0]], name="x")
    bn = nn.BatchNorm1d(1)
    train = bn(x)
    assert train.expr[0, 0].free_symbols == {bn.weight.symbol[0], bn.bias.symbol[0], x.symbol[0, 0], x.symbol[1, 0]}
    bn.eval()
    evaluated = bn(x).expr[0, 0]  # the running statistics are numbers: 0.2 and 1.1 after one batch
    assert evaluated.free_symbols == {bn.weight.symbol[0], bn.bias.symbol[0], x.symbol[0, 0]}
    w = symgrad.tensor([2.0, 0.5], requires_grad=True)
    y = F.batch_norm(symgrad.tensor([[1.0, 4.0], [3.0, 0.0]]), None, None, w, training=True)
    np.testing.assert_allclose(y.tolist(), [[-2.0, 0.5], [2.0, -0.5]], rtol=1e-5)
    assert str(symgrad.diff(y.sum(), w)) == "[0, 0]"  # a channel's normalised values sum to 0, exactly


def test_batch_norm_errors():
    with pytest.raises(ValueError, match=r"Expected more than 1 value per channel when training, got input size "
                                         r"symgrad.Size\(\[1, 3\]\)"):
        nn.BatchNorm1d(3)(symgrad.ones(1, 3))
    assert nn.BatchNorm1d(3).eval()(symgrad.ones(1, 3)).shape == (1, 3)  # one example is fine in evaluation
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        nn.BatchNorm1d(3)(symgrad.ones(2, 3, 4, 5))
    with pytest.raises(ValueError, match=r"expected 4D input \(got 3D input\)"):
        nn.BatchNorm2d(3)(symgrad.ones(2, 3, 4))
    with pytest.raises(RuntimeError, match="running_mean should contain 4 elements not 3"):
        nn.BatchNorm1d(3)(symgrad.ones(2, 4))
    with pytest.raises(NotImplementedError, match="'Long'.*convert with .double"):
        nn.BatchNorm1d(3)(symgrad.ones(2, 3, dtype=symgrad.int64))
    with pytest.raises(RuntimeError, match="running_mean must be defined in evaluation mode .*training=True"):
        F.batch_norm(symgrad.ones(2, 3), None, None)
    with pytest.raises(ValueError, match="both be None or neither"):
        F.batch_norm(symgrad.ones(2, 3), symgrad.zeros(3), None, training=True)
    with pytest.raises(ValueError, match="eps must be positive during training"):
        F.batch_norm(symgrad.ones(2, 3), None, None, training=True, eps=0.0)
    with pytest.raises(TypeError, match="num_features must be an int"):
        nn.BatchNorm1d(2.0)
    with pytest.raises(TypeError, match="must be a symgrad Tensor"):
        nn.BatchNorm1d(2)(np.ones((2, 2)))


# ---------------------------------------------------------------- nn.utils

def test_clip_grad_norm_and_value_against_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=(2, 3)), rng.normal(size=4)
    results = []
    for lib, utils in ((torch, torch.nn.utils), (symgrad, nn.utils)):
        ta, tb = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True)
        ((ta ** 3).sum() + (tb * tb).sum()).backward()
        norms = [utils.clip_grad_norm_([ta, tb], 2.0, norm_type=3).item(),
                 utils.clip_grad_norm_(iter([ta, tb]), 1.0, norm_type=float("inf")).item(),
                 utils.clip_grad_norm_(tb, 100.0).item()]
        utils.clip_grad_value_([ta], 0.05)
        results.append((norms, ta.grad.tolist(), tb.grad.tolist()))
    np.testing.assert_allclose(np.hstack([np.ravel(r) for r in results[1]]),
                               np.hstack([np.ravel(r) for r in results[0]]), rtol=1e-12)
    assert max(map(abs, np.ravel(results[1][1]))) == 0.05


def test_clip_grad_norm_edge_cases():
    w = symgrad.tensor([1.0], requires_grad=True)
    assert nn.utils.clip_grad_norm_([w], 1.0).item() == 0.0  # no gradients
    with pytest.warns(UserWarning, match="empty generator"):
        nn.utils.clip_grad_norm_((p for p in []), 1.0)
    (w * float("inf")).sum().backward()
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_([w], 1.0, error_if_nonfinite=True)


def test_parameters_to_vector_and_back():
    layer = nn.Linear(2, 2)
    vec = nn.utils.parameters_to_vector(layer.parameters())
    assert vec.shape == (6,) and vec.grad_fn is not None
    vec.sum().backward()
    assert layer.weight.grad.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    new = symgrad.arange(6.0)
    nn.utils.vector_to_parameters(new, layer.parameters())
    assert layer.weight.tolist() == [[0.0, 1.0], [2.0, 3.0]] and layer.bias.tolist() == [4.0, 5.0]
    new[0] = 9.0  # the parameters' data is a view of the vector, as in PyTorch
    assert layer.weight[0, 0].item() == 9.0
    with pytest.raises(TypeError, match="expected torch.Tensor, but got: numpy.ndarray"):
        nn.utils.vector_to_parameters(np.zeros(6), layer.parameters())


# ---------------------------------------------------------------- containers

def test_sequential_indexing_slicing_and_names():
    net = nn.Sequential(OrderedDict([("fc", nn.Linear(3, 4)), ("act", nn.Tanh()), ("out", nn.Linear(4, 1))]))
    assert [n for n, _ in net.named_parameters()] == ["fc.weight", "fc.bias", "out.weight", "out.bias"]
    assert net[0] is net.fc and net[-1] is net.out and len(net) == 3
    assert isinstance(net[:2], nn.Sequential) and len(net[:2]) == 2
    assert [type(m).__name__ for m in net] == ["Linear", "Tanh", "Linear"]
    x = symgrad.tensor(X)
    np.testing.assert_allclose(np.asarray(net(x).detach()), net.out(net.act(net.fc(x))).detach().numpy())
    with pytest.raises(IndexError, match="index 3 is out of range"):
        net[3]
    with pytest.raises(TypeError, match="is not a Module subclass"):
        nn.Sequential(nn.Tanh(), lambda x: x)
    assert len(net.append(nn.ReLU())) == 4


def test_module_list_registers_parameters():
    class Stack(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

    stack = Stack()
    assert len(list(stack.parameters())) == 6
    assert stack(symgrad.zeros(1, 2)).shape == (1, 2)
    assert repr(nn.ModuleList()) == "ModuleList()"


# ---------------------------------------------------------------- init

def test_init_functions_fill_in_place_outside_the_graph():
    w = nn.Parameter(symgrad.empty(3, 4))
    assert init.constant_(w, 0.5) is w and w.tolist() == [[0.5] * 4] * 3
    assert w.grad_fn is None and w.requires_grad
    assert not init.zeros_(w).any() and init.ones_(w).all()
    init.normal_(w, 2.0, 0.0)
    assert w.tolist() == [[2.0] * 4] * 3


@pytest.mark.parametrize("fn,bound", [
    (lambda w: init.xavier_uniform_(w), math.sqrt(6 / (40 + 30))),
    (lambda w: init.xavier_uniform_(w, gain=2.0), 2 * math.sqrt(6 / (40 + 30))),
    (lambda w: init.kaiming_uniform_(w), math.sqrt(2 / (1 + 0.01 ** 2)) * math.sqrt(3 / 40)),
    (lambda w: init.kaiming_uniform_(w, mode="fan_out", nonlinearity="relu"), math.sqrt(2) * math.sqrt(3 / 30)),
    (lambda w: init.uniform_(w, -0.3, 0.3), 0.3),
])
def test_uniform_schemes_have_pytorchs_bounds(fn, bound):
    w = fn(symgrad.empty(30, 40))
    a = np.abs(np.asarray(w))
    assert a.max() <= bound and a.max() > 0.95 * bound


def test_normal_schemes_have_pytorchs_spread():
    _ = symgrad.manual_seed(0)
    w = init.xavier_normal_(symgrad.empty(300, 400))
    assert abs(np.asarray(w).std() - math.sqrt(2 / 700)) < 0.02 * math.sqrt(2 / 700)
    w = init.kaiming_normal_(symgrad.empty(300, 400), nonlinearity="relu")
    assert abs(np.asarray(w).std() - math.sqrt(2 / 400)) < 0.02 * math.sqrt(2 / 400)


def test_init_uses_a_given_generator():
    a = init.uniform_(symgrad.empty(5), generator=np.random.default_rng(7))
    b = init.uniform_(symgrad.empty(5), generator=np.random.default_rng(7))
    assert a.equal(b)


def test_calculate_gain_matches_pytorch():
    torch = pytest.importorskip("torch")
    for name, param in [("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None),
                        ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None)]:
        assert init.calculate_gain(name, param) == torch.nn.init.calculate_gain(name, param)


def test_init_errors():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(symgrad.empty(3))
    with pytest.raises(ValueError, match="Mode fan_middle not supported"):
        init.kaiming_uniform_(symgrad.empty(2, 2), mode="fan_middle")
    with pytest.raises(ValueError, match="Unsupported nonlinearity swish"):
        init.calculate_gain("swish")
    with pytest.raises(TypeError, match="fills a symgrad Tensor in place"):
        init.zeros_(np.zeros(3))
    with pytest.warns(UserWarning, match="zero-element tensors is a no-op"):
        init.kaiming_uniform_(symgrad.empty(0, 3))
