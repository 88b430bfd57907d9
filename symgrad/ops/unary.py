"""Elementwise functions of one tensor.  Each stanza: NumPy forward, SymPy
forward, derivative rule in symgrad ops, and (``d``) the closed-form
derivative as it prints, which the generated docstring shows and doctests
check against the engine."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from symgrad.dispatch import apply
from symgrad.grad_mode import _state as _grad_state
from symgrad.ops._sympy import Exact, num, sp
from symgrad.ops.registry import defop
from symgrad.scalar_lane import on_float
from symgrad.scalar_lane import unary as lane_unary
from symgrad.symbolic.piecewise import piecewise

__all__ = ["exp", "exp2", "log", "log2", "log10", "log1p", "expm1", "sqrt", "rsqrt", "reciprocal", "sin", "cos",
           "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "sigmoid", "relu",
           "abs", "sign", "erf", "erfc", "floor", "ceil", "round", "trunc", "frac", "softplus",
           "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "fix", "absolute", "special_expit"]


def _unary(name: str, forward: Callable[..., Any], symbolic: Callable[..., Any], rule: Callable[..., Any],
           d: str, value: float = 0.5, promote: str = "float", refuse: str = "",
           scalar: Callable[[float], float] | None = None) -> Callable[[Any], Any]:
    """``promote="keep"``: integer inputs keep their dtype (PyTorch's abs, floor...);
    ``refuse``: the NumPy dtype kinds PyTorch does not implement the op for;
    ``scalar``: the op on a Python float (``math.sin``), for the scalar lane."""
    op = defop(name, forward, symbolic, vjp=(rule,), elementwise=True, promote=promote, scalar=scalar)

    def fn(input: Any) -> Any:
        cls = input.__class__
        if cls is np.ndarray:
            return forward(input)  # (a derivative rule in the numeric backward pass: what apply() would do, sooner)
        if cls is float and _grad_state.numeric:  # (a rule on the scalar lane's floats, in the same pass)
            if scalar is not None:
                try:
                    return scalar(input)
                except (ArithmeticError, ValueError):
                    pass
            return on_float(op, input)
        if cls is np.float32 and _grad_state.numeric:
            return on_float(op, input)
        if scalar is not None:
            out = lane_unary(op, input)
            if out is not None:
                return out
        if refuse:
            _refuse_kinds(name, input, refuse)
        return apply(op, input)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"Elementwise ``{name}``; its derivative is ``{d}``.\n\n"
                  f">>> import symgrad\n>>> x = symgrad.tensor({value}, requires_grad=True)\n"
                  f">>> symgrad.diff(symgrad.{name}(x), x)\n{d}\n")
    return fn


_KIND_NAMES = {"b": "Bool", "i": "Long", "u": "Byte"}


def _refuse_kinds(name: str, input: Any, kinds: str) -> None:
    v = getattr(input, "_value", None)
    if v is not None and v.dtype.kind in kinds:
        which = "Long" if v.dtype.kind == "i" and v.dtype.itemsize == 8 else _KIND_NAMES[v.dtype.kind]
        if v.dtype.kind == "i" and v.dtype.itemsize < 8:
            which = {1: "Char", 2: "Short", 4: "Int"}[v.dtype.itemsize]
        if name == "relu":
            raise RuntimeError("Boolean inputs not supported for relu (as in PyTorch); convert with .double() first")
        # PyTorch's NotImplementedError (a RuntimeError) for a dtype a kernel lacks
        raise NotImplementedError(f'"{name}" not implemented for \'{which}\' (as in PyTorch); '
                                  "convert with .double() first")


LOG2 = Exact(math.log(2), lambda: sp.log(2))
LOG10 = Exact(math.log(10), lambda: sp.log(10))
TWO_OVER_SQRT_PI = Exact(2 / math.sqrt(math.pi), lambda: 2 / sp.sqrt(sp.pi))


def _sign(x: NDArray[Any]) -> Any:
    if x.dtype.kind in "biu":
        return x.copy() if x.dtype.kind == "b" else np.sign(x)  # sign(True) is True in PyTorch
    return np.nan_to_num(np.sign(x), nan=0.0)  # sign(nan) is 0 in PyTorch (and so is abs'(nan))


def _erf(x: NDArray[Any]) -> Any:
    # math.erf is exact to the last bit; vectorised for arrays
    v = np.vectorize(math.erf, otypes=[x.dtype])(x) if x.ndim else np.asarray(math.erf(x), dtype=x.dtype)
    return v


def _erfc(x: NDArray[Any]) -> Any:
    # math.erfc, not 1 - erf(x): erfc(10) is 2.1e-45, which 1 - erf(10) rounds to 0
    return np.vectorize(math.erfc, otypes=[x.dtype])(x) if x.ndim else np.asarray(math.erfc(x), dtype=x.dtype)


_INF = float("inf")


def _sigmoid_scalar(x: float) -> float:
    e = math.exp(-abs(x))  # (as _sigmoid)
    return (1.0 if x >= 0 else e) / (1 + e)


def _exp2_scalar(x: float) -> float:
    # (OverflowError past 1024: the lane then leaves it to NumPy, which says inf.  math.pow, not 2.0 ** x:
    # for a NumPy float32 that was NumPy's float32 power, whose overflow warned as a "scalar power")
    return math.pow(2.0, x)


def _rsqrt_scalar(x: float) -> float:
    return 1 / math.sqrt(x)


def _reciprocal_scalar(x: float) -> float:
    # A float's: a float32's 1/x in float64 rounds to its float32 quotient exactly, and 1/0 raises (NumPy's
    # float32 scalar warned as a "scalar divide"); 1/5e-324 is inf, silently in Python, where NumPy warns
    r = 1 / float(x)
    if r == _INF or r == -_INF:
        raise OverflowError("reciprocal overflows")
    return r


def _sigmoid(x: NDArray[Any]) -> Any:
    # exp(-|x|) never overflows, and e/(1 + e) keeps sigmoid(-50) = 1.9e-22 (PyTorch's value), which
    # 0.5*(1 + tanh(x/2)) rounded to 0 (and to 1e-9 relative error already at -20)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1, e) / (1 + e)


exp: Callable[[Any], Any] = _unary("exp", np.exp, lambda x: sp.exp(x), lambda g, out, x: g * out, "exp(x)", scalar=math.exp)
exp2: Callable[[Any], Any] = _unary("exp2", np.exp2, lambda x: 2 ** x, lambda g, out, x: g * out * LOG2, "2**x*log(2)", scalar=_exp2_scalar)
log: Callable[[Any], Any] = _unary("log", np.log, lambda x: sp.log(x), lambda g, out, x: g / x, "1/x", scalar=math.log)
log2: Callable[[Any], Any] = _unary("log2", np.log2, lambda x: sp.log(x, 2), lambda g, out, x: g / (x * LOG2),
              "1/(x*log(2))", scalar=math.log2)
log10: Callable[[Any], Any] = _unary("log10", np.log10, lambda x: sp.log(x, 10), lambda g, out, x: g / (x * LOG10),
               "1/(x*log(10))", scalar=math.log10)
log1p: Callable[[Any], Any] = _unary("log1p", np.log1p, lambda x: sp.log(1 + x), lambda g, out, x: g / (1 + x), "1/(x + 1)", scalar=math.log1p)
expm1: Callable[[Any], Any] = _unary("expm1", np.expm1, lambda x: sp.exp(x) - 1,  # (not out + 1: 0 at x = -40)
                                     lambda g, out, x: g * exp(x), "exp(x)", scalar=math.expm1)
sqrt: Callable[[Any], Any] = _unary("sqrt", np.sqrt, lambda x: sp.sqrt(x), lambda g, out, x: g / (2 * out), "1/(2*sqrt(x))", scalar=math.sqrt)
rsqrt: Callable[[Any], Any] = _unary("rsqrt", lambda x: 1 / np.sqrt(x), lambda x: 1 / sp.sqrt(x),
               lambda g, out, x: -g * out * out * out / 2, "-1/(2*x**(3/2))", scalar=_rsqrt_scalar)
reciprocal: Callable[[Any], Any] = _unary("reciprocal", np.reciprocal, lambda x: 1 / x, lambda g, out, x: -g * out * out, "-1/x**2", scalar=_reciprocal_scalar)
sin: Callable[[Any], Any] = _unary("sin", np.sin, lambda x: sp.sin(x), lambda g, out, x: g * cos(x), "cos(x)", scalar=math.sin)
cos: Callable[[Any], Any] = _unary("cos", np.cos, lambda x: sp.cos(x), lambda g, out, x: -g * sin(x), "-sin(x)", scalar=math.cos)
tan: Callable[[Any], Any] = _unary("tan", np.tan, lambda x: sp.tan(x), lambda g, out, x: g * (1 + out * out), "tan(x)**2 + 1", scalar=math.tan)
asin: Callable[[Any], Any] = _unary("asin", np.arcsin, lambda x: sp.asin(x), lambda g, out, x: g / sqrt(1 - x * x),
              "1/sqrt(1 - x**2)", scalar=math.asin)
acos: Callable[[Any], Any] = _unary("acos", np.arccos, lambda x: sp.acos(x), lambda g, out, x: -g / sqrt(1 - x * x),
              "-1/sqrt(1 - x**2)", scalar=math.acos)
atan: Callable[[Any], Any] = _unary("atan", np.arctan, lambda x: sp.atan(x), lambda g, out, x: g / (1 + x * x), "1/(x**2 + 1)", scalar=math.atan)
sinh: Callable[[Any], Any] = _unary("sinh", np.sinh, lambda x: sp.sinh(x), lambda g, out, x: g * cosh(x), "cosh(x)", scalar=math.sinh)
cosh: Callable[[Any], Any] = _unary("cosh", np.cosh, lambda x: sp.cosh(x), lambda g, out, x: g * sinh(x), "sinh(x)", scalar=math.cosh)
tanh: Callable[[Any], Any] = _unary("tanh", np.tanh, lambda x: sp.tanh(x), lambda g, out, x: g * (1 - out * out), "1 - tanh(x)**2", scalar=math.tanh)
asinh: Callable[[Any], Any] = _unary("asinh", np.arcsinh, lambda x: sp.asinh(x), lambda g, out, x: g / sqrt(x * x + 1),
               "1/sqrt(x**2 + 1)", scalar=math.asinh)
acosh: Callable[[Any], Any] = _unary("acosh", np.arccosh, lambda x: sp.acosh(x), lambda g, out, x: g / sqrt(x * x - 1),
               "1/sqrt(x**2 - 1)", value=1.5, scalar=math.acosh)
atanh: Callable[[Any], Any] = _unary("atanh", np.arctanh, lambda x: sp.atanh(x), lambda g, out, x: g / (1 - x * x),
               "1/(1 - x**2)", scalar=math.atanh)
sigmoid: Callable[[Any], Any] = _unary("sigmoid", _sigmoid, lambda x: 1 / (1 + sp.exp(-x)),
                 lambda g, out, x: g * out * (1 - out), "(1 - 1/(1 + exp(-x)))/(1 + exp(-x))", scalar=_sigmoid_scalar)
relu: Callable[[Any], Any] = _unary("relu", lambda x: np.maximum(x, 0).astype(x.dtype, copy=False), lambda x: sp.Max(0, x),
              lambda g, out, x: where(~(x <= 0), g, 0.0), "Piecewise((1, x > 0), (0, True))",  # nan: g, as PyTorch
              promote="keep", refuse="b")
abs: Callable[[Any], Any] = _unary("abs", np.abs, lambda x: sp.Abs(x), lambda g, out, x: g * sign(x),  # noqa: A001
                                   "sign(x)", promote="keep", refuse="b")
sign: Callable[[Any], Any] = _unary("sign", _sign, lambda x: sp.sign(x), lambda g, out, x: zeros_like(g), "0", promote="keep")
erf: Callable[[Any], Any] = _unary("erf", _erf, lambda x: sp.erf(x), lambda g, out, x: g * TWO_OVER_SQRT_PI * exp(-x * x),
             "2*exp(-x**2)/sqrt(pi)", scalar=math.erf)
erfc: Callable[[Any], Any] = _unary("erfc", _erfc, lambda x: sp.erfc(x),
              lambda g, out, x: -g * TWO_OVER_SQRT_PI * exp(-x * x), "-2*exp(-x**2)/sqrt(pi)", scalar=math.erfc)
floor: Callable[[Any], Any] = _unary("floor", np.floor, lambda x: sp.floor(x), lambda g, out, x: zeros_like(g), "0",
               promote="keep", refuse="b")
ceil: Callable[[Any], Any] = _unary("ceil", np.ceil, lambda x: sp.ceiling(x), lambda g, out, x: zeros_like(g), "0",
              promote="keep", refuse="b")
_round_even: Callable[[Any], Any] = _unary("round", np.round, lambda x: sp.Function("round")(x),
                                           lambda g, out, x: zeros_like(g), "0", promote="keep", refuse="b")


def round(input: Any, *, decimals: int = 0) -> Any:  # noqa: A001 - PyTorch's name
    """Round half to even, to ``decimals`` decimal places (negative: to tens,
    hundreds...), as PyTorch: ``round(x * 10**d) / 10**d``, or
    ``round(x / 10**-d) * 10**-d``.  Its derivative is ``0``.

    >>> import symgrad
    >>> symgrad.round(symgrad.tensor([0.5, 1.5, 2.675]))
    tensor([0., 2., 3.])
    >>> symgrad.round(symgrad.tensor([1.2345, 12.5]), decimals=1)
    tensor([ 1.2000, 12.5000])
    >>> x = symgrad.tensor(0.5, requires_grad=True)
    >>> symgrad.diff(symgrad.round(x), x)
    0
    """
    if isinstance(decimals, bool) or not isinstance(decimals, (int, np.integer)):
        raise TypeError(f"round(): argument 'decimals' must be int, not {type(decimals).__name__}")
    if decimals == 0:
        return _round_even(input)
    if getattr(input, "dtype", None) is not None and not input.dtype.is_floating_point:
        raise NotImplementedError(f"round(): decimals={decimals} is implemented for floating tensors only, "
                                  f"not {input.dtype}; convert with .double() first")
    scale = 10.0 ** abs(int(decimals))
    return _round_even(input * scale) / scale if decimals > 0 else _round_even(input / scale) * scale
trunc: Callable[[Any], Any] = _unary("trunc", np.trunc, lambda x: sp.sign(x) * sp.floor(sp.Abs(x)), lambda g, out, x: zeros_like(g),
               "0", promote="keep", refuse="b")
frac: Callable[[Any], Any] = _unary("frac", lambda x: x - np.trunc(x), lambda x: x - sp.sign(x) * sp.floor(sp.Abs(x)),
              lambda g, out, x: g, "1", refuse="biu")

# PyTorch's NumPy-style aliases (the same ops: grad_fn, closed form and code are asin's, ...)
arcsin, arccos, arctan, absolute, special_expit = asin, acos, atan, abs, sigmoid
arcsinh, arccosh, arctanh, fix = asinh, acosh, atanh, trunc


def _softplus(x: NDArray[Any], beta: float, threshold: float) -> Any:
    bx = x * beta
    return np.where(bx > threshold, x, np.logaddexp(0, bx) / beta).astype(x.dtype, copy=False)


def _softplus_sym(x: Any, beta: float, threshold: float) -> Any:
    # PyTorch's softplus is exactly x above the threshold; the closed form says so
    b = num(beta)
    return piecewise((x, b * x > num(threshold)), (sp.log(1 + sp.exp(b * x)) / b, True))


# Linear above the threshold, in value and derivative, as PyTorch computes it.
_SOFTPLUS = defop("softplus", _softplus, _softplus_sym, params=("beta", "threshold"), elementwise=True,
                  promote="float",
                  vjp=(lambda g, out, x, beta, threshold: where(x * beta > threshold, g, g * sigmoid(x * beta)),))


def softplus(input: Any, beta: float = 1.0, threshold: float = 20.0) -> Any:
    """``log(1 + exp(beta*x)) / beta`` (linear above ``threshold``, as PyTorch).

    >>> import symgrad
    >>> x = symgrad.tensor(0., requires_grad=True)
    >>> symgrad.softplus(x).expr
    Piecewise((x, x > 20), (log(exp(x) + 1), True))
    """
    return apply(_SOFTPLUS, input, beta=beta, threshold=threshold)


# Activations PyTorch computes in one kernel, whose derivative is a sum of terms: as one op each, so that the
# rule multiplies the incoming gradient once, by the whole derivative (``g * (a + b)``, PyTorch's
# gelu_backward, silu_backward, mish_backward, hardswish_backward), where a composition of ops would add
# ``g*a + g*b``: ``inf - inf = nan`` for an infinite ``g`` where the terms' signs differ.  The closed forms
# are the compositions' (symgrad.nn.functional calls these ops).
SQRT_HALF = Exact(math.sqrt(0.5), lambda: 1 / sp.sqrt(2))
SQRT_TWO_OVER_PI = Exact(math.sqrt(2 / math.pi), lambda: sp.sqrt(2) / sp.sqrt(sp.pi))
_INV_SQRT_TWO_PI = Exact(1 / math.sqrt(2 * math.pi), lambda: 1 / sp.sqrt(2 * sp.pi))
_KAPPA = 0.044715


def _gelu_inner(module: Any, x: Any, approximate: str) -> Any:
    """``erf(x/sqrt(2))``, or ``tanh(sqrt(2/pi) * (x + 0.044715 x**3))``, with ``module``'s erf and tanh."""
    if approximate == "tanh":
        return module.tanh((x + x * x * x * _KAPPA) * SQRT_TWO_OVER_PI)
    return module.erf(x * SQRT_HALF)


class _NumPyGelu:
    erf, tanh = staticmethod(_erf), staticmethod(np.tanh)


class _Ops:
    """erf and tanh of symgrad's ops, for ``_gelu_inner`` in a derivative rule."""
    erf, tanh = staticmethod(erf), staticmethod(tanh)


def _gelu_grad(g: Any, out: Any, x: Any, approximate: str) -> Any:
    t = _gelu_inner(_Ops, x, approximate)
    if approximate == "tanh":
        return g * ((t + 1) / 2 + x / 2 * (1 - t * t) * SQRT_TWO_OVER_PI * (1 + x * x * (3 * _KAPPA)))
    return g * ((t + 1) / 2 + x * exp(x * x * -0.5) * _INV_SQRT_TWO_PI)


def _mish_grad(g: Any, out: Any, x: Any) -> Any:
    t = tanh(apply(_SOFTPLUS, x, beta=1.0, threshold=math.inf))
    return g * (t + x * sigmoid(x) * (1 - t * t))


def _gelu_symbolic(x: Any, approximate: str) -> Any:
    # (the constants by their exact forms, as the composition of ops wrote them: a SymPy product with a float
    # subclass would make it a Float, erf(0.707106781186548*x))
    if approximate == "tanh":
        inner = sp.tanh((x + x * x * x * num(_KAPPA)) * num(SQRT_TWO_OVER_PI))
    else:
        inner = sp.erf(x * num(SQRT_HALF))
    return x * (inner + 1) / 2


GELU = defop("gelu", lambda x, approximate: (x * (_gelu_inner(_NumPyGelu, x, approximate) + 1) / 2).astype(
                 x.dtype, copy=False),
             _gelu_symbolic,
             params=("approximate",), elementwise=True, promote="float", vjp=(_gelu_grad,))
SILU = defop("silu", lambda x: x * _sigmoid(x), lambda x: x / (1 + sp.exp(-x)), elementwise=True, promote="float",
             vjp=(lambda g, out, x: g * sigmoid(x) * (1 + x * (1 - sigmoid(x))),))
# (softplus as max(x, 0) + log1p(exp(-|x|)), the form generated code computes, within an ulp of logaddexp)
MISH = defop("mish", lambda x: x * np.tanh(np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))),
             lambda x: x * sp.tanh(_softplus_sym(x, 1.0, math.inf)), elementwise=True, promote="float",
             vjp=(_mish_grad,))
# (x * 0.0 below -3: -0.0, and nan at -inf, as PyTorch's x * clamp(x + 3, 0, 6) / 6; times 1/6 rounded, as
# generated code computes the closed form's x*(x + 3)/6)
HARDSWISH = defop("hardswish", lambda x: np.where(x <= -3, x * 0.0, np.where(x < 3, x * (x + 3) * (1 / 6), x)),
                  lambda x: piecewise((0, x <= -3), (piecewise((x * (x + 3) / 6, x < 3), (x, True)), True)),
                  elementwise=True, promote="float",
                  vjp=(lambda g, out, x: where(x <= -3, 0.0, where(x < 3, g * (x / 3 + 0.5), g)),))


from symgrad.creation import zeros_like  # noqa: E402  (rules refer to it by name)
from symgrad.ops.selection import where  # noqa: E402
