"""Cleaning straight-line code: drop dead temporaries, put single-use ones back in line.

``ssa.Builder.flatten`` gives every compound subexpression of a SymPy
expression a temporary (how shared parts of ``symgrad.diff`` results and of
``softmax``'s elements are found), and scalar code gives the inputs of
reductions temporaries.  Such an *inlinable* temporary read exactly once is
substituted into its reader (SymPy then tidies the result: ``1*y`` is
``y``), as long as the result stays shallow (``MAX_INLINE_DEPTH``: SymPy's
printers recurse, and short lines read better) and short
(``MAX_INLINE_SIZE`` operations).  The same limits bound the expressions
``lower`` keeps in line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np

from symgrad.codegen.nodes import children, substitute
from symgrad.codegen.program import Assign, Call, Output
from symgrad.codegen.ssa import node_symbols

MAX_INLINE_DEPTH = 8
MAX_INLINE_SIZE = 24


def symbols_in(value: Any) -> Iterable[Any]:
    """Every symbol occurrence in an expression or ``Call`` (with repeats), iteratively."""
    if isinstance(value, Call):
        for a in value.args:
            yield from node_symbols(a)
    else:
        yield from node_symbols(value)


def output_atoms(outputs: list[Output]) -> Iterable[Any]:
    for out in outputs:
        v = out.value
        for e in (v.reshape(-1) if isinstance(v, np.ndarray) else [v]):
            yield from node_symbols(e)


def eliminate_dead(body: list[Assign], outputs: list[Output]) -> list[Assign]:
    """``body`` without assignments nothing reads."""
    live = set(output_atoms(outputs))
    kept = []
    for a in reversed(body):
        if a.target in live:
            kept.append(a)
            live.update(symbols_in(a.value))
    kept.reverse()
    return kept


def inline(body: list[Assign], outputs: list[Output], inlinable: set[Any]) -> tuple[list[Assign], dict[Any, Any]]:
    """Substitute single-use ``inlinable`` temporaries into their reader.
    Returns the new body and the substitutions still to apply to the outputs."""
    uses = Counter(output_atoms(outputs))
    for a in body:
        uses.update(symbols_in(a.value))
    output_targets = {out.value for out in outputs if not isinstance(out.value, np.ndarray)}
    pending: dict[Any, Any] = {}
    kept: list[Assign] = []
    for a in body:
        value = _substitute(a.value, pending)
        target = a.target
        if (target in inlinable and not isinstance(value, Call) and uses[target] == 1
                and target not in output_targets and _small(value)):
            pending[target] = value
        else:
            kept.append(Assign(target, value))
    return kept, pending


def _substitute(value: Any, pending: dict[Any, Any]) -> Any:
    """``value`` with pending temporaries substituted."""
    if not pending:
        return value
    if isinstance(value, Call):
        return value.with_args(tuple(substitute(arg, pending) for arg in value.args))
    return substitute(value, pending)


def _small(e: Any) -> bool:
    """At most ``MAX_INLINE_DEPTH`` levels and ``MAX_INLINE_SIZE`` operations (iteratively, stopping early)."""
    stack = [(e, 1)]
    size = 0
    while stack:
        node, depth = stack.pop()
        args = children(node)
        if not args:
            continue
        size += 1
        if depth >= MAX_INLINE_DEPTH or size > MAX_INLINE_SIZE:
            return False
        stack.extend((a, depth + 1) for a in args)
    return True


def substitute_outputs(outputs: list[Output], pending: dict[Any, Any]) -> None:
    """Apply the last substitutions (temporaries read only by an output) in place."""
    if not pending:
        return
    for out in outputs:
        v = out.value
        if isinstance(v, np.ndarray):
            flat = v.reshape(-1)
            for i, e in enumerate(flat):
                flat[i] = substitute(e, pending)
        else:
            out.value = substitute(v, pending)


def optimize(body: list[Assign], outputs: list[Output], inlinable: set[Any]) -> list[Assign]:
    """Dead-code elimination, inlining, and dead-code elimination again
    (SymPy's tidying can make values unused: ``t - t`` is 0)."""
    body = eliminate_dead(body, outputs)
    body, pending = inline(body, outputs, inlinable)
    substitute_outputs(outputs, pending)
    return eliminate_dead(body, outputs)
