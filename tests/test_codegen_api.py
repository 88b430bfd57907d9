"""symgrad.lambdify and symgrad.gradient_function as users call them."""

from __future__ import annotations

import ast
import subprocess
import sys

import numpy as np
import pytest
import sympy

import symgrad
from symgrad.codegen import CodegenError


@pytest.fixture
def seed():
    x = symgrad.tensor(2., requires_grad=True)
    y = symgrad.tensor(3., requires_grad=True)
    return x, y, x * x * y


def body(fn) -> list[str]:
    """The generated function's statements, docstring left out."""
    tree = ast.parse(fn.source)
    func = [n for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")][-1]
    return [ast.unparse(s) for s in func.body[1:]]


# ---------------------------------------------------------------- the seed

def test_seed_value_and_gradient(seed):
    x, y, z = seed
    g = symgrad.gradient_function(z, [x, y])
    assert g(2, 3) == (12, (12, 4))
    assert g(2., 3.) == (12.0, (12.0, 4.0))


def test_seed_source_reads_like_numpy(seed):
    x, y, z = seed
    g = symgrad.gradient_function(z, [x, y])
    assert body(g) == ["t1 = x ** 2", "value = t1 * y", "grad_x = 2 * x * y", "return (value, (grad_x, t1))"]
    assert g.__doc__.startswith("value_and_grad(x, y) -> (value, (grad_x, grad_y))")
    assert "grad_x = 2*x*y" in g.__doc__ and "grad_y = x**2" in g.__doc__
    assert g.inputs == [x, y] and g.outputs[0] is z


def test_importing_symgrad_loads_neither_sympy_nor_codegen():
    code = "import sys, symgrad; print('sympy' in sys.modules, 'symgrad.codegen' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
    assert symgrad.lambdify.__module__ == "symgrad.codegen.api"


# ---------------------------------------------------------------- what lambdify accepts

def test_gradients_made_with_create_graph(seed):
    x, y, z = seed
    z.backward(create_graph=True)
    f = symgrad.lambdify([x, y], [x.grad, y.grad])
    assert f(2., 3.) == [12.0, 4.0]


def test_results_of_autograd_grad_whose_terms_are_lazy(seed):
    x, y, z = seed
    gx, gy = symgrad.autograd.grad(z, [x, y])
    assert type(symgrad._tensor.term_of(gx)).__name__ == "Lazy"
    f = symgrad.lambdify((x, y), (gx, gy))
    assert f(1., 5.) == (10.0, 1.0)


def test_diff_results_are_sympy(seed):
    x, y, z = seed
    f = symgrad.lambdify([x, y], [symgrad.diff(z, x), symgrad.diff(z, x, y)])
    assert f(2., 3.) == [12.0, 4.0]
    assert body(f)[0] == "out0 = 2 * x * y"


def test_leaf_symbols_as_inputs_and_array_diff():
    w = symgrad.tensor([1., 2., 3.], requires_grad=True)
    q = (w ** 3).sum()
    f = symgrad.lambdify([w.symbol], symgrad.diff(q, w))
    np.testing.assert_allclose(f(np.array([1., 2., 3.])), [3., 12., 27.])


def test_plain_sympy_expressions():
    a, b = sympy.symbols("a b")
    f = symgrad.lambdify([a, b], a * sympy.sin(b) + a ** 2)
    assert f(2.0, 0.0) == 4.0


def test_constant_tensors_can_be_inputs():
    X = symgrad.tensor([[1., 2.], [3., 4.]])
    w = symgrad.tensor([0.5, -1.], requires_grad=True)
    loss = ((X @ w) ** 2).sum()
    f = symgrad.lambdify([w, X], loss)
    assert f(np.array([0.5, -1.]), np.array([[1., 2.], [3., 4.]])) == pytest.approx(loss.item())
    assert f(np.array([1., 0.]), np.eye(2)) == pytest.approx(1.0)


def test_a_constant_input_is_not_merged_with_an_equal_constant():
    # Found by review6: equal constants are one node, and the input X was merged
    # with another tensor of the same values: the function read X for both (50)
    # or ignored X (10)
    w = symgrad.tensor([2., 3.], requires_grad=True)
    X = symgrad.tensor([1., 1.])
    other = symgrad.tensor([1., 1.])
    for out in ((w * other).sum() + (w * X).sum(), (w * X).sum() + (w * other).sum()):
        f = symgrad.lambdify([w, X], out)
        assert f(np.array([2., 3.]), np.array([5., 5.])) == 30.0


def test_a_constant_input_the_outputs_do_not_read_is_refused():
    # Found by review6: d * 2 of a tensor that does not require grad is not
    # recorded (its closed form is numbers), so lambdify([d], d * 2) returned
    # the traced values for every argument
    d = symgrad.tensor([1., -2.])
    with pytest.raises(CodegenError, match=r"input 0 \(d\) is a constant tensor that the outputs do not read.*name="):
        symgrad.lambdify([d], d * 2)
    d = symgrad.tensor([1., -2.], name="d")
    assert symgrad.lambdify([d], d * 2)(np.array([3., -4.])).tolist() == [6., -8.]


def test_simplify_option():
    x = symgrad.tensor(0.3, requires_grad=True)
    f = symgrad.lambdify([x], symgrad.sin(x) ** 2 + symgrad.cos(x) ** 2, simplify=True)
    assert body(f) == ["return 1.0"]
    assert f(0.7) == 1.0


# ---------------------------------------------------------------- gradient_function

def test_array_leaves_and_unused_variables():
    w = symgrad.tensor([1., 2.], requires_grad=True)
    u = symgrad.tensor([5., 6., 7.], requires_grad=True)
    f = (w ** 2).sum()
    g = symgrad.gradient_function(f, [w, u])
    value, (gw, gu) = g(np.array([1., 2.]), np.array([5., 6., 7.]))
    assert value == 5.0
    np.testing.assert_allclose(gw, [2., 4.])
    np.testing.assert_array_equal(gu, np.zeros(3))


def test_other_leaves_become_extra_inputs(seed):
    x, y, z = seed
    g = symgrad.gradient_function(z, x)
    assert [i.name for i in g.program.inputs] == ["x", "y"]
    assert g(2., 3.) == (12.0, 12.0)


def test_hessian_of_scalars_matches_diff(seed):
    x, y, z = seed
    h = symgrad.gradient_function(z, [x, y], hessian=True)
    assert h(2., 3.) == (12.0, (12.0, 4.0), ((6.0, 4.0), (4.0, 0.0)))


def test_hessian_of_an_array_leaf():
    w = symgrad.tensor([1., 2.], requires_grad=True)
    q = (w ** 3).sum() + w[0] * w[1]
    h = symgrad.gradient_function(q, w, hessian=True)
    value, grad, hess = h(np.array([1., 2.]))
    assert value == 11.0
    np.testing.assert_allclose(grad, [5., 13.])
    np.testing.assert_allclose(hess, [[6., 1.], [1., 12.]])


def test_python_functions_are_traced_once():
    calls = []

    def f(a, b):
        calls.append(1)
        return symgrad.exp(a) * b ** 2

    g = symgrad.gradient_function(f, [0, 1])
    assert len(calls) == 1
    value, (ga, gb) = g(0.0, 2.0)
    assert (value, ga, gb) == (4.0, 4.0, 4.0)
    single = symgrad.gradient_function(f, 1)
    assert single(0.0, 2.0) == (4.0, 4.0)


def test_traced_functions_take_example_shapes():
    g = symgrad.gradient_function(lambda w: (w * w).sum(), 0, example_args=[np.zeros(3)])
    value, grad = g(np.array([1., 2., 3.]))
    assert value == 14.0
    np.testing.assert_allclose(grad, [2., 4., 6.])


# ---------------------------------------------------------------- vectorized evaluation

def test_scalar_leaves_accept_arrays_of_points(seed):
    x, y, z = seed
    g = symgrad.gradient_function(z, [x, y])
    xs = np.linspace(-1, 1, 7)
    value, (gx, gy) = g(xs, 3.0)
    np.testing.assert_allclose(value, xs ** 2 * 3)
    np.testing.assert_allclose(gx, 6 * xs)
    np.testing.assert_allclose(gy, xs ** 2)


def test_array_outputs_of_scalar_leaves_put_points_first(seed):
    x, y, _ = seed
    f = symgrad.lambdify([x, y], symgrad.stack([x * y, x + y, symgrad.tensor(1.)]))
    np.testing.assert_allclose(f(2., 3.), [6., 5., 1.])
    pts = f(np.array([1., 2.]), np.array([3., 4.]))
    np.testing.assert_allclose(pts, [[3., 4., 1.], [8., 6., 1.]])


# ---------------------------------------------------------------- errors that say what to do

def test_a_leaf_missing_from_the_inputs_is_named(seed):
    x, y, z = seed
    with pytest.raises(CodegenError, match=r"depend on .y., which is not among the inputs; add it to the inputs"):
        symgrad.lambdify([x], z)


def test_inputs_must_be_leaves(seed):
    x, y, z = seed
    with pytest.raises(CodegenError, match="inputs must be leaves"):
        symgrad.lambdify([x * 2], z)


def test_an_input_given_twice_is_refused(seed):
    x, y, z = seed
    with pytest.raises(CodegenError, match="given only once"):
        symgrad.lambdify([x, y, x], z)


def test_unknown_symbols_in_sympy_outputs_are_named(seed):
    x, _, _ = seed
    with pytest.raises(CodegenError, match="contain q"):
        symgrad.lambdify([x], sympy.Symbol("q") * 2)


def test_unknown_backend_and_bad_names(seed):
    x, y, z = seed
    with pytest.raises(CodegenError, match="unknown backend 'fortran'"):
        symgrad.lambdify([x, y], z, backend="fortran")
    with pytest.raises(ValueError, match="Python identifier"):
        symgrad.lambdify([x, y], z, name="f; import os")
    with pytest.raises(ValueError, match="choose another name"):
        symgrad.lambdify([x, y], z, name="sin", backend="c")


def test_gradient_function_needs_a_scalar_and_grad_leaves(seed):
    x, y, z = seed
    with pytest.raises(CodegenError, match=r"scalar f.*f.sum\(\)"):
        symgrad.gradient_function(symgrad.stack([z, z]), [x])
    c = symgrad.tensor(1.0)
    with pytest.raises(CodegenError, match="requires grad"):
        symgrad.gradient_function(z, [c])
    with pytest.raises(CodegenError, match="argument positions"):
        symgrad.gradient_function(lambda a: a * a, 3)


def test_uncompiled_c_says_how_to_compile(seed):
    x, y, z = seed
    f = symgrad.lambdify([x, y], z, backend="c")
    assert "void f(double x, double y, double *out)" in f.source
    with pytest.raises(RuntimeError, match="compile=True"):
        f(1., 2.)


# ---------------------------------------------------------------- input shapes

def _vector_function(backend: str = "numpy"):
    w = symgrad.tensor([1., 2.], requires_grad=True, name="w")
    s = symgrad.tensor(3., requires_grad=True, name="s")
    return symgrad.gradient_function((w * s).sum(), [w, s], backend=backend)


def test_array_inputs_of_another_shape_are_refused():
    # Found in review: a function generated for a (2,) leaf, called with a
    # (3,) array, computed on it (a sum over 3 elements) or failed inside
    # NumPy with a broadcasting error; a (5,) array of "points" for a scalar
    # input of an array function silently broadcast against the array.
    g = _vector_function()
    value, (gw, gs) = g(np.array([1., 2.]), 3.0)
    assert value == 9.0 and gs == 3.0
    with pytest.raises(ValueError, match=r"value_and_grad\(\): argument 1 \(w\) must have shape \(2,\), got \(3,\)"):
        g(np.array([1., 2., 3.]), 3.0)
    with pytest.raises(ValueError, match=r"argument 2 \(s\) must have shape \(\), got \(5,\).*scalar leaves"):
        g(np.array([1., 2.]), np.linspace(0., 1., 5))
    with pytest.raises(ValueError, match=r"argument 1 \(w\) must have shape \(2,\), got \(2, 1\)"):
        g(np.ones((2, 1)), 3.0)
    with pytest.raises(ValueError, match=r"argument 1 \(w\) must have shape \(2,\), got \(\)"):
        g(1.0, 3.0)
    # what was right before still is: numbers and 0-d arrays for scalars, keywords
    assert g(np.array([1., 2.]), np.float64(3.0))[0] == 9.0
    assert g(np.array([1., 2.]), np.array(3.0))[0] == 9.0
    assert g(s=3, w=np.array([1., 2.]))[0] == 9.0


def test_the_math_backend_refuses_other_shapes_and_arrays_of_points():
    # The math backend reads elements by index: a longer list was silently
    # cut to the first elements, and a list for a scalar was repeated by 2*x.
    g = _vector_function("math")
    assert g([1., 2.], 3.0)[0] == 9.0
    assert g(np.array([1., 2.]), 3.0)[0] == 9.0
    with pytest.raises(ValueError, match=r"argument 1 \(w\) must have shape \(2,\), got \(3,\).*one point"):
        g([1., 2., 3.], 3.0)
    with pytest.raises(ValueError, match=r"argument 1 \(w\) must have shape \(2,\), got a ragged nested list"):
        g([1., [2., 3.]], 3.0)
    x = symgrad.tensor(2., requires_grad=True, name="x")
    double = symgrad.lambdify([x], 2 * x, backend="math")
    assert double(1.5) == 3.0
    with pytest.raises(ValueError, match=r"argument 1 \(x\) must have shape \(\), got \(2,\)"):
        double([1.0, 2.0])


@pytest.mark.filterwarnings("ignore:Explicitly requested dtype float64")  # (JAX without jax_enable_x64)
@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_jax_and_torch_code_refuse_other_shapes(backend):
    module = pytest.importorskip(backend)
    g = _vector_function(backend)
    if backend == "torch":
        good, bad = module.tensor([1., 2.], dtype=module.float64), module.ones(3, dtype=module.float64)
    else:
        good, bad = np.array([1., 2.]), np.ones(3)
    assert float(g(good, 3.0)[0]) == 9.0
    with pytest.raises(ValueError, match=r"argument 1 \(w\) must have shape \(2,\), got \(3,\)"):
        g(bad, 3.0)
    if backend == "jax":
        assert float(module.jit(g)(good, 3.0)[0]) == 9.0
        with pytest.raises(ValueError, match=r"must have shape \(2,\), got \(3,\)"):
            module.jit(g)(bad, 3.0)


def test_functions_of_scalar_leaves_still_take_any_points(seed):
    x, y, z = seed
    g = symgrad.gradient_function(z, [x, y])
    assert "must have shape" not in g.source  # nothing to check: every shape of points is right
    grid = np.ones((4, 3))
    assert g(grid, 2.0)[0].shape == (4, 3)


@pytest.mark.parametrize("backend", ["numpy", "math"])
def test_compile_is_refused_for_python_backends(seed, backend):
    # Found in review: compile=True was silently ignored unless backend="c".
    x, y, z = seed
    for make in (lambda: symgrad.lambdify([x, y], z, backend=backend, compile=True),
                 lambda: symgrad.gradient_function(z, [x, y], backend=backend, compile=True)):
        with pytest.raises(CodegenError, match=rf"compile=True builds C code; the {backend} backend's code is "
                                               r"Python.*leave compile=True out.*backend='c'"):
            make()


# Positions chosen by the inputs' values were constants of the graph, so the
# generated code reused the traced positions at every input: sort(s)[0][0] at
# [1, 3, 2] gave s[1] = 3 (the traced minimum's place), not 1.
SELECTED_BY_VALUES = {
    "sort": lambda s: symgrad.sort(s).values[0],
    "topk": lambda s: s.topk(1).values.sum(),
    "argsort as an index, sliced": lambda s: s[s.argsort()[:2]].sum(),
    "argmax as an index": lambda s: s[s.argmax()],
    "mask of the input": lambda s: s[s > 2].sum(),
    "mask of named data": lambda s: s[symgrad.tensor([1., -1., 1.], name="X") > 0].sum(),
    "masked_select": lambda s: symgrad.masked_select(s, s > 2).sum(),
    "gather": lambda s: symgrad.gather(s, 0, s.argsort()).sum(),
    "index_select": lambda s: symgrad.index_select(s, 0, s.argsort()[:1]).sum(),
    "nonzero": lambda s: s[(s - 1).nonzero()[:, 0]].sum(),
    "assignment under a mask": lambda s: symgrad.where(s > 0, s, 0.).masked_fill(s > 2, 0.)[s < 3].sum(),
    # constants placed by the input's mask depend on the input: they were plain numbers, frozen at the traced mask
    "constants scattered under the input's mask": lambda s: (symgrad.zeros(3).masked_scatter(
        s > 1.5, symgrad.tensor([5., 6., 7.])) * s).sum(),
    "constants written at the input's argmax": lambda s: (symgrad.zeros(3).index_fill(0, s.argmax(), 1.) * s).sum(),
}
DECIDED_AT_RUN_TIME = {
    "constant index": (lambda s: s[symgrad.tensor([0, 2])].sum(), 3.0),
    "constant mask": (lambda s: s[symgrad.tensor([False, True, True])].sum(), 5.0),
    "max": (lambda s: s.max(), 3.0),
    "max along dim": (lambda s: s.max(dim=0).values, 3.0),
    "where": (lambda s: symgrad.where(s > 2, s, 0.).sum(), 3.0),
    "cross entropy with its targets": (lambda s: symgrad.nn.functional.cross_entropy(s[None], symgrad.tensor([1])),
                                       None),
}


@pytest.mark.parametrize("case", list(SELECTED_BY_VALUES))
def test_positions_chosen_by_values_are_refused(case):
    s = symgrad.tensor([3., 1., 2.], requires_grad=True)
    with pytest.raises(CodegenError, match="positions chosen by the values of the inputs"):
        symgrad.gradient_function(SELECTED_BY_VALUES[case](s), s)


@pytest.mark.parametrize("make", [lambda s: s.argsort(), lambda s: symgrad.unique(s), lambda s: s * s.argsort(),
                                  lambda s: symgrad.bincount(symgrad.tensor([0, 2]), weights=s[:2])],
                         ids=["argsort", "unique", "times argsort", "bincount of selected weights"])
def test_outputs_that_are_positions_or_values_chosen_by_values_are_refused(make):
    # argsort(s) as an output (or an operand) is a constant of the graph: the
    # code returned the traced order, [1, 2, 0], at every input.
    s = symgrad.tensor([3., 1., 2.], requires_grad=True)
    with pytest.raises(CodegenError, match="positions chosen by the values of the inputs, or are such positions"):
        symgrad.lambdify([s], make(s))


@pytest.mark.parametrize("case", list(DECIDED_AT_RUN_TIME))
def test_selections_decided_at_run_time_or_by_constants_are_generated(case):
    f, at_other_point = DECIDED_AT_RUN_TIME[case]
    s = symgrad.tensor([3., 1., 2.], requires_grad=True)
    g = symgrad.gradient_function(f(s), s)
    if at_other_point is not None:
        assert g(np.array([1., 3., 2.]))[0] == at_other_point


def test_inputs_given_as_lists_or_in_another_library_are_converted():
    # A list passed to NumPy code was computed on as a list: 2*x was the list
    # twice over, a gradient of length 4 for 2 elements, silently.  PyTorch
    # code given a Python float or a NumPy array failed inside torch.pow.
    x = symgrad.tensor([1., 2.], requires_grad=True)
    s = symgrad.tensor(2., requires_grad=True)
    loss = (x * x).sum() * 3
    for arg in ([1., 2.], (1., 2.), np.array([1., 2.])):
        value, grad = symgrad.gradient_function(loss, x)(arg)
        assert value == 15.0 and isinstance(grad, np.ndarray) and grad.tolist() == [6., 12.]
    value, grad = symgrad.gradient_function(s * s * 3, s)([1., 2.])  # arrays of points, as a list
    assert value.tolist() == [3., 12.] and grad.tolist() == [6., 12.]
    assert symgrad.gradient_function(loss, x, backend="math")([1., 2.]) == (15.0, [6.0, 12.0])
    with pytest.raises(TypeError, match="takes 1 positional argument but 2 were given"):
        symgrad.gradient_function(s * s, s)([1., 2.], 3.)  # converting the list must not drop the extra argument
    torch = pytest.importorskip("torch")
    for arg in ([1., 2.], np.array([1., 2.]), torch.tensor([1., 2.], dtype=torch.float64)):
        value, grad = symgrad.gradient_function(loss, x, backend="torch")(arg)
        assert isinstance(grad, torch.Tensor) and grad.tolist() == [6., 12.] and grad.dtype == torch.float64
    value, grad = symgrad.gradient_function(s ** 3, s, backend="torch")(2.)
    assert value.item() == 8.0 and grad.item() == 12.0
    # symgrad's own tensors: torch.as_tensor read them as sequences ("len() of a 0-d tensor")
    value, grad = symgrad.gradient_function(s ** 3, s, backend="torch")(symgrad.tensor(2.))
    assert value.item() == 8.0 and grad.item() == 12.0
    value, grad = symgrad.gradient_function(loss, x, backend="torch")(symgrad.tensor([1., 2.]))
    assert grad.tolist() == [6., 12.] and grad.dtype == torch.float64
    with pytest.raises(ValueError, match=r"argument 1 \(x\) must have shape \(2,\), got \(3,\)"):
        symgrad.gradient_function(loss, x, backend="torch")([1., 2., 3.])


def test_float32_gradients_stay_float32():
    # mean's 1/n is an Exact (a float subclass), which NumPy took for a float64 array when the code
    # generator folded constants: the NumPy code's gradient was float64, the PyTorch code raised
    # "expected m1 and m2 to have the same dtype"
    W = symgrad.tensor(np.ones((3, 2), dtype=np.float32), requires_grad=True)
    X = symgrad.tensor(np.ones((2, 2), dtype=np.float32), name="X")
    loss = symgrad.nn.functional.cross_entropy(X @ W.T, symgrad.tensor([0, 1]))
    want = symgrad.autograd.grad(loss, W, retain_graph=True)[0]
    args = (W.detach().numpy(), X.numpy())
    value, (grad,) = symgrad.gradient_function(loss, [W], inputs=[W, X])(*args)
    assert value.dtype == grad.dtype == np.float32 and np.allclose(grad, want.numpy())
    torch = pytest.importorskip("torch")
    value, (grad,) = symgrad.gradient_function(loss, [W], "torch", inputs=[W, X])(*args)
    assert grad.dtype == torch.float32 and np.allclose(grad.numpy(), want.numpy())


@pytest.mark.parametrize("make", [lambda x: x / symgrad.tensor([1, 2, 3]), lambda x: x * symgrad.tensor([1, 2, 3]),
                                  lambda x: symgrad.tensor([1, 2, 3]) - x, lambda x: x * symgrad.tensor(2.)],
                         ids=["divided by ints", "times ints", "ints minus", "times a 0-d float64"])
def test_generated_code_promotes_as_the_engine_does(make):
    # float32 beside an int64 array (average pooling's divisors) or a 0-d float64
    # tensor is float32 in the engine, as in PyTorch; NumPy's promotion made the
    # generated code (and its replay of the graph) float64.
    x = symgrad.tensor(np.array([1., 2., 4.], np.float32), requires_grad=True)
    out = make(x)
    got = symgrad.lambdify([x], out)(np.array([1., 2., 4.], np.float32))
    assert out.dtype == symgrad.float32 and got.dtype == np.float32
    np.testing.assert_allclose(got, out.detach().numpy(), rtol=1e-6)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_empty_results_keep_their_shape(backend):
    # an empty constant was printed as numpy.array([]) (shape (0,)): the gradient of a (0, 3) input came back
    # as shape (0,); and an output of no elements in scalar mode was _pack((2, 0), ), which raised
    if backend == "torch":
        pytest.importorskip("torch")
    x = symgrad.tensor(np.zeros((0, 3)), requires_grad=True)
    (g,) = symgrad.autograd.grad((x * 2.0).sum(), [x], create_graph=True)
    value, grad = symgrad.lambdify([x], [x * 2.0, g], backend=backend)(np.ones((0, 3)))
    assert tuple(value.shape) == tuple(grad.shape) == (0, 3)
    s = symgrad.tensor(1.5, requires_grad=True)
    (out,) = symgrad.lambdify([s], [symgrad.take(s, symgrad.zeros(2, 0, dtype=symgrad.int64))], backend=backend)(2.0)
    assert tuple(out.shape) == (2, 0)


def test_arithmetic_with_a_boolean_constant_reached_through_a_view():
    # the gradient of kron(mask, x) multiplies by the 0-d mask reshaped: lowering handed SymPy's True to
    # a product ("BooleanAtom not allowed in this context")
    x = symgrad.tensor([1.], requires_grad=True)
    for mask in (symgrad.tensor(True), symgrad.tensor(False)):
        y = symgrad.kron(mask, x)
        (g,) = symgrad.autograd.grad((y * 1.5).sum(), [x], create_graph=True)
        value, grad = symgrad.lambdify([x], [y, g])(np.array([3.]))
        assert value.tolist() == [3. * bool(mask)] and grad.tolist() == [1.5 * bool(mask)]


def test_integer_constant_times_float32_stays_float32():
    # PyTorch's rules make int64 * float32 float32 (as the engine computes); the replay that gives generated
    # code its dtypes ran NumPy's, float64 (cov with fweights and float32 aweights returned float64)
    w = symgrad.tensor(np.array([0.5, 1.5, 2.0], dtype=np.float32), requires_grad=True)
    y = symgrad.tensor([1, 0, 2]) * w
    assert y.dtype == symgrad.float32
    assert symgrad.lambdify([w], y)(w.detach().numpy()).dtype == np.float32


def test_integer_and_boolean_inputs_are_computed_in_the_traced_float_dtype():
    # NumPy code computed on an int32 array as it came: a**3 at 10**4 overflowed to -727379968,
    # silently (only lists were converted); the engine and JAX compute in the traced float dtype
    cube = symgrad.gradient_function(lambda a: (a ** 3).sum(), 0, example_args=[np.ones(1)])  # array code
    value, grad = cube(np.array([10 ** 4], dtype=np.int32))
    assert value == 1e12 and grad.tolist() == [3e8] and grad.dtype == np.float64
    value, grad = cube(np.array([True]))
    assert value == 1.0 and grad.dtype == np.float64
    points = symgrad.gradient_function(lambda a: a ** 3, 0)  # code of scalars: any points
    for arg in (np.array([10 ** 4], dtype=np.int32), np.int32(10 ** 4), np.array(10 ** 4, dtype=np.int16)):
        value, grad = points(arg)
        assert np.all(value == 1e12) and np.all(grad == 3e8) and grad.dtype == np.float64
    value, grad = points(np.array([True, False]))
    assert value.tolist() == [1.0, 0.0] and grad.tolist() == [3.0, 0.0]
    s = symgrad.tensor(2., requires_grad=True)
    w = symgrad.tensor([1., 2.], requires_grad=True)
    scalar_beside_array = symgrad.gradient_function((w ** 3).sum() * s ** 3, [w, s])  # array code, a 0-d input
    value, (gw, gs) = scalar_beside_array(np.array([1., 1.]), np.int32(10 ** 4))
    assert value == 2e12 and gs == 6e8
    x = symgrad.tensor(np.ones(2, np.float32), requires_grad=True)
    value, grad = symgrad.gradient_function((x ** 3).sum(), x)(np.array([10 ** 4, 0], dtype=np.int32))
    assert grad.dtype == np.float32 and grad.tolist() == [3e8, 0.0]


def test_jax_and_math_code_compute_integer_inputs_in_the_traced_float_dtype():
    # JAX code given an int32 array, and math code given np.int32(10**4), computed a**3 in int32: -727379968
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    ints = (np.array([10 ** 4], dtype=np.int32), np.int32(10 ** 4), np.array(10 ** 4, dtype=np.int16))
    for backend in ("jax", "math"):
        points = symgrad.gradient_function(lambda a: a ** 3, 0, backend=backend)  # code of scalars
        for arg in ints[1:] if backend == "math" else ints:
            value, grad = points(arg)
            assert np.all(np.asarray(value) == 1e12) and np.all(np.asarray(grad) == 3e8), (backend, arg)
        vector = symgrad.gradient_function(lambda a: (a ** 3).sum(), 0, backend=backend,
                                           example_args=[np.ones(2)])  # code of arrays, shape-checked
        value, grad = vector(np.array([10 ** 4, 1], dtype=np.int32))
        assert float(value) == 1e12 + 1 and np.asarray(grad).tolist() == [3e8, 3.0], backend
        if backend == "jax":
            value, grad = jax.jit(vector)(np.array([10 ** 4, 1], dtype=np.int32))
            assert float(value) == 1e12 + 1 and grad.dtype == np.float64
            value, grad = jax.jit(points)(jax.numpy.array([10 ** 4, 2], dtype=np.int32))
            assert value.tolist() == [1e12, 8.0] and grad.dtype == np.float64
            assert points(np.array([True]))[0].dtype == np.float64
    k = symgrad.tensor([3, 4], name="k")  # integer leaves keep their integers
    w = symgrad.tensor([1., 2.], requires_grad=True)
    g = symgrad.gradient_function((w * k).sum(), w, inputs=[w, k], backend="jax")
    assert float(g(np.array([1., 1.]), np.array([5, 6], dtype=np.int32))[0]) == 11.0


@pytest.mark.parametrize("backend", ["numpy", "math", "jax", "torch"])
def test_a_string_for_an_input_is_refused_by_name(backend):
    # a str was taken for a 0-d array: "must have shape (2,), got ()", or computed on ("ab" ** 2: Python's TypeError)
    if backend in ("jax", "torch"):
        pytest.importorskip(backend)
    vector = _vector_function(backend)
    with pytest.raises(TypeError, match=r"argument 1 \(w\) must be an array of shape \(2,\), got a str"):
        vector("ab", 3.0)
    with pytest.raises(TypeError, match=r"argument 2 \(s\) must be a number.*got a str"):
        vector(np.array([1., 2.]), "3")
    x = symgrad.tensor(2., requires_grad=True, name="x")
    points = symgrad.lambdify([x], x * x, backend=backend)
    with pytest.raises(TypeError, match=r"argument 1 \(x\) must be a number.*got a str"):
        points("2")


def test_integer_inputs_of_integer_leaves_are_left_as_they_are():
    # only float inputs convert: an integer constant given as an input keeps the integers it was given
    w = symgrad.tensor([1., 2.], requires_grad=True)
    k = symgrad.tensor([3, 4], name="k")
    g = symgrad.gradient_function((w * k).sum(), w, inputs=[w, k])
    value, grad = g(np.array([1., 1.]), np.array([5, 6], dtype=np.int32))
    assert value == 11.0 and grad.tolist() == [5.0, 6.0]


def test_tracing_keeps_the_float_dtype_of_the_examples():
    # example_args' float32 was traced as float64: the value came back float32 and the gradient float64
    g = symgrad.gradient_function(lambda a, b: (a * b).sum(), [0], example_args=[np.ones(3, np.float32), 2.])
    value, (grad,) = g(np.ones(3, np.float32), 2.)
    assert value.dtype == grad.dtype == np.float32 and grad.tolist() == [2., 2., 2.]
    g = symgrad.gradient_function(lambda a: (a * a).sum(), 0, example_args=[symgrad.ones(2, dtype=symgrad.float32)])
    value, grad = g(np.ones(2, np.float32))
    assert value.dtype == grad.dtype == np.float32
    g = symgrad.gradient_function(lambda a: (a * a).sum(), 0, example_args=[np.ones(2, np.int64)])
    assert g(np.ones(2))[1].dtype == np.float64  # integer examples are traced as floats, as before
