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

A temporary holding a ``Node`` that SymPy would not keep as written
(``nodes.exact_in_sympy``: ``0*x`` is not 0 at inf or nan) stays a temporary
where a SymPy expression reads it - a reduction's ``Add``, ``Max`` - since
putting it in line would hand it to SymPy, which tidies it away.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from sympy import Symbol as _Symbol
from sympy.core.basic import Basic

from symgrad.codegen.nodes import children, exact_in_sympy, substitute
from symgrad.codegen.program import Assign, Call, Node, Output
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


def count_reads(value: Any, reads: dict[Any, int]) -> None:
    """Add the symbols ``value`` (an expression or ``Call``) reads to ``reads``.
    (``symbols_in``, unrolled: this runs over every line of the program.)"""
    stack = list(value.args) if isinstance(value, Call) else [value]
    while stack:
        e = stack.pop()
        t = type(e)
        if t is Node:
            stack.extend(e.args)
        elif t is _Symbol:  # (most atoms: temporaries and inputs)
            reads[e] = reads.get(e, 0) + 1
        elif isinstance(e, Basic):
            if e.is_Symbol:
                reads[e] = reads.get(e, 0) + 1
            elif e.args:
                stack.extend(e.args)


def eliminate_dead(body: list[Assign], outputs: list[Output]) -> tuple[list[Assign], dict[Any, int]]:
    """``body`` without assignments nothing reads, and how many times each
    symbol is read (by the outputs and the kept assignments)."""
    reads: dict[Any, int] = {}
    for s in output_atoms(outputs):
        reads[s] = reads.get(s, 0) + 1
    kept = []
    for a in reversed(body):
        if a.target in reads:
            kept.append(a)
            count_reads(a.value, reads)
    kept.reverse()
    return kept, reads


def inline(body: list[Assign], outputs: list[Output], inlinable: set[Any],
           uses: dict[Any, int]) -> tuple[list[Assign], dict[Any, Any]]:
    """Substitute single-use ``inlinable`` temporaries into their reader
    (``uses``: reads of each symbol, from ``eliminate_dead``).
    Returns the new body and the substitutions still to apply to the outputs."""
    output_targets = {out.value for out in outputs if not isinstance(out.value, np.ndarray)}
    pending: dict[Any, Any] = {}
    kept: list[Assign] = []
    for a in body:
        _keep_read_by_sympy([a.value], pending, kept)
        value = _substitute(a.value, pending)
        target = a.target
        if (target in inlinable and not isinstance(value, Call) and uses.get(target) == 1
                and target not in output_targets and _small(value)):
            pending[target] = value
        else:
            kept.append(Assign(target, value))
    _keep_read_by_sympy([out.value for out in outputs], pending, kept)
    return kept, pending


def _keep_read_by_sympy(values: list[Any], pending: dict[Any, Any], kept: list[Assign]) -> None:
    """Move the pending temporaries that ``values`` read inside a SymPy
    expression, and whose ``Node`` SymPy would tidy, back to ``kept``: they
    stay temporaries (their inputs are all assigned before this point)."""
    if not pending:
        return
    stack = [(v, False) for v in values]
    while stack:
        e, in_sympy = stack.pop()
        t = type(e)
        if t is Node:
            stack.extend((arg, False) for arg in e.args)
        elif isinstance(e, np.ndarray):
            stack.extend((arg, False) for arg in e.reshape(-1))
        elif isinstance(e, Call):
            stack.extend((arg, False) for arg in e.args)
        elif isinstance(e, Basic):
            if e.is_Symbol:
                held = pending.get(e) if in_sympy else None
                if type(held) is Node and not exact_in_sympy(held):
                    kept.append(Assign(e, pending.pop(e)))
            elif e.args:
                stack.extend((arg, True) for arg in e.args)


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


def optimize(body: list[Assign], outputs: list[Output], inlinable: set[Any]) -> tuple[list[Assign], dict[Any, int]]:
    """Dead-code elimination, inlining, and dead-code elimination again
    (SymPy's tidying can make values unused: ``t - t`` is 0).  Returns the
    body and how many times each symbol is read."""
    body, reads = eliminate_dead(body, outputs)
    if not inlinable or not any(a.target in inlinable for a in body):
        return body, reads
    body, pending = inline(body, outputs, inlinable, reads)
    substitute_outputs(outputs, pending)
    return eliminate_dead(body, outputs)
