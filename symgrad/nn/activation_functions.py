"""More activations of ``torch.nn.functional`` (``selu``, ``celu``, ``mish``,
``softsign``, ``hardswish``, ``hardsigmoid``, ``logsigmoid``, ``prelu``,
``rrelu``, ``threshold``, ``tanhshrink``, ``softshrink``, ``hardshrink``,
``glu``, ``softmin``), each composed of symgrad ops so that it has a closed
form, gradients and generated code (``mish`` and ``hardswish`` are one op
each, whose rule is PyTorch's: an infinite incoming gradient is multiplied
once by the whole derivative, docs/pytorch.md).

Piecewise functions are written as nested ``where``s whose conditions are
PyTorch's, so the derivative at a kink or threshold is PyTorch's too
(``where`` sends the gradient only to the branch taken).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

import symgrad.ops as ops
from symgrad._tensor import Tensor
from symgrad.dispatch import apply
from symgrad.nn._checks import require_floating, require_tensor
from symgrad.ops import unary
from symgrad.ops.registry import composed

__all__ = ["selu", "celu", "mish", "softsign", "hardswish", "hardsigmoid", "logsigmoid", "prelu", "rrelu",
           "threshold", "tanhshrink", "softshrink", "hardshrink", "glu", "softmin"]

# PyTorch's constants (torch/nn/modules/activation.py, the SELU paper)
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _result(input: Tensor, out: Tensor, inplace: bool) -> Tensor:
    """``out``, or ``out`` written into ``input`` for the ``inplace=True`` variants."""
    return input.copy_(out) if inplace else out


def expm1_of_negatives(x: Tensor, positive: Tensor) -> Tensor:
    """``expm1(x)`` where ``x`` is not ``positive``, 0 elsewhere: the negative
    branch of elu-like functions.  ``expm1`` of the positive inputs is never
    used, but would overflow (above 88 in float32) and its gradient, 0 * inf,
    would be nan; the closed form settles the inner ``where`` (``exp(x) - 1``)."""
    return ops.expm1(ops.where(positive, 0.0, x))


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """``scale * x`` where ``x > 0``, else ``scale * alpha * (exp(x) - 1)``,
    with PyTorch's constants (``alpha = 1.6733``, ``scale = 1.0507``).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.selu(symgrad.tensor([-1., 0., 2.]))
    tensor([-1.1113,  0.0000,  2.1014])
    """
    x = require_floating(input, "selu", "elu_cpu")
    positive = x > 0
    out = ops.where(positive, x * SELU_SCALE, expm1_of_negatives(x, positive) * (SELU_SCALE * SELU_ALPHA))
    return _result(input, composed(out, "EluBackward0", x), inplace)  # (PyTorch's selu is an elu)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``x`` where ``x > 0``, else ``alpha * (exp(x / alpha) - 1)``.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor(-1., requires_grad=True)
    >>> F.celu(x, 2.).expr
    Piecewise((x, x > 0), (2*exp(0.5*x) - 2, True))
    """
    x = require_floating(input, "celu", "elu_cpu")
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU (it divides the input); use a nonzero "
                           "alpha, or relu for the limit alpha -> 0")
    positive = x > 0
    negative = expm1_of_negatives(x if alpha == 1 else x * (1.0 / alpha), positive)
    out = ops.where(positive, x, negative if alpha == 1 else negative * alpha)
    return _result(input, composed(out, "CeluBackward0", x), inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * tanh(softplus(x))`` (softplus without PyTorch's linear cut-off, as mish computes it).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor(1., requires_grad=True)
    >>> F.mish(x).expr
    x*tanh(log(exp(x) + 1))
    """
    x = require_floating(input, "mish", "mish_cpu")
    return _result(input, apply(unary.MISH, x), inplace)  # (one op: PyTorch's rule, g times the whole derivative)


def softsign(input: Tensor) -> Tensor:
    """``x / (1 + |x|)``; integers give floating results, as in PyTorch.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor(1., requires_grad=True)
    >>> F.softsign(x).expr
    x/(Abs(x) + 1)
    """
    x = require_tensor(input, "softsign")
    return x / (x.abs() + 1)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """``0`` for ``x <= -3``, ``x`` for ``x >= 3``, ``x * (x + 3) / 6`` in
    between; the derivative is PyTorch's at the kinks (0 at -3, 1 at 3).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.hardswish(symgrad.tensor([-4., 1., 4.]))
    tensor([-0.0000, 0.6667, 4.0000])
    """
    x = require_floating(input, "hardswish", "hardswish_cpu")
    return _result(input, apply(unary.HARDSWISH, x), inplace)  # (one op: PyTorch's rule)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """``0`` for ``x <= -3``, ``1`` for ``x >= 3``, ``x / 6 + 1/2`` in between
    (derivative 0 at -3 and 3, as PyTorch's).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.hardsigmoid(symgrad.tensor([-4., 0., 1.5, 4.]))
    tensor([0.0000, 0.5000, 0.7500, 1.0000])
    """
    x = require_floating(input, "hardsigmoid", "hardsigmoid_cpu")
    out = ops.where(x <= -3, 0.0, ops.where(x >= 3, 1.0, x / 6 + 0.5))
    return _result(input, composed(out, "HardsigmoidBackward0", x), inplace)


def logsigmoid(input: Tensor) -> Tensor:
    """``log(sigmoid(x)) = -log(1 + exp(-x))``, computed stably (``-softplus(-x)``).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor(0., requires_grad=True)
    >>> F.logsigmoid(x).expr
    -log(1 + exp(-x))
    """
    x = require_floating(input, "logsigmoid", "log_sigmoid_cpu")
    out = -ops.softplus(-x, 1.0, math.inf)  # threshold=inf: no linear cut-off in PyTorch's log_sigmoid
    return composed(out, "LogSigmoidBackward0", x)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``x`` where ``x > threshold``, else ``value`` (an integer input keeps its
    dtype, ``value`` truncated to it, as in PyTorch).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.threshold(symgrad.tensor([0.5, 2.]), 1., 20.)
    tensor([20.,  2.])
    """
    x = require_tensor(input, "threshold")
    fill = value if x.is_floating_point() else int(value)
    out = ops.where(x > threshold, x, fill)
    return _result(input, out if out.dtype == x.dtype else out.to(x.dtype), inplace)


def tanhshrink(input: Tensor) -> Tensor:
    """``x - tanh(x)``.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor(1., requires_grad=True)
    >>> F.tanhshrink(x).expr
    x - tanh(x)
    """
    x = require_tensor(input, "tanhshrink")
    return x - ops.tanh(x)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x - lambd`` where ``x > lambd``, ``x + lambd`` where ``x < -lambd``,
    else 0 (derivative 0 at +-lambd, as PyTorch's).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.softshrink(symgrad.tensor([-2., 0.2, 1.]))
    tensor([-1.5000,  0.0000,  0.5000])
    """
    x = require_floating(input, "softshrink", "softshrink_check")
    if not lambd >= 0:
        raise RuntimeError(f"lambda must be in range [0, inf) for softshrink, but found to be {lambd}; "
                           "pass a non-negative lambd")
    # (0 inside the band, -0.0 for negative x and nan for nan, as PyTorch's x * 0, which passes no gradient:
    # PyTorch's softshrink_backward selects 0 there, where g * 0 would be nan for an infinite g)
    return ops.where(x > lambd, x - lambd, ops.where(x < -lambd, x + lambd, x.detach() * 0.0))


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x`` where ``|x| > lambd``, else 0 (derivative 0 at +-lambd, as PyTorch's).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor(1., requires_grad=True)
    >>> F.hardshrink(x).expr
    Piecewise((x, Abs(x) > 0.5), (0, True))
    """
    x = require_floating(input, "hardshrink", "hardshrink_cpu")
    return ops.where(x.abs() > lambd, x, 0.0)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """The gated linear unit: ``a * sigmoid(b)``, with ``a`` and ``b`` the two
    halves of ``input`` along ``dim``.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor([1., 2.], requires_grad=True)
    >>> F.glu(x).expr
    [x[0]/(1 + exp(-x[1]))]
    """
    x = require_tensor(input, "glu")
    if x.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even; give the input a "
                           "dimension of even size")
    size = x.shape[dim]
    if size % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim % x.ndim} is size {size}")
    a, b = x.narrow(dim, 0, size // 2), x.narrow(dim, size // 2, size // 2)  # (chunk gives one chunk of size 0)
    return a * ops.sigmoid(b)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """``softmax(-x)`` along ``dim`` (PyTorch's implicit choice, with its warning, when ``dim`` is not given).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.softmin(symgrad.tensor([0., 0.]), dim=0)
    tensor([0.5000, 0.5000])
    """
    x = require_tensor(input, "softmin")
    if dim is None:
        dim = 0 if x.ndim in (0, 1, 3) else 1
        warnings.warn(f"Implicit dimension choice for softmin has been deprecated. Change the call to include "
                      f"dim={dim} as an argument.", UserWarning, stacklevel=_stacklevel)
    return ops.softmax(-(x if dtype is None else x.to(dtype)), dim)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """``x`` where ``x > 0``, else ``weight * x``, with one learned slope per
    channel (dim 1) or a single one (``weight`` of one element).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> a = symgrad.tensor([0.25], requires_grad=True)
    >>> x = symgrad.tensor([-2., 3.], requires_grad=True)
    >>> F.prelu(x, a).expr
    [Piecewise((x[0], x[0] > 0), (a[0]*x[0], True)), Piecewise((x[1], x[1] > 0), (a[0]*x[1], True))]
    """
    x = require_floating(input, "prelu", "prelu_cpu")
    w = require_tensor(weight, "prelu", "weight")
    if w.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {w.ndim}")
    channels = x.shape[1] if x.ndim >= 2 else 1
    if w.numel() != 1 and w.numel() != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                           f"{w.numel()} and channel size = {channels}.")
    if w.numel() == 1:
        w = w.reshape(())
    elif x.ndim > 2:
        w = w.reshape((channels,) + (1,) * (x.ndim - 2))
    return ops.where(x > 0, x, w * x)


def _rrelu_slopes(x: Tensor, lower: float, upper: float) -> Tensor:
    """A slope drawn uniformly from ``[lower, upper]`` for each element ``<= 0``
    (1 for the others), from symgrad's generator (``symgrad.manual_seed``),
    as a constant of the graph."""
    from symgrad.creation import generator

    slopes = generator().uniform(lower, upper, tuple(x.shape))
    noise = np.where(x._value > 0, 1.0, slopes).astype(x.dtype.numpy)
    return Tensor._make(noise)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False) -> Tensor:
    """Randomized leaky ReLU.  In training, each element ``<= 0`` is multiplied
    by a slope drawn uniformly from ``[lower, upper]`` (symgrad's generator:
    ``symgrad.manual_seed``), which enters the graph as a constant: the closed
    form shows the numbers drawn and the gradient is that slope.  In
    evaluation, ``leaky_relu`` with the mean slope ``(lower + upper) / 2``.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor([-1., 2.], requires_grad=True)
    >>> F.rrelu(x, 0.1, 0.3)
    tensor([-0.2000,  2.0000], grad_fn=<WhereBackward0>)
    >>> _ = symgrad.manual_seed(0)
    >>> y = F.rrelu(x, 0.1, 0.3, training=True)
    >>> y, y.expr[1]
    (tensor([-0.2274,  2.0000], grad_fn=<MulBackward0>), x[1])
    """
    x = require_floating(input, "rrelu", "leaky_relu_cpu")
    if lower > upper:
        raise RuntimeError(f"Lower bound should be less than or equal to the upper bound (got lower={lower}, "
                           f"upper={upper})")
    if training:
        out = x * _rrelu_slopes(x, lower, upper)
    else:
        out = ops.where(x > 0, x, x * ((lower + upper) / 2))
    return _result(input, out, inplace)
