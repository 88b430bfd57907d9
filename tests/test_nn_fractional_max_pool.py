"""``F.fractional_max_pool2d`` / ``3d`` and ``nn.FractionalMaxPool2d`` / ``3d``
against PyTorch, with PyTorch's ``_random_samples`` passed in so that the windows
are the same: values, indices, shapes, dtypes, gradients, nan and tie rules,
errors (and their order), the layers."""

from __future__ import annotations

import numpy as np
import pytest

import symgrad
import symgrad.nn.functional as F  # noqa: N812  (PyTorch's convention)
from symgrad import nn

RNG = np.random.default_rng(3)

# (input shape, kernel_size, output_size, output_ratio, dtype, extra batch rows in the samples)
CASES = [
    ((2, 3, 7, 9), 3, (3, 4), None, np.float64, 0),
    ((2, 3, 7, 9), (2, 3), (5, 7), None, np.float64, 0),
    ((2, 3, 7, 9), 2, 4, None, np.float64, 2),
    ((3, 10, 8), 2, (4, 4), None, np.float32, 0),
    ((3, 10, 8), 2, None, (0.5, 0.75), np.float64, 1),
    ((1, 2, 25, 17), 3, None, [0.45, 0.3], np.float32, 0),
    ((2, 2, 6, 6), 2, (5, 5), None, np.float64, 0),
    ((2, 2, 6, 6), 2, (1, 1), None, np.float64, 0),
    ((2, 2, 6, 6), 2, (0, 3), None, np.float64, 0),
    ((1, 1, 5, 5), (1, 5), (5, 1), None, np.float64, 0),
]


# 3d: (input shape, kernel_size, output_size, output_ratio, dtype, extra batch rows in the samples)
CASES_3D = [
    ((2, 3, 5, 7, 9), 2, (2, 3, 4), None, np.float64, 0),
    ((2, 3, 5, 7, 9), (2, 3, 1), (3, 4, 8), None, np.float32, 1),
    ((1, 2, 6, 6, 6), 3, 3, None, np.float64, 0),
    ((3, 6, 8, 10), 2, (4, 6, 8), None, np.float64, 0),  # (unbatched; the largest outputs PyTorch takes)
    ((3, 6, 8, 10), (1, 2, 3), (5, 1, 7), None, np.float32, 2),
    ((2, 2, 10, 9, 8), 2, None, (0.5, 0.6, 0.75), np.float64, 0),
    ((2, 10, 9, 8), 2, None, 0.5, np.float32, 0),
    ((2, 2, 10, 9, 8), 2, None, [0.3, 0.45, 0.8, 7.0], np.float64, 0),  # (PyTorch reads the first three)
    ((1, 1, 4, 4, 4), 2, (0, 2, 2), None, np.float64, 0),
    ((1, 2, 4, 5, 6), 1, 1, None, np.float64, 0),
    ((2, 8, 12, 20, 31), 2, (5, 13, 27), None, np.float16, 0),  # (starts computed in half precision)
]


def _run(x, k, out, ratio, samples, return_indices=True, dims=2):
    torch = pytest.importorskip("torch")
    xs, xt = symgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    name = f"fractional_max_pool{dims}d"
    ours = getattr(F, name)(xs, k, output_size=out, output_ratio=ratio, return_indices=return_indices,
                            _random_samples=symgrad.tensor(samples))
    theirs = getattr(torch.nn.functional, name)(xt, k, output_size=out, output_ratio=ratio,
                                                return_indices=return_indices,
                                                _random_samples=torch.tensor(samples))
    return xs, xt, ours, theirs


@pytest.mark.parametrize("dims, shape, k, out, ratio, dtype, extra",
                         [(2,) + c for c in CASES] + [(3,) + c for c in CASES_3D])
def test_values_indices_and_gradients_match_torch(dims, shape, k, out, ratio, dtype, extra):
    x = RNG.normal(size=shape).astype(dtype)
    samples = RNG.uniform(size=((shape[0] if len(shape) == dims + 2 else 1) + extra, shape[-dims - 1], dims))
    xs, xt, (y, where), (yt, wt) = _run(x, k, out, ratio, samples.astype(dtype), dims=dims)
    assert y.shape == tuple(yt.shape) and where.shape == tuple(wt.shape)
    assert y.dtype.numpy == dtype and where.dtype == symgrad.int64
    np.testing.assert_array_equal(y.detach().numpy(), yt.detach().numpy())
    np.testing.assert_array_equal(where.numpy(), wt.numpy())
    weights = RNG.normal(size=tuple(y.shape)).astype(dtype)
    (y * symgrad.tensor(weights)).sum().backward()
    (yt * yt.new_tensor(weights)).sum().backward()
    np.testing.assert_allclose(xs.grad.numpy(), xt.grad.numpy(), rtol=1e-6)


def test_float32_window_starts_round_as_torchs():
    """PyTorch computes ``(i + u) * alpha`` in the input's float type: 256 planes of
    float32 samples place windows where a float64 computation would not, sometimes."""
    x = RNG.normal(size=(1, 256, 50, 41)).astype(np.float32)
    samples = RNG.uniform(size=(1, 256, 2)).astype(np.float32)
    _, _, (y, where), (yt, wt) = _run(x, 3, (23, 31), None, samples)
    np.testing.assert_array_equal(where.numpy(), wt.numpy())
    np.testing.assert_array_equal(y.detach().numpy(), yt.detach().numpy())


@pytest.mark.parametrize("plane", [
    [[1.0, np.nan, 3.0], [np.nan, 2.0, 2.0], [5.0, 5.0, 0.0]],  # (nan: the last one in the window)
    [[1.0, np.nan, np.nan], [np.nan, 2.0, np.inf], [-np.inf, -np.inf, 0.0]],
    [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]],  # (ties: the first)
])
def test_nan_and_ties_choose_torchs_element(plane):
    xs, xt, (y, where), (yt, wt) = _run(np.array([[plane]]), 2, 2, None, np.array([[[0.3, 0.6]]]))
    np.testing.assert_array_equal(y.detach().numpy(), yt.detach().numpy())
    np.testing.assert_array_equal(where.numpy(), wt.numpy())
    y.sum().backward()
    yt.sum().backward()
    np.testing.assert_array_equal(xs.grad.numpy(), xt.grad.numpy())


def test_without_return_indices_only_the_values():
    x = RNG.normal(size=(1, 2, 6, 6))
    _, _, y, yt = _run(x, 2, 3, None, RNG.uniform(size=(1, 2, 2)), return_indices=False)
    assert isinstance(y, symgrad.Tensor)
    np.testing.assert_array_equal(y.detach().numpy(), yt.detach().numpy())


def test_closed_form_is_the_max_of_each_window():
    v = symgrad.tensor([[[[1.0, 4.0, 2.0], [0.0, 3.0, 5.0]]]], name="v")
    y = F.fractional_max_pool2d(v, (2, 2), output_size=(1, 2), _random_samples=symgrad.zeros(1, 1, 2))
    assert str(y.expr) == ("[[[[Max(v[0, 0, 0, 0], v[0, 0, 0, 1], v[0, 0, 1, 0], v[0, 0, 1, 1]), "
                           "Max(v[0, 0, 0, 1], v[0, 0, 0, 2], v[0, 0, 1, 1], v[0, 0, 1, 2])]]]]")


def test_samples_come_from_symgrads_generator():
    x = symgrad.tensor(RNG.normal(size=(2, 3, 9, 9)))
    symgrad.manual_seed(4)
    a, ia = F.fractional_max_pool2d(x, 2, output_ratio=(0.5, 0.5), return_indices=True)
    symgrad.manual_seed(4)
    b, ib = F.fractional_max_pool2d(x, 2, output_ratio=(0.5, 0.5), return_indices=True)
    assert a.shape == (2, 3, 4, 4)
    np.testing.assert_array_equal(ia.numpy(), ib.numpy())
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_3d_float32_window_starts_round_as_torchs():
    x = RNG.normal(size=(2, 64, 20, 30, 41)).astype(np.float32)
    samples = RNG.uniform(size=(2, 64, 3)).astype(np.float32)
    _, _, (y, where), (yt, wt) = _run(x, (2, 3, 3), (9, 13, 31), None, samples, dims=3)
    np.testing.assert_array_equal(where.numpy(), wt.numpy())
    np.testing.assert_array_equal(y.detach().numpy(), yt.detach().numpy())


@pytest.mark.parametrize("seed", range(4))
def test_3d_nan_and_ties_choose_torchs_element(seed):
    """PyTorch's 3d scan goes time, height, width: the first largest, the last nan."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 3, size=(2, 2, 5, 5, 5)).astype(np.float64)
    x[rng.uniform(size=x.shape) < 0.1 * seed] = np.nan
    xs, xt, (y, where), (yt, wt) = _run(x, (2, 3, 2), (3, 2, 3), None, rng.uniform(size=(2, 2, 3)), dims=3)
    np.testing.assert_array_equal(y.detach().numpy(), yt.detach().numpy())
    np.testing.assert_array_equal(where.numpy(), wt.numpy())
    y.sum().backward()
    yt.sum().backward()
    np.testing.assert_array_equal(xs.grad.numpy(), xt.grad.numpy())


def test_3d_without_return_indices_only_the_values():
    x = RNG.normal(size=(2, 5, 6, 7))
    _, _, y, yt = _run(x, 2, (3, 4, 5), None, RNG.uniform(size=(1, 2, 3)), return_indices=False, dims=3)
    assert isinstance(y, symgrad.Tensor)
    np.testing.assert_array_equal(y.detach().numpy(), yt.detach().numpy())


@pytest.mark.parametrize("dims", [2, 3])
def test_both_sizes_given_the_output_size_wins(dims):
    """PyTorch's functions take both (its layers refuse them) and use ``output_size``."""
    x = RNG.normal(size=(2, 3) + (8,) * dims)
    _, _, (y, where), (yt, wt) = _run(x, 2, 4, 0.25, RNG.uniform(size=(2, 3, dims)), dims=dims)
    assert y.shape == tuple(yt.shape) == (2, 3) + (4,) * dims
    np.testing.assert_array_equal(where.numpy(), wt.numpy())


def test_3d_closed_form_is_the_max_of_each_window():
    v = symgrad.tensor(np.arange(24.0).reshape(1, 2, 3, 4), name="v")
    y = F.fractional_max_pool3d(v, (1, 2, 2), output_size=(1, 1, 2), _random_samples=symgrad.tensor([[[0.0, 0.0, 0.5]]]))
    assert str(y.expr) == ("[[[[Max(v[0, 1, 1, 0], v[0, 1, 1, 1], v[0, 1, 2, 0], v[0, 1, 2, 1]), "
                           "Max(v[0, 1, 1, 2], v[0, 1, 1, 3], v[0, 1, 2, 2], v[0, 1, 2, 3])]]]]")
    torch = pytest.importorskip("torch")
    theirs = torch.nn.functional.fractional_max_pool3d(torch.arange(24.0).reshape(1, 2, 3, 4), (1, 2, 2),
                                                       output_size=(1, 1, 2),
                                                       _random_samples=torch.tensor([[[0.0, 0.0, 0.5]]]))
    np.testing.assert_array_equal(y.numpy(), theirs.numpy())


def test_3d_samples_come_from_symgrads_generator():
    """(N, C, 3) numbers from symgrad's generator, as if passed as ``_random_samples``."""
    from symgrad.creation import generator
    x = symgrad.tensor(RNG.normal(size=(2, 3, 9, 9, 9)))
    symgrad.manual_seed(4)
    a, ia = F.fractional_max_pool3d(x, 2, output_ratio=0.5, return_indices=True)
    symgrad.manual_seed(4)
    samples = symgrad.tensor(generator().uniform(0.0, 1.0, (2, 3, 3)))
    b, ib = F.fractional_max_pool3d(x, 2, output_size=4, return_indices=True, _random_samples=samples)
    assert a.shape == (2, 3, 4, 4, 4)
    np.testing.assert_array_equal(ia.numpy(), ib.numpy())
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    symgrad.manual_seed(4)
    assert F.fractional_max_pool3d(x[0], 2, output_size=4).shape == (3, 4, 4, 4)  # (unbatched: (1, C, 3))


def _error(module, call):
    try:
        call(module)
    except Exception as e:  # noqa: BLE001  (the error itself is compared)
        return type(e), " ".join(str(e).split())
    return None


def _x(m, shape=(2, 3, 7, 9), dtype="float32"):
    return m.ones(*shape, dtype=getattr(m, dtype))


ERRORS = {
    "no size": lambda m: m.nn.functional.fractional_max_pool2d(_x(m), 3),
    "ratio of three": lambda m: m.nn.functional.fractional_max_pool2d(_x(m), 3, output_ratio=(0.5, 0.5, 0.5)),
    "ratio a float": lambda m: m.nn.functional.fractional_max_pool2d(_x(m), 3, output_ratio=0.5),
    "ratio of one": lambda m: m.nn.functional.fractional_max_pool2d(_x(m), 3, output_ratio=[0.5]),
    "kernel of three": lambda m: m.nn.functional.fractional_max_pool2d(_x(m), (3, 3, 3), output_size=3),
    "kernel of one": lambda m: m.nn.functional.fractional_max_pool2d(_x(m), [3], output_size=3),
    "output of three": lambda m: m.nn.functional.fractional_max_pool2d(_x(m), 3, output_size=(3, 4, 5)),
    "float kernel": lambda m: m.nn.functional.fractional_max_pool2d(_x(m), 3.0, output_size=3),
    "float output": lambda m: m.nn.functional.fractional_max_pool2d(_x(m), 3, output_size=3.0),
    "2-d input": lambda m: m.nn.functional.fractional_max_pool2d(_x(m, (7, 9)), 3, output_size=3),
    "5-d input": lambda m: m.nn.functional.fractional_max_pool2d(_x(m, (1, 2, 3, 7, 9)), 3, output_size=3),
    "empty": lambda m: m.nn.functional.fractional_max_pool2d(_x(m, (2, 3, 0, 9)), 3, output_size=3),
    "too tall": lambda m: m.nn.functional.fractional_max_pool2d(_x(m), 3, output_size=(6, 4)),
    "too wide": lambda m: m.nn.functional.fractional_max_pool2d(_x(m), 3, output_size=(3, 8)),
    "samples dtype": lambda m: m.nn.functional.fractional_max_pool2d(
        _x(m), 3, output_size=3, _random_samples=m.zeros(2, 3, 3, dtype=m.float64)),
    "samples 2-d": lambda m: m.nn.functional.fractional_max_pool2d(_x(m), 3, output_size=3,
                                                                   _random_samples=m.zeros(3, 2, dtype=m.float32)),
    "samples batch": lambda m: m.nn.functional.fractional_max_pool2d(_x(m), 3, output_size=3,
                                                                     _random_samples=m.zeros(1, 4, 3, dtype=m.float32)),
    "samples channels": lambda m: m.nn.functional.fractional_max_pool2d(_x(m), 3, output_size=3,
                                                                        _random_samples=m.zeros(2, 4, 3, dtype=m.float32)),
    "samples last": lambda m: m.nn.functional.fractional_max_pool2d(_x(m), 3, output_size=3,
                                                                    _random_samples=m.zeros(2, 3, 3, dtype=m.float32)),
    "samples list": lambda m: m.nn.functional.fractional_max_pool2d(_x(m), 3, output_size=3,
                                                                    _random_samples=[[0.5, 0.5]]),
    "integer input": lambda m: m.nn.functional.fractional_max_pool2d(_x(m, dtype="int64"), 3, output_size=3),
    "integer input and samples": lambda m: m.nn.functional.fractional_max_pool2d(
        _x(m, dtype="int64"), 3, output_size=3, _random_samples=m.zeros(2, 3, 2, dtype=m.int64)),
    "layer without size": lambda m: m.nn.FractionalMaxPool2d(3),
    "layer with both": lambda m: m.nn.FractionalMaxPool2d(3, output_size=2, output_ratio=0.5),
    "layer ratio 1.5": lambda m: m.nn.FractionalMaxPool2d(3, output_ratio=1.5),
    "layer ratio pair": lambda m: m.nn.FractionalMaxPool2d(3, output_ratio=(0.5, 1.0)),
    # (the argument parser's type errors come before the kernel's checks)
    "samples list, 5-d input": lambda m: m.nn.functional.fractional_max_pool2d(
        _x(m, (1, 2, 3, 7, 9)), 3, output_size=3, _random_samples=[[0.5, 0.5]]),
    "kernel of three, samples list": lambda m: m.nn.functional.fractional_max_pool2d(
        _x(m), (3, 3, 3), output_size=3, _random_samples=[[0.5, 0.5]]),
    "float kernel, samples list": lambda m: m.nn.functional.fractional_max_pool2d(
        _x(m), 3.0, output_size=3, _random_samples=[[0.5, 0.5]]),
    "negative output": lambda m: m.nn.functional.fractional_max_pool2d(_x(m), 2, output_size=-1),
    "negative output, too tall": lambda m: m.nn.functional.fractional_max_pool2d(_x(m), 2, output_size=(-1, 9)),
    "negative ratio": lambda m: m.nn.functional.fractional_max_pool2d(_x(m), 2, output_ratio=(-0.5, 0.5)),
    "ratio 1.5": lambda m: m.nn.functional.fractional_max_pool2d(_x(m), 2, output_ratio=(1.5, 0.5)),
    "integer 2-d input": lambda m: m.nn.functional.fractional_max_pool2d(_x(m, (7, 9), "int64"), 3, output_size=3),
    "kernel 0, samples 2-d": lambda m: m.nn.functional.fractional_max_pool2d(
        _x(m), 0, output_size=3, _random_samples=m.zeros(3, 2, dtype=m.float32)),
}

ERRORS_3D = {
    "no size": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m), 2),
    "kernel pair": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m), (2, 2), output_size=2),
    "kernel of one": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m), [2], output_size=2),
    "kernel of four": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m), (2, 2, 2, 2), output_size=2),
    "float kernel": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m), 2.0, output_size=2),
    "bool kernel": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m), True, output_size=2),
    "output pair": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m), 2, output_size=(2, 2)),
    "output pair, kernel pair": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m), (2, 2), output_size=(2, 2)),
    "float output": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m), 2, output_size=2.0),
    "negative output": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m), 2, output_size=-1),
    "negative output, too tall": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m), 2, output_size=(-1, 7, 2)),
    "negative output, samples dtype": lambda m: m.nn.functional.fractional_max_pool3d(
        _x5(m), 2, output_size=(-1, 2, 2), _random_samples=_zeros(m, (2, 3, 3), "float64")),
    "too deep": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m), 2, output_size=(5, 2, 2)),
    "as deep as the input allows in 2d": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m), 2, output_size=(4, 2, 2)),
    "too tall": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m), 2, output_size=(2, 6, 2)),
    "too wide": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m), 2, output_size=(2, 2, 8)),
    "too tall and wide": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m), 2, output_size=(2, 6, 8)),
    "too large everywhere": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m), 2, output_size=(4, 6, 8)),
    "ratio pair": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m), 2, output_ratio=(0.5, 0.5)),
    "ratio 1.5": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m), 2, output_ratio=1.5),
    "negative ratio": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m), 2, output_ratio=-0.5),
    "3-d input": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m, (5, 7, 9)), 2, output_size=2),
    "3-d input with samples": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m, (5, 7, 9)), 2, output_size=2,
                                                                _random_samples=_zeros(m, (2, 3, 3))),
    "6-d input": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m, (1, 2, 3, 5, 7, 9)), 2, output_size=2),
    "empty": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m, (2, 3, 0, 7, 9)), 2, output_size=2),
    "empty unbatched": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m, (3, 5, 0, 9)), 2, output_size=2),
    "empty, too tall": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m, (2, 3, 0, 7, 9)), 2, output_size=(2, 7, 2),
                                                         _random_samples=_zeros(m, (2, 3, 3))),
    "samples dtype": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m), 2, output_size=2,
                                                       _random_samples=_zeros(m, (2, 3, 3), "float64")),
    "samples dtype, too tall": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m), 2, output_size=(2, 7, 2),
                                                                 _random_samples=_zeros(m, (2, 3, 3), "float64")),
    "samples 2-d": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m), 2, output_size=2, _random_samples=_zeros(m, (3, 3))),
    "samples batch": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m), 2, output_size=2,
                                                       _random_samples=_zeros(m, (1, 3, 3))),
    "samples batch, unbatched": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m, (3, 5, 7, 9)), 2, output_size=2,
                                                                  _random_samples=_zeros(m, (0, 3, 3))),
    "samples channels": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m), 2, output_size=2,
                                                          _random_samples=_zeros(m, (2, 4, 3))),
    "samples last": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m), 2, output_size=2, _random_samples=_zeros(m, (2, 3, 2))),
    "samples list": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m), 2, output_size=2, _random_samples=[[0.5] * 3]),
    "samples list, 6-d input": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m, (1, 2, 3, 5, 7, 9)), 2, output_size=2,
                                                                 _random_samples=[[0.5] * 3]),
    "integer input": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m, dtype="int64"), 2, output_size=2),
    "integer input and samples": lambda m: m.nn.functional.fractional_max_pool3d(
        _x5(m, dtype="int64"), 2, output_size=2, _random_samples=_zeros(m, (2, 3, 3), "int64")),
    "integer input, samples 2-d": lambda m: m.nn.functional.fractional_max_pool3d(
        _x5(m, dtype="int64"), 2, output_size=2, _random_samples=_zeros(m, (2, 3), "int64")),
    "kernel 0, samples 2-d": lambda m: m.nn.functional.fractional_max_pool3d(_x5(m), 0, output_size=2,
                                                               _random_samples=_zeros(m, (2, 3))),
    "with indices, no size": lambda m: m.nn.functional.fractional_max_pool3d_with_indices(_x5(m), 2),
    "layer kernel 0": lambda m: m.nn.FractionalMaxPool3d(0, output_size=2),
    "layer kernel with a negative": lambda m: m.nn.FractionalMaxPool3d((2, -1, 2), output_size=2),
    "layer kernel with a 0 list": lambda m: m.nn.FractionalMaxPool3d([2, 0, 2], output_size=2),
    "layer without size": lambda m: m.nn.FractionalMaxPool3d(2),
    "layer with both": lambda m: m.nn.FractionalMaxPool3d(2, output_size=2, output_ratio=0.5),
    "layer ratio 1.5": lambda m: m.nn.FractionalMaxPool3d(2, output_ratio=1.5),
    "layer ratio 0": lambda m: m.nn.FractionalMaxPool3d(2, output_ratio=0),
    "layer ratio trio": lambda m: m.nn.FractionalMaxPool3d(2, output_ratio=(0.5, 0.5, 1.0)),
    "layer ratio pair": lambda m: m.nn.FractionalMaxPool3d(2, output_ratio=(0.5, 0.5)),
    "layer too tall": lambda m: m.nn.FractionalMaxPool3d(2, output_size=(2, 7, 2))(_x5(m)),
}


def _x5(m, shape=(2, 3, 5, 7, 9), dtype="float32"):
    return m.ones(*shape, dtype=getattr(m, dtype))


def _zeros(m, shape, dtype="float32"):
    return m.zeros(*shape, dtype=getattr(m, dtype))


@pytest.mark.parametrize("name", [("2d", name) for name in ERRORS] + [("3d", name) for name in ERRORS_3D],
                         ids=lambda case: " ".join(case))
def test_errors_are_torchs(name):
    torch = pytest.importorskip("torch")
    call = (ERRORS if name[0] == "2d" else ERRORS_3D)[name[1]]
    theirs, ours = _error(torch, call), _error(symgrad, call)
    assert theirs is not None and ours is not None, (theirs, ours)
    assert ours[0] is theirs[0]
    assert ours[1].startswith(theirs[1])  # (ours may add how to fix it)


def test_a_too_large_pool_says_how_large_the_output_can_be():
    with pytest.raises(RuntimeError, match="the output's height can be at most 6$"):
        F.fractional_max_pool2d(symgrad.ones(1, 1, 7, 9), 2, output_size=(7, 2))
    with pytest.raises(RuntimeError, match="the output's time can be at most 3$"):  # (PyTorch's 3d check is strict)
        F.fractional_max_pool3d(symgrad.ones(1, 1, 5, 7, 9), 2, output_size=(4, 2, 2))
    with pytest.raises(RuntimeError, match="for an output the kernel's width can be at most 8$"):
        F.fractional_max_pool3d(symgrad.ones(1, 1, 5, 7, 9), (1, 1, 9), output_size=1)


@pytest.mark.parametrize("dims", [2, 3])
@pytest.mark.parametrize("kernel", [0, -1, "one 0"])
def test_a_kernel_not_positive_is_refused(dims, kernel):
    """PyTorch's functions take it (the output is -inf, or read from outside the
    input); there is no window to take a maximum over."""
    k = (2,) * (dims - 1) + (0,) if kernel == "one 0" else kernel
    x = symgrad.ones(1, 1, *(4,) * dims)
    with pytest.raises(RuntimeError, match=r"kernel_size must be greater than 0, but got \(.*pass a window"):
        getattr(F, f"fractional_max_pool{dims}d")(x, k, output_size=2)
    layer = getattr(nn, f"FractionalMaxPool{dims}d")
    if dims == 2:  # (PyTorch's 2d layer takes it, and its forward...)
        with pytest.raises(RuntimeError, match="kernel_size must be greater than 0"):
            layer(k, output_size=2)(x)
    else:  # (... its 3d layer refuses it when made)
        with pytest.raises(ValueError, match="kernel_size must be greater than 0"):
            layer(k, output_size=2)


def test_layer_is_torchs():
    torch = pytest.importorskip("torch")
    samples = RNG.uniform(size=(2, 3, 2))
    x = RNG.normal(size=(2, 3, 8, 8))
    ours = nn.FractionalMaxPool2d((2, 3), output_ratio=0.5, return_indices=True,
                                  _random_samples=symgrad.tensor(samples))
    theirs = torch.nn.FractionalMaxPool2d((2, 3), output_ratio=0.5, return_indices=True,
                                          _random_samples=torch.tensor(samples))
    assert repr(ours) == repr(theirs) == "FractionalMaxPool2d()"
    for attr in ("kernel_size", "output_size", "output_ratio", "return_indices"):
        assert getattr(ours, attr) == getattr(theirs, attr)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["_random_samples"]
    (y, where), (yt, wt) = ours(symgrad.tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_array_equal(y.numpy(), yt.numpy())
    np.testing.assert_array_equal(where.numpy(), wt.numpy())
    assert list(nn.FractionalMaxPool2d(2, output_size=3).state_dict()) == []


@pytest.mark.parametrize("args, kwargs, shape", [
    ((2,), {"output_ratio": 0.5}, (2, 3, 8, 8, 6)),
    (((1, 2, 3),), {"output_size": (5, 4, 3)}, (3, 8, 8, 6)),
    (([2, 2, 1],), {"output_ratio": [0.25, 0.5, 0.75], "return_indices": True}, (2, 3, 8, 8, 6)),
])
def test_3d_layer_is_torchs(args, kwargs, shape):
    torch = pytest.importorskip("torch")
    samples = RNG.uniform(size=(2, 3, 3))
    x = RNG.normal(size=shape)
    ours = nn.FractionalMaxPool3d(*args, **kwargs, _random_samples=symgrad.tensor(samples))
    theirs = torch.nn.FractionalMaxPool3d(*args, **kwargs, _random_samples=torch.tensor(samples))
    assert repr(ours) == repr(theirs) == "FractionalMaxPool3d()"
    for attr in ("kernel_size", "output_size", "output_ratio", "return_indices"):
        assert getattr(ours, attr) == getattr(theirs, attr)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["_random_samples"]
    xs, xt = symgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, yt = ours(xs), theirs(xt)
    if kwargs.get("return_indices"):
        (y, where), (yt, wt) = y, yt
        np.testing.assert_array_equal(where.numpy(), wt.numpy())
    np.testing.assert_array_equal(y.detach().numpy(), yt.detach().numpy())
    y.sum().backward()
    yt.sum().backward()
    np.testing.assert_array_equal(xs.grad.numpy(), xt.grad.numpy())
    assert list(nn.FractionalMaxPool3d(2, output_size=3).state_dict()) == []
