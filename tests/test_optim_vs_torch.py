"""Optimizers against PyTorch: the same initial weights (loaded through
``state_dict``) and the same data give the same losses and parameters after
several steps, for SGD (plain, momentum, dampening, Nesterov, weight decay,
maximize), Adam, AdamW, AMSGrad, RMSprop, Adagrad, Adamax and NAdam, on MSE,
BCE and cross-entropy problems."""

from __future__ import annotations

import numpy as np
import pytest

import symgrad
from symgrad import nn, optim

torch = pytest.importorskip("torch")

STEPS = 8


def _nets():
    """A small tanh network in both libraries, with PyTorch's weights (float64)."""
    torch.manual_seed(0)
    t_net = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2)).double()
    s_net = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2))
    s_net.load_state_dict(t_net.state_dict())
    return t_net, s_net


def _problem(kind: str):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(6, 3))
    if kind == "mse":
        y = rng.normal(size=(6, 2))
        return x, y, torch.nn.MSELoss(), nn.MSELoss()
    if kind == "bce":
        y = rng.integers(0, 2, size=(6, 2)).astype(float)
        return x, y, torch.nn.BCEWithLogitsLoss(), nn.BCEWithLogitsLoss()
    y = rng.integers(0, 2, size=6)
    return x, y, torch.nn.CrossEntropyLoss(), nn.CrossEntropyLoss()


def _train(net, opt, loss_fn, x, y):
    losses = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def _compare(kind: str, make_t, make_s, rtol: float = 1e-10, falls: bool = True):
    x, y, t_loss, s_loss = _problem(kind)
    t_net, s_net = _nets()
    t_losses = _train(t_net, make_t(t_net.parameters()), t_loss, torch.from_numpy(x), torch.from_numpy(y))
    s_losses = _train(s_net, make_s(s_net.parameters()), s_loss, symgrad.from_numpy(x), symgrad.from_numpy(y))
    np.testing.assert_allclose(s_losses, t_losses, rtol=rtol)
    for (name, s_p), (t_name, t_p) in zip(s_net.state_dict().items(), t_net.state_dict().items()):
        assert name == t_name
        np.testing.assert_allclose(np.asarray(s_p), t_p.numpy(), rtol=rtol, atol=1e-12)
    assert (s_losses[-1] < s_losses[0]) == falls


SGD_CONFIGS = {
    "plain": dict(lr=0.1),
    "momentum": dict(lr=0.1, momentum=0.9),
    "dampening": dict(lr=0.1, momentum=0.9, dampening=0.3),
    "nesterov": dict(lr=0.1, momentum=0.9, nesterov=True),
    "weight_decay": dict(lr=0.1, weight_decay=0.01),
    "everything": dict(lr=0.05, momentum=0.8, weight_decay=0.1, nesterov=True),
}


@pytest.mark.parametrize("kind", ["mse", "bce", "ce"])
@pytest.mark.parametrize("config", list(SGD_CONFIGS))
def test_sgd_matches_pytorch(kind, config):
    kw = SGD_CONFIGS[config]
    _compare(kind, lambda p: torch.optim.SGD(p, **kw), lambda p: optim.SGD(p, **kw))


def test_sgd_maximize_matches_pytorch():
    kw = dict(lr=0.01, momentum=0.5, maximize=True)
    _compare("mse", lambda p: torch.optim.SGD(p, **kw), lambda p: optim.SGD(p, **kw), falls=False)


ADAM_CONFIGS = {
    "adam": (torch.optim.Adam, optim.Adam, dict(lr=0.05)),
    "adam_weight_decay": (torch.optim.Adam, optim.Adam, dict(lr=0.05, weight_decay=0.1)),
    "adam_amsgrad": (torch.optim.Adam, optim.Adam, dict(lr=0.05, amsgrad=True, betas=(0.8, 0.9))),
    "adamw": (torch.optim.AdamW, optim.AdamW, dict(lr=0.05)),
    "adamw_weight_decay": (torch.optim.AdamW, optim.AdamW, dict(lr=0.05, weight_decay=0.5, eps=1e-6)),
}


@pytest.mark.parametrize("kind", ["mse", "bce", "ce"])
@pytest.mark.parametrize("config", list(ADAM_CONFIGS))
def test_adam_family_matches_pytorch(kind, config):
    t_cls, s_cls, kw = ADAM_CONFIGS[config]
    _compare(kind, lambda p: t_cls(p, **kw), lambda p: s_cls(p, **kw))


OTHER_CONFIGS = {
    "rmsprop": (torch.optim.RMSprop, optim.RMSprop, dict(lr=0.01)),
    "rmsprop_momentum": (torch.optim.RMSprop, optim.RMSprop, dict(lr=0.01, momentum=0.9)),
    "rmsprop_centered": (torch.optim.RMSprop, optim.RMSprop, dict(lr=0.01, alpha=0.9, centered=True)),
    "rmsprop_everything": (torch.optim.RMSprop, optim.RMSprop,
                           dict(lr=0.005, alpha=0.8, eps=1e-6, momentum=0.5, centered=True, weight_decay=0.1)),
    "adagrad": (torch.optim.Adagrad, optim.Adagrad, dict(lr=0.1)),
    "adagrad_decay": (torch.optim.Adagrad, optim.Adagrad,
                      dict(lr=0.1, lr_decay=0.05, initial_accumulator_value=0.1, weight_decay=0.1, eps=1e-6)),
    "adamax": (torch.optim.Adamax, optim.Adamax, dict(lr=0.05)),
    "adamax_weight_decay": (torch.optim.Adamax, optim.Adamax, dict(lr=0.05, betas=(0.8, 0.9), weight_decay=0.1)),
    "nadam": (torch.optim.NAdam, optim.NAdam, dict(lr=0.05)),
    "nadam_weight_decay": (torch.optim.NAdam, optim.NAdam, dict(lr=0.05, weight_decay=0.1, momentum_decay=0.01)),
    "nadam_decoupled": (torch.optim.NAdam, optim.NAdam,
                        dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True, eps=1e-6)),
}


@pytest.fixture
def torch_float64_default():
    """PyTorch keeps an optimizer's 0-d state (step, NAdam's mu_product) in its
    default dtype, and so does symgrad: compare them with the same default."""
    prev = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(prev)


@pytest.mark.parametrize("kind", ["mse", "bce", "ce"])
@pytest.mark.parametrize("config", list(OTHER_CONFIGS))
def test_other_optimizers_match_pytorch(kind, config, torch_float64_default):
    t_cls, s_cls, kw = OTHER_CONFIGS[config]
    _compare(kind, lambda p: t_cls(p, **kw), lambda p: s_cls(p, **kw), rtol=1e-12)


@pytest.mark.parametrize("config", ["rmsprop_everything", "adagrad", "adamax", "nadam"])
def test_other_optimizers_maximize_matches_pytorch(config, torch_float64_default):
    t_cls, s_cls, kw = OTHER_CONFIGS[config]
    kw = dict(kw, maximize=True)
    _compare("mse", lambda p: t_cls(p, **kw), lambda p: s_cls(p, **kw), rtol=1e-12, falls=False)


@pytest.mark.parametrize("config", list(OTHER_CONFIGS))
def test_other_optimizers_state_dicts_match_pytorch(config, torch_float64_default):
    t_cls, s_cls, kw = OTHER_CONFIGS[config]
    t_sd, s_sd = _state_dicts_after_one_step(lambda p: t_cls(p, **kw), lambda p: s_cls(p, **kw))
    for i in range(4):
        assert list(s_sd["state"][i]) == list(t_sd["state"][i])
        for key, value in t_sd["state"][i].items():
            np.testing.assert_allclose(np.asarray(s_sd["state"][i][key]), value.numpy(), rtol=1e-12)
            assert str(s_sd["state"][i][key].dtype).split(".")[1] == str(value.dtype).split(".")[1]
    mine, theirs = s_sd["param_groups"][0], t_sd["param_groups"][0]
    assert {k: mine[k] for k in mine} == {k: theirs[k] for k in mine}
    assert set(theirs) - set(mine) <= {"foreach", "capturable", "differentiable", "fused"}


@pytest.mark.parametrize("config", ["rmsprop_everything", "adagrad_decay", "adamax", "nadam_decoupled"])
def test_other_optimizers_resume_from_a_state_dict_exactly(config):
    _, s_cls, kw = OTHER_CONFIGS[config]
    # (the resumed optimizer is made with another lr: the saved one must win)
    _resumes_exactly(lambda p: s_cls(p, **kw), lambda p: s_cls(p, **dict(kw, lr=1.0)), 3)


@pytest.mark.parametrize("name, kw, message", [
    ("RMSprop", dict(lr=-1), "Invalid learning rate: -1"),
    ("RMSprop", dict(alpha=-0.5), "Invalid alpha value: -0.5"),
    ("RMSprop", dict(momentum=-0.1), "Invalid momentum value: -0.1"),
    ("Adagrad", dict(lr_decay=-1), "Invalid lr_decay value: -1"),
    ("Adagrad", dict(initial_accumulator_value=-1), "Invalid initial_accumulator_value value: -1"),
    ("Adagrad", dict(eps=-1), "Invalid epsilon value: -1"),
    ("Adamax", dict(betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
    ("NAdam", dict(momentum_decay=-1), "Invalid momentum_decay value: -1"),
    ("NAdam", dict(weight_decay=-1), "Invalid weight_decay value: -1"),
])
def test_other_optimizers_refuse_pytorchs_bad_hyperparameters(name, kw, message):
    for lib, leaf in ((optim, symgrad.tensor), (torch.optim, torch.tensor)):
        with pytest.raises(ValueError, match=message):
            getattr(lib, name)([leaf([1.0], requires_grad=True)], **kw)


def test_bce_on_probabilities_trains_like_pytorch():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(8, 3)), rng.integers(0, 2, size=(8, 2)).astype(float)
    t_net, s_net = _nets()
    t_opt, s_opt = torch.optim.SGD(t_net.parameters(), lr=0.5), optim.SGD(s_net.parameters(), lr=0.5)
    t_losses = _train(t_net, t_opt, lambda out, y: torch.nn.BCELoss()(torch.sigmoid(out), y),
                      torch.from_numpy(x), torch.from_numpy(y))
    s_losses = _train(s_net, s_opt, lambda out, y: nn.BCELoss()(symgrad.sigmoid(out), y),
                      symgrad.from_numpy(x), symgrad.from_numpy(y))
    np.testing.assert_allclose(s_losses, t_losses, rtol=1e-10)


def test_step_lr_matches_pytorch():
    t_net, s_net = _nets()
    t_opt = torch.optim.SGD(t_net.parameters(), lr=1.0)
    s_opt = optim.SGD(s_net.parameters(), lr=1.0)
    t_sched = torch.optim.lr_scheduler.StepLR(t_opt, step_size=3, gamma=0.5)
    s_sched = optim.lr_scheduler.StepLR(s_opt, step_size=3, gamma=0.5)
    assert _lrs(s_opt, s_sched, 10) == _lrs(t_opt, t_sched, 10)
    assert s_opt.param_groups[0]["lr"] == t_opt.param_groups[0]["lr"] == 0.125


# (symgrad had StepLR only: tutorials' other schedules were ImportErrors)
SCHEDULES = {
    "MultiStepLR": lambda lib, opt: lib.MultiStepLR(opt, milestones=[2, 5, 5, 9], gamma=0.3),
    "ExponentialLR": lambda lib, opt: lib.ExponentialLR(opt, gamma=0.9),
    "LambdaLR": lambda lib, opt: lib.LambdaLR(opt, lambda epoch: 0.95 ** epoch / (1 + epoch)),
    "LambdaLR per group": lambda lib, opt: lib.LambdaLR(opt, [lambda e: 1 / (1 + e), lambda e: 0.5 ** e]),
    "CosineAnnealingLR": lambda lib, opt: lib.CosineAnnealingLR(opt, T_max=4, eta_min=0.01),
    "CosineAnnealingLR resumed": lambda lib, opt: lib.CosineAnnealingLR(opt, T_max=3, last_epoch=4),
}


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_schedules_match_pytorch(name):
    t_net, s_net = _nets()
    groups = lambda net: [{"params": [p], "initial_lr": 0.3 + i} for i, p in enumerate(net.parameters())][:2]  # noqa: E731
    t_opt, s_opt = torch.optim.SGD(groups(t_net), lr=0.3), optim.SGD(groups(s_net), lr=0.3)
    t_sched = SCHEDULES[name](torch.optim.lr_scheduler, t_opt)
    s_sched = SCHEDULES[name](optim.lr_scheduler, s_opt)
    assert s_sched.get_last_lr() == t_sched.get_last_lr()
    assert _lrs(s_opt, s_sched, 12) == _lrs(t_opt, t_sched, 12)


def _lrs(opt, sched, epochs):
    """The learning rates after each of ``epochs`` steps."""
    out = []
    for _ in range(epochs):
        opt.step()
        sched.step()
        out.append(sched.get_last_lr())
    return out


def test_optimizer_state_dict_resumes_training_exactly():
    """Training 4 steps, saving, loading into a fresh optimizer and training 4
    more is the same as training 8 steps without interruption."""
    make = lambda p: optim.Adam(p, lr=0.05, amsgrad=True)  # noqa: E731
    _resumes_exactly(make, make, 4)


def _resumes_exactly(make, make_resumed, n):
    """``2n`` steps in one go equal ``n`` steps, a save, a load into a fresh
    model and optimizer (``make_resumed``), and ``n`` more steps."""
    x, y, _, loss_fn = _problem("mse")
    x, y = symgrad.from_numpy(x), symgrad.from_numpy(y)

    def steps(net, opt, count):
        for _ in range(count):
            opt.zero_grad()
            loss_fn(net(x), y).backward()
            opt.step()

    _, straight = _nets()
    steps(straight, make(straight.parameters()), 2 * n)
    _, first = _nets()
    opt1 = make(first.parameters())
    steps(first, opt1, n)
    saved_model, saved_opt = first.state_dict(), opt1.state_dict()
    _, resumed = _nets()
    resumed.load_state_dict(saved_model)
    opt2 = make_resumed(resumed.parameters())
    opt2.load_state_dict(saved_opt)
    steps(resumed, opt2, n)
    for a, b in zip(straight.parameters(), resumed.parameters()):
        np.testing.assert_array_equal(np.asarray(a.detach()), np.asarray(b.detach()))


def _state_dicts_after_one_step(make_t, make_s):
    """PyTorch's and symgrad's optimizer state_dicts after one step on the same
    network (their state before it compared on the way: Adagrad's exists at once)."""
    t_net, s_net = _nets()
    t_opt, s_opt = make_t(t_net.parameters()), make_s(s_net.parameters())
    assert list(s_opt.state_dict()["state"]) == list(t_opt.state_dict()["state"])
    x = np.ones((1, 3))
    t_net(torch.from_numpy(x)).sum().backward()
    s_net(symgrad.from_numpy(x)).sum().backward()
    t_opt.step()
    s_opt.step()
    t_sd, s_sd = t_opt.state_dict(), s_opt.state_dict()
    assert list(s_sd["state"]) == list(t_sd["state"]) == [0, 1, 2, 3]
    return t_sd, s_sd


def test_state_dict_layout_matches_pytorch():
    t_sd, s_sd = _state_dicts_after_one_step(lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
                                             lambda p: optim.SGD(p, lr=0.1, momentum=0.9))
    assert s_sd["state"][0].keys() == t_sd["state"][0].keys()
    np.testing.assert_allclose(np.asarray(s_sd["state"][0]["momentum_buffer"]),
                               t_sd["state"][0]["momentum_buffer"].numpy())
    assert s_sd["param_groups"][0]["params"] == t_sd["param_groups"][0]["params"]
    for key in ("lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize"):
        assert s_sd["param_groups"][0][key] == t_sd["param_groups"][0][key]
