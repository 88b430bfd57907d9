"""Pointwise functions PyTorch users reach for: ``lerp``, ``addcmul``,
``addcdiv``, ``deg2rad``, ``rad2deg``, ``sgn``, ``positive``, ``ldexp``,
``frexp`` (composed from arithmetic, so their rules and closed forms are
those of ``+ - * /``), and two op-table entries, ``fmod`` and ``nan_to_num``:

* ``fmod`` composed as ``x - y * trunc(x / y)`` would round ``x / y`` first
  and get some values wrong (``fmod(1, 0.1)`` is ``0.0999...``, the
  composition gives ``0``); NumPy's ``fmod`` is exact.
* ``nan_to_num`` of a real variable is the variable itself: its closed form
  is ``x`` (a composition of ``where``/``isnan`` would print conditions that
  never hold), and only constants are replaced.  Generated code computes it
  at run time all the same (``symgrad/codegen/runtime_forms.py``): there the
  variable is a float that may be nan or infinite.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from symgrad import return_types
from symgrad.dispatch import apply
from symgrad.ops._sympy import Exact, num, sp
from symgrad.ops._util import tensor_arg
from symgrad.ops.positions import picked
from symgrad.ops.registry import called, composed, defop

__all__ = ["lerp", "addcmul", "addcdiv", "fmod", "nan_to_num", "deg2rad", "rad2deg", "sgn", "positive", "ldexp",
           "frexp"]


def _fmod_sym(x: Any, y: Any) -> Any:
    if (y.is_zero if isinstance(y, sp.Basic) else y == 0):
        return sp.nan  # as its value (NumPy, PyTorch); SymPy would divide by zero
    q = x / y
    return x - y * sp.sign(q) * sp.floor(sp.Abs(q))  # trunc(q), as symgrad writes trunc


# PyTorch's rule for other: -grad * self.div(other, rounding_mode="trunc")
_FMOD = defop("fmod", np.fmod, _fmod_sym, inputs=("x", "y"), elementwise=True, promote="common",
              vjp=(lambda g, out, x, y: g,
                   lambda g, out, x, y: -g * trunc(x / y)))


def _nan_to_num_sym(x: Any, nan: float, posinf: float, neginf: float) -> Any:
    if x is sp.nan:
        return num(nan)
    if x is sp.oo:
        return num(posinf)
    if x is sp.S.NegativeInfinity:
        return num(neginf)
    if isinstance(x, sp.Basic) and x.has(sp.oo, sp.S.NegativeInfinity, sp.zoo, sp.nan):
        return sp.Function("nan_to_num")(x)  # (oo*x: which replacement depends on x's sign)
    return x  # a real variable is finite


def _finite_ones(x: Any) -> Any:
    # 1 where x is finite, 0 at nan and +-inf: the two replacements differ by
    # 1 there and are both x elsewhere (x - x is exactly 0 for a finite x).
    # Written so that its closed form is 1 (SymPy's 1 - (x - x) of a real x),
    # not isfinite(x).  Not x*0 + 1 (nan at nan and inf): generated code
    # tidies 0*x to 0, as SymPy does, and would lose the mask.
    return 1.0 - (nan_to_num(x, 1.0, 1.0, 1.0) - nan_to_num(x, 0.0, 0.0, 0.0))


def nan_mask(x: Any) -> Any:
    """Where ``x`` is nan, as a bool tensor whose closed form is ``False`` (a
    real variable is never nan) and which generated code computes at run
    time: the two replacements differ by 1 at nan, and are both ``x``, or
    both 0 at +-inf, elsewhere (``nansum`` masks with it)."""
    return nan_to_num(x, 1.0, 0.0, 0.0) - nan_to_num(x, 0.0, 0.0, 0.0) > 0


_NAN_TO_NUM = defop("nan_to_num", np.nan_to_num, _nan_to_num_sym, params=("nan", "posinf", "neginf"),
                    elementwise=True, promote="keep",
                    vjp=(lambda g, out, x, nan, posinf, neginf: g * _finite_ones(x),))


def fmod(input: Any, other: Any) -> Any:
    """C's ``fmod``: the remainder with the sign of the dividend (``remainder``
    has the divisor's).  Derivatives ``1`` and ``-trunc(x/y)``, as PyTorch's.

    >>> import symgrad
    >>> symgrad.fmod(symgrad.tensor([-7., 7.]), 3)
    tensor([-1.,  1.])
    """
    x = input if hasattr(input, "_value") else tensor_arg(input)
    out_kind = _result_kind(x, other)
    if out_kind in "iub" and not np.all(getattr(other, "_value", other)):
        raise RuntimeError("ZeroDivisionError")
    return apply(_FMOD, x, other)


def nan_to_num(input: Any, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None) -> Any:
    """``nan``, ``+inf`` and ``-inf`` replaced by numbers (by default 0 and the
    dtype's largest and smallest finite values).  The derivative is 1 where
    the input is finite, 0 elsewhere (PyTorch's); the closed form of a
    variable is the variable.

    >>> import symgrad
    >>> symgrad.nan_to_num(symgrad.tensor([float('nan'), 1., float('inf')]), posinf=9.)
    tensor([0., 1., 9.])
    """
    x = input if isinstance(input, np.ndarray) else tensor_arg(input)
    dt = x.dtype if isinstance(x, np.ndarray) else x.dtype.numpy
    if dt.kind in "fc":
        info = np.finfo(dt)
        posinf = float(info.max) if posinf is None else posinf
        neginf = float(info.min) if neginf is None else neginf
    else:
        posinf = math.inf if posinf is None else posinf  # unused: integers hold no nan or inf
        neginf = -math.inf if neginf is None else neginf
    return apply(_NAN_TO_NUM, x, nan=float(nan), posinf=float(posinf), neginf=float(neginf))


def _lerp(x: Any, end: Any, weight: Any) -> Any:
    return x + weight * (end - x)


# One op, with PyTorch's rules (each a single product with g): as a composition the input's gradient was
# g - g*weight, inf - inf for an infinite g
_LERP = defop("lerp", _lerp, _lerp, inputs=("x", "end", "weight"), elementwise=True, promote="common",
              vjp=(lambda g, out, x, end, weight: g * (1 - weight), lambda g, out, x, end, weight: g * weight,
                   lambda g, out, x, end, weight: g * (end - x)))


def lerp(input: Any, end: Any, weight: Any) -> Any:
    """``input + weight * (end - input)``: the derivatives are ``1 - weight``,
    ``weight`` and ``end - input``.

    >>> import symgrad
    >>> a = symgrad.tensor(1., requires_grad=True)
    >>> b = symgrad.tensor(3., requires_grad=True)
    >>> symgrad.lerp(a, b, 0.25).expr
    0.75*a + 0.25*b
    """
    x, e = tensor_arg(input), tensor_arg(end)
    if not x.dtype.is_floating_point:
        raise NotImplementedError(f"\"lerp_kernel_scalar\" not implemented for '{x.dtype.name}' (as in PyTorch)")
    if e.dtype != x.dtype:
        raise RuntimeError(f"expected dtype {x.dtype.name} for `end` but got dtype {e.dtype.name}")
    if hasattr(weight, "_value") and weight.dtype != x.dtype:
        weight = weight.to(x.dtype)  # the weight does not promote (PyTorch)
    name = "LerpBackward1" if hasattr(weight, "_value") else "LerpBackward0"  # (PyTorch's: tensor or number weight)
    return called(apply(_LERP, x, e, weight), _LERP, name)


def addcmul(input: Any, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Any:
    """``input + value * tensor1 * tensor2``.

    >>> import symgrad
    >>> symgrad.addcmul(symgrad.tensor([1., 1.]), symgrad.tensor([2., 3.]), symgrad.tensor([4., 5.]), value=0.5)
    tensor([5.0000, 8.5000])
    """
    x = tensor_arg(input)
    prod = tensor_arg(tensor1) * tensor2
    return composed(x + _scaled(prod, value, _result_kind(x, prod)), "AddcmulBackward0", x, tensor1, tensor2)


def addcdiv(input: Any, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Any:
    """``input + value * tensor1 / tensor2`` (integer ``tensor1`` and
    ``tensor2`` are refused, as in PyTorch).

    >>> import symgrad
    >>> symgrad.addcdiv(symgrad.tensor([1.]), symgrad.tensor([3.]), symgrad.tensor([2.]), value=2)
    tensor([4.])
    """
    x, t1, t2 = tensor_arg(input), tensor_arg(tensor1), tensor_arg(tensor2)
    if not t1.dtype.is_floating_point and not t2.dtype.is_floating_point:
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future release "
                           "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
                           "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))"
                           ".to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for "
                           "float inputs. The future addcdiv behavior is just the latter implementation: "
                           "(input + value * tensor1 / tensor2), for all dtypes.")
    return composed(x + _scaled(t1 / t2, value, _result_kind(x, t1, t2)), "AddcdivBackward0", x, t1, t2)


PI_OVER_180 = Exact(math.pi / 180, lambda: sp.pi / 180)
_180_OVER_PI = Exact(180 / math.pi, lambda: 180 / sp.pi)


def deg2rad(input: Any) -> Any:
    """Degrees to radians: ``input * pi/180``.

    >>> import symgrad
    >>> a = symgrad.tensor(90., requires_grad=True)
    >>> symgrad.deg2rad(a).expr
    a*pi/180
    """
    return tensor_arg(input) * PI_OVER_180


def rad2deg(input: Any) -> Any:
    """Radians to degrees: ``input * 180/pi``.

    >>> import symgrad
    >>> symgrad.rad2deg(symgrad.tensor([3.141592653589793]))
    tensor([180.])
    """
    return tensor_arg(input) * _180_OVER_PI


def sgn(input: Any) -> Any:
    """``sign`` (PyTorch's ``sgn`` differs from it on complex tensors only)."""
    from symgrad.ops.unary import sign

    return sign(input)


def positive(input: Any) -> Any:
    """``input`` itself, as PyTorch's ``positive`` (``+x``); bool tensors are refused."""
    x = tensor_arg(input)
    if x.dtype.numpy.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return x


def ldexp(input: Any, other: Any) -> Any:
    """``input * 2**other`` in the floating dtype of both (integers become floats).

    >>> import symgrad
    >>> symgrad.ldexp(symgrad.tensor([1.5, 3.]), symgrad.tensor([2, -1]))
    tensor([6.0000, 1.5000])
    """
    from symgrad.dtypes import get_default_dtype, result_type
    from symgrad.ops.unary import exp2

    for name, a in (("input", input), ("other", other)):
        if not hasattr(a, "_value"):
            raise TypeError(f"ldexp(): argument '{name}' (position {1 if name == 'input' else 2}) must be Tensor, "
                            f"not {type(a).__name__}")
    dtype = result_type(input, other)
    if not dtype.is_floating_point:
        dtype = get_default_dtype()
    return input.to(dtype) * exp2(other.to(dtype))


def frexp(input: Any) -> Any:
    """``(mantissa, exponent)`` with ``input = mantissa * 2**exponent``, ``0.5 <=
    |mantissa| < 1`` (``exponent`` int32).  The mantissa is ``input``
    divided by a power of 2 read from its value, so it is differentiable
    (``1/2**exponent``), and its closed form holds that power as a number:
    code generation refuses it, as it refuses ``sort``.

    >>> import symgrad
    >>> x = symgrad.tensor([8., -3.], requires_grad=True)
    >>> m, e = symgrad.frexp(x)
    >>> m.expr, e
    ([0.0625*x[0], 0.25*x[1]], tensor([4, 2], dtype=symgrad.int32))
    """
    from symgrad._tensor import Tensor

    x = tensor_arg(input)
    if not x.dtype.is_floating_point:
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    exponent = np.asarray(np.frexp(x._value)[1])
    # 2**-exponent in two exact halves: a subnormal's alone would overflow (1e-310 has exponent -1029)
    half = exponent // 2
    scales = [Tensor._make(picked(np.asarray(np.ldexp(np.ones_like(x._value), -e)), x)) for e in (half, exponent - half)]
    return return_types.frexp(x * scales[0] * scales[1], Tensor._make(picked(exponent, x)))


def _scaled(t: Any, value: Any, kind: str) -> Any:
    if isinstance(value, float) and kind in "iub":
        value = int(value)  # the value is cast to an integer result's dtype (0.5 -> 0), as PyTorch does
    return t if value.__class__ is int and value == 1 else t * value


def _result_kind(*args: Any) -> str:
    from symgrad.dtypes import result_type

    return result_type(*args).numpy.kind


from symgrad.ops.unary import trunc  # noqa: E402  (rules refer to it by name)
