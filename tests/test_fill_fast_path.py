"""``fill_``/``zero_`` with a Python number write the numbers directly when
nothing is recorded (``dispatch.fill_number``); everything else about them
must be what the general in-place path gives: terms, views, versions,
frozen constants and errors.  Each case is also run through the general
path (a 0-d tensor as the value) and compared."""

from __future__ import annotations

import numpy as np
import pytest

import symgrad as sg


def _both(make, fill):
    """Run ``fill(t, value)`` with a number (fast path) and with a 0-d tensor
    (general path) on two fresh set-ups; return both set-ups."""
    fast, general = make(), make()
    fill(fast, 0.0)
    fill(general, sg.tensor(0.0))
    return fast, general


def test_zeroing_a_gradient_through_data_makes_its_closed_form_zero():
    def make():
        x = sg.tensor(2.0, requires_grad=True, name="x")
        y = sg.tensor(3.0, requires_grad=True, name="y")
        (x * x * y).backward(create_graph=True)
        return x

    fast, general = _both(make, lambda x, v: x.grad.data.fill_(v))
    for x in (fast, general):
        assert float(x.grad) == 0.0 and x.grad.expr == 0
        assert x.grad._version == 0  # .data has a version counter of its own, as in PyTorch
        x.grad.backward()  # the seed's second step still works after the write
    assert float(fast.grad) == float(general.grad)


def test_a_formula_made_before_the_fill_keeps_the_old_numbers():
    def make():
        x = sg.tensor(2.0, requires_grad=True, name="x")
        c = sg.tensor([1.0, 2.0])
        return c, c * x

    (c1, y1), (c2, y2) = _both(make, lambda pair, v: pair[0].fill_(v))
    assert np.asarray(c1).tolist() == [0.0, 0.0] == np.asarray(c2).tolist()
    assert [str(e) for e in y1.expr] == ["x", "2*x"] == [str(e) for e in y2.expr]


def test_a_leaf_symbol_keeps_standing_for_its_leaf_under_no_grad():
    w = sg.tensor([1.0, 2.0], requires_grad=True, name="w")
    with sg.no_grad():
        w.zero_()
    assert np.asarray(w.detach()).tolist() == [0.0, 0.0] and str(w.expr[0]) == "w[0]"


def test_float32_is_filled_as_float32_rounds():
    t = sg.zeros(3, dtype=sg.float32)
    t.fill_(0.1)
    assert t.dtype == sg.float32 and np.asarray(t).tolist() == [float(np.float32(0.1))] * 3


def test_what_must_be_recorded_or_refused_still_is():
    leaf = sg.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        leaf.zero_()
    y = leaf * 2
    y.zero_()  # a non-leaf that requires grad: the fill is recorded, its gradient is zero
    y.sum().backward()
    assert np.asarray(leaf.grad).tolist() == [0.0]
    expanded = sg.tensor([1.0]).expand(3)
    with pytest.raises(RuntimeError, match="read-only"):
        expanded.fill_(2.0)


def test_integer_tensors_take_the_general_path():
    t = sg.tensor([1, 2, 3])
    t.fill_(2.7)
    assert t.dtype == sg.int64 and np.asarray(t).tolist() == [2, 2, 2]


def test_overwritten_values_send_no_gradient_back_as_in_pytorch():
    # y's old values came from x; after zero_/copy_ they are gone (PyTorch:
    # ZeroBackward/CopyBackwards give x a zero gradient, a copied leaf gets 1).
    x = sg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.zero_()
    (y * x).sum().backward()
    assert np.asarray(x.grad).tolist() == [0.0, 0.0]
    x.grad = None
    other = sg.tensor([5.0, 6.0], requires_grad=True)
    y = x * 2
    y.copy_(other)
    y.sum().backward()
    assert np.asarray(x.grad).tolist() == [0.0, 0.0] and np.asarray(other.grad).tolist() == [1.0, 1.0]


@pytest.mark.parametrize("kind", ["a gradient with a graph", "a constant read by a formula", "a leaf",
                                  "a 0-d constant"])
def test_an_alias_fill_leaves_what_the_general_path_leaves(kind):
    """``t.data.zero_()`` (an alias: no view step, its own version) has steps of its own
    (``dispatch._fill_alias``); the general path is taken when the alias shares a version."""
    def make():
        x = sg.tensor(2.0, requires_grad=True, name="x")
        y = sg.tensor(3.0, requires_grad=True, name="y")
        if kind == "a gradient with a graph":
            (x * x * y).backward(create_graph=True)
            return x.grad, [x, y]
        if kind == "a constant read by a formula":
            a = sg.tensor([1.0, 2.0])
            return a, [a * x]
        return (x, [y]) if kind == "a leaf" else (sg.tensor(5.0), [])

    outcomes = []
    for fast in (True, False):
        t, others = make()
        alias = t.data
        if not fast:
            alias._vroot = alias  # (a version counter owned elsewhere: the general steps)
        alias.zero_()
        outcomes.append((str(t.expr), type(t._content).__name__, t._version, alias._version,
                         np.asarray(t.detach()).tolist(), [str(o.expr) for o in others]))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][3] == 1 and outcomes[0][2] == 0  # the alias's version moved, not the tensor's
