"""Folding the numbers that tidying makes.

Graph constants are folded when lowered (``Lowering.constant``), but tidying
makes numbers out of values that are not constants: ``x**0`` is ``1``
(``nodes.make``), so ``(x**0 - 0.9)**0.75`` reaches the
printer as a call on numbers only.  Printed as such it is wrong in some
backends: PyTorch's functions take tensors, not Python numbers
(``torch.pow(0.1, 0.75)`` is a TypeError), and Python's float arithmetic
raises where NumPy gives inf (``1e200**2`` is an OverflowError, and
``math.log(0.0)`` a ValueError, whatever the inputs).

So an op whose operands are all numbers is computed here, by its NumPy
forward at the node's dtype - what symgrad's own forward computes - and the
code gets the one number (``inf`` and ``nan`` included: every printer writes
those).  In code of scalars an array operand is an array of expressions, and
the elements whose operands are all numbers are folded one by one.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy

from symgrad.codegen.program import Node
from symgrad.codegen.ssa import Literal

_Symbol, _Number, _Mul = sympy.Symbol, sympy.Number, sympy.Mul
_BOOLEANS = {sympy.true: True, sympy.false: False}


def may_be_number(data: Any) -> bool:
    """Whether an operand is a number or an array of expressions that may
    hold some; False at once for what most operands are (a symbol, a node)."""
    cls = type(data)
    if cls is Node or cls is _Symbol:
        return False
    return cls is np.ndarray or number_of(data) is not None


def number_of(e: Any) -> Any:
    """The value of an operand that is a number - a SymPy number, a ``Literal``
    with its sign, a numeric expression such as ``log(2)``, ``True`` - or None."""
    cls = type(e)
    if cls is Node or cls is _Symbol:
        return None
    if cls is Literal:
        return e.value
    if isinstance(e, _Number):
        return None if e is sympy.zoo else float(e)
    if cls is _Mul and len(e.args) == 2 and e.args[0] == -1 and type(e.args[1]) is Literal:
        return -e.args[1].value
    if e in _BOOLEANS:
        return _BOOLEANS[e]
    if isinstance(e, sympy.Expr) and e.is_number:
        value = complex(e.evalf(17))  # log(2); a complex one (sqrt(-2)) is left to the printer
        return value.real if value.imag == 0 else None
    return None


def operand(data: Any, dtype: np.dtype, python_number: Any = None) -> tuple[Any, Any] | None:
    """One operand as numbers: ``(values, where)`` - an array of ``dtype``,
    and where its elements are numbers (a boolean array, or True for a
    scalar) - or None if none of it is.  ``python_number``: a Python number
    the op was given as such (NumPy lets it keep the other operand's dtype)."""
    if type(data) is not np.ndarray:
        n = number_of(data)
        if n is None:
            return None
        return (python_number if python_number is not None else np.asarray(n, dtype=dtype)), True
    values = np.zeros(data.shape, dtype=dtype)
    where = np.zeros(data.shape, dtype=bool)
    for index in np.ndindex(*data.shape):
        n = number_of(data[index])
        if n is not None:
            values[index] = n
            where[index] = True
    return (values, where) if where.any() else None


def compute(op: Any, params: dict[str, Any], operands: list[tuple[Any, Any]]) -> tuple[np.ndarray, Any]:
    """``op`` (elementwise) on the operands' numbers, and where all of them
    are numbers: ``(values, where)``, broadcast as the operands are
    (elsewhere the values mean nothing)."""
    with np.errstate(all="ignore"):
        values = np.asarray(op.forward(*[v for v, _ in operands], **params))
    where: Any = True
    for _, w in operands:
        where = np.logical_and(where, w)
    return values, where


__all__ = ["may_be_number", "number_of", "operand", "compute"]
