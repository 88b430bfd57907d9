"""``symgrad.draw``: the computation graph of a tensor as a ``graphviz.Digraph``
(shown as SVG in Jupyter; ``.render(...)`` or ``.pipe(...)`` to save it).

Boxes are ops, ellipses are variables (leaves), plain nodes constants; each
shows its shape and value, leaves also their gradient once ``backward()`` has
run.  The walk follows the term graph (``symbolic.terms``), iteratively, and
recomputes intermediate values with each op's NumPy forward from the leaves'
current values.

>>> import shutil, symgrad
>>> x = symgrad.tensor(2., requires_grad=True)
>>> z = x * x + 1
>>> z.backward()
>>> g = symgrad.draw(z) if shutil.which("dot") else None  # needs Graphviz's dot
>>> g is None or "grad 4" in g.source
True
"""

from __future__ import annotations

import shutil
from typing import Any

import numpy as np

from symgrad._tensor import Tensor, _term_or_const
from symgrad.autograd.graph import Node
from symgrad.display import values
from symgrad.symbolic import naming
from symgrad.symbolic.terms import Apply, Const, Leaf, Term

__all__ = ["draw", "GraphvizNotFoundError", "MAX_NODES"]

MAX_NODES = 300  # larger graphs are unreadable as a picture; graphviz also slows down a lot

_INSTALL = ("Install it with your system's package manager (Debian/Ubuntu: apt-get install graphviz; "
            "macOS: brew install graphviz; conda: conda install graphviz; others: https://graphviz.org/download/)")

_STYLE = {
    "op": {"shape": "box", "style": "rounded,filled", "fillcolor": "#e8eef7"},
    "leaf": {"shape": "ellipse", "style": "filled", "fillcolor": "#fdf1d8"},
    "const": {"shape": "plaintext"},
}
_OUTPUT = {"penwidth": "2", "color": "#2f5d9e"}
# Argument order does not matter for these, so their edges carry no position.
_SYMMETRIC = frozenset({"add", "mul", "maximum", "minimum"})


class GraphvizNotFoundError(RuntimeError):
    """The ``graphviz`` Python package or Graphviz's ``dot`` program is missing."""


def draw(t: Tensor, *, formulas: bool = False, max_nodes: int = MAX_NODES, rankdir: str = "LR") -> Any:
    """The computation graph of ``t`` as a ``graphviz.Digraph``: ops, shapes,
    values and (after ``backward()``) the leaves' gradients.  ``formulas=True``
    adds each node's closed form.  Needs the ``graphviz`` Python package and
    Graphviz's ``dot`` program; says how to install them when missing.

    >>> import shutil, symgrad
    >>> a = symgrad.tensor([1., 2.], requires_grad=True)
    >>> g = symgrad.draw(a.sum()) if shutil.which("dot") else None
    >>> g is None or "sum (SumBackward0)" in g.source
    True
    """
    if not isinstance(t, Tensor):
        raise TypeError(f"draw() draws the graph of a symgrad tensor, got {type(t).__name__}")
    graphviz = _graphviz()
    root = _term_or_const(t).resolve()
    order = _topological(root, max_nodes)
    vals = _values(order, root, t._value)
    g = graphviz.Digraph(graph_attr={"rankdir": rankdir}, node_attr={"fontname": "Helvetica", "fontsize": "11"},
                         edge_attr={"arrowsize": "0.7", "fontname": "Helvetica", "fontsize": "9"})
    ids = {id(term): f"n{i}" for i, term in enumerate(order)}
    for term in order:
        kind, lines = _describe(term, vals.get(id(term)), formulas)
        attrs = dict(_STYLE[kind])
        if term is root:
            attrs.update(_OUTPUT)
            name = naming.variable_name(t)
            lines = [name or "output"] + lines
        g.node(ids[id(term)], "\\n".join(graphviz.escape(line) for line in lines), **attrs)
        if isinstance(term, Apply):
            numbered = len(term.args) > 1 and term.op.name not in _SYMMETRIC
            for i, arg in enumerate(term.args):
                g.edge(ids[id(arg.resolve())], ids[id(term)], label=str(i + 1) if numbered else "")
    return g


def _graphviz() -> Any:
    try:
        import graphviz
    except ImportError:
        raise GraphvizNotFoundError("symgrad.draw needs the graphviz Python package: pip install graphviz "
                                    "(or pip install 'symgrad[display]'), and Graphviz's dot program. "
                                    + _INSTALL) from None
    if shutil.which("dot") is None:
        raise GraphvizNotFoundError("symgrad.draw needs Graphviz's dot program, which is not on the PATH. "
                                    + _INSTALL)
    return graphviz


def _topological(root: Term, max_nodes: int) -> list[Term]:
    """Arguments before the ops that use them (iterative post-order)."""
    out: list[Term] = []
    seen: set[int] = set()
    stack: list[tuple[Term, bool]] = [(root, False)]
    while stack:
        term, ready = stack.pop()
        if ready:
            out.append(term)
            continue
        if id(term) in seen:
            continue
        seen.add(id(term))
        if len(seen) > max_nodes:
            raise ValueError(f"this graph has more than {max_nodes} nodes, too many to draw readably; draw a "
                             "smaller part (a tensor computed earlier), or pass max_nodes=...")
        stack.append((term, True))
        if isinstance(term, Apply):
            stack.extend((a.resolve(), False) for a in reversed(term.args))
    return out


def _values(order: list[Term], root: Term, root_value: np.ndarray) -> dict[int, Any]:
    """Each node's value, recomputed from the leaves (None where unknown)."""
    vals: dict[int, Any] = {}
    with np.errstate(all="ignore"):
        for term in order:
            vals[id(term)] = _value(term, vals)
    vals[id(root)] = root_value
    return vals


def _value(term: Term, vals: dict[int, Any]) -> Any:
    if isinstance(term, Const):
        return np.asarray(term.value)
    if isinstance(term, Leaf):
        leaf = term.tensor()
        return None if leaf is None else leaf._value
    if isinstance(term, Apply):
        args = [vals.get(id(a.resolve())) for a in term.args]
        if any(a is None for a in args):
            return None
        try:
            return np.asarray(term.op.forward(*args, **term.params))
        except (ValueError, TypeError, ArithmeticError):  # a view of a base changed since: unknown
            return None
    return None


def _describe(term: Term, value: Any, formulas: bool) -> tuple[str, list[str]]:
    """The node's kind and its label lines."""
    if isinstance(term, Leaf):
        leaf = term.tensor()
        lines = [term.name or (leaf.name if leaf is not None else "?")]
        kind = "leaf"
    elif isinstance(term, Apply):
        lines = [term.op.name + (f" ({term.name()})" if isinstance(term, Node) else "")]
        kind = "op"
    else:
        lines, kind = [], "const"
    if value is not None:
        if value.ndim:
            lines.append(f"{value.dtype} {list(value.shape)}")
        lines.append(_short(value))
    if isinstance(term, Leaf):
        grad = _grad_of(term)
        if grad is not None:
            lines.append("grad " + _short(grad))
    if formulas and isinstance(term, Apply):
        lines.append("= " + _formula(term))
    return kind, lines


def _grad_of(term: Leaf) -> Any:
    leaf = term.tensor()
    grad = None if leaf is None else leaf._grad
    return None if grad is None else grad._value


def _short(a: np.ndarray, n: int = 6) -> str:
    if a.size <= n:
        return values.value_text(a)
    head = ", ".join(values.number_text(v) for v in a.reshape(-1)[: n - 1].tolist())
    return f"[{head}, ... ({a.size} values)]"


def _formula(term: Term) -> str:
    from symgrad.symbolic.evaluate import expr

    try:
        text = str(expr(term))
    except RuntimeError as e:  # too large: the message says so
        return f"({str(e).split(',')[0]})"
    return text if len(text) <= 60 else text[:57] + "..."
