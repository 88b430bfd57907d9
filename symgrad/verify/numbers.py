"""Evaluating SymPy expressions at a point, fast and without running code.

``expr.xreplace(point)`` rebuilds the whole tree with SymPy's automatic
simplification (slow on large sums) and ``evalf(subs=...)`` is slower still;
``lambdify`` would be fast but executes printed code, and a user's
expression may carry arbitrary function names.  This is a small iterative
interpreter over the expression tree with mpmath at 30 digits; node types it
does not know are handed to SymPy's own ``evalf``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from functools import reduce
from typing import Any

import mpmath
import sympy
from sympy.core.relational import Relational
from sympy.logic.boolalg import ITE, BooleanFalse, BooleanTrue

__all__ = ["evaluate_at", "DPS"]

DPS = 30

_FUNCTIONS: dict[type, Callable[..., Any]] = {
    sympy.sin: mpmath.sin, sympy.cos: mpmath.cos, sympy.tan: mpmath.tan, sympy.exp: mpmath.exp,
    sympy.log: mpmath.log, sympy.sinh: mpmath.sinh, sympy.cosh: mpmath.cosh, sympy.tanh: mpmath.tanh,
    sympy.asin: mpmath.asin, sympy.acos: mpmath.acos, sympy.atan: mpmath.atan, sympy.asinh: mpmath.asinh,
    sympy.acosh: mpmath.acosh, sympy.atanh: mpmath.atanh, sympy.erf: mpmath.erf, sympy.erfc: mpmath.erfc,
    sympy.Abs: lambda x: abs(x),
}
_REAL_FUNCTIONS: dict[type, Callable[..., Any]] = {
    sympy.sign: lambda x: mpmath.sign(x), sympy.floor: mpmath.floor, sympy.ceiling: mpmath.ceil,
    sympy.Max: lambda *xs: max(xs), sympy.Min: lambda *xs: min(xs),
}
_RELATIONS: dict[str, Callable[[Any, Any], bool]] = {
    ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le, "==": operator.eq, "!=": operator.ne,
}


class _NotRealError(Exception):
    """A comparison or real-only function met a complex value."""


def evaluate_at(expr: Any, point: dict[Any, Any]) -> complex:
    """The value of ``expr`` with ``point``'s numbers for its symbols."""
    with mpmath.workdps(DPS):
        try:
            return complex(_walk(expr, point))
        except _NotRealError:
            return complex("nan")


def _walk(root: Any, point: dict[Any, Any], values: dict[Any, Any] | None = None) -> Any:
    values = {} if values is None else values
    stack = [root]
    while stack:
        node = stack[-1]
        if node in values:
            stack.pop()
            continue
        todo = [a for a in _children(node) if a not in values]
        if todo:
            stack.extend(todo)
            continue
        values[node] = _value(node, point, values)
        stack.pop()
    return values[root]


def _children(node: Any) -> tuple[Any, ...]:
    if isinstance(node, (sympy.Add, sympy.Mul, sympy.Pow, Relational, sympy.And, sympy.Or, sympy.Not)):
        return node.args
    if isinstance(node, (sympy.Piecewise, ITE)):
        return ()  # evaluated lazily by _value: only the branch that applies
    if type(node) in _FUNCTIONS or type(node) in _REAL_FUNCTIONS:
        return node.args
    return ()


def _value(node: Any, point: dict[Any, Any], values: dict[Any, Any]) -> Any:
    if node in point:
        return _number(point[node])
    if isinstance(node, (BooleanTrue, BooleanFalse)):
        return bool(node)
    if isinstance(node, sympy.Number):
        return _number(node)
    args = [values[a] for a in _children(node)]
    if isinstance(node, sympy.Add):
        return reduce(operator.add, args)
    if isinstance(node, sympy.Mul):
        return reduce(operator.mul, args)
    if isinstance(node, sympy.Pow):
        return _power(*args)
    if isinstance(node, Relational):
        return _RELATIONS[node.rel_op](_real(args[0]), _real(args[1]))
    if isinstance(node, sympy.And):
        return all(args)
    if isinstance(node, sympy.Or):
        return any(args)
    if isinstance(node, sympy.Not):
        return not args[0]
    if isinstance(node, sympy.Piecewise):
        # Conditions in order, then the value of the first that holds, alone: a
        # branch that does not apply may be undefined at the point (log(x) where
        # x > 0 does not hold), and a comparison of its complex value would make
        # the whole expression nan.  (Nesting depth is the recursion depth.)
        for value, cond in node.args:
            if _walk(cond, point, values):
                return _walk(value, point, values)
        return mpmath.nan
    if isinstance(node, ITE):  # the same for a condition written ITE(c, a, b)
        c, a, b = node.args
        return _walk(a if _walk(c, point, values) else b, point, values)
    if type(node) in _FUNCTIONS:
        return _FUNCTIONS[type(node)](*args)
    if type(node) in _REAL_FUNCTIONS:
        return _REAL_FUNCTIONS[type(node)](*[_real(a) for a in args])
    return _fallback(node, point)


def _number(v: Any) -> Any:
    if isinstance(v, sympy.Rational):
        return mpmath.mpf(int(v.p)) / int(v.q)
    return mpmath.mpmathify(complex(sympy.N(v, DPS)) if not isinstance(v, (int, float)) else v)


def _power(base: Any, exponent: Any) -> Any:
    if base == 0 and _real(exponent) < 0:
        return mpmath.inf
    return mpmath.power(base, exponent)


def _real(v: Any) -> Any:
    if isinstance(v, mpmath.mpc):
        if abs(v.imag) > mpmath.mpf(10) ** (-DPS + 5) * max(1, abs(v.real)):
            raise _NotRealError
        return v.real
    return v


def _fallback(node: Any, point: dict[Any, Any]) -> Any:
    """Anything else (pi, E, special functions...): SymPy evaluates it."""
    sub = node.xreplace({s: point[s] for s in node.free_symbols if s in point})
    value = complex(sympy.N(sub, DPS))
    return mpmath.mpc(value.real, value.imag) if value.imag else mpmath.mpf(value.real)
