"""The term graph below some outputs: every node once, in an order where
arguments come before their users, and each node's numeric value.

Walks are iterative (graphs can be 10^5 nodes deep).  The numeric values give
every node's shape and dtype - terms do not store them - and let nodes whose
arguments are all constants be folded into constants.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np

from symgrad.codegen.program import freeze
from symgrad.symbolic.terms import Apply, Const, Leaf, Term, Unavailable


class CodegenError(ValueError):
    """The outputs or inputs cannot be turned into code; the message says why and what to do."""


def post_order(roots: Iterable[Term]) -> list[Term]:
    """Every term reachable from ``roots`` (resolved), arguments before users."""
    out: list[Term] = []
    seen: set[int] = set()
    for root in roots:
        stack: list[tuple[Term, bool]] = [(root.resolve(), False)]
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


def args_of(t: Apply) -> list[Term]:
    return [a.resolve() for a in t.args]


def merge_equal(order: list[Term]) -> tuple[list[Term], dict[int, Term]]:
    """Applications of the same op to the same arguments with the same
    parameters merged into one (derivative rules recompute ``cos(x)``, ``x*x``...):
    the distinct terms in order, and each term's representative (by ``id``)."""
    rep: dict[int, Term] = {}
    seen: dict[Any, Term] = {}
    unique: list[Term] = []
    for t in order:
        if isinstance(t, Apply):
            key = (t.op.name, tuple(id(rep[id(a.resolve())]) for a in t.args), freeze(t.params))
            first = seen.setdefault(key, t)
            rep[id(t)] = first
            if first is not t:
                continue
        else:
            rep[id(t)] = t
        unique.append(t)
    return unique, rep


# SymPy merges equal terms and factors (x + x is 2*x, x*x is x**2), so an
# argument these ops read twice is still computed once in line.
_MERGING_OPS = frozenset({"add", "sub", "mul"})


def count_uses(unique: list[Term], rep: dict[int, Term], roots: Iterable[Term]) -> Counter[int]:
    """How many times each distinct term is read (by a term, or as an output)."""
    uses: Counter[int] = Counter(id(rep[id(r.resolve())]) for r in roots)
    for t in unique:
        if isinstance(t, Apply):
            reads = [id(rep[id(a.resolve())]) for a in t.args]
            uses.update(set(reads) if t.op.name in _MERGING_OPS else reads)
    return uses


def numeric_values(order: list[Term], rep: dict[int, Term] | None = None) -> dict[int, Any]:
    """Each term's value (keyed by ``id``): leaves from their tensor's current
    value, applications by their NumPy forward.  ``rep`` maps merged terms
    (``merge_equal``) to the one in ``order``."""
    values: dict[int, Any] = {}
    with np.errstate(all="ignore"):
        for t in order:
            values[id(t)] = _value_of(t, values, rep)
    return values


def _value_of(t: Term, values: dict[int, Any], rep: dict[int, Term] | None) -> Any:
    if isinstance(t, Leaf):
        tensor = t.tensor()
        return tensor._value if tensor is not None else np.ones(t.shape)
    if isinstance(t, Const):
        v = t.value
        # Python numbers stay Python numbers: NumPy promotes them as weak
        # scalars, exactly as the op saw them when it ran.
        return v if isinstance(v, (int, float, bool)) else np.asarray(v)
    if isinstance(t, Unavailable):
        raise CodegenError(t.reason)
    if isinstance(t, Apply):
        try:
            args = args_of(t) if rep is None else [rep[id(a)] for a in args_of(t)]
            out = t.op.forward(*[values[id(a)] for a in args], **t.params)
        except Exception as e:  # pragma: no cover - the op ran once already with these shapes
            raise CodegenError(f"op {t.op.name!r} failed when replayed to find its shape: {e}") from e
        return np.asarray(out)
    raise CodegenError(f"cannot generate code for a term of type {type(t).__name__}")


def shape_of(v: Any) -> tuple[int, ...]:
    return tuple(np.shape(v))


def dtype_of(v: Any) -> np.dtype:
    return np.asarray(v).dtype
