"""The engine's record of where a ``.grad`` came from (``autograd.origin``),
which ``symgrad.show`` turns into labels such as ``∂z/∂x``."""

from __future__ import annotations

import gc

import symgrad
import symgrad as sg
from symgrad.autograd import origin
from symgrad.symbolic import evaluate
from symgrad.symbolic.terms import Apply


def _leaves():
    return symgrad.tensor(2., requires_grad=True), symgrad.tensor(3., requires_grad=True)


def test_backward_records_output_and_variable():
    x, y = _leaves()
    z = x * x * y
    z.backward()
    o = origin.current(x.grad)
    assert o is not None
    assert o.wrt() is x
    assert [r() for r in o.run.outputs] == [z]
    assert not o.run.seeded and o.before is None and o.passes == 1


def test_record_goes_stale_when_the_gradient_changes():
    x, y = _leaves()
    (x * y).backward()
    x.grad.zero_()
    assert origin.current(x.grad) is None


def test_explicit_seed_is_marked():
    x, _ = _leaves()
    (x * 2).backward(gradient=symgrad.tensor(5.))
    assert origin.current(x.grad).run.seeded


def test_accumulation_keeps_what_was_there_before():
    x, y = _leaves()
    (x * y).backward()
    first = origin.current(x.grad)
    (x * x).backward()
    o = origin.current(x.grad)
    assert o.passes == 2
    assert o.before[1] is first


def test_second_derivative_knows_the_first():
    x, y = _leaves()
    z = x * x * y
    z.backward(create_graph=True)
    first = origin.current(x.grad)
    x.grad.data.zero_()
    x.grad.backward()
    o = origin.current(x.grad)
    assert o.run.output_origins == (first,)
    assert x.grad.expr == 2 * y.expr


def test_records_do_not_keep_outputs_alive():
    x, y = _leaves()
    z = x * y
    z.backward()
    o = origin.current(x.grad)
    del z
    gc.collect()
    assert o.run.outputs[0]() is None


def test_long_accumulation_drops_the_label_not_the_numbers():
    x, _ = _leaves()
    for _ in range(origin.MAX_LABELLED_PASSES + 1):
        (x * 1.).backward()
    assert origin.current(x.grad) is None
    assert x.grad.item() == origin.MAX_LABELLED_PASSES + 1


def test_a_kept_graphs_output_term_is_held_without_its_saved_tensors():
    x = sg.tensor(2.0, requires_grad=True, name="x")
    y = sg.tensor(3.0, requires_grad=True, name="y")
    z = x * x * y
    z.backward(create_graph=True)
    held = origin.current(x.grad).run.output_terms[0]
    assert held is not z.grad_fn and type(held) is Apply  # a copy: no node, so no saved tensor
    assert str(evaluate.expr(held)) == str(z.expr) == "x**2*y"


def test_detached_copies_each_node_once_and_keeps_plain_terms():
    x = sg.tensor(2.0, requires_grad=True, name="x")
    a = x * x
    z = a * a + a
    copy = origin.detached(z.grad_fn)
    assert str(evaluate.expr(copy)) == str(z.expr)
    mul = copy.args[0]
    assert type(mul) is Apply and mul.args[0] is mul.args[1] is copy.args[1]  # a, read three times: one copy
    with sg.no_grad():
        plain = (x * 2)._content
    assert origin.detached(plain) is plain


def test_detached_keeps_a_term_past_its_budget_as_it_is():
    x = sg.tensor(0.5, requires_grad=True)
    t = x
    for _ in range(origin.DETACHED_NODES + 1):
        t = t.sin()
    assert origin.detached(t.grad_fn) is t.grad_fn
    short = x.sin().sin()
    assert origin.detached(short.grad_fn) is not short.grad_fn
