"""The geometric distribution: failures before the first success."""

from __future__ import annotations

from typing import Any

import numpy as np

import symgrad
from symgrad._tensor import Tensor
from symgrad.distributions import constraints
from symgrad.distributions.bernoulli import BinaryProbsOrLogits, one_of
from symgrad.distributions.utils import broadcast_all, finfo, uniform

__all__ = ["Geometric"]


class Geometric(BinaryProbsOrLogits):
    """Number of failures before the first success of Bernoulli trials with
    success probability ``probs`` (or ``sigmoid(logits)``): ``P(k) = (1 - p)**k * p``.

    >>> import symgrad
    >>> from symgrad.distributions import Geometric
    >>> d = Geometric(probs=symgrad.tensor(0.25))
    >>> d.log_prob(symgrad.tensor(2.)), d.mean, d.variance
    (tensor(-1.9617), tensor(3.), tensor(12.))
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, probs: Any = None, logits: Any = None, validate_args: bool | None = None) -> None:
        one_of(probs, logits)
        if probs is not None:
            (self.probs,) = broadcast_all(probs)
        else:
            (self.logits,) = broadcast_all(logits)
        super().__init__(self._param().shape, validate_args=validate_args)
        if self._validate_args and probs is not None:
            numbers = self.probs.detach().numpy()
            if not (numbers > 0).all():
                raise ValueError(f"Expected parameter probs ({type(self.probs).__name__} of shape "
                                 f"{tuple(self.probs.shape)}) of distribution {self!r} to be positive but found "
                                 f"invalid values:\n{symgrad.tensor(numbers[~(numbers > 0)])}")

    @property
    def mean(self) -> Tensor:
        return 1.0 / self.probs - 1.0

    @property
    def mode(self) -> Tensor:
        return self.probs * 0

    @property
    def variance(self) -> Tensor:
        return (1.0 / self.probs - 1.0) / self.probs

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        with symgrad.no_grad(), np.errstate(divide="ignore"):  # (p = 1: log1p(-1) = -inf, every sample 0)
            u = uniform(shape, self.probs, float(finfo(self.probs).tiny), 1.0)
            return (u.log() / (-self.probs).log1p()).floor()

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        value, probs = broadcast_all(value, self.probs)
        certain = (probs.detach().numpy() == 1) & (value.detach().numpy() == 0)
        if certain.any():  # (0 failures at p = 1: 0, not 0 * -inf; p made 0 there first, as PyTorch does)
            probs = symgrad.where(symgrad.tensor(certain), 0.0, probs)
        return value * (-probs).log1p() + self.probs.log()

    def entropy(self) -> Tensor:
        from symgrad.nn.functional import binary_cross_entropy_with_logits

        return binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none") / self.probs
