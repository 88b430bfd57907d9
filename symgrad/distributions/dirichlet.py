"""The Dirichlet distribution on the probability simplex."""

from __future__ import annotations

from typing import Any

import numpy as np

import symgrad
from symgrad._tensor import Tensor
from symgrad.distributions import constraints
from symgrad.distributions.distribution import Distribution
from symgrad.distributions.implicit import standard_gamma

__all__ = ["Dirichlet"]


class Dirichlet(Distribution):
    """Dirichlet distribution over the last dimension of ``concentration``
    (``K`` > 0 entries; the leading dimensions are the batch).

    ``rsample`` normalises Gamma(concentration, 1) samples whose gradients
    are implicit (``symgrad.distributions.implicit``): exact pathwise
    gradients of this sampler, which are unbiased but not PyTorch's per-sample
    numbers (PyTorch differentiates another path to the same distribution).

    >>> import symgrad
    >>> from symgrad.distributions import Dirichlet
    >>> d = Dirichlet(symgrad.tensor([1., 2., 3.]))
    >>> d.log_prob(symgrad.tensor([0.2, 0.3, 0.5])), d.mean
    (tensor(1.5041), tensor([0.1667, 0.3333, 0.5000]))
    >>> d.batch_shape, d.event_shape
    (symgrad.Size([]), symgrad.Size([3]))
    """

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration: Tensor, validate_args: bool | None = None) -> None:
        if not isinstance(concentration, Tensor):
            raise TypeError(f"Dirichlet: `concentration` must be a Tensor of shape (..., K), not "
                            f"{type(concentration).__name__}: wrap it with symgrad.tensor(...)")
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        super().__init__(concentration.shape[:-1], concentration.shape[-1:], validate_args=validate_args)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        gammas = standard_gamma(self.concentration, self._extended_shape(sample_shape))
        return gammas / gammas.sum(-1, keepdim=True)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        a = self.concentration
        return symgrad.xlogy(a - 1, value).sum(-1) + a.sum(-1).lgamma() - a.lgamma().sum(-1)

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.concentration.sum(-1, keepdim=True)

    @property
    def mode(self) -> Tensor:
        a = self.concentration
        above = (a - 1).clamp(min=0.0)
        with np.errstate(invalid="ignore"):  # (0/0 where every concentration is below 1: replaced below)
            mode = above / above.sum(-1, keepdim=True)
        # (all concentrations below 1: the density is unbounded at every corner; PyTorch picks the first, one-hot)
        low = np.asarray((a.detach().numpy() < 1).all(-1))
        if not low.any():
            return mode
        corner = np.zeros(tuple(a.shape), dtype=a.dtype.numpy)
        corner[..., 0] = 1.0
        return symgrad.where(symgrad.tensor(low[..., None]), symgrad.tensor(corner), mode)

    @property
    def variance(self) -> Tensor:
        a = self.concentration
        total = a.sum(-1, keepdim=True)
        return a * (total - a) / (total.pow(2) * (total + 1))

    def entropy(self) -> Tensor:
        a = self.concentration
        k = a.shape[-1]
        total = a.sum(-1)
        return a.lgamma().sum(-1) - total.lgamma() - (k - total) * total.digamma() - ((a - 1) * a.digamma()).sum(-1)
