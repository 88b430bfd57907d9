"""From inputs and outputs to a loaded function: the pipeline

    term graph -> straight-line code with shared temporaries -> backend source -> callable

``InputSpec``/``OutputSpec`` say what the caller asked for (``api`` builds
them from tensors, symbols and SymPy expressions); ``generate`` does the rest.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy
from sympy.core.basic import Basic

from symgrad.codegen import backends, docs, generated
from symgrad.codegen.graph import CodegenError, Graph, analyze
from symgrad.codegen.lower import Lowering, as_dtype_number
from symgrad.codegen.names import Namespace
from symgrad.codegen.optimize import optimize
from symgrad.codegen.program import Input, Output, Program, iter_outputs, map_outputs
from symgrad.codegen.ssa import Builder
from symgrad.ops.positions import term_holds_picked
from symgrad.ops.registry import NoClosedForm
from symgrad.symbolic.reads import FOR_CODE, warn_if_decided
from symgrad.symbolic.terms import Apply, Const, Leaf, Term

# Scalar mode writes one line per element; past this many elements in the
# graph, array backends switch to array mode and the C/math backends refuse.
MAX_SCALAR_ELEMENTS = 200_000


@dataclass
class InputSpec:
    """One parameter: a leaf (``uid``), a constant tensor (``const``), or a SymPy symbol."""

    raw_name: str
    shape: tuple[int, ...]
    dtype: np.dtype
    uid: int | None = None
    const: Const | None = None
    symbol: Any = None
    source: Any = None


@dataclass
class OutputSpec:
    """One result: a term, a SymPy expression / array, or a number."""

    raw_name: str
    source: Any
    display: Any = field(default=None)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while code is generated.

    Generation makes hundreds of thousands of small objects that all live
    until it ends; the collector would walk them again and again (a third of
    the time on a 30,000-node graph).  Reference counting still frees them;
    the collector runs again afterwards, if it was running before."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def generate(inputs: list[InputSpec], outputs: Any, backend: str = "numpy", name: str = "f",
             title: str = "", compile_code: bool = False, mode: str | None = None) -> Any:
    """Generate, print and load the function ``name(*inputs) -> outputs``
    (``mode`` forces "array" or "scalar" code; by default it is chosen)."""
    target = backends.get(backend)
    _check_compile(target, compile_code)
    program = build_program(inputs, outputs, target, name, title, mode)
    source, bound = target.render(program)
    vectorize = compile_code and target.vector_build(program)
    fn = generated.wrap(target.load(program, source, bound, compile_code, vectorize), target.name, source, program,
                        bound, compile_code, vectorize)
    fn.program = program
    return fn


def _check_compile(target: Any, compile_code: bool) -> None:
    """``compile=True`` builds C; for Python code it would be ignored, so
    asking for it is a mistake worth naming (JAX's compiler is ``jax.jit``)."""
    if compile_code and not target.compiles:
        jit = " (for JAX, pass the function to jax.jit)" if target.name == "jax" else ""
        raise CodegenError(f"compile=True builds C code; the {target.name} backend's code is Python, loaded as it "
                           f"is{jit}: leave compile=True out, or use backend='c' to build a C library")


def build_program(inputs: list[InputSpec], outputs: Any, target: Any, name: str, title: str,
                  mode: str | None = None) -> Program:
    """The program computing ``outputs`` (a tree of ``OutputSpec``) from ``inputs``."""
    specs = list(iter_outputs(outputs, OutputSpec))
    roots = [s.source.resolve() for s in specs if isinstance(s.source, Term)]
    graph = analyze(roots, frozenset(id(s.const) for s in inputs if s.const is not None))
    _check_distinct(inputs)
    _check_leaves(graph.atoms, inputs)
    _check_constants_read(graph.atoms, inputs, roots)
    _check_positions([*graph.unique, *graph.atoms])
    _check_closed_forms(graph.unique)
    warn_if_decided({s.uid for s in inputs if s.uid is not None}, f"the generated function {name}()", FOR_CODE)
    mode = _checked_mode(mode or _mode(target, inputs, graph), target)
    names = Namespace()
    names.claim(name)
    builder = Builder(names)
    program_inputs = [_make_input(builder, target, spec, mode) for spec in inputs]
    lowering = Lowering(builder, mode, _inputs_by_term(graph.atoms, inputs, program_inputs), graph)
    lowering.lower()
    out_tree = map_outputs(outputs, lambda s: _make_output(lowering, names, s, inputs, program_inputs),
                           OutputSpec)
    flat = list(iter_outputs(out_tree))
    body, reads = optimize(builder.body, flat, builder.inlinable)
    _name_outputs(body, flat, reads)
    # (a constant whose every reader got a wider copy of it is not needed)
    constants = [c for c in lowering.constants if c.symbol in reads]
    program = Program(name, mode, program_inputs, body, out_tree, constants)
    total, sizes = _sizes(graph, lowering.values)
    program.doc = docs.describe(program, title, list(zip(flat, specs, strict=True)),
                                vectorized=mode == "scalar" and not target.scalar_only, sizes=sizes, total=total)
    return program


def _sizes(graph: Any, values: dict[int, Any]) -> tuple[int, dict[int, int]]:
    """The graph's number of elements (summed over its nodes), and each node's
    (by ``id``) when the docstring may show closed forms (small graphs only).
    Scalars are one element each, so only the other nodes are looked up (graphs
    of scalar leaves are tens of thousands of scalars)."""
    arrays = {k: math.prod(v.shape) for k, v in values.items() if v.shape != ()}
    rep, order = graph.rep, graph.order
    total = len(order)
    if arrays:
        total += sum(arrays.get(id(rep[id(t)]), 1) - 1 for t in order)
    if total > docs.MAX_SHOWN_ELEMENTS:
        return total, {}
    return total, {id(t): arrays.get(id(rep[id(t)]), 1) for t in order}


def _checked_mode(mode: str, target: Any) -> str:
    if mode not in ("array", "scalar") or (mode == "array" and target.scalar_only):
        raise CodegenError(f"mode must be 'scalar' or 'array' (only 'scalar' for {target.name}), got {mode!r}")
    return mode


# ---------------------------------------------------------------- inputs

def _check_distinct(inputs: list[InputSpec]) -> None:
    seen: dict[Any, int] = {}
    for i, s in enumerate(inputs):
        key = ("leaf", s.uid) if s.uid is not None else ("const", id(s.const)) if s.const is not None \
            else ("symbol", s.symbol)
        if key in seen:
            raise CodegenError(f"inputs {seen[key]} and {i} are the same {key[0]} ({s.raw_name!r}); "
                               "an input can be given only once")
        seen[key] = i


def _check_constants_read(atoms: list[Term], inputs: list[InputSpec], roots: list[Term]) -> None:
    """A constant tensor given as a parameter must be read by the outputs' graph:
    operations on a tensor that neither requires grad nor has a name are not
    recorded (``d * 2`` is a new constant), so a function of it would return the
    values computed from the tensor at generation time for every argument."""
    read = {id(t) for t in atoms}
    for i, s in enumerate(inputs):
        if s.const is not None and id(s.const) not in read and roots:
            raise CodegenError(f"input {i} ({s.raw_name}) is a constant tensor that the outputs do not read: "
                               "operations on a tensor that neither requires grad nor has a name are not recorded "
                               "(their results are numbers), so the function would ignore it. Create it with "
                               f"name={s.raw_name!r} (or requires_grad=True) before computing the outputs, or "
                               "leave it out of the inputs")


def _check_leaves(atoms: list[Term], inputs: list[InputSpec]) -> None:
    uids = {s.uid for s in inputs if s.uid is not None}
    missing = [t for t in atoms if isinstance(t, Leaf) and t.uid not in uids]
    if missing:
        from symgrad.symbolic import naming

        naming.assign_names(missing)
        listed = ", ".join(repr(t.name) for t in missing)
        one = len(missing) == 1
        raise CodegenError(f"the outputs depend on {listed}, which {'is' if one else 'are'} not among the inputs; "
                           f"add {'it' if one else 'them'} to the inputs")


def _check_positions(terms: list[Term]) -> None:
    """Positions chosen by values (ops/positions.py) are the traced inputs'
    positions: code reusing them at other inputs would be silently wrong."""
    for t in terms:
        if term_holds_picked(t):
            raise CodegenError("the outputs select elements at positions chosen by the values of the inputs, or are "
                               "such positions (sort, argsort, topk, unique, an argmax or nonzero used as an index, "
                               "or a mask such as x[x > 0]); "
                               "the graph holds the positions chosen at the traced values, and code generated from "
                               "it would use them at every input. Write the selection so that it is decided at run "
                               "time: max/min (with dim), where(x > 0, x, 0), clamp, relu")


def _check_closed_forms(terms: list[Term]) -> None:
    """Ops without a closed form (``linalg.eigh``) have none to print, and array
    code calling a library instead could disagree with the engine's numbers
    (eigenvectors' signs are each LAPACK's choice): refused, in every backend."""
    for t in terms:
        if isinstance(t, Apply) and isinstance(t.op.symbolic, NoClosedForm):
            raise CodegenError(f"no code can be generated through {t.op.name}: {t.op.symbolic.message}")


def _mode(target: Any, inputs: list[InputSpec], graph: Graph) -> str:
    if not target.scalar_only and any(s.shape for s in inputs):
        return "array"
    elements = len(graph.order)
    for t in graph.atoms:
        if isinstance(t, Leaf):
            elements += math.prod(t.shape)
        elif isinstance(t, Const):
            elements += getattr(t.value, "size", 1)
    if elements <= MAX_SCALAR_ELEMENTS:
        return "scalar"
    if target.scalar_only:
        raise CodegenError(f"the {target.name} backend writes one line per array element and this graph has "
                           f"about {elements}; use backend='numpy' (or jax/torch), which work on whole arrays")
    return "array"


def _make_input(builder: Builder, target: Any, spec: InputSpec, mode: str) -> Input:
    name = builder.names.claim(spec.raw_name, "x")
    shape = spec.shape
    symbol = builder.symbol(name, shape=shape if mode == "array" else ())
    inp = Input(name, symbol, shape, spec.dtype, spec.source)
    if shape and np.prod(shape) <= MAX_SCALAR_ELEMENTS:
        for index in np.ndindex(*shape):
            inp.elements[index] = builder.symbol(target.element_name(name, index, shape))
    return inp


def _inputs_by_term(atoms: list[Term], specs: list[InputSpec], inputs: list[Input]) -> dict[int, Input]:
    by_uid = {s.uid: inp for s, inp in zip(specs, inputs, strict=True) if s.uid is not None}
    by_const = {id(s.const): inp for s, inp in zip(specs, inputs, strict=True) if s.const is not None}
    out: dict[int, Input] = {}
    for t in atoms:
        if isinstance(t, Leaf) and t.uid in by_uid:
            out[id(t)] = by_uid[t.uid]
        elif isinstance(t, Const) and id(t) in by_const:
            out[id(t)] = by_const[id(t)]
    return out


# ---------------------------------------------------------------- outputs

def _make_output(lowering: Lowering, names: Namespace, spec: OutputSpec,
                 specs: list[InputSpec], inputs: list[Input]) -> Output:
    name = names.claim(spec.raw_name, "out")
    src = spec.source
    if isinstance(src, Term):
        v = lowering.value_of(src)
        if lowering.mode == "array":
            return Output(name, as_dtype_number(lowering.fit(v), v.dtype), v.shape, v.dtype)
        return Output(name, _float_numbers(v.data, v.dtype), v.shape, v.dtype)
    expr = _sympy_value(src)
    data = lowering.lower_sympy(expr, _atoms_for(expr, specs, inputs))
    shape = tuple(np.shape(data)) if isinstance(data, np.ndarray) else ()
    dtype = np.dtype(bool) if isinstance(expr, sympy.logic.boolalg.Boolean) and not isinstance(expr, sympy.Expr) \
        else np.dtype(np.float64)
    return Output(name, _float_numbers(data, dtype), shape, dtype)


def _sympy_value(src: Any) -> Any:
    """A SymPy expression, or an object array of them for arrays and matrices."""
    if isinstance(src, (sympy.NDimArray, sympy.MatrixBase)):
        shape = src.shape
        return np.array(list(src) if isinstance(src, sympy.MatrixBase) else src.tolist(), dtype=object).reshape(shape)
    return sympy.sympify(src)


def _atoms_for(expr: Any, specs: list[InputSpec], inputs: list[Input]) -> dict[Any, Any]:
    """The program atom for each symbol of a SymPy output."""
    free: set[Any] = set()
    for e in (expr.reshape(-1) if isinstance(expr, np.ndarray) else [expr]):
        if isinstance(e, Basic):
            free |= e.free_symbols
    by_uid = {s.uid: inp for s, inp in zip(specs, inputs, strict=True) if s.uid is not None}
    by_symbol = {s.symbol: inp for s, inp in zip(specs, inputs, strict=True) if s.symbol is not None}
    atoms: dict[Any, Any] = {}
    unknown = []
    for sym in free:
        uid = getattr(sym, "leaf_uid", None)
        inp = by_uid.get(uid) if uid is not None else by_symbol.get(sym)
        if inp is None:
            unknown.append(str(sym))
            continue
        index = getattr(sym, "index", ())
        atoms[sym] = inp.elements[index] if index else inp.symbol
    if unknown:
        one = len(unknown) == 1
        raise CodegenError(f"the outputs contain {', '.join(sorted(unknown))}, which {'is' if one else 'are'} not "
                           f"among the inputs; add {'it' if one else 'them'} to the inputs")
    return atoms


def _float_numbers(data: Any, dtype: np.dtype) -> Any:
    if isinstance(data, np.ndarray):
        out = np.empty(data.shape, dtype=object)
        for index in np.ndindex(*data.shape):
            out[index] = as_dtype_number(data[index], dtype)
        return out
    return as_dtype_number(data, dtype)


def _name_outputs(body: list[Any], outputs: list[Output], reads: dict[Any, int]) -> None:
    """A temporary read only by one output takes the output's name (``value = ...``);
    ``reads`` counts each symbol's readers (``optimize``)."""
    assigned = {a.target: a for a in body}
    for out in outputs:
        v = out.value
        if isinstance(v, sympy.Symbol) and v in assigned and reads.get(v) == 1:
            renamed = sympy.Symbol(out.name, **v.assumptions0)
            assigned[v].target = renamed
            out.value = renamed
