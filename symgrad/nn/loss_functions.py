"""Loss functions (``F.mse_loss``, ``F.cross_entropy``...), composed of symgrad
ops so that each loss and its gradient have closed forms.

Numbers follow PyTorch's definitions, including its numerical safeguards:
``binary_cross_entropy`` clamps each log at -100, ``binary_cross_entropy_with_logits``
and ``cross_entropy`` are computed stably (softplus, log-softmax).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

import symgrad.ops as ops
from symgrad._tensor import Tensor, values_of
from symgrad.creation import as_tensor
from symgrad.nn._checks import check_reduction, no_legacy, require_tensor
from symgrad.ops.registry import composed

__all__ = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss"]


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _pair(input: Any, target: Any, fn: str) -> None:
    require_tensor(input, fn)
    require_tensor(target, fn, "target")


def _warn_if_broadcast(input: Tensor, target: Tensor) -> None:
    if input._value.shape != target._value.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
                      "This will likely lead to incorrect results due to broadcasting. Please ensure they have "
                      "the same size.", UserWarning, stacklevel=3)


def mse_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
             reduction: str = "mean") -> Tensor:
    """Mean squared error: ``mean((input - target)**2)``.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> w = symgrad.tensor(3., requires_grad=True)
    >>> loss = F.mse_loss(w * symgrad.tensor([1., 2.]), symgrad.tensor([2., 4.]))
    >>> loss, loss.expr
    (tensor(2.5000, grad_fn=<MseLossBackward0>), (w - 2)**2/2 + (2*w - 4)**2/2)
    """
    no_legacy(size_average, reduce, "mse_loss")
    _pair(input, target, "mse_loss")
    reduction = check_reduction(reduction)
    _warn_if_broadcast(input, target)
    return ops.mse_loss(input, target, reduction)


def l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
            reduction: str = "mean") -> Tensor:
    """Mean absolute error: ``mean(|input - target|)``.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.l1_loss(symgrad.tensor([1., 5.]), symgrad.tensor([2., 2.]), reduction="sum")
    tensor(4.)
    """
    no_legacy(size_average, reduce, "l1_loss")
    _pair(input, target, "l1_loss")
    reduction = check_reduction(reduction)
    _warn_if_broadcast(input, target)
    return _reduce((input - target).abs(), reduction)


def _quadratic_then_linear(d: Tensor, bound: float, quadratic: Tensor, linear: Tensor) -> Tensor:
    """``quadratic`` (written with ``d*d``, not ``|d|**2``, so that the
    derivative at ``d = 0`` is 0) where ``|d| < bound``, ``linear`` elsewhere."""
    return ops.where(d.abs() < bound, quadratic, linear)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """``0.5*d**2/beta`` where ``|d| < beta``, else ``|d| - 0.5*beta``
    (``d = input - target``); ``beta=0`` is ``l1_loss``.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.smooth_l1_loss(symgrad.tensor([0.5, 3.]), symgrad.tensor([0., 0.]), reduction="none")
    tensor([0.1250, 2.5000])
    """
    no_legacy(size_average, reduce, "smooth_l1_loss")
    _pair(input, target, "smooth_l1_loss")
    reduction = check_reduction(reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    _warn_if_broadcast(input, target)
    d = input - target
    if beta == 0:  # (the quadratic part would divide by 0 in the gradient of the branch not taken)
        return _reduce(d.abs(), reduction)  # (PyTorch's l1_loss, named by its last op as here)
    half_square = 0.5 * d * d
    loss = _quadratic_then_linear(d, beta, half_square if beta == 1 else half_square / beta, d.abs() - 0.5 * beta)
    return composed(_reduce(loss, reduction), "SmoothL1LossBackward0", input, target)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """``0.5*d**2`` where ``|d| < delta``, else ``delta*(|d| - 0.5*delta)``
    (``d = input - target``), times ``weight`` when given.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.huber_loss(symgrad.tensor([0.5, 3.]), symgrad.tensor([0., 0.]), reduction="none", delta=2.)
    tensor([0.1250, 4.0000])
    """
    _pair(input, target, "huber_loss")
    reduction = check_reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _warn_if_broadcast(input, target)
    d = input - target
    loss = _quadratic_then_linear(d, delta, 0.5 * d * d, (d.abs() - 0.5 * delta) * delta)
    if weight is not None:
        loss = loss * require_tensor(weight, "huber_loss", "weight")
    return composed(_reduce(loss, reduction), "HuberLossBackward0", input, target)


# ---------------------------------------------------------------- binary cross-entropy

# PyTorch clamps log(p) and log(1 - p) at -100 so that p = 0 or 1 gives a finite loss.
_LOG_FLOOR = -100.0


def _log_floored(p: Tensor, values: np.ndarray) -> Tensor:
    """``log(p)`` clamped at -100 where that matters.  For the usual inputs
    (every p above e**-100) it is the plain ``log(p)``, so the closed form
    reads as the textbook formula; otherwise the clamp and a guard enter the
    graph, so that p = 0 gives -100 and a zero (not NaN) gradient."""
    with np.errstate(divide="ignore"):
        if np.all(np.log(values) >= _LOG_FLOOR):
            return ops.log(p)
    positive = p > 0
    safe = ops.where(positive, p, 1.0)  # log(1) = 0: no 0 * inf in the gradient where p = 0
    return ops.clamp(ops.where(positive, ops.log(safe), _LOG_FLOOR), min=_LOG_FLOOR)


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: Any = None,
                         reduce: Any = None, reduction: str = "mean") -> Tensor:
    """``-(t*log(p) + (1 - t)*log(1 - p))`` for probabilities ``p`` (each log
    clamped at -100, as PyTorch).  Where ``p`` is within e**-100 of 0 or 1
    the gradient there is 0 (PyTorch's is ``(p - t)/1e-12``); prefer
    ``binary_cross_entropy_with_logits`` on logits, which stays exact.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> p = symgrad.tensor(0.25, requires_grad=True)
    >>> loss = F.binary_cross_entropy(p, symgrad.tensor(1.))
    >>> round(loss.item(), 4), loss.expr
    (1.3863, -log(p))
    """
    no_legacy(size_average, reduce, "binary_cross_entropy")
    _pair(input, target, "binary_cross_entropy")
    reduction = check_reduction(reduction)
    if input.shape != target.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size "
                         f"({input.shape}) is deprecated. Please ensure they have the same size.")
    p = values_of(input)
    if np.any((p < 0) | (p > 1)) or np.any(np.isnan(p)):
        raise RuntimeError("all elements of input should be between 0 and 1 (binary_cross_entropy takes "
                           "probabilities; for logits use binary_cross_entropy_with_logits)")
    loss = -(target * _log_floored(input, p) + (1 - target) * _log_floored(1 - input, 1 - p))
    if weight is not None:
        loss = loss * require_tensor(weight, "binary_cross_entropy", "weight")
    return composed(_reduce(loss, reduction), "BinaryCrossEntropyBackward0", input, target)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Binary cross-entropy of ``sigmoid(x)``, computed stably as
    ``(1 - t)*x + softplus(-x)`` (``softplus(-x) = -log(sigmoid(x))``);
    ``pos_weight`` scales the positive term: ``(1 - t)*x + (1 + (pos_weight - 1)*t)*softplus(-x)``.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor(0., requires_grad=True)
    >>> loss = F.binary_cross_entropy_with_logits(x, symgrad.tensor(1.))
    >>> round(loss.item(), 4), loss.expr
    (0.6931, log(1 + exp(-x)))
    """
    no_legacy(size_average, reduce, "binary_cross_entropy_with_logits")
    _pair(input, target, "binary_cross_entropy_with_logits")
    reduction = check_reduction(reduction)
    if input.shape != target.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    # threshold=inf: PyTorch's formula has no linear cut-off, and softplus is stable without one.
    log_one_plus = ops.softplus(-input, 1.0, math.inf)
    if pos_weight is not None:
        pos_weight = require_tensor(pos_weight, "binary_cross_entropy_with_logits", "pos_weight")
        log_one_plus = (1 + (pos_weight - 1) * target) * log_one_plus
    loss = (1 - target) * input + log_one_plus
    if weight is not None:
        loss = loss * require_tensor(weight, "binary_cross_entropy_with_logits", "weight")
    return composed(_reduce(loss, reduction), "BinaryCrossEntropyWithLogitsBackward0", input, target)


# ---------------------------------------------------------------- cross-entropy and NLL

def _class_dim(input: Tensor, fn: str) -> int:
    if input.ndim == 0:
        raise ValueError(f"{fn}(): the input must hold one score per class (shape [C] or [N, C, ...]), "
                         "got a 0-d tensor")
    return 0 if input.ndim == 1 else 1


def _class_weights(weight: Any, n_classes: int, fn: str) -> np.ndarray | None:
    if weight is None:
        return None
    w = require_tensor(weight, fn, "weight")
    if tuple(w.shape) != (n_classes,):
        raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes or no classes "
                           f"but got weight tensor of shape: {list(w.shape)}")
    return values_of(w)


def _check_indices(input: Tensor, target: Tensor, class_dim: int, ignore_index: int, fn: str) -> np.ndarray:
    """The class indices as an array, after checking their shape and range."""
    expected = tuple(input.shape[:class_dim]) + tuple(input.shape[class_dim + 1:])
    if input.ndim >= 2 and target.ndim >= 1 and target.shape[0] != input.shape[0]:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                         f"({target.shape[0]}).")
    if tuple(target.shape) != expected:
        raise RuntimeError(f"{fn}(): target of class indices must have shape {list(expected)} (the input's "
                           f"shape {list(input.shape)} without the class dimension), got {list(target.shape)}")
    t = values_of(target)
    n_classes = input.shape[class_dim]
    bad = (t != ignore_index) & ((t < 0) | (t >= n_classes))
    if np.any(bad):
        raise IndexError(f"Target {int(t[bad].reshape(-1)[0])} is out of bounds (there are {n_classes} classes, "
                         f"indices 0..{n_classes - 1}).")
    return t


def _pick(logp: Tensor, safe: np.ndarray, class_dim: int) -> Tensor:
    """``logp`` at the target class of each element."""
    index = np.expand_dims(safe, class_dim)
    return ops.squeeze(ops.gather(logp, class_dim, index), class_dim)


def _nll(logp: Tensor, t: np.ndarray, weights: np.ndarray | None, ignore_index: int, class_dim: int,
         reduction: str) -> Tensor:
    valid = t != ignore_index
    safe = np.where(valid, t, 0)
    picked = _pick(logp, safe, class_dim)
    if weights is None and bool(np.all(valid)):
        return _reduce(-picked, reduction)  # the common case: no constant factors in the closed form
    w = (weights[safe] if weights is not None else np.ones(safe.shape)) * valid
    w = w.astype(logp.dtype.numpy)
    loss = -picked * as_tensor(w)
    if reduction == "mean":
        return loss.sum() / float(w.sum())
    return _reduce(loss, reduction)


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: Any = None,
             ignore_index: int = -100, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of class indices ``target`` under log-probabilities
    ``input`` (shape [N, C] or [C]): ``-input[i, target[i]]``, weighted by
    ``weight[target[i]]``; ``mean`` divides by the sum of those weights.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.nll_loss(symgrad.tensor([[-1., -2.], [-3., -4.]]), symgrad.tensor([0, 1]))
    tensor(2.5000)
    """
    no_legacy(size_average, reduce, "nll_loss")
    _pair(input, target, "nll_loss")
    reduction = check_reduction(reduction)
    class_dim = _class_dim(input, "nll_loss")
    if target.dtype.is_floating_point:
        raise RuntimeError(f"nll_loss(): target must hold class indices (an integer tensor), got {target.dtype}; "
                           "convert it with target.long()")
    weights = _class_weights(weight, input.shape[class_dim], "nll_loss")
    t = _check_indices(input, target, class_dim, ignore_index, "nll_loss")
    return composed(_nll(input, t, weights, ignore_index, class_dim, reduction), "NllLossBackward0", input)


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: Any = None,
                  ignore_index: int = -100, reduce: Any = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy of logits ``input`` (shape [N, C], [C] or [N, C, d...]) against
    class indices (integer ``target`` of shape [N] ...) or class probabilities
    (floating ``target`` shaped like ``input``): ``-log_softmax(input)`` at the
    target, as PyTorch (``weight``, ``ignore_index``, ``label_smoothing``).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> z = symgrad.tensor([0., 0.], requires_grad=True)
    >>> loss = F.cross_entropy(z, symgrad.tensor(1))
    >>> round(loss.item(), 4), loss.expr
    (0.6931, -z[1] + log(exp(z[0]) + exp(z[1])))
    """
    no_legacy(size_average, reduce, "cross_entropy")
    _pair(input, target, "cross_entropy")
    reduction = check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = _class_dim(input, "cross_entropy")
    n_classes = input.shape[class_dim]
    weights = _class_weights(weight, n_classes, "cross_entropy")
    logp = ops.log_softmax(input, class_dim)
    if target.dtype.is_floating_point and target.shape == input.shape:
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target (class probabilities)")
        return _cross_entropy_probabilities(logp, target, weight, class_dim, reduction, label_smoothing)
    if target.dtype.is_floating_point:
        raise RuntimeError(f"cross_entropy(): target must hold class indices (an integer tensor of shape "
                           f"{list(input.shape[:class_dim]) + list(input.shape[class_dim + 1:])}) or class "
                           f"probabilities (a floating tensor of the input's shape {list(input.shape)}); got "
                           f"{target.dtype} of shape {list(target.shape)}")
    t = _check_indices(input, target, class_dim, ignore_index, "cross_entropy")
    nll = _nll(logp, t, weights, ignore_index, class_dim, reduction)
    if label_smoothing == 0.0:
        return composed(nll, "NllLossBackward0", input)  # (PyTorch's: log_softmax, then nll_loss)
    smooth = _smoothing_term(logp, t, weights, ignore_index, class_dim, reduction)
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / n_classes)


def _smoothing_term(logp: Tensor, t: np.ndarray, weights: np.ndarray | None, ignore_index: int, class_dim: int,
                    reduction: str) -> Tensor:
    """The uniform-target part of label smoothing: ``-sum_c w_c * logp_c`` per
    element, reduced as PyTorch does (``mean`` divides by the weights of the targets)."""
    valid = t != ignore_index
    if weights is not None:
        shape = [1] * logp.ndim
        shape[class_dim] = -1
        logp = logp * as_tensor(weights.reshape(shape).astype(logp.dtype.numpy))
    smooth = -logp.sum(class_dim) * as_tensor(valid.astype(logp.dtype.numpy))
    if reduction == "mean":
        total = float(weights[np.where(valid, t, 0)][valid].sum()) if weights is not None else float(valid.sum())
        return smooth.sum() / total
    return _reduce(smooth, reduction)


def _cross_entropy_probabilities(logp: Tensor, target: Tensor, weight: Tensor | None, class_dim: int,
                                 reduction: str, label_smoothing: float) -> Tensor:
    n_classes = logp.shape[class_dim]
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    terms = logp * target
    if weight is not None:
        shape = [1] * logp.ndim
        shape[class_dim] = -1
        terms = terms * weight.reshape(shape)
    if reduction == "mean":
        return -terms.sum() / (logp.numel() // n_classes)
    loss = -terms.sum(class_dim)
    return _reduce(loss, reduction)
