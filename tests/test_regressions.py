"""The smallest failing case of every core bug the reliability checks found.

Each test names the bug; the fix is its own commit.  They run without
PyTorch: the expected values are PyTorch's, written down.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy

import symgrad as sg


def test_softplus_is_linear_above_threshold_in_gradient_and_closed_form():
    # Found by the differential fuzzer: the derivative and the closed form
    # ignored ``threshold`` (PyTorch: softplus(x) = x, gradient 1, above it).
    x = sg.tensor([1.875, 0.25], requires_grad=True)
    y = sg.softplus(x, beta=2.0, threshold=3.0)
    y.sum().backward()
    assert y.tolist()[0] == 1.875
    np.testing.assert_allclose(x.grad.tolist(), [1.0, 1 / (1 + np.exp(-0.5))], rtol=1e-12)
    s = x.expr
    assert float(y.expr[0].subs(s[0], 1.875)) == 1.875
    assert float(x.grad.expr[0].subs(s[0], 1.875)) == 1.0
    assert float(x.grad.expr[1].subs(s[1], 0.25)) == pytest.approx(1 / (1 + np.exp(-0.5)), rel=1e-12)


def test_second_derivatives_of_prod_at_an_exact_zero_are_finite():
    # Found by the differential fuzzer: prod's double backward divided by x
    # and gave nan where an input is 0 (PyTorch: finite, the polynomial's).
    x = sg.tensor([2.0, 0.0, 3.0], requires_grad=True)
    (g,) = sg.autograd.grad(x.prod(), x, create_graph=True)
    assert sg.autograd.grad(g[0], x)[0].tolist() == [0.0, 3.0, 0.0]
    x = sg.tensor([[2.0, 0.0], [0.0, 0.0]], requires_grad=True)
    (g,) = sg.autograd.grad(x.prod(1).sum(), x, create_graph=True)
    (h,) = sg.autograd.grad((g * sg.tensor([[1.0, 2.0], [3.0, 4.0]])).sum(), x)
    assert h.tolist() == [[2.0, 1.0], [4.0, 3.0]]
    y = sg.tensor([[0.0, 2.0], [1.5, 0.5], [3.0, 0.0]], requires_grad=True)
    (g,) = sg.autograd.grad(y.prod(0).sum(), y, create_graph=True)
    (h,) = sg.autograd.grad(g[1, 0], y)  # d/dy of y[0,0] * y[2,0]
    assert h.tolist() == [[3.0, 0.0], [0.0, 0.0], [0.0, 0.0]]


def test_mixed_second_derivative_of_pow_at_exponent_zero():
    # Found by the differential fuzzer (finite differences): d/dx x**y was
    # masked to 0 wherever y == 0, which also zeroed d2/dxdy = 1/x there.
    # PyTorch masks the same way: a declared difference (tests/differences.py).
    x, y = sg.tensor(2.0, requires_grad=True), sg.tensor(0.0, requires_grad=True)
    (gx,) = sg.autograd.grad(x ** y, x, create_graph=True)
    assert gx.item() == 0.0
    assert sg.autograd.grad(gx, y)[0].item() == 0.5
    z = sg.tensor(0.0, requires_grad=True)
    (gz,) = sg.autograd.grad(z ** y, z)
    assert gz.item() == 0.0  # 0 ** 0: still PyTorch's 0, not nan


def test_conditions_on_piecewise_values_are_lifted_without_solving_inequalities(monkeypatch):
    # Found by the differential fuzzer: .expr of four nested where() on a 2x3
    # tensor took 11 s (22 s for the gradient): SymPy rewrites a condition on a
    # Piecewise into ITE form and simplifies it by solving inequalities (as_set).
    import sympy
    from sympy.logic.boolalg import Boolean

    def solving(*args, **kwargs):
        raise AssertionError("building a closed form solved inequalities")

    x = sg.tensor([1.9375, -0.9375, 0.25], requires_grad=True)
    y = sg.where(x > 0, x, -x)
    z = sg.where(y > 0.5, y, 2 * y)
    w = sg.where(z > 1, z, z * z)
    monkeypatch.setattr(Boolean, "as_set", solving)
    e = w.expr
    w.sum().backward()
    g = x.grad.expr
    monkeypatch.undo()
    for piece in e:
        for _, cond in piece.args:
            assert not cond.has(sympy.Piecewise)
    s = x.expr
    for v in (1.9375, -0.9375, 0.25, 0.7, -0.3, 1.2):
        a = abs(v) if abs(v) > 0.5 else 2 * abs(v)
        assert float(e[0].subs(s[0], v)) == pytest.approx(a if a > 1 else a * a)
        da = np.sign(v) * (1 if abs(v) > 0.5 else 2)
        assert float(g[0].subs(s[0], v)) == pytest.approx(da if a > 1 else 2 * a * da)


def test_in_place_change_of_a_saved_result_is_detected():
    # Found by the conformance table: exp (and every op whose rule reads
    # ``out``) used its result after the result was modified in place, and
    # returned a silently wrong gradient; PyTorch raises.
    x = sg.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    x = sg.tensor([1.0, 2.0], requires_grad=True)
    y = x.sigmoid()
    y.detach()[0] = 5.0  # through an alias sharing the version counter
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        sg.autograd.grad(y.sum(), x, create_graph=True)
    x = sg.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.data.add_(1)  # .data bypasses the version counter, as in PyTorch
    y.sum().backward()
    y = x.tanh()
    y.tanh_()  # tanh's result changed
    with pytest.raises(RuntimeError, match="TanhBackward0, is at version 1"):
        y.sum().backward()


def test_subtraction_and_negation_of_bool_tensors_raise_runtime_error():
    # Found by the dtype promotion table: PyTorch refuses "-" with a bool
    # operand (RuntimeError, "use ~ or logical_not()"); symgrad computed
    # uint8 - bool, or let NumPy's TypeError escape.
    b = sg.tensor([True, False])
    for bad in (lambda: b - 1, lambda: sg.tensor([1.0]) - True, lambda: 2 - b, lambda: -b,
                lambda: sg.sub(sg.tensor([1]), b), lambda: sg.tensor([1.0]).sub_(b), lambda: b - b):
        with pytest.raises(RuntimeError, match="logical_not"):
            bad()
    assert (sg.tensor([3]) - 1).tolist() == [2]


def test_nan_conventions_of_sign_relu_abs_maximum_minimum_follow_pytorch():
    # Found by the conformance table (nan_inf): PyTorch's sign(nan) is 0 (so
    # abs'(nan) = 0), relu'(nan) = 1, and maximum/minimum send the whole
    # gradient to both sides when one is nan; symgrad gave nan, 0 and 0.
    nan = float("nan")
    assert sg.sign(sg.tensor([nan, -2.0])).tolist() == [0.0, -1.0]
    for fn, want in ((sg.relu, 1.0), (sg.abs, 0.0), (lambda t: sg.maximum(t, sg.tensor(0.0)), 1.0),
                     (lambda t: sg.minimum(t, sg.tensor(0.0)), 1.0)):
        x = sg.tensor(nan, requires_grad=True)
        fn(x).backward()
        assert x.grad.item() == want
    y = sg.tensor(nan, requires_grad=True)
    sg.maximum(sg.tensor(1.0), y).backward()
    assert y.grad.item() == 1.0


def test_compact_view_of_a_wide_sum_prints_without_sympys_term_ordering(monkeypatch):
    # Found by the scale checks: str(y.compact()) of a 20 000-term sum took 45 s
    # (100 000 terms: killed after 5 min) because SymPy's printer orders an
    # Add's terms by monomials over every symbol (quadratic).  compact() is the
    # view the size error recommends, so it must print.
    import sympy

    x = sg.tensor(np.linspace(0, 1, 3000), requires_grad=True)
    c = (x * x).sum().compact()
    original = sympy.Expr.as_ordered_terms

    def ordering(self, *args, **kwargs):
        assert len(self.args) < 1000, "SymPy's quadratic term ordering was used on a large sum"
        return original(self, *args, **kwargs)

    monkeypatch.setattr(sympy.Expr, "as_ordered_terms", ordering)
    text = str(c)
    assert text.count("**2") == 3000
    assert str(sg.tensor([1.0, 2.0], requires_grad=True, name="w").sum().compact()) == "result = w[0] + w[1]"


def test_huge_leaf_is_refused_before_its_symbols_are_built(monkeypatch):
    # Found by the scale checks: .expr of a 1 000 000-element leaf spent 13 s
    # making a million symbols before the size guard refused them.
    from symgrad.symbolic import symbols

    def building(*args, **kwargs):
        raise AssertionError("symbols were built for a leaf over the size limit")

    monkeypatch.setattr(symbols, "leaf_value", building)
    x = sg.zeros(300_000, requires_grad=True)
    with pytest.raises(sg.ExpressionTooLargeError, match="compact"):
        _ = x.expr
    with pytest.raises(sg.ExpressionTooLargeError, match="one per element"):
        _ = (sg.ones(300_000) * x).sum().expr


def test_generated_code_prints_sympys_complex_infinity():
    # Found by the differential fuzzer (generated code): the NumPy, JAX and C
    # printers raised KeyError/PrintMethodNotImplementedError on zoo, which the
    # closed form of log(x * (x > 0)) has in its unused x <= 0 branch.  Code is
    # now printed from the graph (no zoo left to print there), so the printers
    # are checked on a SymPy output with zoo in it, and the program on its numbers.
    x = sg.tensor(0.25, requires_grad=True, name="x")
    branchy = sympy.Piecewise((1 / x.expr, x.expr > 0), (sympy.zoo, True))
    for backend in ("numpy", "c"):
        source = sg.lambdify([x], branchy, backend=backend).source
        assert "nan" in source.split("def f" if backend == "numpy" else "void f")[1].lower()
    assert np.isnan(sg.lambdify([x], branchy)(-1.0))

    y = sg.log((x * (x > 0)).clone())
    for backend in ("numpy", "c"):
        sg.gradient_function(y, x, backend=backend, hessian=True)  # generates without error
    fn = sg.gradient_function(y, x, hessian=True)
    assert [float(v) for v in fn(0.25)] == pytest.approx([np.log(0.25), 4.0, -16.0])
    with np.errstate(divide="ignore", invalid="ignore"):
        value, grad, hess = fn(-1.0)
    assert value == -np.inf and np.isnan(grad) and np.isnan(hess)  # PyTorch: log(0) and 0 * inf


def test_closed_form_comparing_a_branch_that_is_not_a_real_number():
    # Found by the differential fuzzer: log(x * (x > 0)) is zoo (SymPy's 1/0)
    # in its x <= 0 branch; comparing it (log(...) > 0) raised SymPy's
    # "TypeError: Invalid comparison of non-real zoo" from .expr.  Such a
    # branch compares as IEEE compares nan: false (except !=).
    x = sg.tensor(2.0, requires_grad=True, name="x")
    y = sg.log(x * (x > 0))
    z = y * (y > 0) + y * (y != 0)
    s = x.expr
    e = z.expr
    assert float(e.subs(s, 2.0)) == pytest.approx(2 * np.log(2.0))
    assert float(e.subs(s, 0.5)) == pytest.approx(np.log(0.5))
    z.backward()
    assert float(x.grad.expr.subs(s, 2.0)) == pytest.approx(x.grad.item()) == pytest.approx(1.0)


def test_device_dtype_and_print_option_strings_are_validated():
    # Found by the hostile-input fuzzer: device("cpu:-1") was accepted and
    # "cpu:abc" raised int()'s ValueError; dtype strings went through NumPy's
    # dtype language ("\x00" was bool, "0{" raised NumPy's ValueError);
    # set_printoptions ignored an unknown profile and took precision="abc"
    # until the next tensor was printed.
    for spec in ("cpu:-1", "cpu:abc", "cpu:"):
        with pytest.raises(RuntimeError, match="device"):
            sg.device(spec)
    assert str(sg.device("cpu:1")) == "cpu:1"
    for bad in ("\x00", "0{", "f8", "()f8"):
        with pytest.raises(TypeError, match="dtype"):
            sg.zeros(1, dtype=bad)
    assert sg.zeros(1, dtype="float32").dtype is sg.float32
    with pytest.raises(ValueError, match="profile"):
        sg.set_printoptions(profile="nonsense")
    with pytest.raises(ValueError, match="precision"):
        sg.set_printoptions(precision="abc")


def test_overwriting_a_tensor_with_a_history_cuts_that_history():
    # Found while adding fill_'s fast path: y.zero_() (or y.copy_(constant))
    # on a non-leaf kept y's old node, so x got y's old gradient (2) through
    # values that were gone.  PyTorch (ZeroBackward0): x.grad is 0.
    x = sg.tensor([1.0], requires_grad=True)
    y = x * 2
    y.zero_()
    y.sum().backward()
    assert np.asarray(x.grad).tolist() == [0.0]


def test_backward_leaves_no_reference_cycle():
    # Found profiling benchmark row 1: the pass's tape (kept by the leaf's
    # .grad for its lazy closed form) held the saved leaf, so every graph
    # waited for the cyclic collector.  Only reference counting is needed now.
    import gc
    import weakref

    x = sg.tensor(2.0, requires_grad=True)
    z = x * x
    node = weakref.ref(z.grad_fn)
    z.backward()
    del z
    gc.disable()
    try:
        del x
        assert node() is None
    finally:
        gc.enable()


def test_a_mask_over_many_piecewise_sums_is_refused_at_once():
    # Found by the long fuzz (seed 22): the closed form of this gradient
    # made SymPy fold 2**6 piecewise cases, for minutes.
    x = sg.tensor([-1.0, -0.5, 0.0, 0.25, 0.5, 1.0], requires_grad=True)
    sg.softplus(x).cumsum(0).max().backward()
    with pytest.raises(sg.ExpressionTooLargeError, match="branches"):
        _ = x.grad.expr


def test_numpy_float64_scalars_combine_with_tensors_as_python_numbers():
    # Found reviewing as a PyTorch user: np.float64 is a subclass of float, so
    # x + np.float64(2.5) (x * np.sqrt(2), x / arr.mean()...) looped between
    # apply() and its conversion until RecursionError.  PyTorch treats NumPy
    # scalars as Python numbers: the tensor's dtype wins.
    x = sg.tensor([1.0, 2.0], dtype=sg.float32, requires_grad=True)
    y = x * np.float64(2.5) + np.float32(1.0) - np.sqrt(np.float64(4.0)) / np.float64(2.0) ** x
    assert y.dtype == sg.float32
    y.sum().backward()
    np.testing.assert_allclose(x.grad.tolist(), [2.5 + np.log(2), 2.5 + np.log(2) / 2], rtol=1e-6)
    assert (np.float64(3.0) - sg.tensor([1, 2])).tolist() == [2.0, 1.0]
    assert (sg.tensor([1, 2]) * np.int64(3)).dtype == sg.int64
    assert (sg.tensor([1.0], dtype=sg.float32) > np.float64(0.5)).tolist() == [True]


def test_an_input_whose_value_no_rule_needs_may_change_in_place():
    # Found reviewing as a PyTorch user: y[0] = y[1] * 3 raised the in-place
    # version error on backward.  mul saved y[1] for the rule of its other
    # input, the constant 3, which needs no gradient.  PyTorch saves an input
    # only for the rules that will run: x.grad is [0, 4].
    x = sg.tensor([1.0, -2.0], requires_grad=True)
    y = x.clone()
    y[0] = y[1] * 3
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 4.0]
    x.grad = None
    y = x * 1
    y[0] = y[0] * 2
    (y * sg.tensor([1.0, 10.0])).sum().backward()
    assert x.grad.tolist() == [2.0, 10.0]
    assert x.grad.expr.tolist() == [2, 10]
    # views, sum and mean read their input only for its shape (PyTorch saves the sizes)
    x.grad = None
    y = x * 1
    s = y.sum() + y.view(2, 1).mean() + y.expand(3, 2)[0, 1]
    y.add_(1)
    s.backward()
    assert x.grad.tolist() == [1.5, 2.5]
    # a saved value that a rule does read is still checked
    w = sg.tensor(2.0, requires_grad=True)
    y = x * 1
    z = y * w
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_clamp_of_an_integer_tensor_with_float_bounds_promotes_like_pytorch():
    # Found reviewing as a PyTorch user: the bounds were cast to the integer
    # dtype, so clamp([1, 2], max=1.5) gave [1, 1].  PyTorch promotes
    # (result_type of input and bounds): [1.0, 1.5].
    x = sg.tensor([1, 2])
    assert x.clamp(max=1.5).tolist() == [1.0, 1.5]
    assert sg.clamp(x, 1.5, 2.5).dtype == sg.float64
    assert x.clamp(0, 1).dtype == sg.int64
    assert sg.tensor([1.0, 2.0], dtype=sg.float32).clamp(max=1.5).dtype == sg.float32


def test_comparing_a_tensor_with_none_is_false_not_an_error():
    # Found reviewing as a PyTorch user: x == None (and so `x in [None, y]`,
    # `if t != None`) raised TypeError.  PyTorch returns NotImplemented, and
    # Python's identity fallback gives False (True for !=).
    x = sg.tensor([1.0, 2.0])
    assert (x == None) is False  # noqa: E711 - the comparison under test
    assert (x != None) is True  # noqa: E711
    assert x not in [None] and None not in [x]


def test_float_and_int_of_a_tensor_with_many_elements_raise_value_error():
    # Found reviewing as a PyTorch user: float(t) and int(t) raised
    # RuntimeError; PyTorch raises ValueError ("only one element tensors can
    # be converted to Python scalars"), which `except ValueError` code expects.
    x = sg.tensor([1.0, 2.0])
    for convert in (float, int, complex):
        with pytest.raises(ValueError, match="only one element tensors can be converted to Python scalars"):
            convert(x)
    with pytest.raises(RuntimeError, match="cannot be converted to Scalar"):
        x.item()  # .item() keeps PyTorch's RuntimeError
    assert float(sg.tensor([2.5])) == 2.5 and int(sg.tensor(3.7)) == 3 and complex(sg.tensor(1.0)) == 1


def test_generated_code_divides_by_a_folded_zero_as_ieee():
    # Found reviewing code generation at edge points: ``x - x`` is tidied to
    # the integer 0, and ``1/0`` was printed as it is.  In C that is integer
    # division by zero: undefined behaviour, compiled to a trap that killed
    # the Python process (SIGILL); the Python backends raised ZeroDivisionError
    # even on arrays.  Eager (and PyTorch): 1/0.0 = inf, 0/0.0 = nan.
    import re

    x = sg.tensor(1.0, requires_grad=True, name="x")
    with np.errstate(all="ignore"):
        y = x / (x - x)
    c_source = sg.gradient_function(y, x, backend="c").source
    assert not re.search(r"(?<![\w.])\d+/0(?![.\d])", c_source), c_source
    fn = sg.gradient_function(y, x)
    with np.errstate(all="ignore"):
        value, grad = fn(np.array([1.0, 2.0]))
    assert value.tolist() == [np.inf, np.inf] and np.isnan(grad).all()  # eager: inf, and inf - inf


@pytest.mark.parametrize("power", [lambda x, y: x ** 2.5, lambda x, y: x ** (1 / 3), lambda x, y: x ** y])
def test_generated_fractional_power_of_a_negative_python_float_is_not_complex(power):
    # Found reviewing code generation at edge points: the NumPy and JAX code
    # wrote ``x**2.5``, and a function of scalars called with Python floats
    # (as the docs call them) computed Python's power: (-1.0)**2.5 is a
    # complex number, returned silently where symgrad, NumPy and PyTorch give
    # nan.  The math backend (Python's math: domain errors raise) raised
    # nothing either.
    x = sg.tensor(2.0, requires_grad=True, name="x")
    y = sg.tensor(0.5, requires_grad=True, name="y")
    z = power(x, y)
    for backend in ("numpy", "jax"):
        if backend == "jax":
            pytest.importorskip("jax")
        with np.errstate(all="ignore"):
            value, grads = sg.gradient_function(z, [x, y], backend=backend)(-8.0, 0.5)
        for v in (value, grads[0]):  # (grads[1] is 0 unless z reads y)
            assert not np.iscomplexobj(v) and np.isnan(v), (backend, value, grads)
        assert not np.iscomplexobj(grads[1])
    with pytest.raises(ValueError, match="math domain error"):
        sg.gradient_function(z, [x, y], backend="math")(-8.0, 0.5)


def test_generated_c_cube_root_of_a_negative_number_is_nan_as_eager():
    # Found reviewing code generation at edge points: SymPy's C printer
    # writes x**(1/3) as cbrt(x), the real cube root: -2 at x = -8, where
    # symgrad's value (NumPy's power), PyTorch's and every other backend's
    # is nan - and the C gradient was nan beside a finite value.
    from symgrad.codegen.backends.c import compiler

    x = sg.tensor(8.0, requires_grad=True, name="x")
    z = x ** (1 / 3)
    assert "cbrt" not in sg.gradient_function(z, x, backend="c").source
    if compiler() is not None:
        value, grad = sg.gradient_function(z, x, backend="c", compile=True)(-8.0)
        assert np.isnan(value) and np.isnan(grad)


def test_generated_gradient_of_a_mask_is_a_float():
    # Found reviewing code generation: the gradient of relu or clamp is the
    # mask Piecewise((1, c), (0, True)), printed numpy.where(c, 1, 0): an
    # int64 array (int32 in JAX, a Python int in math) where symgrad's
    # gradient is float (``grad /= n`` then fails, ``grad.dtype`` misleads).
    x = sg.tensor([0.5, 2.0], requires_grad=True, name="x")
    s = sg.tensor(0.5, requires_grad=True, name="s")
    for loss, wrt, point in ((sg.clamp(x, -1, 1).sum(), x, np.array([0.5, 2.0])),
                             (sg.relu(s), s, 0.5), (sg.relu(s), s, np.array([-1.0, 1.0]))):
        loss.backward(retain_graph=True)
        assert wrt.grad.dtype == sg.float64
        _, grad = sg.gradient_function(loss, wrt)(point)
        assert np.asarray(grad).dtype == np.float64, grad
        if np.ndim(point) == 0:
            _, grad = sg.gradient_function(loss, wrt, backend="math")(point)
            assert type(grad) is float, grad


def test_generated_c_never_divides_integers():
    # Found comparing the C backend's Hessians with symgrad's: C printed a
    # mask as ((c) ? (1) : (0)) and sign(x) as ((x > 0) - (x < 0)), both of
    # type int, and a division of them by 2 was C's integer division: 0.
    # sign(x)/2*x was 0 everywhere, and the Hessian of max(min(x, y), y)
    # (whose tie masks are halved) silently wrong.
    import re

    from symgrad.codegen.backends.c import compiler

    x = sg.tensor(0.7, requires_grad=True, name="x")
    y = sg.tensor(0.7, requires_grad=True, name="y")
    for out in (sg.sign(x) / 2 * x, sg.where(x > 0, 1.0, 0.0) / 2 * x):
        source = sg.gradient_function(out, x, backend="c").source
        assert not re.search(r"\? \(\d+\) :|\) - \(\(x\) < 0\)\)/", source), source
        if compiler() is not None:
            assert sg.gradient_function(out, x, backend="c", compile=True)(0.7) == pytest.approx((0.35, 0.5))
    z = sg.maximum(sg.minimum(x, y), y)
    if compiler() is not None:
        got = sg.gradient_function(z / (z * z + 1), [x, y], backend="c", compile=True, hessian=True)(1.96, 0.15)
        want = sg.hessian(lambda a, b: (lambda m: m / (m * m + 1))(sg.maximum(sg.minimum(a, b), b)), argnums=(0, 1))(
            sg.tensor(1.96), sg.tensor(0.15))
        np.testing.assert_allclose(np.array(got[2], dtype=float), want.matrix().numpy(), rtol=1e-12)


def test_closed_form_of_a_remainder_by_zero_is_nan():
    # Found reviewing closed forms at edge points: x % 0 is nan (NumPy,
    # PyTorch), but its closed form raised SymPy's ZeroDivisionError
    # "Modulo by zero" from deep inside .expr (and gradient_function).
    x = sg.tensor(1.5, requires_grad=True, name="x")
    with np.errstate(all="ignore"):
        for z in (sg.remainder(x, 0.0), x % (x - x)):
            assert np.isnan(z.item())
            assert z.expr is sympy.nan
            value, grad = sg.gradient_function(z, x)(np.array(1.5))
            assert np.isnan(value)


def test_generated_python_keeps_a_remainder_inside_a_product():
    # Found by the long fuzz with the math backend (seed 41): SymPy's Python
    # printer writes -0.5*Mod(x, 0.25) as -0.5*x % 0.25, which Python reads
    # as (-0.5*x) % 0.25 (% binds like *): the math (and Torch) code of a
    # weighted sum of remainders was silently wrong.
    x = sg.tensor([0.0625, -0.0625, 0.0625], requires_grad=True)
    loss = ((x % 0.25) * sg.tensor([1.0, -0.5, 0.75])).sum()
    value, grad = sg.gradient_function(loss, x, backend="math")([0.0625, -0.0625, 0.0625])
    assert value == loss.item() == 0.015625
    assert grad == [1.0, -0.5, 0.75]


def test_generated_c_never_writes_a_double_minus():
    # Found by the long fuzz with the C backend (seed 41): the negation of
    # -0.5/t was printed -(-0.5/t) as --0.5/t, C's decrement operator: the
    # C compiler refused the Hessian of log1p(-x).
    from symgrad.codegen.backends.c import compiler

    x = sg.tensor([0.5, 0.25], requires_grad=True)
    loss = (sg.log1p(-x) * sg.tensor([1.0, -0.5])).sum()
    source = sg.gradient_function(loss, x, hessian=True, backend="c").source
    assert "--" not in source.split("#endif")[-1], source
    if compiler() is not None:
        _, _, hess = sg.gradient_function(loss, x, hessian=True, backend="c", compile=True)(np.array([0.5, 0.25]))
        np.testing.assert_allclose(hess, [[-4.0, 0.0], [0.0, 0.5 / 0.75 ** 2]], rtol=1e-12)


def test_generated_scalar_code_of_a_hessian_with_zero_blocks():
    # Found by the long fuzz with the math and C backends (seed 71, with trace
    # in the catalogue): their element-by-element lowering folded a shape op of
    # the number 0 (index_backward of a zero into x's shape, in the Hessian of
    # sin(x[0]) or of trace(x)**2) to one number standing for a whole array;
    # the Hessian's stack of rows, or a reshape, then failed with NumPy's
    # "all input arrays must have the same shape".  (Since 0380e26.)
    from symgrad.codegen.backends.c import compiler

    v = sg.tensor([0.5, 0.25, 1.0], requires_grad=True)
    m = sg.tensor([[0.5, 0.25], [1.0, 2.0]], requires_grad=True)
    cases = [(sg.sin(v[0]), v, [[-np.sin(0.5), 0, 0], [0, 0, 0], [0, 0, 0]]),
             (sg.trace(m) ** 2, m, np.array([[[[2, 0], [0, 2]], [[0, 0], [0, 0]]],
                                             [[[0, 0], [0, 0]], [[2, 0], [0, 2]]]]))]
    for loss, x, want in cases:
        for backend in ("math", "c"):
            if backend == "c" and compiler() is None:
                sg.gradient_function(loss, x, hessian=True, backend="c")  # generating it failed too
                continue
            fn = sg.gradient_function(loss, x, hessian=True, backend=backend, compile=backend == "c")
            point = x.tolist() if backend == "math" else x.detach().numpy()
            _, _, hess = fn(point)
            np.testing.assert_allclose(np.asarray(hess, dtype=float), want, rtol=1e-12, atol=0)


def test_generated_c_adds_no_python_zero_in_integer_arithmetic():
    # Found by the long fuzz with the C backend (seed 72, gelu and trace in
    # the catalogue): index_backward writes Python 0s into its object arrays;
    # the tidying rules know SymPy's 0, so the gradient of y.sum() + sin(y[0])
    # with y = x/2 at x[1] kept 1 + 0 and was printed (1 + 0)/2: integer
    # division in C, 0 instead of 0.5.  The math backend returned that
    # element as the int 0 where the others are floats.  (Since c84b02c.)
    from symgrad.codegen.backends.c import compiler

    x = sg.tensor([0.25, 0.5], requires_grad=True)
    y = x / 2
    loss = y.sum() + sg.sin(y[0])
    source = sg.gradient_function(loss, x, backend="c").source.split("#endif")[-1]
    assert "+ 0)" not in source, source
    want = [0.5 + np.cos(0.125) / 2, 0.5]
    _, grad = sg.gradient_function(loss, x, backend="math")([0.25, 0.5])
    assert [type(g) for g in grad] == [float, float] and grad == pytest.approx(want, rel=1e-15)
    if compiler() is not None:
        _, grad = sg.gradient_function(loss, x, backend="c", compile=True)(np.array([0.25, 0.5]))
        np.testing.assert_allclose(grad, want, rtol=1e-15)


def test_index_select_of_a_scalar_takes_exactly_one_index():
    # Found writing the fuzz catalogue's index_select row: of a 0-d tensor,
    # index_select(s, 0, tensor([0, 0])) returned the value twice; PyTorch
    # raises RuntimeError "index_select(): Index to scalar can have only 1
    # value, got 2 value(s)" (and for an empty index, "got 0").
    s = sg.tensor(2.0)
    for index in (sg.tensor([0, 0]), sg.zeros(0, dtype=sg.int64)):
        with pytest.raises(RuntimeError, match="Index to scalar can have only 1 value"):
            sg.index_select(s, 0, index)
    assert sg.index_select(s, 0, sg.tensor([0])).shape == ()


def test_einsum_of_one_operand_never_shares_its_memory():
    # Found while finishing einsum: NumPy's einsum returns a view for a
    # permutation of one operand (ij->ji), and symgrad did not know it, so
    # writing into the result changed the operand - even a leaf that requires
    # grad, with no version-counter check.  The result is now a copy.
    x = sg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = sg.einsum("ij->ji", x)
    y.add_(1)
    assert x.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert y.tolist() == [[2.0, 4.0], [3.0, 5.0]]
    z = sg.tensor([1.0, 2.0])
    sg.einsum("i->i", z).mul_(0)
    assert z.tolist() == [1.0, 2.0]


@pytest.mark.parametrize("dividend, divisor", [(-0.5, 1), (-1, 2), (-1.5, 1), (-0.5, -1), (0.5, 1), (3, 2), (1, 1)])
def test_remainder_of_multiples_of_one_tensor_has_the_divisors_sign(dividend, divisor):
    # Found by the long fuzz (seed 81): (x * -0.5) % x at x = 0.25 is 0.125, but
    # its closed form was -0.5*x: SymPy's Mod(-x/2, x) keeps the dividend's
    # sign for symbols without assumptions.  The closed form is now
    # x - y*floor(x/y) when x/y is a number.
    for value in (0.25, -0.7):
        x = sg.tensor(value, dtype=sg.float64, requires_grad=True)
        y = (x * dividend) % (x * divisor)
        assert float(y.expr.subs(x.expr, value)) == pytest.approx(y.item(), abs=1e-15)


ELU_LIKE = {  # gradient at 100, 800 and -1, as PyTorch gives them
    "elu": (lambda x: sg.nn.functional.elu(x, alpha=0.5), [1.0, 1.0, 0.5 * np.exp(-1.0)]),
    "celu": (lambda x: sg.nn.functional.celu(x, alpha=0.5), [1.0, 1.0, np.exp(-2.0)]),
    "selu": (sg.nn.functional.selu, [1.0507009873554805] * 2 + [1.7580993408473766 * np.exp(-1.0)]),
}


@pytest.mark.parametrize("dtype", [sg.float32, sg.float64])
@pytest.mark.parametrize("name", list(ELU_LIKE))
def test_elu_gradient_is_finite_where_the_unused_exponential_overflows(name, dtype):
    # Found by the new-user review: exp of the positive inputs, unused by the
    # value, overflowed (x > 88 in float32) and its gradient, 0 * inf, was nan
    # (PyTorch: 1).  The closed form still reads as the function.
    f, want = ELU_LIKE[name]
    x = sg.tensor([100., 800., -1.], dtype=dtype, requires_grad=True)
    f(x).sum().backward()
    np.testing.assert_allclose(x.grad.tolist(), want, rtol=1e-6)
    s = sg.tensor(1., requires_grad=True)
    assert str(sg.nn.functional.elu(s).expr) == "Piecewise((s, s > 0), (exp(s) - 1, True))"


def test_an_inner_where_on_the_outer_condition_prints_decided():
    # The "double where" keeps an unused branch finite; its closed form folds
    # the inner choice, which the outer branch has already decided.
    x = sg.tensor(1., requires_grad=True)
    y = sg.where(x > 0, x, sg.exp(sg.where(x > 0, 0.0, x)) * 2)
    assert str(y.expr) == "Piecewise((x, x > 0), (2*exp(x), True))"
    z = sg.where(x > 0, sg.log(sg.where(x > 0, x, 1.0)), x)
    assert str(z.expr) == "Piecewise((log(x), x > 0), (x, True))"


def test_assignment_gradients_through_a_zero_dimensional_gradient():
    # masked_scatter of a 0-d input writes with index_put; the numeric backward pass hands its rule the
    # NumPy scalar that 0-d products give, and index_put/index_zero called .copy() and assigned into it
    x = sg.tensor(1.5, requires_grad=True)
    s = sg.tensor([[3.], [4.]], requires_grad=True)
    out = sg.masked_scatter(x, sg.tensor(True), s)
    gx, gs = sg.autograd.grad((out * 2.0).sum(), [x, s])
    assert gx.item() == 0.0 and gs.tolist() == [[2.], [0.]]


def test_closed_forms_of_reductions_to_an_empty_shape():
    # sym_reduce reshaped to (0, -1), which NumPy cannot infer: cdist of no rows, sum over dim 1 of (0, 3)
    x = sg.tensor(np.zeros((0, 3)), requires_grad=True)
    assert x.sum(1).expr.shape == (0,)
    assert sg.cdist(x, sg.ones(2, 3)).expr.shape == (0, 2)


@pytest.mark.parametrize("fn", [lambda M, t: M.softmax(t, 0), lambda M, t: M.log_softmax(t, -1),
                                lambda M, t: M.cumsum(t, 0), lambda M, t: t.max(0).values,
                                lambda M, t: t.min(-1, True).values, lambda M, t: M.nn.functional.softmin(t, 0)])
def test_ops_along_a_dim_of_a_zero_dimensional_tensor(fn):
    # PyTorch takes dim 0 or -1 of a 0-d tensor as its one element: softmax and max raised NumPy's AxisError,
    # cumsum returned shape (1,)
    torch = pytest.importorskip("torch")
    x = sg.tensor(0.5, requires_grad=True)
    t = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    ours, theirs = fn(sg, x), fn(torch, t)
    assert tuple(ours.shape) == tuple(theirs.shape) == ()
    assert ours.item() == pytest.approx(theirs.item())
    ours.backward()
    theirs.backward()
    assert x.grad.item() == pytest.approx(t.grad.item())


def test_softmax_of_an_empty_tensor_is_empty():
    x = sg.zeros(0, 2, requires_grad=True)
    assert sg.softmax(x, 0).shape == (0, 2) and sg.nn.functional.glu(x, 0).shape == (0, 2)


def test_reading_a_views_closed_form_does_not_hide_its_bases_in_place_change():
    # Found by review: ``term_of`` marked the view as up to date with its base
    # when ``.expr`` was read, so the next op on the view kept its old grad_fn
    # and the in-place change's gradient was lost (PyTorch: x.grad = 2).
    w = sg.tensor(1.0, requires_grad=True)
    x = sg.tensor(2.0, requires_grad=True)
    a = sg.zeros(3) * w
    v = a[1:]
    a.add_(x)
    assert all(e.has(x.expr) for e in v.expr)
    (v * 1).sum().backward()
    assert x.grad.item() == 2.0


def test_a_view_of_a_constant_follows_its_base_into_the_graph():
    # Found by review: a view of a tensor that did not require grad kept
    # requires_grad=False after its base was updated in place with a tensor
    # that does, while its closed form showed x: the gradient was silently lost.
    x = sg.tensor(2.0, requires_grad=True)
    a = sg.zeros(3)
    v = a[1:]
    a.add_(x)
    assert v.requires_grad and v.grad_fn is not None and not v.is_leaf
    v.backward(sg.ones(2))
    assert x.grad.item() == 2.0
    a = sg.zeros(3)
    v = a[1:]
    a.add_(x)
    with sg.no_grad():  # (read under no_grad first: the view still joins the graph)
        assert not (v * 2).requires_grad
    assert sg.autograd.grad(v.sum(), x)[0].item() == 2.0
    d = a.detach()  # an alias outside the graph stays outside
    a.mul_(x)
    assert not d.requires_grad


def test_fmax_and_fmin_ignore_nan_and_give_a_tie_to_the_first_input():
    # Found by review: fmax and fmin were aliases of maximum and minimum, which
    # propagate nan (PyTorch: the other input's value) and share ties.
    nan = float("nan")
    a = sg.tensor([1.0, nan, nan, 5.0, 3.0], requires_grad=True)
    b = sg.tensor([nan, 2.0, nan, 5.0, 4.0], requires_grad=True)
    y = sg.fmax(a, b)
    np.testing.assert_array_equal(y.tolist(), [1.0, 2.0, nan, 5.0, 4.0])
    y.sum().backward()
    assert a.grad.tolist() == [1.0, 0.0, 1.0, 1.0, 0.0] and b.grad.tolist() == [0.0, 1.0, 0.0, 0.0, 1.0]
    np.testing.assert_array_equal(a.fmin(b).tolist(), [1.0, 2.0, nan, 5.0, 3.0])
    x, z = sg.tensor(1.0, requires_grad=True), sg.tensor(2.0, requires_grad=True)
    step = sg.gradient_function(sg.fmax(x, z), [x, z])  # generated code: nan ignored too
    assert step(np.array([1.0]), np.array([nan]))[0].tolist() == [1.0]


def test_inner_sums_over_the_last_dimension_of_any_shapes():
    # Found by review: inner was dot, refusing all but two vectors
    # (PyTorch: the product over the last dims; a product with a 0-d tensor).
    a = sg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = sg.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    assert sg.inner(a, b).tolist() == [[1.0, 2.0, 3.0], [3.0, 4.0, 7.0]]
    assert sg.inner(sg.tensor([1.0, 2.0]), sg.tensor(3.0)).tolist() == [3.0, 6.0]
    assert sg.inner(sg.ones(2, 3, 4), sg.ones(5, 4)).shape == (2, 3, 5)
    with pytest.raises(RuntimeError, match="the last dimension must match"):
        sg.inner(sg.ones(2, 2), sg.ones(3, 3))
    sg.inner(a, b).sum().backward()
    assert a.grad.tolist() == [[2.0, 2.0], [2.0, 2.0]]


def test_overwriting_with_a_tensor_that_requires_grad_keeps_the_old_history_at_zero():
    # Found by review: y.fill_(v) / y.copy_(w) with v, w requiring grad
    # dropped y's old history, so x.grad was None (PyTorch: zeros; an
    # optimizer skips a None gradient but not a zero one).
    for write in (lambda y, v: y.fill_(v), lambda y, v: y.copy_(v.reshape(1))):
        x = sg.tensor([1.0, 2.0], requires_grad=True)
        v = sg.tensor(3.0, requires_grad=True)
        y = x * 1
        write(y, v)
        (y * sg.tensor([1.0, 2.0])).sum().backward()
        assert x.grad.tolist() == [0.0, 0.0] and v.grad.item() == 3.0
        assert str(y.expr) == "[v, v]"


def test_data_of_a_tensor_that_requires_grad_stays_floating():
    # Found by review: x.data = an int64 tensor made x an integer tensor that
    # requires grad; PyTorch refuses.
    x = sg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="must be floating point"):
        x.data = sg.tensor([1, 2])
    assert x.dtype == sg.float64


def test_retain_grad_follows_in_place_changes_once():
    # Found by review: after y.retain_grad(); y.mul_(3) both y's old and new
    # nodes filled y.grad (20, PyTorch: 5), and a view's retain_grad was lost
    # when its base changed in place (None, PyTorch: 5).
    x = sg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.mul_(3)
    (y * 5).sum().backward()
    assert y.grad.tolist() == [5.0, 5.0] and x.grad.tolist() == [30.0, 30.0]
    x = sg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    v = y[:1]
    v.retain_grad()
    y.mul_(3)
    (v * 5).sum().backward()
    assert v.grad.tolist() == [5.0] and x.grad.tolist() == [30.0, 0.0]


def test_generated_values_chosen_among_integers_are_floats():
    # Found by review6: a mask inside arithmetic (where's gradient: numpy.where(t1, 0, 1)
    # + 3*numpy.where(t1, 1, 0)) was an int64 array (int32 in JAX), and the math backend's
    # clamp and relu, min(1, max(0, x)), returned the int 0 below the range
    x = sg.tensor(1.0, requires_grad=True, name="x")
    points = (-3.0, 0.5, 5.0, np.array([-1.0, 2.0]))
    for backend in ("numpy", "math"):
        fns = [sg.gradient_function(lambda x: sg.where(x > 0, 3 * x, x), 0, backend=backend),
               sg.gradient_function(lambda x: sg.clamp(x, 0, 1) * 2, 0, backend=backend),
               sg.gradient_function(lambda x: sg.relu(x) + sg.clamp(x, min=0.0), 0, backend=backend),
               sg.lambdify([x], (sg.clamp(x, 0, 1), sg.relu(x), sg.maximum(x, sg.tensor(1.0))), backend=backend)]
        for fn in fns:
            for p in points[:3] if backend == "math" else points:
                results = fn(p)
                flat = [results[0], *results[1]] if isinstance(results[1], tuple) else list(results)
                for r in flat:
                    if backend == "math":
                        assert type(r) is float, (fn.source, p, r)
                    else:
                        assert np.asarray(r).dtype == np.float64, (fn.source, p, r)


@pytest.mark.parametrize("backend", ["math", "c"])
def test_scalar_code_propagates_nan_through_maximum_minimum_and_clamp(backend):
    # Found by review: the math and C code printed Python's max/min and C's
    # fmax/fmin, which drop a nan (max(1.0, nan) is 1.0), where symgrad and
    # NumPy give nan: generated code was silently not the function traced
    if backend == "c" and sg.codegen.backends.c.compiler() is None:
        pytest.skip("no C compiler")
    x = sg.tensor(1., requires_grad=True)
    y = sg.tensor(2., requires_grad=True)

    def outputs(a, b):
        return [sg.maximum(a, b), sg.minimum(a, b), sg.clamp(a, min=0.5, max=3.), sg.relu(a),
                sg.maximum(sg.maximum(a, b), a * 0.5)]

    fn = sg.lambdify([x, y], outputs(x, y), backend=backend, **({"compile": True} if backend == "c" else {}))
    nan = float("nan")
    for a, b in [(nan, 1.0), (1.0, nan), (nan, nan), (-2.0, 3.0), (4.0, -1.0), (2.0, 2.0)]:
        with sg.no_grad():
            eager = [float(t) for t in outputs(sg.tensor(a), sg.tensor(b))]
        np.testing.assert_array_equal(np.array(fn(a, b), dtype=float), eager, err_msg=f"at {a}, {b}")


@pytest.mark.parametrize("name", ["sum", "mean", "nansum", "nanmean", "var", "std", "amax", "amin"])
@pytest.mark.parametrize("empty", [(), []])
def test_an_empty_dim_list_reduces_every_dim_as_pytorch(name, empty):
    # Found by review: x.sum(()) returned x unreduced (NumPy's reading of
    # axis=()); PyTorch reads an empty dim list as every dim
    x = sg.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    want = {"sum": 10.0, "mean": 2.5, "nansum": 10.0, "nanmean": 2.5, "var": 5 / 3, "std": (5 / 3) ** 0.5,
            "amax": 4.0, "amin": 1.0}[name]
    out = getattr(x, name)(empty)
    assert out.shape == () and float(out) == pytest.approx(want)
    assert getattr(x, name)(empty, keepdim=True).shape == (1, 1)
    out.backward()
    assert x.grad.shape == (2, 2)


@pytest.mark.parametrize("fn", ["max_pool2d", "avg_pool2d"])
def test_2d_pooling_takes_an_empty_batch_as_pytorch(fn):
    # Found by review: a (0, C, H, W) input was refused ("non-empty 3D or 4D"),
    # which PyTorch pools to (0, C, H', W'); an empty non-batch dim stays refused
    x = sg.zeros(0, 2, 4, 4, requires_grad=True)
    out = getattr(sg.nn.functional, fn)(x, 2)
    assert out.shape == (0, 2, 2, 2)
    out.sum().backward()
    assert x.grad.shape == (0, 2, 4, 4)
    with pytest.raises(RuntimeError, match="optional 0 dim batch size"):
        getattr(sg.nn.functional, fn)(sg.zeros(2, 0, 4, 4), 2)
