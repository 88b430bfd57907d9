"""The categorical distribution over ``0 .. K-1``, by probabilities or logits."""

from __future__ import annotations

from typing import Any

import numpy as np

import symgrad
from symgrad._tensor import Tensor
from symgrad.creation import generator
from symgrad.distributions import constraints
from symgrad.distributions.bernoulli import one_of
from symgrad.distributions.distribution import Distribution, full_nan
from symgrad.distributions.utils import finfo, logits_to_probs, probs_to_logits

__all__ = ["Categorical"]


class Categorical(Distribution):
    """Categorical distribution over the last dimension of ``probs`` or ``logits``
    (``K`` categories; the leading dimensions are the batch).

    ``probs`` are normalised to sum to 1, ``logits`` to ``logsumexp`` 0, as
    PyTorch's; samples are int64 category indices.

    >>> import symgrad
    >>> from symgrad.distributions import Categorical
    >>> d = Categorical(probs=symgrad.tensor([1., 1., 2.]))
    >>> d.probs
    tensor([0.2500, 0.2500, 0.5000])
    >>> d.log_prob(symgrad.tensor(2)), d.entropy()
    (tensor(-0.6931), tensor(1.0397))
    >>> _ = symgrad.manual_seed(0)
    >>> d.sample((4,)).dtype
    symgrad.int64
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.independent(constraints.real, 1)}
    has_enumerate_support = True

    def __init__(self, probs: Any = None, logits: Any = None, validate_args: bool | None = None) -> None:
        one_of(probs, logits)
        if probs is not None:
            probs = _at_least_1d(probs, "probs")
            self.probs = probs / probs.sum(-1, keepdim=True)
            param = self.probs
        else:
            logits = _at_least_1d(logits, "logits")
            self.logits = logits - logits.logsumexp(dim=-1, keepdim=True)
            param = self.logits
        self._num_events = param.shape[-1]
        super().__init__(param.shape[:-1], validate_args=validate_args)

    def __getattr__(self, name: str) -> Any:
        # the parameter not given, computed once on first use (PyTorch's lazy_property)
        if name == "probs" and "logits" in self.__dict__:
            self.probs = logits_to_probs(self.logits)
            return self.probs
        if name == "logits" and "probs" in self.__dict__:
            self.logits = probs_to_logits(self.probs)
            return self.logits
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    @constraints.dependent_property
    def support(self) -> Any:
        return constraints.integer_interval(0, self._num_events - 1)

    @property
    def param_shape(self) -> Any:
        return self.batch_shape + (self._num_events,)

    @property
    def mean(self) -> Tensor:
        return full_nan(self._extended_shape(), self.probs)

    @property
    def mode(self) -> Tensor:
        return self.probs.argmax(dim=-1)

    @property
    def variance(self) -> Tensor:
        return full_nan(self._extended_shape(), self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        p = np.broadcast_to(self.probs.data, shape + (self._num_events,))
        cumulative = np.cumsum(p, axis=-1)
        u = generator().random(shape + (1,)) * cumulative[..., -1:]
        index = np.minimum((cumulative <= u).sum(-1), self._num_events - 1)
        return symgrad.tensor(index, dtype=symgrad.int64)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        index = value.long().unsqueeze(-1)
        shape = symgrad.broadcast_shapes(index.shape, self.logits.shape)
        index = index.expand(shape[:-1] + (1,))
        return self.logits.expand(shape).gather(-1, index).squeeze(-1)

    def entropy(self) -> Tensor:
        logits = self.logits.clamp(min=float(finfo(self.logits).min))
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        values = symgrad.arange(self._num_events, dtype=symgrad.int64).reshape(
            (-1,) + (1,) * len(self.batch_shape))
        return values.expand((-1,) + tuple(self.batch_shape)) if expand else values


def _at_least_1d(param: Any, name: str) -> Tensor:
    if not isinstance(param, Tensor):
        raise TypeError(f"Categorical: `{name}` must be a Tensor of shape (..., K), not {type(param).__name__}: "
                        f"wrap it with symgrad.tensor(...)")
    if param.dim() < 1:
        raise ValueError(f"`{name}` parameter must be at least one-dimensional.")
    return param
