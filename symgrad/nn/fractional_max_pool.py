"""``F.fractional_max_pool2d`` and ``F.fractional_max_pool3d`` (Graham's
fractional max pooling), composed of symgrad ops.

Each (batch, channel) plane (or volume) gets its own pseudo-random windows: one
number ``u`` in [0, 1) per plane and spatial dim (``_random_samples``, shape
(N, C, 2) for 2d: ``u`` for the width, then for the height; (N, C, 3) for 3d:
for the time, the height, then the width) places output ``i``'s window of
``kernel_size`` at PyTorch's ``int((i + u) * alpha) - int(u * alpha)``,
``alpha = (in - k) / (out - 1)``, the last window ending at the input's edge.
The windows are gathered at those constant positions and ``max`` is taken over
each, so the closed form is ``Max`` of the window's elements and the gradient
goes to the largest (PyTorch's rule).  The samples come from symgrad's
generator unless given: pass PyTorch's ``_random_samples`` to get PyTorch's
numbers.  The 2d and 3d functions share all of this; they differ in PyTorch's
messages and the order of its checks (``_SPEC``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, NamedTuple

import numpy as np

from symgrad._tensor import Tensor
from symgrad.creation import generator
from symgrad.nn._checks import require_tensor
from symgrad.nn.pool_functions import window_max
from symgrad.ops._util import SCALAR_TYPES
from symgrad.ops.positions import picked

__all__ = ["fractional_max_pool2d", "fractional_max_pool2d_with_indices",
           "fractional_max_pool3d", "fractional_max_pool3d_with_indices"]


class _Spec(NamedTuple):
    """What differs between PyTorch's 2d and 3d kernels."""
    fn: str  # the Python function's name
    native: str  # the prefix of the native kernel's size errors
    names: tuple[str, ...]  # the spatial dims, as its errors name them
    columns: tuple[int, ...]  # the sample that places the windows along each spatial dim
    lengths: str  # "tuple of Ints" / "tuple of three Ints"
    order: tuple[int, ...]  # the spatial dims in the order their pool sizes are checked
    strict: bool  # whether ``out + k - 1`` must be less than the input's size (3d), not at most (2d)


_SPEC = {2: _Spec("fractional_max_pool2d", "fractional_max_pool2d()", ("height", "width"), (1, 0),
                  "tuple of Ints", (0, 1), False),
         3: _Spec("fractional_max_pool3d", "fractional_max_pool3d_out()", ("time", "height", "width"), (0, 1, 2),
                  "tuple of three Ints", (0, 2, 1), True)}


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
    values, indices = _pool(2, input, kernel_size, output_size, output_ratio, _random_samples)
    return (values, indices) if return_indices else values


def fractional_max_pool2d_with_indices(input: Tensor, kernel_size: Any, output_size: Any = None,
                                       output_ratio: Any = None, return_indices: bool = False,
                                       _random_samples: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """``fractional_max_pool2d``'s values and indices (PyTorch's name for the pair)."""
    return _pool(2, input, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool3d(input: Tensor, kernel_size: Any, output_size: Any = None, output_ratio: Any = None,
                          return_indices: bool = False, _random_samples: Tensor | None = None) -> Any:
    """Max over ``kernel_size`` windows of (N, C, T, H, W) or (C, T, H, W) placed
    at pseudo-random steps so that the output is ``output_size`` (or
    ``output_ratio`` of the input's size); with ``return_indices``, also the
    flat position of each maximum in its volume (for ``max_unpool3d``).
    ``_random_samples`` (N, C, 3) holds each volume's numbers for the time,
    height and width, as PyTorch's.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.arange(64.).reshape(1, 1, 4, 4, 4)
    >>> y, where = F.fractional_max_pool3d(x, 2, output_size=(1, 2, 2), return_indices=True,
    ...                                    _random_samples=symgrad.zeros(1, 1, 3))
    >>> y
    tensor([[[[[53., 55.],
               [61., 63.]]]]])
    >>> where
    tensor([[[[[53, 55],
               [61, 63]]]]])
    >>> v = symgrad.tensor([[[[1., 4., 2.], [0., 3., 5.]], [[2., 2., 2.], [7., 1., 6.]]]], name="v")
    >>> F.fractional_max_pool3d(v, (1, 1, 2), output_size=1, _random_samples=symgrad.zeros(1, 1, 3)).expr
    [[[[Max(v[0, 1, 1, 1], v[0, 1, 1, 2])]]]]

    PyTorch's check of the sizes is strict in 3d (not in 2d): ``output_size +
    kernel_size - 1`` must be less than the input's size, so a pool as large
    as the input is refused.
    """
    values, indices = _pool(3, input, kernel_size, output_size, output_ratio, _random_samples)
    return (values, indices) if return_indices else values


def fractional_max_pool3d_with_indices(input: Tensor, kernel_size: Any, output_size: Any = None,
                                       output_ratio: Any = None, return_indices: bool = False,
                                       _random_samples: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """``fractional_max_pool3d``'s values and indices (PyTorch's name for the pair)."""
    return _pool(3, input, kernel_size, output_size, output_ratio, _random_samples)


def _pool(dims: int, input: Tensor, kernel_size: Any, output_size: Any, output_ratio: Any,
          samples: Any) -> tuple[Tensor, Tensor]:
    """The values and indices of ``dims``-d fractional max pooling, PyTorch's
    Python checks first, then its argument parser's, then its kernel's."""
    spec = _SPEC[dims]
    require_tensor(input, spec.fn)
    if output_size is None and output_ratio is None:
        raise ValueError(f"{spec.fn} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        if dims == 2 and len(output_ratio) > 2:  # (a float fails here with len's TypeError, as in PyTorch's 2d)
            raise ValueError("fractional_max_pool2d requires output_ratio to either be a single Int or tuple of Ints.")
        ratio = _ntuple(output_ratio, dims)
        output_size = [int(input.size(i - dims) * ratio[i]) for i in range(dims)]  # (a short ratio: IndexError)
    if samples is None:
        shape = (1 if input.ndim == dims + 1 else input.size(0), input.size(-dims - 1), dims)
        if not input.is_floating_point():  # (PyTorch's torch.rand in the input's dtype refuses it)
            raise NotImplementedError(f"\"check_uniform_bounds\" not implemented for "
                                      f"'{SCALAR_TYPES[input.dtype.name]}' (as in PyTorch); convert the input "
                                      f"with .float() or .double() first")
        samples = Tensor._make(np.asarray(generator().uniform(0.0, 1.0, shape), dtype=input.dtype.numpy))
    kernel = _ints(kernel_size, spec, "kernel_size", 2)
    out = _ints(output_size, spec, "output_size", 3)
    if not isinstance(samples, Tensor):
        raise TypeError(f"{spec.fn}(): argument 'random_samples' (position 4) must be Tensor, not "
                        f"{type(samples).__name__}")
    kernel, out = _lengths(kernel, spec, "kernel_size"), _lengths(out, spec, "output_size")
    numbers = _checked(input, spec, kernel, out, samples)
    return _windows_max(input, kernel, out, numbers, spec.columns)


def _windows_max(input: Tensor, kernel: tuple[int, ...], out: tuple[int, ...], samples: np.ndarray,
                 columns: tuple[int, ...]) -> tuple[Tensor, Tensor]:
    """The max of each window and its flat position in its plane (or volume):
    the windows of spatial dim ``d`` placed by ``samples[..., columns[d]]``."""
    dims = len(kernel)
    batched = input.unsqueeze(0) if input.ndim == dims + 1 else input
    n, c, spatial = batched.shape[0], batched.shape[1], tuple(batched.shape[2:])
    coords = []  # per spatial dim d, the positions read: (N, C, o_1 .. o_dims, k_1 .. k_dims), o_d and k_d not 1
    for d in range(dims):
        at = _starts(samples[:n, :, columns[d]], spatial[d], out[d], kernel[d])[..., None] + np.arange(kernel[d])
        shape = [n, c] + [1] * (2 * dims)
        shape[2 + d], shape[2 + dims + d] = out[d], kernel[d]
        coords.append(at.reshape(shape))
    lead = (np.arange(n).reshape((n, 1) + (1,) * 2 * dims), np.arange(c).reshape((1, c) + (1,) * 2 * dims))
    windows = batched[lead + tuple(coords)].reshape(n, c, *out, math.prod(kernel))
    chosen = _chosen(windows._value)
    if np.isnan(windows._value).any():  # (the gradient to the nan PyTorch picks, the last: max's goes to the first)
        values = windows.gather(-1, Tensor._make(chosen[..., None])).squeeze(-1)
    else:
        values = window_max(windows)
    flat = sum(at * math.prod(spatial[d + 1:]) for d, at in enumerate(coords))  # (d * H * W + h * W + w)
    flat = np.broadcast_to(flat, (n, c, *out, *kernel)).reshape(windows.shape)
    indices = np.take_along_axis(flat, chosen[..., None], axis=-1)[..., 0]
    indices_t = Tensor._make(picked(np.ascontiguousarray(indices, dtype=np.int64), input))
    if input.ndim == dims + 1:
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


def _checked(input: Tensor, spec: _Spec, kernel: tuple[int, ...], out: tuple[int, ...],
             samples: Tensor) -> np.ndarray:
    """PyTorch's kernel's checks, in its order, then symgrad's of the kernel's
    size (which PyTorch does not make); the samples as an array."""
    dims = len(kernel)
    if input.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(f"{spec.native}: Expected {dims + 1}D or {dims + 2}D tensor, but got: {list(input.shape)}")
    for i in range(1, input.ndim):
        if input.shape[i] == 0:
            raise RuntimeError(f"{spec.native}: Expected input to have non-zero size for non-batch dimensions, "
                               f"but got{list(input.shape)} with dimension {i} being empty.")
    for d in spec.order:
        name, size, k, o = spec.names[d], input.shape[d - dims], kernel[d], out[d]
        if o + k - 1 > size - spec.strict:
            most = size - k + 1 - spec.strict
            fix = (f"with this kernel the output's {name} can be at most {most}" if most >= 1 else
                   f"for an output the kernel's {name} can be at most {size - spec.strict}")
            raise RuntimeError(f"{spec.native}: pool {name} {k} too large relative to input {name} {size}; {fix}")
    _nonnegative(input, out)
    if samples.dtype != input.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    if samples.ndim != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {samples.ndim}")
    if samples.shape[0] < (input.shape[0] if input.ndim == dims + 2 else 1):
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if samples.shape[1] != input.shape[-dims - 1]:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if samples.shape[2] != dims:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {dims}; got {samples.shape[2]}.")
    if not input.is_floating_point():
        raise NotImplementedError(f"\"{spec.fn}_out_frame\" not implemented for "
                                  f"'{SCALAR_TYPES[input.dtype.name]}' (as in PyTorch); convert with .float() or "
                                  f".double() first")
    if any(k <= 0 for k in kernel):
        raise RuntimeError(f"{spec.fn}(): kernel_size must be greater than 0, but got {kernel}; pass a window of "
                           f"at least one element along each dim (PyTorch 2.13 does not check this: its "
                           f"output is -inf, or read from outside the input)")
    return np.asarray(samples.detach().numpy())


def _nonnegative(input: Tensor, out: tuple[int, ...]) -> None:
    if any(o < 0 for o in out):
        shape = list(input.shape[:-len(out)]) + list(out)
        raise RuntimeError(f"Trying to create tensor with negative dimension {next(o for o in out if o < 0)}: {shape}")


def _ints(value: Any, spec: _Spec, name: str, position: int) -> tuple[int, ...]:
    """An int or a sequence of ints, as PyTorch's argument parser takes them
    (an int stands for ``dims`` of them)."""
    def is_int(v: Any) -> bool:
        return isinstance(v, (int, np.integer)) and not isinstance(v, bool)
    if is_int(value):
        return (int(value),) * len(spec.names)
    if not isinstance(value, (tuple, list)) or not all(is_int(v) for v in value):
        raise TypeError(f"{spec.fn}(): argument '{name}' (position {position}) must be tuple of ints, "
                        f"not {type(value).__name__}")
    return tuple(int(v) for v in value)


def _lengths(items: tuple[int, ...], spec: _Spec, name: str) -> tuple[int, ...]:
    """``items`` if there is one per spatial dim, else PyTorch's error."""
    if len(items) != len(spec.names):
        raise RuntimeError(f"{spec.fn}: {name} must either be a single Int or {spec.lengths}")
    return items


def _ntuple(value: Any, n: int) -> tuple[Any, ...]:
    """PyTorch's ``_pair`` / ``_triple``: an iterable as it is, else ``n`` copies."""
    return tuple(value) if isinstance(value, Iterable) else (value,) * n
