"""The term graph below some outputs: every node once, in an order where
arguments come before their users, and each node's numeric value.

Walks are iterative (graphs can be 10^5 nodes deep).  The numeric values give
every node's shape and dtype - terms do not store them - and let nodes whose
arguments are all constants be folded into constants.
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

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


def numeric_values(order: list[Term], given: dict[int, np.ndarray]) -> dict[int, Any]:
    """Each term's value (keyed by ``id``): leaves from ``given`` (else their
    tensor's current value), applications by their NumPy forward."""
    values: dict[int, Any] = {}
    with np.errstate(all="ignore"):
        for t in order:
            values[id(t)] = _value_of(t, values, given)
    return values


def _value_of(t: Term, values: dict[int, Any], given: dict[int, np.ndarray]) -> Any:
    if id(t) in given:
        return given[id(t)]
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
            out = t.op.forward(*[values[id(a)] for a in args_of(t)], **t.params)
        except Exception as e:  # pragma: no cover - the op ran once already with these shapes
            raise CodegenError(f"op {t.op.name!r} failed when replayed to find its shape: {e}") from e
        return np.asarray(out)
    raise CodegenError(f"cannot generate code for a term of type {type(t).__name__}")


def shape_of(v: Any) -> tuple[int, ...]:
    return tuple(np.shape(v))


def dtype_of(v: Any) -> np.dtype:
    return np.asarray(v).dtype
