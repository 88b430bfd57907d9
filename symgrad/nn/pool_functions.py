"""``F.max_pool1d/2d/3d``, ``F.avg_pool1d/2d/3d``, ``F.adaptive_avg_pool1d/2d/3d``,
composed of symgrad ops.

Windows are gathered at constant positions (``windows.gather_windows``);
max pooling then takes ``max`` along the window, which is decided at run
time (its closed form is ``Max(x[0, 0, 0, 0], ...)``, its gradient goes to
the first largest element as PyTorch's does, and generated code computes the
maximum again at every input), so nothing is chosen by values at trace
time.  Only ``return_indices`` reads positions from the values: those
indices are integers outside the graph, marked as chosen by values.
Average pooling sums each window and divides by PyTorch's divisor;
adaptive average pooling sums with a constant 0/1 matrix per dim.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import symgrad.ops as ops
from symgrad._tensor import Tensor
from symgrad.dispatch import apply
from symgrad.nn._checks import require_tensor
from symgrad.nn.padding import pad_constant
from symgrad.nn.windows import as_tuple, gather_windows, pooled_size, window_starts
from symgrad.ops._util import SCALAR_TYPES
from symgrad.ops.positions import picked
from symgrad.ops.reductions import _MAX_DIM

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d", "adaptive_avg_pool1d",
           "adaptive_avg_pool2d", "adaptive_avg_pool3d"]


class _Pooling:
    """The sizes of one pooling call, checked as PyTorch checks them."""

    def __init__(self, fn: str, input: Tensor, dims: int, kernel_size: Any, stride: Any, padding: Any,
                 dilation: Any, ceil_mode: bool, check_input_size: bool = False) -> None:
        require_tensor(input, fn)
        self.fn, self.dims = fn, dims
        self.kernel = as_tuple(kernel_size, dims, fn, "kernel_size")
        no_stride = stride is None or (not isinstance(stride, int) and len(stride) == 0)
        self.stride = self.kernel if no_stride else as_tuple(stride, dims, fn, "stride")
        self.padding = as_tuple(padding, dims, fn, "padding")
        self.dilation = as_tuple(dilation, dims, fn, "dilation")
        if dims == 3 and any(s <= 0 for s in self.stride):  # (PyTorch's 3-d kernels check the stride first)
            raise RuntimeError("stride should not be zero")
        if any(k <= 0 for k in self.kernel):
            raise RuntimeError(f"kernel_size should be greater than zero, but got {list(self.kernel)}")
        if any(s <= 0 for s in self.stride):
            raise RuntimeError("stride should not be zero")
        if any(d <= 0 for d in self.dilation):
            raise RuntimeError(f"dilation should be greater than zero, but got {list(self.dilation)}")
        for k, p, d in zip(self.kernel, self.padding, self.dilation):
            if p < 0 or p > ((k - 1) * d + 1) // 2:
                raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                                   f"kernel_size={k} and dilation={d}")
        self.spatial = tuple(input.shape[input.ndim - dims:])
        if check_input_size and input.ndim in (4, 5) and any(n < k for n, k in zip(self.spatial, self.kernel)):
            (t, h, w), (k_t, k_h, k_w) = self.spatial, self.kernel  # avg_pool3d's own check, before the output's
            raise RuntimeError(f"input image (T: {t} H: {h} W: {w}) smaller than kernel size (kT: {k_t} kH: {k_h} "
                               f"kW: {k_w})")
        self.out = tuple(pooled_size(n, k, s, p, d, ceil_mode) for n, k, s, p, d in
                         zip(self.spatial, self.kernel, self.stride, self.padding, self.dilation))
        if any(o < 1 for o in self.out) and input.ndim in (dims + 1, dims + 2):  # (else: the dims' own error)
            lead = input.shape[input.ndim - dims - 1] if input.ndim > dims else 1
            raise RuntimeError(f"Given input size: ({'x'.join(map(str, (lead, *self.spatial)))}). Calculated output "
                               f"size: ({'x'.join(map(str, (lead, *self.out)))}). Output size is too small")

    def pairs(self) -> list[tuple[int, int]]:
        """(before, after) padding per dim, the last dim first; ``after`` also
        covers a ``ceil_mode`` window that reaches past the right padding."""
        out = []
        for n, k, s, p, d, o in zip(self.spatial, self.kernel, self.stride, self.padding, self.dilation, self.out):
            reach = (o - 1) * s + d * (k - 1) + 1
            out.append((p, max(p, reach - n - p)))
        return list(reversed(out))

    def windows(self, x: Tensor, fill: float) -> Tensor:
        """(..., o1, o2, k1*k2): each window's elements along the last dim, the padding ``fill``."""
        padded = pad_constant(x, self.pairs(), fill) if any(b or a for b, a in self.pairs()) else x
        w = gather_windows(padded, self.kernel, self.stride, self.dilation, self.out, kernel_last=True)
        lead = tuple(x.shape[:x.ndim - self.dims])
        return w.reshape(*lead, *self.out, math.prod(self.kernel))


def _check_input(input: Tensor, dims: int, fn: str) -> None:
    if input.ndim not in (dims + 1, dims + 2):
        if fn == "avg_pool1d":  # (PyTorch's avg_pool1d checks the dims before calling avg_pool2d)
            raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor for argument "
                               "#1 'self' (while checking arguments for avg_pool1d)")
        if fn == "avg_pool2d" and input.ndim < 3:  # (where PyTorch's kernel reads size(-3))
            raise IndexError("Dimension specified as -3 but tensor has no dimensions" if input.ndim == 0 else
                             f"Dimension out of range (expected to be in range of [{-input.ndim}, {input.ndim - 1}], "
                             "but got -3)")
        if fn == "avg_pool2d":
            raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, "
                               f"but got:{list(input.shape)}")
        if dims == 3:
            raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")
        if dims == 1:
            raise RuntimeError(f"{fn}: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
                               f"input, but got:{list(input.shape)}")
        raise RuntimeError(f"non-empty 3D or 4D (batch mode) tensor expected for input, got size "
                           f"{list(input.shape)}")
    if dims == 2 and 0 in input.shape[input.ndim - 3:]:  # (an empty batch is fine, as in PyTorch)
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but "
                           f"got:{list(input.shape)}")
    if dims == 3 and 0 in input.shape[input.ndim - 4:]:
        empty = input.shape[input.ndim - 4:].index(0)
        kernel = "max_pool3d_with_indices_out_cpu_template" if fn == "max_pool3d" else fn  # PyTorch's names
        raise RuntimeError(f"{kernel}(): Expected input's non-batch dimensions to have positive length, but input has a "
                           f"shape of {list(input.shape)} and non-batch dimension {empty} has length zero!")


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
               ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """The largest element of each window along the last dim of (N, C, L) or (C, L).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor([[1., 3., 2., 5.]], name="x")
    >>> F.max_pool1d(x, 2).expr
    [[Max(x[0, 0], x[0, 1]), Max(x[0, 2], x[0, 3])]]
    """
    return _max_pool(input, 1, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
               ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """The largest element of each window of (N, C, H, W) or (C, H, W); its
    gradient goes to the first largest element of the window (PyTorch's
    choice), and ``return_indices=True`` also gives each one's flat position
    in its (H, W) plane.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor([[[1., 2.], [4., 3.]]], requires_grad=True)
    >>> y, where = F.max_pool2d(x, 2, return_indices=True)
    >>> y, where
    (tensor([[[4.]]], grad_fn=<MaxBackward0>), tensor([[[2]]]))
    >>> y.sum().backward()
    >>> x.grad
    tensor([[[0., 0.],
             [1., 0.]]])
    """
    return _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
               ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """The largest element of each window of (N, C, D, H, W) or (C, D, H, W),
    as ``max_pool2d``; ``return_indices=True`` also gives each one's flat
    position in its (D, H, W) volume.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.max_pool3d(symgrad.arange(8.).reshape(1, 2, 2, 2), 2, return_indices=True)
    (tensor([[[[7.]]]]), tensor([[[[7]]]]))
    """
    return _max_pool(input, 3, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def _max_pool(input: Tensor, dims: int, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
              ceil_mode: bool, return_indices: bool) -> Any:
    fn = f"max_pool{dims}d"
    pool = _Pooling(fn, input, dims, kernel_size, stride, padding, dilation, ceil_mode)
    _check_input(input, dims, fn)
    _check_max_pool_padding(pool)
    lowest = -math.inf if input.is_floating_point() else np.iinfo(input.dtype.numpy).min
    windows = pool.windows(input, lowest)
    if not return_indices:
        return window_max(windows)
    values, chosen = ops.max(windows, -1)
    return values, _input_positions(pool, chosen, input)


def _check_max_pool_padding(pool: _Pooling) -> None:
    """PyTorch's max pooling kernels also bound the padding by half the kernel, dilation or not."""
    if all(p <= k // 2 for p, k in zip(pool.padding, pool.kernel)):
        return
    if pool.dims == 1:
        raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but got "
                           f"padding={pool.padding[0]} and kernel_size={pool.kernel[0]}")
    if pool.dims == 3:
        (pad_t, pad_h, pad_w), (k_t, k_h, k_w) = pool.padding, pool.kernel
        raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got kT: {k_t} kW: {k_w} "
                           f"kH: {k_h} padT: {pad_t} padW: {pad_w} padH: {pad_h}")
    (pad_h, pad_w), (k_h, k_w) = pool.padding, pool.kernel
    raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got padW = {pad_w}, "
                       f"padH = {pad_h}, kW = {k_w}, kH = {k_h}")


def window_max(windows: Tensor) -> Tensor:
    """``max`` along the last dim, its gradient to the first largest element,
    without the positions ``ops.max`` would also compute."""
    return apply(_MAX_DIM, windows, dim=windows.ndim - 1, keepdim=False)


def _input_positions(pool: _Pooling, chosen: Tensor, input: Tensor) -> Tensor:
    """The flat position in the input's plane of each window's chosen element (int64, outside the graph)."""
    before = [b for b, _ in reversed(pool.pairs())]
    coords = [window_starts(o, k, s, d).T - p for o, k, s, d, p in
              zip(pool.out, pool.kernel, pool.stride, pool.dilation, before)]
    return chosen_positions(coords, pool.spatial, chosen, input)


def chosen_positions(coords: list[np.ndarray], spatial: tuple[int, ...], chosen: Tensor, input: Tensor) -> Tensor:
    """The flat position in the input's plane (or volume) of each window's
    chosen element: ``coords[i]`` (out_i, k_i) are the positions each window
    reads along spatial dim ``i``, windows flattened as ``gather_windows``
    flattens them (kernel last, row-major); int64, outside the graph."""
    n = len(coords)
    flat = np.zeros((1,) * 2 * n, dtype=np.int64)
    for i, c in enumerate(coords):  # (o1, ..., on, k1, ..., kn) positions d * H * W + h * W + w
        shape = [1] * 2 * n
        shape[i], shape[n + i] = c.shape
        flat = flat + c.reshape(shape) * math.prod(spatial[i + 1:])
    flat = flat.reshape(*flat.shape[:n], math.prod(c.shape[1] for c in coords))
    lead = chosen.ndim - n
    index = np.take_along_axis(flat[(None,) * lead], chosen._value[..., None], axis=-1)[..., 0]
    return Tensor._make(picked(np.ascontiguousarray(index, dtype=np.int64), input))


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """The mean of each window along the last dim of (N, C, L) or (C, L).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor([[1., 3., 2., 5.]], name="x")
    >>> F.avg_pool1d(x, 2).expr
    [[x[0, 0]/2 + x[0, 1]/2, x[0, 2]/2 + x[0, 3]/2]]
    """
    return _avg_pool(input, 1, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """The mean of each window of (N, C, H, W) or (C, H, W): the window's
    sum divided by its size (padding included unless ``count_include_pad``
    is False; never the part of a ``ceil_mode`` window past the padding), or
    by ``divisor_override``.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.avg_pool2d(symgrad.tensor([[[1., 2.], [4., 3.]]]), 2, padding=1, count_include_pad=False)
    tensor([[[1., 2.],
             [4., 3.]]])
    """
    return _avg_pool(input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def avg_pool3d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """The mean of each window of (N, C, D, H, W) or (C, D, H, W), divided
    as ``avg_pool2d`` divides.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.avg_pool3d(symgrad.arange(8.).reshape(1, 2, 2, 2), 2)
    tensor([[[[3.5000]]]])
    >>> F.avg_pool3d(symgrad.arange(8.).reshape(1, 2, 2, 2), 2, divisor_override=2)
    tensor([[[[14.]]]])
    """
    return _avg_pool(input, 3, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def _avg_pool(input: Tensor, dims: int, kernel_size: Any, stride: Any, padding: Any, ceil_mode: bool,
              count_include_pad: bool, divisor_override: int | None) -> Tensor:
    fn = f"avg_pool{dims}d"
    pool = _Pooling(fn, input, dims, kernel_size, stride, padding, 1, ceil_mode, check_input_size=dims == 3)
    _check_input(input, dims, fn)
    if divisor_override is not None and (isinstance(divisor_override, bool) or not isinstance(divisor_override, int)
                                         or divisor_override == 0):
        raise RuntimeError(f"divisor must be not zero (divisor_override must be a nonzero int, got "
                           f"{divisor_override!r})")
    sums = pool.windows(input, 0).sum(-1)
    divisor = divisor_override or _divisors(pool, count_include_pad)
    if not input.is_floating_point():  # PyTorch's integer kernels divide in C (truncated), in the input's dtype
        return ops.div(sums, divisor, rounding_mode="trunc").to(input.dtype)
    return sums / divisor


def _divisors(pool: _Pooling, count_include_pad: bool) -> Any:
    """PyTorch's divisor of each window."""
    counts = np.ones(pool.out, dtype=np.int64)
    for axis, (n, k, s, p, o) in enumerate(zip(pool.spatial, pool.kernel, pool.stride, pool.padding, pool.out)):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)  # a ceil_mode window stops at the padding's end
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, n)
        shape = [1] * len(pool.out)
        shape[axis] = o
        counts = counts * (end - start).reshape(shape)
    return _divisor(counts)


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling of (N, C, L) or (C, L) to ``output_size`` windows, as
    PyTorch places them: window ``i`` covers ``floor(i*L/out)`` to ``ceil((i+1)*L/out)``.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor([[1., 2., 3.]], name="x")
    >>> F.adaptive_avg_pool1d(x, 2).expr
    [[x[0, 0]/2 + x[0, 1]/2, x[0, 1]/2 + x[0, 2]/2]]
    """
    return _adaptive_avg_pool(input, 1, output_size)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling of (N, C, H, W) or (C, H, W) to ``output_size`` (an
    int, or a pair whose None entries keep the input's size).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.adaptive_avg_pool2d(symgrad.arange(16.).reshape(1, 4, 4), (2, 1))
    tensor([[[ 3.5000],
             [11.5000]]])
    """
    return _adaptive_avg_pool(input, 2, output_size)


def adaptive_avg_pool3d(input: Tensor, output_size: Any) -> Tensor:
    """The mean of each of ``output_size`` (D, H, W) windows of (N, C, D, H, W)
    or (C, D, H, W) inputs, windows as ``adaptive_avg_pool1d``'s per dim.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.adaptive_avg_pool3d(symgrad.arange(8.).reshape(1, 2, 2, 2), (1, 2, 1)).flatten()
    tensor([2.5000, 4.5000])
    """
    return _adaptive_avg_pool(input, 3, output_size)


def _adaptive_avg_pool(input: Tensor, dims: int, output_size: Any) -> Tensor:
    fn = f"adaptive_avg_pool{dims}d"
    require_tensor(input, fn)
    if input.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(f"{fn}(): Expected {dims + 1}D or {dims + 2}D tensor, but got {list(input.shape)}")
    spatial = tuple(input.shape[input.ndim - dims:])
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size,) * dims
    if len(sizes) != dims:
        raise RuntimeError(f"{fn}: output_size must be {dims}, got {len(sizes)} sizes ({output_size!r})")
    out = tuple(n if s is None else s for n, s in zip(spatial, sizes))
    if any(isinstance(s, bool) or not isinstance(s, int) or s < 0 for s in out):
        raise RuntimeError(f"{fn}: output_size must be non-negative ints (or None to keep a size), got {output_size!r}")
    if any(n == 0 for n in input.shape[1:]):
        raise RuntimeError(f"{fn}(): Expected input to have non-zero size for non-batch dimensions, but input has "
                           f"sizes {list(input.shape)} with dimension {list(input.shape).index(0)} being empty")
    if not input.is_floating_point():
        raise NotImplementedError(f"\"{fn}\" not implemented for '{SCALAR_TYPES[input.dtype.name]}' (as in "
                                  "PyTorch); convert with .float() or .double() first")
    sums, counts = input, np.ones(out, dtype=np.int64)
    for axis, (n, o) in enumerate(zip(spatial, out)):
        members, lengths = _adaptive_windows(n, o)
        along = input.ndim - dims + axis
        sums = ops.matmul(sums.transpose(along, -1), Tensor._make(members.T.astype(input.dtype.numpy)))
        sums = sums.transpose(along, -1)
        counts = counts * lengths.reshape((o,) + (1,) * (dims - 1 - axis))
    return sums / _divisor(counts)


def _divisor(counts: np.ndarray) -> int | Tensor:
    """Each window's divisor: one number when they are all equal (closed forms then read ``x/4``), else a constant."""
    if counts.size == 0 or (counts == counts.flat[0]).all():
        return int(counts.flat[0]) if counts.size else 1
    return Tensor._make(counts)


def _adaptive_windows(size: int, out: int) -> tuple[np.ndarray, np.ndarray]:
    """A 0/1 matrix (out, size) marking each window's elements, and the windows' sizes."""
    start = (np.arange(out) * size) // out
    end = -((-(np.arange(out) + 1) * size) // out)  # ceil((i+1) * size / out)
    positions = np.arange(size)
    members = (positions >= start[:, None]) & (positions < end[:, None])
    return members, end - start
