"""The gamma distribution."""

from __future__ import annotations

from typing import Any

import numpy as np

import symgrad
from symgrad._tensor import Tensor
from symgrad.creation import generator
from symgrad.distributions import constraints
from symgrad.distributions.distribution import Distribution
from symgrad.distributions.utils import broadcast_all, finfo, numbers_like

__all__ = ["Gamma"]


class Gamma(Distribution):
    """Gamma distribution with shape ``concentration`` and inverse scale ``rate``.

    ``sample`` draws with NumPy's generator (symgrad's seed); there is no
    ``rsample`` (the sample is not differentiable in the parameters).

    >>> import symgrad
    >>> from symgrad.distributions import Gamma
    >>> d = Gamma(2., 3.)
    >>> d.log_prob(symgrad.tensor(0.5)), d.mean, d.variance
    (tensor(0.0041), tensor(0.6667), tensor(0.2222))
    """

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative

    def __init__(self, concentration: Any, rate: Any, validate_args: bool | None = None) -> None:
        self.concentration, self.rate = broadcast_all(concentration, rate)
        super().__init__(self.concentration.shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.rate

    @property
    def mode(self) -> Tensor:
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self) -> Tensor:
        return self.concentration / self.rate.pow(2)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        a, rate = np.broadcast_to(self.concentration.data, shape), np.broadcast_to(self.rate.data, shape)
        x = generator().standard_gamma(a, shape) / rate
        return numbers_like(np.maximum(x, finfo(self.rate).tiny), self.rate)  # (PyTorch's clamp: no zeros)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        a, rate = self.concentration, self.rate
        return symgrad.xlogy(a, rate) + symgrad.xlogy(a - 1, value) - rate * value - a.lgamma()

    def entropy(self) -> Tensor:
        a = self.concentration
        return a - self.rate.log() + a.lgamma() + (1.0 - a) * a.digamma()
