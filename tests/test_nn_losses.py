"""Losses against PyTorch (values and gradients, every reduction, weights,
ignore_index, label smoothing, probability targets), their closed forms, and
their errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import sympy

import symgrad
import symgrad.nn.functional as F  # noqa: N812 - PyTorch's convention
from symgrad import nn

RNG = np.random.default_rng(0)
LOGITS = RNG.normal(size=(5, 4))
INDICES = np.array([0, 3, 1, 3, 2])
PROBS = RNG.dirichlet(np.ones(4), size=5)
BINARY = RNG.integers(0, 2, size=(5, 4)).astype(float)
CLASS_WEIGHTS = np.array([0.5, 1.0, 2.0, 1.5])


def _both(make_s, make_t, *arrays, grad_of=0):
    """Loss and gradient (w.r.t. ``arrays[grad_of]``) in symgrad and PyTorch."""
    torch = pytest.importorskip("torch")
    s_args = [symgrad.tensor(a) for a in arrays]
    t_args = [torch.tensor(a) for a in arrays]
    s_args[grad_of].requires_grad_()
    t_args[grad_of].requires_grad_()
    s_out, t_out = make_s(*s_args), make_t(torch, *t_args)
    s_out.sum().backward()
    t_out.sum().backward()
    return (np.asarray(s_out.detach()), np.asarray(s_args[grad_of].grad)), (t_out.detach().numpy(),
                                                                   t_args[grad_of].grad.numpy())


def _check(make_s, make_t, *arrays, grad_of=0):
    (s_val, s_grad), (t_val, t_grad) = _both(make_s, make_t, *arrays, grad_of=grad_of)
    np.testing.assert_allclose(s_val, t_val, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(s_grad, t_grad, rtol=1e-10, atol=1e-14)


REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_and_l1(reduction):
    target = RNG.normal(size=(5, 4))
    _check(lambda x, y: nn.MSELoss(reduction=reduction)(x, y),
           lambda t, x, y: t.nn.MSELoss(reduction=reduction)(x, y), LOGITS, target)
    _check(lambda x, y: nn.L1Loss(reduction=reduction)(x, y),
           lambda t, x, y: t.nn.L1Loss(reduction=reduction)(x, y), LOGITS, target)
    _check(lambda x, y: F.mse_loss(x, y, reduction=reduction),
           lambda t, x, y: t.nn.functional.mse_loss(x, y, reduction=reduction), LOGITS, target, grad_of=1)


# targets placing differences on both sides of the kinks, at 0 and exactly at the kink itself
KINKED = np.array([[0.0, 0.5, -0.3, 2.0], [1.0, -1.0, 0.2, -2.5], [0.7, -0.7, 0.0, 3.0],
                   [0.05, -0.05, 1.5, -1.5], [0.9, 1.1, -0.9, -1.1]])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("beta", [1.0, 0.7, 0.0])
def test_smooth_l1(reduction, beta):
    _check(lambda x, y: nn.SmoothL1Loss(reduction=reduction, beta=beta)(x, y),
           lambda t, x, y: t.nn.SmoothL1Loss(reduction=reduction, beta=beta)(x, y), KINKED, np.zeros((5, 4)))
    _check(lambda x, y: F.smooth_l1_loss(x, y, reduction=reduction, beta=beta),
           lambda t, x, y: t.nn.functional.smooth_l1_loss(x, y, reduction=reduction, beta=beta),
           LOGITS, KINKED, grad_of=1)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("delta", [1.0, 0.7, 2.0])
def test_huber(reduction, delta):
    _check(lambda x, y: nn.HuberLoss(reduction=reduction, delta=delta)(x, y),
           lambda t, x, y: t.nn.HuberLoss(reduction=reduction, delta=delta)(x, y), KINKED, np.zeros((5, 4)))
    _check(lambda x, y, w: F.huber_loss(x, y, reduction=reduction, delta=delta, weight=w),
           lambda t, x, y, w: t.nn.functional.huber_loss(x, y, reduction=reduction, delta=delta, weight=w),
           LOGITS, KINKED, RNG.uniform(0.5, 2, (5, 4)))


def test_smooth_l1_and_huber_closed_forms_and_errors():
    x = symgrad.tensor(0.5, requires_grad=True)
    assert str(F.huber_loss(x, symgrad.tensor(0.0), delta=2.0).expr) == "Piecewise((0.5*x**2, Abs(x) < 2), " \
        "(2*Abs(x) - 2, True))"
    assert symgrad.diff(F.smooth_l1_loss(x, symgrad.tensor(0.0)), x).subs({x.symbol: 0.5}) == 0.5
    with pytest.raises(RuntimeError, match="negative values for beta"):
        F.smooth_l1_loss(x, x, beta=-1)
    with pytest.raises(RuntimeError, match="non-positive values for delta"):
        nn.HuberLoss(delta=0.0)(x, x)
    with pytest.warns(UserWarning, match="target size"):
        F.huber_loss(symgrad.zeros(2, 1), symgrad.zeros(2))
    assert repr(nn.SmoothL1Loss(beta=0.5)) == "SmoothL1Loss()" and repr(nn.HuberLoss()) == "HuberLoss()"


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce(reduction, weighted):
    p = 1 / (1 + np.exp(-LOGITS))
    w = RNG.uniform(0.5, 2, size=(5, 4)) if weighted else None

    def s_fn(x, y):
        return nn.BCELoss(weight=None if w is None else symgrad.tensor(w), reduction=reduction)(x, y)

    def t_fn(t, x, y):
        return t.nn.BCELoss(weight=None if w is None else t.tensor(w), reduction=reduction)(x, y)

    _check(s_fn, t_fn, p, BINARY)
    _check(s_fn, t_fn, p, BINARY * 0.7 + 0.1, grad_of=1)


def test_bce_clamps_logs_at_minus_100_like_pytorch():
    p = np.array([0.0, 1.0, 1e-50, 1.0 - 1e-17, 0.3])
    t = np.array([1.0, 0.0, 1.0, 0.0, 1.0])
    (s_val, s_grad), (t_val, t_grad) = _both(lambda x, y: F.binary_cross_entropy(x, y, reduction="none"),
                                             lambda tc, x, y: tc.nn.functional.binary_cross_entropy(
                                                 x, y, reduction="none"), p, t)
    np.testing.assert_allclose(s_val, t_val)
    assert s_val.tolist()[:3] == [100.0, 100.0, 100.0]
    assert np.all(np.isfinite(s_grad)), "no NaN gradient where p is exactly 0 or 1"
    np.testing.assert_allclose(s_grad[-1], t_grad[-1])


def test_bce_closed_form_is_the_textbook_formula():
    p = symgrad.tensor(0.25, requires_grad=True)
    t = symgrad.tensor(0.5)
    loss = F.binary_cross_entropy(p, t)
    assert sympy.simplify(loss.expr - (-(sympy.Rational(1, 2) * sympy.log(p.expr)
                                         + sympy.Rational(1, 2) * sympy.log(1 - p.expr)))) == 0


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("pos_weight", [False, True])
def test_bce_with_logits(reduction, pos_weight):
    pw = np.array([1.0, 2.0, 0.5, 3.0]) if pos_weight else None
    w = RNG.uniform(0.5, 2, size=(5, 4))
    x = LOGITS * 20  # far into both tails: the stable formula matters

    def s_fn(x, y):
        return nn.BCEWithLogitsLoss(weight=symgrad.tensor(w), reduction=reduction,
                                    pos_weight=None if pw is None else symgrad.tensor(pw))(x, y)

    def t_fn(t, x, y):
        return t.nn.BCEWithLogitsLoss(weight=t.tensor(w), reduction=reduction,
                                      pos_weight=None if pw is None else t.tensor(pw))(x, y)

    _check(s_fn, t_fn, x, BINARY)


def test_bce_with_logits_closed_form():
    x = symgrad.tensor(0.5, requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, symgrad.tensor(0.0))
    assert loss.expr == x.expr + sympy.log(1 + sympy.exp(-x.expr))
    assert sympy.simplify(symgrad.diff(loss, x) - 1 / (1 + sympy.exp(-x.expr))) == 0


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [{}, {"weight": CLASS_WEIGHTS}, {"ignore_index": 3},
                                     {"weight": CLASS_WEIGHTS, "ignore_index": 1},
                                     {"label_smoothing": 0.2},
                                     {"label_smoothing": 0.1, "weight": CLASS_WEIGHTS, "ignore_index": 3}])
def test_cross_entropy_with_class_indices(reduction, options):
    def make(lib, module):
        kw = dict(options)
        if "weight" in kw:
            kw["weight"] = lib.tensor(kw["weight"])
        return module(reduction=reduction, **kw)

    _check(lambda x, y: make(symgrad, nn.CrossEntropyLoss)(x, y),
           lambda t, x, y: make(t, t.nn.CrossEntropyLoss)(x, y), LOGITS, INDICES)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [{}, {"weight": CLASS_WEIGHTS}, {"label_smoothing": 0.3}])
def test_cross_entropy_with_probabilities(reduction, options):
    def make(lib, module):
        kw = dict(options)
        if "weight" in kw:
            kw["weight"] = lib.tensor(kw["weight"])
        return module(reduction=reduction, **kw)

    _check(lambda x, y: make(symgrad, nn.CrossEntropyLoss)(x, y),
           lambda t, x, y: make(t, t.nn.CrossEntropyLoss)(x, y), LOGITS, PROBS)


def test_cross_entropy_shapes_beyond_2d_and_single_sample():
    x = RNG.normal(size=(2, 3, 4))
    y = RNG.integers(0, 3, size=(2, 4))
    _check(lambda a, b: F.cross_entropy(a, b), lambda t, a, b: t.nn.functional.cross_entropy(a, b), x, y)
    _check(lambda a, b: F.cross_entropy(a, b), lambda t, a, b: t.nn.functional.cross_entropy(a, b),
           LOGITS[0], np.array(2))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss(reduction):
    logp = LOGITS - np.log(np.exp(LOGITS).sum(1, keepdims=True))
    _check(lambda x, y: nn.NLLLoss(weight=symgrad.tensor(CLASS_WEIGHTS), ignore_index=0, reduction=reduction)(x, y),
           lambda t, x, y: t.nn.NLLLoss(weight=t.tensor(CLASS_WEIGHTS), ignore_index=0, reduction=reduction)(x, y),
           logp, INDICES)


def test_cross_entropy_closed_form():
    z = symgrad.tensor([[1.0, 2.0, 3.0]], requires_grad=True, name="z")
    loss = F.cross_entropy(z, symgrad.tensor([2]))
    z0, z1, z2 = z.expr[0, 0], z.expr[0, 1], z.expr[0, 2]
    assert sympy.simplify(loss.expr - (sympy.log(sympy.exp(z0) + sympy.exp(z1) + sympy.exp(z2)) - z2)) == 0
    grad = symgrad.diff(loss, z)
    softmax_2 = sympy.exp(z2) / (sympy.exp(z0) + sympy.exp(z1) + sympy.exp(z2))
    assert sympy.simplify(grad[0, 2] - (softmax_2 - 1)) == 0


# ---------------------------------------------------------------- errors

def test_reduction_must_be_known():
    with pytest.raises(ValueError, match="foo is not a valid value for reduction"):
        nn.MSELoss(reduction="foo")
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        F.cross_entropy(symgrad.zeros(2, 3), symgrad.tensor([0, 1]), reduction="avg")


def test_legacy_arguments_are_refused():
    with pytest.raises(TypeError, match="size_average and reduce are deprecated"):
        nn.MSELoss(size_average=False)


def test_inputs_must_be_tensors():
    with pytest.raises(TypeError, match="argument 'target' must be a symgrad Tensor, not ndarray"):
        nn.MSELoss()(symgrad.zeros(2), np.zeros(2))


def test_mse_broadcast_warns_like_pytorch():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nn.MSELoss()(symgrad.zeros(3, 1), symgrad.zeros(3))
    assert "different to the input size" in str(caught[0].message)
    with pytest.raises(RuntimeError, match="must match the size"), pytest.warns(UserWarning):
        nn.MSELoss()(symgrad.zeros(3), symgrad.zeros(4))


def test_bce_errors():
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        nn.BCELoss()(symgrad.tensor([1.5]), symgrad.tensor([1.0]))
    with pytest.raises(ValueError, match="Please ensure they have the same size"):
        nn.BCELoss()(symgrad.tensor([0.5, 0.5]), symgrad.tensor([1.0]))
    with pytest.raises(ValueError, match="must be the same as input size"):
        nn.BCEWithLogitsLoss()(symgrad.tensor([0.5, 0.5]), symgrad.tensor([1.0]))


def test_cross_entropy_errors():
    x = symgrad.zeros(3, 4)
    with pytest.raises(IndexError, match="Target 5 is out of bounds"):
        nn.CrossEntropyLoss()(x, symgrad.tensor([0, 1, 5]))
    with pytest.raises(RuntimeError, match="class indices .* or class probabilities"):
        nn.CrossEntropyLoss()(x, symgrad.tensor([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"Expected input batch_size \(3\) to match target batch_size \(2\)"):
        nn.CrossEntropyLoss()(x, symgrad.tensor([0, 1]))
    with pytest.raises(RuntimeError, match="ignore_index is not supported for floating point target"):
        nn.CrossEntropyLoss(ignore_index=1)(x, symgrad.ones(3, 4) / 4)
    with pytest.raises(ValueError, match="label_smoothing must be between 0.0 and 1.0"):
        nn.CrossEntropyLoss(label_smoothing=1.5)
    with pytest.raises(RuntimeError, match="weight tensor should be defined either for all 4 classes"):
        nn.CrossEntropyLoss(weight=symgrad.ones(3))(x, symgrad.tensor([0, 1, 2]))
    with pytest.raises(RuntimeError, match=r"convert it with target.long\(\)"):
        F.nll_loss(x, symgrad.tensor([0.0, 1.0, 2.0]))
