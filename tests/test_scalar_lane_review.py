"""An adversarial review of the scalar lane (``symgrad.scalar_lane``): each
test is a way a scalar program behaved differently on the lane than on
``apply``'s general path (or than PyTorch), found and fixed.  The lane is
turned off with ``tests/test_scalar_lane.py``'s ``_general``."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import symgrad as sg
from tests.test_scalar_lane import _general


def _run_with_warnings(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    return result, sorted({(w.category, str(w.message)) for w in caught})


@pytest.mark.parametrize("expression", [
    lambda x: x * 1e308 * 10.0,                  # overflow
    lambda x: (x * 1e308 * 10.0) - (x * 1e308 * 10.0),  # inf - inf
    lambda x: (x - x) * (x * 1e308 * 10.0),      # 0 * inf
    lambda x: (x * 1e154) * (x * 1e154),         # overflow of two lane tensors
], ids=["overflow", "inf-inf", "0*inf", "x*x overflow"])
def test_a_float64_op_that_overflows_warns_as_numpy_does(expression, monkeypatch):
    """Python's float arithmetic gives inf and nan silently where NumPy warns
    (overflow, invalid value): the lane leaves such an op to NumPy, so a
    scalar program warns as it did before the lane (the values are equal)."""
    def run():
        x = sg.tensor(2.0, requires_grad=True)
        y = expression(x)
        y.backward()
        return float(y), float(x.grad)

    got, got_warnings = _run_with_warnings(run)
    want, want_warnings = _general(lambda: _run_with_warnings(run), monkeypatch)
    assert np.array_equal(got, want, equal_nan=True)
    assert want_warnings and got_warnings == want_warnings


def test_an_inf_or_nan_operand_still_runs_quietly_on_the_lane():
    """inf * 2 and nan + 1 warn in neither NumPy nor Python: no warning."""
    x = sg.tensor(float("inf"), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = (x * 2.0 + float("nan")) * x
        y.backward()
    assert math.isnan(float(y)) and math.isnan(float(x.grad))


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("make", [
    lambda w: w[0],             # a view: the general path's 0-d array
    lambda w: w.sum(),          # a reduction: likewise
    lambda w: w[0] * 1.0,       # a view's product: the general path too
], ids=["view", "sum", "view*1"])
def test_the_numeric_pass_is_quiet_for_a_lane_op_of_a_general_result(make):
    """A lane op (sqrt) of a 0-d array the general path made keeps that array
    as its saved result; the pass's short way ran its rule on a float seed
    and that array, and NumPy warned (divide by zero) where inf flows
    silently everywhere else, as in PyTorch."""
    torch = pytest.importorskip("torch")
    w = sg.zeros(1, dtype=sg.float64, requires_grad=True)
    make(w).sqrt().backward()
    tw = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    make(tw).sqrt().backward()
    assert w.grad.tolist() == tw.grad.tolist() == [math.inf]


@pytest.mark.parametrize("how", ["backward", "grad"])
@pytest.mark.parametrize("seed_dtype, out_dtype", [("float32", "float64"), ("float64", "float32")])
def test_a_seed_of_another_float_dtype_is_cast_to_the_output_s(how, seed_dtype, out_dtype):
    """PyTorch casts a gradient given for an output to the output's dtype.
    On the lane a float32 seed of a float64 output ran its rules in float32
    (a NumPy float32 scalar times a Python float is float32): x.grad lost
    half its digits in backward(), not in autograd.grad()."""
    torch = pytest.importorskip("torch")

    def run(lib):
        x = lib.tensor(2.0, dtype=getattr(lib, out_dtype), requires_grad=True)
        y = lib.sin(x) * x
        seed = lib.tensor(3.1, dtype=getattr(lib, seed_dtype))
        if how == "backward":
            y.backward(seed)
            g = x.grad
        else:
            (g,) = lib.autograd.grad(y, x, seed)
        return g.item(), str(g.dtype).split(".")[-1]

    (got, got_dtype), (want, want_dtype) = run(sg), run(torch)
    assert got_dtype == want_dtype == out_dtype
    # (float32: math's and NumPy's float32 cos differ by an ulp, which sin(x)*x's cancellation magnifies)
    assert got == want if out_dtype == "float64" else got == pytest.approx(want, rel=1e-5)


@pytest.mark.parametrize("make", [lambda: sg.tensor(0.7, requires_grad=True),
                                  lambda: sg.tensor([0.7], requires_grad=True)], ids=["0-d", "1-d"])
def test_a_post_accumulate_grad_hook_is_user_code(make):
    """The numeric pass tells ops that a float is a rule's operand
    (``grad_mode._state.numeric``); a post-accumulate-grad hook runs inside
    that pass, and ``symgrad.sin(0.5)`` there answered a Python float, not
    the tensor it is everywhere else."""
    x = make()
    seen = []
    x.register_post_accumulate_grad_hook(lambda t: seen.append(sg.sin(0.5)))
    (x * x).sum().backward()
    assert isinstance(seen[0], sg.Tensor) and seen[0].item() == pytest.approx(math.sin(0.5))
    assert float(x.grad.sum()) == pytest.approx(1.4)


@pytest.mark.parametrize("x0, dtype", [(1e-310, sg.float64), (-1e-310, sg.float64), (0.0, sg.float32),
                                       (-0.0, sg.float32), (1e-40, sg.float32)])
def test_the_reciprocal_of_a_subnormal_warns_as_numpy_does(x0, dtype, monkeypatch):
    """1 / 1e-310 is inf: Python's division says so silently, NumPy's
    reciprocal warns (overflow); the lane leaves it to NumPy.  A float32's
    1 / 0 was NumPy's float32 scalar division ("scalar divide")."""
    def run():
        x = sg.tensor(x0, dtype=dtype, requires_grad=True)
        y = sg.reciprocal(x)
        y.backward()
        return float(y), float(x.grad)

    got, got_warnings = _run_with_warnings(run)
    want, want_warnings = _general(lambda: _run_with_warnings(run), monkeypatch)
    assert got == want and math.isinf(got[0])
    assert want_warnings and got_warnings == want_warnings


def test_a_float32_exp2_that_overflows_warns_as_numpy_does(monkeypatch):
    """2.0 ** x of a NumPy float32 was NumPy's float32 power: past float32's
    range it warned "overflow encountered in scalar power" and kept its inf;
    math.pow gives a float64 the lane rounds, or leaves to NumPy's exp2."""
    def run():
        x = sg.tensor(200.0, dtype=sg.float32, requires_grad=True)
        y = sg.exp2(x)
        y.backward()
        return float(y), float(x.grad), y.dtype

    got, got_warnings = _run_with_warnings(run)
    want, want_warnings = _general(lambda: _run_with_warnings(run), monkeypatch)
    assert got == want == (math.inf, math.inf, sg.float32)
    assert want_warnings and got_warnings == want_warnings
