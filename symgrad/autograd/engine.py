"""The backward engine: topological order, gradient flow, accumulation.

It knows no individual op: each node's op carries its derivative rules.  Two
ways of running the same rules:

* **array mode** (the default: no ``create_graph``, no hooks): rules run on
  plain NumPy arrays, so numeric gradients cost what NumPy costs.  Each
  gradient gets a lazy closed form that, when first asked for, replays the
  recorded pass with tensors (``_Tape``) - the same rules, now building terms;
* **tensor mode** (``create_graph=True`` or hooks present): rules run on
  tensors, recording a graph when ``create_graph`` so gradients can be
  differentiated again.

Broadcasting is undone here, in one place: a gradient is summed back to its
input's shape and cast to its dtype.  Graph walks are iterative.
"""

from __future__ import annotations

import contextlib
import functools
import operator
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from symgrad import grad_mode
from symgrad.autograd import anomaly_mode, origin
from symgrad.autograd import quiet as _quiet_mod
from symgrad.autograd.graph import FREED, AccumulateGrad, GradSlots, Node, accumulator
from symgrad.symbolic.terms import Const, Lazy, Term, Unavailable

# Closed forms of gradients accumulated more often than this without being
# cleared are dropped (numbers stay exact), so long loops do not keep every
# backward pass alive.
MAX_ACCUMULATED_CLOSED_FORMS = 64


_tensor: Any = None


def _tensor_mod() -> Any:
    """``symgrad._tensor``, imported on first use (it imports this package)."""
    global _tensor
    if _tensor is None:
        from symgrad import _tensor as module

        _tensor = module
    return _tensor


@functools.cache
def _loss_pass_mod() -> Any:
    """``symgrad.autograd.loss_pass``, imported on first use (it imports this module)."""
    from symgrad.autograd import loss_pass

    return loss_pass


@functools.cache
def _recording_pass_mod() -> Any:
    """``symgrad.autograd.recording_pass``, imported on first use (it imports this module)."""
    from symgrad.autograd import recording_pass

    return recording_pass


# ---------------------------------------------------------------- public API

def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, inputs: Any = None) -> None:
    """Accumulate the gradients of ``tensors`` into the ``.grad`` of the leaves
    (or only of ``inputs``), as ``torch.autograd.backward``.

    >>> import symgrad
    >>> x = symgrad.tensor(3., requires_grad=True)
    >>> symgrad.autograd.backward(x * x)
    >>> x.grad, x.grad.expr
    (tensor(6.), 2*x)
    """
    if grad_tensors is None and inputs is None:
        # loss.backward(): one 0-d result, no arguments - a pass of its own (loss_pass,
        # recording_pass for create_graph; measured)
        root = tensors[0] if tensors.__class__ is list and len(tensors) == 1 else tensors
        if root.__class__ is (_tensor or _tensor_mod()).Tensor and root._grad_fn is not None:
            if not create_graph:
                if _loss_pass_mod().backward(root, bool(retain_graph)):
                    return
            elif _recording_pass_mod().backward(root, True if retain_graph is None else bool(retain_graph)):
                return
    roots = _as_tensors(tensors, "tensors")
    seeds = _seeds(roots, grad_tensors)
    targets = None if inputs is None else _as_tensors(inputs, "inputs")
    if targets is not None and not targets:
        raise RuntimeError("backward(): 'inputs' argument to backward() cannot be empty")
    seeded = grad_tensors is not None and any(g is not None for g in _as_list(grad_tensors))
    retained = create_graph if retain_graph is None else retain_graph
    _run(roots, seeds, retained, create_graph, targets, accumulate=True, run=origin.start(roots, seeded, retained))


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: bool | None = None,
         is_grads_batched: bool = False, materialize_grads: bool = False) -> tuple[Any, ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, without
    touching ``.grad`` (as ``torch.autograd.grad``, with its arguments).
    ``is_grads_batched=True``: the first dimension of each ``grad_outputs``
    is a batch of vectors, and each result has it too (a Jacobian from the
    rows of an identity matrix).

    >>> import symgrad
    >>> x = symgrad.tensor(2., requires_grad=True)
    >>> y = symgrad.tensor(3., requires_grad=True)
    >>> (gx,) = symgrad.autograd.grad(x * x * y, x, create_graph=True)
    >>> gx, gx.expr
    (tensor(12., grad_fn=<AddBackward0>), 2*x*y)
    >>> symgrad.autograd.grad(gx, x)[0].expr
    2*y
    >>> v = symgrad.tensor([1., 2.], requires_grad=True)
    >>> symgrad.autograd.grad(v ** 2, v, symgrad.eye(2), is_grads_batched=True)
    (tensor([[2., 0.],
            [0., 4.]]),)
    """
    if not only_inputs:
        import warnings

        warnings.warn("only_inputs argument is deprecated and is ignored now (defaults to True). To accumulate "
                      "gradient for other parts of the graph, please use symgrad.autograd.backward.",
                      FutureWarning, stacklevel=2)
    if is_grads_batched:
        from symgrad.autograd.batched import batched_grad

        return batched_grad(lambda o, i, g, r, c, a: _grad(o, i, g, r, c, a, False, terms_now=False),
                            _as_tensors(outputs, "outputs"), _as_tensors(inputs, "inputs"), grad_outputs,
                            retain_graph, create_graph, allow_unused, materialize_grads)
    return _grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused, materialize_grads,
                 terms_now=False)


def grad_with_terms(outputs: Any, inputs: Any, allow_unused: bool | None = None,
                    materialize_grads: bool = False) -> tuple[Any, ...]:
    """``grad(outputs, inputs, retain_graph=True)``, for callers that will read
    every gradient's closed form at once (code generation).  The rules run
    once, on tensors without grad recording, building the terms as they go
    (what the lazy closed form of ``grad`` does when it is first read), instead
    of a numeric pass first and its replay later: the numbers would be made twice."""
    return _grad(outputs, inputs, None, True, False, allow_unused, materialize_grads, terms_now=True)


def _grad(outputs: Any, inputs: Any, grad_outputs: Any, retain_graph: bool | None, create_graph: bool,
          allow_unused: bool | None, materialize_grads: bool, terms_now: bool) -> tuple[Any, ...]:
    roots = _as_tensors(outputs, "outputs")
    targets = _as_tensors(inputs, "inputs")
    if not targets:
        raise RuntimeError("grad requires non-empty inputs.")
    for i, t in enumerate(targets):
        if not t._requires_grad:
            raise RuntimeError(f"One of the differentiated Tensors (inputs[{i}]) does not require grad; "
                               "call .requires_grad_() on it before building the graph")
    seeds = _seeds(roots, grad_outputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    captured = _run(roots, seeds, create_graph if retain_graph is None else retain_graph, create_graph,
                    targets, accumulate=False, terms_now=terms_now)
    out = []
    for i, (t, g) in enumerate(zip(targets, captured)):
        if g is None:
            if materialize_grads:
                g = _tensor_mod().Tensor._make(np.zeros_like(t._value))
            elif not allow_unused:
                raise RuntimeError(f"One of the differentiated Tensors (inputs[{i}]) appears to not have been "
                                   "used in the graph. Set allow_unused=True if this is the desired behavior.")
        out.append(g)
    return tuple(out)


# ---------------------------------------------------------------- argument checks

def _as_list(x: Any) -> list[Any]:
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _as_tensors(x: Any, what: str) -> list[Any]:
    mod = _tensor_mod()
    Tensor = mod.Tensor
    if x.__class__ is Tensor and x._base is None:
        return [x]
    items = [x] if isinstance(x, Tensor) else list(x) if isinstance(x, (list, tuple)) else None
    if items is None or not all(isinstance(t, Tensor) for t in items):
        raise TypeError(f"{what} must be a Tensor or a sequence of Tensors, got {type(x).__name__}")
    for t in items:
        if t._base is not None:
            mod.sync_view(t)  # (a view's history follows in-place changes of its base)
    return items


def _seeds(roots: list[Any], grads: Any) -> list[Any]:
    Tensor = _tensor_mod().Tensor
    if grads is None:
        grads = [None] * len(roots)
    elif isinstance(grads, Tensor):
        grads = [grads]
    else:
        grads = list(grads)
    if len(grads) != len(roots):
        raise RuntimeError(f"got {len(grads)} gradients for {len(roots)} outputs; pass one gradient "
                           "(or None) per output")
    seeds = []
    for i, (t, g) in enumerate(zip(roots, grads)):
        if not t._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn; "
                               "make a leaf require grad (requires_grad=True) before computing it")
        if g is None:
            s = t._scalar
            if s is not None:  # a result of the scalar lane: a seed of its kind, no array
                seeds.append(Tensor._make(1.0 if s.__class__ is float else _F32_ONE))
                continue
            if t._value.size != 1:
                raise RuntimeError(f"grad can be implicitly created only for scalar outputs: this output has "
                                   f"shape {list(t._value.shape)}; pass gradient=... of that shape "
                                   "(e.g. symgrad.ones_like(out)) or reduce it with .sum()")
            v = t._value  # (np.array(1) for the usual 0-d loss: a fifth of np.ones' time)
            g = Tensor._make(np.array(1, v.dtype) if v.ndim == 0 else np.ones(v.shape, v.dtype))
        elif not isinstance(g, Tensor):
            from symgrad.creation import as_tensor

            g = as_tensor(g, dtype=t.dtype)
        if g._value.shape != t._value.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and "
                               f"output[{i}] has a shape of {t.shape}; the gradient must have the output's shape")
        dt = t._value.dtype
        if g._value.dtype != dt and g._value.dtype.kind == "f" and dt.kind == "f":
            # cast to the output's dtype, as PyTorch does: on the scalar lane a float32 seed's
            # rules would otherwise run in float32 (a NumPy float32 times a Python float is float32)
            g = g.to(t.dtype)
        seeds.append(g)
    return seeds


# ---------------------------------------------------------------- the pass

def _run(roots: list[Any], seeds: list[Any], retain_graph: bool, create_graph: bool,
         targets: list[Any] | None, accumulate: bool, run: origin.Pass | None = None,
         terms_now: bool = False) -> list[Any]:
    """One backward pass.  ``terms_now``: the closed forms are wanted now, so
    the rules run once on tensors, as the replay of an array-mode pass would
    (``grad_with_terms``)."""
    Tensor = _tensor_mod().Tensor
    root_nodes = [t._grad_fn if t._grad_fn is not None else accumulator(t) for t in roots]
    target_nodes = None if targets is None else [_key_node(t) for t in targets]
    order, hooked = _topological(root_nodes)
    needed = None if target_nodes is None else _needed(order, set(target_nodes))
    tensor_mode = create_graph or hooked
    replaying = terms_now and not tensor_mode
    tape = None if tensor_mode or replaying else _Tape(needed)

    buffer: dict[Any, Any] = {}
    for node, seed in zip(root_nodes, seeds):
        _add(buffer, node, seed if tensor_mode or replaying else _seed_value(node, seed))
        if tape is not None:
            s = seed._scalar
            tape.seeds.append((node, _term(seed), seed._value) if s is None else (node, _unit_const(s), s))

    captured: dict[Any, Any] = {}
    targets_by_node = {} if targets is None else dict(zip(target_nodes or [], targets))

    if accumulate and not targets_by_node:
        def deliver(node: Any, g: Any) -> None:  # loss.backward(): into every leaf's .grad (a call less)
            if node.__class__ is AccumulateGrad:
                leaf = node._variable()
                if leaf is not None:
                    _accumulate(leaf, g, create_graph, tape, node, run)
            elif node.retain is not None:
                retained = node.retain()
                if retained is not None:
                    _accumulate(retained, g, create_graph, tape, node, run)
    else:
        def deliver(node: Any, g: Any) -> None:
            _deliver(node, g, targets_by_node, captured, accumulate, create_graph, tape, run)

    state = grad_mode._state
    prev = state.enabled
    state.enabled = create_graph
    state.numeric = tape is not None  # (floats given to ops are rules' operands: scalar_lane)
    # inf and nan flow through gradients silently, as in PyTorch (sqrt'(0) = inf); the numeric
    # pass silences NumPy itself, and only once it runs NumPy (not for floats: scalar_lane)
    quiet = None if tape is not None else _quiet()
    try:
        if replaying:
            # (the caller of grad() is the only taker here: only targets are delivered)
            _flow_replay(order, buffer, needed, deliver, None if accumulate else targets_by_node)
        elif tape is None:
            _flow_tensors(order, buffer, needed, deliver, bool(targets_by_node), retain_graph, hooked)
        else:
            _flow_arrays(order, buffer, needed, deliver, bool(targets_by_node), retain_graph, tape.steps, Tensor)
    finally:
        if quiet is not None:
            _loud(quiet)
        state.enabled = prev
        state.numeric = False
    if replaying:  # each result its own tensor, as in array mode (a rule may pass one gradient on to two inputs)
        captured = {n: Tensor._make(np.array(g._value), _term(g)) for n, g in captured.items()}
    return [captured.get(n) for n in target_nodes] if target_nodes is not None else []


def _flow_arrays(order: list[Any], buffer: dict[Any, Any], needed: Any, deliver: Any, has_targets: bool,
                 retain_graph: bool, steps: list[Any], Tensor: Any) -> None:
    """The numeric pass: rules run on NumPy arrays (a node of the scalar lane
    may also get floats: its saved result, a float gradient from another).
    Written flat: it is the hot loop of every ``backward()`` (measured).  A
    result of the scalar lane has its own pass, on scalars (``loss_pass``)."""
    pop = buffer.pop
    check_nan = anomaly_mode.enabled and anomaly_mode.nan_check  # (detect_anomaly: once per pass)
    # inf and nan flow silently, as in PyTorch (sqrt'(0) = inf): NumPy's warnings are off from the
    # first node that runs NumPy; rules on Python floats raise instead (handled where they run)
    quiet: Any = None
    try:
        for node in order:
            g = pop(node, None)
            if g is None or (needed is not None and node not in needed):
                continue
            if node.__class__ is AccumulateGrad:
                steps.append((node, None, None))
                if quiet is None:
                    leaf = node._variable()
                    if leaf is not None and leaf._grad is not None:  # accumulating: NumPy adds (inf + -inf)
                        quiet = _quiet()
                deliver(node, g)
                continue
            if quiet is None:
                quiet = _quiet()
            array_step(node, g, buffer, needed, deliver, has_targets, retain_graph, steps, Tensor, check_nan)
    finally:
        if quiet is not None:
            _loud(quiet)


def array_step(node: Any, g: Any, buffer: dict[Any, Any], needed: Any, deliver: Any, has_targets: bool,
               retain_graph: bool, steps: list[Any], Tensor: Any, check_nan: bool) -> None:
    """One node of the numeric pass (not a leaf's): its rules on arrays, their
    results added into ``buffer``, what it did appended to ``steps`` (the
    tape).  Written flat (measured); NumPy's warnings are the caller's to silence."""
    if g.__class__ is float and node.op.scalar is None:
        g = np.array(g)  # (a float from a node of the scalar lane; its own rules take floats)
    saved = node.saved
    if saved.__class__ is not tuple:
        saved = saved_inputs(node)  # a lone tensor saved, or FREED
    out_value = node.out_value
    if node.retain is not None or has_targets:
        deliver(node, g)
    if saved is FREED:
        raise _freed_error()
    if node.out_ref is not None:
        _check_out(node)
    versions = node.versions
    exact = False
    if versions is None:
        inputs = saved  # nothing read (add, sub): Nones
    else:
        inputs = []
        i = 0
        for s in saved:
            if isinstance(s, Tensor):
                if (s._vroot if s._vroot is not None else s)._ver != versions[i]:
                    raise _version_error(node, s, versions[i])
                inputs.append(s._value)
            else:
                if s.__class__ is not float and isinstance(s, float):
                    exact = True
                inputs.append(s)
            i += 1
    # The tape keeps the arrays, not the tensors: a leaf's .grad holds the
    # tape (its lazy closed form), so a tape holding the leaf would be a
    # reference cycle, and every graph would wait for the cyclic GC to go.
    steps.append((node, inputs, out_value))
    if exact:
        # A number with an exact form (ops._sympy.Exact, a float subclass) is
        # float64 to NumPy, not a weak Python float: float32 gradients became
        # float64.  The rules on arrays get the float; the tape (its replay
        # makes closed forms) keeps the exact number.
        inputs = [float(s) if isinstance(s, float) else s for s in inputs]
    get = buffer.get
    vjp = node.op.vjp
    if vjp.__class__ is tuple:
        # one rule per input: _run_rules, unrolled here (a call less per node)
        edges, meta, params = node.edges, node.meta, node.params
        i = 0
        for rule in vjp:
            edge = edges[i]
            if edge is not None and rule is not None and (needed is None or edge in needed):
                try:
                    gi = rule(g, out_value, *inputs, **params) if params else rule(g, out_value, *inputs)
                except (ArithmeticError, ValueError):
                    if node.op.scalar is None:
                        raise
                    gi = _rule_on_numpy(rule, g, out_value, inputs)  # floats raise where NumPy says inf/nan
                if gi is not None:
                    if check_nan:
                        anomaly_mode.check_nan(node, i, gi)
                    if meta is not None:
                        gi = _fit_array(gi, meta[i])
                    prev = get(edge)
                    buffer[edge] = gi if prev is None else prev + gi
            i += 1
    else:
        grad_mode._state.numeric = False  # (a custom Function's backward is user code: floats are numbers)
        try:
            for edge, gi in _node_grads(node, g, saved, out_value, False, needed, live=True):
                prev = get(edge)
                buffer[edge] = gi if prev is None else prev + gi
        finally:
            grad_mode._state.numeric = True
    if not retain_graph and (versions is not None or out_value is not None):
        node.saved = FREED
        node.out_value = None


# NumPy's floating-point warnings off, and back (``autograd.quiet``: cheaper than np.errstate)
_quiet, _loud = _quiet_mod.quiet, _quiet_mod.loud


def _seed_value(node: Any, seed: Any) -> Any:
    """The value a numeric pass starts from at ``node``: the seed's array, or
    its float (or float32 scalar) for a seed of the scalar lane."""
    s = seed._scalar
    return s if s is not None else seed._value


def _rule_on_numpy(rule: Any, g: Any, out_value: Any, inputs: list[Any]) -> Any:
    """A rule of the scalar lane that raised on floats (``1 / 0.0``, an
    overflow) run again on NumPy float64 scalars: inf or nan, as NumPy gives
    them on arrays (the pass silences its warnings)."""
    def f64(v: Any) -> Any:
        return np.float64(v) if v.__class__ is float else v

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return rule(f64(g), f64(out_value), *[f64(v) for v in inputs])


_F32_ONE = np.float32(1.0)
_new = object.__new__
_F64 = np.dtype(np.float64)
_UNIT_CONSTS: dict[Any, Term] = {}


def _unit_const(s: Any) -> Term:
    """The term of a seed on the scalar lane (a float or float32): the
    ``Const`` its array would have; a seed of ones (``loss.backward()``) is
    made once per type."""
    if s != 1:
        return Const(np.array(s))
    c = _UNIT_CONSTS.get(s.__class__)
    if c is None:
        c = _UNIT_CONSTS[s.__class__] = Const(np.array(s))
    return c


def _lane_float(term: Any) -> bool:
    """Whether a float the tape kept is a tensor's value on the scalar lane
    (to be a tensor again, with its term) rather than a number the op was
    given, whose term is the number's ``Const``."""
    return not term.const or term.value.__class__ is np.ndarray


def _flow_tensors(order: list[Any], buffer: dict[Any, Any], needed: Any, deliver: Any, has_targets: bool,
                  retain_graph: bool, hooked: bool) -> None:
    """The tensor pass (create_graph, or hooks that must see tensors).
    ``hooked``: some node has hooks (``_topological`` found them)."""
    Tensor = _tensor_mod().Tensor
    pop = buffer.pop
    for node in order:
        g = pop(node, None)
        if g is None or (needed is not None and node not in needed):
            continue
        if hooked:
            g = _pre_hooks(node, g)
        if node.__class__ is AccumulateGrad:
            deliver(node, g)
            continue
        if has_targets or node.retain is not None:  # (nothing else is delivered: a call less per node)
            deliver(node, g)
        saved = saved_inputs(node)
        vjp = node.op.vjp
        if vjp.__class__ is tuple:
            if saved is FREED:
                raise _freed_error()
            _check_versions(node, saved)
            out = None
            if node.out_value is not None:
                out = Tensor._make(node.out_value, node)
                out._grad_fn = node
                out._requires_grad = True
            _run_rules(node, vjp, g, out, saved, needed, _fit, buffer)
        else:
            for edge, gi in _node_grads(node, g, saved, node.out_value, True, needed, live=True):
                _add(buffer, edge, gi)
        if not retain_graph:
            _free(node)


def _flow_replay(order: list[Any], buffer: dict[Any, Any], needed: Any, deliver: Any,
                 targets: dict[Any, Any] | None) -> None:
    """The pass ``_Tape._replay`` makes of an array-mode pass, made directly
    (no numeric pass first), with the numeric pass's checks: rules on tensors
    whose terms are the ones their inputs had when the op ran.  Written flat,
    as ``_flow_arrays`` (rules with one function per input are ``_node_grads``
    unrolled: this is a pass over every node of a large graph).  ``targets``:
    when given, only their nodes' gradients are delivered."""
    Tensor = _tensor_mod().Tensor
    make = Tensor._make
    pop = buffer.pop
    for node in order:
        g = pop(node, None)
        if g is None or (needed is not None and node not in needed):
            continue
        if targets is None or node in targets:
            deliver(node, g)
        if node.__class__ is AccumulateGrad:
            continue
        saved = node.saved
        if saved.__class__ is not tuple:
            saved = saved_inputs(node)
        if saved is FREED:
            raise _freed_error()
        vjp = node.op.vjp
        if vjp.__class__ is not tuple:  # one rule for all inputs (variadic ops)
            _check_versions(node, saved)
            for edge, gi in _node_grads(node, g, saved, node.out_value, True, needed, live=False):
                _add(buffer, edge, gi)
            continue
        if node.out_ref is not None:
            _check_out(node)
        versions = node.versions
        if versions is None:  # nothing saved
            inputs = list(saved)
        else:  # _check_versions, in the loop that makes the inputs
            inputs = []
            for s, term, v in zip(saved, node.saved_terms(), versions):
                if isinstance(s, Tensor):
                    if (s._vroot if s._vroot is not None else s)._ver != v:
                        raise _version_error(node, s, v)
                    s = make(s._value, term)
                inputs.append(s)
        out_value = node.out_value
        out = None if out_value is None else make(out_value, node)
        _run_rules(node, vjp, g, out, inputs, needed, _fit, buffer)


def saved_inputs(node: Node) -> Any:
    """What ``node`` saved for its rules, per input (None where unread), or FREED.
    A lone tensor saved stands for all inputs: the others are numbers, whose
    terms are their ``Const``s, and it is the one with an edge (``dispatch._connect``)."""
    s = node.saved
    if s.__class__ is tuple or s is FREED:
        return s
    edges = node.edges
    if len(edges) == 1:  # a unary op: the lone tensor is its input
        return (s,)
    return tuple([s if e is not None else t.value for e, t in zip(edges, node.args)])  # type: ignore[attr-defined]


def _run_rules(node: Any, vjp: tuple[Any, ...], g: Any, out: Any, inputs: list[Any], needed: Any, fit: Any,
               buffer: dict[Any, Any]) -> None:
    """One rule per input (``vjp`` a tuple): each input that needs a gradient
    gets it, fitted to its shape and dtype (``fit``) and added into ``buffer``.
    Shared by the tensor pass and the direct replay on tensors (the numeric
    pass runs the same loop inline, a call less per node on its hot loop)."""
    edges, meta, params = node.edges, node.meta, node.params
    get = buffer.get
    check_nan = anomaly_mode.enabled and anomaly_mode.nan_check
    i = -1
    for rule in vjp:
        i += 1
        edge = edges[i]
        if edge is None or rule is None or (needed is not None and edge not in needed):
            continue
        gi = rule(g, out, *inputs, **params) if params else rule(g, out, *inputs)
        if gi is None:
            continue
        if check_nan:
            anomaly_mode.check_nan(node, i, gi)
        if meta is not None:
            gi = fit(gi, meta[i])
        prev = get(edge)
        buffer[edge] = gi if prev is None else prev + gi


def _key_node(t: Any) -> Any:
    return t._grad_fn if t._grad_fn is not None else accumulator(t)


_BY_SEQ = operator.attrgetter("seq")


def _topological(roots: list[Any]) -> tuple[list[Any], bool]:
    """The nodes of the graph below ``roots``, each before the nodes of its
    inputs, and whether any hook is registered in it.  One walk finds them;
    then they are sorted newest first (``Node.seq``): a node's inputs were
    made before it, so that is a topological order, and the one PyTorch's
    engine follows (it runs ready nodes by decreasing sequence number).
    Leaves' ``AccumulateGrad`` nodes come last.  (Half the work of a
    depth-first post-order: each node is pushed and popped once; measured.)"""
    seen: set[Any] = set(roots)
    see = seen.add
    hooked = False
    order: list[Any] = list(seen)
    stack: list[Any] = list(order)
    pop, push, take = stack.pop, stack.append, order.append
    while stack:
        node = pop()
        if node.__class__ is AccumulateGrad:
            leaf = node._variable()
            if leaf is not None and leaf._hooks:
                hooked = True
            continue
        if node.pre_hooks:
            hooked = True
        for child in node.edges:
            if child is not None and child not in seen:
                see(child)
                take(child)
                push(child)
    order.sort(key=_BY_SEQ, reverse=True)
    return order, hooked


def _needed(order: list[Any], targets: set[Any]) -> set[Any] | None:
    """Nodes on a path to a target: only those run when inputs= is given.
    None (every node) when every leaf below is a target: every path of the
    graph ends at a leaf's AccumulateGrad (a node has an edge for at least
    one input that requires grad), so then every node is on such a path -
    the usual case for a gradient with respect to all of a function's
    variables, which is then not a second walk over the graph."""
    if all([node in targets for node in order if node.__class__ is AccumulateGrad]):
        return None
    needed: set[Any] = set()
    for node in reversed(order):  # (written out: it runs over every node of the graph)
        if node in targets:
            needed.add(node)
        elif node.__class__ is not AccumulateGrad:
            for c in node.edges:
                if c is not None and c in needed:
                    needed.add(node)
                    break
    return needed


def _freed_error(message: str | None = None) -> RuntimeError:
    # PyTorch's RuntimeError (a subclass would print under another name), marked for needs_graph
    e = RuntimeError(message or
        "Trying to backward through the graph a second time (or directly access saved tensors after "
        "they have already been freed). Saved intermediate values of the graph are freed when you call "
        ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
        "graph a second time or if you need to access saved tensors after calling backward.")
    e.graph_freed = True  # type: ignore[attr-defined]
    return e


@contextlib.contextmanager
def needs_graph(who: str) -> Iterator[None]:
    """Re-raise the freed-graph error as one that names ``who``, a symgrad
    function that differentiates a tensor already computed (``symgrad.diff``,
    ``gradient_function``...): called after one ``backward()``, PyTorch's "a
    second time" would blame the user for a second backward they never wrote."""
    try:
        yield
    except RuntimeError as e:
        if not getattr(e, "graph_freed", False):
            raise
        raise _freed_error(
            f"{who} needs the graph of the function, but a backward() call without retain_graph=True has "
            f"already freed it. Call {who} before backward(), pass retain_graph=True to backward(), or read "
            "the first derivative from leaf.grad.expr") from None


def _version_error(node: Any, s: Any, expected: int) -> RuntimeError:
    return RuntimeError(
        f"one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{s.dtype} {list(s.shape)}], which is an input of {node.name()}, is at "
        f"version {s._version}; expected version {expected} instead. Hint: clone() the tensor before "
        "modifying it in place, or use the out-of-place op.")


def _pre_hooks(node: Any, g: Any) -> Any:
    if node.__class__ is AccumulateGrad:
        leaf = node.variable
        hooks = None if leaf is None else leaf._hooks
    else:
        hooks = node.pre_hooks
    if not hooks:
        return g
    for hook in list(hooks):
        r = hook(g)
        if r is not None:
            if not isinstance(r, _tensor_mod().Tensor):
                raise TypeError(f"expected Tensor, but hook {getattr(hook, '__name__', hook)!r} returned "
                                f"{type(r).__name__!r}; a hook returns the new gradient (a tensor) or None")
            if r.shape != g.shape:
                raise RuntimeError(f"hook {getattr(hook, '__name__', hook)!r} returned a gradient of shape "
                                   f"{list(r.shape)}, expected {list(g.shape)}")
            if r.dtype != g.dtype:
                raise RuntimeError(f"hook {getattr(hook, '__name__', hook)!r} has changed the type of value (was "
                                   f"{g.dtype} got {r.dtype}); return the gradient in its own dtype")
            g = r
    return g


def _deliver(node: Any, g: Any, targets: dict[Any, Any], captured: dict[Any, Any], accumulate: bool,
             create_graph: bool, tape: Any, run: Any) -> None:
    """Hand the gradient arriving at ``node`` to whoever wants it: the leaf's
    ``.grad``, a retained non-leaf ``.grad``, or the caller of ``grad()``."""
    target = targets.get(node)
    if not accumulate:
        if target is not None:
            captured[node] = _as_result(g, tape, node)
        return
    if isinstance(node, AccumulateGrad):
        leaf = node.variable
        if leaf is not None and (not targets or target is not None):
            _accumulate(leaf, g, create_graph, tape, node, run)
        return
    retained = node.retain() if node.retain is not None else None
    if retained is not None and (not targets or target is retained):
        _accumulate(retained, g, create_graph, tape, node, run)
    elif target is not None:
        _accumulate(target, g, create_graph, tape, node, run)


def _as_result(g: Any, tape: Any, node: Any) -> Any:
    if tape is None:
        return g
    return _tensor_mod().Tensor._make(np.array(g), Lazy(tape, node))


def _accumulate(var: Any, g: Any, create_graph: bool, tape: Any, key: Any, run: Any) -> None:
    _accumulate_grad(var, g, create_graph, tape, key, run)
    if var._post_acc_hooks:
        post_accumulate(var)


def post_accumulate(var: Any) -> None:
    """Run ``var``'s post-accumulate-grad hooks (its ``.grad`` just stored)."""
    hooks = var._post_acc_hooks
    if hooks:
        state = grad_mode._state
        numeric = state.numeric
        state.numeric = False  # (a hook is user code, run inside the numeric pass: floats are numbers)
        try:
            for hook in list(hooks):
                returned = hook(var)
                if returned is None:
                    continue
                if not isinstance(returned, type(var)):  # PyTorch's errors: a non-tensor fails its type check first
                    raise TypeError(f"expected Variable, but hook returned '{type(returned).__name__}' (post "
                                    "accumulate grad hooks should return None)")
                raise RuntimeError("Tensor post accumulate grad hooks should return None.")
        finally:
            state.numeric = numeric


_copy: Any = None  # symgrad.ops.shape._copy, bound on first use (ops import the engine's package)


def _copy_op() -> Any:
    global _copy
    if _copy is None:
        from symgrad.ops.shape import _copy as copy

        _copy = copy
    return _copy


def _accumulate_grad(var: Any, g: Any, create_graph: bool, tape: Any, key: Any, run: Any) -> None:
    Tensor = (_tensor or _tensor_mod()).Tensor
    old = var._grad
    if tape is not None:  # array mode: the closed form is made later, if ever asked for
        term = _new(Lazy)  # (Lazy(tape, key) without its __init__ call: one per gradient delivered)
        term._sym = term._resolved = None
        term._source = tape
        term._key = key
        if old is None:
            s = var._scalar
            if s is not None and s.__class__ is g.__class__:
                var._grad = Tensor._make(g, term)  # (the scalar lane's: a float for a leaf of a float)
            else:
                # a copy: the same array may also be another input's gradient
                var._grad = Tensor._make(np.array(g, dtype=var._value.dtype), term)
            var._accum = 1
            origin.record(var._grad, var, run)
            return
        if g.__class__ is float and (var._scalar.__class__ is float or var._value.dtype is _F64):
            g = Tensor._make(g, term)  # (a number of the scalar lane: add_ writes it without arrays)
        else:
            g = Tensor._make(_cast(g, var._value.dtype), term)
    if old is None:
        if create_graph:
            var._grad = (_copy or _copy_op())(g)
        else:
            var._grad = Tensor._make(g._value.astype(var._value.dtype, copy=True), _term(g))
        var._accum = 1
        origin.record(var._grad, var, run)
        return
    before = origin.snapshot(old)
    if create_graph:
        var._grad = old + g
        origin.record(var._grad, var, run, before)
        return
    old.add_(g)  # (not recorded: the pass runs with grad mode off unless create_graph, handled above)
    var._accum += 1
    if var._accum > MAX_ACCUMULATED_CLOSED_FORMS and old._base is None:
        old._content = _DROPPED
    origin.record(old, var, run, before)


_DROPPED = Unavailable(
    f"The closed form of this gradient was not kept: more than {MAX_ACCUMULATED_CLOSED_FORMS} backward "
    "passes were accumulated into it without clearing it. Clear gradients between passes "
    "(x.grad = None, or optimizer.zero_grad()) to keep closed forms; the numbers are unaffected.")


def _free(node: Any) -> None:
    if node.versions is not None or node.out_value is not None:
        node.saved = FREED
        node.out_value = None


# ---------------------------------------------------------------- one node

def _node_grads(node: Node, g: Any, saved: Any, out_value: Any, tensor_mode: bool, needed: Any,
                live: bool) -> list[tuple[Any, Any]]:
    """(edge, gradient) for each input of ``node`` that needs one."""
    if saved is FREED:
        raise _freed_error()
    if live:
        _check_versions(node, saved)
    inputs, out = _rule_args(node, saved, out_value, tensor_mode, live)
    return _rule_grads(node, g, inputs, out, _fit if tensor_mode else _fit_array, needed)


def _rule_grads(node: Node, g: Any, inputs: list[Any], out: Any, fit: Any, needed: Any) -> list[tuple[Any, Any]]:
    """(edge, gradient) for each input of ``node`` that needs one: its rules
    run on ``inputs`` and ``out`` (arrays or tensors), fitted by ``fit``."""
    op = node.op
    edges = node.edges
    want = [e is not None and (needed is None or e in needed) for e in edges]
    params = node.params
    vjp = op.vjp
    results: list[tuple[Any, Any]] = []
    meta = node.meta
    check_nan = anomaly_mode.enabled and anomaly_mode.nan_check
    if isinstance(vjp, tuple):
        for i, rule in enumerate(vjp):
            if want[i] and rule is not None:
                gi = rule(g, out, *inputs, **params)
                if gi is not None:
                    if check_nan:
                        anomaly_mode.check_nan(node, i, gi)
                    results.append((edges[i], gi if meta is None else fit(gi, meta[i])))
        return results
    grads = vjp(g, out, inputs, **params) if op.variadic else vjp(g, out, *inputs, **params)
    if not isinstance(grads, (tuple, list)):
        grads = (grads,)
    for i, gi in enumerate(grads):
        if want[i] and gi is not None:
            if check_nan:
                anomaly_mode.check_nan(node, i, gi)
            results.append((edges[i], gi if meta is None else fit(gi, meta[i])))
    return results


def _rule_args(node: Node, saved: Any, out_value: Any, tensor_mode: bool, live: bool) -> tuple[list[Any], Any]:
    Tensor = _tensor_mod().Tensor
    if not tensor_mode:
        return [s._value if isinstance(s, Tensor) else s for s in saved], out_value
    out = None
    if out_value is not None:
        out = Tensor._make(out_value, node)
        if live:
            out._grad_fn = node
            out._requires_grad = True
    if live:
        return list(saved), out
    # Replay for closed forms: the terms the inputs had when the op ran.
    inputs = [Tensor._make(s._value, term) if isinstance(s, Tensor) else s
              for s, term in zip(saved, node.saved_terms())]
    return inputs, out


def _fit(gi: Any, meta: Any) -> Any:
    """Sum a gradient (tensor) back to its input's shape and cast it to its dtype:
    the one place where broadcasting is undone."""
    shape, dtype = meta
    if tuple(gi.shape) != shape:
        gi = gi.sum_to_size(shape) if gi.ndim else gi.expand(shape)
    if gi._value.dtype != dtype:
        gi = gi.to(dtype)
    return gi


def _fit_array(gi: Any, meta: Any) -> Any:
    """``_fit`` for the numeric pass (NumPy arrays)."""
    if meta is None:
        return gi
    shape, dtype = meta
    if gi.__class__ is np.ndarray and gi.dtype is dtype and gi.shape == shape:
        return gi
    gi = np.asarray(gi)
    if gi.shape != shape:
        gi = sum_to_shape(gi, shape)
    if gi.dtype != dtype:
        gi = gi.astype(dtype)
    return gi



def sum_to_shape(a: np.ndarray, shape: Sequence[int]) -> np.ndarray:
    """Sum a broadcast array back to ``shape`` (NumPy's broadcasting, undone)."""
    shape = tuple(shape)
    if a.shape == shape:
        return a
    lead = a.ndim - len(shape)
    if lead < 0:
        return np.broadcast_to(a, shape)
    have = a.shape
    axes = list(range(lead))
    for i, s in enumerate(shape):
        if s == 1 and have[lead + i] != 1:
            axes.append(lead + i)
    if axes:  # np.add.reduce is what a.sum() runs, without NumPy's Python wrapper (measured)
        a = np.add.reduce(a, axis=tuple(axes), keepdims=True)
    return a.reshape(shape)


def _check_out(node: Node) -> None:
    ref, version = node.out_ref
    # (a custom Function's call node keeps (ref, version) per saved output: function._record)
    for r, v in ((ref, version),) if version is not None else ref:
        out = r()
        if out is not None and (out._vroot if out._vroot is not None else out)._ver != v:
            raise _version_error(node, out, v)


def _check_versions(node: Node, saved: Any) -> None:
    if node.out_ref is not None:
        _check_out(node)
    versions = node.versions
    if versions is None:
        return
    Tensor = (_tensor or _tensor_mod()).Tensor
    i = 0
    for s in saved:  # (not zip and isinstance: this runs for every node of a create_graph pass)
        if (s.__class__ is Tensor or isinstance(s, Tensor)) and (s._vroot if s._vroot is not None else s)._ver \
                != versions[i]:
            raise _version_error(node, s, versions[i])
        i += 1


def _add(buffer: dict[Any, Any], node: Any, g: Any) -> None:
    prev = buffer.get(node)
    buffer[node] = g if prev is None else prev + g


def _cast(a: Any, dtype: Any) -> np.ndarray:
    a = np.asarray(a)
    return a if a.dtype == dtype else a.astype(dtype)


def _term(t: Any) -> Term:
    return _tensor_mod()._term_or_const(t)


# ---------------------------------------------------------------- closed forms

class _Tape:
    """What an array-mode pass did, so its closed forms can be made later by
    running the same rules on tensors (``term(node)``)."""

    __slots__ = ("needed", "steps", "seeds", "_terms")

    def __init__(self, needed: Any) -> None:
        self.needed = needed
        self.steps: list[tuple[Any, Any, Any]] = []
        self.seeds: list[tuple[Any, Term, Any]] = []
        self._terms: dict[Any, Term] | None = None

    def term(self, node: Any) -> Term:
        if self._terms is None:
            self._terms = self._replay()
        return self._terms[node]

    def _replay(self) -> dict[Any, Term]:
        Tensor = _tensor_mod().Tensor
        buffer: dict[Any, Any] = {}
        for node, term, value in self.seeds:
            _add(buffer, node, Tensor._make(value, term))
        terms: dict[Any, Term] = {}
        make = Tensor._make
        with grad_mode.no_grad(), np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            for node, values, out_value in self.steps:
                g = buffer.pop(node, None)
                if g is None:
                    continue
                if g.__class__ is not GradSlots:  # (slots go to a call's node, never a tensor's: no term)
                    terms[node] = _term(g)
                if isinstance(node, AccumulateGrad):
                    continue
                # each saved tensor again, with the term its input had when the op ran
                inputs = [make(v, term) if v.__class__ is np.ndarray or (v.__class__ is float or v.__class__ is
                                                                        np.float32) and _lane_float(term)
                          else v for v, term in zip(values, node.saved_terms())]
                out = None if out_value is None else make(out_value, node)
                for edge, gi in _rule_grads(node, g, inputs, out, _fit, self.needed):
                    _add(buffer, edge, gi)
        self.steps = []  # the pass is no longer needed: let its values go
        return terms


__all__ = ["backward", "grad", "grad_with_terms", "sum_to_shape", "needs_graph"]
