"""Tensor's operators and op methods: one-line forwards to ``symgrad.ops``.

``Tensor`` inherits this mixin, so ``x.sin()``, ``x + y`` and ``symgrad.sin(x)``
are the same op.  In-place methods (``add_``, ``x[i] = v``...) compute out of
place and write back through ``dispatch.inplace``.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from symgrad import dtypes as _dt
from symgrad._numpy_names import give_numpy_names
from symgrad.device import device as _device

if TYPE_CHECKING:
    from symgrad._tensor import Tensor

_ops: Any = None  # symgrad.ops, bound when it has loaded (it imports Tensor)
_apply: Any = None  # dispatch.apply, bound with it: the hottest operators call it directly
_fill_number: Any = None  # dispatch.fill_number, bound with it
_binary_in_place: Any = None  # dispatch.binary_in_place, bound with it
_MUL: Any = None
_ADD: Any = None
_SUB: Any = None
_DIV: Any = None
_NEG: Any = None
_lane: Any = None  # scalar_lane.binary, bound with them: 0-d float64 operators go there first (None: not taken)
_lane_unary: Any = None  # scalar_lane.unary


def _bool_operand(*args: Any) -> bool:
    """Is any operand a bool (tensor or number)? Cheap: ``-`` is a hot operator."""
    for a in args:
        if a.__class__ is bool or (isinstance(a, TensorOps) and a._value.dtype.kind == "b"):  # type: ignore[attr-defined]
            return True
    return False


def _integer_operand(*args: Any) -> bool:
    """Is any operand an integer tensor (``&`` is then bitwise)?"""
    return any(isinstance(a, TensorOps) and a._value.dtype.kind in "iu" for a in args)  # type: ignore[attr-defined]


def _logic(logical: Any, bitwise: Any, a: Any, b: Any) -> Any:
    return bitwise(a, b) if _integer_operand(a, b) else logical(a, b)


def _tensor_argument(x: Any, fn: str, name: str) -> Any:
    if not isinstance(x, TensorOps):
        raise TypeError(f"{fn}(): argument '{name}' must be a Tensor, not {type(x).__name__}")
    return x


def _inplace(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
    from symgrad.dispatch import inplace

    return inplace(self, fn, *args, **kwargs)


def _inplace_view(self: Any, name: str, fn: Any, *args: Any) -> Any:
    from symgrad.dispatch import inplace_view

    return inplace_view(self, name, fn, *args)


class TensorOps:
    """Operators and methods that forward to the op functions."""

    __slots__ = ()

    # ------------------------------------------------------------ operators
    # The arithmetic operators try the scalar lane first (a float op on 0-d float64 tensors; None when
    # it does not apply): they are the hot path of scalar programs (measured: a call less per op)
    def __add__(self, other: Any) -> Tensor:
        out = _lane(_ADD, self, other)
        return out if out is not None else _apply(_ADD, self, other)

    def __radd__(self, other: Any) -> Tensor:
        out = _lane(_ADD, other, self)
        return out if out is not None else _apply(_ADD, other, self)

    def __sub__(self, other: Any) -> Tensor:
        out = _lane(_SUB, self, other)
        if out is not None:
            return out
        return _apply(_SUB, self, other) if not _bool_operand(self, other) else _ops.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor: return _ops.arithmetic.rsub_(self, other)  # noqa: E704

    def __mul__(self, other: Any) -> Tensor:
        out = _lane(_MUL, self, other)
        return out if out is not None else _apply(_MUL, self, other)

    def __rmul__(self, other: Any) -> Tensor:
        out = _lane(_MUL, other, self)
        return out if out is not None else _apply(_MUL, other, self)

    def __truediv__(self, other: Any) -> Tensor:
        out = _lane(_DIV, self, other)
        return out if out is not None else _ops.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor: return _ops.arithmetic.rdiv_(self, other)  # noqa: E704
    def __floordiv__(self, other: Any) -> Tensor: return _ops.floor_divide(self, other)  # noqa: E704
    def __rfloordiv__(self, other: Any) -> Tensor: return _ops.floor_divide(other, self)  # noqa: E704
    def __mod__(self, other: Any) -> Tensor: return _ops.remainder(self, other)  # noqa: E704
    def __rmod__(self, other: Any) -> Tensor: return _ops.remainder(other, self)  # noqa: E704
    def __pow__(self, other: Any) -> Tensor: return _ops.pow(self, other)  # noqa: E704
    def __rpow__(self, other: Any) -> Tensor: return _ops.pow(other, self)  # noqa: E704
    def __matmul__(self, other: Any) -> Tensor: return _ops.matmul(self, other)  # noqa: E704
    def __rmatmul__(self, other: Any) -> Tensor: return _ops.matmul(other, self)  # noqa: E704
    def __neg__(self) -> Tensor:
        out = _lane_unary(_NEG, self)
        return out if out is not None else _ops.neg(self)

    def __pos__(self) -> Tensor: return self  # type: ignore[return-value]  # noqa: E704
    def __abs__(self) -> Tensor: return _ops.abs(self)  # noqa: E704
    # x == None: NotImplemented, so Python's identity fallback answers False (True
    # for !=), as PyTorch does; `t in [None]` and `if t != None` then work
    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return NotImplemented if other is None else _ops.eq(self, other)
    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return NotImplemented if other is None else _ops.ne(self, other)
    def __lt__(self, other: Any) -> Tensor: return _ops.lt(self, other)  # noqa: E704
    def __le__(self, other: Any) -> Tensor: return _ops.le(self, other)  # noqa: E704
    def __gt__(self, other: Any) -> Tensor: return _ops.gt(self, other)  # noqa: E704
    def __ge__(self, other: Any) -> Tensor: return _ops.ge(self, other)  # noqa: E704
    # & | ^ ~ are logical on bools, bitwise on integers (PyTorch's bitwise_and... on both)
    def __and__(self, other: Any) -> Tensor: return _logic(_ops.logical_and, _ops.bitwise_and, self, other)  # noqa: E704
    def __rand__(self, other: Any) -> Tensor: return _logic(_ops.logical_and, _ops.bitwise_and, other, self)  # noqa: E704
    def __or__(self, other: Any) -> Tensor: return _logic(_ops.logical_or, _ops.bitwise_or, self, other)  # noqa: E704
    def __ror__(self, other: Any) -> Tensor: return _logic(_ops.logical_or, _ops.bitwise_or, other, self)  # noqa: E704
    def __xor__(self, other: Any) -> Tensor: return _logic(_ops.logical_xor, _ops.bitwise_xor, self, other)  # noqa: E704
    def __rxor__(self, other: Any) -> Tensor: return _logic(_ops.logical_xor, _ops.bitwise_xor, other, self)  # noqa: E704
    def __invert__(self) -> Tensor:  # noqa: E704
        return _ops.bitwise_not(self) if _integer_operand(self) else _ops.logical_not(self)
    def __getitem__(self, key: Any) -> Tensor: return _ops.index(self, key)  # noqa: E704

    def __setitem__(self, key: Any, value: Any) -> None:
        _inplace(self, _ops.index_put, key, value)

    def __iadd__(self, other: Any) -> Tensor: return self.add_(other)  # noqa: E704
    def __isub__(self, other: Any) -> Tensor: return self.sub_(other)  # noqa: E704
    def __imul__(self, other: Any) -> Tensor: return self.mul_(other)  # noqa: E704
    def __itruediv__(self, other: Any) -> Tensor: return self.div_(other)  # noqa: E704
    def __ipow__(self, other: Any) -> Tensor: return self.pow_(other)  # noqa: E704

    # ------------------------------------------------------------ arithmetic and math
    def add(self, other: Any, *, alpha: Any = 1) -> Tensor: return _ops.add(self, other, alpha=alpha)  # noqa: E704
    def sub(self, other: Any, *, alpha: Any = 1) -> Tensor: return _ops.sub(self, other, alpha=alpha)  # noqa: E704
    def mul(self, other: Any) -> Tensor: return _ops.mul(self, other)  # noqa: E704
    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:  # noqa: E704
        return _ops.div(self, other, rounding_mode=rounding_mode)
    def pow(self, exponent: Any) -> Tensor: return _ops.pow(self, exponent)  # noqa: E704
    def neg(self) -> Tensor: return _ops.neg(self)  # noqa: E704
    def remainder(self, other: Any) -> Tensor: return _ops.remainder(self, other)  # noqa: E704
    def square(self) -> Tensor: return _ops.square(self)  # noqa: E704
    def exp(self) -> Tensor: return _ops.exp(self)  # noqa: E704
    def exp2(self) -> Tensor: return _ops.exp2(self)  # noqa: E704
    def log(self) -> Tensor: return _ops.log(self)  # noqa: E704
    def log2(self) -> Tensor: return _ops.log2(self)  # noqa: E704
    def log10(self) -> Tensor: return _ops.log10(self)  # noqa: E704
    def log1p(self) -> Tensor: return _ops.log1p(self)  # noqa: E704
    def expm1(self) -> Tensor: return _ops.expm1(self)  # noqa: E704
    def sqrt(self) -> Tensor: return _ops.sqrt(self)  # noqa: E704
    def rsqrt(self) -> Tensor: return _ops.rsqrt(self)  # noqa: E704
    def reciprocal(self) -> Tensor: return _ops.reciprocal(self)  # noqa: E704
    def sin(self) -> Tensor: return _ops.sin(self)  # noqa: E704
    def cos(self) -> Tensor: return _ops.cos(self)  # noqa: E704
    def tan(self) -> Tensor: return _ops.tan(self)  # noqa: E704
    def asin(self) -> Tensor: return _ops.asin(self)  # noqa: E704
    def acos(self) -> Tensor: return _ops.acos(self)  # noqa: E704
    def atan(self) -> Tensor: return _ops.atan(self)  # noqa: E704
    def sinh(self) -> Tensor: return _ops.sinh(self)  # noqa: E704
    def cosh(self) -> Tensor: return _ops.cosh(self)  # noqa: E704
    def tanh(self) -> Tensor: return _ops.tanh(self)  # noqa: E704
    def asinh(self) -> Tensor: return _ops.asinh(self)  # noqa: E704
    def acosh(self) -> Tensor: return _ops.acosh(self)  # noqa: E704
    def atanh(self) -> Tensor: return _ops.atanh(self)  # noqa: E704
    def sigmoid(self) -> Tensor: return _ops.sigmoid(self)  # noqa: E704
    def relu(self) -> Tensor: return _ops.relu(self)  # noqa: E704
    def softplus(self, beta: float = 1.0, threshold: float = 20.0) -> Tensor:  # noqa: E704
        return _ops.softplus(self, beta, threshold)
    def abs(self) -> Tensor: return _ops.abs(self)  # noqa: E704
    def sign(self) -> Tensor: return _ops.sign(self)  # noqa: E704
    def erf(self) -> Tensor: return _ops.erf(self)  # noqa: E704
    def erfc(self) -> Tensor: return _ops.erfc(self)  # noqa: E704
    def floor(self) -> Tensor: return _ops.floor(self)  # noqa: E704
    def ceil(self) -> Tensor: return _ops.ceil(self)  # noqa: E704
    def round(self, *, decimals: int = 0) -> Tensor: return _ops.round(self, decimals=decimals)  # noqa: E704
    def trunc(self) -> Tensor: return _ops.trunc(self)  # noqa: E704
    def frac(self) -> Tensor: return _ops.frac(self)  # noqa: E704
    def clamp(self, min: Any = None, max: Any = None) -> Tensor: return _ops.clamp(self, min, max)  # noqa: A002,E704
    clip = clamp
    def maximum(self, other: Any) -> Tensor: return _ops.maximum(self, other)  # noqa: E704
    def minimum(self, other: Any) -> Tensor: return _ops.minimum(self, other)  # noqa: E704
    def where(self, condition: Any, other: Any) -> Tensor: return _ops.where(condition, self, other)  # noqa: E704
    def masked_fill(self, mask: Any, value: Any) -> Tensor: return _ops.masked_fill(self, mask, value)  # noqa: E704
    def clamp_min(self, min: Any) -> Tensor: return _ops.clamp_min(self, min)  # noqa: A002,E704
    def clamp_max(self, max: Any) -> Tensor: return _ops.clamp_max(self, max)  # noqa: A002,E704
    def atan2(self, other: Any) -> Tensor: return _ops.atan2(self, other)  # noqa: E704
    arctan2 = atan2
    def hypot(self, other: Any) -> Tensor: return _ops.hypot(self, other)  # noqa: E704
    def logaddexp(self, other: Any) -> Tensor: return _ops.logaddexp(self, other)  # noqa: E704
    def logaddexp2(self, other: Any) -> Tensor: return _ops.logaddexp2(self, other)  # noqa: E704
    def xlogy(self, other: Any) -> Tensor: return _ops.xlogy(self, other)  # noqa: E704
    def igamma(self, other: Any) -> Tensor: return _ops.igamma(self, other)  # noqa: E704
    def igammac(self, other: Any) -> Tensor: return _ops.igammac(self, other)  # noqa: E704
    def copysign(self, other: Any) -> Tensor: return _ops.copysign(self, other)  # noqa: E704
    def heaviside(self, values: Any) -> Tensor: return _ops.heaviside(self, values)  # noqa: E704
    def nextafter(self, other: Any) -> Tensor: return _ops.nextafter(self, other)  # noqa: E704
    def ldexp(self, other: Any) -> Tensor: return _ops.ldexp(self, other)  # noqa: E704
    def frexp(self) -> Any: return _ops.frexp(self)  # noqa: E704
    def lgamma(self) -> Tensor: return _ops.lgamma(self)  # noqa: E704
    def digamma(self) -> Tensor: return _ops.digamma(self)  # noqa: E704
    def polygamma(self, n: int) -> Tensor: return _ops.polygamma(n, self)  # noqa: E704
    def erfinv(self) -> Tensor: return _ops.erfinv(self)  # noqa: E704
    def i0(self) -> Tensor: return _ops.i0(self)  # noqa: E704
    def sinc(self) -> Tensor: return _ops.sinc(self)  # noqa: E704
    def logit(self, eps: float | None = None) -> Tensor: return _ops.logit(self, eps)  # noqa: E704
    def deg2rad(self) -> Tensor: return _ops.deg2rad(self)  # noqa: E704
    def rad2deg(self) -> Tensor: return _ops.rad2deg(self)  # noqa: E704
    def sgn(self) -> Tensor: return _ops.sgn(self)  # noqa: E704
    def positive(self) -> Tensor: return _ops.positive(self)  # noqa: E704
    def gcd(self, other: Any) -> Tensor: return _ops.gcd(self, other)  # noqa: E704
    def lcm(self, other: Any) -> Tensor: return _ops.lcm(self, other)  # noqa: E704
    def bitwise_and(self, other: Any) -> Tensor: return _ops.bitwise_and(self, other)  # noqa: E704
    def bitwise_or(self, other: Any) -> Tensor: return _ops.bitwise_or(self, other)  # noqa: E704
    def bitwise_xor(self, other: Any) -> Tensor: return _ops.bitwise_xor(self, other)  # noqa: E704
    def bitwise_not(self) -> Tensor: return _ops.bitwise_not(self)  # noqa: E704
    # (PyTorch's aliases, and methods of functions symgrad already has)
    multiply = mul
    divide = true_divide = div
    subtract = sub
    negative = neg
    absolute = abs  # noqa: A003
    fix = trunc
    arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh
    def floor_divide(self, other: Any) -> Tensor: return _ops.floor_divide(self, other)  # noqa: E704
    def float_power(self, exponent: Any) -> Tensor: return _ops.float_power(self, exponent)  # noqa: E704
    def fmax(self, other: Any) -> Tensor: return _ops.fmax(self, other)  # noqa: E704
    def fmin(self, other: Any) -> Tensor: return _ops.fmin(self, other)  # noqa: E704
    def logical_xor(self, other: Any) -> Tensor: return _ops.logical_xor(self, other)  # noqa: E704
    def inner(self, other: Any) -> Tensor: return _ops.inner(self, other)  # noqa: E704
    def vdot(self, other: Any) -> Tensor: return _ops.vdot(self, other)  # noqa: E704
    def ger(self, vec2: Any) -> Tensor: return _ops.ger(self, vec2)  # noqa: E704
    def isclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:
        return _ops.isclose(self, other, rtol, atol, equal_nan)
    def count_nonzero(self, dim: Any = None) -> Tensor: return _ops.count_nonzero(self, dim)  # noqa: E704
    def take_along_dim(self, indices: Any, dim: int | None = None) -> Tensor:  # noqa: E704
        return _ops.take_along_dim(self, indices, dim)
    def aminmax(self, *, dim: int | None = None, keepdim: bool = False) -> Any:  # noqa: E704
        return _ops.aminmax(self, dim=dim, keepdim=keepdim)

    # ------------------------------------------------------------ comparisons
    def eq(self, other: Any) -> Tensor: return _ops.eq(self, other)  # noqa: E704
    def ne(self, other: Any) -> Tensor: return _ops.ne(self, other)  # noqa: E704
    def lt(self, other: Any) -> Tensor: return _ops.lt(self, other)  # noqa: E704
    def le(self, other: Any) -> Tensor: return _ops.le(self, other)  # noqa: E704
    def gt(self, other: Any) -> Tensor: return _ops.gt(self, other)  # noqa: E704
    def ge(self, other: Any) -> Tensor: return _ops.ge(self, other)  # noqa: E704
    def equal(self, other: Any) -> bool: return _ops.equal(self, other)  # noqa: E704
    def allclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08) -> bool:  # noqa: E704
        return _ops.allclose(self, other, rtol, atol)
    def isnan(self) -> Tensor: return _ops.isnan(self)  # noqa: E704
    def isinf(self) -> Tensor: return _ops.isinf(self)  # noqa: E704
    def isfinite(self) -> Tensor: return _ops.isfinite(self)  # noqa: E704
    def isposinf(self) -> Tensor: return _ops.isposinf(self)  # noqa: E704
    def isneginf(self) -> Tensor: return _ops.isneginf(self)  # noqa: E704
    def isreal(self) -> Tensor: return _ops.isreal(self)  # noqa: E704
    def signbit(self) -> Tensor: return _ops.signbit(self)  # noqa: E704
    def logical_not(self) -> Tensor: return _ops.logical_not(self)  # noqa: E704
    def logical_and(self, other: Any) -> Tensor: return _ops.logical_and(self, other)  # noqa: E704
    def logical_or(self, other: Any) -> Tensor: return _ops.logical_or(self, other)  # noqa: E704
    greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne

    # ------------------------------------------------------------ reductions
    def sum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: E704
        return _ops.sum(self, dim, keepdim, dtype=dtype)
    def mean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: E704
        return _ops.mean(self, dim, keepdim, dtype=dtype)
    def prod(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: E704
        return _ops.prod(self, dim, keepdim, dtype=dtype)
    def max(self, dim: Any = None, keepdim: bool = False) -> Any: return _ops.max(self, dim, keepdim)  # noqa: E704
    def min(self, dim: Any = None, keepdim: bool = False) -> Any: return _ops.min(self, dim, keepdim)  # noqa: E704
    def amax(self, dim: Any = (), keepdim: bool = False) -> Tensor: return _ops.amax(self, dim, keepdim)  # noqa: E704
    def amin(self, dim: Any = (), keepdim: bool = False) -> Tensor: return _ops.amin(self, dim, keepdim)  # noqa: E704
    def argmax(self, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: E704
        return _ops.argmax(self, dim, keepdim)
    def argmin(self, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: E704
        return _ops.argmin(self, dim, keepdim)
    def var(self, dim: Any = None, *, correction: Any = 1, keepdim: bool = False, unbiased: Any = None) -> Tensor:  # noqa: E704
        return _ops.var(self, dim, correction=correction, keepdim=keepdim, unbiased=unbiased)
    def std(self, dim: Any = None, *, correction: Any = 1, keepdim: bool = False, unbiased: Any = None) -> Tensor:  # noqa: E704
        return _ops.std(self, dim, correction=correction, keepdim=keepdim, unbiased=unbiased)
    def logsumexp(self, dim: Any, keepdim: bool = False) -> Tensor: return _ops.logsumexp(self, dim, keepdim)  # noqa: E704
    def softmax(self, dim: int) -> Tensor: return _ops.softmax(self, dim)  # noqa: E704
    def log_softmax(self, dim: int) -> Tensor: return _ops.log_softmax(self, dim)  # noqa: E704
    def cumsum(self, dim: int) -> Tensor: return _ops.cumsum(self, dim)  # noqa: E704
    def cumprod(self, dim: int, *, dtype: Any = None) -> Tensor: return _ops.cumprod(self, dim, dtype=dtype)  # noqa: E704
    def logcumsumexp(self, dim: int) -> Tensor: return _ops.logcumsumexp(self, dim)  # noqa: E704
    def cummax(self, dim: int) -> Any: return _ops.cummax(self, dim)  # noqa: E704
    def cummin(self, dim: int) -> Any: return _ops.cummin(self, dim)  # noqa: E704
    def nansum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: E704
        return _ops.nansum(self, dim, keepdim, dtype=dtype)
    def nanmean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: E704
        return _ops.nanmean(self, dim, keepdim, dtype=dtype)
    def all(self, dim: Any = None, keepdim: bool = False) -> Tensor: return _ops.all(self, dim, keepdim)  # noqa: E704
    def any(self, dim: Any = None, keepdim: bool = False) -> Tensor: return _ops.any(self, dim, keepdim)  # noqa: E704
    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: E704
        return _ops.norm(self, p, dim, keepdim)

    # ------------------------------------------------------------ products
    def matmul(self, other: Any) -> Tensor: return _ops.matmul(self, other)  # noqa: E704
    def mm(self, other: Any) -> Tensor: return _ops.mm(self, other)  # noqa: E704
    def mv(self, vec: Any) -> Tensor: return _ops.mv(self, vec)  # noqa: E704
    def bmm(self, other: Any) -> Tensor: return _ops.bmm(self, other)  # noqa: E704
    def dot(self, other: Any) -> Tensor: return _ops.dot(self, other)  # noqa: E704
    def outer(self, other: Any) -> Tensor: return _ops.outer(self, other)  # noqa: E704
    def det(self) -> Tensor: return _ops.det(self)  # noqa: E704
    def inverse(self) -> Tensor: return _ops.inverse(self)  # noqa: E704
    def logdet(self) -> Tensor: return _ops.logdet(self)  # noqa: E704
    def slogdet(self) -> Any: return _ops.slogdet(self)  # noqa: E704
    def matrix_power(self, n: int) -> Tensor: return _ops.matrix_power(self, n)  # noqa: E704
    def matrix_exp(self) -> Tensor: return _ops.matrix_exp(self)  # noqa: E704
    def pinverse(self, rcond: float = 1e-15) -> Tensor: return _ops.pinverse(self, rcond)  # noqa: E704
    def cholesky(self, upper: bool = False) -> Tensor: return _ops.cholesky(self, upper)  # noqa: E704
    def qr(self, some: bool = True) -> Any: return _ops.qr(self, some)  # noqa: E704
    def lu(self, pivot: bool = True, get_infos: bool = False) -> Any: return _ops.lu(self, pivot, get_infos)  # noqa: E704
    def svd(self, some: bool = True, compute_uv: bool = True) -> Any: return _ops.svd(self, some, compute_uv)  # noqa: E704

    # ------------------------------------------------------------ shapes
    def reshape(self, *shape: Any) -> Tensor: return _ops.reshape(self, *shape)  # noqa: E704
    def view(self, *shape: Any) -> Tensor: return _ops.view(self, *shape)  # noqa: E704
    def view_as(self, other: Any) -> Tensor: return _ops.view(self, tuple(other.shape))  # noqa: E704
    def reshape_as(self, other: Any) -> Tensor: return _ops.reshape(self, tuple(other.shape))  # noqa: E704
    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:  # noqa: E704
        return _ops.flatten(self, start_dim, end_dim)
    def unflatten(self, dim: int, sizes: Any) -> Tensor: return _ops.unflatten(self, dim, sizes)  # noqa: E704
    def ravel(self) -> Tensor: return _ops.flatten(self)  # noqa: E704
    def squeeze(self, dim: Any = None) -> Tensor: return _ops.squeeze(self, dim)  # noqa: E704
    def unsqueeze(self, dim: int) -> Tensor: return _ops.unsqueeze(self, dim)  # noqa: E704
    def transpose(self, dim0: int, dim1: int) -> Tensor: return _ops.transpose(self, dim0, dim1)  # noqa: E704
    def swapaxes(self, dim0: int, dim1: int) -> Tensor: return _ops.transpose(self, dim0, dim1)  # noqa: E704
    def permute(self, *dims: Any) -> Tensor: return _ops.permute(self, *dims)  # noqa: E704
    def movedim(self, source: Any, destination: Any) -> Tensor: return _ops.movedim(self, source, destination)  # noqa: E704
    def moveaxis(self, source: Any, destination: Any) -> Tensor: return _ops.movedim(self, source, destination)  # noqa: E704
    def swapdims(self, dim0: int, dim1: int) -> Tensor: return _ops.transpose(self, dim0, dim1)  # noqa: E704
    def t(self) -> Tensor: return _ops.t(self)  # noqa: E704
    # (in place: the tensor itself becomes the view, as PyTorch's)
    def squeeze_(self, dim: Any = None) -> Tensor: return _inplace_view(self, "squeeze_", _ops.squeeze, dim)  # noqa: E704
    def unsqueeze_(self, dim: int) -> Tensor: return _inplace_view(self, "unsqueeze_", _ops.unsqueeze, dim)  # noqa: E704
    def transpose_(self, dim0: int, dim1: int) -> Tensor:  # noqa: E704
        return _inplace_view(self, "transpose_", _ops.transpose, dim0, dim1)
    def swapaxes_(self, axis0: int, axis1: int) -> Tensor:  # noqa: E704
        return _inplace_view(self, "swapaxes_", _ops.transpose, axis0, axis1)
    def swapdims_(self, dim0: int, dim1: int) -> Tensor:  # noqa: E704
        return _inplace_view(self, "swapdims_", _ops.transpose, dim0, dim1)
    def t_(self) -> Tensor: return _inplace_view(self, "t_", _ops.t)  # noqa: E704

    @property
    def T(self) -> Tensor:  # noqa: N802
        if self.ndim > 2:  # type: ignore[attr-defined]
            warnings.warn("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
                          "deprecated; use x.permute(*reversed(range(x.ndim))) or x.mT", UserWarning, stacklevel=2)
        return _ops.permute(self, tuple(reversed(range(self.ndim))))  # type: ignore[attr-defined]

    @property
    def mT(self) -> Tensor:  # noqa: N802
        return _ops.transpose(self, -2, -1)

    def expand(self, *sizes: Any) -> Tensor: return _ops.expand(self, *sizes)  # noqa: E704
    def expand_as(self, other: Any) -> Tensor: return _ops.expand_as(self, other)  # noqa: E704
    def broadcast_to(self, shape: Any) -> Tensor: return _ops.broadcast_to(self, shape)  # noqa: E704
    def sum_to_size(self, *size: Any) -> Tensor: return _ops.sum_to_size(self, *size)  # noqa: E704
    def flip(self, dims: Any) -> Tensor: return _ops.flip(self, dims)  # noqa: E704
    def fliplr(self) -> Tensor: return _ops.fliplr(self)  # noqa: E704
    def flipud(self) -> Tensor: return _ops.flipud(self)  # noqa: E704
    def cross(self, other: Any, dim: Any = None) -> Tensor: return _ops.cross(self, other, dim)  # noqa: E704
    def split(self, split_size: Any, dim: int = 0) -> Any: return _ops.split(self, split_size, dim)  # noqa: E704
    def chunk(self, chunks: int, dim: int = 0) -> Any: return _ops.chunk(self, chunks, dim)  # noqa: E704
    def unbind(self, dim: int = 0) -> Any: return _ops.unbind(self, dim)  # noqa: E704
    def narrow(self, dim: int, start: int, length: int) -> Tensor: return _ops.narrow(self, dim, start, length)  # noqa: E704
    def select(self, dim: int, index: int) -> Tensor: return _ops.select(self, dim, index)  # noqa: E704
    def gather(self, dim: int, index: Any) -> Tensor: return _ops.gather(self, dim, index)  # noqa: E704
    def masked_select(self, mask: Any) -> Tensor: return _ops.masked_select(self, mask)  # noqa: E704
    def nonzero(self, *, as_tuple: bool = False) -> Any: return _ops.nonzero(self, as_tuple=as_tuple)  # noqa: E704
    def clone(self) -> Tensor: return _ops.clone(self)  # noqa: E704
    def tril(self, diagonal: int = 0) -> Tensor: return _ops.tril(self, diagonal)  # noqa: E704
    def triu(self, diagonal: int = 0) -> Tensor: return _ops.triu(self, diagonal)  # noqa: E704
    def diag(self, diagonal: int = 0) -> Tensor: return _ops.diag(self, diagonal)  # noqa: E704
    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor: return _ops.diagonal(self, offset, dim1, dim2)  # noqa: E501,E704
    def trace(self) -> Tensor: return _ops.trace(self)  # noqa: E704
    def roll(self, shifts: Any, dims: Any = None) -> Tensor: return _ops.roll(self, shifts, dims)  # noqa: E704
    def repeat(self, *sizes: Any) -> Tensor: return _ops.repeat(self, *sizes)  # noqa: E704
    def index_select(self, dim: int, index: Any) -> Tensor: return _ops.index_select(self, dim, index)  # noqa: E704
    def rot90(self, k: int = 1, dims: Any = (0, 1)) -> Tensor: return _ops.rot90(self, k, dims)  # noqa: E704
    def take(self, index: Any) -> Tensor: return _ops.take(self, index)  # noqa: E704
    def tensor_split(self, indices_or_sections: Any, dim: int = 0) -> Any:  # noqa: E704
        return _ops.tensor_split(self, indices_or_sections, dim)
    def hsplit(self, sections: Any) -> Any: return _ops.hsplit(self, sections)  # noqa: E704
    def vsplit(self, sections: Any) -> Any: return _ops.vsplit(self, sections)  # noqa: E704
    def dsplit(self, sections: Any) -> Any: return _ops.dsplit(self, sections)  # noqa: E704
    def diag_embed(self, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:  # noqa: E704
        return _ops.diag_embed(self, offset, dim1, dim2)
    def diagflat(self, offset: int = 0) -> Tensor: return _ops.diagflat(self, offset)  # noqa: E704
    def kron(self, other: Any) -> Tensor: return _ops.kron(self, other)  # noqa: E704
    def index_copy(self, dim: int, index: Any, source: Any) -> Tensor: return _ops.index_copy(self, dim, index, source)  # noqa: E501,E704
    def index_fill(self, dim: int, index: Any, value: Any) -> Tensor: return _ops.index_fill(self, dim, index, value)  # noqa: E501,E704
    def select_scatter(self, src: Any, dim: int, index: int) -> Tensor: return _ops.select_scatter(self, src, dim, index)  # noqa: E501,E704
    def slice_scatter(self, src: Any, dim: int = 0, start: Any = None, end: Any = None, step: int = 1) -> Tensor:  # noqa: E704
        return _ops.slice_scatter(self, src, dim, start, end, step)
    def diagonal_scatter(self, src: Any, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:  # noqa: E704
        return _ops.diagonal_scatter(self, src, offset, dim1, dim2)
    def masked_scatter(self, mask: Any, source: Any) -> Tensor: return _ops.masked_scatter(self, mask, source)  # noqa: E704
    def narrow_copy(self, dim: int, start: int, length: int) -> Tensor: return _ops.narrow_copy(self, dim, start, length)  # noqa: E501,E704
    def lerp(self, end: Any, weight: Any) -> Tensor: return _ops.lerp(self, end, weight)  # noqa: E704
    def scatter(self, dim: int, index: Any, src: Any = None, value: Any = None, *, reduce: Any = None) -> Tensor:  # noqa: E704
        return _ops.scatter(self, dim, index, src, value=value, reduce=reduce)
    def scatter_add(self, dim: int, index: Any, src: Any) -> Tensor: return _ops.scatter_add(self, dim, index, src)  # noqa: E704
    def scatter_reduce(self, dim: int, index: Any, src: Any, reduce: str, *, include_self: bool = True) -> Tensor:  # noqa: E704
        return _ops.scatter_reduce(self, dim, index, src, reduce, include_self=include_self)
    def index_add(self, dim: int, index: Any, source: Any, *, alpha: Any = 1) -> Tensor:  # noqa: E704
        return _ops.index_add(self, dim, index, source, alpha=alpha)
    def tile(self, *dims: Any) -> Tensor:  # noqa: E704
        return _ops.tile(self, tuple(dims[0]) if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims)
    def repeat_interleave(self, repeats: Any, dim: Any = None, *, output_size: Any = None) -> Tensor:  # noqa: E704
        return _ops.repeat_interleave(self, repeats, dim, output_size=output_size)
    def unique(self, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,  # noqa: A002,E704
               dim: Any = None) -> Any:
        return _ops.unique(self, sorted, return_inverse, return_counts, dim)
    def unique_consecutive(self, return_inverse: bool = False, return_counts: bool = False,  # noqa: E704
                           dim: Any = None) -> Any:
        return _ops.unique_consecutive(self, return_inverse, return_counts, dim)
    def bincount(self, weights: Any = None, minlength: int = 0) -> Tensor:  # noqa: E704
        return _ops.bincount(self, weights, minlength)
    def multinomial(self, num_samples: int, replacement: bool = False, *, generator: Any = None) -> Tensor:  # noqa: E704
        return _ops.multinomial(self, num_samples, replacement, generator=generator)
    def addcmul(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:  # noqa: E704
        return _ops.addcmul(self, tensor1, tensor2, value=value)
    def addmv(self, mat: Any, vec: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:  # noqa: E704
        return _ops.addmv(self, mat, vec, beta=beta, alpha=alpha)
    def addr(self, vec1: Any, vec2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:  # noqa: E704
        return _ops.addr(self, vec1, vec2, beta=beta, alpha=alpha)
    def addbmm(self, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:  # noqa: E704
        return _ops.addbmm(self, batch1, batch2, beta=beta, alpha=alpha)
    def baddbmm(self, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:  # noqa: E704
        return _ops.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)
    def renorm(self, p: Any, dim: int, maxnorm: Any) -> Tensor: return _ops.renorm(self, p, dim, maxnorm)  # noqa: E704
    def histc(self, bins: int = 100, min: Any = 0, max: Any = 0) -> Tensor:  # noqa: A002,E704
        return _ops.histc(self, bins, min, max)
    def bernoulli(self, p: Any = None, *, generator: Any = None) -> Tensor:  # noqa: E704
        return _ops.bernoulli(self, p, generator=generator)
    def addcdiv(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:  # noqa: E704
        return _ops.addcdiv(self, tensor1, tensor2, value=value)
    def fmod(self, other: Any) -> Tensor: return _ops.fmod(self, other)  # noqa: E704
    def nan_to_num(self, nan: float = 0.0, posinf: Any = None, neginf: Any = None) -> Tensor:  # noqa: E704
        return _ops.nan_to_num(self, nan, posinf, neginf)
    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:  # noqa: E704
        return _ops.sort(self, dim, descending, stable=stable)
    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:  # noqa: E704
        return _ops.argsort(self, dim, descending, stable=stable)
    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002,E704
        return _ops.topk(self, k, dim, largest, sorted)
    def median(self, dim: Any = None, keepdim: bool = False) -> Any: return _ops.median(self, dim, keepdim)  # noqa: E704
    def nanmedian(self, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: E704
        return _ops.nanmedian(self, dim, keepdim)
    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> Any:  # noqa: E704
        return _ops.kthvalue(self, k, dim, keepdim)
    def mode(self, dim: int = -1, keepdim: bool = False) -> Any: return _ops.mode(self, dim, keepdim)  # noqa: E704
    def msort(self) -> Tensor: return _ops.msort(self)  # noqa: E704
    def dist(self, other: Any, p: Any = 2) -> Tensor: return _ops.dist(self, other, p)  # noqa: E704
    def cov(self, *, correction: int = 1, fweights: Any = None, aweights: Any = None) -> Tensor:  # noqa: E704
        return _ops.cov(self, correction=correction, fweights=fweights, aweights=aweights)
    def corrcoef(self) -> Tensor: return _ops.corrcoef(self)  # noqa: E704
    def quantile(self, q: Any, dim: Any = None, keepdim: bool = False, *, interpolation: str = "linear") -> Tensor:  # noqa: E704
        return _ops.quantile(self, q, dim, keepdim, interpolation=interpolation)
    def nanquantile(self, q: Any, dim: Any = None, keepdim: bool = False, *,  # noqa: E704
                    interpolation: str = "linear") -> Tensor:
        return _ops.nanquantile(self, q, dim, keepdim, interpolation=interpolation)

    def new_tensor(self, data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
        """A new tensor of ``data`` with this tensor's dtype unless ``dtype`` is given (a copy, as PyTorch's)."""
        from symgrad.creation import tensor

        return tensor(data, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)  # type: ignore[attr-defined]

    def new_full(self, size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:
        """A tensor of ``size`` filled with ``fill_value``, with this tensor's dtype unless ``dtype`` is given."""
        from symgrad.creation import full

        return full(size, fill_value, dtype=dtype or self.dtype, device=device,  # type: ignore[attr-defined]
                    requires_grad=requires_grad)

    def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
        """Zeros of ``size``, with this tensor's dtype unless ``dtype`` is given.

        >>> import symgrad
        >>> symgrad.tensor([1, 2]).new_zeros(2, 2)
        tensor([[0, 0],
                [0, 0]])
        """
        from symgrad.creation import zeros

        return zeros(*size, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)  # type: ignore[attr-defined]

    def new_ones(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
        """Ones of ``size``, with this tensor's dtype unless ``dtype`` is given."""
        from symgrad.creation import ones

        return ones(*size, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)  # type: ignore[attr-defined]

    def new_empty(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
        """An uninitialised tensor of ``size`` (zeros here), with this tensor's dtype unless ``dtype`` is given."""
        return self.new_zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)

    def contiguous(self) -> Tensor:
        return self  # type: ignore[return-value]  # NumPy arrays are always usable as they are

    def is_contiguous(self) -> bool:
        return bool(self._value.flags.c_contiguous)  # type: ignore[attr-defined]

    # ------------------------------------------------------------ in place
    def add_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        if alpha.__class__ is int and alpha == 1 and _binary_in_place(self, _ADD, other):
            return self  # type: ignore[return-value]
        return _inplace(self, _ops.add, other, alpha=alpha)

    def sub_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        if alpha.__class__ is int and alpha == 1 and _binary_in_place(self, _SUB, other):
            return self  # type: ignore[return-value]
        return _inplace(self, _ops.sub, other, alpha=alpha)

    def mul_(self, other: Any) -> Tensor:
        if _binary_in_place(self, _MUL, other):
            return self  # type: ignore[return-value]
        return _inplace(self, _ops.mul, other)

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:  # noqa: E704
        return _inplace(self, _ops.div, other, rounding_mode=rounding_mode)
    def pow_(self, exponent: Any) -> Tensor: return _inplace(self, _ops.pow, exponent)  # noqa: E704
    def neg_(self) -> Tensor: return _inplace(self, _ops.neg)  # noqa: E704
    def exp_(self) -> Tensor: return _inplace(self, _ops.exp)  # noqa: E704
    def log_(self) -> Tensor: return _inplace(self, _ops.log)  # noqa: E704
    def sqrt_(self) -> Tensor: return _inplace(self, _ops.sqrt)  # noqa: E704
    def sin_(self) -> Tensor: return _inplace(self, _ops.sin)  # noqa: E704
    def cos_(self) -> Tensor: return _inplace(self, _ops.cos)  # noqa: E704
    def tanh_(self) -> Tensor: return _inplace(self, _ops.tanh)  # noqa: E704
    def sigmoid_(self) -> Tensor: return _inplace(self, _ops.sigmoid)  # noqa: E704
    def relu_(self) -> Tensor: return _inplace(self, _ops.relu)  # noqa: E704
    def abs_(self) -> Tensor: return _inplace(self, _ops.abs)  # noqa: E704
    def clamp_(self, min: Any = None, max: Any = None) -> Tensor: return _inplace(self, _ops.clamp, min, max)  # noqa: A002,E704
    def masked_fill_(self, mask: Any, value: Any) -> Tensor: return _inplace(self, _ops.masked_fill, mask, value)  # noqa: E704

    def addcmul_(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
        return _inplace(self, _ops.addcmul, tensor1, tensor2, value=value)
    def addmv_(self, mat: Any, vec: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:  # noqa: E704
        return _inplace(self, _ops.addmv, mat, vec, beta=beta, alpha=alpha)
    def addr_(self, vec1: Any, vec2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:  # noqa: E704
        return _inplace(self, _ops.addr, vec1, vec2, beta=beta, alpha=alpha)
    def addbmm_(self, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:  # noqa: E704
        return _inplace(self, _ops.addbmm, batch1, batch2, beta=beta, alpha=alpha)
    def baddbmm_(self, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:  # noqa: E704
        return _inplace(self, _ops.baddbmm, batch1, batch2, beta=beta, alpha=alpha)
    def renorm_(self, p: Any, dim: int, maxnorm: Any) -> Tensor:  # noqa: E704
        return _inplace(self, _ops.renorm, p, dim, maxnorm)
    def bernoulli_(self, p: Any = 0.5, *, generator: Any = None) -> Tensor:  # noqa: E704
        return _ops.sampling.bernoulli_(self, p, generator=generator)

    def addcdiv_(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
        return _inplace(self, _ops.addcdiv, tensor1, tensor2, value=value)

    def lerp_(self, end: Any, weight: Any) -> Tensor:
        return _inplace(self, _ops.lerp, end, weight)

    def scatter_(self, dim: int, index: Any, src: Any = None, value: Any = None, *, reduce: Any = None) -> Tensor:
        return _inplace(self, _ops.scatter, dim, index, src, value=value, reduce=reduce)

    def scatter_add_(self, dim: int, index: Any, src: Any) -> Tensor:
        return _inplace(self, _ops.scatter_add, dim, index, src)

    def scatter_reduce_(self, dim: int, index: Any, src: Any, reduce: str, *, include_self: bool = True) -> Tensor:
        return _inplace(self, _ops.scatter_reduce, dim, index, src, reduce, include_self=include_self)

    def index_add_(self, dim: int, index: Any, source: Any, *, alpha: Any = 1) -> Tensor:
        return _inplace(self, _ops.index_add, dim, index, source, alpha=alpha)

    def index_copy_(self, dim: int, index: Any, source: Any) -> Tensor:
        return _inplace(self, _ops.index_copy, dim, index, source)

    def index_fill_(self, dim: int, index: Any, value: Any) -> Tensor:
        return _inplace(self, _ops.index_fill, dim, index, value)

    def masked_scatter_(self, mask: Any, source: Any) -> Tensor:
        return _inplace(self, _ops.masked_scatter, mask, source)

    def tril_(self, diagonal: int = 0) -> Tensor: return _inplace(self, _ops.tril, diagonal)  # noqa: E704
    def triu_(self, diagonal: int = 0) -> Tensor: return _inplace(self, _ops.triu, diagonal)  # noqa: E704
    def fmod_(self, other: Any) -> Tensor: return _inplace(self, _ops.fmod, other)  # noqa: E704
    def nan_to_num_(self, nan: float = 0.0, posinf: Any = None, neginf: Any = None) -> Tensor:  # noqa: E704
        return _inplace(self, _ops.nan_to_num, nan, posinf, neginf)
    def clamp_min_(self, min: Any) -> Tensor: return _inplace(self, _ops.clamp_min, min)  # noqa: A002,E704
    def clamp_max_(self, max: Any) -> Tensor: return _inplace(self, _ops.clamp_max, max)  # noqa: A002,E704
    def atan2_(self, other: Any) -> Tensor: return _inplace(self, _ops.atan2, other)  # noqa: E704
    arctan2_ = atan2_
    def hypot_(self, other: Any) -> Tensor: return _inplace(self, _ops.hypot, other)  # noqa: E704
    def xlogy_(self, other: Any) -> Tensor: return _inplace(self, _ops.xlogy, other)  # noqa: E704
    def igamma_(self, other: Any) -> Tensor: return _inplace(self, _ops.igamma, other)  # noqa: E704
    def igammac_(self, other: Any) -> Tensor: return _inplace(self, _ops.igammac, other)  # noqa: E704
    def copysign_(self, other: Any) -> Tensor: return _inplace(self, _ops.copysign, other)  # noqa: E704
    def heaviside_(self, values: Any) -> Tensor: return _inplace(self, _ops.heaviside, values)  # noqa: E704
    def nextafter_(self, other: Any) -> Tensor: return _inplace(self, _ops.nextafter, other)  # noqa: E704
    def ldexp_(self, other: Any) -> Tensor: return _inplace(self, _ops.ldexp, other)  # noqa: E704
    def lgamma_(self) -> Tensor: return _inplace(self, _ops.lgamma)  # noqa: E704
    def digamma_(self) -> Tensor: return _inplace(self, _ops.digamma)  # noqa: E704
    def polygamma_(self, n: int) -> Tensor: return _inplace(self, lambda x: _ops.polygamma(n, x))  # noqa: E704
    def erfinv_(self) -> Tensor: return _inplace(self, _ops.erfinv)  # noqa: E704
    def i0_(self) -> Tensor: return _inplace(self, _ops.i0)  # noqa: E704
    def sinc_(self) -> Tensor: return _inplace(self, _ops.sinc)  # noqa: E704
    def logit_(self, eps: float | None = None) -> Tensor: return _inplace(self, _ops.logit, eps)  # noqa: E704
    def deg2rad_(self) -> Tensor: return _inplace(self, _ops.deg2rad)  # noqa: E704
    def rad2deg_(self) -> Tensor: return _inplace(self, _ops.rad2deg)  # noqa: E704
    def sgn_(self) -> Tensor: return _inplace(self, _ops.sgn)  # noqa: E704
    def gcd_(self, other: Any) -> Tensor: return _inplace(self, _ops.gcd, other)  # noqa: E704
    def lcm_(self, other: Any) -> Tensor: return _inplace(self, _ops.lcm, other)  # noqa: E704
    def bitwise_and_(self, other: Any) -> Tensor: return _inplace(self, _ops.bitwise_and, other)  # noqa: E704
    def bitwise_or_(self, other: Any) -> Tensor: return _inplace(self, _ops.bitwise_or, other)  # noqa: E704
    def bitwise_xor_(self, other: Any) -> Tensor: return _inplace(self, _ops.bitwise_xor, other)  # noqa: E704
    def bitwise_not_(self) -> Tensor: return _inplace(self, _ops.bitwise_not)  # noqa: E704
    def cumprod_(self, dim: int, *, dtype: Any = None) -> Tensor:  # noqa: E704
        return _inplace(self, _ops.cumprod, dim, dtype=dtype)

    # (PyTorch's other in-place forms of elementwise ops)
    def floor_(self) -> Tensor: return _inplace(self, _ops.floor)  # noqa: E704
    def ceil_(self) -> Tensor: return _inplace(self, _ops.ceil)  # noqa: E704
    def trunc_(self) -> Tensor: return _inplace(self, _ops.trunc)  # noqa: E704
    def frac_(self) -> Tensor: return _inplace(self, _ops.frac)  # noqa: E704
    def sign_(self) -> Tensor: return _inplace(self, _ops.sign)  # noqa: E704
    def exp2_(self) -> Tensor: return _inplace(self, _ops.exp2)  # noqa: E704
    def expm1_(self) -> Tensor: return _inplace(self, _ops.expm1)  # noqa: E704
    def log1p_(self) -> Tensor: return _inplace(self, _ops.log1p)  # noqa: E704
    def log2_(self) -> Tensor: return _inplace(self, _ops.log2)  # noqa: E704
    def log10_(self) -> Tensor: return _inplace(self, _ops.log10)  # noqa: E704
    def rsqrt_(self) -> Tensor: return _inplace(self, _ops.rsqrt)  # noqa: E704
    def reciprocal_(self) -> Tensor: return _inplace(self, _ops.reciprocal)  # noqa: E704
    def square_(self) -> Tensor: return _inplace(self, _ops.square)  # noqa: E704
    def tan_(self) -> Tensor: return _inplace(self, _ops.tan)  # noqa: E704
    def sinh_(self) -> Tensor: return _inplace(self, _ops.sinh)  # noqa: E704
    def cosh_(self) -> Tensor: return _inplace(self, _ops.cosh)  # noqa: E704
    def asin_(self) -> Tensor: return _inplace(self, _ops.asin)  # noqa: E704
    def acos_(self) -> Tensor: return _inplace(self, _ops.acos)  # noqa: E704
    def atan_(self) -> Tensor: return _inplace(self, _ops.atan)  # noqa: E704
    def asinh_(self) -> Tensor: return _inplace(self, _ops.asinh)  # noqa: E704
    def acosh_(self) -> Tensor: return _inplace(self, _ops.acosh)  # noqa: E704
    def atanh_(self) -> Tensor: return _inplace(self, _ops.atanh)  # noqa: E704
    def erf_(self) -> Tensor: return _inplace(self, _ops.erf)  # noqa: E704
    def erfc_(self) -> Tensor: return _inplace(self, _ops.erfc)  # noqa: E704
    def logical_not_(self) -> Tensor: return _inplace(self, _ops.logical_not)  # noqa: E704
    def round_(self, *, decimals: int = 0) -> Tensor: return _inplace(self, _ops.round, decimals=decimals)  # noqa: E704
    fix_ = trunc_
    negative_ = neg_
    absolute_ = abs_
    arcsin_, arccos_, arctan_ = asin_, acos_, atan_
    arcsinh_, arccosh_, arctanh_ = asinh_, acosh_, atanh_
    clip_ = clamp_
    def remainder_(self, other: Any) -> Tensor: return _inplace(self, _ops.remainder, other)  # noqa: E704
    def floor_divide_(self, other: Any) -> Tensor: return _inplace(self, _ops.floor_divide, other)  # noqa: E704
    def eq_(self, other: Any) -> Tensor: return _inplace(self, _ops.eq, other)  # noqa: E704
    def ne_(self, other: Any) -> Tensor: return _inplace(self, _ops.ne, other)  # noqa: E704
    def lt_(self, other: Any) -> Tensor: return _inplace(self, _ops.lt, other)  # noqa: E704
    def le_(self, other: Any) -> Tensor: return _inplace(self, _ops.le, other)  # noqa: E704
    def gt_(self, other: Any) -> Tensor: return _inplace(self, _ops.gt, other)  # noqa: E704
    def ge_(self, other: Any) -> Tensor: return _inplace(self, _ops.ge, other)  # noqa: E704
    def logical_and_(self, other: Any) -> Tensor: return _inplace(self, _ops.logical_and, other)  # noqa: E704
    def logical_or_(self, other: Any) -> Tensor: return _inplace(self, _ops.logical_or, other)  # noqa: E704
    def logical_xor_(self, other: Any) -> Tensor: return _inplace(self, _ops.logical_xor, other)  # noqa: E704
    divide_ = true_divide_ = div_
    multiply_ = mul_
    subtract_ = sub_
    greater_, greater_equal_, less_, less_equal_, not_equal_ = gt_, ge_, lt_, le_, ne_

    def fill_(self, value: Any) -> Tensor:
        """Set every element to ``value`` (a number or a 0-d tensor)."""
        if _fill_number(self, value):
            return self  # type: ignore[return-value]
        return _inplace(self, _fill, value)

    def zero_(self) -> Tensor:
        """Set every element to 0."""
        if _fill_number(self, 0):
            return self  # type: ignore[return-value]
        return _inplace(self, _fill, 0)

    def copy_(self, src: Any, non_blocking: bool = False) -> Tensor:
        """Copy ``src`` (broadcast, converted) into this tensor."""
        return _inplace(self, _copy_from, src)

    def uniform_(self, a: float = 0.0, b: float = 1.0) -> Tensor:
        from symgrad.creation import generator

        return _inplace(self, _fill, generator().uniform(a, b, self.shape))  # type: ignore[attr-defined]

    def normal_(self, mean: float = 0.0, std: float = 1.0) -> Tensor:
        from symgrad.creation import generator

        return _inplace(self, _fill, generator().normal(mean, std, self.shape))  # type: ignore[attr-defined]


    # ------------------------------------------------------------ dtype and device
    # (last in the class: these method names shadow float/int/bool in later annotations)
    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)`` or ``to(other)``;
        devices other than the CPU are refused with a clear error."""
        if len(args) == 1 and not kwargs and args[0].__class__ is _device and args[0].type == "cpu":
            return self  # type: ignore[return-value]  # the seed's .to(device), every epoch
        _dtype = _dt.dtype
        target = kwargs.pop("dtype", None)
        dev = kwargs.pop("device", None)
        kwargs.pop("non_blocking", None)
        kwargs.pop("copy", None)
        if kwargs:
            raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
        for a in args:
            if isinstance(a, (_dtype, np.dtype)) or a in (float, int, bool) or (
                    isinstance(a, type) and issubclass(a, np.generic)):
                target = a
            elif isinstance(a, (str, _device)):
                dev = a
            elif hasattr(a, "_value"):
                target = a.dtype
            elif a is not None:
                raise TypeError(f"to() received an invalid argument {a!r}: expected a dtype, a device or a tensor")
        if dev is not None:
            _device(dev)
        return _ops.to_dtype(self, target) if target is not None else self  # type: ignore[return-value]

    def type(self, dtype: Any = None) -> Any:
        """The legacy type name (``'symgrad.DoubleTensor'``, PyTorch's names), or a
        copy converted to ``dtype`` (a dtype or such a name)."""
        if dtype is None:
            return f"symgrad.{_LEGACY_TYPES[self.dtype.name]}"  # type: ignore[attr-defined]
        if isinstance(dtype, str):
            kind = dtype.rpartition(".")[2]
            names = {v: k for k, v in _LEGACY_TYPES.items()}
            if kind not in names:
                raise ValueError(f"invalid type: {dtype!r}; use a dtype or one of {', '.join(sorted(names))}")
            dtype = getattr(_dt, names[kind] if names[kind] != "bool" else "bool_")
        return self.to(dtype)

    def type_as(self, other: Any) -> Tensor: return self.to(_tensor_argument(other, "type_as", "other").dtype)  # noqa: E704
    def double(self) -> Tensor: return self.to(_dt.float64)  # noqa: E704
    def float(self) -> Tensor: return self.to(_dt.float32)  # noqa: E704
    def half(self) -> Tensor: return self.to(_dt.float16)  # noqa: E704
    def long(self) -> Tensor: return self.to(_dt.int64)  # noqa: E704
    def int(self) -> Tensor: return self.to(_dt.int32)  # noqa: E704
    def bool(self) -> Tensor: return self.to(_dt.bool_)  # noqa: E704
    def cpu(self) -> Tensor: return self  # type: ignore[return-value]  # noqa: E704

    def cuda(self, *args: Any, **kwargs: Any) -> Tensor:
        from symgrad.device import device as _device

        _device("cuda")
        return self  # type: ignore[return-value]  # pragma: no cover - device() raises

# PyTorch's legacy tensor type names, by dtype name (t.type())
_LEGACY_TYPES = {"float64": "DoubleTensor", "float32": "FloatTensor", "float16": "HalfTensor", "int64": "LongTensor",
                 "int32": "IntTensor", "int16": "ShortTensor", "int8": "CharTensor", "uint8": "ByteTensor",
                 "bool": "BoolTensor"}

# x.sum(axis=0), x.mean(0, keepdims=True): the NumPy names PyTorch's methods take too
give_numpy_names(TensorOps, ("sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "var", "std",
                             "logsumexp", "softmax", "log_softmax", "cumsum", "all", "any", "unflatten", "squeeze",
                             "unsqueeze", "chunk", "unbind", "narrow", "select", "gather", "index_select", "sort",
                             "argsort", "topk", "scatter", "scatter_add", "index_add", "repeat_interleave", "scatter_",
                             "scatter_add_", "index_add_", "scatter_reduce", "scatter_reduce_", "cumprod", "cumprod_",
                             "logcumsumexp", "cummax", "cummin", "nansum", "nanmean"))


def _fill(src: Any, value: Any) -> Any:
    from symgrad.creation import as_tensor

    v = as_tensor(value)
    if v.ndim and tuple(v.shape) != tuple(src.shape):
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with {v.ndim} dimensions")
    return _overwrite(src, _ops.expand(v.to(src.dtype), *src.shape))


def _copy_from(src: Any, other: Any) -> Any:
    from symgrad.creation import as_tensor

    o = as_tensor(other)
    return _overwrite(src, _ops.expand(o.to(src.dtype), *src.shape))


def _overwrite(old: Any, new: Any) -> Any:
    """``new`` written over ``old``: a history ``old`` had gets a zero gradient
    (PyTorch's FillBackward/CopyBackwards), also when ``new`` has a history of
    its own (``y.fill_(v)``, ``y.copy_(w)`` with ``v``, ``w`` requiring grad)."""
    from symgrad.dispatch import overwritten

    return overwritten(old, new)
