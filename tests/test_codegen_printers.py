"""The few places where the backends' SymPy printers are adjusted, and the
operation counter."""

from __future__ import annotations

import importlib.util
import math

import numpy as np
import sympy

import symgrad
from symgrad.codegen import count_operations, printers

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


def test_count_operations_in_python_and_c():
    t = symgrad.tensor(2.0, requires_grad=True)
    out = symgrad.sin(t) * t + 1
    assert count_operations(symgrad.lambdify([t], out)) == 3
    assert count_operations(symgrad.lambdify([t], out, backend="c")) == 3
    assert count_operations("def f(a, b):\n    return max(a, b) if a < b else -a\n") == 4
