"""Function transforms: numbers, closed forms (against sympy.diff as an
independent oracle), argnums/has_aux, nesting and errors."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import sympy

import symgrad


def _named(value, name):
    """A named constant: a symbol without requires_grad, as a new user would make one."""
    return symgrad.tensor(value, name=name)


# Functions of two scalars written with symgrad ops; the oracle differentiates
# their closed forms with sympy.diff.
SCALAR_FUNCTIONS = {
    "x*x*y": lambda x, y: x * x * y,
    "sin(x)*exp(y)": lambda x, y: symgrad.sin(x) * symgrad.exp(y),
    "log(x)/y": lambda x, y: symgrad.log(x) / y,
    "tanh(x*y)+sqrt(x)": lambda x, y: symgrad.tanh(x * y) + symgrad.sqrt(x),
    "sigmoid(x-y)**2": lambda x, y: symgrad.sigmoid(x - y) ** 2,
    "x**y": lambda x, y: x ** y,
    "atan(x/y)": lambda x, y: symgrad.atan(x / y),
}


def _zero(e):
    """Proved zero by simplification, or (for conventions sympy.diff does not
    share, such as symgrad's x**y rule at x = 0) zero at random points."""
    e = sympy.Matrix(e) if isinstance(e, (sympy.MatrixBase, sympy.NDimArray)) else sympy.Matrix([e])
    if sympy.simplify(e).is_zero_matrix:
        return True
    rng = np.random.default_rng(0)
    for _ in range(5):
        point = {s: sympy.Float(rng.uniform(0.5, 2.0)) for s in e.free_symbols}
        if any(abs(complex(v.evalf(30, subs=point))) > 1e-12 for v in e):
            return False
    return True


@pytest.mark.parametrize("name", SCALAR_FUNCTIONS)
def test_grad_and_hessian_match_sympy_diff(name):
    f = SCALAR_FUNCTIONS[name]
    x, y = _named(1.3, "x"), _named(0.7, "y")
    sx, sy = x.symbol, y.symbol
    z = f(x, y).expr
    gx, gy = symgrad.grad(f, argnums=(0, 1))(x, y)
    assert _zero(gx.expr - sympy.diff(z, sx)) and _zero(gy.expr - sympy.diff(z, sy))
    H = symgrad.hessian(f, argnums=(0, 1))(x, y)
    want = sympy.hessian(z, (sx, sy))
    assert _zero(H.expr - want)
    point = {sx: 1.3, sy: 0.7}
    np.testing.assert_allclose(H.matrix().numpy(), np.array(want.evalf(subs=point).tolist(), dtype=float),
                               rtol=1e-12)


def test_seed_hessian_done_when():
    """The issue's check: z = x*x*y at (2, 3)."""
    f = lambda x, y: x * x * y  # noqa: E731
    H = symgrad.hessian(f, argnums=(0, 1))(symgrad.tensor(2.), symgrad.tensor(3.))
    assert H.matrix().tolist() == [[6., 4.], [4., 0.]]
    assert str(H.expr) == "Matrix([[2*y, 2*x], [2*x, 0]])"
    x = symgrad.tensor(2., requires_grad=True)
    y = symgrad.tensor(3., requires_grad=True)
    z = x * x * y
    H2 = symgrad.hessian(z, [x, y])
    assert H2.tolist() == [[6., 4.], [4., 0.]]
    assert sympy.Matrix(H2.expr) == sympy.Matrix([[2 * y.symbol, 2 * x.symbol], [2 * x.symbol, 0]])
    assert x.grad is None and y.grad is None  # transforms never touch .grad


def test_vector_function_jacobian_and_hessian_closed_forms():
    w = _named([0.5, -1.0, 2.0], "w")
    f = lambda w: (symgrad.sin(w) * w).sum()  # noqa: E731
    s = list(w.symbol)
    z = f(w).expr
    H = symgrad.hessian(f)(w)
    assert H.shape == (3, 3)
    assert _zero(sympy.Matrix(H.expr) - sympy.hessian(z, s))
    J = symgrad.jacobian(lambda w: w ** 2 * w[0])(w)
    want = sympy.Matrix([[sympy.diff(si ** 2 * s[0], sj) for sj in s] for si in s])
    assert _zero(sympy.Matrix(J.expr) - want)


def test_layouts_follow_jax():
    x, y = symgrad.tensor([1., 2.]), symgrad.tensor([3., 4., 5.])
    f = lambda x, y: symgrad.outer(x, y)  # noqa: E731  output shape (2, 3)
    jx, jy = symgrad.jacobian(f, argnums=(0, 1))(x, y)
    assert jx.shape == (2, 3, 2) and jy.shape == (2, 3, 3)
    assert symgrad.hessian(lambda x: (x ** 3).sum())(x).shape == (2, 2)
    assert symgrad.jacobian(f, argnums=(0, 1))(x, y).matrix().shape == (6, 5)


def test_argnums_order_negative_and_errors():
    f = lambda x, y: x * x * y  # noqa: E731
    x, y = symgrad.tensor(2.), symgrad.tensor(3.)
    gy, gx = symgrad.grad(f, argnums=(1, 0))(x, y)
    assert (gy.item(), gx.item()) == (4., 12.)
    assert symgrad.grad(f, argnums=-1)(x, y).item() == 4.
    with pytest.raises(ValueError, match="out of range"):
        symgrad.grad(f, argnums=2)(x, y)
    with pytest.raises(ValueError, match="same argument twice"):
        symgrad.grad(f, argnums=(0, 0))(x, y)
    with pytest.raises(TypeError, match="argnums must be an int"):
        symgrad.grad(f, argnums=True)(x, y)


def test_not_differentiated_arguments_keep_their_names():
    g = symgrad.grad(lambda x, y: x * x * y)(symgrad.tensor(2.), symgrad.tensor(3.))
    assert str(g.expr) == "2*x*y"


def test_has_aux():
    f = lambda x: (x ** 2, {"double": x * 2})  # noqa: E731
    x = symgrad.tensor(3.)
    g, aux = symgrad.grad(f, has_aux=True)(x)
    assert g.item() == 6. and aux["double"].item() == 6. and not aux["double"].requires_grad
    (v, aux), g = symgrad.value_and_grad(f, has_aux=True)(x)
    assert (v.item(), g.item()) == (9., 6.)
    J, aux = symgrad.jacobian(f, has_aux=True)(x)
    assert J.item() == 6.
    H, aux = symgrad.hessian(f, has_aux=True)(x)
    assert H.item() == 2.
    out, vjp_fn, aux = symgrad.vjp(f, x, has_aux=True)
    assert vjp_fn(symgrad.tensor(1.))[0].item() == 6.
    out, t, aux = symgrad.jvp(f, (x,), (symgrad.tensor(1.),), has_aux=True)
    assert t.item() == 6.
    with pytest.raises(TypeError, match="pair"):
        symgrad.grad(lambda x: x ** 2, has_aux=True)(x)


def test_transforms_nest():
    f = lambda x: x ** 4  # noqa: E731
    x = symgrad.tensor(2.)
    third = symgrad.grad(symgrad.grad(symgrad.grad(f)))(x)
    assert third.item() == 48. and str(third.expr) == "24*x"
    g = lambda x: symgrad.sin(x).sum()  # noqa: E731
    w = symgrad.tensor([0.1, 0.2])
    np.testing.assert_allclose(symgrad.jacobian(symgrad.grad(g))(w).numpy(), symgrad.hessian(g)(w).numpy())


def test_tracked_inputs_keep_the_graph_and_symbols():
    x = symgrad.tensor(2., requires_grad=True)
    g = symgrad.grad(lambda t: t ** 3)(x)
    assert g.requires_grad and g.expr == 3 * x.symbol ** 2
    (gg,) = symgrad.autograd.grad(g, x)
    assert gg.item() == 12. and gg.expr == 6 * x.symbol
    with symgrad.no_grad():
        g2 = symgrad.grad(lambda t: t ** 3)(x)
    assert not g2.requires_grad and g2.item() == 12.
    assert x.grad is None


def test_closed_over_tensors_are_constants():
    w = symgrad.tensor(5., requires_grad=True)
    g = symgrad.grad(lambda t: t * w)(symgrad.tensor(2.))
    assert g.item() == 5. and g.expr == w.symbol
    assert w.grad is None


def test_containers_and_python_numbers():
    params = {"w": symgrad.tensor([1., 2.]), "b": symgrad.tensor(0.5)}
    X = symgrad.tensor([3., 4.])
    loss = lambda p, X: ((p["w"] * X).sum() + p["b"]) ** 2  # noqa: E731
    g = symgrad.grad(loss)(params, X)
    assert set(g) == {"w", "b"}
    assert g["b"].item() == 2 * (3 + 8 + 0.5)
    assert g["w"].tolist() == [2 * 11.5 * 3, 2 * 11.5 * 4]
    assert str(g["b"].expr) == "2*X[0]*w[0] + 2*X[1]*w[1] + 2*b"
    assert symgrad.grad(lambda x: x ** 2)(3.0).item() == 6.
    ws = [symgrad.tensor(1.), symgrad.tensor(2.)]
    g0, g1 = symgrad.grad(lambda ws: ws[0] * ws[1])(ws)
    assert (g0.item(), g1.item()) == (2., 1.) and str(g0.expr) == "ws_1"


def test_outputs_that_do_not_depend_on_the_input_give_zeros():
    x = symgrad.tensor([1., 2.])
    assert symgrad.grad(lambda x: symgrad.tensor(3.))(x).tolist() == [0., 0.]
    assert symgrad.jacobian(lambda x, y: y * 2, argnums=0)(x, symgrad.tensor(1.)).tolist() == [0., 0.]


def test_vjp_jvp_hvp():
    x = symgrad.tensor([1., 2.])
    out, vjp_fn = symgrad.vjp(lambda x: x ** 3, x)
    (a,) = vjp_fn(symgrad.tensor([1., 0.]))
    (b,) = vjp_fn(symgrad.tensor([0., 1.]))  # vjp_fn can be called again
    assert a.tolist() == [3., 0.] and b.tolist() == [0., 12.]
    v = symgrad.tensor([1., 1.], name="v")
    out, t = symgrad.jvp(lambda x: x ** 3, (x,), (v,))
    assert t.tolist() == [3., 12.]
    assert str(t.expr) == "[3*v[0]*x[0]**2, 3*v[1]*x[1]**2]"
    value, (hv,) = symgrad.hvp(lambda x: (x ** 3).sum(), (x,), (symgrad.tensor([1., 0.]),))
    assert value.item() == 9. and hv.tolist() == [6., 0.]


def test_clear_errors():
    x = symgrad.tensor([1., 2.])
    with pytest.raises(RuntimeError, match=r"scalar \(0-d\) tensor, got \[2\]"):
        symgrad.grad(lambda x: x ** 2)(x)
    z = (x ** 2).sum()
    with pytest.raises(TypeError, match="autograd.grad"):
        symgrad.grad(z)
    with pytest.raises(TypeError, match="floating-point"):
        symgrad.grad(lambda i: i * 2)(symgrad.tensor(3))
    with pytest.raises(TypeError, match="must be tuples"):
        symgrad.jvp(lambda x: x, x, x)
    with pytest.raises(ValueError, match=r"tangent 0 has shape \[3\]"):
        symgrad.jvp(lambda x: x, (x,), (symgrad.tensor([1., 2., 3.]),))
    with pytest.raises(TypeError, match="needs the variables"):
        symgrad.jacobian(z)
    with pytest.raises(TypeError, match="needs the variables"):
        symgrad.hessian(z)
    with pytest.raises(TypeError, match=r"variables\[1\] is a int"):
        symgrad.hessian(z, [x, 3])
    with pytest.raises(RuntimeError, match="does not require grad"):
        symgrad.hessian(z, symgrad.tensor(1.))
    with pytest.raises(TypeError, match="not a tensor"):
        symgrad.grad(lambda x: "oops")(x)
    with pytest.raises(TypeError, match=r"\.item\(\)"):
        symgrad.grad(lambda x: (x * x).sum().item())(x)


def test_symgrad_grad_does_not_shadow_the_engine():
    assert symgrad.grad is symgrad.functional.grad
    assert symgrad.autograd.grad is symgrad.autograd.engine.grad


def test_import_stays_lazy():
    code = ("import sys, symgrad; assert 'sympy' not in sys.modules; "
            "assert 'symgrad.functional' not in sys.modules; symgrad.grad; "
            "assert 'symgrad.functional' in sys.modules; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr


def test_variables_the_outputs_were_not_computed_from_are_refused():
    # Found in review: symgrad.jacobian(v*2, [v*3]) returned zeros, where
    # symgrad.autograd.grad (like torch.autograd.grad) raised.  v*3 made
    # after the outputs is a new tensor, not a variable of them: the
    # derivative is not zero, it does not exist.  Leaves the outputs do not
    # depend on are independent variables: their blocks are zeros, as in
    # sympy's jacobian and in jax.jacrev.
    v = symgrad.tensor([1., 2.], requires_grad=True)
    w = symgrad.tensor([3., 4.], requires_grad=True)
    for call in (lambda: symgrad.jacobian(v * 2, [v * 3]), lambda: symgrad.jacobian(v * 2, v * 3),
                 lambda: symgrad.jacobian([v * 2, v.sum()], [v, v * 3]),
                 lambda: symgrad.hessian((v * v).sum(), [v * 3])):
        with pytest.raises(RuntimeError, match=r"variable (0|1) is not a leaf and none of the outputs was computed "
                                               r"from it.*pass the leaves"):
            call()
    with pytest.raises(RuntimeError, match="not have been used in the graph"):
        symgrad.autograd.grad((v * 2).sum(), [v * 3])
    # an independent leaf: zeros; an intermediate inside the outputs: its derivative
    assert symgrad.jacobian(v * 2, w).tolist() == [[0., 0.], [0., 0.]]
    h = v * 3
    assert symgrad.jacobian(h * 2, h).tolist() == [[2., 0.], [0., 2.]]
    assert symgrad.hessian((2 * h).sum(), h).tolist() == [[0., 0.], [0., 0.]]  # a constant gradient
    assert symgrad.hessian((h * h).sum(), [h]).tolist() == [[2., 0.], [0., 2.]]


def test_keyword_arguments_keep_their_names():
    # a tensor passed by keyword reached f as it was: its closed form was its number (3), not y
    f = lambda x, y: x * x * y  # noqa: E731
    x, y = symgrad.tensor(2.), symgrad.tensor(3.)
    g = symgrad.grad(f)(x, y=y)
    assert g.item() == 12. and str(g.expr) == "2*x*y"
    assert str(symgrad.value_and_grad(f)(x, y=y)[1].expr) == "2*x*y"
    assert str(symgrad.jacobian(f)(x, y=y).expr) == "2*x*y"
    loss = lambda w, data: (w * data["X"]).sum() + data["b"]  # noqa: E731
    g = symgrad.grad(loss)(symgrad.tensor([1., 2.]), data={"X": symgrad.tensor([3., 4.]), "b": symgrad.tensor(1.)})
    assert str(g.expr) == "[X[0], X[1]]"
    named = symgrad.tensor(3., name="c")
    assert str(symgrad.grad(f)(x, y=named).expr) == "2*c*x"  # a named constant keeps its own name
    tracked = symgrad.tensor(3., requires_grad=True)
    g = symgrad.grad(f)(x, y=tracked)
    assert g.requires_grad and g.expr == 2 * g.expr.free_symbols.difference({tracked.symbol}).pop() * tracked.symbol
    assert y.expr == 3 and not y.requires_grad  # the caller's tensor is untouched


def test_numpy_arrays_and_numbers_are_differentiated_as_tensors():
    # jax.grad takes NumPy arrays; symgrad.grad refused them ("must be a Tensor, a Python float ...")
    g = symgrad.grad(lambda x: (x ** 2).sum())(np.array([1., 2.]))
    assert isinstance(g, symgrad.Tensor) and g.tolist() == [2., 4.] and str(g.expr) == "[2*x[0], 2*x[1]]"
    g = symgrad.grad(lambda x: (x ** 2).sum())(np.array([1., 2.], np.float32))
    assert g.dtype == symgrad.float32
    assert symgrad.grad(lambda x: x ** 3)(np.float64(2.)).item() == 12.
    gx, gy = symgrad.grad(lambda x, y: x * y, argnums=(0, 1))(2., np.array(3.))
    assert (gx.item(), gy.item()) == (3., 2.) and str(gx.expr) == "y"
    g = symgrad.grad(lambda p: p["w"] * 2)({"w": np.array(1.5)})
    assert g["w"].item() == 2.
    with pytest.raises(TypeError, match="int64; only floating-point"):
        symgrad.grad(lambda i: (i * 2).sum())(np.array([1, 2]))  # as jax.grad refuses integer inputs
    with pytest.raises(TypeError, match="got str"):
        symgrad.grad(lambda s: s)("1.0")
