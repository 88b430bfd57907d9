"""Labels for what ``symgrad.show`` displays: a variable's name (``z``), or
the derivative a gradient holds (``∂z/∂x``, ``∂²z/∂y∂x``), worked out from
the engine's record of each ``backward()`` (``symgrad.autograd.origin``).

A label is given only when it is certain; otherwise there is none, and the
display falls back to the closed form and the value alone.

>>> import symgrad
>>> from symgrad.display.labels import label_of, latex, text
>>> x = symgrad.tensor(2., requires_grad=True)
>>> y = symgrad.tensor(3., requires_grad=True)
>>> z = x * x * y
>>> z.backward(create_graph=True)
>>> text(label_of(x.grad))
'∂z/∂x'
>>> x.grad.data.zero_()
tensor(0.)
>>> x.grad.backward()
>>> print(latex(label_of(x.grad)))
\\frac{\\partial^{2} z}{\\partial x^{2}}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Union

import numpy as np
import sympy
from sympy.printing.latex import LatexPrinter

from symgrad._tensor import Tensor, term_of
from symgrad.autograd import origin as _origin
from symgrad.symbolic import evaluate, naming
from symgrad.symbolic.symbols import latex_name
from symgrad.symbolic.terms import Leaf

__all__ = ["Name", "Derivative", "Sum", "Label", "label_of", "name_of", "text", "latex"]

# Deeper chains (derivatives of derivatives of ...) are not labelled.
MAX_NESTING = 20
# An unnamed output is labelled by its formula when this short: ∂(x**2*y)/∂x.
MAX_FORMULA_LABEL = 40

_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass(frozen=True)
class Name:
    """A name or a short formula; ``atomic`` is False when ∂ needs parentheses."""

    plain: str
    tex: str
    atomic: bool = True


@dataclass(frozen=True)
class Derivative:
    """∂ⁿ of / ∂wrt[-1] ... ∂wrt[0]: ``wrt`` in the order the derivatives were taken."""

    of: Label
    wrt: tuple[Name, ...]


@dataclass(frozen=True)
class Sum:
    parts: tuple[Label, ...]


Label = Union[Name, Derivative, Sum]


def derive(label: Label, x: Name) -> Derivative:
    """The label of the derivative of ``label`` with respect to ``x``.

    >>> z, x, y = Name("z", "z"), Name("x", "x"), Name("y", "y")
    >>> text(derive(derive(z, x), y)), text(derive(derive(z, x), x))
    ('∂²z/∂y∂x', '∂²z/∂x²')
    """
    if isinstance(label, Derivative):
        return Derivative(label.of, label.wrt + (x,))
    return Derivative(label, (x,))


def text(label: Label) -> str:
    """Plain text: ``∂²z/∂y∂x``."""
    if isinstance(label, Name):
        return label.plain
    if isinstance(label, Sum):
        return " + ".join(text(p) for p in label.parts)
    n = len(label.wrt)
    order = str(n).translate(_SUPERSCRIPTS) if n > 1 else ""
    below = "".join(f"∂{x.plain}{str(k).translate(_SUPERSCRIPTS) if k > 1 else ''}" for x, k in _runs(label.wrt))
    of = label.of
    inner = of.plain if isinstance(of, Name) and of.atomic else f"({text(of)})"
    return f"∂{order}{inner}/{below}"


def latex(label: Label) -> str:
    r"""LaTeX: ``\frac{\partial^{2} z}{\partial y \partial x}``."""
    if isinstance(label, Name):
        return label.tex
    if isinstance(label, Sum):
        return " + ".join(latex(p) for p in label.parts)
    n = len(label.wrt)
    order = f"^{{{n}}}" if n > 1 else ""
    below = " ".join(rf"\partial {x.tex}" + (f"^{{{k}}}" if k > 1 else "") for x, k in _runs(label.wrt))
    of = label.of
    if isinstance(of, Name) and of.atomic:
        return rf"\frac{{\partial{order} {of.tex}}}{{{below}}}"
    return rf"\frac{{\partial{order}}}{{{below}}}\left({latex(of)}\right)"


def _runs(wrt: tuple[Name, ...]) -> list[tuple[Name, int]]:
    """Variables last-taken first (as written), equal neighbours merged: ∂x², not ∂x∂x."""
    runs: list[tuple[Name, int]] = []
    for x in reversed(wrt):
        if runs and runs[-1][0] == x:
            runs[-1] = (x, runs[-1][1] + 1)
        else:
            runs.append((x, 1))
    return runs


# ---------------------------------------------------------------- from tensors

def label_of(t: Tensor) -> Label | None:
    """The label of ``t``: its derivative if it is a gradient still holding
    what ``backward()`` put there, else its variable name, else None."""
    o = _origin.current(t)
    if o is not None:
        found = gradient_label(o, 0)
        if found is not None:
            return found
        wrt = o.wrt()
        name = None if wrt is None else name_of(wrt)
        if name is not None:  # a vector-Jacobian product, or an unknown output: say only whose .grad
            return Name(f"{name.plain}.grad", rf"{name.tex}.\mathrm{{grad}}")
    return name_of(t)


def name_of(t: Tensor) -> Name | None:
    """A leaf's symbol name, else the variable the calling code binds ``t`` to.

    >>> import symgrad
    >>> from symgrad.display.labels import name_of
    >>> speed = symgrad.tensor(2., requires_grad=True) * 3
    >>> name_of(speed)
    Name(plain='speed', tex='speed', atomic=True)
    """
    term = term_of(t)
    if isinstance(term, Leaf):
        name = t.name
    else:
        name = naming.variable_name(t)
    return None if name is None else Name(name, latex_name(name, LatexPrinter()))


def gradient_label(o: _origin.GradOrigin, depth: int) -> Label | None:
    """∂(outputs)/∂wrt from one record, plus what the gradient held before
    (dropped when that was zero, as after ``x.grad.zero_()``)."""
    if o.run.seeded or depth > MAX_NESTING:
        return None
    wrt = o.wrt()
    x = None if wrt is None else name_of(wrt)
    if x is None:
        return None
    parts: list[Label] = []
    for ref, term, inner in zip(o.run.outputs, o.run.output_terms, o.run.output_origins):
        part = gradient_label(inner, depth + 1) if inner is not None else _output_name(ref(), term)
        if part is None:
            return None
        parts.append(part)
    new = derive(parts[0] if len(parts) == 1 else Sum(tuple(parts)), x)
    if o.before is None:
        return new
    term, before = o.before
    if _is_zero(term):
        return new
    prev = gradient_label(before, depth + 1) if before is not None else None
    return None if prev is None else Sum((prev, new))


def _output_name(t: Any, term: Any) -> Label | None:
    """The output's variable name, else its formula if short (``∂(x*y)/∂x``)."""
    name = None if t is None else name_of(t)
    if name is not None:
        return name
    try:
        expr = evaluate.expr(term)
    except RuntimeError:  # too large, or not kept
        return None
    plain = str(expr)
    if len(plain) > MAX_FORMULA_LABEL:
        return None
    return Name(plain, sympy.latex(expr), atomic=isinstance(expr, sympy.Symbol))


def _is_zero(term: Any) -> bool:
    try:
        v = evaluate.value(term)
    except RuntimeError:
        return False
    if isinstance(v, np.ndarray):
        return all(e == 0 for e in v.reshape(-1))
    return bool(v == 0)
