"""Special functions: ``lgamma``, ``digamma``, ``polygamma``, ``erfinv``,
``i0``, ``sinc``, ``logit``, ``igamma``, ``igammac``.  Their closed forms are
SymPy's own functions (``loggamma(x)``, ``polygamma(n, x)``, ``erfinv(x)``,
``besseli(0, x)``, ``sinc(pi*x)``, ``lowergamma(a, x)/gamma(a)``), so
``sympy.diff`` and symgrad's rules agree; their numbers come from
``_special_numbers`` (NumPy only).

``igamma(a, x)`` and ``igammac(a, x)`` (``symgrad.special.gammainc`` and
``gammaincc``) have a derivative in ``x`` only, the density
``x**(a - 1) e**-x / gamma(a)``: the internal op ``igamma_density``, whose
closed form is PyTorch's formula ``exp((a - 1)*log(x) - x - lgamma(a))``
(nan at ``x = 0, a = 1``, as PyTorch's; generated code computes it) and
whose numbers are that formula's below ``a = 10`` and at the edges, and for
``a >= 10`` Stirling's form, as the values'
(``_special_numbers.gammainc_density``: PyTorch's formula loses
``a*eps``, 3e-5 relative at ``a = 1e10``).  One op, so ``backward()``,
``create_graph``, ``autograd.grad`` and ``derivative`` give the same
numbers; its own derivative in ``x``, ``density*(a - 1 - x)/x``, is the
second derivative (and in ``a``,
``density*(log(x) - digamma(a))``, as PyTorch's graph of its formula).  Their
derivative in ``a`` raises NotImplementedError, as PyTorch's backward does,
rather than giving a wrong 0.

Special points follow PyTorch: ``sinc``'s value at 0 is 1 (SymPy's ``sinc``
is ``sin(x)/x`` with ``sinc(0) = 1``: the closed form ``sinc(pi*x)`` is right
at 0 too) and its derivative there is 0; ``logit``'s derivative is nan
outside ``[0, 1]`` (``logit(x, eps)`` clamps first, so there it is 0 outside
``[eps, 1 - eps]`` and 1 at the bounds, as ``clamp``'s).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from symgrad.dispatch import apply
from symgrad.ops import _special_numbers as _num
from symgrad.ops._sympy import Exact, sp
from symgrad.ops.registry import defop
from symgrad.ops.unary import _unary

__all__ = ["lgamma", "digamma", "polygamma", "erfinv", "i0", "sinc", "logit", "igamma", "igammac"]

PI = Exact(math.pi, lambda: sp.pi)
SQRT_PI_OVER_2 = Exact(math.sqrt(math.pi) / 2, lambda: sp.sqrt(sp.pi) / 2)

lgamma: Callable[[Any], Any] = _unary("lgamma", _num.lgamma, lambda x: sp.loggamma(x),
                                      lambda g, out, x: g * digamma(x), "polygamma(0, x)", value=2.5)
digamma: Callable[[Any], Any] = _unary("digamma", _num.digamma, lambda x: sp.polygamma(0, x),
                                       lambda g, out, x: g * polygamma(1, x), "polygamma(1, x)", value=2.5)
erfinv: Callable[[Any], Any] = _unary("erfinv", _num.erfinv, lambda x: sp.erfinv(x),
                                      lambda g, out, x: g * SQRT_PI_OVER_2 * exp(out * out),
                                      "sqrt(pi)*exp(erfinv(x)**2)/2")
i0: Callable[[Any], Any] = _unary("i0", _num.i0, lambda x: sp.besseli(0, x), lambda g, out, x: g * _i1(x),
                                  "besseli(1, x)", value=1.5)
# i0's derivative, the Bessel function i1 (PyTorch's torch.special.i1, whose backward name it has):
# i1'(x) = i0(x) - i1(x)/x, and 1/2 at 0 (PyTorch's i1_backward)
_i1: Callable[[Any], Any] = _unary(
    "special_i1", _num.i1, lambda x: sp.besseli(1, x),
    lambda g, out, x: g * where(x == 0, 0.5, i0(x) - out / where(x == 0, 1.0, x)),
    "Piecewise((0.5, Eq(x, 0)), (besseli(0, x) - besseli(1, x)/x, True))", value=1.5)

_POLYGAMMA = defop("polygamma", lambda x, n: _num.polygamma(n, x), lambda x, n: sp.polygamma(n, x),
                   params=("n",), elementwise=True, promote="float",
                   vjp=(lambda g, out, x, n: g * polygamma(n + 1, x),))


def _sinc_grad(g: Any, out: Any, x: Any) -> Any:
    px = PI * x
    return where(x == 0, 0.0, g * ((px * cos(px) - sin(px)) / (px * x)))


_SINC = defop("sinc", np.sinc, lambda x: sp.sinc(sp.pi * x), elementwise=True, promote="float",
              vjp=(_sinc_grad,))


def _logit(x: Any) -> Any:
    with np.errstate(divide="ignore", invalid="ignore"):  # (as log's: -inf at 0, nan outside [0, 1])
        return np.log(x / (1 - x))


def _nan_outside_unit(x: Any) -> Any:
    # 0 on [0, 1] and nan outside (the square root of a negative number): PyTorch's logit has a nan
    # derivative where logit is nan.  SymPy's 0*sqrt(...) is 0, so the closed form reads 1/(x*(1 - x));
    # where(outside, nan, ...) would put a nan into it, which SymPy cannot order (printing fails)
    return 0 * sqrt(x * (1 - x))


_LOGIT = defop("logit", _logit, lambda x: sp.log(x / (1 - x)), elementwise=True, promote="float",
               vjp=(lambda g, out, x: g / (x * (1 - x)) + _nan_outside_unit(x),))


def _no_derivative_in_a(name: str) -> Any:
    def rule(g: Any, out: Any, a: Any, x: Any) -> Any:
        raise NotImplementedError(
            f"the derivative of {name}(input, other) in 'input' (the shape parameter a) is not implemented, as in "
            f"PyTorch (the derivative for '{name}: input' is not implemented): detach input, or give it "
            "requires_grad=False; the derivative in 'other' is exp((a - 1)*log(x) - x - lgamma(a))")
    return rule


def _density_numbers(a: Any, x: Any) -> Any:
    # PyTorch's igamma backward formula, exp((a - 1)*log(x) - x - lgamma(a)) (no overflow of x**(a - 1) and
    # gamma(a) for large a; nan at x = 0, a = 1 where PyTorch's is nan), in the arguments' dtype, and for
    # a >= 10 Stirling's form, as the values' (the formula loses ~a*eps: _num.gammainc_density)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        formula = np.exp((a - 1) * np.log(x) - x - _num.lgamma(a))
    return _num.gammainc_density(a, x, formula)


def _density_in_x(g: Any, out: Any, a: Any, x: Any) -> Any:
    # d/dx of x**(a - 1) e**-x / gamma(a) is the density times (a - 1)/x - 1, written as (a - 1 - x)/x:
    # a - 1 and, near x = a - 1, the difference are exact, where (a - 1)/x - 1 would cancel
    return g * out * (a - 1 - x) / x


# d/dx P(a, x) = x**(a - 1) e**-x / gamma(a) (igamma's and igammac's derivative in x): an op of its own, so that
# every path (the numeric backward pass, create_graph, diff) has the accurate numbers.  Its closed form is
# PyTorch's formula (the one generated code computes); its derivative in a, d/da of the formula, is PyTorch's
# (a mixed second derivative of igamma works there: its backward is written in differentiable ops)
_DENSITY = defop("igamma_density", _density_numbers,
                 lambda a, x: sp.exp((a - 1) * sp.log(x) - x - sp.loggamma(a)), inputs=("a", "x"),
                 elementwise=True, promote="common",
                 vjp=(lambda g, out, a, x: g * out * (log(x) - digamma(a)), _density_in_x))


def _density(a: Any, x: Any) -> Any:
    return apply(_DENSITY, a, x)


_IGAMMA = defop("igamma", _num.gammainc, lambda a, x: sp.lowergamma(a, x) / sp.gamma(a), inputs=("a", "x"),
                elementwise=True, promote="common",
                vjp=(_no_derivative_in_a("igamma"), lambda g, out, a, x: g * _density(a, x)))
_IGAMMAC = defop("igammac", _num.gammaincc, lambda a, x: sp.uppergamma(a, x) / sp.gamma(a), inputs=("a", "x"),
                 elementwise=True, promote="common",
                 vjp=(_no_derivative_in_a("igammac"), lambda g, out, a, x: -g * _density(a, x)))


def igamma(input: Any, other: Any) -> Any:
    """The regularized lower incomplete gamma function
    ``P(a, x) = lowergamma(a, x)/gamma(a)`` of ``a = input`` and ``x = other``
    (both tensors, floating; PyTorch's ``torch.igamma``, also
    ``symgrad.special.gammainc``).  Differentiable in ``other`` only:

    >>> import symgrad
    >>> a = symgrad.tensor(2.5, name="a")
    >>> x = symgrad.tensor(1.5, requires_grad=True)
    >>> symgrad.igamma(a, x), symgrad.igamma(a, x).expr
    (tensor(0.3000, grad_fn=<IgammaBackward0>), lowergamma(a, x)/gamma(a))
    >>> symgrad.diff(symgrad.igamma(a, x), x)
    exp(-x + (a - 1)*log(x) - loggamma(a))
    >>> symgrad.igamma(symgrad.tensor([0., 1., -1.]), symgrad.tensor([1., 0., 1.]))
    tensor([1., 0., nan])
    """
    return _floating("igamma", _IGAMMA, input, other)


def igammac(input: Any, other: Any) -> Any:
    """The regularized upper incomplete gamma function
    ``Q(a, x) = uppergamma(a, x)/gamma(a) = 1 - P(a, x)``, computed directly
    where it is small (PyTorch's ``torch.igammac``, also
    ``symgrad.special.gammaincc``).  Differentiable in ``other`` only.

    >>> import symgrad
    >>> symgrad.igammac(symgrad.tensor([0.5, 3.]), symgrad.tensor([40., 0.25]))
    tensor([3.7441e-19, 9.9784e-01])
    """
    return _floating("igammac", _IGAMMAC, input, other)


def polygamma(n: int, input: Any) -> Any:
    """The ``n``-th derivative of ``digamma`` (``n = 0``: ``digamma`` itself);
    its derivative is ``polygamma(n + 1, x)``.

    >>> import symgrad
    >>> x = symgrad.tensor(1.5, requires_grad=True)
    >>> symgrad.polygamma(2, x)
    tensor(-0.8288, grad_fn=<PolygammaBackward0>)
    >>> symgrad.diff(symgrad.polygamma(2, x), x)
    polygamma(3, x)
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"polygamma(): argument 'n' (position 1) must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return apply(_POLYGAMMA, input, n=int(n))


def sinc(input: Any) -> Any:
    """The normalized sinc, ``sin(pi*x)/(pi*x)``, 1 at 0.  Its closed form is
    SymPy's ``sinc(pi*x)`` (``sinc(y) = sin(y)/y``, 1 at 0): right at 0 too.
    The derivative is 0 at 0, as PyTorch's.

    >>> import symgrad
    >>> x = symgrad.tensor(0., requires_grad=True)
    >>> symgrad.sinc(x), symgrad.sinc(x).expr
    (tensor(1., grad_fn=<SincBackward0>), sinc(x*pi))
    >>> symgrad.diff(symgrad.sinc(x), x)
    Piecewise((0, Eq(x, 0)), ((x*pi*cos(x*pi) - sin(x*pi))/(x**2*pi), True))
    """
    return apply(_SINC, input)


def logit(input: Any, eps: float | None = None) -> Any:
    """``log(x / (1 - x))``; with ``eps``, of ``x`` clamped to ``[eps, 1 - eps]``.
    Without ``eps`` the derivative ``1/(x*(1 - x))`` is nan outside ``[0, 1]``,
    as PyTorch's.

    >>> import symgrad
    >>> x = symgrad.tensor(0.25, requires_grad=True)
    >>> symgrad.logit(x), symgrad.logit(x).expr
    (tensor(-1.0986, grad_fn=<LogitBackward0>), log(x/(1 - x)))
    >>> symgrad.logit(symgrad.tensor([0., 1.]), eps=0.25)
    tensor([-1.0986,  1.0986])
    """
    if eps is not None:
        input = clamp(input, eps, 1 - eps)
    return apply(_LOGIT, input)


for _fn in (lgamma, digamma, erfinv, i0):
    _fn.__module__ = __name__  # (made by unary._unary: their doctests run with this module's)

from symgrad.ops.binary import _floating  # noqa: E402
from symgrad.ops.selection import clamp, where  # noqa: E402  (rules refer to these by name)
from symgrad.ops.unary import cos, exp, log, sin, sqrt  # noqa: E402
