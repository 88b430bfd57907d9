"""Transforms against PyTorch as an oracle: ``torch.func`` for symgrad.grad and
friends, ``torch.autograd.functional`` for symgrad.autograd.functional."""

from __future__ import annotations

import numpy as np
import pytest

import symgrad
import symgrad.autograd.functional as sf

torch = pytest.importorskip("torch")
# torch.func imports torch.jit.script internally, which warns in this torch version
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
tf = torch.autograd.functional

# Each function is written once against a library namespace (symgrad or torch).
FUNCTIONS = {
    "poly": lambda lib, x, y: (x * x * y).sum(),
    "trig": lambda lib, x, y: (lib.sin(x) * lib.cos(y)).sum() + (x ** 2).sum() * y.sum(),
    "softish": lambda lib, x, y: lib.log(1 + lib.exp(x - y)).sum() + lib.tanh(x * y).sum(),
    "ratio": lambda lib, x, y: (x / (1 + y * y)).sum() + lib.sigmoid(x).prod(),
}
POINT = (np.array([0.4, -1.1, 2.0]), np.array([1.5, 0.3, -0.7]))
V = (np.array([1.0, -2.0, 0.5]), np.array([0.25, 1.0, -1.0]))


def _s(values):
    return tuple(symgrad.tensor(v) for v in values)


def _t(values):
    return tuple(torch.tensor(v, dtype=torch.float64) for v in values)


def _close(a, b):
    if isinstance(b, (tuple, list)):
        assert isinstance(a, (tuple, list)) and len(a) == len(b)
        for x, y in zip(a, b):
            _close(x, y)
        return
    assert isinstance(a, symgrad.Tensor)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12, atol=1e-12)


def _fs(name):
    return lambda x, y: FUNCTIONS[name](symgrad, x, y)


def _ft(name):
    return lambda x, y: FUNCTIONS[name](torch, x, y)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_transforms_agree_with_torch_func(name):
    fs, ft = _fs(name), _ft(name)
    s, t = _s(POINT), _t(POINT)
    _close(symgrad.grad(fs, argnums=(0, 1))(*s), torch.func.grad(ft, argnums=(0, 1))(*t))
    _close(symgrad.value_and_grad(fs)(*s), torch.func.grad_and_value(ft)(*t)[::-1])
    _close(symgrad.jacobian(fs, argnums=(0, 1))(*s), torch.func.jacrev(ft, argnums=(0, 1))(*t))
    _close(symgrad.hessian(fs, argnums=(0, 1))(*s), torch.func.hessian(ft, argnums=(0, 1))(*t))
    _close(symgrad.jvp(fs, s, _s(V)), torch.func.jvp(ft, t, _t(V)))
    out_s, vjp_s = symgrad.vjp(fs, *s)
    out_t, vjp_t = torch.func.vjp(ft, *t)
    _close(vjp_s(symgrad.tensor(2.)), vjp_t(torch.tensor(2., dtype=torch.float64)))
    hv_t = torch.func.jvp(torch.func.grad(ft, argnums=(0, 1)), t, _t(V))[1]
    _close(symgrad.hvp(fs, s, _s(V))[1], hv_t)


def test_vector_output_jacobian_agrees_with_jacrev():
    fs = lambda x: symgrad.stack([x[0] * x[1], symgrad.exp(x[2]), x.sum()])  # noqa: E731
    ft = lambda x: torch.stack([x[0] * x[1], torch.exp(x[2]), x.sum()])  # noqa: E731
    _close(symgrad.jacobian(fs)(symgrad.tensor(POINT[0])), torch.func.jacrev(ft)(torch.tensor(POINT[0])))
    _close(symgrad.jvp(fs, _s(POINT[:1]), _s(V[:1])), torch.func.jvp(ft, _t(POINT[:1]), _t(V[:1])))


@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("create_graph", [False, True])
def test_autograd_functional_agrees_with_torch(name, create_graph):
    fs, ft = _fs(name), _ft(name)
    s, t = _s(POINT), _t(POINT)
    vs, vt = _s(V), _t(V)
    _close(sf.jacobian(fs, s, create_graph=create_graph), tf.jacobian(ft, t, create_graph=create_graph))
    _close(sf.hessian(fs, s, create_graph=create_graph), tf.hessian(ft, t, create_graph=create_graph))
    _close(sf.vjp(fs, s, create_graph=create_graph), tf.vjp(ft, t, create_graph=create_graph))
    _close(sf.jvp(fs, s, vs, create_graph=create_graph), tf.jvp(ft, t, vt, create_graph=create_graph))
    _close(sf.hvp(fs, s, vs, create_graph=create_graph), tf.hvp(ft, t, vt, create_graph=create_graph))
    _close(sf.vhp(fs, s, vs, create_graph=create_graph), tf.vhp(ft, t, vt, create_graph=create_graph))


def test_autograd_functional_structure_matches_torch():
    fs = lambda x: (x ** 2, x.sum())  # noqa: E731
    s, t = symgrad.tensor(POINT[0]), torch.tensor(POINT[0])
    _close(sf.jacobian(fs, s), tf.jacobian(fs, t))            # tuple of outputs, one input
    _close(sf.jacobian(lambda x: x ** 2, s), tf.jacobian(lambda x: x ** 2, t))  # a single tensor
    g = lambda x, y: x * y  # noqa: E731
    _close(sf.jacobian(g, _s(POINT)), tf.jacobian(g, _t(POINT)))  # one output, tuple of inputs
    h = lambda x: (x ** 3).sum()  # noqa: E731
    assert isinstance(sf.hessian(h, s), symgrad.Tensor)
    _close(sf.hessian(h, s), tf.hessian(h, t))


def test_strict_mode_errors_match_torch():
    fs = lambda x, y: x * 2  # noqa: E731
    s, t = _s(POINT), _t(POINT)
    with pytest.raises(RuntimeError) as ours:
        sf.jacobian(fs, s, strict=True)
    with pytest.raises(RuntimeError) as theirs:
        tf.jacobian(fs, t, strict=True)
    assert str(ours.value) == str(theirs.value)
    assert sf.jacobian(fs, s)[1].abs().sum().item() == 0  # zeros when not strict
    with pytest.raises(RuntimeError, match="independent of input 1"):
        sf.vjp(lambda x, y: (x * 2).sum(), s, strict=True)
    with pytest.raises(NotImplementedError):
        sf.jacobian(fs, s, strategy="forward-mode")
    with pytest.raises(ValueError, match="Expected strategy"):
        sf.jacobian(fs, s, strategy="sideways")


def test_create_graph_results_are_differentiable_like_torch():
    x = symgrad.tensor(POINT[0], requires_grad=True)
    xt = torch.tensor(POINT[0], requires_grad=True)
    h = lambda x: (x ** 3).sum()  # noqa: E731
    out_s, g_s = sf.vjp(h, x, create_graph=True)
    out_t, g_t = tf.vjp(h, xt, create_graph=True)
    assert g_s.requires_grad and g_t.requires_grad
    (gg_s,) = symgrad.autograd.grad(g_s.sum(), x)
    (gg_t,) = torch.autograd.grad(g_t.sum(), xt)
    _close(gg_s, gg_t)
    _, g_plain = sf.vjp(h, x)
    assert not g_plain.requires_grad


def test_errors_for_bad_inputs_match_torch_wording():
    with pytest.raises(TypeError, match="must be either a Tensor or a tuple of Tensors"):
        sf.jacobian(lambda x: x, [symgrad.tensor(1.)])
    with pytest.raises(RuntimeError, match="v can only be None"):
        sf.vjp(lambda x: x * 2, symgrad.tensor([1., 2.]))
    with pytest.raises(RuntimeError, match="single element"):
        sf.hessian(lambda x: x * 2, symgrad.tensor([1., 2.]))
    two = (symgrad.tensor([1., 2.]), symgrad.tensor([3., 4.]))
    with pytest.raises(RuntimeError, match=r"Entry 1 in v has invalid size"):
        sf.jvp(lambda x, y: x * y, two, (symgrad.tensor([1., 1.]), symgrad.tensor([1., 1., 1.])))
    with pytest.raises(RuntimeError, match="v is a tuple of invalid length"):
        sf.jvp(lambda x, y: x * y, two, (symgrad.tensor([1., 1.]),))


def test_error_messages_are_torchs_word_for_word():
    # Found by review: "if the user-provided function returns is a single Tensor",
    # "Entry 0 in v" for a v that is not a tuple, and hessian's own wording.
    def message(module, fn, *args):
        with pytest.raises(RuntimeError) as info:
            getattr(module, fn)(*args)
        return str(info.value).replace("torch.", "").replace("symgrad.", "")

    for fn, f in (("vjp", lambda x: x * 2), ("jvp", lambda x: x * 2), ("hvp", lambda x: (x * x).sum())):
        assert message(sf, fn, f, symgrad.tensor([1., 2.])) == message(tf, fn, f, torch.tensor([1., 2.]))
    square = lambda x: x * x  # noqa: E731
    assert message(sf, "vjp", square, symgrad.tensor([1., 2.]), symgrad.ones(3)) == \
        message(tf, "vjp", square, torch.tensor([1., 2.]), torch.ones(3))
    assert message(sf, "hessian", square, symgrad.tensor([1., 2.])).startswith(
        message(tf, "hessian", square, torch.tensor([1., 2.])))
