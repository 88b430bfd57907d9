"""A custom Function with several differentiable outputs: ``backward`` runs
ONCE per backward pass, with every output's gradient, as in PyTorch (zeros
for an output that got none, None under ``set_materialize_grads(False)``).
Each scenario runs the same program through symgrad and PyTorch and compares
the calls ``backward`` received (how many, and the gradients of each) and the
resulting gradients; then the closed forms, errors and graph details symgrad
adds.  (Reading a closed form, ``x.grad.expr``, replays the pass on tensors:
a pass of its own, so one more call; the scenarios below read none.)"""

from __future__ import annotations

import gc
import weakref
from typing import Any

import numpy as np
import pytest
import sympy

import symgrad
from symgrad.autograd.engine import grad_with_terms

torch = pytest.importorskip("torch")


def sincos(lib: Any, calls: list[Any], materialize: bool = True) -> Any:
    """Two differentiable outputs; ``calls`` gets each backward's gradients."""

    class SinCos(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(materialize)
            ctx.save_for_backward(x)
            return x.sin(), x.cos()

        @staticmethod
        def backward(ctx, gs, gc):
            calls.append((_plain(gs), _plain(gc)))
            (x,) = ctx.saved_tensors
            total = 0
            if gs is not None:
                total = total + gs * x.cos()
            if gc is not None:
                total = total - gc * x.sin()
            return total

    return SinCos


def mul_both(lib: Any, calls: list[Any]) -> Any:
    """Two inputs, two outputs (and a non-differentiable third), the outputs saved."""

    class MulBoth(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            p, q = x * y, x + y
            flag = x * 0 + 1
            ctx.mark_non_differentiable(flag)
            ctx.save_for_backward(x, y, p)
            return p, q, flag

        @staticmethod
        def backward(ctx, gp, gq, gflag):
            calls.append((_plain(gp), _plain(gq), _plain(gflag)))
            x, y, p = ctx.saved_tensors
            return gp * y + gq, gp * x + gq + 0 * p

    return MulBoth


def square(lib: Any, calls: list[Any]) -> Any:
    class Square(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            calls.append((_plain(g),))
            (x,) = ctx.saved_tensors
            return 2 * x * g

    return Square


def _plain(g: Any) -> Any:
    return None if g is None else np.asarray(g.detach().tolist())


def _grads(ts: Any) -> list[Any]:
    return [None if t is None else np.asarray(t.detach().tolist()) for t in ts]


# Each scenario: (lib, calls) -> the tensors whose values are compared.

def both_used(lib, calls):
    x = lib.tensor([0.5, 1.0, 2.0], dtype=lib.float64, requires_grad=True)
    s, c = sincos(lib, calls).apply(x)
    (2 * s + 3 * c).sum().backward()
    return [x.grad]


def both_used_0d(lib, calls):  # loss.backward() of a 0-d float64: symgrad's loss_pass
    x = lib.tensor(0.7, dtype=lib.float64, requires_grad=True)
    s, c = sincos(lib, calls).apply(x)
    (s * c).backward()
    return [x.grad]


def both_used_float32(lib, calls):
    x = lib.tensor([0.5, 1.0], dtype=lib.float32, requires_grad=True)
    s, c = sincos(lib, calls).apply(x)
    (s * c).sum().backward()
    return [x.grad]


def seeded_roots(lib, calls):  # both outputs are roots of one backward call
    x = lib.tensor([0.5, 1.0], dtype=lib.float64, requires_grad=True)
    s, c = sincos(lib, calls).apply(x)
    lib.autograd.backward([s, c], [lib.tensor([1., 2.], dtype=lib.float64), lib.tensor([3., 4.], dtype=lib.float64)])
    return [x.grad]


def one_unused(lib, calls):
    x = lib.tensor([0.5, 1.0], dtype=lib.float64, requires_grad=True)
    s, _ = sincos(lib, calls).apply(x)
    s.sum().backward()
    return [x.grad]


def one_unused_not_materialized(lib, calls):
    x = lib.tensor([0.5, 1.0], dtype=lib.float64, requires_grad=True)
    _, c = sincos(lib, calls, materialize=False).apply(x)
    (c * c).sum().backward()
    return [x.grad]


def create_graph(lib, calls):
    x = lib.tensor([0.5, 1.0], dtype=lib.float64, requires_grad=True)
    s, c = sincos(lib, calls).apply(x)
    (g,) = lib.autograd.grad((s * c).sum(), x, create_graph=True)
    (h,) = lib.autograd.grad(g.sum(), x)
    return [g, h]


def backward_create_graph(lib, calls):
    x = lib.tensor(0.3, dtype=lib.float64, requires_grad=True)
    s, c = sincos(lib, calls).apply(x)
    (s ** 2 + c).backward(create_graph=True)
    g = x.grad
    x.grad = None
    g.backward()
    return [g, x.grad]


def grad_with_inputs(lib, calls):
    x = lib.tensor([1., 2.], dtype=lib.float64, requires_grad=True)
    y = lib.tensor([3., 4.], dtype=lib.float64, requires_grad=True)
    p, q, flag = mul_both(lib, calls).apply(x, y)
    gy = lib.autograd.grad((p * q).sum(), [y], retain_graph=True)
    out = (p + q * q).sum()
    out.backward(inputs=[x])
    return [*gy, x.grad, y.grad, flag]


def retain_graph_twice(lib, calls):
    x = lib.tensor([1., 2.], dtype=lib.float64, requires_grad=True)
    y = lib.tensor([3., 4.], dtype=lib.float64, requires_grad=True)
    p, q, _ = mul_both(lib, calls).apply(x, y)
    loss = (p * q).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    return [x.grad, y.grad]


def with_hooks(lib, calls):  # a hook: symgrad's tensor pass
    x = lib.tensor([0.5, 1.0], dtype=lib.float64, requires_grad=True)
    s, c = sincos(lib, calls).apply(x)
    s.register_hook(lambda g: g * 10)
    c.retain_grad()
    (s * c).sum().backward()
    return [x.grad, c.grad]


def one_output(lib, calls):  # a Function with one output: unchanged
    x = lib.tensor([1., 2.], dtype=lib.float64, requires_grad=True)
    y = square(lib, calls).apply(x)
    (y * y).sum().backward(retain_graph=True)
    (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
    return [x.grad, g]


SCENARIOS = [both_used, both_used_0d, both_used_float32, seeded_roots, one_unused, one_unused_not_materialized,
             create_graph, backward_create_graph, grad_with_inputs, retain_graph_twice, with_hooks, one_output]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.__name__ for s in SCENARIOS])
def test_backward_calls_and_gradients_as_pytorch(scenario: Any) -> None:
    ours: list[Any] = []
    theirs: list[Any] = []
    got = _grads(scenario(symgrad, ours))
    want = _grads(scenario(torch, theirs))
    assert len(ours) == len(theirs), (ours, theirs)
    for a, b in zip(ours, theirs):
        assert len(a) == len(b)
        for ga, gb in zip(a, b):
            assert (ga is None) == (gb is None), (ours, theirs)
            if ga is not None:
                np.testing.assert_allclose(ga, gb, rtol=1e-6, atol=1e-7)
    assert [a is None for a in got] == [b is None for b in want]
    for a, b in zip(got, want):
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_closed_forms_call_backward_once_per_replay() -> None:
    calls: list[Any] = []
    x = symgrad.tensor(0.7, requires_grad=True, name="x")
    s, c = sincos(symgrad, calls).apply(x)
    (2 * s * c + c).backward(retain_graph=True)
    assert len(calls) == 1
    X = x.expr
    want = sympy.diff(2 * sympy.sin(X) * sympy.cos(X) + sympy.cos(X), X)
    assert sympy.simplify(x.grad.expr - want) == 0
    assert len(calls) == 2  # the replay that made the closed form: one pass, one call
    (gx,) = grad_with_terms(2 * s * c + c, [x])
    assert len(calls) == 3 and sympy.simplify(gx.expr - want) == 0
    assert float(gx) == pytest.approx(float(want.subs(X, 0.7)))


def test_closed_forms_of_second_derivatives_and_generated_code() -> None:
    calls: list[Any] = []
    x = symgrad.tensor(0.4, requires_grad=True, name="x")
    s, c = sincos(symgrad, calls).apply(x)
    generated = symgrad.gradient_function(s * c, x)  # (before the passes below free the graph)
    (g,) = symgrad.autograd.grad(s * c, x, create_graph=True)
    (h,) = symgrad.autograd.grad(g, x)
    X = x.expr
    f = sympy.sin(X) * sympy.cos(X)
    assert sympy.simplify(g.expr - sympy.diff(f, X)) == 0
    assert sympy.simplify(h.expr - sympy.diff(f, X, 2)) == 0
    value, grad = generated(1.1)
    assert value == pytest.approx(float(f.subs(X, 1.1)))
    assert grad == pytest.approx(float(sympy.diff(f, X).subs(X, 1.1)))


def test_grad_fn_and_next_functions_as_pytorch() -> None:
    for lib in (symgrad, torch):
        x = lib.tensor([1., 2.], requires_grad=True)
        y = lib.tensor([3., 4.])
        p, q, flag = mul_both(lib, []).apply(x, y)
        assert type(p.grad_fn).__name__.endswith("MulBothBackward") and flag.grad_fn is None
        for out in (p, q):
            nexts = out.grad_fn.next_functions
            assert len(nexts) == 2 and nexts[1][0] is None
            assert nexts[0][0].variable is x


def test_second_backward_without_retain_graph_raises() -> None:
    for lib in (symgrad, torch):
        x = lib.tensor([1., 2.], requires_grad=True)
        s, c = sincos(lib, []).apply(x)
        loss = (s * c).sum()
        loss.backward()
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            loss.backward()


@pytest.mark.parametrize("create", [False, True])
def test_a_saved_output_modified_in_place_raises(create: bool) -> None:
    for lib in (symgrad, torch):
        x = lib.tensor([1., 2.], requires_grad=True)
        y = lib.tensor([3., 4.], requires_grad=True)
        p, q, _ = mul_both(lib, []).apply(x, y)
        loss = (q * 2).sum()
        with lib.no_grad():
            p.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            lib.autograd.grad(loss, [x], create_graph=create)


def test_anomaly_mode_names_the_function() -> None:
    class NanBack(symgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            return ga * float("nan")

    x = symgrad.tensor([1., 2.], requires_grad=True)
    a, b = NanBack.apply(x)
    with symgrad.autograd.detect_anomaly():
        with pytest.raises(RuntimeError, match="Function 'NanBackBackward' returned nan values in its 0th output"):
            (a + b).sum().backward()


def test_ctx_state_and_once_differentiable_see_one_call() -> None:
    from symgrad.autograd.function import once_differentiable

    for lib, once in ((symgrad, once_differentiable), (torch, torch.autograd.function.once_differentiable)):
        class Counted(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.calls = 0
                return x * 2, x * 3

            @staticmethod
            @once
            def backward(ctx, ga, gb):
                ctx.calls += 1
                assert ctx.calls == 1, "backward ran twice in one pass"
                return ga * 2 + gb * 3

        x = lib.tensor([1., 2.], requires_grad=True)
        a, b = Counted.apply(x)
        (a * b).sum().backward()
        assert x.grad.tolist() == pytest.approx([12., 24.])  # d(6 x**2)/dx


def test_no_reference_cycle_through_the_shared_node() -> None:
    MulBoth = mul_both(symgrad, [])  # (made once: a class is itself a cycle)

    def program() -> Any:
        x = symgrad.tensor([1., 2.], requires_grad=True)
        p, q, _ = MulBoth.apply(x, symgrad.tensor([3., 4.], requires_grad=True))
        node = weakref.ref(p.grad_fn.edges[0])
        (p * q).sum().backward()
        return node

    program()
    gc.collect()
    gc.disable()
    try:
        node = program()
        assert node() is None
        assert gc.collect() == 0
    finally:
        gc.enable()
