"""What of a tensor's closed form to show: the expression itself, its compact
view when it is too large to read (or to print at all), or a reason why
there is none to show.

>>> import symgrad
>>> from symgrad.display.form import closed_form
>>> x = symgrad.tensor(2., requires_grad=True)
>>> closed_form(x * x).expr
x**2
>>> y = x
>>> for _ in range(12):
...     y = symgrad.sin(y) * y
>>> closed_form(y).compact is not None
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy

from symgrad._tensor import Tensor, term_of
from symgrad.symbolic.compact import Compact
from symgrad.symbolic.evaluate import ExpressionTooLargeError
from symgrad.symbolic.terms import Leaf

__all__ = ["ClosedForm", "closed_form", "MAX_ELEMENTS", "MAX_INLINE_NODES"]

# Beyond this many elements a tensor's closed form is not shown (one formula
# per element would flood the page); ask for t.expr[i] instead.
MAX_ELEMENTS = 64
# An expression tree with more nodes than this is shown as its compact view:
# at about this size a formula stops fitting on a screen.
MAX_INLINE_NODES = 250


@dataclass
class ClosedForm:
    """Exactly one of: ``expr`` (SymPy), ``compact`` (``Compact``), or ``note``
    (why no formula is shown); all None for plain numbers and leaves."""

    expr: Any = None
    compact: Compact | None = None
    note: str | None = None


def closed_form(t: Tensor) -> ClosedForm:
    """The closed form of ``t`` to show (see module docstring)."""
    term = term_of(t)
    if term is None or term.const or isinstance(term, Leaf):
        return ClosedForm()  # a number, or a variable: its name says it all
    if t.numel() > MAX_ELEMENTS:
        return ClosedForm(note=f"closed form of {t.numel()} elements not shown; index an element, "
                               "e.g. t[0].expr, or use t.compact()")
    try:
        expr = t.expr
    except ExpressionTooLargeError:
        return ClosedForm(compact=t.compact())
    except RuntimeError as e:  # a closed form deliberately not kept says why
        return ClosedForm(note=str(e))
    if _plain_numbers(expr):
        return ClosedForm()  # 1 = 1 says nothing; pi or 1/3 would, and stay
    if tree_size(expr, MAX_INLINE_NODES) > MAX_INLINE_NODES:
        return ClosedForm(compact=t.compact())
    return ClosedForm(expr=expr)


def _plain_numbers(expr: Any) -> bool:
    items = list(expr) if isinstance(expr, sympy.NDimArray) else [expr]
    return all(isinstance(e, (sympy.Integer, sympy.Float)) for e in items)


def tree_size(expr: Any, limit: int) -> int:
    """Nodes of the expression tree (as printed: shared subtrees count each
    time), counting no further than ``limit + 1``.

    >>> import sympy
    >>> x = sympy.Symbol("x")
    >>> tree_size(sympy.sin(x) * x, 100), tree_size(sympy.sin(x) * x, 2)
    (4, 3)
    """
    items = list(expr) if isinstance(expr, sympy.NDimArray) else [expr]
    n = 0
    for item in items:
        for _ in sympy.preorder_traversal(item):
            n += 1
            if n > limit:
                return n
    return n
