"""``F.fractional_max_pool2d`` and ``nn.FractionalMaxPool2d`` against PyTorch, with
PyTorch's ``_random_samples`` passed in so that the windows are the same: values,
indices, shapes, dtypes, gradients, nan and tie rules, errors, the layer."""

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


def _run(x, k, out, ratio, samples, return_indices=True):
    torch = pytest.importorskip("torch")
    xs, xt = symgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours = F.fractional_max_pool2d(xs, k, output_size=out, output_ratio=ratio, return_indices=return_indices,
                                   _random_samples=symgrad.tensor(samples))
    theirs = torch.nn.functional.fractional_max_pool2d(xt, k, output_size=out, output_ratio=ratio,
                                                       return_indices=return_indices,
                                                       _random_samples=torch.tensor(samples))
    return xs, xt, ours, theirs


@pytest.mark.parametrize("shape, k, out, ratio, dtype, extra", CASES)
def test_values_indices_and_gradients_match_torch(shape, k, out, ratio, dtype, extra):
    x = RNG.normal(size=shape).astype(dtype)
    samples = RNG.uniform(size=((shape[0] if len(shape) == 4 else 1) + extra, shape[-3], 2)).astype(dtype)
    xs, xt, (y, where), (yt, wt) = _run(x, k, out, ratio, samples)
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
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_are_torchs(name):
    torch = pytest.importorskip("torch")
    theirs, ours = _error(torch, ERRORS[name]), _error(symgrad, ERRORS[name])
    assert theirs is not None and ours is not None, (theirs, ours)
    assert ours[0] is theirs[0]
    assert ours[1].startswith(theirs[1])  # (ours may add how to fix it)


def test_a_kernel_of_zero_is_refused():
    """PyTorch takes it (its output is -inf); there is no window to take a maximum over."""
    with pytest.raises(RuntimeError, match="kernel_size must be positive"):
        F.fractional_max_pool2d(symgrad.ones(1, 1, 4, 4), 0, output_size=2)


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
