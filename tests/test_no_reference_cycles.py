"""A backward pass without ``create_graph`` leaves no reference cycle: the
graph goes as soon as nothing holds it, by reference counting, as in
PyTorch, instead of waiting for Python's cyclic GC (a leaf's ``.grad`` holds
the pass's tape for its lazy closed form, and the tape once held the leaf).
With a large heap (torch or SymPy loaded) waiting for the GC cost more than
half the time of a long scalar chain, and kept every graph alive until then."""

from __future__ import annotations

import gc
import weakref

import pytest

import symgrad as sg


@pytest.fixture
def no_cyclic_gc():
    gc.disable()
    yield
    gc.enable()


def _garbage_cycles_left_by(program):
    """How many objects only the cyclic GC could free after ``program()``
    (run once before, so that first-use imports and caches are not counted)."""
    program()
    gc.collect()
    program()
    return gc.collect()


def _program():
    x = sg.tensor(2.0, requires_grad=True, name="x")
    y = sg.tensor(3.0, requires_grad=True, name="y")
    inner = x * x
    z = inner * y
    z.backward()
    return x, y, weakref.ref(inner), weakref.ref(z.grad_fn)


def test_backward_leaves_nothing_for_the_cyclic_gc(no_cyclic_gc):
    assert _garbage_cycles_left_by(_program) == 0


def test_the_graph_is_freed_by_reference_counting_and_closed_forms_survive_it(no_cyclic_gc):
    x, y, inner, node = _program()
    assert inner() is None  # an intermediate no rule saved: gone at once
    assert float(x.grad) == 12.0 and str(x.grad.expr) == "2*x*y"  # the gradients keep what their closed forms need
    assert str(y.grad.expr) == "x**2"
    assert node() is not None
    x.grad = y.grad = None
    assert node() is None  # and nothing else does: no collection needed


def test_accumulating_and_training_leave_nothing_for_the_cyclic_gc(no_cyclic_gc):
    def train():
        model = sg.nn.Linear(2, 1)
        optimizer = sg.optim.SGD(model.parameters(), lr=0.1)
        data = sg.tensor([[1.0, 2.0], [3.0, 4.0]])
        for _ in range(3):
            loss = model(data).pow(2).mean()
            loss.backward()  # accumulates: no zero_grad on purpose
            optimizer.step()
        assert model.weight.grad is not None

    assert _garbage_cycles_left_by(train) == 0


def _seed_second_derivative():
    """``02_second_derivative.py``: backward with create_graph, then backward of x.grad."""
    x = sg.tensor(2.0, requires_grad=True, name="x")
    y = sg.tensor(3.0, requires_grad=True, name="y")
    z = x * x * y
    z.backward(create_graph=True)
    x.grad.data.zero_()
    x.grad.backward()
    return x


def test_the_seeds_second_derivative_leaves_nothing_for_the_cyclic_gc(no_cyclic_gc):
    # The gradient's record holds its pass's output term; z's node, kept by create_graph,
    # saved x: the record holds a copy of the term without the saved tensors (origin.detached)
    assert _garbage_cycles_left_by(_seed_second_derivative) == 0
    x = _seed_second_derivative()
    assert float(x.grad) == 6.0 and str(x.grad.expr) == "2*y"


def test_retain_graph_leaves_nothing_for_the_cyclic_gc(no_cyclic_gc):
    def program():
        x = sg.tensor(2.0, requires_grad=True)
        z = x * x * 3
        z.backward(retain_graph=True)
        z.backward()

    assert _garbage_cycles_left_by(program) == 0


def test_the_record_keeps_a_formula_for_an_unnamed_output_of_a_kept_graph():
    from symgrad.display.labels import label_of

    x = sg.tensor(2.0, requires_grad=True, name="x")
    y = sg.tensor(3.0, requires_grad=True, name="y")
    (x * x * y).backward(create_graph=True)
    assert str(label_of(x.grad)) == str(label_of_plain(x, y))


def label_of_plain(x, y):
    """The label the same gradient gets from a pass that keeps no graph."""
    from symgrad.display.labels import label_of

    a = sg.tensor(2.0, requires_grad=True, name="x")
    b = sg.tensor(3.0, requires_grad=True, name="y")
    (a * a * b).backward()
    return label_of(a.grad)
