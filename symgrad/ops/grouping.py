"""``scatter_reduce`` and ``scatter(reduce="multiply")``: each position that
``index`` writes to holds a group of values - the input's own (unless
``include_self=False``) and the ``src`` elements sent there - reduced by
``sum``, ``prod``, ``mean``, ``amax`` or ``amin``.

No table entry.  The groups are gathered with ``index`` into one matrix per
group size, reduced along its rows by the table's own reductions, and
written back with ``index_put``; positions no element is sent to keep the
input.  Gradients are therefore those reductions' rules, which are PyTorch's
``ScatterReduceBackward0``: ties of ``amax``/``amin`` share the gradient
evenly, ``prod``'s gradient is the product of the others (zeros included),
``mean`` divides by the group's size; the input's elements that are replaced
(``include_self=False``) get none.  Closed forms read ``x[0]*s[0]*s[1]``.
There is no padding to one size: a pad value would tie with an ``amax`` of
``-inf``, and a padded matrix may be far larger than the values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from symgrad._numpy_names import numpy_names
from symgrad._tensor import Tensor
from symgrad.dispatch import apply
from symgrad.ops import reductions as _red
from symgrad.ops.arithmetic import floor_divide
from symgrad.ops.positions import Picked
from symgrad.ops.scattering import _same_dtype, _scatter_args, _scatter_key, _src_part, _tensor
from symgrad.ops.shape import _CLONE, _index, _reshape, cat, index_put

__all__ = ["scatter_reduce"]

# PyTorch also takes "max" and "min" (undocumented) for "amax" and "amin"
_ALIASES = {"max": "amax", "min": "amin"}
_REDUCE: dict[str, Callable[[Any], Any]] = {
    "sum": lambda rows: _red.sum(rows, 1), "prod": lambda rows: _red.prod(rows, 1),
    "mean": lambda rows: _red.mean(rows, 1), "amax": lambda rows: _red.amax(rows, 1),
    "amin": lambda rows: _red.amin(rows, 1),
}


@numpy_names
def scatter_reduce(input: Any, dim: int, index: Any, src: Any, reduce: str, *, include_self: bool = True) -> Any:
    """A copy of ``input`` where each position that ``index`` sends ``src``
    elements to (along ``dim``, as ``scatter``) holds the ``reduce``
    (``"sum"``, ``"prod"``, ``"mean"``, ``"amax"``, ``"amin"``) of those
    elements and, with ``include_self``, its own value.  Integer means round
    down, as PyTorch's.

    >>> import symgrad
    >>> x = symgrad.tensor([1., 2., 3.], requires_grad=True)
    >>> s = symgrad.tensor([4., 5., 6.], requires_grad=True)
    >>> y = symgrad.scatter_reduce(x, 0, symgrad.tensor([0, 0, 2]), s, "prod")
    >>> y, y.expr
    (tensor([20.,  2., 18.], grad_fn=<IndexPutBackward0>), [s[0]*s[1]*x[0], x[1], s[2]*x[2]])
    >>> symgrad.scatter_reduce(x, 0, symgrad.tensor([0, 0, 2]), s, "amax", include_self=False).expr
    [Max(s[0], s[1]), x[1], s[2]]
    """
    _tensor(src, "scatter_reduce", "src", 4)
    if not isinstance(reduce, str):
        raise TypeError(f"scatter_reduce(): argument 'reduce' (position 5) must be str, not {type(reduce).__name__}")
    reduce = _ALIASES.get(reduce, reduce)
    if reduce not in _REDUCE:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    return reduce_groups("scatter_reduce", input, dim, index, src, reduce, include_self)


def reduce_groups(fn: str, input: Any, dim: Any, index: Any, src: Any, reduce: str, include_self: bool) -> Any:
    """``scatter_reduce``'s work (also ``scatter(reduce="multiply")``'s, where ``src`` may be a number)."""
    x0 = input
    x, d, idx, src = _scatter_args(fn, input, dim, index, src)
    if isinstance(src, Tensor):
        _same_dtype(x, src, fn)
        key = _scatter_key(x, d, idx, tuple(src.shape))
        values = _src_part(src, idx.shape)
    else:  # a number written at every listed position, in the input's dtype
        key = _scatter_key(x, d, idx, None)
        values = x.new_full(idx.shape, src)
    if reduce == "mean" and x.dtype.numpy.kind == "b":
        raise NotImplementedError("\"scatter_gather_tensor_cpu_reduce_mean\" not implemented for 'Bool' (as in "
                                  "PyTorch); convert with .float() first")
    out = _grouped(x, key, values, reduce, include_self, isinstance(idx, Picked)) if idx.size else apply(_CLONE, x)
    return _reshape(out, ()) if x0.ndim == 0 else out


def _grouped(x: Tensor, key: tuple[Any, ...], values: Tensor, reduce: str, include_self: bool, by_values: bool) -> Any:
    """``x`` with each targeted position replaced by its group's reduction."""
    mark = (lambda a: a.view(Picked)) if by_values else (lambda a: a)  # positions computed from chosen ones
    targets = np.ravel_multi_index(np.broadcast_arrays(*key), x.shape).reshape(-1)
    order = np.argsort(targets, kind="stable")  # src elements grouped by target, in their own order
    positions, first, sizes = np.unique(targets[order], return_index=True, return_counts=True)
    pool = _reshape(values, (-1,))
    if include_self:
        pool = cat([pool, _index(x, tuple(mark(k) for k in np.unravel_index(positions, x.shape)))])
    reduced, written = [], []
    for size in np.unique(sizes):
        groups = np.flatnonzero(sizes == size)
        members = order[first[groups][:, None] + np.arange(size)]
        if include_self:  # the input's own value, first (after all of src in the pool)
            members = np.concatenate([targets.size + groups[:, None], members], axis=1)
        reduced.append(_reduce_rows(_index(pool, (mark(members),)), reduce, x.dtype))
        written.append(positions[groups])
    where = tuple(mark(k) for k in np.unravel_index(np.concatenate(written), x.shape))
    return index_put(x, where, reduced[0] if len(reduced) == 1 else cat(reduced))


def _reduce_rows(rows: Tensor, reduce: str, dtype: Any) -> Any:
    """Each row reduced, in the input's dtype (integer means round down)."""
    if reduce == "mean" and not dtype.is_floating_point:
        out = floor_divide(_red.sum(rows, 1), rows.shape[1])
    else:
        out = _REDUCE[reduce](rows)
    return out if out.dtype == dtype else out.to(dtype)
