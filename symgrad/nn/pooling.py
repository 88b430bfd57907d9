"""Pooling layers: ``MaxPool1d/2d/3d``, ``AvgPool1d/2d/3d``, ``AdaptiveAvgPool1d/2d/3d``,
``AdaptiveMaxPool1d/2d/3d``, ``MaxUnpool1d/2d/3d``, ``LPPool1d/2d/3d``
(the functions of ``pool_functions`` with their arguments kept, and
PyTorch's reprs)."""

from __future__ import annotations

from typing import Any

from symgrad._tensor import Tensor
from symgrad.nn import functional as F  # noqa: N812 - PyTorch's convention
from symgrad.nn.module import Module

__all__ = ["MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d", "AdaptiveAvgPool1d",
           "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d",
           "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d", "LPPool1d", "LPPool2d", "LPPool3d"]


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
        pool = (F.max_pool1d, F.max_pool2d, F.max_pool3d)[self._dims - 1]
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


class MaxPool3d(_MaxPoolNd):
    """The largest element of each window of the last three dims (see ``F.max_pool3d``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.MaxPool3d(2)
    MaxPool3d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    >>> nn.MaxPool3d((1, 2, 2))(symgrad.zeros(2, 3, 4, 6, 6)).shape
    symgrad.Size([2, 3, 4, 3, 3])
    """

    _dims = 3


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


class _AvgPoolNd(Module):
    _dims = 0

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input: Tensor) -> Tensor:
        pool = F.avg_pool2d if self._dims == 2 else F.avg_pool3d
        return pool(input, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad,
                    self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(_AvgPoolNd):
    """The mean of each window of the last two dims (see ``F.avg_pool2d``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.AvgPool2d(2)
    AvgPool2d(kernel_size=2, stride=2, padding=0)
    >>> nn.AvgPool2d(2)(symgrad.tensor([[[1., 2.], [4., 3.]]]))
    tensor([[[2.5000]]])
    """

    _dims = 2


class AvgPool3d(_AvgPoolNd):
    """The mean of each window of the last three dims (see ``F.avg_pool3d``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.AvgPool3d(2, stride=(1, 2, 1))
    AvgPool3d(kernel_size=2, stride=(1, 2, 1), padding=0)
    >>> nn.AvgPool3d(2)(symgrad.ones(1, 2, 2, 2))
    tensor([[[[1.]]]])
    """

    _dims = 3


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


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    """Average pooling to ``output_size`` (D, H, W) (see ``F.adaptive_avg_pool3d``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.AdaptiveAvgPool3d((2, None, 3))
    AdaptiveAvgPool3d(output_size=(2, None, 3))
    >>> nn.AdaptiveAvgPool3d(1)(symgrad.ones(2, 3, 4, 4, 4)).shape
    symgrad.Size([2, 3, 1, 1, 1])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool3d(input, self.output_size)


class _AdaptiveMaxPoolNd(Module):
    _dims = 0

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, input: Tensor) -> Any:
        pool = (F.adaptive_max_pool1d, F.adaptive_max_pool2d, F.adaptive_max_pool3d)[self._dims - 1]
        return pool(input, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """Max pooling to ``output_size`` windows (see ``F.adaptive_max_pool1d``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.AdaptiveMaxPool1d(1)(symgrad.tensor([[1., 6., 2.]]))
    tensor([[6.]])
    """

    _dims = 1


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """Max pooling to ``output_size`` (see ``F.adaptive_max_pool2d``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.AdaptiveMaxPool2d((5, 7))
    AdaptiveMaxPool2d(output_size=(5, 7))
    >>> nn.AdaptiveMaxPool2d(1)(symgrad.ones(2, 3, 4, 4)).shape
    symgrad.Size([2, 3, 1, 1])
    """

    _dims = 2


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """Max pooling to ``output_size`` (D, H, W) (see ``F.adaptive_max_pool3d``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.AdaptiveMaxPool3d(2)
    AdaptiveMaxPool3d(output_size=2)
    >>> nn.AdaptiveMaxPool3d((1, 2, 2))(symgrad.ones(3, 4, 5, 5)).shape
    symgrad.Size([3, 1, 2, 2])
    """

    _dims = 3


class _MaxUnpoolNd(Module):
    _dims = 0

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        # (PyTorch keeps the sizes as tuples of the layer's dims: its repr shows them so)
        self.kernel_size = _ntuple(kernel_size, self._dims)
        self.stride = _ntuple(stride if stride is not None else kernel_size, self._dims)
        self.padding = _ntuple(padding, self._dims)

    def forward(self, input: Tensor, indices: Tensor, output_size: Any = None) -> Tensor:
        unpool = (F.max_unpool1d, F.max_unpool2d, F.max_unpool3d)[self._dims - 1]
        return unpool(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


def _ntuple(value: Any, n: int) -> Any:
    """PyTorch's ``_single``/``_pair``/``_triple``: an int repeated ``n`` times, a sequence as a tuple."""
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * n


class MaxUnpool1d(_MaxUnpoolNd):
    """Values put back at their indices along the last dim, zeros elsewhere
    (see ``F.max_unpool1d``); ``forward(input, indices, output_size=None)``.

    >>> import symgrad
    >>> from symgrad import nn
    >>> pool, unpool = nn.MaxPool1d(2, return_indices=True), nn.MaxUnpool1d(2)
    >>> unpool
    MaxUnpool1d(kernel_size=(2,), stride=(2,), padding=(0,))
    >>> unpool(*pool(symgrad.tensor([[1., 3., 2., 5.]])))
    tensor([[0., 3., 0., 5.]])
    """

    _dims = 1


class MaxUnpool2d(_MaxUnpoolNd):
    """Values put back at their flat indices in the last two dims, zeros
    elsewhere (see ``F.max_unpool2d``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.MaxUnpool2d(2, stride=1)
    MaxUnpool2d(kernel_size=(2, 2), stride=(1, 1), padding=(0, 0))
    >>> pool, unpool = nn.MaxPool2d(2, return_indices=True), nn.MaxUnpool2d(2)
    >>> y, where = pool(symgrad.ones(1, 3, 5, 5))
    >>> unpool(y, where, output_size=(1, 3, 5, 5)).shape
    symgrad.Size([1, 3, 5, 5])
    """

    _dims = 2


class MaxUnpool3d(_MaxUnpoolNd):
    """Values put back at their flat indices in the last three dims, zeros
    elsewhere (see ``F.max_unpool3d``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.MaxUnpool3d((1, 2, 2), padding=1)
    MaxUnpool3d(kernel_size=(1, 2, 2), stride=(1, 2, 2), padding=(1, 1, 1))
    >>> pool, unpool = nn.MaxPool3d(2, return_indices=True), nn.MaxUnpool3d(2)
    >>> unpool(*pool(symgrad.ones(2, 4, 4, 4))).shape
    symgrad.Size([2, 4, 4, 4])
    """

    _dims = 3


class _LPPoolNd(Module):
    _dims = 0

    def __init__(self, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False) -> None:
        super().__init__()
        self.norm_type, self.kernel_size, self.stride, self.ceil_mode = norm_type, kernel_size, stride, ceil_mode

    def forward(self, input: Tensor) -> Tensor:
        pool = (F.lp_pool1d, F.lp_pool2d, F.lp_pool3d)[self._dims - 1]
        return pool(input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode)

    def extra_repr(self) -> str:
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPoolNd):
    """Power-average pooling along the last dim (see ``F.lp_pool1d``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.LPPool1d(2, 3)
    LPPool1d(norm_type=2, kernel_size=3, stride=None, ceil_mode=False)
    >>> nn.LPPool1d(2, 2)(symgrad.tensor([[3., 4., 1., 0.]]))
    tensor([[5., 1.]])
    """

    _dims = 1


class LPPool2d(_LPPoolNd):
    """Power-average pooling of the last two dims (see ``F.lp_pool2d``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.LPPool2d(1.5, (2, 3), stride=1, ceil_mode=True)
    LPPool2d(norm_type=1.5, kernel_size=(2, 3), stride=1, ceil_mode=True)
    """

    _dims = 2


class LPPool3d(_LPPoolNd):
    """Power-average pooling of the last three dims (see ``F.lp_pool3d``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.LPPool3d(2, 2)(symgrad.ones(2, 3, 4, 4, 4)).shape
    symgrad.Size([2, 3, 2, 2, 2])
    """

    _dims = 3
