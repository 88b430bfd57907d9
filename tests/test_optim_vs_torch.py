"""Optimizers against PyTorch: the same initial weights (loaded through
``state_dict``) and the same data give the same losses and parameters after
several steps, for SGD (plain, momentum, dampening, Nesterov, weight decay,
maximize), Adam, AdamW, AMSGrad, RMSprop, Adagrad, Adamax, NAdam, RAdam,
Adadelta, Rprop and ASGD, on MSE, BCE and cross-entropy problems."""

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
    # (RAdam steps with momentum alone while rho_t <= 5, rectified from step 6 with beta2 = 0.9 or 0.999: both run)
    "radam": (torch.optim.RAdam, optim.RAdam, dict(lr=0.05)),
    "radam_rectified": (torch.optim.RAdam, optim.RAdam, dict(lr=0.05, betas=(0.6, 0.9), weight_decay=0.1)),
    "radam_decoupled": (torch.optim.RAdam, optim.RAdam,
                        dict(lr=0.05, betas=(0.6, 0.9), weight_decay=0.1, decoupled_weight_decay=True, eps=1e-6)),
    "adadelta": (torch.optim.Adadelta, optim.Adadelta, dict()),
    "adadelta_everything": (torch.optim.Adadelta, optim.Adadelta, dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1)),
    "rprop": (torch.optim.Rprop, optim.Rprop, dict(lr=0.01)),
    "rprop_bounded": (torch.optim.Rprop, optim.Rprop, dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.08))),
    "asgd": (torch.optim.ASGD, optim.ASGD, dict(lr=0.05)),
    # (t0=3: the average ax moves by mu = 1/(t - t0) from step 5 on)
    "asgd_averaging": (torch.optim.ASGD, optim.ASGD, dict(lr=0.05, lambd=0.01, alpha=0.5, t0=3, weight_decay=0.1)),
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


@pytest.mark.parametrize("config", ["rmsprop_everything", "adagrad", "adamax", "nadam", "radam_decoupled",
                                    "adadelta_everything", "rprop_bounded", "asgd_averaging"])
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


@pytest.mark.parametrize("config", ["rmsprop_everything", "adagrad_decay", "adamax", "nadam_decoupled",
                                    "radam_rectified", "adadelta_everything", "rprop_bounded", "asgd_averaging"])
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
    ("RAdam", dict(lr=-0.1), "Invalid learning rate: -0.1"),
    ("RAdam", dict(eps=-1e-8), "Invalid epsilon value: -1e-08"),
    ("RAdam", dict(betas=(0.9, 1.0)), "Invalid beta parameter at index 1: 1.0"),
    ("RAdam", dict(weight_decay=-1), "Invalid weight_decay value: -1"),
    ("Adadelta", dict(lr=-1), "Invalid learning rate: -1"),
    ("Adadelta", dict(rho=1.5), "Invalid rho value: 1.5"),
    ("Adadelta", dict(rho=-0.1), "Invalid rho value: -0.1"),
    ("Adadelta", dict(eps=-1), "Invalid epsilon value: -1"),
    ("Adadelta", dict(weight_decay=-1), "Invalid weight_decay value: -1"),
    ("Rprop", dict(lr=-1), "Invalid learning rate: -1"),
    ("Rprop", dict(etas=(1.0, 1.2)), "Invalid eta values: 1.0, 1.2"),
    ("Rprop", dict(etas=(0.5, 1.0)), "Invalid eta values: 0.5, 1.0"),
    ("Rprop", dict(etas=(0.0, 1.2)), "Invalid eta values: 0.0, 1.2"),
    ("ASGD", dict(lr=-1), "Invalid learning rate: -1"),
    ("ASGD", dict(weight_decay=-0.5), "Invalid weight_decay value: -0.5"),
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


# The schedules a review found missing (warm-up, cyclic, plateau), each run
# 50 steps beside PyTorch's on two parameter groups with different learning
# rates: the learning rates (and the momentum or beta1 the cyclic ones move)
# must be equal to the last bit.
NEW_SCHEDULES = {
    "LinearLR": lambda lib, opt: lib.LinearLR(opt, start_factor=0.1, end_factor=0.9, total_iters=17),
    "LinearLR decay": lambda lib, opt: lib.LinearLR(opt, start_factor=1.0, end_factor=0.0, total_iters=30),
    "PolynomialLR": lambda lib, opt: lib.PolynomialLR(opt, total_iters=40, power=0.9),
    "PolynomialLR defaults": lambda lib, opt: lib.PolynomialLR(opt),
    "CosineAnnealingWarmRestarts": lambda lib, opt: lib.CosineAnnealingWarmRestarts(opt, T_0=7, eta_min=0.01),
    "CosineAnnealingWarmRestarts T_mult": lambda lib, opt: lib.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2),
    "CyclicLR": lambda lib, opt: lib.CyclicLR(opt, base_lr=0.01, max_lr=[0.1, 0.2], step_size_up=5),
    "CyclicLR triangular2": lambda lib, opt: lib.CyclicLR(opt, 0.01, 0.1, step_size_up=4, step_size_down=7,
                                                          mode="triangular2", base_momentum=0.5),
    "CyclicLR exp_range": lambda lib, opt: lib.CyclicLR(opt, 0.01, 0.1, step_size_up=6, mode="exp_range",
                                                        gamma=0.97),
    "CyclicLR scale_fn": lambda lib, opt: lib.CyclicLR(opt, 0.01, 0.1, step_size_up=3, cycle_momentum=False,
                                                       scale_fn=lambda x: 0.5 ** x, scale_mode="iterations"),
    "OneCycleLR": lambda lib, opt: lib.OneCycleLR(opt, max_lr=[0.5, 1.0], total_steps=51),
    "OneCycleLR linear": lambda lib, opt: lib.OneCycleLR(opt, max_lr=0.5, epochs=5, steps_per_epoch=11,
                                                         anneal_strategy="linear", pct_start=0.25),
    "OneCycleLR three phase": lambda lib, opt: lib.OneCycleLR(opt, max_lr=0.5, total_steps=60, three_phase=True,
                                                              div_factor=10.0, final_div_factor=100.0),
    "SequentialLR": lambda lib, opt: lib.SequentialLR(
        opt, [lib.LinearLR(opt, start_factor=0.1, total_iters=10), lib.CosineAnnealingLR(opt, T_max=20)],
        milestones=[10]),
    "SequentialLR three": lambda lib, opt: lib.SequentialLR(
        opt, [lib.ExponentialLR(opt, gamma=0.9), lib.StepLR(opt, step_size=4, gamma=0.5),
              lib.MultiStepLR(opt, milestones=[3, 8], gamma=0.3), lib.PolynomialLR(opt, total_iters=9)],
        milestones=[5, 12, 30]),
    "SequentialLR nested": lambda lib, opt: lib.SequentialLR(  # (a nested one can only come first: PyTorch's too)
        opt, [lib.SequentialLR(opt, [lib.LinearLR(opt, 0.5, total_iters=4), lib.ExponentialLR(opt, 0.8)], [6]),
              lib.StepLR(opt, step_size=3, gamma=0.7)],
        milestones=[15]),
}


def _groups(lib_optim, net, **kw):
    return lib_optim.SGD([{"params": [p], "lr": 0.3 + i} for i, p in enumerate(net.parameters())][:2], **kw)


def _trace(opt, sched, epochs, metrics=None):
    """Per step: the learning rates and the momentum (or betas) of each group."""
    def state():
        return (sched.get_last_lr(), [(g.get("momentum"), g.get("betas")) for g in opt.param_groups])
    out = [state()]
    for i in range(epochs):
        opt.step()
        sched.step() if metrics is None else sched.step(metrics[i])
        out.append(state())
    return out


@pytest.mark.parametrize("name", list(NEW_SCHEDULES))
def test_new_schedules_match_pytorch(name):
    t_net, s_net = _nets()
    t_opt = _groups(torch.optim, t_net, momentum=0.9)
    s_opt = _groups(optim, s_net, momentum=0.9)
    t_sched = NEW_SCHEDULES[name](torch.optim.lr_scheduler, t_opt)
    s_sched = NEW_SCHEDULES[name](optim.lr_scheduler, s_opt)
    assert _trace(s_opt, s_sched, 50) == _trace(t_opt, t_sched, 50)


@pytest.mark.parametrize("name", ["CyclicLR", "OneCycleLR"])
def test_cyclic_schedules_move_adams_beta1_as_pytorch(name):
    t_net, s_net = _nets()
    groups = lambda net: [{"params": [p], "lr": 0.1 * (i + 1)} for i, p in enumerate(net.parameters())][:2]  # noqa: E731
    t_opt = torch.optim.Adam(groups(t_net), betas=(0.9, 0.99))
    s_opt = optim.Adam(groups(s_net), betas=(0.9, 0.99))
    t_sched = NEW_SCHEDULES[name](torch.optim.lr_scheduler, t_opt)
    s_sched = NEW_SCHEDULES[name](optim.lr_scheduler, s_opt)
    trace = _trace(s_opt, s_sched, 50)
    assert trace == _trace(t_opt, t_sched, 50)
    assert len({betas for _, ((_, betas), _) in trace}) > 5  # beta1 did move


def test_one_cycle_refuses_steps_past_the_end_as_pytorch():
    for lib, opt in ((torch.optim, torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)),
                     (optim, optim.SGD([symgrad.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9))):
        sched = lib.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=3)
        for _ in range(3):
            opt.step()
            sched.step()
        with pytest.raises(ValueError, match="Tried to step 4 times. The specified number of total steps is 3"):
            opt.step()
            sched.step()


def test_warm_restarts_fractional_epochs_match_pytorch():
    t_net, s_net = _nets()
    t_opt, s_opt = _groups(torch.optim, t_net), _groups(optim, s_net)
    libs = [(torch.optim.lr_scheduler, t_opt), (optim.lr_scheduler, s_opt)]
    t_sched, s_sched = (lib.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2, eta_min=0.05) for lib, opt in libs)
    for epoch in [0.0, 0.25, 0.5, 1.75, 2.5, 3.0, 4.2, 9.0, 9.5, 21.5, 22.0]:
        t_sched.step(epoch)
        s_sched.step(epoch)
        assert s_sched.get_last_lr() == t_sched.get_last_lr()
        assert (s_sched.T_cur, s_sched.T_i, s_sched.last_epoch) == (t_sched.T_cur, t_sched.T_i, t_sched.last_epoch)


PLATEAUS = {
    "min rel": dict(factor=0.5, patience=2),
    "min abs cooldown": dict(factor=0.3, patience=1, threshold=0.05, threshold_mode="abs", cooldown=3),
    "max rel min_lr": dict(mode="max", factor=0.2, patience=0, min_lr=[0.05, 0.4]),
    "max abs eps": dict(mode="max", factor=0.5, patience=1, threshold_mode="abs", eps=0.1),
}


@pytest.mark.parametrize("name", list(PLATEAUS))
def test_reduce_lr_on_plateau_matches_pytorch(name):
    rng = np.random.default_rng(3)
    metrics = list(np.round(rng.normal(size=50).cumsum() * 0.1, 2))  # wanders: plateaus up and down
    t_net, s_net = _nets()
    t_opt, s_opt = _groups(torch.optim, t_net), _groups(optim, s_net)
    t_sched = torch.optim.lr_scheduler.ReduceLROnPlateau(t_opt, **PLATEAUS[name])
    s_sched = optim.lr_scheduler.ReduceLROnPlateau(s_opt, **PLATEAUS[name])
    trace = _trace(s_opt, s_sched, 50, metrics)
    assert trace == _trace(t_opt, t_sched, 50, [torch.tensor(m) for m in metrics])
    assert len({tuple(lrs) for lrs, _ in trace}) > 2  # the learning rates were reduced more than once
    assert (s_sched.best, s_sched.num_bad_epochs, s_sched.last_epoch) == \
           (t_sched.best, t_sched.num_bad_epochs, t_sched.last_epoch)


@pytest.mark.parametrize("name", ["LinearLR", "PolynomialLR", "CosineAnnealingWarmRestarts T_mult",
                                  "CyclicLR triangular2", "OneCycleLR", "SequentialLR three"])
def test_new_schedules_resume_from_a_state_dict_exactly(name):
    """20 steps, a state_dict, a fresh optimizer and schedule loading it, 30
    more steps: the learning rates of 50 uninterrupted steps."""
    make = NEW_SCHEDULES[name]
    opt = _groups(optim, _nets()[1], momentum=0.9)
    whole = _trace(opt, make(optim.lr_scheduler, opt), 50)
    opt = _groups(optim, _nets()[1], momentum=0.9)
    sched = make(optim.lr_scheduler, opt)
    first = _trace(opt, sched, 20)
    saved_opt, saved_sched = opt.state_dict(), sched.state_dict()
    opt = _groups(optim, _nets()[1], momentum=0.9)
    resumed = make(optim.lr_scheduler, opt)
    opt.load_state_dict(saved_opt)
    resumed.load_state_dict(saved_sched)
    assert first + _trace(opt, resumed, 30)[1:] == whole


def test_reduce_lr_on_plateau_state_dict_round_trip():
    opt = optim.SGD([symgrad.zeros(1, requires_grad=True)], lr=1.0)
    sched = optim.lr_scheduler.ReduceLROnPlateau(opt, mode="max", patience=0)
    sched.step(1.0)
    other = optim.lr_scheduler.ReduceLROnPlateau(optim.SGD([symgrad.zeros(1, requires_grad=True)], lr=1.0))
    other.load_state_dict(sched.state_dict())
    assert (other.mode, other.best, other.mode_worse) == ("max", 1.0, -float("inf"))


BAD_SCHEDULES = [
    (lambda lib, opt: lib.LinearLR(opt, start_factor=0), ValueError,
     "Starting multiplicative factor expected to be greater than 0"),
    (lambda lib, opt: lib.LinearLR(opt, end_factor=1.5), ValueError, "Ending multiplicative factor"),
    (lambda lib, opt: lib.SequentialLR(opt, [], milestones=[]), ValueError, "expects at least one scheduler"),
    (lambda lib, opt: lib.SequentialLR(opt, [lib.StepLR(opt, 2)], milestones=[3]), ValueError,
     "number of schedulers provided to be one more"),
    (lambda lib, opt: lib.SequentialLR(opt, [lib.ReduceLROnPlateau(opt)], milestones=[]), ValueError,
     "does not support `ReduceLROnPlateau`"),
    (lambda lib, opt: lib.CosineAnnealingWarmRestarts(opt, T_0=0), ValueError, "Expected positive integer T_0"),
    (lambda lib, opt: lib.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=0), ValueError, "T_mult >= 1"),
    (lambda lib, opt: lib.CyclicLR(opt, 0.1, 1.0, mode="cosine"), ValueError, "mode is invalid and scale_fn is None"),
    (lambda lib, opt: lib.CyclicLR(opt, [0.1, 0.2], 1.0), ValueError, "base_lr must have the same length"),
    (lambda lib, opt: lib.OneCycleLR(opt, 1.0), ValueError, "You must define either total_steps OR"),
    (lambda lib, opt: lib.OneCycleLR(opt, 1.0, total_steps=0), ValueError, "Expected positive integer total_steps"),
    (lambda lib, opt: lib.OneCycleLR(opt, 1.0, total_steps=5, pct_start=1), ValueError,
     "Expected float between 0 and 1 pct_start"),
    (lambda lib, opt: lib.OneCycleLR(opt, 1.0, total_steps=5, anneal_strategy="cosine"), ValueError,
     "anneal_strategy must be one of 'cos' or 'linear'"),
    (lambda lib, opt: lib.ReduceLROnPlateau(opt, factor=1.0), ValueError, "Factor should be < 1.0."),
    (lambda lib, opt: lib.ReduceLROnPlateau(opt, mode="maximum"), ValueError, "mode maximum is unknown!"),
    (lambda lib, opt: lib.ReduceLROnPlateau(opt, min_lr=[0.1, 0.2]), ValueError, "expected 1 min_lrs, got 2"),
    (lambda lib, opt: lib.ReduceLROnPlateau("sgd"), TypeError, "str is not an Optimizer"),
]


@pytest.mark.parametrize("make, error, message", BAD_SCHEDULES)
def test_new_schedules_refuse_bad_arguments_as_pytorch(make, error, message):
    with pytest.raises(error, match=message):
        make(torch.optim.lr_scheduler, torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1))
    with pytest.raises(error, match=message):
        make(optim.lr_scheduler, optim.SGD([symgrad.zeros(1, requires_grad=True)], lr=0.1))


def test_cycle_momentum_needs_an_optimizer_with_momentum():
    opt = optim.Adagrad([symgrad.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        optim.lr_scheduler.CyclicLR(opt, 0.1, 1.0)
    optim.lr_scheduler.CyclicLR(opt, 0.1, 1.0, cycle_momentum=False)
