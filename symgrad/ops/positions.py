"""Positions chosen by values: a sort's order, a mask ``x > 0``, an argmax
used as an index.

Selecting elements at such positions is exact at the values recorded, and
the positions are constants of the graph, as they are of the closed form
(``sort([x, y])`` at ``x > y`` reads ``[y, x]``).  Code generated from the
graph would reuse them at every other input and silently compute something
else, so they are marked here, with an array subclass NumPy treats as any
array, and code generation refuses graphs that hold them
(``codegen/generate.py``).  ``max``, ``where``, ``clamp``, ``relu`` decide at
run time and are not marked.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symgrad._tensor import Tensor, term_of
from symgrad.symbolic.terms import Apply, Const, Term

__all__ = ["Picked", "PickedInt", "chosen_by_values", "index_values", "picked", "holds_picked", "term_holds_picked"]


class Picked(np.ndarray):
    """Integer or boolean positions computed from the values of a symbolic tensor."""


class PickedInt(int):
    """One such position as a Python int (``x[x.argmax()]``): NumPy indexes with it as with any int."""


def chosen_by_values(t: Tensor) -> bool:
    """Whether ``t``'s numbers are positions already chosen by values, or were
    computed from a symbolic tensor (a variable, named data, or a tensor made
    from them): then positions computed from them are chosen by values too."""
    if isinstance(t._value, Picked):
        return True
    c = term_of(t)
    return c is not None and not c.const


def picked(positions: np.ndarray, by: Tensor) -> np.ndarray:
    """``positions``, computed from ``by``'s numbers, marked if ``by`` is symbolic."""
    return positions.view(Picked) if chosen_by_values(by) and not isinstance(positions, Picked) else positions


def index_values(index: Tensor) -> np.ndarray:
    """An index tensor's numbers, marked if they were computed from symbolic values."""
    return picked(index._value, index)


def holds_picked(params: dict[str, Any]) -> bool:
    """Whether an op's parameters select by positions chosen by values."""
    for v in params.values():
        for item in v if isinstance(v, tuple) else (v,):
            if isinstance(item, (Picked, PickedInt)):
                return True
    return False


def term_holds_picked(t: Term) -> bool:
    """Whether one term of a graph selects at positions chosen by values, or
    is a constant made of such positions (argsort(x) or unique(x) as an
    output or an operand)."""
    if isinstance(t, Apply):
        return bool(t.params) and holds_picked(t.params)
    return isinstance(t, Const) and holds_picked({"value": t.value})
