"""``symgrad.diff``: closed-form derivatives of any order, in ``sympy.diff``'s
argument style, computed by symgrad's own derivative rules (reverse mode with
``create_graph=True``), never by ``sympy.diff``."""

from __future__ import annotations

from typing import Any

import numpy as np

from symgrad._tensor import Tensor
from symgrad.autograd.engine import grad, needs_graph

__all__ = ["diff", "derivative"]


def diff(f: Tensor, *wrt: Any) -> Any:
    """Closed-form derivative of ``f`` with respect to leaves, as SymPy.

    ``diff(z, x)``, ``diff(z, x, x)``, ``diff(z, (x, 2))`` or ``diff(z, x, 2)``
    (as ``sympy.diff``), ``diff(z, x, y)``.
    With array-valued ``f`` or ``x`` the result is a ``sympy.Array`` laid out
    as ``sympy.diff`` lays it out (the variable's shape first).

    >>> import symgrad
    >>> x = symgrad.tensor(2., requires_grad=True)
    >>> y = symgrad.tensor(3., requires_grad=True)
    >>> z = x * x * y
    >>> symgrad.diff(z, x), symgrad.diff(z, x, x), symgrad.diff(z, (x, 2)), symgrad.diff(z, x, y)
    (2*x*y, 2*y, 2*y, 2*x)
    """
    return derivative(f, *wrt).expr


def derivative(f: Tensor, *wrt: Any) -> Tensor:
    """Like ``diff`` but returns the derivative as a tensor (numbers and ``.expr``).

    >>> import symgrad
    >>> x = symgrad.tensor(2., requires_grad=True)
    >>> symgrad.derivative(x ** 3, (x, 2))
    tensor(12., grad_fn=<MulBackward0>)
    """
    if not isinstance(f, Tensor):
        raise TypeError(f"diff: the function to differentiate must be a symgrad Tensor, got {type(f).__name__}")
    variables = _expand_orders(wrt)
    if not wrt:
        raise TypeError("diff needs at least one variable: diff(z, x)")
    if not variables:
        return f  # derivatives of order 0, as sympy.diff(f, (x, 0)) is f
    _refuse_unrelated(f, variables)
    out = f
    with needs_graph("symgrad.diff"):
        for x in variables:
            out = _jacobian(out, x)
    return out


def _expand_orders(wrt: tuple[Any, ...]) -> list[Tensor]:
    """The variables, each repeated by its order: ``(x, 2)`` or, as in
    ``sympy.diff``, an int after a variable (``diff(z, x, 2, y)``)."""
    out: list[Tensor] = []
    for k, item in enumerate(wrt):
        if isinstance(item, int) and not isinstance(item, bool):
            if k == 0 or isinstance(wrt[k - 1], (int, tuple)):
                raise TypeError(f"diff: an order ({item}) must follow a variable: diff(z, x, {item}) or "
                                f"diff(z, (x, {item}))")
            var = out.pop()  # (the variable before it, counted once: the int is its whole order)
            out.extend([var] * _order(item))
        elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], int):
            var, n = item
            out.extend([_variable(var)] * _order(n))
        else:
            out.append(_variable(item))
    return out


def _order(n: int) -> int:
    if n < 0:
        raise ValueError(f"diff: the order must be >= 0, got {n}")
    return n


def _variable(x: Any) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"diff: variables must be leaf tensors (or (tensor, order) pairs), got {type(x).__name__}")
    if not x.requires_grad:
        raise RuntimeError("diff: this variable does not require grad, so nothing was recorded for it; create it "
                           "with requires_grad=True (or call .requires_grad_()) before computing the function")
    return x


def _refuse_unrelated(f: Tensor, variables: list[Tensor]) -> None:
    """A variable that is not a leaf must be one ``f`` was computed from:
    ``diff(v * 2, v * 3)`` asks about a new tensor, and its zeros would be
    silently wrong (the tensor forms of jacobian and hessian refuse it too)."""
    from symgrad.functional.derivatives import unrelated

    for i in unrelated([f], variables):
        raise RuntimeError(f"diff: variable {variables[i]!r} is not a leaf and f was not computed from it: a tensor "
                           "computed "
                           "apart from f (the v * 3 of diff(v * 2, v * 3)) is a new tensor, not a variable of f; "
                           "pass the leaves f was computed from (diff(v * 2, v)), or an intermediate tensor f was "
                           "computed from")


def _jacobian(f: Tensor, x: Tensor) -> Tensor:
    """d f / d x laid out as x.shape + f.shape, with a graph for further derivatives."""
    from symgrad import ops

    if not f.requires_grad:
        zeros = Tensor._make(np.zeros(tuple(x.shape) + tuple(f.shape), dtype=f._value.dtype))
        return zeros
    if f.ndim == 0:
        (g,) = grad(f, x, create_graph=True, allow_unused=True, materialize_grads=True)
        return g
    rows = []
    flat = ops.reshape(f, (-1,))
    for i in range(flat.shape[0]):
        (g,) = grad(flat[i], x, retain_graph=True, create_graph=True, allow_unused=True, materialize_grads=True)
        rows.append(g)
    stacked = ops.stack(rows, 0)  # f.numel() x x.shape
    moved = ops.movedim(stacked, 0, -1) if x.ndim else stacked
    return ops.reshape(moved, tuple(x.shape) + tuple(f.shape))
