"""``loss.backward(create_graph=True)``: one 0-d float output, the short way.

The seed's second derivative (``z.backward(create_graph=True)``, then
``x.grad.backward()``) starts here: the rules run on tensors, recording the
graph of the gradients, as in the general engine's tensor pass
(``engine._flow_tensors``), but in one walk and one loop, without its set-up
for several outputs, seeds, targets and hooks.  Everything a user can see is
what the general pass does (the same rules on the same tensors, so the same
nodes and terms; ``.grad`` copies recorded as ``CopyBackwards``;
``retain_grad``, post-accumulate hooks, origin records, version checks and
errors); ``tests/test_recording_pass.py`` compares the two.

Hooks on the graph and anomaly detection make ``backward`` answer False
before it has changed anything, and the caller runs the general engine.

Written flat, as ``loss_pass`` is: calling ``_flow_tensors`` with a
delivery function instead cost 1.5% of the seed's second-derivative
program (measured in instructions), which is the margin of its benchmark.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symgrad import grad_mode
from symgrad.autograd import anomaly_mode, origin
from symgrad.autograd.engine import (
    _F32_ONE,
    _accumulate,
    _add,
    _check_versions,
    _copy_op,
    _fit,
    _free,
    _freed_error,
    _loud,
    _node_grads,
    _quiet,
    _topological,
    _version_error,
    saved_inputs,
)
from symgrad.autograd.graph import FREED, AccumulateGrad

_F64 = np.dtype(np.float64)
_F32 = np.dtype(np.float32)


def backward(root: Any, retain_graph: bool) -> bool:
    """``root.backward(create_graph=True, retain_graph=retain_graph)`` for a
    0-d float64 or float32 result, unless its graph has hooks or anomaly
    detection is on; False (nothing done) then, or for another dtype or a view."""
    node = root._grad_fn
    if node is None or anomaly_mode.enabled:
        return False
    Tensor = root.__class__
    s = root._scalar
    if s is None:
        if root._base is not None:
            return False  # (a view: the general engine brings its history up to date first)
        v = root._value
        if v.shape or (v.dtype is not _F64 and v.dtype is not _F32):
            return False
        seed = Tensor._make(np.array(1, v.dtype))
    else:
        seed = Tensor._make(1.0 if s.__class__ is float else _F32_ONE)
    order, hooked = _topological([node])
    if hooked:
        return False  # (hooks: the general engine's pre-hook calls)
    run = origin.start([root], False, retain_graph)
    copy = _copy_op()
    buffer: dict[Any, Any] = {node: seed}
    pop = buffer.pop
    state = grad_mode._state
    enabled = state.enabled
    state.enabled = True
    quiet = _quiet()  # inf and nan flow silently, as in PyTorch (a rule's op may run on NumPy)
    try:
        for node in order:
            g = pop(node, None)
            if g is None:
                continue
            if node.__class__ is AccumulateGrad:
                leaf = node._variable()
                if leaf is None:
                    continue
                if leaf._grad is None and not leaf._post_acc_hooks:  # (the usual: engine._accumulate, written out)
                    grad = leaf._grad = copy(g)  # (recorded: CopyBackwards, as PyTorch's)
                    leaf._accum = 1
                    origin.record(grad, leaf, run)
                else:
                    _accumulate(leaf, g, True, None, node, run)
                continue
            if node.retain is not None:  # retain_grad()
                retained = node.retain()
                if retained is not None:
                    _accumulate(retained, g, True, None, node, run)
            saved = node.saved
            if saved.__class__ is not tuple:
                saved = saved_inputs(node)
            vjp = node.op.vjp
            if vjp.__class__ is tuple:
                if saved is FREED:
                    raise _freed_error()
                versions = node.versions
                if versions is not None:
                    if len(saved) == 2 and node.out_ref is None:  # (_check_versions, written out for two)
                        a, b = saved
                        if isinstance(a, Tensor) and (a._vroot if a._vroot is not None else a)._ver != versions[0]:
                            raise _version_error(node, a, versions[0])
                        if isinstance(b, Tensor) and (b._vroot if b._vroot is not None else b)._ver != versions[1]:
                            raise _version_error(node, b, versions[1])
                    else:
                        _check_versions(node, saved)
                elif node.out_ref is not None:
                    _check_versions(node, saved)
                out = None
                out_value = node.out_value
                if out_value is not None:
                    out = Tensor._make(out_value, node)
                    out._grad_fn = node
                    out._requires_grad = True
                edges, meta, params = node.edges, node.meta, node.params  # (_run_rules, written out)
                i = 0
                for rule in vjp:
                    edge = edges[i]
                    if edge is not None and rule is not None:
                        gi = rule(g, out, *saved, **params) if params else rule(g, out, *saved)
                        if gi is not None:
                            if meta is not None:
                                gi = _fit(gi, meta[i])
                            prev = buffer.get(edge)
                            buffer[edge] = gi if prev is None else prev + gi
                    i += 1
            else:
                for edge, gi in _node_grads(node, g, saved, node.out_value, True, None, live=True):
                    _add(buffer, edge, gi)
            if not retain_graph:
                _free(node)
    finally:
        _loud(quiet)
        state.enabled = enabled
    return True
