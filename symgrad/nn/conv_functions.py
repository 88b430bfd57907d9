"""``F.conv1d``, ``F.conv2d``, ``F.conv3d`` and ``F.unfold``, composed of symgrad ops.

A convolution is PyTorch's CPU algorithm written in table ops: the input is
padded (``index_put`` into zeros), its windows are gathered at constant
positions (``index``: im2col), and each group's windows are multiplied by
that group's flattened kernels (``matmul``).  So gradients are the
composition's (the windows' gradients add back into the input), the closed
form of an output element is the sum ``w[o, c, i, j]*x[n, c, h + i, w + j]``
plus the bias, and generated code runs the same gather at every input.
"""

from __future__ import annotations

import math
from typing import Any

import symgrad.ops as ops
from symgrad._tensor import Tensor
from symgrad.nn._checks import require_tensor
from symgrad.nn.padding import pad_constant
from symgrad.nn.windows import as_tuple, check_positive, conv_size, gather_windows, image_window_args

__all__ = ["conv1d", "conv2d", "conv3d", "unfold", "conv_padding"]


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-d convolution (cross-correlation, as PyTorch's) of ``input`` (N, C, L)
    or (C, L) with ``weight`` (out_channels, C/groups, kL).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor([[[1., 2., 3.]]], name="x")
    >>> w = symgrad.tensor([[[1., -1.]]], name="w")
    >>> F.conv1d(x, w)
    tensor([[[-1., -1.]]])
    >>> F.conv1d(x, w).expr[0, 0, 0]
    w[0, 0, 0]*x[0, 0, 0] + w[0, 0, 1]*x[0, 0, 1]
    """
    return _convolution(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-d convolution (cross-correlation, as PyTorch's) of ``input``
    (N, C, H, W) or (C, H, W) with ``weight`` (out_channels, C/groups, kH, kW).
    ``padding`` is an int, a pair, ``"valid"`` (none) or ``"same"`` (the
    output as large as the input; stride 1 only).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.arange(9.).reshape(1, 1, 3, 3)
    >>> w = symgrad.ones(1, 1, 2, 2, requires_grad=True)
    >>> y = F.conv2d(x, w, padding="same")
    >>> y
    tensor([[[[ 8., 12.,  7.],
              [20., 24., 13.],
              [13., 15.,  8.]]]], grad_fn=<ViewBackward0>)
    >>> y.sum().backward()
    >>> w.grad
    tensor([[[[36., 27.],
              [33., 24.]]]])
    """
    return _convolution(input, weight, bias, stride, padding, dilation, groups, 2)


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1, groups: int = 1) -> Tensor:
    """3-d convolution (cross-correlation, as PyTorch's) of ``input``
    (N, C, D, H, W) or (C, D, H, W) with ``weight`` (out_channels, C/groups,
    kD, kH, kW); ``padding`` as ``conv2d``'s.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.arange(8.).reshape(1, 1, 2, 2, 2)
    >>> w = symgrad.ones(1, 1, 2, 2, 2, requires_grad=True)
    >>> y = F.conv3d(x, w, padding=(0, 0, 1))
    >>> y
    tensor([[[[[12., 28., 16.]]]]], grad_fn=<ViewBackward0>)
    >>> y.sum().backward()
    >>> w.grad[0, 0, 0]
    tensor([[1., 1.],
            [5., 5.]])
    """
    return _convolution(input, weight, bias, stride, padding, dilation, groups, 3)


def _convolution(input: Tensor, weight: Tensor, bias: Tensor | None, stride: Any, padding: Any, dilation: Any,
                 groups: int, dims: int) -> Tensor:
    fn = f"conv{dims}d"
    require_tensor(input, fn)
    require_tensor(weight, fn, "weight")
    _check_dims(input, weight, fn, dims)
    strides = as_tuple(stride, dims, "convolution", "stride")
    dilations = as_tuple(dilation, dims, "convolution", "dilation")
    pairs = conv_padding(padding, tuple(weight.shape[2:]), strides, dilations)
    _check_channels(input, weight, bias, groups, dims)
    check_positive(strides, "non-positive stride is not supported")
    if any(d <= 0 for d in dilations):
        raise RuntimeError(f"dilation should be greater than zero, but got {list(dilations)}")
    batched = input.ndim == dims + 2
    x = input if batched else input.unsqueeze(0)
    cols, out_size = im2col(x, tuple(weight.shape[2:]), strides, pairs, dilations)
    n, out_channels = x.shape[0], weight.shape[0]
    # (N, groups, C/groups * K, L) windows times (groups, O/groups, C/groups * K) kernels
    cols = cols.reshape(n, groups, -1, math.prod(out_size))
    kernels = weight.reshape(groups, out_channels // groups, -1)
    out = ops.matmul(kernels, cols).reshape(n, out_channels, *out_size)
    if bias is not None:
        out = out + bias.reshape(out_channels, *(1,) * dims)
    return out if batched else out.squeeze(0)


def _check_dims(input: Tensor, weight: Tensor, fn: str, dims: int) -> None:
    if input.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(f"Expected {dims + 1}D (unbatched) or {dims + 2}D (batched) input to {fn}, but got input "
                           f"of size: {list(input.shape)}")
    if weight.ndim != dims + 2:
        raise RuntimeError(f"Expected {weight.ndim}-dimensional input for {weight.ndim}-dimensional weight "
                           f"{list(weight.shape)}, but got {input.ndim}-dimensional input of size "
                           f"{list(input.shape)} instead ({fn} takes a {dims + 2}-d weight: out_channels, "
                           f"in_channels/groups and {dims} kernel sizes)")


def _check_channels(input: Tensor, weight: Tensor, bias: Tensor | None, groups: Any, dims: int) -> None:
    if isinstance(groups, bool) or not isinstance(groups, int):
        raise TypeError(f"conv{dims}d(): argument 'groups' must be int, not {type(groups).__name__}")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if weight.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but "
                           f"got weight of size [{list(weight.shape)}] instead")
    channels = input.shape[1 if input.ndim == dims + 2 else 0]
    if channels != weight.shape[1] * groups:
        batched = list(input.shape if input.ndim == dims + 2 else (1, *input.shape))
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, expected input{batched} to "
                           f"have {weight.shape[1] * groups} channels, but got {channels} channels instead")
    if bias is not None and (require_tensor(bias, f"conv{dims}d", "bias").ndim != 1
                             or bias.shape[0] != weight.shape[0]):
        raise RuntimeError(f"Given weight of size {list(weight.shape)}, expected bias to be 1-dimensional with "
                           f"{weight.shape[0]} elements, but got bias of size {list(bias.shape)} instead")


def conv_padding(padding: Any, kernel: tuple[int, ...], stride: tuple[int, ...],
                 dilation: tuple[int, ...]) -> list[tuple[int, int]]:
    """(before, after) for each spatial dim, the first first: ``"valid"`` none,
    ``"same"`` ``dilation*(kernel-1)`` split with the extra one after (PyTorch's
    choice), or the ints given on both sides."""
    if isinstance(padding, str):
        if padding == "valid":
            return [(0, 0)] * len(kernel)
        if padding != "same":
            raise RuntimeError(f"Invalid padding string: {padding!r} (use 'valid', 'same' or ints)")
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return [(t // 2, t - t // 2) for t in totals]
    sizes = as_tuple(padding, len(kernel), "convolution", "padding")
    if any(p < 0 for p in sizes):
        raise RuntimeError("negative padding is not supported")
    return [(p, p) for p in sizes]


def im2col(x: Tensor, kernel: tuple[int, ...], stride: tuple[int, ...], pairs: list[tuple[int, int]],
           dilation: tuple[int, ...]) -> tuple[Tensor, tuple[int, ...]]:
    """The zero-padded windows of ``x`` (N, C, *spatial) as (N, C, *kernel, *out), and ``out``."""
    if any(b or a for b, a in pairs):
        x = pad_constant(x, list(reversed(pairs)), 0)
    spatial = tuple(x.shape[2:])
    reach = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    if any(s < r for s, r in zip(spatial, reach)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, spatial))}). Kernel "
                           f"size: ({' x '.join(map(str, reach))}). Kernel size can't be greater than actual input "
                           "size")
    out = tuple(conv_size(s, k, st, d) for s, k, st, d in zip(spatial, kernel, stride, dilation))
    return gather_windows(x, kernel, stride, dilation, out), out


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> Tensor:
    """The sliding windows of ``input`` (N, C, H, W) or (C, H, W) as columns:
    (N, C*kH*kW, L), L the number of windows (im2col).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor([[[[1., 2., 3.], [4., 5., 6.]]]], name="x")
    >>> F.unfold(x, (2, 2)).expr
    [[[x[0, 0, 0, 0], x[0, 0, 0, 1]], [x[0, 0, 0, 1], x[0, 0, 0, 2]], [x[0, 0, 1, 0], x[0, 0, 1, 1]], [x[0, 0, 1, 1], x[0, 0, 1, 2]]]]
    """
    require_tensor(input, "unfold")
    if input.ndim not in (3, 4):
        raise NotImplementedError(f"Input Error: Only 3D or 4D input Tensors are supported (got {input.ndim}D)")
    kernel, dilations, sizes, strides = image_window_args(kernel_size, dilation, padding, stride, "im2col")
    batched = input.ndim == 4
    x = input if batched else input.unsqueeze(0)
    cols, out = im2col(x, kernel, strides, [(p, p) for p in sizes], dilations)
    cols = cols.reshape(x.shape[0], x.shape[1] * math.prod(kernel), math.prod(out))
    return cols if batched else cols.squeeze(0)
