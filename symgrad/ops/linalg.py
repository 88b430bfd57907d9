"""Products: matmul (``@``) in all its NumPy/PyTorch shapes, dot, mm, mv,
outer, addmm, and ``symgrad.linalg.cross``.  Rules handle the 1-d cases of matmul; batch broadcasting is
undone by the engine."""

from __future__ import annotations

from typing import Any

import numpy as np

from symgrad.dispatch import apply
from symgrad.ops._sympy import sp
from symgrad.ops._util import norm_dim
from symgrad.ops._util import tensor_arg as _t
from symgrad.ops.registry import called, defop
from symgrad.ops.shape import _expand, _index, _reshape, _squeeze_last, _transpose, _unsqueeze

__all__ = ["matmul", "mm", "mv", "dot", "vdot", "inner", "outer", "ger", "addmm", "bmm", "linear", "cross"]


def _mm(x: Any, y: Any) -> Any:
    return apply(_MATMUL, x, y)


def _matmul_grad_x(g: Any, out: Any, x: Any, y: Any) -> Any:
    if x.ndim == 1 and y.ndim == 1:
        return g * y
    if y.ndim == 1:
        return _unsqueeze(g, g.ndim) * y
    if x.ndim == 1:
        return _squeeze_last(_mm(y, _unsqueeze(g, g.ndim)))
    return _mm(g, _transpose(y, -2 % y.ndim, -1 % y.ndim))


def _matmul_grad_y(g: Any, out: Any, x: Any, y: Any) -> Any:
    if x.ndim == 1 and y.ndim == 1:
        return g * x
    if x.ndim == 1:
        return _unsqueeze(x, 1) * _unsqueeze(g, g.ndim - 1)
    if y.ndim == 1:
        return _squeeze_last(_mm(_transpose(x, -2 % x.ndim, -1 % x.ndim), _unsqueeze(g, g.ndim)))
    return _mm(_transpose(x, -2 % x.ndim, -1 % x.ndim), g)


def _matmul_sym(x: Any, y: Any) -> Any:
    if x.ndim == 1 and y.ndim == 1:
        return sp.Add(*[a * b for a, b in zip(x, y)])
    return np.matmul(x, y)


_MATMUL = defop("matmul", np.matmul, _matmul_sym, inputs=("x", "y"), promote="common", backward_name="MmBackward0",
                vjp=(_matmul_grad_x, _matmul_grad_y))

_DOT = defop("dot", np.dot, lambda x, y: sp.Add(*[a * b for a, b in zip(x, y)]), inputs=("x", "y"),
             promote="common",
             vjp=(lambda g, out, x, y: g * y,
                  lambda g, out, x, y: g * x))

def _addmm(b: Any, x: Any, y: Any, beta: Any, alpha: Any) -> Any:
    out = x @ y if alpha == 1 else alpha * (x @ y)
    return out + b if beta == 1 else out + beta * b


_ADDMM = defop("addmm", _addmm,
               lambda b, x, y, beta, alpha: beta * b + alpha * np.matmul(x, y),
               inputs=("b", "x", "y"), params=("beta", "alpha"), promote="common",
               vjp=(lambda g, out, b, x, y, beta, alpha: g * beta if beta != 1 else g,
                    lambda g, out, b, x, y, beta, alpha: _scaled(_mm(g, _transpose(y, 0, 1)), alpha),
                    lambda g, out, b, x, y, beta, alpha: _scaled(_mm(_transpose(x, 0, 1), g), alpha)))


def _scaled(v: Any, alpha: Any) -> Any:
    return v if alpha == 1 else v * alpha


# A fused linear layer, as PyTorch has one: one node instead of a transpose and
# an addmm (measured: it halves the forward cost of nn.Linear).
def _linear_grad_w(g: Any, x: Any, w: Any) -> Any:
    if g.ndim != 2:  # a single row, or batches of rows: one matrix of rows
        g = _reshape(g, (-1, w.shape[0]))
        x = _reshape(x, (-1, w.shape[1]))
    return _mm(_transpose(g, 0, 1), x)


_LINEAR = defop("linear", lambda x, w, b: np.matmul(x, w.T) + b, lambda x, w, b: np.matmul(x, w.T) + b,
                inputs=("x", "w", "b"), promote="common", backward_name="AddmmBackward0",
                vjp=(lambda g, out, x, w, b: _mm(g, w),
                     lambda g, out, x, w, b: _linear_grad_w(g, x, w),
                     lambda g, out, x, w, b: g))
_LINEAR_NOBIAS = defop("linear_nobias", lambda x, w: np.matmul(x, w.T), lambda x, w: np.matmul(x, w.T),
                       inputs=("x", "w"), promote="common", backward_name="MmBackward0",
                       vjp=(lambda g, out, x, w: _mm(g, w),
                            lambda g, out, x, w: _linear_grad_w(g, x, w)))


def _shapes_error(name: str, x: Any, y: Any) -> RuntimeError:
    return RuntimeError(f"{name}: shapes {list(x.shape)} and {list(y.shape)} cannot be multiplied "
                        f"(the last dim of the first must equal the {'first' if y.ndim == 1 else 'second-to-last'} "
                        "dim of the second)")


def matmul(input: Any, other: Any) -> Any:
    """Matrix product with NumPy/PyTorch semantics (1-d, 2-d, batched).

    >>> import symgrad
    >>> W = symgrad.tensor([[1., 2.], [3., 4.]], name="W")
    >>> v = symgrad.tensor([1., 1.])
    >>> (W @ v).expr
    [W[0, 0] + W[0, 1], W[1, 0] + W[1, 1]]
    """
    x, y = _t(input), _t(other)
    if x.ndim == 0 or y.ndim == 0:
        raise RuntimeError("both arguments to matmul need to be at least 1D, but they are "
                           f"{x.ndim}D and {y.ndim}D; use * for a scalar product")
    if x.shape[-1] != y.shape[-2 if y.ndim > 1 else 0]:
        raise _shapes_error("matmul", x, y)
    if x.ndim == 1 or y.ndim == 1:  # PyTorch's names of the products it picks: dot, mv (mm otherwise)
        if x.ndim == 1 and y.ndim == 1:
            return called(apply(_MATMUL, x, y), _MATMUL, "DotBackward0")
        if y.ndim == 1 and x.ndim == 2:
            return called(apply(_MATMUL, x, y), _MATMUL, "MvBackward0")
    return apply(_MATMUL, x, y)


def mm(input: Any, mat2: Any) -> Any:
    """Product of two matrices (2-d only).

    >>> import symgrad
    >>> symgrad.mm(symgrad.eye(2), symgrad.tensor([[1., 2.], [3., 4.]]))
    tensor([[1., 2.],
            [3., 4.]])
    """
    x, y = _t(input), _t(mat2)
    if x.ndim != 2 or y.ndim != 2:
        raise RuntimeError(f"mm: both arguments must be 2D matrices, got {x.ndim}D and {y.ndim}D")
    return matmul(x, y)


def bmm(input: Any, mat2: Any) -> Any:
    """Batched matrix product (3-d only)."""
    x, y = _t(input), _t(mat2)
    if x.ndim != 3 or y.ndim != 3:
        raise RuntimeError(f"bmm: both arguments must be 3D tensors, got {x.ndim}D and {y.ndim}D")
    return matmul(x, y)


def mv(input: Any, vec: Any) -> Any:
    """Matrix times vector."""
    x, y = _t(input), _t(vec)
    if x.ndim != 2 or y.ndim != 1:
        raise RuntimeError(f"mv: expected a 2D matrix and a 1D vector, got {x.ndim}D and {y.ndim}D")
    return matmul(x, y)


def dot(input: Any, other: Any) -> Any:
    """Dot product of two 1-d tensors.

    >>> import symgrad
    >>> X = symgrad.tensor([1.5, 2.5, 3.5])
    >>> W = symgrad.tensor([0.2, 0.4, 0.6], requires_grad=True)
    >>> symgrad.dot(X, W).expr
    1.5*W[0] + 2.5*W[1] + 3.5*W[2]
    """
    x, y = _t(input), _t(other)
    if x.ndim != 1 or y.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {x.ndim}D and {y.ndim}D tensors")
    if x.shape[0] != y.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{x.shape[0]}] and src [{y.shape[0]}] to "
                           "have the same number of elements, but got "
                           f"{x.shape[0]} and {y.shape[0]} elements respectively")
    return apply(_DOT, x, y)


vdot = dot


def inner(input: Any, other: Any) -> Any:
    """Sum of products over the last dimension of each (``dot`` for vectors,
    a product when one is 0-d), as ``torch.inner``.

    >>> import symgrad
    >>> symgrad.inner(symgrad.tensor([[1., 2.], [3., 4.]]), symgrad.tensor([[1., 0.], [1., 1.]]))
    tensor([[1., 3.],
            [3., 7.]])
    """
    x, y = _t(input), _t(other)
    if x.ndim == 0 or y.ndim == 0:
        return x * y
    if x.shape[-1] != y.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(x.shape)} and {list(y.shape)}")
    if x.ndim == 1 and y.ndim == 1:
        return dot(x, y)
    from symgrad.ops.assembly import tensordot

    return tensordot(x, y, dims=([x.ndim - 1], [y.ndim - 1]))


def outer(input: Any, vec2: Any) -> Any:
    """Outer product of two vectors.

    >>> import symgrad
    >>> symgrad.outer(symgrad.tensor([1., 2.]), symgrad.tensor([3., 4.]))
    tensor([[3., 4.],
            [6., 8.]])
    """
    x, y = _t(input), _t(vec2)
    if x.ndim != 1 or y.ndim != 1:
        raise RuntimeError(f"outer: expected 1D vectors, got {x.ndim}D and {y.ndim}D")
    return _reshape(x, (x.shape[0], 1)) * _reshape(y, (1, y.shape[0]))


ger = outer


def addmm(input: Any, mat1: Any, mat2: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:
    """``beta * input + alpha * (mat1 @ mat2)`` (what ``nn.Linear`` uses)."""
    b, x, y = _t(input), _t(mat1), _t(mat2)
    if x.ndim != 2 or y.ndim != 2:
        raise RuntimeError(f"addmm: mat1 and mat2 must be matrices, got {x.ndim}D and {y.ndim}D")
    if x.shape[1] != y.shape[0]:
        raise _shapes_error("addmm", x, y)
    return apply(_ADDMM, b, x, y, beta=beta, alpha=alpha)


def linear(input: Any, weight: Any, bias: Any = None) -> Any:
    """``input @ weight.T + bias`` (``addmm`` for 2-d input, as PyTorch).

    >>> import symgrad
    >>> symgrad.linear(symgrad.tensor([[1., 2.]]), symgrad.tensor([[3., 4.]]), symgrad.tensor([0.5]))
    tensor([[11.5000]])
    """
    x, w = _t(input), _t(weight)
    xs, ws = x._value.shape, w._value.shape
    if len(ws) != 2 or not xs:
        out = matmul(x, w)
        return out if bias is None else out + bias
    if xs[-1] != ws[1]:
        raise _shapes_error("linear", x, _transpose(w, 0, 1))
    if bias is None:
        return apply(_LINEAR_NOBIAS, x, w)
    return apply(_LINEAR, x, w, _t(bias))


def cross(input: Any, other: Any, dim: Any = None) -> Any:
    """``torch.cross``: ``linalg.cross`` along ``dim``, which defaults (with
    PyTorch's deprecation warning) to the first dim of size 3.

    >>> import symgrad
    >>> symgrad.cross(symgrad.tensor([1., 0., 0.]), symgrad.tensor([0., 1., 0.]), dim=0)
    tensor([0., 0., 1.])
    """
    if dim is None:
        import warnings

        x = _t(input)
        dim = next((d for d, n in enumerate(x.shape) if n == 3), None)
        if dim is None:
            raise RuntimeError(f"no dimension of size 3 in input (shape {list(x.shape)}); pass dim=")
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the dim "
                      "explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to agree "
                      "with that of linalg.cross in a future release.", UserWarning, stacklevel=2)
    return linalg_cross(input, other, dim=dim)


def linalg_cross(input: Any, other: Any, *, dim: int = -1) -> Any:
    """``torch.linalg.cross``: the cross product of 3-vectors along ``dim``
    (batches broadcast), composed from indexing, ``*`` and ``-``.

    >>> import symgrad
    >>> a = symgrad.tensor([1., 2., 3.], requires_grad=True)
    >>> b = symgrad.tensor([4., 5., 6.], requires_grad=True)
    >>> symgrad.linalg.cross(a, b).expr
    [a[1]*b[2] - a[2]*b[1], -a[0]*b[2] + a[2]*b[0], a[0]*b[1] - a[1]*b[0]]
    """
    x, y = _t(input), _t(other)
    if x._value.dtype != y._value.dtype:
        raise RuntimeError(f"linalg.cross: expected both inputs to have the same dtype, got {x.dtype} and {y.dtype}")
    if x.ndim != y.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    try:
        shape = np.broadcast_shapes(tuple(x.shape), tuple(y.shape))
    except ValueError:
        raise RuntimeError(f"linalg.cross: the shapes {list(x.shape)} and {list(y.shape)} do not broadcast") from None
    d = norm_dim(dim, len(shape))
    size_x, size_y = (x.shape[d], y.shape[d]) if shape else (0, 0)
    if size_x != 3 or size_y != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {size_x} and {size_y}")
    x, y = _expand(x, shape), _expand(y, shape)
    ahead = (slice(None),) * d

    def rotated(t: Any, order: list[int]) -> Any:
        return _index(t, ahead + (np.array(order),))
    return rotated(x, [1, 2, 0]) * rotated(y, [2, 0, 1]) - rotated(x, [2, 0, 1]) * rotated(y, [1, 2, 0])
