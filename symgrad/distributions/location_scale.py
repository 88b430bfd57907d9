"""What distributions of a location and a scale share (Normal, Laplace)."""

from __future__ import annotations

from typing import Any

from symgrad._tensor import Tensor
from symgrad.distributions import constraints
from symgrad.distributions.distribution import Distribution
from symgrad.distributions.utils import broadcast_all


class LocationScale(Distribution):
    """Real support, parameters ``loc`` (any real) and ``scale`` (positive),
    broadcast together; mean and mode are ``loc``.  Subclasses give the rest."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(self.loc.shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc
