"""``F.scaled_dot_product_attention``: ``softmax(q @ k^T * scale + mask) @ v``,
PyTorch's reference composition (its documented "math" implementation), so
the weights' closed form is a softmax of dot products."""

from __future__ import annotations

import math

import numpy as np

import symgrad.ops as ops
from symgrad._tensor import Tensor
from symgrad.nn._checks import require_tensor

__all__ = ["scaled_dot_product_attention"]


def _scores_masked(scores: Tensor, attn_mask: Tensor | None, is_causal: bool) -> Tensor:
    """``scores`` with masked-out positions at -inf (boolean masks, ``is_causal``) or plus a float mask."""
    target, source = scores.shape[-2], scores.shape[-1]
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when "
                               "is_causal=True; pass one or the other")
        keep = Tensor._make(np.tril(np.ones((target, source), dtype=bool)))
        return ops.where(keep, scores, float("-inf"))
    if attn_mask is None:
        return scores
    require_tensor(attn_mask, "scaled_dot_product_attention", "attn_mask")
    if attn_mask.dtype.name == "bool":
        return ops.where(attn_mask, scores, float("-inf"))  # True: take part in attention
    return scores + attn_mask


def _safe_softmax(scores: Tensor, attn_mask: Tensor | None) -> Tensor:
    """``softmax(scores, -1)``, with PyTorch's ``_safe_softmax`` (all its kernels): a query whose every
    key the mask takes away gets weights 0 (output and gradients 0), not nan.  The rows are read
    from the mask (a constant), so the closed form of the others is the plain softmax."""
    if attn_mask is None or attn_mask.ndim == 0:
        return ops.softmax(scores, -1)
    if attn_mask.dtype.name == "bool":
        empty = ops.logical_not(attn_mask.any(-1, keepdim=True))
    else:
        empty = (attn_mask.detach() == float("-inf")).all(-1, keepdim=True)
    return ops.where(empty, 0.0, ops.softmax(ops.where(empty, 0.0, scores), -1))


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None = None,
                                 dropout_p: float = 0.0, is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """``softmax(query @ key^T * scale + mask, -1) @ value`` with ``scale``
    ``1/sqrt(E)`` by default; a boolean ``attn_mask`` keeps the True
    positions, a float one is added, ``is_causal`` keeps the lower triangle.
    ``dropout_p`` drops attention weights with symgrad's generator.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> q = symgrad.tensor([[1., 0.]])
    >>> k = symgrad.tensor([[1., 0.], [0., 1.]])
    >>> v = symgrad.tensor([[1.], [2.]], requires_grad=True)
    >>> F.scaled_dot_product_attention(q, k, v, is_causal=True).expr
    [[v[0, 0]]]
    """
    for name, t in (("query", query), ("key", key), ("value", value)):
        require_tensor(t, "scaled_dot_product_attention", name)
    if enable_gqa:
        raise NotImplementedError("scaled_dot_product_attention(enable_gqa=True) is not provided by symgrad; repeat "
                                  "the key and value heads with repeat_interleave(..., dim=-3) first")
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise RuntimeError("scaled_dot_product_attention: query, key and value must have at least 2 dimensions "
                           "(..., L, E), (..., S, E) and (..., S, Ev)")
    if query.shape[-1] != key.shape[-1]:
        raise RuntimeError(f"scaled_dot_product_attention: query and key must have the same embedding size, got "
                           f"{query.shape[-1]} and {key.shape[-1]}")
    factor = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = _scores_masked(ops.matmul(query, key.transpose(-2, -1)) * factor, attn_mask, is_causal)
    weights = _safe_softmax(scores, attn_mask)
    if dropout_p > 0:
        from symgrad.nn.functional import dropout  # here: functional imports this module

        weights = dropout(weights, dropout_p, training=True)
    return ops.matmul(weights, value)
