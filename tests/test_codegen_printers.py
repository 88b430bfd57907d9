"""The few places where the backends' SymPy printers are adjusted, and the
operation counter."""

from __future__ import annotations

import importlib.util
import math

import numpy as np
import pytest
import sympy

import symgrad
from symgrad.codegen import count_operations, printers
from symgrad.codegen.backends.c import compiler

x, y = sympy.symbols("x y", real=True)


def test_numpy_printing_reads_like_numpy():
    p = printers.NumPyCode()
    assert p.doprint(sympy.Piecewise((x, x > 0), (-x, True))) == "numpy.where(numpy.greater(x, 0), x, -x)"
    assert p.doprint(sympy.Max(x, y, 0)) == "numpy.maximum(numpy.maximum(0, x), y)"
    assert p.doprint(sympy.Float("0.1") * x) == "0.1*x"
    assert p.doprint(1 / x) == "1/x"


def test_erf_without_scipy_uses_math_erf(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(printers.importlib.util, "find_spec", lambda name: None if name == "scipy" else real(name))
    t = symgrad.tensor(0.5, requires_grad=True)
    f = symgrad.lambdify([t], [symgrad.erf(t), symgrad.erfc(t)])
    assert "def _erf(x):" in f.source and "_erf(t)" in f.source and "def _erfc(x):" in f.source
    erf, erfc = f(np.array([0.1, -0.7]))
    np.testing.assert_allclose(erf, [math.erf(0.1), math.erf(-0.7)])
    np.testing.assert_allclose(erfc, [math.erfc(0.1), math.erfc(-0.7)])
    # float32 in, float32 out, as the engine (and scipy.special) give
    erf32, erfc32 = f(np.array([0.1, -0.7], dtype=np.float32))
    assert erf32.dtype == np.float32 and erfc32.dtype == np.float32


def test_c_printing_keeps_python_modulo_and_one_line_conditionals():
    p = printers.CCode()
    assert p.doprint(sympy.Mod(x, y)) == "(x - y*floor(x/y))"
    assert p.doprint(sympy.Piecewise((x, x > 0), (0, True))) == "((x > 0) ? (x) : (0.0))"


def test_python_remainders_stay_inside_products():
    # SymPy's Python printers wrote -2*Mod(y, x) as -2*y % x: (-2*y) % x to Python
    for p in (printers.MathCode(), printers.torch_printer()):
        assert p.doprint(-2 * sympy.Mod(y, x)) == "-2*(y % x)"
        assert p.doprint(x - 3 * y * sympy.Mod(y, x)) == "x - 3*y*(y % x)"


def test_count_operations_in_python_and_c():
    t = symgrad.tensor(2.0, requires_grad=True)
    out = symgrad.sin(t) * t + 1
    assert count_operations(symgrad.lambdify([t], out)) == 3
    assert count_operations(symgrad.lambdify([t], out, backend="c")) == 3
    assert count_operations("def f(a, b):\n    return max(a, b) if a < b else -a\n") == 4


# ---------------------------------------------------------------- constants made by tidying

def _call_in(backend: str, fn, *args):
    """Call a generated function with float64 points in the backend's own array type."""
    if backend == "torch":
        import torch

        return fn(*[torch.tensor(a, dtype=torch.float64) for a in args])
    if backend == "c":
        from symgrad.codegen.backends.c import compiler

        if compiler() is None:
            return None
    return fn(*args)


def _tidied_to_constants(t):
    """Outputs whose operands tidy to numbers (``t**0 - 1`` is 0; ``t - t`` and
    ``0*t`` are not, being nan at inf): a call of a function on numbers only,
    which no graph constant folded."""
    zero = t ** 0 - 1
    return [(zero + 0.1) ** 0.75, symgrad.exp(zero + 0.1), symgrad.sqrt(zero + 2.0),
            symgrad.maximum(zero + 0.3, zero + 0.2), symgrad.sigmoid(zero + 0.3),
            symgrad.log(zero + 2.0) ** 2.5, symgrad.tanh(zero - 0.3), symgrad.abs(zero - 0.3),
            symgrad.log(zero),            # -inf, as symgrad's forward (no ValueError in math)
            (zero + 1e200) ** 2,          # inf (Python's 1e200**2 raises OverflowError)
            t * (zero + 0.1) ** 0.75]     # a constant factor inside a non-constant output


@pytest.mark.parametrize("backend", ["numpy", "math", "jax", "torch", "c"])
def test_constants_made_by_tidying_print_in_every_backend(backend):
    # Found in review: tidying made an operand constant (t - t is 0) and the
    # Torch code called torch.pow(0.1, 0.75), a TypeError (PyTorch's
    # functions take tensors, not Python numbers; NumPy's and JAX's do).
    if backend in ("jax", "torch"):
        pytest.importorskip(backend)
    t = symgrad.tensor(0.5, requires_grad=True, name="t")
    with np.errstate(all="ignore"):
        outs = _tidied_to_constants(t)
        fn = symgrad.lambdify([t], outs, backend=backend, compile=backend == "c")
        got = _call_in(backend, fn, 0.5)
    if got is None:
        pytest.skip("no C compiler")
    for k, (g, o) in enumerate(zip(got, outs)):
        np.testing.assert_allclose(np.asarray(g, dtype=float), o.item(), rtol=1e-6 if backend == "jax" else 1e-15,
                                   err_msg=f"output {k}:\n{fn.source}")


@pytest.mark.parametrize("backend", ["numpy", "math", "torch", "c"])
def test_constants_made_by_tidying_fold_element_by_element(backend):
    # The same in code of scalars with arrays inside (stack): some elements
    # of an array tidy to numbers, the others do not.
    if backend == "torch":
        pytest.importorskip("torch")
    t = symgrad.tensor(0.5, requires_grad=True, name="t")
    s = symgrad.stack([t ** 0 - 1 + 0.1, t])
    outs = [s ** 0.75, symgrad.exp(s), symgrad.softmax(s, 0), symgrad.maximum(s, t ** 0 - 0.8)]
    fn = symgrad.lambdify([t], outs, backend=backend, compile=backend == "c")
    got = _call_in(backend, fn, 0.5)
    if got is None:
        pytest.skip("no C compiler")
    for k, (g, o) in enumerate(zip(got, outs)):
        np.testing.assert_allclose(np.asarray(g, dtype=float), o.detach().numpy(), rtol=1e-15,
                                   err_msg=f"output {k}:\n{fn.source}")
    assert "torch.exp(0.1)" not in fn.source and "pow(0.1, 0.75)" not in fn.source.replace("math.", "")


def test_c_absolute_value_of_an_integer_valued_expression_is_fabs():
    # SymPy prints abs() (stdlib's int function) when the argument is integer-valued, as sign(x) is;
    # the C code holds it as a double, and softplus(sign(x)) computed 0 instead of 0.3133 (found by the fuzzer)
    x = sympy.Symbol("x", real=True)
    assert printers.CCode().doprint(sympy.Abs(sympy.sign(x))).startswith("fabs(")
    x0 = symgrad.tensor(0.0625, requires_grad=True)
    y = symgrad.softplus(symgrad.sign(-x0))
    if compiler() is None:
        pytest.skip("no C compiler")
    assert symgrad.lambdify([x0], y, backend="c", compile=True)(0.0625) == pytest.approx(y.item())
