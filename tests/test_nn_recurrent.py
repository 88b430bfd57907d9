"""Recurrent layers (RNN, LSTM, GRU and their cells), parameter containers,
``F.one_hot`` and ``F.normalize`` against PyTorch: outputs, every gradient
from the same weights, parameter names, reprs, initialisation and errors
(skipped without torch where torch is the oracle).  (The op spec rows
``_RECURRENT_AND_MORE`` in ``tests/op_specs.py`` send the functions through
every oracle.)"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import symgrad
import symgrad.nn.functional as F  # noqa: N812 - PyTorch's convention
from symgrad import nn

RNG = np.random.default_rng(0)


def _torch():
    return pytest.importorskip("torch")


def _errors_alike(s_call, t_call):
    """Both raise the same exception type; returns symgrad's message."""
    with pytest.raises(Exception) as t_err:
        t_call()
    with pytest.raises(type(t_err.value)) as s_err:
        s_call()
    return str(s_err.value)


# ---------------------------------------------------------------- one_hot, normalize

@pytest.mark.parametrize("classes,num_classes", [([0, 2, 1], -1), ([[1, 0], [3, 3]], 5), ([], 3), (2, 4)])
def test_one_hot_as_pytorch(classes, num_classes):
    torch = _torch()
    s = F.one_hot(symgrad.tensor(classes, dtype=symgrad.int64), num_classes)
    t = torch.nn.functional.one_hot(torch.tensor(classes, dtype=torch.int64), num_classes)
    assert s.dtype == symgrad.int64 and tuple(s.shape) == tuple(t.shape)
    np.testing.assert_array_equal(s.numpy(), t.numpy())


@pytest.mark.parametrize("classes,num_classes,dtype", [([0, 2], 2, "int64"), ([0, -1], -1, "int64"),
                                                       ([0, 1], -1, "float64"), ([0, 1], -1, "int32"),
                                                       ([], -1, "int64"), ([1], -2, "int64")])
def test_one_hot_errors_as_pytorch(classes, num_classes, dtype):
    torch = _torch()
    message = _errors_alike(
        lambda: F.one_hot(symgrad.tensor(classes, dtype=getattr(symgrad, dtype)), num_classes),
        lambda: torch.nn.functional.one_hot(torch.tensor(classes, dtype=getattr(torch, dtype)), num_classes))
    assert message
    with pytest.raises(TypeError, match="must be Tensor"):
        F.one_hot([1, 0])


def test_one_hot_of_symbolic_classes_is_chosen_by_values():
    from symgrad.ops.positions import Picked

    rows = F.one_hot(symgrad.tensor([1, 0], name="c"))
    assert isinstance(rows._value, Picked)


@pytest.mark.parametrize("p,dim", [(2.0, 1), (1.0, 0), (3.0, -1), (float("inf"), 1)])
def test_normalize_values_and_gradients_as_pytorch(p, dim):
    torch = _torch()
    values = RNG.normal(size=(3, 4))
    values[1] = 0.0  # a zero row: the norm is raised to eps, and gets no gradient
    s_x = symgrad.tensor(values, requires_grad=True)
    t_x = torch.tensor(values, requires_grad=True)
    s_y, t_y = F.normalize(s_x, p, dim), torch.nn.functional.normalize(t_x, p, dim)
    np.testing.assert_allclose(s_y.detach().numpy(), t_y.detach().numpy(), rtol=1e-12, atol=1e-15)
    weights = RNG.normal(size=(3, 4))
    (s_y * symgrad.tensor(weights)).sum().backward()
    (t_y * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(s_x.grad.numpy(), t_x.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_normalize_dtype_and_errors_as_pytorch():
    torch = _torch()
    assert F.normalize(symgrad.ones(2, 2, dtype=symgrad.float32)).dtype == symgrad.float32
    _errors_alike(lambda: F.normalize(symgrad.tensor([3, 4])), lambda: torch.nn.functional.normalize(
        torch.tensor([3, 4])))
    _errors_alike(lambda: F.normalize(symgrad.tensor([3.0, 4.0])), lambda: torch.nn.functional.normalize(
        torch.tensor([3.0, 4.0])))


# ---------------------------------------------------------------- ParameterList, ParameterDict

def _parameter_holders(M):
    class Net(M.nn.Module):
        def __init__(self):
            super().__init__()
            self.scales = M.nn.ParameterList([M.nn.Parameter(M.ones(2, 3)), M.zeros(4)])
            self.shifts = M.nn.ParameterDict({"a": M.nn.Parameter(M.zeros(2)), "b": M.ones(1, 2)})
    return Net()


def test_parameter_containers_register_reprs_and_state_dict_as_pytorch():
    torch = _torch()
    s_net, t_net = _parameter_holders(symgrad), _parameter_holders(torch)
    assert list(s_net.state_dict()) == list(t_net.state_dict()) == ["scales.0", "scales.1", "shifts.a", "shifts.b"]
    assert [n for n, _ in s_net.named_parameters()] == [n for n, _ in t_net.named_parameters()]
    assert all(isinstance(p, nn.Parameter) for p in s_net.scales)
    assert all(isinstance(p, nn.Parameter) for p in s_net.shifts.values())
    # the reprs differ only in the library's name (PyTorch prints torch.float32 and torch.FloatTensor)
    t_net.double()
    assert repr(s_net) == repr(t_net).replace("torch.", "symgrad.")
    for M in (symgrad, torch):
        assert repr(M.nn.ParameterList()) == "ParameterList()" and repr(M.nn.ParameterDict()) == "ParameterDict()"
    s_net.load_state_dict({k: v.numpy() * 0 + 7 for k, v in t_net.state_dict().items()})
    assert s_net.shifts["b"].tolist() == [[7.0, 7.0]]


def test_parameter_list_behaves_as_a_list_and_names_symbols_by_position():
    scales = nn.ParameterList([nn.Parameter(symgrad.tensor([2.0])), nn.Parameter(symgrad.tensor([3.0]))])
    assert len(scales) == 2 and scales[-1] is scales[1] and len(scales[:1]) == 1
    scales.append(symgrad.tensor([4.0]))
    scales += [symgrad.tensor([5.0])]
    assert len(list(scales.parameters())) == 4
    assert str((scales[0] * scales[3]).expr) == "[scales[0][0]*scales[3][0]]"
    scales[0] = "not a parameter"   # as PyTorch: kept as an object, no longer a parameter
    assert len(list(scales.parameters())) == 3 and "(0): Object of type: str" in repr(scales)
    with pytest.raises(IndexError):
        scales[4]
    with pytest.raises(TypeError, match="iterable"):
        scales.extend(symgrad.ones(2))
    with pytest.raises(RuntimeError, match="should not be called"):
        scales(1)


def test_parameter_dict_behaves_as_a_dict():
    torch = _torch()
    d = nn.ParameterDict([("w", symgrad.ones(2))])
    d["b"] = nn.Parameter(symgrad.zeros(1))
    assert list(d) == ["w", "b"] and list(reversed(d)) == ["b", "w"] and "w" in d and d.get("z") is None
    assert d.setdefault("c", symgrad.ones(1)) is d["c"] and len(d) == 3
    key, value = d.popitem()
    assert key == "c" and isinstance(value, nn.Parameter) and len(list(d.parameters())) == 2
    assert list(d | nn.ParameterDict({"z": symgrad.ones(1)})) == ["w", "b", "z"]
    assert list(d.copy()) == ["w", "b"] and list(d.fromkeys(["x"], symgrad.ones(1))) == ["x"]
    del d["w"]
    assert list(d.state_dict()) == ["b"]
    d.clear()
    assert len(d) == 0 and not list(d.parameters())
    with pytest.raises(KeyError):
        d["missing"]
    _errors_alike(lambda: nn.ParameterDict({1: symgrad.ones(1)}), lambda: torch.nn.ParameterDict(
        {1: torch.ones(1)}))
    _errors_alike(lambda: nn.ParameterDict(symgrad.ones(1)), lambda: torch.nn.ParameterDict(torch.ones(1)))


# ---------------------------------------------------------------- RNN, LSTM, GRU

def _flatten(result):
    """The tensors of ``(output, h_n)`` or ``(output, (h_n, c_n))``, in order."""
    out, hidden = result
    return [out, *(hidden if isinstance(hidden, tuple) else (hidden,))]


def _same_model(name, args, kwargs):
    """A torch model in float64 and the symgrad model with its weights."""
    torch = _torch()
    t_model = getattr(torch.nn, name)(*args, **kwargs).double()
    s_model = getattr(nn, name)(*args, **kwargs)
    s_model.load_state_dict(t_model.state_dict())
    return s_model, t_model


def _results_of_cell(out):
    """A cell's ``h`` or ``(h, c)`` shaped as a layer's ``(output, hidden)``."""
    return out if isinstance(out, tuple) else (out, out * 0)


def _compare_runs(s_model, t_model, x, hx=None, rtol=1e-10, cell=False):
    """Outputs, hidden states and the gradients of the input, the initial
    state and every parameter, from ``sum(out_i * weights_i)``."""
    torch = _torch()
    s_x, t_x = symgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    as_s = [symgrad.tensor(h, requires_grad=True) for h in hx] if hx is not None else None
    as_t = [torch.tensor(h, requires_grad=True) for h in hx] if hx is not None else None
    pick = (lambda hs: None if hs is None else hs[0] if len(hs) == 1 else tuple(hs))
    s_res, t_res = s_model(s_x, pick(as_s)), t_model(t_x, pick(as_t))
    if cell:
        s_res, t_res = _results_of_cell(s_res), _results_of_cell(t_res)
    s_outs, t_outs = _flatten(s_res), _flatten(t_res)
    s_loss, t_loss = 0, 0
    for s_o, t_o in zip(s_outs, t_outs, strict=True):
        assert tuple(s_o.shape) == tuple(t_o.shape)
        np.testing.assert_allclose(s_o.detach().numpy(), t_o.detach().numpy(), rtol=rtol, atol=1e-13)
        weights = RNG.normal(size=tuple(t_o.shape))
        s_loss = s_loss + (s_o * symgrad.tensor(weights)).sum()
        t_loss = t_loss + (t_o * torch.tensor(weights)).sum()
    s_loss.backward()
    t_loss.backward()
    pairs = [(s_x, t_x), *zip(as_s or [], as_t or [])]
    pairs += [(p, dict(t_model.named_parameters())[n]) for n, p in s_model.named_parameters()]
    for s_t, t_t in pairs:
        np.testing.assert_allclose(s_t.grad.numpy(), t_t.grad.numpy(), rtol=rtol, atol=1e-12)


CONFIGS = [
    ("RNN", (3, 4), {}),
    ("RNN", (3, 4, 2), {"nonlinearity": "relu", "bidirectional": True}),
    ("RNN", (3, 4), {"bias": False, "batch_first": True}),
    ("LSTM", (3, 4), {}),
    ("LSTM", (3, 4, 2), {"bidirectional": True, "batch_first": True}),
    ("LSTM", (3, 5), {"proj_size": 2, "num_layers": 2, "bias": False}),
    ("GRU", (3, 4), {}),
    ("GRU", (3, 4, 2), {"bidirectional": True}),
]


@pytest.mark.parametrize("name,args,kwargs", CONFIGS)
def test_recurrent_layers_outputs_and_all_gradients_as_pytorch(name, args, kwargs):
    s_model, t_model = _same_model(name, args, kwargs)
    assert repr(s_model) == repr(t_model)
    assert [n for n, _ in s_model.named_parameters()] == [n for n, _ in t_model.named_parameters()]
    shape = (2, 5, 3) if kwargs.get("batch_first") else (5, 2, 3)
    _compare_runs(s_model, t_model, RNG.normal(size=shape))


@pytest.mark.parametrize("name,args,kwargs", CONFIGS)
def test_recurrent_layers_with_initial_state_and_unbatched_as_pytorch(name, args, kwargs):
    s_model, t_model = _same_model(name, args, kwargs)
    layers = args[2] if len(args) > 2 else kwargs.get("num_layers", 1)
    count = layers * (2 if kwargs.get("bidirectional") else 1)
    h_size = kwargs.get("proj_size") or args[1]
    sizes = [h_size, args[1]] if name == "LSTM" else [h_size]
    batch_shape = (2, 4, 3) if kwargs.get("batch_first") else (4, 2, 3)
    _compare_runs(s_model, t_model, RNG.normal(size=batch_shape), [RNG.normal(size=(count, 2, s)) for s in sizes])
    _compare_runs(s_model, t_model, RNG.normal(size=(4, 3)), [RNG.normal(size=(count, s)) for s in sizes])


@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("bias", [True, False])
def test_cells_as_pytorch(name, bias):
    torch = _torch()
    kwargs = {"bias": bias} if bias is False else {"nonlinearity": "relu"} if name == "RNNCell" else {}
    s_cell, t_cell = _same_model(name, (3, 4), kwargs)
    assert repr(s_cell) == repr(t_cell)
    for shape, h_shape in [((2, 3), (2, 4)), ((3,), (4,))]:
        x = RNG.normal(size=shape)
        hx = [RNG.normal(size=h_shape) for _ in range(2 if name == "LSTMCell" else 1)]
        _compare_runs(s_cell, t_cell, x, hx, cell=True)
        s_h = _results_of_cell(s_cell(symgrad.tensor(x)))[0]  # hx None: zeros
        t_h = _results_of_cell(t_cell(torch.tensor(x)))[0]
        np.testing.assert_allclose(s_h.detach().numpy(), t_h.detach().numpy(), rtol=1e-10)


def test_initialisation_uniform_in_one_over_sqrt_hidden_and_reproducible():
    symgrad.manual_seed(3)
    first = nn.LSTM(3, 16, num_layers=2)
    symgrad.manual_seed(3)
    again = nn.LSTM(3, 16, num_layers=2)
    for (name, p), q in zip(first.named_parameters(), again.parameters(), strict=True):
        assert np.array_equal(p.detach().numpy(), q.detach().numpy()), name
        assert np.all(np.abs(p.detach().numpy()) <= 0.25) and p.detach().numpy().std() > 0.1
    cell = nn.GRUCell(2, 4)
    assert [n for n, _ in cell.named_parameters()] == ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
    assert all(np.all(np.abs(p.detach().numpy()) <= 0.5) for p in cell.parameters())


def test_default_dtype_and_promotion():
    symgrad.set_default_dtype(symgrad.float32)
    try:
        rnn = nn.GRU(2, 3)
        out, h = rnn(symgrad.ones(4, 1, 2))
        assert rnn.weight_ih_l0.dtype == out.dtype == h.dtype == symgrad.float32
    finally:
        symgrad.set_default_dtype(symgrad.float64)
    # float32 data into a float64 model is promoted, as symgrad's Linear does (PyTorch raises a ValueError)
    assert nn.RNN(2, 3)(symgrad.ones(4, 2, dtype=symgrad.float32))[0].dtype == symgrad.float64
    assert nn.GRU(2, 3, dtype=symgrad.float32).bias_hh_l0.dtype == symgrad.float32


def test_dropout_between_layers_in_training_only():
    torch = _torch()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nn.LSTM(3, 4, dropout=0.5)
        torch.nn.LSTM(3, 4, dropout=0.5)
    assert [str(w.message) for w in caught[:1]] == [str(caught[1].message)]
    s_model, t_model = _same_model("GRU", (3, 4, 3), {"dropout": 0.5})
    s_model.eval(), t_model.eval()
    _compare_runs(s_model, t_model, RNG.normal(size=(3, 2, 3)))
    s_model.train()
    x = symgrad.tensor(RNG.normal(size=(3, 2, 3)))
    symgrad.manual_seed(0)
    first = s_model(x)[0]
    symgrad.manual_seed(0)
    assert np.array_equal(first.detach().numpy(), s_model(x)[0].detach().numpy())
    assert not np.allclose(first.detach().numpy(), s_model.eval()(x)[0].detach().numpy())


@pytest.mark.parametrize("name,args,kwargs", [
    ("RNN", (3, 4), {"nonlinearity": "sigmoid"}), ("RNN", (3, 4), {"dropout": 1.5}),
    ("RNN", (3, 4), {"dropout": True}), ("GRU", (3, 4), {"proj_size": 2}), ("RNN", (0, 4), {}),
    ("RNN", (3.0, 4), {}), ("RNN", (3, 4), {"bias": 1}), ("LSTM", (3, 4), {"num_layers": 0}),
    ("LSTM", (3, 4), {"proj_size": 4}), ("LSTM", (3, 4), {"proj_size": -1}), ("GRU", (3, 4), {"batch_first": 0}),
])
def test_module_errors_as_pytorch(name, args, kwargs):
    torch = _torch()
    assert _errors_alike(lambda: getattr(nn, name)(*args, **kwargs), lambda: getattr(torch.nn, name)(*args, **kwargs))


@pytest.mark.parametrize("name,x_shape,hx_shapes", [
    ("RNN", (2, 2, 5), None), ("RNN", (2, 2, 3), [(2, 2, 4)]), ("RNN", (2, 2, 3, 1), None),
    ("RNN", (2, 2, 3), [(2, 4)]), ("RNN", (3, 3), [(1, 1, 4)]), ("RNN", (0, 2, 3), None),
    ("GRU", (1, 1, 1, 3), None), ("LSTM", (1, 1, 1, 3), None), ("LSTM", (2, 2, 3), [(1, 2, 4), (1, 2, 3)]),
    ("LSTM", (3, 3), [(1, 1, 4), (1, 4)]), ("LSTM", (2, 2, 3), [(2, 2, 4), (1, 2, 4)]),
    ("RNNCell", (2, 5), None), ("RNNCell", (2, 3), [(3, 4)]), ("RNNCell", (2, 3), [(2, 5)]),
    ("GRUCell", (1, 1, 3), None), ("GRUCell", (1, 3), [(1, 1, 4)]), ("LSTMCell", (1, 1, 3), None),
    ("LSTMCell", (2, 3), [(2, 4), (2, 5)]),
])
def test_forward_errors_as_pytorch(name, x_shape, hx_shapes):
    torch = _torch()
    s_model, t_model = getattr(nn, name)(3, 4), getattr(torch.nn, name)(3, 4).double()

    def call(M, model):
        hx = None if hx_shapes is None else [M.zeros(*s, dtype=M.float64) for s in hx_shapes]
        return model(M.zeros(*x_shape, dtype=M.float64), None if hx is None else hx[0] if len(hx) == 1 else tuple(hx))
    assert _errors_alike(lambda: call(symgrad, s_model), lambda: call(torch, t_model))


def test_refusals_with_the_fix_named():
    torch = _torch()
    packed = torch.nn.utils.rnn.pack_padded_sequence(torch.zeros(3, 2, 3), [3, 2])
    with pytest.raises(TypeError, match="symgrad.nn.utils.rnn.pack_padded_sequence"):
        nn.LSTM(3, 4)(packed)  # PyTorch's PackedSequence: symgrad's own is read (tests/test_nn_layers3.py)
    with pytest.raises(ValueError, match="nn.Embedding"):
        nn.GRU(3, 4)(symgrad.zeros(2, 3, dtype=symgrad.int64))
    with pytest.raises(TypeError, match=r"\(h_0, c_0\)"):
        nn.LSTM(3, 4)(symgrad.zeros(2, 3), symgrad.zeros(1, 4))
    with pytest.raises(TypeError, match="symgrad Tensor"):
        nn.RNNCell(3, 4)(np.zeros((2, 3)))
    with pytest.raises(RuntimeError, match="Unknown nonlinearity: sigmoid"):
        nn.RNNCell(3, 4, nonlinearity="sigmoid")(symgrad.zeros(1, 3))


def test_closed_form_of_an_lstm_step_reads_as_the_equations():
    lstm = nn.LSTMCell(1, 1, bias=False)
    h, c = lstm(symgrad.tensor([[1.0]], name="x"))
    text = str(c.expr[0, 0])
    assert "tanh(weight_ih[2, 0]*x[0, 0])" in text and "exp(-weight_ih[0, 0]*x[0, 0])" in text
    assert str(h.expr[0, 0]).count("tanh") == 2


# ---------------------------------------------------------------- interpolate, Upsample

def _gradient_of_torch_forward(shape, kwargs, weights):
    """The gradient of ``sum(weights * interpolate(x))`` from PyTorch's forward alone (it is linear in x):
    its value at each basis vector."""
    torch = _torch()
    basis = np.eye(int(np.prod(shape))).reshape(-1, *shape)
    outputs = [torch.nn.functional.interpolate(torch.tensor(e), **kwargs).numpy() for e in basis]
    return np.array([np.sum(out * weights) for out in outputs]).reshape(shape)


@pytest.mark.parametrize("shape,kwargs", [
    ((2, 3, 5), {"scale_factor": 2}), ((1, 2, 5), {"size": 3}), ((1, 2, 7), {"size": 4}),
    ((1, 1, 6), {"scale_factor": 0.7}), ((1, 1, 3), {"scale_factor": 1 / 3 * 7}), ((1, 2, 3, 4), {"size": (5, 3)}),
    ((1, 1, 4, 4), {"scale_factor": (1.5, 0.5)}), ((1, 1, 3, 3), {"scale_factor": 3, "recompute_scale_factor": True}),
    ((2, 3, 5), {"scale_factor": 1.7, "mode": "linear"}), ((1, 2, 5), {"size": 3, "mode": "linear"}),
    ((1, 2, 4), {"size": 9, "mode": "linear", "align_corners": True}), ((1, 1, 1), {"size": 3, "mode": "linear"}),
    ((1, 1, 4), {"size": 1, "mode": "linear", "align_corners": True}), ((1, 1, 5), {"size": 5, "mode": "linear"}),
    ((1, 2, 3, 4), {"size": (5, 2), "mode": "bilinear"}), ((2, 1, 3, 3), {"scale_factor": 2, "mode": "bilinear"}),
    ((1, 1, 4, 3), {"size": (2, 7), "mode": "bilinear", "align_corners": True}),
    ((1, 1, 4, 4), {"scale_factor": 0.6, "mode": "bilinear", "recompute_scale_factor": True}),
])
def test_interpolate_values_and_gradients_as_pytorch(shape, kwargs):
    torch = _torch()
    values = RNG.normal(size=shape)
    s_x, t_x = symgrad.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    s_y, t_y = F.interpolate(s_x, **kwargs), torch.nn.functional.interpolate(t_x, **kwargs)
    assert tuple(s_y.shape) == tuple(t_y.shape)
    np.testing.assert_allclose(s_y.detach().numpy(), t_y.detach().numpy(), rtol=1e-12, atol=1e-14)
    weights = RNG.normal(size=tuple(t_y.shape))
    (s_y * symgrad.tensor(weights)).sum().backward()
    (t_y * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(s_x.grad.numpy(), _gradient_of_torch_forward(shape, kwargs, weights), rtol=1e-12,
                               atol=1e-14)
    if kwargs.get("scale_factor") != 1 / 3 * 7:
        np.testing.assert_allclose(s_x.grad.numpy(), t_x.grad.numpy(), rtol=1e-12, atol=1e-14)
    else:  # PyTorch's nearest backward maps an output twice the input's size by i // 2, its forward by floor(i * 3/7)
        assert not np.allclose(s_x.grad.numpy(), t_x.grad.numpy())
    f32 = F.interpolate(symgrad.tensor(values, dtype=symgrad.float32), **kwargs)
    t32 = torch.nn.functional.interpolate(torch.tensor(values, dtype=torch.float32), **kwargs)
    assert f32.dtype == symgrad.float32
    np.testing.assert_allclose(f32.numpy(), t32.numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("shape,kwargs", [
    ((1, 1, 4), {"scale_factor": 2, "align_corners": True}), ((1, 1, 4), {"size": 3, "scale_factor": 2}),
    ((1, 1, 4), {}), ((1, 1, 4), {"size": 3, "mode": "bilinear"}), ((1, 1, 4, 4), {"size": 3, "mode": "linear"}),
    ((1, 1, 4), {"size": (3, 3)}), ((4,), {"size": 3}), ((1, 1, 4), {"size": 0}),
    ((1, 1, 4), {"scale_factor": -1.0}), ((1, 1, 4), {"size": 3, "mode": "cubic"}),
])
def test_interpolate_errors_as_pytorch(shape, kwargs):
    torch = _torch()
    assert _errors_alike(lambda: F.interpolate(symgrad.zeros(*shape), **kwargs),
                         lambda: torch.nn.functional.interpolate(torch.zeros(*shape), **kwargs))
    with pytest.raises(NotImplementedError, match="double"):
        F.interpolate(symgrad.zeros(1, 1, 2, dtype=symgrad.int64), size=3)


@pytest.mark.parametrize("kwargs", [{"scale_factor": 2, "mode": "bilinear"}, {"size": 3},
                                    {"size": (3, 4), "mode": "bilinear", "align_corners": True},
                                    {"scale_factor": (2, 3)}])
def test_upsample_as_pytorch(kwargs):
    torch = _torch()
    s_up, t_up = nn.Upsample(**kwargs), torch.nn.Upsample(**kwargs)
    assert repr(s_up) == repr(t_up)
    values = RNG.normal(size=(1, 2, 3, 2))
    np.testing.assert_allclose(s_up(symgrad.tensor(values)).numpy(), t_up(torch.tensor(values)).numpy(), rtol=1e-12)


# ---------------------------------------------------------------- scaled_dot_product_attention

@pytest.mark.parametrize("shapes,kwargs", [
    (((2, 3, 4), (2, 5, 4), (2, 5, 2)), {}), (((1, 2, 3, 4), (1, 2, 3, 4), (1, 2, 3, 4)), {"is_causal": True}),
    (((3, 4), (5, 4), (5, 3)), {"scale": 0.3}), (((2, 3, 4), (2, 5, 4), (2, 5, 2)), {"mask": "bool"}),
    (((2, 3, 4), (2, 5, 4), (2, 5, 2)), {"mask": "float"}),
])
def test_scaled_dot_product_attention_as_pytorch(shapes, kwargs):
    torch = _torch()
    kwargs = dict(kwargs)
    mask = kwargs.pop("mask", None)
    arrays = [RNG.normal(size=s) for s in shapes]
    masks = {"bool": RNG.random((3, 5)) > 0.3, "float": RNG.normal(size=(3, 5))}
    if mask == "bool":
        masks["bool"][:, 0] = True  # every query attends to something (PyTorch's kernels disagree on empty rows)
    s_in = [symgrad.tensor(a, requires_grad=True) for a in arrays]
    t_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    s_mask = None if mask is None else symgrad.tensor(masks[mask])
    t_mask = None if mask is None else torch.tensor(masks[mask])
    s_y = F.scaled_dot_product_attention(*s_in, attn_mask=s_mask, **kwargs)
    t_y = torch.nn.functional.scaled_dot_product_attention(*t_in, attn_mask=t_mask, **kwargs)
    np.testing.assert_allclose(s_y.detach().numpy(), t_y.detach().numpy(), rtol=1e-10, atol=1e-12)
    weights = RNG.normal(size=tuple(t_y.shape))
    (s_y * symgrad.tensor(weights)).sum().backward()
    (t_y * torch.tensor(weights)).sum().backward()
    for s_t, t_t in zip(s_in, t_in, strict=True):
        np.testing.assert_allclose(s_t.grad.numpy(), t_t.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("mask", ["bool", "float"])
def test_scaled_dot_product_attention_query_with_every_key_masked_as_pytorch(mask):
    torch = _torch()  # PyTorch's _safe_softmax: such a query's weights, output and gradients are 0, not nan
    arrays = [RNG.normal(size=s) for s in ((2, 3, 4), (2, 5, 4), (2, 5, 2))]
    keep = RNG.random((3, 5)) > 0.3
    keep[:, 0], keep[1] = True, False
    values = keep if mask == "bool" else np.where(keep, RNG.normal(size=(3, 5)), -np.inf)
    s_in = [symgrad.tensor(a, requires_grad=True) for a in arrays]
    t_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    s_y = F.scaled_dot_product_attention(*s_in, attn_mask=symgrad.tensor(values))
    t_y = torch.nn.functional.scaled_dot_product_attention(*t_in, attn_mask=torch.tensor(values))
    np.testing.assert_allclose(s_y.detach().numpy(), t_y.detach().numpy(), rtol=1e-10, atol=1e-12)
    weights = RNG.normal(size=tuple(t_y.shape))
    s_grads = symgrad.autograd.grad((s_y * symgrad.tensor(weights)).sum(), s_in, create_graph=True)
    t_grads = torch.autograd.grad((t_y * torch.tensor(weights)).sum(), t_in, create_graph=True)
    for s_g, t_g in zip(s_grads, t_grads, strict=True):
        np.testing.assert_allclose(s_g.detach().numpy(), t_g.detach().numpy(), rtol=1e-9, atol=1e-12)
    s_second = symgrad.autograd.grad(sum((g ** 2).sum() for g in s_grads), s_in)
    t_second = torch.autograd.grad(sum((g ** 2).sum() for g in t_grads), t_in)
    for s_g, t_g in zip(s_second, t_second, strict=True):
        np.testing.assert_allclose(s_g.numpy(), t_g.numpy(), rtol=1e-8, atol=1e-12)


def test_scaled_dot_product_attention_errors():
    torch = _torch()
    q = symgrad.zeros(2, 3)
    _errors_alike(lambda: F.scaled_dot_product_attention(q, q, q, attn_mask=symgrad.ones(2, 2), is_causal=True),
                  lambda: torch.nn.functional.scaled_dot_product_attention(
                      torch.zeros(2, 3), torch.zeros(2, 3), torch.zeros(2, 3), attn_mask=torch.ones(2, 2),
                      is_causal=True))
    with pytest.raises(RuntimeError, match="same embedding size"):
        F.scaled_dot_product_attention(q, symgrad.zeros(2, 4), q)
    with pytest.raises(NotImplementedError, match="repeat_interleave"):
        F.scaled_dot_product_attention(q, q, q, enable_gqa=True)
