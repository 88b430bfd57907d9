"""Optimizer behaviour on its own: parameter groups, zero_grad, closures,
state_dict checks, printing, schedules, and the errors for bad input
(PyTorch's messages as the guide)."""

from __future__ import annotations

import numpy as np
import pytest

import symgrad
from symgrad import nn, optim


def _quadratic_step(opt, w):
    opt.zero_grad()
    loss = ((w - 3.0) ** 2).sum()
    loss.backward()
    opt.step()
    return loss


# ---------------------------------------------------------------- behaviour

def test_sgd_converges_and_keeps_the_parameter_object():
    w = symgrad.tensor([0.0, 10.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    for _ in range(100):
        _quadratic_step(opt, w)
    np.testing.assert_allclose(np.asarray(w.detach()), [3.0, 3.0])
    assert w.is_leaf and w.requires_grad and w.grad_fn is None


def test_step_bumps_the_parameter_version_like_an_inplace_op():
    w = symgrad.tensor([1.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    y = w * w
    y.sum().backward(retain_graph=True)
    opt.step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


@pytest.mark.parametrize("dtype", [symgrad.float32, symgrad.float64])
def test_plain_sgd_step_gives_the_numbers_of_add_(dtype):
    # SGD without momentum/decay writes p - lr*g into the arrays (no terms): the
    # same bits as the general in-place path, p.add_(g, alpha=-lr) under no_grad.
    rng = np.random.default_rng(0)
    w = symgrad.tensor(rng.normal(size=(3, 2)), dtype=dtype, requires_grad=True)
    twin = symgrad.tensor(np.asarray(w.detach()), dtype=dtype, requires_grad=True)
    w.grad = symgrad.tensor(rng.normal(size=(3, 2)), dtype=dtype)
    optim.SGD([w], lr=0.037).step()
    with symgrad.no_grad():
        twin.add_(w.grad, alpha=-0.037)
    assert np.asarray(w.detach()).tobytes() == np.asarray(twin.detach()).tobytes() and w.dtype == dtype
    assert str(w.expr[0, 0]) == "w[0, 0]"  # still the leaf's symbols


def test_plain_sgd_step_on_a_tensor_that_is_not_a_plain_leaf_takes_the_general_path():
    # A leaf that does not require grad but was given a .grad, and whose term is
    # a formula (built under no_grad from a symbol): its new term is that formula
    # minus lr * grad, as p.add_(...) would make it.
    x = symgrad.tensor(2.0, requires_grad=True, name="x")
    with symgrad.no_grad():
        p = x * 3
    p.grad = symgrad.tensor(1.0)
    optim.SGD([p], lr=0.5).step()
    assert float(p) == 5.5 and str(p.expr) == "3*x - 0.5"


def test_a_formula_made_before_a_plain_sgd_step_keeps_the_old_numbers():
    # p holds plain numbers (a constant in y's formula); the step writes new
    # numbers into p's memory, and y's closed form must still show the old ones.
    x = symgrad.tensor(2.0, requires_grad=True, name="x")
    p = symgrad.tensor([1.0, 2.0])
    y = p * x
    p.grad = symgrad.tensor([1.0, 1.0])
    optim.SGD([p], lr=1.0).step()
    assert np.asarray(p).tolist() == [0.0, 1.0]
    assert [str(e) for e in y.expr] == ["x", "2*x"]


def test_write_numbers_refuses_to_run_while_recording():
    from symgrad.dispatch import plain_numbers, write_numbers

    w = symgrad.tensor([1.0], requires_grad=True)
    assert plain_numbers(w) is not None and plain_numbers(w * 2) is None
    with pytest.raises(RuntimeError, match="no_grad"):
        write_numbers(w, np.zeros(1))


def test_parameter_groups_have_their_own_hyperparameters():
    model = nn.Sequential(nn.Linear(1, 1), nn.Linear(1, 1))
    opt = optim.SGD([{"params": model[0].parameters()}, {"params": model[1].parameters(), "lr": 0.5}],
                    lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert [g["momentum"] for g in opt.param_groups] == [0.9, 0.9]
    extra = symgrad.zeros(1, requires_grad=True)
    opt.add_param_group({"params": [extra], "momentum": 0.0})
    assert opt.param_groups[2]["lr"] == 0.1 and opt.param_groups[2]["momentum"] == 0.0


def test_named_parameters_are_accepted():
    model = nn.Linear(1, 1)
    opt = optim.Adam(model.named_parameters())
    assert opt.param_groups[0]["param_names"] == ["weight", "bias"]
    assert opt.param_groups[0]["params"][0] is model.weight


def test_parameters_without_gradients_are_left_alone():
    a = symgrad.tensor([1.0], requires_grad=True)
    b = symgrad.tensor([1.0], requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    (a * 2).sum().backward()
    opt.step()
    assert b.tolist() == [1.0] and a.tolist() != [1.0]
    assert b not in opt.state


def test_zero_grad_drops_or_zeroes():
    w = symgrad.tensor([1.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    (w * 3).sum().backward()
    opt.zero_grad(set_to_none=False)
    assert w.grad.tolist() == [0.0]
    opt.zero_grad()
    assert w.grad is None


def test_step_calls_the_closure_with_grad_enabled():
    w = symgrad.tensor([0.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = ((w - 1.0) ** 2).sum()
        loss.backward()
        return loss

    with symgrad.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 1.0 and w.tolist() == [0.5]


def test_repr_lists_the_hyperparameters():
    opt = optim.SGD([symgrad.zeros(1, requires_grad=True)], lr=0.01)
    assert repr(opt) == ("SGD (\nParameter Group 0\n    dampening: 0\n    lr: 0.01\n    maximize: False\n"
                         "    momentum: 0\n    nesterov: False\n    weight_decay: 0\n)")


def test_adamw_defaults_and_decay():
    w = symgrad.tensor([1.0], requires_grad=True)
    opt = optim.AdamW([w], lr=0.1)
    assert opt.param_groups[0]["weight_decay"] == 0.01
    w.grad = symgrad.zeros(1)
    opt.step()  # a zero gradient: only the decoupled decay moves w
    assert w.item() == pytest.approx(1.0 - 0.1 * 0.01)


def test_step_lr_state_dict_round_trip():
    opt = optim.SGD([symgrad.zeros(1, requires_grad=True)], lr=1.0)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.1)
    for _ in range(3):
        opt.step()
        sched.step()
    saved = sched.state_dict()
    assert saved["last_epoch"] == 3 and "optimizer" not in saved
    other = optim.lr_scheduler.StepLR(optim.SGD([symgrad.zeros(1, requires_grad=True)], lr=1.0), step_size=5)
    other.load_state_dict(saved)
    assert other.step_size == 2 and other.get_last_lr() == sched.get_last_lr()


# ---------------------------------------------------------------- errors

@pytest.mark.parametrize("kwargs,message", [
    (dict(lr=-1), "Invalid learning rate: -1"),
    (dict(lr=0.1, momentum=-1), "Invalid momentum value: -1"),
    (dict(lr=0.1, weight_decay=-1), "Invalid weight_decay value: -1"),
    (dict(lr=0.1, nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
    (dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "Nesterov momentum requires"),
])
def test_sgd_hyperparameter_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        optim.SGD([symgrad.zeros(1, requires_grad=True)], **kwargs)


@pytest.mark.parametrize("cls", [optim.Adam, optim.AdamW])
@pytest.mark.parametrize("kwargs,message", [
    (dict(lr=-1), "Invalid learning rate: -1"),
    (dict(betas=(1.0, 0.9)), r"Invalid beta parameter at index 0: 1.0"),
    (dict(betas=(0.9, 1.5)), r"Invalid beta parameter at index 1: 1.5"),
    (dict(eps=-1), "Invalid epsilon value: -1"),
    (dict(weight_decay=-1), "Invalid weight_decay value: -1"),
])
def test_adam_hyperparameter_errors(cls, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cls([symgrad.zeros(1, requires_grad=True)], **kwargs)


def test_hyperparameters_must_be_numbers():
    with pytest.raises(TypeError, match="learning rate must be a number, got str"):
        optim.SGD([symgrad.zeros(1, requires_grad=True)], lr="0.1")
    with pytest.raises(TypeError, match="betas must be a pair"):
        optim.Adam([symgrad.zeros(1, requires_grad=True)], betas=0.9)


def test_group_hyperparameters_are_checked_too():
    with pytest.raises(ValueError, match="Invalid learning rate: -0.5"):
        optim.SGD([{"params": [symgrad.zeros(1, requires_grad=True)], "lr": -0.5}], lr=0.1)


def test_params_errors():
    w = symgrad.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD(nn.ReLU().parameters(), lr=0.1)
    with pytest.raises(TypeError, match="should be an iterable of Tensors or dicts, but got"):
        optim.SGD(w, lr=0.1)
    with pytest.raises(TypeError, match="optimizer can only optimize Tensors, but one of the params is float"):
        optim.SGD([1.0], lr=0.1)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([w * 2], lr=0.1)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        optim.SGD([{"params": [w]}, {"params": [w]}], lr=0.1)
    with pytest.raises(ValueError, match="appears more than once in this parameter group"):
        optim.SGD([w, w], lr=0.1)
    with pytest.raises(TypeError, match="ordering of tensors in sets will change"):
        optim.SGD({w}, lr=0.1)
    with pytest.raises(ValueError, match="only floating point tensors"):
        optim.SGD([symgrad.tensor([1, 2])], lr=0.1)


def test_load_state_dict_errors():
    a = symgrad.zeros(1, requires_grad=True)
    b = symgrad.zeros(1, requires_grad=True)
    saved = optim.SGD([a, b], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        optim.SGD([a], lr=0.1).load_state_dict(saved)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1).load_state_dict(saved)


def test_scheduler_errors():
    opt = optim.SGD([symgrad.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="step_size must be a positive int"):
        optim.lr_scheduler.StepLR(opt, step_size=0)
    with pytest.raises(TypeError, match="is not an Optimizer"):
        optim.lr_scheduler.StepLR("sgd", step_size=1)
    with pytest.raises(KeyError, match="initial_lr"):
        optim.lr_scheduler.StepLR(opt, step_size=1, last_epoch=4)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax", "NAdam"])
def test_pytorchs_implementation_options_are_accepted_and_change_nothing(name):
    # optim.Adam(params, foreach=False) was a TypeError; the numbers are those without the options
    def steps(**options):
        w = nn.Parameter(symgrad.tensor([1.0, -2.0]))
        opt = getattr(optim, name)([w], lr=0.1, **options)
        for _ in range(3):
            _quadratic_step(opt, w)
        return w.detach().numpy().copy()

    np.testing.assert_array_equal(steps(foreach=False, fused=None, capturable=False, differentiable=False), steps())
    with pytest.raises(NotImplementedError, match=r"differentiable=True\) is not supported"):
        getattr(optim, name)([nn.Parameter(symgrad.ones(1))], lr=0.1, differentiable=True)
    with pytest.raises(TypeError, match=f"{name}.__init__\\(\\) got an unexpected keyword argument 'betass'"):
        getattr(optim, name)([nn.Parameter(symgrad.ones(1))], lr=0.1, betass=(0.9, 0.99))
