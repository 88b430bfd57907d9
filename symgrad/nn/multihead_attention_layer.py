"""``MultiheadAttention``: PyTorch's layer, with its parameter names
(``in_proj_weight``, ``in_proj_bias``, ``q_proj_weight``..., ``bias_k``,
``bias_v``, ``out_proj.weight``, ``out_proj.bias``), initialisation and
shapes, so a PyTorch ``state_dict`` loads into it as it is."""

from __future__ import annotations

from typing import Any

from symgrad import dtypes as _dt
from symgrad._tensor import Tensor
from symgrad.creation import empty
from symgrad.device import device as _device
from symgrad.nn import functional as F  # noqa: N812 - PyTorch's convention
from symgrad.nn import init
from symgrad.nn._checks import require_tensor
from symgrad.nn.linear import Linear
from symgrad.nn.module import Module
from symgrad.nn.parameter import Parameter

__all__ = ["MultiheadAttention", "NonDynamicallyQuantizableLinear"]


class NonDynamicallyQuantizableLinear(Linear):
    """``Linear`` under the name PyTorch gives ``MultiheadAttention.out_proj``
    (so the layer prints as PyTorch's)."""


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"MultiheadAttention: {name} must be an int, got {type(value).__name__} ({value!r})")
    return value


class MultiheadAttention(Module):
    """Attention from ``num_heads`` heads of ``embed_dim / num_heads``
    features each, as PyTorch's ``nn.MultiheadAttention``:
    ``forward(query, key, value, key_padding_mask=None, need_weights=True,
    attn_mask=None, average_attn_weights=True, is_causal=False)`` returns
    ``(output, weights or None)``.  Inputs are (L, N, E), (N, L, E) with
    ``batch_first=True``, or (L, E) unbatched; ``kdim``/``vdim`` give the
    key's and value's own sizes (then separate ``q_proj_weight``,
    ``k_proj_weight``, ``v_proj_weight`` replace ``in_proj_weight``).

    >>> import symgrad
    >>> from symgrad import nn
    >>> attn = nn.MultiheadAttention(4, 2, batch_first=True)
    >>> attn
    MultiheadAttention(
      (out_proj): NonDynamicallyQuantizableLinear(in_features=4, out_features=4, bias=True)
    )
    >>> [name for name, _ in attn.named_parameters()]
    ['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias']
    >>> x = symgrad.randn(3, 5, 4)
    >>> out, weights = attn(x, x, x)
    >>> out.shape, weights.shape
    (symgrad.Size([3, 5, 4]), symgrad.Size([3, 5, 5]))
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device: Any = None, dtype: Any = None) -> None:
        _positive_int(embed_dim, "embed_dim")
        _positive_int(num_heads, "num_heads")
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                             f"num_heads={num_heads} instead")
        super().__init__()
        if device is not None:
            _device(device)
        d = _dt.get_default_dtype() if dtype is None else _dt.as_dtype(dtype)
        self.embed_dim = embed_dim
        self.kdim = embed_dim if kdim is None else _positive_int(kdim, "kdim")
        self.vdim = embed_dim if vdim is None else _positive_int(vdim, "vdim")
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError(f"embed_dim must be divisible by num_heads (got embed_dim={embed_dim} and "
                                 f"num_heads={num_heads})")
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(empty(embed_dim, embed_dim, dtype=d))
            self.k_proj_weight = Parameter(empty(embed_dim, self.kdim, dtype=d))
            self.v_proj_weight = Parameter(empty(embed_dim, self.vdim, dtype=d))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(empty(3 * embed_dim, embed_dim, dtype=d))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        self.register_parameter("in_proj_bias", Parameter(empty(3 * embed_dim, dtype=d)) if bias else None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, dtype=d)
        if add_bias_kv:
            self.bias_k = Parameter(empty(1, 1, embed_dim, dtype=d))
            self.bias_v = Parameter(empty(1, 1, embed_dim, dtype=d))
        else:
            self.register_parameter("bias_k", None)
            self.register_parameter("bias_v", None)
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        """PyTorch's: Glorot uniform projections, zero biases, Glorot normal ``bias_k``/``bias_v``."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def forward(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | None = None,
                need_weights: bool = True, attn_mask: Tensor | None = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
        for name, t in (("query", query), ("key", key), ("value", value)):
            require_tensor(t, "MultiheadAttention", name)
        batched = query.ndim == 3
        if self.batch_first and batched:
            query, key, value = (x.transpose(1, 0) for x in (query, key, value))
        out, weights = F.multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight, self.in_proj_bias, self.bias_k,
            self.bias_v, self.add_zero_attn, self.dropout, self.out_proj.weight, self.out_proj.bias,
            training=self.training, key_padding_mask=key_padding_mask, need_weights=need_weights,
            attn_mask=attn_mask, use_separate_proj_weight=not self._qkv_same_embed_dim,
            q_proj_weight=self.q_proj_weight, k_proj_weight=self.k_proj_weight, v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights, is_causal=is_causal)
        return (out.transpose(1, 0) if self.batch_first and batched else out), weights
