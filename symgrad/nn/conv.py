"""``Conv1d``, ``Conv2d``, ``Conv3d`` (PyTorch's ``_ConvNd``: sizes, padding modes,
initialisation, repr) and ``Unfold``."""

from __future__ import annotations

import math
from typing import Any

from symgrad import dtypes as _dt
from symgrad._tensor import Tensor
from symgrad.creation import empty
from symgrad.device import device as _device
from symgrad.nn import functional as F  # noqa: N812 - PyTorch's convention
from symgrad.nn import init
from symgrad.nn._checks import check_int
from symgrad.nn.conv_functions import conv_padding
from symgrad.nn.module import Module
from symgrad.nn.parameter import Parameter
from symgrad.nn.windows import as_tuple

__all__ = ["Conv1d", "Conv2d", "Conv3d", "Unfold"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """What ``Conv1d`` and ``Conv2d`` share: checked sizes, the weight
    (out_channels, in_channels/groups, *kernel_size) and bias, PyTorch's
    initialisation, and padding by ``padding_mode`` before the convolution."""

    _dims = 0

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        name, n = type(self).__name__, self._dims
        self.in_channels = check_int(in_channels, f"{name}: in_channels")
        self.out_channels = check_int(out_channels, f"{name}: out_channels")
        if isinstance(groups, bool) or not isinstance(groups, int) or groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups:
            raise ValueError("out_channels must be divisible by groups")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {set(_PADDING_MODES)}, but got padding_mode='{padding_mode}'")
        self.kernel_size = as_tuple(kernel_size, n, name, "kernel_size")
        self.stride = as_tuple(stride, n, name, "stride")
        self.dilation = as_tuple(dilation, n, name, "dilation")
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
            self.padding: Any = padding
        else:
            self.padding = as_tuple(padding, n, name, "padding")
        self.output_padding = (0,) * n
        self.transposed = False
        self.groups = groups
        self.padding_mode = padding_mode
        # what F.pad takes for the non-zeros modes: (before, after) pairs from the last dim backwards
        pairs = conv_padding(self.padding, self.kernel_size, self.stride, self.dilation)
        self._reversed_padding_repeated_twice = [p for pair in reversed(pairs) for p in pair]
        if device is not None:
            _device(device)
        d = _dt.get_default_dtype() if dtype is None else _dt.as_dtype(dtype)
        self.weight = Parameter(empty(*self._weight_shape(), dtype=d))
        self.register_parameter("bias", Parameter(empty(out_channels, dtype=d)) if bias else None)
        self.reset_parameters()

    def _weight_shape(self) -> tuple[int, ...]:
        """(out_channels, in_channels/groups, *kernel_size); transposed layers swap the channels."""
        return (self.out_channels, self.in_channels // self.groups, *self.kernel_size)

    def reset_parameters(self) -> None:
        """PyTorch's: ``kaiming_uniform_(a=sqrt(5))`` on the weight, the bias uniform in
        ``[-1/sqrt(fan_in), 1/sqrt(fan_in)]``, fan_in = the weight's dim 1 * kernel elements
        (in_channels/groups; out_channels/groups for a transposed convolution)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * math.prod(self.kernel_size)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        conv = (F.conv1d, F.conv2d, F.conv3d)[self._dims - 1]
        if self.padding_mode == "zeros":
            return conv(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)
        padded = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
        return conv(padded, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * self._dims:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self._dims:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self._dims:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv1d(_ConvNd):
    """1-d convolution over (N, C, L) or (C, L) inputs (see ``F.conv1d``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> conv = nn.Conv1d(2, 4, 3, padding="same")
    >>> conv
    Conv1d(2, 4, kernel_size=(3,), stride=(1,), padding=same)
    >>> conv(symgrad.zeros(5, 2, 7)).shape
    symgrad.Size([5, 4, 7])
    """

    _dims = 1


class Conv2d(_ConvNd):
    """2-d convolution over (N, C, H, W) or (C, H, W) inputs (see ``F.conv2d``),
    with ``padding_mode`` ``"zeros"``, ``"reflect"``, ``"replicate"`` or
    ``"circular"``.  Each output's closed form is its window's weighted sum.

    >>> import symgrad
    >>> from symgrad import nn
    >>> conv = nn.Conv2d(1, 6, 5)
    >>> conv
    Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))
    >>> conv(symgrad.zeros(16, 1, 28, 28)).shape
    symgrad.Size([16, 6, 24, 24])
    >>> tiny = nn.Conv2d(1, 1, 2, bias=False)
    >>> tiny(symgrad.tensor([[[1., 2.], [3., 4.]]])).expr
    [[[weight[0, 0, 0, 0] + 2*weight[0, 0, 0, 1] + 3*weight[0, 0, 1, 0] + 4*weight[0, 0, 1, 1]]]]
    """

    _dims = 2


class Conv3d(_ConvNd):
    """3-d convolution over (N, C, D, H, W) or (C, D, H, W) inputs (see
    ``F.conv3d``), with the padding modes of ``Conv2d``.

    >>> import symgrad
    >>> from symgrad import nn
    >>> conv = nn.Conv3d(2, 4, (1, 3, 3), padding=(0, 1, 1))
    >>> conv
    Conv3d(2, 4, kernel_size=(1, 3, 3), stride=(1, 1, 1), padding=(0, 1, 1))
    >>> conv(symgrad.zeros(5, 2, 3, 6, 6)).shape
    symgrad.Size([5, 4, 3, 6, 6])
    """

    _dims = 3


class Unfold(Module):
    """The sliding windows of (N, C, H, W) inputs as columns (N, C*kH*kW, L) (see ``F.unfold``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.Unfold(2)
    Unfold(kernel_size=2, dilation=1, padding=0, stride=1)
    >>> nn.Unfold(2)(symgrad.zeros(1, 3, 4, 4)).shape
    symgrad.Size([1, 12, 9])
    """

    def __init__(self, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> None:
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input: Tensor) -> Tensor:
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, "
                f"stride={self.stride}")
