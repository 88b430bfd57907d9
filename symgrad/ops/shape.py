"""Shapes and indexing: reshape/view, permute/transpose, expand, squeeze,
indexing and index assignment, cat/stack, dtype casts, clone.

View ops return tensors sharing memory with their input when NumPy does
(``view`` insists, like PyTorch).  Their NumPy forwards also run on object
arrays, so the symbolic forward is the same code.  The ``_name`` helpers take
NumPy arrays or tensors alike: derivative rules use them in both passes.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from symgrad._numpy_names import numpy_names
from symgrad.autograd.engine import sum_to_shape
from symgrad.dispatch import _same_memory, apply
from symgrad.ops._util import flatten_args, norm_dim, norm_dims, norm_shape
from symgrad.ops._util import tensor_arg as _t
from symgrad.ops.positions import Picked, PickedInt, chosen_by_values, index_values, picked
from symgrad.ops.registry import OpDef, called, defop
from symgrad.scalar_lane import unary as _lane_unary

__all__ = ["reshape", "view", "flatten", "unflatten", "squeeze", "unsqueeze", "transpose", "swapaxes", "permute",
           "movedim", "moveaxis", "swapdims", "t", "expand", "expand_as", "broadcast_to", "sum_to_size", "flip", "fliplr", "flipud", "index", "index_put",
           "cat", "concat", "concatenate", "stack", "hstack", "vstack", "split", "chunk", "unbind", "narrow",
           "select", "clone", "to_dtype", "gather", "take_along_dim", "masked_select", "nonzero", "ravel",
           "broadcast_tensors"]

_VIEW: OpDef = defop("view", lambda x, shape: np.reshape(x, shape), None, params=("shape",), view=True,
              vjp=(lambda g, out, x, shape: _reshape(g, tuple(x.shape)),))

_PERMUTE: OpDef = defop("permute", lambda x, dims: np.transpose(x, dims), None, params=("dims",), view=True,
                 vjp=(lambda g, out, x, dims: _permute(g, tuple(np.argsort(dims))),))

_EXPAND: OpDef = defop("expand", lambda x, shape: np.broadcast_to(x, shape), None, params=("shape",), view=True,
                vjp=(lambda g, out, x, shape: _sum_to(g, tuple(x.shape)),))

_SUM_TO: OpDef = defop("sum_to_size", lambda x, shape: sum_to_shape(x, shape), None, params=("shape",),
                vjp=(lambda g, out, x, shape: _expand(g, tuple(x.shape)),))

# A copy, as PyTorch's flip (NumPy's is a view: writing into it would write into x)
_FLIP: OpDef = defop("flip", lambda x, dims: np.flip(x, axis=dims).copy(), None, params=("dims",),
              vjp=(lambda g, out, x, dims: _flip(g, dims),))


def _index_backward(g: Any, shape: tuple[int, ...], key: Any) -> Any:
    out = np.zeros(shape, dtype=g.dtype)
    if out.dtype == object:
        out[...] = 0
    np.add.at(out, key, g)
    return out


def _getitem(x: Any, key: Any) -> Any:
    out = x[key]
    if not isinstance(out, np.ndarray):  # x[0] of a 1-d array: a 0-d view, as PyTorch gives
        parts = key if isinstance(key, tuple) else (key,)
        out = np.asarray(out, dtype=x.dtype) if Ellipsis in parts else x[parts + (Ellipsis,)]
    return out


def _index_name(node: Any) -> str:
    # PyTorch's: an index tensor (or list, or bool) is one IndexBackward0; else the last of the
    # selects, slices and unsqueezes it applies from left to right names the result, where a
    # whole-dim slice among several parts is skipped (x[0, :] SelectBackward0; x[:, :] AliasBackward0)
    key = node.params["key"]
    if not isinstance(key, tuple):
        if isinstance(key, slice):
            return "SliceBackward0"  # (even a whole one: x[:])
        key = (key,)
    if any(isinstance(k, (np.ndarray, bool, np.bool_)) for k in key):
        return "IndexBackward0"
    # the input's shape; None when the result has it (then every slice took a whole dim)
    shape = node.meta[0][0] if node.meta is not None and node.meta[0] is not None else None
    name, dim = "AliasBackward0", 0
    for k in key:
        if k is None:
            name = "UnsqueezeBackward0"
        elif k is Ellipsis:
            dim += 0 if shape is None else len(shape) - sum(p is not None and p is not Ellipsis for p in key)
        elif isinstance(k, slice):
            if shape is not None and k.indices(shape[dim]) != (0, shape[dim], 1) or k.step not in (None, 1):
                name = "SliceBackward0"
            dim += 1
        else:
            name, dim = "SelectBackward0", dim + 1
    return name


_INDEX: OpDef = defop("index", _getitem, None, params=("key",), view=True, backward_names=_index_name,
               vjp=(lambda g, out, x, key: apply(_INDEX_BACKWARD, g, shape=tuple(x.shape), key=key),))

_INDEX_BACKWARD: OpDef = defop("index_backward", _index_backward, None, inputs=("g_in",), params=("shape", "key"),
                        vjp=(lambda g, out, g_in, shape, key: _index(g, key),))


def _index_put(x: Any, v: Any, key: Any) -> Any:
    out = np.array(x)  # a copy; also of the NumPy scalar a 0-d gradient may be in the numeric backward pass
    # a 0-d object array stored into one element would nest an array in the array
    out[key] = v[()] if isinstance(v, np.ndarray) and v.ndim == 0 else v
    return out


def _index_zero(x: Any, key: Any) -> Any:
    out = np.array(x)  # a copy; also of the NumPy scalar a 0-d gradient may be in the numeric backward pass
    out[key] = 0
    return out


_INDEX_ZERO: OpDef = defop("index_zero", _index_zero, None, params=("key",),
                    vjp=(lambda g, out, x, key: apply(_INDEX_ZERO, g, key=key),))

_INDEX_PUT: OpDef = defop("index_put", _index_put, None, inputs=("x", "v"), params=("key",),
                   vjp=(lambda g, out, x, v, key: apply(_INDEX_ZERO, g, key=key),
                        lambda g, out, x, v, key: _index(g, key)))


def _cat_grads(g: Any, out: Any, xs: Any, dim: int) -> list[Any]:
    grads, start = [], 0
    for x in xs:
        n = x.shape[dim]
        grads.append(_index(g, (slice(None),) * dim + (slice(start, start + n),)))
        start += n
    return grads


_CAT: OpDef = defop("cat", lambda *xs, dim: np.concatenate(xs, axis=dim), None, params=("dim",), variadic=True,
             promote="common", vjp=_cat_grads)

_STACK: OpDef = defop("stack", lambda *xs, dim: np.stack(xs, axis=dim), None, params=("dim",), variadic=True,
               promote="common",
               vjp=lambda g, out, xs, dim: [_index(g, (slice(None),) * dim + (i,)) for i in range(len(xs))])

# (same_shape: recorded by dispatch's fast path, as elementwise ops are - the
# copy that create_graph makes of every first gradient is one; on the scalar lane
# a copy of a float is the float: operator.pos gives it back, sign and nan kept,
# for a float and a NumPy float32 alike, without a Python call)
_CLONE: OpDef = defop("clone", np.copy, None, vjp=(lambda g, out, x: g,), same_shape=True, scalar=operator.pos)
_COPY: OpDef = defop("copy", np.copy, None, backward_name="CopyBackwards", vjp=(lambda g, out, x: g,),
                     same_shape=True, scalar=operator.pos)


def _cast_sym(x: Any, dtype: np.dtype) -> Any:
    from symgrad.ops._sympy import sp

    if dtype.kind == "b":
        return np.frompyfunc(lambda e: sp.Ne(e, 0), 1, 1)(x) if x.ndim else sp.Ne(x[()], 0)
    if dtype.kind in "iu":
        trunc = np.frompyfunc(lambda e: sp.sign(e) * sp.floor(sp.Abs(e)), 1, 1)
        return trunc(x)
    return x


_TO: OpDef = defop("to_copy", lambda x, dtype: x.astype(dtype), _cast_sym, params=("dtype",), backward_name="ToCopyBackward0",
            vjp=(lambda g, out, x, dtype: apply(_TO, g, dtype=_dtype_of(x)),))
_TO_DISCRETE: OpDef = defop("to_discrete", lambda x, dtype: x.astype(dtype), _cast_sym, params=("dtype",))


def _dtype_of(x: Any) -> np.dtype:
    v = getattr(x, "_value", x)
    return v.dtype


# ---------------------------------------------------------------- rule helpers (arrays or tensors)

def _reshape(x: Any, shape: tuple[int, ...]) -> Any:
    return x if tuple(x.shape) == shape else apply(_VIEW, x, shape=shape)


def _expand(x: Any, shape: tuple[int, ...]) -> Any:
    return x if tuple(x.shape) == shape else apply(_EXPAND, x, shape=shape)


def _sum_to(x: Any, shape: tuple[int, ...]) -> Any:
    return x if tuple(x.shape) == shape else apply(_SUM_TO, x, shape=shape)


def _permute(x: Any, dims: tuple[int, ...]) -> Any:
    return apply(_PERMUTE, x, dims=tuple(int(d) for d in dims))


def _flip(x: Any, dims: tuple[int, ...]) -> Any:
    return apply(_FLIP, x, dims=dims)


def _index(x: Any, key: Any) -> Any:
    return apply(_INDEX, x, key=key)


def _transpose(x: Any, d0: int, d1: int) -> Any:
    n = x.ndim
    if n < 2:
        return x
    if n == 2 and d0 != d1:
        return apply(_PERMUTE, x, dims=_SWAP_2D)  # the common case, on the hot path of matmul's rules
    dims = list(range(n))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return apply(_PERMUTE, x, dims=tuple(dims))


_SWAP_2D = (1, 0)


def _unsqueeze(x: Any, dim: int) -> Any:
    shape = list(x.shape)
    shape.insert(dim, 1)
    return _reshape(x, tuple(shape))


def _squeeze_last(x: Any) -> Any:
    return _reshape(x, tuple(x.shape[:-1]))


# ---------------------------------------------------------------- public functions

def _infer_shape(shape: tuple[int, ...], numel: int) -> tuple[int, ...]:
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred (-1) in a shape")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def reshape(input: Any, *shape: Any) -> Any:
    """The same elements in a new shape (``-1`` is inferred); a view when possible.

    >>> import symgrad
    >>> symgrad.reshape(symgrad.arange(6.), (2, 3))
    tensor([[0., 1., 2.],
            [3., 4., 5.]])
    """
    x = _t(input)
    return _reshape(x, _infer_shape(norm_shape(shape), x.numel()))


def view(input: Any, *shape: Any) -> Any:
    """Like ``reshape`` but always a view of the same memory (an error if the
    memory layout does not allow it, as in PyTorch)."""
    x = _t(input)
    new = _infer_shape(norm_shape(shape), x.numel())
    out = _reshape(x, new)
    if out is not x and x.numel() and not _same_memory(out._value, x._value):
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one "
                           "dimension spans across two contiguous subspaces). Use .reshape(...) instead.")
    return out


def flatten(input: Any, start_dim: int = 0, end_dim: int = -1) -> Any:
    """Merge dims ``start_dim..end_dim`` into one.

    >>> import symgrad
    >>> symgrad.flatten(symgrad.zeros(2, 3, 4), 1).shape
    symgrad.Size([2, 12])
    """
    x = _t(input)
    if x.ndim == 0:
        return _reshape(x, (1,))
    s, e = norm_dim(start_dim, x.ndim), norm_dim(end_dim, x.ndim)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shape = x.shape
    merged = 1
    for d in shape[s:e + 1]:
        merged *= d
    return _reshape(x, tuple(shape[:s]) + (merged,) + tuple(shape[e + 1:]))


ravel = flatten


@numpy_names
def unflatten(input: Any, dim: int, sizes: Sequence[int]) -> Any:
    """Split dim ``dim`` into ``sizes``."""
    x = _t(input)
    d = norm_dim(dim, x.ndim)
    inner = _infer_shape(tuple(sizes), x.shape[d])
    return _reshape(x, tuple(x.shape[:d]) + inner + tuple(x.shape[d + 1:]))


@numpy_names
def squeeze(input: Any, dim: Any = None) -> Any:
    """Drop dims of size 1 (only ``dim``, if given).

    >>> import symgrad
    >>> symgrad.squeeze(symgrad.zeros(2, 1, 3)).shape
    symgrad.Size([2, 3])
    """
    x = _t(input)
    dims = norm_dims(dim, x.ndim)
    shape = tuple(s for i, s in enumerate(x.shape) if not (s == 1 and (dims is None or i in dims)))
    name = "SqueezeBackward0" if dim is None else "SqueezeBackward1" if isinstance(dim, (int, np.integer)) \
        else "SqueezeBackward2"
    return called(_reshape(x, shape), _VIEW, name, x)


@numpy_names
def unsqueeze(input: Any, dim: int) -> Any:
    """Insert a dim of size 1 at ``dim``.

    >>> import symgrad
    >>> symgrad.unsqueeze(symgrad.zeros(3), 0).shape
    symgrad.Size([1, 3])
    """
    x = _t(input)
    return called(_unsqueeze(x, norm_dim(dim, x.ndim + 1)), _VIEW, "UnsqueezeBackward0", x)


def transpose(input: Any, dim0: int, dim1: int) -> Any:
    """Swap two dims (a view).

    >>> import symgrad
    >>> symgrad.transpose(symgrad.zeros(2, 3), 0, 1).shape
    symgrad.Size([3, 2])
    """
    x = _t(input)
    if x.ndim == 0:
        norm_dim(dim0, 0), norm_dim(dim1, 0)
        return x
    return called(_transpose(x, norm_dim(dim0, x.ndim), norm_dim(dim1, x.ndim)), _PERMUTE, "TransposeBackward0", x)


swapaxes = transpose


def t(input: Any) -> Any:
    """Transpose of a matrix (0-d and 1-d tensors are returned as is)."""
    x = _t(input)
    if x.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {x.ndim}D; "
                           "use transpose(dim0, dim1) or permute(...)")
    return called(_transpose(x, 0, 1), _PERMUTE, "TBackward0", x) if x.ndim == 2 else x


def permute(input: Any, *dims: Any) -> Any:
    """Reorder dims (a view).

    >>> import symgrad
    >>> symgrad.permute(symgrad.zeros(2, 3, 4), (2, 0, 1)).shape
    symgrad.Size([4, 2, 3])
    """
    x = _t(input)
    order = norm_shape(dims)
    if len(order) != x.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
                           f"length of the desired ordering of dimensions i.e. input.dim() = {x.ndim} is not "
                           f"equal to len(dims) = {len(order)}")
    normalized = tuple(norm_dim(d, x.ndim) for d in order)
    if len(set(normalized)) != len(normalized):
        raise RuntimeError(f"permute(): duplicate dims are not allowed: {list(order)}")
    return _permute(x, normalized)


def movedim(input: Any, source: Any, destination: Any) -> Any:
    """Move dim ``source`` to position ``destination`` (ints, or sequences of
    ints moved together; the other dims keep their order).  A view.

    >>> import symgrad
    >>> symgrad.movedim(symgrad.zeros(2, 3, 4), 0, -1).shape
    symgrad.Size([3, 4, 2])
    >>> symgrad.moveaxis(symgrad.zeros(2, 3, 4), (0, 1), (2, 0)).shape
    symgrad.Size([3, 4, 2])
    """
    x = _t(input)
    src, dst = _dim_list(source, x.ndim, "source"), _dim_list(destination, x.ndim, "destination")
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} dims) should contain "
                           f"the same number of dims as destination ({list(dst)} dims)")
    order: list[int | None] = [None] * x.ndim
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(i for i in range(x.ndim) if i not in src)
    return _permute(x, tuple(next(rest) if o is None else o for o in order))


def _dim_list(dims: Any, ndim: int, name: str) -> tuple[int, ...]:
    """``movedim``'s source or destination as distinct non-negative dims."""
    many = isinstance(dims, (tuple, list))
    out = tuple(norm_dim(d, ndim) for d in (dims if many else (dims,)))
    if len(set(out)) != len(out):
        raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(dims)})")
    return out


moveaxis = movedim
swapdims = transpose


def expand(input: Any, *sizes: Any) -> Any:
    """Broadcast to a larger shape without copying (``-1`` keeps a dim).

    >>> import symgrad
    >>> symgrad.expand(symgrad.tensor([[1.], [2.]]), 2, 3)
    tensor([[1., 1., 1.],
            [2., 2., 2.]])
    """
    x = _t(input)
    shape = norm_shape(sizes)
    if len(shape) < x.ndim:
        raise RuntimeError(f"expand: the number of sizes provided ({len(shape)}) must be greater or equal to the "
                           f"number of dimensions in the tensor ({x.ndim})")
    lead = len(shape) - x.ndim
    full = tuple(x.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(shape))
    for i, s in enumerate(x.shape):
        if s != 1 and s != full[lead + i]:
            raise RuntimeError(f"The expanded size of the tensor ({full[lead + i]}) must match the existing size "
                               f"({s}) at non-singleton dimension {lead + i}.  Target sizes: {list(shape)}.  "
                               f"Tensor sizes: {list(x.shape)}")
    return _expand(x, full)


def expand_as(input: Any, other: Any) -> Any:
    """``expand`` to ``other``'s shape."""
    return expand(input, tuple(_t(other).shape))


def broadcast_to(input: Any, shape: Sequence[int]) -> Any:
    """``expand`` to ``shape``."""
    if not isinstance(shape, (tuple, list)):
        raise TypeError(f"broadcast_to(): shape must be a tuple of ints, not {type(shape).__name__}")
    return expand(input, tuple(shape))


def broadcast_tensors(*tensors: Any) -> tuple[Any, ...]:
    """Expand all tensors to their common broadcast shape."""
    ts = [_t(x) for x in flatten_args(tensors)]
    shape = np.broadcast_shapes(*[tuple(x.shape) for x in ts])
    return tuple(_expand(x, shape) for x in ts)


def sum_to_size(input: Any, *size: Any) -> Any:
    """Sum a tensor down to ``size`` (the inverse of broadcasting).

    >>> import symgrad
    >>> symgrad.sum_to_size(symgrad.ones(2, 3), 1, 3)
    tensor([[2., 2., 2.]])
    """
    x = _t(input)
    shape = norm_shape(size)
    try:
        np.broadcast_shapes(shape, tuple(x.shape))
        ok = np.broadcast_shapes(shape, tuple(x.shape)) == tuple(x.shape)
    except ValueError:
        ok = False
    if not ok:
        raise RuntimeError(f"size {list(shape)} is not expandable to size {list(x.shape)}")
    return _sum_to(x, shape)


def flip(input: Any, dims: Any) -> Any:
    """Reverse the order of elements along ``dims``.

    >>> import symgrad
    >>> symgrad.flip(symgrad.tensor([1., 2., 3.]), (0,))
    tensor([3., 2., 1.])
    """
    x = _t(input)
    return _flip(x, norm_dims(dims, x.ndim) or ())


def fliplr(input: Any) -> Any:
    """``flip`` of dim 1, left to right (at least 2 dims, as PyTorch's).

    >>> import symgrad
    >>> symgrad.fliplr(symgrad.tensor([[1., 2.], [3., 4.]]))
    tensor([[2., 1.],
            [4., 3.]])
    """
    return _flip_one(input, 1, "fliplr")


def flipud(input: Any) -> Any:
    """``flip`` of dim 0, upside down (at least 1 dim, as PyTorch's).

    >>> import symgrad
    >>> symgrad.flipud(symgrad.tensor([[1., 2.], [3., 4.]]))
    tensor([[3., 4.],
            [1., 2.]])
    """
    return _flip_one(input, 0, "flipud")


def _flip_one(input: Any, dim: int, name: str) -> Any:
    x = _t(input)
    if x.ndim <= dim:
        raise RuntimeError(f"Input must be >= {dim + 1}-d. ({name} flips dim {dim}; this tensor has {x.ndim} dims)")
    return _flip(x, (dim,))


def normalize_key(key: Any) -> Any:
    """An index as NumPy understands it: tensors become arrays (integer arrays
    and boolean masks select by their current values)."""
    from symgrad._tensor import Tensor

    if isinstance(key, tuple):
        return tuple(normalize_key(k) for k in key)
    if isinstance(key, Tensor):
        v = index_values(key)
        if v.dtype.kind == "f":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        if v.ndim == 0 and v.dtype.kind in "iu":
            return PickedInt(v) if isinstance(v, Picked) else int(v)
        return v
    if isinstance(key, list):
        try:
            arr = np.asarray([k._value if isinstance(k, Tensor) else k for k in key])
        except ValueError:
            raise IndexError("an index list must be a rectangular list of ints or bools") from None
        if arr.dtype.kind == "f":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        if any(isinstance(k, Tensor) and chosen_by_values(k) for k in key):
            arr = arr.view(Picked)
        return arr
    if key is None or key is Ellipsis or isinstance(key, (int, np.integer, slice, np.ndarray, bool)):
        if isinstance(key, slice) and key.step is not None and key.step <= 0:
            raise ValueError("step must be greater than zero")
        return key
    raise IndexError(f"only integers, slices (`:`), ellipsis (`...`), None and long or byte tensors are valid "
                     f"indices (got {type(key).__name__})")


def index(input: Any, key: Any) -> Any:
    """``input[key]``: basic indexing gives a view, integer arrays and boolean
    masks a copy (NumPy's and PyTorch's rules)."""
    return _index(_t(input), normalize_key(key))


def index_put(input: Any, key: Any, values: Any) -> Any:
    """A copy of ``input`` with ``values`` written at ``key`` (``x[key] = v`` out of place)."""
    return apply(_INDEX_PUT, _t(input), values, key=normalize_key(key))


@numpy_names
def cat(tensors: Any, dim: int = 0) -> Any:
    """Join tensors along an existing dim.

    >>> import symgrad
    >>> symgrad.cat([symgrad.tensor([1.]), symgrad.tensor([2., 3.])])
    tensor([1., 2., 3.])
    """
    ts = [_t(x) for x in _sequence(tensors, "cat")]
    ts = [x for x in ts if not (x.ndim == 1 and x.shape[0] == 0)] or ts[:1]
    d = norm_dim(dim, ts[0].ndim)
    for x in ts[1:]:
        if x.ndim != ts[0].ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {ts[0].ndim} and {x.ndim}")
    return apply(_CAT, *ts, dim=d)


concat = concatenate = cat


@numpy_names
def stack(tensors: Any, dim: int = 0) -> Any:
    """Join tensors of equal shape along a new dim.

    >>> import symgrad
    >>> symgrad.stack([symgrad.tensor(1.), symgrad.tensor(2.)])
    tensor([1., 2.])
    """
    ts = [_t(x) for x in _sequence(tensors, "stack")]
    for x in ts[1:]:
        if x.shape != ts[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(ts[0].shape)} at entry 0 "
                               f"and {list(x.shape)} at another entry")
    return apply(_STACK, *ts, dim=norm_dim(dim, ts[0].ndim + 1))


def hstack(tensors: Any) -> Any:
    """Stack horizontally (along dim 1, or 0 for 1-d tensors)."""
    ts = [_atleast_1d(x) for x in _sequence(tensors, "hstack")]
    return cat(ts, 0 if ts[0].ndim == 1 else 1)


def vstack(tensors: Any) -> Any:
    """Stack vertically (rows)."""
    ts = [_t(x) for x in _sequence(tensors, "vstack")]
    ts = [_reshape(x, (1, x.numel())) if x.ndim < 2 else x for x in ts]
    return cat(ts, 0)


def _atleast_1d(input: Any) -> Any:
    """A 1-d view of a 0-d tensor; other tensors unchanged (``arranging.atleast_1d`` takes several)."""
    x = _t(input)
    return _reshape(x, (1,)) if x.ndim == 0 else x


def _sequence(tensors: Any, what: str) -> list[Any]:
    from symgrad._tensor import Tensor

    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{what}() expects a list or tuple of tensors, got {type(tensors).__name__}")
    if not tensors:
        raise RuntimeError(f"{what}() expects a non-empty list of tensors")
    return list(tensors)


def split(input: Any, split_size_or_sections: Any, dim: int = 0) -> tuple[Any, ...]:
    """Split into chunks of a given size (or the given sizes) along ``dim``.

    >>> import symgrad
    >>> symgrad.split(symgrad.arange(5.), 2)
    (tensor([0., 1.]), tensor([2., 3.]), tensor([4.]))
    """
    x = _t(input)
    d = norm_dim(dim, x.ndim)
    n = x.shape[d]
    if not isinstance(split_size_or_sections, int) and not (
            isinstance(split_size_or_sections, (tuple, list))
            and all(isinstance(s, int) and not isinstance(s, bool) for s in split_size_or_sections)):
        raise TypeError("split(): split_size_or_sections must be an int or a list of ints, not "
                        f"{type(split_size_or_sections).__name__}")
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0:
            raise RuntimeError(f"split_size can only be a positive number, got {step}")
        sizes = [min(step, n - s) for s in range(0, n, step)] or [0]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
                               f"at dimension {d}), but got split_sizes={sizes}")
    # (PyTorch's one node for all the pieces; here one per piece, of the same name)
    name = "SplitBackward0" if isinstance(split_size_or_sections, int) else "SplitWithSizesBackward0"
    out, start = [], 0
    for s in sizes:
        out.append(called(_index(x, (slice(None),) * d + (slice(start, start + s),)), _INDEX, name, x))
        start += s
    return tuple(out)


@numpy_names
def chunk(input: Any, chunks: int, dim: int = 0) -> tuple[Any, ...]:
    """Split into ``chunks`` nearly equal pieces along ``dim``."""
    x = _t(input)
    if isinstance(chunks, bool) or not isinstance(chunks, int):
        raise TypeError(f"chunk(): chunks must be an int, not {type(chunks).__name__}")
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0")
    n = x.shape[norm_dim(dim, x.ndim)]
    return split(x, max(1, -(-n // chunks)), dim)


@numpy_names
def unbind(input: Any, dim: int = 0) -> tuple[Any, ...]:
    """The slices along ``dim``, as a tuple."""
    x = _t(input)
    d = norm_dim(dim, x.ndim)
    return tuple(called(_index(x, (slice(None),) * d + (i,)), _INDEX, "UnbindBackward0", x) for i in range(x.shape[d]))


@numpy_names
def narrow(input: Any, dim: int, start: int, length: int) -> Any:
    """``length`` elements from ``start`` along ``dim`` (a view)."""
    x = _t(input)
    if x.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = norm_dim(dim, x.ndim)
    if start < 0:
        start += x.shape[d]
    if not 0 <= start <= start + length <= x.shape[d]:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({x.shape[d]}).")
    return called(_index(x, (slice(None),) * d + (slice(start, start + length),)), _INDEX, "SliceBackward0", x)


@numpy_names
def select(input: Any, dim: int, index: int) -> Any:
    """The slice at ``index`` along ``dim`` (one dim fewer; a view)."""
    x = _t(input)
    if x.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = norm_dim(dim, x.ndim)
    n = x.shape[d]
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(x.shape)} at dimension {d}")
    return _index(x, (slice(None),) * d + (index % n,))


@numpy_names
def gather(input: Any, dim: int, index: Any) -> Any:
    """``out[i][j] = input[i][index[i][j]]`` (for dim=1), as PyTorch's ``gather``."""
    from symgrad._tensor import Tensor

    x = _t(input)
    d = norm_dim(dim, x.ndim)
    # (asanyarray: positions marked as chosen by values, ops/positions.py, stay marked)
    idx = index_values(index) if isinstance(index, Tensor) else np.asanyarray(index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError("gather(): Expected dtype int64 for index")
    if idx.ndim != x.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    grids: list[Any] = list(np.indices(idx.shape, sparse=True))
    grids[d] = idx
    return called(_index(x, tuple(grids)), _INDEX, "GatherBackward0", x)


@numpy_names
def take_along_dim(input: Any, indices: Any, dim: int | None = None) -> Any:
    """Pick values along ``dim`` at ``indices``, as PyTorch's: unlike ``gather``,
    input and indices broadcast against each other in the other dims; with
    ``dim`` None, on the flattened input at the flattened indices.

    >>> import symgrad
    >>> x = symgrad.tensor([[10., 30., 20.], [5., 4., 6.]])
    >>> symgrad.take_along_dim(x, symgrad.tensor([[1], [2]]), dim=1)
    tensor([[30.],
            [ 6.]])
    >>> symgrad.take_along_dim(x, symgrad.tensor([[0, 2]]), dim=1)
    tensor([[10., 20.],
            [ 5.,  6.]])
    """
    x, t = _t(input), _t(indices)
    idx = index_values(t)
    if dim is None:
        return gather(_reshape(x, (-1,)), 0, idx.reshape(-1))
    if idx.ndim != x.ndim:
        raise RuntimeError(f"take_along_dim(): input and indices should have the same number of dimensions, but "
                           f"got {x.ndim} dimensions for input, and {idx.ndim} dimensions for indices")
    d = norm_dim(dim, x.ndim)
    # each broadcasts to the other's shape, but keeps its own size along dim
    idx_shape = np.broadcast_shapes(x.shape[:d] + idx.shape[d:d + 1] + x.shape[d + 1:], idx.shape)
    x_shape = np.broadcast_shapes(idx.shape[:d] + x.shape[d:d + 1] + idx.shape[d + 1:], x.shape)
    return gather(_expand(x, x_shape), d, np.broadcast_to(idx, idx_shape, subok=True))


def masked_select(input: Any, mask: Any) -> Any:
    """The elements where ``mask`` is true, as a 1-d tensor (selected by the current mask)."""
    x, mask = _t(input), _t(mask)
    m = np.asarray(mask._value, dtype=bool)
    shape = np.broadcast_shapes(x.shape, m.shape)
    return called(_index(_expand(x, shape), picked(np.broadcast_to(m, shape), mask)), _INDEX, "MaskedSelectBackward0", x)


def nonzero(input: Any, *, as_tuple: bool = False) -> Any:
    """Indices of nonzero elements (numbers, outside the graph)."""
    from symgrad._tensor import Tensor

    x = _t(input)
    idx = np.nonzero(x._value)
    if as_tuple:
        return tuple(Tensor._make(picked(np.asarray(i, dtype=np.int64), x)) for i in idx)
    return Tensor._make(picked(np.stack(idx, axis=1).astype(np.int64) if idx else np.zeros((0, 0), np.int64), x))


def clone(input: Any) -> Any:
    """A copy with its own memory, still in the graph.

    >>> import symgrad
    >>> x = symgrad.tensor(1., requires_grad=True)
    >>> symgrad.clone(x)
    tensor(1., grad_fn=<CloneBackward0>)
    """
    return apply(_CLONE, _t(input))


def _copy(input: Any) -> Any:
    """The engine's copy of a gradient stored in ``.grad`` with ``create_graph``
    (``CopyBackwards``, as PyTorch's); a 0-d float straight on the scalar lane."""
    out = _lane_unary(_COPY, input)
    return out if out is not None else apply(_COPY, input)


def to_dtype(input: Any, dtype: Any) -> Any:
    """A copy converted to ``dtype`` (differentiable between floating types)."""
    from symgrad.dtypes import as_dtype

    x = _t(input)
    d = as_dtype(dtype)
    if x._value.dtype == d.numpy:
        return x
    op = _TO if d.is_floating_point and x.is_floating_point() else _TO_DISCRETE
    return apply(op, x, dtype=d.numpy)
