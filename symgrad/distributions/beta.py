"""The beta distribution."""

from __future__ import annotations

from typing import Any

import symgrad
from symgrad._tensor import Tensor
from symgrad.distributions import constraints
from symgrad.distributions.distribution import Distribution
from symgrad.distributions.implicit import standard_gamma
from symgrad.distributions.utils import broadcast_all, finfo

__all__ = ["Beta"]


class Beta(Distribution):
    """Beta distribution on [0, 1] with ``concentration1`` (alpha) and ``concentration0`` (beta).

    ``rsample`` is ``X / (X + Y)`` of X ~ Gamma(concentration1), Y ~ Gamma(concentration0)
    with implicit gradients (``symgrad.distributions.implicit``): exact pathwise gradients
    of this sampler, unbiased, but not PyTorch's per-sample numbers (PyTorch
    differentiates another path to the same distribution).

    >>> import symgrad
    >>> from symgrad.distributions import Beta
    >>> d = Beta(2., 3.)
    >>> d.log_prob(symgrad.tensor(0.25)), d.mean, d.entropy()
    (tensor(0.5232), tensor(0.4000), tensor(-0.2349))
    """

    arg_constraints = {"concentration1": constraints.positive, "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

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

    @property
    def mode(self) -> Tensor:
        from symgrad.distributions.dirichlet import Dirichlet

        pair = symgrad.stack([self.concentration1, self.concentration0], -1)
        return Dirichlet(pair, validate_args=False).mode[..., 0]  # (PyTorch's, at a, b < 1 too)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        x = standard_gamma(self.concentration1, shape)
        return x / (x + standard_gamma(self.concentration0, shape))

    def sample(self, sample_shape: Any = ()) -> Tensor:
        eps = float(finfo(self.concentration1).eps)
        return super().sample(sample_shape).clamp(eps, 1 - eps)  # (finite log_prob at the sample)

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
