"""Building SymPy objects for the safe formula parser (``symgrad.parsing``).

Each function name maps to the SymPy form symgrad's own ops produce (for
example ``sigmoid(x)`` is ``1/(1 + exp(-x))``, as ``symgrad.sigmoid``
prints), so a hand derivation written with these names compares with
symgrad's closed forms term for term.  Array variables are NumPy object
arrays while building, so ``2*W`` and ``sin(W)`` work elementwise with
NumPy's broadcasting.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

__all__ = ["SympyTarget", "symbol", "SYMPY_FUNCTIONS"]


def symbol(name: str) -> Any:
    """A real symbol, as symgrad's leaf symbols are real."""
    return sp.Symbol(name, real=True)


def _log(x: Any, base: Any = None) -> Any:
    if base is not None and base in (0, 1):  # (SymPy reads log(x, 0) as log(x)/zoo = 0)
        raise ZeroDivisionError(f"a logarithm to base {base} is undefined")
    return sp.log(x) if base is None else sp.log(x, base)


SYMPY_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "exp": sp.exp, "sqrt": sp.sqrt,
    "abs": sp.Abs, "Abs": sp.Abs, "sign": sp.sign, "tanh": sp.tanh,
    "sigmoid": lambda x: 1 / (1 + sp.exp(-x)), "relu": lambda x: sp.Max(0, x),
    "erf": sp.erf, "erfc": sp.erfc, "asin": sp.asin, "acos": sp.acos, "atan": sp.atan,
    "arcsin": sp.asin, "arccos": sp.acos, "arctan": sp.atan,
    "sinh": sp.sinh, "cosh": sp.cosh, "asinh": sp.asinh, "acosh": sp.acosh, "atanh": sp.atanh,
    "floor": sp.floor, "ceil": sp.ceiling, "ceiling": sp.ceiling,
    "log": _log, "log2": lambda x: sp.log(x, 2), "log10": lambda x: sp.log(x, 10),
    "log1p": lambda x: sp.log(1 + x), "expm1": lambda x: sp.exp(x) - 1,
    "softplus": lambda x: sp.log(1 + sp.exp(x)), "rsqrt": lambda x: 1 / sp.sqrt(x),
    "reciprocal": lambda x: 1 / x,
    "Max": sp.Max, "max": sp.Max, "maximum": sp.Max, "Min": sp.Min, "min": sp.Min, "minimum": sp.Min,
}

MAX_DIGITS = 4000  # (symgrad.parsing.MAX_DIGITS) Python prints at most 4300 digits of an integer
_BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow}
_CONSTANTS = {"pi": sp.pi, "E": sp.E}


class SympyTarget:
    """What the parser's walk builds: SymPy expressions (object arrays for arrays)."""

    def __init__(self, names: dict[str, Any] | None) -> None:
        self.names = None if names is None else {k: _internal(v) for k, v in names.items()}

    def known_names(self) -> list[str]:
        return [] if self.names is None else list(self.names)

    def number(self, value: int | float, text: str) -> Any:
        if isinstance(value, int):
            return sp.Integer(value)
        # People mean the decimal they typed: 0.1 is 1/10, not the nearest binary float.
        try:
            f = Fraction(text.replace("_", ""))
        except ValueError:
            f = Fraction(value)
        return sp.Rational(f.numerator, f.denominator)

    def name(self, name: str) -> Any:
        if self.names is not None and name in self.names:
            return self.names[name]
        if name in _CONSTANTS:
            return _CONSTANTS[name]
        return symbol(name) if self.names is None else None

    def element(self, name: str, index: tuple[int, ...]) -> Any:
        if self.names is None:
            return symbol(f"{name}[{', '.join(str(i) for i in index)}]")
        if name not in self.names:
            raise KeyError(f"unknown name {name!r}; known variables: {', '.join(sorted(self.names))}")
        value = self.names[name]
        if not isinstance(value, np.ndarray) or value.ndim == 0:
            raise TypeError(f"{name} is not an array variable, so {name}[...] has no meaning")
        if len(index) != value.ndim or any(i >= n for i, n in zip(index, value.shape)):
            raise IndexError(f"{name}{list(index)} is outside {name}, whose shape is {list(value.shape)}")
        return value[index]

    def too_large_power(self, base: Any, exponent: Any, limit: int) -> bool:
        if isinstance(exponent, np.ndarray) or not isinstance(exponent, sp.Number):
            return False
        if isinstance(base, sp.Number):
            if base in (0, 1, -1):
                return False
            digits = abs(float(exponent)) * abs(math.log10(abs(float(base)))) if math.isfinite(float(base)) \
                else math.inf
            return digits > MAX_DIGITS
        return bool(exponent.is_Integer and abs(exponent) > limit)

    def binop(self, op: str, a: Any, b: Any) -> Any:
        return _defined(_BINARY[op](a, b))

    def neg(self, a: Any) -> Any:
        return -a

    def call(self, name: str, args: list[Any]) -> Any:
        if name in ("sum", "mean"):
            return _reduce(name, args[0])
        fn = SYMPY_FUNCTIONS[name]
        if not any(isinstance(a, np.ndarray) for a in args):
            return _defined(fn(*args))
        return _defined(np.frompyfunc(fn, len(args), 1)(*args))

    def array(self, rows: Any) -> Any:
        return sp.Array(rows)

    def finish(self, value: Any) -> Any:
        if isinstance(value, np.ndarray):
            return value[()] if value.ndim == 0 else sp.Array(value.tolist())
        return value


def _defined(value: Any) -> Any:
    """Refuse what SymPy makes of 1/0, 0/0 and log(0) (zoo, nan): a formula
    holding them has no value at any point, so nothing can be compared with it;
    and numbers too long for Python to print."""
    for e in value.reshape(-1) if isinstance(value, np.ndarray) else (value,):
        if isinstance(e, sp.Basic) and e.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            bad = "nan" if e.has(sp.nan) else "zoo, complex infinity" if e.has(sp.zoo) else "infinite"
            raise ZeroDivisionError(f"it is undefined (SymPy gives {bad}: a division by zero or log(0))")
        if isinstance(e, sp.Rational) and max(abs(e.p), e.q).bit_length() > MAX_DIGITS * math.log2(10):
            raise OverflowError(f"the number has more than {MAX_DIGITS} digits")
    return value


def _reduce(name: str, value: Any) -> Any:
    if not isinstance(value, np.ndarray):
        return value
    total = sp.Add(*value.reshape(-1))
    return total / value.size if name == "mean" else total


def _internal(v: Any) -> Any:
    """Arrays of symbols become object arrays (elementwise arithmetic)."""
    if isinstance(v, sp.NDimArray):
        v = np.array(v.tolist(), dtype=object) if v.rank() else v[()]
    elif isinstance(v, (list, tuple, np.ndarray)):
        v = np.array(v, dtype=object)
    for e in v.reshape(-1) if isinstance(v, np.ndarray) else (v,):
        if not isinstance(e, (sp.Basic, int, float)) or isinstance(e, bool):
            raise TypeError(f"formula variables must be SymPy symbols or expressions (or arrays of them), "
                            f"got {type(e).__name__} {e!r}; use sympy.Symbol(name) for a new variable")
    return v
