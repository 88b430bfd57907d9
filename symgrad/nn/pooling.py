"""Pooling layers: ``MaxPool1d/2d``, ``AvgPool1d/2d``, ``AdaptiveAvgPool1d/2d``
(the functions of ``pool_functions`` with their arguments kept, and
PyTorch's reprs)."""

from __future__ import annotations

from typing import Any

from symgrad._tensor import Tensor
from symgrad.nn import functional as F  # noqa: N812 - PyTorch's convention
from symgrad.nn.module import Module

__all__ = ["MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d"]


class _MaxPoolNd(Module):
    _dims = 0

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input: Tensor) -> Any:
        pool = F.max_pool1d if self._dims == 1 else F.max_pool2d
        return pool(input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                    self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """The largest element of each window along the last dim (see ``F.max_pool1d``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.MaxPool1d(2)(symgrad.tensor([[1., 3., 2., 5.]]))
    tensor([[3., 5.]])
    """

    _dims = 1


class MaxPool2d(_MaxPoolNd):
    """The largest element of each window of the last two dims (see ``F.max_pool2d``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.MaxPool2d(2)
    MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    >>> nn.MaxPool2d(2)(symgrad.zeros(16, 6, 24, 24)).shape
    symgrad.Size([16, 6, 12, 12])
    """

    _dims = 2


class AvgPool1d(Module):
    """The mean of each window along the last dim (see ``F.avg_pool1d``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.AvgPool1d(2)
    AvgPool1d(kernel_size=(2,), stride=(2,), padding=(0,))
    """

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True) -> None:
        super().__init__()
        # (PyTorch keeps 1-d sizes as 1-tuples: its repr shows them so)
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


def _single(value: Any) -> Any:
    return value if isinstance(value, tuple) else tuple(value) if isinstance(value, list) else (value,)


class AvgPool2d(Module):
    """The mean of each window of the last two dims (see ``F.avg_pool2d``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.AvgPool2d(2)
    AvgPool2d(kernel_size=2, stride=2, padding=0)
    >>> nn.AvgPool2d(2)(symgrad.tensor([[[1., 2.], [4., 3.]]]))
    tensor([[[2.5000]]])
    """

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AdaptiveAvgPoolNd(Module):
    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """Average pooling to ``output_size`` windows (see ``F.adaptive_avg_pool1d``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.AdaptiveAvgPool1d(1)(symgrad.tensor([[1., 2., 6.]]))
    tensor([[3.]])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool1d(input, self.output_size)


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """Average pooling to ``output_size`` (see ``F.adaptive_avg_pool2d``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.AdaptiveAvgPool2d((5, 5))
    AdaptiveAvgPool2d(output_size=(5, 5))
    >>> nn.AdaptiveAvgPool2d(1)(symgrad.ones(2, 3, 4, 4)).shape
    symgrad.Size([2, 3, 1, 1])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool2d(input, self.output_size)
