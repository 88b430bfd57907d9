"""Arithmetic: + - * / ** and friends.  One stanza per op: NumPy forward,
SymPy forward, derivative rule in symgrad ops (g: incoming gradient, out:
result, x, y: inputs).  Broadcasting is undone by the engine, not here."""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

from symgrad.dispatch import apply
from symgrad.grad_mode import _state as _grad_state
from symgrad.ops._sympy import sp
from symgrad.ops.registry import called, defop

__all__ = ["add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "neg", "negative",
           "pow", "float_power", "remainder", "floor_divide", "square"]

_ADD = defop("add", np.add, operator.add, inputs=("x", "y"), elementwise=True, promote="common", scalar=operator.add,
             vjp=(lambda g, out, x, y: g,
                  lambda g, out, x, y: g))

_SUB = defop("sub", np.subtract, operator.sub, inputs=("x", "y"), elementwise=True, promote="common", scalar=operator.sub,
             vjp=(lambda g, out, x, y: g,
                  lambda g, out, x, y: -g))

_MUL = defop("mul", np.multiply, operator.mul, inputs=("x", "y"), elementwise=True, promote="common", scalar=operator.mul,
             vjp=(lambda g, out, x, y: g * y,
                  lambda g, out, x, y: g * x))

_DIV = defop("div", np.true_divide, operator.truediv, inputs=("x", "y"), elementwise=True, promote="divide", scalar=operator.truediv,
             vjp=(lambda g, out, x, y: g / y,
                  lambda g, out, x, y: -g * x / (y * y)))

_NEG = defop("neg", np.negative, operator.neg, elementwise=True, scalar=operator.neg,
             vjp=(lambda g, out, x: -g,))


def _exact(p: Any) -> Any:
    # 0.5 is exactly 1/2: print x**0.5 as sqrt(x)
    if isinstance(p, sp.Float) and (2 * p).is_integer:
        return sp.Rational(int(2 * p), 2)
    return p


def _pow_scalar_grad(g: Any, out: Any, x: Any, p: Any) -> Any:
    if p == 0:
        return zeros_like(g)
    # The square's derivative reads x itself: x ** (2 - 1) would compute it
    # again, an op (and a term to generate code for) per square.  x ** 1 is
    # x exactly, in value, dtype and closed form (SymPy writes x**1 as x).
    # Not when recording (create_graph): the graph differentiated again would
    # have another shape, and code generated from it another order of terms.
    if p.__class__ is int and p == 2 and not _grad_state.enabled:
        return g * p * x
    # (pow, not **: in the numeric pass x is an array, whose ** is NumPy's power, not this op's forward)
    return g * p * pow(x, p - 1)


def _power(x: Any, p: Any) -> Any:
    # PyTorch computes x ** -0.5 as rsqrt, 1/sqrt(x): -inf at -0.0 and nan at -inf, where NumPy's power is C's
    # pow (inf and 0); so is x ** 0.5's gradient.  (NumPy's x ** 0.5 is sqrt already, as PyTorch's.)
    if getattr(p, "ndim", 0) == 0 and p == -0.5:  # (a scalar exponent, as PyTorch's rsqrt case; p may be an array)
        return np.reciprocal(np.sqrt(x))
    return np.power(x, p)


_POW_SCALAR = defop(
    "pow_scalar", _power, lambda x, p: x ** _exact(p), inputs=("x", "p"), elementwise=True,
    promote="common", backward_name="PowBackward0", vjp=(_pow_scalar_grad, None))


def _pow_grad_x(g: Any, out: Any, x: Any, y: Any) -> Any:
    # Only 0 ** 0 needs the guard (0 * inf); masking every y == 0 would also
    # erase the derivative's own dependence on y there (d2/dxdy x**y = 1/x at y = 0).
    return where((y == 0) & (x == 0), 0.0, g * y * x ** (y - 1))


def _pow_grad_y(g: Any, out: Any, x: Any, y: Any) -> Any:
    if isinstance(x, (int, float)):  # a number raised to a tensor power: 2 ** y
        return zeros_like(g) if x == 0 else g * out * math.log(x)
    return where((x == 0) & (y >= 0), 0.0, g * out * log(x))


_POW = defop("pow", np.power, lambda x, y: x ** y, inputs=("x", "y"), elementwise=True, promote="common",
             backward_name="PowBackward1", vjp=(_pow_grad_x, _pow_grad_y))  # (a number base: PowBackward2, by pow())


def _remainder(x: Any, y: Any) -> Any:
    return x - y * np.floor_divide(x, y)


def _remainder_sym(x: Any, y: Any) -> Any:
    # x % 0 is nan in NumPy and PyTorch; SymPy's Mod(x, 0) raises ZeroDivisionError.
    if (y.is_zero if isinstance(y, sp.Basic) else y == 0):
        return sp.nan
    ratio = x / y
    if isinstance(ratio, sp.Number) and not isinstance(x, sp.Number):
        # x a constant multiple of y: SymPy's Mod(-x/2, x) is -x/2 (the sign of
        # the dividend, found by the long fuzz); by the definition, x - y*floor(x/y):
        return y * (ratio - sp.floor(ratio))
    return sp.Mod(x, y)


_REMAINDER = defop("remainder", _remainder, _remainder_sym, inputs=("x", "y"), elementwise=True,
                   promote="common",
                   vjp=(lambda g, out, x, y: g,
                        lambda g, out, x, y: -g * floor(x / y)))

_FLOOR_DIVIDE = defop("floor_divide", np.floor_divide, lambda x, y: sp.floor(x / y), inputs=("x", "y"),
                      elementwise=True, promote="common")


# ---------------------------------------------------------------- functions

def add(input: Any, other: Any, *, alpha: Any = 1) -> Any:
    """``input + alpha * other``, with broadcasting.

    >>> import symgrad
    >>> symgrad.add(symgrad.tensor([1., 2.]), 1)
    tensor([2., 3.])
    """
    return apply(_ADD, input, other if alpha == 1 else mul(other, alpha))


def sub(input: Any, other: Any, *, alpha: Any = 1) -> Any:
    """``input - alpha * other``.

    >>> import symgrad
    >>> symgrad.sub(symgrad.tensor(3.), 1)
    tensor(2.)
    """
    _refuse_bool("Subtraction, the `-` operator, with a bool tensor", input, other)
    return apply(_SUB, input, other if alpha == 1 else mul(other, alpha))


subtract = sub


def rsub_(input: Any, other: Any) -> Any:
    """``other - input`` for ``Tensor.__rsub__``: of a number, PyTorch's
    ``rsub`` (named ``RsubBackward1``), else ``sub``."""
    if isinstance(other, (int, float)):
        return called(sub(other, input), _SUB, "RsubBackward1")
    return sub(other, input)


def rdiv_(input: Any, other: Any) -> Any:
    """``other / input`` for ``Tensor.__rtruediv__``: of a number, PyTorch
    computes ``input.reciprocal() * other`` (named ``MulBackward0``), else
    ``div``.  symgrad records one ``div`` (the closed form reads ``2/x``)."""
    if isinstance(other, (int, float)):
        return called(div(other, input), _DIV, "MulBackward0")
    return div(other, input)


def mul(input: Any, other: Any) -> Any:
    """Elementwise product; the derivative rule is ``(g * y, g * x)``.

    >>> import symgrad
    >>> x = symgrad.tensor(2., requires_grad=True)
    >>> symgrad.diff(symgrad.mul(x, x), x)
    2*x
    """
    return apply(_MUL, input, other)


multiply = mul


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Any:
    """True division (``rounding_mode=None``), or rounded: ``"trunc"``, ``"floor"``.

    >>> import symgrad
    >>> symgrad.div(symgrad.tensor([1, 3]), 2)
    tensor([0.5000, 1.5000])
    """
    if rounding_mode is None:
        return apply(_DIV, input, other)
    if rounding_mode == "floor":
        return floor_divide(input, other)
    if rounding_mode == "trunc":
        from symgrad.ops.unary import trunc

        return trunc(apply(_DIV, input, other)).to(_common_dtype(input, other))
    raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                     f"{rounding_mode!r}")


divide = true_divide = div


def neg(input: Any) -> Any:
    """``-input``.

    >>> import symgrad
    >>> symgrad.neg(symgrad.tensor([1., -2.]))
    tensor([-1.,  2.])
    """
    _refuse_bool("Negation, the `-` operator, on a bool tensor", input)
    return apply(_NEG, input)


negative = neg


def pow(input: Any, exponent: Any) -> Any:  # noqa: A001 - PyTorch's name
    """``input ** exponent``; a number exponent keeps its exact form (``x**2``).

    >>> import symgrad
    >>> x = symgrad.tensor(3., requires_grad=True)
    >>> symgrad.diff(symgrad.pow(x, 3), x)
    3*x**2
    """
    if isinstance(exponent, (int, float)) and not isinstance(exponent, bool):
        if isinstance(input, (int, float)):
            from symgrad.creation import as_tensor

            input = as_tensor(input)
        return apply(_POW_SCALAR, input, exponent)
    if isinstance(input, (int, float)):  # a number base: PyTorch's pow.Scalar
        return called(apply(_POW, input, exponent), _POW, "PowBackward2")
    return apply(_POW, input, exponent)


def float_power(input: Any, exponent: Any) -> Any:
    """``input ** exponent`` computed in float64."""
    from symgrad.dtypes import float64

    input = _as_float(input, float64)
    if hasattr(exponent, "to"):
        exponent = exponent.to(float64)
    return pow(input, exponent)


def square(input: Any) -> Any:
    """``input ** 2``.

    >>> import symgrad
    >>> symgrad.square(symgrad.tensor([1., 2.]))
    tensor([1., 4.])
    """
    return pow(input, 2)


def remainder(input: Any, other: Any) -> Any:
    """Python's ``%``: the remainder with the sign of the divisor.

    >>> import symgrad
    >>> symgrad.remainder(symgrad.tensor([5., -5.]), 3)
    tensor([2., 1.])
    """
    return apply(_REMAINDER, input, other)


def floor_divide(input: Any, other: Any) -> Any:
    """``input // other`` (outside the graph: it has no useful derivative).

    >>> import symgrad
    >>> symgrad.floor_divide(symgrad.tensor([5., -5.]), 3)
    tensor([ 1., -2.])
    """
    return apply(_FLOOR_DIVIDE, input, other)


def _refuse_bool(what: str, *args: Any) -> None:
    if _bool_operand(*args):
        raise RuntimeError(f"{what} is not supported (as in PyTorch). If you are trying to invert a mask, "
                           "use the `~` or `logical_not()` operator instead; otherwise convert with .long() "
                           "or .double() first.")


def _as_float(x: Any, dtype: Any) -> Any:
    from symgrad.creation import as_tensor

    t = as_tensor(x)
    return t if t.is_floating_point() else t.to(dtype)


def _common_dtype(a: Any, b: Any) -> Any:
    from symgrad.dtypes import result_type

    return result_type(a, b)


from symgrad.creation import zeros_like  # noqa: E402  (rules refer to these by name)
from symgrad.ops.selection import where  # noqa: E402
from symgrad.ops.unary import floor, log  # noqa: E402
from symgrad.tensor_ops import _bool_operand  # noqa: E402  (imported once: - is a hot operator)
