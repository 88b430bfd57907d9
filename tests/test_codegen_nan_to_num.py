"""``nan_to_num`` in generated code, in every backend.

The closed form of ``nan_to_num`` of a real variable is the variable itself
(a real variable is finite), and generated code used to print that closed
form: ``lambdify(nan_to_num(1/x))`` returned inf at 0 where eager symgrad
(and PyTorch) return the largest float, and the gradient rule's mask (1
where the input is finite) was tidied to 1.  Generated code must compute
what eager computes: NumPy's ``nan_to_num`` with PyTorch's defaults (the
dtype's largest and smallest finite values), and a gradient that is 0 where
the input of ``nan_to_num`` is nan or infinite.
"""

from __future__ import annotations

import numpy as np
import pytest

import symgrad as sg
from symgrad.codegen.backends.c import compiler

BACKENDS = ["numpy", "math", "jax", "torch", "c"]
ARRAY_BACKENDS = ["numpy", "jax", "torch"]
BIG = np.finfo(np.float64).max


def _available(backend: str) -> None:
    if backend == "jax":
        jax = pytest.importorskip("jax")
        jax.config.update("jax_enable_x64", True)
    elif backend == "torch":
        pytest.importorskip("torch")
    elif backend == "c" and compiler() is None:
        pytest.skip("no C compiler")


def _argument(backend: str, v: np.ndarray) -> object:
    if backend == "torch":
        import torch

        return torch.as_tensor(v)
    if backend == "math" and v.ndim == 0:
        return v[()]  # numpy.float64: IEEE division (a Python float raises at 1/0.0)
    return v


def _numpy(result: object) -> object:
    if isinstance(result, (tuple, list)):
        return type(result)(_numpy(r) for r in result)
    if hasattr(result, "detach"):
        return result.detach().numpy()
    return np.asarray(result, dtype=np.float64)


def _generated(make, backend: str, leaves: list, outputs, values: list, **options):
    """The generated function's results (as NumPy arrays) at ``values``."""
    _available(backend)
    fn = make(leaves, outputs, backend=backend, **({"compile": True} if backend == "c" else {}), **options)
    with np.errstate(all="ignore"):
        return _numpy(fn(*[_argument(backend, np.asarray(v, dtype=np.float64)) for v in values]))


def _lambdify(leaves, outputs, backend, **options):
    return sg.lambdify(leaves, outputs, backend=backend, **options)


def _gradient(leaves, f, backend, **options):
    (x,) = leaves
    return sg.gradient_function(f, x, backend=backend, **options)


def _same(got, want) -> None:
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape, (got, want)
    np.testing.assert_array_equal(got, want)  # (nan equals nan here)


def _leaf(value, name: str):
    return sg.tensor(value, requires_grad=True, name=name)


# ---------------------------------------------------------------- values


@pytest.mark.parametrize("backend", BACKENDS)
def test_nan_to_num_of_a_division_by_zero_is_computed_at_run_time(backend):
    x = _leaf(0.0, "x")
    with np.errstate(all="ignore"):
        outputs = [sg.nan_to_num(1 / x), sg.nan_to_num(-1 / x), sg.nan_to_num(x / x)]
    assert [o.item() for o in outputs] == [BIG, -BIG, 0.0]  # PyTorch's numbers
    got = _generated(_lambdify, backend, [x], outputs, [0.0])
    _same(got, [BIG, -BIG, 0.0])
    _same(_generated(_lambdify, backend, [x], outputs, [2.0]), [0.5, -0.5, 1.0])


def test_simplify_keeps_nan_to_num():
    # simplify=True prints an output's simplified closed form, in which nan_to_num(1/x) is 1/x
    x = _leaf(0.0, "x")
    with np.errstate(all="ignore"):
        fn = sg.lambdify([x], sg.nan_to_num(1 / x), simplify=True)
        assert fn(np.array([0.0, -0.0, 4.0])).tolist() == [BIG, -BIG, 0.25]
        g = sg.gradient_function(sg.nan_to_num(sg.log(x)), x, simplify=True)
        value, grad = g(np.array([-1.0, 2.0]))
    assert value.tolist() == [0.0, np.log(2.0)] and grad.tolist() == [0.0, 0.5]


@pytest.mark.parametrize("backend", BACKENDS)
def test_nan_to_num_with_explicit_replacements_of_inputs(backend):
    v = _leaf([np.nan, np.inf, -np.inf, 3.0, -0.5], "v")
    out = sg.nan_to_num(v, nan=1.5, posinf=9.0, neginf=-7.0)
    assert out.tolist() == [1.5, 9.0, -7.0, 3.0, -0.5]
    got = _generated(_lambdify, backend, [v], out, [v.detach().numpy()])
    _same(got, out.detach().numpy())
    scalar = _leaf(0.0, "s")
    outputs = [sg.nan_to_num(scalar, nan=-1.0, posinf=2.0, neginf=-3.0), sg.nan_to_num(scalar)]
    for value, want in ((np.nan, [-1.0, 0.0]), (np.inf, [2.0, BIG]), (-np.inf, [-3.0, -BIG]), (4.0, [4.0, 4.0])):
        _same(_generated(_lambdify, backend, [scalar], outputs, [value]), want)


@pytest.mark.parametrize("backend", [b for b in BACKENDS if b != "math"])  # (math.log raises at 0 and below)
def test_nan_to_num_of_log_at_zero_and_negative_points(backend):
    points = np.array([0.0, -1.0, 2.0, np.inf])
    v = _leaf(points, "v")
    with np.errstate(all="ignore"):
        outputs = [sg.nan_to_num(sg.log(v)), sg.nan_to_num(sg.log(v), nan=-2.0, neginf=-5.0, posinf=6.0)]
    assert outputs[0].tolist() == [-BIG, 0.0, np.log(2.0), BIG]
    assert outputs[1].tolist() == [-5.0, -2.0, np.log(2.0), 6.0]
    got = _generated(_lambdify, backend, [v], outputs, [points])
    for g, o in zip(got, outputs, strict=True):
        _same(g, o.detach().numpy())


@pytest.mark.parametrize("backend", ARRAY_BACKENDS)
def test_float32_defaults_are_float32_extremes(backend):
    # PyTorch: nan_to_num of a float32 tensor replaces inf by float32's largest value
    x = sg.tensor(np.array([0.0, 1.0, -0.0], dtype=np.float32), requires_grad=True, name="x")
    with np.errstate(all="ignore"):
        out = sg.nan_to_num(1 / x)
    big = np.finfo(np.float32).max
    assert out.tolist() == [big, 1.0, -big]
    _available(backend)
    fn = sg.lambdify([x], out, backend=backend)
    arg = x.detach().numpy()
    if backend == "torch":
        import torch

        arg = torch.as_tensor(arg)
    with np.errstate(all="ignore"):
        got = _numpy(fn(arg))
    assert np.asarray(got).tolist() == [big, 1.0, -big]


def test_scalar_leaves_over_arrays_of_points():
    # A function of scalars runs over arrays of points (NumPy's blocks, C's loop over points).
    x = _leaf(1.0, "x")
    f = sg.nan_to_num(1 / x) * 2.0
    points = np.array([0.0, -0.0, 4.0, np.nan])
    fn = sg.gradient_function(f, x)
    with np.errstate(all="ignore"):
        value, grad = fn(np.tile(points, 5000))
    _same(value[:4], [np.inf, -np.inf, 0.5, 0.0])  # (2 * the largest float overflows, as in eager)
    _same(grad[:4], [np.nan, np.nan, -0.125, np.nan])
    if compiler() is not None:
        c = sg.gradient_function(f, x, backend="c", compile=True)
        with np.errstate(all="ignore"):
            c_value, c_grad = c(points)
        _same(c_value, value[:4])
        _same(c_grad, grad[:4])


# ---------------------------------------------------------------- gradients


@pytest.mark.parametrize("backend", BACKENDS)
def test_gradient_is_zero_where_the_input_is_not_finite(backend):
    points = np.array([np.nan, np.inf, -np.inf, 1.5])
    v = _leaf(points, "v")
    with np.errstate(all="ignore"):
        f = (sg.nan_to_num(v, posinf=4.0) * sg.tensor([1.0, 2.0, 3.0, 4.0])).sum()
        (want,) = sg.autograd.grad(f, v, retain_graph=True)
    assert want.tolist() == [0.0, 0.0, 0.0, 4.0]  # PyTorch: grad * isfinite(input)
    value, grad = _generated(_gradient, backend, [v], f, [points])
    _same(value, f.item())
    _same(grad, want.numpy())


@pytest.mark.parametrize("backend", [b for b in BACKENDS if b != "math"])  # (math.log raises at 0 and below)
def test_gradient_of_nan_to_num_of_log(backend):
    points = np.array([-1.0, -3.0, 0.0, 2.0])
    v = _leaf(points, "v")
    with np.errstate(all="ignore"):
        f = sg.nan_to_num(sg.log(v)).sum()
        (want,) = sg.autograd.grad(f, v, retain_graph=True)
    # PyTorch: 0 where log is nan, 0/0 at 0 where it is -inf, 1/x elsewhere
    _same(want.numpy(), [0.0, 0.0, np.nan, 0.5])
    value, grad = _generated(_gradient, backend, [v], f, [points])
    _same(value, f.item())
    _same(grad, want.numpy())


def _overflowing(x):
    return sg.nan_to_num(x * 1e300) + sg.nan_to_num(1 / x)


@pytest.mark.parametrize("backend", BACKENDS)
def test_gradient_of_a_function_of_a_scalar(backend):
    x = _leaf(3.0, "x")
    f = _overflowing(x)
    # at 1e10, x * 1e300 overflows: its part of the gradient is 0 (not 1e300);
    # at 0, 1/x is inf and its part 0 * -inf = nan (as in PyTorch)
    for point, want in ((3.0, (3e300 + 1 / 3, 1e300 - 1 / 9)), (1e10, (BIG + 1e-10, -1e-20)),
                        (0.0, (BIG, np.nan))):
        at = _leaf(point, "x")
        with np.errstate(all="ignore"):
            eager = _overflowing(at)
            (g,) = sg.autograd.grad(eager, at)
        _same([eager.item(), g.item()], want)
        value, grad = _generated(_gradient, backend, [x], f, [point])
        _same([value, grad], want)


def test_hessian_matches_eager():
    x = _leaf(np.array([0.5, -1.0, 0.0]), "x")
    with np.errstate(all="ignore"):
        f = (sg.nan_to_num(sg.log(x)) * x).sum()
        (g,) = sg.autograd.grad(f, x, create_graph=True)
        rows = [sg.autograd.grad(g[i], x, retain_graph=True)[0].numpy() for i in range(3)]
    fn = sg.gradient_function(f, x, hessian=True)
    with np.errstate(all="ignore"):
        _value, grad, hess = fn(x.detach().numpy())
    _same(grad, g.detach().numpy())
    _same(hess, np.stack(rows))


# ---------------------------------------------------------------- closed forms


def test_closed_forms_are_unchanged():
    # The closed form of nan_to_num of a variable is the variable, and its derivative 1.
    x = _leaf(2.0, "x")
    y = sg.nan_to_num(x)
    assert y.expr == x.expr
    (g,) = sg.autograd.grad(y, x, create_graph=True)
    assert g.expr == 1
    z = sg.nan_to_num(sg.log(x), nan=1.0)
    (gz,) = sg.autograd.grad(z, x, create_graph=True)
    assert gz.expr == 1 / x.expr
