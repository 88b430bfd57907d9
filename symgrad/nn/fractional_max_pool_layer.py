"""``nn.FractionalMaxPool2d``: ``F.fractional_max_pool2d`` with its arguments kept,
checked when the layer is made, as PyTorch's."""

from __future__ import annotations

from typing import Any

from symgrad._tensor import Tensor
from symgrad.nn import functional as F  # noqa: N812 - PyTorch's convention
from symgrad.nn.module import Module

__all__ = ["FractionalMaxPool2d"]


class FractionalMaxPool2d(Module):
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

    def __init__(self, kernel_size: Any, output_size: Any = None, output_ratio: Any = None,
                 return_indices: bool = False, _random_samples: Tensor | None = None) -> None:
        super().__init__()
        self.kernel_size = _pair(kernel_size)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = _pair(output_size) if output_size is not None else None
        self.output_ratio = _pair(output_ratio) if output_ratio is not None else None
        if output_size is None and output_ratio is None:
            raise ValueError("FractionalMaxPool2d requires specifying either an output size, or a pooling ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not (0 < self.output_ratio[0] < 1 and 0 < self.output_ratio[1] < 1):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input: Tensor) -> Any:
        return F.fractional_max_pool2d(input, self.kernel_size, self.output_size, self.output_ratio,
                                       self.return_indices, _random_samples=self._random_samples)


def _pair(value: Any) -> Any:
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)
