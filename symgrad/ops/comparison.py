"""Comparisons and logical ops: boolean tensors outside the autograd graph
(as in PyTorch), whose symbolic view is a SymPy relation (``x > 0``), so
closed forms stay correct away from the current point (``relu'`` is
``Piecewise((1, x > 0), (0, True))``, not a frozen 1)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from symgrad.dispatch import apply
from symgrad.ops._sympy import sp
from symgrad.ops.registry import defop
from symgrad.symbolic.piecewise import relation

__all__ = ["eq", "ne", "lt", "le", "gt", "ge", "greater", "less", "greater_equal", "less_equal", "not_equal",
           "logical_not", "logical_and", "logical_or", "logical_xor", "isnan", "isinf", "isfinite",
           "equal", "allclose", "isclose", "signbit", "isposinf", "isneginf", "isreal"]


def _compare(name: str, forward: Callable[..., Any], symbolic: Callable[..., Any], sign: str,
             example: str) -> Callable[..., Any]:
    op = defop(name, forward, symbolic, inputs=("x", "y"), elementwise=True, promote="common", bool_out=True)

    def fn(input: Any, other: Any) -> Any:
        return apply(op, input, other)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"Elementwise ``input {sign} other`` as a bool tensor (outside the graph).\n\n"
                  f">>> import symgrad\n>>> symgrad.{name}(symgrad.tensor([1., 2.]), 1.5)\n"
                  f"{example}\n")
    return fn


eq = _compare("eq", np.equal, lambda x, y: relation(sp.Eq, x, y), "==", "tensor([False, False])")
ne = _compare("ne", np.not_equal, lambda x, y: relation(sp.Ne, x, y), "!=", "tensor([True, True])")
lt = _compare("lt", np.less, lambda x, y: relation(sp.Lt, x, y), "<", "tensor([ True, False])")
le = _compare("le", np.less_equal, lambda x, y: relation(sp.Le, x, y), "<=", "tensor([ True, False])")
gt = _compare("gt", np.greater, lambda x, y: relation(sp.Gt, x, y), ">", "tensor([False,  True])")
ge = _compare("ge", np.greater_equal, lambda x, y: relation(sp.Ge, x, y), ">=", "tensor([False,  True])")
greater, less, greater_equal, less_equal, not_equal = gt, lt, ge, le, ne

_NOT = defop("logical_not", np.logical_not, lambda x: sp.Not(x), elementwise=True, bool_args=(0,), bool_out=True)
_AND = defop("logical_and", np.logical_and, lambda x, y: sp.And(x, y), inputs=("x", "y"), elementwise=True,
             bool_args=(0, 1), bool_out=True)
_OR = defop("logical_or", np.logical_or, lambda x, y: sp.Or(x, y), inputs=("x", "y"), elementwise=True,
            bool_args=(0, 1), bool_out=True)
_XOR = defop("logical_xor", np.logical_xor, lambda x, y: sp.Xor(x, y), inputs=("x", "y"), elementwise=True,
             bool_args=(0, 1), bool_out=True)
_ISNAN = defop("isnan", np.isnan, lambda x: sp.Function("isnan")(x), elementwise=True, bool_out=True)
_ISINF = defop("isinf", np.isinf, lambda x: sp.Function("isinf")(x), elementwise=True, bool_out=True)
_ISFINITE = defop("isfinite", np.isfinite, lambda x: sp.Function("isfinite")(x), elementwise=True,
                  bool_out=True)
# (NumPy's signbit refuses bools; PyTorch's is False for them.  The closed form, x < 0, cannot see -0.0.)
_SIGNBIT = defop("signbit", lambda x: np.signbit(x) if x.dtype.kind != "b" else np.zeros(x.shape, bool),
                 lambda x: relation(sp.Lt, x, 0), elementwise=True, bool_out=True)


def logical_not(input: Any) -> Any:
    """Elementwise NOT.

    >>> import symgrad
    >>> symgrad.logical_not(symgrad.tensor([True, False]))
    tensor([False,  True])
    """
    return apply(_NOT, input)


def logical_and(input: Any, other: Any) -> Any:
    """Elementwise AND (``&`` on bool tensors)."""
    return apply(_AND, input, other)


def logical_or(input: Any, other: Any) -> Any:
    """Elementwise OR (``|`` on bool tensors)."""
    return apply(_OR, input, other)


def logical_xor(input: Any, other: Any) -> Any:
    """Elementwise XOR (``^`` on bool tensors)."""
    return apply(_XOR, input, other)


def isnan(input: Any) -> Any:
    """Which elements are NaN.

    >>> import symgrad
    >>> symgrad.isnan(symgrad.tensor([1., float('nan')]))
    tensor([False,  True])
    """
    return apply(_ISNAN, input)


def isinf(input: Any) -> Any:
    """Which elements are +-inf."""
    return apply(_ISINF, input)


def isfinite(input: Any) -> Any:
    """Which elements are finite."""
    return apply(_ISFINITE, input)


def signbit(input: Any) -> Any:
    """Whether the sign bit is set: negative numbers, ``-0.0`` and ``-inf``
    (the closed form is ``x < 0``).

    >>> import symgrad
    >>> symgrad.signbit(symgrad.tensor([-1., -0., 0., 2.]))
    tensor([ True,  True, False, False])
    """
    return apply(_SIGNBIT, input)


def isposinf(input: Any) -> Any:
    """Which elements are ``+inf``: ``isinf(x) & (x > 0)``.

    >>> import symgrad
    >>> symgrad.isposinf(symgrad.tensor([-float('inf'), 1., float('inf')]))
    tensor([False, False,  True])
    """
    return logical_and(isinf(input), gt(input, 0))


def isneginf(input: Any) -> Any:
    """Which elements are ``-inf``: ``isinf(x) & (x < 0)``."""
    return logical_and(isinf(input), lt(input, 0))


def isreal(input: Any) -> Any:
    """Which elements are real: all of them (symgrad has no complex dtypes).

    >>> import symgrad
    >>> symgrad.isreal(symgrad.tensor([1., 2.]))
    tensor([True, True])
    """
    from symgrad.creation import ones_like

    return ones_like(input, dtype=bool)


def equal(input: Any, other: Any) -> bool:
    """True when both tensors have the same shape and elements.

    >>> import symgrad
    >>> symgrad.equal(symgrad.tensor([1., 2.]), symgrad.tensor([1., 2.]))
    True
    """
    a, b = _values(input), _values(other)
    return a.shape == b.shape and bool(np.array_equal(a, b))


def isclose(input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Any:
    """Elementwise ``|input - other| <= atol + rtol * |other|``, as a bool tensor (numbers only)."""
    from symgrad.creation import as_tensor

    return as_tensor(np.isclose(_values(input), _values(other), rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    """True when every element is close (see ``isclose``).

    >>> import symgrad
    >>> symgrad.allclose(symgrad.tensor([1.0]), symgrad.tensor([1.0 + 1e-9]))
    True
    """
    return bool(np.allclose(_values(input), _values(other), rtol=rtol, atol=atol, equal_nan=equal_nan))


def _values(x: Any) -> np.ndarray:
    from symgrad.creation import as_tensor

    return as_tensor(x)._value
