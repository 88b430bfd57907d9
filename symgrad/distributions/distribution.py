"""The base class of the distributions: shapes, argument and sample validation
with PyTorch's messages, and the methods a distribution may define."""

from __future__ import annotations

from typing import Any

import numpy as np

import symgrad
from symgrad._tensor import Size, Tensor
from symgrad.distributions import constraints
from symgrad.distributions.utils import as_size

__all__ = ["Distribution"]


class Distribution:
    """Base of every distribution (``torch.distributions.Distribution``).

    Subclasses set ``arg_constraints``, ``support`` and ``has_rsample`` and
    define ``log_prob``, ``rsample`` or ``sample``, ``entropy``, ``mean`` and
    ``variance``. Validation is on by default (``validate_args=False`` or
    ``Distribution.set_default_validate_args(False)`` turns it off).

    >>> from symgrad.distributions import Normal
    >>> Normal(0., 1.)
    Normal(loc: 0.0, scale: 1.0)
    >>> Normal(0., -1.)
    Traceback (most recent call last):
    ...
    ValueError: Expected parameter scale (Tensor of shape ()) of distribution Normal(loc: 0.0, scale: -1.0) to satisfy the constraint GreaterThan(lower_bound=0.0), but found invalid values:
    -1.0
    """

    has_rsample = False
    has_enumerate_support = False
    _validate_args = __debug__
    arg_constraints: dict[str, constraints.Constraint] = {}

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        """Turn argument validation on or off for distributions made afterwards."""
        if value not in (True, False):
            raise ValueError(f"set_default_validate_args expects True or False, not {value!r}")
        Distribution._validate_args = value

    def __init__(self, batch_shape: Any = (), event_shape: Any = (), validate_args: bool | None = None) -> None:
        self._batch_shape, self._event_shape = Size(batch_shape), Size(event_shape)
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            for param, constraint in self.arg_constraints.items():
                if constraints.is_dependent(constraint) or param not in self.__dict__:
                    continue  # (dependent constraints cannot be checked; the other of probs/logits is not stored)
                value = getattr(self, param)
                if not bool(constraint.check(value).all()):
                    raise ValueError(f"Expected parameter {param} ({type(value).__name__} of shape "
                                     f"{tuple(value.shape)}) of distribution {self!r} to satisfy the constraint "
                                     f"{constraint!r}, but found invalid values:\n{constraints.shown(value)}")

    @property
    def batch_shape(self) -> Size:
        """The shape over which parameters are batched."""
        return self._batch_shape

    @property
    def event_shape(self) -> Size:
        """The shape of a single sample (without batching)."""
        return self._event_shape

    @property
    def support(self) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define support")

    @property
    def mean(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not implement mean")

    @property
    def mode(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not implement mode")

    @property
    def variance(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not implement variance")

    @property
    def stddev(self) -> Tensor:
        return self.variance.sqrt()

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        """The same distribution with its parameters expanded to ``batch_shape`` (views, no copies)."""
        batch_shape = Size(batch_shape)
        new = type(self).__new__(type(self)) if _instance is None else _instance
        params = self._expand_params()
        new.__dict__.update({k: v for k, v in self.__dict__.items() if k not in params})
        for name in params:
            value = self.__dict__[name]
            setattr(new, name, value.expand(batch_shape + value.shape[len(self.batch_shape):]))
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _expand_params(self) -> list[str]:
        return [k for k in self.arg_constraints if k in self.__dict__]

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """A sample of shape ``sample_shape + batch_shape + event_shape``, outside the graph."""
        with symgrad.no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """A reparameterized sample: differentiable with respect to the parameters."""
        raise NotImplementedError(f"{type(self).__name__} has no rsample (has_rsample is False): "
                                  "use sample(), which is not differentiable")

    def log_prob(self, value: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not implement log_prob")

    def cdf(self, value: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not implement cdf")

    def icdf(self, value: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not implement icdf")

    def entropy(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not implement entropy")

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """Every value of a discrete support, along a new leftmost dimension
        (expanded over the batch shape, or of size 1 there with ``expand=False``)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement enumerate_support "
                                  f"(has_enumerate_support is {self.has_enumerate_support})")

    def perplexity(self) -> Tensor:
        return self.entropy().exp()

    def _extended_shape(self, sample_shape: Any = ()) -> Size:
        return as_size(sample_shape) + self._batch_shape + self._event_shape

    def _validate_sample(self, value: Any) -> None:
        if not isinstance(value, Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        event_dim_start = value.dim() - len(self._event_shape)
        if value.shape[event_dim_start:] != self._event_shape:
            raise ValueError(f"The right-most size of value must match event_shape: {value.shape} vs "
                             f"{self._event_shape}.")
        expected = self._batch_shape + self._event_shape
        for i, j in zip(reversed(value.shape), reversed(expected)):
            if i != 1 and j != 1 and i != j:
                raise ValueError(f"Value is not broadcastable with batch_shape+event_shape: {value.shape} vs "
                                 f"{expected}.")
        if not bool(self.support.check(value).all()):
            raise ValueError(f"Expected value argument ({type(value).__name__} of shape {tuple(value.shape)}) "
                             f"to be within the support ({self.support!r}) of the distribution {self!r}, "
                             f"but found invalid values:\n{constraints.shown(value)}")

    def __repr__(self) -> str:
        def shown(t: Tensor) -> Any:
            return constraints.shown(t) if t.numel() == 1 else t.shape

        names = [k for k in self.arg_constraints if k in self.__dict__]
        return f"{type(self).__name__}({', '.join(f'{p}: {shown(self.__dict__[p])}' for p in names)})"


def full_nan(shape: Size, like: Tensor) -> Tensor:
    return symgrad.full(tuple(shape), np.nan, dtype=like.dtype)
