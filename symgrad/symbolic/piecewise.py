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
    """``sympy.Piecewise(*pairs)`` with every condition lifted (see module
    docstring).  A condition that would lift into more branches than
    ``limits.branches`` is refused with ``ExpressionTooLargeError``: lifting
    (and SymPy's own folding, which any Piecewise does) multiplies branches,
    and SymPy simplifies each one - the mask of a max over six softplus sums
    ran for minutes (found by the long fuzz)."""
    import sympy

    from symgrad.symbolic.evaluate import limits, too_large  # (evaluate imports this module)

    for _, cond in pairs:
        n = _branches(cond)
        if n > limits.branches:
            raise too_large(f"The closed form has a condition on piecewise values that unfolds into up to {n} "
                            f"branches (limit {limits.branches})")
    lifted = [(e, lift(c)) for e, c in pairs]
    return sympy.Piecewise(*_settle_inner(lifted))


#: How deep below a branch's value an inner ``Piecewise`` on the same
#: conditions is looked for (a bounded walk: branch values can be large).
SETTLE_DEPTH = 4


def _settle_inner(pairs: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Each branch's value with inner ``Piecewise`` on the outer conditions
    decided: inside the branch of ``x > 0`` it holds, inside the later ones it
    does not.  This is the "double where" that keeps an unused branch finite
    (``where(x > 0, x, expm1(where(x > 0, 0, x)))``: ``expm1`` of a large ``x``
    would overflow, and its gradient, multiplied by 0, would be nan) printing
    as the function it is: ``Piecewise((x, x > 0), (exp(x) - 1, True))``.
    Only inner values a few levels down are looked at (``SETTLE_DEPTH``)."""
    import sympy

    out = []
    for i, (value, cond) in enumerate(pairs):
        known = {c: sympy.false for _, c in pairs[:i]}
        if cond is not sympy.true:
            known[cond] = sympy.true
        out.append((_settle(value, known, SETTLE_DEPTH), cond))
    return out


def _settle(value: Any, known: dict[Any, Any], depth: int) -> Any:
    import sympy

    if depth == 0 or not isinstance(value, sympy.Basic) or not value.args:
        return value
    if isinstance(value, sympy.Piecewise):
        for inner, cond in value.args:
            truth = sympy.true if cond is sympy.true else known.get(cond)
            if truth is None:
                break  # not decided by what is known here: keep it as it is
            if truth is sympy.true:
                return _settle(inner, known, depth - 1)
        return value
    args = [_settle(a, known, depth - 1) for a in value.args]
    return value if all(a is b for a, b in zip(args, value.args)) else value.func(*args)


def _branches(cond: Any) -> int:
    """An estimate of the branches lifting ``cond`` makes: the product of the
    branch counts of the distinct Piecewise values inside it."""
    import sympy

    if not isinstance(cond, sympy.Basic) or not cond.has(sympy.Piecewise):
        return 1
    n = 1
    for p in cond.atoms(sympy.Piecewise):
        n *= len(p.args)
    return n


def lift(cond: Any) -> Any:
    """A boolean without ``Piecewise`` inside: ``(a if p else b) > 0`` becomes
    ``ITE(p, a > 0, b > 0)``, built directly (each condition appears once)."""
    import sympy
    from sympy.core.relational import Relational
    from sympy.functions.elementary.piecewise import piecewise_fold
    from sympy.logic.boolalg import ITE, And, Not, Or, Xor

    if not isinstance(cond, sympy.Basic) or not cond.has(sympy.Piecewise):
        return cond
    if isinstance(cond, Relational):
        return _lift_relation(cond.func, cond.lhs, cond.rhs)
    if isinstance(cond, (And, Or, Not, Xor, ITE)):
        return cond.func(*[lift(a) for a in cond.args])
    folded = piecewise_fold(cond)
    if not isinstance(folded, sympy.Piecewise):
        return folded
    return _chain([(when, value) for value, when in folded.args])


def _lift_relation(op: Any, lhs: Any, rhs: Any) -> Any:
    # Fold one side at a time (SymPy's fold would build every branch's relation
    # with SymPy's own constructor, which refuses to compare zoo).
    from sympy.functions.elementary.piecewise import Piecewise, piecewise_fold

    for side in (0, 1):
        value = piecewise_fold((lhs, rhs)[side])
        if isinstance(value, Piecewise):
            return _chain([(when, _lift_relation(op, *((v, rhs) if side == 0 else (lhs, v))))
                           for v, when in value.args])
    return relation(op, lhs, rhs)


def _chain(branches: list[tuple[Any, Any]]) -> Any:
    import sympy
    from sympy.logic.boolalg import ITE

    out = sympy.false
    for when, value in reversed(branches):
        out = value if when is sympy.true else ITE(when, value, out)
    return out


def relation(op: Any, lhs: Any, rhs: Any) -> Any:
    """``op(lhs, rhs)`` for a SymPy relation (``sympy.Gt``...).  A side SymPy
    cannot order - ``zoo`` or ``nan``, e.g. ``log(0)`` in a branch - compares as
    IEEE floats compare nan: false, except ``!=``."""
    import sympy

    try:
        return op(lhs, rhs)
    except TypeError:
        return sympy.true if op in (sympy.Ne, sympy.Unequality) else sympy.false
