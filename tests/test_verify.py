"""verify_gradient / assert_gradient: proves right hand derivations, catches
wrong ones with a counterexample, respects the domain, reads every kind of
expected gradient, and explains bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy

import symgrad
from symgrad.parsing import FormulaError


def _regression():
    """The seed's linear regression, as a loss of w and b with named data."""
    X = symgrad.tensor([1., 2., 3.], name="X")
    Y = symgrad.tensor([3., 5., 7.], name="Y")
    w = symgrad.tensor(0.5, requires_grad=True)
    b = symgrad.tensor(0.1, requires_grad=True)
    return ((w * X + b - Y) ** 2).mean(), w, b, (X, Y)  # data kept alive: its values are the first point


# ---------------------------------------------------------------- the seed's derivatives

def test_proves_the_seed_first_derivatives():
    x = symgrad.tensor(1., requires_grad=True)
    b = symgrad.tensor(2., requires_grad=True)
    w = symgrad.tensor(3., requires_grad=True)
    report = symgrad.verify_gradient(w * x + b, [x, w, b], ["w", "x", "1"])
    assert report.proved and [c.verdict for c in report] == ["proved equal"] * 3


def test_proves_the_seed_second_derivative():
    x = symgrad.tensor(2.).requires_grad_()
    y = symgrad.tensor(3.).requires_grad_()
    z = x * x * y
    assert symgrad.verify_gradient(z, x, "2*x*y").proved
    (gx,) = symgrad.autograd.grad(z, x, create_graph=True)
    assert symgrad.verify_gradient(gx, [x, y], {"x": "2*y", "y": "2*x"}).proved


def test_proves_the_seed_vector_gradient():
    X = symgrad.tensor([1.5, 2.5, 3.5], name="X")
    W = symgrad.tensor([0.2, 0.4, 0.6], requires_grad=True)
    b = symgrad.tensor(0.1, requires_grad=True)
    Y = symgrad.add(symgrad.dot(X, W), b)
    report = symgrad.verify_gradient(Y, [W, b], [["X[0]", "X[1]", "X[2]"], 1])
    assert report.proved
    assert symgrad.verify_gradient(Y, W, "X").proved  # the whole array, elementwise


# ---------------------------------------------------------------- the done-when

def test_mse_missing_factor_two_is_caught_with_counterexample():
    loss, w, b, data = _regression()
    report = symgrad.verify_gradient(loss, [w, b], ["mean((w*X + b - Y)*X)", "mean(w*X + b - Y)"])
    assert not report
    cw = report["w"]
    assert cw.verdict == "proved different"
    assert cw.factor == 2
    ce = cw.counterexample
    assert ce is not None and ce.point["w"] == "0.5" and ce.point["b"] == "0.1"  # the user's own point
    assert ce.symgrad == pytest.approx(2 * ce.expected)
    assert ce.symgrad == pytest.approx(2 * np.mean((0.5 * np.array([1, 2, 3]) + 0.1 - np.array([3, 5, 7]))
                                                   * np.array([1, 2, 3])))
    assert cw.difference is not None and sympy.simplify(cw.difference - cw.symgrad / 2) == 0
    text = str(report)
    assert "MISMATCH" in text and "misses a factor of 2" in text and "counterexample at" in text
    assert "symgrad gives" in text and "the hand derivation gives" in text


def test_correct_mse_gradient_is_proved_equal():
    loss, w, b, data = _regression()
    report = symgrad.verify_gradient(loss, [w, b], ["2*mean((w*X + b - Y)*X)", "2*mean(w*X + b - Y)"])
    assert report and report.proved
    assert "all match" in str(report)
    assert report["w"].max_rel < 1e-12


def test_sigmoid_sign_error_is_caught():
    x = symgrad.tensor(0.3, requires_grad=True)
    bad = symgrad.verify_gradient(symgrad.sigmoid(x), x, "sigmoid(x)*(sigmoid(x) - 1)")
    assert bad["x"].verdict == "proved different" and bad["x"].factor == -1
    assert "sign error" in str(bad)
    assert symgrad.verify_gradient(symgrad.sigmoid(x), x, "sigmoid(x)*(1 - sigmoid(x))").proved
    # written with exp, as on paper
    assert symgrad.verify_gradient(symgrad.sigmoid(x), x, "exp(-x)/(1 + exp(-x))**2").proved


# ---------------------------------------------------------------- kinds of expected

def test_sympy_expressions_match_leaves_by_name():
    x = symgrad.tensor(2., requires_grad=True)
    y = symgrad.tensor(3., requires_grad=True)
    sx, sy = sympy.symbols("x y")  # plain symbols, not symgrad's
    report = symgrad.verify_gradient(x * x * y, [x, y], [2 * sx * sy, sx ** 2])
    assert report.proved
    assert symgrad.verify_gradient(x * x * y, x, 2 * x.symbol * y.symbol).proved  # symgrad's own symbols


def test_python_function_expected_is_checked_numerically():
    x = symgrad.tensor(1.5, requires_grad=True)
    f = symgrad.log(x) * x
    ok = symgrad.verify_gradient(f, x, lambda x: math.log(x) + 1)
    assert ok and not ok.proved
    assert ok["x"].verdict == "equal at 20 random points but not proved"
    bad = symgrad.verify_gradient(f, x, lambda x: math.log(x) + 1.001)
    assert bad["x"].verdict == "proved different" and bad["x"].counterexample is not None


def test_array_variables_accept_lists_matrices_and_functions():
    W = symgrad.tensor([0.2, -0.4], requires_grad=True)
    f = (W ** 3).sum()
    W0, W1 = sympy.symbols("W[0] W[1]")
    assert symgrad.verify_gradient(f, W, ["3*W[0]**2", "3*W[1]**2"]).proved
    assert symgrad.verify_gradient(f, W, sympy.Matrix([3 * W0 ** 2, 3 * W1 ** 2])).proved
    assert symgrad.verify_gradient(f, W, "3*W**2").proved
    assert symgrad.verify_gradient(f, W, lambda W: 3 * W ** 2)
    assert not symgrad.verify_gradient(f, W, lambda W: 2 * W ** 2)
    with pytest.raises(ValueError, match=r"shape \[3\] but the variable has shape \[2\]"):
        symgrad.verify_gradient(f, W, ["1", "2", "3"])


def test_function_form_of_f():
    report = symgrad.verify_gradient(lambda x, y: x * symgrad.exp(y), [symgrad.tensor(1.), symgrad.tensor(0.5)],
                                     {"x": "exp(y)", "y": "x*exp(y)"})
    assert report.proved


def test_numerically_equal_but_not_proved():
    x = symgrad.tensor(0.7, requires_grad=True)
    # symgrad's relu rule is a Piecewise; Heaviside-free "sign(x)/2 + 1/2" equals it away from 0
    report = symgrad.verify_gradient(symgrad.relu(x), x, "(sign(x) + 1)/2")
    assert report and report["x"].verdict in ("proved equal", "equal at 20 random points but not proved")


# ---------------------------------------------------------------- the domain

def test_sampling_respects_the_domain():
    x = symgrad.tensor(2.0, requires_grad=True)
    f = symgrad.log(x) + symgrad.sqrt(x - 1)
    report = symgrad.verify_gradient(f, x, lambda x: 1 / x + 0.5 / math.sqrt(x - 1))
    assert report["x"].points == 20  # math.log / math.sqrt never saw an invalid x
    bad = symgrad.verify_gradient(f, x, "1/x")
    assert float(bad["x"].counterexample.point["x"]) > 1


def test_no_point_in_the_domain_is_reported():
    x = symgrad.tensor(2.0, requires_grad=True)
    report = symgrad.verify_gradient(symgrad.log(x), x, lambda x: float("nan"))
    assert not report and report["x"].verdict == "could not compare"
    assert "no point was found" in str(report)


# ---------------------------------------------------------------- display and assert

def test_report_renders_for_terminal_and_jupyter():
    loss, w, b, data = _regression()
    report = symgrad.verify_gradient(loss, [w, b], ["mean((w*X + b - Y)*X)", "2*mean(w*X + b - Y)"])
    text = str(report)
    assert text.splitlines()[1].split() == ["variable", "verdict", "max", "abs", "diff", "max", "rel", "diff",
                                            "symgrad's", "closed", "form", "expected"]
    html = report._repr_html_()
    assert html.count("<tr>") == 3 and "proved different" in html and "<script" not in html
    latex = report._repr_latex_()
    assert latex.startswith("$$\\begin{array}") and latex.endswith("\\end{array}$$")
    assert repr(report) == text
    assert len(report) == 2 and [c.name for c in report] == ["w", "b"]


def test_assert_gradient_raises_with_the_report():
    x = symgrad.tensor(0.3, requires_grad=True)
    with pytest.raises(AssertionError, match="proved different"):
        symgrad.assert_gradient(x ** 2, x, "x")
    assert symgrad.assert_gradient(x ** 2, x, "2*x").proved
    with pytest.raises(AssertionError, match="not proved"):
        symgrad.assert_gradient(x ** 2, x, lambda x: 2 * x, require_proof=True)


# ---------------------------------------------------------------- bad input

def test_bad_input_is_explained():
    x = symgrad.tensor(2., requires_grad=True)
    y = symgrad.tensor(3., requires_grad=True)
    z = x * y
    with pytest.raises(FormulaError, match="unknown name 'q'"):
        symgrad.verify_gradient(z, x, "q*y")
    with pytest.raises(FormulaError, match="attribute access"):
        symgrad.verify_gradient(z, x, "__import__('os').getcwd()")
    with pytest.raises(ValueError, match="'q', which is not a variable of f; the variables are: x, y"):
        symgrad.verify_gradient(z, x, sympy.Symbol("q"))
    with pytest.raises(ValueError, match="one entry per variable"):
        symgrad.verify_gradient(z, [x, y], ["y"])
    with pytest.raises(ValueError, match="entry for 'q'"):
        symgrad.verify_gradient(z, [x, y], {"x": "y", "q": "x"})
    with pytest.raises(ValueError, match="no entry for 'y'"):
        symgrad.verify_gradient(z, [x, y], {"x": "y"})
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        symgrad.verify_gradient(z, symgrad.tensor(1.), "1")
    with pytest.raises(ValueError, match="must be a scalar"):
        symgrad.verify_gradient(symgrad.stack([x, y]), x, "1")
    with pytest.raises(TypeError, match="wrt must be a tensor"):
        symgrad.verify_gradient(z, "x", "y")
    with pytest.raises(ValueError, match="parameter 'q'"):
        symgrad.verify_gradient(z, x, lambda q: q)


def test_two_variables_with_the_same_name_are_ambiguous():
    a = symgrad.tensor(2., requires_grad=True, name="x")
    c = symgrad.tensor(3., requires_grad=True, name="x")
    with pytest.raises(ValueError, match="two different variables are printed as 'x'"):
        symgrad.verify_gradient(a * c, a, "x")


# ---------------------------------------------------------------- the evaluator behind the sampling

_FORMULAS = ["sin(x)*exp(y) - log(x**2 + 1)", "Max(0, x) + Min(x, y, 1)", "sigmoid(x)*(1 - sigmoid(y))",
             "sign(x)/2 + abs(y)", "floor(x) + ceiling(y)", "relu(x - y)**2", "atan(x/y) + asinh(x)",
             "sqrt(x)", "log(x)", "erf(x) + pi*E", "x**y", "tanh(x)**3/cosh(y)"]


@pytest.mark.parametrize("text", _FORMULAS)
def test_point_evaluation_matches_sympy(text):
    from symgrad.verify.numbers import evaluate_at

    x, y = sympy.symbols("x y", real=True)
    e = symgrad.parse_formula(text, {"x": x, "y": y})
    e = e.rewrite(sympy.Piecewise) if text.startswith("relu") else e
    for px, py in [(sympy.Rational(7, 10), sympy.Rational(-3, 2)), (sympy.Rational(-5, 4), sympy.Rational(2, 5))]:
        want = complex(sympy.N(e.xreplace({x: px, y: py}), 30))
        got = evaluate_at(e, {x: px, y: py})
        assert got == pytest.approx(want, rel=1e-14, abs=1e-14)


def test_a_branch_that_does_not_apply_is_not_evaluated():
    # softplus(log(softplus(x))): the closed form's condition is lifted into
    # ITE(x > 20, log(x) > 20, ...), whose first branch is log(0) at x = 0.
    # Evaluating every branch crashed verify_gradient (SymPy refused to compare
    # zoo; found by the long fuzz, seed 61); only the branch that applies is.
    from symgrad.verify.numbers import evaluate_at

    x = symgrad.tensor(0.0, dtype=symgrad.float64, requires_grad=True, name="x")
    y = symgrad.softplus(symgrad.log(symgrad.softplus(x)))
    y.backward()
    (s,) = x.grad.expr.free_symbols
    assert evaluate_at(x.grad.expr, {s: 0.0}).real == pytest.approx(float(x.grad), rel=1e-14)
    assert evaluate_at(y.expr, {s: 0.0}).real == pytest.approx(float(y), rel=1e-14)
    report = symgrad.verify_gradient(lambda x: symgrad.softplus(symgrad.log(symgrad.softplus(x))), x,
                                     "sigmoid(log(log(1 + exp(x)))) / log(1 + exp(x)) * sigmoid(x)", points=30)
    assert bool(report)


def test_a_complex_value_in_a_branch_that_does_not_apply_does_not_make_nan():
    from symgrad.verify.numbers import evaluate_at

    x = sympy.Symbol("x", real=True)
    inner = sympy.Piecewise((1, sympy.log(x) > 1), (0, True))  # at -2: log(-2) is complex, not to be compared
    e = sympy.Piecewise((inner, x > 0), (x ** 2, True))
    assert evaluate_at(e, {x: -2}) == 4 and evaluate_at(e, {x: 3}) == 1


def test_a_mask_chosen_by_the_values_is_refused():
    # the mask's positions are those of the current values: at other sample
    # points the closed form is wrong, so a right derivation was "proved different"
    x = symgrad.tensor([0.5, -0.3], requires_grad=True)
    y = x.clone()
    y[x < 0] = 0
    with pytest.raises(ValueError, match="verify_gradient: f selects elements at positions chosen by the values"):
        symgrad.verify_gradient((y * y).sum(), x, ["2*Max(x[0], 0)", "2*Max(x[1], 0)"])


def test_a_gradient_that_is_zero_is_not_a_factor_of_the_expected_one():
    # symgrad's gradient 0 is "0 * expected": no hand derivation "misses a factor of 0"
    x = symgrad.tensor(0.5, requires_grad=True)
    y = symgrad.tensor(1.5, requires_grad=True)
    report = symgrad.verify_gradient(y * y + x * 0, x, "3*x")
    assert report["x"].verdict == "proved different"
    assert report["x"].factor is None and "factor" not in str(report)


def test_a_function_returning_the_transposed_gradient_is_refused():
    # a (3, 2) result for a (2, 3) variable was reshaped, element order scrambled,
    # and reported as a mismatch at a misleading element
    W = symgrad.tensor(np.arange(6.).reshape(2, 3) / 7 + 0.1, requires_grad=True)
    with pytest.raises(ValueError, match=r"returned shape \[3, 2\]; the variable has shape \[2, 3\]"):
        symgrad.verify_gradient((W ** 2).sum(), W, lambda W: 2 * W.T)
    v = symgrad.tensor([1., 2., 3.], requires_grad=True)  # a column for a vector is read as the vector
    assert symgrad.verify_gradient((v ** 2).sum(), v, lambda v: (2 * v)[:, None])
