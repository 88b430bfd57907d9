"""Lowering: term graphs and SymPy expressions to straight-line code.

One pass over the graph in argument-first order gives every node a ``Value``:
an atom (array mode) or an object array of atoms (scalar mode), each atom a
symbol, a number, or a temporary the ``Builder`` bound.  Elementwise ops are
written by the op's own SymPy forward (so the printed code is the closed
form's own notation); other ops become ``Call``s in array mode, and their
SymPy forward over elements in scalar mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy
from sympy.core.basic import Basic

from symgrad.codegen import scalar_rules
from symgrad.codegen.graph import CodegenError, args_of, dtype_of, numeric_values, shape_of
from symgrad.codegen.program import Call, Constant, Input
from symgrad.codegen.ssa import Builder
from symgrad.symbolic import constants
from symgrad.symbolic.evaluate import apply_symbolic
from symgrad.symbolic.terms import Apply, Const, Leaf, Term

# Ops that only copy memory: in code that never writes in place they are the value itself.
IDENTITY_OPS = frozenset({"clone", "copy"})

# Internal op: broadcast a value to a node's shape (when SymPy's tidying
# dropped the symbols that carried the shape: ``0*x`` is ``0``).
BROADCAST = "_broadcast"


@dataclass
class Value:
    """What a node computes: ``data`` (atom, or object array of atoms in scalar
    mode), its shape and dtype, and whether it is a constant."""

    data: Any
    shape: tuple[int, ...]
    dtype: np.dtype
    constant: bool = False


class Lowering:
    """Turns terms into ``Value``s, appending code to ``builder``."""

    def __init__(self, builder: Builder, mode: str, inputs: dict[int, Input]) -> None:
        self.b = builder
        self.mode = mode
        self.inputs = inputs
        self.constants: list[Constant] = []
        self.values: dict[int, Value] = {}
        self.numeric: dict[int, Any] = {}
        self._pooled: dict[Any, Any] = {}

    # ------------------------------------------------------------ graph

    def lower(self, order: list[Term]) -> None:
        """Lower every term of ``order`` (arguments first)."""
        todo = [t for t in order if id(t) not in self.values]
        self.numeric.update(numeric_values(todo, self.numeric))
        for t in todo:
            self.values[id(t)] = self._lower(t)

    def _lower(self, t: Term) -> Value:
        numeric = self.numeric[id(t)]
        shape, dtype = shape_of(numeric), dtype_of(numeric)
        inp = self.inputs.get(id(t))
        if inp is not None:
            return Value(self.input_data(inp), shape, dtype)
        if isinstance(t, Leaf):  # pragma: no cover - the API checks leaves against inputs first
            raise CodegenError(f"the outputs depend on leaf {t.name!r}, which is not among the inputs")
        if isinstance(t, Const):
            return self.constant(numeric)
        assert isinstance(t, Apply)
        args = args_of(t)
        vals = [self.values[id(a)] for a in args]
        if t.op.name in IDENTITY_OPS:
            return vals[0]
        if all(v.constant for v in vals):
            return self.constant(numeric)
        if self.mode == "scalar":
            return Value(self._scalar(t, args, vals, shape), shape, dtype)
        if t.op.elementwise:
            expr = apply_symbolic(t, args, [v.data for v in vals])
            return Value(self.b.flatten(expr), shape, dtype)
        call = Call(t.op.name, tuple(self.fit(v) for v in vals), dict(t.params),
                    tuple(v.shape for v in vals), shape, dtype)
        return Value(self.b.bind(call), shape, dtype)

    def _scalar(self, t: Apply, args: list[Term], vals: list[Value], shape: tuple[int, ...]) -> Any:
        rule = scalar_rules.RULES.get(t.op.name)
        if rule is not None:
            out = rule(self.b, *[np.asarray(v.data, dtype=object) for v in vals], **t.params)
        else:
            out = apply_symbolic(t, args, [v.data for v in vals])
        if isinstance(out, np.ndarray) and out.ndim == 0:
            out = out[()]
        if not isinstance(out, np.ndarray):
            return self.b.flatten(out)
        if out.shape != shape:  # pragma: no cover - a symbolic forward disagreeing with its NumPy forward
            raise CodegenError(f"op {t.op.name!r}: symbolic shape {out.shape} differs from the numeric {shape}")
        flat = np.empty(out.size, dtype=object)
        for i, e in enumerate(out.reshape(-1)):
            flat[i] = self.b.flatten(e)
        return flat.reshape(shape)

    # ------------------------------------------------------------ values

    def input_data(self, inp: Input) -> Any:
        if self.mode == "array" or not inp.shape:
            return inp.symbol
        data = np.empty(inp.shape, dtype=object)
        for index in np.ndindex(*inp.shape):
            data[index] = inp.elements[index]
        return data

    def constant(self, numeric: Any) -> Value:
        arr = np.asarray(numeric)
        shape, dtype = arr.shape, arr.dtype
        if self.mode == "scalar":
            v = constants.constant(arr)
            return Value(v[()] if isinstance(v, np.ndarray) and v.ndim == 0 else v, shape, dtype, True)
        if arr.size and (arr.ndim == 0 or bool(np.all(arr == arr.reshape(-1)[0]))):
            return Value(number(arr.reshape(-1)[0], dtype), shape, dtype, True)
        return Value(self._pool(arr), shape, dtype, True)

    def _pool(self, arr: np.ndarray) -> Any:
        key = (arr.shape, str(arr.dtype), arr.tobytes())
        sym = self._pooled.get(key)
        if sym is None:
            sym = self.b.symbol(self.b.names.temp("c"), arr.dtype == np.bool_, arr.shape)
            self.constants.append(Constant(sym, arr.copy()))
            self._pooled[key] = sym
        return sym

    def fit(self, v: Value) -> Any:
        """``v``'s atom with exactly ``v.shape`` (array mode)."""
        atom = v.data
        if self.b.shape_of(atom) == v.shape:
            return atom
        atom = as_dtype_number(atom, v.dtype)
        call = Call(BROADCAST, (atom,), {"shape": v.shape}, (self.b.shape_of(atom),), v.shape, v.dtype)
        return self.b.bind(call)

    # ------------------------------------------------------------ SymPy outputs

    def lower_sympy(self, expr: Any, atoms: dict[Any, Any]) -> Any:
        """An expression (or object array of them) from outside the graph, with
        its symbols replaced by the program's atoms."""
        if isinstance(expr, np.ndarray):
            out = np.empty(expr.shape, dtype=object)
            for index in np.ndindex(*expr.shape):
                out[index] = self.lower_sympy(expr[index], atoms)
            return out
        if not isinstance(expr, Basic):
            return sympy.sympify(expr)
        mapped = expr.xreplace(atoms) if atoms else expr
        return self.b.flatten(mapped)


def number(v: Any, dtype: np.dtype) -> Any:
    """A NumPy scalar as a SymPy number, float-looking when the dtype is floating."""
    return as_dtype_number(constants.number(v), dtype)


def as_dtype_number(e: Any, dtype: np.dtype) -> Any:
    """``2`` as ``2.0`` when the value is a float (so ``numpy.full`` and returned
    constants get the right dtype)."""
    if isinstance(e, sympy.Integer) and dtype.kind == "f":
        return sympy.Float(int(e))
    return e
