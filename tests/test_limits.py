"""Scale and limits: long chains within PyTorch's memory, graphs built in
loops with node reuse, very deep and very wide closed forms (they work, or
say to use the compact view - never RecursionError), numerically delicate
ops at +-1000, and grad mode under threads."""

from __future__ import annotations

import importlib.util
import threading

import numpy as np
import pytest

import symgrad as sg
from benchmarks.chain_memory import measure

HAVE_TORCH = importlib.util.find_spec("torch") is not None


def leaf(v, name=None):
    return sg.tensor(v, requires_grad=True, name=name)


# ---------------------------------------------------------------- long chains: memory

def _check_chain_memory(ops: int) -> None:
    ours = measure("symgrad", ops)
    assert ours["grad"] == pytest.approx(1.0000001 ** ops, rel=1e-9)
    per_op = ours["peak_mb"] * 2**20 / ops
    assert per_op < 2048, f"{per_op:.0f} bytes per op (graph, saved values and backward)"
    if HAVE_TORCH:
        theirs = measure("torch", ops)
        assert ours["peak_mb"] <= 1.5 * theirs["peak_mb"], (ours, theirs)


def test_50k_op_chain_backpropagates_within_pytorchs_memory():
    _check_chain_memory(50_000)


@pytest.mark.slow
def test_million_op_chain_backpropagates_within_pytorchs_memory():
    _check_chain_memory(1_000_000)


def test_deep_chain_is_freed_without_recursion():
    # CPython deallocates nested objects recursively unless they use its
    # trashcan; a 300 000-deep chain of nodes must be freed without a crash.
    x = leaf(0.5)
    y = x
    for _ in range(300_000):
        y = y + 1.0
    del y
    z = x * 2
    z.backward()
    assert x.grad.item() == 2.0


# ---------------------------------------------------------------- loops with node reuse

def test_recurrent_loop_with_shared_weights():
    rng = np.random.default_rng(0)
    w0, xs = rng.uniform(-0.5, 0.5, (3, 3)), rng.uniform(-1, 1, (50, 3))
    w = leaf(w0)
    h = sg.zeros(3)
    for t in range(50):  # the same W in every step
        h = sg.tanh(w @ h + sg.tensor(xs[t]))
    h.sum().backward()

    def loss(wv: np.ndarray) -> float:
        hv = np.zeros(3)
        for t in range(50):
            hv = np.tanh(wv @ hv + xs[t])
        return float(hv.sum())

    fd = np.zeros((3, 3))
    for idx in np.ndindex(3, 3):
        e = np.zeros((3, 3))
        e[idx] = 1e-6
        fd[idx] = (loss(w0 + e) - loss(w0 - e)) / 2e-6
    np.testing.assert_allclose(w.grad.tolist(), fd, rtol=1e-6, atol=1e-9)
    if HAVE_TORCH:
        import torch

        tw = torch.tensor(w0, requires_grad=True)
        th = torch.zeros(3, dtype=torch.float64)
        for t in range(50):
            th = torch.tanh(tw @ th + torch.tensor(xs[t]))
        th.sum().backward()
        np.testing.assert_allclose(w.grad.tolist(), tw.grad.numpy(), rtol=1e-12)


def _diamond(x, steps):
    """Each step uses the previous node twice: 2**steps paths from the root."""
    y = x
    for _ in range(steps):
        y = sg.sin(y) * y + y * 0.5
    return y


def test_diamond_graph_with_exponentially_many_paths():
    x = leaf(0.3, "x")
    y = _diamond(x, 200)
    y.backward()
    v, dv = 0.3, 1.0  # forward-mode derivative as the oracle
    for _ in range(200):
        v, dv = np.sin(v) * v + v * 0.5, (np.cos(v) * v + np.sin(v) + 0.5) * dv
    assert y.item() == pytest.approx(v, rel=1e-12)
    assert x.grad.item() == pytest.approx(dv, rel=1e-9)
    with pytest.raises(sg.ExpressionTooLargeError, match=r"compact\(\)"):
        _ = x.grad.expr
    compact = y.compact()
    assert len(compact.assignments) == 199 and "result" in str(compact)


def test_diamond_graph_generated_code_matches_the_engine():
    x = leaf(0.3, "x")
    y = _diamond(x, 60)
    fn = sg.gradient_function(y, x)
    value, grad = fn(0.3)
    y.backward()
    assert float(value) == pytest.approx(y.item(), rel=1e-12)
    assert float(grad) == pytest.approx(x.grad.item(), rel=1e-9)


# ---------------------------------------------------------------- deep and wide closed forms

def test_deep_chain_closed_form_is_refused_but_compact_and_generated_code_work():
    x = leaf(0.5, "x")
    y = x
    for _ in range(2_000):
        y = sg.sin(y) + x * 0.001
    with pytest.raises(sg.ExpressionTooLargeError, match=r"compact\(\)"):
        _ = y.expr
    text = str(y.compact())
    assert text.count("\n") >= 2_000 // 8
    fn = sg.gradient_function(y, x)
    value, grad = fn(0.5)
    y.backward()
    assert float(value) == pytest.approx(y.item(), rel=1e-12)
    assert float(grad) == pytest.approx(x.grad.item(), rel=1e-9)


def test_deep_chain_second_derivative():
    x = leaf(0.5, "x")
    y = x
    for _ in range(2_000):
        y = y * 0.999 + x * x * 0.001
    (g,) = sg.autograd.grad(y, x, create_graph=True)
    (h,) = sg.autograd.grad(g, x)
    scale = 1 - 0.999 ** 2_000  # y = 0.999**2000 * x + scale * x**2
    assert g.item() == pytest.approx(0.999 ** 2_000 + 2 * scale * 0.5, rel=1e-9)
    assert h.item() == pytest.approx(2 * scale, rel=1e-9)


def test_wide_sum_closed_form_is_refused_but_compact_and_generated_code_work():
    values = np.linspace(0, 1, 300_000)
    x = leaf(values)
    y = (x * x).sum()
    y.backward(retain_graph=True)  # gradient_function walks the graph again
    with pytest.raises(sg.ExpressionTooLargeError, match=r"compact\(\)"):
        _ = x.grad.expr
    value, grad = sg.gradient_function(y, x)(values)  # array code: a few lines for any width
    assert float(value) == pytest.approx(y.item(), rel=1e-12)
    np.testing.assert_allclose(grad, 2 * values)
    small = leaf(np.linspace(0, 1, 5_000))
    text = str((small * small).sum().compact())
    assert text.count("**2") == 5_000


# ---------------------------------------------------------------- numerically delicate ops

DELICATE = {
    "sigmoid": sg.sigmoid, "softplus": sg.softplus, "tanh": sg.tanh,
    "log_softmax": lambda t: sg.log_softmax(t, 0), "softmax": lambda t: sg.softmax(t, 0),
    "logsumexp": lambda t: sg.logsumexp(t, 0), "log_sigmoid": lambda t: -sg.softplus(-t),
}


@pytest.mark.parametrize("dtype", [sg.float64, sg.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("name", sorted(DELICATE))
def test_delicate_ops_are_finite_at_plus_minus_1000(name, dtype):
    x = sg.tensor([-1000.0, -30.0, 0.0, 30.0, 1000.0], dtype=dtype, requires_grad=True)
    y = DELICATE[name](x)
    (y * sg.tensor([1.0, 2.0, 3.0, 4.0, 5.0], dtype=dtype)).sum().backward()
    assert np.all(np.isfinite(y.tolist())) and np.all(np.isfinite(x.grad.tolist()))
    if HAVE_TORCH:
        import torch

        tx = torch.tensor([-1000.0, -30.0, 0.0, 30.0, 1000.0], dtype=getattr(torch, str(dtype).split(".")[1]),
                          requires_grad=True)
        ty = _torch_delicate(torch, name)(tx)
        (ty * torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0], dtype=tx.dtype)).sum().backward()
        tol = 1e-12 if dtype is sg.float64 else 1e-6
        np.testing.assert_allclose(y.tolist(), ty.tolist(), rtol=tol, atol=tol)
        np.testing.assert_allclose(x.grad.tolist(), tx.grad.tolist(), rtol=tol, atol=tol)


def _torch_delicate(torch, name):
    f = torch.nn.functional
    return {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "softplus": f.softplus, "log_sigmoid": f.logsigmoid,
            "log_softmax": lambda v: torch.log_softmax(v, 0), "softmax": lambda v: torch.softmax(v, 0),
            "logsumexp": lambda v: torch.logsumexp(v, 0)}[name]


@pytest.mark.parametrize("dtype", [sg.float64, sg.float32], ids=["float64", "float32"])
def test_small_results_keep_their_relative_precision(dtype):
    # sigmoid was 0.5*(1 + tanh(x/2)): 0 at -40 (PyTorch: 4.2e-18); erfc was 1 - erf: 0 at 10;
    # expm1's derivative was expm1(x) + 1: 0 at -40, and so was elu's
    import math

    rtol = 1e-15 if dtype is sg.float64 else 1e-6
    x = sg.tensor([-50.0, -40.0, -20.0, 0.0, 5.0, 10.0], dtype=dtype, requires_grad=True)
    xs = x.tolist()
    np.testing.assert_allclose(sg.sigmoid(x).tolist(), [1 / (1 + math.exp(-v)) for v in xs], rtol=rtol, atol=0)
    n = 6 if dtype is sg.float64 else 5  # (erfc(10) is below float32's smallest number)
    np.testing.assert_allclose(sg.erfc(x[:n]).tolist(), [math.erfc(v) for v in xs[:n]], rtol=rtol, atol=0)
    for f in (sg.expm1, sg.nn.functional.elu):
        x.grad = None
        f(x[:3]).sum().backward()
        np.testing.assert_allclose(x.grad[:3].tolist(), [math.exp(v) for v in xs[:3]], rtol=rtol, atol=0)


# ---------------------------------------------------------------- threads

def test_grad_mode_and_backward_from_many_threads():
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def work(k: int) -> None:
        try:
            barrier.wait()
            for i in range(200):
                x = leaf(float(k + i))
                if (i + k) % 2:
                    with sg.no_grad():
                        y = x * x
                        assert not sg.is_grad_enabled() and not y.requires_grad
                    assert sg.is_grad_enabled()
                else:
                    y = x * x * 3
                    assert y.requires_grad
                    y.backward()
                    assert x.grad.item() == 6 * (k + i)
                    (g,) = sg.autograd.grad(sg.sin(x) * x, x, create_graph=True)
                    assert g.requires_grad and sg.is_grad_enabled()
        except BaseException as e:  # reported in the main thread
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]
    assert sg.is_grad_enabled()


def test_closed_forms_from_many_threads():
    results: dict[int, str] = {}
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            x = leaf(float(k), f"x{k}")
            (sg.sin(x) * x).backward()
            results[k] = str(x.grad.expr)
        except BaseException as e:  # reported in the main thread
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]
    assert results == {k: f"x{k}*cos(x{k}) + sin(x{k})" for k in range(8)}


# ---------------------------------------------------------------- conditions on piecewise values

def _max_of_softplus_sums(n):
    """The gradient of max(cumsum(softplus(x))): its mask compares sums of n
    piecewise softplus closed forms (found by the long fuzz: minutes in SymPy)."""
    x = leaf(np.linspace(-1.0, 1.0, n), name="x")
    sg.nn.functional.softplus(x).cumsum(0).max().backward()
    return x


def test_a_condition_that_would_unfold_into_too_many_branches_is_refused_at_once():
    x = _max_of_softplus_sums(6)
    # the numbers are unaffected: the max is the last sum, of every softplus, so the gradient is sigmoid(x)
    np.testing.assert_allclose(np.asarray(x.grad), 1 / (1 + np.exp(-np.linspace(-1.0, 1.0, 6))), rtol=1e-12)
    with pytest.raises(sg.ExpressionTooLargeError, match="unfolds into up to 64 branches .limit 16."):
        _ = x.grad.expr
    assert "x[0]" in str(x.grad.compact())  # the compact view, which the message suggests, works


def test_a_condition_within_the_branch_limit_still_has_its_closed_form():
    x = _max_of_softplus_sums(2)
    assert x.grad.expr.shape == (2,)


def test_the_branch_limit_can_be_changed():
    old = sg.set_expr_limits().branches
    try:
        assert sg.set_expr_limits(branches=2).branches == 2
        with pytest.raises(sg.ExpressionTooLargeError, match="limit 2"):
            _ = _max_of_softplus_sums(2).grad.expr
    finally:
        sg.set_expr_limits(branches=old)
