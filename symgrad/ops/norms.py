"""Vector and matrix norms (``symgrad.linalg.vector_norm``, ``matrix_norm``,
``norm``).

``vector_norm`` is one op-table entry rather than a composition of ``sqrt``,
``sum`` and ``where``: the closed form then reads ``sqrt(x[0]**2 + x[1]**2)``
(the composition needs a guard for the zero vector in its *value*, which put
a ``Piecewise`` into every closed form), and the guard moves into the rule,
where PyTorch has it: the gradient of the 2-norm at the zero vector is 0.
Matrix norms are compositions: ``fro`` is the vector norm of the last two
dimensions, ``1``/``inf`` (and ``-1``/``-inf``) the largest (smallest)
absolute column (row) sum, ``nuc``, ``2`` and ``-2`` the sum, largest and
smallest singular value (``linalg.svdvals``: numbers and gradients, no
closed form).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from symgrad.dispatch import apply
from symgrad.ops._sympy import num, sp
from symgrad.ops._util import kept_shape, norm_dims, sym_reduce, tensor_arg
from symgrad.ops.matrices import _floating
from symgrad.ops.reductions import _sum, amax, amin
from symgrad.ops.registry import composed, defop
from symgrad.ops.selection import where
from symgrad.ops.shape import _reshape
from symgrad.ops.unary import abs as _abs
from symgrad.ops.unary import sign

# symgrad.linalg's functions are not top-level functions of PyTorch; renorm is
__all__: list[str] = ["renorm"]


def _norm_of(items: list[Any], order: float) -> Any:
    if order == 2:  # (leaf symbols are real: x**2, not Abs(x)**2)
        return sp.sqrt(sp.Add(*[e ** 2 for e in items]))
    if order == 1:
        return sp.Add(*[sp.Abs(e) for e in items])
    if order == math.inf:
        return sp.Max(*[sp.Abs(e) for e in items])
    if order == -math.inf:
        return sp.Min(*[sp.Abs(e) for e in items])
    p = num(order)
    return sp.Add(*[sp.Abs(e) ** p for e in items]) ** (1 / p)


def _vector_norm_grad(g: Any, out: Any, x: Any, order: float, dims: Any, keepdim: bool) -> Any:
    shape = kept_shape(x.shape, dims)
    g, out = _reshape(g, shape), _reshape(out, shape)
    if order == 2:  # x / |x|, and 0 at the zero vector (PyTorch's masked_fill)
        return x * where(out == 0, 0.0, g / out)
    if order == 1:
        return g * sign(x)
    if order in (math.inf, -math.inf):  # shared evenly among the elements that reach the norm, as amax's rule
        hit = _abs(x) == out
        return g * sign(x) * hit / _sum(hit, dims, True)
    if order < 1:  # PyTorch's: |x|**(p-1) is infinite at x = 0, where the gradient is 0 (masked_fill)
        return where(x == 0, 0.0, sign(x) * _abs(x) ** (order - 1)) * g * out ** (1 - order)
    return sign(x) * _abs(x) ** (order - 1) * where(out == 0, 0.0, g / out ** (order - 1))


_VECTOR_NORM = defop("vector_norm",
                     lambda x, order, dims, keepdim: np.linalg.vector_norm(x, ord=order, axis=dims, keepdims=keepdim),
                     lambda x, order, dims, keepdim: sym_reduce(x, dims, keepdim, lambda items: _norm_of(items, order)),
                     params=("order", "dims", "keepdim"), backward_name="LinalgVectorNormBackward0",
                     vjp=(_vector_norm_grad,))


def _order(name: str, ord: Any) -> float:
    if isinstance(ord, bool) or not isinstance(ord, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}(): argument 'ord' must be Number, not {type(ord).__name__}")
    return float(ord)


def vector_norm(x: Any, ord: Any = 2, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Any:
    """The ``ord``-norm of ``x`` over ``dim`` (all elements when None):
    ``2`` (the default), ``1``, ``inf``, ``-inf``, ``0`` (the count of nonzero
    elements, outside the graph) or any other number ``p``, ``sum(|x|**p)**(1/p)``.

    >>> import symgrad
    >>> x = symgrad.tensor([3., 4.], requires_grad=True)
    >>> symgrad.linalg.vector_norm(x).expr
    sqrt(x[0]**2 + x[1]**2)
    >>> symgrad.diff(symgrad.linalg.vector_norm(x, 1), x)
    [sign(x[0]), sign(x[1])]
    """
    t = tensor_arg(x)
    if dtype is not None:
        t = t.to(dtype)
    _floating("linalg.vector_norm", t)
    p = _order("linalg_vector_norm", ord)
    dims = norm_dims(dim, t.ndim)
    if p == 0:
        return _sum(t != 0, dims, bool(keepdim)).to(t.dtype)
    if np.isinf(p) and 0 in (t.shape if dims is None else [t.shape[d] for d in dims]):
        # (max and min of no elements have no value; NumPy's answer was 0)
        raise RuntimeError(f"linalg.vector_norm cannot compute the {'-' if p < 0 else ''}inf norm on an empty "
                           "tensor because the operation does not have an identity")
    return apply(_VECTOR_NORM, t, order=p, dims=dims, keepdim=bool(keepdim))


_SINGULAR_VALUE_NORMS = ("nuc", 2, -2)


def matrix_norm(A: Any, ord: Any = "fro", dim: Any = (-2, -1), keepdim: bool = False, *,  # noqa: N803
                dtype: Any = None) -> Any:
    """A norm of each matrix in the dimensions ``dim``: ``"fro"`` (the
    default, the 2-norm of the elements), ``1``/``-1`` (largest/smallest
    absolute column sum), ``inf``/``-inf`` (the same over rows), ``"nuc"``,
    ``2``/``-2`` (the sum, largest, smallest singular value: no closed form).

    >>> import symgrad
    >>> symgrad.linalg.matrix_norm(symgrad.tensor([[1., -2.], [3., 4.]]), 1)
    tensor(6.)
    >>> symgrad.linalg.matrix_norm(symgrad.tensor([[3., 0.], [0., -4.]]), "nuc")
    tensor(7.)
    """
    a = tensor_arg(A)
    if dtype is not None:
        a = a.to(dtype)
    if a.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    _floating("linalg.matrix_norm", a)
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {dim}")
    rows, cols = norm_dims(dim[0], a.ndim), norm_dims(dim[1], a.ndim)
    assert rows is not None and cols is not None
    if rows == cols:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    if ord == "fro":
        return apply(_VECTOR_NORM, a, order=2.0, dims=tuple(sorted(rows + cols)), keepdim=bool(keepdim))
    if ord in _SINGULAR_VALUE_NORMS:
        return _singular_value_norm(a, ord, rows[0], cols[0], bool(keepdim))
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if ord not in (1, -1, math.inf, -math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    summed, over = (rows, cols) if ord in (1, -1) else (cols, rows)  # 1: column sums (over rows), inf: row sums
    sums = _sum(_abs(a), summed, True)
    if a.shape[over[0]] == 0:  # no column (row) sums: PyTorch's largest is 0 (sums are never negative),
        if ord < 0:            # and the smallest has no value
            raise RuntimeError(f"linalg.matrix_norm: ord={ord} of matrices with no "
                               f"{'columns' if ord == -1 else 'rows'} has no value (the smallest of no sums)")
        out = _sum(sums, over, True)  # (zeros of the right shape, in the graph)
    else:
        out = (amax if ord > 0 else amin)(sums, over[0], True)
    if keepdim:
        return out
    return _reshape(out, tuple(s for i, s in enumerate(a.shape) if i not in rows + cols))


def _singular_value_norm(a: Any, ord: Any, row: int, col: int, keepdim: bool) -> Any:
    """``"nuc"`` (the sum), ``2`` (the largest) or ``-2`` (the smallest) of the
    singular values, as PyTorch composes them: numbers and gradients through
    ``svdvals``, which has no closed form."""
    from symgrad.ops.decompositions import svdvals

    values = svdvals(a.movedim((row, col), (-2, -1)))
    last = values.ndim - 1
    out = _sum(values, (last,), False) if ord == "nuc" else (amax if ord == 2 else amin)(values, last, False)
    if not keepdim:
        return out
    return _reshape(out, tuple(1 if i in (row, col) else n for i, n in enumerate(a.shape)))


def norm(A: Any, ord: Any = None, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Any:  # noqa: N803
    """``torch.linalg.norm``: with ``ord`` None, the 2-norm of the elements
    over ``dim`` (all of them when None); with ``ord`` given, a vector norm
    when ``dim`` is an int or ``A`` is 1-d, a matrix norm when ``dim`` is a
    pair or ``A`` is 2-d.

    >>> import symgrad
    >>> symgrad.linalg.norm(symgrad.tensor([[3., 0.], [0., 4.]]))
    tensor(5.)
    """
    a = tensor_arg(A)
    if isinstance(dim, (int, np.integer)) and not isinstance(dim, bool):
        dim = (int(dim),)
    if dim is not None and len(dim) == 2 and ord is not None:
        return matrix_norm(a, ord, dim, keepdim, dtype=dtype)
    if dim is not None and len(dim) not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dim)}")
    if ord is None:
        return vector_norm(a, 2, dim, keepdim, dtype=dtype)
    if dim is None:
        if a.ndim == 2:
            return matrix_norm(a, ord, (-2, -1), keepdim, dtype=dtype)
        if a.ndim != 1:
            raise RuntimeError("linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                               f"Got {a.ndim}D.")
    return vector_norm(a, ord, dim, keepdim, dtype=dtype)


def renorm(input: Any, p: Any, dim: int, maxnorm: Any) -> Any:
    """Each slice ``input.select(dim, i)`` whose ``p``-norm exceeds ``maxnorm``
    scaled down to norm ``maxnorm``, PyTorch's way: by ``maxnorm / (norm + 1e-7)``
    (a factor 1 elsewhere), so the gradient is that composition's.

    >>> import symgrad
    >>> symgrad.renorm(symgrad.tensor([[3., 4.], [0.3, 0.4]]), 2, 0, 1.0)
    tensor([[0.6000, 0.8000],
            [0.3000, 0.4000]])
    """
    x = tensor_arg(input)
    order = _order("renorm", p)
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"renorm(): argument 'dim' (position 3) must be int, not {type(dim).__name__}")
    if order <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    limit = _order("renorm", maxnorm)
    if limit < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    if x.ndim < 2:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {x.ndim} dimensions")
    kept = norm_dims(dim, x.ndim)
    assert kept is not None
    norm = vector_norm(x, order, tuple(d for d in range(x.ndim) if d not in kept), keepdim=True)
    return composed(x * where(norm > limit, limit / (norm + 1e-7), 1.0), "RenormBackward0", x)
