"""Trying to prove two closed forms equal, or different, with SymPy's
simplification - cheap steps first, the expensive ``simplify`` only on small
expressions (it can run for minutes on large ones).

Decimal constants are read as the decimals they print as (``0.1`` is
``1/10``), so ``0.1*x`` and ``x/10`` are equal.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy

__all__ = ["exact", "prove_zero", "simplified", "constant_factor", "SIMPLIFY_MAX_OPS"]

SIMPLIFY_MAX_OPS = 400  # sympy.simplify is tried only below this many operations


def exact(e: Any) -> Any:
    """Floats as the rationals they print as (0.1 -> 1/10)."""
    return sympy.nsimplify(e, rational=True) if e.has(sympy.Float) else e


def prove_zero(d: Any) -> bool | None:
    """True if ``d`` simplifies to 0, False if to a nonzero number, None if
    neither could be shown."""
    for step in (lambda e: e, sympy.expand, sympy.cancel, _simplify):
        try:
            r = step(d)
        except (RecursionError, TypeError, ValueError, NotImplementedError, AttributeError):
            continue
        if r is None:
            continue
        if r == 0:
            return True
        if r.is_number and not r.free_symbols:
            value = complex(r.evalf(30))
            if abs(value) > 1e-20:  # far above the rounding of a 30-digit evaluation of an exact zero
                return False
    return None


def _simplify(e: Any) -> Any:
    if sympy.count_ops(e) > SIMPLIFY_MAX_OPS:
        return None
    return sympy.simplify(e)


def simplified(e: Any) -> Any:
    """The shortest form of ``e`` that simplification finds within budget."""
    best = e
    for step in (sympy.factor, _simplify):
        try:
            r = step(e)
        except (RecursionError, TypeError, ValueError, NotImplementedError, AttributeError):
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
    return factor if factor is not None and factor != 1 else None


def _ratio(a: Any, b: Any) -> Any:
    try:
        r = sympy.cancel(a / b)
        if not r.is_number:
            r = _simplify(r)
    except (RecursionError, TypeError, ValueError, NotImplementedError, AttributeError, ZeroDivisionError):
        return None
    if r is None or not r.is_number or r.free_symbols or r.has(sympy.zoo, sympy.nan):
        return None
    return r
