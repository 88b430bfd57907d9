"""``F.adaptive_max_pool1d/2d/3d``, composed of symgrad ops.

Each output takes ``max`` over an adaptive window (PyTorch's: window ``i``
of ``out`` along a dim of ``n`` covers ``floor(i*n/out)`` to
``ceil((i+1)*n/out)``).  Windows can differ in length by one, so each is
gathered at constant positions padded to the longest with its own last
position again: a repeated element changes neither the maximum nor which
element is first largest (the one the gradient goes to, as in PyTorch).
``return_indices`` gives the flat positions as ``max_pool2d``'s do.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import symgrad.ops as ops
from symgrad._tensor import Tensor
from symgrad.nn._checks import require_tensor
from symgrad.nn.pool_functions import chosen_positions, window_max
from symgrad.ops._util import SCALAR_TYPES

__all__ = ["adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d"]


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """The largest element of each of ``output_size`` windows along the last
    dim of (N, C, L) or (C, L), windows as ``adaptive_avg_pool1d``'s.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor([[1., 3., 2.]], name="x")
    >>> F.adaptive_max_pool1d(x, 2).expr
    [[Max(x[0, 0], x[0, 1]), Max(x[0, 1], x[0, 2])]]
    >>> F.adaptive_max_pool1d(x, 2, return_indices=True)[1]
    tensor([[1, 1]])
    """
    return _adaptive_max_pool(input, 1, output_size, return_indices)


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """The largest element of each of ``output_size`` windows of (N, C, H, W)
    or (C, H, W) (an int, or a pair whose None entries keep the input's size).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.adaptive_max_pool2d(symgrad.arange(16.).reshape(1, 4, 4), (2, 1))
    tensor([[[ 7.],
             [15.]]])
    """
    return _adaptive_max_pool(input, 2, output_size, return_indices)


def adaptive_max_pool3d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """The largest element of each of ``output_size`` (D, H, W) windows of
    (N, C, D, H, W) or (C, D, H, W); indices are flat positions in the volume.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> y, where = F.adaptive_max_pool3d(symgrad.arange(8.).reshape(1, 2, 2, 2), (1, 2, 1), return_indices=True)
    >>> y.flatten(), where.flatten()
    (tensor([5., 7.]), tensor([5, 7]))
    """
    return _adaptive_max_pool(input, 3, output_size, return_indices)


def _adaptive_max_pool(input: Tensor, dims: int, output_size: Any, return_indices: bool) -> Any:
    fn = f"adaptive_max_pool{dims}d"
    require_tensor(input, fn)
    if input.ndim not in (dims + 1, dims + 2):
        if dims == 1:
            raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor for argument #1 "
                               f"'self' (while checking arguments for {fn})")
        raise RuntimeError(f"{fn}(): Expected {dims + 1}D or {dims + 2}D tensor, but got: {list(input.shape)}")
    spatial = tuple(input.shape[input.ndim - dims:])
    sizes = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size,) * dims
    if len(sizes) != dims:
        raise RuntimeError(f"{fn}(): internal error: output_size.size() must be {dims} (output_size must be an int or "
                           f"{dims} sizes, got {output_size!r})")
    out = tuple(n if s is None else s for n, s in zip(spatial, sizes))
    if any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 0 for s in out):
        raise RuntimeError(f"{fn}: output_size must be non-negative ints (or None to keep a size), got {output_size!r}")
    if any(n == 0 for n in input.shape[1:]):
        raise RuntimeError(f"{fn}(): Expected input to have non-zero size for non-batch dimensions, but input has "
                           f"sizes {list(input.shape)} with dimension {list(input.shape).index(0)} being empty")
    if not input.is_floating_point():
        kernel = fn if dims < 3 else f"{fn}_cpu"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{SCALAR_TYPES[input.dtype.name]}' (as in "
                                  "PyTorch); convert with .float() or .double() first")
    coords = [_window_positions(n, int(o)) for n, o in zip(spatial, out)]
    windows = input[_key(coords)]
    windows = windows.reshape(*windows.shape[:input.ndim], math.prod(c.shape[1] for c in coords))
    if not return_indices:
        return window_max(windows)
    values, chosen = ops.max(windows, -1)
    return values, chosen_positions(coords, spatial, chosen, input)


def _window_positions(size: int, out: int) -> np.ndarray:
    """(out, longest window): the positions each window reads, shorter windows repeating their last."""
    start = (np.arange(out) * size) // out
    end = -((-(np.arange(out) + 1) * size) // out)  # ceil((i+1) * size / out)
    longest = int((end - start).max()) if out else 1
    return np.minimum(start[:, None] + np.arange(longest)[None, :], end[:, None] - 1)


def _key(coords: list[np.ndarray]) -> tuple[Any, ...]:
    """Index arrays laying window ``o_i`` of dim ``i`` along result dim ``i``
    and its positions along dim ``n + i``: (..., o1, ..., on, k1, ..., kn)."""
    n = len(coords)
    arrays = []
    for i, c in enumerate(coords):
        shape = [1] * 2 * n
        shape[i], shape[n + i] = c.shape
        arrays.append(c.reshape(shape))
    return (Ellipsis, *arrays)
