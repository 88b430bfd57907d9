"""``Linear`` (``y = x @ W.T + b``), ``Identity`` and ``Bilinear`` (``y = x1 @ W @ x2 + b``)."""

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
from symgrad.nn.module import Module
from symgrad.nn.parameter import Parameter

__all__ = ["Linear", "Identity", "Bilinear"]


def register_weight_and_bias(module: Module, weight_shape: tuple[int, ...], bias: bool, device: Any,
                             dtype: Any) -> None:
    """Register an uninitialised ``weight`` of ``weight_shape`` and, with ``bias``,
    a ``bias`` of ``weight_shape[0]`` (else a None slot, as PyTorch), in
    ``dtype`` or the default dtype; ``reset_parameters`` fills them."""
    if device is not None:
        _device(device)
    d = _dt.get_default_dtype() if dtype is None else _dt.as_dtype(dtype)
    module.register_parameter("weight", Parameter(empty(*weight_shape, dtype=d)))
    module.register_parameter("bias", Parameter(empty(weight_shape[0], dtype=d)) if bias else None)


class Linear(Module):
    """``y = x @ weight.T + bias`` with ``weight`` of shape (out_features,
    in_features), initialised as PyTorch does: ``kaiming_uniform_(a=sqrt(5))``
    on the weight, the bias uniform in ``[-1/sqrt(in_features), 1/sqrt(in_features)]``.

    >>> import symgrad
    >>> from symgrad import nn
    >>> layer = nn.Linear(1, 1)
    >>> layer
    Linear(in_features=1, out_features=1, bias=True)
    >>> y = layer(symgrad.tensor([[2.]], name="x"))
    >>> y.grad_fn.name(), y.expr
    ('AddmmBackward0', [[bias[0] + weight[0, 0]*x[0, 0]]])
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.in_features = check_int(in_features, "Linear: in_features")
        self.out_features = check_int(out_features, "Linear: out_features")
        register_weight_and_bias(self, (out_features, in_features), bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw new initial values (PyTorch's scheme; see the class docstring)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Identity(Module):
    """Returns its input (a placeholder layer); accepts and ignores any arguments.

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.Identity()(symgrad.tensor([1., 2.]))
    tensor([1., 2.])
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Bilinear(Module):
    """``y = x1 @ weight @ x2 + bias`` for each output feature, with ``weight``
    of shape (out_features, in1_features, in2_features); weight and bias
    uniform in ``[-1/sqrt(in1_features), 1/sqrt(in1_features)]``, as PyTorch's.

    >>> import symgrad
    >>> from symgrad import nn
    >>> layer = nn.Bilinear(2, 3, 4)
    >>> layer
    Bilinear(in1_features=2, in2_features=3, out_features=4, bias=True)
    >>> layer(symgrad.ones(5, 2), symgrad.ones(5, 3)).shape
    symgrad.Size([5, 4])
    """

    def __init__(self, in1_features: int, in2_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.in1_features = check_int(in1_features, "Bilinear: in1_features")
        self.in2_features = check_int(in2_features, "Bilinear: in2_features")
        self.out_features = check_int(out_features, "Bilinear: out_features")
        register_weight_and_bias(self, (out_features, in1_features, in2_features), bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw new initial values, uniform in ``[-1/sqrt(in1_features), 1/sqrt(in1_features)]``."""
        bound = 1 / math.sqrt(self.in1_features) if self.in1_features > 0 else 0
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
