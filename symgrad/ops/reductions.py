"""Reductions: sum, mean, prod, max/min, var/std, logsumexp, softmax...

All take ``dim`` (an int, a tuple, or None for every dim) and ``keepdim``.
Ties in ``max``/``min`` over all elements share the gradient evenly (at nan:
the nans share it), while ``max(dim=...)`` sends it to the index it returns -
both as PyTorch does."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from symgrad import return_types
from symgrad._numpy_names import numpy_names
from symgrad._tensor import values_of
from symgrad.dispatch import apply
from symgrad.ops._sympy import Exact, sp
from symgrad.ops._util import kept_shape, norm_dim, norm_dims, reduced_count, reduced_dims, sym_along, sym_reduce
from symgrad.ops._util import tensor_arg as _t
from symgrad.ops.registry import OpDef, composed, defop
from symgrad.symbolic.piecewise import piecewise

__all__ = ["sum", "mean", "prod", "amax", "amin", "max", "min", "argmax", "argmin", "var", "std", "logsumexp",
           "softmax", "log_softmax", "cumsum", "all", "any", "var_mean", "std_mean", "norm", "count_nonzero",
           "aminmax", "nansum", "nanmean"]



def _grow(g: Any, shape: Any, dims: Any, keepdim: bool) -> Any:
    """A reduced gradient, broadcast back over the reduced dims of ``shape``
    (the input's shape: a rule that reads its input only as ``x.shape`` does
    not save it, see ``OpDef.shape_only``)."""
    if not keepdim:
        g = _reshape(g, kept_shape(shape, dims))
    return _expand(g, tuple(shape))


def _sum(x: Any, dims: Any, keepdim: bool) -> Any:
    return apply(_SUM, x, dims=dims, keepdim=keepdim)


def _named_by_dims(name: str) -> Any:
    """PyTorch's names: ``x.sum()`` SumBackward0, ``x.sum(dim)`` SumBackward1."""
    return lambda node: f"{name}Backward{0 if node.params['dims'] is None else 1}"


_SUM: OpDef = defop("sum", lambda x, dims, keepdim: np.sum(x, axis=dims, keepdims=keepdim),
             lambda x, dims, keepdim: sym_reduce(x, dims, keepdim, lambda items: sp.Add(*items)),
             params=("dims", "keepdim"), backward_names=_named_by_dims("Sum"),
             vjp=(lambda g, out, x, dims, keepdim: _grow(g, x.shape, dims, keepdim),))

_MEAN: OpDef = defop("mean", lambda x, dims, keepdim: np.mean(x, axis=dims, keepdims=keepdim),
              lambda x, dims, keepdim: sym_reduce(x, dims, keepdim, lambda items: sp.Add(*items) / len(items)),
              params=("dims", "keepdim"), backward_names=_named_by_dims("Mean"),
              vjp=(lambda g, out, x, dims, keepdim: _mean_grad(_grow(g, x.shape, dims, keepdim), x.shape, dims),))


def _mean_grad(grown: Any, shape: Any, dims: Any) -> Any:
    if grown.__class__ is np.ndarray:  # the numeric pass: a plain float divides without Exact's ufunc hook (1 us)
        return grown / float(reduced_count(shape, dims))
    return grown / _exact_count(shape, dims)


def _exact_count(shape: Any, dims: Any) -> Any:
    # n as an Exact number: a constant gradient divided by n stays 1/n in closed forms (not 0.0909...)
    n = reduced_count(shape, dims)
    return Exact(float(n), lambda: sp.Integer(n))


def _prod_others(x: Any, dims: Any) -> Any:
    """For each element, the product of the others in its reduction (zeros-safe)."""
    axes = tuple(range(x.ndim)) if dims is None else dims
    rest = [i for i in range(x.ndim) if i not in axes]
    moved = np.transpose(x, rest + list(axes))
    flat = moved.reshape(moved.shape[:len(rest)] + (-1,))
    ones = np.ones(flat.shape[:-1] + (1,), dtype=x.dtype)
    left = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    right = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    others = (left * right).reshape(moved.shape)
    return np.transpose(others, np.argsort(rest + list(axes)))


def _prod_others_sym(x: Any, dims: Any) -> Any:
    axes = tuple(range(x.ndim)) if dims is None else dims
    out = np.empty(x.shape, dtype=object)
    for idx in np.ndindex(*x.shape):
        group = tuple(slice(None) if i in axes else idx[i] for i in range(x.ndim))
        items = x[group].reshape(-1)
        own = int(np.ravel_multi_index(tuple(idx[i] for i in axes), tuple(x.shape[i] for i in axes)))
        out[idx] = sp.Mul(*[v for k, v in enumerate(items) if k != own])
    return out


def _prod_others_grad(g: Any, out: Any, x: Any, dims: Any) -> Any:
    """For each j: the sum over i != j of g_i times the product of the group without i and j.
    Dividing by x_j is exact only where x_j != 0; with a zero in the input the
    products are formed directly (n * n per group, only then)."""
    if not np.any(values_of(x) == 0):
        return (_grow(_sum(g * out, dims, False), x.shape, dims, False) - g * out) / x
    axes = tuple(range(x.ndim)) if dims is None else dims
    order = tuple(i for i in range(x.ndim) if i not in axes) + tuple(axes)
    lead = tuple(x.shape[i] for i in order[:x.ndim - len(axes)])
    n = reduced_count(x.shape, axes)
    eye = np.eye(n, dtype=bool)
    rows = where(eye, 1.0, _unsqueeze(_reshape(_permute(x, order), lead + (n,)), len(lead)))  # x_j := 1 in row j
    others = apply(_PROD_OTHERS, rows, dims=(len(lead) + 1,))  # [..., j, i]: product without i and j
    g_rows = _unsqueeze(_reshape(_permute(g, order), lead + (n,)), len(lead))
    grad = _sum(where(eye, 0.0, others * g_rows), (len(lead) + 1,), False)
    return _permute(_reshape(grad, tuple(x.shape[i] for i in order)), tuple(np.argsort(order)))


_PROD_OTHERS: OpDef = defop("prod_others", _prod_others, _prod_others_sym, params=("dims",),
                     vjp=(_prod_others_grad,))

_PROD: OpDef = defop("prod", lambda x, dims, keepdim: np.prod(x, axis=dims, keepdims=keepdim),
              lambda x, dims, keepdim: sym_reduce(x, dims, keepdim, lambda items: sp.Mul(*items)),
              params=("dims", "keepdim"), backward_names=_named_by_dims("Prod"),
              vjp=(lambda g, out, x, dims, keepdim: _grow(g, x.shape, dims, keepdim) * apply(_PROD_OTHERS, x, dims=dims),))


def _even_share(g: Any, out: Any, x: Any, dims: Any, keepdim: bool) -> Any:
    ties = x == _grow(out, x.shape, dims, keepdim)
    return _grow(g, x.shape, dims, keepdim) * ties / _grow(_sum(ties, dims, True), x.shape, dims, True)


_AMAX: OpDef = defop("amax", lambda x, dims, keepdim: np.amax(x, axis=dims, keepdims=keepdim),
              lambda x, dims, keepdim: sym_reduce(x, dims, keepdim, lambda items: sp.Max(*items)),
              params=("dims", "keepdim"), vjp=(_even_share,))
_AMIN: OpDef = defop("amin", lambda x, dims, keepdim: np.amin(x, axis=dims, keepdims=keepdim),
              lambda x, dims, keepdim: sym_reduce(x, dims, keepdim, lambda items: sp.Min(*items)),
              params=("dims", "keepdim"), vjp=(_even_share,))


def _nan_or_ties(g: Any, out: Any, x: Any) -> Any:
    # PyTorch's evenly_distribute_backward: the mask is x's nans when out is nan, else the ties, and g / count
    # fills it (0 elsewhere, so an inf or nan g reaches only the mask).  max() propagates nan, so out is nan
    # exactly when x holds one, and then x == out is false everywhere: the two masks need no branch.
    # (g is selected before the division: generated PyTorch code would divide a literal g by the integer
    # count in float32, torch's default dtype)
    mask = logical_or(x == out, nan_mask(x))
    return where(mask, g, 0.0) / _sum(mask, None, False)


# x.max(), x.min(): over every element, an op of their own (amax's rule multiplies g by the ties, nan at nan)
_MAX_ALL: OpDef = defop("max_all", np.max, lambda x: sym_reduce(x, None, False, lambda items: sp.Max(*items)),
                 backward_name="MaxBackward1", vjp=(_nan_or_ties,))
_MIN_ALL: OpDef = defop("min_all", np.min, lambda x: sym_reduce(x, None, False, lambda items: sp.Min(*items)),
                 backward_name="MinBackward1", vjp=(_nan_or_ties,))


def _first_extreme(items: list[Any], better: Any, weak: Any) -> list[Any]:
    """Conditions 'item k is the first maximum' (or minimum) as SymPy booleans."""
    return [sp.And(*[better(v, w) for w in items[:k]], *[weak(v, w) for w in items[k + 1:]])
            for k, v in enumerate(items)]


def _pick_forward(kind: str) -> Any:
    arg = np.argmax if kind == "max" else np.argmin

    def onehot(x: Any, dim: int) -> Any:
        idx = np.expand_dims(arg(x, axis=dim), dim)
        out = np.zeros(x.shape, dtype=bool)
        np.put_along_axis(out, idx, True, axis=dim)
        return out
    return onehot


_IS_ARGMAX: OpDef = defop("is_argmax", _pick_forward("max"),
                   lambda x, dim: sym_along(x, dim, lambda items: _first_extreme(items, sp.Gt, sp.Ge)),
                   params=("dim",), bool_out=True)
_IS_ARGMIN: OpDef = defop("is_argmin", _pick_forward("min"),
                   lambda x, dim: sym_along(x, dim, lambda items: _first_extreme(items, sp.Lt, sp.Le)),
                   params=("dim",), bool_out=True)


def _pick_sym(x: Any, dim: int, keepdim: bool, fn: Any) -> Any:
    return sym_reduce(x, (dim,), keepdim, lambda items: fn(*items))


_MAX_DIM: OpDef = defop("max_dim", lambda x, dim, keepdim: np.amax(x, axis=dim, keepdims=keepdim),
                 lambda x, dim, keepdim: _pick_sym(x, dim, keepdim, sp.Max), params=("dim", "keepdim"),
                 backward_name="MaxBackward0",
                 vjp=(lambda g, out, x, dim, keepdim: where(apply(_IS_ARGMAX, x, dim=dim),
                                                                  _grow(g, x.shape, (dim,), keepdim), 0.0),))
_MIN_DIM: OpDef = defop("min_dim", lambda x, dim, keepdim: np.amin(x, axis=dim, keepdims=keepdim),
                 lambda x, dim, keepdim: _pick_sym(x, dim, keepdim, sp.Min), params=("dim", "keepdim"),
                 backward_name="MinBackward0",
                 vjp=(lambda g, out, x, dim, keepdim: where(apply(_IS_ARGMIN, x, dim=dim),
                                                                  _grow(g, x.shape, (dim,), keepdim), 0.0),))


def _argpick_sym(kind: str) -> Any:
    def sym(x: Any, dim: Any, keepdim: bool) -> Any:
        better, weak = (sp.Gt, sp.Ge) if kind == "max" else (sp.Lt, sp.Le)
        flat = x.reshape(-1) if dim is None else x
        axis = 0 if dim is None else dim

        def index(items: list[Any]) -> Any:
            conds = _first_extreme(items, better, weak)
            return piecewise(*[(k, c) for k, c in enumerate(conds[:-1])], (len(items) - 1, True))
        out = sym_reduce(flat, (axis,), keepdim and dim is not None, index)
        return out if not (keepdim and dim is None) else out.reshape((1,) * x.ndim)
    return sym


def _argpick(kind: str) -> Any:
    arg = np.argmax if kind == "max" else np.argmin

    def forward(x: Any, dim: Any, keepdim: bool) -> Any:
        if dim is None:
            r = np.asarray(arg(x))
            return r.reshape((1,) * x.ndim) if keepdim else r
        return arg(x, axis=dim, keepdims=keepdim)
    return forward


_ARGMAX: OpDef = defop("argmax", _argpick("max"), _argpick_sym("max"), params=("dim", "keepdim"))
_ARGMIN: OpDef = defop("argmin", _argpick("min"), _argpick_sym("min"), params=("dim", "keepdim"))


def _logsumexp(x: Any, dims: Any, keepdim: bool) -> Any:
    m = np.amax(x, axis=dims, keepdims=True) if x.size else np.zeros(kept_shape(x.shape, dims), x.dtype)
    m = np.where(np.isfinite(m), m, 0)
    out = np.log(np.sum(np.exp(x - m), axis=dims, keepdims=True)) + m
    return out if keepdim else np.squeeze(out, axis=dims)


_LOGSUMEXP: OpDef = defop("logsumexp", _logsumexp,
                   lambda x, dims, keepdim: sym_reduce(x, dims, keepdim, lambda items: sp.log(sp.Add(*map(sp.exp, items)))),
                   params=("dims", "keepdim"),
                   vjp=(lambda g, out, x, dims, keepdim: _grow(g, x.shape, dims, keepdim) * exp(x - _grow(out, x.shape, dims, keepdim)),))


def _softmax(x: Any, dim: int) -> Any:
    if not x.size:  # (amax refuses an empty array; the result has no elements either)
        return np.array(x)
    e = np.exp(x - np.amax(x, axis=dim, keepdims=True))
    return e / np.sum(e, axis=dim, keepdims=True)


def _softmax_sym(items: list[Any]) -> list[Any]:
    total = sp.Add(*[sp.exp(v) for v in items])
    return [sp.exp(v) / total for v in items]


_SOFTMAX: OpDef = defop("softmax", _softmax, lambda x, dim: sym_along(x, dim, _softmax_sym), params=("dim",),
                 vjp=(lambda g, out, x, dim: out * (g - _sum(g * out, (dim,), True)),))


def _log_softmax(x: Any, dim: int) -> Any:
    return x - _logsumexp(x, (dim,), True)


def _log_softmax_sym(items: list[Any]) -> list[Any]:
    lse = sp.log(sp.Add(*[sp.exp(v) for v in items]))
    return [v - lse for v in items]


_LOG_SOFTMAX: OpDef = defop("log_softmax", _log_softmax, lambda x, dim: sym_along(x, dim, _log_softmax_sym),
                     params=("dim",),
                     vjp=(lambda g, out, x, dim: g - exp(out) * _sum(g, (dim,), True),))


def _cumsum_sym(items: list[Any]) -> list[Any]:
    out, total = [], sp.Integer(0)
    for v in items:
        total = total + v
        out.append(total)
    return out


_CUMSUM: OpDef = defop("cumsum", lambda x, dim: np.cumsum(x, axis=dim), lambda x, dim: sym_along(x, dim, _cumsum_sym),
                params=("dim",),
                vjp=(lambda g, out, x, dim: _flip(apply(_CUMSUM, _flip(g, (dim,)), dim=dim), (dim,)),))

_ALL: OpDef = defop("all", lambda x, dims, keepdim: np.all(x, axis=dims, keepdims=keepdim),
             lambda x, dims, keepdim: sym_reduce(x, dims, keepdim, lambda items: sp.And(*items)),
             params=("dims", "keepdim"), bool_args=(0,), bool_out=True)
_ANY: OpDef = defop("any", lambda x, dims, keepdim: np.any(x, axis=dims, keepdims=keepdim),
             lambda x, dims, keepdim: sym_reduce(x, dims, keepdim, lambda items: sp.Or(*items)),
             params=("dims", "keepdim"), bool_args=(0,), bool_out=True)


# ---------------------------------------------------------------- functions

@numpy_names
def sum(input: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Any:  # noqa: A001
    """Sum over ``dim`` (all dims when None).

    >>> import symgrad
    >>> X = symgrad.tensor([1., 2., 3.], name="X")
    >>> symgrad.sum(X).expr
    X[0] + X[1] + X[2]
    """
    x = _t(input) if dtype is None else _t(input).to(dtype)
    if x._value.dtype.kind in "bu" or (x._value.dtype.kind == "i" and x._value.dtype.itemsize < 8):
        x = x.long()
    return apply(_SUM, x, dims=reduced_dims(dim, x.ndim), keepdim=bool(keepdim))


@numpy_names
def mean(input: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Any:
    """Mean over ``dim``.

    >>> import symgrad
    >>> symgrad.mean(symgrad.tensor([1., 2., 3., 4.]))
    tensor(2.5000)
    """
    x = _t(input) if dtype is None else _t(input).to(dtype)
    if not x.is_floating_point():
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a floating point "
                           f"or complex dtype. Got: {x.dtype}; call .double() (or pass dtype=) first")
    return apply(_MEAN, x, dims=reduced_dims(dim, x.ndim), keepdim=bool(keepdim))


@numpy_names
def nansum(input: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Any:
    """``sum`` with nan taken as 0; its gradient is 0 at nan, 1 elsewhere (at
    +-inf too), as PyTorch's.  A variable is never nan, so the closed form is
    the sum; generated code masks nan at run time all the same.

    >>> import symgrad
    >>> symgrad.nansum(symgrad.tensor([1., float('nan'), 2.]))
    tensor(3.)
    >>> x = symgrad.tensor([1., 2.], requires_grad=True)
    >>> symgrad.nansum(x).expr
    x[0] + x[1]
    """
    x = _t(input) if dtype is None else _t(input).to(dtype)
    if x.is_floating_point():
        x = where(nan_mask(x), 0.0, x)
    return sum(x, dim, keepdim)


@numpy_names
def nanmean(input: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Any:
    """``mean`` of the elements that are not nan (nan if all are): ``nansum``
    divided by their count.

    >>> import symgrad
    >>> symgrad.nanmean(symgrad.tensor([[1., float('nan')], [2., 4.]]), dim=1)
    tensor([1., 3.])
    """
    from symgrad.ops._util import SCALAR_TYPES

    x = _t(input) if dtype is None else _t(input).to(dtype)
    if not x.is_floating_point():
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but got "
                           f"{SCALAR_TYPES.get(x.dtype.name, x.dtype.name)}")
    return nansum(x, dim, keepdim) / sum(~nan_mask(x), dim, keepdim).to(x.dtype)


@numpy_names
def prod(input: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Any:
    """Product over ``dim`` (zeros are handled exactly in the gradient).

    >>> import symgrad
    >>> x = symgrad.tensor([2., 3.], requires_grad=True)
    >>> symgrad.prod(x).expr
    x[0]*x[1]
    """
    x = _t(input) if dtype is None else _t(input).to(dtype)
    if x._value.dtype.kind in "bu":  # PyTorch's int64 (NumPy's would be uint64, which symgrad has not)
        x = x.long()
    return apply(_PROD, x, dims=norm_dims(dim, x.ndim), keepdim=bool(keepdim))


@numpy_names
def amax(input: Any, dim: Any = (), keepdim: bool = False) -> Any:
    """Largest value over ``dim`` (all when empty); ties share the gradient evenly."""
    x = _t(input)
    dims = reduced_dims(dim, x.ndim)
    return apply(_AMAX, x, dims=dims, keepdim=bool(keepdim))


@numpy_names
def amin(input: Any, dim: Any = (), keepdim: bool = False) -> Any:
    """Smallest value over ``dim`` (all when empty); ties share the gradient evenly."""
    x = _t(input)
    dims = reduced_dims(dim, x.ndim)
    return apply(_AMIN, x, dims=dims, keepdim=bool(keepdim))


@numpy_names
def max(input: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """``max(x)``: the largest element; ``max(x, dim)``: ``(values, indices)``;
    ``max(x, other_tensor)``: the elementwise maximum.  The gradient of
    ``max(x)`` is shared evenly by the tied elements, or by the nans when
    ``x`` holds nan (PyTorch's; ``amax`` gives nan everywhere there).

    >>> import symgrad
    >>> x = symgrad.tensor([1., float('nan'), 3., float('nan')], requires_grad=True)
    >>> x.max().backward()
    >>> x.grad
    tensor([0.0000, 0.5000, 0.0000, 0.5000])
    >>> symgrad.max(symgrad.tensor([[1., 5.], [7., 2.]]), dim=1)
    symgrad.return_types.max(
    values=tensor([5., 7.]),
    indices=tensor([1, 0]))
    """
    return _extreme(input, dim, keepdim, "max")


@numpy_names
def min(input: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """Like ``max``, for the smallest values."""
    return _extreme(input, dim, keepdim, "min")


def _extreme(input: Any, dim: Any, keepdim: bool, kind: str) -> Any:
    from symgrad._tensor import Tensor

    x = _t(input)
    if isinstance(dim, Tensor):
        from symgrad.ops.selection import maximum, minimum

        return (maximum if kind == "max" else minimum)(x, dim)
    if dim is None:
        if x.numel() == 0:
            raise RuntimeError(f"{kind}(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        return apply(_MAX_ALL if kind == "max" else _MIN_ALL, x)
    d = norm_dim(dim, x.ndim)
    if x.ndim == 0:  # a line of one element (NumPy has no axis 0 there); PyTorch's keepdim keeps the 0-d shape
        return _extreme(_reshape(x, (1,)), 0, False, kind)
    values = apply(_MAX_DIM if kind == "max" else _MIN_DIM, x, dim=d, keepdim=bool(keepdim))
    indices = apply(_ARGMAX if kind == "max" else _ARGMIN, x, dim=d, keepdim=bool(keepdim))
    return getattr(return_types, kind)(values, indices)


@numpy_names
def aminmax(input: Any, *, dim: Any = None, keepdim: bool = False) -> Any:
    """``(min, max)`` over ``dim``."""
    return return_types.aminmax(amin(input, () if dim is None else dim, keepdim), amax(input, () if dim is None else dim, keepdim))


@numpy_names
def argmax(input: Any, dim: Any = None, keepdim: bool = False) -> Any:
    """Index of the (first) largest element, outside the graph.

    >>> import symgrad
    >>> symgrad.argmax(symgrad.tensor([1., 5., 2.]))
    tensor(1)
    """
    x = _t(input)
    return apply(_ARGMAX, x, dim=None if dim is None else norm_dim(dim, x.ndim), keepdim=bool(keepdim))


@numpy_names
def argmin(input: Any, dim: Any = None, keepdim: bool = False) -> Any:
    """Index of the (first) smallest element, outside the graph."""
    x = _t(input)
    return apply(_ARGMIN, x, dim=None if dim is None else norm_dim(dim, x.ndim), keepdim=bool(keepdim))


@numpy_names
def var(input: Any, dim: Any = None, *, correction: Any = 1, keepdim: bool = False, unbiased: Any = None) -> Any:
    """Variance over ``dim`` with Bessel's ``correction`` (1 by default).

    >>> import symgrad
    >>> symgrad.var(symgrad.tensor([1., 2., 3., 4.]))
    tensor(1.6667)
    """
    if unbiased is not None:
        correction = 1 if unbiased else 0
    return composed(_variance(input, dim, correction, keepdim), "VarBackward0", input)


def _variance(input: Any, dim: Any, correction: Any, keepdim: bool) -> Any:
    x = _t(input)
    if not x.dtype.is_floating_point:
        raise RuntimeError("std and var only support floating point and complex dtypes")
    c = float(correction)
    return apply(_VAR, x, dims=reduced_dims(dim, x.ndim), correction=int(c) if c.is_integer() else c,
                 keepdim=bool(keepdim))


def _var(x: Any, dims: Any, correction: Any, keepdim: bool) -> Any:
    d = x - np.mean(x, axis=dims, keepdims=True)
    # (PyTorch's and NumPy's divisor is max(0, n - correction): inf, or nan where every element is the mean,
    # when there are no more elements than the correction; n - correction itself gave a negative variance)
    dof = reduced_count(x.shape, dims) - correction  # (not max(): this module's max is the op)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sum(d * d, axis=dims, keepdims=keepdim) / (dof if dof > 0 else 0)


def variance_line(items: list[Any], correction: Any, bind: Any = lambda e: e) -> Any:
    """The closed form of one line's variance; ``bind`` the mean (code generation makes it a temporary).
    With no more elements than the correction, the sum over 0: ``oo`` times it (nan where it is 0)."""
    m = bind(sp.Add(*items) / len(items))
    squares = sp.Add(*[(v - m) ** 2 for v in items])
    dof = len(items) - correction
    return squares / dof if dof > 0 else sp.oo * squares


def _var_grad(g: Any, out: Any, x: Any, dims: Any, correction: Any, keepdim: bool) -> Any:
    # PyTorch's var_backward, one product: (2 / (n - correction)) * g * (x - mean), so that an infinite g
    # gives +-inf (a composition would sum g*(x - mean) over the mean's path: inf - inf).  With no more
    # elements than the correction, PyTorch's (of a reduction over all dims): 2/0 is inf, nan where x is the
    # mean (inf * 0)
    k = reduced_count(x.shape, dims) - correction
    centred = x - mean(x, dims, True)
    grown = _grow(g, x.shape, dims, keepdim)
    if k <= 0:
        return grown * where(centred == 0, math.nan, math.inf)
    scale = Exact(2 / k, lambda: sp.Rational(2, k) if isinstance(k, int) else sp.Float(2 / k))
    return grown * scale * centred


_VAR: OpDef = defop("var", _var,
                    lambda x, dims, correction, keepdim: sym_reduce(x, dims, keepdim,
                                                                    lambda items: variance_line(items, correction)), params=("dims", "correction", "keepdim"), vjp=(_var_grad,))


@numpy_names
def std(input: Any, dim: Any = None, *, correction: Any = 1, keepdim: bool = False, unbiased: Any = None) -> Any:
    """Standard deviation: ``sqrt(var)``."""
    from symgrad.ops.unary import sqrt

    if unbiased is not None:
        correction = 1 if unbiased else 0
    return composed(sqrt(_variance(input, dim, correction, keepdim)), "StdBackward0", input)


@numpy_names
def var_mean(input: Any, dim: Any = None, *, correction: Any = 1, keepdim: bool = False) -> Any:
    """``(var, mean)``: both named ``VarMeanBackward0``, PyTorch's one node for the two."""
    return (composed(_variance(input, dim, correction, keepdim), "VarMeanBackward0", input),
            composed(mean(input, dim, keepdim), "VarMeanBackward0", input))


@numpy_names
def std_mean(input: Any, dim: Any = None, *, correction: Any = 1, keepdim: bool = False) -> Any:
    """``(std, mean)``: both named ``StdMeanBackward0``, PyTorch's one node for the two."""
    from symgrad.ops.unary import sqrt

    return (composed(sqrt(_variance(input, dim, correction, keepdim)), "StdMeanBackward0", input),
            composed(mean(input, dim, keepdim), "StdMeanBackward0", input))


@numpy_names
def logsumexp(input: Any, dim: Any, keepdim: bool = False) -> Any:
    """``log(sum(exp(x)))`` over ``dim``, computed stably.

    >>> import symgrad
    >>> x = symgrad.tensor([1000., 1000.])
    >>> symgrad.logsumexp(x, 0)
    tensor(1000.6931)
    """
    x = _t(input)
    return apply(_LOGSUMEXP, x, dims=norm_dims(dim, x.ndim), keepdim=bool(keepdim))


@numpy_names
def softmax(input: Any, dim: int, dtype: Any = None) -> Any:
    """``exp(x) / sum(exp(x))`` along ``dim``, computed stably.

    >>> import symgrad
    >>> symgrad.softmax(symgrad.tensor([0., 0.]), 0)
    tensor([0.5000, 0.5000])
    """
    x = _t(input) if dtype is None else _t(input).to(dtype)
    return _along(_SOFTMAX, x, dim)


@numpy_names
def log_softmax(input: Any, dim: int, dtype: Any = None) -> Any:
    """``x - logsumexp(x)`` along ``dim``, computed stably.

    >>> import symgrad
    >>> symgrad.log_softmax(symgrad.tensor([-1000., 1000.]), 0)
    tensor([-2000.,     0.])
    """
    x = _t(input) if dtype is None else _t(input).to(dtype)
    return _along(_LOG_SOFTMAX, x, dim)


@numpy_names
def cumsum(input: Any, dim: int, *, dtype: Any = None) -> Any:
    """Running sum along ``dim``.

    >>> import symgrad
    >>> symgrad.cumsum(symgrad.tensor([1., 2., 3.]), 0)
    tensor([1., 3., 6.])
    """
    from symgrad.ops.scans import _scan

    return _scan(_CUMSUM, input, dim, dtype)


def _along(op: OpDef, x: Any, dim: int) -> Any:
    """``op`` along ``dim``; a 0-d ``x`` is a line of one element (NumPy has no axis 0 there)."""
    d = norm_dim(dim, x.ndim)
    if x.ndim == 0:
        return _reshape(apply(op, _reshape(x, (1,)), dim=0), ())
    return apply(op, x, dim=d)


@numpy_names
def all(input: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """True where every element (over ``dim``) is true."""
    x = _t(input)
    return apply(_ALL, x, dims=norm_dims(dim, x.ndim), keepdim=bool(keepdim))


@numpy_names
def any(input: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """True where some element (over ``dim``) is true."""
    x = _t(input)
    return apply(_ANY, x, dims=norm_dims(dim, x.ndim), keepdim=bool(keepdim))


@numpy_names
def count_nonzero(input: Any, dim: Any = None) -> Any:
    """Number of nonzero elements (outside the graph)."""
    from symgrad.ops.comparison import ne

    return sum(ne(input, 0), dim)


def norm(input: Any, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Any:
    """The 2-norm (``p=2`` or ``"fro"``) or 1-norm over ``dim``; at zero the
    2-norm's gradient is 0, as in PyTorch.

    >>> import symgrad
    >>> symgrad.norm(symgrad.tensor([3., 4.]))
    tensor(5.)
    """
    from symgrad.ops.unary import abs as _abs
    from symgrad.ops.unary import sqrt

    x = _t(input)
    if p == 1:
        return composed(sum(_abs(x), dim, keepdim), "LinalgVectorNormBackward0", x)  # (PyTorch's node for both)
    if p not in (2, "fro"):
        raise ValueError(f"norm(): only p=1, p=2 and p='fro' are supported, got {p!r}")
    squares = sum(x * x, dim, keepdim)
    from symgrad.ops.selection import where

    safe = where(squares == 0, 1.0, squares)
    return composed(where(squares == 0, 0.0, sqrt(safe)), "LinalgVectorNormBackward0", x)


from symgrad.ops.comparison import logical_or  # noqa: E402
from symgrad.ops.pointwise import nan_mask  # noqa: E402
from symgrad.ops.selection import where  # noqa: E402  (rules refer to these by name)
from symgrad.ops.shape import _expand, _flip, _permute, _reshape, _unsqueeze  # noqa: E402
from symgrad.ops.unary import exp  # noqa: E402
