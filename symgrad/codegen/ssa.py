"""Building straight-line code: every non-atomic value gets one temporary.

``Builder.flatten`` walks a SymPy expression's DAG (iteratively) and binds
each compound subexpression to a temporary; ``bind`` numbers values, so a
subexpression computed twice anywhere in the program - by two graph nodes,
two elements, or two derivative rules - is computed once.  Temporaries used
only once are put back in line later (``optimize.inline``); what remains are
exactly the shared subexpressions, found from the graph rather than by
searching an expanded tree.  (Graph nodes are inlined or not as they are
lowered, from the graph's use counts: see ``lower``.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import sympy
from sympy.core.basic import Basic
from sympy.functions.elementary.piecewise import ExprCondPair
from sympy.logic.boolalg import Boolean

from symgrad.codegen.names import Namespace
from symgrad.codegen.program import Assign, Call, Node


class Literal(sympy.Symbol):
    """A positive float constant standing in code as its decimal (``0.9999``).

    A symbol rather than a ``sympy.Float``: SymPy's Float arithmetic costs
    several times more than symbol arithmetic, and the constants in a graph
    need no arithmetic at generation time (constant nodes are folded
    numerically first).  Printers print a symbol by its name: the decimal."""

    def __new__(cls, decimal: str) -> Literal:
        return super().__new__(cls, decimal, positive=True)  # type: ignore[return-value]

    @property
    def value(self) -> float:
        return float(self.name)


def is_number_like(e: Any) -> bool:
    """A number, a numeric expression (``log(2)``) or a ``Literal`` (with its sign)."""
    if isinstance(e, Literal):
        return True
    if isinstance(e, sympy.Mul) and len(e.args) == 2 and e.args[0] == -1:
        return isinstance(e.args[1], Literal)
    return bool(getattr(e, "is_number", False))


def is_atom(e: Any) -> bool:
    """Values never worth a temporary: symbols, numbers and constant expressions (``log(2)``)."""
    if not isinstance(e, Basic):
        return type(e) is not Node
    if e.is_Atom:
        return True
    return bool(getattr(e, "is_number", False)) and not isinstance(e, Boolean)


def _bindable(e: Basic) -> bool:
    # Piecewise's (expr, cond) pairs and other containers stay inside their parent.
    return isinstance(e, (sympy.Expr, Boolean)) and not isinstance(e, ExprCondPair)


def is_boolean(e: Any) -> bool:
    return isinstance(e, Boolean) and not isinstance(e, sympy.Expr)


# SymPy symbols by name and kind, shared by the programs generated in this
# process.  Every program names its temporaries t1, t2, ... again, and a
# SymPy symbol costs several microseconds to make (its assumptions are
# deduced) and to hash the first time; SymPy's own cache keeps only the last
# 1000 made, fewer than one large program needs.  Symbols are immutable and
# equal by name and assumptions, so sharing them changes nothing but the cost.
# (Bounded: about 750 bytes each.)
_SYMBOLS: dict[tuple[str, bool], sympy.Symbol] = {}
MAX_SHARED_SYMBOLS = 20_000


def _symbol(name: str, boolean: bool) -> sympy.Symbol:
    s = _SYMBOLS.get((name, boolean))
    if s is None:
        s = sympy.Symbol(name) if boolean else sympy.Symbol(name, real=True)
        if len(_SYMBOLS) < MAX_SHARED_SYMBOLS:
            _SYMBOLS[name, boolean] = s
    return s


class Builder:
    """The program body under construction, with its symbols' shapes."""

    def __init__(self, names: Namespace) -> None:
        self.names = names
        self.body: list[Assign] = []
        self.shapes: dict[Any, tuple[int, ...]] = {}
        self._numbered: dict[Any, Any] = {}
        # ``bound(value)``: the temporary already holding ``value``, or None.
        # (The dict's own ``get``, not a method calling it: lowering asks once
        # per node made, tens of thousands of times for a graph of scalar leaves.)
        self.bound: Callable[[Any], Any] = self._numbered.get
        self.inlinable: set[Any] = set()
        self.definitions: dict[Any, Any] = {}  # each temporary's value (those of bind_scalar left out: no Call)
        self._negations: dict[Any, Any] = {}  # temporaries that are ``-s`` of a symbol s: their s
        self._arrays = False  # any symbol of a non-scalar shape yet (else every shape is ())

    def symbol(self, name: str, boolean: bool = False, shape: tuple[int, ...] = ()) -> sympy.Symbol:
        """A new symbol called ``name`` (already claimed in the namespace)."""
        s = _symbol(name, boolean)
        if shape:  # (a symbol not in ``shapes`` is a scalar)
            self.shapes[s] = shape
            self._arrays = True
        return s

    def bind(self, value: Any, shape: tuple[int, ...] | None = None, boolean: bool | None = None,
             inlinable: bool = False) -> Any:
        """An atom standing for ``value`` (an expression or a ``Call``); equal
        values share one temporary.  ``inlinable`` temporaries may go back in
        line if read once (``optimize.inline``)."""
        if isinstance(value, Call):
            key: Any = value.key()
            shape = value.shape
            boolean = value.dtype == np.bool_
        else:
            if is_atom(value):
                return value
            key = value
        found = self._numbered.get(key)
        if found is not None:
            return found
        if shape is None:
            shape = self.shape_of(value)
        if boolean is None:
            boolean = is_boolean(value)
        sym = self.symbol(self.names.temp(), boolean, shape)
        self.body.append(Assign(sym, value))
        self._numbered[key] = sym
        self.definitions[sym] = value
        if type(value) is Node and value.op == "neg" and isinstance(value.args[0], sympy.Symbol):
            self._negations[sym] = value.args[0]
        if inlinable:
            self.inlinable.add(sym)
        return sym

    def bind_scalar(self, node: Node) -> Any:
        """``bind`` for a new ``Node`` of scalars (not bound yet: the caller has
        asked ``bound``), without ``bind``'s questions - it is not an atom, its
        shape is () and it is not boolean: the most common line of a graph of
        scalar leaves."""
        sym = _symbol(self.names.temp(), False)  # (``symbol`` of a scalar)
        self.body.append(Assign(sym, node))
        self._numbered[node] = sym
        if node.op == "neg" and isinstance(node.args[0], sympy.Symbol):
            self._negations[sym] = node.args[0]
        return sym

    def negation_of(self, e: Any) -> Any:
        """``-e`` as the symbol ``s`` if ``e`` is a temporary holding ``-s``
        (``-(-s)`` is ``s`` bit for bit: negation flips the sign bit, of nan,
        inf and zeros too), else None."""
        return self._negations.get(e) if type(e) is sympy.Symbol else None

    def flatten(self, expr: Any) -> Any:
        """Bind every compound subexpression of ``expr``; returns an atom."""
        if is_atom(expr):
            return expr
        done: dict[Any, Any] = {}
        stack: list[tuple[Any, bool]] = [(expr, False)]
        while stack:
            node, ready = stack.pop()
            if node in done:
                continue
            if is_atom(node):
                done[node] = node
                continue
            if not ready:
                stack.append((node, True))
                stack.extend((a, False) for a in node.args if a not in done)
                continue
            args = [done[a] for a in node.args]
            if any(new is not old for new, old in zip(args, node.args, strict=True)):
                node_new = node.func(*args)
            else:
                node_new = node
            done[node] = self.bind(node_new, inlinable=True) if _bindable(node_new) else node_new
        return done[expr]

    def shape_of(self, expr: Any) -> tuple[int, ...]:
        """The broadcast shape of the symbols in ``expr`` (array mode)."""
        if not self._arrays:
            return ()
        if type(expr) is Node:
            symbols = set(node_symbols(expr))
        elif isinstance(expr, Basic):
            symbols = expr.free_symbols
        else:
            return ()
        shapes = [self.shapes.get(s, ()) for s in symbols]
        return tuple(np.broadcast_shapes(*shapes)) if shapes else ()


def node_symbols(e: Any) -> Any:
    """Every symbol occurrence in ``e`` (a Node, SymPy expression or atom), with repeats."""
    stack = [e]
    while stack:
        x = stack.pop()
        if type(x) is Node:
            stack.extend(x.args)
        elif isinstance(x, Basic):
            if x.is_Symbol:
                yield x
            elif x.args:
                stack.extend(x.args)
