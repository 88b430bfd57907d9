"""SymPy's code printers, one per backend, with a few readability fixes.

Each also prints ``nodes.Node``s, with templates cut from its own output
(``templates.NodePrinting``).

The printing of every function, operator and constant is SymPy's
(``NumPyPrinter``, ``JaxPrinter``, ``PythonCodePrinter``, ``C99CodePrinter``,
``TorchPrinter``).  The subclasses below only change what reads badly or
breaks in generated code that works on arrays:

* floats print as Python writes them (``0.1``, not ``0.100000000000000``);
* ``Piecewise`` prints as nested ``where`` (NumPy, JAX), and ``Max``/``Min``
  as ``maximum``/``minimum``, instead of ``select``/``functools.reduce``;
* ``1/x`` instead of ``x**(-1.0)``;
* functions SymPy has no printer for in a backend (``round``; ``erf`` for
  NumPy and JAX, whose SymPy printers fall back to the scalar ``math.erf``);
* C's ``Mod`` is Python's (the sign of the divisor), not ``fmod``'s, and C's
  ternary ``?:`` stays on one line; ``x**(1/3)`` is ``pow``, not ``cbrt``;
* Python's ``x % y`` is always parenthesized (SymPy's ``-2*y % z`` means
  ``(-2*y) % z`` to Python);
* powers that are not integers print as ``numpy.power``/``math.pow`` (on
  Python floats ``(-1.0)**2.5`` is complex);
* numeric constants such as ``log(2)`` and ``exp(0.1)`` print as floats for
  PyTorch, whose functions do not accept Python numbers;
* SymPy's ``zoo`` (``1/0``, often in an unused branch) prints as nan.
"""

from __future__ import annotations

import importlib.util
import math
from typing import Any

import sympy
from sympy.printing.c import C99CodePrinter
from sympy.printing.numpy import JaxPrinter, NumPyPrinter
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.pycode import PythonCodePrinter

from symgrad.codegen.ssa import Literal, is_number_like
from symgrad.codegen.templates import NodePrinting

_SETTINGS = {"order": "none", "fully_qualified_modules": True}


def _know(printer: Any, functions: dict[str, str]) -> None:
    """Teach a printer how the backend spells more functions."""
    printer.known_functions = {**printer.known_functions, **functions}


class _PlainFloats:
    def _print_Float(self, expr: Any) -> str:
        f = float(expr)
        if math.isfinite(f):
            return repr(f)
        return super()._print_Float(expr)  # type: ignore[misc]

    def _print_ComplexInfinity(self, expr: Any) -> str:
        # SymPy's zoo (1/0, log(0) in an unused branch): a float has no unsigned
        # infinity, so nan, as the math backend already prints it
        return self._print(sympy.nan)  # type: ignore[attr-defined]


class _ParenthesizedModulo:
    """``x % y`` in parentheses, always.  Python's ``%`` binds like ``*``, and
    SymPy's Python printers write ``-2*Mod(y, z)`` as ``-2*y % z``, which
    Python reads as ``(-2*y) % z`` (NumPy and JAX print ``mod(y, z)``, C its
    own formula)."""

    def _print_Mod(self, expr: Any) -> str:
        return f"({super()._print_Mod(expr)})"  # type: ignore[misc]

    def parenthesize(self, item: Any, level: int, strict: bool = False) -> str:
        if isinstance(item, sympy.Mod):
            return self._print_Mod(item)  # (in parentheses already)
        return super().parenthesize(item, level, strict)  # type: ignore[misc]


# The functions some backends lack (SymPy's names; ops/special.py, ops/bitwise.py): refused by
# name, with what to use instead, rather than with SymPy's "not supported" or code that fails
_SPECIAL = ("polygamma", "erfinv", "besseli", "lowergamma", "uppergamma")
_INTEGER = ("gcd", "lcm", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not")


class _Refusing:
    """Refuses ``_refused`` functions (name -> what to do instead) with a ``CodegenError``."""

    _backend = ""
    _refused: dict[str, str] = {}

    def _print_Function(self, expr: Any) -> str:
        name = expr.func.__name__
        how = self._refused.get(name)
        if how is not None:
            from symgrad.codegen.graph import CodegenError

            raise CodegenError(f"the {self._backend} backend has no {name} ({how})")
        known = self.known_functions.get(name)  # type: ignore[attr-defined]
        if isinstance(known, str) and "." in known:  # (a module's function: recorded for its import)
            args = [self._print(a) for a in expr.args]  # type: ignore[attr-defined]
            if name in _INTEGER:
                args = [self._integer(a) for a in args]
            return f"{self._module_format(known)}({', '.join(args)})"  # type: ignore[attr-defined]
        return str(super()._print_Function(expr))  # type: ignore[misc]

    def _integer(self, arg: str) -> str:
        # In code of scalars the values are floats (an integer cast is floor's closed form)
        return f"{self._module_format(self._module + '.int64')}({arg})"  # type: ignore[attr-defined]

    _print_polygamma = _print_besseli = _print_erfinv = _print_loggamma = _print_Function
    _print_lowergamma = _print_uppergamma = _print_Function  # (SymPy's Python printer: "not supported")


def _refusals(special: str | None, integer: str | None) -> dict[str, str]:
    out = dict.fromkeys(_SPECIAL, special) if special else {}
    out.update(dict.fromkeys(_INTEGER, integer) if integer else {})
    return out


_SCALAR_SPECIAL = "digamma, polygamma, erfinv, i0 and the incomplete gamma functions (igamma, igammac) need " \
                  "SciPy, JAX or PyTorch: use backend='numpy' with SciPy installed, 'jax' or 'torch'"


class _RegularizedGamma(sympy.Function):
    """``lowergamma(a, x)/gamma(a)`` (``igamma``'s closed form) as one call
    when printed: the backends have the regularized function, not the
    unregularized one (and ``gamma(a)`` overflows beyond ``a = 171``)."""

    nargs = 2


class gammainc(_RegularizedGamma):  # noqa: N801  (the name printed: scipy.special.gammainc...)
    pass


class gammaincc(_RegularizedGamma):  # noqa: N801
    pass


_REGULARIZED = {"lowergamma": gammainc, "uppergamma": gammaincc}


class _IncompleteGamma:
    """Prints ``lowergamma(a, x)/gamma(a)`` as ``gammainc(a, x)`` (``upper``:
    ``gammaincc``), and a ``lowergamma(a, x)`` without its ``1/gamma(a)``
    (``a`` a number: SymPy folded ``1/gamma(0.7)`` into a float) as
    ``gamma(a)*gammainc(a, x)``.  ``_gamma``: the backend's gamma function."""

    _gamma = ""
    _refused: dict[str, str] = {}

    def _print_Mul(self, expr: Any) -> str:
        factors = list(expr.args)
        for i, f in enumerate(factors):
            if f.func.__name__ in _REGULARIZED and f.func.__name__ not in self._refused:
                a, x = f.args
                reciprocal = sympy.Pow(sympy.gamma(a), -1)
                if reciprocal in factors:
                    rest = [g for j, g in enumerate(factors) if j != i and g != reciprocal]
                    regularized = _REGULARIZED[f.func.__name__](a, x)
                    return self._print(  # type: ignore[attr-defined]
                        sympy.Mul(*rest, regularized, evaluate=False) if rest else regularized)
        return super()._print_Mul(expr)  # type: ignore[misc]

    def _unregularized(self, expr: Any) -> str:
        if expr.func.__name__ in self._refused:  # (_Refusing's _print_Function raises the refusal)
            return self._print_Function(expr)  # type: ignore[attr-defined]
        a, x = expr.args
        regularized = self._print(_REGULARIZED[expr.func.__name__](a, x))  # type: ignore[attr-defined]
        return f"({self._gamma_of(self._print(a))}*{regularized})"  # type: ignore[attr-defined]

    def _gamma_of(self, a: str) -> str:
        return f"{self._module_format(self._gamma)}({a})"  # type: ignore[attr-defined]

    _print_lowergamma = _unregularized
    _print_uppergamma = _unregularized
_SCALAR_INTEGER = "its values are floats: integer functions need backend='numpy', 'jax' or 'torch'"


class _ArrayPrinting(_PlainFloats):
    """Readable NumPy-style printing shared by the NumPy and JAX printers."""

    _module: str

    def _call(self, fn: str, *args: Any) -> str:
        return f"{self._module_format(self._module + '.' + fn)}({', '.join(self._print(a) for a in args)})"  # type: ignore[attr-defined]

    def _print_Piecewise(self, expr: Any) -> str:
        pieces = list(expr.args)
        last = pieces[-1]
        out = self._print(last.expr) if last.cond is sympy.true else self._print(sympy.nan)  # type: ignore[attr-defined]
        if last.cond is sympy.true:
            pieces = pieces[:-1]
        for piece in reversed(pieces):
            out = f"{self._module_format(self._module + '.where')}({self._print(piece.cond)}, {self._print(piece.expr)}, {out})"  # type: ignore[attr-defined]
        return out

    def _fold(self, fn: str, args: Any) -> str:
        args = list(args)
        out = self._print(args[0])  # type: ignore[attr-defined]
        for a in args[1:]:
            out = f"{self._module_format(self._module + '.' + fn)}({out}, {self._print(a)})"  # type: ignore[attr-defined]
        return out

    def _print_Max(self, expr: Any) -> str:
        return self._fold("maximum", expr.args)

    def _print_Min(self, expr: Any) -> str:
        return self._fold("minimum", expr.args)

    # SymPy prints these as reductions over a tuple of the operands
    # (logical_and.reduce((a, b))), which fails when the operands broadcast.
    def _print_And(self, expr: Any) -> str:
        return self._fold("logical_and", expr.args)

    def _print_Or(self, expr: Any) -> str:
        return self._fold("logical_or", expr.args)

    def _print_Xor(self, expr: Any) -> str:
        return self._fold("logical_xor", expr.args)

    def _print_Not(self, expr: Any) -> str:
        return self._call("logical_not", expr.args[0])

    def _print_Pow(self, expr: Any, rational: bool = False) -> str:
        if expr.exp == -1:
            return "1/" + self.parenthesize(expr.base, PRECEDENCE["Pow"])  # type: ignore[attr-defined]
        expr = _square_roots(expr)
        if _python_power_may_be_complex(expr):
            return self._call("power", expr.base, expr.exp)
        return super()._print_Pow(expr, rational=rational)  # type: ignore[misc]


def _square_roots(expr: Any) -> Any:
    """``x**0.5`` and ``x**-0.5`` as SymPy's ``sqrt(x)`` and ``1/sqrt(x)``, which
    print as the backend's ``sqrt``: what the engine (and PyTorch: ``sqrt``,
    ``rsqrt``) computes for them.  C's ``pow`` differs at -0.0 and -inf
    (``pow(-0.0, 0.5)`` is 0.0, ``sqrt(-0.0)`` -0.0; ``pow(-inf, 0.5)`` inf,
    ``sqrt(-inf)`` nan).  Lowering writes the exponent as a ``Literal`` 0.5,
    with its sign outside; SymPy outputs may hold a ``Float``."""
    p = expr.exp
    sign = 1
    if isinstance(p, sympy.Mul) and len(p.args) == 2 and p.args[0] is sympy.S.NegativeOne:
        sign, p = -1, p.args[1]
    if (isinstance(p, Literal) and p.name == "0.5") or (isinstance(p, sympy.Float) and abs(p) == 0.5):
        sign = sign if isinstance(p, Literal) else (1 if p > 0 else -1)
        return sympy.Pow(expr.base, sign * sympy.S.Half)
    return expr


def _python_power_may_be_complex(expr: Any) -> bool:
    """Whether ``a**b`` on Python floats could be complex: a power that is
    not an integer (nor a square root, printed as ``sqrt``).  A function of
    scalars called with Python floats computes Python's ``**`` until its
    first NumPy call, and ``(-1.0)**2.5`` is a complex number where NumPy,
    PyTorch and symgrad give nan; ``numpy.power`` (``math.pow``: a domain
    error, as ``math.sqrt(-1)``) keeps the result real."""
    p = expr.exp
    if expr.base.is_Number and expr.base.is_positive:
        return False  # 2**x
    if p.is_Number:
        return not (float(p).is_integer() or abs(p) == sympy.S.Half)
    return True


class NumPyCode(NodePrinting, _IncompleteGamma, _Refusing, _ArrayPrinting, NumPyPrinter):
    """NumPy printing (``lgamma`` and the other special functions from
    ``scipy.special`` when SciPy is installed; ``erf`` and ``erfc`` are
    ``math``'s on each element, as symgrad's own)."""

    _backend = "numpy"
    _gamma = "scipy.special.gamma"

    def __init__(self) -> None:
        super().__init__(dict(_SETTINGS))
        extra = {"round": "numpy.round", "isfinite": "numpy.isfinite", "nextafter": "numpy.nextafter",
                 "gcd": "numpy.gcd", "lcm": "numpy.lcm", "bitwise_and": "numpy.bitwise_and",
                 "bitwise_or": "numpy.bitwise_or", "bitwise_xor": "numpy.bitwise_xor", "bitwise_not": "numpy.invert"}
        # erf and erfc: math's on each element, as eager code computes them (SciPy's
        # differ in the last digit at 13% and 40% of points; they are 7-15x faster)
        extra.update(erf="_erf", erfc="_erfc")
        if importlib.util.find_spec("scipy") is not None:
            extra.update(loggamma="scipy.special.gammaln", erfinv="scipy.special.erfinv", besseli="scipy.special.iv",
                         gammainc="_gammainc", gammaincc="_gammaincc")  # (array_emitters' helpers: float32 kept)
        else:  # exact but slow: math's lgamma on each element (helpers in array_emitters)
            extra.update(loggamma="_lgamma")
            self._refused = _refusals("SciPy is not installed: pip install scipy, or use backend='jax' or 'torch'",
                                      None)
        _know(self, extra)
        self._constants = MathCode()

    def _print_polygamma(self, expr: Any) -> str:
        # SciPy's polygamma gives float64 for float32, its psi and zeta keep the dtype:
        # digamma is psi, polygamma(n, x) = (-1)**(n + 1) n! zeta(n + 1, x)
        n, x = int(expr.args[0]), expr.args[1]
        if "polygamma" in self._refused:
            return super()._print_polygamma(expr)
        if n == 0:
            return f"{self._module_format('scipy.special.psi')}({self._print(x)})"
        scale = float((-1) ** (n + 1) * math.factorial(n))
        return f"({scale!r}*{self._module_format('scipy.special.zeta')}({n + 1}, {self._print(x)}))"

    def _print(self, expr: Any, **kwargs: Any) -> str:
        # Constants such as log(2) and sqrt(pi) with math: a Python float keeps
        # float32 arrays float32, NumPy's float64 numpy.log(2) would not.
        if isinstance(expr, sympy.Expr) and not expr.is_Atom and expr.is_number:
            return str(self._constants._print(expr))
        return str(super()._print(expr, **kwargs))


class JaxCode(NodePrinting, _IncompleteGamma, _Refusing, _ArrayPrinting, JaxPrinter):
    """JAX printing: everything from ``jax.numpy``/``jax.scipy``, so the code is ``jax.jit``-able."""

    _backend = "jax"
    _gamma = "jax.scipy.special.gamma"

    def __init__(self) -> None:
        super().__init__(dict(_SETTINGS))
        _know(self, {"round": "jax.numpy.round", "isfinite": "jax.numpy.isfinite",
                     "erf": "jax.scipy.special.erf", "erfc": "jax.scipy.special.erfc",
                     "loggamma": "jax.scipy.special.gammaln", "polygamma": "jax.scipy.special.polygamma",
                     "erfinv": "jax.scipy.special.erfinv", "nextafter": "jax.numpy.nextafter",
                     "gammainc": "jax.scipy.special.gammainc", "gammaincc": "jax.scipy.special.gammaincc",
                     **{n: f"jax.numpy.{'invert' if n == 'bitwise_not' else n}" for n in _INTEGER}})

    def _print_besseli(self, expr: Any) -> str:
        return f"{self._module_format(f'jax.scipy.special.i{expr.args[0]}')}({self._print(expr.args[1])})"

    # XLA's max/min are not NumPy's (eager's) at equal zeros: helpers (backends/array_emitters.JAX_HELPERS)
    def _print_Max(self, expr: Any) -> str:
        return _fold_calls(self, "_maximum", expr.args)

    def _print_Min(self, expr: Any) -> str:
        return _fold_calls(self, "_minimum", expr.args)


class MathCode(NodePrinting, _Refusing, _ParenthesizedModulo, _PlainFloats, PythonCodePrinter):
    """Plain Python on floats, with the ``math`` module."""

    _backend = "math"
    _refused = _refusals(_SCALAR_SPECIAL, _SCALAR_INTEGER)

    def __init__(self) -> None:
        super().__init__(dict(_SETTINGS))
        _know(self, {"round": "_round", "floor": "_floor", "ceiling": "_ceil",  # (floats: math_helpers)
                     "isfinite": "math.isfinite", "isinf": "math.isinf", "isnan": "math.isnan",
                     "nextafter": "math.nextafter"})

    # Python's `and`/`or` give an operand (-0.0 and 1.0 is -0.0): floats are
    # read as booleans, as numpy.logical_and reads them
    def _print_And(self, expr: Any) -> str:
        return self._logical(" and ", expr.args)

    def _print_Or(self, expr: Any) -> str:
        return self._logical(" or ", expr.args)

    def _logical(self, op: str, args: Any) -> str:
        return "(" + op.join(self._print(a) if isinstance(a, _BOOLEANS)
                             else f"bool({self._print(a)})" for a in args) + ")"

    # nan-propagating, as symgrad.maximum/minimum (backends/math_helpers.py)
    def _print_Max(self, expr: Any) -> str:
        return _fold_calls(self, "_maximum", expr.args)

    def _print_Min(self, expr: Any) -> str:
        return _fold_calls(self, "_minimum", expr.args)

    def _print_Pow(self, expr: Any, rational: bool = False) -> str:
        expr = _square_roots(expr)
        if expr.exp != -1 and _python_power_may_be_complex(expr):  # (see _python_power_may_be_complex)
            return f"{self._module_format('math.pow')}({self._print(expr.base)}, {self._print(expr.exp)})"
        return str(super()._print_Pow(expr, rational=rational))


class CCode(NodePrinting, _Refusing, _PlainFloats, C99CodePrinter):
    """C99 with ``math.h``."""

    _backend = "c"
    _refused = _refusals(_SCALAR_SPECIAL, _SCALAR_INTEGER)

    def __init__(self) -> None:
        super().__init__({"order": "none"})
        _know(self, {"round": "nearbyint", "isnan": "isnan", "isinf": "isinf", "isfinite": "isfinite",
                     "nextafter": "nextafter"})

    def _print_Pow(self, expr: Any) -> str:
        # SymPy writes x**(1/3) as cbrt(x), the real cube root (-2 at -8);
        # symgrad's forward, NumPy's power and the other backends give nan.
        if expr.exp == sympy.Rational(1, 3):
            return f"pow({self._print(expr.base)}, 1.0/3.0)"
        expr = _square_roots(expr)
        if expr.exp == -sympy.S.Half:  # (SymPy writes pow(x, -1.0/2.0))
            return f"1.0/sqrt({self._print(expr.base)})"
        return str(super()._print_Pow(expr))

    def _print_Mod(self, expr: Any) -> str:
        x, y = (self.parenthesize(a, PRECEDENCE["Mul"]) for a in expr.args)
        return f"({x} - {y}*floor({x}/{y}))"

    # C has integer types: ((c) ? (1) : (0))/2 and SymPy's sign(x),
    # ((x > 0) - (x < 0)), are ints, and dividing them by 2 is integer
    # division (0).  Every value the code computes is a double, so these are too.

    def _print_Piecewise(self, expr: Any) -> str:
        pieces = list(expr.args)
        last = pieces[-1]
        out = self._double(last.expr) if last.cond is sympy.true else "NAN"
        if last.cond is sympy.true:
            pieces = pieces[:-1]
        for piece in reversed(pieces):
            out = f"(({self._print(piece.cond)}) ? ({self._double(piece.expr)}) : ({out}))"
        return out

    def _double(self, expr: Any) -> str:
        return self._print(sympy.Float(int(expr)) if isinstance(expr, sympy.Integer) else expr)

    def _print_sign(self, expr: Any) -> str:
        return f"((double){super()._print_sign(expr)})"

    # C's fmax/fmin drop a nan; symgrad.maximum/minimum give nan (the prelude's sg_maximum/sg_minimum)
    def _print_Max(self, expr: Any) -> str:
        return _fold_calls(self, "sg_maximum", expr.args)

    def _print_Min(self, expr: Any) -> str:
        return _fold_calls(self, "sg_minimum", expr.args)

    def _print_Abs(self, expr: Any) -> str:
        # SymPy writes abs() (stdlib.h's int function) for an integer-valued argument such as sign(x),
        # which the code holds as a double: softplus(sign(x)) printed abs((double)...) and computed 0
        return f"fabs({self._print(expr.args[0])})"


# (a Symbol is a SymPy Boolean too: an input may be a float)
_BOOLEANS = (sympy.core.relational.Relational, sympy.logic.boolalg.BooleanFunction, sympy.logic.boolalg.BooleanAtom)


def _fold_calls(printer: Any, fn: str, args: Any) -> str:
    """``fn(fn(a, b), c)``: a two-argument function over any number of arguments."""
    out = printer._print(args[0])
    for a in args[1:]:
        out = f"{fn}({out}, {printer._print(a)})"
    return out


def _constant_value(expr: Any) -> float | None:
    """The value of an expression of numbers only (``log(2)``, ``exp(0.1)``
    with its ``Literal``), for PyTorch, whose functions do not take Python
    numbers; None if it has a variable.  Lowering folds the numbers tidying
    makes (``fold``); what reaches here is a number inside a SymPy forward
    of other elements (a softmax of ``[0.1, x]`` has ``exp(0.1)``).  Where
    SymPy's value is complex (``log(-2)``) a real function gives nan."""
    if not (expr.is_number or all(type(s) is Literal for s in expr.free_symbols)):
        return None
    numbers = {s: sympy.Float(s.name, 17) for s in expr.free_symbols}
    try:
        value = complex(expr.xreplace(numbers).evalf(17))
    except TypeError:  # zoo: no complex number either
        return math.nan
    return value.real if value.imag == 0 else math.nan


_NEGATIVE_ZERO = -Literal("0.0")  # (how lower.literal writes -0.0)


def _torch_printer_class() -> Any:
    from sympy.printing.pytorch import TorchPrinter

    class TorchCode(NodePrinting, _IncompleteGamma, _ParenthesizedModulo, _PlainFloats, TorchPrinter):
        """PyTorch printing; numeric constants become floats (``torch.log(2)`` fails)."""

        def _gamma_of(self, a: str) -> str:  # (torch has no gamma function: exp of lgamma, a > 0 in its domain)
            return f"torch.exp(torch.lgamma({a}))"

        def _print_gammainc(self, expr: Any) -> str:
            return f"torch.special.{expr.func.__name__}({', '.join(self._tensor_args(*expr.args))})"

        _print_gammaincc = _print_gammainc

        def _tensor_args(self, a: Any, x: Any) -> tuple[str, str]:
            # (torch.special.gammainc takes tensors only: a number becomes a tensor like the other argument)
            pa, px = self._print(a), self._print(x)
            if is_number_like(a):
                pa = f"torch.full_like({px}, {pa})"
            elif is_number_like(x):
                px = f"torch.full_like({pa}, {px})"
            return pa, px

        def __init__(self) -> None:
            super().__init__({"order": "none"})

        def _print_log10(self, expr: Any) -> str:  # (SymPy's codegen log10/log2: code_forms)
            return f"torch.log10({self._print(expr.args[0])})"

        def _print_log2(self, expr: Any) -> str:
            return f"torch.log2({self._print(expr.args[0])})"

        def _print(self, expr: Any, **kwargs: Any) -> str:
            if isinstance(expr, sympy.Expr) and not expr.is_Atom:
                if expr == _NEGATIVE_ZERO:  # (its SymPy value is 0: the gradient torch.full of -0.0 was +0.0)
                    return "-0.0"
                value = _constant_value(expr)
                if value is not None:
                    return self._print(sympy.Float(value)) if math.isfinite(value) else self._print(
                        sympy.nan if math.isnan(value) else sympy.oo if value > 0 else -sympy.oo)
            return super()._print(expr, **kwargs)

        def _print_Piecewise(self, expr: Any) -> str:
            # torch.where on two Python numbers gives int64 or float32 (and
            # int64 / int64 is float32): when every branch is a number, the
            # default one is a float64 tensor, unless all are integers (an
            # index); a boolean used as a number, Piecewise((1, c), (0, True)), too.
            pieces = list(expr.args)
            values = [p.expr for p in pieces]
            boolean = values == [1, 0] and pieces[1].cond is sympy.true
            float64 = all(is_number_like(v) for v in values) and (
                boolean or not all(getattr(v, "is_Integer", False) for v in values))
            last = pieces[-1]
            out = self._print(last.expr) if last.cond is sympy.true else "float('nan')"
            if float64:
                out = f"torch.tensor({out}, dtype=torch.float64)"
            if last.cond is sympy.true:
                pieces = pieces[:-1]
            for piece in reversed(pieces):
                out = f"torch.where({self._print(piece.cond)}, {self._print(piece.expr)}, {out})"
            return out

        def _print_Max(self, expr: Any) -> str:
            return self._fold_torch("torch.maximum", "min", expr.args)

        def _print_Min(self, expr: Any) -> str:
            return self._fold_torch("torch.minimum", "max", expr.args)

        def _fold_torch(self, fn: str, clamp_side: str, args: Any) -> str:
            numbers = [a for a in args if is_number_like(a)]
            others = [a for a in args if not is_number_like(a)]
            out = self._print(others[0])
            for a in others[1:]:
                out = f"{fn}({out}, {self._print(a)})"
            for a in numbers:  # torch.maximum needs tensors; clamp takes a number
                out = f"torch.clamp({out}, {clamp_side}={self._print(a)})"
            return out

        def _print_Relational(self, expr: Any) -> str:
            # Infix, so that a number on the left works (torch.ge(0.5, x) does not).
            return f"({self._print(expr.lhs)} {expr.rel_op} {self._print(expr.rhs)})"

        def _print_Function(self, expr: Any) -> str:
            name = expr.func.__name__
            if name in _INTEGER:  # (in code of scalars the values are floats: see _Refusing._integer)
                return f"torch.{name}({', '.join(f'torch.as_tensor({self._print(a)}).long()' for a in expr.args)})"
            if name in ("round", "isfinite", "isnan", "isinf", "erfc", "log1p", "expm1", "erfinv",
                        "nextafter"):
                return f"torch.{name}({', '.join(self._print(a) for a in expr.args)})"
            return super()._print_Function(expr)

        def _print_polygamma(self, expr: Any) -> str:
            return f"torch.polygamma({int(expr.args[0])}, {self._print(expr.args[1])})"

        def _print_besseli(self, expr: Any) -> str:
            return f"torch.{'i0' if expr.args[0] == 0 else 'special.i1'}({self._print(expr.args[1])})"

        def _print_erfinv(self, expr: Any) -> str:
            return f"torch.erfinv({self._print(expr.args[0])})"

        def _print_sinc(self, expr: Any) -> str:
            # SymPy's sinc(y) is sin(y)/y; PyTorch's sinc(x) is sin(pi*x)/(pi*x)
            return f"torch.sinc({self._print(expr.args[0] / sympy.pi)})"

    return TorchCode


def torch_printer() -> Any:
    return _torch_printer_class()()
