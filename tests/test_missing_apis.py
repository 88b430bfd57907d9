"""APIs a review found missing for PyTorch users: post-accumulate-grad hooks,
inference-mode queries, anomaly detection, in-place view ops, NumPy-style
aliases, and dict (pytree) outputs of the function transforms and
``lambdify`` - each compared with PyTorch where it is installed."""

from __future__ import annotations

import numpy as np
import pytest

import symgrad

torch = pytest.importorskip("torch")


def _both(values, requires_grad=False):
    return (symgrad.tensor(values, requires_grad=requires_grad),
            torch.tensor(values, dtype=torch.float64, requires_grad=requires_grad))


# ---------------------------------------------------------------- post-accumulate-grad hooks

def test_post_accumulate_grad_hook_sees_the_accumulated_grad_as_pytorch():
    for lib in (symgrad, torch):
        x = lib.tensor([1., 2.], requires_grad=True, dtype=lib.float64)
        seen = []
        handle = x.register_post_accumulate_grad_hook(lambda t, seen=seen: seen.append(t.grad.tolist()))
        (x * 3).sum().backward()
        (x * x).sum().backward()
        lib.autograd.grad((x * 3).sum(), x)  # leaves .grad alone: no call
        (x * 3).sum().backward(inputs=[x])
        handle.remove()
        (x * 3).sum().backward()
        assert seen == [[3., 3.], [5., 7.], [8., 10.]], lib
        assert x.grad.tolist() == [11., 13.]


def test_post_accumulate_grad_hook_can_step_the_parameter():
    results = []
    for lib in (symgrad, torch):
        w = lib.tensor([1., 2.], requires_grad=True, dtype=lib.float64)

        def step(p, lib=lib):
            with lib.no_grad():
                p.add_(p.grad, alpha=-0.1)
            p.grad = None
        w.register_post_accumulate_grad_hook(step)
        (w * w).sum().backward()
        (w * w * w).sum().backward(create_graph=True)
        results.append((w.tolist(), w.grad))
    assert results[0][0] == pytest.approx(results[1][0]) and results[0][1] is results[1][1] is None


def test_post_accumulate_grad_hook_errors_as_pytorch():
    for lib in (symgrad, torch):
        x = lib.tensor([1., 2.], requires_grad=True, dtype=lib.float64)
        with pytest.raises(RuntimeError, match="post accumulate grad hooks cannot be registered on non-leaf"):
            (x * 2).register_post_accumulate_grad_hook(lambda t: None)
        with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that doesn't require gradient"):
            lib.ones(2).register_post_accumulate_grad_hook(lambda t: None)
        x.register_post_accumulate_grad_hook(lambda t: t.grad * 2)
        with pytest.raises(RuntimeError, match="Tensor post accumulate grad hooks should return None."):
            x.sum().backward()
        for returned, name in (((1,), "tuple"), (3, "int"), ([x], "list"), ("s", "str")):
            y = lib.tensor([1., 2.], requires_grad=True, dtype=lib.float64)
            y.register_post_accumulate_grad_hook(lambda t, r=returned: r)
            with pytest.raises(TypeError, match=f"^expected Variable, but hook returned '{name}'"):
                (y * 3).sum().backward()
            assert y.grad.tolist() == [3., 3.]  # (accumulated before the hook ran, as in PyTorch)
    with pytest.raises(TypeError, match="hook must be callable"):  # (PyTorch fails later, in backward)
        symgrad.ones(1, requires_grad=True).register_post_accumulate_grad_hook(3)


# ---------------------------------------------------------------- inference mode

def test_inference_mode_queries():
    for lib in (symgrad, torch):
        assert not lib.is_inference_mode_enabled()
        with lib.inference_mode():
            assert lib.is_inference_mode_enabled() and not lib.is_grad_enabled()
            with lib.inference_mode(False):
                assert not lib.is_inference_mode_enabled() and lib.is_grad_enabled()
            assert lib.is_inference_mode_enabled()

        @lib.inference_mode
        def inside(lib=lib):
            return lib.is_inference_mode_enabled(), lib.is_grad_enabled()
        assert inside() == (True, False)
        assert not lib.is_inference_mode_enabled() and lib.is_grad_enabled()
    assert not symgrad.tensor(1., requires_grad=True).is_inference()
    with symgrad.inference_mode():
        made = symgrad.ones(2)
    assert not made.is_inference()  # symgrad has no inference tensors (documented): usable in autograd
    w = symgrad.ones(2, requires_grad=True)
    (made * w).sum().backward()
    assert w.grad.tolist() == [1., 1.]


# ---------------------------------------------------------------- anomaly detection

NAN_CASES = {
    "sqrt": lambda lib, x, w: (lib.sqrt(x - 3) * 0).sum(),              # SqrtBackward0, 0th output
    "mul second": lambda lib, x, w: (w * (x / x)).sum(),                # MulBackward0: its 0th output is w's
    "div": lambda lib, x, w: (x / (w - 1)).sum(),                       # DivBackward0
    "log": lambda lib, x, w: (lib.log(x - 1) * 0).sum(),                # LogBackward0 (0/0)
}


def _anomaly_message(lib, case, **kw):
    x = lib.tensor([0., 1.], requires_grad=True, dtype=lib.float64)
    w = lib.tensor([1., 1.], requires_grad=True, dtype=lib.float64)
    with np.errstate(all="ignore"):
        y = NAN_CASES[case](lib, x, w)
    with lib.autograd.detect_anomaly(check_nan=True):
        with pytest.raises(RuntimeError) as info:
            y.backward(**kw)
    return str(info.value).splitlines()[0]


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("case", list(NAN_CASES))
@pytest.mark.parametrize("create_graph", [False, True])
def test_detect_anomaly_names_the_node_that_returned_nan_as_pytorch(case, create_graph):
    s = _anomaly_message(symgrad, case, create_graph=create_graph)
    assert s == _anomaly_message(torch, case, create_graph=create_graph)
    assert s.startswith("Function '") and s.endswith("th output.")


def test_without_anomaly_detection_nan_flows_silently():
    x = symgrad.tensor(-1., requires_grad=True)
    with np.errstate(all="ignore"):
        y = symgrad.sqrt(x) * 0
    with symgrad.autograd.detect_anomaly(check_nan=False):
        y.backward(retain_graph=True)
    y.backward()
    assert np.isnan(x.grad.item())


def test_anomaly_mode_switches():
    for lib in (symgrad, torch):
        assert not lib.is_anomaly_enabled()
        with lib.autograd.set_detect_anomaly(True, check_nan=False):
            assert lib.is_anomaly_enabled() and not lib.is_anomaly_check_nan_enabled()
        assert not lib.is_anomaly_enabled()
        lib.autograd.set_detect_anomaly(True)
        try:
            assert lib.is_anomaly_enabled() and lib.is_anomaly_check_nan_enabled()
        finally:
            lib.autograd.set_detect_anomaly(False)
        assert not lib.is_anomaly_enabled()


def test_anomaly_detection_checks_custom_functions():
    class Bad(symgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * float("nan")

    x = symgrad.tensor(1., requires_grad=True)
    with symgrad.autograd.detect_anomaly():
        with pytest.raises(RuntimeError, match=r"Function '\w+' returned nan values in its 0th output."):
            Bad.apply(x).backward()


# ---------------------------------------------------------------- in-place view ops

IN_PLACE_VIEWS = [
    ((3, 1, 2), "unsqueeze_", (0,)), ((3, 1, 2), "unsqueeze_", (-1,)), ((3, 1, 2), "squeeze_", ()),
    ((3, 1, 2), "squeeze_", (1,)), ((1, 3, 1), "squeeze_", ((0, 2),)), ((2, 3), "t_", ()), ((3,), "t_", ()),
    ((2, 3, 4), "transpose_", (0, 2)), ((2, 3, 4), "swapdims_", (1, -1)), ((2, 3), "swapaxes_", (0, 1)),
]


@pytest.mark.parametrize("shape, name, args", IN_PLACE_VIEWS)
def test_in_place_view_ops_match_pytorch(shape, name, args):
    values = np.arange(np.prod(shape), dtype=float).reshape(shape)
    s_w, t_w = _both(values.tolist(), requires_grad=True)
    grads = []
    for lib, w in ((symgrad, s_w), (torch, t_w)):
        y = w * 2
        version = y._version
        assert getattr(y, name)(*args) is y
        assert y._version > version or y.shape == w.shape
        out = (y * lib.arange(y.numel(), dtype=lib.float64).reshape(y.shape)).sum()
        out.backward()
        grads.append((list(y.shape), y.tolist(), w.grad.tolist()))
    assert grads[0] == grads[1]


def test_in_place_view_op_on_a_view_keeps_its_base():
    for lib in (symgrad, torch):
        b = lib.zeros(2, 3, dtype=lib.float64)
        a = b[0]
        a.unsqueeze_(0)
        assert list(a.shape) == [1, 3] and a._version == b._version == 1
        a.fill_(5.)  # still b's memory
        assert b.tolist() == [[5., 5., 5.], [0., 0., 0.]]
        w = lib.tensor([1., 2., 3.], requires_grad=True, dtype=lib.float64)
        v = (w * 2)[1:]
        v.unsqueeze_(1)
        (v * v).sum().backward()
        assert list(v.shape) == [2, 1] and w.grad.tolist() == [0., 16., 24.]


def test_in_place_view_op_closed_form():
    w = symgrad.tensor([1., 2.], requires_grad=True)
    y = w * 2
    y.unsqueeze_(0)
    assert str(y.expr) == "[[2*w[0], 2*w[1]]]"
    y.t_()
    assert str(y.expr) == "[[2*w[0]], [2*w[1]]]"


def test_in_place_view_ops_refuse_as_pytorch_or_say_why():
    for lib in (symgrad, torch):
        w = lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
            w.unsqueeze_(0)
        with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
            w[0:1].unsqueeze_(0)
        with pytest.raises(RuntimeError, match="t_?\\(\\) expects a tensor with <= 2 dimensions"):
            lib.ones(2, 2, 2).t_()
        x = lib.tensor([[1., 2.]], requires_grad=True)
        y = x * 1
        z = y * y
        y.t_()  # z saved y: its backward must refuse, not use the new layout
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            z.sum().backward()
    # symgrad's own refusals: where its views or symbols would go wrong
    b = symgrad.ones(2, 3)
    _ = b[0]
    with pytest.raises(RuntimeError, match="on a tensor that has views"):
        b.t_()
    with symgrad.no_grad(), pytest.raises(RuntimeError, match="under no_grad on a tensor that requires grad"):
        symgrad.ones(2, requires_grad=True).unsqueeze_(0)


# ---------------------------------------------------------------- aliases

def test_numpy_style_aliases_of_pytorch_exist_and_agree():
    names = {"arccosh": (1.5, 3.0), "arcsinh": (-2.0, 2.0), "arctanh": (-0.5, 0.5), "fix": (-2.7, 2.7),
             "arccos": (-0.5, 0.5), "arcsin": (-0.5, 0.5), "arctan": (-2., 2.), "absolute": (-2., 2.),
             "negative": (-2., 2.), "clip": (-2., 2.)}
    for name, (lo, hi) in names.items():
        values = np.linspace(lo, hi, 5).tolist()
        s, t = _both(values, requires_grad=True)
        extra = (-1.0, 1.0) if name == "clip" else ()
        so, to = getattr(symgrad, name)(s, *extra), getattr(torch, name)(t, *extra)
        np.testing.assert_allclose(so.tolist(), to.tolist(), rtol=1e-12, err_msg=name)
        so.sum().backward()
        to.sum().backward()
        np.testing.assert_allclose(s.grad.tolist(), t.grad.tolist(), rtol=1e-12, err_msg=name)


def test_no_elementwise_alias_of_an_existing_op_is_missing():
    """Every function of torch whose docstring says it is an alias of a
    function symgrad has is in symgrad too (a test that fails when PyTorch
    grows an alias and symgrad has the op)."""
    import re

    missing, aliases = [], 0
    for name in dir(torch):
        fn = getattr(torch, name, None)
        doc = getattr(fn, "__doc__", None)
        doc = doc if isinstance(doc, str) else ""
        m = re.search(r"Alias for :func:`torch\.(\w+)`", doc)
        if m and not name.startswith("_") and hasattr(symgrad, m.group(1)):
            aliases += 1
            if not hasattr(symgrad, name):
                missing.append(name)
    assert missing == [] and aliases >= 20  # (PyTorch 2.13 has 24 such aliases: the scan does find them)


# ---------------------------------------------------------------- dict outputs (pytrees)

def _dict_f(lib):
    return lambda x: {"a": x.sin(), "b": (x * x).sum(), "c": [x * 3, {"d": x.exp()}]}


def _flat(tree):
    if isinstance(tree, dict):
        return {k: _flat(v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return (tuple if isinstance(tree, tuple) else list)(_flat(v) for v in tree)
    return np.asarray(tree.tolist())


def _assert_trees_equal(a, b):
    assert type(a) is type(b) or (isinstance(a, tuple) and isinstance(b, tuple))
    if isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _assert_trees_equal(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for u, v in zip(a, b):
            _assert_trees_equal(u, v)
    else:
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", ["jacrev", "jacfwd"])
@pytest.mark.parametrize("argnums", [0, (0,)])
def test_jacobians_of_dict_outputs_match_torch_func(name, argnums):
    s_x, t_x = _both([0.5, 2.0])
    s = getattr(symgrad.func, name)(_dict_f(symgrad), argnums=argnums)(s_x)
    t = getattr(torch.func, name)(_dict_f(torch), argnums=argnums)(t_x)
    _assert_trees_equal(_flat(s), _flat(t))
    assert str(s["b"][0].expr if argnums == (0,) else s["b"].expr) == "[2*x[0], 2*x[1]]"


def test_vjp_jvp_hessian_of_dict_outputs_match_torch_func():
    s_x, t_x = _both([0.5, 2.0])
    s_out, s_fn = symgrad.func.vjp(_dict_f(symgrad), s_x)
    t_out, t_fn = torch.func.vjp(_dict_f(torch), t_x)
    _assert_trees_equal(_flat(s_out), _flat(t_out))
    cot = lambda lib: {"a": lib.ones(2, dtype=lib.float64), "b": lib.tensor(2., dtype=lib.float64),  # noqa: E731
                       "c": [lib.ones(2, dtype=lib.float64), {"d": lib.ones(2, dtype=lib.float64)}]}
    _assert_trees_equal(_flat(s_fn(cot(symgrad))), _flat(t_fn(cot(torch))))
    with pytest.raises(ValueError, match="must have the structure of the function's output"):
        s_fn({"a": symgrad.ones(2)})
    tangent = ([1.0, -1.0],)
    s = symgrad.func.jvp(_dict_f(symgrad), (s_x,), tuple(symgrad.tensor(v) for v in tangent))
    t = torch.func.jvp(_dict_f(torch), (t_x,), tuple(torch.tensor(v, dtype=torch.float64) for v in tangent))
    _assert_trees_equal(_flat(s), _flat(t))
    h = lambda lib: lambda x: {"s": (x ** 3).sum(), "p": (x[0] * x[1])}  # noqa: E731
    _assert_trees_equal(_flat(symgrad.func.hessian(h(symgrad))(s_x)), _flat(torch.func.hessian(h(torch))(t_x)))


def test_grad_of_a_dict_output_is_refused_as_torch_func():
    with pytest.raises(RuntimeError, match="Expected f\\(\\*args\\) to return a Tensor"):
        torch.func.grad(lambda x: {"l": x.sum()})(torch.ones(2))
    with pytest.raises(RuntimeError, match="must return a scalar \\(0-d\\) tensor, got a dict"):
        symgrad.func.grad(lambda x: {"l": x.sum()})(symgrad.ones(2))
    with pytest.raises(TypeError, match="returned no tensor"):
        symgrad.func.jacrev(lambda x: {})(symgrad.ones(2))


def test_lambdify_returns_the_dicts_it_was_given():
    x = symgrad.tensor(2., requires_grad=True)
    y = symgrad.tensor(3., requires_grad=True)
    z = x * x * y
    gx, gy = symgrad.autograd.grad(z, [x, y], create_graph=True)
    for backend in ("numpy", "math"):
        f = symgrad.lambdify([x, y], {"value": z, "grad": (gx, gy), "more": [{"gx": gx}]}, backend=backend)
        assert f(2., 3.) == {"value": 12.0, "grad": (12.0, 4.0), "more": [{"gx": 12.0}]}
        assert "out0" in f.source and "value" not in f.source.split('"""')[-1]  # keys stay out of the code
    single = symgrad.lambdify([x, y], {"z": z})
    np.testing.assert_allclose(single(np.array([1., 2.]), 1.)["z"], [1., 4.])


def test_gradient_function_refuses_a_dict_with_a_hint():
    from symgrad.codegen import CodegenError

    with pytest.raises(CodegenError, match="returned dict; it must return a symgrad tensor: gradient_function "
                                           "differentiates one scalar"):
        symgrad.gradient_function(lambda a: {"loss": a * a}, wrt=0)
