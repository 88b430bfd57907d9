"""``F.fractional_max_pool2d`` (Graham's fractional max pooling), composed of symgrad ops.

Each (batch, channel) plane gets its own pseudo-random windows: two numbers
``u`` in [0, 1) per plane (``_random_samples``, shape (N, C, 2): ``u`` for the
width, then for the height) place output ``i``'s window of ``kernel_size`` at
PyTorch's ``int((i + u) * alpha) - int(u * alpha)``, ``alpha = (in - k) /
(out - 1)``, the last window ending at the input's edge.  The windows are
gathered at those constant positions and ``max`` is taken over each, so the
closed form is ``Max`` of the window's elements and the gradient goes to the
largest (PyTorch's rule).  The samples come from symgrad's generator unless
given: pass PyTorch's ``_random_samples`` to get PyTorch's numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symgrad._tensor import Tensor
from symgrad.creation import generator
from symgrad.nn._checks import require_tensor
from symgrad.nn.pool_functions import window_max
from symgrad.ops._util import SCALAR_TYPES
from symgrad.ops.positions import picked

__all__ = ["fractional_max_pool2d", "fractional_max_pool2d_with_indices"]

FN = "fractional_max_pool2d"


def fractional_max_pool2d(input: Tensor, kernel_size: Any, output_size: Any = None, output_ratio: Any = None,
                          return_indices: bool = False, _random_samples: Tensor | None = None) -> Any:
    """Max over ``kernel_size`` windows of (N, C, H, W) or (C, H, W) placed at
    pseudo-random steps so that the output is ``output_size`` (or ``output_ratio``
    of the input's size); with ``return_indices``, also the flat position of each
    maximum in its plane (for ``max_unpool2d``).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.arange(25.).reshape(1, 1, 5, 5)
    >>> samples = symgrad.tensor([[[0.3, 0.8]]])
    >>> y, where = F.fractional_max_pool2d(x, 2, output_size=3, return_indices=True, _random_samples=samples)
    >>> y
    tensor([[[[ 6.,  7.,  9.],
              [11., 12., 14.],
              [21., 22., 24.]]]])
    >>> where[0, 0, 0]
    tensor([6, 7, 9])
    >>> v = symgrad.tensor([[[1., 4., 2.]]], name="v")
    >>> F.fractional_max_pool2d(v, (1, 2), output_size=(1, 2), _random_samples=symgrad.zeros(1, 1, 2)).expr
    [[[Max(v[0, 0, 0], v[0, 0, 1]), Max(v[0, 0, 1], v[0, 0, 2])]]]
    """
    values, indices = fractional_max_pool2d_with_indices(input, kernel_size, output_size, output_ratio,
                                                         return_indices, _random_samples)
    return (values, indices) if return_indices else values


def fractional_max_pool2d_with_indices(input: Tensor, kernel_size: Any, output_size: Any = None,
                                       output_ratio: Any = None, return_indices: bool = False,
                                       _random_samples: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """``fractional_max_pool2d``'s values and indices (PyTorch's name for the pair)."""
    require_tensor(input, FN)
    if output_size is None and output_ratio is None:
        raise ValueError("fractional_max_pool2d requires specifying either an output_size or an output_ratio")
    if output_size is None:
        if len(output_ratio) > 2:  # (a single float fails here with len's TypeError, as in PyTorch)
            raise ValueError("fractional_max_pool2d requires output_ratio to either be a single Int or tuple of Ints.")
        ratio = _pair(output_ratio)
        output_size = [int(input.size(-2) * ratio[0]), int(input.size(-1) * ratio[1])]
    if _random_samples is None:
        if not input.is_floating_point():  # (PyTorch's torch.rand in the input's dtype refuses it)
            raise NotImplementedError(f"\"check_uniform_bounds\" not implemented for "
                                      f"'{SCALAR_TYPES[input.dtype.name]}' (as in PyTorch); convert the input "
                                      f"with .float() or .double() first")
        n_batch = 1 if input.ndim == 3 else input.shape[0]
        numbers = generator().uniform(0.0, 1.0, (n_batch, input.size(-3), 2))
        _random_samples = Tensor._make(np.asarray(numbers, dtype=input.dtype.numpy))
    kernel, out = _ints(kernel_size, "kernel_size", 2), _ints(output_size, "output_size", 3)
    samples = _checked(input, kernel, out, _random_samples)
    plane_shape = (1,) + tuple(input.shape[-3:]) if input.ndim == 3 else tuple(input.shape)
    n, c, h, w = plane_shape
    rows = _starts(samples[:n, :, 1], h, out[0], kernel[0])[..., None] + np.arange(kernel[0])  # (N, C, oH, kH)
    cols = _starts(samples[:n, :, 0], w, out[1], kernel[1])[..., None] + np.arange(kernel[1])  # (N, C, oW, kW)
    rows = rows[:, :, :, None, :, None]  # (N, C, oH, 1, kH, 1) and (N, C, 1, oW, 1, kW): (N, C, oH, oW, kH, kW)
    cols = cols[:, :, None, :, None, :]
    lead = (np.arange(n)[:, None, None, None, None, None], np.arange(c)[None, :, None, None, None, None])
    windows = (input.unsqueeze(0) if input.ndim == 3 else input)[lead + (rows, cols)]
    windows = windows.reshape(n, c, out[0], out[1], kernel[0] * kernel[1])
    chosen = _chosen(windows._value)
    if np.isnan(windows._value).any():  # (the gradient to the nan PyTorch picks, the last: max's goes to the first)
        values = windows.gather(-1, Tensor._make(chosen[..., None])).squeeze(-1)
    else:
        values = window_max(windows)
    flat = np.broadcast_to(rows * w + cols, windows.shape[:4] + (kernel[0], kernel[1])).reshape(windows.shape)
    indices = np.take_along_axis(flat, chosen[..., None], axis=-1)[..., 0]
    indices_t = Tensor._make(picked(np.ascontiguousarray(indices, dtype=np.int64), input))
    if input.ndim == 3:
        return values.squeeze(0), indices_t.squeeze(0)
    return values, indices_t


def _chosen(windows: np.ndarray) -> np.ndarray:
    """PyTorch's choice in each window: the first largest element, or the last nan
    (its scan replaces the maximum when ``value > max or isnan(value)``)."""
    nan = np.isnan(windows)
    last_nan = windows.shape[-1] - 1 - np.argmax(nan[..., ::-1], axis=-1)
    with np.errstate(invalid="ignore"):
        return np.where(nan.any(-1), last_nan, np.argmax(np.where(nan, -np.inf, windows), axis=-1))


def _starts(samples: np.ndarray, size: int, out: int, k: int) -> np.ndarray:
    """(N, C, out) window starts along one dim, PyTorch's ``generate_intervals``
    in the input's float type (float32 rounding moves a window's start)."""
    dtype = samples.dtype.type
    starts = np.full(samples.shape + (out,), size - k, dtype=np.int64)
    if out > 1:
        alpha = dtype(size - k) / dtype(out - 1)
        i = np.arange(out - 1, dtype=samples.dtype)
        u = samples[..., None]
        starts[..., :-1] = ((i + u) * alpha).astype(np.int64) - (u * alpha).astype(np.int64)
    return starts


def _checked(input: Tensor, kernel: tuple[int, ...], out: tuple[int, ...], samples: Any) -> np.ndarray:
    """PyTorch's checks, in its order, and the samples as an array."""
    if input.ndim not in (3, 4):
        raise RuntimeError(f"fractional_max_pool2d(): Expected 3D or 4D tensor, but got: {list(input.shape)}")
    for i in range(1, input.ndim):
        if input.shape[i] == 0:
            raise RuntimeError(f"fractional_max_pool2d(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but got{list(input.shape)} with dimension {i} being empty.")
    if any(k <= 0 for k in kernel):
        raise RuntimeError(f"fractional_max_pool2d(): kernel_size must be positive, got {kernel} (PyTorch does not "
                           f"check this and reads outside the input)")
    if any(o < 0 for o in out):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(out)}: "
                           f"{list(input.shape[:-2]) + list(out)}")
    h, w = input.shape[-2], input.shape[-1]
    if out[0] + kernel[0] - 1 > h:
        raise RuntimeError(f"fractional_max_pool2d(): pool height {kernel[0]} too large relative to input height {h}")
    if out[1] + kernel[1] - 1 > w:
        raise RuntimeError(f"fractional_max_pool2d(): pool width {kernel[1]} too large relative to input width {w}")
    if not isinstance(samples, Tensor):
        raise TypeError(f"fractional_max_pool2d(): argument 'random_samples' (position 4) must be Tensor, not "
                        f"{type(samples).__name__}")
    if samples.dtype != input.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    if samples.ndim != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {samples.ndim}")
    if samples.shape[0] < (input.shape[0] if input.ndim == 4 else 1):
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if samples.shape[1] != input.shape[-3]:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if samples.shape[2] != 2:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to 2; got {samples.shape[2]}.")
    if not input.is_floating_point():
        raise NotImplementedError(f"\"fractional_max_pool2d_out_frame\" not implemented for "
                                  f"'{SCALAR_TYPES[input.dtype.name]}' (as in PyTorch); convert with .float() or "
                                  f".double() first")
    return np.asarray(samples.detach().numpy())


def _ints(value: Any, name: str, position: int) -> tuple[int, ...]:
    """An int or a pair of ints, as PyTorch's argument parser takes them."""
    items = (value,) if isinstance(value, (int, np.integer)) and not isinstance(value, bool) else value
    if not isinstance(items, (tuple, list)) or not all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in items):
        raise TypeError(f"fractional_max_pool2d(): argument '{name}' (position {position}) must be tuple of ints, "
                        f"not {type(value).__name__}")
    if len(items) == 1:
        items = (items[0], items[0]) if not isinstance(value, (tuple, list)) else items
    if len(items) != 2:
        raise RuntimeError(f"fractional_max_pool2d: {name} must either be a single Int or tuple of Ints")
    return tuple(int(v) for v in items)


def _pair(value: Any) -> tuple[Any, Any]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)  # type: ignore[return-value]
