"""Docstrings of generated functions: the signature, what it computes, and
the math (each output's closed form, when it is small enough to read).

Only the program's own identifiers appear (leaf symbols are renamed to the
parameter names), so the text is safe to place in generated source.
"""

from __future__ import annotations

from typing import Any

import sympy

from symgrad.codegen.graph import post_order
from symgrad.codegen.program import Output, Program
from symgrad.symbolic.terms import Term

# Closed forms are shown when the whole graph has at most this many elements
# (summed over its nodes: building and printing larger ones costs more than
# generating the code), for at most this many outputs, each cut after this
# many characters.
MAX_SHOWN_ELEMENTS = 200
MAX_SHOWN_OUTPUTS = 12
MAX_SHOWN_CHARS = 240


def describe(program: Program, title: str, outputs: list[tuple[Output, Any]], vectorized: bool = False,
             sizes: dict[int, int] | None = None, total: int | None = None) -> str:
    """The docstring for ``program``; ``outputs`` pairs each output with its
    spec; ``sizes`` gives each term's number of elements (by ``id``), and
    ``total`` their sum (when it is given, ``sizes`` may be left empty if the
    total is too large to show closed forms)."""
    lines = [signature(program)]
    if title:
        lines += ["", title]
    lines += ["", *_math(program, outputs, sizes or {}, total), "", "Inputs:"]
    lines += [f"    {inp.name}: {_describe_shape(inp.shape)}" for inp in program.inputs]
    if vectorized:
        lines += ["", "Arrays of points may be passed for the inputs; the results broadcast over them."]
    return "\n".join(lines)


def _math(program: Program, outputs: list[tuple[Output, Any]], sizes: dict[int, int],
          total: int | None) -> list[str]:
    if total is None:
        total = sum(sizes.values())
    if total > MAX_SHOWN_ELEMENTS:
        return [f"(closed forms not shown: the graph has {total} elements; the code is in .source)"]
    shown = [f"{out.name} = {closed_form(spec, program, sizes)}" for out, spec in outputs[:MAX_SHOWN_OUTPUTS]]
    if len(outputs) > MAX_SHOWN_OUTPUTS:
        shown.append(f"... and {len(outputs) - MAX_SHOWN_OUTPUTS} more outputs")
    return shown


def signature(program: Program) -> str:
    def tree(node: Any) -> str:
        if isinstance(node, Output):
            return node.name
        items = [tree(x) for x in node]
        if isinstance(node, list):
            return "[" + ", ".join(items) + "]"
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"

    params = ", ".join(inp.name for inp in program.inputs)
    return f"{program.name}({params}) -> {tree(program.outputs)}"


def closed_form(spec: Any, program: Program, sizes: dict[int, int]) -> str:
    """The output's closed form in the program's names, or why it is not shown."""
    src = spec.display if spec.display is not None else spec.source
    if isinstance(src, Term):
        elements = sum(sizes.get(id(t), 1) for t in post_order([src]))
        if elements > MAX_SHOWN_ELEMENTS:
            return f"(closed form not shown: its graph has {elements} elements; the code is in .source)"
        from symgrad.ops.registry import NoClosedFormError
        from symgrad.symbolic.evaluate import ExpressionTooLargeError, expr

        try:
            src = expr(src)
        except ExpressionTooLargeError:
            return "(closed form too large to show; the code is in .source)"
        except NoClosedFormError:  # (linalg.pinv at a matrix of lower numeric rank: the code computes it)
            return "(no closed form at the traced values; the code is in .source)"
    try:
        text = sympy.sstr(_renamed(src, program))
    except Exception:  # pragma: no cover - a display problem must never stop code generation
        return "(closed form not shown)"
    if len(text) > MAX_SHOWN_CHARS:
        return text[:MAX_SHOWN_CHARS] + " ... (truncated; the code is in .source)"
    return text


def _renamed(e: Any, program: Program) -> Any:
    """``e`` with leaf symbols replaced by symbols named like the parameters."""
    if not isinstance(e, sympy.Basic):
        return e
    names: dict[Any, Any] = {}
    by_source = {_uid(inp.source): inp for inp in program.inputs}
    for s in e.free_symbols:
        inp = by_source.get(getattr(s, "leaf_uid", None)) or by_source.get(s)
        if inp is None:
            continue
        index = getattr(s, "index", ())
        text = inp.name if not index else f"{inp.name}[{', '.join(str(i) for i in index)}]"
        names[s] = sympy.Symbol(text)
    return e.xreplace(names) if names else e


def _uid(source: Any) -> Any:
    """The key a symbol in a closed form finds its parameter by: a leaf's uid, or the SymPy symbol itself."""
    from symgrad._tensor import Tensor, term_of

    if isinstance(source, Tensor):
        t = term_of(source)
        return getattr(t, "uid", None)
    uid = getattr(source, "leaf_uid", None)
    if uid is not None:
        return uid
    if isinstance(source, sympy.NDimArray) and len(source):
        return getattr(next(iter(source)), "leaf_uid", None)
    return source


def _describe_shape(shape: tuple[int, ...]) -> str:
    return "scalar" if not shape else f"array of shape {shape}"
