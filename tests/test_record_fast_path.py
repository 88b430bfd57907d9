"""An elementwise op on one or two plain floating tensors of one shape, with
something requiring grad, is recorded by ``dispatch._record_elementwise``
rather than by the general path of ``apply``.  Everything it records must be
what the general path records: the result, the node's terms, edges, saved
tensors, versions, shapes, saved result and its reference.  Each case is
recorded both ways from the same inputs and the two records are compared;
cases the fast path must leave alone are checked to fall through."""

from __future__ import annotations

import numpy as np
import pytest

import symgrad as sg
from symgrad import dispatch
from symgrad.ops import TABLE

FAST_OPS = sorted(name for name, op in TABLE.items() if op.fast)
PARAMS = {"clamp": {"lo": 0.3, "hi": 0.6}, "softplus": {"beta": 1.0, "threshold": 20.0}, "polygamma": {"n": 2},
          "gelu": {"approximate": "tanh"}}
SHIFT = {"acosh": 1.0}  # inputs in the op's domain: the values are compared too


def _general(op, args, params, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(dispatch, "_record_elementwise", lambda *a: None)
        m.setattr(dispatch, "record_scalar", lambda *a: None)  # (the scalar lane: tests/test_scalar_lane.py)
        return dispatch.apply(op, *args, **params)


def _record(out, args):
    """The record of ``out``, with objects named by their place among the arguments."""
    node = out._grad_fn

    def name(obj):
        if obj is None:
            return None
        for i, a in enumerate(args):
            if obj is a:
                return f"arg{i}"
            if obj is a._content:
                return f"term{i}"
            if obj is a._grad_acc:
                return f"acc{i}"
        return repr(obj)

    saved = node.saved
    return {
        "class": type(node), "op": node.op, "params": node.params,
        "args": [name(t) for t in node.args],
        "edges": [name(e) for e in node.edges], "edges are args": node.edges is node.args,
        "saved": name(saved) if not isinstance(saved, tuple) else [name(s) for s in saved],
        "versions": node.versions, "meta": node.meta,
        "out_value": None if node.out_value is None else node.out_value is out._value,
        "out_ref": None if node.out_ref is None else (node.out_ref[0]() is out, node.out_ref[1]),
        "pre_hooks": node.pre_hooks, "retain": node.retain, "sym": node._sym,
        "value": (out._value.tolist(), out._value.dtype, type(out._value)),
        "content is node": out._content is node, "requires_grad": out._requires_grad,
    }


def _inputs(n, dtype, shape, which_grad, bumped, shift=0.0):
    base = np.linspace(0.35, 0.55, int(np.prod(shape, dtype=int)) or 1).reshape(shape) + shift
    leaves = [sg.tensor(base + 0.05 * i, dtype=dtype, requires_grad=i in which_grad, name=f"v{i}")
              for i in range(n)]
    if not bumped:
        return leaves
    # results of ops (edges are their nodes), one of them changed in place (version 1)
    made = [t * 1.0 for t in leaves]
    made[0].mul_(1.0)
    return made


def _cases():
    for name in FAST_OPS:
        n = len(TABLE[name].inputs)
        if n > 2:
            continue  # (test_ops_of_three_inputs_are_left_to_the_general_path)
        grads = [((0, 1), False), ((0,), False), ((1,), False), ((0, 1), True)] if n == 2 else \
            [((0,), False), ((0,), True)]
        for dtype in (sg.float64, sg.float32):
            for shape in ((), (3,)):
                for which_grad, bumped in grads:
                    yield name, dtype, shape, which_grad, bumped


@pytest.mark.parametrize("name, dtype, shape, which_grad, bumped", list(_cases()))
def test_fast_record_is_the_general_record(name, dtype, shape, which_grad, bumped, monkeypatch):
    op = TABLE[name]
    n = len(op.inputs)
    args = _inputs(n, dtype, shape, which_grad, bumped, SHIFT.get(name, 0.0))
    params = PARAMS.get(name, {})
    fast = dispatch._record_elementwise(op, tuple(args), params)
    assert fast is not None, "the fast path must take plain floating tensors of one shape"
    general = _general(op, args, params, monkeypatch)
    assert _record(fast, args) == _record(general, args)


def test_ops_of_three_inputs_are_left_to_the_general_path():
    c, x, y = sg.tensor(True), sg.tensor(0.5, requires_grad=True), sg.tensor(0.25, requires_grad=True)
    assert dispatch._record_elementwise(TABLE["where"], (c, x, y), {}) is None
    assert float(sg.where(c, x, y)) == 0.5


@pytest.mark.parametrize("case, make", [
    ("no input requires grad", lambda: (sg.tensor(0.5), sg.tensor(0.25))),
    ("a Python number", lambda: (sg.tensor(0.5, requires_grad=True), 2.0)),
    ("shapes differ (broadcasting)", lambda: (sg.tensor([0.5, 0.7], requires_grad=True), sg.tensor(0.25))),
    ("dtypes differ", lambda: (sg.tensor(0.5, requires_grad=True), sg.tensor(0.25, dtype=sg.float32))),
    ("a view", lambda: (sg.tensor([0.5, 0.7], requires_grad=True)[0], sg.tensor(0.25, requires_grad=True))),
    ("a Parameter (a subclass)", lambda: (sg.nn.Parameter(sg.tensor(0.5)), sg.tensor(0.25))),
])
def test_what_the_fast_path_leaves_to_the_general_path(case, make, monkeypatch):
    args = make()
    assert dispatch._record_elementwise(TABLE["mul"], args, {}) is None
    assert (args[0] * args[1]).tolist() == _general(TABLE["mul"], args, {}, monkeypatch).tolist()


def test_a_constant_without_a_term_gets_the_const_the_general_path_gives_it(monkeypatch):
    x = sg.tensor([0.5, 0.7], requires_grad=True)
    fast_c, general_c = sg.tensor([2.0, 3.0]) + 0, sg.tensor([2.0, 3.0]) + 0
    assert fast_c._content is None and general_c._content is None  # (what the case is about)
    fast = dispatch._record_elementwise(TABLE["mul"], (fast_c, x), {})
    general = _general(TABLE["mul"], (general_c, x), {}, monkeypatch)
    for c, out in ((fast_c, fast), (general_c, general)):
        assert type(c._content).__name__ == "Const" and out._grad_fn.args[0] is c._content
        assert c._content.value is c._value
    assert _record(fast, (fast_c, x)) == _record(general, (general_c, x))


def test_integer_tensors_are_left_to_the_general_path():
    x = sg.tensor(3)
    assert dispatch._record_elementwise(TABLE["neg"], (x,), {}) is None


def test_grad_mode_off_records_nothing():
    x = sg.tensor(0.5, requires_grad=True)
    with sg.no_grad():
        y = sg.sin(x)
    assert y.grad_fn is None and not y.requires_grad


def test_shape_errors_come_from_the_general_path():
    x, y = sg.tensor([1.0, 2.0], requires_grad=True), sg.tensor([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match="size"):
        x * y


def test_gradients_and_closed_forms_agree_with_the_general_path(monkeypatch):
    def program():
        x = sg.tensor(0.7, requires_grad=True, name="x")
        y = sg.tensor(1.3, requires_grad=True, name="y")
        z = sg.exp(sg.sin(x * y + x)) / y - sg.tanh(x) * x
        z.backward()
        return float(x.grad), float(y.grad), str(x.grad.expr), str(y.grad.expr)

    fast = program()
    monkeypatch.setattr(dispatch, "_record_elementwise", lambda *a: None)
    assert fast == program()
