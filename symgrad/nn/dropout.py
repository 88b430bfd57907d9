"""``Dropout``: random zeroing while training, the identity in eval mode."""

from __future__ import annotations

from symgrad._tensor import Tensor
from symgrad.nn import functional as F  # noqa: N812 - PyTorch's convention
from symgrad.nn.module import Module

__all__ = ["Dropout"]


class Dropout(Module):
    """Zero each element with probability ``p`` and scale the rest by
    ``1/(1-p)`` in training mode; pass the input through in eval mode.

    Symbolically the mask is a constant drawn when the layer runs: the output's
    closed form is ``0`` for a dropped element and ``x/(1-p)`` for a kept one
    (see ``symgrad.nn.functional.dropout``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> layer = nn.Dropout(p=0.5)
    >>> layer
    Dropout(p=0.5, inplace=False)
    >>> x = symgrad.tensor([1., 2.], requires_grad=True)
    >>> layer.eval()(x) is x
    True
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
