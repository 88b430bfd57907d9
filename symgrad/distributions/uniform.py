"""The continuous uniform distribution."""

from __future__ import annotations

from typing import Any

import symgrad
from symgrad._tensor import Tensor
from symgrad.distributions import constraints
from symgrad.distributions.distribution import Distribution
from symgrad.distributions.utils import SQRT_12, broadcast_all, uniform

__all__ = ["Uniform"]


class Uniform(Distribution):
    """Uniform distribution on the half-open interval ``[low, high)``.

    >>> import symgrad
    >>> from symgrad.distributions import Uniform
    >>> d = Uniform(0., 4., validate_args=False)  # (5 is outside the support: an error otherwise)
    >>> d.log_prob(symgrad.tensor([1., 5.])), d.mean, d.variance
    (tensor([-1.3863,    -inf]), tensor(2.), tensor(1.3333))
    """

    has_rsample = True

    def __init__(self, low: Any, high: Any, validate_args: bool | None = None) -> None:
        self.low, self.high = broadcast_all(low, high)
        super().__init__(self.low.shape, validate_args=validate_args)

    @property
    def arg_constraints(self) -> dict[str, Any]:  # type: ignore[override]
        return {"low": constraints.less_than(self.high), "high": constraints.greater_than(self.low)}

    @constraints.dependent_property
    def support(self) -> Any:
        return constraints.interval(self.low, self.high)

    @property
    def mean(self) -> Tensor:
        return (self.high + self.low) / 2

    @property
    def mode(self) -> Tensor:
        return (self.high + self.low) * float("nan")

    @property
    def stddev(self) -> Tensor:
        return (self.high - self.low) / SQRT_12

    @property
    def variance(self) -> Tensor:
        return (self.high - self.low).pow(2) / 12

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        return self.low.expand(shape) + uniform(shape, self.low) * (self.high - self.low).expand(shape)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        # log(1) or log(0) as a constant, as PyTorch's log of its 0/1 mask (without NumPy's log(0) warning)
        inside = (self.low <= value) & (self.high > value)
        log_inside = symgrad.where(inside, 0.0, float("-inf")).to(self.low.dtype)
        return log_inside - (self.high - self.low).log()

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return ((value - self.low) / (self.high - self.low)).clamp(min=0, max=1)

    def icdf(self, value: Tensor) -> Tensor:
        return value * (self.high - self.low) + self.low

    def entropy(self) -> Tensor:
        return (self.high - self.low).log()
