"""PyTorch's transformer layers: ``TransformerEncoderLayer``,
``TransformerDecoderLayer``, ``TransformerEncoder``, ``TransformerDecoder``
and ``Transformer``, composed of symgrad's ``MultiheadAttention``,
``Linear``, ``LayerNorm`` and ``Dropout`` as PyTorch's Python code path
composes them (its fused inference kernels compute the same numbers), with
PyTorch's parameter names, so a PyTorch ``state_dict`` loads as it is and
outputs, gradients and closed forms come from the layers inside.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable
from typing import Any

from symgrad._tensor import Tensor
from symgrad.creation import full
from symgrad.nn import functional as F  # noqa: N812 - PyTorch's convention
from symgrad.nn import init
from symgrad.nn._checks import require_tensor
from symgrad.nn.activation import GELU, ReLU
from symgrad.nn.container import ModuleList
from symgrad.nn.dropout import Dropout
from symgrad.nn.linear import Linear
from symgrad.nn.module import Module
from symgrad.nn.multi_head_attention import _canonical_mask as _float_mask
from symgrad.nn.multihead_attention_layer import MultiheadAttention
from symgrad.nn.normalization import LayerNorm

__all__ = ["Transformer", "TransformerEncoder", "TransformerDecoder", "TransformerEncoderLayer",
           "TransformerDecoderLayer"]

Activation = str | Callable[[Tensor], Tensor]


def _generate_square_subsequent_mask(sz: int, device: Any = None, dtype: Any = None) -> Tensor:
    """``-inf`` above the diagonal, 0 on and below it (PyTorch's ``triu(full(-inf), 1)``)."""
    return full((sz, sz), float("-inf"), dtype=dtype, device=device).triu(1)


def _get_seq_len(src: Tensor, batch_first: bool) -> int:
    if src.ndim == 2:
        return src.shape[0]
    return src.shape[1 if batch_first else 0]


def _detect_is_causal_mask(mask: Tensor | None, is_causal: bool | None = None, size: int | None = None) -> bool:
    """The ``is_causal`` hint if given; else whether ``mask`` equals the causal mask of its size (PyTorch's)."""
    make_causal = is_causal is True
    if is_causal is None and mask is not None:
        sz = size if size is not None else mask.shape[-2]
        causal = _generate_square_subsequent_mask(sz, dtype=mask.dtype)
        make_causal = tuple(mask.shape) == tuple(causal.shape) and bool((mask == causal).all())
    return make_causal


def _canonical_mask(mask: Tensor | None, name: str, other: Tensor | None, other_name: str,
                    target: Tensor) -> Tensor | None:
    """A boolean mask as a float one of ``target``'s dtype (``-inf`` where True), with PyTorch's warning
    when its dtype differs from the other mask's."""
    if mask is None:
        return None
    require_tensor(mask, "Transformer", name)
    if other is not None and mask.dtype != other.dtype and (mask.dtype.name == "bool" or mask.is_floating_point()):
        warnings.warn(f"Support for mismatched {name} and {other_name} is deprecated. Use same type for both "
                      "instead.", UserWarning, stacklevel=3)
    return _float_mask(mask, name, None, target.dtype, check_other=False)


def _get_activation_fn(activation: str) -> Callable[[Tensor], Tensor]:
    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    raise RuntimeError(f"activation should be relu/gelu, not {activation}")


def _get_clones(module: Module, n: int) -> ModuleList:
    """``n`` deep copies of ``module`` (PyTorch's ``_get_clones``)."""
    return ModuleList([copy.deepcopy(module) for _ in range(n)])


def _build_layer(layer: Module, d_model: int, nhead: int, dim_feedforward: int, dropout: float,
                 activation: Activation, layer_norm_eps: float, batch_first: bool, norm_first: bool, bias: bool,
                 device: Any, dtype: Any, cross: bool) -> None:
    """The sublayers of an encoder (``cross=False``) or decoder layer, in PyTorch's order (its repr's)."""
    factory = {"device": device, "dtype": dtype}
    layer.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first,
                                         **factory)
    if cross:
        layer.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout, batch_first=batch_first,
                                                  bias=bias, **factory)
    layer.linear1 = Linear(d_model, dim_feedforward, bias=bias, **factory)
    layer.dropout = Dropout(dropout)
    layer.linear2 = Linear(dim_feedforward, d_model, bias=bias, **factory)
    layer.norm_first = norm_first
    for i in range(1, 4 if cross else 3):
        setattr(layer, f"norm{i}", LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory))
    for i in range(1, 4 if cross else 3):
        setattr(layer, f"dropout{i}", Dropout(dropout))
    if isinstance(activation, str):
        activation = _get_activation_fn(activation)
    elif not callable(activation):
        raise TypeError(f"activation must be 'relu', 'gelu' or a callable, got {type(activation).__name__}")
    layer.activation = activation


class _Sublayers(Module):
    """What encoder and decoder layers share: the attention and feed-forward blocks."""

    dropout: Dropout
    dropout1: Dropout
    dropout2: Dropout
    linear1: Linear
    linear2: Linear
    self_attn: MultiheadAttention
    activation: Callable[[Tensor], Tensor]
    _ff_dropout = "dropout2"  # the decoder's feed-forward block ends in dropout3

    def _sa_block(self, x: Tensor, attn_mask: Tensor | None, key_padding_mask: Tensor | None,
                  is_causal: bool = False) -> Tensor:
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, need_weights=False,
                           is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x: Tensor) -> Tensor:
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        dropout: Dropout = getattr(self, self._ff_dropout)
        return dropout(x)


class TransformerEncoderLayer(_Sublayers):
    """Self-attention and a feed-forward network, each with a residual
    connection and ``LayerNorm`` (after it, or before with
    ``norm_first=True``), as PyTorch's ``nn.TransformerEncoderLayer``:
    ``forward(src, src_mask=None, src_key_padding_mask=None,
    is_causal=False)``.

    >>> import symgrad
    >>> from symgrad import nn
    >>> layer = nn.TransformerEncoderLayer(d_model=4, nhead=2, dim_feedforward=8, dropout=0.0, batch_first=True)
    >>> [name for name, _ in layer.named_parameters()][:4]
    ['self_attn.in_proj_weight', 'self_attn.in_proj_bias', 'self_attn.out_proj.weight', 'self_attn.out_proj.bias']
    >>> layer(symgrad.randn(2, 3, 4)).shape
    symgrad.Size([2, 3, 4])
    """

    norm1: LayerNorm
    norm2: LayerNorm

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation: Activation = F.relu, layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        _build_layer(self, d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps, batch_first,
                     norm_first, bias, device, dtype, cross=False)
        act = self.activation
        self.activation_relu_or_gelu = (1 if act is F.relu or isinstance(act, ReLU)
                                        else 2 if act is F.gelu or isinstance(act, GELU) else 0)

    def forward(self, src: Tensor, src_mask: Tensor | None = None, src_key_padding_mask: Tensor | None = None,
                is_causal: bool = False) -> Tensor:
        require_tensor(src, "TransformerEncoderLayer", "src")
        src_key_padding_mask = _canonical_mask(src_key_padding_mask, "src_key_padding_mask", src_mask, "src_mask",
                                               src)
        src_mask = _canonical_mask(src_mask, "src_mask", None, "", src)
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal=is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal=is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x


class TransformerDecoderLayer(_Sublayers):
    """Self-attention, attention over the encoder's output (``memory``) and a
    feed-forward network, each with a residual connection and ``LayerNorm``,
    as PyTorch's ``nn.TransformerDecoderLayer``: ``forward(tgt, memory,
    tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
    memory_key_padding_mask=None, tgt_is_causal=False,
    memory_is_causal=False)``.

    >>> import symgrad
    >>> from symgrad import nn
    >>> layer = nn.TransformerDecoderLayer(4, 2, dim_feedforward=8, dropout=0.0)
    >>> [name for name, _ in layer.named_children()][:3]
    ['self_attn', 'multihead_attn', 'linear1']
    >>> layer(symgrad.randn(3, 2, 4), symgrad.randn(5, 2, 4)).shape
    symgrad.Size([3, 2, 4])
    """

    multihead_attn: MultiheadAttention
    norm1: LayerNorm
    norm2: LayerNorm
    norm3: LayerNorm
    dropout3: Dropout
    _ff_dropout = "dropout3"

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation: Activation = F.relu, layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        _build_layer(self, d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps, batch_first,
                     norm_first, bias, device, dtype, cross=True)

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Tensor | None = None, memory_mask: Tensor | None = None,
                tgt_key_padding_mask: Tensor | None = None, memory_key_padding_mask: Tensor | None = None,
                tgt_is_causal: bool = False, memory_is_causal: bool = False) -> Tensor:
        require_tensor(tgt, "TransformerDecoderLayer", "tgt")
        require_tensor(memory, "TransformerDecoderLayer", "memory")
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask, memory_key_padding_mask, memory_is_causal)
            x = x + self._ff_block(self.norm3(x))
        else:
            x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
            x = self.norm2(x + self._mha_block(x, memory, memory_mask, memory_key_padding_mask, memory_is_causal))
            x = self.norm3(x + self._ff_block(x))
        return x

    def _mha_block(self, x: Tensor, mem: Tensor, attn_mask: Tensor | None, key_padding_mask: Tensor | None,
                   is_causal: bool = False) -> Tensor:
        x = self.multihead_attn(x, mem, mem, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                                is_causal=is_causal, need_weights=False)[0]
        return self.dropout2(x)


def _why_no_nested_tensor(layer: Any) -> str:
    """PyTorch's reason (its warning's text) why its encoder would not use nested tensors."""
    if not isinstance(layer, TransformerEncoderLayer):
        return "encoder_layer was not TransformerEncoderLayer"
    if layer.norm_first:
        return "encoder_layer.norm_first was True"
    if not layer.self_attn.batch_first:
        return ("encoder_layer.self_attn.batch_first was not True(use batch_first for better inference "
                "performance)")
    if not layer.self_attn._qkv_same_embed_dim:
        return "encoder_layer.self_attn._qkv_same_embed_dim was not True"
    if layer.self_attn.in_proj_bias is None:
        return "encoder_layer.self_attn was passed bias=False"
    if not layer.activation_relu_or_gelu:
        return "encoder_layer.activation_relu_or_gelu was not True"
    if layer.norm1.eps != layer.norm2.eps:
        return "encoder_layer.norm1.eps was not equal to encoder_layer.norm2.eps"
    if layer.self_attn.num_heads % 2 == 1:
        return "encoder_layer.self_attn.num_heads is odd"
    return ""


class TransformerEncoder(Module):
    """``num_layers`` deep copies of ``encoder_layer`` applied in turn, then
    ``norm`` if given, as PyTorch's ``nn.TransformerEncoder``:
    ``forward(src, mask=None, src_key_padding_mask=None, is_causal=None)``
    (``is_causal=None``: whether ``mask`` is the causal mask).
    ``enable_nested_tensor`` and ``mask_check`` are accepted and kept
    (symgrad has no nested tensors; PyTorch's warning about them is given).

    >>> import symgrad
    >>> from symgrad import nn
    >>> layer = nn.TransformerEncoderLayer(4, 2, dim_feedforward=8, dropout=0.0, batch_first=True)
    >>> encoder = nn.TransformerEncoder(layer, num_layers=2, norm=nn.LayerNorm(4))
    >>> sorted({name.split(".")[0] + "." + name.split(".")[1] for name in encoder.state_dict()})
    ['layers.0', 'layers.1', 'norm.bias', 'norm.weight']
    >>> encoder(symgrad.randn(2, 3, 4)).shape
    symgrad.Size([2, 3, 4])
    """

    def __init__(self, encoder_layer: TransformerEncoderLayer, num_layers: int, norm: Module | None = None,
                 enable_nested_tensor: bool = True, mask_check: bool = True) -> None:
        super().__init__()
        self.layers = _get_clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.use_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check
        why_not = _why_no_nested_tensor(encoder_layer)
        if enable_nested_tensor and why_not:
            warnings.warn(f"enable_nested_tensor is True, but self.use_nested_tensor is False because {why_not}",
                          UserWarning, stacklevel=2)
            self.use_nested_tensor = False

    def forward(self, src: Tensor, mask: Tensor | None = None, src_key_padding_mask: Tensor | None = None,
                is_causal: bool | None = None) -> Tensor:
        require_tensor(src, "TransformerEncoder", "src")
        src_key_padding_mask = _canonical_mask(src_key_padding_mask, "src_key_padding_mask", mask, "mask", src)
        mask = _canonical_mask(mask, "mask", None, "", src)
        seq_len = _get_seq_len(src, self.layers[0].self_attn.batch_first)
        is_causal = _detect_is_causal_mask(mask, is_causal, seq_len)
        output = src
        for mod in self.layers:
            output = mod(output, src_mask=mask, is_causal=is_causal, src_key_padding_mask=src_key_padding_mask)
        if self.norm is not None:
            output = self.norm(output)
        return output


class TransformerDecoder(Module):
    """``num_layers`` deep copies of ``decoder_layer`` applied in turn to
    ``tgt`` (each attending over ``memory``), then ``norm`` if given, as
    PyTorch's ``nn.TransformerDecoder``: ``forward(tgt, memory,
    tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
    memory_key_padding_mask=None, tgt_is_causal=None,
    memory_is_causal=False)``.

    >>> import symgrad
    >>> from symgrad import nn
    >>> decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(4, 2, 8, dropout=0.0), num_layers=2)
    >>> tgt, memory = symgrad.randn(3, 2, 4), symgrad.randn(5, 2, 4)
    >>> mask = nn.Transformer.generate_square_subsequent_mask(3)
    >>> decoder(tgt, memory, tgt_mask=mask).shape
    symgrad.Size([3, 2, 4])
    """

    def __init__(self, decoder_layer: TransformerDecoderLayer, num_layers: int, norm: Module | None = None) -> None:
        super().__init__()
        self.layers = _get_clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Tensor | None = None, memory_mask: Tensor | None = None,
                tgt_key_padding_mask: Tensor | None = None, memory_key_padding_mask: Tensor | None = None,
                tgt_is_causal: bool | None = None, memory_is_causal: bool = False) -> Tensor:
        require_tensor(tgt, "TransformerDecoder", "tgt")
        seq_len = _get_seq_len(tgt, self.layers[0].self_attn.batch_first)
        tgt_is_causal = _detect_is_causal_mask(tgt_mask, tgt_is_causal, seq_len)
        output = tgt
        for mod in self.layers:
            output = mod(output, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                         tgt_key_padding_mask=tgt_key_padding_mask, memory_key_padding_mask=memory_key_padding_mask,
                         tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)
        if self.norm is not None:
            output = self.norm(output)
        return output


class Transformer(Module):
    """An encoder-decoder transformer, as PyTorch's ``nn.Transformer``:
    ``num_encoder_layers`` encoder layers and ``num_decoder_layers`` decoder
    layers, each stack followed by a ``LayerNorm``, every parameter of more
    than one dim initialised Glorot-uniform.  ``forward(src, tgt,
    src_mask=None, tgt_mask=None, memory_mask=None,
    src_key_padding_mask=None, tgt_key_padding_mask=None,
    memory_key_padding_mask=None, src_is_causal=None, tgt_is_causal=None,
    memory_is_causal=False)``.

    >>> import symgrad
    >>> from symgrad import nn
    >>> model = nn.Transformer(d_model=4, nhead=2, num_encoder_layers=1, num_decoder_layers=1,
    ...                        dim_feedforward=8, dropout=0.0, batch_first=True)
    >>> src, tgt = symgrad.randn(2, 5, 4), symgrad.randn(2, 3, 4)
    >>> model(src, tgt, tgt_mask=model.generate_square_subsequent_mask(3)).shape
    symgrad.Size([2, 3, 4])
    >>> nn.Transformer.generate_square_subsequent_mask(3)
    tensor([[0., -inf, -inf],
            [0., 0., -inf],
            [0., 0., 0.]])
    """

    def __init__(self, d_model: int = 512, nhead: int = 8, num_encoder_layers: int = 6, num_decoder_layers: int = 6,
                 dim_feedforward: int = 2048, dropout: float = 0.1, activation: Activation = F.relu,
                 custom_encoder: Any | None = None, custom_decoder: Any | None = None, layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        args = (d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps, batch_first, norm_first, bias)
        factory = {"device": device, "dtype": dtype}
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            encoder_norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
            self.encoder = TransformerEncoder(TransformerEncoderLayer(*args, **factory), num_encoder_layers,
                                              encoder_norm)
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            decoder_norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
            self.decoder = TransformerDecoder(TransformerDecoderLayer(*args, **factory), num_decoder_layers,
                                              decoder_norm)
        self._reset_parameters()
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def forward(self, src: Tensor, tgt: Tensor, src_mask: Tensor | None = None, tgt_mask: Tensor | None = None,
                memory_mask: Tensor | None = None, src_key_padding_mask: Tensor | None = None,
                tgt_key_padding_mask: Tensor | None = None, memory_key_padding_mask: Tensor | None = None,
                src_is_causal: bool | None = None, tgt_is_causal: bool | None = None,
                memory_is_causal: bool = False) -> Tensor:
        require_tensor(src, "Transformer", "src")
        require_tensor(tgt, "Transformer", "tgt")
        is_batched = src.ndim == 3
        if is_batched and src.shape[0 if self.batch_first else 1] != tgt.shape[0 if self.batch_first else 1]:
            raise RuntimeError("the batch number of src and tgt must be equal")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise RuntimeError("the feature number of src and tgt must be equal to d_model")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=tgt_is_causal,
                            memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device: Any = None, dtype: Any = None) -> Tensor:
        """The causal mask of a sequence of ``sz``: ``-inf`` above the diagonal, 0 elsewhere, of ``dtype``
        (the default dtype when None)."""
        return _generate_square_subsequent_mask(sz, dtype=dtype, device=device)

    def _reset_parameters(self) -> None:
        """PyTorch's: Glorot uniform for every parameter of more than one dim."""
        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p)
