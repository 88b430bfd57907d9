"""``symgrad.func`` (``torch.func``'s names): vmap, grad_and_value,
jacrev/jacfwd, functional_call - against ``torch.func`` where it is
installed, plus closed forms and each error."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import symgrad
from symgrad.func import functional_call, grad_and_value, jacfwd, jacrev, vmap

X = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]
W = [0.3, -0.2, 0.7]


def _lib_func(lib: Any) -> Any:
    return lib.func if lib is not symgrad else symgrad.func


# (name, function of lib, arguments as nested lists (tensors) or other values, vmap options)
VMAP_CASES = [
    ("rows dot w", lambda lib: lambda r, w: (r * w).sum(), (X, W), {"in_dims": (0, None)}),
    ("columns", lambda lib: lambda c: c.sin() * 2, (X,), {"in_dims": 1}),
    ("negative dim", lambda lib: lambda c: c.exp().sum(), (X,), {"in_dims": -1}),
    ("out_dims 1", lambda lib: lambda r: (r * r, r.sum()), (X,), {"out_dims": (1, 0)}),
    ("dict input", lambda lib: lambda r, d: r * d["k"], (X, {"k": X}), {"in_dims": (0, {"k": 0})}),
    ("dict output", lambda lib: lambda r: {"s": r.sum(), "m": r.max()}, (X,), {}),
    ("nested vmap", lambda lib: lambda r: _lib_func(lib).vmap(lambda e: e * e + 1)(r), (X,), {}),
]


def _tensors(lib: Any, tree: Any) -> Any:
    if isinstance(tree, dict):
        return {k: _tensors(lib, v) for k, v in tree.items()}
    return lib.tensor(tree, dtype=lib.float64, requires_grad=True)


def _leaves(tree: Any) -> list[Any]:
    if isinstance(tree, dict):
        return [x for v in tree.values() for x in _leaves(v)]
    if isinstance(tree, (tuple, list)):
        return [x for v in tree for x in _leaves(v)]
    return [tree]


@pytest.mark.parametrize("name, make, args, options", VMAP_CASES, ids=[c[0] for c in VMAP_CASES])
def test_vmap_values_and_gradients_match_torch_func(name: str, make: Any, args: Any, options: Any) -> None:
    torch = pytest.importorskip("torch")
    results = {}
    for lib in (symgrad, torch):
        inputs = tuple(_tensors(lib, a) for a in args)
        out = _lib_func(lib).vmap(make(lib), **options)(*inputs)
        outs = _leaves(out)
        loss = sum((o * o).sum() for o in outs)
        grads = lib.autograd.grad(loss, _leaves(inputs))
        results[lib.__name__] = ([o.detach().numpy() for o in outs], [g.numpy() for g in grads])
    for got, want in zip(results["symgrad"][0] + results["symgrad"][1], results["torch"][0] + results["torch"][1]):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_vmap_closed_forms_are_per_slice() -> None:
    x = symgrad.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    y = vmap(lambda r: r[0] * r[1])(x)
    assert str(y.expr) == "[x[0, 0]*x[0, 1], x[1, 0]*x[1, 1]]"
    assert symgrad.vmap is vmap


def test_vmap_out_dims_none_returns_an_output_that_does_not_depend_on_the_batch() -> None:
    w = symgrad.tensor([1., 2.])
    out, same = vmap(lambda r, w: (r * w, w.sum()), in_dims=(0, None), out_dims=(0, None))(symgrad.ones(3, 2), w)
    assert out.shape == (3, 2) and same.item() == 3.0
    with pytest.raises(ValueError, match="can not return a BatchedTensor when out_dim is None"):
        vmap(lambda r: r.sum(), out_dims=None)(symgrad.tensor([[1., 2.], [3., 4.]]))


@pytest.mark.parametrize("call, error, message", [
    (lambda: vmap(lambda a, b: a * b)(symgrad.ones(2, 3), symgrad.ones(3)), ValueError,
     r"vmap: Expected all tensors to have the same size in the mapped dimension, got sizes \[2, 3\]"),
    (lambda: vmap(lambda a: 3)(symgrad.ones(2)), ValueError,
     r"`<lambda>` must only return Tensors, got type <class 'int'>. Did you mean to set out_dims= to None"),
    (lambda: vmap(lambda a: a, in_dims=2)(symgrad.ones(2, 3)), ValueError,
     r"Got in_dim=2 for some input, but that input is a Tensor of dimensionality 2 so expected in_dim to satisfy "
     r"-2 <= in_dim < 2"),
    (lambda: vmap(lambda a: a, in_dims=(0, 0))(symgrad.ones(2)), ValueError,
     "in_dims is not compatible with the structure of `inputs`"),
    (lambda: vmap(lambda a: a, in_dims=None)(symgrad.ones(2)), ValueError,
     "expected `in_dims` to be int or a \\(potentially nested\\) tuple"),
    (lambda: vmap(lambda a: a)(3.0), ValueError, "We cannot vmap over non-Tensor arguments, please use None"),
    (lambda: vmap(lambda a: a, out_dims=2)(symgrad.ones(2)), IndexError, "Dimension out of range"),
    (lambda: vmap(lambda a: a)(symgrad.zeros(0, 3)), ValueError, "vmap over a dimension of size 0 is not supported"),
    (lambda: vmap(lambda a: a, randomness="same")(symgrad.ones(2)), NotImplementedError,
     "randomness='same'. is not supported"),
    (lambda: vmap(3), TypeError, "func must be callable"),
])
def test_vmap_errors(call: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        call()


def test_grad_and_value_order_and_aux() -> None:
    w = symgrad.tensor([1., 2.])
    g, v = grad_and_value(lambda w: (w * w).sum())(w)
    assert g.tolist() == [2., 4.] and v.item() == 5.0
    g, (v, aux) = grad_and_value(lambda w: ((w * w).sum(), w * 2), has_aux=True)(w)
    assert g.tolist() == [2., 4.] and v.item() == 5.0 and aux.tolist() == [2., 4.]


def test_jacrev_and_jacfwd_match_torch() -> None:
    torch = pytest.importorskip("torch")

    def f(lib: Any) -> Any:
        return lambda v: lib.stack([v[0] * v[1], v[0].sin() + v[1]])

    ours = jacrev(f(symgrad))(symgrad.tensor([0.5, 2.0])), jacfwd(f(symgrad))(symgrad.tensor([0.5, 2.0]))
    theirs = torch.func.jacrev(f(torch))(torch.tensor([0.5, 2.0], dtype=torch.float64))
    for j in ours:
        np.testing.assert_allclose(j.numpy(), theirs.numpy(), rtol=1e-12)


def test_functional_call_matches_torch_and_restores_the_parameters() -> None:
    torch = pytest.importorskip("torch")
    values = {"0.weight": [[1., 2.], [3., -1.]], "0.bias": [0.5, -0.5], "2.weight": [[0.25, -2.]], "2.bias": [0.1]}
    x = [[1., -2.], [0.5, 3.]]
    results = []
    for lib in (symgrad, torch):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.Tanh(), lib.nn.Linear(2, 1)).double()
        before = [p.detach().clone() for p in model.parameters()]
        params = {k: lib.tensor(v, dtype=lib.float64, requires_grad=True) for k, v in values.items()}
        out = _lib_func(lib).functional_call(model, params, (lib.tensor(x, dtype=lib.float64),))
        grads = lib.autograd.grad(out.sum(), list(params.values()))
        assert all((a == b).all() for a, b in zip(before, model.parameters()))
        results.append([out.detach().numpy(), *[g.numpy() for g in grads]])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_functional_call_closed_form_keys_and_tied_weights() -> None:
    layer = symgrad.nn.Linear(1, 1, bias=False)
    w = symgrad.tensor([[2.]], requires_grad=True)
    y = functional_call(layer, {"weight": w}, symgrad.tensor([[3.]], name="x"))
    assert str(y.expr) == "[[w[0, 0]*x[0, 0]]]"
    with pytest.raises(RuntimeError, match="Error\\(s\\) in reparametrizing for Linear:\n\tUnexpected key\\(s\\): "
                                           "'weigth'"):
        functional_call(layer, {"weigth": w}, symgrad.ones(1, 1))
    with pytest.raises(RuntimeError, match="Missing key\\(s\\): 'weight'"):
        functional_call(layer, {}, symgrad.ones(1, 1), strict=True)
    with pytest.raises(ValueError, match="'weight' appeared in multiple dictionaries"):
        functional_call(layer, ({"weight": w}, {"weight": w}), symgrad.ones(1, 1))
    other = symgrad.nn.Linear(1, 1, bias=False)
    other.weight = layer.weight  # one parameter, two names: 0.weight and 1.weight
    tied = symgrad.nn.Sequential(layer, other)
    assert functional_call(tied, {"0.weight": w}, symgrad.ones(1, 1)).item() == 4.0
    assert functional_call(tied, {"0.weight": w}, symgrad.ones(1, 1), tie_weights=False).item() == \
        pytest.approx(2.0 * layer.weight.item())
    assert tied[1].weight is layer.weight


def test_per_sample_gradients_as_in_the_torch_func_tutorial():
    # vmap(grad(loss)) over a batch, the parameters passed as a dict through functional_call
    torch = pytest.importorskip("torch")
    results = []
    for lib in (symgrad, torch):
        model = lib.nn.Linear(3, 1).double()
        params = {"weight": lib.tensor([[0.1, -0.2, 0.3]], dtype=lib.float64),
                  "bias": lib.tensor([0.05], dtype=lib.float64)}
        X = lib.tensor(np.arange(12.).reshape(4, 3) / 10)
        Y = lib.tensor(np.arange(4.).reshape(4, 1))

        def loss(params, x, y, lib=lib, model=model):
            return ((lib.func.functional_call(model, params, (x[None],)) - y) ** 2).mean()

        per_sample = lib.func.vmap(lib.func.grad(loss), in_dims=(None, 0, 0))(params, X, Y)
        results.append({k: v.detach().numpy() for k, v in per_sample.items()})
    for k in ("weight", "bias"):
        assert results[0][k].shape == results[1][k].shape
        np.testing.assert_allclose(results[0][k], results[1][k], rtol=1e-12)


# ---------------------------------------------------------------- stack_module_state

class _Net:
    """A small model with a buffer (BatchNorm's running statistics), built in either library."""

    @staticmethod
    def make(lib: Any, seed: int) -> Any:
        lib.manual_seed(seed)
        return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.Tanh(), lib.nn.Linear(4, 2)).double()


def test_stack_module_state_ensembles_as_torch_func() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(9)
    t_models = [_Net.make(torch, s) for s in range(3)]
    for m in t_models:  # running statistics that differ per model, then evaluation mode
        m(torch.tensor(rng.normal(size=(5, 3))))
        m.eval()
    s_models = [_Net.make(symgrad, 0).eval() for _ in range(3)]
    for s_m, t_m in zip(s_models, t_models):
        s_m.load_state_dict(t_m.state_dict())
    x = rng.normal(size=(6, 3))
    results = []
    for lib, models in ((torch, t_models), (symgrad, s_models)):
        params, buffers = lib.func.stack_module_state(models)

        def ensemble(p: Any, b: Any, x: Any, lib: Any = lib, base: Any = models[0]) -> Any:
            return lib.func.functional_call(base, (p, b), (x,))

        out = lib.func.vmap(ensemble, in_dims=(0, 0, None))(params, buffers, lib.tensor(x))
        out.pow(2).sum().backward()
        assert all(p.is_leaf and p.requires_grad for p in params.values())
        assert not any(b.requires_grad for b in buffers.values())
        results.append((list(params), list(buffers), out.detach().numpy(),
                        {k: p.grad.numpy() for k, p in params.items()},
                        {k: b.numpy() for k, b in buffers.items()}))
    (t_pn, t_bn, t_out, t_grads, t_bufs), (s_pn, s_bn, s_out, s_grads, s_bufs) = results
    assert s_pn == t_pn and s_bn == t_bn
    np.testing.assert_allclose(s_out, t_out, rtol=1e-10)
    for k in t_grads:
        np.testing.assert_allclose(s_grads[k], t_grads[k], rtol=1e-9, atol=1e-12)
    for k in t_bufs:
        np.testing.assert_array_equal(s_bufs[k], t_bufs[k])
        assert s_bufs[k].dtype == t_bufs[k].dtype


def test_stacked_parameters_are_new_named_leaves() -> None:
    models = [symgrad.nn.Linear(2, 1) for _ in range(2)]
    params, _ = symgrad.func.stack_module_state(models)
    w = params["weight"]
    assert w.grad_fn is None and w.name == "weight"
    assert not np.shares_memory(w.detach().numpy(), models[0].weight.detach().numpy())  # copies, unrelated to the models
    with symgrad.no_grad():
        w.zero_()
    assert models[0].weight.abs().sum().item() > 0
    y = functional_call(models[0], {"weight": w[1], "bias": params["bias"][1]}, symgrad.tensor([[1., 2.]], name="x"))
    assert str(y.expr) == "[[bias[1, 0] + weight[1, 0, 0]*x[0, 0] + weight[1, 0, 1]*x[0, 1]]]"


def test_stack_module_state_errors() -> None:
    stack = symgrad.func.stack_module_state
    with pytest.raises(RuntimeError, match="Expected at least one model, got 0"):
        stack([])
    with pytest.raises(RuntimeError, match="same training/eval mode"):
        stack([symgrad.nn.Linear(1, 1), symgrad.nn.Linear(1, 1).eval()])
    with pytest.raises(RuntimeError, match="same class"):
        stack([symgrad.nn.Linear(1, 1), symgrad.nn.Tanh()])
    with pytest.raises(RuntimeError, match="different shapes"):
        stack([symgrad.nn.Linear(1, 1), symgrad.nn.Linear(2, 1)])
    with pytest.raises(RuntimeError, match="model 1 has no parameter 'bias'"):
        stack([symgrad.nn.Linear(1, 1), symgrad.nn.Linear(1, 1, bias=False)])
    frozen = symgrad.nn.Linear(1, 1).requires_grad_(False)
    with pytest.raises(RuntimeError, match="Expected weight from each model to have the same .requires_grad"):
        stack([symgrad.nn.Linear(1, 1), frozen])
    with pytest.raises(TypeError, match="sequence of nn.Module"):
        stack([symgrad.ones(1)])
