"""Trying to prove two closed forms equal, or different, with SymPy - cheap
canonical forms first, the expensive steps only on small expressions
(``simplify`` and ``factor`` can run for minutes on large ones).

* ``expand`` brings a polynomial to its canonical form: 0 proves equality,
  anything else proves the difference is a nonzero polynomial;
* ``cancel`` does the same for rational functions;
* ``simplify`` handles the rest (exp, log, trig ...) within a size budget.

Decimal constants are read as the decimals they print as (``0.1`` is
``1/10``), so ``0.1*x`` and ``x/10`` are equal.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy

__all__ = ["exact", "prove_zero", "simplified", "constant_factor", "SIMPLIFY_MAX_OPS", "FACTOR_MAX_OPS"]

SIMPLIFY_MAX_OPS = 200  # sympy.simplify is tried only up to this many operations
FACTOR_MAX_OPS = 120  # sympy.factor (for showing a difference) likewise
_ERRORS = (RecursionError, TypeError, ValueError, NotImplementedError, AttributeError, ZeroDivisionError)


def exact(e: Any) -> Any:
    """Floats as the rationals they print as (0.1 -> 1/10)."""
    return sympy.nsimplify(e, rational=True) if isinstance(e, sympy.Basic) and e.has(sympy.Float) else e


def prove_zero(d: Any) -> bool | None:
    """True if ``d`` is identically 0, False if it provably is not (a nonzero
    number, polynomial or rational function), None if neither could be shown."""
    d = sympy.sympify(d) if not isinstance(d, sympy.Basic) else d
    if d == 0:
        return True
    symbols = sorted(d.free_symbols, key=str)
    for step, canonical in ((sympy.expand, _is_polynomial), (sympy.cancel, _is_rational), (_simplify, None)):
        try:
            r = step(d)
        except _ERRORS:
            continue
        if r is None:
            continue
        if r == 0:
            return True
        if _nonzero_number(r) or (canonical is not None and canonical(r, symbols)):
            return False
    return None


def _is_polynomial(r: Any, symbols: list[Any]) -> bool:
    return bool(r.is_polynomial(*symbols))


def _is_rational(r: Any, symbols: list[Any]) -> bool:
    return bool(r.is_rational_function(*symbols)) and not r.has(sympy.Piecewise)


def _nonzero_number(r: Any) -> bool:
    if not (r.is_number and not r.free_symbols):
        return False
    try:
        value = complex(r.evalf(30))
    except _ERRORS:
        return False
    return abs(value) > 1e-20  # far above the rounding of a 30-digit evaluation of an exact zero


def _simplify(e: Any) -> Any:
    if sympy.count_ops(e) > SIMPLIFY_MAX_OPS:
        return None
    return sympy.simplify(e)


def _factor(e: Any) -> Any:
    if sympy.count_ops(e) > FACTOR_MAX_OPS:
        return None
    return sympy.factor(e)


def simplified(e: Any) -> Any:
    """The shortest form of ``e`` that simplification finds within budget."""
    best = e
    for step in (_factor, _simplify):
        try:
            r = step(e)
        except _ERRORS:
            continue
        if r is not None and sympy.count_ops(r) < sympy.count_ops(best):
            best = r
    return best


def constant_factor(ours: np.ndarray, theirs: np.ndarray) -> Any:
    """The number ``c`` with ``ours = c * theirs`` for every element, if there
    is one (e.g. 2 for a missing factor of two, -1 for a sign error)."""
    factor = None
    for a, b in zip(ours.reshape(-1), theirs.reshape(-1)):
        if b == 0:
            if a != 0:
                return None
            continue
        r = _ratio(a, b)
        if r is None or (factor is not None and prove_zero(r - factor) is not True):
            return None
        factor = r
    return factor if factor is not None and factor not in (0, 1) else None  # (0: symgrad's side is 0)


def _ratio(a: Any, b: Any) -> Any:
    try:
        r = sympy.cancel(a / b)
        if not r.is_number:
            r = _simplify(r)
    except _ERRORS:
        return None
    if r is None or not r.is_number or r.free_symbols or r.has(sympy.zoo, sympy.nan):
        return None
    return r
