"""``F.interpolate(..., antialias=True)`` (bilinear and bicubic) against PyTorch:
values, shapes, dtypes and gradients, downsampling and upsampling."""

from __future__ import annotations

import numpy as np
import pytest

import symgrad
import symgrad.nn.functional as F  # noqa: N812  (PyTorch's convention)

RNG = np.random.default_rng(9)

CASES = [
    ((2, 3, 17, 13), {"size": (5, 4)}),
    ((1, 2, 8, 8), {"size": (3, 8)}),  # (one dim kept)
    ((1, 1, 6, 9), {"scale_factor": 0.37}),
    ((1, 1, 6, 9), {"scale_factor": (0.5, 0.3), "recompute_scale_factor": True}),
    ((1, 2, 5, 7), {"size": (11, 13)}),  # (upsampling: the filters keep their width)
    ((1, 1, 9, 9), {"size": (4, 4), "align_corners": True}),
    ((1, 1, 4, 4), {"size": (9, 2), "align_corners": True}),
    ((1, 1, 9, 9), {"size": (1, 1)}),
    ((1, 1, 30, 30), {"size": (7, 3)}),
]


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape, kwargs", CASES)
def test_antialias_matches_torch(mode, dtype, shape, kwargs):
    torch = pytest.importorskip("torch")
    x = RNG.normal(size=shape).astype(dtype)
    xs, xt = symgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y = F.interpolate(xs, mode=mode, antialias=True, **kwargs)
    yt = torch.nn.functional.interpolate(xt, mode=mode, antialias=True, **kwargs)
    assert y.shape == tuple(yt.shape) and y.dtype.numpy == dtype
    tol = 1e-12 if dtype == np.float64 else 2e-6  # (float32: one dim at a time, PyTorch's sums in another order)
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=tol, atol=tol)
    weights = RNG.normal(size=tuple(yt.shape)).astype(dtype)
    (y * symgrad.tensor(weights)).sum().backward()
    (yt * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(xs.grad.numpy(), xt.grad.numpy(), rtol=tol, atol=tol)


def test_antialias_averages_every_input_in_reach():
    """Downsampling 8 to 2 by plain bilinear reads 2 of each 4 inputs; antialiased, all of them."""
    x = symgrad.tensor([[[[0.0, 0.0, 0.0, 8.0, 0.0, 0.0, 0.0, 0.0]]]], requires_grad=True)
    plain = F.interpolate(x, size=(1, 2), mode="bilinear")
    smooth = F.interpolate(x, size=(1, 2), mode="bilinear", antialias=True)
    assert plain[0, 0, 0, 0].item() == 0.0 and smooth[0, 0, 0, 0].item() > 0.0
    smooth.sum().backward()
    assert (x.grad.numpy() > 0).all()


@pytest.mark.parametrize("shape, mode", [((1, 1, 4), "bilinear"), ((1, 1, 4, 4), "nearest"),
                                         ((1, 1, 4, 4), "area"), ((1, 1, 4, 4, 4), "trilinear")])
def test_antialias_elsewhere_is_refused_as_torch(shape, mode):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError) as theirs:
        torch.nn.functional.interpolate(torch.zeros(*shape), size=2 if len(shape) == 3 else 3, mode=mode,
                                        antialias=True)
    with pytest.raises(ValueError) as ours:
        F.interpolate(symgrad.zeros(*shape), size=2 if len(shape) == 3 else 3, mode=mode, antialias=True)
    assert str(ours.value) == str(theirs.value)
