"""Reading a hand derivation: a SymPy expression (symbols matched to f's
variables by name), a formula string (read by the safe parser, never
executed), numbers, a list of those for an array variable, or a Python
function returning numbers.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy
from sympy.core.function import AppliedUndef

from symgrad.parsing import FormulaError, parse_formula
from symgrad.symbolic.constants import number
from symgrad.verify.variables import SymbolTable

__all__ = ["Expected", "read_expected"]


@dataclass
class Expected:
    """One hand-derived gradient: ``symbolic`` (a SymPy expression, or an
    object array shaped like the variable) or ``function`` (numbers only)."""

    shown: str
    symbolic: Any = None
    function: Callable[[dict[str, Any]], np.ndarray | None] | None = None


def read_expected(item: Any, shape: tuple[int, ...], table: SymbolTable, what: str) -> Expected:
    """``item`` as an ``Expected`` for a variable of shape ``shape``."""
    if callable(item) and not isinstance(item, sympy.Basic):
        return Expected(_function_name(item), function=_numeric_function(item, shape, table, what))
    value = _symbolic(item, table, what)
    return Expected(_show(value), symbolic=_fit_shape(value, shape, what))


# ---------------------------------------------------------------- symbolic forms

def _symbolic(item: Any, table: SymbolTable, what: str) -> Any:
    if isinstance(item, str):
        return _parse(item, table, what)
    if isinstance(item, (sympy.MatrixBase, sympy.NDimArray)):
        return _elementwise(np.array(item.tolist(), dtype=object), table, what)
    if isinstance(item, (list, tuple, np.ndarray)):
        return _elementwise(np.array(item, dtype=object), table, what)
    if isinstance(item, sympy.Basic):
        return _rename(item, table, what)
    if isinstance(item, (int, float, np.number)) and not isinstance(item, bool):
        return number(item)
    raise TypeError(f"{what}: the expected gradient must be a SymPy expression, a formula string such as "
                    f"'2*x*y', numbers, a list of those, or a Python function; got {type(item).__name__}")


def _elementwise(arr: np.ndarray, table: SymbolTable, what: str) -> np.ndarray:
    out = np.empty(arr.shape, dtype=object)
    for idx in np.ndindex(*arr.shape):
        v = _symbolic(arr[idx], table, what)
        if isinstance(v, np.ndarray):
            raise ValueError(f"{what}: element {list(idx)} of the expected gradient is itself an array; give one "
                             "expression per element")
        out[idx] = v
    return out


def _parse(text: str, table: SymbolTable, what: str) -> Any:
    names = {n: v for n, v in table.by_name.items() if n not in table.ambiguous}
    try:
        value = parse_formula(text, names)
    except FormulaError as e:
        if e.piece in table.ambiguous:
            table.resolve(e.piece)  # raises the clearer message
        raise FormulaError(f"{what}: {e}") from None
    if isinstance(value, sympy.NDimArray):
        return np.array(value.tolist(), dtype=object)
    return value


def _rename(expr: Any, table: SymbolTable, what: str) -> Any:
    """Plain symbols -> f's leaf symbols, matched by name."""
    undefined = expr.atoms(AppliedUndef)
    if undefined:
        raise ValueError(f"{what}: the expected gradient uses {sorted(map(str, undefined))[0]}, a function SymPy "
                         "cannot evaluate; write it with known functions (sin, exp, log, ...)")
    known = set(table.symbols())
    mapping = {}
    for s in expr.free_symbols:
        if s in known:
            continue
        try:
            target = table.resolve(s.name)
        except ValueError as e:
            raise ValueError(f"{what}: {e}") from None
        if isinstance(target, np.ndarray):
            raise ValueError(f"{what}: {s.name} is an array variable; refer to its elements ({s.name}[0], ...) or "
                             "give a list with one expression per element")
        mapping[s] = target
    return expr.xreplace(mapping)


def _fit_shape(value: Any, shape: tuple[int, ...], what: str) -> Any:
    if not isinstance(value, np.ndarray):
        if not shape:
            return value
        out = np.empty(shape, dtype=object)
        out[...] = value  # one expression for every element (e.g. a constant)
        return out
    if value.shape != shape:
        if value.size == int(np.prod(shape)) and value.ndim == 2 and 1 in value.shape and len(shape) == 1:
            return value.reshape(shape)  # a column or row Matrix for a vector variable
        raise ValueError(f"{what}: the expected gradient has shape {list(value.shape)} but the variable has shape "
                         f"{list(shape)}; give one expression per element")
    return value if shape else value[()]


def _show(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return str(sympy.Array(value.tolist())) if value.ndim else str(value[()])
    return str(value)


# ---------------------------------------------------------------- numeric functions

def _numeric_function(fn: Callable[..., Any], shape: tuple[int, ...], table: SymbolTable,
                      what: str) -> Callable[[dict[str, Any]], np.ndarray | None]:
    params = _parameters(fn, table, what)

    def call(values: dict[str, Any]) -> np.ndarray | None:
        try:
            with np.errstate(all="ignore"):
                got = np.asarray(fn(**{p: values[p] for p in params}), dtype=np.complex128)
        except (ArithmeticError, ValueError):  # e.g. math.log(-1), 1/0: outside the function's domain
            return None
        if got.shape != shape:
            if _squeezed(got.shape) == _squeezed(shape):  # a column or row for a vector variable
                return got.reshape(shape)
            if got.ndim == 0:
                return np.broadcast_to(got, shape)
            raise ValueError(f"{what}: the expected-gradient function returned shape {list(got.shape)}; the "
                             f"variable has shape {list(shape)}")
        return got

    return call


def _squeezed(shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(n for n in shape if n != 1)


def _parameters(fn: Callable[..., Any], table: SymbolTable, what: str) -> list[str]:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        raise TypeError(f"{what}: cannot read the parameters of the expected-gradient function; use a def or "
                        "lambda whose parameters are named after f's variables") from None
    if any(p.kind == p.VAR_KEYWORD for p in params):
        return table.names()
    names = [p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    for n in names:
        if n not in table.names() or n in table.ambiguous:
            raise ValueError(f"{what}: the expected-gradient function has a parameter {n!r}, which is not a "
                             f"variable of f (or names two of them); the variables are: {', '.join(table.names())}")
    return names


def _function_name(fn: Callable[..., Any]) -> str:
    name = getattr(fn, "__name__", type(fn).__name__)
    return f"<Python function {name}>"
