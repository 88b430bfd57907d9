"""The multivariate normal distribution, by covariance, precision or Cholesky factor."""

from __future__ import annotations

from typing import Any

import symgrad
from symgrad._tensor import Tensor
from symgrad.distributions import constraints
from symgrad.distributions.distribution import Distribution
from symgrad.distributions.utils import MINUS_HALF, half_n_log_2pi_e, n_log_2pi, standard_normal

__all__ = ["MultivariateNormal"]


class MultivariateNormal(Distribution):
    """Multivariate normal distribution with mean vector ``loc`` and one of
    ``covariance_matrix``, ``precision_matrix`` or ``scale_tril`` (the lower
    Cholesky factor of the covariance); batch dimensions broadcast.

    Everything is computed from the Cholesky factor ``L``: ``log_prob`` solves
    ``L z = x - loc`` (triangular), ``rsample`` is ``loc + L @ eps``.

    >>> import symgrad
    >>> from symgrad.distributions import MultivariateNormal
    >>> d = MultivariateNormal(symgrad.zeros(2), covariance_matrix=symgrad.tensor([[2., 1.], [1., 2.]]))
    >>> d.log_prob(symgrad.tensor([1., 0.]))
    tensor(-2.7205)
    >>> d.entropy(), d.variance
    (tensor(3.3872), tensor([2.0000, 2.0000]))
    """

    arg_constraints = {"loc": constraints.real_vector, "covariance_matrix": constraints.positive_definite,
                       "precision_matrix": constraints.positive_definite, "scale_tril": constraints.lower_cholesky}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc: Tensor, covariance_matrix: Tensor | None = None, precision_matrix: Tensor | None = None,
                 scale_tril: Tensor | None = None, validate_args: bool | None = None) -> None:
        if not isinstance(loc, Tensor):
            raise TypeError(f"MultivariateNormal: loc must be a Tensor, not {type(loc).__name__}")
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        given = {"covariance_matrix": covariance_matrix, "precision_matrix": precision_matrix,
                 "scale_tril": scale_tril}
        given = {k: v for k, v in given.items() if v is not None}
        if len(given) != 1:
            raise ValueError("Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified.")
        ((name, matrix),) = given.items()
        if not isinstance(matrix, Tensor):
            raise TypeError(f"MultivariateNormal: {name} must be a Tensor, not {type(matrix).__name__}")
        if matrix.dim() < 2:
            raise ValueError(f"{name}{' matrix' if name == 'scale_tril' else ''} must be at least two-dimensional, "
                             "with optional leading batch dimensions")
        n = loc.shape[-1]
        if matrix.shape[-2:] != (n, n):
            raise ValueError(f"MultivariateNormal: {name} has shape {tuple(matrix.shape)}, but loc has {n} elements "
                             f"in its last dimension: the matrix must be {n}x{n} (shape (..., {n}, {n}))")
        batch_shape = symgrad.broadcast_shapes(matrix.shape[:-2], loc.shape[:-1])
        setattr(self, name, matrix.expand(batch_shape + (n, n)))
        self.loc = loc.expand(batch_shape + (n,))
        super().__init__(batch_shape, self.loc.shape[-1:], validate_args=validate_args)
        if name == "scale_tril":
            self._unbroadcasted_scale_tril = matrix
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = symgrad.linalg.cholesky(matrix)
        else:
            self._unbroadcasted_scale_tril = symgrad.linalg.cholesky(symgrad.linalg.inv(matrix))

    def __getattr__(self, name: str) -> Any:
        # the matrices not given, computed once on first use (PyTorch's lazy_property)
        if name not in ("scale_tril", "covariance_matrix", "precision_matrix") or "loc" not in self.__dict__:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        L = self._unbroadcasted_scale_tril
        shape = self.batch_shape + self.event_shape + self.event_shape
        value = L if name == "scale_tril" else L @ L.mT
        if name == "precision_matrix":
            value = symgrad.linalg.inv(value)
        setattr(self, name, value.expand(shape))
        return self.__dict__[name]

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        return self._unbroadcasted_scale_tril.pow(2).sum(-1).expand(self.batch_shape + self.event_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps = standard_normal(shape, self.loc)
        return self.loc + (self._unbroadcasted_scale_tril @ eps.unsqueeze(-1)).squeeze(-1)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        n = self.event_shape[0]
        m = batch_mahalanobis(self._unbroadcasted_scale_tril, value - self.loc)
        return MINUS_HALF * (n_log_2pi(n) + m) - half_log_det(self._unbroadcasted_scale_tril)

    def entropy(self) -> Tensor:
        n = self.event_shape[0]
        h = half_n_log_2pi_e(n) + half_log_det(self._unbroadcasted_scale_tril)
        return h if len(self.batch_shape) == 0 else h.expand(self.batch_shape)


def half_log_det(scale_tril: Tensor) -> Tensor:
    """log det(L) of lower-triangular L: the sum of the logs of its diagonal."""
    return scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)


def batch_mahalanobis(scale_tril: Tensor, diff: Tensor) -> Tensor:
    """``diff^T (L L^T)^-1 diff`` by one triangular solve, batch dimensions broadcast."""
    batch = symgrad.broadcast_shapes(scale_tril.shape[:-2], diff.shape[:-1])
    n = diff.shape[-1]
    solved = symgrad.linalg.solve_triangular(scale_tril.expand(batch + (n, n)),
                                             diff.expand(batch + (n,)).unsqueeze(-1), upper=False)
    return solved.squeeze(-1).pow(2).sum(-1)
