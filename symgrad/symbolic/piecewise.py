"""``Piecewise`` whose conditions never contain a ``Piecewise``.

A condition on a piecewise value (``where(where(x > 0, x, -x) > 1, ...)``)
makes SymPy rewrite it into ``ITE`` form and simplify that by solving
inequalities: seconds per node, so a few nested ``where`` took tens of
seconds to print.  Lifting the inner ``Piecewise`` into an ``ITE`` of its branches
ourselves gives the same condition without that simplification, in milliseconds.

SymPy is imported when a piecewise value is first built, not with symgrad.
"""

from __future__ import annotations

from typing import Any


def piecewise(*pairs: tuple[Any, Any]) -> Any:
    """``sympy.Piecewise(*pairs)`` with every condition lifted (see module docstring)."""
    import sympy

    return sympy.Piecewise(*[(e, lift(c)) for e, c in pairs])


def lift(cond: Any) -> Any:
    """A boolean without ``Piecewise`` inside: ``(a if p else b) > 0`` becomes
    ``ITE(p, a > 0, b > 0)``, built directly (each condition appears once)."""
    import sympy
    from sympy.functions.elementary.piecewise import piecewise_fold
    from sympy.logic.boolalg import ITE

    if not isinstance(cond, sympy.Basic) or not cond.has(sympy.Piecewise):
        return cond
    folded = piecewise_fold(cond)
    if not isinstance(folded, sympy.Piecewise):
        return folded
    out = sympy.false
    for value, when in reversed(folded.args):
        out = value if when is sympy.true else ITE(when, value, out)
    return out
