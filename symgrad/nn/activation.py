"""Activation layers: ``ReLU``, ``Tanh``, ``Sigmoid``, ``Softplus``,
``Softmax``, ``LogSoftmax``, ``LeakyReLU``, ``ELU``, ``GELU``, ``SiLU``, ``Hardtanh``, ``ReLU6``,
``SELU``, ``CELU``, ``Mish``, ``Softsign``, ``Hardswish``, ``Hardsigmoid``, ``LogSigmoid``,
``Tanhshrink``, ``Softshrink``, ``Hardshrink``, ``Threshold``, ``GLU``, ``Softmin``, ``PReLU``
(a learned slope), ``RReLU`` (each a thin module over ``nn.functional``)."""

from __future__ import annotations

from typing import Any

from symgrad import dtypes as _dt
from symgrad._tensor import Tensor
from symgrad.creation import empty
from symgrad.device import device as _device
from symgrad.nn import functional as F  # noqa: N812 - PyTorch's convention
from symgrad.nn import init as nn_init
from symgrad.nn._checks import check_int
from symgrad.nn.module import Module
from symgrad.nn.parameter import Parameter

__all__ = ["ReLU", "Tanh", "Sigmoid", "Softplus", "Softmax", "LogSoftmax", "LeakyReLU", "ELU", "GELU", "SiLU", "Hardtanh", "ReLU6",
           "SELU", "CELU", "Mish", "Softsign", "Hardswish", "Hardsigmoid", "LogSigmoid", "Tanhshrink", "Softshrink",
           "Hardshrink", "Threshold", "GLU", "Softmin", "PReLU", "RReLU"]


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


# ---------------------------------------------------------------- more activations (nn.functional's, as modules)

def _inplace_suffix(inplace: bool, first: bool = False) -> str:
    """PyTorch's extra_repr text for ``inplace=True`` (nothing when False)."""
    if not inplace:
        return ""
    return "inplace=True" if first else ", inplace=True"


class SELU(Module):
    """``scale * x`` where positive, else ``scale * alpha * (exp(x) - 1)`` (PyTorch's constants).

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.SELU()(symgrad.tensor([-1., 2.]))
    tensor([-1.1113,  2.1014])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.selu(input, self.inplace)

    def extra_repr(self) -> str:
        return _inplace_suffix(self.inplace, first=True)


class CELU(Module):
    """``x`` where positive, else ``alpha * (exp(x / alpha) - 1)``.

    >>> from symgrad import nn
    >>> nn.CELU(2.0)
    CELU(alpha=2.0)
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.celu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + _inplace_suffix(self.inplace)


class Mish(Module):
    """``x * tanh(softplus(x))`` elementwise.

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.Mish()(symgrad.tensor([0., 1.]))
    tensor([0.0000, 0.8651])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.mish(input, self.inplace)

    def extra_repr(self) -> str:
        return _inplace_suffix(self.inplace, first=True)


class Softsign(Module):
    """``x / (1 + |x|)`` elementwise.

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.Softsign()(symgrad.tensor([-3., 1.]))
    tensor([-0.7500,  0.5000])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.softsign(input)


class Hardswish(Module):
    """``x * relu6(x + 3) / 6`` elementwise (PyTorch's derivatives at -3 and 3).

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.Hardswish()(symgrad.tensor([-4., 1., 4.]))
    tensor([-0.0000, 0.6667, 4.0000])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace  # (not shown in the repr, as PyTorch's)

    def forward(self, input: Tensor) -> Tensor:
        return F.hardswish(input, self.inplace)


class Hardsigmoid(Module):
    """``relu6(x + 3) / 6`` elementwise (derivative 0 at -3 and 3).

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.Hardsigmoid()(symgrad.tensor([-4., 0., 4.]))
    tensor([0.0000, 0.5000, 1.0000])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace  # (not shown in the repr, as PyTorch's)

    def forward(self, input: Tensor) -> Tensor:
        return F.hardsigmoid(input, self.inplace)


class LogSigmoid(Module):
    """``log(sigmoid(x))`` elementwise, computed stably.

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.LogSigmoid()(symgrad.tensor([0.]))
    tensor([-0.6931])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.logsigmoid(input)


class Tanhshrink(Module):
    """``x - tanh(x)`` elementwise.

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.Tanhshrink()(symgrad.tensor([0., 1.]))
    tensor([0.0000, 0.2384])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.tanhshrink(input)


class Softshrink(Module):
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, else 0.

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.Softshrink(1.)(symgrad.tensor([-2., 0.5, 3.]))
    tensor([-1.,  0.,  2.])
    """

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:
        return F.softshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return str(self.lambd)


class Hardshrink(Softshrink):
    """``x`` where ``|x| > lambd``, else 0.

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.Hardshrink(1.)(symgrad.tensor([-2., 0.5, 3.]))
    tensor([-2.,  0.,  3.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.hardshrink(input, self.lambd)


class Threshold(Module):
    """``x`` where ``x > threshold``, else ``value``.

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.Threshold(0.1, 20.)(symgrad.tensor([0., 1.]))
    tensor([20.,  1.])
    """

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}" + _inplace_suffix(self.inplace)


class GLU(Module):
    """The gated linear unit ``a * sigmoid(b)`` of the two halves of the input along ``dim``.

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.GLU()(symgrad.tensor([[1., 0.]]))
    tensor([[0.5000]])
    """

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmin(Softmax):
    """``softmax(-x)`` along ``dim``.

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.Softmin(dim=0)(symgrad.tensor([0., 0.]))
    tensor([0.5000, 0.5000])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.softmin(input, self.dim, _stacklevel=4)


class PReLU(Module):
    """``x`` where positive, else ``weight * x``, with a learned slope: one
    shared (``num_parameters=1``) or one per channel (dim 1 of the input),
    each starting at ``init`` (0.25), in the default dtype.

    >>> import symgrad
    >>> from symgrad import nn
    >>> act = nn.PReLU()
    >>> act, act.weight
    (PReLU(num_parameters=1), Parameter containing:
    tensor([0.2500], requires_grad=True))
    >>> act(symgrad.tensor([-2., 3.], name="x")).expr
    [Piecewise((x[0], x[0] > 0), (weight[0]*x[0], True)), Piecewise((x[1], x[1] > 0), (weight[0]*x[1], True))]
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.num_parameters = check_int(num_parameters, "PReLU: num_parameters", minimum=1)
        if device is not None:
            _device(device)
        self.init = init
        d = _dt.get_default_dtype() if dtype is None else _dt.as_dtype(dtype)
        self.weight = Parameter(empty(num_parameters, dtype=d))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every slope back to ``init``."""
        nn_init.constant_(self.weight, self.init)

    def forward(self, input: Tensor) -> Tensor:
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class RReLU(Module):
    """Randomized leaky ReLU: in training, a slope drawn uniformly from
    ``[lower, upper]`` for each negative element (symgrad's generator, a
    constant in the closed form); in evaluation, the mean slope.

    >>> import symgrad
    >>> from symgrad import nn
    >>> act = nn.RReLU(0.1, 0.3)
    >>> act
    RReLU(lower=0.1, upper=0.3)
    >>> act.eval()(symgrad.tensor([-1., 2.]))
    tensor([-0.2000,  2.0000])
    """

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False) -> None:
        super().__init__()
        self.lower = lower
        self.upper = upper
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}" + _inplace_suffix(self.inplace)
