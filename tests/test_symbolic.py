"""The symbolic view: names, constants, laziness, guards, the compact view."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
import sympy

import symgrad as sg


def test_symbols_are_named_after_variables():
    x = sg.tensor(2.).requires_grad_()
    W = sg.tensor([1., 2.], requires_grad=True)
    assert str(x.expr) == "x"
    assert [str(s) for s in W.expr] == ["W[0]", "W[1]"]
    assert (x * W).expr == sympy.Array([x.expr * W.expr[0], x.expr * W.expr[1]])


def test_explicit_name_wins_and_fresh_names_otherwise():
    a = sg.tensor(1., requires_grad=True, name="alpha")
    assert str(a.expr) == "alpha" and sympy.latex(a.expr) == r"\alpha"
    hidden = [sg.tensor(1., requires_grad=True)]
    assert str(hidden[0].expr).startswith("t")


def _closed_form(t):
    return str(t.expr)


def test_parameters_and_comprehension_variables_do_not_name_a_callers_tensor():
    # both leaves were called t (x/y printed as t/t): the name of the helper's parameter, or of the comprehension's
    x = sg.tensor(1., requires_grad=True)
    y = sg.tensor(2., requires_grad=True)
    assert [str(t.expr) for t in (x, y)] == ["x", "y"]
    a = sg.tensor(1., requires_grad=True)
    b = sg.tensor(2., requires_grad=True)
    assert _closed_form(a) == "a" and _closed_form(b) == "b"
    assert _closed_form(sg.tensor(3., requires_grad=True)) == "t"  # bound nowhere else: the parameter's name


def test_names_are_fixed_once_found():
    x = sg.tensor(1., requires_grad=True)
    first = str(x.expr)
    y = x
    del x
    assert str(y.expr) == first == "x"


def test_array_symbols_print_with_indices_in_latex():
    W = sg.tensor([[1., 2.]], requires_grad=True)
    assert sympy.latex(W.expr[0, 1]) == "W_{0,1}"
    w = sg.tensor([1.], requires_grad=True, name="linear.weight")
    assert sympy.latex(w.expr[0]) == r"\mathrm{linear.weight}_{0}"


def test_symbols_are_real_and_identified_by_leaf():
    a = sg.tensor(1., requires_grad=True, name="x")
    b = sg.tensor(2., requires_grad=True, name="x")
    assert a.expr.is_real
    assert a.expr != b.expr and str(a.expr) == str(b.expr) == "x"
    assert sympy.simplify((a * b).expr - a.expr * b.expr) == 0


def test_named_constants_are_symbols_and_others_are_numbers():
    X = sg.tensor([1.5, 2.], name="X")
    c = sg.tensor([1.5, 2.])
    w = sg.tensor(3., requires_grad=True)
    assert [str(e) for e in (X * w).expr] == ["X[0]*w", "X[1]*w"]
    assert [str(e) for e in (c * w).expr] == ["1.5*w", "2*w"]
    assert (w * 2.0).expr == 2 * w.expr and str((w * 2.0).expr) == "2*w"


def test_constants_print_as_written():
    w = sg.tensor(1., requires_grad=True)
    assert str((w + 0.1).expr) == "w + 0.1"
    f32 = sg.tensor(0.1, dtype=sg.float32, requires_grad=True, name="v")
    assert str((f32 * sg.tensor(0.1, dtype=sg.float32)).expr) == "0.1*v"


def test_large_whole_floats_print_as_floats_of_float64_precision():
    # SymPy reads "1e+300" as a number of 1003 bits and printed its 301 digits
    w = sg.tensor(1., requires_grad=True)
    assert str((w * 1e300).expr) == "1.0e+300*w"
    assert str((w * 1e20).expr) == "1.0e+20*w"
    assert (w * 1e300).expr.args[0]._prec == 53


def test_expr_is_memoized():
    x = sg.tensor(1., requires_grad=True)
    y = sg.sin(x) * 2
    assert y.expr is y.expr


def test_numeric_code_never_imports_sympy():
    code = textwrap.dedent("""
        import sys, symgrad as torch
        w = torch.tensor([0.5, -0.3], requires_grad=True)
        x = torch.tensor([[1., 2.], [3., 4.]])
        for _ in range(20):
            loss = ((x @ w).tanh() - 1).pow(2).mean()
            loss.backward(create_graph=False)
            with torch.no_grad():
                w -= 0.1 * w.grad
            w.grad = None
        print('sympy' in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_importing_symgrad_does_not_import_sympy():
    code = "import sys, symgrad; print('sympy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"


def test_importing_symgrad_does_not_import_numpy_random():
    # (12 of import symgrad's 90 ms): the generator is made when first drawn from
    code = ("import sys, symgrad; print('numpy.random' in sys.modules); "
            "symgrad.manual_seed(3); a = symgrad.rand(2); symgrad.manual_seed(3); "
            "print('numpy.random' in sys.modules, bool((symgrad.rand(2) == a).all()))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True", "True"]


def test_no_sympy_objects_built_without_expr():
    import symgrad.symbolic.terms as terms

    x = sg.tensor([1., 2.], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    assert y._content._sym is None
    assert isinstance(x.grad._content, terms.Lazy) and x.grad._content._resolved is None


def test_deep_chain_gives_a_clear_error_not_recursion():
    x = sg.tensor(0.5, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = sg.sin(y * x)
    with pytest.raises(sg.ExpressionTooLargeError, match="compact"):
        _ = y.expr


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_exponential_size_is_refused():
    x = sg.tensor(0.5, requires_grad=True)
    y = x
    for _ in range(40):
        y = y * y + y
    with pytest.raises(sg.ExpressionTooLargeError, match="nodes"):
        _ = y.expr


def test_long_sums_are_fine():
    x = sg.tensor([0.1] * 1000, requires_grad=True)
    total = x[0]
    for i in range(1, 1000):
        total = total + x[i] * x[i]
    assert len(total.expr.args) == 1000


def test_expressions_at_the_depth_limit_print_and_differentiate():
    x = sg.tensor(0.5, requires_grad=True, name="x")
    y = x
    depth = 0
    while True:
        z = sg.sin(y * x)
        try:
            _ = z.expr
        except sg.ExpressionTooLargeError:
            break
        y = z
        depth += 1
    e = y.expr
    assert depth > 30
    str(e), sympy.latex(e), sympy.pretty(e), str(sympy.diff(e, x.expr))  # none may hit the recursion limit


def test_compact_view_of_a_deep_chain():
    x = sg.tensor(0.5, requires_grad=True, name="x")
    y = x
    for _ in range(300):
        y = sg.sin(y * x)
    view = y.compact()
    assert len(view.assignments) >= 300 // 8
    assert "result =" in str(view)
    small = sg.sin(x * x) + sg.sin(x * x).exp()
    assert sympy.simplify(small.compact().substituted() - small.expr) == 0


def test_compact_view_names_shared_subexpressions():
    x = sg.tensor(0.5, requires_grad=True, name="x")
    s = sg.sin(x * x)
    view = (s * s + s).compact()
    assert len(view.assignments) == 1 and str(view.assignments[0][1]) == "sin(x**2)"


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_set_expr_limits_changes_the_depth_guard():
    x = sg.tensor(0.5, requires_grad=True)
    y = x
    for _ in range(10):
        y = sg.exp(y)
    old = sg.set_expr_limits().depth
    try:
        sg.set_expr_limits(depth=5)
        with pytest.raises(sg.ExpressionTooLargeError):
            _ = y.expr
    finally:
        sg.set_expr_limits(depth=old)
    assert y.expr is not None


@pytest.mark.parametrize("bad, error", [(-1, ValueError), (0, ValueError), (2.7, TypeError), ("abc", TypeError),
                                        (True, TypeError)])
def test_set_expr_limits_refuses_what_is_not_a_limit(bad, error):
    # depth=-1 refused every closed form; 2.7 was cut to 2; "abc" gave int()'s message
    before = sg.set_expr_limits()
    old = (before.depth, before.size, before.branches)
    for name in ("depth", "size", "branches"):
        with pytest.raises(error, match=f"set_expr_limits: {name} must be a positive whole number"):
            sg.set_expr_limits(**{name: bad})
    after = sg.set_expr_limits()
    assert (after.depth, after.size, after.branches) == old


def test_leaf_updated_in_place_keeps_its_symbol():
    w = sg.tensor(1., requires_grad=True)
    with sg.no_grad():
        w -= 0.5
    assert w.item() == 0.5 and str(w.expr) == "w"


def test_constant_modified_in_place_keeps_old_value_in_expressions():
    c = sg.tensor(2.)
    w = sg.tensor(1., requires_grad=True)
    y = w * c
    c.fill_(5.)
    assert y.expr == 2 * w.expr and (w * c).expr == 5 * w.expr


def test_comparison_closed_forms():
    x = sg.tensor(1., requires_grad=True)
    assert str((x > 0).expr) == "x > 0"
    y = (x > 0) * x
    assert y.expr == sympy.Piecewise((1, x.expr > 0), (0, True)) * x.expr


def test_derivative_returns_a_tensor_with_both_views():
    x = sg.tensor(2., requires_grad=True)
    d = sg.derivative(x ** 3, (x, 2))
    assert d.item() == 12.0 and d.expr == 6 * x.expr


def test_diff_of_arrays_follows_sympy_layout():
    x = sg.tensor([1., 2.], requires_grad=True, name="x")
    y = x * x
    J = sg.diff(y, x)
    want = sympy.derive_by_array(y.expr, x.expr)  # sympy as the oracle
    assert J == want


def test_diff_errors():
    x = sg.tensor(1.)
    with pytest.raises(RuntimeError, match="requires_grad=True"):
        sg.diff(x * 2, x)
    with pytest.raises(TypeError, match="at least one variable"):
        sg.diff(x * 2)


def test_diff_refuses_a_tensor_computed_apart_from_f():
    # diff(z, x * 2) was silently 0: x * 2 is a new tensor, not a variable of z
    # (the tensor forms of jacobian and hessian refused it already)
    x = sg.tensor(1.5, requires_grad=True, name="x")
    h = x * 2
    z = h * h
    with pytest.raises(RuntimeError, match="not a leaf and f was not computed from it"):
        sg.diff(z, x * 2)
    with pytest.raises(RuntimeError, match="not a leaf and f was not computed from it"):
        sg.diff(z, x, x * 2)
    assert sg.diff(z, h) == 4 * x.expr and sg.diff(z, (h, 1), x) == 4  # an intermediate tensor is a variable
    other = sg.tensor(1., requires_grad=True)
    assert sg.diff(z, other) == 0  # an independent leaf: zeros, as sympy.diff


def test_diff_of_order_zero_is_the_function():
    x = sg.tensor(1.5, requires_grad=True, name="x")
    assert sg.diff(x ** 3, (x, 0)) == x.expr ** 3  # as sympy.diff(f, (x, 0))


def test_diff_after_backward_explains_the_freed_graph():
    x = sg.tensor(2., requires_grad=True)
    y = sg.sin(x) * x
    y.backward()
    with pytest.raises(RuntimeError, match="symgrad.diff before backward"):
        sg.diff(y, x)
    w = sg.tensor(2., requires_grad=True)
    z = sg.sin(w) * w
    z.backward(retain_graph=True)
    assert sympy.simplify(sg.diff(z, w) - w.grad.expr) == 0


def test_diff_takes_sympys_int_orders_after_a_variable():
    # sympy.diff(f, x, 2, y) is the third derivative, twice in x; symgrad.diff raised a TypeError
    import sympy

    x = sg.tensor(2., requires_grad=True)
    y = sg.tensor(3., requires_grad=True)
    z = x ** 3 * y ** 2
    X, Y = x.expr, y.expr
    for orders in [(x, 2), (x, 2, y), (x, 0), (x, 1, y, 2), (x, 0, y)]:
        want = sympy.diff(z.expr, *[X if o is x else Y if o is y else o for o in orders])
        assert sympy.simplify(sg.diff(z, *orders) - want) == 0, orders
    with pytest.raises(TypeError, match=r"an order \(2\) must follow a variable: diff\(z, x, 2\)"):
        sg.diff(z, 2)
    with pytest.raises(ValueError, match="the order must be >= 0"):
        sg.diff(z, x, -1)
