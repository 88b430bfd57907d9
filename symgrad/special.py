"""``symgrad.special``: PyTorch's ``torch.special`` names.

``gammainc`` and ``gammaincc`` are the regularized incomplete gamma
functions (the ops ``igamma`` and ``igammac`` of ``symgrad.ops.special``);
the other names are PyTorch's aliases of functions symgrad already has
(``special.gammaln`` is ``lgamma``, ``special.expit`` is ``sigmoid``...).
Loaded on first use of ``symgrad.special``.

>>> import symgrad
>>> x = symgrad.tensor([0.5, 2.], requires_grad=True)
>>> symgrad.special.gammainc(symgrad.tensor([1., 3.]), x)
tensor([0.3935, 0.3233], grad_fn=<IgammaBackward0>)
"""

from __future__ import annotations

from typing import Any

from symgrad import ops

__all__ = ["gammainc", "gammaincc", "gammaln", "digamma", "psi", "polygamma", "erf", "erfc", "erfinv", "expit",
           "logit", "exp2", "expm1", "log1p", "i0", "sinc", "xlogy", "logsumexp"]


def gammainc(input: Any, other: Any) -> Any:
    """The regularized lower incomplete gamma function ``P(a, x)`` of
    ``a = input``, ``x = other`` (both tensors): PyTorch's
    ``torch.special.gammainc``, differentiable in ``other`` only (the
    derivative in ``input`` raises NotImplementedError, as PyTorch's).

    >>> import symgrad
    >>> symgrad.special.gammainc(symgrad.tensor([2.]), symgrad.tensor([1.5]))
    tensor([0.4422])
    """
    return ops.igamma(input, other)


def gammaincc(input: Any, other: Any) -> Any:
    """The regularized upper incomplete gamma function ``Q(a, x) = 1 - P(a, x)``:
    PyTorch's ``torch.special.gammaincc``.

    >>> import symgrad
    >>> symgrad.special.gammaincc(symgrad.tensor([2.]), symgrad.tensor([1.5]))
    tensor([0.5578])
    """
    return ops.igammac(input, other)


# PyTorch's aliases of functions symgrad has (this module loads on first use: their op families load with it)
gammaln, digamma, psi, polygamma = ops.lgamma, ops.digamma, ops.digamma, ops.polygamma
erf, erfc, erfinv, expit, logit = ops.erf, ops.erfc, ops.erfinv, ops.sigmoid, ops.logit
exp2, expm1, log1p, i0, sinc = ops.exp2, ops.expm1, ops.log1p, ops.i0, ops.sinc
xlogy, logsumexp = ops.xlogy, ops.logsumexp
