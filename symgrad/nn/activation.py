"""Activation layers: ``ReLU``, ``Tanh``, ``Sigmoid``, ``Softplus``,
``Softmax``, ``LogSoftmax``, ``LeakyReLU``, ``ELU``, ``GELU``, ``SiLU``, ``Hardtanh`` (each a thin module
over ``nn.functional``)."""

from __future__ import annotations

from symgrad._tensor import Tensor
from symgrad.nn import functional as F  # noqa: N812 - PyTorch's convention
from symgrad.nn.module import Module

__all__ = ["ReLU", "Tanh", "Sigmoid", "Softplus", "Softmax", "LogSoftmax", "LeakyReLU", "ELU", "GELU", "SiLU", "Hardtanh", "ReLU6"]


class ReLU(Module):
    """``max(0, x)`` elementwise.

    >>> import symgrad
    >>> from symgrad import nn
    >>> x = symgrad.tensor(1., requires_grad=True)
    >>> nn.ReLU()(x).expr
    Max(0, x)
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Tanh(Module):
    """Hyperbolic tangent elementwise.

    >>> import symgrad
    >>> from symgrad import nn
    >>> x = symgrad.tensor(1., requires_grad=True)
    >>> nn.Tanh()(x).expr
    tanh(x)
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.tanh(input)


class Sigmoid(Module):
    """``1 / (1 + exp(-x))`` elementwise.

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.Sigmoid()(symgrad.tensor([0.]))
    tensor([0.5000])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.sigmoid(input)


class Softplus(Module):
    """``log(1 + exp(beta*x)) / beta``, linear where ``beta*x > threshold``.

    >>> from symgrad import nn
    >>> nn.Softplus()
    Softplus(beta=1.0, threshold=20.0)
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input: Tensor) -> Tensor:
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Softmax(Module):
    """``exp(x) / sum(exp(x))`` along ``dim``.

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.Softmax(dim=0)(symgrad.tensor([0., 0.]))
    tensor([0.5000, 0.5000])
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """``x - log(sum(exp(x)))`` along ``dim``.

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.LogSoftmax(dim=1)(symgrad.tensor([[0., 0.]]))
    tensor([[-0.6931, -0.6931]])
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.log_softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LeakyReLU(Module):
    """``x`` where positive, else ``negative_slope * x``.

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.LeakyReLU(0.1)(symgrad.tensor([-1., 2.]))
    tensor([-0.1000,  2.0000])
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    """``x`` where positive, else ``alpha * (exp(x) - 1)``.

    >>> from symgrad import nn
    >>> nn.ELU()
    ELU(alpha=1.0)
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class GELU(Module):
    """``x * Phi(x)`` (``approximate="tanh"``: PyTorch's tanh approximation).

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.GELU(approximate="tanh")
    GELU(approximate='tanh')
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """``x * sigmoid(x)`` elementwise.

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.SiLU()(symgrad.tensor([0., 1.]))
    tensor([0.0000, 0.7311])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.silu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Hardtanh(Module):
    """``x`` clamped to ``[min_val, max_val]`` (derivative 0 at the bounds, as PyTorch's).

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.Hardtanh(-2, 2)(symgrad.tensor([-3., 1., 5.]))
    tensor([-2.,  1.,  2.])
    """

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        if not max_val > min_val:
            raise AssertionError(f"max_val ({max_val}) must be greater than min_val ({min_val})")
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}" + (", inplace=True" if self.inplace else "")


class ReLU6(Hardtanh):
    """``min(max(0, x), 6)`` elementwise: ``Hardtanh(0, 6)``, as PyTorch defines it
    (derivative 0 at both bounds).

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.ReLU6()(symgrad.tensor([-1., 3., 7.]))
    tensor([0., 3., 6.])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""
