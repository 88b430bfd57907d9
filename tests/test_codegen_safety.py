"""Names in generated code: user strings never reach the compiler; every
leaf gets a safe, distinct, readable identifier."""

from __future__ import annotations

import ast

import numpy as np
import pytest

import symgrad
from symgrad.codegen.backends.c import compiler
from symgrad.codegen.names import Namespace


def leaf(value, name):
    t = symgrad.tensor(value, requires_grad=True)
    t.name = name
    return t


def statements(source: str) -> list[str]:
    """The kinds of top-level statements of a generated module."""
    return [type(node).__name__ for node in ast.parse(source).body]


def test_odd_names_become_safe_distinct_identifiers():
    w = leaf(2.0, "linear.weight[0, 0]")
    evil = leaf(3.0, "x; import os")
    x1 = leaf(4.0, "x")
    x2 = leaf(5.0, "x")
    f = w * evil + x1 * x2 ** 2
    g = symgrad.gradient_function(f, [w, evil, x1, x2])
    assert [i.name for i in g.program.inputs] == ["linear_weight_0_0", "x_import_os", "x", "x_2"]
    assert statements(g.source) == ["FunctionDef"]  # no imports: the code needs none
    value, grads = g(2.0, 3.0, 4.0, 5.0)
    assert value == 106.0 and grads == (3.0, 2.0, 25.0, 40.0)


def test_names_that_try_to_run_code_are_inert():
    a = leaf(1.0, "__import__('os').system('echo hacked')")
    b = leaf(2.0, '"""; raise SystemExit; """')
    f = symgrad.lambdify([a, b], a * b)
    tree = ast.parse(f.source)
    assert [i.name for i in f.program.inputs] == ["import_os_system_echo_hacked", "raise_SystemExit"]
    assert not [n for n in ast.walk(tree) if isinstance(n, (ast.Call, ast.Raise, ast.Import, ast.Attribute))]
    assert f(3.0, 4.0) == 12.0


def test_keywords_builtins_and_module_names_are_renamed():
    names = ["lambda", "abs", "numpy", "math", "value"]
    leaves = [leaf(float(i + 1), n) for i, n in enumerate(names)]
    f = leaves[0] * leaves[1] + leaves[2] * leaves[3] + symgrad.abs(leaves[4])
    g = symgrad.gradient_function(f, leaves)
    params = [i.name for i in g.program.inputs]
    assert params == ["lambda_1", "abs_1", "numpy_1", "math_1", "value"]
    assert "value_2 = " in g.source  # the output does not take the input's name
    assert g(1.0, 2.0, 3.0, 4.0, -5.0)[0] == 19.0


def test_docstrings_cannot_end_early():
    x = leaf(1.0, "x")
    f = symgrad.lambdify([x], x * 2, name="f")
    doc = ast.get_docstring(ast.parse(f.source).body[-1])
    assert doc.splitlines()[0] == "f(x) -> out"


@pytest.mark.skipif(compiler() is None, reason="no C compiler")
def test_c_names_avoid_math_functions_and_keywords():
    exp = leaf(np.array([1.0, 2.0]), "exp")
    dbl = leaf(0.5, "double")
    f = symgrad.lambdify([exp, dbl], symgrad.exp(exp) * dbl, backend="c", compile=True)
    assert "const double *exp_1, double double_1" in f.source
    np.testing.assert_allclose(f(np.array([1.0, 2.0]), 0.5), np.exp([1.0, 2.0]) * 0.5)
    with pytest.raises(ValueError, match="one point per call"):
        f(np.zeros((5, 2)), 0.5)


def test_namespace_hands_out_distinct_names():
    ns = Namespace()
    got = [ns.claim(n) for n in ["a.b", "a_b", "a b", "", "1", "t1"]] + [ns.temp(), ns.temp()]
    assert got == ["a_b", "a_b_2", "a_b_3", "v", "v_1", "t1", "t2", "t3"]
    assert all(n.isidentifier() for n in got)
