"""The Laplace distribution."""

from __future__ import annotations

from typing import Any

from symgrad._tensor import Tensor
from symgrad.distributions.location_scale import LocationScale
from symgrad.distributions.utils import HALF, SQRT_2, finfo, uniform

__all__ = ["Laplace"]


class Laplace(LocationScale):
    """Laplace distribution: density ``exp(-|x - loc| / scale) / (2 * scale)``.

    >>> import symgrad
    >>> from symgrad.distributions import Laplace
    >>> d = Laplace(0., 2.)
    >>> d.log_prob(symgrad.tensor(1.)), d.variance
    (tensor(-1.8863), tensor(8.))
    """

    @property
    def variance(self) -> Tensor:
        return 2 * self.scale.pow(2)

    @property
    def stddev(self) -> Tensor:
        return SQRT_2 * self.scale

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        u = uniform(shape, self.loc, float(finfo(self.loc).eps) - 1, 1)  # (PyTorch's range: log1p(-|u|) finite)
        return self.loc.expand(shape) - self.scale.expand(shape) * u.sign() * (-u.abs()).log1p()

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return HALF - HALF * (value - self.loc).sign() * (-(value - self.loc).abs() / self.scale).expm1()

    def icdf(self, value: Tensor) -> Tensor:
        term = value - HALF
        return self.loc - self.scale * term.sign() * (-2 * term.abs()).log1p()

    def entropy(self) -> Tensor:
        return 1 + (2 * self.scale).log()
