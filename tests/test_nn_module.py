"""``nn.Module`` and ``nn.Parameter``: registration, traversal, modes,
state_dict, dtype/device moves, printing and the errors for misuse."""

from __future__ import annotations

import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import symgrad
from symgrad import nn


class LinearRegression(nn.Module):
    def __init__(self):
        super(LinearRegression, self).__init__()  # noqa: UP008 - written as the seed writes it
        self.linear = nn.Linear(1, 1)

    def forward(self, x):
        return self.linear(x)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
        self.head = nn.Linear(3, 1, bias=False)
        self.scale = nn.Parameter(symgrad.tensor(2.0))
        self.register_buffer("mean", symgrad.zeros(2))
        self.register_buffer("scratch", symgrad.zeros(1), persistent=False)

    def forward(self, x):
        return self.head(self.body(x - self.mean)) * self.scale


# ---------------------------------------------------------------- Parameter

def test_parameter_requires_grad_and_prints_like_pytorch():
    p = nn.Parameter(symgrad.tensor([[0.25]]))
    assert p.requires_grad and p.is_leaf
    assert repr(p) == "Parameter containing:\ntensor([[0.2500]], requires_grad=True)"
    assert not nn.Parameter(symgrad.tensor([1.0]), requires_grad=False).requires_grad


def test_parameter_shares_memory_with_its_data():
    t = symgrad.tensor([1.0, 2.0])
    p = nn.Parameter(t)
    t.data.mul_(10)
    assert p.tolist() == [10.0, 20.0]


def test_parameter_survives_pickle_and_deepcopy():
    p = nn.Parameter(symgrad.tensor([1.5]))
    for q in (pickle.loads(pickle.dumps(p)), copy.deepcopy(p)):
        assert type(q) is nn.Parameter and q.requires_grad and q.tolist() == [1.5]


def test_parameter_of_non_tensor_is_an_error():
    with pytest.raises(TypeError, match=r"nn.Parameter\(symgrad.tensor"):
        nn.Parameter([1.0, 2.0])


def test_ops_on_parameters_return_tensors():
    p = nn.Parameter(symgrad.tensor([1.0]))
    assert type(p * 2) is symgrad.Tensor
    assert type(p.detach()) is symgrad.Tensor


# ---------------------------------------------------------------- registration and traversal

def test_named_parameters_buffers_and_modules():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == ["scale", "body.0.weight", "body.0.bias", "head.weight"]
    assert [n for n, _ in net.named_buffers()] == ["mean", "scratch"]
    assert [n for n, _ in net.named_modules()] == ["", "body", "body.0", "body.1", "head"]
    assert [n for n, _ in net.named_children()] == ["body", "head"]
    assert len(list(net.parameters(recurse=False))) == 1
    assert net.get_parameter("body.0.bias") is net.body[0].bias
    assert net.get_submodule("body.1").__class__ is nn.ReLU
    assert net.head.bias is None


def test_shared_parameters_are_listed_once():
    layer = nn.Linear(2, 2)
    net = nn.Sequential(layer, layer)
    assert len(list(net.parameters())) == 2
    assert list(net.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]


def test_reassigning_a_member_keeps_its_place():
    # Found reviewing as a PyTorch user: model.body = ... (or a new Parameter
    # for a weight) moved the member to the end, so named_parameters(),
    # state_dict() and an optimizer's parameter order changed.  PyTorch keeps
    # its place.
    net = Net()
    net.body = nn.Sequential(nn.Linear(2, 3))
    net.scale = nn.Parameter(symgrad.tensor(3.0))
    assert [n for n, _ in net.named_children()] == ["body", "head"]
    assert list(net.state_dict()) == ["scale", "mean", "body.0.weight", "body.0.bias", "head.weight"]
    layer = nn.Linear(2, 2)
    layer.weight = nn.Parameter(symgrad.ones(2, 2))
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]


def test_assignment_errors():
    net = Net()
    with pytest.raises(TypeError, match=r"cannot assign 'Tensor' as parameter 'scale' \(symgrad.nn.Parameter"):
        net.scale = symgrad.tensor(1.0)
    with pytest.raises(TypeError, match="child module 'head'"):
        net.head = 3
    with pytest.raises(TypeError, match="buffer 'mean'"):
        net.mean = [0.0, 0.0]
    net.scale = None  # allowed: an absent parameter
    assert "scale" not in dict(net.named_parameters())


def test_assigning_before_init_is_an_error():
    class Broken(nn.Module):
        def __init__(self):
            self.linear = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"before Module.__init__\(\) call; call super\(\).__init__\(\)"):
        Broken()


def test_bad_names_and_missing_attributes():
    m = nn.Module()
    with pytest.raises(KeyError, match="empty or contain"):
        m.register_buffer("a.b", symgrad.zeros(1))
    with pytest.raises(TypeError, match="buffer 'b'"):
        m.register_buffer("b", np.zeros(1))
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'nothing'"):
        m.nothing  # noqa: B018


def test_missing_forward():
    with pytest.raises(NotImplementedError, match=r'Module \[Module\] is missing the required "forward"'):
        nn.Module()(symgrad.zeros(1))


def test_delete_attribute_unregisters():
    net = Net()
    del net.head
    assert "head" not in dict(net.named_children())


def test_train_eval_reach_every_module():
    net = Net()
    assert net.training and net.body[1].training
    net.eval()
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError, match="boolean"):
        net.train("no")


def test_apply_visits_children_first():
    seen = []
    Net().apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "ReLU", "Sequential", "Linear", "Net"]


# ---------------------------------------------------------------- gradients

def test_zero_grad_drops_or_zeroes():
    net = Net()
    net(symgrad.ones(4, 2)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.any() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_requires_grad_freezes():
    net = Net()
    net.body.requires_grad_(False)
    net(symgrad.ones(1, 2)).sum().backward()
    assert net.body[0].weight.grad is None and net.head.weight.grad is not None


# ---------------------------------------------------------------- state_dict

def test_state_dict_holds_parameters_and_persistent_buffers():
    sd = Net().state_dict()
    assert isinstance(sd, OrderedDict)
    assert list(sd) == ["scale", "mean", "body.0.weight", "body.0.bias", "head.weight"]
    assert all(type(v) is symgrad.Tensor and not v.requires_grad for v in sd.values())


def test_state_dict_shares_memory_and_keep_vars():
    net = Net()
    sd = net.state_dict()
    with symgrad.no_grad():
        net.head.weight.add_(1.0)
    assert np.array_equal(np.asarray(sd["head.weight"].detach()), np.asarray(net.head.weight.detach()))
    assert net.state_dict(keep_vars=True)["head.weight"] is net.head.weight


def test_state_dict_round_trip_keeps_parameter_objects():
    a, b = Net(), Net()
    weight = b.head.weight
    result = b.load_state_dict(copy.deepcopy(a.state_dict()))
    assert repr(result) == "<All keys matched successfully>"
    assert b.head.weight is weight
    for (name, x), (_, y) in zip(a.state_dict().items(), b.state_dict().items()):
        assert np.array_equal(np.asarray(x), np.asarray(y)), name
    x = symgrad.ones(3, 2)
    assert a(x).allclose(b(x))


def test_load_state_dict_accepts_numpy_and_converts_dtype():
    layer = nn.Linear(2, 1)
    layer.load_state_dict({"weight": np.array([[1, 2]], dtype=np.int64), "bias": np.array([0.5], np.float32)})
    assert layer.weight.dtype == symgrad.float64 and layer.weight.tolist() == [[1.0, 2.0]]
    assert layer.bias.tolist() == [0.5]


def test_load_state_dict_errors_list_every_problem():
    layer = nn.Linear(1, 1)
    bad = {"weight": symgrad.zeros(2, 1), "extra": symgrad.zeros(1)}
    with pytest.raises(RuntimeError) as info:
        layer.load_state_dict(bad)
    msg = str(info.value)
    assert msg.startswith("Error(s) in loading state_dict for Linear:")
    assert 'Missing key(s) in state_dict: "bias".' in msg
    assert 'Unexpected key(s) in state_dict: "extra".' in msg
    assert "size mismatch for weight: copying a param with shape symgrad.Size([2, 1])" in msg
    result = layer.load_state_dict({"weight": symgrad.ones(1, 1)}, strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == []
    assert layer.weight.item() == 1.0
    with pytest.raises(TypeError, match="dict-like"):
        layer.load_state_dict([1, 2])
    with pytest.raises(RuntimeError, match="expected a tensor or array of numbers"):
        layer.load_state_dict({"weight": "oops", "bias": symgrad.zeros(1)})


def test_load_state_dict_from_pytorch():
    torch = pytest.importorskip("torch")
    t_layer = torch.nn.Linear(3, 2)
    s_layer = nn.Linear(3, 2)
    s_layer.load_state_dict(t_layer.state_dict())
    x = np.arange(6.0).reshape(2, 3)
    # like with like: symgrad's parameters are float64 copies of PyTorch's float32 ones, so compare
    # with PyTorch in float64 (a float32 PyTorch result differs by its own rounding, ~1e-6)
    expected = t_layer.double()(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(s_layer(symgrad.from_numpy(x)).detach().numpy(), expected, rtol=1e-12)


# ---------------------------------------------------------------- dtype and device

def test_to_dtype_converts_floating_members_and_keeps_objects():
    net = Net()
    net(symgrad.ones(1, 2)).sum().backward()
    weight = net.head.weight
    assert net.to(symgrad.float32) is net
    assert net.head.weight is weight and weight.dtype == symgrad.float32 and weight.requires_grad
    assert weight.grad.dtype == symgrad.float32
    assert net.mean.dtype == symgrad.float32
    assert net.double().head.weight.dtype == symgrad.float64
    assert net.float().scale.dtype == symgrad.float32


def test_to_device():
    net = LinearRegression()
    device = symgrad.device("cuda:0" if symgrad.cuda.is_available() else "cpu")
    assert net.to(device) is net and net.to("cpu") is net and net.cpu() is net
    assert net.to("cpu", dtype=symgrad.float32).linear.weight.dtype == symgrad.float32
    with pytest.raises(RuntimeError, match="device 'cuda' is not available"):
        net.to("cuda")
    with pytest.raises(RuntimeError, match="not available"):
        net.cuda()
    with pytest.raises(TypeError, match="only accepts floating point dtypes"):
        net.to(symgrad.int64)


def test_symbol_survives_dtype_change():
    model = LinearRegression()
    before = model.linear.weight.symbol
    model.to(symgrad.float32)
    assert model.linear.weight.symbol == before


# ---------------------------------------------------------------- printing

def test_repr_matches_pytorch_layout():
    assert repr(LinearRegression()) == ("LinearRegression(\n"
                                        "  (linear): Linear(in_features=1, out_features=1, bias=True)\n"
                                        ")")
    assert repr(Net()) == ("Net(\n"
                           "  (body): Sequential(\n"
                           "    (0): Linear(in_features=2, out_features=3, bias=True)\n"
                           "    (1): ReLU()\n"
                           "  )\n"
                           "  (head): Linear(in_features=3, out_features=1, bias=False)\n"
                           ")")


def test_repr_against_pytorch():
    torch = pytest.importorskip("torch")
    t_net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(inplace=True), torch.nn.Softplus(),
                                torch.nn.Flatten(), torch.nn.Identity(), torch.nn.Tanh(), torch.nn.Sigmoid(),
                                torch.nn.ModuleList([torch.nn.Linear(1, 1), torch.nn.Linear(1, 1),
                                                     torch.nn.Tanh()]))
    s_net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(inplace=True), nn.Softplus(), nn.Flatten(), nn.Identity(),
                          nn.Tanh(), nn.Sigmoid(), nn.ModuleList([nn.Linear(1, 1), nn.Linear(1, 1), nn.Tanh()]))
    assert repr(s_net) == repr(t_net)
    for t_loss, s_loss in [(torch.nn.MSELoss(), nn.MSELoss()), (torch.nn.CrossEntropyLoss(), nn.CrossEntropyLoss()),
                           (torch.nn.BCEWithLogitsLoss(), nn.BCEWithLogitsLoss())]:
        assert repr(s_loss) == repr(t_loss)


def test_deepcopy_of_a_model_is_independent():
    net = Net()
    twin = copy.deepcopy(net)
    assert type(twin.head.weight) is nn.Parameter and twin.head.weight is not net.head.weight
    with symgrad.no_grad():
        twin.head.weight.add_(1.0)
    assert not np.array_equal(np.asarray(twin.head.weight.detach()), np.asarray(net.head.weight.detach()))
    assert repr(twin) == repr(net)


def test_save_and_load_a_state_dict_as_pytorch_does(tmp_path):
    # symgrad.save / symgrad.load did not exist: torch.save(model.state_dict(), path) failed
    import pickle

    path = tmp_path / "model.pt"
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    model[0].weight.data = model[0].weight.data.float()
    opt = symgrad.optim.Adam(model.parameters())
    model(symgrad.ones(1, 3)).sum().backward()
    opt.step()
    symgrad.save({"model": model.state_dict(), "opt": opt.state_dict(), "epoch": 3}, path)
    loaded = symgrad.load(path)
    twin = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    assert str(twin.load_state_dict(loaded["model"])) == "<All keys matched successfully>"
    assert loaded["epoch"] == 3 and loaded["model"]["0.weight"].dtype == symgrad.float32
    assert all(symgrad.equal(a, b) for a, b in zip(twin.parameters(), model.parameters()))
    symgrad.optim.Adam(twin.parameters()).load_state_dict(loaded["opt"])
    # a whole model names its classes: only with weights_only=False, for trusted files
    symgrad.save(model, path)
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed.*weights_only=False"):
        symgrad.load(path)
    whole = symgrad.load(path, weights_only=False)
    assert symgrad.equal(whole(symgrad.ones(1, 3)), model(symgrad.ones(1, 3)))
    with pytest.raises(RuntimeError, match="CPU"):
        symgrad.load(path, map_location="cuda")


def test_save_and_load_dtypes_shapes_and_devices(tmp_path):
    # Found by review: symgrad.bool could not be pickled at all (its module
    # global is bool_), and dtypes, shapes and devices in a checkpoint were
    # refused by the weights-only load, which PyTorch's allows.
    import pickle

    path = tmp_path / "meta.pt"
    meta = {"dtypes": [symgrad.bool, symgrad.float32, symgrad.long], "shape": symgrad.zeros(2, 3).shape,
            "device": symgrad.device("cpu", 0)}
    symgrad.save(meta, path)
    loaded = symgrad.load(path)
    assert loaded["dtypes"][0] is symgrad.bool and loaded["dtypes"][2] is symgrad.int64
    assert type(loaded["shape"]) is symgrad.Size and loaded["shape"] == (2, 3)
    assert repr(loaded["device"]) == "device(type='cpu', index=0)"
    assert pickle.loads(pickle.dumps(symgrad.bool)) is symgrad.bool


def test_views_saved_with_their_base_load_as_views_of_it(tmp_path):
    # Found by review: save([x, x[1:3]]) loaded two tensors of their own; PyTorch's load keeps them sharing
    # memory, so a write through one is seen through the other
    path = tmp_path / "views.pt"
    x = symgrad.tensor([[1., 2., 3.], [4., 5., 6.]])
    symgrad.save([x, x[0, 1:3], x.T, x.view(6)[::2], x.detach(), x.expand(2, 2, 3)[1], x[None, ..., 1]], path)
    base, row, xt, strided, alias, expanded, col = symgrad.load(path)
    row[0] = 100.
    assert base[0, 1].item() == 100. and xt[1, 0].item() == 100. and alias[0, 1].item() == 100.
    assert expanded[0, 1].item() == 100. and row._base is base and xt._base is base
    assert strided.tolist() == [1., 3., 5.] and col.tolist() == [[100., 5.]]
    assert base.expr[0, 1] == 100 and row.expr[0] == 100  # the closed forms see the write too
    w = symgrad.tensor([1., 2., 3.], requires_grad=True)
    symgrad.save({"w": w, "head": w[:2]}, path)  # a view in the graph: a view in the loaded graph
    loaded = symgrad.load(path)
    assert loaded["w"].requires_grad and loaded["w"].is_leaf and loaded["head"]._base is loaded["w"]
    loaded["head"].sum().backward()
    assert loaded["w"].grad.tolist() == [1., 1., 0.]
    alone = x[1]  # saved without its base: the base is saved with it (PyTorch saves the whole storage)
    symgrad.save(alone, path)
    again = symgrad.load(path)
    assert again.tolist() == [4., 5., 6.] and again._base is not None and again._base.shape == (2, 3)


def test_a_file_naming_other_ops_as_view_steps_is_refused(tmp_path):
    # loading replays view ops only: a damaged or crafted file cannot make load compute anything else
    import pickle

    from symgrad._tensor import _rebuild_view

    class Crafted:
        def __init__(self, steps):
            self.steps = steps

        def __reduce__(self):
            return (_rebuild_view, (symgrad.tensor([1., 2.]), self.steps, False, None))

    cases = [((("exp", {}),), "'exp', which is not a view op"), ((("nope", {}),), "'nope'")]
    for steps, message in cases:
        with pytest.raises(pickle.UnpicklingError, match=message):
            pickle.loads(pickle.dumps(Crafted(steps)))
