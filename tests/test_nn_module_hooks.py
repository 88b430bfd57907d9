"""Module hooks (forward pre-hooks, forward hooks, full backward pre-hooks and
backward hooks, global hooks) against PyTorch's: the order they run in, what
they see, what their results replace, removal, and the errors for bad
results."""

from __future__ import annotations

import copy
import pickle
import warnings
from collections import OrderedDict

import numpy as np
import pytest

import symgrad
from symgrad import nn
from symgrad.nn import module as module_mod


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _libs(torch):
    return [(symgrad, nn), (torch, torch.nn)]


def _np(t):
    return None if t is None else np.asarray(t.detach().numpy(), dtype=np.float64)


def _same(a, b):
    """Nested tuples/lists of arrays (or None, or plain values) equal within float32 rounding."""
    if isinstance(a, (tuple, list)):
        return isinstance(b, (tuple, list)) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return a is not None and b is not None and a.shape == b.shape and np.allclose(a, b, rtol=1e-5, atol=1e-6)
    return a == b


def _grads(gs):
    return tuple(_np(g) for g in gs)


def _set_params(lib, module):
    with lib.no_grad():
        for i, p in enumerate(module.parameters()):
            p.copy_(lib.tensor(np.linspace(-1.0, 1.0, p.numel()).reshape(tuple(p.shape)) * (i + 1)))
    return module


class _Scale:
    """A picklable hook (module-level class) that scales a forward's output."""

    def __init__(self, k):
        self.k = k

    def __call__(self, module, args, output):
        return output * self.k


def _describe(x):
    if hasattr(x, "shape") and hasattr(x, "detach"):
        return ("T", tuple(x.shape))
    if isinstance(x, tuple):
        return tuple(_describe(v) for v in x)
    if isinstance(x, dict):
        return {k: _describe(v) for k, v in x.items()}
    return x


# ---------------------------------------------------------------- forward hooks


def test_forward_hooks_order_arguments_and_results_match_torch(torch):
    results = []

    def one(lib, tnn):
        seq = _set_params(lib, tnn.Sequential(tnn.Linear(2, 2), tnn.Tanh()))
        log = []
        for name, m in seq.named_modules():
            m.register_forward_pre_hook(lambda m, args, name=name: log.append(("pre", name, _describe(args))))
            m.register_forward_hook(lambda m, args, out, name=name: log.append(("fwd", name, _describe(args),
                                                                               _describe(out))))
        out = seq(lib.ones(3, 2))
        results.append((log, _np(out)))

    for lib, tnn in _libs(torch):
        one(lib, tnn)
    assert results[0][0] == results[1][0]
    assert results[0][0][0] == ("pre", "", (("T", (3, 2)),))
    assert _same(results[0][1], results[1][1])


def test_pre_hook_replaces_arguments_non_tuple_is_wrapped(torch):
    outs = []

    def one(lib, tnn):
        layer = _set_params(lib, tnn.Linear(2, 1))
        seen = []
        layer.register_forward_pre_hook(lambda m, args: args[0] * 2)  # a tensor: wrapped in a tuple
        layer.register_forward_pre_hook(lambda m, args: seen.append(type(args).__name__))
        layer.register_forward_hook(lambda m, args, out: seen.append(_np(args[0]).tolist()))
        outs.append((_np(layer(lib.ones(1, 2))), seen))

    for lib, tnn in _libs(torch):
        one(lib, tnn)
    assert _same(outs[0][0], outs[1][0])
    assert outs[0][1] == outs[1][1] == ["tuple", [[2.0, 2.0]]]


def test_forward_hook_replaces_output_and_hooks_chain(torch):
    outs = []

    def one(lib, tnn):
        layer = _set_params(lib, tnn.Linear(1, 1))
        layer.register_forward_hook(lambda m, args, out: out + 1)
        layer.register_forward_hook(lambda m, args, out: None)
        layer.register_forward_hook(lambda m, args, out: out * 10)
        x = lib.tensor([[2.0]], requires_grad=True)
        y = layer(x)
        y.sum().backward()
        outs.append((_np(y), _np(x.grad)))

    for lib, tnn in _libs(torch):
        one(lib, tnn)
    assert _same(outs[0], outs[1])


def test_prepend_order(torch):
    logs = []

    def one(lib, tnn):
        m = tnn.Identity()
        log = []
        m.register_forward_pre_hook(lambda m, a: log.append("pre1"))
        m.register_forward_pre_hook(lambda m, a: log.append("pre0"), prepend=True)
        m.register_forward_hook(lambda m, a, o: log.append("fwd1"))
        m.register_forward_hook(lambda m, a, o: log.append("fwd0"), prepend=True)
        m.register_forward_hook(lambda m, a, o: log.append("fwd2"))
        m.register_full_backward_pre_hook(lambda m, go: log.append("bpre1"))
        m.register_full_backward_pre_hook(lambda m, go: log.append("bpre0"), prepend=True)
        m.register_full_backward_hook(lambda m, gi, go: log.append("b1"))
        m.register_full_backward_hook(lambda m, gi, go: log.append("b0"), prepend=True)
        m(lib.ones(2, requires_grad=True)).sum().backward()
        logs.append(log)

    for lib, tnn in _libs(torch):
        one(lib, tnn)
    assert logs[0] == logs[1] == ["pre0", "pre1", "fwd0", "fwd1", "fwd2", "bpre0", "bpre1", "b0", "b1"]


def test_removal_and_context_manager():
    m = nn.Identity()
    log = []
    h1 = m.register_forward_hook(lambda m, a, o: log.append(1))
    with m.register_forward_hook(lambda m, a, o: log.append(2), with_kwargs=False, always_call=True) as h2:
        assert list(m._forward_hooks) == [h1.id, h2.id]
        assert h2.id in m._forward_hooks_always_called
        m(symgrad.ones(1))
    assert list(m._forward_hooks) == [h1.id] and not m._forward_hooks_always_called
    m(symgrad.ones(1))
    h1.remove()
    h1.remove()  # again: nothing happens
    m(symgrad.ones(1))
    assert log == [1, 2, 1]
    for name in ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks",
                 "_forward_hooks_with_kwargs", "_forward_pre_hooks_with_kwargs", "_forward_hooks_always_called"):
        assert isinstance(getattr(m, name), OrderedDict) and not getattr(m, name)
    hb = m.register_full_backward_hook(lambda *a: None)
    hp = m.register_full_backward_pre_hook(lambda *a: None)
    assert list(m._backward_hooks) == [hb.id] and list(m._backward_pre_hooks) == [hp.id]
    hb.remove()
    hp.remove()
    assert not m._backward_hooks and not m._backward_pre_hooks


class _KwModule:
    @staticmethod
    def make(tnn):
        class Kw(tnn.Module):
            def forward(self, x, scale=1.0):
                return x * scale
        return Kw()


def test_with_kwargs_hooks(torch):
    results = []

    def one(lib, tnn):
        m = _KwModule.make(tnn)
        log = []

        def pre(mod, args, kwargs):
            log.append(("pre", _describe(args), dict(kwargs)))
            return (args[0] + 1,), {"scale": kwargs["scale"] * 2}

        def post(mod, args, kwargs, out):
            log.append(("post", _describe(args), dict(kwargs)))
            return out - 1

        m.register_forward_pre_hook(pre, with_kwargs=True)
        m.register_forward_hook(post, with_kwargs=True)
        m.register_forward_hook(lambda mod, args, out: log.append(("plain", _np(out).tolist())))
        out = m(lib.ones(2), scale=3.0)
        results.append((log, _np(out).tolist()))

    for lib, tnn in _libs(torch):
        one(lib, tnn)
    assert results[0] == results[1]
    assert results[0][1] == [11.0, 11.0]


@pytest.mark.parametrize("bad", [5, (1, 2, 3), None])
def test_with_kwargs_pre_hook_bad_result(torch, bad):
    messages = []

    def one(lib, tnn):
        m = tnn.Identity()
        m.register_forward_pre_hook(lambda mod, args, kwargs: bad if bad is not None else [args, kwargs],
                                    with_kwargs=True)
        with pytest.raises(RuntimeError) as e:
            m(lib.ones(1))
        messages.append(str(e.value))

    for lib, tnn in _libs(torch):
        one(lib, tnn)
    assert messages[0] == messages[1]
    assert messages[0].startswith("forward pre-hook must return None or a tuple of (new_args, new_kwargs)")


def _raising(tnn):
    class Boom(tnn.Module):
        def forward(self, x):
            raise ValueError("boom")
    return Boom()


def test_always_call_runs_when_forward_raises(torch):
    logs = []

    def one(lib, tnn):
        m = _raising(tnn)
        log = []
        m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
        m.register_forward_hook(lambda mod, args, out: log.append("never"))
        m.register_forward_hook(lambda mod, args, out: log.append(("always", _np(args[0]).tolist(), out)),
                                always_call=True)
        m.register_forward_hook(lambda mod, args, kwargs, out: log.append(("always-kw", dict(kwargs), out)),
                                always_call=True, with_kwargs=True)

        def bad(mod, args, out):
            raise KeyError("inner")

        m.register_forward_hook(bad, always_call=True)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            with pytest.raises(ValueError, match="boom"):
                m(lib.ones(1))
        log.append([str(x.message) for x in w])
        logs.append(log)

    for lib, tnn in _libs(torch):
        one(lib, tnn)
    assert logs[0] == logs[1]
    assert logs[0][:2] == [("always", [2.0], None), ("always-kw", {}, None)]
    assert "raised an exception that was silenced" in logs[0][2][0]


def test_always_call_hook_runs_once_when_a_later_hook_raises(torch):
    logs = []

    def one(lib, tnn):
        m = tnn.Identity()
        log = []
        m.register_forward_hook(lambda mod, args, out: log.append("always"), always_call=True)

        def bad(mod, args, out):
            raise ValueError("hook failed")

        m.register_forward_hook(bad)
        with pytest.raises(ValueError, match="hook failed"):
            m(lib.ones(1))
        logs.append(log)

    for lib, tnn in _libs(torch):
        one(lib, tnn)
    assert logs[0] == logs[1] == ["always"]


def test_global_forward_hooks(torch):
    results = []

    def one(lib, tnn, where):
        seq = tnn.Sequential(tnn.Linear(1, 1), tnn.Tanh())
        log = []
        seq[0].register_forward_pre_hook(lambda m, a: log.append(("own-pre", type(m).__name__)))
        seq[0].register_forward_hook(lambda m, a, o: log.append(("own", type(m).__name__)))
        h1 = where.register_module_forward_pre_hook(lambda m, a: log.append(("pre", type(m).__name__)))
        h2 = where.register_module_forward_hook(lambda m, a, o: log.append(("fwd", type(m).__name__)))
        try:
            seq(lib.ones(1, 1))
        finally:
            h1.remove()
            h2.remove()
        seq(lib.ones(1, 1))
        results.append(log)

    for lib, tnn, where in [(symgrad, nn, module_mod), (torch, torch.nn, torch.nn.modules.module)]:
        one(lib, tnn, where)
    assert results[0] == results[1]
    assert results[0][:3] == [("pre", "Sequential"), ("pre", "Linear"), ("own-pre", "Linear")]


def test_global_full_backward_hooks(torch):
    results = []

    def one(lib, tnn, where):
        seq = _set_params(lib, tnn.Sequential(tnn.Linear(2, 2), tnn.Tanh()))
        log = []
        seq[0].register_full_backward_hook(lambda m, gi, go: log.append(("own", type(m).__name__)))
        h1 = where.register_module_full_backward_pre_hook(lambda m, go: log.append(("pre", type(m).__name__,
                                                                                    _grads(go))))
        h2 = where.register_module_full_backward_hook(lambda m, gi, go: log.append(("full", type(m).__name__,
                                                                                    _grads(gi), _grads(go))))
        try:
            seq(lib.ones(1, 2, requires_grad=True)).sum().backward()
        finally:
            h1.remove()
            h2.remove()
        results.append(log)

    for lib, tnn, where in [(symgrad, nn, module_mod), (torch, torch.nn, torch.nn.modules.module)]:
        one(lib, tnn, where)
    assert _same(results[0], results[1])
    order = [r[:2] for r in results[0]]
    assert order.index(("full", "Linear")) + 1 == order.index(("own", "Linear"))  # global hooks first
    assert order[0] == ("pre", "Sequential") and order[-1] == ("full", "Sequential")


# ---------------------------------------------------------------- backward hooks


def _backward_log(lib, tnn, module, inputs, out_index=None):
    log = []
    for name, m in module.named_modules():
        m.register_full_backward_pre_hook(lambda m, go, name=name: log.append(("pre", name, _grads(go))))
        m.register_full_backward_hook(lambda m, gi, go, name=name: log.append(("full", name, _grads(gi), _grads(go))))
    out = module(*inputs)
    loss = (out if out_index is None else out[out_index]).sum()
    loss.backward()
    leaves = [_np(x.grad) if isinstance(x, lib.Tensor) and x.requires_grad else None for x in inputs]
    params = [_np(p.grad) for p in module.parameters()]
    return log, leaves, params


def test_backward_hooks_on_linear(torch):
    res = []

    def one(lib, tnn):
        layer = _set_params(lib, tnn.Linear(3, 2))
        x = lib.tensor([[1.0, -2.0, 0.5], [0.0, 1.0, 2.0]], requires_grad=True)
        res.append(_backward_log(lib, tnn, layer, [x]))

    for lib, tnn in _libs(torch):
        one(lib, tnn)
    assert _same(res[0], res[1])
    log = res[0][0]
    assert [e[:2] for e in log] == [("pre", ""), ("full", "")]
    assert isinstance(log[1][2], tuple) and isinstance(log[1][3], tuple)


def test_backward_hooks_on_sequential_linear_tanh(torch):
    res = []

    def one(lib, tnn):
        seq = _set_params(lib, tnn.Sequential(tnn.Linear(2, 3), tnn.Tanh(), tnn.Linear(3, 1)))
        x = lib.tensor([[1.0, 2.0], [0.5, -1.0]], requires_grad=True)
        res.append(_backward_log(lib, tnn, seq, [x]))

    for lib, tnn in _libs(torch):
        one(lib, tnn)
    assert _same(res[0], res[1])
    assert [e[:2] for e in res[0][0]] == [("pre", ""), ("pre", "2"), ("full", "2"), ("pre", "1"), ("full", "1"),
                                          ("pre", "0"), ("full", "0"), ("full", "")]


def test_backward_hooks_input_not_requiring_grad_is_a_tensor_of_zeros_as_in_torch(torch):
    # grad_input of a tensor input that does not require grad (while another does): PyTorch gives zeros
    def make(tnn):
        class Two(tnn.Module):
            def __init__(self):
                super().__init__()
                self.lin = tnn.Linear(2, 2)

            def forward(self, a, b, flag=True):
                return self.lin(a) * b, b * 3, "text"
        return Two()

    res = []

    def one(lib, tnn):
        m = _set_params(lib, make(tnn))
        a = lib.tensor([[1.0, 2.0]], requires_grad=True)
        b = lib.tensor([[3.0, -1.0]])
        res.append(_backward_log(lib, tnn, m, [a, b, 7], out_index=0))

    for lib, tnn in _libs(torch):
        one(lib, tnn)
    assert _same(res[0], res[1])
    top = [e for e in res[0][0] if e[1] == ""]
    assert top[0][2][1:] == (None, None)       # grad_output: the unused output and the string
    assert np.all(top[1][2][1] == 0) and top[1][2][2] is None  # grad_input: zeros for b, None for 7


def test_backward_hooks_unused_output_gets_none(torch):
    def make(tnn):
        class Split(tnn.Module):
            def forward(self, x):
                return x * 2, x * 3
        return Split()

    res = []

    def one(lib, tnn):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        res.append(_backward_log(lib, tnn, make(tnn), [x], out_index=1))

    for lib, tnn in _libs(torch):
        one(lib, tnn)
    assert _same(res[0], res[1])
    assert res[0][0][0][2][0] is None


def test_modified_grad_input_changes_the_leaves_grads(torch):
    res = []

    def one(lib, tnn):
        layer = _set_params(lib, tnn.Linear(2, 1))
        layer.register_full_backward_hook(lambda m, gi, go: (gi[0] * 10,))
        x = lib.tensor([[1.0, 2.0]], requires_grad=True)
        layer(x).sum().backward()
        res.append((_np(x.grad), _np(layer.weight.grad)))

    for lib, tnn in _libs(torch):
        one(lib, tnn)
    assert _same(res[0], res[1])
    assert np.allclose(res[0][0], [[-10.0, 10.0]])  # the weight (linspace(-1, 1)) * 10
    assert np.allclose(res[0][1], [[1.0, 2.0]])  # the weight's own gradient unchanged


def test_modified_grad_output_changes_everything_below(torch):
    res = []

    def one(lib, tnn):
        seq = _set_params(lib, tnn.Sequential(tnn.Linear(2, 2), tnn.Tanh()))
        seq[1].register_full_backward_pre_hook(lambda m, go: (go[0] * -2,))
        x = lib.tensor([[1.0, 2.0]], requires_grad=True)
        seq(x).sum().backward()
        res.append((_np(x.grad), [_np(p.grad) for p in seq.parameters()]))

    for lib, tnn in _libs(torch):
        one(lib, tnn)
    assert _same(res[0], res[1])


def test_backward_hooks_fire_once_per_backward(torch):
    counts = []

    def one(lib, tnn):
        seq = _set_params(lib, tnn.Sequential(tnn.Linear(2, 2), tnn.Tanh()))
        n = {"pre": 0, "full": 0}
        seq.register_full_backward_pre_hook(lambda m, go: n.__setitem__("pre", n["pre"] + 1))
        seq.register_full_backward_hook(lambda m, gi, go: n.__setitem__("full", n["full"] + 1))
        x = lib.ones(3, 2, requires_grad=True)
        y = seq(x).sum()
        y.backward(retain_graph=True)
        _ = x.grad.expr if lib is symgrad else None  # the closed form: no second call of the hooks
        y.backward()
        counts.append(dict(n))

    for lib, tnn in _libs(torch):
        one(lib, tnn)
    assert counts[0] == counts[1] == {"pre": 2, "full": 2}


def test_hooks_registered_at_call_time_are_the_ones_that_fire(torch):
    logs = []

    def one(lib, tnn):
        m = tnn.Tanh()
        log = []
        h = m.register_full_backward_hook(lambda mod, gi, go: log.append("old"))
        y = m(lib.ones(1, requires_grad=True))
        h.remove()
        m.register_full_backward_hook(lambda mod, gi, go: log.append("new"))
        y.sum().backward()
        logs.append(log)

    for lib, tnn in _libs(torch):
        one(lib, tnn)
    assert logs[0] == logs[1] == ["old"]


def test_closed_forms_survive_backward_hooks_that_change_nothing():
    seq = nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 1))
    x = symgrad.tensor([[1.0, 2.0]], requires_grad=True)

    def run():
        seq.zero_grad()
        x.grad = None
        y = seq(x)
        y.sum().backward()
        return y, x.grad, [p.grad for p in seq.parameters()]

    y0, gx0, gp0 = run()
    for m in seq.modules():
        m.register_full_backward_pre_hook(lambda m, go: None)
        m.register_full_backward_hook(lambda m, gi, go: None)
        m.register_forward_hook(lambda m, a, o: None)
    y1, gx1, gp1 = run()
    assert y1.grad_fn.name() == "BackwardHookFunctionBackward"
    assert str(y0.expr) == str(y1.expr) and "tanh" in str(y1.expr)
    assert str(gx0.expr) == str(gx1.expr) and "tanh" in str(gx1.expr)
    for g0, g1 in zip(gp0, gp1):
        assert str(g0.expr) == str(g1.expr)
        assert np.array_equal(g0.numpy(), g1.numpy())


def test_closed_form_of_a_changed_gradient():
    layer = nn.Linear(1, 1)
    layer.register_full_backward_hook(lambda m, gi, go: (gi[0] * 3,))
    x = symgrad.tensor([[2.0]], requires_grad=True)
    layer(x).sum().backward()
    assert str(x.grad.expr) == str((3 * layer.weight).expr)


def test_no_input_requires_grad_fires_with_outputs_and_warns(torch):
    res = []

    def one(lib, tnn):
        layer = _set_params(lib, tnn.Linear(2, 1))
        log = []
        layer.register_full_backward_hook(lambda m, gi, go: log.append((gi, _grads(go))))
        with pytest.warns(UserWarning, match="no inputs require gradients"):
            layer(lib.ones(1, 2)).sum().backward()
        res.append((log, _np(layer.weight.grad)))

    for lib, tnn in _libs(torch):
        one(lib, tnn)
    assert _same(res[0], res[1])
    assert res[0][0][0][0] == (None,)


def test_no_input_requires_grad_hook_must_not_return_gradients(torch):
    messages = []

    def one(lib, tnn):
        layer = tnn.Linear(2, 1)
        layer.register_full_backward_hook(lambda m, gi, go: (lib.ones(1, 2),))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(RuntimeError) as e:
                layer(lib.ones(1, 2)).sum().backward()
        messages.append(str(e.value))

    for lib, tnn in _libs(torch):
        one(lib, tnn)
    assert messages[0] == messages[1]


def test_no_hooks_fire_without_grad(torch):
    def one(lib, tnn):
        layer = tnn.Linear(2, 1)
        log = []
        layer.register_full_backward_hook(lambda m, gi, go: log.append(1))
        with lib.no_grad():
            y = layer(lib.ones(1, 2, requires_grad=True))
        assert y.grad_fn is None and not log

    for lib, tnn in _libs(torch):
        one(lib, tnn)


@pytest.mark.parametrize("which", ["full", "pre"])
def test_wrong_number_of_gradients_returned(torch, which):
    messages = []

    def one(lib, tnn):
        layer = tnn.Linear(2, 1)
        if which == "full":
            layer.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
        else:
            layer.register_full_backward_pre_hook(lambda m, go: (go[0], go[0]))
        with pytest.raises(RuntimeError) as e:
            layer(lib.ones(1, 2, requires_grad=True)).sum().backward()
        messages.append(str(e.value))

    for lib, tnn in _libs(torch):
        one(lib, tnn)
    assert messages[0] == messages[1]
    assert "returned an invalid number of grad_" in messages[0]


def test_non_tuple_gradients_returned_are_refused():
    layer = nn.Linear(2, 1)
    layer.register_full_backward_hook(lambda m, gi, go: gi[0])
    with pytest.raises(TypeError, match="must return None or a tuple of grad_input"):
        layer(symgrad.ones(1, 2, requires_grad=True)).sum().backward()
    layer = nn.Linear(2, 1)
    layer.register_full_backward_pre_hook(lambda m, go: 3)
    with pytest.raises(TypeError, match="must return None or a tuple of grad_output"):
        layer(symgrad.ones(1, 2, requires_grad=True)).sum().backward()


def test_wrong_shape_returned(torch):
    # PyTorch: "hook 'hook' has changed the size of value"; symgrad names the shapes

    def one(lib, tnn):
        layer = tnn.Linear(2, 1)
        layer.register_full_backward_hook(lambda m, gi, go: (lib.ones(3, 3),))
        with pytest.raises(RuntimeError, match="changed the size|invalid gradient at index 0 - got \\[3, 3\\]"):
            layer(lib.ones(1, 2, requires_grad=True)).sum().backward()

    for lib, tnn in _libs(torch):
        one(lib, tnn)


def test_in_place_change_of_an_input_in_forward_is_refused_as_in_torch(torch):
    messages = []

    def one(lib, tnn):
        m = tnn.ReLU(inplace=True)
        m.register_full_backward_hook(lambda mod, gi, go: None)
        x = lib.tensor([-1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError) as e:
            m(x * 1)
        messages.append(str(e.value))

    for lib, tnn in _libs(torch):
        one(lib, tnn)
    assert messages[0] == messages[1]


def test_outputs_are_copies_in_place_changes_allowed():
    # PyTorch refuses an in-place change of an output of a module with backward hooks; here it is a
    # tensor of its own, and the gradients stay right
    layer = nn.Linear(1, 1)
    nn.init.constant_(layer.weight, 2.0)
    seen = []
    layer.register_full_backward_hook(lambda m, gi, go: seen.append(go[0].item()))
    x = symgrad.tensor([[1.0]], requires_grad=True)
    y = layer(x)
    y.mul_(5)
    y.sum().backward()
    assert seen == [5.0] and x.grad.item() == 10.0


def test_non_tensor_output_warns(torch):
    def one(lib, tnn):
        class Dict(tnn.Module):
            def forward(self, x):
                return {"y": x * 2}
        m = Dict()
        m.register_full_backward_hook(lambda *a: None)
        with pytest.warns(UserWarning, match="module output should be a Tensor or a tuple of Tensors"):
            out = m(lib.ones(1, requires_grad=True))
        out["y"].sum().backward()

    for lib, tnn in _libs(torch):
        one(lib, tnn)


def test_register_backward_hook_is_refused():
    with pytest.raises(NotImplementedError, match="register_full_backward_hook"):
        nn.Linear(1, 1).register_backward_hook(lambda m, gi, go: None)


def test_hook_must_be_callable():
    with pytest.raises(TypeError, match="callable"):
        nn.Linear(1, 1).register_forward_hook(3)


# ---------------------------------------------------------------- copies, pickling, state_dict


def test_hooks_survive_deepcopy_and_pickle_state_dict_unaffected():
    layer = nn.Linear(1, 1)
    nn.init.constant_(layer.weight, 1.0)
    nn.init.constant_(layer.bias, 0.0)
    handle = layer.register_forward_hook(_Scale(3), always_call=True)
    before = list(layer.state_dict())
    for clone in (copy.deepcopy(layer), pickle.loads(pickle.dumps(layer))):
        assert list(clone._forward_hooks) == [handle.id] and handle.id in clone._forward_hooks_always_called
        assert clone(symgrad.tensor([[2.0]])).item() == 6.0
        assert list(clone.state_dict()) == before
    handle.remove()
    assert layer(symgrad.tensor([[2.0]])).item() == 2.0
    assert list(layer.state_dict()) == before == ["weight", "bias"]


def test_module_pickled_without_hook_registries_loads():
    layer = nn.Linear(1, 1)
    state = dict(layer.__dict__)
    for name in module_mod._HOOK_DICTS:
        del state[name]
    fresh = nn.Linear.__new__(nn.Linear)
    fresh.__setstate__(state)
    assert fresh._forward_hooks == OrderedDict() and fresh._is_full_backward_hook is None
    assert fresh(symgrad.ones(1, 1)).shape == (1, 1)


def test_handle_pickles_with_its_module():
    layer = nn.Linear(1, 1)
    handle = layer.register_forward_hook(_Scale(2))
    layer2, handle2 = pickle.loads(pickle.dumps((layer, handle)))
    assert handle2.id == handle.id and list(layer2._forward_hooks) == [handle.id]
    handle2.remove()
    assert not layer2._forward_hooks and list(layer._forward_hooks) == [handle.id]


def test_shared_layer_and_double_backward_match_torch(torch):
    # a layer called twice fires its hooks once per call; create_graph=True and a second
    # differentiation through the hooked layer fire them again, in PyTorch's order
    logs = []

    def one(lib, tnn):
        lin = tnn.Linear(2, 2)
        with lib.no_grad():
            lin.weight.copy_(lib.tensor([[0.3, -0.2], [0.1, 0.4]]))
            lin.bias.copy_(lib.tensor([0.1, -0.2]))
        log = []
        lin.register_full_backward_pre_hook(lambda m, go: log.append(("pre", _grads(go))))
        lin.register_full_backward_hook(lambda m, gi, go: log.append(("full", _grads(gi))))
        x = lib.tensor([[0.5, -1.0]], requires_grad=True)
        y = lib.tanh(lin(lin(x))).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        log.append(("g", _np(g)))
        (g2,) = lib.autograd.grad(g.sum(), x)
        log.append(("g2", _np(g2)))
        logs.append(log)

    for lib, tnn in _libs(torch):
        one(lib, tnn)
    assert len(logs[0]) == len(logs[1]) == 10
    assert _same(logs[0], logs[1])
