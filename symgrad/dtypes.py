"""Data types with PyTorch's names and PyTorch's promotion rules.

A symgrad ``dtype`` wraps a NumPy dtype.  Promotion follows
``torch.result_type``: tensors with dimensions outrank 0-d tensors, which
outrank Python numbers, but only within the same category (bool < integer <
floating); a Python float meeting an integer tensor gives the default dtype.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

__all__ = [
    "dtype", "float16", "float32", "float64", "int8", "int16", "int32", "int64",
    "uint8", "bool_", "half", "float", "double", "short", "int", "long",
    "get_default_dtype", "set_default_dtype", "as_dtype", "result_type",
]

_BOOL, _INT, _FLOAT = 0, 1, 2


class dtype:  # noqa: N801 - PyTorch's name
    """A tensor element type, e.g. ``symgrad.float64``.

    >>> import symgrad
    >>> symgrad.float32.is_floating_point
    True
    >>> symgrad.tensor([1, 2]).dtype
    symgrad.int64
    """

    __slots__ = ("name", "numpy", "category", "itemsize")
    name: str
    numpy: np.dtype
    category: builtins.int
    itemsize: builtins.int

    def __init__(self, name: str, np_dtype: Any, category: builtins.int) -> None:
        self.name = name
        self.numpy = np.dtype(np_dtype)
        self.category = category
        self.itemsize = self.numpy.itemsize

    @property
    def is_floating_point(self) -> builtins.bool:
        return self.category == _FLOAT

    @property
    def is_complex(self) -> builtins.bool:
        return False

    @property
    def is_signed(self) -> builtins.bool:
        return self.numpy.kind != "u" and self.numpy.kind != "b"

    def __repr__(self) -> str:
        return f"symgrad.{self.name}"

    def __reduce__(self) -> str:
        # pickled by name, as a module global (bool is ``bool_`` here: ``bool`` is the builtin)
        return "bool_" if self.name == "bool" else self.name


float16 = dtype("float16", np.float16, _FLOAT)
float32 = dtype("float32", np.float32, _FLOAT)
float64 = dtype("float64", np.float64, _FLOAT)
int8 = dtype("int8", np.int8, _INT)
int16 = dtype("int16", np.int16, _INT)
int32 = dtype("int32", np.int32, _INT)
int64 = dtype("int64", np.int64, _INT)
uint8 = dtype("uint8", np.uint8, _INT)
bool_ = dtype("bool", np.bool_, _BOOL)
half, float, double = float16, float32, float64  # noqa: A001 - PyTorch's aliases
short, int, long = int16, int32, int64  # noqa: A001

_ALL = (float16, float32, float64, int8, int16, int32, int64, uint8, bool_)
_BY_NUMPY = {d.numpy: d for d in _ALL}
_DEFAULT = [float64]


def get_default_dtype() -> dtype:
    """The dtype of new floating tensors; float64 unless changed.

    >>> import symgrad
    >>> symgrad.get_default_dtype()
    symgrad.float64
    """
    return _DEFAULT[0]


def set_default_dtype(d: dtype) -> None:
    """Set the dtype of new floating tensors (``float32`` or ``float64``).

    >>> import symgrad
    >>> symgrad.set_default_dtype(symgrad.float32)
    >>> symgrad.tensor(1.5).dtype
    symgrad.float32
    >>> symgrad.set_default_dtype(symgrad.float64)
    """
    d = as_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"set_default_dtype: only floating-point types are supported as the default type, got {d}")
    _DEFAULT[0] = d


def as_dtype(d: Any) -> dtype:
    """Accept a symgrad dtype, a NumPy dtype or the Python types float/int/bool."""
    if isinstance(d, dtype):
        return d
    return _from_other(d)


_py_float, _py_int, _py_bool = 1.0.__class__, (1).__class__, True.__class__


# Names accepted as strings: symgrad's own (PyTorch's), not NumPy's dtype
# language, which reads "\x00" as bool and "()f8" as float64.
_BY_NAME = {"float16": float16, "float32": float32, "float64": float64, "half": half, "float": float,
            "double": double, "int8": int8, "int16": int16, "int32": int32, "int64": int64, "short": short,
            "int": int, "long": long, "uint8": uint8, "bool": bool_}


def _from_other(d: Any) -> dtype:
    if d is _py_float:
        return float64
    if d is _py_int:
        return int64
    if d is _py_bool:
        return bool_
    if isinstance(d, str):
        found = _BY_NAME.get(d.removeprefix("symgrad.").removeprefix("torch."))
        if found is None:
            raise TypeError(f"expected a dtype such as symgrad.float32 (or its name, 'float32'), got {d!r}")
        return found
    try:
        np_d = np.dtype(d)
    except TypeError:
        raise TypeError(f"expected a dtype such as symgrad.float32, got {d!r}") from None
    found = _BY_NUMPY.get(np_d)
    if found is None:
        raise TypeError(f"symgrad does not support the NumPy dtype {np_d}; "
                        f"use one of {', '.join(x.name for x in _ALL)}")
    return found


def from_numpy_dtype(np_d: np.dtype) -> dtype:
    """The symgrad dtype of a NumPy dtype, with a clear error for unsupported ones."""
    found = _BY_NUMPY.get(np_d)
    if found is None:
        return _from_other(np_d)
    return found


def promote_types(a: dtype, b: dtype) -> dtype:
    """PyTorch's ``promote_types``: the smallest type both fit in, float over int."""
    a, b = as_dtype(a), as_dtype(b)
    if a is b:
        return a
    if a.category != b.category:
        return a if a.category > b.category else b
    return _BY_NUMPY[np.promote_types(a.numpy, b.numpy)]


def scalar_dtype(value: object) -> dtype:
    """The dtype a Python number takes when it meets a tensor."""
    if isinstance(value, _py_bool) or isinstance(value, np.bool_):
        return bool_
    if isinstance(value, (_py_int, np.integer)):
        return int64
    if isinstance(value, (_py_float, np.floating)):
        return get_default_dtype()
    raise TypeError(f"expected a tensor or a real number, got {type(value).__name__}")


def _combine(higher: dtype | None, lower: dtype | None) -> dtype | None:
    # c10's combine_categories: a lower-priority operand only matters when it
    # brings a higher category (a float scalar meeting an integer tensor).
    if higher is None:
        return lower
    if lower is None or higher.category == _FLOAT:
        return higher
    if higher is bool_ or lower.category == _FLOAT:
        return promote_types(higher, lower)
    return higher


def result_type(*operands: Any) -> dtype:
    """The dtype of an elementwise op over ``operands`` (tensors or Python numbers).

    >>> import symgrad
    >>> symgrad.result_type(symgrad.tensor([1, 2]), 2.5)
    symgrad.float64
    >>> symgrad.result_type(symgrad.tensor([1.], dtype=symgrad.float32), symgrad.tensor(2.))
    symgrad.float32
    """
    dim = zero = wrapped = None
    for x in operands:
        d = getattr(x, "dtype", None)
        if isinstance(d, dtype):
            if x.ndim:
                dim = d if dim is None else promote_types(dim, d)
            else:
                zero = d if zero is None else promote_types(zero, d)
        else:
            s = scalar_dtype(x)
            wrapped = s if wrapped is None else promote_types(wrapped, s)
    out = _combine(dim, _combine(zero, wrapped))
    if out is None:
        raise TypeError("result_type needs at least one operand")
    return out
