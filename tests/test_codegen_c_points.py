"""The compiled C backend over arrays of points (``NAME_points``): the same
numbers as the NumPy backend, NumPy's broadcasting, IEEE nan/inf, clear
errors, and no clash between the loop's names and the program's."""

from __future__ import annotations

import numpy as np
import pytest

import symgrad as sg
from symgrad.codegen.backends import c as c_backend
from symgrad.codegen.backends.c import compiler

pytestmark = pytest.mark.skipif(compiler() is None, reason="no C compiler")


def _leaves(*names):
    return [sg.tensor(0.5, requires_grad=True, name=n) for n in names]


def _flat(result):
    if not isinstance(result, (tuple, list)):
        return [result]
    return [leaf for v in result for leaf in _flat(v)]


def _assert_same(got, want, rtol=1e-14):
    got, want = _flat(got), _flat(want)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        g, w = np.asarray(g), np.asarray(w)
        w = np.broadcast_to(w, g.shape)  # (NumPy may return a constant gradient unbroadcast)
        np.testing.assert_allclose(g, w, rtol=rtol, atol=1e-300)


def test_points_give_the_numpy_backends_numbers_in_the_points_shape():
    x, y, z = _leaves("x", "y", "z")
    f = x * x * y + sg.sin(x * y) + sg.exp(-z ** 2)
    in_c = sg.gradient_function(f, [x, y, z], backend="c", compile=True, hessian=True)
    in_numpy = sg.gradient_function(f, [x, y, z], hessian=True)
    rng = np.random.default_rng(1)
    points = [rng.uniform(-3, 3, (4, 5)) for _ in range(3)]
    got = in_c(*points)
    assert got[0].shape == (4, 5) and got[1][2].shape == (4, 5)
    _assert_same(got, in_numpy(*points), rtol=1e-13)  # libmvec: within a few ulp
    assert "value_and_grad_points" in in_c.source


def test_points_broadcast_as_numpy_does():
    x, y = _leaves("x", "y")
    fn = sg.lambdify([x, y], x * y + 1, backend="c", compile=True)
    got = fn(np.arange(3.0)[:, None], np.array([10.0, 20.0]))
    assert got.shape == (3, 2)
    np.testing.assert_array_equal(got, np.arange(3.0)[:, None] * np.array([10.0, 20.0]) + 1)
    np.testing.assert_array_equal(fn([1.0, 2.0], 3.0), [4.0, 7.0])  # lists and numbers too
    assert fn(2.0, 3.0) == 7.0  # one point: the point function, a float


def test_points_keep_nan_and_inf():
    (x,) = _leaves("x")
    fn = sg.lambdify([x], [sg.log(x), sg.exp(x), sg.sqrt(x)], backend="c", compile=True)
    with np.errstate(all="ignore"):
        want = [np.log(np.array([-1.0, 0.0, 1000.0, np.nan, np.inf])),
                np.exp(np.array([-1.0, 0.0, 1000.0, np.nan, np.inf])),
                np.sqrt(np.array([-1.0, 0.0, 1000.0, np.nan, np.inf]))]
    got = fn(np.array([-1.0, 0.0, 1000.0, np.nan, np.inf]))
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=4e-16)  # nan where nan, inf where inf, a few ulp elsewhere


def test_points_of_a_comparison_are_bools():
    x, y = _leaves("x", "y")
    fn = sg.lambdify([x, y], x > y, backend="c", compile=True)
    got = fn(np.array([1.0, 2.0, 3.0]), 2.0)
    assert got.dtype == np.bool_ and got.tolist() == [False, False, True]


def test_shapes_that_do_not_broadcast_are_a_clear_error():
    x, y = _leaves("x", "y")
    fn = sg.lambdify([x, y], x * y, backend="c", compile=True)
    with pytest.raises(ValueError, match="do not broadcast"):
        fn(np.ones(3), np.ones(4))


def test_the_loops_names_never_clash_with_the_programs():
    # inputs called like the loop's own names: the loop takes another prefix
    a, b = _leaves("pt_x", "n")
    fn = sg.lambdify([a, b], a - b, backend="c", compile=True)
    assert "pt2_i" in fn.source and "long pt2_n" in fn.source
    np.testing.assert_array_equal(fn(np.array([5.0, 7.0]), np.array([1.0, 2.0])), [4.0, 5.0])


def test_programs_of_arrays_get_no_loop_over_points():
    w = sg.tensor([1.0, 2.0], requires_grad=True, name="w")
    fn = sg.lambdify([w], (w * w).sum(), backend="c", compile=True)
    assert "_points" not in fn.source
    with pytest.raises(ValueError, match="one point per call"):
        fn(np.ones((5, 2)))


def test_without_the_vector_build_the_plain_build_is_used(monkeypatch, tmp_path):
    # A system without libmvec (or another compiler): the vector build fails and
    # the plain -O2 one gives the same function.
    monkeypatch.setattr(c_backend, "_VECTOR_LIBS", ["-lsymgrad_no_such_library"])
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(c_backend.tempfile, "tempdir", None)
    x, y = _leaves("x", "y")
    fn = sg.lambdify([x, y], sg.sin(x) * y, backend="c", compile=True)
    points = np.linspace(-2, 2, 9)
    np.testing.assert_allclose(fn(points, 3.0), np.sin(points) * 3.0, rtol=1e-15)


def test_only_moderate_loops_ask_for_the_vector_build(monkeypatch):
    # vectorising a large loop body costs seconds of compile time: those get -O2
    asked = []
    real = c_backend.build_library
    monkeypatch.setattr(c_backend, "build_library", lambda source, vectorize=False: asked.append(vectorize)
                        or real(source, vectorize))
    x, y = _leaves("x", "y")
    small = sg.gradient_function(sg.sin(x * y), [x, y], backend="c", compile=True)
    monkeypatch.setattr(c_backend, "MAX_VECTORISED_BODY", 1)
    large = sg.gradient_function(sg.sin(x * y) * sg.cos(x), [x, y], backend="c", compile=True)
    w = sg.tensor([1.0, 2.0], requires_grad=True, name="w")
    sg.lambdify([w], (w * w).sum(), backend="c", compile=True)  # arrays in: no loop, nothing to vectorise
    assert asked == [True, False, False]
    assert "value_and_grad(pt_in_x[pt_i], pt_in_y[pt_i], pt_out_value + pt_i" in large.source  # a call per point
    points = np.linspace(-1, 1, 5)
    _assert_same(large(points, 2.0), sg.gradient_function(sg.sin(x * y) * sg.cos(x), [x, y])(points, 2.0))
    _assert_same(small(points, 2.0), sg.gradient_function(sg.sin(x * y), [x, y])(points, 2.0), rtol=1e-13)


def test_the_c_function_takes_arguments_by_name_and_refuses_what_is_not_a_number():
    # keywords were a TypeError from the wrapper; None became nan (at one point and at points),
    # a complex number lost its imaginary part
    x, y = _leaves("x", "y")
    w = sg.tensor([0.5, 1.5], requires_grad=True, name="w")
    g = sg.gradient_function(x * x * y + (w * w).sum(), [x, y, w], backend="c", compile=True)
    want = g(2.0, 3.0, [1.0, 2.0])
    _assert_same(g(2.0, y=3.0, w=[1.0, 2.0]), want)
    _assert_same(g(w=[1.0, 2.0], y=3.0, x=2.0), want)
    with pytest.raises(TypeError, match="multiple values for argument 'x'"):
        g(2.0, x=3.0, w=[1.0, 2.0])
    for bad in ([None, 3.0, [1.0, 2.0]], [np.array([1.0, None]), 3.0, [1.0, 2.0]], [2.0, 1 + 2j, [1.0, 2.0]],
                [2.0, 3.0, [1.0, None]], ["a", 3.0, [1.0, 2.0]]):
        with pytest.raises(TypeError, match=r"value_and_grad\(\): \w must be a number or an array of numbers"):
            g(*bad)
