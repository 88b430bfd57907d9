"""The beta distribution."""

from __future__ import annotations

from typing import Any

import numpy as np

import symgrad
from symgrad._tensor import Tensor
from symgrad.creation import generator
from symgrad.distributions import constraints
from symgrad.distributions.distribution import Distribution
from symgrad.distributions.utils import broadcast_all, numbers_like

__all__ = ["Beta"]


class Beta(Distribution):
    """Beta distribution on [0, 1] with ``concentration1`` (alpha) and ``concentration0`` (beta).

    ``sample`` draws with NumPy's generator (symgrad's seed); there is no ``rsample``.

    >>> import symgrad
    >>> from symgrad.distributions import Beta
    >>> d = Beta(2., 3.)
    >>> d.log_prob(symgrad.tensor(0.25)), d.mean, d.entropy()
    (tensor(0.5232), tensor(0.4000), tensor(-0.2349))
    """

    arg_constraints = {"concentration1": constraints.positive, "concentration0": constraints.positive}
    support = constraints.unit_interval

    def __init__(self, concentration1: Any, concentration0: Any, validate_args: bool | None = None) -> None:
        self.concentration1, self.concentration0 = broadcast_all(concentration1, concentration0)
        super().__init__(self.concentration1.shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def variance(self) -> Tensor:
        a, b = self.concentration1, self.concentration0
        total = a + b
        return a * b / (total.pow(2) * (total + 1))

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        a, b = (np.broadcast_to(c.data, shape) for c in (self.concentration1, self.concentration0))
        x = generator().beta(a, b, shape)
        eps = np.finfo(self.concentration1.dtype.numpy).eps
        return numbers_like(np.clip(x, eps, 1 - eps), self.concentration1)  # (PyTorch's clamp)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        a, b = self.concentration1, self.concentration0
        return (symgrad.xlogy(a - 1, value) + symgrad.xlogy(b - 1, 1 - value)
                + (a + b).lgamma() - a.lgamma() - b.lgamma())

    def entropy(self) -> Tensor:
        a, b = self.concentration1, self.concentration0
        total = a + b
        return (a.lgamma() + b.lgamma() - total.lgamma() - (2 - total) * total.digamma()
                - (a - 1) * a.digamma() - (b - 1) * b.digamma())
