"""``LayerNorm``: normalisation over the last dims, with a learned scale and shift."""

from __future__ import annotations

from typing import Any

from symgrad import dtypes as _dt
from symgrad._tensor import Tensor
from symgrad.creation import empty
from symgrad.device import device as _device
from symgrad.nn import functional as F  # noqa: N812 - PyTorch's convention
from symgrad.nn import init
from symgrad.nn.module import Module
from symgrad.nn.parameter import Parameter

__all__ = ["LayerNorm"]


class LayerNorm(Module):
    """``(x - mean) / sqrt(var + eps) * weight + bias`` over the last dims
    ``normalized_shape`` (the biased variance); ``weight`` starts at ones and
    ``bias`` at zeros, as PyTorch's.

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.LayerNorm(2)
    LayerNorm((2,), eps=1e-05, elementwise_affine=True, bias=True)
    >>> nn.LayerNorm(2)(symgrad.tensor([[1., 3.]]))
    tensor([[-1.0000,  1.0000]], grad_fn=<AddBackward0>)
    """

    def __init__(self, normalized_shape: Any, eps: float = 1e-5, elementwise_affine: bool = True, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        if not all(isinstance(s, int) and not isinstance(s, bool) for s in shape):
            raise TypeError(f"LayerNorm: normalized_shape must be an int or a sequence of ints, got {normalized_shape!r}")
        if device is not None:
            _device(device)
        self.normalized_shape = shape
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        d = _dt.get_default_dtype() if dtype is None else _dt.as_dtype(dtype)
        # (a missing scale or shift is a parameter slot holding None, as PyTorch registers it)
        self.register_parameter("weight", Parameter(empty(*shape, dtype=d)) if elementwise_affine else None)
        self.register_parameter("bias", Parameter(empty(*shape, dtype=d)) if elementwise_affine and bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Scale ones, shift zeros."""
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")
