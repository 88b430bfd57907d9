"""The Poisson distribution."""

from __future__ import annotations

from typing import Any

import numpy as np

import symgrad
from symgrad._tensor import Tensor
from symgrad.creation import generator
from symgrad.distributions import constraints
from symgrad.distributions.distribution import Distribution
from symgrad.distributions.utils import broadcast_all, numbers_like

__all__ = ["Poisson"]


class Poisson(Distribution):
    """Poisson distribution with ``rate``: ``P(k) = rate**k * exp(-rate) / k!`` for k = 0, 1, ...

    Samples are whole numbers in the parameters' float dtype, as PyTorch's.

    >>> import symgrad
    >>> from symgrad.distributions import Poisson
    >>> rate = symgrad.tensor(2., requires_grad=True)
    >>> Poisson(rate).log_prob(symgrad.tensor(3.))
    tensor(-1.7123, grad_fn=<SubBackward0>)
    """

    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate)
        super().__init__(self.rate.shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.rate

    @property
    def mode(self) -> Tensor:
        return self.rate.floor()

    @property
    def variance(self) -> Tensor:
        return self.rate

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        return numbers_like(generator().poisson(np.broadcast_to(self.rate.detach().numpy(), shape)), self.rate)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        rate, value = broadcast_all(self.rate, value)
        return symgrad.xlogy(value, rate) - rate - (value + 1).lgamma()
