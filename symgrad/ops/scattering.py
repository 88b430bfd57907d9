"""Writing and adding at positions: ``scatter``, ``scatter_add``, ``index_add``.

No op-table entry: each is ``index_put`` or ``index_backward`` (NumPy's
``add.at``, which adds repeated positions up) with a key built from the
index tensor, so gradients, closed forms and generated code come from those
entries' rules.  ``scatter`` is ``index_put``: the input's gradient is ``g``
with the written positions zeroed and ``src``'s is ``g`` gathered there, as
PyTorch's ``ScatterBackward0``.  The adds are ``x + index_backward(src)``, an
exact sum: ``index_put(x, key, x[key] + src)`` would drop repeated positions.

An index computed from a symbolic tensor's values is marked
(``positions.index_values``), so code generation refuses the graph, as it
refuses ``sort``'s.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from symgrad._numpy_names import numpy_names
from symgrad._tensor import Tensor
from symgrad.dispatch import apply
from symgrad.ops._util import norm_dim
from symgrad.ops.positions import index_values
from symgrad.ops.shape import _CLONE, _INDEX_BACKWARD, _INDEX_PUT, _index, _reshape

__all__ = ["scatter", "scatter_add", "index_add"]


def _tensor(v: Any, fn: str, name: str, position: int) -> Tensor:
    if not isinstance(v, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be Tensor, not {type(v).__name__}")
    return v


def _integer_index(index: Any, fn: str) -> np.ndarray:
    idx = index_values(_tensor(index, fn, "index", 3))
    if idx.dtype not in (np.int32, np.int64):
        raise RuntimeError(f"{fn}(): Expected dtype int32/int64 for index but got {index.dtype}; "
                           "convert it with .long()")
    return idx.astype(np.int64, copy=False)


def _in_bounds(idx: np.ndarray, size: int, dim: int) -> None:
    # NumPy would wrap a negative position around; PyTorch refuses it
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {size}")


def _same_dtype(x: Tensor, src: Tensor, fn: str) -> None:
    if src.dtype != x.dtype:
        raise RuntimeError(f"{fn}(): Expected self.dtype to be equal to src.dtype (got {x.dtype} and {src.dtype}); "
                           "convert src with .to(self.dtype)")


# ---------------------------------------------------------------- scatter, scatter_add

def _scatter_key(x: Tensor, dim: int, idx: np.ndarray, src_shape: tuple[int, ...] | None) -> tuple[Any, ...]:
    """The NumPy key writing element ``[i, j]`` of ``src`` to ``[i, idx[i, j]]``
    (for dim 1), after PyTorch's shape checks."""
    if idx.ndim != x.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    if src_shape is not None and len(src_shape) != x.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    too_big = any(n > x.shape[d] for d, n in enumerate(idx.shape) if d != dim) or (
        src_shape is not None and any(n > s for n, s in zip(idx.shape, src_shape)))
    if too_big and idx.size:
        raise RuntimeError(f"Expected index {list(idx.shape)} to be no larger than self {list(x.shape)} apart from "
                           f"dimension {dim}" + (f" and to be no larger size than src {list(src_shape)}"
                                                 if src_shape is not None else ""))
    _in_bounds(idx, x.shape[dim], dim)
    grids: list[Any] = list(np.indices(idx.shape, sparse=True))
    grids[dim] = idx
    return tuple(grids)


def _src_part(src: Tensor, shape: tuple[int, ...]) -> Tensor:
    """The leading block of ``src`` that the index covers (PyTorch reads only that)."""
    if tuple(src.shape) == shape:
        return src
    return _index(src, tuple(slice(0, n) for n in shape))


def _as_1d(t: Tensor) -> Tensor:
    return _reshape(t, (1,)) if t.ndim == 0 else t


def _scatter_args(fn: str, input: Any, dim: Any, index: Any, src: Any) -> tuple[Tensor, int, np.ndarray, Any]:
    x = _tensor(input, fn, "input", 1)
    idx = _integer_index(index, fn)
    if x.ndim == 0 and idx.ndim == 0:
        idx = idx.reshape(1)
    d = norm_dim(dim, x.ndim)
    return _as_1d(x), d, idx, _as_1d(src) if isinstance(src, Tensor) else src


def _scattered(fn: str, input: Any, dim: Any, index: Any, src: Any, add: bool) -> Any:
    x0 = input
    x, d, idx, src = _scatter_args(fn, input, dim, index, src)
    if isinstance(src, Tensor):
        _same_dtype(x, src, fn)
        key = _scatter_key(x, d, idx, tuple(src.shape))
        values: Any = _src_part(src, idx.shape)
    else:
        key = _scatter_key(x, d, idx, None)
        values = src
    if idx.size == 0:
        out = apply(_CLONE, x)
    elif add:
        if not isinstance(values, Tensor):  # a number added at every listed position
            values = x.new_full(idx.shape, values)
        out = x + apply(_INDEX_BACKWARD, values, shape=tuple(x.shape), key=key)
    else:
        out = apply(_INDEX_PUT, x, values, key=key)
    return _reshape(out, ()) if x0.ndim == 0 else out


@numpy_names
def scatter(input: Any, dim: int, index: Any, src: Any = None, *, value: Any = None, reduce: Any = None) -> Any:
    """A copy of ``input`` with ``src`` (a tensor, or a number ``value``) written
    at ``index`` along ``dim``: for dim 0, ``out[index[i][j]][j] = src[i][j]``.
    Where ``index`` repeats a position, the last write wins (PyTorch leaves it
    undefined).  ``reduce="add"`` adds ``src`` (``scatter_add``), ``"multiply"``
    multiplies by it (``scatter_reduce(..., "prod")``); PyTorch has no
    gradient for either, symgrad has those functions' gradients.

    >>> import symgrad
    >>> x = symgrad.zeros(2, 3)
    >>> s = symgrad.tensor([[1., 2., 3.]], requires_grad=True)
    >>> y = symgrad.scatter(x, 0, symgrad.tensor([[1, 0, 1]]), s)
    >>> y
    tensor([[0., 2., 0.],
            [1., 0., 3.]], grad_fn=<IndexPutBackward0>)
    >>> y.expr
    [[0, s[0, 1], 0], [s[0, 0], 0, s[0, 2]]]
    """
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter() missing the values to write: pass src (a Tensor) or value (a number)")
    if not isinstance(src, (Tensor, int, float, bool, np.number)):
        raise TypeError(f"scatter(): argument 'src' must be Tensor or a number, not {type(src).__name__}")
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError(f"reduce argument must be either add or multiply, got {reduce!r}; use "
                               "scatter_reduce for 'sum', 'prod', 'mean', 'amax' or 'amin'")
        if isinstance(src, Tensor):
            warnings.warn("The reduce argument of torch.scatter with Tensor src is deprecated and will be "
                          "removed in a future PyTorch release. Use torch.scatter_reduce instead for more "
                          "reduction options.", UserWarning, stacklevel=3)
        if reduce == "add":
            return _scattered("scatter", input, dim, index, src, add=True)
        from symgrad.ops.grouping import reduce_groups  # (grouping builds on this module)

        return reduce_groups("scatter", input, dim, index, src, "prod", include_self=True)
    return _scattered("scatter", input, dim, index, src, add=False)


@numpy_names
def scatter_add(input: Any, dim: int, index: Any, src: Any) -> Any:
    """``input`` plus ``src`` added at ``index`` along ``dim`` (repeated
    positions add up): for dim 0, ``out[index[i][j]][j] += src[i][j]``.

    >>> import symgrad
    >>> s = symgrad.tensor([1., 2., 3.], requires_grad=True)
    >>> y = symgrad.scatter_add(symgrad.zeros(2), 0, symgrad.tensor([1, 1, 0]), s)
    >>> y, y.expr
    (tensor([3., 3.], grad_fn=<AddBackward0>), [s[2], s[0] + s[1]])
    """
    _tensor(src, "scatter_add", "src", 4)
    return _scattered("scatter_add", input, dim, index, src, add=True)


# ---------------------------------------------------------------- index_add

def _check_index_add(x: Tensor, d: int, idx: np.ndarray, source: Tensor) -> None:
    if idx.ndim > 1:
        raise IndexError(f"index_add_(): Index is supposed to be a vector, but got dim: {idx.ndim} with type: "
                         f"Long and size: {list(idx.shape)}")
    if source.dtype != x.dtype:
        raise RuntimeError(f"index_add_(): self ({x.dtype}) and source ({source.dtype}) must have the same "
                           "scalar type; convert source with .to(self.dtype)")
    rest = [s for i, s in enumerate(x.shape) if i != d]
    if source.ndim != x.ndim or [s for i, s in enumerate(source.shape) if i != d] != rest:
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified dimension. "
                           f"Got self.shape = {list(x.shape)} source.shape = {list(source.shape)}")
    if idx.size != source.shape[d]:
        raise RuntimeError(f"index_add_(): Number of indices ({idx.size}) should be equal to source.size(dim): "
                           f"({source.shape[d]}), for dim: {d}")
    _in_bounds(idx, x.shape[d], d)


@numpy_names
def index_add(input: Any, dim: int, index: Any, source: Any, *, alpha: Any = 1) -> Any:
    """``input`` plus ``alpha * source`` added along ``dim`` at the positions
    ``index`` (a 1-d integer tensor; repeated positions add up).

    >>> import symgrad
    >>> s = symgrad.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    >>> y = symgrad.index_add(symgrad.ones(3, 2), 0, symgrad.tensor([2, 0]), s)
    >>> y
    tensor([[4., 5.],
            [1., 1.],
            [2., 3.]], grad_fn=<AddBackward0>)
    >>> y.expr[0, 0]
    s[1, 0] + 1
    """
    x0 = _tensor(input, "index_add", "input", 1)
    source = _tensor(source, "index_add", "source", 4)
    idx = _integer_index(index, "index_add")
    x, src = (_as_1d(x0), _as_1d(source)) if x0.ndim == 0 else (x0, source)
    d = norm_dim(dim, x.ndim)
    _check_index_add(x, d, idx, src)
    idx = idx.reshape(-1)
    if not x.is_floating_point():
        alpha = int(alpha)  # PyTorch converts alpha to the integer type (0.5 adds nothing)
    if alpha != 1:
        src = src * alpha
    key = (slice(None),) * d + (idx,)
    out = x + apply(_INDEX_BACKWARD, src, shape=tuple(x.shape), key=key) if idx.size else apply(_CLONE, x)
    return _reshape(out, ()) if x0.ndim == 0 else out
