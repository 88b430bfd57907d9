"""``cov`` and ``corrcoef``, composed as PyTorch composes them
(ATen's Correlation.cpp): weighted means, centred rows, one matrix product,
a division by the degrees of freedom; ``corrcoef`` divides by the standard
deviations and clips to [-1, 1].  Gradients reach the input and, when they
require grad, ``aweights``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from symgrad._tensor import Tensor
from symgrad.ops._util import SCALAR_TYPES
from symgrad.ops.linalg import matmul
from symgrad.ops.reductions import sum as _sum
from symgrad.ops.selection import clamp
from symgrad.ops.shape import _reshape, _transpose
from symgrad.ops.structure import diagonal
from symgrad.ops.unary import sqrt

__all__ = ["cov", "corrcoef"]


def cov(input: Any, *, correction: int = 1, fweights: Any = None, aweights: Any = None) -> Any:
    """Covariance matrix of the variables in ``input``'s rows (one row: a
    number), observations in columns; ``correction=1`` is Bessel's,
    ``fweights`` are integer frequencies and ``aweights`` observation weights.

    >>> import symgrad
    >>> x = symgrad.tensor([[0., 1., 2.], [2., 1., 0.]])
    >>> symgrad.cov(x)
    tensor([[ 1., -1.],
            [-1.,  1.]])
    >>> a = symgrad.tensor([1., 3.], requires_grad=True)
    >>> symgrad.cov(a).expr
    (-a[0]/2 + a[1]/2)**2 + (a[0]/2 - a[1]/2)**2
    """
    x = _input(input, "cov")
    if isinstance(correction, bool) or not isinstance(correction, (int, np.integer)):
        raise TypeError(f"cov(): argument 'correction' must be int, not {type(correction).__name__}")
    rows = _reshape(x, (1, -1)) if x.ndim < 2 else x
    n = rows.shape[1]
    w = _weights(fweights, "fweights", n, integral=True)
    aw = _weights(aweights, "aweights", n, integral=False)
    if aw is not None:
        w = aw if w is None else w * aw
    total = n if w is None else _sum(w)
    if w is not None and not total._value:
        raise RuntimeError("cov(): weights sum to zero, can't be normalized")
    mean = _sum(rows if w is None else rows * w, 1) / total
    centred = rows - _reshape(mean, (-1, 1))
    product = matmul(centred, _transpose(centred if w is None else centred * w, 0, 1))
    return _reshape(product / _degrees_of_freedom(total, correction, w, aw), _squeezed(product.shape))


def _degrees_of_freedom(total: Any, correction: int, w: Any, aw: Any) -> Any:
    """PyTorch's normalisation: ``sum(w) - correction`` (with ``aweights``,
    ``correction`` times ``sum(w * aweights) / sum(w)``); 0, with its warning,
    where that is not positive (the covariance is then inf or nan)."""
    if w is not None and aw is not None and correction != 0:
        factor = total - correction * _sum(w * aw) / total
    else:
        factor = total - correction
    if float(factor._value if isinstance(factor, Tensor) else factor) <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less than the number of "
                      "observations.", UserWarning, stacklevel=3)
        return factor * 0
    return factor


def _squeezed(shape: Any) -> tuple[int, ...]:
    return tuple(n for n in shape if n != 1)


def _input(v: Any, fn: str) -> Tensor:
    if not isinstance(v, Tensor):
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not {type(v).__name__}")
    if v.ndim > 2:
        raise RuntimeError(f"{fn}(): expected input to have two or fewer dimensions but got an input with "
                           f"{v.ndim} dimensions (variables in rows, observations in columns)")
    return v


def _weights(w: Any, name: str, n: int, integral: bool) -> Any:
    """``fweights`` or ``aweights`` after PyTorch's checks (None stays None)."""
    if w is None:
        return None
    if not isinstance(w, Tensor):
        raise TypeError(f"cov(): argument '{name}' must be Tensor, not {type(w).__name__}")
    if w.ndim > 1:
        raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got {name} with {w.ndim} "
                           "dimensions")
    kind = w._value.dtype.kind
    if integral and kind not in "iu":
        raise RuntimeError(f"cov(): expected fweights to have integral dtype but got fweights with "
                           f"{SCALAR_TYPES[w._value.dtype.name]} dtype (frequencies are counts)")
    if not integral and kind != "f":
        raise RuntimeError(f"cov(): expected aweights to have floating point dtype but got aweights with "
                           f"{SCALAR_TYPES[w._value.dtype.name]} dtype")
    if w.numel() != n:
        raise RuntimeError(f"cov(): expected {name} to have the same numel as there are observations in the input "
                           f"but got {w.numel()} != {n}")
    if (w._value < 0).any():
        raise RuntimeError(f"cov(): {name} cannot be negative")
    return w


def corrcoef(input: Any) -> Any:
    """Pearson correlation coefficients of the variables in ``input``'s rows:
    ``cov`` divided by the standard deviations, clipped to [-1, 1].

    >>> import symgrad
    >>> symgrad.corrcoef(symgrad.tensor([[1., 2., 4.], [3., 1., 0.]]))
    tensor([[ 1.0000, -0.9286],
            [-0.9286,  1.0000]])
    """
    c = cov(_input(input, "corrcoef"))
    if c.ndim == 0:
        return c / c
    deviations = sqrt(diagonal(c))
    c = c / _reshape(deviations, (-1, 1))
    c = c / _reshape(deviations, (1, -1))
    return clamp(c, -1, 1)
