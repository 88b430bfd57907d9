"""``ConvTranspose1d``, ``ConvTranspose2d``, ``ConvTranspose3d`` (PyTorch's ``_ConvTransposeNd``:
the weight (in_channels, out_channels/groups, *kernel_size), ``output_size``
at call time) and ``Fold``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from symgrad._tensor import Tensor
from symgrad.nn import functional as F  # noqa: N812 - PyTorch's convention
from symgrad.nn._checks import require_tensor
from symgrad.nn.conv import _ConvNd
from symgrad.nn.module import Module
from symgrad.nn.transposed_conv import transposed_size
from symgrad.nn.windows import as_tuple

__all__ = ["ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d", "Fold"]


class _ConvTransposeNd(_ConvNd):
    """What ``ConvTranspose1d``, ``ConvTranspose2d`` and ``ConvTranspose3d`` share: zero padding
    only, ``output_padding``, the swapped weight, and ``output_size``."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True, dilation: Any = 1,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        name = type(self).__name__
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {name}')
        if isinstance(padding, str):
            raise ValueError(f"{name}: padding must be an int or a tuple of ints, got {padding!r} (transposed "
                             "convolutions take no 'same'/'valid' padding: give the sizes cut off each side)")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode,
                         device, dtype)
        self.output_padding = as_tuple(output_padding, self._dims, name, "output_padding")
        self.transposed = True

    def _weight_shape(self) -> tuple[int, ...]:
        return (self.in_channels, self.out_channels // self.groups, *self.kernel_size)

    def _output_padding(self, input: Tensor, output_size: Sequence[int] | None) -> tuple[int, ...]:
        """``output_padding``, or what gives ``output_size`` (PyTorch's checks and messages)."""
        if output_size is None:
            return self.output_padding
        n = self._dims
        leading = 2 if input.ndim == n + 2 else 1
        sizes = list(output_size)
        if len(sizes) == leading + n:
            sizes = sizes[leading:]
        if len(sizes) != n:
            raise ValueError(f"ConvTranspose{n}D: for {input.ndim}D input, output_size must have {n} or {leading + n} "
                             f"elements (got {len(sizes)})")
        spatial = tuple(input.shape[leading:])
        smallest = [transposed_size(*a, 0, d) for a, d in
                    zip(zip(spatial, self.kernel_size, self.stride, self.padding), self.dilation)]
        largest = [m + s - 1 for m, s in zip(smallest, self.stride)]
        if any(not lo <= size <= hi for size, lo, hi in zip(sizes, smallest, largest)):
            raise ValueError(f"requested an output size of {output_size}, but valid sizes range from {smallest} to "
                             f"{largest} (for an input of symgrad.Size({list(spatial)}))")
        return tuple(size - lo for size, lo in zip(sizes, smallest))

    def forward(self, input: Tensor, output_size: Sequence[int] | None = None) -> Tensor:
        require_tensor(input, type(self).__name__)
        conv = (F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d)[self._dims - 1]
        return conv(input, self.weight, self.bias, self.stride, self.padding, self._output_padding(input, output_size),
                    self.groups, self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """1-d transposed convolution over (N, C, L) or (C, L) inputs (see
    ``F.conv_transpose1d``); ``forward(input, output_size=None)`` can ask for
    one of the output sizes a strided layer allows.

    >>> import symgrad
    >>> from symgrad import nn
    >>> up = nn.ConvTranspose1d(2, 4, 3, stride=2)
    >>> up
    ConvTranspose1d(2, 4, kernel_size=(3,), stride=(2,))
    >>> up(symgrad.zeros(5, 2, 7)).shape
    symgrad.Size([5, 4, 15])
    >>> up(symgrad.zeros(5, 2, 7), output_size=[16]).shape
    symgrad.Size([5, 4, 16])
    """

    _dims = 1


class ConvTranspose2d(_ConvTransposeNd):
    """2-d transposed convolution over (N, C, H, W) or (C, H, W) inputs (see
    ``F.conv_transpose2d``): the weight is (in_channels,
    out_channels/groups, kH, kW), initialised as PyTorch's.

    >>> import symgrad
    >>> from symgrad import nn
    >>> up = nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1)
    >>> up
    ConvTranspose2d(16, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1))
    >>> up(symgrad.zeros(1, 16, 12, 12)).shape
    symgrad.Size([1, 8, 24, 24])
    >>> tiny = nn.ConvTranspose2d(1, 1, 2, bias=False)
    >>> tiny(symgrad.tensor([[[3.]]])).expr
    [[[3*weight[0, 0, 0, 0], 3*weight[0, 0, 0, 1]], [3*weight[0, 0, 1, 0], 3*weight[0, 0, 1, 1]]]]
    """

    _dims = 2


class ConvTranspose3d(_ConvTransposeNd):
    """3-d transposed convolution over (N, C, D, H, W) or (C, D, H, W) inputs
    (see ``F.conv_transpose3d``): the weight is (in_channels,
    out_channels/groups, kD, kH, kW), initialised as PyTorch's.

    >>> import symgrad
    >>> from symgrad import nn
    >>> up = nn.ConvTranspose3d(4, 2, (1, 3, 3), stride=2, padding=(0, 1, 1), output_padding=(0, 1, 1))
    >>> up
    ConvTranspose3d(4, 2, kernel_size=(1, 3, 3), stride=(2, 2, 2), padding=(0, 1, 1), output_padding=(0, 1, 1))
    >>> up(symgrad.zeros(1, 4, 3, 5, 5)).shape
    symgrad.Size([1, 2, 5, 10, 10])
    """

    _dims = 3


class Fold(Module):
    """Columns of sliding windows (N, C*kH*kW, L) added back into images
    (N, C, H, W) of ``output_size`` (see ``F.fold``; the inverse layout of
    ``Unfold``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> fold = nn.Fold(output_size=(4, 5), kernel_size=(2, 2))
    >>> fold
    Fold(output_size=(4, 5), kernel_size=(2, 2), dilation=1, padding=0, stride=1)
    >>> fold(symgrad.ones(1, 3 * 2 * 2, 12)).shape
    symgrad.Size([1, 3, 4, 5])
    """

    def __init__(self, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
                 stride: Any = 1) -> None:
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input: Tensor) -> Tensor:
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")
