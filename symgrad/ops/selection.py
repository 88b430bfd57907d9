"""Choosing between values: ``where``, ``clamp``, ``maximum``, ``minimum``.

Non-differentiable points follow PyTorch: ``clamp``'s derivative is 1 at a
bound, ``maximum``/``minimum`` split the gradient evenly on ties, and a nan
on either side gets the whole gradient (it is the result)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from symgrad.dispatch import apply
from symgrad.ops._sympy import num, sp
from symgrad.ops.registry import called, composed, defop
from symgrad.symbolic.piecewise import piecewise

__all__ = ["where", "clamp", "clip", "clamp_min", "clamp_max", "maximum", "minimum", "fmax", "fmin", "masked_fill"]

_WHERE = defop("where", np.where, lambda c, x, y: piecewise((x, c), (y, True)), inputs=("c", "x", "y"),
               elementwise=True, promote="common", bool_args=(0,),
               vjp=(None,
                    lambda g, out, c, x, y: where(c, g, 0.0),
                    lambda g, out, c, x, y: where(c, 0.0, g)))


def _in_range(x: Any, lo: Any, hi: Any) -> Any:
    if (lo is not None and lo != lo) or (hi is not None and hi != hi):
        return x < -math.inf  # a nan bound: nowhere in range, nan included (SymPy refuses comparisons with nan)
    if lo is None:
        return x <= hi
    if hi is None:
        return x >= lo
    return (x >= lo) & (x <= hi)


def _clamp_sym(x: Any, lo: Any, hi: Any) -> Any:
    if (lo is not None and lo != lo) or (hi is not None and hi != hi):
        return sp.nan  # (a nan bound: nan everywhere, as PyTorch's; SymPy's Max refuses nan)
    if lo is not None:
        x = sp.Max(x, num(lo))
    return x if hi is None else sp.Min(x, num(hi))


def _clamp_numbers(x: Any, lo: Any, hi: Any) -> Any:
    """PyTorch's clamp, ``min(max(x, lo), hi)`` with ``x`` kept where it equals
    a bound: the bound where ``x`` is beyond it (or the bound is nan), ``x``
    itself elsewhere, so ``clamp(-0.0, min=0.0)`` is -0.0 and nan stays nan.
    (``np.clip`` with one bound is ``maximum``, which gives the bound there.)"""
    out = x
    if lo is not None:
        out = np.where((out < lo) | (lo != lo), lo, out)
    if hi is not None:
        out = np.where((out > hi) | (hi != hi), hi, out)
    return np.asarray(out).astype(x.dtype, copy=False)


_CLAMP = defop("clamp", _clamp_numbers, _clamp_sym,
               params=("lo", "hi"), elementwise=True, backward_name="ClampBackward1",  # (number bounds: PyTorch's clamp.Scalar)
               vjp=(lambda g, out, x, lo, hi: where(_in_range(x, lo, hi), g, 0.0),))

_MAXIMUM = defop("maximum", np.maximum, lambda x, y: sp.Max(x, y), inputs=("x", "y"), elementwise=True,
                 promote="common",
                 vjp=(lambda g, out, x, y: where(x == y, g / 2, where(x < y, 0.0, g)),
                      lambda g, out, x, y: where(x == y, g / 2, where(y < x, 0.0, g))))

_MINIMUM = defop("minimum", np.minimum, lambda x, y: sp.Min(x, y), inputs=("x", "y"), elementwise=True,
                 promote="common",
                 vjp=(lambda g, out, x, y: where(x == y, g / 2, where(x > y, 0.0, g)),
                      lambda g, out, x, y: where(x == y, g / 2, where(y > x, 0.0, g))))


def where(condition: Any, input: Any = None, other: Any = None) -> Any:
    """``input`` where ``condition`` holds, else ``other``; the closed form is a
    ``Piecewise`` in the condition.

    >>> import symgrad
    >>> x = symgrad.tensor(2., requires_grad=True)
    >>> symgrad.where(x > 0, x, -x).expr
    Piecewise((x, x > 0), (-x, True))
    """
    if input is None and other is None:
        from symgrad.ops.shape import nonzero

        return nonzero(condition, as_tuple=True)
    if input is None or other is None:
        raise TypeError("where() needs both input and other (or neither, for the indices of true elements)")
    return apply(_WHERE, condition, input, other)


def clamp(input: Any, min: Any = None, max: Any = None) -> Any:  # noqa: A002 - PyTorch's names
    """Limit values to ``[min, max]``; the derivative is 1 inside, including at
    the bounds (PyTorch's convention), and 0 outside.

    >>> import symgrad
    >>> x = symgrad.tensor(0.5, requires_grad=True)
    >>> symgrad.clamp(x, 0, 1).expr
    Min(1, Max(0, x))
    """
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    for name, bound in (("min", min), ("max", max)):
        if bound is not None and not _is_tensor(bound) and (
                isinstance(bound, bool) or not isinstance(bound, (int, float, np.integer, np.floating))):
            raise TypeError(f"clamp(): {name} must be a number or a tensor, not {type(bound).__name__}")
    if _is_tensor(min) or _is_tensor(max):
        return composed(_clamp_to_tensors(input, min, max), "ClampBackward0", input)
    return apply(_CLAMP, _promoted_for_bounds(input, min, max), lo=min, hi=max)


def _clamp_to_tensors(input: Any, lo: Any, hi: Any) -> Any:
    out = input
    if lo is not None:
        out = where(out < lo, lo, out)
    if hi is not None:
        out = where(out > hi, hi, out)
    return out


def _promoted_for_bounds(input: Any, lo: Any, hi: Any) -> Any:
    """``input`` cast to the result type of it and its number bounds, as
    PyTorch's clamp gives: the bounds are params, which apply() does not
    promote, and the forward casts back to the input's dtype (an integer
    tensor clamped to 1.5 must not become 1)."""
    if not _is_tensor(input) or input.dtype.is_floating_point:
        return input
    from symgrad.dtypes import result_type

    dtype = result_type(input, *[b for b in (lo, hi) if b is not None])
    return input if dtype == input.dtype else input.to(dtype)


clip = clamp


def clamp_min(input: Any, min: Any) -> Any:  # noqa: A002 - PyTorch's names
    """``clamp(input, min=min)``: the derivative is 1 at and above ``min``, 0 below.

    >>> import symgrad
    >>> symgrad.clamp_min(symgrad.tensor([-1., 2.]), 0.5)
    tensor([0.5000, 2.0000])
    """
    if _is_tensor(min):
        return composed(_clamp_to_tensors(input, min, None), "ClampMinBackward1", input)
    return called(clamp(input, min=min), _CLAMP, "ClampMinBackward0")


def clamp_max(input: Any, max: Any) -> Any:  # noqa: A002
    """``clamp(input, max=max)``: the derivative is 1 at and below ``max``, 0 above."""
    if _is_tensor(max):
        return composed(_clamp_to_tensors(input, None, max), "ClampMaxBackward1", input)
    return called(clamp(input, max=max), _CLAMP, "ClampMaxBackward0")


def maximum(input: Any, other: Any) -> Any:
    """Elementwise maximum; on ties each side gets half the gradient (as PyTorch).

    >>> import symgrad
    >>> symgrad.maximum(symgrad.tensor([1., 5.]), symgrad.tensor([3., 2.]))
    tensor([3., 5.])
    """
    return apply(_MAXIMUM, input, other)


def minimum(input: Any, other: Any) -> Any:
    """Elementwise minimum; on ties each side gets half the gradient."""
    return apply(_MINIMUM, input, other)


def fmax(input: Any, other: Any) -> Any:
    """Elementwise maximum that ignores nan: where one side is nan the other
    is taken (nan only where both are).  Unlike ``maximum``, a tie is not
    shared: ``input`` gets the whole gradient, as in PyTorch.

    >>> import symgrad
    >>> nan = float("nan")
    >>> symgrad.fmax(symgrad.tensor([1., nan, nan]), symgrad.tensor([nan, 2., nan]))
    tensor([1., 2., nan])
    """
    return where((input >= other) | _isnan(other), input, other)


def fmin(input: Any, other: Any) -> Any:
    """Elementwise minimum that ignores nan (``fmax``'s counterpart).

    >>> import symgrad
    >>> symgrad.fmin(symgrad.tensor([1., float("nan")]), symgrad.tensor([2., 2.]))
    tensor([1., 2.])
    """
    return where((input <= other) | _isnan(other), input, other)


def masked_fill(input: Any, mask: Any, value: Any) -> Any:
    """``value`` where ``mask`` is true, else ``input``.

    >>> import symgrad
    >>> symgrad.masked_fill(symgrad.tensor([1., 2.]), symgrad.tensor([True, False]), 0.)
    tensor([0., 2.])

    The result keeps ``input``'s dtype, as PyTorch's does: an integer tensor
    filled with ``2.7`` holds ``2``.
    """
    from symgrad.ops._util import tensor_arg

    x, m = tensor_arg(input), tensor_arg(mask)
    if m.dtype.numpy.kind != "b":
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {m.dtype.name}")
    if _is_tensor(value):
        if value.ndim:
            raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value.ndim} dimension(s).")
        if value.dtype != x.dtype:
            value = value.to(x.dtype)
    elif not x.dtype.is_floating_point and isinstance(value, (int, float, np.number)):
        value = np.asarray(value).astype(x.dtype.numpy).item()  # 2.7 -> 2 for an integer tensor
    return composed(where(m, value, x), "MaskedFillBackward1" if _is_tensor(value) else "MaskedFillBackward0", x)


def _is_tensor(x: Any) -> bool:
    from symgrad._tensor import Tensor

    return isinstance(x, Tensor)


def _isnan(x: Any) -> Any:
    from symgrad.ops.comparison import isnan

    return isnan(x)
