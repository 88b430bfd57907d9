"""``F.conv_transpose1d``, ``F.conv_transpose2d``, ``F.conv_transpose3d`` and ``F.fold``, composed of
symgrad ops.

``fold`` (col2im) is the adjoint of ``unfold``: each column's window is
added back at the positions ``unfold`` reads it from (``index_backward``,
overlaps adding up), then the padding is cut off.  A transposed convolution
is the adjoint of a convolution, written the same way (PyTorch's CPU
algorithm): each group's transposed flattened kernels multiply the input
(``matmul``), giving one window of output contributions per input position,
and ``fold`` adds the windows into the output.  So gradients are the
composition's (the input's is a convolution: the windows gathered back), and
the closed form of an output element is the sum ``w[c, o, i, j]*x[n, c, h, w]``
over the input positions whose windows cover it, plus the bias.
"""

from __future__ import annotations

import math
from typing import Any

import symgrad.ops as ops
from symgrad._tensor import Tensor
from symgrad.nn._checks import require_tensor
from symgrad.nn.windows import as_tuple, check_positive, conv_size, image_window_args, scatter_windows

__all__ = ["conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "fold", "transposed_size"]


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
                     output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Tensor:
    """1-d transposed convolution ("deconvolution", the gradient of ``conv1d``
    with respect to its input) of ``input`` (N, C_in, L) or (C_in, L) with
    ``weight`` (C_in, C_out/groups, kL): the output has
    ``(L - 1)*stride - 2*padding + dilation*(kL - 1) + output_padding + 1``
    positions.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor([[[1., 2.]]], name="x")
    >>> w = symgrad.tensor([[[1., 10.]]], name="w")
    >>> F.conv_transpose1d(x, w)
    tensor([[[ 1., 12., 20.]]])
    >>> F.conv_transpose1d(x, w).expr[0, 0, 1]
    w[0, 0, 0]*x[0, 0, 1] + w[0, 0, 1]*x[0, 0, 0]
    """
    return _transposed(input, weight, bias, stride, padding, output_padding, groups, dilation, 1)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
                     output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Tensor:
    """2-d transposed convolution of ``input`` (N, C_in, H, W) or (C_in, H, W)
    with ``weight`` (C_in, C_out/groups, kH, kW), as PyTorch's: each input
    element adds its value times the kernel into the output, ``stride`` apart;
    ``padding`` cuts that many rows and columns off each side of the result,
    ``output_padding`` adds some at the end (to choose among the sizes that a
    strided ``conv2d`` maps to the input's size).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor([[[[1., 2.], [3., 4.]]]])
    >>> w = symgrad.ones(1, 1, 2, 2, requires_grad=True)
    >>> y = F.conv_transpose2d(x, w, stride=2)
    >>> y
    tensor([[[[1., 1., 2., 2.],
              [1., 1., 2., 2.],
              [3., 3., 4., 4.],
              [3., 3., 4., 4.]]]], grad_fn=<IndexBackwardBackward0>)
    >>> y.sum().backward()
    >>> w.grad
    tensor([[[[10., 10.],
              [10., 10.]]]])
    """
    return _transposed(input, weight, bias, stride, padding, output_padding, groups, dilation, 2)


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
                     output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Tensor:
    """3-d transposed convolution of ``input`` (N, C_in, D, H, W) or
    (C_in, D, H, W) with ``weight`` (C_in, C_out/groups, kD, kH, kW): the
    gradient of ``conv3d`` with respect to its input, with ``conv_transpose2d``'s
    arguments per dim.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor([[[[[1.]], [[2.]]]]])   # (N, C, D, H, W) = (1, 1, 2, 1, 1)
    >>> w = symgrad.tensor([[[[[1.]], [[10.]]]]], name="w")
    >>> F.conv_transpose3d(x, w).flatten()
    tensor([ 1., 12., 20.])
    >>> F.conv_transpose3d(x, w, stride=(2, 1, 1)).flatten().expr
    [w[0, 0, 0, 0, 0], w[0, 0, 1, 0, 0], 2*w[0, 0, 0, 0, 0], 2*w[0, 0, 1, 0, 0]]
    """
    return _transposed(input, weight, bias, stride, padding, output_padding, groups, dilation, 3)


def transposed_size(size: int, kernel: int, stride: int, padding: int, output_padding: int, dilation: int) -> int:
    """A transposed convolution's output size along one dim."""
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def _transposed(input: Tensor, weight: Tensor, bias: Tensor | None, stride: Any, padding: Any, output_padding: Any,
                groups: int, dilation: Any, dims: int) -> Tensor:
    fn = f"conv_transpose{dims}d"
    require_tensor(input, fn)
    require_tensor(weight, fn, "weight")
    _check_dims(input, weight, fn, dims)
    if isinstance(padding, str):
        raise TypeError(f"{fn}(): argument 'padding' must be tuple of ints, not str (transposed convolutions take "
                        "no 'same'/'valid' padding; give the sizes cut off each side)")
    strides = as_tuple(stride, dims, "convolution", "stride")
    pads = as_tuple(padding, dims, "convolution", "padding")
    extra = as_tuple(output_padding, dims, "convolution", "output_padding")
    dilations = as_tuple(dilation, dims, "convolution", "dilation")
    _check_channels(input, weight, bias, groups, dims)
    check_positive(strides, "non-positive stride is not supported")
    if any(d <= 0 for d in dilations):
        raise RuntimeError(f"dilation should be greater than zero, but got {list(dilations)}")
    if any(p < 0 for p in pads):
        raise RuntimeError("negative padding is not supported")
    if any(p < 0 for p in extra):
        raise RuntimeError("negative output_padding is not supported")
    if any(p >= s and p >= d for p, s, d in zip(extra, strides, dilations)):
        names = ("depth", "height", "width")[3 - dims:]
        parts = [f"{what}_{n}: {v}" for what, values in (("output_padding", extra), ("stride", strides),
                                                          ("dilation", dilations)) for n, v in zip(names, values)]
        raise RuntimeError(f"output padding must be smaller than either stride or dilation, but got {' '.join(parts)}")
    batched = input.ndim == dims + 2
    x = input if batched else input.unsqueeze(0)
    kernel = tuple(weight.shape[2:])
    spatial = tuple(x.shape[2:])
    out = tuple(transposed_size(*a) for a in zip(spatial, kernel, strides, pads, extra, dilations))
    if any(o <= 0 for o in out):
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, spatial))}). Calculated output size "
                           f"per channel: ({' x '.join(map(str, out))}). Output size is too small")
    n, in_channels = x.shape[0], x.shape[1]
    out_channels = weight.shape[1] * groups
    # (groups, C_out/groups * K, C_in/groups) kernels times (N, groups, C_in/groups, L) inputs: one window per position
    kernels = weight.reshape(groups, in_channels // groups, -1).transpose(-2, -1)
    cols = ops.matmul(kernels, x.reshape(n, groups, in_channels // groups, math.prod(spatial)))
    cols = cols.reshape(n, out_channels, *kernel, *spatial)
    y = _fold_cropped(cols, out, kernel, strides, pads, dilations, spatial)
    if bias is not None:
        y = y + bias.reshape(out_channels, *(1,) * dims)
    return y if batched else y.squeeze(0)


def _fold_cropped(cols: Tensor, out: tuple[int, ...], kernel: tuple[int, ...], stride: tuple[int, ...],
                  pads: tuple[int, ...], dilation: tuple[int, ...], blocks: tuple[int, ...]) -> Tensor:
    """``cols`` (N, C, *kernel, *blocks) added into the padded output, the padding cut off."""
    padded = tuple(o + 2 * p for o, p in zip(out, pads))
    y = scatter_windows(cols, padded, kernel, stride, dilation, blocks)
    if any(pads):
        y = y[(Ellipsis,) + tuple(slice(p, p + o) for p, o in zip(pads, out))]
    return y


def _check_dims(input: Tensor, weight: Tensor, fn: str, dims: int) -> None:
    if input.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(f"Expected {dims + 1}D (unbatched) or {dims + 2}D (batched) input to {fn}, but got input "
                           f"of size: {list(input.shape)}")
    if weight.ndim != dims + 2:
        raise RuntimeError(f"{fn}: expected a {dims + 2}-d weight (in_channels, out_channels/groups and {dims} "
                           f"kernel sizes), but got weight of size {list(weight.shape)}")


def _check_channels(input: Tensor, weight: Tensor, bias: Tensor | None, groups: Any, dims: int) -> None:
    if isinstance(groups, bool) or not isinstance(groups, int):
        raise TypeError(f"conv_transpose{dims}d(): argument 'groups' must be int, not {type(groups).__name__}")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if weight.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but "
                           f"got weight of size [{list(weight.shape)}] instead")
    channels = input.shape[1 if input.ndim == dims + 2 else 0]
    if channels != weight.shape[0]:
        batched = list(input.shape if input.ndim == dims + 2 else (1, *input.shape))
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected input{batched} to "
                           f"have {weight.shape[0]} channels, but got {channels} channels instead")
    out_channels = weight.shape[1] * groups
    if bias is not None and (require_tensor(bias, f"conv_transpose{dims}d", "bias").ndim != 1
                             or bias.shape[0] != out_channels):
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected bias to be "
                           f"1-dimensional with {out_channels} elements, but got bias of size {list(bias.shape)} "
                           "instead")


def fold(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
         stride: Any = 1) -> Tensor:
    """Columns (N, C*kH*kW, L) or (C*kH*kW, L) of sliding windows added back
    into an image (N, C, H, W) of ``output_size`` (col2im, the inverse of
    ``unfold``'s layout): where windows overlap their elements add up, so
    ``fold(unfold(x))`` is ``x`` times the number of windows covering each
    position.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> cols = symgrad.tensor([[[1., 2.], [3., 4.]]], name="c")   # C*kH*kW = 1*1*2, L = 2 windows
    >>> F.fold(cols, (1, 3), (1, 2))
    tensor([[[[1., 5., 4.]]]])
    >>> F.fold(cols, (1, 3), (1, 2)).expr
    [[[[c[0, 0, 0], c[0, 0, 1] + c[0, 1, 0], c[0, 1, 1]]]]]
    """
    require_tensor(input, "fold")
    if input.ndim not in (2, 3) or any(s == 0 for s in input.shape[-2:]):
        raise RuntimeError(f"Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
                           f"non-zero dimensions for input, but got: {list(input.shape)}")
    sizes = (output_size,) * 2 if isinstance(output_size, int) else tuple(output_size)
    if len(sizes) != 2:
        raise RuntimeError(f"It is expected output_size equals to 2, but got size {len(sizes)} (fold builds 4-d "
                           "images: give (height, width))")
    out = as_tuple(sizes, 2, "col2im", "output_size")
    kernel, dilations, pads, strides = image_window_args(kernel_size, dilation, padding, stride, "col2im")
    batched = input.ndim == 3
    x = input if batched else input.unsqueeze(0)
    rows, length = x.shape[1], x.shape[2]
    if rows % math.prod(kernel):
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, but "
                           f"got input.size(1)={rows} and kernel_size={kernel}.")
    blocks = tuple(conv_size(o + 2 * p, k, s, d) for o, p, k, s, d in zip(out, pads, kernel, strides, dilations))
    if any(b <= 0 for b in blocks) or math.prod(blocks) != length:
        shown = tuple(max(b, 0) for b in blocks)
        raise RuntimeError(f"Given output_size={out}, kernel_size={kernel}, dilation={dilations}, padding={pads}, "
                           f"stride={strides}, expected size of input's dimension 2 to match the calculated number "
                           f"of sliding blocks {shown[0]} * {shown[1]} = {math.prod(shown)}, but got "
                           f"input.size(2)={length}.")
    cols = x.reshape(x.shape[0], rows // math.prod(kernel), *kernel, *blocks)
    y = _fold_cropped(cols, out, kernel, strides, pads, dilations, blocks)
    return y if batched else y.squeeze(0)
