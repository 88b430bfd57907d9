"""Printing ``nodes.Node``s: small templates, taken from the backend's SymPy printer.

``+ - * /`` and unary minus are the same in every backend's syntax (Python
and C) and are written here, with the precedence rules below.  Every other
form - a function of one argument (``numpy.sin(x)``, ``fabs(x)``,
``1/math.sqrt(x)``), an integer power (``x**2``, ``pow(x, 2)``, ``1/x``) - is
the backend's SymPy printer's own output for the op's SymPy forward applied
to a placeholder symbol, cut around the placeholder once per program.  So a
backend's spelling of a function has one source of truth, its printer, and
printing a node costs a string format instead of SymPy building and walking
an expression.

Precedence levels are SymPy's (``Add`` 40, ``Mul`` 50, ``Pow`` 60, calls
70, atoms 1000) plus unary minus (55), which binds tighter than ``*`` in
Python and C (``-x*y`` is ``(-x)*y``), and looser than Python's ``**``.
"""

from __future__ import annotations

import re
from typing import Any

import sympy
from sympy.printing.precedence import precedence

from symgrad.codegen import nodes
from symgrad.codegen.nodes import Node
from symgrad.codegen.ssa import Literal

ADD, MUL, UNARY, POW, CALL, ATOM = 40, 50, 55, 60, 70, 1000
RATIONAL = 45  # 2/11: parenthesized as a factor, (2/11)*x, as SymPy's NumPy printer does

# op: (operator, precedence of the result, left operand's (least precedence,
# may be unary), right operand's).  ``a + b + c`` and ``a*b*c`` need no
# parentheses on the right (SymPy prints them so too); ``a - (b - c)`` and
# ``a/(b*c)`` do.
_INFIX = {
    "add": (" + ", ADD, (ADD, True), (ADD, False)),
    "sub": (" - ", ADD, (ADD, True), (ADD + 1, False)),
    "mul": ("*", MUL, (MUL, True), (MUL, False)),
    "div": ("/", MUL, (MUL, True), (MUL + 1, False)),
}

_CALL = re.compile(r"[A-Za-z_][\w.]*\(")


class Template:
    """One form cut around its placeholder: ``prefix + argument + suffix``
    (``usable`` is False when the printer wrote the placeholder more than once:
    C's ``sign``, which would compute its argument twice)."""

    __slots__ = ("prefix", "suffix", "slot", "precedence", "usable")

    def __init__(self, text: str, mark: str) -> None:
        parts = text.split(mark)
        self.usable = len(parts) == 2
        self.prefix, self.suffix = (parts[0], parts[-1]) if self.usable else ("", "")
        if self.prefix.endswith(("(", ", ")) and self.suffix.startswith((")", ",")):
            self.slot = (0, True)  # a function's argument
        elif not self.prefix and self.suffix.startswith("**"):
            self.slot = (POW + 1, False)  # a power's base
        else:
            self.slot = (CALL, False)  # anywhere else: parenthesized unless an atom or a call
        if is_one_call(text):
            self.precedence = CALL
        elif not self.prefix and re.fullmatch(r"\*\*(\d+|\(-[\d.]+\))", self.suffix):
            self.precedence = POW
        else:
            self.precedence = ADD  # anything else is parenthesized wherever it goes

    def format(self, arg: str) -> str:
        return self.prefix + arg + self.suffix


def is_one_call(text: str) -> bool:
    """``name(...)`` whose parentheses close only at the end."""
    m = _CALL.match(text)
    if m is None or not text.endswith(")"):
        return False
    depth = 0
    for i in range(m.end() - 1, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0 and i != len(text) - 1:
            return False
    return True


def _enclosed(text: str) -> bool:
    """``(...)`` whose first parenthesis closes only at the end."""
    return text.startswith("(") and is_one_call("f" + text)


_Symbol = sympy.Symbol
_SYMBOL_PIECES: dict[type, dict[Any, tuple[str, int]]] = {}
MAX_SHARED_PIECES = 50_000  # per printer class (about 200 bytes each)


class NodePrinting:
    """Mixed into each backend's SymPy printer: ``_print_Node``."""

    def _print_Node(self, node: Node) -> str:
        return self._piece(node)[0]

    def _piece(self, e: Any) -> tuple[str, int]:
        """``e`` printed, and its precedence."""
        if type(e) is not Node:
            return self._leaf(e)
        op = e.op
        infix = _INFIX.get(op)
        if infix is not None:  # most nodes: ``_operand`` twice, written out (this runs once per node printed)
            sign, prec, (least_a, unary_a), (least_b, unary_b) = infix
            a, b = e.args
            text_a, prec_a = self._piece(a) if type(a) is Node else self._leaf(a)
            if prec_a < least_a or (prec_a == UNARY and not unary_a):
                text_a = f"({text_a})"
            text_b, prec_b = self._piece(b) if type(b) is Node else self._leaf(b)
            if prec_b < least_b or (prec_b == UNARY and not unary_b):
                text_b = f"({text_b})"
            return text_a + sign + text_b, prec
        if op == "neg":
            text = self._operand(e.args[0], MUL, False)
            # (-0.5/t is a product, not parenthesized, but --0.5/t is C's decrement operator)
            return ("-(" + text + ")" if text.startswith("-") else "-" + text), UNARY
        template = self._power(e.args[1]) if op == "pow_scalar" else self._function(op)
        if not template.usable:
            return self._leaf(nodes.to_sympy(e))
        return template.format(self._operand(e.args[0], *template.slot)), template.precedence

    def _operand(self, e: Any, least: int, unary_ok: bool) -> str:
        text, prec = self._piece(e)
        if prec < least or (prec == UNARY and not unary_ok):
            return f"({text})"
        return text

    def _leaf(self, e: Any) -> tuple[str, int]:
        """Atoms and SymPy expressions, by the SymPy printer (atoms cached)."""
        cls = type(e)
        if cls is _Symbol or cls is Literal:  # most leaves (temporaries, inputs, float constants)
            return self._symbol_piece(e)
        cache = self.__dict__.get("_leaf_cache")
        if cache is None:
            cache = self.__dict__["_leaf_cache"] = {}
        found = cache.get(e)
        if found is not None:
            return found
        text = self._print(e)  # type: ignore[attr-defined]
        if isinstance(e, (sympy.Symbol, Literal)):
            piece = (text, ATOM)
        elif isinstance(e, sympy.Number) or nodes._coefficient(e):
            if text.startswith("-"):
                piece = (text, UNARY)
            elif isinstance(e, sympy.Rational) and not isinstance(e, sympy.Integer):
                piece = (text, RATIONAL)
            else:
                piece = (text, ATOM if re.fullmatch(r"[\w.]+", text) else CALL if is_one_call(text) else ADD)
        else:
            # SymPy's own printers parenthesize operands of equal precedence
            # (``0.9*(a % b)``: Python's % binds like *), so one level less;
            # text in parentheses already (``(a % b)``) is an operand as it is.
            # A power with a negative exponent prints as a quotient, 1/sqrt(x),
            # which SymPy ranks as a power: 1/(1/sqrt(x)) was printed 1/1/sqrt(x).
            level = MUL if isinstance(e, sympy.Pow) and e.exp.is_negative else precedence(e)
            return text, CALL if is_one_call(text) or _enclosed(text) else level - 1
        cache[e] = piece
        return piece

    def _symbol_piece(self, e: Any) -> tuple[str, int]:
        """A symbol, printed once per printer class: a symbol prints as the same
        name in every program (only the class and its fixed settings decide,
        and printing one records no import), and the programs of a process
        share their symbols (``ssa._symbol``), so after the first program of a
        size its 5,000 temporaries are not printed again."""
        pieces = self.__dict__.get("_symbol_pieces")
        if pieces is None:
            pieces = self.__dict__["_symbol_pieces"] = _SYMBOL_PIECES.setdefault(type(self), {})
        found = pieces.get(e)
        if found is None:
            found = (self._print(e), ATOM)  # type: ignore[attr-defined]
            if len(pieces) < MAX_SHARED_PIECES:
                pieces[e] = found
        return found

    def _function(self, op: str) -> Template:
        templates = self.__dict__.setdefault("_function_templates", {})
        template = templates.get(op)
        if template is None:
            template = self._template(nodes.unary_form(op))
            templates[op] = template
        return template

    def _power(self, p: Any) -> Template:
        templates = self.__dict__.setdefault("_power_templates", {})
        template = templates.get(p)
        if template is None:
            template = self._template(nodes.placeholder() ** p)
            templates[p] = template
        return template

    def _template(self, form: Any) -> Template:
        mark = nodes.placeholder()
        text = self._print(form)  # type: ignore[attr-defined]
        return Template(text, self._print(mark))  # type: ignore[attr-defined]


__all__ = ["NodePrinting", "Template", "is_one_call"]
