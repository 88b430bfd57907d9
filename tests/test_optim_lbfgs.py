"""LBFGS beside PyTorch's: the same iterations (the evaluation and
iteration counts equal), the same parameters, losses and state, with and
without the strong-Wolfe line search, on Rosenbrock's function and on a small
network; its state_dict (PyTorch's layout, loaded from PyTorch and resumed);
its errors."""

from __future__ import annotations

import numpy as np
import pytest

import symgrad
from symgrad import optim

torch = pytest.importorskip("torch")

from tests.test_optim_more import _from_torch  # noqa: E402
from tests.test_optim_vs_torch import _nets, _problem  # noqa: E402

CONFIGS = {
    "plain": dict(lr=0.05, max_iter=5),
    "plain short history": dict(max_iter=4, lr=0.5, history_size=2),
    "strong_wolfe": dict(line_search_fn="strong_wolfe", max_iter=5),
    "strong_wolfe short history": dict(line_search_fn="strong_wolfe", history_size=3),
    "strong_wolfe few evaluations": dict(line_search_fn="strong_wolfe", history_size=2, max_iter=7, max_eval=9),
}


@pytest.fixture(autouse=True)
def float64_default():
    """PyTorch's default dtype float64 as symgrad's (its 0-d numbers follow it)."""
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(before)


def _rosenbrock(w):
    return (1 - w[0]) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2 + (w[2] - w[1]) ** 2


def _run_rosenbrock(lib, lib_optim, kw, steps):
    """Per step(closure): the loss it returns, the parameters, func_evals and n_iter."""
    w = lib.tensor([-1.2, 1.0, 0.5], requires_grad=True)
    opt = lib_optim.LBFGS([w], **kw)

    def closure():
        opt.zero_grad()
        loss = _rosenbrock(w)
        loss.backward()
        return loss

    trace = []
    for _ in range(steps):
        loss = opt.step(closure)
        trace.append((loss.item(), w.detach().tolist(), opt.state[w]["func_evals"], opt.state[w]["n_iter"]))
    return trace, opt, w


@pytest.mark.parametrize("config", list(CONFIGS))
def test_rosenbrock_iterations_match_pytorch(config):
    """The first step (up to 20 iterations) agrees to 1e-10; over 8, the same
    iterations run, and the parameters agree to 1e-7 (Rosenbrock's narrow
    valley magnifies rounding, and PyTorch's in-place ``add_(x, alpha=a)``
    fuses the multiply-add where symgrad rounds twice)."""
    kw = CONFIGS[config]
    t_trace, _, _ = _run_rosenbrock(torch, torch.optim, kw, 8)
    s_trace, _, _ = _run_rosenbrock(symgrad, optim, kw, 8)
    assert [counts[2:] for counts in s_trace] == [counts[2:] for counts in t_trace]
    for step, ((s_loss, s_w, *_), (t_loss, t_w, *_)) in enumerate(zip(s_trace, t_trace)):
        tol = 1e-10 if step == 0 else 1e-7
        np.testing.assert_allclose(s_w, t_w, rtol=tol, atol=tol)
        np.testing.assert_allclose(s_loss, t_loss, rtol=tol, atol=tol)


def test_strong_wolfe_finds_rosenbrocks_minimum():
    # (then it stays, as PyTorch's: the slope along the direction is below tolerance_change)
    trace, _, w = _run_rosenbrock(symgrad, optim, dict(line_search_fn="strong_wolfe"), 4)
    np.testing.assert_allclose(w.detach().tolist(), [1.0, 1.0, 1.0], atol=1e-5)
    assert trace[-1][0] < 1e-11 and trace[-1][1] == trace[-2][1]


def _train(lib, lib_optim, kw, steps, kind="mse"):
    x, y, t_loss, s_loss = _problem(kind)
    t_net, s_net = _nets()
    net, loss_fn = (t_net, t_loss) if lib is torch else (s_net, s_loss)
    x, y = (torch.from_numpy(x), torch.from_numpy(y)) if lib is torch else (symgrad.from_numpy(x),
                                                                            symgrad.from_numpy(y))
    opt = lib_optim.LBFGS(net.parameters(), **kw)

    def closure():
        opt.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        return loss

    losses = [opt.step(closure).item() for _ in range(steps)]
    return losses, net, opt


def _assert_same_state(s_state, t_state, rtol):
    assert list(s_state) == list(t_state)
    for key, value in t_state.items():
        mine = s_state[key]
        if isinstance(value, list):
            assert len(mine) == len(value), key
            for a, b in zip(mine, value):
                assert (a is None) == (b is None), key
                if b is not None:
                    np.testing.assert_allclose(np.asarray(a), b.numpy(), rtol=rtol, atol=1e-14)
        elif isinstance(value, torch.Tensor):
            assert isinstance(mine, symgrad.Tensor), key
            np.testing.assert_allclose(np.asarray(mine), value.numpy(), rtol=rtol, atol=1e-14)
        else:
            assert type(mine) is type(value), key
            np.testing.assert_allclose(mine, value, rtol=rtol)


@pytest.mark.parametrize("kind", ["mse", "ce"])
@pytest.mark.parametrize("kw", [dict(lr=0.1, max_iter=3), dict(lr=0.1, max_iter=3, line_search_fn="strong_wolfe")])
def test_network_training_matches_pytorch(kind, kw):
    s_losses, s_net, s_opt = _train(symgrad, optim, kw, 5, kind)
    t_losses, t_net, t_opt = _train(torch, torch.optim, kw, 5, kind)
    # (15 iterations, and the line search's evaluations: 1e-10)
    np.testing.assert_allclose(s_losses, t_losses, rtol=1e-10)
    assert s_losses[-1] < s_losses[0]
    for s_p, t_p in zip(s_net.parameters(), t_net.parameters()):
        np.testing.assert_allclose(np.asarray(s_p.detach()), t_p.detach().numpy(), rtol=1e-10, atol=1e-12)
    first_s, first_t = next(iter(s_net.parameters())), next(iter(t_net.parameters()))
    assert list(s_opt.state) == [first_s] and list(t_opt.state) == [first_t]  # (kept with the first parameter)
    _assert_same_state(s_opt.state[first_s], t_opt.state[first_t], rtol=1e-9)


def test_state_dict_layout_matches_pytorch_and_pytorchs_loads():
    """PyTorch's state_dict after 3 steps loads into symgrad (on PyTorch's
    weights), and 3 more steps of each agree."""
    kw = dict(lr=0.1, max_iter=3, history_size=4)
    _, t_net, t_opt = _train(torch, torch.optim, kw, 3)
    _, s_net, s_opt = _train(symgrad, optim, kw, 3)
    t_sd, s_sd = t_opt.state_dict(), s_opt.state_dict()
    assert list(s_sd["state"]) == list(t_sd["state"]) == [0]
    assert list(s_sd["state"][0]) == list(t_sd["state"][0])
    assert s_sd["param_groups"] == t_sd["param_groups"]

    x, y, t_loss, s_loss = _problem("mse")
    _, fresh = _nets()
    fresh.load_state_dict(t_net.state_dict())
    opt = optim.LBFGS(fresh.parameters(), lr=1.0)
    opt.load_state_dict(_from_torch(t_sd))
    xs, ys = symgrad.from_numpy(x), symgrad.from_numpy(y)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    for _ in range(3):
        opt.step(lambda: _closure(opt, fresh, s_loss, xs, ys))
        t_opt.step(lambda: _closure(t_opt, t_net, t_loss, xt, yt))
    for s_p, t_p in zip(fresh.parameters(), t_net.parameters()):
        np.testing.assert_allclose(np.asarray(s_p.detach()), t_p.detach().numpy(), rtol=1e-12, atol=1e-14)


def _closure(opt, net, loss_fn, x, y):
    opt.zero_grad()
    loss = loss_fn(net(x), y)
    loss.backward()
    return loss


def test_resumes_from_its_state_dict_exactly():
    kw = dict(line_search_fn="strong_wolfe", max_iter=4, history_size=3)
    straight = _run_rosenbrock(symgrad, optim, kw, 6)[0]
    first, opt, w = _run_rosenbrock(symgrad, optim, kw, 3)
    saved = opt.state_dict()
    w2 = symgrad.tensor(w.detach().tolist(), requires_grad=True)
    opt2 = optim.LBFGS([w2], **dict(kw, lr=5.0))
    opt2.load_state_dict(saved)

    def closure():
        opt2.zero_grad()
        loss = _rosenbrock(w2)
        loss.backward()
        return loss

    for _ in range(3):
        opt2.step(closure)
    assert w2.detach().tolist() == straight[-1][1]
    assert opt2.state[w2]["func_evals"] == straight[-1][2]


def test_errors_are_pytorchs():
    for lib, lib_optim in ((torch, torch.optim), (symgrad, optim)):
        a, b = lib.zeros(2, requires_grad=True), lib.zeros(2, requires_grad=True)
        with pytest.raises(ValueError, match="Invalid learning rate: -1"):
            lib_optim.LBFGS([a], lr=-1)
        with pytest.raises(ValueError, match=r"doesn't support per-parameter options \(parameter groups\)"):
            lib_optim.LBFGS([{"params": [a]}, {"params": [b]}])
        opt = lib_optim.LBFGS([a], line_search_fn="backtracking")

        def closure(a=a, opt=opt):
            opt.zero_grad()
            loss = ((a - 1) ** 2).sum()
            loss.backward()
            return loss

        with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
            opt.step(closure)
        assert lib_optim.LBFGS([a], max_iter=8).defaults["max_eval"] == 10


def test_a_zero_gradient_ends_the_step_at_once():
    w = symgrad.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.LBFGS([w])
    calls = []

    def closure():
        calls.append(1)
        opt.zero_grad()
        loss = (w * 0).sum()
        loss.backward()
        return loss

    opt.step(closure)
    assert len(calls) == 1 and w.detach().tolist() == [1.0, 2.0]
    assert opt.state[w] == {"func_evals": 1, "n_iter": 0}
