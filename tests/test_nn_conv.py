"""Convolution, pooling and padding: PyTorch's numbers, gradients, reprs,
initialisation and errors, and PyTorch's "Neural Networks" tutorial (LeNet)
run with only its imports changed.  (The op spec rows ``_CONVOLUTIONS`` in
``tests/op_specs.py`` send the functions through every oracle.)"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import symgrad
import symgrad.nn.functional as F  # noqa: N812 - PyTorch's convention
from symgrad import nn

RNG = np.random.default_rng(0)

# PyTorch's tutorial (beginner/blitz/neural_networks_tutorial.py), as written there
TUTORIAL = '''
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):

    def __init__(self):
        super(Net, self).__init__()
        # 1 input image channel, 6 output channels, 5x5 square convolution
        # kernel
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        # an affine operation: y = Wx + b
        self.fc1 = nn.Linear(16 * 5 * 5, 120)  # 5*5 from image dimension
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, input):
        # Convolution layer C1: 1 input image channel, 6 output channels,
        # 5x5 square convolution, it uses RELU activation function, and
        # outputs a Tensor with size (N, 6, 28, 28), where N is the size of the batch
        c1 = F.relu(self.conv1(input))
        # Subsampling layer S2: 2x2 grid, purely functional,
        # this layer does not have any parameter, and outputs a (N, 6, 14, 14) Tensor
        s2 = F.max_pool2d(c1, (2, 2))
        # Convolution layer C3: 6 input channels, 16 output channels,
        # 5x5 square convolution, it uses RELU activation function, and
        # outputs a (N, 16, 10, 10) Tensor
        c3 = F.relu(self.conv2(s2))
        # Subsampling layer S4: 2x2 grid, purely functional,
        # this layer does not have any parameter, and outputs a (N, 16, 5, 5) Tensor
        s4 = F.max_pool2d(c3, 2)
        # Flatten operation: purely functional, outputs a (N, 400) Tensor
        s4 = torch.flatten(s4, 1)
        # Fully connected layer F5: (N, 400) Tensor input,
        # and outputs a (N, 120) Tensor, it uses RELU activation function
        f5 = F.relu(self.fc1(s4))
        # Fully connected layer F6: (N, 120) Tensor input,
        # and outputs a (N, 84) Tensor, it uses RELU activation function
        f6 = F.relu(self.fc2(f5))
        # Gaussian layer OUTPUT: (N, 84) Tensor input, and
        # outputs a (N, 10) Tensor
        output = self.fc3(f6)
        return output

    def num_flat_features(self, x):
        size = x.size()[1:]  # all dimensions except the batch dimension
        num_features = 1
        for s in size:
            num_features *= s
        return num_features


net = Net()
print(net)

params = list(net.parameters())
print(len(params))
print(params[0].size())  # conv1's .weight

input = torch.randn(1, 1, 32, 32)
out = net(input)
print(out)

net.zero_grad()
out.backward(torch.randn(1, 10))

output = net(input)
target = torch.randn(10)  # a dummy target, for example
target = target.view(1, -1)  # make it the same shape as output
criterion = nn.MSELoss()

loss = criterion(output, target)
print(loss)

print(loss.grad_fn)  # MSELoss
print(loss.grad_fn.next_functions[0][0])  # Linear
print(loss.grad_fn.next_functions[0][0].next_functions[0][0])  # ReLU

net.zero_grad()     # zeroes the gradient buffers of all parameters

print('conv1.bias.grad before backward')
print(net.conv1.bias.grad)

loss.backward()

print('conv1.bias.grad after backward')
print(net.conv1.bias.grad)

learning_rate = 0.01
for f in net.parameters():
    f.data.sub_(f.grad.data * learning_rate)

import torch.optim as optim

# create your optimizer
optimizer = optim.SGD(net.parameters(), lr=0.01)

# in your training loop:
optimizer.zero_grad()   # zero the gradient buffers
output = net(input)
loss = criterion(output, target)
loss.backward()
optimizer.step()    # Does the update
'''

SYMGRAD_IMPORTS = {"import torch\n": "import symgrad as torch\n",
                   "import torch.nn as nn\n": "import symgrad.nn as nn\n",
                   "import torch.nn.functional as F\n": "import symgrad.nn.functional as F\n",
                   "import torch.optim as optim\n": "import symgrad.optim as optim\n"}


def _with_symgrad_imports(source: str) -> str:
    for theirs, ours in SYMGRAD_IMPORTS.items():
        source = source.replace(theirs, ours)
    assert "torch." not in source.replace("import symgrad as torch", "").replace("torch.flatten", "") \
        .replace("torch.randn", ""), "a PyTorch name is left in the program"
    return source


def _run(source: str) -> tuple[dict, str]:
    import contextlib
    import io

    namespace: dict = {"__name__": "tutorial"}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(source, "neural_networks_tutorial.py", "exec"), namespace)
    return namespace, printed.getvalue()


def test_the_tutorial_runs_with_only_its_imports_changed():
    assert all(line in TUTORIAL for line in SYMGRAD_IMPORTS)
    symgrad.manual_seed(0)
    ns, printed = _run(_with_symgrad_imports(TUTORIAL))
    assert "Net(\n  (conv1): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))\n" in printed
    assert "(fc1): Linear(in_features=400, out_features=120, bias=True)" in printed
    assert "\n10\nsymgrad.Size([6, 1, 5, 5])\n" in printed
    assert "conv1.bias.grad before backward\nNone\n" in printed
    assert re.search(r"<MseLossBackward0 object at 0x[0-9a-f]+>\n<AddmmBackward0 object at 0x[0-9a-f]+>\n"
                     r"<ReluBackward0 object at 0x[0-9a-f]+>", printed)
    net = ns["net"]
    assert ns["out"].shape == (1, 10) and net.conv1.bias.grad.shape == (6,)
    assert net.num_flat_features(symgrad.zeros(1, 16, 5, 5)) == 400


def _tutorial_net(torch_like):
    """The tutorial's Net class, defined by its own source with ``torch_like``'s imports."""
    source = TUTORIAL.split("\n\nnet = Net()")[0]
    if torch_like == "symgrad":
        source = _with_symgrad_imports(source)
    return _run(source)[0]["Net"]()


def test_the_tutorial_matches_pytorch_step_by_step_from_the_same_weights():
    torch = pytest.importorskip("torch")
    theirs = _tutorial_net("torch").double()
    ours = _tutorial_net("symgrad")
    ours.load_state_dict(theirs.state_dict())
    x, target = RNG.standard_normal((3, 1, 32, 32)), RNG.standard_normal((3, 10))
    runs = []
    for net, lib in ((ours, symgrad), (theirs, torch)):
        criterion, optimizer = lib.nn.MSELoss(), lib.optim.SGD(net.parameters(), lr=0.01)
        losses, grads = [], []
        for _ in range(3):
            optimizer.zero_grad()
            loss = criterion(net(lib.tensor(x)), lib.tensor(target))
            loss.backward()
            grads.append({k: p.grad.numpy().copy() for k, p in net.named_parameters()})
            optimizer.step()
            losses.append(loss.item())
        runs.append((losses, grads, {k: v.detach().numpy() for k, v in net.state_dict().items()}))
    (our_losses, our_grads, our_state), (their_losses, their_grads, their_state) = runs
    np.testing.assert_allclose(our_losses, their_losses, rtol=1e-10)
    for mine, want in zip(our_grads, their_grads):
        for k in want:
            np.testing.assert_allclose(mine[k], want[k], rtol=1e-8, atol=1e-12, err_msg=k)
    for k in their_state:
        np.testing.assert_allclose(our_state[k], their_state[k], rtol=1e-10, err_msg=k)


def test_lenet_in_float32_trains_as_pytorch():
    torch = pytest.importorskip("torch")
    theirs = _tutorial_net("torch")
    previous = symgrad.get_default_dtype()
    symgrad.set_default_dtype(symgrad.float32)
    try:
        ours = _tutorial_net("symgrad")
    finally:
        symgrad.set_default_dtype(previous)
    ours.load_state_dict(theirs.state_dict())
    assert ours.conv1.weight.dtype == symgrad.float32
    x = RNG.standard_normal((4, 1, 32, 32)).astype(np.float32)
    y = RNG.integers(0, 10, 4)
    for net, lib in ((ours, symgrad), (theirs, torch)):
        loss = lib.nn.CrossEntropyLoss()(net(lib.from_numpy(x)), lib.from_numpy(y))
        loss.backward()
        net.loss = loss
    assert ours.loss.dtype == symgrad.float32
    np.testing.assert_allclose(ours.loss.item(), theirs.loss.item(), rtol=1e-5)
    np.testing.assert_allclose(ours.conv1.weight.grad.numpy(), theirs.conv1.weight.grad.numpy(), rtol=1e-3,
                               atol=1e-5)


# ---------------------------------------------------------------- layers against PyTorch

def _same_outputs_and_input_gradients(torch, ya, yb, a, b, rtol: float) -> None:
    """Outputs equal, and the gradients of a random weighting of them reaching the inputs ``a`` and ``b``."""
    np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), rtol=rtol, atol=1e-12)
    w = RNG.standard_normal(tuple(yb.shape))
    (ya * symgrad.tensor(w)).sum().backward()
    (yb * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=rtol, atol=1e-12)


CONV_LAYERS = [
    ("Conv1d", (2, 4, 3), {}, (2, 2, 7)),
    ("Conv1d", (4, 6, 3), {"stride": 2, "padding": 2, "dilation": 2, "groups": 2, "bias": False}, (2, 4, 9)),
    ("Conv1d", (2, 3, 4), {"padding": "same", "padding_mode": "circular"}, (2, 7)),
    ("Conv2d", (1, 6, 5), {}, (2, 1, 12, 12)),
    ("Conv2d", (2, 4, (3, 2)), {"stride": (2, 1), "padding": (1, 2), "dilation": (2, 1)}, (2, 2, 7, 6)),
    ("Conv2d", (2, 4, 3), {"padding": 1, "padding_mode": "reflect"}, (2, 2, 5, 5)),
    ("Conv2d", (2, 2, 4), {"padding": "same", "padding_mode": "replicate", "groups": 2}, (2, 5, 6)),
    ("Conv2d", (3, 3, 2), {"padding": "valid", "padding_mode": "zeros"}, (1, 3, 4, 4)),
]


@pytest.mark.parametrize("name,args,kwargs,shape", CONV_LAYERS)
def test_conv_layers_against_pytorch(name, args, kwargs, shape):
    torch = pytest.importorskip("torch")
    import warnings

    theirs = getattr(torch.nn, name)(*args, **kwargs).double()
    ours = getattr(nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict(theirs.state_dict())
    x = RNG.standard_normal(shape)
    a, b = symgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch's note on 'same' with even kernels
        ya, yb = ours(a), theirs(b)
    _same_outputs_and_input_gradients(torch, ya, yb, a, b, 1e-10)
    for (k, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=k)


POOL_LAYERS = [
    ("MaxPool1d", (3,), {"stride": 2, "padding": 1, "dilation": 2, "ceil_mode": True}, (2, 3, 9)),
    ("MaxPool2d", (2,), {}, (2, 3, 6, 6)),
    ("MaxPool2d", ((3, 2),), {"stride": (2, 1), "padding": (1, 0), "ceil_mode": True}, (3, 7, 5)),
    ("AvgPool1d", (3,), {"stride": 2, "padding": 1, "count_include_pad": False}, (2, 3, 8)),
    ("AvgPool2d", (2,), {}, (2, 3, 6, 6)),
    ("AvgPool2d", (3, 2, 1), {"ceil_mode": True, "count_include_pad": False}, (2, 3, 6, 7)),
    ("AvgPool2d", (3, 1, 1), {"divisor_override": 4}, (2, 4, 4)),
    ("AdaptiveAvgPool1d", (3,), {}, (2, 3, 7)),
    ("AdaptiveAvgPool2d", ((5, 5),), {}, (2, 3, 7, 6)),
    ("AdaptiveAvgPool2d", ((None, 2),), {}, (3, 4, 5)),
    ("AdaptiveAvgPool2d", (1,), {}, (2, 3, 4, 4)),
]


@pytest.mark.parametrize("name,args,kwargs,shape", POOL_LAYERS)
def test_pool_layers_against_pytorch(name, args, kwargs, shape):
    torch = pytest.importorskip("torch")
    theirs, ours = getattr(torch.nn, name)(*args, **kwargs), getattr(nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    x = RNG.standard_normal(shape)
    a, b = symgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    _same_outputs_and_input_gradients(torch, ours(a), theirs(b), a, b, 1e-12)


@pytest.mark.parametrize("kwargs", [{}, {"padding": 1, "ceil_mode": True}, {"stride": 1, "dilation": 2}])
def test_max_pool_indices_and_ties_as_pytorch(kwargs):
    torch = pytest.importorskip("torch")
    x = RNG.integers(0, 3, (2, 2, 6, 5)).astype(np.float64)  # many ties: the gradient goes to the first maximum
    a, b = symgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    (ya, ia), (yb, ib) = F.max_pool2d(a, 3, return_indices=True, **kwargs), \
        torch.nn.functional.max_pool2d(b, 3, return_indices=True, **kwargs)
    np.testing.assert_array_equal(ia.numpy(), ib.numpy())
    assert ia.dtype == symgrad.int64 and not ia.requires_grad
    ya.sum().backward()
    yb.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())
    m = nn.MaxPool1d(2, return_indices=True)
    np.testing.assert_array_equal(m(symgrad.tensor(x[0, 0]))[1].numpy(),
                                  torch.nn.MaxPool1d(2, return_indices=True)(torch.tensor(x[0, 0]))[1].numpy())


@pytest.mark.parametrize("dtype", ["int64"])
def test_integer_pooling_and_convolution_as_pytorch(dtype):
    torch = pytest.importorskip("torch")
    x = RNG.integers(-5, 9, (1, 2, 5, 5)).astype(dtype)
    w = RNG.integers(-2, 3, (3, 2, 2, 2)).astype(dtype)
    for ours, theirs in [(F.max_pool2d(symgrad.tensor(x), 2, padding=1), torch.nn.functional.max_pool2d(
                              torch.tensor(x), 2, padding=1)),
                         (F.avg_pool2d(symgrad.tensor(x), 3, 2, 1), torch.nn.functional.avg_pool2d(
                             torch.tensor(x), 3, 2, 1)),
                         (F.conv2d(symgrad.tensor(x), symgrad.tensor(w)), torch.nn.functional.conv2d(
                             torch.tensor(x), torch.tensor(w)))]:
        assert ours.dtype.name == str(theirs.dtype).removeprefix("torch.")
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert F.avg_pool2d(symgrad.ones(1, 3, 3, dtype=symgrad.int32), 2).dtype == symgrad.int32


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("shape,pad", [((2, 5), (2, 3)), ((2, 3, 4), (1, 2)), ((1, 2, 4, 5), (3, 0, 1, 2)),
                                       ((2, 3, 4, 5), (1, 1, 2, 3)), ((1, 2, 3, 3, 3), (1, 1, 0, 2, 2, 1))])
def test_pad_against_pytorch(mode, shape, pad):
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal(shape)
    a, b = symgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    _same_outputs_and_input_gradients(torch, F.pad(a, pad, mode), torch.nn.functional.pad(b, pad, mode), a, b, 1e-12)


def test_pad_constant_value_and_negative_sizes_as_pytorch():
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((2, 3, 4))
    for pad in [(1, -2), (-1, -1, 2, 0), (0, 0, 0, 0, 1, 1), (-2, 3, -1, 0, 0, 1)]:
        np.testing.assert_array_equal(F.pad(symgrad.tensor(x), pad, value=2.5).numpy(),
                                      torch.nn.functional.pad(torch.tensor(x), pad, value=2.5).numpy())


def test_unfold_against_pytorch():
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((2, 3, 5, 6))
    for kwargs in [{"kernel_size": 2}, {"kernel_size": (2, 3), "dilation": (1, 2), "padding": 1, "stride": (2, 1)}]:
        a, b = symgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ya, yb = nn.Unfold(**kwargs)(a), torch.nn.Unfold(**kwargs)(b)
        assert repr(nn.Unfold(**kwargs)) == repr(torch.nn.Unfold(**kwargs))
        np.testing.assert_array_equal(ya.detach().numpy(), yb.detach().numpy())
        ya.sum().backward()
        yb.sum().backward()
        np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())
    assert F.unfold(symgrad.tensor(x[0]), 2).shape == torch.nn.functional.unfold(torch.tensor(x[0]), 2).shape


# ---------------------------------------------------------------- initialisation, dtypes, closed forms

def test_conv_initialisation_is_pytorchs_scheme_and_seeded():
    conv = nn.Conv2d(4, 8, 3, groups=2)
    bound = 1 / math.sqrt(2 * 9)  # fan_in = in_channels/groups * kernel elements
    assert conv.weight.shape == (8, 2, 3, 3) and conv.bias.shape == (8,)
    assert np.abs(conv.weight.detach().numpy()).max() <= bound
    assert np.abs(conv.bias.detach().numpy()).max() <= bound
    symgrad.manual_seed(3)
    first = nn.Conv1d(2, 3, 4).state_dict()
    symgrad.manual_seed(3)
    second = nn.Conv1d(2, 3, 4).state_dict()
    for k in first:
        np.testing.assert_array_equal(first[k].numpy(), second[k].numpy())


def test_conv_default_and_given_dtypes():
    assert nn.Conv2d(1, 2, 3).weight.dtype == symgrad.float64
    assert nn.Conv2d(1, 2, 3, dtype=symgrad.float32).bias.dtype == symgrad.float32
    previous = symgrad.get_default_dtype()
    symgrad.set_default_dtype(symgrad.float32)
    try:
        conv = nn.Conv1d(1, 2, 3)
        out = F.max_pool1d(conv(symgrad.ones(1, 1, 6)), 2)
        assert conv.weight.dtype == symgrad.float32 and out.dtype == symgrad.float32
    finally:
        symgrad.set_default_dtype(previous)


def test_convolution_and_pooling_closed_forms():
    x = symgrad.tensor([[[1., 2., 3.], [4., 5., 6.]]], name="x")
    w = symgrad.tensor([[[[1., 2.], [3., 4.]]]], name="w", requires_grad=True)
    y = F.conv2d(x, w)
    assert str(y.expr[0, 0, 1]) == ("w[0, 0, 0, 0]*x[0, 0, 1] + w[0, 0, 0, 1]*x[0, 0, 2] + "
                                    "w[0, 0, 1, 0]*x[0, 1, 1] + w[0, 0, 1, 1]*x[0, 1, 2]")
    y.sum().backward()
    assert str(w.grad.expr[0, 0, 0, 0]) == "x[0, 0, 0] + x[0, 0, 1]"
    assert str(F.max_pool2d(x, 2, padding=1).expr[0, 0, 0]) == "x[0, 0, 0]"  # -inf padding drops out
    assert str(F.avg_pool2d(x, 2).expr[0, 0, 0]) == "x[0, 0, 0]/4 + x[0, 0, 1]/4 + x[0, 1, 0]/4 + x[0, 1, 1]/4"


def test_generated_code_decides_each_max_at_run_time():
    x = symgrad.tensor(RNG.standard_normal((1, 1, 4, 4)), requires_grad=True, name="x")
    loss = (F.max_pool2d(x, 2) ** 2).sum()
    step = symgrad.gradient_function(loss, [x])
    other = RNG.standard_normal((1, 1, 4, 4))
    value, (grad,) = step(other)
    again = symgrad.tensor(other, requires_grad=True)
    expected = (F.max_pool2d(again, 2) ** 2).sum()
    expected.backward()
    np.testing.assert_allclose(value, expected.item())
    np.testing.assert_allclose(grad, again.grad.numpy())


def test_max_pool_indices_are_positions_chosen_by_values():
    x = symgrad.tensor(RNG.standard_normal((1, 4, 4)), requires_grad=True, name="x")
    _, indices = F.max_pool2d(x, 2, return_indices=True)
    with pytest.raises(symgrad.codegen.CodegenError, match="positions chosen by the values"):
        symgrad.lambdify([x], indices)


# ---------------------------------------------------------------- errors (PyTorch's types and words)

ERRORS = [
    (lambda M, x, w: M.nn.functional.conv2d(x, M.ones(3, 1, 3, 3)), RuntimeError, "expected input[1, 2, 5, 5] to have 1 channels"),
    (lambda M, x, w: M.nn.functional.conv2d(x, w, groups=2), RuntimeError, "expected weight to be divisible by 2"),
    (lambda M, x, w: M.nn.functional.conv2d(x[0, 0], w), RuntimeError, "Expected 3D (unbatched) or 4D (batched) input to conv2d"),
    (lambda M, x, w: M.nn.functional.conv2d(x, w, stride=0), RuntimeError, "non-positive stride is not supported"),
    (lambda M, x, w: M.nn.functional.conv2d(x, w, padding=-1), RuntimeError, "negative padding is not supported"),
    (lambda M, x, w: M.nn.functional.conv2d(x, w, dilation=0), RuntimeError, "dilation should be greater than zero"),
    (lambda M, x, w: M.nn.functional.conv2d(x, M.ones(3, 2, 7, 7)), RuntimeError, "Kernel size can't be greater than actual input size"),
    (lambda M, x, w: M.nn.functional.conv2d(x, w, padding="same", stride=2), RuntimeError, "padding='same' is not supported for strided convolutions"),
    (lambda M, x, w: M.nn.functional.conv2d(x, w, padding="foo"), RuntimeError, "Invalid padding string: 'foo'"),
    (lambda M, x, w: M.nn.functional.conv2d(x, w, M.ones(2)), RuntimeError, "expected bias to be 1-dimensional with 3 elements"),
    (lambda M, x, w: M.nn.functional.conv2d(x, w, stride=(1, 1, 1)), RuntimeError, "expected stride to be a single integer value or a list of 2 values"),
    (lambda M, x, w: M.nn.functional.conv2d(x, w, groups=0), RuntimeError, "non-positive groups is not supported"),
    (lambda M, x, w: M.nn.Conv2d(3, 4, 3, groups=2), ValueError, "in_channels must be divisible by groups"),
    (lambda M, x, w: M.nn.Conv2d(4, 3, 3, groups=2), ValueError, "out_channels must be divisible by groups"),
    (lambda M, x, w: M.nn.Conv2d(4, 4, 3, groups=0), ValueError, "groups must be a positive integer"),
    (lambda M, x, w: M.nn.Conv2d(4, 4, 3, padding="foo"), ValueError, "Invalid padding string 'foo'"),
    (lambda M, x, w: M.nn.Conv2d(4, 4, 3, padding="same", stride=2), ValueError, "padding='same' is not supported"),
    (lambda M, x, w: M.nn.Conv2d(4, 4, 3, padding_mode="bad"), ValueError, "padding_mode must be one of"),
    (lambda M, x, w: M.nn.functional.max_pool2d(x, 2, padding=2), RuntimeError, "pad should be at most half of effective kernel size"),
    (lambda M, x, w: M.nn.functional.max_pool2d(x, 7), RuntimeError, "Output size is too small"),
    (lambda M, x, w: M.nn.functional.max_pool2d(x, 3, 1, 2, 2), RuntimeError, "pad should be smaller than or equal to half of kernel size, but got padW = 2, padH = 2, kW = 3, kH = 3"),
    (lambda M, x, w: M.nn.functional.max_pool1d(x[0], 3, 1, 2, 2), RuntimeError, "max_pool1d() padding should be at most half of kernel size, but got padding=2 and kernel_size=3"),
    (lambda M, x, w: M.nn.functional.avg_pool2d(x, 7), RuntimeError, "Calculated output size: (2x0x0)"),
    (lambda M, x, w: M.nn.functional.max_pool2d(x, 2, stride=0), RuntimeError, "stride should not be zero"),
    (lambda M, x, w: M.nn.functional.max_pool2d(x[0, 0], 2), RuntimeError, "non-empty 3D or 4D (batch mode) tensor expected for input"),
    (lambda M, x, w: M.nn.functional.max_pool1d(x[0, 0, 0], 2), RuntimeError, "max_pool1d: Expected 2D or 3D (batch mode) tensor"),
    (lambda M, x, w: M.nn.functional.adaptive_avg_pool2d(x[0, 0, 0], 2), RuntimeError, "adaptive_avg_pool2d(): Expected 3D or 4D tensor"),
    (lambda M, x, w: M.nn.functional.adaptive_avg_pool2d(x.long(), 2), NotImplementedError, "\"adaptive_avg_pool2d\" not implemented for 'Long'"),
    (lambda M, x, w: M.nn.functional.pad(x[0, 0:1, 0, 0:3], (3, 3), mode="reflect"), RuntimeError, "Padding size should be less than the corresponding input dimension"),
    (lambda M, x, w: M.nn.functional.pad(x[0, 0, 0:1], (6, 6), mode="circular"), RuntimeError, "Padding value causes wrapping around more than once"),
    (lambda M, x, w: M.nn.functional.pad(x[0, 0, 0], (1, 1), mode="reflect"), NotImplementedError, "Padding size 2 is not supported for 1D input tensor"),
    (lambda M, x, w: M.nn.functional.pad(x, (1,)), RuntimeError, "Padding length must be divisible by 2"),
    (lambda M, x, w: M.nn.functional.pad(x[0, 0, 0], (1, 1, 1, 1)), RuntimeError, "Padding length should be less than or equal to two times the input dimension"),
    (lambda M, x, w: M.nn.functional.pad(x, (1, 1), mode="bad"), NotImplementedError, "Unrecognised padding mode bad"),
    (lambda M, x, w: M.nn.functional.pad(x, (1, 1), mode="reflect", value=2.0), RuntimeError, "Padding mode \"reflect\" doesn't take in value argument"),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_as_pytorch(i):
    call, kind, words = ERRORS[i]
    x, w = symgrad.ones(1, 2, 5, 5), symgrad.ones(3, 2, 3, 3)
    with pytest.raises(kind, match=re.escape(words)):
        call(symgrad, x, w)
    try:
        import torch
    except ImportError:
        return
    with pytest.raises(kind, match=re.escape(words)):
        call(torch, torch.ones(1, 2, 5, 5), torch.ones(3, 2, 3, 3))


def test_arguments_of_the_wrong_type_are_named():
    with pytest.raises(TypeError, match="argument 'weight' must be a symgrad Tensor"):
        F.conv2d(symgrad.ones(1, 1, 3, 3), np.ones((1, 1, 2, 2)))
    with pytest.raises(TypeError, match="argument 'kernel_size' must be an int or a tuple of 2 ints"):
        F.max_pool2d(symgrad.ones(1, 1, 3, 3), 1.5)
    with pytest.raises(TypeError, match="argument 'pad' must be a tuple of ints"):
        F.pad(symgrad.ones(3), (1.0, 2.0))
