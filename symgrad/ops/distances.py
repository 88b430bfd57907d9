"""Distances: ``cdist`` (between every pair of rows of two batches of
matrices) and ``dist`` (between two tensors).

Both are ``linalg.vector_norm`` of differences, so closed forms read
``sqrt((x[0, 0] - y[0, 0])**2 + ...)`` and the gradients are the norm's:
0 at a zero distance for ``p = 2``, as PyTorch's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symgrad._tensor import Tensor
from symgrad.ops._util import SCALAR_TYPES
from symgrad.ops.norms import vector_norm
from symgrad.ops.registry import composed
from symgrad.ops.shape import _unsqueeze

__all__ = ["cdist", "dist"]

_COMPUTE_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist")


def cdist(x1: Any, x2: Any, p: float = 2.0, compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Any:
    """The ``p``-norm distance between each row of ``x1`` (``..., P, M``) and
    each row of ``x2`` (``..., R, M``): shape ``(..., P, R)``, batch dims
    broadcast.  ``compute_mode`` is accepted; the distance is always computed
    from the differences (PyTorch's ``"donot_use_mm_for_euclid_dist"``).

    >>> import symgrad
    >>> a = symgrad.tensor([[0., 0.], [3., 4.]], requires_grad=True)
    >>> b = symgrad.tensor([[0., 0.]])
    >>> d = symgrad.cdist(a, b)
    >>> d
    tensor([[0.],
            [5.]], grad_fn=<LinalgVectorNormBackward0>)
    >>> d[1, 0].expr
    sqrt(a[1, 0]**2 + a[1, 1]**2)
    """
    a, b = _matrix_batch(x1, "X1"), _matrix_batch(x2, "X2")
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {a.shape[-1]} X2: {b.shape[-1]}")
    if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)):
        raise TypeError(f"cdist(): argument 'p' must be float, not {type(p).__name__}")
    if not p >= 0:
        raise RuntimeError(f"cdist only supports non-negative p values (got {p})")
    if compute_mode not in _COMPUTE_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode (one of {', '.join(_COMPUTE_MODES)})")
    if a._value.dtype != b._value.dtype:
        raise RuntimeError(f"expected scalar type {SCALAR_TYPES[a._value.dtype.name]} but found "
                           f"{SCALAR_TYPES[b._value.dtype.name]}: cdist wants X1 and X2 of one dtype (convert one)")
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise RuntimeError(f"cdist: the batch shapes {list(a.shape[:-2])} and {list(b.shape[:-2])} do not "
                           "broadcast") from None
    differences = _unsqueeze(a, a.ndim - 1) - _unsqueeze(b, b.ndim - 2)  # (..., P, 1, M) - (..., 1, R, M)
    if p == np.inf and not a.shape[-1]:  # points of no coordinates are 0 apart (vector_norm's inf norm refuses)
        p = 2.0
    return vector_norm(differences, float(p), dim=-1)


def _matrix_batch(x: Any, name: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"cdist(): argument '{name.lower()}' must be Tensor, not {type(x).__name__}")
    if x.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {x.ndim}D (rows of points: "
                           "unsqueeze(0) makes one row)")
    if x._value.dtype.kind != "f":
        raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: "
                           f"{SCALAR_TYPES[x._value.dtype.name]}; convert with .double()")
    return x


def dist(input: Any, other: Any, p: float = 2) -> Any:
    """The ``p``-norm of ``input - other`` (broadcast): ``linalg.vector_norm``.

    >>> import symgrad
    >>> symgrad.dist(symgrad.tensor([1., 2.]), symgrad.tensor([4., 6.]))
    tensor(5.)
    """
    for name, v in (("input", input), ("other", other)):
        if not isinstance(v, Tensor):
            raise TypeError(f"dist(): argument '{name}' must be Tensor, not {type(v).__name__}")
    if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)):
        raise TypeError(f"dist(): argument 'p' must be a number, not {type(p).__name__}")
    difference = input - other
    if difference._value.dtype.kind != "f":
        raise RuntimeError(f"norm(): input dtype should be either floating point or complex. Got "
                           f"{SCALAR_TYPES[difference._value.dtype.name]} instead (convert with .double())")
    return composed(vector_norm(difference, p), "DistBackward0", input, other)
