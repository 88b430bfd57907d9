"""``add_``/``sub_``/``mul_`` of two plain floating tensors of one shape and
dtype write the numbers directly when nothing is recorded
(``dispatch.binary_in_place``: accumulating a ``.grad`` is one).  Everything
about them must be what the general in-place path gives: numbers, terms,
versions, frozen constants and errors.  Each case runs twice, with the fast
path on and off, and the two outcomes are compared."""

from __future__ import annotations

import numpy as np
import pytest

import symgrad as sg
from symgrad import dispatch, tensor_ops


@pytest.fixture(params=["fast", "general"])
def path(request, monkeypatch):
    if request.param == "general":
        monkeypatch.setattr(tensor_ops, "_binary_in_place", lambda *args: False)
    return request.param


def _numbers(t):
    return np.asarray(t.detach()).tolist()


def test_the_fast_path_is_taken_for_plain_tensors():
    t, u = sg.tensor([1.0, 2.0]), sg.tensor([3.0, 4.0])
    assert dispatch.binary_in_place(t, sg.ops.TABLE["add"], u)
    assert _numbers(t) == [4.0, 6.0] and t._version == 1


@pytest.mark.parametrize("method, expected", [("add_", [4.0, 6.0]), ("sub_", [-2.0, -2.0]), ("mul_", [3.0, 8.0])])
def test_numbers_and_version(path, method, expected):
    t, u = sg.tensor([1.0, 2.0]), sg.tensor([3.0, 4.0])
    assert getattr(t, method)(u) is t
    assert _numbers(t) == expected and t._version == 1 and _numbers(u) == [3.0, 4.0]


def test_accumulated_gradients_keep_numbers_and_closed_form(path):
    x = sg.tensor(2.0, requires_grad=True, name="x")
    y = sg.tensor(3.0, requires_grad=True, name="y")
    for _ in range(3):
        (x * x * y).backward()
    assert float(x.grad) == 36.0 and str(x.grad.expr) == "6*x*y"
    assert float(y.grad) == 12.0 and str(y.grad.expr) == "3*x**2"
    assert x.grad._version == 2


def test_a_formula_made_before_the_write_keeps_the_old_numbers(path):
    x = sg.tensor(2.0, requires_grad=True, name="x")
    c = sg.tensor([1.0, 2.0])
    y = c * x
    with sg.no_grad():
        c.add_(sg.tensor([10.0, 10.0]))
    assert _numbers(c) == [11.0, 12.0]
    assert [str(e) for e in y.expr] == ["x", "2*x"]


def test_a_symbolic_operand_makes_the_result_symbolic(path):
    x = sg.tensor([1.0, 2.0], requires_grad=True, name="x")
    t = sg.tensor([10.0, 20.0])
    with sg.no_grad():
        t.mul_(x)
    assert _numbers(t) == [10.0, 40.0] and [str(e) for e in t.expr] == ["10*x[0]", "20*x[1]"]
    assert not t.requires_grad and t.grad_fn is None


def test_a_leaf_symbol_keeps_standing_for_its_leaf_under_no_grad(path):
    w = sg.tensor([1.0, 2.0], requires_grad=True, name="w")
    with sg.no_grad():
        w.sub_(sg.tensor([1.0, 1.0]))
    assert _numbers(w) == [0.0, 1.0] and str(w.expr[0]) == "w[0]"


def test_what_must_be_recorded_or_refused_still_is(path):
    leaf = sg.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        leaf.add_(sg.tensor([1.0]))
    t = sg.tensor([5.0])
    t.mul_(leaf)  # a tensor that requires grad written in: recorded
    assert t.grad_fn is not None
    t.sum().backward()
    assert _numbers(leaf.grad) == [5.0]
    expanded = sg.tensor([1.0]).expand(3)
    with pytest.raises(RuntimeError, match="read-only"):
        expanded.add_(sg.tensor([1.0, 1.0, 1.0]))


def test_mixed_dtypes_broadcasting_and_views_take_the_general_path():
    f32 = sg.tensor([1.0, 2.0], dtype=sg.float32)
    f32.add_(sg.tensor([0.1, 0.1], dtype=sg.float64))
    assert f32.dtype == sg.float32 and _numbers(f32) == np.float32([1.1, 2.1]).tolist()
    m = sg.ones(2, 2)
    m.add_(sg.tensor([1.0, 2.0]))
    assert _numbers(m) == [[2.0, 3.0], [2.0, 3.0]]
    base = sg.zeros(3)
    base[1:].add_(sg.tensor([1.0, 1.0]))
    assert _numbers(base) == [0.0, 1.0, 1.0]
    assert not dispatch.binary_in_place(base[1:], sg.ops.TABLE["add"], sg.tensor([1.0, 1.0]))


def test_the_seeds_second_derivative_accumulates_into_a_gradient_with_a_history(path):
    x = sg.tensor(2.0, requires_grad=True, name="x")
    y = sg.tensor(3.0, requires_grad=True, name="y")
    (x * x * y).backward(create_graph=True)
    first = x.grad
    node = first.grad_fn
    first.data.zero_()
    first.backward()  # accumulates 2*y into x.grad, which is `first` itself
    assert x.grad is first and first.grad_fn is node  # kept, as in PyTorch
    assert float(first) == 6.0 and str(first.expr) == "2*y"
    assert float(y.grad) == 8.0  # x**2 from the first pass, 2*x from the second


def _lane_number(value, dtype=sg.float64, name="a"):
    """A 0-d result of the scalar lane (its number a Python float, or a NumPy float32, no array yet)."""
    x = sg.tensor(value, dtype=dtype, requires_grad=True, name=name)
    r = x * 1.0
    assert r._scalar is not None
    return r


@pytest.mark.parametrize("dtype", [sg.float64, sg.float32])
@pytest.mark.parametrize("method", ["add_", "sub_", "mul_"])
@pytest.mark.parametrize("target", ["array", "lane"])
def test_a_number_of_the_scalar_lane_written_into_a_0d_tensor(path, dtype, method, target):
    t = sg.tensor(2.5, dtype=dtype) if target == "array" else _lane_number(2.5, dtype, "t").detach_()
    other = _lane_number(4.0, dtype)
    with sg.no_grad():
        assert getattr(t, method)(other) is t
    expected = {"add_": 6.5, "sub_": -1.5, "mul_": 10.0}[method]
    assert float(t) == expected and t.dtype == dtype and t._version == 1
    constant = "2.5" if target == "array" else "t"
    assert str(t.expr) == {"add_": f"a + {constant}", "sub_": f"-a + {constant}" if target == "lane" else "2.5 - a",
                           "mul_": f"{constant}*a" if target == "array" else "a*t"}[method]


def test_the_lane_write_is_taken_without_making_arrays():
    t = _lane_number(1.0, name="t").detach_()
    other = _lane_number(2.0)
    with sg.no_grad():
        assert dispatch.binary_in_place(t, sg.ops.TABLE["add"], other)
    assert t._scalar == 3.0 and other._scalar == 2.0 and "_value" not in vars(t)


def test_a_lane_write_into_a_constant_keeps_formulas_made_before_it(path):
    c = sg.tensor(1.0)
    a = sg.tensor(2.0, requires_grad=True, name="a")
    before = c * a
    number = _lane_number(4.0)
    with sg.no_grad():
        c.add_(number)
    assert float(c) == 5.0 and str(before.expr) == "a"


def test_a_leaf_written_by_a_lane_number_keeps_its_symbol(path):
    w = sg.tensor(1.0, requires_grad=True, name="w")
    number = _lane_number(4.0)
    with sg.no_grad():
        w.add_(number)
    assert float(w) == 5.0 and str(w.expr) == "w"


@pytest.mark.parametrize("dtype", [sg.float64, sg.float32])
def test_an_overflow_is_numpys_with_its_warning(path, dtype):
    big = float(np.finfo(np.float64 if dtype == sg.float64 else np.float32).max)
    t = sg.tensor(big, dtype=dtype)
    number = _lane_number(big, dtype)
    with sg.no_grad(), pytest.warns(RuntimeWarning, match="overflow"):
        t.add_(number)
    assert float(t) == float("inf")


def test_mixed_float_types_take_the_general_path():
    t = sg.tensor(1.0, dtype=sg.float32)
    number = _lane_number(2.0)
    with sg.no_grad():
        assert not dispatch.binary_in_place(t, sg.ops.TABLE["add"], number)
        t.add_(number)
    assert float(t) == 3.0 and t.dtype == sg.float32
