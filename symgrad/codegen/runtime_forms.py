"""Ops whose closed form leaves out what code must compute at run time.

``nan_to_num`` of a real variable is the variable: SymPy's real symbols are
finite, so its SymPy forward (the closed form, ``t.expr``) returns its
argument.  Generated code runs on floats that may be nan or infinite
(``1/x`` at 0, ``log(x)`` below 0), so it must replace them as symgrad's
NumPy forward does.  ``lower`` writes such an op as the expression below
instead of its SymPy forward; each backend's printer asks the expression to
print itself (SymPy's ``printmethod`` protocol), so the printers need no
change:

* NumPy and JAX: ``numpy.nan_to_num(t, nan=..., posinf=..., neginf=...)``;
* PyTorch: ``torch.nan_to_num(t, nan=..., posinf=..., neginf=...)``;
* ``math``: ``(N if math.isnan(t) else P if t == math.inf else M if t == -math.inf else t)``;
* C: ``(isnan(t) ? N : t == INFINITY ? P : t == -INFINITY ? M : t)``;

(shorter in ``math`` and C when replacements are equal: ``(t if math.isfinite(t)
else 0.0)``, ``(isfinite(t) ? t : 0.0)``).

``signbit`` of a float likewise: its closed form is ``x < 0``, and code on
floats meets ``-0.0``; it is written ``numpy.signbit(t)``, ``torch.signbit(t)``,
``(math.copysign(1.0, t) < 0)``, ``(signbit(t) != 0)``.  So are ``copysign``
(its closed form tests ``y < 0``), ``trunc`` and ``frac`` (``sign(x)*floor(|x|)``
is +0.0 at -0.0), ``sign`` (0 at nan, as PyTorch's), ``relu`` (``maximum(x,
0.0)`` in NumPy's order), ``maximum`` and ``minimum`` (SymPy sorts ``Max``'s
arguments; on equal zeros NumPy gives the second), ``clamp`` to number bounds
(PyTorch's: ``x`` itself where it equals a bound), ``hypot``, ``fmod``,
``floor_divide`` and ``remainder`` (called from the library as eager code does:
their closed forms overflow or are nan at infinities), ``logical_not`` (SymPy rewrites ``Not(x <= 0)`` as
``x > 0``, False at nan) and, in code of scalars, casts to a float dtype
(``FloatCast``, used by ``lower`` directly): each class below says how.

The replacement values are the op's parameters, so they are eager's: by
default 0 and the largest and smallest finite values of the input's dtype
(PyTorch's defaults, float32's for float32).  The argument is always a
temporary or an input (``lower`` binds it), so the forms that read it more
than once do not compute it more than once, and SymPy never sees - and
tidies - the expression it stands for (``x/x`` would become 1).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import sympy
from sympy.printing.c import C99CodePrinter
from sympy.printing.numpy import NumPyPrinter


class NanToNum(sympy.Function):
    """``nan_to_num(x, nan, posinf, neginf)`` computed at run time (the
    replacement values are SymPy numbers: floats, ``nan``, ``oo``, ``-oo``;
    a replacement ``-0.0`` is written ``0.0``, as SymPy's floats have no
    negative zero)."""

    nargs = 4

    @classmethod
    def eval(cls, x: Any, nan: Any, posinf: Any, neginf: Any) -> Any:
        if x is sympy.nan or x is sympy.zoo:  # (zoo prints as nan: see printers)
            return nan
        if x is sympy.oo:
            return posinf
        if x is sympy.S.NegativeInfinity:
            return neginf
        if x.is_Number:
            return x
        return None

    def _eval_is_real(self) -> bool | None:
        if all(a.is_finite for a in self.args[1:]):
            return self.args[0].is_real  # type: ignore[no-any-return]
        return None

    def _code(self, printer: Any) -> str:
        x, nan, posinf, neginf = self.args
        t = printer._print(x)
        n, p, m = (_number(printer, v) for v in (nan, posinf, neginf))
        if isinstance(printer, NumPyPrinter):  # NumPy and JAX (JAX's printer is a NumPy printer)
            fn = printer._module_format(printer._module + ".nan_to_num")
            return f"{fn}({t}, nan={n}, posinf={p}, neginf={m})"
        if printer.printmethod == "_torchcode":
            return f"torch.nan_to_num({t}, nan={n}, posinf={p}, neginf={m})"
        c = isinstance(printer, C99CodePrinter)
        test = (lambda name: f"{name}({t})") if c else (lambda name: f"{printer._module_format('math.' + name)}({t})")
        if nan == posinf == neginf:  # (the gradient's mask: 1 - (nan_to_num(x, 1, 1, 1) - nan_to_num(x, 0, 0, 0)))
            return f"({test('isfinite')} ? {t} : {n})" if c else f"({t} if {test('isfinite')} else {n})"
        if posinf == neginf:
            return f"({test('isnan')} ? {n} : {test('isinf')} ? {p} : {t})" if c else \
                f"({n} if {test('isnan')} else {p} if {test('isinf')} else {t})"
        inf = printer._print(sympy.oo)
        if c:
            return f"({test('isnan')} ? {n} : {t} == {inf} ? {p} : {t} == -{inf} ? {m} : {t})"
        return f"({n} if {test('isnan')} else {p} if {t} == {inf} else {m} if {t} == -{inf} else {t})"

    # SymPy's printers call the method named by their ``printmethod``.
    _numpycode = _jaxcode = _pythoncode = _torchcode = _ccode = _code


class SignBit(sympy.logic.boolalg.BooleanFunction):
    """``signbit(x)`` computed at run time: its closed form, ``x < 0``, cannot
    see ``-0.0`` (nor the sign of a nan), which code on floats meets."""

    nargs = 1

    @classmethod
    def eval(cls, x: Any) -> Any:
        return (x < 0) if x.is_Number and x is not sympy.nan else None

    def _code(self, printer: Any) -> str:
        t = printer._print(self.args[0])
        if isinstance(printer, NumPyPrinter):
            return f"{printer._module_format(printer._module + '.signbit')}({t})"
        if printer.printmethod == "_torchcode":
            return f"torch.signbit({t})"
        if isinstance(printer, C99CodePrinter):
            return f"(signbit({t}) != 0)"
        return f"({printer._module_format('math.copysign')}(1.0, {t}) < 0)"

    _numpycode = _jaxcode = _pythoncode = _torchcode = _ccode = _code


class IsNan(sympy.logic.boolalg.BooleanFunction):
    """``isnan(x)`` as a condition (the op's SymPy forward is a plain function,
    which a ``Piecewise`` does not take): ``xlogy``'s code form."""

    nargs = 1

    def _code(self, printer: Any) -> str:
        return _call(printer, "isnan", self.args)

    _numpycode = _jaxcode = _pythoncode = _torchcode = _ccode = _code


def _call(printer: Any, name: str, args: tuple[Any, ...], math_name: str | None = None) -> str:
    """``name(args)`` in the printer's backend: ``numpy.name``/``jax.numpy.name``,
    ``torch.name``, C's ``name``, and ``math_name`` (a helper or ``math.``
    function) in the ``math`` backend."""
    text = ", ".join(printer._print(a) for a in args)
    if isinstance(printer, NumPyPrinter):
        return f"{printer._module_format(printer._module + '.' + name)}({text})"
    if printer.printmethod == "_torchcode":
        return f"torch.{name}({text})"
    if isinstance(printer, C99CodePrinter):
        return f"{name}({text})"
    math_name = math_name or "math." + name
    fn = printer._module_format(math_name) if math_name.startswith("math.") else math_name
    return f"{fn}({text})"


class CopySign(sympy.Function):
    """``copysign(x, y)`` computed at run time: its closed form tests ``y < 0``,
    which cannot see ``-0.0`` (``copysign(2, -(a - b))`` at ``a == b`` is -2)."""

    nargs = 2

    def _code(self, printer: Any) -> str:
        x, y = self.args
        if printer.printmethod == "_torchcode" and x.is_number and not y.is_number:
            # torch.copysign takes no number first (copysign(2, y) raised a TypeError)
            return f"torch.copysign(torch.full_like({printer._print(y)}, {printer._print(x)}), {printer._print(y)})"
        return _call(printer, "copysign", self.args)

    _numpycode = _jaxcode = _pythoncode = _torchcode = _ccode = _code


class Trunc(sympy.Function):
    """``trunc(x)`` computed at run time: its closed form ``sign(x)*floor(|x|)``
    is +0.0 at -0.0, and ``math.floor``/``math.trunc`` return integers
    (0 for -0.0, and they raise at inf and nan), so the ``math`` backend
    writes ``math.modf(x)[1]`` (a float, with the zero's sign)."""

    nargs = 1

    def _code(self, printer: Any) -> str:
        if not isinstance(printer, (NumPyPrinter, C99CodePrinter)) and printer.printmethod == "_pythoncode":
            return f"{printer._module_format('math.modf')}({printer._print(self.args[0])})[1]"
        return _call(printer, "trunc", self.args)

    _numpycode = _jaxcode = _pythoncode = _torchcode = _ccode = _code


class Relu(sympy.Function):
    """``relu(x)`` as symgrad computes it, ``maximum(x, 0)`` in that order:
    NumPy's ``maximum`` gives its second operand where they are equal, so
    ``relu(-0.0)`` is +0.0; SymPy's ``Max(0, x)`` sorts its arguments, and
    the code wrote ``maximum(0.0, x)``, which is -0.0 there."""

    nargs = 1

    def _code(self, printer: Any) -> str:
        x = printer._print(self.args[0])
        if isinstance(printer, NumPyPrinter):
            return f"{printer._module_format(printer._module + '.maximum')}({x}, 0.0)"
        if printer.printmethod == "_torchcode":
            # (torch.clamp_min(x, 0.0) and torch.relu keep -0.0; x is a temporary or an input)
            return f"torch.where({x} <= 0, torch.zeros_like({x}), {x})"
        if isinstance(printer, C99CodePrinter):
            return f"sg_maximum({x}, 0.0)"
        return f"_maximum({x}, 0.0)"

    _numpycode = _jaxcode = _pythoncode = _torchcode = _ccode = _code


class ClampMin(sympy.Function):
    """``clamp(x, min=b)`` as symgrad computes it (PyTorch's): ``b`` where ``x <
    b``, ``x`` itself elsewhere - also where they are equal, so -0.0 clamped
    to ``min=0.0`` stays -0.0 - and nan stays nan.  The closed form's
    ``Max(x, b)`` printed as ``maximum`` gives the bound at equal zeros, and
    SymPy tidies ``Min(Max(x, 0), 0)`` to 0, also for a nan ``x``.  A nan
    bound makes every element nan (``x * nan``, which keeps the shape).
    PyTorch code calls ``torch.clamp`` itself."""

    nargs = 3  # (x, the bound, 1 if the bound is -0.0: SymPy's Float has no signed zero)
    _beyond, _side = "<", "min"

    def _code(self, printer: Any) -> str:
        x = printer._print(self.args[0])
        b = "-0.0" if self.args[2] else _number(printer, self.args[1])
        if printer.printmethod == "_torchcode":
            return f"torch.clamp({x}, {self._side}={b})"
        if math.isnan(float(self.args[1])):
            return f"({x} * {b})"
        if isinstance(printer, NumPyPrinter):  # (NumPy and JAX: the Python number is weak, x keeps its dtype)
            return f"{printer._module_format(printer._module + '.where')}({x} {self._beyond} {b}, {b}, {x})"
        if isinstance(printer, C99CodePrinter):
            return f"({x} {self._beyond} {b} ? {b} : {x})"
        return f"({b} if {x} {self._beyond} {b} else {x})"

    _numpycode = _jaxcode = _pythoncode = _torchcode = _ccode = _code


class ClampMax(ClampMin):
    """``clamp(x, max=b)`` (see ``ClampMin``)."""

    _beyond, _side = ">", "max"


def _clamp(x: Any, lo: Any = None, hi: Any = None) -> Any:
    """The run-time form of ``clamp`` of ``x`` (an atom) to number bounds:
    ``min(max(x, lo), hi)`` in PyTorch's order (a ``lo`` above ``hi`` gives ``hi``)."""
    if lo is not None:
        x = ClampMin(x, *_bound(lo))
    return x if hi is None else ClampMax(x, *_bound(hi))


def _bound(b: Any) -> tuple[Any, Any]:
    b = float(b)
    return sympy.Float(b), sympy.Integer(b == 0 and math.copysign(1.0, b) < 0)


class _Library(sympy.Function):
    """A function of two floats that code calls from the backend's library,
    as eager code does, instead of writing its closed form: ``hypot``'s
    ``sqrt(x**2 + y**2)`` overflows at ``1e300`` and is ``nan`` at ``(inf,
    nan)``; ``fmod``'s ``x - y*trunc(x/y)`` is ``nan`` for an infinite ``y``
    and ``-inf`` at ``(1e300, 5e-324)``; ``floor_divide``'s ``floor(x/y)`` is
    ``inf`` at ``(inf, 1)`` where NumPy's (Python's ``//``) is ``nan``.  ``_names``:
    the ``math`` backend's and C's spellings (``{}`` the arguments)."""

    nargs = 2
    _numpy = ""
    _names = ("", "")

    _jax = ""  # a helper (backends/array_emitters.JAX_HELPERS) where jax.numpy's differs from NumPy's

    def _code(self, printer: Any) -> str:
        x, y = (printer._print(a) for a in self.args)
        if printer.printmethod == "_jaxcode" and self._jax:
            return f"{self._jax}({x}, {y})"
        if isinstance(printer, NumPyPrinter):
            return f"{printer._module_format(printer._module + '.' + self._numpy)}({x}, {y})"
        if printer.printmethod == "_torchcode":
            return f"torch.{self._numpy}({x}, {y})"
        form = self._names[1] if isinstance(printer, C99CodePrinter) else self._names[0]
        if form.startswith("math."):
            form = printer._module_format(form.split("(")[0]) + "({}, {})"
        return form.format(x, y)

    _numpycode = _jaxcode = _pythoncode = _torchcode = _ccode = _code


class Hypot(_Library):
    _numpy, _names = "hypot", ("math.hypot({}, {})", "hypot({}, {})")


class Fmod(_Library):
    # (math.fmod raises at an infinite x or a zero y: an error, never a wrong number)
    _numpy, _names = "fmod", ("math.fmod({}, {})", "fmod({}, {})")


class FloorDivide(_Library):
    # Python's // on floats is NumPy's floor_divide (NumPy took its algorithm;
    # it raises at y == 0); C's is the prelude's sg_floor_divide, NumPy's in C.
    _numpy, _names = "floor_divide", ("({} // {})", "sg_floor_divide({}, {})")
    # jax.numpy's is +0.0 at (-0.0, 1) (it computes x - fmod(x, y), -0.0 - -0.0):
    # _floor_divide is NumPy's algorithm in jax.numpy
    _jax = "_floor_divide"


class Remainder(sympy.Function):
    """``x - y*floor_divide(x, y)``, as the forward computes it (nan at ``(0,
    inf)``, where ``numpy.mod`` gives 0), printed as one expression: written
    as SymPy arithmetic, ``0*floor_divide(x, 0)`` is 0 to SymPy, so ``x % 0``
    came out ``x`` where eager code gives nan."""

    nargs = 2

    def _code(self, printer: Any) -> str:
        x, y = (f"({printer._print(a)})" for a in self.args)
        return f"({x} - {y}*{FloorDivide(*self.args)._code(printer)})"

    _numpycode = _jaxcode = _pythoncode = _torchcode = _ccode = _code


def _remainder(x: Any, y: Any) -> Any:
    return Remainder(x, y)


class _Operands:
    """The ``args`` of a ``Max``/``Min`` without SymPy's sorting, for the
    printers' ``_print_Max``/``_print_Min`` (which read only ``args``)."""

    def __init__(self, args: tuple[Any, ...]) -> None:
        self.args = args


class Maximum(sympy.Function):
    """``maximum(x, y)`` in that order: SymPy's ``Max`` sorts its arguments,
    and NumPy's ``maximum`` (eager's) gives its second operand where they are
    equal, so ``maximum(y, x)`` printed as ``maximum(x, y)`` was -0.0 where
    eager code gives +0.0 (``x = -0.0, y = 0.0``).  Printed by each printer's
    own ``Max`` (``numpy.maximum``, nan-propagating ``_maximum`` and
    ``sg_maximum`` in ``math`` and C, ``torch.maximum``) on the unsorted
    operands."""

    nargs = 2
    _printer = "_print_Max"

    def _code(self, printer: Any) -> str:
        # (integers as floats: Python's max(2, x) is the int 2, as Max's float_choices)
        args = tuple(sympy.Float(int(a)) if isinstance(a, sympy.Integer) else a for a in self.args)
        return str(getattr(printer, self._printer)(_Operands(args)))

    _numpycode = _jaxcode = _pythoncode = _torchcode = _ccode = _code


class Minimum(Maximum):
    """``minimum(x, y)`` in that order (see ``Maximum``)."""

    _printer = "_print_Min"


class FloatCast(sympy.Function):
    """A cast to a float dtype (``x.to(float32)``, ``x.double()``) in code of
    scalars.  The closed form of a cast to a float is its argument, and code of
    scalars computed on it as it was: ``1e-300`` came back where eager code
    gives float32's ``0.0`` (``1e300`` for ``inf``), and an integer or boolean
    input stayed one.  NumPy and JAX convert (``numpy.float32(t)``: eager's
    dtype too); ``math`` and C compute on doubles rounded to the type
    (``_float32(t)``, ``(double)(float)(t)``; ``float(t)``, ``(double)(t)``),
    and have no float16.  The second argument is the width in bytes."""

    nargs = 2

    def _code(self, printer: Any) -> str:
        x, width = printer._print(self.args[0]), int(self.args[1])
        name = {8: "float64", 4: "float32", 2: "float16"}[width]
        if isinstance(printer, NumPyPrinter):
            return f"{printer._module_format(printer._module + '.' + name)}({x})"
        if printer.printmethod == "_torchcode":
            return f"torch.as_tensor({x}).to(torch.{name})"
        c = isinstance(printer, C99CodePrinter)
        if width == 2:
            from symgrad.codegen.graph import CodegenError

            raise CodegenError(f"the {'c' if c else 'math'} backend has no float16: use backend='numpy' "
                               "(or cast to float32)")
        if c:
            return f"(double)(float)({x})" if width == 4 else f"(double)({x})"
        return f"_float32({x})" if width == 4 else f"float({x})"

    _numpycode = _jaxcode = _pythoncode = _torchcode = _ccode = _code


def float_cast(x: Any, dtype: Any) -> Any:
    """The run-time form of ``x`` cast to the float ``dtype``."""
    return FloatCast(x, sympy.Integer(dtype.itemsize))


class Sign(sympy.Function):
    """``sign(x)`` of a float as symgrad's (and PyTorch's): 0 at nan, where
    ``numpy.sign`` and the closed form's ``copysign(1, x)`` give nan or +-1
    (``abs``'s derivative is ``sign``: 0 at nan too)."""

    nargs = 1

    def _code(self, printer: Any) -> str:
        t = printer._print(self.args[0])
        if printer.printmethod == "_jaxcode":
            return f"_sign({t})"  # (jax.numpy.sign(-0.0) is -0.0, NumPy's +0.0)
        if isinstance(printer, NumPyPrinter):
            m = printer._module
            return f"{printer._module_format(m + '.nan_to_num')}({printer._module_format(m + '.sign')}({t}), nan=0.0)"
        if printer.printmethod == "_torchcode":
            return f"torch.nan_to_num(torch.sign({t}), nan=0.0)"
        if isinstance(printer, C99CodePrinter):
            return f"({t} > 0 ? 1.0 : {t} < 0 ? -1.0 : 0.0)"
        return f"(1.0 if {t} > 0 else -1.0 if {t} < 0 else 0.0)"

    _numpycode = _jaxcode = _pythoncode = _torchcode = _ccode = _code


class LogicalNot(sympy.logic.boolalg.BooleanFunction):
    """``logical_not(b)`` as written: SymPy turns ``Not(x <= 0)`` into
    ``x > 0``, which is False at nan where the negation is True (relu's
    derivative ``g * ~(x <= 0)`` is ``g`` at nan, as PyTorch's)."""

    nargs = 1

    @classmethod
    def eval(cls, x: Any) -> Any:
        if x is sympy.true or x is sympy.false:
            return sympy.false if x is sympy.true else sympy.true
        return None

    def _code(self, printer: Any) -> str:
        t = printer._print(self.args[0])
        if isinstance(printer, NumPyPrinter):
            return f"{printer._module_format(printer._module + '.logical_not')}({t})"
        if printer.printmethod == "_torchcode":
            return f"torch.logical_not({t})"
        if isinstance(printer, C99CodePrinter):
            return f"(!({t}))"
        return f"(not {t})"

    _numpycode = _jaxcode = _pythoncode = _torchcode = _ccode = _code


def _relu(x: Any) -> Any:
    return Relu(x)


def _frac(x: Any) -> Any:
    return x - Trunc(x)  # (as the forward: x - trunc(x); -0.0 - -0.0 is +0.0)


def _number(printer: Any, v: Any) -> str:
    f = float(v)
    return repr(f) if math.isfinite(f) else str(printer._print(v))


def nan_to_num(x: Any, nan: float, posinf: float, neginf: float) -> Any:
    """The run-time form of ``nan_to_num`` of ``x`` (an atom)."""
    return NanToNum(x, *(sympy.Float(v) for v in (nan, posinf, neginf)))


# op name -> the run-time form of one element (or a whole array, in array
# mode), called with the argument's atom and the op's parameters.
FORMS: dict[str, Callable[..., Any]] = {"nan_to_num": nan_to_num, "signbit": SignBit, "copysign": CopySign,
                                         "trunc": Trunc, "frac": _frac, "relu": _relu, "sign": Sign,
                                         "maximum": Maximum, "minimum": Minimum, "clamp": _clamp,
                                         "hypot": Hypot, "fmod": Fmod, "floor_divide": FloorDivide,
                                         "remainder": _remainder,
                                         "logical_not": LogicalNot}

# forms that apply whatever the arguments' dtype (the others: where one is a float)
ANY_DTYPE = frozenset({"logical_not"})

__all__ = ["FORMS", "ClampMax", "ClampMin", "CopySign", "FloorDivide", "Fmod", "Hypot", "IsNan", "NanToNum", "FloatCast", "LogicalNot", "Maximum", "Minimum", "Relu", "Sign", "SignBit", "Trunc", "float_cast"]
