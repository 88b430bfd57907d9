"""``Embedding``: a table of learned vectors looked up by integer positions
(PyTorch's module of that name lives in ``torch/nn/modules/sparse.py``)."""

from __future__ import annotations

from typing import Any

from symgrad import dtypes as _dt
from symgrad._tensor import Tensor
from symgrad.creation import empty
from symgrad.device import device as _device
from symgrad.grad_mode import no_grad
from symgrad.nn import functional as F  # noqa: N812 - PyTorch's convention
from symgrad.nn import init
from symgrad.nn._checks import check_int
from symgrad.nn.layer_functions import refuse_sparse
from symgrad.nn.module import Module
from symgrad.nn.parameter import Parameter

__all__ = ["Embedding"]


def _padding_index(padding_idx: int | None, num_embeddings: int) -> int | None:
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise AssertionError("Padding_idx must be within num_embeddings")
    return padding_idx % num_embeddings


class Embedding(Module):
    """``weight[input]``: row ``i`` of ``weight`` (``num_embeddings`` x
    ``embedding_dim``) for each integer ``i`` of the input.  Initialised as
    PyTorch does, from symgrad's generator: standard normal, and the row
    ``padding_idx`` zero (it gets no gradient).  With ``max_norm``, each
    forward first scales the rows it looks up down to that norm, in
    ``weight`` itself (outside autograd, as PyTorch).  ``sparse=True`` is
    refused: symgrad's gradients are dense.

    >>> import symgrad
    >>> from symgrad import nn
    >>> emb = nn.Embedding(10, 3, padding_idx=0)
    >>> emb
    Embedding(10, 3, padding_idx=0)
    >>> emb(symgrad.tensor([[0, 2]])).shape
    symgrad.Size([1, 2, 3])
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                 sparse: bool = False, _weight: Tensor | None = None, _freeze: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        refuse_sparse(sparse, "Embedding")
        self.num_embeddings = check_int(num_embeddings, "Embedding: num_embeddings")
        self.embedding_dim = check_int(embedding_dim, "Embedding: embedding_dim")
        self.padding_idx = _padding_index(padding_idx, num_embeddings)
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        if device is not None:
            _device(device)
        if _weight is None:
            d = _dt.get_default_dtype() if dtype is None else _dt.as_dtype(dtype)
            self.weight = Parameter(empty(num_embeddings, embedding_dim, dtype=d), requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise AssertionError("Shape of weight does not match num_embeddings and embedding_dim")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        """Draw new initial values (standard normal, the padding row zero)."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx].fill_(0)

    def forward(self, input: Tensor) -> Tensor:
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                           self.scale_grad_by_freq, self.sparse)

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            text += ", scale_grad_by_freq=True"
        if self.sparse:
            text += ", sparse=True"
        return text

    @classmethod
    def from_pretrained(cls, embeddings: Tensor, freeze: bool = True, padding_idx: int | None = None,
                        max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                        sparse: bool = False) -> Embedding:
        """An ``Embedding`` whose weight is ``embeddings`` (2-d), frozen unless ``freeze=False``."""
        if embeddings.ndim != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        return cls(rows, cols, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse, _weight=embeddings,
                   _freeze=freeze)
