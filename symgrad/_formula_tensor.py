"""Building symgrad tensors for the safe formula parser (``symgrad.parsing``).

The formula is computed with symgrad's own ops, so the result has a graph
(derivatives of any order) and a closed form, exactly as if the user had
typed the same expression in Python on tensors.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

import symgrad
from symgrad._tensor import Tensor, term_of
from symgrad.ops._sympy import Exact, sp

__all__ = ["TensorTarget"]

PI = Exact(math.pi, lambda: sp.pi)
E = Exact(math.e, lambda: sp.E)


def _log(x: Any, base: Any = None) -> Any:
    if base is None:
        return symgrad.log(x)
    if isinstance(base, (int, float)):
        b = float(base)
        if b <= 0 or b == 1:
            raise ValueError(f"a logarithm to base {base} is undefined (as a real number)")
        return symgrad.log(x) / Exact(math.log(b), lambda: sp.log(sp.Integer(base) if b.is_integer() else b))
    return symgrad.log(x) / symgrad.log(base)


def _fold(fn: Callable[[Any, Any], Any]) -> Callable[..., Any]:
    def folded(*args: Any) -> Any:
        out = args[0]
        for a in args[1:]:
            out = fn(out, a)
        return out

    return folded


TENSOR_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "sin": symgrad.sin, "cos": symgrad.cos, "tan": symgrad.tan, "exp": symgrad.exp, "sqrt": symgrad.sqrt,
    "abs": symgrad.abs, "Abs": symgrad.abs, "sign": symgrad.sign, "tanh": symgrad.tanh,
    "sigmoid": symgrad.sigmoid, "relu": symgrad.relu, "erf": symgrad.erf, "erfc": symgrad.erfc,
    "asin": symgrad.asin, "acos": symgrad.acos, "atan": symgrad.atan,
    "arcsin": symgrad.asin, "arccos": symgrad.acos, "arctan": symgrad.atan,
    "sinh": symgrad.sinh, "cosh": symgrad.cosh, "asinh": symgrad.asinh, "acosh": symgrad.acosh,
    "atanh": symgrad.atanh, "floor": symgrad.floor, "ceil": symgrad.ceil, "ceiling": symgrad.ceil,
    "log": _log, "log2": symgrad.log2, "log10": symgrad.log10, "log1p": symgrad.log1p,
    "expm1": symgrad.expm1, "softplus": symgrad.softplus, "rsqrt": symgrad.rsqrt,
    "reciprocal": symgrad.reciprocal, "sum": symgrad.sum, "mean": symgrad.mean,
    "Max": _fold(symgrad.maximum), "max": _fold(symgrad.maximum), "maximum": _fold(symgrad.maximum),
    "Min": _fold(symgrad.minimum), "min": _fold(symgrad.minimum), "minimum": _fold(symgrad.minimum),
}

_BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow}


def _constant(v: Any) -> bool:
    """A plain number, or a tensor holding numbers with no symbol in it."""
    if not isinstance(v, Tensor):
        return True
    term = term_of(v)
    return term is None or term.const


class TensorTarget:
    """What the parser's walk builds: tensors, computed with symgrad ops."""

    def __init__(self, variables: dict[str, Any]) -> None:
        for name, t in variables.items():
            if not isinstance(t, Tensor):
                raise TypeError(f"formula variable {name!r} must be a symgrad Tensor, got {type(t).__name__}")
        self.variables = variables

    def known_names(self) -> list[str]:
        return list(self.variables)

    def number(self, value: int | float, text: str) -> Any:
        return float(value) if isinstance(value, int) and abs(value) > 2**53 else value

    def name(self, name: str) -> Any:
        if name in self.variables:
            return self.variables[name]
        constant = {"pi": PI, "E": E}.get(name)
        # a 0-d tensor whose closed form is the exact constant (pi, not 3.14159...)
        return None if constant is None else symgrad.tensor(1.) * constant

    def element(self, name: str, index: tuple[int, ...]) -> Any:
        if name not in self.variables:
            raise KeyError(f"unknown name {name!r}; known variables: {', '.join(sorted(self.variables))}")
        t = self.variables[name]
        if t.ndim == 0:
            raise TypeError(f"{name} is not an array variable, so {name}[...] has no meaning")
        if len(index) != t.ndim or any(i >= n for i, n in zip(index, t.shape)):
            raise IndexError(f"{name}{list(index)} is outside {name}, whose shape is {list(t.shape)}")
        return t[index]

    def too_large_power(self, base: Any, exponent: Any, limit: int) -> bool:
        # The same rule as the SymPy target, so both read a formula alike;
        # number overflow is refused in binop.
        return isinstance(exponent, int) and abs(exponent) > limit

    def binop(self, op: str, a: Any, b: Any) -> Any:
        if not (_constant(a) and _constant(b)):
            return _BINARY[op](a, b)
        # Numbers only: compute in float64 like the rest, and refuse overflow
        # (a typo such as 9**9**9 should not silently become inf).
        if not isinstance(a, Tensor):
            a = symgrad.tensor(float(a))
        with np.errstate(all="ignore"):
            out = _BINARY[op](a, b)
        if not np.isfinite(out._value).all():
            raise ValueError("the result is not a finite float64 number")
        return out

    def neg(self, a: Any) -> Any:
        return -a

    def call(self, name: str, args: list[Any]) -> Any:
        if name in ("sum", "mean") and not isinstance(args[0], Tensor):
            return args[0]  # a number is its own sum and mean
        return TENSOR_FUNCTIONS[name](*args)

    def array(self, rows: Any) -> Any:
        if isinstance(rows, list):
            return symgrad.stack([self.array(r) for r in rows])
        return rows if isinstance(rows, Tensor) else symgrad.tensor(float(rows))

    def finish(self, value: Any) -> Any:
        return value if isinstance(value, Tensor) else symgrad.tensor(float(np.asarray(value)))
