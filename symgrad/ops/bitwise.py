"""Integer functions: ``gcd``, ``lcm``, ``bitwise_and``, ``bitwise_or``,
``bitwise_xor``, ``bitwise_not``.  No derivatives (integers are outside the
graph), PyTorch's dtypes (``result_type``; an ``int32`` and a number stay
``int32``) and errors (floating tensors are refused; ``gcd`` and ``lcm``
also refuse bools and numbers).  On bools the bitwise functions are the
logical ones, with their closed forms (``And``, ``Or``, ``Xor``, ``Not``);
on integers the closed form is the function of the symbols (``gcd(n, m)``,
``bitwise_and(n, 3)``), evaluated where they are numbers.  ``&``, ``|``,
``^`` and ``~`` on integer tensors are these functions, as in PyTorch.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from symgrad.dispatch import apply
from symgrad.ops._sympy import sp
from symgrad.ops._util import not_implemented_for, tensor_arg
from symgrad.ops.registry import defop

__all__ = ["gcd", "lcm", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not"]


def _integer_function(name: str, on_numbers: Callable[..., int]) -> Callable[..., Any]:
    """The SymPy form of an integer function: its value on numbers, else ``name(x, ...)``."""
    def sym(*args: Any) -> Any:
        if all(getattr(a, "is_Integer", False) for a in args):
            return sp.Integer(on_numbers(*map(int, args)))
        return sp.Function(name)(*args)
    return sym


# (bool operands go to comparison's logical_and/or/xor/not, whose closed forms are And, Or, Xor, Not)
_GCD = defop("gcd", np.gcd, _integer_function("gcd", math.gcd), inputs=("x", "y"), elementwise=True,
             promote="common")
_LCM = defop("lcm", np.lcm, _integer_function("lcm", math.lcm), inputs=("x", "y"), elementwise=True,
             promote="common")
_AND = defop("bitwise_and", np.bitwise_and, _integer_function("bitwise_and", operator.and_), inputs=("x", "y"),
             elementwise=True, promote="common")
_OR = defop("bitwise_or", np.bitwise_or, _integer_function("bitwise_or", operator.or_), inputs=("x", "y"),
            elementwise=True, promote="common")
_XOR = defop("bitwise_xor", np.bitwise_xor, _integer_function("bitwise_xor", operator.xor), inputs=("x", "y"),
             elementwise=True, promote="common")
_NOT = defop("bitwise_not", np.invert, _integer_function("bitwise_not", operator.invert), elementwise=True)


def _integers(fn: str, x: Any, *, bools: bool = True) -> None:
    kind = x._value.dtype.kind
    if kind not in "iu" and not (bools and kind == "b"):
        raise not_implemented_for(f"{fn}_cpu", x.dtype)


def _two(fn: str, input: Any, other: Any, *, numbers: bool) -> tuple[Any, Any]:
    """The operands of a binary integer function, checked as PyTorch checks them
    (with ``numbers``, a number may be ``other``, and bools are accepted)."""
    from symgrad.dtypes import result_type

    if numbers and not hasattr(input, "_value") and hasattr(other, "_value"):
        input, other = other, input  # (3 ^ t: and, or and xor commute)
    if not hasattr(input, "_value"):
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if not hasattr(other, "_value") and not numbers:
        raise TypeError(f"{fn}(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}")
    dtype = result_type(input, other)
    if dtype.numpy.kind not in "iub" or (dtype.numpy.kind == "b" and not numbers):
        raise not_implemented_for(f"{fn}_cpu", dtype)
    if not hasattr(other, "_value") and input.dtype.numpy.kind == "u":
        other = int(np.array(other).astype(input.dtype.numpy))  # -1 is 255 to a uint8 tensor, as PyTorch wraps it
    return input, other


def gcd(input: Any, other: Any) -> Any:
    """The greatest common divisor of integer tensors (non-negative; ``gcd(0, 0) = 0``).

    >>> import symgrad
    >>> symgrad.gcd(symgrad.tensor([12, -18, 0]), symgrad.tensor([8, 12, 0]))
    tensor([4, 6, 0])
    """
    return apply(_GCD, *_two("gcd", input, other, numbers=False))


def lcm(input: Any, other: Any) -> Any:
    """The least common multiple of integer tensors (non-negative; 0 if either is 0).

    >>> import symgrad
    >>> symgrad.lcm(symgrad.tensor([4, -6, 0]), symgrad.tensor([6, 4, 5]))
    tensor([12, 12,  0])
    """
    return apply(_LCM, *_two("lcm", input, other, numbers=False))


def bitwise_and(input: Any, other: Any) -> Any:
    """Bitwise AND of integer or bool tensors (``&``).

    >>> import symgrad
    >>> symgrad.bitwise_and(symgrad.tensor([12, -1]), 10)
    tensor([ 8, 10])
    """
    return _bitwise(_AND, logical_and, input, other)


def bitwise_or(input: Any, other: Any) -> Any:
    """Bitwise OR of integer or bool tensors (``|``)."""
    return _bitwise(_OR, logical_or, input, other)


def bitwise_xor(input: Any, other: Any) -> Any:
    """Bitwise XOR of integer or bool tensors (``^``)."""
    return _bitwise(_XOR, logical_xor, input, other)


def bitwise_not(input: Any) -> Any:
    """Bitwise NOT of an integer tensor (``~x = -x - 1``); logical NOT of a bool one.

    >>> import symgrad
    >>> symgrad.bitwise_not(symgrad.tensor([0, 5]))
    tensor([-1, -6])
    """
    x = tensor_arg(input)
    _integers("bitwise_not", x)
    return logical_not(x) if x.dtype.numpy.kind == "b" else apply(_NOT, x)


def _bitwise(op: Any, on_bools: Any, input: Any, other: Any) -> Any:
    x, y = _two(op.name, input, other, numbers=True)
    from symgrad.dtypes import result_type

    return on_bools(x, y) if result_type(x, y).numpy.kind == "b" else apply(op, x, y)


from symgrad.ops.comparison import logical_and, logical_not, logical_or, logical_xor  # noqa: E402
