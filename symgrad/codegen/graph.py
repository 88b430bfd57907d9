"""The term graph below some outputs: every node once, in an order where
arguments come before their users, and each node's numeric value.

Walks are iterative (graphs can be 10^5 nodes deep).  The numeric values give
every node's shape and dtype - terms do not store them - and let nodes whose
arguments are all constants be folded into constants.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from symgrad.codegen.program import freeze
from symgrad.dispatch import promoted
from symgrad.symbolic.terms import Apply, Const, Lazy, Leaf, Term, Unavailable


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


def leaves_below(roots: Iterable[Term]) -> list[Leaf]:
    """The leaves among ``post_order(roots)``, in its order, without building
    the order (a leaf comes out of that walk as soon as it is first reached,
    so the walk needs no second visit of each application)."""
    out: list[Leaf] = []
    seen: set[int] = set()
    stack = [r.resolve() for r in reversed(list(roots))]
    pop, push = stack.pop, stack.append
    while stack:
        t = pop()
        k = id(t)
        if k in seen:
            continue
        seen.add(k)
        if isinstance(t, Apply):
            args = t.args
            if len(args) == 2:  # (the usual case, without a list)
                a, b = args
                push(b.resolve() if b.__class__ is Lazy else b)
                push(a.resolve() if a.__class__ is Lazy else a)
            else:
                stack.extend([a.resolve() for a in reversed(args)])
        elif isinstance(t, Leaf):
            out.append(t)
    return out


def args_of(t: Apply) -> list[Term]:
    return [a.resolve() for a in t.args]


# SymPy merges equal terms and factors (x + x is 2*x, x*x is x**2), and so
# does ``nodes.make``: an argument these ops read twice is computed once in line.
_MERGING_OPS = frozenset({"add", "sub", "mul"})


@dataclass
class Graph:
    """The term graph below some outputs, with equal applications merged.

    Derivative rules recompute values (``cos(x)`` in several rules, ``g * y``
    twice for ``x*x``): applications of the same op to the same (merged)
    arguments with equal parameters are one node, and so are equal constants.

    * ``order``: every term (resolved), arguments before their users;
    * ``unique``: the distinct terms, in the same order;
    * ``rep``: each term's representative in ``unique`` (by ``id``);
    * ``args``: each distinct application's arguments, as representatives;
    * ``uses``: how many times each distinct term is read (by a term, or as an output);
    * ``atoms``: the leaves and constants of ``order``, in its order (what the
      checks of inputs look at, without walking every application again).
    """

    order: list[Term]
    unique: list[Term]
    rep: dict[int, Term]
    args: dict[int, list[Term]]
    uses: Counter[int]
    atoms: list[Term]


def analyze(roots: list[Term], inputs: frozenset[int] = frozenset()) -> Graph:
    """One iterative walk below ``roots``: order, merging and use counts together
    (graphs of scalar leaves have tens of thousands of nodes, so the walk is
    written for speed: a term waits on the stack until its arguments are done
    and is looked at again then, and the usual one or two arguments are
    handled without building lists).  ``inputs`` are the ids of constants that
    are parameters of the function: each stays its own node, whatever its value."""
    order: list[Term] = []
    unique: list[Term] = []
    atoms: list[Term] = []
    rep: dict[int, Term] = {}
    args_of_rep: dict[int, list[Term]] = {}
    first_of: dict[Any, Term] = {}
    reads: list[int] = []
    get = rep.get
    for root in roots:
        stack: list[Term] = [root.resolve()]
        pop, push = stack.pop, stack.append
        while stack:
            t = pop()
            k = id(t)
            if k in rep:  # reached again through another user
                continue
            if not isinstance(t, Apply):  # a leaf or constant
                order.append(t)
                atoms.append(t)
                first = first_of.setdefault(("input", k) if k in inputs else _const_key(t), t) \
                    if isinstance(t, Const) else t
                rep[k] = first
                if first is t:
                    unique.append(t)
                continue
            args = t.args
            if len(args) == 2:
                a, b = args
                # (Lazy has no subclasses: a class test is the cheap isinstance here)
                if a.__class__ is Lazy:
                    a = a.resolve()
                if b.__class__ is Lazy:
                    b = b.resolve()
                ra, rb = get(id(a)), get(id(b))
                if ra is None or rb is None:  # the arguments first (the first on top), then this term again
                    push(t)
                    if rb is None:
                        push(b)
                    if ra is None:
                        push(a)
                    continue
                # (the n-ary case below, written out: its key flat, no lists or sets built)
                order.append(t)
                name, params = t.op.name, t.params
                ia, ib = id(ra), id(rb)
                first = first_of.setdefault((name, ia, ib, freeze(params)) if params else (name, ia, ib), t)
                rep[k] = first
                if first is t:
                    unique.append(t)
                    args_of_rep[k] = [ra, rb]
                    if ia == ib and name in _MERGING_OPS:
                        reads.append(ia)
                    else:
                        reads += (ia, ib)
                continue
            resolved = [a.resolve() if a.__class__ is Lazy else a for a in args]
            reps: list[Any] = [get(id(a)) for a in resolved]
            if None in reps:
                push(t)
                for a, r in zip(reversed(resolved), reversed(reps)):
                    if r is None:
                        push(a)
                continue
            ids = tuple(map(id, reps))
            order.append(t)
            name, params = t.op.name, t.params
            first = first_of.setdefault((name, ids, freeze(params)) if params else (name, ids), t)
            rep[k] = first
            if first is t:
                unique.append(t)
                args_of_rep[k] = reps
                reads.extend(set(ids) if name in _MERGING_OPS else ids)
    reads.extend(id(rep[id(r.resolve())]) for r in roots)
    return Graph(order, unique, rep, args_of_rep, Counter(reads), atoms)


def _const_key(t: Const) -> Any:
    """Equal constants are one node (rules make a ``2`` or a ``1.0`` each time they run):
    the same type, dtype, shape and bytes (so -0.0 stays apart from 0.0)."""
    v = t.value
    if v.__class__ is int:  # most of them (derivative rules' 2s and 1s): the common case first
        return ("int", v)
    if isinstance(v, np.ndarray):
        return ("array", v.dtype.str, v.shape, v.tobytes())
    if isinstance(v, float):
        return ("float", v.hex())
    if isinstance(v, (bool, int)):
        return (type(v).__name__, v)
    return ("object", id(t))


class Replay:
    """Each distinct term's value: leaves from their tensor's
    current value, applications by their NumPy forward (arrays or NumPy
    scalars) - computed when first asked for, so nodes whose shape and dtype
    are known without it (``lower``) cost nothing.  Use inside
    ``np.errstate(all="ignore")``: the values only give shapes and dtypes."""

    def __init__(self, graph: Graph) -> None:
        self._graph = graph
        self._values: dict[int, Any] = {}

    def value(self, term: Term) -> Any:
        """The value of ``term`` (a distinct term of the graph)."""
        values = self._values
        k = id(term)
        if k in values:
            return values[k]
        stack = [term]
        while stack:  # arguments first, iteratively (a chain of skipped nodes may be long)
            t = stack[-1]
            tk = id(t)
            if tk in values:
                stack.pop()
                continue
            args = self._graph.args.get(tk)
            if args is None:
                values[tk] = _value_of(t)
                stack.pop()
                continue
            missing = [a for a in args if id(a) not in values]
            if missing:
                stack.extend(missing)
                continue
            try:
                # (promoted as the engine promotes: NumPy alone would widen float32 beside int64 arrays)
                out = t.op.forward(*promoted(t.op, [values[id(a)] for a in args]), **t.params)  # type: ignore[attr-defined]
            except Exception as e:  # pragma: no cover - the op ran once already with these shapes
                raise CodegenError(f"op {t.op.name!r} failed when replayed to find its shape: {e}") from e  # type: ignore[attr-defined]
            values[tk] = out if isinstance(out, (np.ndarray, np.generic)) else np.asarray(out)
            stack.pop()
        return values[k]


def _value_of(t: Term) -> Any:
    if isinstance(t, Leaf):
        tensor = t.tensor()
        return tensor._value if tensor is not None else np.ones(t.shape)
    if isinstance(t, Const):
        v = t.value
        # Python numbers stay Python numbers: NumPy promotes them as weak
        # scalars, exactly as the op saw them when it ran - and so do float
        # subclasses (ops._sympy.Exact, the 2 of mean's rule), which NumPy
        # would take for float64 arrays: a float32 gradient folded to float64.
        if isinstance(v, float):
            return float(v)
        return v if isinstance(v, (int, bool)) else np.asarray(v)
    if isinstance(t, Unavailable):
        raise CodegenError(t.reason)
    raise CodegenError(f"cannot generate code for a term of type {type(t).__name__}")


def shape_of(v: Any) -> tuple[int, ...]:
    return v.shape if isinstance(v, (np.ndarray, np.generic)) else tuple(np.shape(v))


def dtype_of(v: Any) -> np.dtype:
    return v.dtype if isinstance(v, (np.ndarray, np.generic)) else np.asarray(v).dtype
