"""Constraints on parameters and values, as ``torch.distributions.constraints``:
``check(value)`` returns a boolean tensor (computed on the numbers, outside
the graph), and reprs are PyTorch's (``GreaterThan(lower_bound=0.0)``).

>>> import symgrad
>>> from symgrad.distributions import constraints
>>> constraints.positive
GreaterThan(lower_bound=0.0)
>>> constraints.positive.check(symgrad.tensor([1., 0.]))
tensor([ True, False])
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Constraint", "boolean", "dependent", "dependent_property", "greater_than", "greater_than_eq",
           "half_open_interval", "independent", "integer_interval", "interval", "is_dependent", "less_than",
           "lower_cholesky", "nonnegative", "nonnegative_integer", "positive", "positive_definite", "real",
           "real_vector", "simplex", "unit_interval"]


def _numbers(value: Any) -> np.ndarray:
    from symgrad._tensor import Tensor

    return np.asarray(value.data if isinstance(value, Tensor) else value)


def shown(value: Any) -> Any:
    """A value as PyTorch's f-strings show it: a 0-d tensor as its number."""
    from symgrad._tensor import Tensor

    return value.item() if isinstance(value, Tensor) and value.dim() == 0 else value


def _bool_tensor(a: Any) -> Any:
    import symgrad

    return symgrad.tensor(np.asarray(a, dtype=bool))


class Constraint:
    """A region of valid values; ``check`` says, elementwise, which values lie in it
    (one answer per event for constraints with ``event_dim > 0``)."""

    is_discrete = False
    event_dim = 0

    def check(self, value: Any) -> Any:
        return _bool_tensor(self._check(_numbers(value)))

    def _check(self, v: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return type(self).__name__.lstrip("_") + "()"


class _Dependent(Constraint):
    """Depends on other parameters (Uniform's ``low`` and ``high``): not checked."""

    def __init__(self, *, is_discrete: bool = False, event_dim: int = 0) -> None:
        self.is_discrete, self.event_dim = is_discrete, event_dim

    def __call__(self, *, is_discrete: bool = False, event_dim: int = 0) -> _Dependent:
        return _Dependent(is_discrete=is_discrete, event_dim=event_dim)

    def _check(self, v: np.ndarray) -> np.ndarray:
        raise ValueError("Cannot determine validity of dependent constraint")


def is_dependent(constraint: Any) -> bool:
    return isinstance(constraint, _Dependent)


class dependent_property(property):  # noqa: N801  (PyTorch's name)
    """A property whose value is a constraint computed from the parameters (``support``)."""


class _Real(Constraint):
    def _check(self, v: np.ndarray) -> np.ndarray:
        return v == v  # (False for nan only, as PyTorch's)


class _Boolean(Constraint):
    is_discrete = True

    def _check(self, v: np.ndarray) -> np.ndarray:
        return (v == 0) | (v == 1)


class _GreaterThan(Constraint):
    def __init__(self, lower_bound: Any) -> None:
        self.lower_bound = lower_bound

    def _check(self, v: np.ndarray) -> np.ndarray:
        return _numbers(self.lower_bound) < v

    def __repr__(self) -> str:
        return f"{type(self).__name__[1:]}(lower_bound={shown(self.lower_bound)})"


class _GreaterThanEq(_GreaterThan):
    def _check(self, v: np.ndarray) -> np.ndarray:
        return _numbers(self.lower_bound) <= v


class _LessThan(Constraint):
    def __init__(self, upper_bound: Any) -> None:
        self.upper_bound = upper_bound

    def _check(self, v: np.ndarray) -> np.ndarray:
        return v < _numbers(self.upper_bound)

    def __repr__(self) -> str:
        return f"LessThan(upper_bound={shown(self.upper_bound)})"


class _Interval(Constraint):
    def __init__(self, lower_bound: Any, upper_bound: Any) -> None:
        self.lower_bound, self.upper_bound = lower_bound, upper_bound

    def _check(self, v: np.ndarray) -> np.ndarray:
        return (_numbers(self.lower_bound) <= v) & (v <= _numbers(self.upper_bound))

    def __repr__(self) -> str:
        return (f"{type(self).__name__[1:]}(lower_bound={shown(self.lower_bound)}, "
                f"upper_bound={shown(self.upper_bound)})")


class _HalfOpenInterval(_Interval):
    def _check(self, v: np.ndarray) -> np.ndarray:
        return (_numbers(self.lower_bound) <= v) & (v < _numbers(self.upper_bound))


class _IntegerInterval(_Interval):
    is_discrete = True

    def _check(self, v: np.ndarray) -> np.ndarray:
        return (v % 1 == 0) & super()._check(v)


class _IntegerGreaterThanEq(_GreaterThanEq):
    is_discrete = True

    def _check(self, v: np.ndarray) -> np.ndarray:
        return (v % 1 == 0) & super()._check(v)

    def __repr__(self) -> str:
        return f"IntegerGreaterThan(lower_bound={shown(self.lower_bound)})"  # (PyTorch's name for k >= bound)


class _Simplex(Constraint):
    event_dim = 1

    def _check(self, v: np.ndarray) -> np.ndarray:
        return np.all(v >= 0, axis=-1) & (np.abs(v.sum(-1) - 1) < 1e-6)


class _IndependentConstraint(Constraint):
    def __init__(self, base: Constraint, reinterpreted_batch_ndims: int) -> None:
        self.base_constraint, self.reinterpreted_batch_ndims = base, reinterpreted_batch_ndims
        self.event_dim = base.event_dim + reinterpreted_batch_ndims

    def _check(self, v: np.ndarray) -> np.ndarray:
        if v.ndim < self.event_dim:
            raise ValueError(f"Expected value.dim() >= {self.event_dim} but got {v.ndim}")
        result = np.asarray(self.base_constraint._check(v))
        n = self.reinterpreted_batch_ndims
        return np.asarray(result.reshape(result.shape[:result.ndim - n] + (-1,)).all(-1)) if n else result

    def __repr__(self) -> str:
        return f"IndependentConstraint({self.base_constraint!r}, {self.reinterpreted_batch_ndims})"


class _LowerCholesky(Constraint):
    event_dim = 2

    def _check(self, v: np.ndarray) -> np.ndarray:
        lower = (np.tril(v) == v).reshape(v.shape[:-2] + (-1,)).all(-1)
        return lower & (np.diagonal(v, axis1=-2, axis2=-1) > 0).all(-1)


class _PositiveDefinite(Constraint):
    event_dim = 2

    def _check(self, v: np.ndarray) -> np.ndarray:
        if v.ndim < 2 or v.shape[-1] != v.shape[-2]:
            return np.zeros(v.shape[:-2], dtype=bool)
        symmetric = np.isclose(v, np.swapaxes(v, -1, -2), atol=1e-6).all((-2, -1))
        flat = v.reshape((-1,) + v.shape[-2:])
        ok = np.array([_has_cholesky(m) for m in flat], dtype=bool).reshape(v.shape[:-2])
        return symmetric & ok


def _has_cholesky(m: np.ndarray) -> bool:
    try:
        np.linalg.cholesky(m)
    except np.linalg.LinAlgError:
        return False
    return True


dependent = _Dependent()
real = _Real()
real_vector = _IndependentConstraint(real, 1)
boolean = _Boolean()
positive = _GreaterThan(0.0)
nonnegative = _GreaterThanEq(0.0)
nonnegative_integer = _IntegerGreaterThanEq(0)
unit_interval = _Interval(0.0, 1.0)
simplex = _Simplex()
lower_cholesky = _LowerCholesky()
positive_definite = _PositiveDefinite()
greater_than = _GreaterThan
greater_than_eq = _GreaterThanEq
less_than = _LessThan
interval = _Interval
half_open_interval = _HalfOpenInterval
integer_interval = _IntegerInterval
independent = _IndependentConstraint
