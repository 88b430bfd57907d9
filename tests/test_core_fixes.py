"""Core fixes found while building the derivative toolkit (issue 4); each
test failed before its fix."""

from __future__ import annotations

import pytest
import sympy

import symgrad


def test_mean_gradient_closed_form_is_exact():
    """The mean's rule divides a constant gradient by n: the folded constant
    1/3 must print as 1/3, not 0.3333333333333333 (and 2*b, not 2.0*b)."""
    x = symgrad.tensor([1., 2., 3.], requires_grad=True)
    (g,) = symgrad.autograd.grad(x.mean(), x)
    assert g.expr == sympy.Array([sympy.Rational(1, 3)] * 3)
    b = symgrad.tensor(0.1, requires_grad=True)
    X = symgrad.tensor([1., 2., 3.], name="X")
    (gb,) = symgrad.autograd.grad(((b - X) ** 2).mean(), b)
    assert not gb.expr.has(sympy.Float)


def test_short_decimals_still_print_as_decimals():
    assert str(symgrad.tensor(0.1, name="c").expr) == "c"
    x = symgrad.tensor(2., requires_grad=True)
    assert str((x * 0.1).expr) == "0.1*x"
    assert str((x * 0.5).expr) == "0.5*x"
    assert str((x * 0.123456789).expr) == "0.123456789*x"


def test_ops_on_numbers_only_do_not_recurse():
    """After the flat-dispatch rewrite, an op given only Python numbers bounced
    between apply() and _apply_converted() until RecursionError."""
    assert symgrad.sin(2.0).item() == pytest.approx(0.9092974268256817)
    assert symgrad.add(1, 2).item() == 3
    assert symgrad.maximum(1.5, 2).item() == 2
