"""``loss.backward(create_graph=True)``'s own pass (``symgrad.autograd.recording_pass``):
for a 0-d float output it must leave what the general engine's tensor pass
leaves (gradients with their graphs, closed forms, grad_fn names, origin
records, what a second derivative then gives, errors), and anything it does
not handle must go to the general engine before anything has changed."""

from __future__ import annotations

import numpy as np
import pytest

import symgrad as sg
from symgrad.autograd import engine, origin, recording_pass
from symgrad.ops import TABLE
from tests.short_passes import DOMAIN, LANE_OPS, leaves, on_general_engine, spy


@pytest.fixture
def taken(monkeypatch):
    """Which backward(create_graph=True) calls the pass ran (True), handed on (False) or raised in."""
    calls = spy(monkeypatch, recording_pass)
    engine._recording_pass_mod()  # (loaded, so the engine sees the spy)
    return calls


def _general(fn, monkeypatch):
    """``fn()`` with the pass refusing every graph: the general engine runs."""
    return on_general_engine(fn, monkeypatch, recording_pass)


_leaves = leaves


def _outcome(leaves):
    """What the gradients hold that a user can read: numbers, dtypes, closed
    forms, their graphs' node names, origin records."""
    out = []
    for x in leaves:
        g = x.grad
        record = origin.current(g)
        out.append((g.dtype, g.shape, np.asarray(g.detach()).tobytes(), str(g.expr), g.grad_fn.name(),
                    g.requires_grad, x._accum,
                    None if record is None else (record.passes, record.wrt() is x, record.run.seeded)))
    return out


@pytest.mark.parametrize("dtype", [sg.float64, sg.float32])
@pytest.mark.parametrize("name", LANE_OPS)
def test_each_lane_op_and_its_second_derivative_give_what_the_general_engine_gives(name, dtype, monkeypatch,
                                                                                    taken):
    op = TABLE[name]
    x0 = 0.4 + DOMAIN.get(name, 0.0)

    def run():
        xs = _leaves(dtype, *[x0 + 0.1 * i for i in range(len(op.inputs))])
        out = sg.dispatch.apply(op, *xs)
        (out * out + xs[0]).backward(create_graph=True)
        first = _outcome(xs)
        xs[0].grad.backward()  # differentiated again, through the graph the pass recorded
        return first, _outcome(xs)

    got = run()
    want = _general(run, monkeypatch)
    assert taken == [True]
    assert got == want


def test_the_seeds_second_derivative(monkeypatch, taken):
    def run():
        x, y = sg.tensor(2., requires_grad=True, name="x"), sg.tensor(3., requires_grad=True, name="y")
        z = x * x * y
        z.backward(create_graph=True)
        first = (float(x.grad), str(x.grad.expr), x.grad.grad_fn.name(), float(y.grad), str(y.grad.expr))
        x.grad.data.zero_()
        x.grad.backward()
        return first, (float(x.grad), str(x.grad.expr), float(y.grad), str(y.grad.expr))

    got = run()
    assert taken == [True]
    assert got == ((12.0, "2*x*y", "CopyBackwards", 4.0, "x**2"), (6.0, "2*y", 8.0, "x**2 + 2*x"))
    assert got == _general(run, monkeypatch)


def test_accumulating_with_create_graph_adds_recorded_gradients(monkeypatch, taken):
    def run():
        x, y = _leaves(sg.float64, 0.7, -1.3)
        for _ in range(3):
            (x * y * y - x / y).backward(create_graph=True)
        return _outcome([x, y])

    got = run()
    assert taken == [True, True, True]
    assert got[0][4] == "AddBackward0" and got[0][6] == 1
    assert got == _general(run, monkeypatch)


def test_without_retain_graph_the_graph_is_freed(taken):
    x = sg.tensor(0.3, requires_grad=True)
    z = sg.exp(x) * x
    z.backward(create_graph=True, retain_graph=False)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        z.backward(create_graph=True)
    assert taken == [True, "raised"]


def test_a_saved_input_changed_in_place_is_the_general_engines_error(monkeypatch):
    def run():
        x = sg.tensor(0.3, requires_grad=True)
        h = x * 2.0
        z = h * h
        with sg.no_grad():
            h.add_(1.0)
        with pytest.raises(RuntimeError) as info:
            z.backward(create_graph=True)
        return str(info.value)

    assert "modified by an inplace operation" in run()
    assert run() == _general(run, monkeypatch)


def test_hooks_and_anomaly_detection_go_to_the_general_engine(taken):
    x = sg.tensor(0.8, requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(float(g)))
    (x * x).backward(create_graph=True)
    with sg.autograd.detect_anomaly():
        (x * 3.0).backward(create_graph=True)
    assert taken == [False, False] and seen == [1.6, 3.0]


def test_retain_grad_and_post_accumulate_hooks_are_delivered(monkeypatch, taken):
    def run():
        x = sg.tensor(0.8, requires_grad=True, name="x")
        seen = []
        x.register_post_accumulate_grad_hook(lambda t: seen.append(str(t.grad.expr)))
        h = sg.sin(x) * x
        h.retain_grad()
        (h * 3.0 + sg.exp(h)).backward(create_graph=True)
        return _outcome([x]), str(h.grad.expr), h.grad.grad_fn.name(), seen

    got = run()
    assert taken == [True]
    assert got == _general(run, monkeypatch)


def test_an_array_root_is_the_passs_and_a_view_the_general_engines(taken):
    x = sg.tensor(2.0, requires_grad=True)
    z = x * x
    assert z.data._base is z and z._scalar is None  # (its array is made: a 0-d array root, still this pass's)
    z.backward(create_graph=True)
    v = sg.tensor([1.0, 2.0], requires_grad=True)
    (v * v).sum().backward(create_graph=True)  # (a 0-d array root over array nodes)
    w = (v * v)[0]
    w.backward(create_graph=True)  # a view: the general engine
    assert taken == [True, True, False]
    assert v.grad.tolist() == [4.0, 4.0]


def test_a_custom_function_in_the_graph(monkeypatch, taken):
    class Cube(sg.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a ** 3

        @staticmethod
        def backward(ctx, g):
            (a,) = ctx.saved_tensors
            return 3 * a * a * g

    def run():
        x = sg.tensor(0.5, requires_grad=True, name="x")
        (Cube.apply(x) * x).backward(create_graph=True)
        first = _outcome([x])
        x.grad.backward()
        return first, _outcome([x])

    got = run()
    assert taken == [True]
    assert got == _general(run, monkeypatch)


def test_grad_mode_is_restored_after_an_error():
    x = sg.tensor(0.3, requires_grad=True)
    z = x * x
    z.backward(create_graph=True, retain_graph=False)
    with sg.no_grad():
        with pytest.raises(RuntimeError, match="a second time"):
            z.backward(create_graph=True)
        assert not sg.is_grad_enabled()
    assert sg.is_grad_enabled()


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_against_pytorch():
    torch = pytest.importorskip("torch")
    for lib in (sg, torch):
        x = lib.tensor(0.7, dtype=lib.float64, requires_grad=True)
        y = lib.tensor(-1.2, dtype=lib.float64, requires_grad=True)
        z = lib.exp(x * y) / (x * x + 1.0) + lib.sin(y) * x
        z.backward(create_graph=True)
        gx, gy = x.grad, y.grad
        values = [gx.item(), gy.item()]
        gx.backward()
        values += [x.grad.item(), y.grad.item()]
        if lib is sg:
            mine = values
    np.testing.assert_allclose(mine, values, rtol=1e-13)
