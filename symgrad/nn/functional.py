"""Functions behind the layers, as ``torch.nn.functional`` (``import
symgrad.nn.functional as F``): ``linear``, activations, the losses (from
``symgrad.nn.loss_functions``), convolution, pooling and padding (from
``conv_functions``, ``pool_functions``, ``padding``).  All are compositions of symgrad ops, so
every result has a closed form.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import symgrad.ops as ops
from symgrad._tensor import Tensor
from symgrad.dispatch import apply
from symgrad.nn._checks import require_floating, require_tensor
from symgrad.nn.activation_functions import (
    celu,
    expm1_of_negatives,
    glu,
    hardshrink,
    hardsigmoid,
    hardswish,
    logsigmoid,
    mish,
    prelu,
    rrelu,
    selu,
    softmin,
    softshrink,
    softsign,
    tanhshrink,
    threshold,
)
from symgrad.nn.adaptive_max_pool import adaptive_max_pool1d, adaptive_max_pool2d, adaptive_max_pool3d
from symgrad.nn.attention import scaled_dot_product_attention
from symgrad.nn.batch_norm import batch_norm
from symgrad.nn.conv_functions import conv1d, conv2d, conv3d, unfold
from symgrad.nn.distance import cosine_similarity, normalize, pairwise_distance
from symgrad.nn.encoding import one_hot
from symgrad.nn.fractional_max_pool import (
    fractional_max_pool2d,
    fractional_max_pool2d_with_indices,
    fractional_max_pool3d,
    fractional_max_pool3d_with_indices,
)
from symgrad.nn.instance_norm import instance_norm
from symgrad.nn.interpolation import interpolate
from symgrad.nn.layer_functions import bilinear, embedding, group_norm, layer_norm
from symgrad.nn.likelihood_losses import (
    gaussian_nll_loss,
    kl_div,
    multilabel_soft_margin_loss,
    poisson_nll_loss,
    soft_margin_loss,
)
from symgrad.nn.loss_functions import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)
from symgrad.nn.lp_pool import lp_pool1d, lp_pool2d, lp_pool3d
from symgrad.nn.margin_losses import (
    cosine_embedding_loss,
    hinge_embedding_loss,
    margin_ranking_loss,
    multi_margin_loss,
    triplet_margin_loss,
)
from symgrad.nn.multi_head_attention import multi_head_attention_forward
from symgrad.nn.padding import pad
from symgrad.nn.pool_functions import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_avg_pool3d,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    max_pool1d,
    max_pool2d,
    max_pool3d,
)
from symgrad.nn.transposed_conv import conv_transpose1d, conv_transpose2d, conv_transpose3d, fold
from symgrad.nn.unpool_functions import max_unpool1d, max_unpool2d, max_unpool3d
from symgrad.ops import unary
from symgrad.ops.registry import composed

__all__ = ["linear", "relu", "leaky_relu", "elu", "gelu", "silu", "hardtanh", "relu6", "dropout", "tanh", "sigmoid", "softplus",
           "softmax", "log_softmax", "embedding", "layer_norm", "batch_norm", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss", "conv1d", "conv2d",
           "unfold", "pad", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
           "adaptive_avg_pool2d",
           # more activations (activation_functions.py)
           "selu", "celu", "mish", "softsign", "hardswish", "hardsigmoid", "logsigmoid", "prelu", "rrelu", "threshold",
           "tanhshrink", "softshrink", "hardshrink", "glu", "softmin",
           # distances (distance.py) and more losses (likelihood_losses.py, margin_losses.py)
           "cosine_similarity", "pairwise_distance", "kl_div", "poisson_nll_loss", "gaussian_nll_loss",
           "soft_margin_loss", "multilabel_soft_margin_loss", "margin_ranking_loss", "hinge_embedding_loss",
           "cosine_embedding_loss", "triplet_margin_loss", "multi_margin_loss",
           # more layers (layer_functions.py)
           "group_norm", "bilinear",
           # encodings and normalised vectors (encoding.py, distance.py)
           "one_hot", "normalize",
           # resampling (interpolation.py)
           "interpolate",
           # attention (attention.py)
           "scaled_dot_product_attention",
           # transposed convolutions and col2im (transposed_conv.py)
           "conv_transpose1d", "conv_transpose2d", "fold", "conv3d",
           # instance normalisation (instance_norm.py)
           "instance_norm",
           # nn.MultiheadAttention's function (multi_head_attention.py)
           "multi_head_attention_forward",
           # 3-d transposed convolution (transposed_conv.py), 3-d adaptive average pooling (pool_functions.py)
           "conv_transpose3d", "adaptive_avg_pool3d",
           # 3-d pooling (pool_functions.py), adaptive max pooling (adaptive_max_pool.py)
           "max_pool3d", "avg_pool3d", "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
           # max unpooling (unpool_functions.py)
           "max_unpool1d", "max_unpool2d", "max_unpool3d",
           # fractional max pooling (fractional_max_pool.py)
           "fractional_max_pool2d", "fractional_max_pool2d_with_indices", "fractional_max_pool3d",
           "fractional_max_pool3d_with_indices",
           # power-average pooling (lp_pool.py)
           "lp_pool1d", "lp_pool2d", "lp_pool3d"]


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``: ``addmm`` for a batch of rows (so the
    result's ``grad_fn`` is ``AddmmBackward0``, as in PyTorch).

    Mixed floating dtypes are promoted (a float32 input meeting float64
    weights gives float64), where PyTorch would refuse them.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> w = symgrad.tensor([[2.]], requires_grad=True)
    >>> b = symgrad.tensor([1.], requires_grad=True)
    >>> y = F.linear(symgrad.tensor([[3.]]), w, b)
    >>> y, y.expr
    (tensor([[7.]], grad_fn=<AddmmBackward0>), [[b[0] + 3*w[0, 0]]])
    """
    require_tensor(input, "linear")
    require_tensor(weight, "linear", "weight")
    xs, ws = input._value.shape, weight._value.shape
    if xs and len(ws) in (1, 2) and xs[-1] == ws[-1]:  # the usual case, checked cheaply (every forward)
        return ops.linear(input, weight, bias)
    if input.ndim == 0:
        raise RuntimeError("linear(): the input must have at least 1 dimension (its last one holds the "
                           "features), got a 0-d tensor; reshape it, e.g. x.reshape(1, 1)")
    if weight.ndim not in (1, 2):
        raise RuntimeError(f"linear(): weight must be 1-d or 2-d (out_features x in_features), got shape "
                           f"{list(weight.shape)}")
    in_features = weight.shape[-1]
    if input.shape[-1] != in_features:
        rows = math.prod(input.shape[:-1])
        out = weight.shape[0] if weight.ndim == 2 else 1
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{input.shape[-1]} and "
                           f"{in_features}x{out}): the input's last dimension ({input.shape[-1]}) must equal "
                           f"the layer's in_features ({in_features})")
    return ops.linear(input, weight, bias)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(0, x)`` elementwise.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.relu(symgrad.tensor([-1., 2.]))
    tensor([0., 2.])
    """
    require_tensor(input, "relu")
    return input.relu_() if inplace else ops.relu(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``x`` where ``x > 0``, else ``negative_slope * x``; the derivative at 0 is
    ``negative_slope``, as PyTorch's.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor(1., requires_grad=True)
    >>> F.leaky_relu(x, 0.5).expr
    Piecewise((x, x > 0), (0.5*x, True))
    """
    x = require_floating(input, "leaky_relu", "leaky_relu_cpu")
    out = composed(ops.where(x > 0, x, x * negative_slope), "LeakyReluBackward0", x)
    return input.copy_(out) if inplace else out


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)``.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor(1., requires_grad=True)
    >>> F.elu(x).expr
    Piecewise((x, x > 0), (exp(x) - 1, True))
    """
    x = require_floating(input, "elu", "elu_cpu")
    positive = x > 0
    neg = expm1_of_negatives(x, positive)
    out = composed(ops.where(positive, x, neg if alpha == 1 else neg * alpha), "EluBackward0", x)
    return input.copy_(out) if inplace else out


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * sigmoid(x)`` (the swish).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor(1., requires_grad=True)
    >>> F.silu(x).expr
    x/(1 + exp(-x))
    """
    x = require_floating(input, "silu", "silu_cpu")
    out = apply(unary.SILU, x)  # (one op: its rule is PyTorch's, g times the whole derivative)
    return input.copy_(out) if inplace else out


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """``x`` clamped to ``[min_val, max_val]``; the derivative is 0 at the
    bounds themselves, as PyTorch's (``clamp`` passes the gradient there), so
    it is written as two ``where``s rather than ``clamp``.  Integers are clamped.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor(0.5, requires_grad=True)
    >>> F.hardtanh(x).expr
    Piecewise((-1, x <= -1), (Piecewise((1, x >= 1), (x, True)), True))
    """
    require_tensor(input, "hardtanh")
    if not input.is_floating_point():
        out = ops.clamp(input, min_val, max_val)
    else:
        out = ops.where(input <= min_val, min_val, ops.where(input >= max_val, max_val, input))
        out = composed(out, "HardtanhBackward0", input)
    return input.copy_(out) if inplace else out


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """``min(max(0, x), 6)``: ``hardtanh(x, 0, 6)``, as PyTorch computes it (derivative 0 at 0 and at 6).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.relu6(symgrad.tensor([-1., 3., 7.]))
    tensor([0., 3., 6.])
    """
    require_tensor(input, "relu6")
    return hardtanh(input, 0.0, 6.0, inplace)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """``x * Phi(x)`` with ``Phi`` the standard normal CDF:
    ``x/2 * (1 + erf(x/sqrt(2)))``, or with ``approximate="tanh"``
    ``x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x**3)))``, as PyTorch computes them.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor(1., requires_grad=True)
    >>> F.gelu(x).expr
    x*(erf(sqrt(2)*x/2) + 1)/2
    """
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    x = require_floating(input, "gelu", "GeluKernelImpl")
    return apply(unary.GELU, x, approximate=approximate)  # (one op: its rule is PyTorch's g * (cdf + x * pdf))


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the others by
    ``1/(1-p)`` when ``training``; the input itself otherwise.

    The mask is drawn from symgrad's generator (``symgrad.manual_seed``) and
    enters the graph as a constant: the closed form of a dropout output is the
    input times the numbers drawn, ``0`` for a dropped element and ``2*x`` for
    a kept one at ``p=0.5``, and the gradient is that same mask.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> _ = symgrad.manual_seed(0)
    >>> x = symgrad.tensor([1., 2., 3., 4.], requires_grad=True)
    >>> F.dropout(x, 0.5).expr
    [2*x[0], 0, 0, 0]
    """
    if not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    require_tensor(input, "dropout")
    if not training or p == 0:
        return input
    from symgrad.creation import generator

    keep = generator().random(tuple(input.shape)) >= p
    scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
    mask = Tensor._make((keep * scale).astype(input.dtype.numpy))
    out = input * mask
    return input.copy_(out) if inplace else out


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent elementwise.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.tanh(symgrad.tensor([0.]))
    tensor([0.])
    """
    return ops.tanh(require_tensor(input, "tanh"))


def sigmoid(input: Tensor) -> Tensor:
    """``1 / (1 + exp(-x))`` elementwise.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor(0., requires_grad=True)
    >>> F.sigmoid(x), F.sigmoid(x).expr
    (tensor(0.5000, grad_fn=<SigmoidBackward0>), 1/(1 + exp(-x)))
    """
    return ops.sigmoid(require_tensor(input, "sigmoid"))


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta*x)) / beta`` (linear where ``beta*x > threshold``).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor(0., requires_grad=True)
    >>> F.softplus(x).expr
    Piecewise((x, x > 20), (log(exp(x) + 1), True))
    """
    if beta == 0:
        raise ValueError("softplus(): beta must be nonzero")
    return ops.softplus(require_tensor(input, "softplus"), beta, threshold)


def _implicit_dim(name: str, ndim: int) -> int:
    dim = 0 if ndim in (0, 1, 3) else 1
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
                  f"dim={dim} as an argument.", UserWarning, stacklevel=3)
    return dim


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim`` (PyTorch's implicit choice, with
    its warning, when ``dim`` is not given).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.softmax(symgrad.tensor([[0., 0.], [0., 0.]]), dim=1)
    tensor([[0.5000, 0.5000],
            [0.5000, 0.5000]])
    """
    require_tensor(input, "softmax")
    if dim is None:
        dim = _implicit_dim("softmax", input.ndim)
    return ops.softmax(input if dtype is None else input.to(dtype), dim)


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """``x - log(sum(exp(x)))`` along ``dim`` (computed stably).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> z = symgrad.tensor([1., 2.], requires_grad=True)
    >>> F.log_softmax(z, dim=0).expr
    [z[0] - log(exp(z[0]) + exp(z[1])), z[1] - log(exp(z[0]) + exp(z[1]))]
    """
    require_tensor(input, "log_softmax")
    if dim is None:
        dim = _implicit_dim("log_softmax", input.ndim)
    return ops.log_softmax(input if dtype is None else input.to(dtype), dim)
