"""Elementwise functions of two tensors: ``atan2``, ``hypot``, ``logaddexp``,
``logaddexp2``, ``xlogy``, ``copysign``, ``heaviside``, ``nextafter``.

Derivatives are PyTorch's, at the special points too: ``atan2``'s is 0 at
the origin (its ``1/(x**2 + y**2)`` is taken as 0 where the sum is 0),
``hypot``'s is nan there (``x / hypot``), ``xlogy``'s in ``x`` is 0 where
``x == 0`` and ``y <= 0``, ``copysign``'s in ``x`` is 0 at ``x == 0`` and
in ``y`` is 0.  ``heaviside`` and ``nextafter`` have no derivative in
PyTorch (its backward raises): here their results are outside the graph.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symgrad.dispatch import apply
from symgrad.ops._sympy import sp
from symgrad.ops._util import not_implemented_for
from symgrad.ops.registry import defop
from symgrad.symbolic.piecewise import piecewise

__all__ = ["atan2", "arctan2", "hypot", "logaddexp", "logaddexp2", "xlogy", "copysign", "heaviside", "nextafter"]


def _inverse_square_norm(x: Any, y: Any) -> Any:
    d = x * x + y * y
    return where(d == 0, 0.0, 1 / d)


_ATAN2 = defop("atan2", np.arctan2, lambda x, y: sp.atan2(x, y), inputs=("x", "y"), elementwise=True,
               promote="divide",
               vjp=(lambda g, out, x, y: g * y * _inverse_square_norm(x, y),
                    lambda g, out, x, y: -g * x * _inverse_square_norm(x, y)))

_HYPOT = defop("hypot", np.hypot, lambda x, y: sp.sqrt(x * x + y * y), inputs=("x", "y"), elementwise=True,
               promote="common",
               vjp=(lambda g, out, x, y: g * x / out,
                    lambda g, out, x, y: g * y / out))

_LOGADDEXP = defop("logaddexp", np.logaddexp, lambda x, y: sp.log(sp.exp(x) + sp.exp(y)), inputs=("x", "y"),
                   elementwise=True, promote="common",
                   vjp=(lambda g, out, x, y: g / (1 + exp(y - x)),
                        lambda g, out, x, y: g / (1 + exp(x - y))))

_LOGADDEXP2 = defop("logaddexp2", np.logaddexp2, lambda x, y: sp.log(2 ** x + 2 ** y) / sp.log(2),
                    inputs=("x", "y"), elementwise=True, promote="common",
                    vjp=(lambda g, out, x, y: g / (1 + exp2(y - x)),
                         lambda g, out, x, y: g / (1 + exp2(x - y))))


def _xlogy(x: Any, y: Any) -> Any:
    with np.errstate(divide="ignore", invalid="ignore"):  # (log(0) and log(-1) where x == 0 are not used)
        out = np.where(x == 0, 0.0, x * np.log(y))
    return np.where(np.isnan(y), np.nan, out).astype(np.result_type(x, y), copy=False)


def _xlogy_sym(x: Any, y: Any) -> Any:
    if x == 0:
        return sp.Integer(0)
    return piecewise((0, sp.Eq(x, 0)), (x * sp.log(y), True)) if isinstance(x, sp.Basic) and not x.is_number \
        else x * sp.log(y)


_XLOGY = defop("xlogy", _xlogy, _xlogy_sym, inputs=("x", "y"), elementwise=True, promote="divide",
               vjp=(lambda g, out, x, y: where((x == 0) & (y <= 0), 0.0, xlogy(g, y)),
                    lambda g, out, x, y: g * x / y))


def _copysign_sym(x: Any, y: Any) -> Any:
    return piecewise((-sp.Abs(x), y < 0), (sp.Abs(x), True))


_COPYSIGN = defop("copysign", np.copysign, _copysign_sym, inputs=("x", "y"), elementwise=True, promote="divide",
                  vjp=(lambda g, out, x, y: g * where(x == 0, 0.0, out / x),
                       lambda g, out, x, y: zeros_like(g)))


def _heaviside(x: Any, v: Any) -> Any:
    # (a nan input gives 0, as PyTorch's kernel: x == 0 ? v : x > 0)
    return np.where(x == 0, v, x > 0).astype(np.result_type(x, v), copy=False)


_HEAVISIDE = defop("heaviside", _heaviside, lambda x, v: piecewise((0, x < 0), (v, sp.Eq(x, 0)), (1, True)),
                   inputs=("x", "v"), elementwise=True)


def _nextafter_sym(x: Any, y: Any) -> Any:
    if getattr(x, "is_Number", False) and getattr(y, "is_Number", False):
        return sp.Float(float(np.nextafter(float(x), float(y))))
    return sp.Function("nextafter")(x, y)


_NEXTAFTER = defop("nextafter", np.nextafter, _nextafter_sym, inputs=("x", "y"), elementwise=True,
                   promote="common")


# ---------------------------------------------------------------- functions

def atan2(input: Any, other: Any) -> Any:
    """The angle of the point ``(other, input)``: ``atan(input/other)`` in the
    right quadrant.  Derivatives ``other/(input**2 + other**2)`` and
    ``-input/(input**2 + other**2)``, 0 at the origin (PyTorch's).

    >>> import symgrad
    >>> y = symgrad.tensor(1., requires_grad=True)
    >>> x = symgrad.tensor(-1., requires_grad=True)
    >>> symgrad.atan2(y, x)
    tensor(2.3562, grad_fn=<Atan2Backward0>)
    >>> symgrad.diff(symgrad.atan2(y, x), y)
    x*Piecewise((0, Eq(x**2 + y**2, 0)), (1/(x**2 + y**2), True))
    """
    return apply(_ATAN2, _tensor(input, "atan2", "input"), _tensor(other, "atan2", "other"))


arctan2 = atan2


def hypot(input: Any, other: Any) -> Any:
    """``sqrt(input**2 + other**2)`` without overflow; its gradient is nan at
    the origin, as PyTorch's (``input / hypot``).

    >>> import symgrad
    >>> symgrad.hypot(symgrad.tensor([3., 5.]), symgrad.tensor([4., 12.]))
    tensor([ 5., 13.])
    """
    return _floating("hypot", _HYPOT, input, other)


def logaddexp(input: Any, other: Any) -> Any:
    """``log(exp(input) + exp(other))`` computed stably.

    >>> import symgrad
    >>> x = symgrad.tensor(1000., requires_grad=True)
    >>> symgrad.logaddexp(x, symgrad.tensor(1000.))
    tensor(1000.6931, grad_fn=<LogaddexpBackward0>)
    """
    return _floating("logaddexp", _LOGADDEXP, input, other)


def logaddexp2(input: Any, other: Any) -> Any:
    """``log2(2**input + 2**other)`` computed stably.

    >>> import symgrad
    >>> symgrad.logaddexp2(symgrad.tensor([1., 3.]), symgrad.tensor([1., 3.]))
    tensor([2., 4.])
    """
    return _floating("logaddexp2", _LOGADDEXP2, input, other)


def xlogy(input: Any, other: Any) -> Any:
    """``input * log(other)``, and 0 where ``input`` is 0 (unless ``other`` is
    nan); either argument may be a number.  The closed form says so:

    >>> import symgrad
    >>> x = symgrad.tensor(2., requires_grad=True)
    >>> y = symgrad.tensor(3., requires_grad=True)
    >>> symgrad.xlogy(x, y).expr
    Piecewise((0, Eq(x, 0)), (x*log(y), True))
    >>> symgrad.xlogy(symgrad.tensor([0., 2.]), symgrad.tensor([0., 1.]))
    tensor([0., 0.])
    """
    if isinstance(input, (int, float)) and isinstance(other, (int, float)):
        raise TypeError(f"xlogy() received an invalid combination of arguments - got ({type(input).__name__}, "
                        f"{type(other).__name__}): one of them must be a Tensor")
    return apply(_XLOGY, input, other)


def copysign(input: Any, other: Any) -> Any:
    """``abs(input)`` with the sign of ``other`` (its sign bit: ``-0.0`` is
    negative; integers become floats).  Derivatives: the sign ``copysign/input``
    (0 at ``input == 0``) and 0, as PyTorch's.

    >>> import symgrad
    >>> symgrad.copysign(symgrad.tensor([1., -2., 3.]), -1)
    tensor([-1., -2., -3.])
    """
    return apply(_COPYSIGN, _tensor(input, "copysign", "input"), other)


def heaviside(input: Any, values: Any) -> Any:
    """The step function: 0 below 0, 1 above, ``values`` at 0 (outside the graph).

    >>> import symgrad
    >>> symgrad.heaviside(symgrad.tensor([-1.5, 0., 2.]), symgrad.tensor(0.5))
    tensor([0.0000, 0.5000, 1.0000])
    """
    x, v = _tensor(input, "heaviside", "input"), _tensor(values, "heaviside", "values")
    if x.dtype != v.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    return apply(_HEAVISIDE, x, v)


def nextafter(input: Any, other: Any) -> Any:
    """The next float after ``input`` towards ``other`` (outside the graph).

    >>> import symgrad
    >>> symgrad.nextafter(symgrad.tensor([1.]), symgrad.tensor([2.])) - 1
    tensor([2.2204e-16])
    """
    return _floating("nextafter", _NEXTAFTER, input, other)


def _is_tensor(x: Any) -> bool:
    return hasattr(x, "_value")


def _tensor(x: Any, fn: str, name: str) -> Any:
    """PyTorch's functions of two tensors take no numbers (``atan2(x, 2)`` is a TypeError)."""
    if not _is_tensor(x):
        raise TypeError(f"{fn}(): argument '{name}' (position {1 if name == 'input' else 2}) must be Tensor, "
                        f"not {type(x).__name__}")
    return x


def _floating(name: str, op: Any, input: Any, other: Any) -> Any:
    """``op`` of two tensors whose result is floating: PyTorch has no integer kernel."""
    from symgrad.dtypes import result_type

    x, y = _tensor(input, name, "input"), _tensor(other, name, "other")
    dtype = result_type(x, y)
    if not dtype.is_floating_point:
        raise not_implemented_for(f"{name}_cpu", dtype)
    return apply(op, x, y)


from symgrad.creation import zeros_like  # noqa: E402  (rules refer to these by name)
from symgrad.ops.selection import where  # noqa: E402
from symgrad.ops.unary import exp, exp2  # noqa: E402
