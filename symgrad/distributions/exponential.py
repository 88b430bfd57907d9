"""The exponential distribution."""

from __future__ import annotations

from typing import Any

from symgrad._tensor import Tensor
from symgrad.creation import generator
from symgrad.distributions import constraints
from symgrad.distributions.distribution import Distribution
from symgrad.distributions.utils import broadcast_all, numbers_like

__all__ = ["Exponential"]


class Exponential(Distribution):
    """Exponential distribution with ``rate``: density ``rate * exp(-rate * x)`` for ``x >= 0``.

    >>> import symgrad
    >>> from symgrad.distributions import Exponential
    >>> d = Exponential(2.)
    >>> d.log_prob(symgrad.tensor(1.)), d.mean, d.entropy()
    (tensor(-1.3069), tensor(0.5000), tensor(0.3069))
    """

    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate)
        super().__init__(self.rate.shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.rate.reciprocal()

    @property
    def mode(self) -> Tensor:
        return self.rate * 0

    @property
    def stddev(self) -> Tensor:
        return self.rate.reciprocal()

    @property
    def variance(self) -> Tensor:
        return self.rate.pow(-2)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        return numbers_like(generator().standard_exponential(tuple(shape)), self.rate) / self.rate.expand(shape)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return self.rate.log() - self.rate * value

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return 1 - (-self.rate * value).exp()

    def icdf(self, value: Tensor) -> Tensor:
        return -(-value).log1p() / self.rate

    def entropy(self) -> Tensor:
        return 1.0 - self.rate.log()
