"""What the ``symgrad`` command line computes: derivatives, gradients and
generated code of a formula typed by the user.

The formula is read by the safe parser (``symgrad.parsing``: nothing is ever
``eval``'d) into symgrad tensors, one scalar leaf per variable, so every
derivative comes from symgrad's own derivative rules.  Each function returns
the lines to print; bad input raises ``UsageError`` with a one-line message.

>>> from symgrad.commands import diff_lines, grad_lines
>>> diff_lines("x*x*y", ["x"], order=2, at="x=2,y=3")
['2*y', '6']
>>> grad_lines("x*x*y", ["x", "y"], at="x=2,y=3")
['∂f/∂x = 2*x*y = 12', '∂f/∂y = x**2 = 4']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["UsageError", "Formula", "read_formula", "parse_at", "diff_lines", "grad_lines", "codegen_source"]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Higher orders of most formulas grow past what is worth printing (and take long).
MAX_ORDER = 50
# Where no value is given, the closed form does not depend on the numbers;
# this value keeps log, sqrt and friends quiet while it is computed.
_PLACEHOLDER = 0.5


class UsageError(ValueError):
    """Bad input from the command line: the message is shown as it is."""


@dataclass
class Formula:
    """A formula computed on symgrad leaves: ``f`` and its ``variables`` by name."""

    text: str
    f: Any
    variables: dict[str, Any]
    has_values: bool


def parse_at(text: str | None) -> dict[str, float]:
    """``"x=2,y=-1.5"`` -> ``{"x": 2.0, "y": -1.5}``, with a clear error for anything else.

    >>> parse_at("x=2, y=-1.5e-3")
    {'x': 2.0, 'y': -0.0015}
    """
    if text is None:
        return {}
    values: dict[str, float] = {}
    for item in text.split(","):
        name, sep, number = (part.strip() for part in item.partition("="))
        if not sep or not _NAME.match(name) or not number:
            raise UsageError(f"malformed --at item {item.strip()!r}: write name=value pairs separated by commas, "
                             "e.g. --at x=2,y=3")
        if name in values:
            raise UsageError(f"--at gives {name} twice")
        try:
            value = float(number)
        except ValueError:
            raise UsageError(f"--at {name}={number}: {number!r} is not a number") from None
        if not np.isfinite(value):
            raise UsageError(f"--at {name}={number}: values must be finite numbers")
        values[name] = value
    return values


def read_formula(text: str, at: str | None) -> Formula:
    """Parse ``text`` safely and compute it on one leaf per variable, valued
    by ``at`` (all variables or none).

    >>> formula = read_formula("x*x*y", "x=2,y=3")
    >>> formula.f, list(formula.variables)
    (tensor(12., grad_fn=<MulBackward0>), ['x', 'y'])
    """
    import symgrad
    from symgrad.parsing import FormulaError, formula_to_tensor, parse_formula

    values = parse_at(at)
    try:
        names = sorted(s.name for s in _free_symbols(parse_formula(text)))
    except (FormulaError, TypeError) as e:
        raise UsageError(str(e)) from None
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise UsageError(f"--at names {', '.join(unknown)}, which the formula does not use"
                         f"{'; its variables: ' + ', '.join(names) if names else ' (it has no variables)'}")
    missing = [n for n in names if n not in values]
    if values and missing:
        raise UsageError(f"--at gives no value for {', '.join(missing)}; give every variable a value, or none")
    leaves = {n: symgrad.tensor(values.get(n, _PLACEHOLDER), requires_grad=True, name=n) for n in names}
    try:
        with np.errstate(all="ignore" if not values else "warn"):
            f = formula_to_tensor(text, leaves)
    except FormulaError as e:
        raise UsageError(str(e)) from None
    return Formula(text, f, leaves, bool(values))


def _free_symbols(expr: Any) -> set[Any]:
    if hasattr(expr, "free_symbols"):
        return set(expr.free_symbols)
    return set()


def _variables(formula: Formula, wrt: list[str] | None) -> list[Any]:
    names = list(formula.variables) if not wrt else wrt
    out = []
    for n in names:
        if n not in formula.variables:
            have = ", ".join(formula.variables) or "none"
            raise UsageError(f"unknown variable {n!r} in --wrt: the formula's variables are {have}")
        out.append(formula.variables[n])
    return out


def diff_lines(text: str, wrt: list[str] | None, order: int = 1, at: str | None = None,
               latex: bool = False) -> list[str]:
    """The closed form of the derivative (``wrt`` in turn, ``order`` times for
    one variable), then its value when ``at`` gives the variables' values."""
    import symgrad

    if not 1 <= order <= MAX_ORDER:
        raise UsageError(f"--order must be between 1 and {MAX_ORDER}, got {order}")
    formula = read_formula(text, at)
    if not wrt:
        if len(formula.variables) != 1:
            raise UsageError("say which variable to differentiate by: --wrt x"
                             + (f" (the formula's variables: {', '.join(formula.variables)})"
                                if formula.variables else " (the formula has no variables)"))
        wrt = list(formula.variables)
    if order > 1 and len(wrt) > 1:
        raise UsageError("--order applies to one variable; for mixed derivatives list them: --wrt x,x,y")
    variables = _variables(formula, wrt) * order
    d = symgrad.derivative(formula.f, *variables)
    return _form_and_value(d, formula, latex)


def grad_lines(text: str, wrt: list[str] | None, at: str | None = None, latex: bool = False,
               partial: str = "∂") -> list[str]:
    """One line per variable: ``∂f/∂x = closed form = value`` (value when ``at``
    is given); ``partial="d"`` writes ``df/dx`` for terminals without Unicode."""
    import sympy

    import symgrad

    formula = read_formula(text, at)
    if formula.f.numel() != 1:
        raise UsageError("grad needs a formula with one value; use diff for list formulas")
    variables = _variables(formula, wrt)
    if not variables:
        raise UsageError("the formula has no variables, so it has no gradient")
    grads = symgrad.autograd.grad(formula.f, variables, allow_unused=True, materialize_grads=True)
    lines = []
    for x, g in zip(variables, grads):
        parts = [rf"\frac{{\partial f}}{{\partial {sympy.latex(x.symbol)}}}" if latex else f"{partial}f/{partial}{x.name}",
                 sympy.latex(g.expr) if latex else str(g.expr)]
        if formula.has_values:
            parts.append(_number(g))
        lines.append(" = ".join(parts))
    return lines


def codegen_source(text: str, wrt: list[str] | None, backend: str = "numpy") -> str:
    """The source of a generated function returning the formula's value and gradient.

    >>> import importlib.util
    >>> source = codegen_source("x*x*y", ["x", "y"]) if importlib.util.find_spec("symgrad.codegen") else None
    >>> source is None or "def value_and_grad(x, y):" in source
    True
    """
    import importlib.util

    if importlib.util.find_spec("symgrad.codegen") is None:
        raise UsageError("this installation of symgrad has no code generator (symgrad.codegen)")
    import symgrad.codegen as codegen

    formula = read_formula(text, None)
    variables = _variables(formula, wrt)
    if not variables:
        raise UsageError("the formula has no variables, so there is no gradient to generate")
    try:
        fn: Any = codegen.gradient_function(formula.f, variables, backend=backend)  # a function with .source
    except codegen.CodegenError as e:
        raise UsageError(str(e)) from None
    return str(fn.source)


def _form_and_value(d: Any, formula: Formula, latex: bool) -> list[str]:
    import sympy

    lines = [sympy.latex(d.expr) if latex else str(d.expr)]
    if formula.has_values:
        lines.append(_number(d))
    return lines


def _number(t: Any) -> str:
    """Values with float64's precision, without a trailing ``.0``: ``6``, ``0.1``."""
    a = t.detach().numpy()
    if a.ndim == 0:
        return f"{a.item():.15g}"
    return str(np.vectorize(lambda v: f"{v:.15g}", otypes=[object])(a).tolist()).replace("'", "")
