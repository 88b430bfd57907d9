"""Argument normalisation shared by the op families, and the symbolic
reduction helper (object arrays of SymPy expressions, reduced along axes)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from symgrad._tensor import Tensor


def norm_dim(dim: Any, ndim: int, name: str = "dim") -> int:
    """A dimension index in ``[-ndim, ndim)`` as a non-negative int."""
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(dim).__name__}")
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return int(dim) % n


def norm_dims(dim: Any, ndim: int) -> tuple[int, ...] | None:
    """None (all dims), or a sorted tuple of distinct non-negative dims."""
    if dim is None:
        return None
    if not isinstance(dim, (int, np.integer, tuple, list)):
        raise TypeError(f"dim must be an int or a tuple of ints, got {type(dim).__name__}")
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    out = tuple(sorted({norm_dim(d, ndim) for d in dims}))
    if len(out) != len(dims):
        raise RuntimeError(f"dim {dim} appears multiple times in the list of dims")
    if ndim == 0:
        return None
    return out


def reduced_dims(dim: Any, ndim: int) -> tuple[int, ...] | None:
    """``norm_dims`` for a reduction: PyTorch reads an empty dim list (``x.sum(())``)
    as every dim, where NumPy's ``axis=()`` reduces none."""
    if isinstance(dim, (tuple, list)) and len(dim) == 0:
        return None
    return norm_dims(dim, ndim)


def norm_shape(size: Sequence[Any]) -> tuple[int, ...]:
    """Accept ``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])`` (as PyTorch does)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
            raise TypeError(f"sizes must be ints, got {type(s).__name__} ({s!r})")
    return tuple(int(s) for s in size)


def kept_shape(shape: Sequence[int], dims: tuple[int, ...] | None) -> tuple[int, ...]:
    """The shape of a reduction with keepdim=True."""
    if dims is None:
        return tuple(1 for _ in shape)
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def reduced_count(shape: Sequence[int], dims: tuple[int, ...] | None) -> int:
    n = 1
    for i, s in enumerate(shape):
        if dims is None or i in dims:
            n *= s
    return n


def sym_reduce(x: np.ndarray, dims: tuple[int, ...] | None, keepdim: bool,
               combine: Callable[[list[Any]], Any]) -> Any:
    """Reduce an object array along ``dims`` with ``combine(items)``."""
    axes = tuple(range(x.ndim)) if dims is None else dims
    rest = [i for i in range(x.ndim) if i not in axes]
    moved = np.transpose(x, rest + list(axes))
    out_shape = tuple(x.shape[i] for i in rest)
    flat = moved.reshape(out_shape + (reduced_count(x.shape, axes),))  # (not -1: out_shape may hold a 0)
    out = np.empty(out_shape, dtype=object)
    for idx in np.ndindex(*out_shape):
        out[idx] = combine(list(flat[idx]))
    if keepdim:
        out = out.reshape(kept_shape(x.shape, axes))
    return out


def sym_along(x: np.ndarray, dim: int, fn: Callable[[list[Any]], list[Any]]) -> np.ndarray:
    """Apply ``fn`` (list of items -> list of same length) to each line along ``dim``."""
    moved = np.moveaxis(x, dim, -1)
    out = np.empty(moved.shape, dtype=object)
    for idx in np.ndindex(*moved.shape[:-1]):
        out[idx] = np.array(fn(list(moved[idx])) + [None], dtype=object)[:-1]
    return np.moveaxis(out, -1, dim)


def flatten_args(args: Iterable[Any]) -> list[Any]:
    items = list(args)
    if len(items) == 1 and isinstance(items[0], (list, tuple)):
        return list(items[0])
    return items


def tensor_arg(x: Any) -> Any:
    """``x`` as a tensor; tensors pass through untouched (the common, fast case)."""
    if isinstance(x, Tensor):
        return x
    from symgrad.creation import as_tensor

    return as_tensor(x)


# PyTorch's names of the dtypes, for its messages ("not implemented for 'Long'")
SCALAR_TYPES = {"bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int",
                "int64": "Long", "float16": "Half", "float32": "Float", "float64": "Double"}


def not_implemented_for(kernel: str, dtype: Any) -> NotImplementedError:
    """PyTorch's error for a dtype a kernel lacks: ``"gcd_cpu" not implemented for 'Float'``."""
    name = np.dtype(getattr(dtype, "numpy", dtype)).name
    return NotImplementedError(f'"{kernel}" not implemented for \'{SCALAR_TYPES.get(name, name)}\'')
