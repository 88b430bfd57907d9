"""Display: LaTeX reprs, symgrad.show labels and values, compact views for
large closed forms, and symgrad.draw (skipped without Graphviz's dot)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import numpy as np
import pytest

import symgrad
from symgrad.display import describe, form

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's dot program is not installed (apt-get install graphviz)")


def _seed():
    x = symgrad.tensor(2., requires_grad=True)
    y = symgrad.tensor(3., requires_grad=True)
    return x, y


def _deep(n=12):
    a = symgrad.tensor(1., requires_grad=True)
    b = a
    for _ in range(n):
        b = symgrad.sin(b) * b
    return a, b


# ---------------------------------------------------------------- LaTeX reprs

def test_latex_repr_shows_closed_form_and_value():
    x, y = _seed()
    z = x * x * y
    assert z._repr_latex_() == r"$\displaystyle x^{2} y \;=\; 12$"
    assert x._repr_latex_() == r"$\displaystyle x \;=\; 2$"


def test_latex_repr_of_vectors_and_plain_numbers():
    W = symgrad.tensor([0.5, 2.], requires_grad=True)
    latex = (W * 2)._repr_latex_()
    assert r"2 W_{0} & 2 W_{1}" in latex and r"1 & 4" in latex
    assert symgrad.tensor([1., 2.])._repr_latex_() == r"$\displaystyle \left[\begin{matrix}1 & 2\end{matrix}\right]$"


def test_latex_repr_leaves_big_or_high_dimensional_tensors_to_the_text_repr():
    assert symgrad.zeros(100)._repr_latex_() is None
    assert symgrad.zeros(2, 2, 2)._repr_latex_() is None


def test_large_closed_form_renders_compact():
    a, b = _deep()
    shown = describe(b)
    assert shown.form.compact is not None and shown.form.expr is None
    assert shown.text().startswith("c1 = a*sin(a)\n")
    assert r"\begin{aligned}" in b._repr_latex_()


def test_compact_view_names_array_temporaries_as_matrices_in_latex():
    # the name of an array temporary was NumPy's text in \mathtt{\text{[c1[0] c1[1]]}}, with line breaks for 2-d
    W = symgrad.tensor(np.arange(12.).reshape(3, 4) / 10, requires_grad=True)
    y = symgrad.tanh(W @ symgrad.tensor(np.ones(4), name="x")).sum()
    y.backward()
    latex = describe(W.grad).latex()
    assert r"\left[\begin{matrix}c1[0] & c1[1] & c1[2]\end{matrix}\right] &= " in latex and r"\text" not in latex


def test_closed_form_past_the_size_guard_still_renders_compact():
    _, b = _deep(120)
    shown = describe(b)
    assert shown.form.compact is not None
    assert "more intermediate values not shown" in shown.text()


def test_many_elements_give_a_note_not_a_formula():
    W = symgrad.ones(form.MAX_ELEMENTS + 1, requires_grad=True)
    shown = describe(W * 2)
    assert shown.form.expr is None and "not shown" in shown.form.note


def test_numbers_follow_print_precision():
    symgrad.set_printoptions(precision=2)
    assert describe(symgrad.tensor(1 / 3)).text() == "0.33"


# ---------------------------------------------------------------- show

def test_show_labels_a_gradient_with_its_derivative(capsys):
    x, y = _seed()
    z = x * x * y
    z.backward()
    symgrad.show(x.grad)
    assert capsys.readouterr().out == "∂z/∂x = 2*x*y = 12\n"
    assert describe(x.grad)._repr_latex_() == r"$\displaystyle \frac{\partial z}{\partial x} \;=\; 2 x y \;=\; 12$"


def test_show_second_derivative_of_the_seed():
    x, y = _seed()
    z = x * x * y
    z.backward(create_graph=True)
    x.grad.data.zero_()
    x.grad.backward()
    assert describe(x.grad).text() == "∂²z/∂x² = 2*y = 6"


def test_grad_results_are_named_by_their_variable():
    x, y = _seed()
    z = x * x * y
    (gx,) = symgrad.autograd.grad(z, x, create_graph=True)
    assert describe(gx).text() == "gx = 2*x*y = 12"


def test_mixed_partials_are_written_last_taken_first():
    x, y = _seed()
    z = x * x * y
    z.backward(create_graph=True)
    gx = x.grad
    y.grad = None
    gx.backward()
    assert describe(y.grad).text() == "∂²z/∂y∂x = 2*x = 4"


def test_unnamed_output_is_labelled_by_its_formula():
    x, y = _seed()
    (x * y).backward()
    assert describe(x.grad).text() == "∂(x*y)/∂x = y = 3"


def test_accumulated_gradients_are_labelled_as_sums():
    x, y = _seed()
    z = x * y
    w = x * x
    z.backward()
    w.backward()
    assert describe(x.grad).text() == "∂z/∂x + ∂w/∂x = 2*x + y = 7"


def test_changed_gradient_loses_its_derivative_label():
    x, y = _seed()
    z = x * y
    z.backward()
    x.grad.mul_(2)
    assert describe(x.grad).text() == "2*y = 6"


def test_vector_jacobian_product_is_not_called_a_derivative():
    x, _ = _seed()
    (x * 2).backward(gradient=symgrad.tensor(5.))
    assert describe(x.grad).text() == "x.grad = 10"


def test_show_names_outputs_and_leaves(capsys):
    x, y = _seed()
    z = x * y
    symgrad.show(z, x)
    assert capsys.readouterr().out == "z = x*y = 6\nx = 2\n"


def test_show_refuses_non_tensors():
    with pytest.raises(TypeError, match="show\\(\\) displays symgrad tensors"):
        symgrad.show(3.0)


def test_show_in_ipython_uses_rich_display(monkeypatch):
    shown = []

    class FakeIPython:
        @staticmethod
        def get_ipython():
            return object()

    monkeypatch.setitem(sys.modules, "IPython", FakeIPython)
    monkeypatch.setattr("symgrad.display.shown._ipython_display", lambda: shown.append)
    x, _ = _seed()
    symgrad.show(x)
    assert shown and shown[0]._repr_latex_() == r"$\displaystyle x \;=\; 2$"


def test_unavailable_closed_form_is_explained():
    x, _ = _seed()
    for _ in range(70):
        (x * 3).backward()
    text = describe(x.grad).text()
    assert text.startswith("x.grad = 210\n(The closed form of this gradient was not kept")


def test_importing_symgrad_does_not_import_display():
    code = "import sys, symgrad; print(any(m.startswith(('symgrad.display', 'sympy', 'graphviz')) for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# ---------------------------------------------------------------- draw

@needs_dot
def test_draw_shows_ops_shapes_values_and_gradients():
    X = symgrad.tensor([1.5, 2.5, 3.5], name="X")
    W = symgrad.tensor([0.2, 0.4, 0.6], requires_grad=True)
    b = symgrad.tensor(0.1, requires_grad=True)
    Y = symgrad.dot(X, W) + b
    Y.backward()
    g = symgrad.draw(Y, formulas=True)
    src = g.source
    for piece in ("dot (DotBackward0)", "float64 [3]", "[0.2, 0.4, 0.6]", "grad [1.5, 2.5, 3.5]",
                  "grad 1", "3.5", "W[0]*X[0]", '"Y\\n'):
        assert piece in src, piece
    assert g.pipe(format="svg").startswith(b"<?xml") or b"<svg" in g.pipe(format="svg")


@needs_dot
def test_draw_saves_a_file(tmp_path):
    x, y = _seed()
    path = symgrad.draw(x * y).render(tmp_path / "graph", format="svg")
    assert (tmp_path / "graph.svg").read_text().count("<svg") == 1
    assert path.endswith("graph.svg")


@needs_dot
def test_draw_deep_graph_without_recursion():
    a = symgrad.tensor(1., requires_grad=True)
    b = a
    for _ in range(2000):
        b = b * 1.0
    with pytest.raises(ValueError, match="more than 300 nodes"):
        symgrad.draw(b)
    assert "mul" in symgrad.draw(b, max_nodes=5000).source


def test_draw_says_how_to_install_dot(monkeypatch):
    pytest.importorskip("graphviz")
    monkeypatch.setattr("shutil.which", lambda name: None)
    x, _ = _seed()
    with pytest.raises(symgrad.display.GraphvizNotFoundError, match="apt-get install graphviz"):
        symgrad.draw(x * 2)


def test_draw_says_how_to_install_the_python_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)
    x, _ = _seed()
    with pytest.raises(symgrad.display.GraphvizNotFoundError, match="pip install graphviz"):
        symgrad.draw(x * 2)


def test_latex_repr_falls_back_to_text_when_the_closed_form_fails(monkeypatch):
    x, _ = _seed()

    def broken(t):
        raise TypeError("a SymPy failure")

    monkeypatch.setattr("symgrad.display.form.closed_form", broken)
    assert (x * 2)._repr_latex_() is None
    assert repr(x * 2) == "tensor(4., grad_fn=<MulBackward0>)"
