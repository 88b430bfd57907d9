"""Sliding windows over the last dims of a tensor, shared by convolution,
pooling and ``unfold``.

A window is gathered by advanced indexing with constant integer positions
(``x[..., rows, cols]``, the im2col of PyTorch's CPU kernels): the positions
depend only on the sizes, never on values, so the gather is an ordinary
``index`` op whose gradient adds the windows' gradients back
(``index_backward``), whose closed form reads ``x[0, 0, 1, 2]``, and which
generated code replays exactly at every input.  ``scatter_windows`` is the
inverse direction (col2im: ``fold`` and transposed convolutions): the
windows are added back at the same positions (``index_backward``, NumPy's
``add.at``), whose gradient is the gather.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from symgrad._tensor import Tensor
from symgrad.dispatch import apply
from symgrad.ops.shape import _INDEX_BACKWARD

__all__ = ["as_tuple", "check_positive", "window_starts", "gather_windows", "scatter_windows", "pooled_size",
           "conv_size"]


def as_tuple(value: Any, n: int, fn: str, name: str) -> tuple[int, ...]:
    """``value`` (an int, or a sequence of ``n`` ints; a sequence of one is
    repeated) as a tuple of ``n`` ints, as PyTorch's ``expand_param_if_needed``."""
    items = tuple(value) if isinstance(value, Sequence) else (value,)
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in items):
        raise TypeError(f"{fn}(): argument '{name}' must be an int or a tuple of {n} ints, got {value!r}")
    if len(items) == 1:
        items = items * n
    if len(items) != n:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} values to match the "
                           f"{fn} dimensions, but got {name}={list(items)}")
    return tuple(int(v) for v in items)


def check_positive(values: tuple[int, ...], message: str) -> None:
    """PyTorch's RuntimeError ``message`` when a stride or dilation is not positive."""
    if any(v <= 0 for v in values):
        raise RuntimeError(message)


def conv_size(size: int, kernel: int, stride: int, dilation: int) -> int:
    """Windows that fit in ``size`` (already padded): ``(size - d*(k-1) - 1) // s + 1``."""
    return (size - dilation * (kernel - 1) - 1) // stride + 1


def pooled_size(size: int, kernel: int, stride: int, padding: int, dilation: int, ceil_mode: bool) -> int:
    """PyTorch's ``pooling_output_shape``: with ``ceil_mode`` a last, partial
    window is kept, unless it would start in the right padding."""
    span = size + 2 * padding - dilation * (kernel - 1) - 1 + (stride - 1 if ceil_mode else 0)
    out = span // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def window_starts(out: int, kernel: int, stride: int, dilation: int) -> np.ndarray:
    """Positions read by each window along one dim, shape (kernel, out): ``[k, o] = o*stride + k*dilation``."""
    return np.arange(kernel)[:, None] * dilation + np.arange(out)[None, :] * stride


def gather_windows(x: Tensor, kernel: tuple[int, ...], stride: tuple[int, ...], dilation: tuple[int, ...],
                   out: tuple[int, ...], kernel_last: bool = False) -> Tensor:
    """The windows over the last ``len(kernel)`` dims of ``x`` (padded already):
    (..., k1, k2, o1, o2) for two dims, (..., k, o) for one; with
    ``kernel_last``, (..., o1, o2, k1, k2) (a reduction over each window then
    reads contiguous memory)."""
    return x[_window_key(kernel, stride, dilation, out, kernel_last)]


def _window_key(kernel: tuple[int, ...], stride: tuple[int, ...], dilation: tuple[int, ...], out: tuple[int, ...],
                kernel_last: bool = False) -> tuple[Any, ...]:
    """The integer arrays that index the windows: for spatial dim ``i`` of
    ``n``, its positions (kernel, out) laid along result dims ``i`` and
    ``n + i`` (out and kernel with ``kernel_last``), broadcasting against the
    other dims' (for two dims ``rows[:, None, :, None]``, ``cols[None, :, None, :]``)."""
    n = len(kernel)
    positions = [window_starts(o, k, s, d) for o, k, s, d in zip(out, kernel, stride, dilation)]
    if n == 1:
        return (Ellipsis, positions[0].T if kernel_last else positions[0])
    arrays = []
    for i, p in enumerate(positions):  # p: (kernel, out)
        laid = p.T if kernel_last else p
        shape = [1] * (2 * n)
        shape[i], shape[n + i] = laid.shape
        arrays.append(laid.reshape(shape))
    return (Ellipsis,) + tuple(arrays)


def scatter_windows(windows: Tensor, size: tuple[int, ...], kernel: tuple[int, ...], stride: tuple[int, ...],
                    dilation: tuple[int, ...], out: tuple[int, ...]) -> Tensor:
    """``windows`` (..., k1, k2, o1, o2), or (..., k, o) for one dim, added
    into zeros of spatial ``size`` at the positions ``gather_windows`` reads
    (overlapping windows add up): the adjoint of the gather, so its gradient
    is the gather and its closed form the sum of the windows' elements."""
    shape = (*windows.shape[:windows.ndim - 2 * len(kernel)], *size)
    return apply(_INDEX_BACKWARD, windows, shape=shape, key=_window_key(kernel, stride, dilation, out))


def image_window_args(kernel_size: Any, dilation: Any, padding: Any, stride: Any,
                      kernel: str) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """``(kernel, dilation, padding, stride)`` of ``unfold``/``fold`` as pairs,
    checked with PyTorch's messages (``kernel`` names its kernel: im2col, col2im)."""
    k = as_tuple(kernel_size, 2, kernel, "kernel_size")
    strides = as_tuple(stride, 2, kernel, "stride")
    dilations = as_tuple(dilation, 2, kernel, "dilation")
    pads = as_tuple(padding, 2, kernel, "padding")
    check_positive(k, f"kernel size should be greater than zero, but got kernel_height: {k[0]} kernel_width: {k[1]}")
    check_positive(strides, f"stride should be greater than zero, but got stride_height: {strides[0]} "
                            f"stride_width: {strides[1]}")
    check_positive(dilations, f"dilation should be greater than zero, but got dilation_height: {dilations[0]} "
                              f"dilation_width: {dilations[1]}")
    if any(p < 0 for p in pads):
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {pads[0]} pad_width: {pads[1]}")
    return k, dilations, pads, strides
