"""gradcheck / gradgradcheck: pass correct rules, catch wrong ones (even 0.5 %
wrong), PyTorch's semantics and messages."""

from __future__ import annotations

import importlib
import warnings

import numpy as np
import pytest

import symgrad
from symgrad.dispatch import apply
from symgrad.ops._sympy import sp
from symgrad.ops.registry import TABLE, defop


@pytest.fixture
def make_op():
    """Define throw-away ops with unique names, and remove them from the op
    table afterwards (other tests compare the table with the spec list)."""
    made = []

    def make(name, forward, symbolic, rule):
        op = defop(f"_test_gradcheck_{name}", forward, symbolic, vjp=(rule,), elementwise=True, promote="float")
        made.append(op.name)
        return lambda x: apply(op, x)

    yield make
    for name in made:
        TABLE.pop(name, None)


def _x(values=(0.3, 1.2, -0.8)):
    return symgrad.tensor(list(values), dtype=symgrad.float64, requires_grad=True)


CORRECT = {
    "sin": lambda x: symgrad.sin(x),
    "exp*tanh": lambda x: symgrad.exp(x) * symgrad.tanh(x),
    "sigmoid": lambda x: symgrad.sigmoid(x),
    "pow": lambda x: x ** 3 - 2 * x,
    "softmax": lambda x: symgrad.softmax(x, dim=0),
    "sum-outer": lambda x: symgrad.outer(x, x).sum(dim=0),
    "logsumexp": lambda x: symgrad.logsumexp(x, dim=0),
}


@pytest.mark.parametrize("name", CORRECT)
@pytest.mark.parametrize("fast_mode", [False, True])
def test_correct_rules_pass(name, fast_mode):
    x = _x()
    assert symgrad.gradcheck(CORRECT[name], (x,), fast_mode=fast_mode)
    assert symgrad.gradgradcheck(CORRECT[name], (x,), fast_mode=fast_mode)


def test_two_inputs_with_broadcasting_pass():
    a = symgrad.tensor([[0.5], [1.5]], dtype=symgrad.float64, requires_grad=True)
    b = symgrad.tensor([0.2, -0.4, 0.9], dtype=symgrad.float64, requires_grad=True)
    f = lambda a, b: a * symgrad.sin(b) + a / (1 + b * b)  # noqa: E731
    assert symgrad.gradcheck(f, (a, b))
    assert symgrad.gradcheck(f, (a, b), check_forward_ad=True)
    assert symgrad.gradgradcheck(f, (a, b))


def test_non_contiguous_inputs():
    base = symgrad.tensor([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], dtype=symgrad.float64)
    xt = base.t().requires_grad_()  # a transposed view of base's memory
    assert symgrad.gradcheck(lambda x: symgrad.sin(x) * symgrad.tensor([1., 2.]), (xt,))
    assert symgrad.gradcheck(lambda x: symgrad.sin(x) * symgrad.tensor([1., 2.]), (xt,), fast_mode=True)
    assert base.tolist() == [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]


def test_a_rule_half_a_percent_wrong_is_caught(make_op):
    bad_sin = make_op("sin_off", np.sin, lambda x: sp.sin(x), lambda g, out, x: g * symgrad.cos(x) * 1.005)
    x = _x()
    for fast_mode in (False, True):
        with pytest.raises(symgrad.GradcheckError) as info:
            symgrad.gradcheck(bad_sin, (x,), fast_mode=fast_mode)
        msg = str(info.value)
        assert msg.startswith("Jacobian mismatch for output 0 with respect to input 0,\nnumerical:")
        assert "analytical:" in msg and "analytical/numerical = 1.005" in msg
        assert "input[1] -> output[1]" in msg
    assert symgrad.gradcheck(bad_sin, (x,), raise_exception=False) is False
    assert isinstance(info.value, RuntimeError)  # as PyTorch's GradcheckError
    assert x.tolist() == [0.3, 1.2, -0.8]  # perturbed inputs are restored exactly


def test_a_wrong_second_derivative_passes_gradcheck_and_fails_gradgradcheck(make_op):
    cos_bad = make_op("cos_bad", np.cos, lambda x: sp.cos(x), lambda g, out, x: -g * symgrad.sin(x) * 1.01)
    sin_ok = make_op("sin_ok", np.sin, lambda x: sp.sin(x), lambda g, out, x: g * cos_bad(x))
    x = _x()
    assert symgrad.gradcheck(sin_ok, (x,))
    with pytest.raises(symgrad.GradcheckError, match="Jacobian mismatch"):
        symgrad.gradgradcheck(sin_ok, (x,))


def test_nondeterministic_backward_is_not_reentrant(make_op):
    rng = np.random.default_rng(0)
    noisy = make_op("noisy", np.sin, lambda x: sp.sin(x),
                    lambda g, out, x: g * symgrad.cos(x) * (1 + 1e-9 * rng.standard_normal()))
    with pytest.raises(symgrad.GradcheckError, match="Backward is not reentrant"):
        symgrad.gradcheck(noisy, (_x(),))
    assert symgrad.gradcheck(noisy, (_x(),), nondet_tol=1e-6)


def test_outputs_computed_outside_the_graph_are_caught():
    with pytest.raises(symgrad.GradcheckError, match="expected to be zero"):
        symgrad.gradcheck(lambda x: (x.detach() * 2, x * 1), (_x(),))


def test_input_checks_and_warnings():
    with pytest.raises(ValueError, match="at least one input tensor to require gradient"):
        symgrad.gradcheck(symgrad.sin, (symgrad.tensor([1., 2.]),))
    x32 = symgrad.tensor([0.3, 1.2], dtype=symgrad.float32, requires_grad=True)
    with pytest.warns(UserWarning, match="Input #0 requires gradient and is not a double precision"):
        symgrad.gradcheck(symgrad.sin, (x32,), raise_exception=False)
    with pytest.warns(UserWarning, match="need vmap"):
        symgrad.gradcheck(symgrad.sin, (_x(),), check_batched_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert symgrad.gradcheck(symgrad.sin, _x())  # a single tensor is fine, float64 does not warn
    with pytest.raises(TypeError, match="must return a tensor"):
        symgrad.gradcheck(lambda x: 3.0, (_x(),))


def test_same_verdicts_as_torch():
    torch = pytest.importorskip("torch")

    class BadSin(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin()

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x.cos() * 1.005

    xt = torch.tensor([0.3, 1.2, -0.8], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(torch.sin, (xt,))
    assert symgrad.gradcheck(symgrad.sin, (_x(),))
    torch_gradcheck = importlib.import_module("torch.autograd.gradcheck")  # the module, not the function
    with pytest.raises(torch_gradcheck.GradcheckError) as theirs:
        torch.autograd.gradcheck(BadSin.apply, (xt,))
    first_line = str(theirs.value).splitlines()[0]
    bad = defop("_test_gradcheck_torch_bad_sin", np.sin, lambda x: sp.sin(x), elementwise=True, promote="float",
                vjp=(lambda g, out, x: g * symgrad.cos(x) * 1.005,))
    try:
        with pytest.raises(symgrad.GradcheckError) as ours:
            symgrad.gradcheck(lambda x: apply(bad, x), (_x(),))
    finally:
        TABLE.pop(bad.name)
    assert str(ours.value).splitlines()[0] == first_line


@pytest.mark.parametrize("fast_mode", [False, True])
def test_nan_jacobians_do_not_pass(fast_mode):
    # PyTorch compares with allclose (nan is not close to nan): a function whose
    # gradient is nan everywhere is not "correct" because both sides agree on nan.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert not symgrad.gradcheck(lambda x: x * float("nan"), (_x(),), raise_exception=False,
                                     fast_mode=fast_mode)
        with pytest.raises(symgrad.GradcheckError, match=r"input\[0\] -> output\[0\]: numerical nan, analytical nan"):
            symgrad.gradcheck(lambda x: x * float("nan"), (_x(),), fast_mode=fast_mode)
