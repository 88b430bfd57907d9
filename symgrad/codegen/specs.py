"""What users pass, as the specs ``generate`` works from: leaf tensors,
constant tensors and symbols become ``InputSpec``s; tensors, SymPy
expressions and numbers become ``OutputSpec``s (simplified on request)."""

from __future__ import annotations

import keyword
from typing import Any

import numpy as np
import sympy

from symgrad.codegen.generate import InputSpec, OutputSpec
from symgrad.codegen.graph import CodegenError
from symgrad.codegen.names import RESERVED


def as_list(x: Any) -> list[Any]:
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


def input_specs(xs: list[Any]) -> list[InputSpec]:
    """``input_spec`` of each input, with the leaves named together (naming
    scans the caller's frames: once for all, rather than once per leaf)."""
    from symgrad._tensor import Tensor, _term_or_const
    from symgrad.symbolic import naming
    from symgrad.symbolic.terms import Leaf

    terms = [_term_or_const(x) for x in xs if isinstance(x, Tensor)]
    naming.assign_names([t for t in terms if isinstance(t, Leaf)])
    return [input_spec(x, i) for i, x in enumerate(xs)]


def input_spec(x: Any, position: int) -> InputSpec:
    from symgrad._tensor import Tensor, _term_or_const
    from symgrad.symbolic import naming
    from symgrad.symbolic.terms import Const, Leaf

    if isinstance(x, Tensor):
        term = _term_or_const(x)
        if isinstance(term, Leaf):
            naming.assign_names([term])
            return InputSpec(term.name or f"x{position}", tuple(x.shape), x._value.dtype, uid=term.uid, source=x)
        if isinstance(term, Const):
            probe = Leaf(x, tuple(x.shape), x._name)  # only to find the user's variable name
            naming.assign_names([probe])
            return InputSpec(probe.name or f"x{position}", tuple(x.shape), x._value.dtype, const=term, source=x)
        raise CodegenError(f"input {position} is computed from other tensors (grad_fn={x.grad_fn}); inputs must be "
                           "leaves: tensors that require grad, were given name=, or are constants")
    if isinstance(x, sympy.NDimArray):
        items = list(x)
        uid = getattr(items[0], "leaf_uid", None) if items else None
        if uid is None or any(getattr(s, "leaf_uid", None) != uid for s in items):
            raise CodegenError(f"input {position} is a SymPy array that is not one leaf's symbol; pass the leaf tensor")
        return InputSpec(items[0].base_name, tuple(x.shape), np.dtype(np.float64), uid=uid, source=x)
    if isinstance(x, sympy.Symbol):
        uid = getattr(x, "leaf_uid", None)
        if uid is not None:
            if x.index:
                raise CodegenError(f"input {position} ({x}) is one element of an array leaf; pass the whole leaf "
                                   "(the tensor, or its .symbol)")
            return InputSpec(x.base_name, (), np.dtype(np.float64), uid=uid, source=x)
        return InputSpec(x.name, (), np.dtype(np.float64), symbol=x, source=x)
    raise TypeError(f"input {position} must be a leaf tensor or a symbol, got {type(x).__name__}")


def check_name(name: str) -> None:
    """The generated function's name must be a plain identifier that hides nothing
    the code uses (a C function called ``sin`` would replace ``math.h``'s)."""
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name) or not name.isascii():
        raise ValueError(f"name must be a Python identifier (it names the generated function), got {name!r}")
    if name in RESERVED:
        raise ValueError(f"name {name!r} is a builtin, module or C math function that the generated code may "
                         "use; choose another name")


# ---------------------------------------------------------------- outputs

def output_tree(outputs: Any, prefix: str, simplify: bool) -> Any:
    if isinstance(outputs, (list, tuple)):
        return type(outputs)(output_tree(o, f"{prefix}{i}" if prefix == "out" else f"{prefix}_{i}", simplify)
                             for i, o in enumerate(outputs))
    return output_spec(prefix, outputs, simplify)


def output_spec(name: str, out: Any, simplify: bool) -> OutputSpec:
    from symgrad._tensor import Tensor, _term_or_const

    if isinstance(out, Tensor):
        term = _term_or_const(out).resolve()
        if simplify:
            small = _simplified(term)
            if small is not None:
                return OutputSpec(name, small, display=small)
        return OutputSpec(name, term)
    if isinstance(out, (sympy.Basic, sympy.NDimArray, sympy.MatrixBase, int, float)):
        if simplify:
            out = _simplify(out)
        return OutputSpec(name, out)
    raise TypeError(f"outputs must be tensors, SymPy expressions or numbers, got {type(out).__name__}")


# Outputs whose closed form has more operations than this are not simplified
# (SymPy's simplify is slow on large expressions).
MAX_SIMPLIFY_OPS = 200


def _simplified(term: Any) -> Any:
    from symgrad.codegen.graph import post_order
    from symgrad.codegen.runtime_forms import FORMS
    from symgrad.symbolic.evaluate import ExpressionTooLargeError, expr
    from symgrad.symbolic.terms import Apply

    order = post_order([term])
    if len(order) > MAX_SIMPLIFY_OPS:
        return None
    if any(isinstance(t, Apply) and t.op.name in FORMS for t in order):
        return None  # its closed form leaves out what the code computes (nan_to_num: runtime_forms)
    try:
        e = expr(term)
    except ExpressionTooLargeError:
        return None
    return _simplify(e)


def _simplify(e: Any) -> Any:
    if isinstance(e, sympy.NDimArray):
        if sum(sympy.count_ops(x) for x in e) > MAX_SIMPLIFY_OPS:
            return e
        return e.applyfunc(sympy.simplify)
    if isinstance(e, sympy.Basic) and sympy.count_ops(e) <= MAX_SIMPLIFY_OPS:
        return sympy.simplify(e)
    return e


