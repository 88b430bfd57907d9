"""SymPy symbols for leaf tensors (imports SymPy; loaded only when needed).

A leaf's symbol is identified by the leaf, not only by its printed name, so
two different tensors that both print as ``x`` never collapse into one
variable (the way ``sympy.Dummy`` works, without Dummy's leading underscore).
Elements of array leaves print as ``W[0]`` and ``W_{0}`` in LaTeX.
"""

from __future__ import annotations

import re
from typing import Any

import sympy

_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)?$")


class LeafSymbol(sympy.Symbol):
    """A real symbol tied to one leaf tensor (or one element of it)."""

    __slots__ = ("leaf_uid", "base_name", "index")

    def __new__(cls, name: str, leaf_uid: int, base_name: str | None = None,
                index: tuple[int, ...] = (), **assumptions: Any) -> LeafSymbol:
        cls._sanitize(assumptions, cls)
        obj = sympy.Symbol.__xnew__(cls, name, **assumptions)
        obj.leaf_uid = leaf_uid
        obj.base_name = name if base_name is None else base_name
        obj.index = index
        return obj

    def __getnewargs_ex__(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return ((self.name, self.leaf_uid, self.base_name, self.index), self.assumptions0)

    def _hashable_content(self) -> tuple[Any, ...]:
        return sympy.Symbol._hashable_content(self) + (self.leaf_uid,)

    def _latex(self, printer: Any) -> str:
        base = latex_name(self.base_name, printer)
        if not self.index:
            return base
        sub = ",".join(str(i) for i in self.index)
        if "_" in base or "^" in base:
            base = "{" + base + "}"
        return f"{base}_{{{sub}}}"


def latex_name(name: str, printer: Any) -> str:
    """LaTeX for a variable name: Greek letters and ``x_1`` as SymPy does, other
    names (``linear.weight``) upright."""
    if _IDENT.match(name):
        return printer._print(sympy.Symbol(name))
    escaped = name.replace("\\", r"\backslash ").replace("_", r"\_").replace("{", r"\{").replace("}", r"\}")
    escaped = re.sub(r"([#$%&~^])", r"\\\1", escaped)
    return r"\mathrm{" + escaped + "}"


def element_name(base: str, index: tuple[int, ...]) -> str:
    """``W[0]``, ``W[0, 1]``: how NumPy and PyTorch users write an element."""
    return f"{base}[{', '.join(str(i) for i in index)}]"


def leaf_value(name: str, uid: int, shape: tuple[int, ...], kind: str) -> Any:
    """The symbolic value of a leaf: one symbol (0-d) or an object array of them."""
    import numpy as np

    assumptions: dict[str, Any] = {"integer": True} if kind in "iu" else {"real": True}
    if not shape:
        return LeafSymbol(name, uid, name, (), **assumptions)
    out = np.empty(shape, dtype=object)
    for index in np.ndindex(*shape):
        out[index] = LeafSymbol(element_name(name, index), uid, name, index, **assumptions)
    return out
