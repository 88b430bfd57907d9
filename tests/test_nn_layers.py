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
                                       ("Flatten", (0, -1)), ("Softmax", (1,)), ("LogSoftmax", (0,))])
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
