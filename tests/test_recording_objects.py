"""Recording keeps few objects per op (each one is more for Python's cyclic
collector to scan while a graph lives; row 4 of the benchmarks): numbers
share their ``Const``, a tensor saved among numbers is saved alone, empty
saved and version tuples are shared, and an op on two results keeps one
tuple for its terms and edges.  None of it may change a number, a closed
form or a check."""

from __future__ import annotations

import math

import numpy as np
import pytest

import symgrad as sg
from symgrad.autograd.engine import saved_inputs
from symgrad.symbolic.terms import Const


def _leaves():
    return (sg.tensor(2.0, requires_grad=True, name="x"), sg.tensor(3.0, requires_grad=True, name="y"))


def _number_args(t):
    return [a for a in t.grad_fn.args if isinstance(a, Const)]


def test_a_number_has_one_const_per_value_and_type():
    x, y = _leaves()
    (c1,), (c2,), (c3,) = _number_args(x * 2), _number_args(y * 2), _number_args(x * 2.0)
    assert c1 is c2 and c1.value == 2 and type(c1.value) is int
    assert c3 is not c1 and type(c3.value) is float  # 2 and 2.0 are equal keys: kept apart


@pytest.mark.parametrize("number", [-0.0, 0.0, math.nan, True])
def test_numbers_whose_equality_misleads_are_not_shared(number):
    x, y = _leaves()
    (c1,), (c2,) = _number_args(x * number), _number_args(y * number)
    assert c1 is not c2


def test_the_sign_of_zero_and_nan_survive():
    x, _ = _leaves()
    assert math.copysign(1.0, float(x * -0.0)) == -1.0 and str((x * -0.0).expr) == "0"  # SymPy has no -0
    assert math.isnan(float(x * math.nan))


def test_a_tensor_among_numbers_is_saved_alone_and_rebuilt_for_the_rules():
    x, _ = _leaves()
    square = x ** 2
    assert square.grad_fn.saved is x
    assert saved_inputs(square.grad_fn) == (x, 2)
    square.backward()
    assert float(x.grad) == 4.0 and str(x.grad.expr) == "2*x"


def test_a_lone_saved_tensor_still_catches_an_in_place_change():
    x, _ = _leaves()
    t = x * 1.0
    square = t ** 2
    t.mul_(3.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        square.backward()


def test_an_op_on_two_results_keeps_one_tuple_for_terms_and_edges():
    x, y = _leaves()
    total = x * y + y * y
    node = total.grad_fn
    assert node.edges is node.args
    total.backward()
    assert (float(x.grad), float(y.grad)) == (3.0, 8.0)
    assert (str(x.grad.expr), str(y.grad.expr)) == ("y", "x + 2*y")


def test_shared_tuples_are_never_changed_by_freeing():
    x, y = _leaves()
    first, second = x + y, y + x  # add reads nothing: both save the shared all-None tuple
    assert first.grad_fn.saved is second.grad_fn.saved == (None, None)
    first.backward()
    assert second.grad_fn.saved == (None, None)
    second.backward()
    assert float(x.grad) == 2.0


def test_gradients_with_respect_to_some_or_all_leaves_agree():
    x, y = _leaves()
    z = x * x * y + (x * y).sin()
    every = sg.autograd.grad(z, [x, y], retain_graph=True)  # every leaf a target: no needed-set walk
    some = sg.autograd.grad(z, [x], retain_graph=True)
    assert np.asarray(every[0]) == np.asarray(some[0])
    assert str(every[0].expr) == str(some[0].expr) == "2*x*y + y*cos(x*y)"
