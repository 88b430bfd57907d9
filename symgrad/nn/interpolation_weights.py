"""What ``F.interpolate`` reads along one spatial dim, as PyTorch's CPU
kernels compute it, in the input's dtype (float32 rounding decides some
positions and weights): the source positions of ``"nearest"`` and
``"nearest-exact"``, and the constant (output, input) matrices of
``"linear"`` (two weights per output) and ``"bicubic"`` (four, Keys' kernel
with PyTorch's ``A = -0.75``, positions past a border clamped to it, so a
border element collects the weights of the positions beyond it).
"""

from __future__ import annotations

import numpy as np

__all__ = ["nearest_positions", "linear_weights", "cubic_weights", "CUBIC_A"]

CUBIC_A = -0.75  # PyTorch's (and OpenCV's) choice of Keys' parameter


def nearest_positions(n: int, o: int, scale: float, dtype: np.dtype, exact: bool = False) -> np.ndarray:
    """PyTorch's ``nearest_neighbor_compute_source_index``: ``min(floor(dst * scale), n - 1)``,
    or with ``exact`` (``"nearest-exact"``) ``min(floor((dst + 0.5) * scale), n - 1)``."""
    dst = np.arange(o, dtype=dtype)
    if exact:
        dst = dst + dtype.type(0.5)
    source = np.floor(dst * dtype.type(scale)).astype(np.int64)
    return np.minimum(source, n - 1)


def linear_weights(n: int, o: int, scale: float, align_corners: bool, dtype: np.dtype) -> np.ndarray:
    """A constant (o, n) matrix: each output's two weights on its neighbours
    (PyTorch's ``compute_source_index_and_lambda``, in ``dtype``)."""
    weights = np.zeros((o, n), dtype=dtype)
    if o == n and not align_corners:
        np.fill_diagonal(weights, 1)
        return weights
    dst = np.arange(o, dtype=dtype)
    s = dtype.type(scale)
    real = dst * s if align_corners else np.maximum(s * (dst + dtype.type(0.5)) - dtype.type(0.5), 0)
    below = np.minimum(np.floor(real).astype(np.int64), n - 1)
    above = below + (below < n - 1)
    lam = np.clip(real - below, 0, 1).astype(dtype)
    rows = np.arange(o)
    np.add.at(weights, (rows, below), 1 - lam)
    np.add.at(weights, (rows, above), lam)
    return weights


def _cubic_near(x: np.ndarray) -> np.ndarray:
    """Keys' kernel for ``|x| <= 1`` (PyTorch's ``cubic_convolution1``)."""
    return ((CUBIC_A + 2) * x - (CUBIC_A + 3)) * x * x + 1


def _cubic_far(x: np.ndarray) -> np.ndarray:
    """Keys' kernel for ``1 < |x| < 2`` (PyTorch's ``cubic_convolution2``)."""
    return ((CUBIC_A * x - 5 * CUBIC_A) * x + 8 * CUBIC_A) * x - 4 * CUBIC_A


def cubic_weights(n: int, o: int, scale: float, align_corners: bool, dtype: np.dtype) -> np.ndarray:
    """A constant (o, n) matrix: each output's four weights on the positions
    ``floor(real) - 1 ... floor(real) + 2`` around its source ``real``
    (not clamped at 0, unlike linear), each position clamped into ``[0, n - 1]``."""
    dst = np.arange(o, dtype=dtype)
    s = dtype.type(scale)
    real = dst * s if align_corners else s * (dst + dtype.type(0.5)) - dtype.type(0.5)
    floor = np.floor(real)
    t = (real - floor).astype(dtype)
    one = dtype.type(1)
    coefficients = [_cubic_far(t + one), _cubic_near(t), _cubic_near(one - t), _cubic_far(2 * one - t)]
    weights = np.zeros((o, n), dtype=dtype)
    rows, start = np.arange(o), floor.astype(np.int64) - 1
    for k, c in enumerate(coefficients):
        np.add.at(weights, (rows, np.clip(start + k, 0, n - 1)), c.astype(dtype))
    return weights
