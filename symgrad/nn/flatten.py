"""``Flatten``: merge a range of dimensions (by default all but the batch one)."""

from __future__ import annotations

from symgrad._tensor import Tensor
from symgrad.nn._checks import require_tensor
from symgrad.nn.module import Module

__all__ = ["Flatten"]


class Flatten(Module):
    """Merge dims ``start_dim..end_dim`` into one.

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.Flatten()(symgrad.zeros(2, 3, 4)).shape
    symgrad.Size([2, 12])
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        return require_tensor(input, "Flatten").flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
