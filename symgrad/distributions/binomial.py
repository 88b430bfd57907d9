"""The binomial distribution: successes in ``total_count`` Bernoulli trials."""

from __future__ import annotations

from typing import Any

import numpy as np

import symgrad
from symgrad._tensor import Tensor
from symgrad.creation import generator
from symgrad.distributions import constraints
from symgrad.distributions.bernoulli import BinaryProbsOrLogits, one_of
from symgrad.distributions.utils import broadcast_all, numbers_like

__all__ = ["Binomial"]


class Binomial(BinaryProbsOrLogits):
    """Binomial distribution: successes in ``total_count`` trials of probability
    ``probs`` (or ``sigmoid(logits)``); ``total_count`` broadcasts with them.

    ``log_prob`` is ``k*logits - n*log(1 + exp(logits)) + log(n choose k)``
    (PyTorch's numbers; its closed form reads as the textbook's).

    >>> import symgrad
    >>> from symgrad.distributions import Binomial
    >>> d = Binomial(10, probs=symgrad.tensor([0.2, 0.5]))
    >>> d.log_prob(symgrad.tensor([2., 5.])), d.mean, d.variance
    (tensor([-1.1974, -1.4020]), tensor([2., 5.]), tensor([1.6000, 2.5000]))
    """

    arg_constraints = {"total_count": constraints.nonnegative_integer, "probs": constraints.unit_interval,
                       "logits": constraints.real}
    has_enumerate_support = True

    def __init__(self, total_count: Any = 1, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        one_of(probs, logits)
        if probs is not None:
            total_count, self.probs = broadcast_all(total_count, probs)
        else:
            total_count, self.logits = broadcast_all(total_count, logits)
        self.total_count = total_count.to(self._param().dtype)
        super().__init__(self._param().shape, validate_args=validate_args)

    @constraints.dependent_property
    def support(self) -> Any:
        return constraints.integer_interval(0, self.total_count)

    @property
    def param_shape(self) -> Any:
        return self._param().shape

    @property
    def mean(self) -> Tensor:
        return self.total_count * self.probs

    @property
    def mode(self) -> Tensor:
        return ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count)

    @property
    def variance(self) -> Tensor:
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        n = np.broadcast_to(self.total_count.detach().numpy(), shape).astype(np.int64)
        p = np.broadcast_to(self.probs.detach().numpy(), shape)
        return numbers_like(generator().binomial(n, p), self._param())

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        n, logits = self.total_count, self.logits
        log_choose = (n + 1).lgamma() - (value + 1).lgamma() - (n - value + 1).lgamma()
        return value * logits - n * symgrad.logaddexp(symgrad.zeros_like(logits), logits) + log_choose

    def entropy(self) -> Tensor:
        log_prob = self.log_prob(self._support_values(False, "entropy"))
        return -(log_prob.exp() * log_prob).sum(0)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        return self._support_values(expand, "enumerate_support")

    def _support_values(self, expand: bool, caller: str) -> Tensor:
        counts = self.total_count.detach().numpy()
        if counts.size and counts.min() != counts.max():
            raise NotImplementedError(f"Inhomogeneous total count not supported by `{caller}`.")
        n = int(counts.max()) if counts.size else 0
        values = symgrad.arange(1 + n, dtype=self._param().dtype).reshape((-1,) + (1,) * len(self.batch_shape))
        return values.expand((-1,) + tuple(self.batch_shape)) if expand else values
