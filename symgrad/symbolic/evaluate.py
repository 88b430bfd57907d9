"""Turning terms into SymPy, lazily and iteratively, with size guards.

Internally an n-d symbolic value is a NumPy object array of SymPy
expressions (so broadcasting, reshapes and indexing reuse NumPy's own code);
a 0-d value is a SymPy expression.  ``public()`` converts to what users see:
a SymPy expression or a ``sympy.Array``.

SymPy recurses when it prints or differentiates, so expressions deeper than
``limits.depth`` levels or larger than ``limits.size`` nodes are refused with
``ExpressionTooLargeError`` naming the compact view, never a RecursionError.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy
from sympy.logic.boolalg import Boolean

from symgrad.symbolic import constants, naming, symbols
from symgrad.symbolic.piecewise import piecewise
from symgrad.symbolic.terms import Apply, Const, Lazy, Leaf, Term, Unavailable


class ExpressionTooLargeError(RuntimeError):
    """The closed form is too deep or too large for SymPy to handle safely."""


@dataclass
class Limits:
    """Largest expression ``.expr`` builds: ``depth`` tree levels, ``size``
    tree nodes, ``branches`` cases of one condition on piecewise values."""

    depth: int = 100
    size: int = 200_000
    graph_nodes: int = 1_000_000
    branches: int = 16


limits = Limits()


def set_expr_limits(depth: int | None = None, size: int | None = None, branches: int | None = None) -> Limits:
    """Change the size guards of ``.expr`` (at your own risk: SymPy may hit
    Python's recursion limit printing deeper expressions).

    >>> import symgrad
    >>> symgrad.set_expr_limits(depth=100).depth
    100
    """
    given = {"depth": depth, "size": size, "branches": branches}
    for name, v in given.items():
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"set_expr_limits: {name} must be a positive whole number, got {type(v).__name__} {v!r}")
        if v < 1:
            raise ValueError(f"set_expr_limits: {name} must be a positive whole number, got {v}")
    for name, v in given.items():
        if v is not None:
            setattr(limits, name, int(v))
    return limits


def too_large(what: str) -> ExpressionTooLargeError:
    return ExpressionTooLargeError(
        f"{what}, more than SymPy can safely print or differentiate. Use t.compact() "
        "for a view with shared subexpressions as named temporaries, or "
        "symgrad.lambdify(...) to turn it into code; symgrad.set_expr_limits(...) "
        "raises the limits at your own risk.")


# ---------------------------------------------------------------- traversal

def iter_terms(root: Term) -> Iterator[Term]:
    """Every term reachable from ``root`` (resolved), each once, iteratively."""
    seen: set[int] = set()
    stack = [root.resolve()]
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        if len(seen) > limits.graph_nodes:
            raise too_large(f"The expression graph has more than {limits.graph_nodes} nodes")
        yield t
        if isinstance(t, Apply):
            stack.extend(a.resolve() for a in t.args)


def leaves_of(root: Term) -> list[Leaf]:
    return [t for t in iter_terms(root) if isinstance(t, Leaf)]


# ---------------------------------------------------------------- evaluation

def value(root: Term) -> Any:
    """The internal symbolic value of ``root`` (SymPy expr or object array)."""
    root = root.resolve()
    if root._sym is not None:
        return root._sym[0]
    naming.assign_names(leaves_of(root))
    known: dict[Any, tuple[int, int]] = {}
    stack = [root]
    while stack:
        t = stack[-1]
        if t._sym is not None:
            stack.pop()
            continue
        if isinstance(t, Apply):
            args = [a.resolve() for a in t.args]
            todo = [a for a in args if a._sym is None]
            if todo:
                stack.extend(todo)
                continue
            v = _apply(t, args)
        elif isinstance(t, Leaf):
            assert t.name is not None, "assign_names named every leaf"
            _refuse_before_building(int(np.prod(t.shape)))
            v = symbols.leaf_value(t.name, t.uid, t.shape, _leaf_kind(t))
        elif isinstance(t, Const):
            _refuse_before_building(int(np.size(t.value)))
            v = constants.constant(t.value)
        elif isinstance(t, Unavailable):
            raise RuntimeError(t.reason)
        else:  # pragma: no cover - every Term subclass is handled above
            raise TypeError(f"unknown term {type(t).__name__}")
        depth, size = _measure(v, known)
        if depth > limits.depth:
            raise too_large(f"The closed form is {depth} levels deep (limit {limits.depth})")
        if size > limits.size:
            raise too_large(f"The closed form has {size} nodes (limit {limits.size})")
        t._sym = (v, depth, size)
        stack.pop()
    done: Any = root._sym
    return done[0]


def _refuse_before_building(elements: int) -> None:
    # one node per element at least: refuse before making a million symbols (seconds)
    if elements > limits.size:
        raise too_large(f"The closed form has at least {elements} nodes, one per element (limit {limits.size})")


def public(v: Any) -> Any:
    """A SymPy expression (0-d) or ``sympy.Array`` (n-d) from an internal value."""
    if isinstance(v, np.ndarray):
        if v.ndim == 0:
            return v[()]
        return sympy.ImmutableDenseNDimArray(v.reshape(-1).tolist(), v.shape)
    return v


def expr(root: Term) -> Any:
    return public(value(root))


def _leaf_kind(leaf: Leaf) -> str:
    t = leaf.tensor()
    return "f" if t is None else t._value.dtype.kind


def _apply(t: Apply, args: list[Term]) -> Any:
    return apply_symbolic(t, args, [a._sym[0] for a in args])


def apply_symbolic(t: Apply, args: list[Term], values: list[Any]) -> Any:
    """The symbolic value of ``t`` given its (resolved) argument terms and their values."""
    op = t.op
    vals = [_coerce(a, v, i in op.bool_args) for i, (a, v) in enumerate(zip(args, values))]
    try:
        if op.elementwise:
            return _map(functools.partial(op.symbolic, **t.params) if t.params else op.symbolic, vals)
        out = op.symbolic(*[np.asarray(v, dtype=object) if not isinstance(v, np.ndarray) else v
                            for v in vals], **t.params)
    except RecursionError:
        raise too_large("SymPy ran out of stack building this closed form") from None
    if isinstance(out, np.ndarray) and out.ndim == 0:
        return out[()]
    return out


def _map(fn: Any, vals: list[Any]) -> Any:
    if not any(isinstance(v, np.ndarray) for v in vals):
        return fn(*vals)
    return np.frompyfunc(fn, len(vals), 1)(*vals)


def _coerce(term: Term, v: Any, want_bool: bool) -> Any:
    # Comparisons are boolean tensors; arithmetic on them promotes to 0/1,
    # as in PyTorch.  Only terms that can be boolean are inspected.
    if not _maybe_boolean(term) and not want_bool:
        return v
    f = _to_bool if want_bool else to_number
    if isinstance(v, np.ndarray):
        return np.frompyfunc(f, 1, 1)(v) if v.ndim else np.asarray(f(v[()]), dtype=object)
    return f(v)


def _maybe_boolean(term: Term) -> bool:
    if isinstance(term, Apply):
        return bool(term.op.bool_out)
    if isinstance(term, Const):
        return getattr(term.value, "dtype", None) == np.bool_ or isinstance(term.value, (bool, np.bool_))
    if isinstance(term, Leaf):
        t = term.tensor()
        return t is not None and t._value.dtype == np.bool_
    return False


def to_number(e: Any) -> Any:
    if isinstance(e, Boolean):
        if e is sympy.true:
            return sympy.Integer(1)
        if e is sympy.false:
            return sympy.Integer(0)
        return piecewise((1, e), (0, True))
    return e


def _to_bool(e: Any) -> Any:
    return e if isinstance(e, Boolean) else sympy.Ne(e, 0)


# ---------------------------------------------------------------- guards

def _measure(v: Any, known: dict[Any, tuple[int, int]]) -> tuple[int, int]:
    """(tree depth, tree size) of a value; shared subtrees count each time they
    are printed, which is what printing and differentiation pay for."""
    if isinstance(v, np.ndarray):
        depth = size = 0
        for e in v.reshape(-1):
            d, s = _measure_expr(e, known)
            depth, size = max(depth, d), size + s
        return depth, size
    return _measure_expr(v, known)


def _measure_expr(e: Any, known: dict[Any, tuple[int, int]]) -> tuple[int, int]:
    got = known.get(e)
    if got is not None:
        return got
    stack: list[tuple[Any, bool]] = [(e, False)]
    while stack:
        node, ready = stack.pop()
        if node in known:
            continue
        args = getattr(node, "args", ())
        if ready or not args:
            ms = [known[a] for a in args]
            known[node] = (1 + max(d for d, _ in ms), 1 + sum(s for _, s in ms)) if ms else (1, 1)
            continue
        stack.append((node, True))
        stack.extend((a, False) for a in args if a not in known)
    return known[e]


__all__ = ["ExpressionTooLargeError", "Limits", "limits", "set_expr_limits", "value", "public",
           "expr", "iter_terms", "leaves_of", "apply_symbolic", "Lazy"]
