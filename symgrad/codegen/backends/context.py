"""Per-program printing state shared by the Python backends: the SymPy
printer, and the constants, helper functions and imports the code needs."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
from sympy.core.basic import Basic

from symgrad.codegen.backends import literals
from symgrad.codegen.graph import CodegenError
from symgrad.codegen.names import Namespace
from symgrad.codegen.program import Call, Node
from symgrad.codegen.templates import is_one_call

Emitter = Callable[["Context", Call, list[str]], str]

_SIMPLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*(\[[0-9, ]*\])?$|^[0-9.e+-]+$")


class Context:
    """What one program's printing has collected so far."""

    def __init__(self, module: str, printer: Any, names: Namespace, helpers: dict[str, str],
                 array_constructor: Callable[[str, np.ndarray], str], masks_as_indices: bool = False) -> None:
        self.module = module
        self.masks_as_indices = masks_as_indices
        self.printer = printer
        self.names = names
        self._helper_sources = helpers
        self._array_constructor = array_constructor
        self.helpers: dict[str, str] = {}
        self.arrays: list[tuple[str, str]] = []
        self._array_names: dict[Any, str] = {}

    def expr(self, e: Any) -> str:
        """An expression (a ``Node`` or SymPy's) in the backend's syntax."""
        if type(e) is Node:
            text = self.printer._print_Node(e)
        elif isinstance(e, Basic):
            text = self.printer._print(e)
        else:
            return literals.literal(e)
        missing = getattr(self.printer, "_not_supported", None)
        if missing:
            names = sorted({type(m).__name__ for m in missing})
            raise CodegenError(f"the {self.module} backend cannot print {', '.join(names)}; "
                               "use another backend (numpy supports every op)")
        return text

    def operand(self, text: str) -> str:
        """``text`` parenthesized unless it is a name, element, number or one call."""
        return text if _SIMPLE.match(text) or is_one_call(text) else f"({text})"

    def array(self, arr: np.ndarray) -> str:
        """The name of a module-level constant holding ``arr``."""
        k = (arr.shape, str(arr.dtype), arr.tobytes())
        name = self._array_names.get(k)
        if name is None:
            name = self.names.temp("k")
            self._array_names[k] = name
            self.arrays.append((name, self._array_constructor(name, arr)))
        return name

    def helper(self, name: str) -> str:
        """Use the helper function ``name`` (its source goes into the module)."""
        if name not in self.helpers:
            self.helpers[name] = self._helper_sources[name].replace("{M}", self.module)
        return name

    def lit(self, v: Any) -> str:
        return literals.literal(v)

    def key(self, k: Any) -> str:
        return literals.key(mask_to_indices(k) if self.masks_as_indices else k, self.array)

    def fn(self, name: str) -> str:
        """A function of the backend's array module: ``numpy.sum``."""
        return f"{self.module}.{name}"

    def dtype(self, dtype: np.dtype) -> str:
        name = "bool_" if dtype == np.bool_ else dtype.name
        if self.module == "torch":
            name = "bool" if dtype == np.bool_ else name
        return f"{self.module}.{name}"


def sum_to_size_axes(call: Call) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """A ``sum_to_size`` call's two reductions: the axes summed keeping their
    place (size 1 in the result), then the leading axes the result lacks."""
    (src,), shape = call.in_shapes, call.shape
    lead = len(src) - len(shape)
    keep = tuple(lead + i for i, s in enumerate(shape) if s == 1 and src[lead + i] != 1)
    return keep, tuple(range(lead))


def kwargs(**items: Any) -> str:
    """``, axis=(0,), keepdims=True`` from items whose value is not the default (None/False)."""
    out = []
    for k, v in items.items():
        if v is None or v is False:
            continue
        out.append(f"{k}={literals.literal(v)}")
    return "".join(", " + x for x in out)


def flat_index(shape: tuple[int, ...], key: Any) -> np.ndarray:
    """For each element ``x[key]`` reads, its position in ``x.reshape(-1)``."""
    return np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)[key]


def view_index(shape: tuple[int, ...], chain: Any) -> np.ndarray:
    """The flat positions a chain of view ops (``_scatter_view``) selects."""
    v: Any = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
    for op, params in chain:
        v = op.forward(v, **params)
    return np.ascontiguousarray(v)


def mask_to_indices(key: Any) -> Any:
    """Boolean masks in an index key as integer index arrays (JAX cannot index
    by a mask inside ``jit``; the mask is a constant, so its indices are known)."""
    parts = key if isinstance(key, tuple) else (key,)
    out: list[Any] = []
    for p in parts:
        if isinstance(p, np.ndarray) and p.dtype == np.bool_:
            out.extend(np.nonzero(p))
        else:
            out.append(p)
    return tuple(out) if isinstance(key, tuple) or len(out) > 1 else out[0]


def unsupported(reason: str) -> Emitter:
    def emit(ctx: Context, call: Call, args: list[str]) -> str:
        raise CodegenError(f"op {call.op!r} is not supported by the {ctx.module} backend: {reason}")
    return emit
