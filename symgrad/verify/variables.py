"""The variables a hand derivation may mention: every leaf symbol of ``f``
(inputs, parameters, named data), found by name.

A plain ``sympy.Symbol('x')`` or the ``x`` in a formula string means the leaf
printed as ``x``; ``W[0]`` means an element of the array leaf ``W`` and
``W`` alone the whole array (elementwise, as in NumPy).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from symgrad.symbolic import evaluate
from symgrad.symbolic.terms import Leaf, Term

__all__ = ["SymbolTable", "symbol_table"]


@dataclass
class SymbolTable:
    """``by_name``: name -> symbol (or object array of symbols for an array
    leaf, also reachable element by element as ``W[0]``); ``current``: each
    symbol's present value, where the leaf tensor is still alive;
    ``ambiguous``: names shared by different leaves."""

    by_name: dict[str, Any] = field(default_factory=dict)
    current: dict[Any, float] = field(default_factory=dict)
    integer: set[Any] = field(default_factory=set)
    ambiguous: set[str] = field(default_factory=set)

    def resolve(self, name: str) -> Any:
        """The symbol(s) for ``name``, with a clear error for unknown or ambiguous names."""
        if name in self.ambiguous:
            raise ValueError(f"two different variables are printed as {name!r}; give them distinct names "
                             "(symgrad.tensor(..., name=...) or the .name attribute) so the hand derivation can "
                             "refer to each")
        if name not in self.by_name:
            raise ValueError(f"the hand derivation uses {name!r}, which is not a variable of f; the variables are: "
                             f"{', '.join(self.names())}")
        return self.by_name[name]

    def names(self) -> list[str]:
        """Leaf names (arrays by their base name), as a person would list them."""
        return sorted(n for n, v in self.by_name.items() if "[" not in n or isinstance(v, np.ndarray))

    def symbols(self) -> list[Any]:
        out: list[Any] = []
        for v in self.by_name.values():
            out.extend(v.reshape(-1) if isinstance(v, np.ndarray) else [v])
        return list(dict.fromkeys(out))


def symbol_table(terms: list[Term]) -> SymbolTable:
    """The leaves reachable from ``terms`` (resolved), with their symbols."""
    table = SymbolTable()
    leaves: dict[int, Leaf] = {}
    for term in terms:
        for leaf in evaluate.leaves_of(term):
            leaves.setdefault(id(leaf), leaf)
    for leaf in leaves.values():
        _add(table, leaf)
    return table


def _add(table: SymbolTable, leaf: Leaf) -> None:
    value = evaluate.value(leaf)  # names the leaf if it has no name yet
    tensor = leaf.tensor()
    numbers = None if tensor is None else np.asarray(tensor._value, dtype=np.float64)
    integer = tensor is not None and tensor._value.dtype.kind in "iu"
    entries = [(str(leaf.name), value)]  # evaluate.value has named the leaf
    if isinstance(value, np.ndarray):
        entries += [(str(s), s) for s in value.reshape(-1)]
    for name, v in entries:
        old = table.by_name.get(name)
        if old is not None and not _same(old, v):
            table.ambiguous.add(name)
        table.by_name[name] = v
    symbols = value.reshape(-1) if isinstance(value, np.ndarray) else [value]
    nums = numbers.reshape(-1) if numbers is not None else [None] * len(symbols)
    for s, n in zip(symbols, nums):
        if n is not None:
            table.current[s] = float(n)
        if integer:
            table.integer.add(s)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape and bool(
            all(x == y for x, y in zip(a.reshape(-1), b.reshape(-1))))
    return bool(a == b)
