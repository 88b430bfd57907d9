"""The engine's record of where a ``.grad`` came from (``autograd.origin``),
which ``symgrad.show`` turns into labels such as ``∂z/∂x``."""

from __future__ import annotations

import gc

import symgrad
from symgrad.autograd import origin


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
