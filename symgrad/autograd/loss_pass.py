"""``loss.backward()``: one 0-d float output, no arguments, the short way.

The commonest call of all, ``loss.backward()`` with no ``gradient``,
``inputs`` or ``create_graph``, of a 0-d float64 or float32 result, runs
here, in one walk and one loop, without the general engine's set-up for
several outputs, seeds, targets and closures (its fixed costs per call were
most of a small graph's backward).  The scalar lane's nodes
(``symgrad.scalar_lane``: 0-d values kept as Python scalars) run their rules
on scalars, written out; any other node by the general pass's own step,
``engine.array_step``.  Everything a user can see is what the general pass
does: the same rules, the same tape (closed forms later), the same ``.grad``
tensors, ``retain_grad``, post-accumulate hooks, origin records, version
checks and errors; ``tests/test_loss_pass.py`` compares the two.

Hooks (they see tensors: the general engine's tensor pass) and anomaly
detection with nan checks make ``backward`` answer False before it has
changed anything, and the caller runs the general engine.

(Measured: the seed's first-derivative program, ``z = x*x*y``, took 14.6 µs
through the general engine and 9.6 µs here; its 100-epoch linear
regression 6.3 ms and 5.75 ms.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symgrad import grad_mode
from symgrad.autograd import anomaly_mode, origin
from symgrad.autograd.engine import (
    _F32_ONE,
    _accumulate,
    _accumulate_grad,
    _check_out,
    _freed_error,
    _loud,
    _quiet,
    _rule_on_numpy,
    _Tape,
    _topological,
    _unit_const,
    _version_error,
    array_step,
    post_accumulate,
    saved_inputs,
)
from symgrad.autograd.graph import FREED, AccumulateGrad

_NDARRAY = np.ndarray
_F64 = np.dtype(np.float64)
_F32 = np.dtype(np.float32)
_PLAIN = (float, int, type(None), np.float32)  # the scalars the lane's rules take as they are


def backward(root: Any, retain_graph: bool) -> bool:
    """``root.backward(retain_graph=retain_graph)`` for a 0-d float64 or
    float32 result, unless its graph has hooks or anomaly detection checks
    for nan; False (nothing done) then, or for another dtype or a view."""
    node = root._grad_fn
    if node is None or (anomaly_mode.enabled and anomaly_mode.nan_check):
        return False
    s = root._scalar
    if s is None:  # (not the lane's, or its array has been read: x.grad.data.zero_())
        if root._base is not None:
            return False  # (a view: the general engine brings its history up to date first)
        v = root._value
        if v.shape or (v.dtype is not _F64 and v.dtype is not _F32):
            return False
        one: Any = 1.0 if v.dtype is _F64 else _F32_ONE
    else:
        one = 1.0 if s.__class__ is float else _F32_ONE
    order, hooked = _topological([node])
    if hooked:
        return False  # (hooks see tensors: the general engine's tensor pass)
    Tensor = root.__class__
    tape = _Tape(None)
    tape.seeds.append((node, _unit_const(one), one))
    steps = tape.steps
    run = origin.start([root], False, retain_graph)
    buffer: dict[Any, Any] = {node: one}
    get = buffer.get
    pop = buffer.pop
    state = grad_mode._state
    enabled = state.enabled
    state.enabled = False
    state.numeric = True  # (floats given to ops are rules' operands: scalar_lane.on_float)
    # inf and nan flow silently, as in PyTorch: NumPy's warnings are off from the first
    # NumPy value on (rules on floats raise instead, and run again on NumPy: _rule_on_numpy)
    quiet: Any = None
    try:
        for node in order:
            g = pop(node, None)
            if g is None:
                continue
            if node.__class__ is AccumulateGrad:
                steps.append((node, None, None))
                leaf = node._variable()
                if leaf is not None:
                    if quiet is None and leaf._grad is not None:  # accumulating: NumPy adds (inf + -inf)
                        quiet = _quiet()
                    _accumulate_grad(leaf, g, False, tape, node, run)  # (_accumulate, a call less)
                    if leaf._post_acc_hooks:
                        post_accumulate(leaf)
                continue
            if node.retain is not None:  # retain_grad()
                retained = node.retain()
                if retained is not None:
                    if quiet is None and retained._grad is not None:
                        quiet = _quiet()
                    _accumulate(retained, g, False, tape, node, run)
            if node.op.scalar is None or node.meta is not None:  # not the lane's: the general steps
                if quiet is None:
                    quiet = _quiet()
                array_step(node, g, buffer, None, _delivered, False, retain_graph, steps, Tensor, False)
                continue
            out_value = node.out_value
            if quiet is None and (g.__class__ is not float or out_value.__class__ is _NDARRAY):
                quiet = _quiet()  # a NumPy value: a rule ran on NumPy, or a general-path node's 0-d result
            versions = node.versions
            inputs = node.saved
            if inputs is FREED:
                raise _freed_error()
            rule_inputs = None
            if versions is None:
                pass  # (nothing read: add, sub, neg)
            elif inputs.__class__ is Tensor and len(versions) == 1:  # a unary op's input (written out)
                if (inputs._vroot if inputs._vroot is not None else inputs)._ver != versions[0]:
                    raise _version_error(node, inputs, versions[0])
                v = inputs._scalar
                inputs = (v if v is not None else _scalar_of(inputs),)
            elif inputs.__class__ is tuple and len(inputs) == 2 and inputs[0].__class__ is Tensor \
                    and inputs[1].__class__ is Tensor:  # two tensors (the commonest: _inputs, written out)
                a, b = inputs
                if (a._vroot if a._vroot is not None else a)._ver != versions[0]:
                    raise _version_error(node, a, versions[0])
                if (b._vroot if b._vroot is not None else b)._ver != versions[1]:
                    raise _version_error(node, b, versions[1])
                va = a._scalar
                vb = b._scalar
                inputs = (va if va is not None else _scalar_of(a), vb if vb is not None else _scalar_of(b))
            else:
                inputs, rule_inputs = _inputs(node, versions, Tensor)
            if node.out_ref is not None:
                _check_out(node)
            steps.append((node, inputs, out_value))
            if rule_inputs is not None:  # (a number that is not a plain scalar: NumPy's may be among them)
                inputs = rule_inputs
                if quiet is None:
                    quiet = _quiet()
            two = len(inputs) == 2
            edges = node.edges
            i = 0
            for rule in node.op.vjp:
                edge = edges[i]
                i += 1
                if edge is None or rule is None:
                    continue
                try:
                    gi = rule(g, out_value, inputs[0], inputs[1]) if two else rule(g, out_value, inputs[0])
                except (ArithmeticError, ValueError):
                    gi = _rule_on_numpy(rule, g, out_value, inputs)  # floats raise where NumPy says inf/nan
                prev = get(edge)
                buffer[edge] = gi if prev is None else prev + gi
            if not retain_graph and (versions is not None or out_value is not None):
                node.saved = FREED
                node.out_value = None
    finally:
        if quiet is not None:
            _loud(quiet)
        state.enabled = enabled
        state.numeric = False
    return True


def _delivered(node: Any, g: Any) -> None:
    """``engine.array_step``'s delivery here: done before it runs (retain_grad)."""


def _inputs(node: Any, versions: tuple[int, ...], Tensor: Any) -> tuple[tuple[Any, ...], Any]:
    """What a node saved for its rules, as scalars where they are 0-d (its
    tensors' versions checked), and, apart, what the rules get when anything
    is not a plain scalar (else None): a float subclass (a number with an
    exact form, ``ops._sympy.Exact``, or a NumPy float64) is kept for the tape
    (its replay makes closed forms) and given to the rules as a plain float.
    Unrolled for one tensor and a number (measured)."""
    saved = node.saved
    if saved.__class__ is not tuple:
        saved = saved_inputs(node)
    if len(saved) == 2:  # (two tensors: the caller's loop, written out)
        a, b = saved
        if b is None and a.__class__ is Tensor:  # (one input read: a product by a constant)
            if (a._vroot if a._vroot is not None else a)._ver != versions[0]:
                raise _version_error(node, a, versions[0])
            va = a._scalar
            return (va if va is not None else _scalar_of(a), None), None
        if a is None and b.__class__ is Tensor:
            if (b._vroot if b._vroot is not None else b)._ver != versions[1]:
                raise _version_error(node, b, versions[1])
            vb = b._scalar
            return (None, vb if vb is not None else _scalar_of(b)), None
    values = tuple([_input(node, s, versions[i], Tensor) for i, s in enumerate(saved)])
    if all([v.__class__ in _PLAIN for v in values]):
        return values, None
    return values, tuple([float(v) if v.__class__ is not float and isinstance(v, float) else v for v in values])


def _input(node: Any, s: Any, version: int, Tensor: Any) -> Any:
    if isinstance(s, Tensor):
        if (s._vroot if s._vroot is not None else s)._ver != version:
            raise _version_error(node, s, version)
        v = s._scalar
        return v if v is not None else _scalar_of(s)
    return s


def _scalar_of(t: Any) -> Any:
    """A saved tensor's value for the rules: its float (or NumPy float32
    scalar), also for a 0-d array (scalar arithmetic is cheaper than 0-d NumPy's)."""
    v = t._value
    if v.shape:
        return v
    return v.item() if v.dtype is _F64 else v[()] if v.dtype is _F32 else v
