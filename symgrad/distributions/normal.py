"""The normal distribution."""

from __future__ import annotations

from typing import Any

from symgrad._tensor import Tensor
from symgrad.distributions.location_scale import LocationScale
from symgrad.distributions.utils import HALF, HALF_LOG_2PI_E, LOG_SQRT_2PI, SQRT_2, standard_normal

__all__ = ["Normal"]


class Normal(LocationScale):
    """Normal (Gaussian) distribution with mean ``loc`` and standard deviation ``scale``.

    ``log_prob`` is the textbook formula in the parameters' symbols, and
    ``rsample`` is ``loc + eps * scale`` (differentiable in both).

    >>> import symgrad
    >>> from symgrad.distributions import Normal
    >>> mu = symgrad.tensor(0., requires_grad=True)
    >>> sigma = symgrad.tensor(1., requires_grad=True)
    >>> d = Normal(mu, sigma)
    >>> d.log_prob(symgrad.tensor(0.5))
    tensor(-1.0439, grad_fn=<SubBackward0>)
    >>> d.entropy()
    tensor(1.4189, grad_fn=<AddBackward0>)
    >>> _ = symgrad.manual_seed(0)
    >>> d.rsample((3,)).shape
    symgrad.Size([3])
    """

    @property
    def stddev(self) -> Tensor:
        return self.scale

    @property
    def variance(self) -> Tensor:
        return self.stddev.pow(2)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        return self.loc.expand(shape) + standard_normal(shape, self.loc) * self.scale.expand(shape)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return -((value - self.loc) ** 2) / (2 * self.scale ** 2) - self.scale.log() - LOG_SQRT_2PI

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return HALF * (1 + ((value - self.loc) / (self.scale * SQRT_2)).erf())

    def icdf(self, value: Tensor) -> Tensor:
        return self.loc + self.scale * (2 * value - 1).erfinv() * SQRT_2

    def entropy(self) -> Tensor:
        return HALF_LOG_2PI_E + self.scale.log()
