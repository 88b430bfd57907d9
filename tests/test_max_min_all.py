"""``x.max()`` and ``x.min()`` without ``dim`` (the ``max_all``/``min_all`` ops):
gradients as PyTorch's ``evenly_distribute_backward`` - to the nan elements
when ``x`` holds nan, else shared evenly among the ties; an incoming inf or
nan gradient reaches only those elements.  ``amax``/``amin`` keep PyTorch's
amax rule (nan everywhere at a nan input)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy

import symgrad as sg

nan, inf = math.nan, math.inf

VALUES = [[1.0, nan, 3.0, nan], [1.0, nan, 3.0], [[1.0, nan], [3.0, nan]], [nan], [3.0, 1.0, 3.0],
          [1.0, 2.0, 3.0], [1.0, inf, inf], [-inf, -inf, 1.0], [[2.0, -1.0], [2.0, 0.5]], 5.0]


def _grad(M, values, kind, g=None, dtype="float64"):
    x = M.tensor(values, dtype=getattr(M, dtype), requires_grad=True)
    getattr(x, kind)().backward(None if g is None else M.tensor(g, dtype=getattr(M, dtype)))
    return x.grad


@pytest.mark.parametrize("kind", ["max", "min"])
@pytest.mark.parametrize("values", VALUES, ids=str)
@pytest.mark.parametrize("g", [None, inf, -inf, nan], ids=["g=1", "g=inf", "g=-inf", "g=nan"])
def test_gradient_matches_pytorch(kind, values, g):
    torch = pytest.importorskip("torch")
    np.testing.assert_array_equal(_grad(sg, values, kind, g).numpy(), _grad(torch, values, kind, g).numpy())


@pytest.mark.parametrize("kind", ["max", "min"])
def test_float32_matches_pytorch(kind):
    torch = pytest.importorskip("torch")
    got, want = _grad(sg, [1.0, nan, 3.0, nan], kind, dtype="float32"), _grad(torch, [1.0, nan, 3.0, nan], kind, dtype="float32")
    assert str(got.dtype) == "symgrad.float32"
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    np.testing.assert_array_equal(_grad(sg, [3.0, 1.0, 3.0], kind, 2.0, "float32").numpy(),
                                  _grad(torch, [3.0, 1.0, 3.0], kind, 2.0, "float32").numpy())


def _second_order(M, values):
    """The gradient with create_graph (does it depend on x?) and its derivative in the incoming gradient."""
    x = M.tensor(values, dtype=M.float64, requires_grad=True)
    g = M.tensor(2.0, dtype=M.float64, requires_grad=True)
    (gx,) = M.autograd.grad(x.max(), x, grad_outputs=g, create_graph=True)
    (dg,) = M.autograd.grad((gx * M.arange(1.0, len(values) + 1, dtype=M.float64)).sum(), g)
    x2 = M.tensor(values, dtype=M.float64, requires_grad=True)
    (gx2,) = M.autograd.grad(x2.max(), x2, create_graph=True)
    return gx.detach().numpy(), float(dg), gx2.requires_grad


@pytest.mark.parametrize("values", [[1.0, nan, 3.0, nan], [3.0, 1.0, 3.0], [1.0, 2.0, 3.0]], ids=str)
def test_second_order_matches_pytorch(values):
    """Linear in g (d/dg is the mask's weights); the mask does not depend on x, so with a constant g
    the gradient lies outside the graph, as in PyTorch."""
    torch = pytest.importorskip("torch")
    got, want = _second_order(sg, values), _second_order(torch, values)
    np.testing.assert_array_equal(got[0], want[0])
    assert got[1:] == want[1:]


def test_names_and_ops():
    x = sg.tensor([1.0, 2.0], requires_grad=True)
    assert x.max().grad_fn.name() == "MaxBackward1" and x.max().grad_fn.op.name == "max_all"
    assert x.min().grad_fn.name() == "MinBackward1" and x.min().grad_fn.op.name == "min_all"


def test_amax_keeps_its_rule_at_nan():
    """PyTorch's amax multiplies g by the tie mask: nan everywhere at a nan input (symgrad's too)."""
    x = sg.tensor([1.0, nan, 3.0], requires_grad=True)
    x.amax().backward()
    assert np.isnan(x.grad.numpy()).all()


def test_closed_forms():
    x = sg.tensor([3.0, 1.0, 3.0], requires_grad=True, name="x")
    y = x.max()
    s = list(x.expr)  # the leaf's symbols
    assert y.expr == sympy.Max(*s)
    assert x.min().expr == sympy.Min(*s)
    y.backward()
    grads = list(x.grad.expr)
    # the ties' indicator over their count: at the values 1/2, 0, 1/2; at distinct values the maximum's 1
    at = {s[0]: 3, s[1]: 1, s[2]: 3}
    assert [float(e.subs(at)) for e in grads] == [0.5, 0.0, 0.5]
    assert [float(e.subs({s[0]: 1, s[1]: 2, s[2]: 3})) for e in grads] == [0.0, 0.0, 1.0]
    assert "nan" not in str(grads)  # a variable is never nan: generated code masks nan at run time


@pytest.mark.parametrize("backend", ["numpy", "math", "c"])
@pytest.mark.parametrize("kind", ["max", "min"])
def test_generated_code_sends_the_gradient_to_nan(backend, kind):
    """The closed form has no nan in it; the code written from the graph computes the nan mask."""
    from symgrad.codegen.backends.c import compiler

    if backend == "c" and compiler() is None:
        pytest.skip("no C compiler")
    x = sg.tensor([1.0, 2.0, 3.0], requires_grad=True, name="x")
    fn = sg.gradient_function(getattr(x, kind)(), [x], backend, **({"compile": True} if backend == "c" else {}))
    for values in ([1.0, nan, 3.0], [nan, 2.0, nan], [3.0, 1.0, 3.0]):
        value, (grad,) = fn(np.array(values) if backend != "math" else values)
        np.testing.assert_array_equal(np.asarray(grad, dtype=float), _grad(sg, values, kind).numpy())
