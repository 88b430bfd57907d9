"""Numbers as a person writes them: ``2`` for 2.0, ``1.5`` for 1.5 (not
``2.00000000000000``).  Integral floats become SymPy Integers; other floats
keep full float64 precision (their shortest round-trip decimal), so no
arithmetic on them is ever done at reduced precision."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import sympy


def number(v: Any) -> Any:
    """One NumPy or Python number as a SymPy number."""
    make = getattr(v, "_sympy_", None)  # ops._sympy.Exact: log(2) rather than 0.693...
    if make is not None:
        return make()
    if isinstance(v, (bool, np.bool_)):
        return sympy.true if v else sympy.false
    if isinstance(v, (int, np.integer)):
        return sympy.Integer(int(v))
    f = float(v)
    if math.isnan(f):
        return sympy.nan
    if math.isinf(f):
        return sympy.oo if f > 0 else -sympy.oo
    if f.is_integer() and abs(f) < 2**53:
        return sympy.Integer(int(f))
    # str() of a float32 gives its shortest decimal ("0.1", not 0.100000001490116)
    text = str(v) if isinstance(v, np.floating) else repr(f)
    fraction = _simple_fraction(f, text)
    # precision=53: SymPy reads "1e+300" as an integer of 1003 bits (printed with its 301 digits)
    return fraction if fraction is not None else sympy.Float(text, precision=53)


def _simple_fraction(f: float, text: str) -> Any:
    """``1/3`` for 0.3333333333333333: a float with a long decimal that is
    exactly the float of a small fraction (a folded ``1/n`` in a derivative
    rule, such as the mean's) prints as that fraction.  Short decimals (0.1,
    0.25) stay decimals; the number is the same float either way."""
    digits = len(text.lstrip("-").replace(".", "").lstrip("0").split("e")[0])
    if digits < 12 or not math.isfinite(f):
        return None
    from fractions import Fraction

    q = Fraction(f).limit_denominator(1000)
    return sympy.Rational(q.numerator, q.denominator) if q.numerator / q.denominator == f else None


def constant(value: Any) -> Any:
    """A constant's symbolic value: a SymPy number, or an object array of them."""
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return number(value[()])
        out = np.empty(value.shape, dtype=object)
        flat = out.reshape(-1)
        for i, v in enumerate(value.reshape(-1)):
            flat[i] = number(v)
        return out
    return number(value)
