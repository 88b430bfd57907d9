"""NumPy code of scalar leaves called with arrays of points gives one result
per point, also for an output that reads none of the points (``floor``'s
derivative ``0.0``, ``y``'s gradient ``x`` called with points for ``y`` only);
C's ``NAME_points`` writes every point.  (JAX and PyTorch code return what
their operations broadcast to: docs/codegen.md.)"""

from __future__ import annotations

import numpy as np
import pytest

import symgrad as sg


def _leaves(dtype=np.float64):
    return sg.tensor(dtype(0.7), requires_grad=True, name="x"), sg.tensor(dtype(0.2), requires_grad=True, name="y")


def _build(backend):
    x, y = _leaves()
    out = sg.floor(x) + y * x
    if backend == "c":
        from symgrad.codegen.backends.c import compiler

        if compiler() is None:
            pytest.skip("no C compiler")
        return sg.gradient_function(out, [x, y], backend="c", compile=True)
    return sg.gradient_function(out, [x, y], backend=backend)


@pytest.mark.parametrize("backend", ["numpy", "c"])
def test_a_gradient_that_reads_not_every_input_is_one_per_point(backend):
    g = _build(backend)
    points = np.array([1.0, 2.5, -3.0])
    value, (gx, gy) = g(points, 2.0)  # gx = y, read with a number
    np.testing.assert_array_equal(value, np.floor(points) + 2.0 * points)
    assert np.shape(gx) == (3,) and np.shape(gy) == (3,)
    np.testing.assert_array_equal(gx, [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(gy, points)
    value, (gx, gy) = g(2.0, points)  # gy = x, read with a number
    assert np.shape(value) == np.shape(gy) == (3,)
    np.testing.assert_array_equal(gy, [2.0, 2.0, 2.0])


def test_lists_of_points():
    x, _ = _leaves()
    g = sg.gradient_function(sg.floor(x), [x])
    _, (gx,) = g([0.5, 1.5, 2.5])
    assert np.shape(gx) == (3,)


def test_a_constant_gradient_is_one_per_point():
    x, _ = _leaves()
    g = sg.gradient_function(sg.floor(x), [x])
    _, (gx,) = g(np.array([[0.5, 1.5], [2.5, 3.5]]))
    assert gx.shape == (2, 2) and gx.dtype == np.float64 and not gx.any()
    gx[0, 0] = 1.0  # its own array, not a read-only view


def test_one_point_gives_numbers():
    g = _build("numpy")
    value, (gx, gy) = g(1.0, 2.0)
    assert np.shape(gx) == () and np.shape(gy) == () and (gx, gy) == (2.0, 1.0)


def test_float32_points_keep_float32():
    x, y = _leaves(np.float32)
    g = sg.gradient_function(sg.floor(x) + y * x, [x, y])
    _, (gx, gy) = g(np.array([1.0, 2.0], dtype=np.float32), np.float32(2.0))
    assert gx.dtype == np.float32 and gy.dtype == np.float32 and gx.shape == (2,)
