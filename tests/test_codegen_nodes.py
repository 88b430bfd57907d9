"""Elementwise code printed from nodes (``codegen.nodes``, ``codegen.templates``)
and NumPy's fast forms (``backends/numpy_emitters``).

* every template is its backend's SymPy printer output, cut around the argument;
* random trees of + - * / ** and unary minus print with the right
  parentheses in every backend, and the rewrites ``nodes.make`` does keep
  their value (checked exactly, in rational arithmetic);
* every row of the op spec table matches the engine in float32 (values and
  dtype, gradients included) and in scalar (element-by-element) code, over
  the table's shapes: 0-d, vectors, matrices and broadcast pairs.
"""

from __future__ import annotations

import ast
import math
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import symgrad as sg
from symgrad.codegen import code_forms, nodes, printers, specs
from symgrad.codegen.generate import generate
from symgrad.codegen.graph import CodegenError, analyze
from symgrad.codegen.program import Node
from symgrad.codegen.ssa import Literal
from symgrad.ops import TABLE
from symgrad.symbolic.terms import Apply, Const
from tests.op_specs import SPECS
from tests.test_codegen_specs import Expected, close, sample

PRINTERS = {"numpy": printers.NumPyCode, "math": printers.MathCode, "jax": printers.JaxCode, "c": printers.CCode,
            "torch": printers.torch_printer}
X = sympy.Symbol("x", real=True)
UNARY_OPS = sorted(name for name in TABLE if nodes.unary_form(name) is not None)


def test_the_common_ops_are_nodes():
    assert {"exp", "log", "sin", "cos", "tanh", "sqrt", "abs"} <= set(UNARY_OPS)
    assert nodes.unary_form("softplus") is None  # parameters and a Piecewise: SymPy prints it
    assert nodes.unary_form("trunc") is None  # sign(x)*floor(Abs(x)) reads x twice


@pytest.mark.parametrize("backend", sorted(PRINTERS))
def test_templates_are_the_printers_own_output(backend):
    if backend == "torch":
        pytest.importorskip("torch")
    printer = PRINTERS[backend]()
    for name in UNARY_OPS:
        try:
            form = code_forms.FORMS.get(name, TABLE[name].symbolic)  # (expm1(x), not its closed form exp(x) - 1)
            expected = printer._print(nodes.float_choices(form(X)))  # (relu: max(0.0, x), Nodes hold floats)
        except CodegenError:  # a function the backend has none of (C's digamma): refused either way
            with pytest.raises(CodegenError, match="backend has no"):
                printer._print_Node(Node(name, (X,)))
            continue
        assert printer._print_Node(Node(name, (X,))) == expected, name
    for p in (-3, -2, -1, 2, 3):
        assert printer._print_Node(Node("pow_scalar", (X, sympy.Integer(p)))) == printer._print(X ** p), p


def test_a_template_that_repeats_its_argument_is_not_used():
    printer = printers.CCode()  # C's sign(x) is ((x > 0) - (x < 0))
    template = printer._function("sign")
    assert not template.usable
    assert printer._print_Node(Node("sign", (X,))) == printer._print(sympy.sign(X))


# ---------------------------------------------------------------- precedence, exactly

SYMBOLS = [sympy.Symbol(n, real=True) for n in ("x", "y", "z")]
VALUES = {"x": Fraction(3, 2), "y": Fraction(-5, 7), "z": Fraction(2)}
LEAVES = [*SYMBOLS, sympy.Integer(2), sympy.Integer(-3), sympy.Rational(1, 2), sympy.Rational(-2, 11),
          Literal("0.5"), -Literal("1.25"), sympy.Integer(0), sympy.Integer(1), sympy.Integer(-1)]
BINARY_OPS = ["add", "sub", "mul", "div"]


def trees(make):
    """Random expression trees of the arithmetic nodes, built with ``make``."""
    leaf = st.sampled_from(LEAVES)

    def extend(children):
        binary = st.tuples(st.sampled_from(BINARY_OPS), children, children).map(lambda t: make(t[0], (t[1], t[2])))
        neg = children.map(lambda a: make("neg", (a,)))
        power = st.tuples(children, st.sampled_from([-2, -1, 2, 3])).map(
            lambda t: make("pow_scalar", (t[0], sympy.Integer(t[1]))))
        return binary | neg | power

    return st.recursive(leaf, extend, max_leaves=8)


def exact(e):
    """The value of a node tree, in rational arithmetic, by the ops' meaning."""
    if type(e) is Node:
        a = [exact(x) for x in e.args]
        return {"add": lambda: a[0] + a[1], "sub": lambda: a[0] - a[1], "mul": lambda: a[0] * a[1],
                "div": lambda: a[0] / a[1], "neg": lambda: -a[0], "pow_scalar": lambda: a[0] ** int(a[1])}[e.op]()
    if isinstance(e, sympy.Symbol) and not isinstance(e, Literal):
        return VALUES[e.name]
    return Fraction(str(sympy.nsimplify(e)))


class _Rational(ast.NodeTransformer):
    """Numbers in printed code as Fractions, so the printed code evaluates exactly."""

    def visit_Constant(self, node):
        if isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return ast.Call(ast.Name("Fraction", ast.Load()), [ast.Constant(str(node.value))], [])
        return node


def evaluate(text):
    tree = ast.fix_missing_locations(_Rational().visit(ast.parse(text, mode="eval")))
    return eval(compile(tree, "<printed>", "eval"), {"Fraction": Fraction, "pow": pow, **VALUES})  # noqa: S307


def _check_prints(tree, reference):
    try:
        want = exact(reference)
    except ZeroDivisionError:
        assume(False)
    for backend in ("numpy", "math", "c"):
        printer = PRINTERS[backend]()
        text = printer._print_Node(tree) if type(tree) is Node else printer._print(tree)
        assert evaluate(text) == want, (backend, text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees(Node))
def test_untidied_trees_print_with_the_right_parentheses(tree):
    _check_prints(tree, tree)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_rewrites_keep_the_value(data):
    raw = data.draw(trees(Node))
    tidied = _rebuild(raw)
    _check_prints(tidied, raw)


def _rebuild(e):
    if type(e) is not Node:
        return e
    return nodes.make(e.op, tuple(_rebuild(a) for a in e.args))


def test_rewrites_read_like_sympy():
    x, y = SYMBOLS[:2]
    printer = printers.NumPyCode()

    def show(op, *args):
        e = nodes.make(op, args)
        return printer._print_Node(e) if type(e) is Node else printer._print(e)

    assert show("mul", x, x) == "x**2"
    assert show("add", x, x) == "2*x"
    assert show("sub", x, x) == "x - x"  # (nan at inf: not 0)
    assert show("mul", sympy.Integer(1), y) == "y"
    assert show("mul", y, x) == "x*y"
    assert show("add", x, nodes.make("mul", (sympy.Integer(-2), y))) == "x - 2*y"
    assert show("neg", nodes.make("sub", (x, y))) == "-(x - y)"  # (-0.0 at x == y: not y - x)
    assert show("mul", sympy.Integer(3), nodes.make("mul", (sympy.Integer(2), x))) == "6*x"


@pytest.mark.parametrize("backend", ["numpy", "math", "c"])
def test_double_negation_folds_across_temporaries(backend):
    """``-(-a)`` is ``a`` bit for bit (negation flips the sign bit: inf and
    signed zeros included), also when one minus is a temporary's: put back
    in line (the logistic regression NLL's ``-(-(...))``) or a symbol's
    negation (``-t1`` with ``t1 = -w``)."""
    w, b = sg.tensor(0.3, requires_grad=True), sg.tensor(-0.2, requires_grad=True)

    def nll(w, b):
        return -sg.distributions.Bernoulli(logits=w * 0.7 + b, validate_args=False).log_prob(sg.tensor(1.0)).sum()

    def g(w, b):
        n = -w
        return sg.neg(n) * sg.cos(n) + b

    build = {"compile": True} if backend == "c" else {}
    f = sg.gradient_function(nll(w, b), [w, b], backend=backend, **build)
    h = sg.lambdify([w, b], g(w, b), backend=backend, **build)
    assert "-(-" not in f.source and "--" not in f.source
    assert "-(-" not in h.source and "*t1" not in h.source and "t1*" not in h.source  # (t1 = -w: cos reads it)
    for wv, bv in [(0.3, -0.2), (-0.0, 0.0), (0.0, -0.0), (math.nan, 2.0), (1e308, -1e308), (-1e300, 5.0)]:
        args = sg.tensor(wv), sg.tensor(bv)
        for got, expected in ((f(wv, bv)[0], nll(*args)), (h(wv, bv), g(*args))):
            got, expected = np.float64(got), np.float64(expected.item())  # (a nan's sign is unspecified)
            assert got.tobytes() == expected.tobytes() or np.isnan(got) and np.isnan(expected), (wv, bv, got)


# Tidying that would change a number: -(a - b) as b - a (+0.0 at a == b, where eager gives -0.0), 0*x
# and 0/x as 0 and x - x as 0 (eager: nan at inf or nan, -0.0 for negative x), 0 + x as x (+0.0 at x = -0.0)
# and 0 - x as -x, and a -0.0 constant written as 0; and SymPy's own canonical forms of such Nodes where an
# op with a SymPy forward (where, maximum, atan2) reads them, ((a + b) - b is a in SymPy: rounding).
EDGE_POINTS = [(2.0, 2.0), (0.0, -0.0), (-0.0, 0.0), (-0.0, -0.0), (math.inf, 1.0), (-math.inf, 1.0),
               (math.nan, 1.0), (-3.0, 2.0), (1e-20, 1.0)]
EDGE_FUNCTIONS = {
    "-(a - b)": lambda a, b: -(a - b) * 2.0,
    "a * -(a - b)": lambda a, b: a * -(a - b),
    "0*a + b": lambda a, b: 0.0 * a + b,
    "(1 - c)*a + b": lambda a, b: (1 - sg.tensor(1.0)) * a + b,
    "0/a + b": lambda a, b: 0.0 / a + b,
    "a - a + b": lambda a, b: (a - a) + b,
    "0 + a": lambda a, b: (0.0 + a) * b,
    "0 - a": lambda a, b: (0.0 - a) * b,
    "a * -0.0 + b": lambda a, b: a * -0.0 + b * 0.5,
    "a + -0.0": lambda a, b: (a + -0.0) * b,
    "where(a > -9, -(a - b), 1)": lambda a, b: sg.where(a > -9, -(a - b), 1.0),
    "maximum(0*a, -1)": lambda a, b: sg.maximum(0.0 * a, b * 0.0 - 1.0),
    "atan2(-(a - b), -1)": lambda a, b: sg.atan2(-(a - b), b * 0.0 - 1.0),
    "where(b > -9, (a + b) - b, 0)": lambda a, b: sg.where(b > -9, (a + b) - b, 0.0),
    # Reductions over elements SymPy would tidy (scalar code reads them through temporaries).  Not
    # sums that are all -0.0 or ties of zeros of both signs: docs/codegen.md, "reductions in scalar code".
    "stack([a, 0*a, b + 1]).sum()": lambda a, b: sg.stack([a, a * 0.0, b + 1.0]).sum(),
    "(stack([a, 0*a]).mean() + 1)*b": lambda a, b: (sg.stack([a, a * 0.0]).mean() + 1.0) * b,
    "stack([a, 0*a, b]).prod()": lambda a, b: sg.stack([a, a * 0.0, b]).prod(),
    "stack([0*a, a - a, -b]).amax()": lambda a, b: sg.stack([a * 0.0, a - a, b * -1.0]).amax(),
    "stack([0*a, b - 1]).amin()": lambda a, b: sg.stack([a * 0.0, b - 1.0]).amin(),
    "stack([0*a, b]).logsumexp(0)": lambda a, b: sg.stack([a * 0.0, b]).logsumexp(0),
}


def test_a_quotient_printed_by_sympy_is_parenthesized_as_an_operand():
    # SymPy ranks 1/sqrt(x) (a Pow) as a power, but prints it as a quotient: a Node dividing by it printed
    # 1/1/numpy.sqrt(x) (vector_norm(x, 0.5)'s gradient once its where read the Node through a temporary)
    x, y = sympy.Symbol("x", positive=True), sympy.Symbol("y", real=True)
    printer = printers.NumPyCode()
    assert printer._print_Node(nodes.make("div", (y, 1 / sympy.sqrt(x)))) == "y/(1/numpy.sqrt(x))"
    assert printer._print_Node(nodes.make("mul", (y, 1 / sympy.sqrt(x)))) == "y*(1/numpy.sqrt(x))"
    assert printer._print_Node(nodes.make("add", (y, 1 / sympy.sqrt(x)))) == "y + 1/numpy.sqrt(x)"


# amax/amin's gradient divides by the number of elements equal to the result, a
# Python int in code of scalars: 0 at nan, where Python's division raises.
MATH_GRADIENT_RAISES_AT_NAN = {"stack([0*a, a - a, -b]).amax()", "stack([0*a, b - 1]).amin()"}


# Where JAX's or PyTorch's scalar code is not bit for bit eager's, and why (compared to 1e-15 there,
# signed zeros as equal).
LIBRARY_EXCEPTIONS = {
    ("jax", "stack([0*a, b]).logsumexp(0)"): "XLA's exp and log differ from the C library's in the last digit",
    ("torch", "stack([0*a, a - a, -b]).amax()"): "torch.maximum at equal zeros of both signs keeps either "
                                                  "(docs/codegen.md: reductions in scalar code)",
}


def _same_number(got, expected) -> bool:
    got, expected = np.float64(got), np.float64(expected)
    return got.tobytes() == expected.tobytes() or bool(np.isnan(got) and np.isnan(expected))


def _library_argument(backend: str):
    """A float64 number as the backend's functions take it (NumPy's for the others)."""
    if backend == "jax":
        jax = pytest.importorskip("jax")
        jax.config.update("jax_enable_x64", True)
        return lambda v: jax.numpy.asarray(v, dtype=jax.numpy.float64)
    if backend == "torch":
        torch = pytest.importorskip("torch")
        return lambda v: torch.tensor(v, dtype=torch.float64)
    if backend == "c":
        from symgrad.codegen.backends.c import compiler

        if compiler() is None:
            pytest.skip("no C compiler")
    return np.float64


@pytest.mark.parametrize("backend", ["numpy", "math", "c", "jax", "torch"])
@pytest.mark.parametrize("name", list(EDGE_FUNCTIONS))
def test_tidying_keeps_signed_zeros_inf_and_nan_as_eager(backend, name):
    """Generated code computes what eager code computes, bit for bit, also at
    signed zeros, infinities and nan (Bernoulli(logits=w*0.7 + b).log_prob(1)
    at w = inf was 0.0, where eager code gives nan: ``(1 - 1)*x`` tidied to 0).
    Functions of scalars: every backend writes code of scalars (JAX's and
    PyTorch's on their 0-d arrays), except as ``LIBRARY_EXCEPTIONS`` says."""
    fn = EDGE_FUNCTIONS[name]
    argument = _library_argument(backend)
    exception = LIBRARY_EXCEPTIONS.get((backend, name))
    same = _same_number if exception is None else \
        lambda x, y: bool(np.isclose(np.float64(x), y, rtol=1e-15, atol=0.0, equal_nan=True))
    a, b = sg.tensor(0.5, requires_grad=True), sg.tensor(0.25, requires_grad=True)
    build = {"compile": True} if backend == "c" else {}
    f = sg.lambdify([a, b], fn(a, b), backend=backend, **build)
    g = sg.gradient_function(fn(a, b), [a, b], backend=backend, **build)
    with np.errstate(all="ignore"):
        for av, bv in EDGE_POINTS:
            ta, tb = sg.tensor(av, requires_grad=True), sg.tensor(bv, requires_grad=True)
            out = fn(ta, tb)
            grads = sg.autograd.grad(out, [ta, tb], allow_unused=True, materialize_grads=True)
            args = (argument(av), argument(bv))
            got = f(*args)
            got = got.numpy() if hasattr(got, "numpy") else np.asarray(got)  # (torch's, JAX's and NumPy's)
            assert got.shape == () and got.dtype == np.float64, (name, av, bv, got, f.source)  # (not SymPy's 0)
            assert same(got, out.item()), (name, av, bv, got, out.item(), f.source)
            if backend == "math" and name in MATH_GRADIENT_RAISES_AT_NAN and math.isnan(out.item()):
                with pytest.raises(ZeroDivisionError):  # docs/codegen.md: the count of ties is a Python 0
                    g(*args)
                continue
            value, (ga, gb) = g(*args)
            value, ga, gb = (float(v) for v in (value, ga, gb))  # (0-d tensors and arrays of JAX and PyTorch)
            assert same(value, out.item()), (name, av, bv, g.source)
            assert same(ga, grads[0].item()) and same(gb, grads[1].item()), (name, av, bv, ga, gb, g.source)


def test_bernoulli_log_prob_at_infinite_logits_is_eager_nan():
    w, b = sg.tensor(1.0, requires_grad=True), sg.tensor(0.5, requires_grad=True)

    def log_prob(w, b):
        return sg.distributions.Bernoulli(logits=w * 0.7 + b).log_prob(sg.tensor(1.0))

    f = sg.lambdify([w, b], log_prob(w, b))
    with np.errstate(all="ignore"):
        eager = log_prob(sg.tensor(math.inf), sg.tensor(0.5)).item()
        assert math.isnan(eager)
        assert math.isnan(f(np.float64(math.inf), np.float64(0.5)))
        assert f(np.float64(0.3), np.float64(-0.2)) == pytest.approx(log_prob(sg.tensor(0.3), sg.tensor(-0.2)).item())


# ---------------------------------------------------------------- the op spec table

ALL_CASES = [pytest.param(spec, i, id=f"{spec.name}-{i}") for spec in SPECS for i in range(len(spec.cases))]

# Scalar (element-by-element) code writes arithmetic on numbers and has no
# dtype conversions: a cast of a 0-d input keeps the input's type.
CASTS = {"to_copy", "to_discrete"}


def close32(got, want):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape
    np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=1e-4, atol=1e-6)


def _float32(spec, case):
    values = [v.astype(np.float32) for v in sample(spec, case)]
    leaves = [sg.tensor(a, requires_grad=spec.differentiable, name=f"a{i}") for i, a in enumerate(values)]
    return values, leaves


@pytest.mark.parametrize("spec,case", ALL_CASES)
def test_float32_matches_the_engine(spec, case):
    if "codegen" in spec.skips:
        pytest.skip(spec.skips["codegen"])
    values, leaves = _float32(spec, case)
    out = spec.fn(*leaves)
    want = out.detach().numpy()
    got = np.asarray(sg.lambdify(leaves, out)(*values))
    scalar_code = not any(v.shape for v in values)
    if not (scalar_code and spec.name in CASTS):
        assert got.dtype == want.dtype
    close32(got, want)
    if spec.differentiable and out.requires_grad:
        f = (out * sg.tensor(np.float32(0.75))).sum()
        grads = sg.autograd.grad(f, leaves, retain_graph=True, allow_unused=True, materialize_grads=True)
        value, got_grads = sg.gradient_function(f, leaves)(*values)
        close32(value, f.detach().numpy())
        for g, w in zip(got_grads, grads, strict=True):
            close32(g, w.numpy())


@pytest.mark.parametrize("spec,case", ALL_CASES)
def test_scalar_code_matches_the_engine(spec, case):
    """Every case element by element (what scalar leaves get, and the C and math backends)."""
    if "codegen" in spec.skips:
        pytest.skip(spec.skips["codegen"])
    e = Expected(spec, case)
    outputs = [e.out]
    wanted = [e.out.detach().numpy()]
    if e.f is not None:
        outputs += list(sg.autograd.grad(e.f, e.leaves, retain_graph=True, allow_unused=True, materialize_grads=True))
        wanted += e.grads
    inputs = [specs.input_spec(x, i) for i, x in enumerate(e.leaves)]
    tree = tuple(specs.output_spec(f"out{i}", o, False) for i, o in enumerate(outputs))
    if "scalar_codegen" in spec.skips:  # refused element by element: see the row's reason
        with pytest.raises(CodegenError, match="no scalar-mode code"):
            generate(inputs, tree, "numpy", mode="scalar")
        return
    fn = generate(inputs, tree, "numpy", mode="scalar")
    for got, want in zip(fn(*e.values), wanted, strict=True):
        close(got, want, e.rtol)


# ---------------------------------------------------------------- NumPy's fast forms

def test_methods_only_for_arrays():
    """A 0-d operand may be a Python number: its reduction keeps numpy's function."""
    v = sg.tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    s = sg.tensor(2.0, requires_grad=True)
    out = (v * s).sum() + (s * s).sum() + (v * v).mean()
    f = sg.lambdify([v, s], out)
    assert ".sum()" in f.source and "numpy.sum(s**2)" in f.source
    assert f(np.array([1.0, 2.0, 3.0]), 2.0) == pytest.approx(out.item())


def test_products_of_matrices_and_vectors_print_as_dot_and_batches_as_matmul():
    """``numpy.dot`` for operands of at most two dimensions (0.4 us against
    0.6-0.9 us for ``@`` on an (11, 1) by (1, 1) product), ``@`` for batches,
    where ``dot`` means something else."""
    rng = np.random.default_rng(0)
    m = sg.tensor(rng.normal(size=(3, 2)), requires_grad=True)
    v = sg.tensor(rng.normal(size=2), requires_grad=True)
    batch = sg.tensor(rng.normal(size=(4, 3, 2)), requires_grad=True)
    w = sg.tensor(rng.normal(size=(5, 2)), requires_grad=True)
    outs = [m @ v, v @ v, m @ m.T, batch @ v, batch @ m.T, sg.nn.functional.linear(m, w), sg.addmm(m @ m.T, m, m.T)]
    f = sg.lambdify([m, v, batch, w], outs)
    body = f.source.split('"""')[-1]
    assert "numpy.dot(" in body and body.count(" @ ") == 2, body  # (the two products of the batch)
    got = f(*(t.detach().numpy() for t in (m, v, batch, w)))
    for g, want in zip(got, outs):
        np.testing.assert_allclose(g, want.detach().numpy(), rtol=1e-13)
        assert np.shape(g) == tuple(want.shape)


def test_mean_of_float32_stays_float32():
    v = sg.tensor(np.arange(6, dtype=np.float32).reshape(2, 3), requires_grad=True)
    f = sg.lambdify([v], [v.mean(), v.mean(0), (v * v).mean()])
    got = f(v.detach().numpy())
    assert [g.dtype for g in got] == [np.float32] * 3
    assert "/6" in f.source and "numpy.mean" not in f.source


def test_float32_data_is_stored_in_the_weights_dtype():
    """The seed's float32 data read by float64 weights: one float64 copy, not a conversion per call."""
    x = sg.from_numpy(np.arange(11, dtype=np.float32).reshape(-1, 1))
    y = sg.from_numpy(np.arange(11, dtype=np.float32).reshape(-1, 1) * 2 + 1)
    w = sg.tensor(np.array([[0.5]]), requires_grad=True)
    b = sg.tensor(np.array([0.1]), requires_grad=True)
    loss = sg.mse_loss(sg.linear(x, w, b), y)
    g = sg.gradient_function(loss, [w, b])
    assert "float32" not in g.source
    assert g.source.split('"""')[-1].count(" - ") == 1  # the loss and its derivative share x - y
    value, (gw, gb) = g(w.detach().numpy(), b.detach().numpy())
    want = sg.autograd.grad(loss, [w, b])
    assert value == pytest.approx(loss.item(), rel=1e-12)
    np.testing.assert_allclose(gw, want[0].numpy(), rtol=1e-12)
    np.testing.assert_allclose(gb, want[1].numpy(), rtol=1e-12)


def test_mse_loss_of_a_value_with_itself():
    """The difference is 0 (a number): the mean of its squares still gets an array (found by the fuzzer)."""
    x = sg.tensor([0.5, -1.0], requires_grad=True)
    loss = sg.mse_loss(sg.neg(sg.neg(x)), x)
    value, grad = sg.gradient_function(loss, x)(np.array([0.5, -1.0]))
    assert value == 0.0
    np.testing.assert_array_equal(grad, [0.0, 0.0])


def test_equal_constants_are_one_node_but_signed_zeros_stay_apart():
    a, b, c, d = Const(2.0), Const(2.0), Const(0.0), Const(-0.0)
    e, f = Const(2), Const(np.array([1.0, 2.0]))
    g = Const(np.array([1.0, 2.0]))
    roots = [Apply(TABLE["add"], (x, y), {}) for x, y in ((a, b), (c, d), (e, a), (f, g))]
    graph = analyze(roots)
    rep = graph.rep
    assert rep[id(a)] is rep[id(b)] and rep[id(f)] is rep[id(g)]
    assert rep[id(c)] is not rep[id(d)] and rep[id(e)] is not rep[id(a)]
    assert math.copysign(1.0, rep[id(d)].value) == -1.0


def test_the_fast_walks_visit_in_post_order():
    """``analyze`` and ``leaves_below`` are written for speed (one and two
    arguments unrolled, no second visit): their order is ``post_order``'s,
    through lazy terms (a gradient read into a new expression), ops of three
    arguments and shared subterms."""
    from symgrad._tensor import _term_or_const
    from symgrad.codegen.graph import leaves_below, post_order
    from symgrad.symbolic.terms import Leaf

    x, y, z = (sg.tensor(v, requires_grad=True) for v in (0.5, 2.0, -1.5))
    (x * x * y).backward()
    shared = sg.sin(x) * z
    out = [sg.where(x > 0, shared + x.grad * y, sg.clamp(z, -1.0, 1.0)) + shared, shared * 3, y]
    roots = [_term_or_const(t) for t in out]
    graph = analyze(roots)
    order = post_order(roots)
    assert [id(t) for t in graph.order] == [id(t) for t in order]
    assert [id(t) for t in graph.atoms] == [id(t) for t in order if not isinstance(t, Apply)]
    assert [id(t) for t in leaves_below(roots)] == [id(t) for t in order if isinstance(t, Leaf)]
    assert any(len(t.args) == 3 for t in graph.unique if isinstance(t, Apply))
