"""``F.multi_head_attention_forward``: the function behind
``nn.MultiheadAttention``, PyTorch's composition step by step.

The inputs are projected (``linear``), split into heads, each head attends
with ``softmax(q @ k^T / sqrt(head_dim) + mask)`` (PyTorch's explicit
computation when the weights are wanted, ``scaled_dot_product_attention``
otherwise), the heads are joined and projected out.  Boolean masks become
float masks of ``0`` and ``-inf`` (constants, as PyTorch's
``_canonical_mask``), added to the scores; so outputs, weights and every
gradient are compositions of symgrad ops, with closed forms.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

import symgrad.ops as ops
from symgrad._tensor import Tensor
from symgrad.nn._checks import require_tensor
from symgrad.nn.attention import scaled_dot_product_attention
from symgrad.nn.padding import pad

__all__ = ["multi_head_attention_forward"]


def _canonical_mask(mask: Tensor | None, name: str, other: Tensor | None, dtype: Any,
                    check_other: bool = True) -> Tensor | None:
    """A boolean mask as a float one (``-inf`` where True, a constant), a float mask as it is."""
    if mask is None:
        return None
    require_tensor(mask, "multi_head_attention_forward", name)
    if mask.dtype.name != "bool" and not mask.is_floating_point():
        raise AssertionError(f"only bool and floating types of {name} are supported (got {mask.dtype}); convert "
                             "it with .bool() (True: masked out) or .double() (added to the scores)")
    if check_other and other is not None and other.dtype != mask.dtype:
        warnings.warn(f"Support for mismatched {name} and attn_mask is deprecated. Use same type for both instead.",
                      UserWarning, stacklevel=4)
    if mask.is_floating_point():
        return mask
    return Tensor._make(np.where(mask._value, -np.inf, 0.0).astype(dtype.numpy))


def _shape_check(query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | None,
                 attn_mask: Tensor | None, num_heads: int) -> bool:
    """PyTorch's ``_mha_shape_check``: whether the inputs are batched (3-d) or not (2-d)."""
    if query.ndim == 3:
        if key.ndim != 3 or value.ndim != 3:
            raise AssertionError(f"For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                                 f"{key.ndim}-D and {value.ndim}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 2:
            raise AssertionError(f"For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but "
                                 f"found {key_padding_mask.ndim}-D tensor instead")
        if attn_mask is not None and attn_mask.ndim not in (2, 3):
            raise AssertionError(f"For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but "
                                 f"found {attn_mask.ndim}-D tensor instead")
        return True
    if query.ndim == 2:
        if key.ndim != 2 or value.ndim != 2:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                                 f"{key.ndim}-D and {value.ndim}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 1:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D but "
                                 f"found {key_padding_mask.ndim}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.ndim not in (2, 3):
                raise AssertionError(f"For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                                     f"but found {attn_mask.ndim}-D tensor instead")
            expected = (num_heads, query.shape[0], key.shape[0])
            if attn_mask.ndim == 3 and tuple(attn_mask.shape) != expected:
                raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.ndim}-D query "
                         "tensor")


def _projections(query: Tensor, key: Tensor, value: Tensor, in_proj_weight: Tensor | None,
                 in_proj_bias: Tensor | None, separate: bool, q_proj_weight: Tensor | None,
                 k_proj_weight: Tensor | None, v_proj_weight: Tensor | None) -> tuple[Tensor, Tensor, Tensor]:
    """``linear`` of the query, key and value by their thirds of the packed (or the separate) weights."""
    from symgrad.nn.functional import linear  # (functional imports this module)

    biases: tuple[Any, ...] = (None,) * 3 if in_proj_bias is None else in_proj_bias.chunk(3)
    if not separate:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        weights: tuple[Any, ...] = in_proj_weight.chunk(3)
    else:
        for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight is None")
        weights = (q_proj_weight, k_proj_weight, v_proj_weight)
    q, k, v = (linear(x, w, b) for x, w, b in zip((query, key, value), weights, biases))
    return q, k, v


def _heads(x: Tensor, static: Tensor | None, batch: int, num_heads: int, head_dim: int, name: str) -> Tensor:
    """(S, N, E) as (N*heads, S, head_dim), or the given ``static_k``/``static_v``."""
    if static is None:
        return x.reshape(x.shape[0], batch * num_heads, head_dim).transpose(0, 1)
    if static.shape[0] != batch * num_heads:
        raise AssertionError(f"expecting {name}.size(0) of {batch * num_heads}, but got {static.shape[0]}")
    if static.shape[2] != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {static.shape[2]}")
    return static


def _checked_attn_mask(attn_mask: Tensor, target: int, source: int, batch: int, num_heads: int) -> Tensor:
    if attn_mask.ndim == 2:
        if tuple(attn_mask.shape) != (target, source):
            raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                               f"{(target, source)}.")
        return attn_mask.unsqueeze(0)
    if attn_mask.ndim == 3:
        if tuple(attn_mask.shape) != (batch * num_heads, target, source):
            raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                               f"{(batch * num_heads, target, source)}.")
        return attn_mask
    raise RuntimeError(f"attn_mask's dimension {attn_mask.ndim} is not supported")


def multi_head_attention_forward(query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
                                 in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None,
                                 bias_v: Tensor | None, add_zero_attn: bool, dropout_p: float,
                                 out_proj_weight: Tensor, out_proj_bias: Tensor | None, training: bool = True,
                                 key_padding_mask: Tensor | None = None, need_weights: bool = True,
                                 attn_mask: Tensor | None = None, use_separate_proj_weight: bool = False,
                                 q_proj_weight: Tensor | None = None, k_proj_weight: Tensor | None = None,
                                 v_proj_weight: Tensor | None = None, static_k: Tensor | None = None,
                                 static_v: Tensor | None = None, average_attn_weights: bool = True,
                                 is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention of ``query`` (L, N, E) or (L, E) over ``key``
    (S, N, kdim) and ``value`` (S, N, vdim), as PyTorch's function of the
    same name: ``(output (L, N, E), weights (N, L, S) averaged over the heads,
    (N, heads, L, S) with average_attn_weights=False, or None)``.  In the
    masks, True (or ``-inf``) keeps a position out of the attention.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor([[[1., 0.]], [[0., 1.]]])   # (L=2, N=1, E=2)
    >>> eye = symgrad.eye(2)
    >>> out, weights = F.multi_head_attention_forward(x, x, x, 2, 1, symgrad.cat([eye, eye, eye]), None, None,
    ...                                               None, False, 0.0, eye, None)
    >>> weights
    tensor([[[0.6698, 0.3302],
             [0.3302, 0.6698]]])
    """
    for name, t in (("query", query), ("key", key), ("value", value)):
        require_tensor(t, "multi_head_attention_forward", name)
    batched = _shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    target, batch, embed_dim = query.shape
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", attn_mask, query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # scaled_dot_product_attention's own causal mask
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, query.dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight and tuple(key.shape[:2]) != tuple(value.shape[:2]):
        raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match value's {value.shape[:2]}")
    if not use_separate_proj_weight and tuple(key.shape) != tuple(value.shape):
        raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
    q, k, v = _projections(query, key, value, in_proj_weight, in_proj_bias, use_separate_proj_weight,
                           q_proj_weight, k_proj_weight, v_proj_weight)
    if attn_mask is not None:
        attn_mask = _checked_attn_mask(attn_mask, target, key.shape[0], batch, num_heads)
    if bias_k is not None and bias_v is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError(f"bias cannot be added to static {'key' if static_k is not None else 'value'}.")
        k = ops.cat([k, bias_k.repeat(1, batch, 1)])
        v = ops.cat([v, bias_v.repeat(1, batch, 1)])
        attn_mask = None if attn_mask is None else pad(attn_mask, (0, 1))
        key_padding_mask = None if key_padding_mask is None else pad(key_padding_mask, (0, 1))
    elif bias_k is not None or bias_v is not None:
        raise AssertionError("bias_k is set but bias_v is None" if bias_k is not None
                             else "bias_v is set but bias_k is None")
    q = q.reshape(target, batch * num_heads, head_dim).transpose(0, 1)
    k = _heads(k, static_k, batch, num_heads, head_dim, "static_k")
    v = _heads(v, static_v, batch, num_heads, head_dim, "static_v")
    if add_zero_attn:
        k = ops.cat([k, k.new_zeros((batch * num_heads, 1, head_dim))], dim=1)
        v = ops.cat([v, v.new_zeros((batch * num_heads, 1, head_dim))], dim=1)
        attn_mask = None if attn_mask is None else pad(attn_mask, (0, 1))
        key_padding_mask = None if key_padding_mask is None else pad(key_padding_mask, (0, 1))
    source = k.shape[1]
    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != batch:
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {batch}, but got "
                                 f"{key_padding_mask.shape[0]}")
        if key_padding_mask.shape[1] != source:
            raise AssertionError(f"Expected key_padded_mask.shape[1] to be {source}, but got "
                                 f"{key_padding_mask.shape[1]}")
        per_head = key_padding_mask.reshape(batch, 1, 1, source).expand(-1, num_heads, -1, -1)
        per_head = per_head.reshape(batch * num_heads, 1, source)
        attn_mask = per_head if attn_mask is None else attn_mask + per_head
    if not training:
        dropout_p = 0.0
    if need_weights:
        scores = ops.matmul(q * math.sqrt(1.0 / float(head_dim)), k.transpose(-2, -1))
        if attn_mask is not None:
            scores = attn_mask + scores  # (baddbmm's order)
        weights = ops.softmax(scores, -1)
        if dropout_p > 0.0:
            from symgrad.nn.functional import dropout

            weights = dropout(weights, dropout_p)
        out = ops.matmul(weights, v).transpose(0, 1).reshape(target * batch, embed_dim)
        out = _out_projection(out, out_proj_weight, out_proj_bias).reshape(target, batch, -1)
        weights = weights.reshape(batch, num_heads, target, source)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        return (out, weights) if batched else (out.squeeze(1), weights.squeeze(0))
    if attn_mask is not None:
        attn_mask = (attn_mask.unsqueeze(0) if attn_mask.shape[0] == 1 and attn_mask.ndim == 3
                     else attn_mask.reshape(batch, num_heads, -1, source))
    out = scaled_dot_product_attention(q.reshape(batch, num_heads, target, head_dim),
                                       k.reshape(batch, num_heads, source, head_dim),
                                       v.reshape(batch, num_heads, source, head_dim), attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(batch * target, embed_dim)
    out = _out_projection(out, out_proj_weight, out_proj_bias).reshape(target, batch, -1)
    return (out if batched else out.squeeze(1)), None


def _out_projection(x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    from symgrad.nn.functional import linear  # (functional imports this module)

    return linear(x, weight, bias)
