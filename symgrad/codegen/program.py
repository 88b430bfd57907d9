"""The program that backends print: inputs, straight-line assignments, outputs.

Right-hand sides are expressions over *atoms* (input symbols, temporaries,
numbers) - ``Node``s of symgrad's common elementwise ops, or SymPy
expressions for the others - or ``Call``s of array ops that are not
elementwise (array mode only).  Two modes:

* **array mode** - a symbol stands for a whole array and elementwise ops are
  SymPy expressions over such symbols (NumPy broadcasting does the rest);
  other ops are ``Call``s printed by the backend's emitter table;
* **scalar mode** - every element is its own scalar expression (the ``math``
  and C backends, and any backend when every input is a scalar, so that
  arrays of points broadcast through the code).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


class Node:
    """``op(*args)`` for an elementwise op: ``args`` are atoms (symbols, numbers),
    SymPy expressions or Nodes (made and tidied by ``nodes.make``).

    Immutable and hashable (equal nodes are one temporary: ``ssa.Builder.bind``)."""

    __slots__ = ("op", "args", "_hash")

    def __init__(self, op: str, args: tuple[Any, ...]) -> None:
        self.op = op
        self.args = args
        self._hash = hash((op, args))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return self is other or (type(other) is Node and self._hash == other._hash and self.op == other.op
                                 and self.args == other.args)

    def __repr__(self) -> str:
        return f"Node({self.op!r}, {self.args!r})"


@dataclass(frozen=True)
class Call:
    """``op(*args, **params)`` for an op that is not elementwise (array mode)."""

    op: str
    args: tuple[Any, ...]
    params: dict[str, Any]
    in_shapes: tuple[tuple[int, ...], ...]
    shape: tuple[int, ...]
    dtype: np.dtype

    def key(self) -> tuple[Any, ...]:
        return (self.op, self.args, freeze(self.params))

    def with_args(self, args: tuple[Any, ...]) -> Call:
        return Call(self.op, args, self.params, self.in_shapes, self.shape, self.dtype)


@dataclass
class Assign:
    """``target = value``."""

    target: Any
    value: Any


@dataclass
class Input:
    """One parameter of the generated function."""

    name: str
    symbol: Any
    shape: tuple[int, ...]
    dtype: np.dtype
    source: Any = None
    elements: dict[tuple[int, ...], Any] = field(default_factory=dict)


@dataclass
class Output:
    """One returned value: an atom or expression (array mode, or a scalar), or an
    object array of per-element expressions (scalar mode, n-d)."""

    name: str
    value: Any
    shape: tuple[int, ...]
    dtype: np.dtype


@dataclass
class Constant:
    """An array constant the code refers to by name."""

    symbol: Any
    value: np.ndarray


@dataclass
class Program:
    """Everything a backend needs to print one function."""

    name: str
    mode: str
    inputs: list[Input]
    body: list[Assign]
    outputs: Any  # an Output, or nested tuples/lists of them
    constants: list[Constant]
    doc: str = ""

    def output_list(self) -> list[Output]:
        return list(iter_outputs(self.outputs))

    def of_scalars(self) -> bool:
        """Does the program map scalars to scalars (so it can run on arrays of points)?"""
        return all(not i.shape for i in self.inputs) and all(not o.shape for o in self.output_list())


def iter_outputs(tree: Any, leaf: type = Output) -> Any:
    """The ``leaf`` items (``Output``s) of a nested tuple/list structure, depth first."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, leaf):
            yield node
        else:
            stack.extend(reversed(list(node)))


def map_outputs(tree: Any, fn: Any, leaf: type = Output) -> Any:
    """The same structure with each ``leaf`` item (``Output``) replaced by ``fn(item)``."""
    if isinstance(tree, leaf):
        return fn(tree)
    return type(tree)(map_outputs(t, fn, leaf) for t in tree)


def freeze(v: Any) -> Any:
    """A hashable stand-in for op parameters (arrays, slices, dtypes, nested tuples)."""
    if isinstance(v, dict):
        return tuple(sorted((k, freeze(x)) for k, x in v.items()))
    if isinstance(v, (tuple, list)):
        return (type(v).__name__, tuple(freeze(x) for x in v))
    if isinstance(v, np.ndarray):
        return ("array", v.shape, str(v.dtype), v.tobytes())
    if isinstance(v, slice):
        return ("slice", v.start, v.stop, v.step)
    if isinstance(v, np.dtype):
        return ("dtype", str(v))
    name = getattr(v, "name", None)
    if hasattr(v, "forward") and isinstance(name, str):  # an OpDef inside a view chain
        return ("op", name)
    return v
