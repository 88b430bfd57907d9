"""``symgrad.show``: a tensor as ``label = closed form = value``, e.g.
``∂z/∂x = 2*x*y = 12``, rendered as math in Jupyter and as text elsewhere.

>>> import symgrad
>>> x = symgrad.tensor(2., requires_grad=True)
>>> y = symgrad.tensor(3., requires_grad=True)
>>> z = x * x * y
>>> z.backward()
>>> symgrad.show(x.grad)
∂z/∂x = 2*x*y = 12
>>> symgrad.show(z, x)
z = x**2*y = 12
x = 2
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import sympy

from symgrad._tensor import Tensor, term_of
from symgrad.display import form, labels, values
from symgrad.symbolic.evaluate import public
from symgrad.symbolic.terms import Leaf

__all__ = ["Shown", "describe", "show", "latex_repr"]

# At most this many lines of a compact view are shown; the rest are counted.
MAX_COMPACT_LINES = 40


@dataclass
class Shown:
    """What ``show`` displays for one tensor: ``label = closed form = value``
    (each part optional); ``str()`` is the text, ``_repr_latex_`` the math."""

    label: labels.Label | None
    form: form.ClosedForm
    value: Any

    def text(self) -> str:
        """Plain text: one line, or the compact view's lines and then the result."""
        lines = [f"{_show_name(n)} = {public(v)}" for n, v in self._assignments()]
        lines.append(" = ".join(self._chain(labels.text, str, values.value_text)))
        return "\n".join(lines + self._notes())

    def latex(self) -> str:
        """The LaTeX, without ``$`` delimiters (an ``aligned`` block for compact views)."""
        chain = self._chain(labels.latex, sympy.latex, values.value_latex)
        rows = [rf"{sympy.latex(public(n))} &= {sympy.latex(public(v))}" for n, v in self._assignments()]
        notes = [rf"\text{{{_latex_text(n)}}}" for n in self._notes()]
        if not rows:
            return r" \;=\; ".join(chain) + "".join(r" \quad " + n for n in notes)
        rows.append(chain[0] + " &= " + r" \;=\; ".join(chain[1:]))
        return r"\begin{aligned}" + r"\\ ".join(rows + ["&" + n for n in notes]) + r"\end{aligned}"

    def __str__(self) -> str:
        return self.text()

    __repr__ = __str__

    def _repr_latex_(self) -> str:
        return "$\\displaystyle " + self.latex() + "$"

    def _chain(self, label_fmt: Any, expr_fmt: Any, value_fmt: Any) -> list[str]:
        out = [] if self.label is None else [label_fmt(self.label)]
        f = self.form
        if f.expr is not None:
            out.append(expr_fmt(f.expr))
        elif f.compact is not None:
            out.append(expr_fmt(public(f.compact.result)))
        out.append(value_fmt(self.value))
        return out

    def _assignments(self) -> list[tuple[Any, Any]]:
        c = self.form.compact
        if c is None:
            return []
        return c.assignments[:MAX_COMPACT_LINES]

    def _notes(self) -> list[str]:
        notes = [] if self.form.note is None else [f"({self.form.note})"]
        c = self.form.compact
        if c is not None and len(c.assignments) > MAX_COMPACT_LINES:
            notes.append(f"({len(c.assignments) - MAX_COMPACT_LINES} more intermediate values not shown; "
                         "print(t.compact()) lists them all)")
        return notes


def _show_name(name: Any) -> str:
    return str(public(name))


def _latex_text(s: str) -> str:
    for ch in "\\{}$&#^_%~":
        s = s.replace(ch, "\\" + ch if ch not in "\\^~" else " ")
    return s


def describe(t: Tensor) -> Shown:
    r"""The ``Shown`` of a tensor, without displaying it (see ``show``).

    >>> import symgrad
    >>> from symgrad.display import describe
    >>> x = symgrad.tensor(2., requires_grad=True)
    >>> shown = describe(x * x)
    >>> print(shown.text(), shown.latex(), sep="\n")
    x**2 = 4
    x^{2} \;=\; 4
    """
    if not isinstance(t, Tensor):
        raise TypeError(f"show() displays symgrad tensors, got {type(t).__name__}")
    return Shown(labels.label_of(t), form.closed_form(t), t._value)


def show(*tensors: Tensor) -> None:
    """Display tensors as ``label = closed form = value``: rendered math in
    Jupyter, text elsewhere.  Gradients are labelled with the derivative they
    hold (``∂z/∂x``, ``∂²z/∂x²``), other tensors with their variable name;
    large closed forms appear as their compact view (named shared parts).

    >>> import symgrad
    >>> w = symgrad.tensor(3., requires_grad=True)
    >>> loss = (w - 1) ** 2
    >>> loss.backward()
    >>> symgrad.show(loss, w.grad)
    loss = (w - 1)**2 = 4
    ∂loss/∂w = 2*w - 2 = 4
    """
    shown = [describe(t) for t in tensors]
    display = _ipython_display()
    for s in shown:
        if display is not None:
            display(s)
        else:
            print(s.text())


def _ipython_display() -> Any:
    """IPython's ``display`` when running under IPython (Jupyter), else None."""
    ipython = sys.modules.get("IPython")
    if ipython is None or getattr(ipython, "get_ipython", lambda: None)() is None:
        return None
    from IPython.display import display

    return display


def latex_repr(t: Tensor) -> str | None:
    """``Tensor._repr_latex_``: closed form and value as math; None (the text
    repr is used) for tensors with more than a matrix's dimensions or too many
    elements to read as a formula.

    >>> import symgrad
    >>> x = symgrad.tensor(2., requires_grad=True)
    >>> print((x * x)._repr_latex_())
    $\\displaystyle x^{2} \\;=\\; 4$
    """
    if t.ndim > 2 or t.numel() > form.MAX_ELEMENTS:
        return None
    try:
        label = labels.name_of(t) if isinstance(term_of(t), Leaf) else None  # a variable: x = 2
        return Shown(label, form.closed_form(t), t._value)._repr_latex_()
    except Exception:  # a display hook must not fail: Jupyter then shows the text repr; t.expr raises
        return None
