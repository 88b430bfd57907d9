"""The scalar lane (``symgrad.scalar_lane``): 0-d float64 ops computed on
Python floats.  What it records must be what ``apply``'s general path
records, its values those of NumPy (to the last bit for + - * /, within an
ulp for ``math``'s functions), its gradients and closed forms the same, and
every way a float could go stale or wrong must end in the array or an error."""

from __future__ import annotations

import copy
import math
import pickle

import numpy as np
import pytest

import symgrad as sg
from symgrad import dispatch, scalar_lane
from symgrad.ops import TABLE

LANE_OPS = sorted(name for name, op in TABLE.items() if op.scalar is not None)
DOMAIN = {"acosh": 1.7, "log": 0.6, "log2": 0.6, "log10": 0.6, "sqrt": 0.6, "rsqrt": 0.6}


def _general(fn, monkeypatch):
    """``fn()`` with the lane turned off: every op takes apply's general path."""
    with monkeypatch.context() as m:
        m.setattr(dispatch, "record_scalar", lambda *a: None)
        m.setattr(scalar_lane, "binary", lambda *a: None)
        m.setattr(scalar_lane, "unary", lambda *a: None)
        import symgrad.ops.unary as unary_mod
        import symgrad.tensor_ops as tensor_ops

        m.setattr(tensor_ops, "_lane", lambda *a: None)
        m.setattr(tensor_ops, "_lane_unary", lambda *a: None)
        m.setattr(unary_mod, "lane_unary", lambda *a: None)
        return fn()


def _record(out, args):
    node = out._grad_fn

    def name(obj):
        if obj is None:
            return None
        for i, a in enumerate(args):
            if obj is a:
                return f"arg{i}"
            if isinstance(a, sg.Tensor) and obj is a._content:
                return f"term{i}"
            if isinstance(a, sg.Tensor) and obj is a._grad_acc:
                return f"acc{i}"
        return repr(obj)

    saved = node.saved
    return {
        "class": type(node), "op": node.op, "params": node.params,
        "args": [name(t) for t in node.args], "edges": [name(e) for e in node.edges],
        "saved": name(saved) if not isinstance(saved, tuple) else [name(s) for s in saved],
        "versions": tuple(node.versions) if node.versions is not None else None, "meta": node.meta,
        "out_value": None if node.out_value is None else float(node.out_value),
        "out_ref": None if node.out_ref is None else (node.out_ref[0]() is out, node.out_ref[1]),
        "pre_hooks": node.pre_hooks, "retain": node.retain,
        "dtype": out.dtype, "requires_grad": out.requires_grad, "content is node": out._content is node,
    }


def _leaves(n, which_grad, bumped, shift, dtype):
    leaves = [sg.tensor(0.4 + 0.1 * i + shift, dtype=dtype, requires_grad=i in which_grad, name=f"v{i}")
              for i in range(n)]
    if bumped:  # results of ops, one changed in place (version 1)
        leaves = [t * 1.0 for t in leaves]
        leaves[0].mul_(1.0)
    return leaves


def _lane_cases():
    for name in LANE_OPS:
        n = len(TABLE[name].inputs)
        grads = [((0, 1), False), ((0,), False), ((1,), False), ((0, 1), True)] if n == 2 else \
            [((0,), False), ((0,), True)]
        for which_grad, bumped in grads:
            for dtype in (sg.float64, sg.float32):
                yield name, which_grad, bumped, dtype


def _close(a, b, dtype=sg.float64):
    """Equal, or within an ulp or two (math's and NumPy's functions may round differently)."""
    ulp = 2.0 ** -52 if dtype == sg.float64 else 2.0 ** -23
    return a == b or math.isclose(a, b, rel_tol=4 * ulp, abs_tol=1e-300)


@pytest.mark.parametrize("name, which_grad, bumped, dtype", list(_lane_cases()))
def test_the_lane_records_what_the_general_path_records(name, which_grad, bumped, dtype, monkeypatch):
    op = TABLE[name]
    args = _leaves(len(op.inputs), which_grad, bumped, DOMAIN.get(name, 0.0), dtype)
    lane = scalar_lane.record_scalar(op, tuple(args))
    assert lane is not None, "the lane takes 0-d float64 and float32 tensors with something requiring grad"
    value = lane._scalar
    assert value is not None and "_value" not in vars(lane)  # (the array is made when asked for)
    assert type(value) is (float if dtype == sg.float64 else np.float32)
    general = _general(lambda: dispatch.apply(op, *args), monkeypatch)
    assert general._scalar is None
    want, got = _record(general, args), _record(lane, args)
    assert _close(got.pop("out_value") or 0.0, want.pop("out_value") or 0.0, dtype)
    assert got == want
    assert _close(float(value), float(general), dtype)


@pytest.mark.parametrize("dtype", [sg.float64, sg.float32])
@pytest.mark.parametrize("name", LANE_OPS)
def test_gradients_and_closed_forms_match_the_general_path(name, dtype, monkeypatch):
    op = TABLE[name]
    x0 = 0.4 + DOMAIN.get(name, 0.0)

    def run():
        xs = [sg.tensor(x0 + 0.1 * i, dtype=dtype, requires_grad=True, name=f"x{i}")
              for i in range(len(op.inputs))]
        out = dispatch.apply(op, *xs)
        z = out * out  # (a lane node between the op and the loss)
        z.backward(create_graph=True)
        first = [float(x.grad) for x in xs]
        exprs = [str(x.grad.expr) for x in xs]
        (second,) = sg.autograd.grad(xs[0].grad, xs[0], allow_unused=True)
        return first, exprs, None if second is None else float(second), xs[0].grad.dtype

    got, want = run(), _general(run, monkeypatch)
    assert all(_close(a, b, dtype) for a, b in zip(got[0], want[0])), (got, want)
    assert got[1] == want[1]
    assert (got[2] is None) == (want[2] is None) and (got[2] is None or _close(got[2], want[2], dtype))
    assert got[3] == want[3] == dtype


def test_a_chain_of_scalar_ops_matches_the_general_path(monkeypatch):
    def run():
        a, b, c = (sg.tensor(v, dtype=sg.float64, requires_grad=True, name=n) for v, n in ((0.5, "a"), (0.9, "b"),
                                                                                         (0.1, "c")))
        y = a
        for _ in range(3):
            y = sg.exp(sg.sin(y * b + c)) / (1.5 - sg.tanh(y)) - 0.25 * y
        y.backward()
        return float(y), [float(t.grad) for t in (a, b, c)], str(a.grad.expr)[:500]

    got, want = run(), _general(run, monkeypatch)
    assert math.isclose(got[0], want[0], rel_tol=1e-13)
    assert all(math.isclose(g, w, rel_tol=1e-12) for g, w in zip(got[1], want[1]))
    assert got[2] == want[2]


def test_the_seed_numbers_and_closed_forms():
    x = sg.tensor(2., dtype=sg.float64, requires_grad=True)
    y = sg.tensor(3., dtype=sg.float64, requires_grad=True)
    z = x * x * y
    assert z._scalar == 12.0
    z.backward(create_graph=True)
    assert (float(x.grad), str(x.grad.expr)) == (12.0, "2*x*y")
    x.grad.data.zero_()
    x.grad.backward()
    assert (float(x.grad), str(x.grad.expr)) == (6.0, "2*y")


@pytest.mark.parametrize("make", [
    lambda: (sg.tensor(0.5, dtype=sg.float16, requires_grad=True), sg.tensor(0.25, dtype=sg.float16)),
    lambda: (sg.tensor(0.5, dtype=sg.float64, requires_grad=True), sg.tensor(0.25, dtype=sg.float32)),
    lambda: (sg.tensor([0.5], dtype=sg.float64, requires_grad=True), sg.tensor(0.25, dtype=sg.float64)),
    lambda: (sg.tensor([0.5, 0.7], dtype=sg.float64, requires_grad=True)[0], sg.tensor(0.25, dtype=sg.float64)),
    lambda: (sg.nn.Parameter(sg.tensor(0.5, dtype=sg.float64)), sg.tensor(0.25, dtype=sg.float64)),
    lambda: (sg.tensor(0.5, dtype=sg.float64), sg.tensor(0.25, dtype=sg.float64)),
    lambda: (sg.tensor(0.5, dtype=sg.float64, requires_grad=True), True),
    lambda: (sg.tensor(0.5, dtype=sg.float64, requires_grad=True), np.float64(2.0)),
    lambda: (sg.tensor(0.5, dtype=sg.float64, requires_grad=True), 10 ** 400),
], ids=["float16", "mixed dtypes", "1-d", "a view", "a Parameter", "nothing requires grad", "a bool",
        "a NumPy scalar", "an int too large for a float"])
def test_what_the_lane_leaves_to_the_general_path(make):
    args = make()
    assert scalar_lane.record_scalar(TABLE["mul"], args) is None


def test_the_lane_is_off_without_grad_mode():
    x = sg.tensor(0.5, dtype=sg.float64, requires_grad=True)
    with sg.no_grad():
        assert scalar_lane.binary(TABLE["mul"], x, x) is None and scalar_lane.unary(TABLE["sin"], x) is None
        y = sg.sin(x) * x
    assert y.grad_fn is None and not y.requires_grad


@pytest.mark.parametrize("left, right", [(2, "x"), ("x", 2), (2.5, "x"), ("x", -0.5), ("x", "x")])
@pytest.mark.parametrize("name", ["add", "sub", "mul", "div"])
def test_python_numbers_on_either_side(name, left, right, monkeypatch):
    def run():
        x = sg.tensor(0.75, dtype=sg.float64, requires_grad=True)
        a, b = (x if v == "x" else v for v in (left, right))
        out = dispatch.apply(TABLE[name], a, b)
        out.backward()
        return float(out), float(x.grad), str(x.grad.expr), out.grad_fn.name(), out.dtype

    assert run() == _general(run, monkeypatch)


def test_the_array_is_made_on_first_use_and_the_float_dropped():
    x = sg.tensor(0.5, dtype=sg.float64, requires_grad=True)
    y = x * 3.0
    assert y._scalar == 1.5 and "_value" not in vars(y)
    v = y._value
    assert isinstance(v, np.ndarray) and v.dtype == np.float64 and v.shape == () and float(v) == 1.5
    assert y._scalar is None and y._value is v  # from now on an ordinary tensor


def test_in_place_changes_never_leave_a_stale_float():
    x = sg.tensor(0.5, dtype=sg.float64, requires_grad=True)
    y = x * 2.0
    with sg.no_grad():
        y.add_(1.0)  # writes into the array: the float is gone
    assert float(y) == 2.0 and y._scalar is None
    assert float(y * 1.0) == 2.0
    z = x * 2.0
    z.detach().numpy()[()] = 7.0  # NumPy writes through the shared memory
    assert float(z + 0.0) == 7.0
    w = x * 2.0
    w.data = sg.tensor(4.0, dtype=sg.float64)
    assert float(w * 1.0) == 4.0


def test_a_saved_input_changed_in_place_is_an_error():
    x = sg.tensor(0.5, dtype=sg.float64, requires_grad=True)
    y = x * 2.0
    z = y * y
    with sg.no_grad():
        y.mul_(3.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()


def test_a_saved_result_changed_in_place_is_an_error():
    x = sg.tensor(0.5, dtype=sg.float64, requires_grad=True)
    y = sg.exp(x)  # (exp's rule reads its result)
    with sg.no_grad():
        y.mul_(3.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_a_second_backward_without_retain_graph_is_an_error():
    x = sg.tensor(0.5, dtype=sg.float64, requires_grad=True)
    y = sg.exp(sg.sin(x) * x)
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("expression", [
    lambda x: sg.log(x - 0.5), lambda x: 1.0 / (x - 0.5), lambda x: sg.exp(x * 2000.0),
    lambda x: sg.sqrt(x - 0.75), lambda x: sg.sin(x / (x - 0.5)), lambda x: (x - 0.5) / (x - 0.5),
    lambda x: sg.atanh(x + 0.5), lambda x: sg.rsqrt(x - 0.5), lambda x: sg.reciprocal(x - 0.5),
    lambda x: sg.exp2(x * 3000.0), lambda x: sg.sqrt(x - 0.5),
], ids=["log(0)", "1/0", "exp overflow", "sqrt(-)", "sin(inf)", "0/0", "atanh(1)", "rsqrt(0)",
        "reciprocal(0)", "exp2 overflow", "sqrt(0)'"])
@pytest.mark.parametrize("dtype", [sg.float64, sg.float32])
def test_where_math_raises_numpy_answers(expression, dtype, monkeypatch):
    """math raises at log(0), 1/0, exp(2000)...: the lane then leaves the op
    (or, in the backward pass, the rule) to NumPy, whose inf and nan are the
    general path's, and PyTorch's (a float32 beyond its range likewise)."""
    def run():
        x = sg.tensor(0.5, dtype=dtype, requires_grad=True)
        out = expression(x)
        out.backward()
        return float(out), float(x.grad)

    got, want = run(), _general(run, monkeypatch)
    assert np.array_equal(got, want, equal_nan=True), (got, want)


def test_retain_grad_and_hooks_on_the_lane():
    x = sg.tensor(0.5, dtype=sg.float64, requires_grad=True)
    y = x * x
    y.retain_grad()
    seen = []
    y.register_hook(lambda g: seen.append(float(g)))
    (sg.sin(y) * 2.0).backward()
    assert float(y.grad) == pytest.approx(2 * math.cos(0.25)) and seen == [pytest.approx(2 * math.cos(0.25))]
    assert float(x.grad) == pytest.approx(2 * math.cos(0.25) * 1.0)


def test_autograd_grad_of_a_lane_result():
    x = sg.tensor(0.5, dtype=sg.float64, requires_grad=True)
    y = sg.tanh(x) * x
    (g,) = sg.autograd.grad(y, x)
    assert float(g) == pytest.approx(math.tanh(0.5) + 0.5 * (1 - math.tanh(0.5) ** 2))
    assert str(g.expr) == "x*(1 - tanh(x)**2) + tanh(x)"


def test_a_python_float_given_to_an_op_is_still_a_tensor():
    assert isinstance(sg.sin(0.5), sg.Tensor)


def test_lane_tensors_copy_and_pickle():
    x = sg.tensor(0.5, dtype=sg.float64, requires_grad=True)
    y = (x * 3.0).detach()
    z = x * 3.0
    for t in (copy.deepcopy(y), pickle.loads(pickle.dumps(y))):
        assert float(t) == 1.5 and t.dtype == sg.float64
    assert float(z.detach()) == 1.5


def test_against_pytorch():
    torch = pytest.importorskip("torch")

    def run(lib):
        a, b, c = (lib.tensor(v, dtype=lib.float64, requires_grad=True) for v in (0.5, 0.9, 0.1))
        y = a
        for _ in range(40):
            y = lib.exp(lib.sin(y * b + c)) - lib.tanh(y) / 3.0
        y.backward()
        return [y.item()] + [t.grad.item() for t in (a, b, c)]

    np.testing.assert_allclose(run(sg), run(torch), rtol=1e-12)


def test_a_tensor_of_a_python_float_is_on_the_lane():
    """symgrad.tensor(2.5): a 0-d tensor whose array is made when first read;
    every way of reading or writing it sees one value."""
    x = sg.tensor(2.5, requires_grad=True, name="x")
    assert x._scalar == 2.5 and "_value" not in vars(x)
    assert x.dtype == sg.float64 and x.shape == () and x.is_leaf and str(x.expr) == "x"
    f32 = sg.tensor(2.5, dtype=sg.float32)
    assert type(f32._scalar) is np.float32 and f32.dtype == sg.float32
    f16 = sg.tensor(2.5, dtype=sg.float16)
    assert f16._scalar is None and f16.dtype == sg.float16
    assert sg.tensor(2, dtype=sg.float64)._scalar is None  # (an int: the general path)
    y = sg.tensor(1.5)
    y.numpy()[()] = 4.0  # the array, made now, is the tensor's memory
    assert float(y * 1.0) == 4.0 and y._scalar is None


def test_a_lane_leaf_trains_like_any_other():
    w = sg.tensor(0.5, requires_grad=True)
    opt = sg.optim.SGD([w], lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        loss = (w * 3.0 - 1.0) * (w * 3.0 - 1.0)
        loss.backward()
        opt.step()
    want = 0.5
    for _ in range(3):
        want -= 0.1 * 2 * (want * 3.0 - 1.0) * 3.0
    assert float(w) == pytest.approx(want, rel=1e-15)
    z = sg.tensor(2.0, requires_grad=True)
    (z * z).backward()
    (z * z).backward()  # accumulates into .grad
    assert float(z.grad) == 8.0 and str(z.grad.expr) == "4*z"
    z.data.zero_()
    assert float(z) == 0.0 and float(z * 1.0) == 0.0


def test_the_op_table_refuses_a_scalar_forward_the_lane_cannot_run():
    from symgrad.ops.registry import OpDef

    def rule(g, out, x, y, z):
        return g

    with pytest.raises(ValueError, match="scalar= is for elementwise ops of one or two inputs"):
        OpDef("three", ("x", "y", "z"), (), np.add, None, (rule, rule, rule), elementwise=True, promote=None,
              bool_args=(), bool_out=False, view=False, variadic=False, backward_name=None,
              scalar=lambda x, y, z: x)
    with pytest.raises(ValueError, match="scalar= is for elementwise ops"):
        OpDef("shaped", ("x",), (), np.sum, None, (lambda g, out, x: g,), elementwise=False, promote=None,
              bool_args=(), bool_out=False, view=False, variadic=False, backward_name=None, scalar=float)


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("make", [lambda: sg.tensor(1.0, requires_grad=True),
                                  lambda: sg.tensor([1.0], requires_grad=True)], ids=["0-d", "1-d"])
def test_accumulating_inf_and_minus_inf_is_nan_silently(make):
    """A pass on floats enters NumPy's quiet error state only when it needs
    it: accumulating into an existing .grad does (inf + -inf is nan, as in
    PyTorch, without a warning)."""
    x = make()
    (x * float("inf")).sum().backward()
    (x * float("-inf")).sum().backward()
    assert np.isnan(x.grad.numpy()).all()


def test_a_scalar_program_with_retain_grad_and_targets():
    x = sg.tensor(0.5, requires_grad=True)
    y = sg.tensor(1.5, requires_grad=True)
    h = sg.sin(x * y)
    h.retain_grad()
    out = h * h + y
    gx, gy = sg.autograd.grad(out, (x, y), retain_graph=True)
    want_h = 2 * math.sin(0.75)
    assert float(gx) == pytest.approx(want_h * math.cos(0.75) * 1.5)
    assert float(gy) == pytest.approx(want_h * math.cos(0.75) * 0.5 + 1)
    out.backward()
    assert float(h.grad) == pytest.approx(want_h) and float(x.grad) == pytest.approx(float(gx))


@pytest.mark.parametrize("seed", [2.0, 1.0, -0.5])
def test_a_seed_on_the_lane_keeps_its_value_in_the_closed_form(seed):
    from symgrad.autograd import engine

    x = sg.tensor(3.0, requires_grad=True, name="x")
    (x * x).backward(sg.tensor(seed))
    assert float(x.grad) == 6.0 * seed
    (symbol,) = x.grad.expr.free_symbols
    assert float(x.grad.expr.subs(symbol, 3.0)) == 6.0 * seed
    term = engine._unit_const(seed)  # (the seed's term, however the seed arrives)
    assert float(term.value) == seed
