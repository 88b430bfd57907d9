"""Margin losses: ``F.margin_ranking_loss``, ``F.hinge_embedding_loss``,
``F.cosine_embedding_loss``, ``F.triplet_margin_loss``, ``F.multi_margin_loss``,
composed of symgrad ops as PyTorch defines them (the hinge is
``clamp(..., min=0)``, whose gradient at the hinge itself is PyTorch's)."""

from __future__ import annotations

from typing import Any

import numpy as np

import symgrad.ops as ops
from symgrad._tensor import Tensor, values_of
from symgrad.nn._checks import check_reduction, no_legacy, require_tensor
from symgrad.nn.distance import pairwise_distance
from symgrad.nn.loss_functions import _reduce

__all__ = ["margin_ranking_loss", "hinge_embedding_loss", "cosine_embedding_loss", "triplet_margin_loss",
           "multi_margin_loss"]


def _hinge(t: Tensor) -> Tensor:
    """``max(t, 0)`` as PyTorch's ``clamp_min(0)`` (gradient 1 at 0)."""
    return ops.clamp(t, min=0.0)


def _tensors(fn: str, **named: Any) -> None:
    for name, value in named.items():
        require_tensor(value, fn, name)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0, size_average: Any = None,
                        reduce: Any = None, reduction: str = "mean") -> Tensor:
    """``max(0, -t*(x1 - x2) + margin)``: ``x1`` should rank above ``x2`` where ``t = 1``, below where ``t = -1``.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.margin_ranking_loss(symgrad.tensor([1., 2.]), symgrad.tensor([2., 0.]), symgrad.tensor([1., 1.]))
    tensor(0.5000)
    """
    no_legacy(size_average, reduce, "margin_ranking_loss")
    _tensors("margin_ranking_loss", input1=input1, input2=input2, target=target)
    reduction = check_reduction(reduction)
    if not input1.ndim == input2.ndim == target.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} ")
    return _reduce(_hinge(-target * (input1 - input2) + margin), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average: Any = None,
                         reduce: Any = None, reduction: str = "mean") -> Tensor:
    """``x`` where ``t = 1``, ``max(0, margin - x)`` where ``t = -1`` (``x`` usually a distance).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.hinge_embedding_loss(symgrad.tensor([0.3, 0.4]), symgrad.tensor([1., -1.]), reduction="none")
    tensor([0.3000, 0.6000])
    """
    no_legacy(size_average, reduce, "hinge_embedding_loss")
    _tensors("hinge_embedding_loss", input=input, target=target)
    reduction = check_reduction(reduction)
    # PyTorch's sum of two masked parts: a target other than +-1 gets both
    below_margin = ops.where(target != 1, _hinge(margin - input), 0.0)
    return _reduce(below_margin + ops.where(target != -1, input, 0.0), reduction)


_COSINE_EPSILON = 1e-12  # PyTorch's, added to each squared norm


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                          size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """``1 - cos(x1, x2)`` where ``t = 1``, ``max(0, cos(x1, x2) - margin)``
    where ``t = -1``, with PyTorch's cosine ``x1.x2 / sqrt((|x1|**2 + 1e-12) * (|x2|**2 + 1e-12))``
    along the last dim of (N, D) inputs (a 0-d target for (D,) inputs).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> a, b = symgrad.tensor([[1., 0.]]), symgrad.tensor([[1., 1.]])
    >>> F.cosine_embedding_loss(a, b, symgrad.tensor([1.])), F.cosine_embedding_loss(a, b, symgrad.tensor([-1.]))
    (tensor(0.2929), tensor(0.7071))
    """
    no_legacy(size_average, reduce, "cosine_embedding_loss")
    _tensors("cosine_embedding_loss", input1=input1, input2=input2, target=target)
    reduction = check_reduction(reduction)
    if target.ndim not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    expected = 2 if target.ndim == 1 else 1
    if input1.ndim != expected or input2.ndim != expected:
        raise RuntimeError(f"{target.ndim}D target tensor expects {expected}D input tensors, but found inputs with "
                           f"sizes {list(input1.shape)} and {list(input2.shape)}.")
    dim = target.ndim
    squared_norms = ((input1 * input1).sum(dim) + _COSINE_EPSILON) * ((input2 * input2).sum(dim) + _COSINE_EPSILON)
    cos = (input1 * input2).sum(dim) / ops.sqrt(squared_norms)
    similar = ops.where(target == 1, 1 - cos, 0.0)
    return _reduce(similar + ops.where(target == -1, _hinge(cos - margin), 0.0), reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Tensor:
    """``max(0, d(a, p) - d(a, n) + margin)`` with ``d`` the ``pairwise_distance``
    (``swap``: the smaller of ``d(a, n)`` and ``d(p, n)``).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> a, p, n = symgrad.tensor([[0., 0.]]), symgrad.tensor([[0., 1.]]), symgrad.tensor([[0., 1.5]])
    >>> F.triplet_margin_loss(a, p, n, eps=0.)
    tensor(0.5000)
    """
    no_legacy(size_average, reduce, "triplet_margin_loss")
    _tensors("triplet_margin_loss", anchor=anchor, positive=positive, negative=negative)
    reduction = check_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and negative "
                           f"{negative.ndim}D inputs")
    d_positive = pairwise_distance(anchor, positive, p, eps)
    d_negative = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_negative = ops.minimum(d_negative, pairwise_distance(positive, negative, p, eps))
    return _reduce(_hinge(margin + d_positive - d_negative), reduction)


def _multi_margin_target(input: Tensor, target: Tensor) -> np.ndarray:
    """The class indices, one per sample, after PyTorch's checks."""
    if target.dtype.is_floating_point:
        raise RuntimeError(f"multi_margin_loss(): target must hold class indices (an integer tensor), got "
                           f"{target.dtype}; convert it with target.long()")
    samples = input.shape[0] if input.ndim == 2 else 1
    if input.ndim > 2 or target.ndim > 1 or target.numel() != samples:
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: {list(input.shape)} "
                           "(input (N, C) or (C,), target (N,) or () of class indices)")
    t = values_of(target).reshape(samples)
    n_classes = input.shape[-1] if input.ndim else 1
    if np.any((t < 0) | (t >= n_classes)):
        raise IndexError(f"target {int(t[(t < 0) | (t >= n_classes)][0])} is out of bounds (there are {n_classes} "
                         f"classes, indices 0..{n_classes - 1})")
    return t


def _class_weights(weight: Any) -> Tensor:
    if require_tensor(weight, "multi_margin_loss", "weight").ndim != 1:
        raise ValueError(f"weight must be one-dimensional (one weight per class), got shape {list(weight.shape)}")
    return weight


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0, weight: Tensor | None = None,
                      size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """The multi-class hinge loss of each sample: ``sum_j max(0, margin - x[y] + x[j])**p / C``
    over the classes ``j`` other than the target ``y`` (each term times ``weight[y]``).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.multi_margin_loss(symgrad.tensor([[0.1, 0.2, 0.4, 0.8]]), symgrad.tensor([3]))
    tensor(0.3250)
    """
    no_legacy(size_average, reduce, "multi_margin_loss")
    _tensors("multi_margin_loss", input=input, target=target)
    reduction = check_reduction(reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    t = _multi_margin_target(input, target)
    x = input.reshape(len(t), -1)
    picked = ops.gather(x, 1, t.reshape(-1, 1))
    z = margin - picked + x
    hinge = ops.where(z > 0, z, 0.0)  # PyTorch's gradient is 0 at the hinge itself
    terms = hinge if p == 1 else hinge * hinge
    if weight is not None:
        terms = terms * _class_weights(weight)[t.tolist()].reshape(-1, 1)
    others = np.ones(x.shape, dtype=bool)
    others[np.arange(len(t)), t] = False  # the target's own class is no margin violation
    loss = ops.where(Tensor._make(others), terms, 0.0).sum(1) / x.shape[1]
    return _reduce(loss if input.ndim == 2 else loss.reshape(()), reduction)
