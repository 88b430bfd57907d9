"""PyTorch's autograd semantics, numbers and closed forms."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import sympy

import symgrad as sg


def leaf(v, name=None):
    return sg.tensor(v, requires_grad=True, name=name)


def test_gradients_accumulate_numbers_and_closed_forms():
    x = leaf(2.0)
    (x * x).backward()
    (x * x * x).backward()
    assert x.grad.item() == pytest.approx(4 + 12)
    assert sympy.expand(x.grad.expr - (2 * x.expr + 3 * x.expr**2)) == 0


def test_accumulation_is_in_place_without_create_graph():
    x = leaf(2.0)
    (x * 3).backward()
    g = x.grad
    (x * 3).backward()
    assert x.grad is g and g.item() == 6.0


def test_second_backward_needs_retain_graph():
    x = leaf(2.0)
    y = x.exp()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = leaf(2.0)
    y = x.exp()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.item() == pytest.approx(2 * np.exp(2.0))


def test_graph_without_saved_values_can_be_walked_twice():
    x = leaf(2.0)
    y = x + 1  # AddBackward0 saves nothing, as in PyTorch
    y.backward()
    y.backward()
    assert x.grad.item() == 2.0


def test_create_graph_gives_differentiable_gradients():
    x, y = leaf(2.0), leaf(3.0)
    z = x * x * y
    (gx,) = sg.autograd.grad(z, x, create_graph=True)
    assert gx.requires_grad and gx.grad_fn is not None
    (gxx,) = sg.autograd.grad(gx, x)
    assert gxx.item() == 6.0 and gxx.expr == 2 * y.expr


def test_third_derivative():
    x = leaf(0.5, "x")
    want = sympy.diff(sympy.sin(x.expr) * x.expr, x.expr, 3)  # sympy.diff as the oracle
    assert sympy.simplify(sg.diff(sg.sin(x) * x, (x, 3)) - want) == 0


def test_first_gradient_under_create_graph_is_a_copy():
    x = leaf(2.0)
    (x * x).backward(create_graph=True)
    assert type(x.grad.grad_fn).__name__ == "CopyBackwards"


def test_retain_grad_populates_non_leaf_grad():
    x = leaf(2.0)
    y = x * 3
    y.retain_grad()
    (y * y).backward()
    assert y.retains_grad
    assert y.grad.item() == 12.0
    assert y.grad.expr == 6 * x.expr


def test_non_leaf_grad_access_warns_and_is_none():
    x = leaf(2.0)
    y = x * 3
    y.backward()
    with pytest.warns(UserWarning, match="not a leaf Tensor"):
        assert y.grad is None


def test_hooks_see_and_replace_gradients():
    x = leaf(2.0, "x")
    seen = []
    x.register_hook(lambda g: seen.append(g.item()))
    y = x * x
    handle = y.register_hook(lambda g: g * 10)
    y.backward()
    assert seen == [40.0]
    assert x.grad.item() == 40.0 and x.grad.expr == 20 * x.expr
    handle.remove()
    x.grad = None
    (x * x).backward()
    assert x.grad.item() == 4.0


def test_hook_returning_wrong_shape_is_an_error():
    x = leaf([1.0, 2.0])
    x.register_hook(lambda g: g.sum())
    with pytest.raises(RuntimeError, match="hook"):
        (x * 2).sum().backward()


def test_hook_returning_a_non_tensor_or_another_dtype_is_an_error():
    # Found by review: a hook returning a number crashed with "'int' object has
    # no attribute 'shape'", and one returning float32 for a float64 gradient
    # was accepted; PyTorch raises for both.
    x = leaf([1.0, 2.0])
    handle = x.register_hook(lambda g: 3)
    with pytest.raises(TypeError, match="expected Tensor, but hook '<lambda>' returned 'int'"):
        (x * 2).sum().backward()
    handle.remove()
    y = x * 2
    y.register_hook(lambda g: g.float())
    with pytest.raises(RuntimeError, match=r"has changed the type of value \(was symgrad.float64 got symgrad.float32"):
        (y * y).sum().backward()


def test_detach_shares_memory_and_version_but_not_graph():
    x = leaf([1.0, 2.0])
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None
    with sg.no_grad():
        d.add_(1)
    assert y.tolist() == [3.0, 5.0]
    assert y._version == d._version == 1


def test_data_bypasses_the_version_counter():
    x = leaf([1.0, 2.0])
    y = x * 1
    z = y * y
    y.data.mul_(10)  # PyTorch lets .data changes through silently
    z.sum().backward()
    assert x.grad.tolist() == [20.0, 40.0]


def test_modified_saved_tensor_is_detected():
    x = leaf([1.0, 2.0])
    y = x * 1
    z = y.exp()
    with sg.no_grad():
        y.add_(1)
    z.sum().backward()  # exp saved its result, not y: fine
    w = y * y
    with sg.no_grad():
        y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        w.sum().backward()


def test_in_place_op_on_non_leaf_records_history():
    x = leaf(2.0, "x")
    y = x * 1
    y.mul_(x)
    y.add_(1)
    assert type(y.grad_fn).__name__ == "AddBackward0"
    y.backward()
    assert x.grad.item() == 4.0 and x.grad.expr == 2 * x.expr


def test_in_place_op_whose_rule_needs_the_old_value():
    x = leaf(0.5, "x")
    y = x * 2
    y.sin_()
    y.backward()
    assert x.grad.item() == pytest.approx(2 * np.cos(1.0))
    assert x.grad.expr == 2 * sympy.cos(2 * x.expr)


def test_no_grad_and_enable_grad():
    x = leaf(1.0)
    with sg.no_grad():
        y = x * 2
        with sg.enable_grad():
            z = x * 2
    assert not y.requires_grad and z.requires_grad
    assert sg.is_grad_enabled()


def test_no_grad_as_decorator_and_set_grad_enabled():
    x = leaf(1.0)

    @sg.no_grad()
    def f(t):
        return t * 2

    assert not f(x).requires_grad
    sg.set_grad_enabled(False)
    try:
        assert not (x * 2).requires_grad
    finally:
        sg.set_grad_enabled(True)
    with sg.set_grad_enabled(False):
        assert not sg.is_grad_enabled()
    assert sg.is_grad_enabled()


def test_bare_decorators_and_inference_mode():
    # Found reviewing as a PyTorch user: @torch.no_grad without parentheses
    # and torch.inference_mode() (in most PyTorch inference code) failed.
    x = leaf(1.0)

    @sg.no_grad
    def f(t):
        return t * 2

    @sg.enable_grad
    def g(t):
        return t * 2

    @sg.inference_mode
    def h(t):
        return t * 2

    assert f.__name__ == "f" and not f(x).requires_grad and not h(x).requires_grad
    with sg.no_grad():
        assert g(x).requires_grad
    with sg.inference_mode():
        assert not (x * 2).requires_grad and not sg.is_grad_enabled()
    with sg.inference_mode(False):
        assert (x * 2).requires_grad
    assert sg.is_grad_enabled()


def test_grad_mode_is_thread_local():
    seen = []
    with sg.no_grad():
        t = threading.Thread(target=lambda: seen.append(sg.is_grad_enabled()))
        t.start()
        t.join()
        assert not sg.is_grad_enabled()
    assert seen == [True]


def test_autograd_grad_does_not_touch_dot_grad():
    x = leaf(2.0)
    (g,) = sg.autograd.grad(x * x, x)
    assert g.item() == 4.0 and x.grad is None


def test_autograd_grad_unused_input():
    x, y = leaf(2.0), leaf(3.0)
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        sg.autograd.grad(x * 2, [x, y])
    gx, gy = sg.autograd.grad(x * 2, [x, y], allow_unused=True)
    assert gx.item() == 2.0 and gy is None
    _, gy = sg.autograd.grad(x * 2, [x, y], materialize_grads=True)
    assert gy.item() == 0.0


def test_autograd_grad_of_non_leaf_input():
    x = leaf(2.0, "x")
    y = x * x
    (gy,) = sg.autograd.grad(y * 3, y)
    assert gy.item() == 3.0


def test_grad_with_terms_matches_grad():
    # code generation's pass: the same numbers and closed forms as grad's (numeric pass, then replay)
    from symgrad.autograd.engine import grad_with_terms

    x, y, u = leaf(2.0, "x"), leaf(3.0, "y"), leaf(1.0, "u")
    z = sg.sin(x * y) + x + y + (x * x).exp()
    expected = sg.autograd.grad(z, [x, y, u], retain_graph=True, allow_unused=True, materialize_grads=True)
    got = grad_with_terms(z, [x, y, u], allow_unused=True, materialize_grads=True)
    for e, g in zip(expected, got):
        assert g.item() == e.item() and str(g.expr) == str(e.expr)
    a, b = grad_with_terms(x + y, [x, y])  # add passes one gradient to both inputs: two tensors all the same
    assert a is not b and a._value is not b._value
    assert grad_with_terms(x * y, [x, y])[0] is not None and grad_with_terms(z, [x])[0].item() == expected[0].item()


def test_grad_with_terms_checks_versions():
    from symgrad.autograd.engine import grad_with_terms

    x = leaf(2.0, "x")
    a = x * 2.0
    b = a * a  # saves a
    a.mul_(3.0)
    with pytest.raises(RuntimeError, match="modified by an inplace"):
        grad_with_terms(b, [x])


def test_autograd_grad_with_grad_outputs():
    x = leaf([1.0, 2.0], "x")
    (g,) = sg.autograd.grad(x * x, x, grad_outputs=sg.tensor([1.0, 10.0]))
    assert g.tolist() == [2.0, 40.0]


def test_backward_inputs_limits_accumulation():
    x, y = leaf(2.0), leaf(3.0)
    (x * y).backward(inputs=[x])
    assert x.grad.item() == 3.0 and y.grad is None


def test_backward_on_a_leaf():
    x = leaf(2.0)
    x.backward()
    assert x.grad.item() == 1.0


def test_gradient_argument_for_non_scalar_output():
    x = leaf([1.0, 2.0], "x")
    (x * x).backward(sg.tensor([1.0, 0.5]))
    assert x.grad.tolist() == [2.0, 2.0]
    assert [str(e) for e in x.grad.expr] == ["2*x[0]", "1.0*x[1]"]


def test_reused_node_gets_the_summed_gradient():
    x = leaf(1.5)
    y = x * 2
    total = y
    for _ in range(99):
        total = total + y
    total.backward()
    assert x.grad.item() == 200.0


def test_grad_fn_graph_structure():
    x, y = leaf(1.0), leaf(2.0)
    z = x * y + x
    assert type(z.grad_fn).__name__ == "AddBackward0"
    (mul, _), (acc, _) = z.grad_fn.next_functions
    assert type(mul).__name__ == "MulBackward0"
    assert acc.name() == "torch::autograd::AccumulateGrad" and acc.variable is x
    assert z.grad_fn.name() == "AddBackward0"


def test_is_leaf_and_requires_grad_rules():
    x = sg.tensor(1.0)
    assert x.is_leaf and not x.requires_grad
    x.requires_grad_()
    assert x.is_leaf and x.requires_grad
    y = x * 2
    assert not y.is_leaf
    with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf"):
        y.requires_grad_(False)


def test_closed_form_dropped_after_many_accumulations():
    from symgrad.autograd.engine import MAX_ACCUMULATED_CLOSED_FORMS

    x = leaf(1.0)
    for _ in range(MAX_ACCUMULATED_CLOSED_FORMS + 1):
        (x * 2).backward()
    assert x.grad.item() == 2.0 * (MAX_ACCUMULATED_CLOSED_FORMS + 1)
    with pytest.raises(RuntimeError, match="closed form of this gradient was not kept"):
        _ = x.grad.expr
    x.grad = None
    (x * 2).backward()
    assert x.grad.expr == 2


@pytest.mark.parametrize("fn, x, want", [
    (sg.relu, 0.0, 0.0), (sg.abs, 0.0, 0.0),
    (lambda t: sg.clamp(t, 0.0, 1.0), 0.0, 1.0), (lambda t: sg.clamp(t, 0.0, 1.0), 1.0, 1.0),
    (lambda t: sg.maximum(t, sg.tensor(1.0)), 1.0, 0.5), (lambda t: sg.minimum(t, sg.tensor(1.0)), 1.0, 0.5),
    (sg.sign, 0.0, 0.0), (sg.sqrt, 0.0, float("inf")),
])
def test_non_differentiable_points_follow_pytorch(fn, x, want):
    t = leaf(x)
    fn(t).backward()
    assert t.grad.item() == want


def test_ties_in_max_share_evenly_and_max_dim_picks_the_index():
    x = leaf([1.0, 3.0, 3.0])
    x.max().backward()
    assert x.grad.tolist() == [0.0, 0.5, 0.5]
    y = leaf([[1.0, 3.0, 3.0]])
    y.max(1).values.sum().backward()
    assert y.grad.tolist() == [[0.0, 1.0, 0.0]]


def test_conventions_match_pytorch():
    torch = pytest.importorskip("torch")
    cases = [("relu", 0.0), ("abs", 0.0), ("sign", 0.0)]
    for name, v in cases:
        t = torch.tensor(v, dtype=torch.float64, requires_grad=True)
        getattr(torch, name)(t).backward()
        s = leaf(v)
        getattr(sg, name)(s).backward()
        assert s.grad.item() == t.grad.item(), name
    t = torch.tensor([1.0, 3.0, 3.0], dtype=torch.float64, requires_grad=True)
    t.max().backward()
    s = leaf([1.0, 3.0, 3.0])
    s.max().backward()
    assert s.grad.tolist() == t.grad.tolist()
    t = torch.tensor([[1.0, 3.0, 3.0]], dtype=torch.float64, requires_grad=True)
    t.max(1).values.sum().backward()
    s = leaf([[1.0, 3.0, 3.0]])
    s.max(1).values.sum().backward()
    assert s.grad.tolist() == t.grad.tolist()
    for lo, hi, v in ((0.0, 1.0, 0.0), (0.0, 1.0, 1.0)):
        t = torch.tensor(v, dtype=torch.float64, requires_grad=True)
        t.clamp(lo, hi).backward()
        s = leaf(v)
        s.clamp(lo, hi).backward()
        assert s.grad.item() == t.grad.item()


def test_relu_closed_form_is_correct_away_from_the_point():
    x = leaf(2.0, "x")
    sg.relu(x).backward()
    assert x.grad.expr.subs(x.expr, -1) == 0 and x.grad.expr.subs(x.expr, 1) == 1


def test_gradients_keep_their_inputs_dtype_next_to_a_wider_constant():
    # float32 * a 0-d float64 tensor is float32 (PyTorch's promotion), but NumPy computed the rule g * 2.0
    # in float64: autograd.grad returned float64 for a float32 leaf, and hooks saw float64 gradients
    w = sg.tensor([1., 2.], dtype=sg.float32, requires_grad=True)
    assert sg.autograd.grad((w * sg.tensor(2.)).sum(), w)[0].dtype is sg.float32
    seen = []
    h = w * 1
    h.register_hook(lambda g: seen.append(g.dtype))
    (h * sg.tensor(2.) + h / sg.tensor(3.)).sum().backward()
    assert seen == [sg.float32] and w.grad.dtype is sg.float32


def test_grad_takes_pytorchs_is_grads_batched_and_only_inputs():
    # Found by review: autograd.grad had no is_grads_batched (nor only_inputs),
    # so PyTorch's Jacobian idiom grad(y, x, eye(n), is_grads_batched=True) failed.
    x = leaf([1.0, 2.0])
    z = leaf(3.0)
    y = x ** 2
    jx, jz = sg.autograd.grad([y, (x * z).sum()], [x, z], [sg.eye(2), sg.tensor([1.0, 2.0])],
                              is_grads_batched=True, retain_graph=True)
    assert jx.tolist() == [[5.0, 3.0], [6.0, 10.0]] and jz.tolist() == [3.0, 6.0]  # PyTorch's numbers
    assert sg.autograd.grad(y, [x, z], sg.eye(2), is_grads_batched=True, allow_unused=True,
                            retain_graph=True)[1] is None
    with pytest.raises(RuntimeError, match="not have been used in the graph"):
        sg.autograd.grad(y, [x, z], sg.eye(2), is_grads_batched=True, retain_graph=True)
    with pytest.raises(RuntimeError, match=r"first dimension of each grad_output as the batch"):
        sg.autograd.grad(y, x, sg.ones(2), is_grads_batched=True, retain_graph=True)
    (j,) = sg.autograd.grad(y, x, sg.eye(2), is_grads_batched=True, create_graph=True)
    assert str(j.expr) == "[[2*x[0], 0], [0, 2*x[1]]]"
    assert sg.autograd.grad(j.sum(), x)[0].tolist() == [2.0, 2.0]
    y = x ** 2
    sg.autograd.grad(y, x, sg.eye(2), is_grads_batched=True)
    with pytest.raises(RuntimeError, match="second time"):  # the last vector freed the graph
        sg.autograd.grad(y, x, sg.ones(2))
    with pytest.warns(FutureWarning, match="only_inputs argument is deprecated"):
        assert sg.autograd.grad((x * x).sum(), x, only_inputs=False)[0].tolist() == [2.0, 4.0]


def _sum_of_uses(lib, coefs, shared):
    """x's gradient through several uses whose sum rounds differently in another order."""
    x = lib.tensor(0.1, dtype=lib.float64, requires_grad=True)
    h = x * 1.0 if shared else x
    uses = [h * c for c in coefs]
    z = uses[-1]
    for u in reversed(uses[:-1]):
        z = u + z if shared else z + u
    z.backward()
    return x.grad.item()


def test_gradients_are_summed_in_pytorchs_order_to_the_bit():
    # PyTorch's engine runs the ready node with the highest sequence number first; symgrad's
    # order is by creation number too (Node.seq), so the partial sums are PyTorch's. (The
    # depth-first order it replaced disagreed in the last bit in about half of these cases.)
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    choices = [1e16, -1e16, 1.0, 0.3, 0.7, 3.3, -2.2, 1e-3]
    for _ in range(100):
        coefs = [float(c) for c in rng.choice(choices, size=6)]
        for shared in (False, True):
            assert _sum_of_uses(sg, coefs, shared) == _sum_of_uses(torch, coefs, shared), (coefs, shared)
