"""cdist, dist, cov, corrcoef, trapezoid, trapz, cumulative_trapezoid against
PyTorch where the op spec table cannot reach: zero distances, weights,
degenerate inputs, integers, empty inputs, errors."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import symgrad as sg

torch = pytest.importorskip("torch")


def _both(fn, *arrays, grad=True):
    """``fn(M, *tensors)`` in both libraries (float64 leaves): values and gradients."""
    results = []
    for M in (sg, torch):
        leaves = [M.tensor(a, dtype=M.float64, requires_grad=grad) for a in arrays]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = fn(M, *leaves)
        grads = []
        if grad and out.requires_grad:
            w = M.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)), dtype=out.dtype)
            (out * w).sum().backward()
            grads = [leaf.grad.numpy() for leaf in leaves]
        results.append((out.detach().numpy(), str(out.dtype).split(".")[-1], grads))
    (got, got_dtype, got_grads), (want, want_dtype, want_grads) = results
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
    assert got.shape == want.shape and got_dtype == want_dtype
    for g, w in zip(got_grads, want_grads, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-14)


def test_cdist_gradient_is_zero_at_a_zero_distance_as_pytorchs():
    for p in (2.0, 1.0, 3.0):
        _both(lambda M, a, b, p=p: M.cdist(a, b, p), [[0., 0.], [1., 1.]], [[0., 0.], [1., 2.]])


def test_cdist_broadcasts_batches_and_accepts_every_compute_mode():
    a, b = np.random.default_rng(0).normal(size=(2, 1, 3, 2)), np.random.default_rng(1).normal(size=(4, 5, 2))
    for mode in ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist"):
        _both(lambda M, x, y, mode=mode: M.cdist(x, y, compute_mode=mode), a, b)


def test_cdist_of_no_rows_and_no_columns():
    _both(lambda M, a, b: M.cdist(a, b), np.zeros((0, 3)), np.ones((2, 3)), grad=False)
    _both(lambda M, a, b: M.cdist(a, b), np.zeros((2, 0)), np.ones((3, 0)), grad=False)


def test_dist_broadcasts_and_promotes():
    _both(lambda M, a, b: M.dist(a, b), [[1., 2.], [3., 4.]], [1., 0.])
    for M in (sg, torch):
        assert M.dist(M.tensor([1., 2.], dtype=M.float32), M.tensor([3, 4])).dtype == M.float32


@pytest.mark.parametrize("correction", [0, 1, 2])
def test_cov_with_weights_as_pytorch(correction):
    x = np.random.default_rng(2).normal(size=(3, 5))
    w = np.random.default_rng(3).uniform(0.1, 2.0, 5)
    _both(lambda M, a, aw: M.cov(a, correction=correction, aweights=aw), x, w)
    _both(lambda M, a, aw: M.cov(a, correction=correction, fweights=M.tensor([2, 0, 1, 1, 3]), aweights=aw), x, w)
    _both(lambda M, a: M.cov(a, correction=correction, fweights=M.tensor([2, 0, 1, 1, 3])), x)


def test_cov_with_too_few_observations_warns_and_divides_by_zero():
    for M in (sg, torch):
        with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
            out = M.cov(M.tensor([1., 2.]), correction=2)
        assert out.item() == float("inf")
    _both(lambda M, a: M.cov(a), 2.5, grad=False)
    _both(lambda M, a: M.cov(a), np.zeros((2, 0)), grad=False)


def test_cdist_of_points_without_coordinates_is_zero_for_every_p():
    # p=inf went to vector_norm's inf norm of an empty line, which refuses
    for p in (0.0, 1.0, 2.0, float("inf")):
        _both(lambda M, a, b, p=p: M.cdist(a, b, p), np.zeros((2, 0)), np.zeros((3, 0)), grad=False)
        _both(lambda M, a, b, p=p: M.cdist(a, b, p), np.zeros((2, 0)), np.zeros((0, 0)), grad=False)


def test_cov_of_integers_and_corrcoef_of_a_constant_row():
    for M in (sg, torch):
        c = M.cov(M.tensor([[1, 2, 4], [3, 1, 0]]))
        np.testing.assert_allclose(c.numpy(), [[7 / 3, -13 / 6], [-13 / 6, 7 / 3]], rtol=1e-6)
        assert c.is_floating_point()
    _both(lambda M, a: M.corrcoef(a), [[1., 1., 1.], [3., 1., 0.]], grad=False)
    _both(lambda M, a: M.corrcoef(a), [1., 2., 4.])


def test_trapezoid_family_on_integers_empty_and_broadcast_points():
    for M in (sg, torch):  # integers integrate to the default float dtype
        assert M.trapezoid(M.tensor([1, 2, 4])).item() == 4.5
        assert M.trapezoid(M.tensor([1, 2, 4]), dx=2).item() == 9
        np.testing.assert_allclose(M.cumulative_trapezoid(M.tensor([1, 2, 4])).numpy(), [1.5, 4.5])
        assert M.trapezoid(M.zeros(2, 0)).shape == (2,)
        assert M.cumulative_trapezoid(M.zeros(2, 0)).shape == (2, 0)
    y, x = np.random.default_rng(4).normal(size=(2, 4, 5)), np.cumsum(np.random.default_rng(5).uniform(size=(4, 5)), 1)
    _both(lambda M, a, b: M.trapezoid(a, b), y, x)
    _both(lambda M, a, b: M.cumulative_trapezoid(a, b, dim=-1), y, x)
    _both(lambda M, a, b: M.trapz(a, b, dim=1), y, x[:, 0])


def _error(fn):
    with pytest.raises(Exception) as info:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn()
    return info.type, str(info.value)


@pytest.mark.parametrize("call,match", [
    (lambda M: M.cdist(M.zeros(3), M.zeros(2, 3)), "cdist only supports at least 2D tensors, X1 got: 1D"),
    (lambda M: M.cdist(M.zeros(2, 3), M.zeros(2, 4)), "X1 and X2 must have the same number of columns. X1: 3 X2: 4"),
    (lambda M: M.cdist(M.zeros(2, 3), M.zeros(2, 3), p=-1), "cdist only supports non-negative p values"),
    (lambda M: M.cdist(M.zeros(2, 3, dtype=M.long), M.zeros(2, 3, dtype=M.long)),
     "cdist only supports floating-point dtypes, X1 got: Long"),
    (lambda M: M.cdist(M.zeros(2, 3, dtype=M.float32), M.zeros(2, 3, dtype=M.float64)),
     "expected scalar type Float but found Double"),
    (lambda M: M.cdist(M.zeros(2, 3), M.zeros(2, 3), compute_mode="x"), "x is not a valid value for compute_mode"),
    (lambda M: M.cdist(M.zeros(2, 2, 3), M.zeros(3, 2, 3)), ""),
    (lambda M: M.dist(M.tensor([1, 2]), M.tensor([3, 4])), "input dtype should be either floating point"),
    (lambda M: M.cov(M.zeros(2, 2, 2)), "expected input to have two or fewer dimensions"),
    (lambda M: M.cov(M.zeros(3), correction=True), "must be int"),
    (lambda M: M.cov(M.zeros(3), fweights=M.tensor([1., 2., 1.])), "expected fweights to have integral dtype"),
    (lambda M: M.cov(M.zeros(3), fweights=M.tensor([1, 2])), "same numel as there are observations in the input"),
    (lambda M: M.cov(M.zeros(3), fweights=M.tensor([1, -2, 1])), "fweights cannot be negative"),
    (lambda M: M.cov(M.zeros(3), aweights=M.tensor([1, 2, 1])), "expected aweights to have floating point dtype"),
    (lambda M: M.cov(M.zeros(3), aweights=M.tensor([1., -2, 1])), "aweights cannot be negative"),
    (lambda M: M.cov(M.zeros(3), aweights=M.tensor([[1., 2, 1]])), "expected aweights to have one or fewer"),
    (lambda M: M.cov(M.zeros(2), fweights=M.tensor([0, 0])), "weights sum to zero, can't be normalized"),
    (lambda M: M.cov(M.zeros(2), aweights=M.tensor([0., 0.])), "weights sum to zero, can't be normalized"),
    (lambda M: M.cov(M.zeros(0), aweights=M.zeros(0)), "weights sum to zero, can't be normalized"),
    (lambda M: M.corrcoef(M.zeros(2, 2, 2)), "expected input to have two or fewer dimensions"),
    (lambda M: M.trapezoid(M.tensor([1., 2, 4]), M.tensor([0, 1])), "There must be one `x` value for each sample"),
    (lambda M: M.trapezoid(M.tensor(2.)), "Dimension specified as -1 but tensor has no dimensions"),
    (lambda M: M.trapezoid(M.tensor([1., 2]), dx=True), "we only support dx as a real number"),
    (lambda M: M.trapezoid(M.tensor([1., 2]), M.tensor([0., 1.]), dx=1), ""),
    (lambda M: M.cumulative_trapezoid(M.tensor([1., 2, 4]), M.tensor([0, 1])), "must be one `x` value"),
])
def test_errors_as_pytorch(call, match):
    kind, message = _error(lambda: call(sg))
    torch_kind, _ = _error(lambda: call(torch))
    assert issubclass(kind, torch_kind), (kind, torch_kind)
    assert re.search(re.escape(match), message), message
