"""The functions behind ``nn.Embedding``, ``nn.LayerNorm``, ``nn.GroupNorm`` and ``nn.Bilinear``
(``F.embedding``, ``F.layer_norm``, ``F.group_norm``, ``F.bilinear``), composed of symgrad ops: an embedding
is indexing (its gradient adds the rows' gradients up), a layer norm a mean,
a variance and ``rsqrt``, so both have closed forms."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import symgrad.ops as ops
from symgrad._tensor import Size, Tensor
from symgrad.nn._checks import require_tensor
from symgrad.nn._in_place import write_in_place
from symgrad.ops.positions import picked

__all__ = ["embedding", "layer_norm", "group_norm", "bilinear"]


def _indices(input: Tensor) -> np.ndarray:
    v = input._value
    if v.dtype not in (np.int32, np.int64):
        kind = {"f": "Float" if v.dtype == np.float32 else "Double", "b": "Bool"}.get(v.dtype.kind, str(v.dtype))
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got torch.{kind}Tensor instead (while checking arguments for embedding); "
                           "convert the indices with .long()")
    return v


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None, max_norm: float | None = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """The rows of ``weight`` at the integer positions ``input``
    (``weight[input]``); the row ``padding_idx`` gets no gradient.  With
    ``max_norm``, the rows looked up whose ``norm_type``-norm exceeds it are
    first scaled down to it in ``weight`` itself, in place and outside
    autograd, as PyTorch does.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> w = symgrad.tensor([[1., 2.], [3., 4.], [5., 6.]], requires_grad=True)
    >>> F.embedding(symgrad.tensor([2, 0]), w).expr
    [[w[2, 0], w[2, 1]], [w[0, 0], w[0, 1]]]
    >>> F.embedding(symgrad.tensor([1]), w, max_norm=1.0)
    tensor([[0.6000, 0.8000]], grad_fn=<IndexBackward0>)
    >>> w
    tensor([[1.0000, 2.0000],
            [0.6000, 0.8000],
            [5.0000, 6.0000]], requires_grad=True)
    """
    require_tensor(input, "embedding")
    require_tensor(weight, "embedding", "weight")
    refuse_sparse(sparse, "embedding")
    if scale_grad_by_freq:
        raise NotImplementedError("embedding(scale_grad_by_freq=True) is not provided by symgrad (the gradient "
                                  "would differ from the closed form of the output); scale the loss instead, or "
                                  "drop the argument")
    idx = _indices(input)
    if idx.size and (idx.min() < 0 or idx.max() >= weight.shape[0]):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _renormalize(weight, idx, max_norm, norm_type)
    out = weight[input]
    if padding_idx is None:
        return out
    if not -weight.shape[0] <= padding_idx < weight.shape[0]:
        raise AssertionError("Padding_idx must be within num_embeddings")
    padded = picked(idx == padding_idx % weight.shape[0], input)
    if not padded.any():
        return out
    # the padding rows keep their values, as constants: no gradient reaches weight[padding_idx]
    return ops.index_put(out, (padded,), weight.detach()[input][padded])


def refuse_sparse(sparse: bool, fn: str) -> None:
    """``sparse=True`` asks for a sparse gradient, which symgrad does not have: refused, never ignored."""
    if sparse:
        raise NotImplementedError(f"{fn}(sparse=True): symgrad has no sparse gradients; use sparse=False (the "
                                  "dense gradient holds the same numbers) and an optimizer for dense gradients "
                                  "(optim.Adam rather than optim.SparseAdam)")


def _renormalize(weight: Tensor, idx: np.ndarray, max_norm: float, norm_type: float) -> None:
    """PyTorch's ``embedding_renorm_``: each row looked up whose ``norm_type``-norm
    exceeds ``max_norm`` is scaled by ``max_norm / (norm + 1e-7)``, in place and
    outside autograd (as PyTorch does it, under ``no_grad``)."""
    if weight.grad_fn is not None:
        raise RuntimeError("embedding(max_norm=...) renormalises the rows of weight in place, outside autograd; "
                           "weight must be a leaf (an nn.Parameter or a tensor without history), not the result "
                           "of an operation (its closed form would no longer match its numbers); renormalise the "
                           "leaf it is computed from (under symgrad.no_grad()), or drop max_norm")
    w = weight._value
    rows = np.unique(idx)
    norms = np.linalg.norm(w[rows], ord=norm_type, axis=1).astype(np.float64)  # in the weight's dtype, as PyTorch
    big = norms > max_norm
    if big.any():
        new = w.copy()
        new[rows[big]] = w[rows[big]] * (max_norm / (norms[big] + 1e-7)).astype(w.dtype)[:, None]
        write_in_place(weight, new)


def _normalized_dims(input: Tensor, normalized_shape: Any) -> tuple[int, ...]:
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    n = len(shape)
    if n == 0 or tuple(input.shape[input.ndim - n:]) != shape or input.ndim < n:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape [*"
                           + "".join(f", {s}" for s in shape) + f"], but got input of size{list(input.shape)}")
    return tuple(range(input.ndim - n, input.ndim))


def layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """``(x - mean) / sqrt(var + eps) * weight + bias`` over the last
    ``len(normalized_shape)`` dims (the biased variance, as PyTorch).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.layer_norm(symgrad.tensor([[1., 3.]]), (2,))
    tensor([[-1.0000,  1.0000]])
    """
    require_tensor(input, "layer_norm")
    if not input.is_floating_point():
        raise NotImplementedError(f"\"LayerNormKernelImpl\" not implemented for '{input.dtype.name}' (as in "
                                  "PyTorch); convert with .double() first")
    return affine(normalized(input, _normalized_dims(input, normalized_shape), eps), weight, bias)


def normalized(input: Tensor, dims: tuple[int, ...], eps: float) -> Tensor:
    """``(x - mean) / sqrt(var + eps)`` over ``dims``, with the biased variance
    (layer and batch normalisation), composed of symgrad ops."""
    centred = input - input.mean(dims, keepdim=True)
    variance = (centred * centred).mean(dims, keepdim=True)
    return centred * ops.rsqrt(variance + eps)


def affine(out: Tensor, weight: Tensor | None, bias: Tensor | None) -> Tensor:
    """``out * weight + bias``, either part left out when None."""
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out




def verify_batch_size(size: tuple[int, ...]) -> None:
    """Training needs more than one value per channel (the variance of one value is 0)."""
    if size[0] * math.prod(size[2:]) == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {Size(size)}")


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """``(x - mean) / sqrt(var + eps)`` over each group of ``C / num_groups``
    channels (dim 1) of each sample (with all their positions), then
    ``* weight + bias`` per channel (the biased variance, as PyTorch).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> F.group_norm(symgrad.tensor([[1., 3., 0., 4.]]), 2)
    tensor([[-1.0000,  1.0000, -1.0000,  1.0000]])
    """
    require_tensor(input, "group_norm")
    if input.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.ndim}")
    if not input.is_floating_point():
        raise NotImplementedError(f"\"GroupNormKernelImpl\" not implemented for '{input.dtype.name}' (as in "
                                  "PyTorch); convert with .double() first")
    channels = input.shape[1]
    if num_groups <= 0 or channels % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input of "
                           f"shape {list(input.shape)} and num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(require_tensor(t, "group_norm", name).shape) != (channels,):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels in input, "
                               f"but got {name} of shape {list(t.shape)} and input of shape {list(input.shape)}")
    # PyTorch's check, on (N * C / G, G, *spatial): one value per group has no variance to normalise by
    verify_batch_size((input.shape[0] * channels // num_groups, num_groups, *input.shape[2:]))
    grouped = input.reshape(input.shape[0], num_groups, -1)
    out = normalized(grouped, (2,), eps).reshape(tuple(input.shape))
    per_channel = (channels,) + (1,) * (input.ndim - 2)
    return affine(out, None if weight is None else weight.reshape(per_channel),
                  None if bias is None else bias.reshape(per_channel))


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``y[..., o] = sum_ij x1[..., i] * weight[o, i, j] * x2[..., j] + bias[o]``.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> w = symgrad.tensor([[[1., 2.], [3., 4.]]], requires_grad=True)
    >>> F.bilinear(symgrad.tensor([1., 0.]), symgrad.tensor([0., 1.]), w).expr
    [w[0, 0, 1]]
    """
    for name, t in (("input1", input1), ("input2", input2), ("weight", weight)):
        require_tensor(t, "bilinear", name)
    if weight.ndim != 3:
        raise RuntimeError(f"bilinear(): weight must be three-dimensional (out_features, in1_features, "
                           f"in2_features), got {weight.ndim} dimensions")
    if input1.ndim != input2.ndim:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.ndim} and {input2.ndim}")
    for d in range(input1.ndim - 1):
        if input1.shape[d] != input2.shape[d]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {d}: got "
                               f"{input1.shape[d]} and {input2.shape[d]}")
    for i, (x, size) in enumerate(((input1, weight.shape[1]), (input2, weight.shape[2])), start=1):
        if x.ndim == 0 or x.shape[-1] != size:
            got = x.shape[-1] if x.ndim else "a 0-d tensor"
            raise RuntimeError(f"bilinear(): input{i} size does not match weight size: got {got} but expected {size}")
    out = ops.einsum("...i,oij,...j->...o", input1, weight, input2)
    return out if bias is None else out + bias
