"""Generated NumPy functions of scalar leaves run large arrays of points in
cache-sized blocks (``codegen.backends.blocks``).  The results must be the
very numbers, dtypes and shapes of the function run on all points at once
(``fn.__wrapped__``), and anything that is not plainly elementwise must be
left to the function as it is."""

from __future__ import annotations

import numpy as np
import pytest

import symgrad as sg
from symgrad.codegen.backends import blocks

N = 3 * blocks.BLOCK + 5  # three full blocks and a partial one


def _xyz():
    x = sg.tensor(1.0, requires_grad=True, name="x")
    y = sg.tensor(2.0, requires_grad=True, name="y")
    z = sg.tensor(3.0, requires_grad=True, name="z")
    return sg.gradient_function(x * x * y + (x * y).sin() + (-z * z).exp() + 2 * z, [x, y, z])


def _same(got, want):
    if isinstance(want, (tuple, list)):
        assert type(got) is type(want) and len(got) == len(want)
        for g, w in zip(got, want):
            _same(g, w)
        return
    if np.shape(want) == () and np.shape(got):  # (an output that reads no points: one per point, per_point)
        want = np.broadcast_to(np.asarray(want, dtype=np.asarray(got).dtype), np.shape(got)).copy()
    assert type(got) is type(want) and np.shape(got) == np.shape(want)
    assert np.asarray(got).dtype == np.asarray(want).dtype
    np.testing.assert_array_equal(got, want)  # bit for bit: the same operations on the same numbers


@pytest.mark.parametrize("shape", [(N,), (N // 7, 7), (2 * blocks.BLOCK + 1, 1)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_blocks_give_the_numbers_of_one_pass(shape, dtype):
    f = _xyz()
    rng = np.random.default_rng(0)
    x, y, z = (rng.normal(size=shape).astype(dtype) for _ in range(3))
    rows = blocks._rows_per_block((x, y, z))
    assert rows > 0  # this call is blocked
    _same(f(x, y, z), f.__wrapped__(x, y, z))
    calls = []

    def spy(*args):
        calls.append(args[0].shape)
        return f.__wrapped__(*args)

    _same(blocks._run_blocks(spy, f.program, (x, y, z), rows), f.__wrapped__(x, y, z))
    assert len(calls) == -(-shape[0] // rows) and calls[0] == (rows, *shape[1:])  # block by block, no fallback


def test_scalars_and_0d_arrays_go_to_every_block():
    f = _xyz()
    x = np.linspace(-1, 1, N)
    for y, z in [(0.5, 2), (np.float64(0.5), np.array(2.0))]:
        assert blocks._rows_per_block((x, y, z)) > 0
        _same(f(x, y, z), f.__wrapped__(x, y, z))


def test_a_constant_output_is_one_per_point():
    x = sg.tensor(1.0, requires_grad=True, name="x")
    y = sg.tensor(2.0, requires_grad=True, name="y")
    f = sg.gradient_function(2 * x + y * y, [x, y])
    a = np.arange(float(N))
    value, (gx, gy) = f(a, a)
    assert gx.shape == (N,) and gx.dtype == np.float64 and (gx == 2.0).all()
    assert f.__wrapped__(a, a)[1][0] == 2.0  # (the code computes it once)
    _same((value, (gx, gy)), f.__wrapped__(a, a))


def test_nan_and_inf_come_out_as_in_one_pass():
    x = sg.tensor(1.0, requires_grad=True, name="x")
    f = sg.gradient_function(x.log() / x, [x])
    a = np.linspace(-1.0, 1.0, N)  # log of negatives, division by zero at the middle
    with np.errstate(all="ignore"):
        _same(f(a), f.__wrapped__(a))


@pytest.mark.parametrize("args", [
    (np.ones(N), np.ones((2, N)), 1.0),          # arrays that broadcast against each other
    (np.ones(100), np.ones(100), 1.0),           # too few points to be worth it
    (1.0, 2.0, 3.0),                             # one point
    (np.ones(N), [1.0] * N, 1.0),                # a list: not a NumPy array
])
def test_what_is_not_plainly_elementwise_is_left_to_the_function(args):
    assert blocks._rows_per_block(args) == 0


def test_calls_that_fail_fail_as_the_function_does():
    f = _xyz()
    with pytest.raises(TypeError):
        f(np.ones(N), np.ones(N))
    with pytest.raises(ValueError):
        f(np.ones(N), np.ones(N + 1), 1.0)


def test_keywords_reach_the_function():
    f = _xyz()
    a = np.ones(N)
    _same(f(a, a, z=a), f.__wrapped__(a, a, a))


def test_functions_of_tensor_leaves_are_not_wrapped():
    w = sg.tensor([1.0, 2.0], requires_grad=True, name="w")
    f = sg.gradient_function((w * w).sum(), [w])
    assert not hasattr(f, "__wrapped__")
    assert not f.program.of_scalars()
