"""``loss.backward()``'s own pass (``symgrad.autograd.loss_pass``): for a 0-d
float output, of the scalar lane's nodes, of array ops or both, it must
leave exactly what the general engine leaves (numbers to the bit where the
same arithmetic runs, dtypes, closed forms, origin records, errors), and
anything it does not handle must go to the general engine before anything
has changed."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symgrad as sg
from symgrad.autograd import engine, loss_pass, origin
from symgrad.ops import TABLE
from tests.short_passes import DOMAIN, LANE_OPS, leaves, on_general_engine, spy


@pytest.fixture
def taken(monkeypatch):
    """Which backward() calls the loss pass ran (True), handed on (False) or raised in."""
    calls = spy(monkeypatch, loss_pass)
    engine._loss_pass_mod()  # (loaded, so the engine sees the spy)
    return calls


def _general(fn, monkeypatch):
    """``fn()`` with the pass refusing every graph: the general engine runs."""
    return on_general_engine(fn, monkeypatch, loss_pass)


_leaves = leaves


def _outcome(leaves):
    """Everything backward() left on the leaves that a user can read, but
    the numbers (``_numbers``: the lane's ``math`` functions and NumPy's may
    differ in the last bit)."""
    out = []
    for x in leaves:
        g = x.grad
        record = origin.current(g)
        out.append((g.dtype, g.shape, str(g.expr), g.grad_fn, g.requires_grad, x._accum,
                    None if record is None else (record.passes, record.wrt() is x, record.run.seeded)))
    return out


def _numbers(leaves):
    return np.concatenate([np.asarray(x.grad.numpy(), dtype=np.float64).ravel() for x in leaves])


def _same_numbers(got, want, dtype):
    ulp = np.finfo(np.float32 if dtype == sg.float32 else np.float64).eps
    return np.allclose(got, want, rtol=8 * ulp, atol=0, equal_nan=True)


@pytest.mark.parametrize("dtype", [sg.float64, sg.float32])
@pytest.mark.parametrize("name", LANE_OPS)
def test_each_lane_op_gives_what_the_general_engine_gives(name, dtype, monkeypatch, taken):
    op = TABLE[name]
    x0 = 0.4 + DOMAIN.get(name, 0.0)

    def run():
        xs = _leaves(dtype, *[x0 + 0.1 * i for i in range(len(op.inputs))])
        out = sg.dispatch.apply(op, *xs)
        (out * out + xs[0]).backward()
        return _outcome(xs), _numbers(xs)

    got = run()
    want = _general(run, monkeypatch)
    assert taken == [True]
    assert got[0] == want[0]
    assert _same_numbers(got[1], want[1], dtype), (got[1], want[1])


def test_a_chain_with_shared_nodes_gives_what_the_general_engine_gives(monkeypatch, taken):
    def run():
        a, b, c = _leaves(sg.float64, 0.5, 0.9, 0.1)
        y = a
        for _ in range(2):
            h = y * b + c
            y = sg.exp(sg.sin(h)) / (1.5 - sg.tanh(h)) - 0.25 * y + h * h
        y.backward()
        return _outcome([a, b, c]), _numbers([a, b, c])

    got = run()
    want = _general(run, monkeypatch)
    assert taken == [True]
    assert got[0] == want[0]
    assert _same_numbers(got[1], want[1], sg.float64)


def test_the_seed_first_and_second_derivatives(taken):
    x, y = sg.tensor(2., requires_grad=True), sg.tensor(3., requires_grad=True)
    z = x * x * y
    z.backward(create_graph=True)  # (create_graph: recording_pass)
    assert (float(x.grad), str(x.grad.expr)) == (12.0, "2*x*y")
    x.grad.data.zero_()
    x.grad.backward()  # a graph of lane nodes, accumulating into existing grads
    assert taken == [True]
    assert (float(x.grad), str(x.grad.expr)) == (6.0, "2*y")
    x2, y2 = sg.tensor(2., requires_grad=True), sg.tensor(3., requires_grad=True)
    (x2 * x2 * y2).backward()
    assert taken == [True, True]
    assert x2.grad._scalar == 12.0  # (a float, its array made when first read)
    assert (float(x2.grad), str(x2.grad.expr), float(y2.grad), str(y2.grad.expr)) == (12.0, "2*x2*y2", 4.0, "x2**2")
    assert x2.grad.grad_fn is None and not x2.grad.requires_grad
    record = origin.current(x2.grad)
    assert record.wrt() is x2 and record.passes == 1 and not record.run.seeded


def test_accumulating_over_passes_gives_what_the_general_engine_gives(monkeypatch, taken):
    def run():
        x, y = _leaves(sg.float64, 0.7, -1.3)
        for _ in range(3):
            (x * y * y - x / y).backward()
        return _outcome([x, y]), _numbers([x, y]).tobytes()

    got = run()
    assert taken == [True, True, True]
    assert got == _general(run, monkeypatch)  # (+ - * / only: to the bit)


def test_retain_graph_lets_a_second_pass_run_and_its_absence_frees(taken):
    x = sg.tensor(0.3, requires_grad=True)
    z = sg.exp(x) * x
    z.backward(retain_graph=True)
    z.backward()
    assert float(x.grad) == pytest.approx(2 * (math.exp(0.3) * 1.3))
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        z.backward()
    assert taken == [True, True, "raised"]


def test_a_saved_input_changed_in_place_is_the_general_engines_error(monkeypatch):
    def run():
        x = sg.tensor(0.3, requires_grad=True)
        h = x * 2.0
        z = h * h
        h.mul_(3.0)
        with pytest.raises(RuntimeError) as info:
            z.backward()
        return str(info.value), x.grad

    got = run()
    assert "modified by an inplace operation" in got[0] and got[1] is None
    assert got[0] == _general(run, monkeypatch)[0]


def test_a_saved_result_changed_in_place_is_an_error():
    x = sg.tensor(0.3, requires_grad=True)
    z = sg.exp(x)
    z.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()


def _with_hook(x, h):
    x.register_hook(lambda g: g * 2)


def _with_node_hook(x, h):
    h.register_hook(lambda g: g * 3)


def _with_anomaly(x, h):
    sg.autograd.set_detect_anomaly(True)


def _with_post_hook(x, h):
    x.register_post_accumulate_grad_hook(lambda t: seen.append(float(t.grad)))


def _with_retain(x, h):
    h.retain_grad()


def _with_retained_leaf_grad(x, h):
    h.retain_grad()
    x.grad = sg.tensor(1.0)


seen: list[float] = []


def _run_with(setup):
    seen.clear()
    x = sg.tensor(0.8, requires_grad=True)
    h = sg.sin(x) * x
    z = h * 3.0 + sg.exp(h)
    setup(x, h)
    try:
        z.backward()
    finally:
        sg.autograd.set_detect_anomaly(False)
    return _outcome([x]), _numbers([x]).tobytes(), float(h.grad) if h.retains_grad else None, list(seen)


@pytest.mark.parametrize(("setup", "on_loss_pass"), [
    (_with_hook, False), (_with_node_hook, False), (_with_anomaly, False),
    (_with_post_hook, True), (_with_retain, True), (_with_retained_leaf_grad, True),
], ids=["a leaf's hook", "a hook on a result", "anomaly detection", "a post-accumulate hook", "retain_grad",
        "retain_grad and an existing grad"])
def test_hooks_retain_grad_and_anomaly_end_as_on_the_general_engine(setup, on_loss_pass, monkeypatch, taken):
    """Hooks that see tensors and anomaly checks go to the general engine
    (False, nothing done); retained gradients and post-accumulate hooks are
    delivered by the loss pass, as the general engine delivers them."""
    got = _run_with(setup)
    assert taken == [on_loss_pass]
    assert got == _general(lambda: _run_with(setup), monkeypatch)
    if on_loss_pass:
        assert got[2] is not None or got[3]  # (the retained gradient, or what the hook saw)


def test_a_lane_result_over_array_ops_gives_what_the_general_engine_gives(monkeypatch, taken):
    """Lane nodes over an array graph (a loss of vectors, then scalar
    arithmetic): the loss pass runs the array nodes by the general pass's
    own step, the general engine runs the lane nodes' rules on NumPy."""
    def run():
        w = sg.tensor([0.5, -1.5, 2.0], requires_grad=True, name="w")
        b = sg.tensor(0.25, requires_grad=True, name="b")
        loss = (w * w).sum()
        total = (loss * 0.1) * b + b / (loss - b)  # (lane nodes on the 0-d sum)
        total.backward()
        return _outcome([w, b]), _numbers([w, b]).tobytes()

    got = run()
    assert taken == [True]
    assert got == _general(run, monkeypatch)


def test_array_ops_between_lane_nodes(monkeypatch, taken):
    """A lane node's gradient through a vector op and back to lane nodes: 0-d
    arrays and floats meet in the rules (float32 and float64 alike)."""
    def run(dtype):
        a = sg.tensor(0.7, dtype=dtype, requires_grad=True, name="a")
        v = sg.stack([a * a, a / 3.0])  # (lane nodes below a vector op)
        out = (v * v).sum() * a - a
        out.backward()
        return _outcome([a]), _numbers([a])

    for dtype in (sg.float64, sg.float32):
        got = run(dtype)
        want = _general(lambda d=dtype: run(d), monkeypatch)
        assert got[0] == want[0]
        assert _same_numbers(got[1], want[1], dtype)
    assert taken == [True, True]


def test_a_custom_function_in_a_lane_graph(monkeypatch, taken):
    class Cube(sg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x * x

    def run():
        x = sg.tensor(1.5, requires_grad=True, name="x")
        (Cube.apply(x * 2.0) * x).backward()
        return _numbers([x]).tobytes()

    got = run()
    assert taken == [True]
    assert got == _general(run, monkeypatch)
    assert float(np.frombuffer(got)[0]) == pytest.approx(4 * 1.5 ** 3 * 8)


def test_a_number_with_an_exact_form_keeps_it_in_the_closed_form(monkeypatch, taken):
    def run():
        x = sg.tensor(0.5, requires_grad=True, name="x")
        z = sg.deg2rad(x) * x  # (deg2rad multiplies by an exact pi/180)
        z.backward()
        return _outcome([x]), _numbers([x]).tobytes()

    got = run()
    assert "pi" in got[0][0][2]
    assert got == _general(run, monkeypatch)


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("dtype", [sg.float64, sg.float32])
def test_inf_and_nan_in_gradients_are_silent_and_the_general_engines(dtype, monkeypatch):
    def run():
        x = sg.tensor(0.0, dtype=dtype, requires_grad=True)
        y = sg.tensor(2.0, dtype=dtype, requires_grad=True)
        z = sg.sqrt(x * y) * y  # sqrt'(0) = inf; inf * 0 = nan
        z.backward()
        x.grad = sg.tensor(-math.inf, dtype=dtype)
        (sg.sqrt(x * 0.0 + 0.0) * 1.0).backward()  # accumulating inf into -inf: nan
        return _outcome([y]), _numbers([y]).tobytes(), float(x.grad)

    got = run()
    want = _general(run, monkeypatch)
    assert got[:2] == want[:2]
    assert math.isnan(got[2]) and math.isnan(want[2])


def test_a_dead_leaf_is_skipped():
    x = sg.tensor(0.5, requires_grad=True)
    y = sg.tensor(1.5, requires_grad=True)
    z = x * y
    del x
    z.backward()
    assert float(y.grad) == 0.5


def test_grad_mode_is_restored_after_an_error():
    x = sg.tensor(0.3, requires_grad=True)
    h = x * 2.0
    z = h * h
    h.add_(1.0)
    with pytest.raises(RuntimeError):
        z.backward()
    assert sg.is_grad_enabled()
    from symgrad import grad_mode

    assert grad_mode._state.numeric is False


def test_autograd_backward_of_one_tensor_takes_it_too(taken):
    x = sg.tensor(0.3, requires_grad=True)
    sg.autograd.backward(sg.cos(x) * x)
    sg.autograd.backward([sg.cos(x) * x])
    assert taken == [True, True]
    assert float(x.grad) == pytest.approx(2 * (math.cos(0.3) - 0.3 * math.sin(0.3)))


def test_explicit_gradients_inputs_and_create_graph_are_the_general_engines(taken):
    x = sg.tensor(0.3, requires_grad=True)
    (x * x).backward(sg.tensor(2.0))
    (x * x).backward(inputs=[x])
    (x * x).backward(create_graph=True)
    assert taken == []
    assert float(x.grad) == pytest.approx(0.6 * 4)


def test_against_pytorch():
    torch = pytest.importorskip("torch")

    def grads(lib):
        a = lib.tensor(0.5, dtype=lib.float64, requires_grad=True)
        b = lib.tensor(-0.9, dtype=lib.float64, requires_grad=True)
        y = a
        for _ in range(5):
            y = lib.exp(lib.sin(y * b + 0.1)) - lib.tanh(a / b)
        y.backward()
        return float(a.grad), float(b.grad)

    assert grads(sg) == pytest.approx(grads(torch), rel=1e-13)


_UNARY = ["sin", "cos", "tanh", "exp", "sigmoid", "atan", "neg"]
_BINARY = ["+", "-", "*", "/"]


@st.composite
def _programs(draw):
    """A random scalar program: steps of one lane op each, over three leaves
    and the results before it (so nodes are shared), as (op, operand indices)."""
    steps = []
    for i in range(draw(st.integers(1, 12))):
        n = 3 + i
        if draw(st.booleans()):
            steps.append((draw(st.sampled_from(_UNARY)), (draw(st.integers(0, n - 1)),)))
        else:
            steps.append((draw(st.sampled_from(_BINARY)), (draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1)))))
    return steps


def _evaluate(steps, dtype, retain):
    leaves = _leaves(dtype, 0.3, -0.7, 1.1)
    values = list(leaves)
    for op, args in steps:
        if len(args) == 1:
            values.append(getattr(sg, op)(values[args[0]]) if op != "neg" else -values[args[0]])
        else:
            a, b = values[args[0]], values[args[1]]
            values.append(a + b if op == "+" else a - b if op == "-" else a * b if op == "*"
                          else a / (b * b + 0.5))  # (a denominator away from 0)
    out = values[-1] * 1.0  # (an op of its own, even when the program is a leaf)
    out.backward(retain_graph=retain)
    used = [x for x in leaves if x.grad is not None]
    return _outcome(used), _numbers(used) if used else np.array([])


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=_programs(), dtype=st.sampled_from([sg.float64, sg.float32]), retain=st.booleans())
def test_random_scalar_programs_give_what_the_general_engine_gives(steps, dtype, retain, monkeypatch):
    ran = []
    with monkeypatch.context() as m:
        real = loss_pass.backward
        m.setattr(loss_pass, "backward", lambda root, retain_graph: ran.append(1) or real(root, retain_graph))
        got = _evaluate(steps, dtype, retain)
    want = _general(lambda: _evaluate(steps, dtype, retain), monkeypatch)
    assert ran == [1]
    assert got[0] == want[0]  # (closed forms to the letter)
    # (math's functions and NumPy's may differ by an ulp, which a chain can carry into cancellations)
    tol = 1e-5 if dtype == sg.float32 else 1e-12
    assert np.allclose(got[1], want[1], rtol=tol, atol=tol, equal_nan=True), (got[1], want[1])


@pytest.mark.parametrize("dtype", [sg.float64, sg.float32])
def test_a_model_and_its_loss_give_what_the_general_engine_gives(dtype, monkeypatch, taken):
    """The seed's linear regression: array ops only (linear, mse_loss), a
    bias whose gradient is summed back over the batch."""
    def run():
        sg.manual_seed(0)
        model = sg.nn.Sequential(sg.nn.Linear(2, 3), sg.nn.Tanh(), sg.nn.Linear(3, 1)).to(dtype)
        x = sg.tensor([[0.5, -1.0], [2.0, 0.25], [1.5, 1.5]], dtype=dtype)
        loss = sg.nn.functional.mse_loss(model(x), sg.tensor([[1.0], [0.0], [2.0]], dtype=dtype))
        loss.backward()
        params = list(model.parameters())
        return _outcome(params), _numbers(params).tobytes()

    got = run()
    assert taken == [True]
    assert got == _general(run, monkeypatch)


@pytest.mark.parametrize(("dtype", "loss"), [
    (sg.float16, lambda w: (w ** 2).sum()),
    (sg.float64, lambda w: (w * 2.0)[1]),
], ids=["float16", "a view"])
def test_outputs_the_loss_pass_leaves_to_the_general_engine(dtype, loss, monkeypatch, taken):
    def run():
        w = sg.tensor([0.5, 1.5], dtype=dtype, requires_grad=True)
        loss(w).backward()
        return w.grad.dtype, w.grad.numpy().tobytes()

    got = run()
    assert taken == [False]
    assert got == _general(run, monkeypatch)


def test_a_second_backward_of_a_model_loss_is_the_general_engines_error(taken):
    w = sg.tensor([0.5, -1.0], requires_grad=True)
    loss = (w.exp() * w).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        loss.backward()
    assert taken == [True, "raised"]
