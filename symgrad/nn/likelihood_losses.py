"""Losses of probabilities and likelihoods: ``F.kl_div``, ``F.poisson_nll_loss``,
``F.gaussian_nll_loss``, ``F.soft_margin_loss``, ``F.multilabel_soft_margin_loss``,
composed of symgrad ops (closed forms, gradients and generated code) with
PyTorch's definitions and safeguards."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

import symgrad.ops as ops
from symgrad._tensor import Tensor, values_of
from symgrad.creation import full_like
from symgrad.nn._checks import check_reduction, no_legacy, require_tensor
from symgrad.nn.activation_functions import logsigmoid
from symgrad.nn.distance import at_least
from symgrad.nn.loss_functions import _pair, _reduce, _warn_if_broadcast

__all__ = ["kl_div", "poisson_nll_loss", "gaussian_nll_loss", "soft_margin_loss", "multilabel_soft_margin_loss"]

_KL_REDUCTIONS = ("mean", "batchmean", "sum", "none")


def _target_log_target_minus_input(target: Tensor, input: Tensor) -> Tensor:
    """``t * (log(t) - x)``, 0 where ``t == 0`` (PyTorch's ``xlogy``; its
    gradient there is 0 too).  The plain formula when no target is 0."""
    if not np.any(values_of(target) == 0):
        return target * (ops.log(target) - input)
    zero = target == 0
    safe = ops.where(zero, 1.0, target)  # log(1) = 0: no 0 * inf in the branch not taken
    return ops.where(zero, 0.0, target * (ops.log(safe) - input))


def kl_div(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """The Kullback-Leibler divergence of ``target`` from ``input``, a
    log-probability: ``t * (log(t) - x)`` pointwise (``exp(t) * (t - x)``
    with ``log_target``).  ``reduction="batchmean"`` (the KL divergence
    proper) divides the sum by the batch size; ``"mean"`` divides by the
    number of elements, with PyTorch's warning.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor([[-1., -2.]], requires_grad=True)
    >>> t = symgrad.tensor([[0.25, 0.75]], name="t")
    >>> F.kl_div(x, t, reduction="batchmean").expr
    t[0, 0]*(-x[0, 0] + log(t[0, 0])) + t[0, 1]*(-x[0, 1] + log(t[0, 1]))
    """
    no_legacy(size_average, reduce, "kl_div")
    _pair(input, target, "kl_div")
    if reduction not in _KL_REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction; use 'batchmean' (the KL divergence), "
                         "'mean', 'sum' or 'none'")
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      UserWarning, stacklevel=2)
    if log_target:
        loss = ops.exp(target) * (target - input)
    else:
        loss = _target_log_target_minus_input(target, input)
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.shape[0] if input.ndim else total
    return _reduce(loss, reduction)


def _stirling(target: Tensor) -> Tensor:
    """``t*log(t) - t + log(2*pi*t)/2`` where ``t > 1``, else 0 (PyTorch's ``full=True`` term)."""
    above = target > 1
    t = ops.where(above, target, 1.0)  # (no log of 0 or of a negative in the branch not taken)
    return ops.where(above, t * ops.log(t) - t + ops.log(t * (2 * math.pi)) * 0.5, 0.0)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average: Any = None, eps: float = 1e-8, reduce: Any = None,
                     reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of ``target`` under a Poisson distribution of
    rate ``exp(input)`` (``log_input``): ``exp(x) - t*x``; or of rate ``input``:
    ``x - t*log(x + eps)``.  ``full`` adds Stirling's approximation of
    ``log(t!)`` where ``t > 1``.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor(0.5, requires_grad=True)
    >>> F.poisson_nll_loss(x, symgrad.tensor(2.)).expr
    -2*x + exp(x)
    """
    no_legacy(size_average, reduce, "poisson_nll_loss")
    _pair(input, target, "poisson_nll_loss")
    reduction = check_reduction(reduction)
    if log_input:
        loss = ops.exp(input) - target * input
    else:
        loss = input - target * ops.log(input + eps)
    if full:
        loss = loss + _stirling(target)
    return _reduce(loss, reduction)


def _variance_shaped_like(var: Tensor, input: Tensor) -> Tensor:
    """``var`` as PyTorch's gaussian_nll_loss accepts it: the input's shape, or
    one dimension short (one variance per sample, unsqueezed), or one
    mismatched dimension of size 1 (broadcast)."""
    if var.shape == input.shape:
        return var
    if tuple(input.shape[:-1]) == tuple(var.shape):
        return var.unsqueeze(-1)
    if input.ndim == var.ndim and sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1:
        return var
    raise ValueError(f"var is of incorrect size: {list(var.shape)} for an input of size {list(input.shape)} (give "
                     "one variance per element, or per sample: the input's shape without its last dimension)")


def gaussian_nll_loss(input: Tensor, target: Tensor, var: Tensor | float, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of ``target`` under normal distributions of
    mean ``input`` and variance ``var``: ``(log(var) + (x - t)**2 / var) / 2``
    (plus ``log(2*pi)/2`` with ``full``); ``var`` is raised to ``eps`` at
    least, outside autograd, as PyTorch does.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor([1.], requires_grad=True)
    >>> v = symgrad.tensor([2.], requires_grad=True)
    >>> F.gaussian_nll_loss(x, symgrad.tensor([0.]), v).expr
    0.5*log(v[0]) + 0.5*x[0]**2/v[0]
    """
    _pair(input, target, "gaussian_nll_loss")
    if not isinstance(var, Tensor):
        if isinstance(var, bool) or not isinstance(var, (int, float)):
            raise TypeError(f"gaussian_nll_loss(): var must be a symgrad Tensor or a float, not {type(var).__name__}")
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = full_like(input, float(var))
    elif np.any(values_of(var) < 0):
        raise ValueError("var has negative entry/entries")
    var = _variance_shaped_like(var, input)
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(reduction + " is not valid")
    var = at_least(var, eps)
    loss = (ops.log(var) + (input - target) ** 2 / var) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def soft_margin_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
                     reduction: str = "mean") -> Tensor:
    """The two-class logistic loss ``log(1 + exp(-t*x))`` for targets ``t`` of +-1, computed stably.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor(0.5, requires_grad=True)
    >>> F.soft_margin_loss(x, symgrad.tensor(-1.)).expr
    log(exp(x) + 1)
    """
    no_legacy(size_average, reduce, "soft_margin_loss")
    _pair(input, target, "soft_margin_loss")
    reduction = check_reduction(reduction)
    _warn_if_broadcast(input, target)
    return _reduce(ops.softplus(-target * input, 1.0, math.inf), reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of ``sigmoid(x)`` for each of C labels,
    ``-(t*logsigmoid(x) + (1 - t)*logsigmoid(-x))`` (times ``weight``),
    averaged over the labels (the last dimension), then reduced over the samples.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.multilabel_soft_margin_loss(symgrad.tensor([[0., 0.]]), symgrad.tensor([[1., 0.]]))
    tensor(0.6931)
    """
    no_legacy(size_average, reduce, "multilabel_soft_margin_loss")
    _pair(input, target, "multilabel_soft_margin_loss")
    reduction = check_reduction(reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * require_tensor(weight, "multilabel_soft_margin_loss", "weight")
    n_labels = input.shape[-1] if input.ndim else 1
    return _reduce(loss.sum(-1) / n_labels if input.ndim else loss, reduction)
