"""Custom autograd Functions, as ``torch.autograd.Function``: a forward and a
hand-written backward, with the same ``ctx`` API.

>>> import symgrad
>>> class Cube(symgrad.autograd.Function):
...     @staticmethod
...     def forward(ctx, x):
...         ctx.save_for_backward(x)
...         return x ** 3
...     @staticmethod
...     def backward(ctx, grad_output):
...         (x,) = ctx.saved_tensors
...         return grad_output * 3 * x ** 2
>>> x = symgrad.tensor(2., requires_grad=True)
>>> y = Cube.apply(x)
>>> y, y.expr
(tensor(8., grad_fn=<CubeBackward>), x**3)
>>> y.backward()
>>> x.grad, x.grad.expr
(tensor(12.), 3*x**2)

How it maps onto the graph.  Each differentiable output gets a node (its
class is ``<Name>Backward``): the output's ``grad_fn`` and its term.  With one
such output, the node has edges to the inputs that require grad and its rule
(``_backward_rule``) calls the user's ``backward``, so the engine runs it like
any op's rule: in the numeric pass on arrays wrapped as tensors, and in the
tensor pass (``create_graph``, closed forms) on tensors.  With several, each
output's node has one edge, to a node shared by the call (``_CallNode``), and
passes its gradient on as a slot (``graph.GradSlots``); the engine sums what
arrives at a node with ``+``, which merges slots, and runs the shared node
after every output's node, so it calls ``backward`` once with all the
outputs' gradients, as PyTorch does.  What ``forward`` saved with
``save_for_backward`` is the ``saved`` tuple of the node that calls
``backward``, so the engine checks its version counters and frees it after
backward as for any op.

The symbolic view: ``forward`` runs with grad mode off on the input tensors,
whose terms still flow through symgrad's ops, so each output's term is the
forward's own closed form (``x**3`` above) and the node is an identity over it
(op ``custom_function``; code generation writes the closed form).  A forward
that leaves symgrad (``.numpy()``, ``.item()``) returns numbers whose closed
form is unknown: the output is then the opaque SymPy function ``Cube(x)``
(0-d inputs and output), or refuses a closed form with an error saying why.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from symgrad import grad_mode
from symgrad._tensor import Tensor, _term_or_const, term_of
from symgrad.autograd.graph import GradSlots, accumulator
from symgrad.autograd.graph import Node as _Node
from symgrad.autograd.graph import next_seq as _next_seq
from symgrad.ops.registry import OpDef

__all__ = ["Function", "FunctionCtx", "once_differentiable"]

_new = object.__new__


class FunctionCtx:
    """The ``ctx`` handed to ``forward``/``setup_context`` and ``backward``."""

    def __init__(self) -> None:
        self.needs_input_grad: tuple[bool, ...] = ()
        self.materialize_grads = True
        self._to_save: tuple[Any, ...] = ()
        self._non_differentiable: list[Any] = []
        self._saved_now: tuple[Any, ...] | None = None   # during backward: the saved tensors to hand out
        self._outputs: list[Any] = []                   # per output: (value, weakref to its node or None);
                                                        # None for an output that is not a tensor
        self._input_shapes: tuple[Any, ...] = ()         # per forward input: its shape, None if not a tensor
        self._cls: Any = None
        self._slotted = False                           # several differentiable outputs: their nodes pass
                                                        # gradients on to one _CallNode (see _record)

    def save_for_backward(self, *tensors: Any) -> None:
        """Keep tensors (or None) for ``backward``; read them there as ``ctx.saved_tensors``."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save tensors (or None), but argument {i} is of "
                                f"type {type(t).__name__}; keep other values as attributes: ctx.name = value")
        self._to_save = tensors

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """The tensors ``save_for_backward`` kept, checked against in-place changes."""
        if self._saved_now is None:
            raise RuntimeError("ctx.saved_tensors is read in backward(): the tensors are checked against in-place "
                               "changes and freed when the backward pass that used them ends")
        return self._saved_now

    def mark_non_differentiable(self, *outputs: Any) -> None:
        """Outputs that get no gradient (their ``requires_grad`` is False; backward receives zeros for them)."""
        self._non_differentiable.extend(outputs)

    def set_materialize_grads(self, value: bool) -> None:
        """False: ``backward`` receives None, not zeros, for outputs that got no gradient."""
        self.materialize_grads = bool(value)

    def mark_dirty(self, *tensors: Any) -> None:
        raise NotImplementedError("ctx.mark_dirty (a custom Function that modifies its inputs in place) is not "
                                  "supported by symgrad: return a new tensor from forward instead")

    def mark_shared_storage(self, *pairs: Any) -> None:
        raise NotImplementedError("ctx.mark_shared_storage is a removed PyTorch API: outputs that share memory "
                                  "with an input are detected automatically")


class _SavedOutput:
    """Stands in ``node.saved`` for an output that forward saved: the output's
    tensor is made when backward runs (holding it would be a reference cycle
    through its own node)."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index


class _FunctionNode(_Node):
    """A custom Function's node: its saved values are the tensors forward chose,
    not its inputs, so their terms (for closed forms) are kept here."""

    __slots__ = ("saved_terms_",)
    saved_terms_: tuple[Any, ...]

    def saved_terms(self) -> tuple[Any, ...]:
        return self.saved_terms_

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        """The inputs' nodes, as PyTorch shows them, also for an output whose
        one edge goes to its call's shared node (an engine detail)."""
        edges = self.edges
        if len(edges) == 1 and isinstance(edges[0], _CallNode):
            return edges[0].next_functions
        return tuple((e, 0) for e in edges)


class _CallNode(_FunctionNode):
    """The node shared by the outputs of one call of a Function with several
    differentiable outputs: its edges go to the inputs, and its rule
    (``_call_rule``) calls ``backward`` once with every output's gradient.
    It is no tensor's ``grad_fn`` nor any term's argument: only the outputs'
    nodes reach it, through their edges."""

    __slots__ = ()


class Function:
    """Base class of custom autograd functions (``torch.autograd.Function``):
    subclass it with static ``forward(ctx, *args)`` and ``backward(ctx, *grads)``
    (or ``forward(*args)`` with ``setup_context(ctx, inputs, output)``) and call
    ``YourFunction.apply(*args)``.  See the module's docstring for an example."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"Legacy autograd function with non-static forward method is not supported (as in "
                           f"PyTorch): make forward and backward @staticmethods and call "
                           f"{type(self).__name__}.apply(...) instead of {type(self).__name__}()(...)")

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: Any) -> Any:
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def jvp(ctx: Any, *grad_inputs: Any) -> Any:
        raise NotImplementedError("forward-mode AD (jvp) is not supported by symgrad; use backward")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` (grad mode off) and record one node per differentiable
    output (and, for several, the node they share: see ``_record``)."""
        ctx = FunctionCtx()
        recording = grad_mode.is_grad_enabled()
        ctx.needs_input_grad = tuple(recording and isinstance(a, Tensor) and a._requires_grad for a in args)
        with grad_mode.no_grad():
            output = run_forward(cls, ctx, args, kwargs)
        many = isinstance(output, tuple)
        outputs = output if many else (output,)
        wrapped = _record(cls, ctx, args, outputs) if any(ctx.needs_input_grad) else _plain(args, outputs)
        return tuple(wrapped) if many else wrapped[0]


def run_forward(cls: Any, ctx: FunctionCtx, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``cls.forward`` on ``args``, in either style (with ctx, or without and then ``setup_context``)."""
    if not (isinstance(cls, type) and issubclass(cls, Function)):
        raise TypeError(f"expected a subclass of symgrad.autograd.Function, got {cls!r}")
    if _overrides(cls, "setup_context"):
        output = cls.forward(*args, **kwargs)
        cls.setup_context(ctx, args, output)
        return output
    return cls.forward(ctx, *args, **kwargs)


def _overrides(cls: type, name: str) -> bool:
    return getattr(cls, name) is not getattr(Function, name)


def once_differentiable(backward: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a ``backward`` that is not itself differentiable: it runs with grad
    mode off, so its results have no graph (differentiating them again raises
    the usual "does not require grad" error, as in PyTorch)."""

    @functools.wraps(backward)
    def wrapper(ctx: Any, *grads: Any) -> Any:
        with grad_mode.no_grad():
            return backward(ctx, *grads)

    return wrapper


# ---------------------------------------------------------------- forward: recording


def _plain(args: tuple[Any, ...], outputs: tuple[Any, ...]) -> list[Any]:
    """Outputs when nothing is recorded (no input requires grad, or grad mode off)."""
    return [_own_value(o, args) if isinstance(o, Tensor) else o for o in outputs]


def _own_value(o: Tensor, args: tuple[Any, ...]) -> Tensor:
    """``o`` itself, or a copy when forward returned an input or a view (the
    output is a new tensor, its memory its own: PyTorch makes it a view)."""
    if o._base is None and not any(o is a for a in args):
        return o
    return Tensor._make(np.array(o._value), term_of(o))


def _record(cls: type, ctx: FunctionCtx, args: tuple[Any, ...], outputs: tuple[Any, ...]) -> list[Any]:
    ops = _ops_of(cls)
    ctx._cls = cls
    ctx._input_shapes = tuple(tuple(a.shape) if isinstance(a, Tensor) else None for a in args)
    edges = tuple(_edge(a) if want else None for a, want in zip(args, ctx.needs_input_grad))
    meta = tuple((a._value.shape, a._value.dtype) if e is not None else None for a, e in zip(args, edges))
    saved, saved_terms, saved_outputs = _saved(ctx, args, outputs)
    versions = tuple([0 if not isinstance(s, Tensor) else (s._vroot if s._vroot is not None else s)._ver
                      for s in saved]) if saved else None
    results, differentiable = _new_outputs(ctx, args, outputs)
    terms = _output_terms(ops, args, results, differentiable)
    if len(differentiable) > 1:
        # backward runs once per pass, as in PyTorch: at a node all outputs pass their gradients to
        ctx._slotted = True
        call: Any = _new(ops[2].node_class)
        _fill(call, ops[2], (), {"ctx": ctx}, edges, meta, saved, versions, saved_terms)
        checked = [j for j in sorted(saved_outputs) if j in differentiable]
        if checked:  # the engine checks the saved outputs' versions (engine._check_out)
            call.out_ref = (tuple([(weakref.ref(results[j]), 0) for j in checked]), None)
        for j in differentiable:
            op, node_args = terms[j]
            _output_node(ctx, results[j], j, op, node_args, (call,), None, (), None, ())
    elif differentiable:  # one output: its node calls backward itself
        (j,) = differentiable
        op, node_args = terms[j]
        node = _output_node(ctx, results[j], j, op, node_args, edges, meta, saved, versions, saved_terms)
        if j in saved_outputs:  # the engine checks its version and hands it to the rule as ``out``
            node.out_value = results[j]._value
            node.out_ref = (weakref.ref(results[j]), 0)
    ctx._to_save = ()
    return results


def _new_outputs(ctx: FunctionCtx, args: tuple[Any, ...], outputs: tuple[Any, ...]) -> tuple[list[Any], list[int]]:
    """The outputs as ``apply`` returns them (tensors new, the user's may be
    referenced from ctx: a cycle through the node), ``ctx._outputs`` filled
    for those that get no node, and the positions of those that do."""
    results: list[Any] = []
    differentiable: list[int] = []
    non_diff = ctx._non_differentiable
    for j, o in enumerate(outputs):
        if not isinstance(o, Tensor):
            results.append(o)
            ctx._outputs.append(None)
            continue
        out = _own_value(o, args)
        if out is o:
            out = Tensor._make(o._value, term_of(o))
        results.append(out)
        ctx._outputs.append((out._value, None))  # (its node's weakref is set when the node is made)
        if not any(o is m for m in non_diff) and out._value.dtype.kind in "fc":
            differentiable.append(j)
    return results, differentiable


def _output_terms(ops: tuple[OpDef, ...], args: tuple[Any, ...], results: list[Any],
                  differentiable: list[int]) -> dict[int, tuple[OpDef, tuple[Any, ...]]]:
    """Per differentiable output, its node's op and arguments: an identity over
    the forward's traced term, or, when forward left symgrad, the opaque
    function of the inputs (``custom_function_opaque``)."""
    opaque_args = tuple(_term_or_const(a) for a in args if isinstance(a, Tensor))
    symbolic_inputs = any(not t.const for t in opaque_args)
    terms = {}
    for j in differentiable:
        inner = _term_or_const(results[j])
        traced = not inner.const or not symbolic_inputs
        terms[j] = (ops[0], (inner,)) if traced else (ops[1], opaque_args)
    return terms


def _output_node(ctx: FunctionCtx, out: Tensor, j: int, op: OpDef, node_args: tuple[Any, ...], edges: Any,
                 meta: Any, saved: Any, versions: Any, saved_terms: Any) -> Any:
    """The node of output ``j``: its ``grad_fn`` and its term."""
    node: Any = _new(op.node_class)
    _fill(node, op, node_args, {"ctx": ctx, "index": j}, edges, meta, saved, versions, saved_terms)
    out._content = node
    out._grad_fn = node
    out._requires_grad = True
    ctx._outputs[j] = (out._value, weakref.ref(node))
    return node


def _fill(node: Any, op: OpDef, node_args: tuple[Any, ...], params: dict[str, Any], edges: Any, meta: Any,
          saved: Any, versions: Any, saved_terms: Any) -> None:
    node._sym = None
    node.seq = _next_seq()
    node.op = op
    node.args = node_args
    node.params = params
    node.edges = edges
    node.meta = meta
    node.saved = saved if saved else ()
    node.versions = versions
    node.saved_terms_ = saved_terms
    node.pre_hooks = node.retain = None
    node.out_value = node.out_ref = None


def _edge(a: Tensor) -> Any:
    return a._grad_fn if a._grad_fn is not None else accumulator(a)


def _saved(ctx: FunctionCtx, args: tuple[Any, ...], outputs: tuple[Any, ...]) -> tuple[tuple[Any, ...], tuple[Any, ...], set[int]]:
    """What forward saved, as the nodes keep it: tensors, with outputs as
    ``_SavedOutput`` stand-ins (an input returned as an output is saved as
    the input); the terms of the tensors; the saved outputs' positions."""
    saved: list[Any] = []
    terms: list[Any] = []
    saved_outputs: set[int] = set()
    for t in ctx._to_save:
        j = None if t is None else next((k for k, o in enumerate(outputs) if o is t), None)
        if j is not None and not any(t is a for a in args):
            saved.append(_SavedOutput(j))
            saved_outputs.add(j)
            terms.append(None)
        else:
            saved.append(t)
            terms.append(None if t is None else _term_or_const(t))
    return tuple(saved), tuple(terms), saved_outputs


# ---------------------------------------------------------------- the op-table entries


def _ops_of(cls: type) -> tuple[OpDef, OpDef, OpDef]:
    """The op entries of a Function class (made once, kept on the class):
    ``custom_function``, an identity over the forward's traced term,
    ``custom_function_opaque``, the output as an unknown function of the
    inputs, and ``custom_function_call``, the shared node of a call with
    several outputs (no term: only its rule runs)."""
    ops = cls.__dict__.get("_symgrad_ops")
    if ops is None:
        node_class = type(f"{cls.__name__}Backward", (_FunctionNode,), {"__slots__": ()})
        traced = OpDef("custom_function", ("x",), ("ctx", "index"), _identity, _identity, _backward_rule,
                       elementwise=False, promote=None, bool_args=(), bool_out=False, view=False, variadic=True,
                       backward_name=None)
        opaque = OpDef("custom_function_opaque", ("x",), ("ctx", "index"), _unavailable_value,
                       functools.partial(_opaque_symbolic, cls.__name__), _backward_rule, elementwise=False,
                       promote=None, bool_args=(), bool_out=False, view=False, variadic=True, backward_name=None)
        call = OpDef("custom_function_call", ("x",), ("ctx",), _no_value, None, _call_rule, elementwise=False,
                     promote=None, bool_args=(), bool_out=False, view=False, variadic=True, backward_name=None)
        traced.node_class = opaque.node_class = node_class
        call.node_class = type(node_class.__name__, (_CallNode,), {"__slots__": ()})
        ops = (traced, opaque, call)
        cls._symgrad_ops = ops  # type: ignore[attr-defined]
    return ops  # type: ignore[no-any-return]


def _identity(x: Any, ctx: Any, index: int) -> Any:
    return x


def _no_value(*xs: Any, ctx: Any) -> Any:
    raise RuntimeError("a custom Function's shared backward node has no value of its own (internal error)")


def _unavailable_value(*xs: Any, ctx: Any, index: int) -> Any:
    value, _ = ctx._outputs[index]
    return value


def _opaque_symbolic(name: str, *xs: Any, ctx: Any, index: int) -> Any:
    """``Name(x, y)``: a SymPy function nobody defined, for a forward whose
    closed form is unknown (0-d inputs and output only)."""
    value, _ = ctx._outputs[index]
    if np.ndim(value) != 0 or any(np.ndim(x) != 0 for x in xs):
        raise RuntimeError(f"The closed form of {name}'s output is unknown: its forward computed it outside "
                           "symgrad's ops (with .numpy(), .item() or NumPy). Write forward with symgrad "
                           "operations to get closed forms; the numbers and gradients are unaffected.")
    import sympy

    fname = name if len(ctx._outputs) == 1 else f"{name}_{index}"
    return sympy.Function(fname)(*[np.asarray(x, dtype=object)[()] for x in xs])


# ---------------------------------------------------------------- backward: the rule


def _backward_rule(g: Any, out: Any, xs: Any, ctx: Any, index: int) -> list[Any]:
    """An output node's derivative rule.  With one differentiable output: the
    user's ``backward`` with this output's gradient ``g`` (zeros, or None,
    for the non-differentiable and non-tensor outputs).  With several: ``g``
    passed on as this output's slot to the call's shared node (its one edge),
    which calls ``backward`` once (``_call_rule``).  ``g``, ``out`` and ``xs``
    are arrays in the numeric pass and tensors in the tensor pass; the results
    are returned alike."""
    if ctx._slotted:
        return [GradSlots({index: g})]
    arrays = not isinstance(g, Tensor)
    grads = [(Tensor._make(np.asarray(g)) if arrays else g) if k == index else _other_grad(ctx, entry)
             for k, entry in enumerate(ctx._outputs)]
    return _run_backward(ctx, grads, xs, arrays, out, index)


def _call_rule(slots: GradSlots, out: Any, xs: Any, ctx: Any) -> list[Any]:
    """The shared node's rule: ``backward`` once, with the gradient of every
    output that received one (zeros, or None, for the others)."""
    got = slots.grads
    arrays = not any(isinstance(g, Tensor) for g in got.values())
    grads = [(Tensor._make(np.asarray(got[k])) if arrays else got[k]) if k in got else _other_grad(ctx, entry)
             for k, entry in enumerate(ctx._outputs)]
    return _run_backward(ctx, grads, xs, arrays, None, None)


def _run_backward(ctx: Any, grads: list[Any], xs: Any, arrays: bool, out: Any, index: int | None) -> list[Any]:
    """The user's ``backward`` (or ``vjp``) on ``grads``, with ``ctx.saved_tensors``
    made from ``xs`` for the call; its results checked."""
    ctx._saved_now = tuple([_saved_tensor(s, arrays, out, ctx, index) for s in xs])
    cls = ctx._cls
    try:
        result = (cls.backward if _overrides(cls, "backward") else cls.vjp)(ctx, *grads)
    finally:
        ctx._saved_now = None
    return _checked_grads(cls, ctx, result, arrays)


def _other_grad(ctx: FunctionCtx, entry: Any) -> Any:
    """What ``backward`` receives for an output whose gradient did not arrive:
    None for a non-tensor, else zeros (None without ``materialize_grads``)."""
    if entry is None or not ctx.materialize_grads:
        return None
    return Tensor._make(np.zeros_like(entry[0]))


def _saved_tensor(s: Any, arrays: bool, out: Any, ctx: FunctionCtx, index: int | None) -> Any:
    """One of ``ctx.saved_tensors`` as ``backward`` sees it: numbers alone in
    the numeric pass (the closed form is made by the tensor pass), the tensor
    itself in the tensor pass (so ``create_graph`` differentiates through it)."""
    if s is None:
        return None
    if s.__class__ is _SavedOutput:
        if s.index == index:  # the node's own output (one output): the engine checked it and passes it as ``out``
            return Tensor._make(np.asarray(out)) if arrays else out
        value, node_ref = ctx._outputs[s.index]
        node = None if arrays or node_ref is None else node_ref()
        if node is None:
            return Tensor._make(value)
        t = Tensor._make(value, node)
        if grad_mode.is_grad_enabled():
            t._grad_fn = node
            t._requires_grad = True
        return t
    return Tensor._make(np.asarray(s)) if arrays else s


def _checked_grads(cls: type, ctx: FunctionCtx, result: Any, arrays: bool) -> list[Any]:
    """``backward``'s results, one per forward input, checked as PyTorch checks
    them (count, None for non-tensor inputs, shapes); arrays in the numeric pass."""
    name = f"{cls.__name__}Backward"
    grads = list(result) if isinstance(result, (tuple, list)) else [result]
    n = len(ctx._input_shapes)
    if len(grads) > n and all(gi is None for gi in grads[n:]):
        grads = grads[:n]
    if len(grads) != n:
        raise RuntimeError(f"function {name} returned an incorrect number of gradients (expected {n}, got "
                           f"{len(grads)}); return one gradient per forward input, None for those without one")
    out: list[Any] = []
    for i, (gi, shape) in enumerate(zip(grads, ctx._input_shapes)):
        if gi is None:
            out.append(None)
            continue
        if shape is None:
            raise RuntimeError(f"function {name} returned a gradient different than None at position {i + 1}, "
                               "but the corresponding forward input was not a Tensor; return None there")
        if not isinstance(gi, Tensor):
            raise TypeError(f"function {name} returned a {type(gi).__name__} as the gradient at position {i + 1}; "
                            "gradients must be tensors (or None)")
        got = tuple(gi.shape)
        if got != shape and not _sums_back(got, shape):
            raise RuntimeError(f"Function {name} returned an invalid gradient at index {i} - got {list(got)} but "
                               f"expected shape compatible with {list(shape)}")
        out.append(gi._value if arrays else gi)
    return out


def _sums_back(got: tuple[int, ...], shape: tuple[int, ...]) -> bool:
    """Can a gradient of shape ``got`` be summed back to ``shape`` (``shape`` broadcasts to ``got``)?"""
    try:
        return np.broadcast_shapes(got, shape) == got
    except ValueError:
        return False
