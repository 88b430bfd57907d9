"""Distances between batches of vectors: ``F.cosine_similarity``,
``F.pairwise_distance`` and their modules ``CosineSimilarity``,
``PairwiseDistance`` (as ``torch.nn.modules.distance``), composed of symgrad
ops so that they have closed forms."""

from __future__ import annotations

import numpy as np

import symgrad.ops as ops
from symgrad import dtypes as _dt
from symgrad._tensor import Tensor
from symgrad.linalg import vector_norm
from symgrad.nn._checks import require_tensor
from symgrad.nn.module import Module

__all__ = ["cosine_similarity", "pairwise_distance", "normalize", "CosineSimilarity", "PairwiseDistance"]


def at_least(t: Tensor, floor: float) -> Tensor:
    """``t`` raised to ``floor`` where it is below, outside autograd, as PyTorch's
    ``clamp_min_`` under ``no_grad``: the gradient flows as if nothing was
    clamped.  When nothing is below (the usual case) ``t`` itself, so the
    closed form stays the plain formula."""
    values = t._value
    if not np.any(values < floor):
        return t
    return t + Tensor._make((np.maximum(values, floor) - values).astype(values.dtype))


def _floating(a: Tensor, b: Tensor) -> None:
    common = _dt.promote_types(a.dtype, b.dtype)
    if not common.is_floating_point:
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is {common} (as in "
                           "PyTorch); convert the inputs with .double() first")


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``sum(x1/|x1| * x2/|x2|)`` along ``dim`` (inputs broadcast), each norm
    raised to ``eps`` at least, as PyTorch (the gradient ignores that floor, as PyTorch's).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.cosine_similarity(symgrad.tensor([[1., 0.], [1., 1.]]), symgrad.tensor([[1., 1.], [2., 2.]]))
    tensor([0.7071, 1.0000])
    >>> a, b = symgrad.tensor([3., 4.], requires_grad=True), symgrad.tensor([1., 0.])
    >>> F.cosine_similarity(a, b, dim=0).expr
    a[0]/sqrt(a[0]**2 + a[1]**2)
    """
    require_tensor(x1, "cosine_similarity", "x1")
    require_tensor(x2, "cosine_similarity", "x2")
    _floating(x1, x2)
    a, b = ops.broadcast_tensors(x1, x2)
    norm_a = at_least(vector_norm(a, 2, dim=dim, keepdim=True), eps)
    norm_b = at_least(vector_norm(b, 2, dim=dim, keepdim=True), eps)
    return ((a / norm_a) * (b / norm_b)).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """The ``p``-norm of ``x1 - x2 + eps`` along the last dimension (PyTorch's
    ``eps`` keeps the norm's gradient finite where ``x1 == x2``).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.pairwise_distance(symgrad.tensor([[0., 0.]]), symgrad.tensor([[3., 4.]]), eps=0.)
    tensor([5.])
    """
    a, b = require_tensor(x1, "pairwise_distance", "x1"), require_tensor(x2, "pairwise_distance", "x2")
    return vector_norm(a - b + eps, p, dim=-1, keepdim=keepdim)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Tensor | None = None) -> Tensor:
    """``input / max(norm, eps)`` with the ``p``-norm along ``dim`` (PyTorch's
    formula: inside autograd, so a norm below ``eps`` gets no gradient).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.normalize(symgrad.tensor([[3., 4.], [0., 0.]]))
    tensor([[0.6000, 0.8000],
            [0.0000, 0.0000]])
    >>> v = symgrad.tensor([3., 4.], requires_grad=True)
    >>> F.normalize(v, dim=0).expr[0]
    v[0]/Max(1.0e-12, sqrt(v[0]**2 + v[1]**2))
    """
    require_tensor(input, "normalize")
    if out is not None:
        raise TypeError("normalize(): out= is not supported by symgrad (its result would leave the graph, as in "
                        "PyTorch); assign the result instead: y = F.normalize(x)")
    denominator = ops.clamp(vector_norm(input, p, dim=dim, keepdim=True), eps)
    return input / denominator


class CosineSimilarity(Module):
    """``F.cosine_similarity(x1, x2, dim, eps)``.

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.CosineSimilarity(dim=0)(symgrad.tensor([1., 0.]), symgrad.tensor([0., 2.]))
    tensor(0.)
    """

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """``F.pairwise_distance(x1, x2, p, eps, keepdim)``.

    >>> import symgrad
    >>> from symgrad import nn
    >>> nn.PairwiseDistance(p=1., eps=0.)(symgrad.tensor([[1., 2.]]), symgrad.tensor([[0., 0.]]))
    tensor([3.])
    """

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
