"""Helpers shared by the distributions: parameters made tensors and broadcast,
probabilities and logits, random numbers from symgrad's generator."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

import symgrad
from symgrad._tensor import Size, Tensor
from symgrad.creation import generator
from symgrad.ops._sympy import Exact, sp

__all__ = ["broadcast_all", "clamp_probs", "logits_to_probs", "probs_to_logits"]


def broadcast_all(*values: Any) -> tuple[Tensor, ...]:
    """Tensors and Python numbers broadcast to one shape (numbers become tensors
    of the tensors' dtype, or of the default dtype), as PyTorch's ``broadcast_all``.

    >>> from symgrad.distributions.utils import broadcast_all
    >>> import symgrad
    >>> [t.shape for t in broadcast_all(0., symgrad.zeros(2))]
    [symgrad.Size([2]), symgrad.Size([2])]
    """
    for v in values:
        if not isinstance(v, (Tensor, numbers.Number)) or isinstance(v, bool):
            raise ValueError("Input arguments must all be instances of numbers.Number or symgrad.Tensor, "
                             f"not {type(v).__name__}: pass symgrad.tensor(...) for arrays and lists")
    dtype = next((v.dtype for v in values if isinstance(v, Tensor)), symgrad.get_default_dtype())
    tensors = [v if isinstance(v, Tensor) else symgrad.tensor(float(v), dtype=dtype) for v in values]  # type: ignore[arg-type]
    shape = symgrad.broadcast_shapes(*(t.shape for t in tensors))
    return tuple(t if t.shape == shape else t.expand(shape) for t in tensors)


# Constants that appear in closed forms by their exact form (log(2*pi)/2, not 0.9189...; 1/2, not 0.5)
HALF = Exact(0.5, lambda: sp.Rational(1, 2))
MINUS_HALF = Exact(-0.5, lambda: sp.Rational(-1, 2))
SQRT_2 = Exact(math.sqrt(2), lambda: sp.sqrt(2))
SQRT_12 = Exact(12 ** 0.5, lambda: 2 * sp.sqrt(3))
LOG_SQRT_2PI = Exact(math.log(math.sqrt(2 * math.pi)), lambda: sp.log(2 * sp.pi) / 2)
HALF_LOG_2PI_E = Exact(0.5 + 0.5 * math.log(2 * math.pi), lambda: (1 + sp.log(2 * sp.pi)) / 2)


def n_log_2pi(n: int) -> float:
    return Exact(n * math.log(2 * math.pi), lambda: n * sp.log(2 * sp.pi))


def half_n_log_2pi_e(n: int) -> float:
    return Exact(0.5 * n * (1.0 + math.log(2 * math.pi)), lambda: n * (1 + sp.log(2 * sp.pi)) / 2)


def as_size(sample_shape: Any) -> Size:
    if isinstance(sample_shape, int) or not isinstance(sample_shape, (tuple, list)):
        raise TypeError(f"sample_shape must be a tuple of ints such as (n,) or symgrad.Size([n]), "
                        f"not {type(sample_shape).__name__}")
    return Size(sample_shape)


def finfo(t: Tensor) -> Any:
    return np.finfo(t.dtype.numpy)


def clamp_probs(probs: Tensor) -> Tensor:
    """Probabilities kept in [eps, 1 - eps], so that their logarithms are finite."""
    eps = float(finfo(probs).eps)
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    p = clamp_probs(probs)
    return p.log() - (-p).log1p() if is_binary else p.log()


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    return logits.sigmoid() if is_binary else logits.softmax(-1)


def numbers_like(values: np.ndarray, like: Tensor) -> Tensor:
    """Random numbers as a constant tensor of ``like``'s dtype."""
    return Tensor._make(np.asarray(values, dtype=like.dtype.numpy))


def standard_normal(shape: Size, like: Tensor) -> Tensor:
    return numbers_like(generator().standard_normal(tuple(shape)), like)


def uniform(shape: Size, like: Tensor, low: float = 0.0, high: float = 1.0) -> Tensor:
    return numbers_like(generator().uniform(low, high, tuple(shape)), like)


def sum_rightmost(value: Tensor, dim: int) -> Tensor:
    """``value`` summed over its last ``dim`` dimensions (``value`` itself for 0)."""
    return value.reshape(tuple(value.shape[:value.dim() - dim]) + (-1,)).sum(-1) if dim else value
