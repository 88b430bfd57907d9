"""``sp``: SymPy, imported on first attribute access.

Symbolic forwards in the op table are lambdas such as ``lambda x: sp.sin(x)``;
nothing touches SymPy until an expression is actually built, so
``import symgrad`` stays fast and numeric-only code never loads SymPy.
"""

from __future__ import annotations

import importlib
from typing import Any


class _LazySympy:
    def __getattr__(self, name: str) -> Any:
        module = importlib.import_module("sympy")
        self.__dict__.update(module.__dict__)  # later lookups are plain attribute reads
        return getattr(module, name)


sp: Any = _LazySympy()


class Exact(float):
    """A float that appears in closed forms by its exact SymPy form.

    Derivative rules multiply by constants such as ``log(2)``; as a plain float
    the closed form would show ``0.693...``.  NumPy sees a float; SymPy sees
    ``make()``.
    """

    def __new__(cls, value: float, make: Any) -> Exact:
        obj = super().__new__(cls, value)
        obj._make = make  # type: ignore[attr-defined]
        return obj

    def _sympy_(self) -> Any:
        return self._make()  # type: ignore[attr-defined]

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        # NumPy takes a float subclass for a float64 array, not a weak Python
        # float: ``float32_array * LOG2`` was float64, and a derivative rule run
        # on arrays (``g * out * LOG2``, exp2's) turned float32 gradients into
        # float64.  NumPy hands every ufunc with an Exact operand (``*``, ``/``,
        # ``np.exp``) to this method, which computes it with plain floats.
        inputs = tuple(float(v) if isinstance(v, Exact) else v for v in inputs)
        return getattr(ufunc, method)(*inputs, **kwargs)


def num(v: Any) -> Any:
    """A parameter (Python number) as a SymPy number: ``1.0`` -> ``1``."""
    from symgrad.symbolic.constants import number

    return number(v)
