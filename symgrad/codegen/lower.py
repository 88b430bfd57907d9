"""Lowering: term graphs and SymPy expressions to straight-line code.

One pass over the graph in argument-first order gives every node a ``Value``:
an expression (array mode) or an object array of expressions (scalar mode).
Elementwise ops are written by the op's own SymPy forward, so the code reads
like the closed form; a node read more than once becomes a temporary (as do
chains deeper than ``MAX_INLINE_DEPTH`` or larger than ``MAX_INLINE_SIZE``
operations: SymPy's printers recurse, and long lines do not read well), the
others stay in line in their reader.  Other ops become ``Call``s in array
mode, and their SymPy forward over elements in scalar mode.

Inlining is decided here, from the graph's use counts, rather than by
building everything and substituting afterwards: every SymPy operation costs
tens of microseconds, and this way each node is built once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import sympy
from sympy.core.basic import Basic

from symgrad.codegen import code_forms, fold, nodes, runtime_forms, scalar_rules
from symgrad.codegen.graph import CodegenError, Graph, Replay, dtype_of, shape_of
from symgrad.codegen.optimize import MAX_INLINE_DEPTH, MAX_INLINE_SIZE
from symgrad.codegen.program import Call, Constant, Input, Node
from symgrad.codegen.ssa import Builder, Literal
from symgrad.ops.registry import ClosedFormAtTracedChoices, NoClosedFormError
from symgrad.symbolic import constants
from symgrad.symbolic.evaluate import apply_symbolic, to_number
from symgrad.symbolic.terms import Apply, Const, Leaf, Term

# Ops that only copy memory: in code that never writes in place they are the value itself
# (a custom autograd.Function's node is its forward's traced term: autograd/function.py).
IDENTITY_OPS = frozenset({"clone", "copy", "custom_function"})
OPAQUE_FUNCTION = "custom_function_opaque"  # ... unless its forward left symgrad: no closed form to write

# Ops that compute in their result's dtype, converting narrower float inputs
# first (NumPy's type promotion); a float32 constant they read is stored in
# the wider type once, instead of being converted at every call.
_WIDENING_CALLS = frozenset({"linear", "linear_nobias", "matmul", "addmm", "mse_loss", "dot"})

# Casts: in code of scalars a cast to a float is computed at run time (runtime_forms.FloatCast)
CASTS = frozenset({"to_copy", "to_discrete"})

# Shape ops that do nothing when the shape does not change (derivative rules
# reshape to (-1, n) and expand to the input's shape without knowing it):
# the shapes are known here, so the code has no such calls.
SHAPE_OPS = frozenset({"view", "expand", "sum_to_size"})

# Internal op: broadcast a value to a node's shape (when SymPy's tidying
# dropped the symbols that carried the shape: ``0*x`` is ``0``).
BROADCAST = "_broadcast"

@dataclass(slots=True)
class Value:
    """What a node computes: ``data`` (an expression, or an object array of
    them in scalar mode), its shape and dtype, whether it is a constant, and
    how deep and large its in-line expression is (0 for atoms)."""

    data: Any
    shape: tuple[int, ...]
    dtype: np.dtype
    constant: bool = False
    depth: int = 0
    size: int = 0


class Lowering:
    """Turns terms into ``Value``s, appending code to ``builder``."""

    def __init__(self, builder: Builder, mode: str, inputs: dict[int, Input], graph: Graph) -> None:
        self.b = builder
        self.mode = mode
        self.inputs = inputs
        self.graph = graph
        self.rep = graph.rep
        self.uses = graph.uses
        self.constants: list[Constant] = []
        self.values: dict[int, Value] = {}
        self.numeric = Replay(graph)
        self._pooled: dict[Any, Any] = {}
        self._pooled_arrays: dict[Any, np.ndarray] = {}

    # ------------------------------------------------------------ graph

    def lower(self) -> None:
        """Lower every distinct term of the graph (arguments first)."""
        values, numeric, args_of = self.values, self.numeric, self.graph.args
        with np.errstate(all="ignore"):
            for t in self.graph.unique:
                k = id(t)
                if isinstance(t, Apply) and t.op.elementwise:  # the common case, without _lower's checks
                    args = args_of[k]
                    if len(args) == 2:  # most nodes: the lists below written out
                        a, b = args
                        va, vb = values[id(a)], values[id(b)]
                        constant = va.constant and vb.constant
                        da, db = type(va.data), type(vb.data)  # (fold.may_be_number's first test, written out)
                        if (not constant and da is not Node and da is not _Symbol and db is not Node
                                and db is not _Symbol and fold.may_be_number(va.data)
                                and fold.may_be_number(vb.data)):
                            values[k] = self._with_numbers(t, args, [va, vb])  # (rare: tidying made numbers)
                            continue
                        name = t.op.name  # (nodes.node_op of two arguments, written out)
                        scalar = not constant and ((name != "pow_scalar" or isinstance(vb.data, _Integer))
                                                   if name in _ARITHMETIC else nodes.node_op(name, [va.data, vb.data]))
                        dtype = _scalar_dtype2(a, b, va, vb) if scalar else None
                        if dtype is not None:
                            values[k] = self._scalar_node2(t, name, va, vb, dtype)
                            continue
                        # (the lists the general case below reads, built only when it is reached)
                        vals, datas = [va, vb], [va.data, vb.data]
                    else:
                        vals = [values[id(a)] for a in args]
                        datas = [v.data for v in vals]
                        constant = all([a.constant for a in vals])
                        if not constant and all([fold.may_be_number(d) for d in datas]):
                            values[k] = self._with_numbers(t, args, vals)
                            continue
                        scalar = not constant and nodes.node_op(t.op.name, datas)
                        dtype = _scalar_dtype(args, vals) if scalar else None
                    if not constant:
                        if dtype is not None:
                            values[k] = self._scalar_node(t, datas, vals, dtype)
                            continue
                        v = numeric.value(t)
                        values[k] = self._elementwise(t, args, vals, shape_of(v), dtype_of(v))
                        continue
                values[k] = self._lower(t)

    def _with_numbers(self, t: Apply, args: list[Term], vals: list[Value]) -> Value:
        """An elementwise node some of whose operands may be numbers made by
        tidying (``fold``): the number it computes where all its operands are
        numbers, its expression elsewhere."""
        numeric = self.numeric.value(t)
        shape, dtype = shape_of(numeric), dtype_of(numeric)
        folded = self._fold(t, args, vals)
        if folded is not None and np.all(folded[1]):
            return self._numbers(folded[0], shape, dtype, vals)
        return self._elementwise(t, args, vals, shape, dtype, folded)

    def _fold(self, t: Apply, args: list[Term], vals: list[Value]) -> tuple[np.ndarray, Any] | None:
        """``(values, where)``: the op computed on its operands' numbers, and
        where all of them are numbers (``fold.compute``); None if nowhere.  An
        op that is not elementwise is computed only if its operands are all
        numbers."""
        operands = []
        for a, v in zip(args, vals):
            python = a.value if isinstance(a, Const) and type(a.value) in (int, float, bool) else None
            o = fold.operand(v.data, v.dtype, python)
            if o is None or (not t.op.elementwise and not np.all(o[1])):
                return None
            operands.append(o)
        if t.op.elementwise:
            return fold.compute(t.op, t.params, operands)
        with np.errstate(all="ignore"):
            return np.asarray(t.op.forward(*[n for n, _ in operands], **t.params)), True

    def _numbers(self, values: np.ndarray, shape: tuple[int, ...], dtype: np.dtype, vals: list[Value]) -> Value:
        """Folded numbers as the node's value: one number in array mode (it
        stands for a whole array) and for a 0-d node of single expressions,
        else an array of them.  Not marked ``constant``: that is for
        the graph's constants, folded from the numeric replay of the traced
        values, and these are numbers whatever the inputs."""
        values = np.asarray(values).astype(dtype, copy=False)
        # In scalar mode a node with a shape is an array of elements even when
        # its operands were single numbers: a shape op folded from a 0-d 0 (a
        # view to (1,), index_backward into (3,) in the Hessian of sin(x[0]))
        # is read element by element by the ops after it; one number there
        # made the Hessian's stack of rows fail (long fuzz, seed 71).
        if self.mode == "array" or (not shape and not any(type(v.data) is np.ndarray for v in vals)):
            return Value(literal(values.reshape(-1)[0] if values.size else values.dtype.type(0)), shape, dtype)
        return Value(_map_elements(np.broadcast_to(values, shape), literal), shape, dtype)

    def _scalar_node(self, t: Apply, datas: list[Any], vals: list[Value], dtype: np.dtype) -> Value:
        """``_elementwise`` for its most common case, without its checks: a
        ``Node`` op on 0-d floats of one ``dtype`` (most of a graph of scalar
        leaves; ``_scalar_dtype`` has checked that none of them is boolean, an
        array or a constant array)."""
        if t.op.name == "neg":
            found = self.b.negation_of(datas[0])
            if found is not None:
                return Value(found, (), dtype)
        data = nodes.make(t.op.name, tuple(datas))
        is_node = type(data) is Node
        if is_node:  # computed already (see _elementwise)
            found = self.b.bound(data)
            if found is not None:
                return Value(found, (), dtype)
        depth, size = _depth_and_size(vals)
        if self.uses[id(t)] > 1 or depth >= MAX_INLINE_DEPTH or size > MAX_INLINE_SIZE:  # (materialize)
            return Value(self.b.bind_scalar(data) if is_node else self.b.bind(data), (), dtype)
        return Value(data, (), dtype, False, depth, size)

    def _scalar_node2(self, t: Apply, name: str, va: Value, vb: Value, dtype: np.dtype) -> Value:
        """``_scalar_node`` of two arguments, written out (most nodes)."""
        data = nodes.make(name, (va.data, vb.data))
        is_node = type(data) is Node
        if is_node:  # computed already (see _elementwise)
            found = self.b.bound(data)
            if found is not None:
                return Value(found, (), dtype)
        depth = 1 + (va.depth if va.depth > vb.depth else vb.depth)
        size = 1 + va.size + vb.size
        if self.uses[id(t)] > 1 or depth >= MAX_INLINE_DEPTH or size > MAX_INLINE_SIZE:  # (materialize)
            return Value(self.b.bind_scalar(data) if is_node else self.b.bind(data), (), dtype)
        return Value(data, (), dtype, False, depth, size)

    def value_of(self, t: Term) -> Value:
        return self.values[id(self.rep[id(t.resolve())])]

    def _lower(self, t: Term) -> Value:
        numeric = self.numeric.value(t)
        shape, dtype = shape_of(numeric), dtype_of(numeric)
        inp = self.inputs.get(id(t))
        if inp is not None:
            return Value(self.input_data(inp), shape, dtype)
        if isinstance(t, Leaf):  # pragma: no cover - the API checks leaves against inputs first
            raise CodegenError(f"the outputs depend on leaf {t.name!r}, which is not among the inputs")
        if isinstance(t, Const):
            return self.constant(numeric)
        assert isinstance(t, Apply)
        if t.op.name == OPAQUE_FUNCTION:
            raise CodegenError(f"no code can be generated through {type(t).__name__}: its custom Function's forward "
                               "computed the result outside symgrad's ops (.numpy(), .item(), NumPy), so there is "
                               "no closed form to write; write that forward with symgrad operations")
        args = self.graph.args[id(t)]
        vals = [self.values[id(a)] for a in args]
        if t.op.name in _WIDENING_CALLS and self.mode == "array":
            vals = [self.widened(v, dtype) for v in vals]
        if t.op.name in IDENTITY_OPS or _changes_nothing(t, vals[0].shape, shape):
            return self._alias(t, vals[0])
        if all(v.constant for v in vals):
            return self.constant(numeric)
        if self.mode == "scalar" and all(fold.may_be_number(v.data) for v in vals):
            folded = self._fold(t, args, vals)  # (see fold: numbers made by tidying)
            if folded is not None:
                return self._numbers(folded[0].reshape(shape), shape, dtype, vals)
        if t.op.elementwise:
            return self._elementwise(t, args, vals, shape, dtype)
        if self.mode == "scalar":
            if t.op.name in CASTS and dtype.kind == "f" and dtype != vals[0].dtype:  # (see runtime_forms.FloatCast)
                atoms = self.materialize(vals[0]).data
                return self._alias(t, Value(_map(lambda a: runtime_forms.float_cast(a, dtype), [atoms]), shape, dtype,
                                            False, 1, 1))
            return Value(self._scalar_op(t, args, vals, shape), shape, dtype)
        if t.op.name == "mse_loss":
            return self._mse_loss(t, vals, shape, dtype)
        call = Call(t.op.name, tuple(self.fit(v) for v in vals), dict(t.params),
                    tuple(v.shape for v in vals), shape, dtype)
        return Value(self.b.bind(self._compose_permutes(call)), shape, dtype)

    def _elementwise(self, t: Apply, args: list[Term], vals: list[Value], shape: tuple[int, ...],
                     dtype: np.dtype, folded: Any = None) -> Value:
        """The op on its arguments' expressions - a ``nodes.Node`` for the common
        ops, else the op's SymPy forward - made a temporary when read more than
        once or when the expression gets too deep or large.  ``folded``: the
        elements computed already (``_fold``), which replace their expressions."""
        name = t.op.name
        form = runtime_forms.FORMS.get(name)
        if form is not None and (name in runtime_forms.ANY_DTYPE or any(v.dtype.kind == "f" for v in vals)):
            # (on integers the closed form is exact)
            return self._runtime_form(t, form, vals, shape, dtype, folded)
        if self.mode == "array" and t.op.promote in ("common", "divide") and any(v.constant for v in vals):
            vals = [self.widened(v, dtype) for v in vals]
        datas = [v.data for v in vals]
        if dtype is not _BOOL and all(v.dtype is not _BOOL for v in vals) and nodes.node_op(name, datas) and (
                dtype.kind == "f" or not nodes.chooses_floats(name)):  # (relu of integers: max(0, x), not 0.0)
            if name == "neg":
                data = _map(self._neg, datas)
            elif any(type(d) is np.ndarray for d in datas):
                data = _map(partial(_make, name), datas)
            else:
                data = nodes.make(name, tuple(datas))
            if type(data) is Node:  # computed already (mse_loss's difference, see _mse_loss)
                found = self.b.bound(data)
                if found is not None:
                    return Value(found, shape, dtype)
        elif name in code_forms.FORMS and dtype is not _BOOL and all(v.dtype is not _BOOL for v in vals):
            params = dict(t.params, bind=self.b.bind) if name in code_forms.BINDING else t.params
            data = _map(partial(code_forms.FORMS[name], **params), [_map(self._sympy_operand, [d]) for d in datas])
            if dtype.kind == "f":  # (a Piecewise choosing among integers: floats, as below)
                data = _map(nodes.float_choices, [data])
        else:
            syms = [_map(self._sympy_operand, [d]) for d in datas]
            if dtype is not _BOOL:  # arithmetic on booleans reads them as 0/1; evaluate's check of the
                # terms misses a boolean constant reached through a view (the 0-d mask kron reshapes)
                syms = [_map(to_number, [s]) if v.dtype is _BOOL and i not in t.op.bool_args else s
                        for i, (s, v) in enumerate(zip(syms, vals))]
            data = apply_symbolic(t, args, syms)
            if dtype.kind == "f":
                data = _map(nodes.float_choices, [data])
        if folded is not None and type(data) is np.ndarray:
            data = _patched(data, folded[0], folded[1], dtype)
        depth, size = _depth_and_size(vals)
        v = Value(data, shape, dtype, False, depth, size)
        if self.uses[id(t)] > 1 or depth >= MAX_INLINE_DEPTH or size > MAX_INLINE_SIZE:
            return self.materialize(v)
        return v

    def _sympy_operand(self, e: Any) -> Any:
        """``e`` as an operand of an op's SymPy forward.  SymPy canonicalises
        the arithmetic it is given - ``-(a - b)`` is ``b - a`` (+0.0 where the
        graph gives -0.0), ``0*x`` and ``x - x`` are 0 (the graph: nan at inf),
        ``(a + b) - b`` is ``a`` (rounding) - so a Node that is more than one
        operation on atoms, or that SymPy would fold, is read through a
        temporary: the code computes what the graph computes."""
        if type(e) is not Node:
            return e
        if nodes.exact_in_sympy(e):
            return nodes.to_sympy(e)
        return self.b.bind(e)

    def _neg(self, e: Any) -> Any:
        """``-e``, or ``s`` where ``e`` is a temporary holding ``-s``."""
        found = self.b.negation_of(e)
        return nodes.make("neg", (e,)) if found is None else found

    def _runtime_form(self, t: Apply, form: Any, args: list[Value], shape: tuple[int, ...],
                      dtype: np.dtype, folded: Any = None) -> Value:
        """An op whose closed form leaves out what code computes at run time
        (``nan_to_num``, ``signbit``, ``copysign``: see ``runtime_forms``), on
        its arguments made temporaries: the form may read them more than once
        (C, ``math``), and they must not go through SymPy, which would tidy
        them for finite values."""
        atoms = [self.materialize(a).data for a in args]
        data = _map(lambda *a: form(*a, **t.params), atoms)
        if folded is not None and type(data) is np.ndarray:  # (elements of numbers: computed already)
            data = _patched(data, folded[0], folded[1], dtype)
        v = Value(data, shape, dtype, False, 1, 1)
        return self.materialize(v) if self.uses[id(t)] > 1 else v

    def _mse_loss(self, t: Apply, vals: list[Value], shape: tuple[int, ...], dtype: np.dtype) -> Value:
        """``mean((x - y)**2)`` (or its sum, or the squares), with the difference
        a temporary: the loss's derivative rule computes the same ``x - y``,
        which then reads it instead of subtracting again (array mode)."""
        x, y = vals
        d = self.b.bind(nodes.make("sub", (x.data, y.data)))
        squares = nodes.make("pow_scalar", (d, nodes.TWO))
        reduction = t.params["reduction"]
        if reduction == "none":
            return self._alias(t, Value(squares, shape, dtype, False, 1, 1))
        in_shape = tuple(np.broadcast_shapes(x.shape, y.shape))
        arg = self.fit(Value(squares, in_shape, dtype))  # (mse_loss(x, x): the squares are 0)
        call = Call(reduction, (arg,), {"dims": None, "keepdim": False}, (in_shape,), shape, dtype)
        return Value(self.b.bind(call), shape, dtype)

    def _alias(self, t: Apply, v: Value) -> Value:
        """``v`` standing for ``t`` as well: a temporary if ``t`` is read more than once."""
        return self.materialize(v) if self.uses[id(t)] > 1 else v

    def _compose_permutes(self, call: Call) -> Any:
        """A transpose of a transpose (``W.T`` in a layer, transposed again by
        matmul's rule) is one permutation of the original, or the original."""
        if call.op != "permute":
            return call
        inner = self.b.definitions.get(call.args[0])
        if not (isinstance(inner, Call) and inner.op == "permute"):
            return call
        dims = tuple(inner.params["dims"][d] for d in call.params["dims"])
        if dims == tuple(range(len(dims))):
            return inner.args[0]
        return Call("permute", inner.args, {"dims": dims}, inner.in_shapes, call.shape, call.dtype)

    def _scalar_op(self, t: Apply, args: list[Term], vals: list[Value], shape: tuple[int, ...]) -> Any:
        """A non-elementwise op, element by element: its inputs become temporaries
        (the op may read an element many times), and shared parts of its
        results too (``softmax``'s sum)."""
        if isinstance(t.op.symbolic, ClosedFormAtTracedChoices):
            raise CodegenError(f"no scalar-mode code can be generated through {t.op.name}: {t.op.symbolic.message}")
        data = [self.materialize(v, inlinable=True).data for v in vals]
        rule = scalar_rules.RULES.get(t.op.name)
        if rule is not None:
            out = rule(self.b, *[np.asarray(d, dtype=object) for d in data], **t.params)
        else:
            try:
                out = apply_symbolic(t, args, data)
            except NoClosedFormError as e:  # (a closed form missing at these values)
                raise CodegenError(f"{e}. Code in scalar mode (the math and C backends, scalar inputs) writes "
                                   "closed forms; the numpy, jax and torch backends call their own linear algebra "
                                   "on array inputs") from None
        if isinstance(out, np.ndarray) and out.ndim == 0:
            out = out[()]
        if not isinstance(out, np.ndarray):
            return self._element(out)
        if out.shape != shape:  # pragma: no cover - a symbolic forward disagreeing with its NumPy forward
            raise CodegenError(f"op {t.op.name!r}: symbolic shape {out.shape} differs from the numeric {shape}")
        return _map_elements(out, self._element)

    def _element(self, e: Any) -> Any:
        """An element of a non-elementwise op's result, as code reads it.  A
        Python number (the zeros index_backward and index_zero write into
        object arrays) becomes a SymPy number: the tidying rules know 0 and 1
        as SymPy's, so a Python 0 stayed in (1 + 0)/2, which C computes as
        integer division, 0 (and the math backend returned int elements)."""
        if type(e) in (int, float) or isinstance(e, (np.integer, np.floating)):
            return literal(e)
        return self.b.flatten(e)

    # ------------------------------------------------------------ values

    def materialize(self, v: Value, inlinable: bool = False) -> Value:
        """``v`` with its expression(s) bound to temporaries (``inlinable``: they
        may go back in line where read only once, see ``optimize.inline``)."""
        if v.depth == 0 and v.size == 0:
            return v
        bind = partial(self.b.bind, inlinable=inlinable)
        data = _map_elements(v.data, bind) if isinstance(v.data, np.ndarray) else bind(v.data)
        return Value(data, v.shape, v.dtype, v.constant)

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
            v = _map_elements(arr, literal) if arr.ndim else literal(arr[()])
            return Value(v, shape, dtype, True)
        if arr.size and (arr.ndim == 0 or bool(np.all(arr == arr.reshape(-1)[0]))):
            return Value(literal(arr.reshape(-1)[0]), shape, dtype, True)
        return Value(self._pool(arr), shape, dtype, True)

    def _pool(self, arr: np.ndarray) -> Any:
        key = (arr.shape, str(arr.dtype), arr.tobytes())
        sym = self._pooled.get(key)
        if sym is None:
            sym = self.b.symbol(self.b.names.temp("c"), arr.dtype == np.bool_, arr.shape)
            self.constants.append(Constant(sym, arr.copy()))
            self._pooled[key] = sym
            self._pooled_arrays[sym] = self.constants[-1].value
        return sym

    def widened(self, v: Value, dtype: np.dtype) -> Value:
        """``v`` as a constant of the result's float ``dtype``, if it is a
        narrower float array constant (the seed's float32 data read by float64
        weights: exact, and what NumPy would convert it to at every call) or an
        integer one (average pooling's divisors beside float32 sums: PyTorch's
        promotion keeps float32, NumPy's would widen to float64)."""
        arr = self._pooled_arrays.get(v.data) if v.constant and v.dtype.kind in "fiu" else None
        if arr is None or dtype.kind != "f" or arr.dtype.kind == "f" and dtype.itemsize <= arr.dtype.itemsize:
            return v
        return Value(self._pool(arr.astype(dtype)), v.shape, dtype, True)

    def fit(self, v: Value) -> Any:
        """``v``'s expression with exactly ``v.shape`` (array mode)."""
        expr = v.data
        if self.b.shape_of(expr) == v.shape:
            return expr
        expr = as_dtype_number(expr, v.dtype)
        call = Call(BROADCAST, (expr,), {"shape": v.shape}, (self.b.shape_of(expr),), v.shape, v.dtype)
        return self.b.bind(call)

    # ------------------------------------------------------------ SymPy outputs

    def lower_sympy(self, expr: Any, atoms: dict[Any, Any]) -> Any:
        """An expression (or object array of them) from outside the graph, with
        its symbols replaced by the program's atoms."""
        if isinstance(expr, np.ndarray):
            return _map_elements(expr, lambda e: self.lower_sympy(e, atoms))
        if not isinstance(expr, Basic):
            return sympy.sympify(expr)
        mapped = expr.xreplace(atoms) if atoms else expr
        return self.b.flatten(mapped)


def _changes_nothing(t: Apply, arg_shape: tuple[int, ...], shape: tuple[int, ...]) -> bool:
    if t.op.name in SHAPE_OPS:
        return arg_shape == shape
    if t.op.name == "permute":
        return tuple(t.params["dims"]) == tuple(range(len(shape)))
    return False


_BOOL = np.dtype(np.bool_)
_Symbol, _Integer = sympy.Symbol, sympy.Integer
_ARITHMETIC = nodes.ARITHMETIC


def _scalar_dtype(args: list[Term], vals: list[Value]) -> np.dtype | None:
    """The dtype of a node op (the caller has checked it is one) on 0-d floats
    of one dtype (and Python numbers, which NumPy does not let change it),
    found without running it: graphs of scalar leaves are tens of thousands of
    these.  None for anything else (the numeric replay then tells)."""
    dtype = None
    for a, v in zip(args, vals, strict=True):
        if v.shape or type(v.data) is np.ndarray:
            return None
        if v.constant and isinstance(a, Const) and type(a.value) in (int, float):
            continue
        if dtype is None:
            dtype = v.dtype
        elif v.dtype is not dtype:
            return None
    return dtype if dtype is not None and dtype.kind == "f" else None


def _depth_and_size(vals: list[Value]) -> tuple[int, int]:
    """Depth and size of an expression over ``vals`` (what decides inlining)."""
    if len(vals) == 2:  # (most nodes: written out)
        a, b = vals
        return 1 + (a.depth if a.depth > b.depth else b.depth), 1 + a.size + b.size
    return 1 + max(v.depth for v in vals), 1 + sum(v.size for v in vals)


def _scalar_dtype2(a: Term, b: Term, va: Value, vb: Value) -> np.dtype | None:
    """``_scalar_dtype`` of two arguments, written out (it runs for most nodes)."""
    if va.shape or vb.shape or type(va.data) is np.ndarray or type(vb.data) is np.ndarray:
        return None
    number_a = va.constant and isinstance(a, Const) and type(a.value) in (int, float)
    number_b = vb.constant and isinstance(b, Const) and type(b.value) in (int, float)
    if number_a:
        dtype = None if number_b else vb.dtype
    elif number_b or va.dtype is vb.dtype:
        dtype = va.dtype
    else:
        return None
    return dtype if dtype is not None and dtype.kind == "f" else None


def _make(name: str, *args: Any) -> Any:
    return nodes.make(name, args)


def _map(fn: Any, datas: list[Any]) -> Any:
    """``fn`` applied to expressions, element by element (with broadcasting) when some are arrays."""
    if not any(isinstance(d, np.ndarray) for d in datas):
        return fn(*datas)
    return np.frompyfunc(fn, len(datas), 1)(*datas)


def _patched(data: np.ndarray, values: np.ndarray, where: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``data`` (an array of expressions) with the folded elements' numbers in place."""
    out = np.array(data, dtype=object)
    values = np.broadcast_to(values, out.shape).astype(dtype, copy=False)
    for index in zip(*np.nonzero(np.broadcast_to(where, out.shape))):
        out[index] = literal(values[index])
    return out


def _map_elements(arr: np.ndarray, fn: Any) -> np.ndarray:
    out = np.empty(arr.shape, dtype=object)
    for index in np.ndindex(*arr.shape):
        out[index] = fn(arr[index])
    return out


def literal(v: Any) -> Any:
    """A number for generated code.  Integers (and integral floats) are SymPy
    numbers, so SymPy tidies ``1*y`` and ``2*x + x``; other floats are
    ``ssa.Literal`` symbols (with the sign outside), which print as their
    shortest decimal."""
    key = (type(v), v)
    if v == 0 and isinstance(v, (float, np.floating)) and np.signbit(v):
        # -0.0 as a float written with its sign, not as the integer 0 (keyed apart:
        # -0.0 == 0.0): x*(-0.0) is -0.0 for positive x, and 0 - x is not -x
        key = (type(v), "-0.0")
        found = _literals.get(key)
        if found is None:
            found = _literals[key] = -Literal("0.0")
        return found
    found = _literals.get(key)
    if found is None:
        found = constants.number(v)
        if isinstance(found, sympy.Float):
            magnitude = Literal(_decimal(v))
            found = -magnitude if found < 0 else magnitude
        if len(_literals) < 100_000:
            _literals[key] = found
    return found


_literals: dict[Any, Any] = {}


def _decimal(v: Any) -> str:
    """The shortest decimal that reads back as ``|v|`` (float32 values by float32's rules)."""
    return str(abs(v)) if isinstance(v, np.floating) else repr(abs(float(v)))


def as_dtype_number(e: Any, dtype: np.dtype) -> Any:
    """``2`` as ``2.0`` when the value is a float (so ``numpy.full`` and returned
    constants get the right dtype).  So too the integer branches of a
    ``Piecewise`` of numbers (a mask used as a number, such as relu's
    gradient): ``numpy.where(c, 1, 0)`` is an integer array."""
    if dtype.kind != "f":
        return e
    if isinstance(e, sympy.Integer):
        return sympy.Float(int(e))
    if isinstance(e, sympy.Piecewise) and all(v.is_Number or isinstance(v, sympy.Piecewise) for v, _ in e.args):
        return sympy.Piecewise(*[(as_dtype_number(v, dtype), c) for v, c in e.args], evaluate=False)
    return e


__all__ = ["Lowering", "Value", "IDENTITY_OPS", "BROADCAST", "as_dtype_number"]
