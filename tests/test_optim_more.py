"""RAdam, Adadelta, Rprop and ASGD beside PyTorch's (its for-loop
implementation, the one it runs on CPU), given the same gradients: the
parameters and the state after 20 steps (float64 and float32), parameter
groups with their own hyperparameters and one added mid-run, ``step(closure)``,
the state of a parameter without a gradient, and a PyTorch ``state_dict``
loaded into symgrad to carry on.  (``tests/test_optim_vs_torch.py`` trains
networks with them.)"""

from __future__ import annotations

import numpy as np
import pytest

import symgrad
from symgrad import optim

torch = pytest.importorskip("torch")

CONFIGS = {
    "RAdam": [dict(lr=0.05), dict(lr=0.02, betas=(0.6, 0.9), eps=1e-6, weight_decay=0.1),
              dict(lr=0.02, betas=(0.8, 0.95), weight_decay=0.3, decoupled_weight_decay=True, maximize=True)],
    "Adadelta": [dict(), dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1, maximize=True), dict(rho=1.0)],
    "Rprop": [dict(), dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.08), maximize=True)],
    "ASGD": [dict(), dict(lr=0.05, lambd=0.01, alpha=0.5, t0=3, weight_decay=0.1, maximize=True)],
}
CASES = [(name, i) for name, configs in CONFIGS.items() for i in range(len(configs))]


@pytest.fixture(params=["float64", "float32"])
def default_dtype(request):
    """Both libraries' default dtype (their 0-d state, step, eta, mu, takes it)."""
    before_t, before_s = torch.get_default_dtype(), symgrad.get_default_dtype()
    torch.set_default_dtype(getattr(torch, request.param))
    symgrad.set_default_dtype(getattr(symgrad, request.param))
    yield request.param
    torch.set_default_dtype(before_t)
    symgrad.set_default_dtype(before_s)


@pytest.fixture
def float64_default():
    """PyTorch's default dtype float64, as symgrad's (PyTorch's 0-d state takes it)."""
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(before)


def _gradients(rng, shape, dtype, step):
    """Gradients with zeros, and with signs that flip (Rprop's cases)."""
    g = rng.normal(size=shape).astype(dtype)
    g[0, 0] = 0.0
    if step % 3 == 0:
        g[1] = -g[1]
    return g


def _pair(name, kw, w0):
    tw, sw = torch.tensor(w0, requires_grad=True), symgrad.tensor(w0, requires_grad=True)
    return tw, sw, getattr(torch.optim, name)([tw], **kw), getattr(optim, name)([sw], **kw)


def _assert_close(s, t, dtype):
    rtol, atol = (1e-12, 1e-15) if dtype == "float64" else (1e-5, 1e-7)
    np.testing.assert_allclose(np.asarray(s), t.detach().numpy(), rtol=rtol, atol=atol)


def _assert_same_state(s_state, t_state, dtype):
    assert list(s_state) == list(t_state)
    for key, value in t_state.items():
        assert str(s_state[key].dtype).split(".")[1] == str(value.dtype).split(".")[1], key
        _assert_close(s_state[key], value, dtype)


@pytest.mark.parametrize("name, i", CASES)
def test_twenty_steps_match_pytorch(name, i, default_dtype):
    rng = np.random.default_rng(i)
    w0 = rng.normal(size=(4, 3)).astype(default_dtype)
    tw, sw, t_opt, s_opt = _pair(name, CONFIGS[name][i], w0)
    for step in range(20):
        g = _gradients(rng, w0.shape, default_dtype, step)
        tw.grad, sw.grad = torch.tensor(g), symgrad.tensor(g)
        t_opt.step()
        s_opt.step()
        _assert_close(sw.detach(), tw, default_dtype)
    _assert_same_state(s_opt.state[sw], t_opt.state[tw], default_dtype)
    assert sw.dtype == getattr(symgrad, default_dtype) and sw.is_leaf and sw.requires_grad


def test_rprop_is_pytorchs_bit_for_bit():
    # (signs, products by etas and clamps: no rounding for the order of operations to change)
    rng = np.random.default_rng(5)
    w0 = rng.normal(size=(4, 3))
    tw, sw, t_opt, s_opt = _pair("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.08)), w0)
    for step in range(30):
        g = _gradients(rng, w0.shape, "float64", step)
        tw.grad, sw.grad = torch.tensor(g), symgrad.tensor(g)
        t_opt.step()
        s_opt.step()
    assert np.asarray(sw.detach()).tobytes() == tw.detach().numpy().tobytes()
    for key in ("prev", "step_size"):
        assert np.asarray(s_opt.state[sw][key]).tobytes() == t_opt.state[tw][key].numpy().tobytes()


def _quadratic(ws, target):
    return sum(((w - target) ** 2 * (k + 1)).sum() for k, w in enumerate(ws))


@pytest.mark.parametrize("name", list(CONFIGS))
def test_groups_added_groups_and_closures_match_pytorch(name, float64_default):
    """Two groups with their own hyperparameters, a third added after 3
    steps; ``step(closure)`` returns the closure's loss; a parameter without
    a gradient gets no state (as PyTorch)."""
    rng = np.random.default_rng(1)
    w0 = [rng.normal(size=(3,)) for _ in range(4)]
    target = rng.normal(size=(3,))
    first, second = CONFIGS[name][0], CONFIGS[name][-1]
    sides = []
    for lib, lib_optim in ((torch, torch.optim), (symgrad, optim)):
        ws = [lib.tensor(w, requires_grad=True) for w in w0]
        opt = getattr(lib_optim, name)([{"params": [ws[0]]}, {"params": [ws[1]], **second}], **first)
        t = lib.tensor(target)
        losses = []

        def closure(ws=ws, opt=opt, t=t):
            opt.zero_grad()
            loss = _quadratic([w for w in ws if any(w is p for g in opt.param_groups for p in g["params"])], t)
            loss.backward()
            return loss

        for step in range(8):
            if step == 3:
                opt.add_param_group({"params": [ws[2], ws[3]], "lr": 0.03})
                ws[3].requires_grad_(False)  # (in the group, never a gradient)
            losses.append(opt.step(closure).item())
        sides.append((ws, opt, losses))
    (t_ws, t_opt, t_losses), (s_ws, s_opt, s_losses) = sides
    np.testing.assert_allclose(s_losses, t_losses, rtol=1e-12)
    for s_w, t_w in zip(s_ws, t_ws):
        _assert_close(s_w.detach(), t_w, "float64")
    assert s_ws[3] not in s_opt.state and t_ws[3] not in t_opt.state
    for s_group, t_group in zip(s_opt.param_groups, t_opt.param_groups):
        assert {k: v for k, v in s_group.items() if k != "params"} == \
               {k: v for k, v in t_group.items() if k not in ("params", "foreach", "capturable", "differentiable")}
    for s_w, t_w in zip(s_ws[:3], t_ws[:3]):
        _assert_same_state(s_opt.state[s_w], t_opt.state[t_w], "float64")


def _from_torch(value):
    """A PyTorch state_dict's tensors as symgrad's (the other entries as they are)."""
    if isinstance(value, dict):
        return {k: _from_torch(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_torch(v) for v in value]
    if isinstance(value, torch.Tensor):
        return symgrad.from_numpy(value.detach().numpy().copy())
    return value


@pytest.mark.parametrize("name, i", CASES)
def test_pytorchs_state_dict_loads_and_training_carries_on(name, i, float64_default):
    """PyTorch runs 6 steps; its weights and optimizer state_dict are loaded
    into symgrad (made with another lr: the saved one wins), and 6 more steps
    of each agree."""
    rng = np.random.default_rng(10 + i)
    w0 = rng.normal(size=(4, 3))
    kw = CONFIGS[name][i]
    tw, sw, t_opt, s_opt = _pair(name, dict(kw, lr=kw.get("lr", 1.0) * 3), w0)
    t_opt = getattr(torch.optim, name)([tw], **kw)
    grads = [_gradients(rng, w0.shape, "float64", step) for step in range(12)]
    for g in grads[:6]:
        tw.grad = torch.tensor(g)
        t_opt.step()
    with symgrad.no_grad():
        sw.copy_(symgrad.from_numpy(tw.detach().numpy().copy()))
    s_opt.load_state_dict(_from_torch(t_opt.state_dict()))
    assert s_opt.param_groups[0]["lr"] == t_opt.param_groups[0]["lr"]
    for g in grads[6:]:
        tw.grad, sw.grad = torch.tensor(g), symgrad.tensor(g)
        t_opt.step()
        s_opt.step()
    _assert_close(sw.detach(), tw, "float64")
    _assert_same_state(s_opt.state[sw], t_opt.state[tw], "float64")


@pytest.mark.parametrize("name", list(CONFIGS))
def test_state_dict_layout_matches_pytorch(name, float64_default):
    w0 = np.arange(6.0).reshape(2, 3)
    tw, sw, t_opt, s_opt = _pair(name, {}, w0)
    assert s_opt.state_dict()["state"] == {} and t_opt.state_dict()["state"] == {}
    tw.grad, sw.grad = torch.ones(2, 3, dtype=torch.float64), symgrad.ones(2, 3)
    t_opt.step()
    s_opt.step()
    t_sd, s_sd = t_opt.state_dict(), s_opt.state_dict()
    assert list(s_sd) == list(t_sd) == ["state", "param_groups"]
    assert list(s_sd["state"][0]) == list(t_sd["state"][0])
    assert s_sd["state"][0]["step"].shape == () and s_sd["state"][0]["step"].item() == 1.0
    mine, theirs = s_sd["param_groups"][0], t_sd["param_groups"][0]
    assert mine == {k: theirs[k] for k in mine}
    assert set(theirs) - set(mine) == {"foreach", "capturable", "differentiable"}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_implementation_options_are_taken_and_unknown_keywords_refused(name):
    w = symgrad.tensor([1.0], requires_grad=True)
    getattr(optim, name)([w], foreach=False, capturable=False, differentiable=False)
    with pytest.raises(TypeError, match="unexpected keyword argument 'momentum_decay'"):
        getattr(optim, name)([w], momentum_decay=0.1)
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        getattr(optim, name)([w], differentiable=True)
