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

__all__ = ["nearest_positions", "linear_weights", "cubic_weights", "antialias_weights", "CUBIC_A"]

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


def _aa_linear(x: np.ndarray) -> np.ndarray:
    """The triangle filter of PyTorch's (and Pillow's) antialiased bilinear resampling."""
    x = np.abs(x)
    return np.where(x < 1, 1 - x, 0).astype(x.dtype)


def _aa_cubic(x: np.ndarray) -> np.ndarray:
    """Keys' kernel with ``a = -0.5`` (Pillow's, which PyTorch's antialiased bicubic takes)."""
    x, a = np.abs(x), x.dtype.type(-0.5)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return np.where(x < 1, near, np.where(x < 2, far, 0)).astype(x.dtype)


def antialias_weights(n: int, o: int, scale: float, cubic: bool, dtype: np.dtype) -> np.ndarray:
    """A constant (o, n) matrix for ``antialias=True`` (PyTorch's ``_compute_weights_aa``):
    downsampling by ``scale`` widens the filter by ``scale``, so every input
    element within its reach is averaged in; each row is normalised to sum 1.
    PyTorch mixes the input's float type with doubles here; so does this."""
    t = dtype.type
    s = t(scale)
    half_width = (4 if cubic else 2) * 0.5
    support = half_width * float(s) if s >= 1 else half_width
    largest = int(np.ceil(support)) * 2 + 1
    invscale = t(1.0 / float(s)) if s >= 1 else t(1)
    filter_fn = _aa_cubic if cubic else _aa_linear
    weights = np.zeros((o, n), dtype=dtype)
    for i in range(o):
        center = t(float(s) * (i + 0.5))
        low = max(int(float(center) - support + 0.5), 0)
        size = min(max(min(int(float(center) + support + 0.5), n) - low, 0), largest)
        offsets = (np.arange(low, low + size).astype(dtype) - center).astype(np.float64) + 0.5
        w = filter_fn((offsets * float(invscale)).astype(dtype))
        total = t(0)
        for v in w:  # (in order, in the input's float type, as PyTorch sums them)
            total = t(total + v)
        weights[i, low:low + size] = w / total if total != 0 else w
    return weights
