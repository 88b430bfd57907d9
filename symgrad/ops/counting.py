"""Counting values: ``unique``, ``unique_consecutive``, ``bincount``, ``histc``.

Their results are numbers outside the graph.  PyTorch's are not
differentiable either: its ``unique`` and ``bincount(weights=...)`` results
require grad, but their backward raises (``the derivative for '_unique2' is
not implemented``); here they simply do not require grad.  What they compute
depends on the input's values, so the results of a symbolic input are marked
as chosen by values (``positions.picked``), and generated code refuses to
reuse them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symgrad._tensor import Tensor
from symgrad.ops._util import (
    SCALAR_TYPES,  # PyTorch's names of the dtypes, for its messages
    norm_dim,
)
from symgrad.ops.positions import chosen_by_values, picked

__all__ = ["unique", "unique_consecutive", "bincount", "histc"]


def _tensor(v: Any, fn: str, name: str = "input") -> Tensor:
    if not isinstance(v, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' must be Tensor, not {type(v).__name__}")
    return v


def _result(values: np.ndarray, by: Tensor, dtype: Any = None) -> Tensor:
    return Tensor._make(picked(np.array(values, dtype=dtype), by))  # (a copy: never a view of the input)


def _results(x: Tensor, values: np.ndarray, inverse: np.ndarray | None, counts: np.ndarray | None) -> Any:
    """The values (in the input's dtype), then the int64 inverse and counts asked for: a tensor or a tuple."""
    out = [_result(values, x, x._value.dtype)]
    out += [_result(a, x, np.int64) for a in (inverse, counts) if a is not None]
    return out[0] if len(out) == 1 else tuple(out)


def unique(input: Any, sorted: bool = True, return_inverse: bool = False,  # noqa: A002 - PyTorch's name
           return_counts: bool = False, dim: int | None = None) -> Any:
    """The distinct values of ``input`` in ascending order (PyTorch sorts on
    the CPU whatever ``sorted`` says), or the distinct slices along ``dim``;
    with ``return_inverse`` each element's position among them, with
    ``return_counts`` how often each occurs.  Outside the graph.

    >>> import symgrad
    >>> symgrad.unique(symgrad.tensor([3, 1, 3, 2]), return_inverse=True, return_counts=True)
    (tensor([1, 2, 3]), tensor([2, 0, 2, 1]), tensor([1, 1, 2]))
    """
    x = _tensor(input, "unique")
    v = x._value
    if dim is None:
        values, inverse, counts = np.unique(v.reshape(-1), return_inverse=True, return_counts=True)
        inverse = inverse.reshape(v.shape)
    else:
        d = norm_dim(dim, x.ndim)
        if v.ndim == 0:
            v = v.reshape(1)
        values, inverse, counts = np.unique(v, return_inverse=True, return_counts=True, axis=d)
        inverse = inverse.reshape(-1)
    return _results(x, values, inverse if return_inverse else None, counts if return_counts else None)


def unique_consecutive(input: Any, return_inverse: bool = False, return_counts: bool = False,
                       dim: int | None = None) -> Any:
    """The first element of every run of equal consecutive elements of the
    flattened ``input`` (or the first slice of every run of equal slices
    along ``dim``), as C++'s ``std::unique``; with ``return_inverse`` the run
    each element belongs to, with ``return_counts`` each run's length.  NaN
    equals nothing, so consecutive NaNs stay apart (as PyTorch's).  Outside the graph.

    >>> import symgrad
    >>> symgrad.unique_consecutive(symgrad.tensor([1, 1, 2, 2, 3, 1, 1]), return_inverse=True, return_counts=True)
    (tensor([1, 2, 3, 1]), tensor([0, 0, 1, 1, 2, 3, 3]), tensor([2, 2, 1, 2]))
    """
    x = _tensor(input, "unique_consecutive")
    v = x._value
    if dim is None:
        starts, inverse, counts = _runs(v.reshape(-1, 1))
        values, inverse = v.reshape(-1)[starts], inverse.reshape(v.shape)
    else:
        if v.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        d = norm_dim(dim, v.ndim)
        if v.shape[d] and not v.size:
            raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique cannot be applied")
        starts, inverse, counts = _runs(np.moveaxis(v, d, 0).reshape(v.shape[d], v.size // v.shape[d] if v.size else 0))
        values = np.take(v, starts, axis=d)
    return _results(x, values, inverse if return_inverse else None, counts if return_counts else None)


def _runs(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For runs of equal consecutive rows: where each starts, each row's run, each run's length."""
    first = np.ones(min(len(rows), 1), dtype=bool)
    starts_run = np.concatenate([first, (rows[1:] != rows[:-1]).any(axis=1)])
    starts = np.flatnonzero(starts_run)
    return starts, np.cumsum(starts_run) - 1, np.diff(np.append(starts, len(rows)))


def bincount(input: Any, weights: Any = None, minlength: int = 0) -> Any:
    """How often each value ``0, 1, ..., max(input)`` occurs in the 1-d
    non-negative integer tensor ``input`` (at least ``minlength`` bins), or
    the sum of ``weights`` at each.  Outside the graph.

    >>> import symgrad
    >>> symgrad.bincount(symgrad.tensor([0, 2, 2]), minlength=4)
    tensor([1, 0, 2, 0])
    >>> symgrad.bincount(symgrad.tensor([0, 2, 2]), weights=symgrad.tensor([0.5, 1., 2.]))
    tensor([0.5000, 0.0000, 3.0000])
    """
    x = _tensor(input, "bincount")
    v = x._value
    if v.dtype.kind not in "iu":
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{_kernel_name(v.dtype)}'; bincount "
                                  "counts non-negative integers (convert with .long())")
    if isinstance(minlength, bool) or not isinstance(minlength, (int, np.integer)):
        raise TypeError(f"bincount(): argument 'minlength' must be int, not {type(minlength).__name__}")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if v.ndim != 1 or (v.size and v.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return _result(np.bincount(v, minlength=int(minlength)), x, np.int64)
    w = _tensor(weights, "bincount", "weights")
    if w.ndim != 1 or w.shape[0] != v.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    # PyTorch sums float32 weights in float32 and every other dtype in float64
    dtype = np.float32 if w._value.dtype == np.float32 else np.float64
    sums = np.zeros(max(int(v.max()) + 1 if v.size else 0, int(minlength)), dtype=dtype)
    np.add.at(sums, v, w._value.astype(dtype))
    # (sums of symbolic weights are outside the graph too: generated code must not reuse them)
    return _result(sums, w if chosen_by_values(w) else x, dtype)


def _kernel_name(dtype: np.dtype) -> str:
    """PyTorch's name of a dtype in its kernel errors."""
    if dtype.kind == "b":
        return "Bool"
    return {2: "Half", 4: "Float", 8: "Double"}.get(dtype.itemsize, str(dtype)) if dtype.kind == "f" else str(dtype)


def histc(input: Any, bins: int = 100, min: Any = 0, max: Any = 0) -> Any:  # noqa: A002 - PyTorch's names
    """How many elements of ``input`` fall in each of ``bins`` equal bins
    between ``min`` and ``max`` (both 0: the elements' own smallest and
    largest; equal bounds widened by 1 each way), in ``input``'s dtype;
    elements outside (and nan) are not counted, ``max`` goes in the last bin.
    Outside the graph (PyTorch's has no gradient either).

    >>> import symgrad
    >>> symgrad.histc(symgrad.tensor([1., 2., 1.]), bins=4, min=0, max=3)
    tensor([0., 2., 1., 0.])
    """
    x = _tensor(input, "histc")
    v = x._value
    if v.dtype.kind != "f":
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{SCALAR_TYPES[v.dtype.name]}'; histc counts "
                                  "floating-point values (convert with .float())")
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)):
        raise TypeError(f"histc(): argument 'bins' must be int, not {type(bins).__name__}")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    low, high = _histogram_range(v, float(min), float(max))
    # PyTorch's bin: (x - low) * bins / (high - low) truncated, in the input's dtype; x == high in the last bin
    low_v, high_v = v.dtype.type(low), v.dtype.type(high)
    inside = v[(v >= low_v) & (v <= high_v)]
    position = ((inside - low_v) * v.dtype.type(bins) / (high_v - low_v)).astype(np.int64)
    counts = np.bincount(np.minimum(position, bins - 1), minlength=bins)
    return _result(counts, x, v.dtype)


def _histogram_range(v: np.ndarray, low: float, high: float) -> tuple[float, float]:
    """``histc``'s bounds: the given ones, else the elements' extremes, widened when equal; PyTorch's errors."""
    if low == high and v.size:
        low, high = float(v.min()), float(v.max())
    if low == high:
        low, high = low - 1, high + 1
    if not (np.isfinite(low) and np.isfinite(high)):
        raise RuntimeError(f"torch.histc: range of [{low:g}, {high:g}] is not finite")
    if low > high:
        raise RuntimeError("torch.histc: max must be larger than min")
    return low, high
