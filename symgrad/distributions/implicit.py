"""Gamma samples with implicit reparameterization gradients (Figurnov et al., 2018),
the kind PyTorch's ``Gamma.rsample`` has: the sample ``x`` of Gamma(a, 1) moves with
``a`` so that its quantile ``u = P(a, x)`` (the regularized lower incomplete gamma
function, the CDF) stays fixed, so

    dx/da = -(dP/da) / (dP/dx) = -(dP/da)(a, x) / density(a, x).

That is the exact pathwise derivative: averaged over samples it is the gradient
of the expectation.  PyTorch computes the same derivative with its own
approximations; ours comes from P's series (below), so per-sample gradients
agree with PyTorch's to PyTorch's accuracy (about 1e-3 relative), not to the
last digit.

P(a, x) = sum_{n>=0} x^(a+n) e^(-x) / Gamma(a+n+1); differentiated term by term
in ``a`` and divided by the density x^(a-1) e^(-x) / Gamma(a):

    dx/da = -x * sum_{n>=0} r_n * (log x - digamma(a+n+1)),
    r_0 = 1/a,  r_{n+1} = r_n * x / (a+n+1)

(no exponentials, so no underflow for tiny ``a`` or ``x``).  The series needs
about ``x + 40 sqrt(x)`` terms; beyond ``a = 1e4`` the Wilson-Hilferty
approximation x = a (1 - 1/(9a) + z/(3 sqrt(a)))^3 with z held fixed is used
(relative error about 1e-8 there; the series agrees with mpmath's
incomplete gamma function to 1e-11).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import symgrad
from symgrad._tensor import Size, Tensor
from symgrad.autograd.function import Function, once_differentiable
from symgrad.creation import generator
from symgrad.ops._special_numbers import digamma

__all__ = ["standard_gamma", "standard_gamma_grad"]

_LARGE = 1e4


def standard_gamma_grad(a: Any, x: Any) -> np.ndarray:
    """dx/da of a Gamma(a, 1) sample ``x`` at a fixed quantile (float64 numbers).

    >>> from symgrad.distributions.implicit import standard_gamma_grad
    >>> round(float(standard_gamma_grad(2.5, 0.2)), 12)
    0.231394417529
    """
    a, x = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(x, dtype=np.float64))
    out = np.empty(a.shape)
    large = a > _LARGE
    out[large] = _wilson_hilferty_grad(a[large], x[large])
    out[~large] = _series_grad(a[~large], x[~large])
    return out


def _series_grad(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    log_x = np.log(x)
    r = 1 / a
    psi = digamma(a + 1)
    total = r * (log_x - psi)
    size = r * np.abs(log_x - psi)  # (sum of absolute terms: the scale of rounding, the stopping test)
    n, active = 0, np.ones(a.shape, dtype=bool)
    limit = int(np.max(x, initial=0.0) + 40 * np.sqrt(np.max(x, initial=0.0)) + 100)
    while active.any() and n < limit:
        psi = psi + 1 / (a + n + 1)
        r = r * x / (a + n + 1)
        n += 1
        term = r * (log_x - psi)
        total = np.where(active, total + term, total)
        size = np.where(active, size + np.abs(term), size)
        # (past the peak the terms fall geometrically: stop when they no longer change the sum)
        active = active & ~((n > x - a) & (np.abs(term) <= 1e-17 * size))
    return -x * total


def _wilson_hilferty_grad(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    root = np.sqrt(a)
    z = ((x / a) ** (1 / 3) - 1 + 1 / (9 * a)) * 3 * root
    c = 1 - 1 / (9 * a) + z / (3 * root)
    return c ** 3 + 3 * a * c ** 2 * (1 / (9 * a * a) - z / (6 * a * root))


class _StandardGamma(Function):
    """Gamma(a, 1) samples (NumPy's generator, symgrad's seed) whose gradient
    in ``a`` is the implicit one; computed in backward, only when asked for."""

    @staticmethod
    def forward(ctx: Any, concentration: Tensor) -> Tensor:
        a = concentration.detach().numpy()
        tiny = np.finfo(a.dtype).tiny
        x = np.maximum(generator().standard_gamma(a), tiny)  # (PyTorch's clamp: no zeros)
        ctx.numbers = (a, x)
        return symgrad.tensor(x.astype(a.dtype, copy=False))

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        a, x = ctx.numbers
        return grad * symgrad.tensor(standard_gamma_grad(a, x).astype(a.dtype, copy=False))


def standard_gamma(concentration: Tensor, shape: Size) -> Tensor:
    """Gamma(concentration, 1) samples of ``shape`` (the concentration broadcast
    to it), differentiable in the concentration by the implicit gradient."""
    return _StandardGamma.apply(concentration.expand(shape))
