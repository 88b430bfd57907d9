"""The Bernoulli distribution, by probability or by logit."""

from __future__ import annotations

from typing import Any

import numpy as np

from symgrad._tensor import Tensor
from symgrad.creation import generator
from symgrad.distributions import constraints
from symgrad.distributions.distribution import Distribution
from symgrad.distributions.utils import broadcast_all, logits_to_probs, numbers_like, probs_to_logits

__all__ = ["Bernoulli"]


def one_of(probs: Any, logits: Any) -> None:
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")


class BinaryProbsOrLogits(Distribution):
    """A distribution of one success probability given as ``probs`` or as
    ``logits`` (Bernoulli, Binomial, Geometric): the other is computed on
    first use and kept."""

    probs: Tensor
    logits: Tensor

    def __getattr__(self, name: str) -> Any:
        # the parameter not given, computed once on first use (PyTorch's lazy_property)
        if name == "probs" and "logits" in self.__dict__:
            self.probs = logits_to_probs(self.logits, is_binary=True)
            return self.probs
        if name == "logits" and "probs" in self.__dict__:
            self.logits = probs_to_logits(self.probs, is_binary=True)
            return self.logits
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def _param(self) -> Tensor:
        return self.__dict__["probs"] if "probs" in self.__dict__ else self.__dict__["logits"]


class Bernoulli(BinaryProbsOrLogits):
    """Bernoulli distribution: 1 with probability ``probs`` (or ``sigmoid(logits)``), else 0.

    Give exactly one of ``probs`` and ``logits``; the other is computed on
    first use. ``log_prob`` is ``-binary_cross_entropy_with_logits``, as PyTorch's.

    >>> import symgrad
    >>> from symgrad.distributions import Bernoulli
    >>> d = Bernoulli(probs=symgrad.tensor([0.25, 0.5]))
    >>> d.log_prob(symgrad.tensor([1., 0.])), d.variance
    (tensor([-1.3863, -0.6931]), tensor([0.1875, 0.2500]))
    >>> Bernoulli(logits=symgrad.tensor(0.)).probs
    tensor(0.5000)
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True

    def __init__(self, probs: Any = None, logits: Any = None, validate_args: bool | None = None) -> None:
        one_of(probs, logits)
        if probs is not None:
            (self.probs,) = broadcast_all(probs)
            shape = self.probs.shape
        else:
            (self.logits,) = broadcast_all(logits)
            shape = self.logits.shape
        super().__init__(shape, validate_args=validate_args)

    @property
    def param_shape(self) -> Any:
        return self.batch_shape

    @property
    def mean(self) -> Tensor:
        return self.probs

    @property
    def mode(self) -> Tensor:
        return (self.probs >= 0.5).to(self.probs.dtype)

    @property
    def variance(self) -> Tensor:
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        p = np.broadcast_to(self.probs.data, shape)
        return numbers_like(generator().random(shape) < p, self.probs)

    def log_prob(self, value: Tensor) -> Tensor:
        from symgrad.nn.functional import binary_cross_entropy_with_logits

        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self) -> Tensor:
        from symgrad.nn.functional import binary_cross_entropy_with_logits

        return binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")

    def enumerate_support(self, expand: bool = True) -> Tensor:
        import symgrad

        values = symgrad.tensor([0.0, 1.0], dtype=self._param().dtype).reshape((2,) + (1,) * len(self.batch_shape))
        return values.expand((2,) + tuple(self.batch_shape)) if expand else values
