"""The compact view of a closed form: shared or deep subexpressions become
named temporaries (``c1 = sin(x*y)``), so expressions of any size and depth
can be shown and printed.  The temporaries come from the graph itself (a
node used twice is computed once), not from a search over expanded trees."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy

from symgrad.symbolic import evaluate, naming
from symgrad.symbolic.terms import Apply, Term

# A chain longer than this many ops without a shared node is cut into
# temporaries, which keeps every printed line shallow.
MAX_INLINE_DEPTH = 8

# SymPy's printer orders an Add's terms by their monomials over every symbol
# in it: quadratic (45 s for a 20 000-term sum).  Values with more nodes than
# this print in SymPy's stored order instead.
ORDERED_PRINT_LIMIT = 2000


@dataclass
class Compact:
    """Assignments ``(name, value)`` in order, and the final ``result``."""

    assignments: list[tuple[Any, Any]] = field(default_factory=list)
    result: Any = None

    def __str__(self) -> str:
        lines = [f"{_show(name)} = {_show(value)}" for name, value in self.assignments]
        lines.append(f"result = {_show(self.result)}")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_latex_(self) -> str:
        rows = [rf"{sympy.latex(_public(n))} &= {sympy.latex(_public(v))}" for n, v in self.assignments]
        rows.append(rf"\mathrm{{result}} &= {sympy.latex(_public(self.result))}")
        return r"$\begin{aligned}" + r"\\ ".join(rows) + r"\end{aligned}$"

    def substituted(self) -> Any:
        """The full expression (may be huge: this is what the compact view avoids)."""
        out = _public(self.result)
        for name, value in reversed(self.assignments):
            out = out.subs(_pairs(name, value))
        return out


def _public(v: Any) -> Any:
    return evaluate.public(v)


def _show(v: Any) -> str:
    e = _public(v)
    return sympy.sstr(e, order="none") if _larger_than(e, ORDERED_PRINT_LIMIT) else str(e)


def _larger_than(e: Any, n: int) -> bool:
    for i, _ in enumerate(sympy.preorder_traversal(e)):
        if i >= n:
            return True
    return False


def _pairs(name: Any, value: Any) -> dict[Any, Any]:
    if isinstance(name, np.ndarray):
        return dict(zip(name.reshape(-1), value.reshape(-1)))
    return {name: value}


def compact(root: Term) -> Compact:
    """The compact view of ``root`` (see module docstring)."""
    root = root.resolve()
    terms = list(evaluate.iter_terms(root))
    naming.assign_names(t for t in terms if isinstance(t, evaluate.Leaf))
    uses: dict[int, int] = {}
    for t in terms:
        if isinstance(t, Apply):
            for a in t.args:
                a = a.resolve()
                uses[id(a)] = uses.get(id(a), 0) + 1
    order = _post_order(root)
    out = Compact()
    values: dict[int, Any] = {}
    depth: dict[int, int] = {}
    count = 0
    for t in order:
        if not isinstance(t, Apply):
            values[id(t)] = evaluate.value(t)
            depth[id(t)] = 0
            continue
        args = [a.resolve() for a in t.args]
        v = evaluate.apply_symbolic(t, args, [values[id(a)] for a in args])
        d = 1 + max((depth[id(a)] for a in args), default=0)
        if t is not root and (uses.get(id(t), 0) > 1 or d >= MAX_INLINE_DEPTH):
            count += 1
            name = _temp(f"c{count}", v)
            out.assignments.append((name, v))
            v, d = name, 0
        values[id(t)] = v
        depth[id(t)] = d
    out.result = values[id(root)]
    return out


def _temp(name: str, like: Any) -> Any:
    if isinstance(like, np.ndarray):
        arr = np.empty(like.shape, dtype=object)
        for idx in np.ndindex(*like.shape):
            arr[idx] = sympy.Symbol(f"{name}[{', '.join(map(str, idx))}]")
        return arr
    return sympy.Symbol(name)


def _post_order(root: Term) -> list[Term]:
    out: list[Term] = []
    seen: set[int] = set()
    stack: list[tuple[Term, bool]] = [(root, False)]
    while stack:
        t, ready = stack.pop()
        if ready:
            out.append(t)
            continue
        if id(t) in seen:
            continue
        seen.add(id(t))
        stack.append((t, True))
        if isinstance(t, Apply):
            stack.extend((a.resolve(), False) for a in reversed(t.args) if id(a.resolve()) not in seen)
    return out
