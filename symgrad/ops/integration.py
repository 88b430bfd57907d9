"""The trapezoidal rule: ``trapezoid`` (and its older name ``trapz``) and
``cumulative_trapezoid``, with sample spacing ``dx`` or sample points ``x``,
in PyTorch's formulas (ATen's Integration.cpp), so the numbers round as
PyTorch's and the closed forms read ``dx*(y[0]/2 + y[1] + y[2]/2)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symgrad._tensor import Tensor
from symgrad.ops._util import norm_dim
from symgrad.ops.reductions import cumsum
from symgrad.ops.reductions import sum as _sum
from symgrad.ops.shape import _reshape

__all__ = ["trapezoid", "trapz", "cumulative_trapezoid"]


def trapezoid(y: Any, x: Any = None, *, dx: Any = None, dim: int = -1) -> Any:
    """The integral of the samples ``y`` along ``dim`` by the trapezoidal
    rule: spaced ``dx`` apart (1 by default) or at the points ``x``.

    >>> import symgrad
    >>> symgrad.trapezoid(symgrad.tensor([1., 2., 4.]))
    tensor(4.5000)
    >>> symgrad.trapezoid(symgrad.tensor([1., 2., 4.]), symgrad.tensor([0., 1., 3.]))
    tensor(7.5000)
    """
    t, d = _samples(y, dim, "trapezoid")
    if t.shape[d] == 0:  # (no samples: 0, as NumPy)
        from symgrad.creation import zeros

        return zeros(tuple(n for i, n in enumerate(t.shape) if i != d), dtype=t.dtype)
    if x is None:
        step = _spacing(dx, "trapezoid")
        return (_sum(t, d) - (_end(t, d, 0) + _end(t, d, -1)) * 0.5) * step
    _only_one(dx, "trapezoid")
    return _sum((_left(t, d) + _right(t, d)) * _steps(x, t, d, "trapezoid"), d) / 2.0


def trapz(y: Any, x: Any = None, *, dx: Any = None, dim: int = -1) -> Any:
    """``trapezoid``'s older name.

    >>> import symgrad
    >>> symgrad.trapz(symgrad.tensor([1., 2., 4.]), dx=0.5)
    tensor(2.2500)
    """
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y: Any, x: Any = None, *, dx: Any = None, dim: int = -1) -> Any:
    """The running integrals of ``trapezoid`` (one fewer than the samples along ``dim``).

    >>> import symgrad
    >>> symgrad.cumulative_trapezoid(symgrad.tensor([1., 2., 4.]), dx=0.5)
    tensor([0.7500, 2.2500])
    """
    t, d = _samples(y, dim, "cumulative_trapezoid")
    if x is None:
        step = _spacing(dx, "cumulative_trapezoid")
        return cumsum(step / 2.0 * (_left(t, d) + _right(t, d)), d)
    _only_one(dx, "cumulative_trapezoid")
    return cumsum((_left(t, d) + _right(t, d)) * _steps(x, t, d, "cumulative_trapezoid"), d) / 2.0


def _samples(y: Any, dim: Any, fn: str) -> tuple[Tensor, int]:
    if not isinstance(y, Tensor):
        raise TypeError(f"{fn}(): argument 'y' (position 1) must be Tensor, not {type(y).__name__}")
    if y.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions ({fn} integrates along a "
                         "dimension of samples)")
    if y._value.dtype.kind == "b":
        raise RuntimeError(f"{fn}: received a bool input for `y`, but bool is not supported (convert with .double())")
    return y, norm_dim(dim, y.ndim)


def _spacing(dx: Any, fn: str) -> Any:
    if dx is None:
        return 1
    if isinstance(dx, bool) or not isinstance(dx, (int, float, np.integer, np.floating)):
        raise RuntimeError(f"{fn}: Currently, we only support dx as a real number (got {type(dx).__name__}).")
    return dx


def _only_one(dx: Any, fn: str) -> None:
    if dx is not None:
        raise TypeError(f"{fn}() takes the sample points x or their spacing dx, not both")


def _steps(x: Any, y: Tensor, d: int, fn: str) -> Any:
    """The differences of the sample points ``x`` along ``d``, shaped to broadcast with ``y``'s."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument 'x' (position 2) must be Tensor, not {type(x).__name__}")
    if x._value.dtype.kind == "b":
        raise RuntimeError(f"{fn}: received a bool input for `x`, but bool is not supported")
    if x.ndim == 1:
        if x.shape[0] != y.shape[d]:
            raise RuntimeError(f"{fn}: There must be one `x` value for each sample point ({x.shape[0]} `x` values, "
                               f"{y.shape[d]} samples along dim {d})")
        x = _reshape(x, tuple(x.shape[0] if i == d else 1 for i in range(y.ndim)))
    elif x.ndim < y.ndim:
        x = _reshape(x, (1,) * (y.ndim - x.ndim) + tuple(x.shape))
    return _right(x, d) - _left(x, d)


def _left(t: Any, d: int) -> Any:
    return t[(slice(None),) * d + (slice(0, -1),)]


def _right(t: Any, d: int) -> Any:
    return t[(slice(None),) * d + (slice(1, None),)]


def _end(t: Any, d: int, i: int) -> Any:
    return t[(slice(None),) * d + (i,)]
