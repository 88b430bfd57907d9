"""Running reductions along a dim: ``cumprod``, ``logcumsumexp`` (table
entries), ``cummax``, ``cummin`` (``cumsum`` is with the reductions).

* ``cumprod``'s gradient is PyTorch's, zeros included: without a zero it is
  the reversed running sum of ``g * out`` divided by ``x``; with one, each
  element's gradient is formed from the products without it (``n * n`` per
  line, only then), so it is exact there and its own derivative too.  Lines
  of up to 8 elements always take the products (cheap, and their closed
  form reads ``x[1]*x[2] + x[1] + 1`` rather than a quotient).  An infinite
  or nan incoming gradient skips the products that hold a zero of ``x``, as
  PyTorch's first-order formula does (0, not ``0 * inf``).
* ``logcumsumexp``'s gradient ``sum_{j >= i} g_j exp(x_i - out_j)`` is
  ``exp(x) * revcumsum(g * exp(-out))`` while those exponentials are far
  from overflow (its closed form then reads ``exp(x0)/(exp(x0) + exp(x1))``),
  else PyTorch's formula in log space, which holds for any values (and passes
  none of a nan ``g``: so the first form drops it too).
* ``cummax``/``cummin`` choose positions by the values, as ``max(dim)`` and
  ``sort`` do: the values are the input's elements gathered there (each
  gradient goes back to the index returned, PyTorch's rule), so their
  closed form holds those positions and code generation refuses it.  Ties
  and nan take the later index, as PyTorch's.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from symgrad import return_types
from symgrad._numpy_names import numpy_names
from symgrad._tensor import values_of
from symgrad.dispatch import apply
from symgrad.ops._sympy import sp
from symgrad.ops._util import norm_dim, sym_along
from symgrad.ops._util import tensor_arg as _t
from symgrad.ops.registry import OpDef, composed, defop

__all__ = ["cumprod", "logcumsumexp", "cummax", "cummin"]


def _running(combine: Any) -> Any:
    def sym(items: list[Any]) -> list[Any]:
        out, acc = [], None
        for v in items:
            acc = v if acc is None else combine(acc, v)
            out.append(acc)
        return out
    return sym


def _reverse_cumsum(t: Any, dim: int) -> Any:
    return _flip(apply(_CUMSUM, _flip(t, (dim,)), dim=dim), (dim,))


# Lines up to this long take the products without each element even without a zero: n * n products
# cost nothing there, and the closed form reads x[1]*x[2] + x[1] + 1, not (x[0]*x[1]*x[2] + ...)/x[0]
_SHORT = 8


def _cumprod_grad(g: Any, out: Any, x: Any, dim: int) -> Any:
    n = x.shape[dim]
    if n > _SHORT and not np.any(values_of(x) == 0):
        return _reverse_cumsum(g * out, dim) / x
    # grad_i = sum_{j >= i} g_j prod_{m <= j, m != i} x_m: row i of `rows` is x with x_i := 1
    order = tuple(d for d in range(x.ndim) if d != dim) + (dim,)
    last = x.ndim - 1
    rows = where(np.eye(n, dtype=bool), 1.0, _unsqueeze(_permute(x, order), last))
    products = apply(_CUMPROD, rows, dim=last + 1)  # [..., i, j]
    later = np.triu(np.ones((n, n), dtype=bool))  # j >= i
    if not np.all(np.isfinite(values_of(g))):
        # PyTorch's cumprod_backward leaves out the terms whose product holds a zero of x (it computes the
        # gradient up to the first zero, at it and after it separately, 0 after it): an infinite or nan g_j
        # there gives 0, not 0 * inf.  (Only then: with a finite g those terms are 0 anyway, and they stay
        # in the rule, so that its own derivative, d/dx_0 of x_0 * g_1, keeps them.)
        zero = np.moveaxis(values_of(x) == 0, dim, -1)
        zeros_up_to = np.cumsum(zero, axis=-1)  # [..., j]: zeros among x_0..x_j
        later = later & (zeros_up_to[..., None, :] - zero[..., :, None] == 0)  # none but x_i itself
    grad = _sum(where(later, products * _unsqueeze(_permute(g, order), last), 0.0), (last + 1,), False)
    return _permute(grad, tuple(np.argsort(order)))


_CUMPROD: OpDef = defop("cumprod", lambda x, dim: np.cumprod(x, axis=dim),
                        lambda x, dim: sym_along(x, dim, _running(lambda a, b: a * b)), params=("dim",),
                        vjp=(_cumprod_grad,))


def _logcumsumexp_grad(g: Any, out: Any, x: Any, dim: int) -> Any:
    v, o = values_of(x), values_of(out)
    limit = np.log(np.finfo(v.dtype).max) / 3  # exp(-out) * exp(x) * g stays finite
    if np.all(np.abs(v) < limit) and np.all(np.abs(o) < limit):
        if np.any(np.isnan(values_of(g))):  # (PyTorch's formula in log space, below, passes none of a nan g)
            g = where(np.isnan(values_of(g)), 0.0, g)
        return exp(x) * _reverse_cumsum(g * exp(-out), dim)
    # PyTorch's: the positive and negative parts of g summed in log space (a part g has none of is left
    # out, so that the closed form has no log(0) of it)
    log_g = log(_abs(g))
    gv = values_of(g)
    grad = zeros_like(x)
    if np.any(gv > 0):
        grad = grad + exp(_reverse_logcumsumexp(where(g > 0, log_g, -math.inf) - out, dim) + x)
    if np.any(gv < 0):
        grad = grad - exp(_reverse_logcumsumexp(where(g < 0, log_g, -math.inf) - out, dim) + x)
    return grad


def _reverse_logcumsumexp(t: Any, dim: int) -> Any:
    return _flip(apply(_LOGCUMSUMEXP, _flip(t, (dim,)), dim=dim), (dim,))


def _log_running(items: list[Any]) -> list[Any]:
    return [sp.log(s) for s in _running(lambda a, b: a + b)([sp.exp(v) for v in items])]


_LOGCUMSUMEXP: OpDef = defop("logcumsumexp", lambda x, dim: np.logaddexp.accumulate(x, axis=dim),
                             lambda x, dim: sym_along(x, dim, _log_running), params=("dim",),
                             vjp=(_logcumsumexp_grad,))


def _scan(op: OpDef, input: Any, dim: int, dtype: Any = None) -> Any:
    x = _t(input) if dtype is None else _t(input).to(dtype)
    d = norm_dim(dim, x.ndim)
    if x.ndim == 0:  # (a scalar is its own running anything)
        return _reshape(apply(op, _reshape(x, (1,)), dim=0), ())
    return apply(op, x, dim=d)


@numpy_names
def cumprod(input: Any, dim: int, *, dtype: Any = None) -> Any:
    """Running product along ``dim``; integers and bools become int64, as in PyTorch.
    The gradient is exact where the input has zeros.

    >>> import symgrad
    >>> x = symgrad.tensor([2., 3., 4.], requires_grad=True)
    >>> symgrad.cumprod(x, 0).expr
    [x[0], x[0]*x[1], x[0]*x[1]*x[2]]
    """
    x = _t(input)
    if dtype is None and x._value.dtype.kind in "biu" and x._value.dtype != np.int64:
        x = x.long()
    return _scan(_CUMPROD, x, dim, dtype)


@numpy_names
def logcumsumexp(input: Any, dim: int) -> Any:
    """``log(cumsum(exp(x)))`` along ``dim``, computed stably (floating tensors only).

    >>> import symgrad
    >>> x = symgrad.tensor([0., 0.], requires_grad=True)
    >>> symgrad.logcumsumexp(x, 0)
    tensor([0.0000, 0.6931], grad_fn=<LogcumsumexpBackward0>)
    >>> symgrad.logcumsumexp(x, 0).expr
    [x[0], log(exp(x[0]) + exp(x[1]))]
    """
    x = _t(input)
    if not x.dtype.is_floating_point:
        from symgrad.ops._util import not_implemented_for

        raise not_implemented_for("logcumsumexp_out_cpu", x.dtype)
    return _scan(_LOGCUMSUMEXP, x, dim)


def _running_pick(v: np.ndarray, dim: int, later: Any) -> np.ndarray:
    """For each position along ``dim``, the index of the running max (or min):
    a value replaces the one held when ``later(value, held)`` (``>=`` or ``<=``:
    ties take the later index) or when it is nan."""
    moved = np.moveaxis(v, dim, 0)
    idx = np.zeros(moved.shape, dtype=np.int64)
    best = moved[0].copy()
    held = np.zeros(moved.shape[1:], dtype=np.int64)
    for j in range(1, moved.shape[0]):
        value = moved[j]
        with np.errstate(invalid="ignore"):
            take = later(value, best) | (np.isnan(value) if value.dtype.kind == "f" else False)
        best = np.where(take, value, best)
        held = np.where(take, j, held)
        idx[j] = held
    return np.moveaxis(idx, 0, dim)


def _cumulative_extreme(input: Any, dim: int, later: Any, result: Any) -> Any:
    x = _t(input)
    d = norm_dim(dim, x.ndim)
    if x.ndim == 0:
        return result(_index(x, ...), _indices(np.zeros((), np.int64), x))
    idx = _running_pick(x._value, d, later)
    return result(_take(x, d, idx), _indices(idx, x))


@numpy_names
def cummax(input: Any, dim: int) -> Any:
    """The running maximum along ``dim`` and the index of each (ties and nan: the later index).

    >>> import symgrad
    >>> symgrad.cummax(symgrad.tensor([1., 3., 2., 3.]), 0)
    symgrad.return_types.cummax(
    values=tensor([1., 3., 3., 3.]),
    indices=tensor([0, 1, 1, 3]))
    """
    out = _cumulative_extreme(input, dim, np.greater_equal, return_types.cummax)
    composed(out.values, "CummaxBackward0", input)  # (PyTorch's one node; symgrad gathers: index)
    return out


@numpy_names
def cummin(input: Any, dim: int) -> Any:
    """The running minimum along ``dim`` and the index of each (ties and nan: the later index)."""
    out = _cumulative_extreme(input, dim, np.less_equal, return_types.cummin)
    composed(out.values, "CumminBackward0", input)
    return out


from symgrad.creation import zeros_like  # noqa: E402  (rules refer to these by name)
from symgrad.ops.reductions import _CUMSUM, _sum  # noqa: E402
from symgrad.ops.selection import where  # noqa: E402
from symgrad.ops.shape import _flip, _index, _permute, _reshape, _unsqueeze  # noqa: E402
from symgrad.ops.sorting import _indices, _take  # noqa: E402
from symgrad.ops.unary import abs as _abs  # noqa: E402
from symgrad.ops.unary import exp, log  # noqa: E402
