"""``F.max_unpool1d/2d/3d``: the inverse of max pooling with ``return_indices=True``,
composed of symgrad ops.

Each value is written at its index into a plane (or volume) of zeros with one
``index_put`` (key: the row of each (N, C) plane, the flat position in it).
That entry's rules are PyTorch's own for max unpooling, repeated indices
included: overlapping pooling windows can choose the same element twice, so
the same index can come twice.  The forward writes each position once, the
last value in the input's order winning (NumPy's assignment, as PyTorch's CPU
kernel), and the backward gathers ``g`` at every index (PyTorch's
``MaxUnpool2DBackward0``), so each repeated entry gets the whole gradient.  A
scatter-add would instead double the written value.  The indices are
positions outside the graph: when they were chosen by values (``max_pool``
of a symbolic tensor), code generation refuses the graph, as for ``argsort``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from symgrad._tensor import Tensor
from symgrad.creation import zeros
from symgrad.nn._checks import require_tensor
from symgrad.nn.windows import as_tuple
from symgrad.ops._util import SCALAR_TYPES
from symgrad.ops.positions import index_values
from symgrad.ops.shape import index_put

__all__ = ["max_unpool1d", "max_unpool2d", "max_unpool3d"]


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 output_size: Any = None) -> Tensor:
    """Each value of (N, C, L) or (C, L) put back at its index along the last
    dim, zeros elsewhere: the inverse of ``max_pool1d(..., return_indices=True)``.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor([[1., 3., 2., 5.]], name="x")
    >>> y, where = F.max_pool1d(x, 2, return_indices=True)
    >>> F.max_unpool1d(y, where, 2)
    tensor([[0., 3., 0., 5.]])
    >>> F.max_unpool1d(y, where, 2).expr
    [[0, Max(x[0, 0], x[0, 1]), 0, Max(x[0, 2], x[0, 3])]]
    """
    return _max_unpool(input, indices, 1, kernel_size, stride, padding, output_size)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 output_size: Any = None) -> Tensor:
    """Each value of (N, C, H, W) or (C, H, W) put back at its flat index in
    its (H, W) plane, zeros elsewhere.  The output size is PyTorch's
    ``(in - 1) * stride - 2 * padding + kernel_size``, or ``output_size``
    (within a stride of it).  An index given twice (overlapping windows) is
    written once, the last value winning, and gets the gradient at each
    place, as in PyTorch.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor([[[1., 2.], [4., 3.]]], requires_grad=True)
    >>> y, where = F.max_pool2d(x, 2, return_indices=True)
    >>> F.max_unpool2d(y, where, 2)
    tensor([[[0., 0.],
             [4., 0.]]], grad_fn=<ViewBackward0>)
    >>> F.max_unpool2d(y, where, 2, output_size=(3, 3)).shape
    symgrad.Size([1, 3, 3])
    """
    return _max_unpool(input, indices, 2, kernel_size, stride, padding, output_size)


def max_unpool3d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 output_size: Any = None) -> Tensor:
    """Each value of (N, C, D, H, W) or (C, D, H, W) put back at its flat
    index in its (D, H, W) volume, zeros elsewhere (as ``max_unpool2d``).

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> y, where = F.max_pool3d(symgrad.arange(8.).reshape(1, 2, 2, 2), 2, return_indices=True)
    >>> F.max_unpool3d(y, where, 2).flatten()
    tensor([0., 0., 0., 0., 0., 0., 0., 7.])
    """
    return _max_unpool(input, indices, 3, kernel_size, stride, padding, output_size)


def _max_unpool(input: Tensor, indices: Tensor, dims: int, kernel_size: Any, stride: Any, padding: Any,
                output_size: Any) -> Tensor:
    fn = f"max_unpool{dims}d"
    require_tensor(input, fn)
    require_tensor(indices, fn, "indices")
    kernel = as_tuple(kernel_size, dims, fn, "kernel_size")
    strides = kernel if stride is None else as_tuple(stride, dims, fn, "stride")
    pads = as_tuple(padding, dims, fn, "padding")
    if any(s <= 0 for s in strides):  # (PyTorch checks only in 3-d; a zero stride is a mistake in any)
        raise RuntimeError(f"strides should be greater than zero, but got stride: {list(strides)}")
    if input.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(f"Input to max_unpooling{dims}d should be a {dims + 1}d or {dims + 2}d Tensor, but got a "
                           f"tensor with {input.ndim} dimensions.")
    size = _output_size(input, dims, kernel, strides, pads, output_size)
    _check_indices(input, indices, dims)
    if not input.is_floating_point():
        raise NotImplementedError(f"\"{fn}\" not implemented for '{SCALAR_TYPES.get(input.dtype.name)}' (as in "
                                  "PyTorch); convert with .float() or .double() first")
    lead = tuple(input.shape[:input.ndim - dims])
    planes, length, volume = math.prod(lead), math.prod(input.shape[input.ndim - dims:]), math.prod(size)
    where = index_values(indices).reshape(planes, length)
    _check_range(where, size)
    # index_put writes a repeated position once (the last value) and gathers g to every entry: PyTorch's rules
    key = (np.arange(planes)[:, None], where)
    out = index_put(zeros(planes, volume, dtype=input.dtype), key, input.reshape(planes, length))
    return out.reshape(*lead, *size)


def _output_size(input: Tensor, dims: int, kernel: tuple[int, ...], stride: tuple[int, ...],
                 padding: tuple[int, ...], output_size: Any) -> tuple[int, ...]:
    """PyTorch's ``_unpool_output_size``: the size max pooling came from, or
    ``output_size`` (its last ``dims`` entries) within a stride of it."""
    spatial = input.shape[input.ndim - dims:]
    default = [(n - 1) * s + k - 2 * p for n, k, s, p in zip(spatial, kernel, stride, padding)]
    if output_size is None:
        size = default
    else:
        given = list(output_size) if isinstance(output_size, (tuple, list)) else [output_size]
        if len(given) == dims + 2:
            given = given[2:]
        if len(given) != dims:
            raise ValueError(f"output_size should be a sequence containing {dims} or {dims + 2} elements, but it has "
                             f"a length of '{len(given)}'")
        if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in given):
            raise TypeError(f"output_size must be ints, got {output_size!r}")
        for d, (n, base, s) in enumerate(zip(given, default, stride)):
            if not base - s < n < base + s:
                raise ValueError(f'invalid output_size "{given}" (dim {d} must be between {base - s} and '
                                 f'{base + s})')
        size = [int(n) for n in given]
    for d, n in enumerate(size):
        if n < 0:
            raise ValueError(f"max_unpooling: output_size must contain non-negative spatial dimensions, but got "
                             f"output_size[{d}]={n}")
    return tuple(size)


def _check_indices(input: Tensor, indices: Tensor, dims: int) -> None:
    if indices.dtype.name != "int64":
        raise RuntimeError(f"elements in indices should be type int64 but got: {SCALAR_TYPES.get(indices.dtype.name)}; "
                           "convert them with .long()")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor ({list(input.shape)}) "
                           f"but got indices tensor with shape: {list(indices.shape)}")
    for d in range(1, input.ndim):
        if input.shape[d] == 0:
            raise RuntimeError(f"max_unpooling{dims}d_forward_out_cpu(): Expected input to have non-zero size for "
                               f"non-batch dimensions, but got {list(input.shape)} with dimension {d} being empty.")


def _check_range(where: np.ndarray, size: tuple[int, ...]) -> None:
    """PyTorch's error for an index outside the output plane (NumPy would wrap a negative one around)."""
    bad = (where < 0) | (where >= math.prod(size))
    if bad.any():
        index = int(np.asarray(where)[bad][0])
        raise RuntimeError(f"Found an invalid max index: {index} (output volumes are of size {'x'.join(map(str, size))}); "
                           "indices must be the max pooling's own, from an input of the output's size")
