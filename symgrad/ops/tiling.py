"""Copies laid out in a grid: ``tile``, ``repeat_interleave``, ``meshgrid``.

No op-table entry: ``tile`` is ``repeat`` (reshape, ``expand``, reshape),
``repeat_interleave`` is advanced indexing with each position repeated (its
gradient is ``index_backward``: the copies' gradients add up), and
``meshgrid`` is a reshape and an ``expand`` of each input, so the results are
views, as PyTorch's are.  Repeat counts read from a symbolic tensor are
positions chosen by values and are marked (``positions.picked``), so code
generation refuses them.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from symgrad._numpy_names import numpy_names
from symgrad._tensor import Tensor
from symgrad.ops._util import norm_dim, tensor_arg
from symgrad.ops.positions import index_values, picked
from symgrad.ops.shape import _expand, _index, _reshape
from symgrad.ops.structure import repeat

__all__ = ["tile", "repeat_interleave", "meshgrid"]


def tile(input: Any, dims: Any) -> Any:
    """``input`` repeated ``dims[i]`` times along dim ``i``; ``dims`` shorter
    than ``input.ndim`` is padded with leading 1s (unlike ``repeat``).

    >>> import symgrad
    >>> symgrad.tile(symgrad.tensor([[1., 2.]]), (2,))
    tensor([[1., 2., 1., 2.]])
    """
    if not isinstance(dims, (tuple, list)):
        raise TypeError(f"tile(): argument 'dims' (position 2) must be tuple of ints, not {type(dims).__name__}")
    x = tensor_arg(input)
    reps = (1,) * (x.ndim - len(dims)) + tuple(dims)
    return repeat(x, reps)


def _counts(repeats: Any, n: int) -> tuple[np.ndarray, Tensor | None]:
    """The repeat count of each of ``n`` positions, after PyTorch's checks, and
    the tensor they were read from (None for an int)."""
    if isinstance(repeats, Tensor):
        counts = index_values(repeats)
        if counts.dtype.kind not in "iu":
            raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for '{repeats.dtype.name}'; "
                                      "repeats must be an integer tensor (convert with .long())")
        if counts.ndim > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        if counts.size not in (1, n):
            raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                               f"{counts.size} and input.size(0) = {n}")
        if counts.size and counts.min() < 0:
            raise RuntimeError("repeats can not be negative")
        return np.broadcast_to(counts.reshape(-1), (n,)).astype(np.int64), repeats
    if isinstance(repeats, bool) or not isinstance(repeats, (int, np.integer)):
        raise TypeError(f"repeat_interleave(): argument 'repeats' must be Tensor or int, not "
                        f"{type(repeats).__name__}")
    if repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    return np.full(n, int(repeats), dtype=np.int64), None


def _positions_of_counts(counts: Any) -> Tensor:
    """``repeat_interleave(repeats)``: ``i`` repeated ``repeats[i]`` times (int64, outside the graph)."""
    if not isinstance(counts, Tensor):
        raise TypeError(f"repeat_interleave(): argument 'repeats' (position 1) must be Tensor, not "
                        f"{type(counts).__name__}")
    c = index_values(counts)
    if c.ndim != 1:
        raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
    n_counts, _ = _counts(counts, c.size)
    return Tensor._make(picked(np.repeat(np.arange(c.size, dtype=np.int64), n_counts), counts))


@numpy_names
def repeat_interleave(input: Any, repeats: Any = None, dim: int | None = None, *,
                      output_size: int | None = None) -> Any:
    """Each element (each slice along ``dim``) repeated ``repeats`` times in
    place (an int, or one count per element); the flattened input when ``dim``
    is None.  With only a tensor of counts, the positions repeated by them.

    >>> import symgrad
    >>> x = symgrad.tensor([1., 2.], requires_grad=True)
    >>> symgrad.repeat_interleave(x, 2).expr
    [x[0], x[0], x[1], x[1]]
    >>> symgrad.repeat_interleave(symgrad.tensor([2, 0, 1]))
    tensor([0, 0, 2])
    """
    if repeats is None:
        return _positions_of_counts(input)
    x = tensor_arg(input)
    if dim is None:
        x, d = _reshape(x, (x.numel(),)), 0
    else:
        d = norm_dim(dim, x.ndim)
        if x.ndim == 0:
            x = _reshape(x, (1,))
    counts, source = _counts(repeats, x.shape[d])
    total = int(counts.sum())
    if output_size is not None and output_size != total:
        raise RuntimeError(f"repeat_interleave: Invalid output_size, expected {total} but got {output_size}")
    positions = np.repeat(np.arange(x.shape[d], dtype=np.int64), counts)
    if source is not None:
        positions = picked(positions, source)
    return _index(x, (slice(None),) * d + (positions,))


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple[Any, ...]:
    """Coordinate grids of 1-d (or 0-d) tensors: output ``i`` holds
    ``tensors[i]`` along dim ``i`` (``indexing="ij"``), or with the first two
    dims swapped (``"xy"``, NumPy's default).  Each output is a view (an
    ``expand``) of its input.  Without ``indexing``, "ij" with PyTorch's warning.

    >>> import symgrad
    >>> a, b = symgrad.meshgrid(symgrad.tensor([1, 2]), symgrad.tensor([3, 4, 5]), indexing="ij")
    >>> a
    tensor([[1, 1, 1],
            [2, 2, 2]])
    >>> b.shape
    symgrad.Size([2, 3])
    """
    ts = [tensor_arg(t) for t in (tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple))
                                  else tensors)]
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
                      UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    if not ts:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in ts:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got a tensor of "
                               f"shape {list(t.shape)}; flatten it first")
        if t.dtype != ts[0].dtype:
            raise RuntimeError(f"meshgrid expects all tensors to have the same dtype (got {ts[0].dtype} and "
                               f"{t.dtype}); convert them with .to(dtype)")
    axes = list(range(len(ts)))
    if indexing == "xy" and len(ts) > 1:
        axes[0], axes[1] = 1, 0
    sizes = [t.numel() for t in ts]
    shape = [0] * len(ts)
    for size, axis in zip(sizes, axes):
        shape[axis] = size
    return tuple(_expand(_reshape(t, tuple(size if a == axis else 1 for a in range(len(ts)))), tuple(shape))
                 for t, size, axis in zip(ts, sizes, axes))
