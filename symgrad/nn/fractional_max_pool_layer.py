"""``nn.FractionalMaxPool2d`` and ``nn.FractionalMaxPool3d``:
``F.fractional_max_pool2d`` / ``3d`` with their arguments kept, checked when
the layer is made, as PyTorch's (its 3d layer also refuses a ``kernel_size``
that is not positive; its 2d layer leaves that to the function)."""

from __future__ import annotations

from typing import Any

from symgrad._tensor import Tensor
from symgrad.nn import functional as F  # noqa: N812 - PyTorch's convention
from symgrad.nn.fractional_max_pool import _ntuple
from symgrad.nn.module import Module

__all__ = ["FractionalMaxPool2d", "FractionalMaxPool3d"]


class _FractionalMaxPoolNd(Module):
    """The 2d and 3d layers: ``_dims`` spatial dims."""

    _dims = 2

    def __init__(self, kernel_size: Any, output_size: Any = None, output_ratio: Any = None,
                 return_indices: bool = False, _random_samples: Tensor | None = None) -> None:
        super().__init__()
        if self._dims == 3 and ((isinstance(kernel_size, int) and kernel_size <= 0) or (
                isinstance(kernel_size, (tuple, list)) and not all(k > 0 for k in kernel_size))):
            raise ValueError(f"kernel_size must be greater than 0, but got {kernel_size}; pass a window of at "
                             f"least one element along each dim")
        self.kernel_size = _ntuple(kernel_size, self._dims)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = _ntuple(output_size, self._dims) if output_size is not None else None
        self.output_ratio = _ntuple(output_ratio, self._dims) if output_ratio is not None else None
        if output_size is None and output_ratio is None:
            raise ValueError(f"{type(self).__name__} requires specifying either an output size, or a pooling ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < self.output_ratio[i] < 1 for i in range(self._dims)):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input: Tensor) -> Any:
        pool = F.fractional_max_pool3d if self._dims == 3 else F.fractional_max_pool2d
        return pool(input, self.kernel_size, self.output_size, self.output_ratio, self.return_indices,
                    _random_samples=self._random_samples)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """Fractional max pooling to ``output_size`` or ``output_ratio`` (in (0, 1))
    of the input's size, with ``kernel_size`` windows at pseudo-random steps
    (see ``F.fractional_max_pool2d``); ``_random_samples`` (N, C, 2), if given,
    is a buffer that fixes the windows.

    >>> import symgrad
    >>> from symgrad import nn
    >>> pool = nn.FractionalMaxPool2d(3, output_ratio=0.5)
    >>> pool
    FractionalMaxPool2d()
    >>> pool.output_ratio, pool(symgrad.ones(2, 3, 10, 12)).shape
    ((0.5, 0.5), symgrad.Size([2, 3, 5, 6]))
    >>> nn.FractionalMaxPool2d(2, output_ratio=1.5)
    Traceback (most recent call last):
    ...
    ValueError: output_ratio must be between 0 and 1 (got 1.5)
    """

    _dims = 2


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """Fractional max pooling of (N, C, T, H, W) or (C, T, H, W) to
    ``output_size`` or ``output_ratio`` (in (0, 1)) of the input's size, with
    ``kernel_size`` windows at pseudo-random steps (see
    ``F.fractional_max_pool3d``); ``_random_samples`` (N, C, 3), if given, is a
    buffer that fixes the windows.

    >>> import symgrad
    >>> from symgrad import nn
    >>> pool = nn.FractionalMaxPool3d(2, output_ratio=(0.5, 0.5, 0.75), return_indices=True)
    >>> pool
    FractionalMaxPool3d()
    >>> [t.shape for t in pool(symgrad.ones(2, 3, 6, 8, 8))]
    [symgrad.Size([2, 3, 3, 4, 6]), symgrad.Size([2, 3, 3, 4, 6])]
    >>> nn.FractionalMaxPool3d(0, output_size=2)
    Traceback (most recent call last):
    ...
    ValueError: kernel_size must be greater than 0, but got 0; pass a window of at least one element along each dim
    """

    _dims = 3
