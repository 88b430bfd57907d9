"""Comparing two forms numerically at random points of their common domain.

Points are exact decimals (``0.37``, ``-1.5``), so a counterexample reads
well and evaluation is exact up to 30-digit arithmetic (``numbers``).  A point is
kept only where everything involved - ``f`` itself, symgrad's gradient and
the hand derivation - is a finite real number: no ``log`` of negatives, no
division by zero.  The first point tried is the variables' current values.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from symgrad.verify.numbers import evaluate_at
from symgrad.verify.variables import SymbolTable

__all__ = ["Sample", "numeric", "points", "compare"]

TRIES_PER_POINT = 30


def numeric(value: Any, point: dict[Any, Any]) -> np.ndarray | None:
    """``value`` (expression or object array) at ``point`` as float64, or
    None where it is not a finite real number."""
    items = value.reshape(-1) if isinstance(value, np.ndarray) else [value]
    out = []
    for e in items:
        try:
            c = evaluate_at(e, point) if isinstance(e, sympy.Basic) else complex(e)
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            return None
        if not (math.isfinite(c.real) and math.isfinite(c.imag)) or abs(c.imag) > 1e-12 * max(1.0, abs(c.real)):
            return None
        out.append(c.real)
    arr = np.array(out, dtype=np.float64)
    return arr.reshape(value.shape) if isinstance(value, np.ndarray) else arr.reshape(())


def points(table: SymbolTable, rng: np.random.Generator) -> Iterator[dict[Any, Any]]:
    """The current values first (where known; random where the tensor is
    gone), then random exact decimals."""
    symbols = table.symbols()
    if any(s in table.current for s in symbols):
        yield {s: _exact(table.current[s]) if s in table.current else _draw(rng, s in table.integer)
               for s in symbols}
    while True:
        yield {s: _draw(rng, s in table.integer) for s in symbols}


def _exact(v: float) -> Any:
    return sympy.Integer(int(v)) if float(v).is_integer() else sympy.Rational(repr(float(v)))


def _draw(rng: np.random.Generator, integer: bool) -> Any:
    if integer:
        return sympy.Integer(int(rng.integers(-5, 6)))
    if rng.random() < 0.5:  # moderate values of either sign
        return sympy.Rational(int(round(rng.uniform(-3, 3) * 100)), 100)
    magnitude = 10 ** rng.uniform(-1, 1)  # small and large magnitudes, positive more often than not
    sign = 1 if rng.random() < 0.7 else -1
    return sign * sympy.Rational(int(round(magnitude * 1000)), 1000)


@dataclass
class Sample:
    """One kept point: the values there (symgrad's and the hand derivation's)."""

    point: dict[Any, Any]
    ours: np.ndarray
    theirs: np.ndarray


def compare(ours: Any, theirs: Any, function: Callable[[dict[str, Any]], np.ndarray | None] | None, forward: Any,
            table: SymbolTable, n: int, seed: int) -> list[Sample]:
    """Up to ``n`` samples where everything is finite and real."""
    rng = np.random.default_rng(seed)
    kept: list[Sample] = []
    for tries, point in enumerate(points(table, rng)):
        if len(kept) >= n or tries >= n * TRIES_PER_POINT:
            break
        if forward is not None and numeric(forward, point) is None:
            continue
        a = numeric(ours, point)
        b = _theirs(theirs, function, point, table)
        if a is not None and b is not None:
            kept.append(Sample(point, a, b))
    return kept


def _theirs(theirs: Any, function: Any, point: dict[Any, Any], table: SymbolTable) -> np.ndarray | None:
    if function is None:
        return numeric(theirs, point)
    values = {}
    for name in table.names():
        sym = table.by_name[name]
        if isinstance(sym, np.ndarray):
            values[name] = np.array([float(point[s]) for s in sym.reshape(-1)]).reshape(sym.shape)
        else:
            values[name] = float(point[sym])
    got = function(values)  # None outside the function's domain (math.log(-1), 1/0)
    if got is None or not np.all(np.isfinite(got)) or np.any(np.abs(got.imag) > 1e-12 * np.maximum(1.0, np.abs(got.real))):
        return None
    return np.asarray(got.real, dtype=np.float64)
