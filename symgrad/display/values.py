r"""Numbers as people read them: ``12``, ``0.3333``, ``1e-05`` (text) and
``1 \cdot 10^{-5}`` (LaTeX), with the precision of ``symgrad.set_printoptions``.

>>> import numpy as np
>>> from symgrad.display.values import value_text, value_latex
>>> value_text(np.array(12.)), value_text(np.array([1.5, 1/3, 1e-5]))
('12', '[1.5, 0.3333, 1e-05]')
>>> print(value_latex(np.array([[1., 2.], [3., 4e-9]])))
\left[\begin{matrix}1 & 2\\3 & 4 \cdot 10^{-9}\end{matrix}\right]
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from symgrad.printing import PRINT_OPTS

__all__ = ["number_text", "number_latex", "value_text", "value_latex"]


def number_text(v: Any) -> str:
    """One number: fixed point with the print precision, trailing zeros dropped;
    scientific notation for very large or small magnitudes (as PyTorch)."""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (complex, np.complexfloating)):
        return str(complex(v))
    v = float(v)
    if math.isnan(v) or math.isinf(v):
        return str(v)
    p = PRINT_OPTS.precision
    if v != 0 and not 1e-4 <= abs(v) < 1e8:
        mantissa, exponent = f"{v:.{p}e}".split("e")
        return f"{_trim(mantissa)}e{exponent}"
    return _trim(f"{v:.{p}f}")


def _trim(s: str) -> str:
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def number_latex(v: Any) -> str:
    """One number in LaTeX (``\\infty``, ``1.5 \\cdot 10^{-5}``)."""
    s = number_text(v)
    if s in ("inf", "-inf"):
        return s.replace("inf", r"\infty")
    if s == "nan":
        return r"\mathrm{NaN}"
    if "e" in s and not s.startswith(("T", "F")):
        mantissa, exponent = s.split("e")
        return rf"{mantissa} \cdot 10^{{{int(exponent)}}}"
    return s


def value_text(a: np.ndarray) -> str:
    """A 0-d array as one number, others as nested lists."""
    if a.ndim == 0:
        return number_text(a.item())
    return _nested(a, number_text)


def _nested(a: np.ndarray, fmt: Any) -> str:
    if a.ndim == 1:
        return "[" + ", ".join(fmt(v) for v in a.tolist()) + "]"
    return "[" + ", ".join(_nested(row, fmt) for row in a) + "]"


def value_latex(a: np.ndarray) -> str:
    """A 0-d array as a number, a vector or matrix as SymPy prints arrays
    (``\\left[\\begin{matrix}...``); higher dimensions as nested matrices."""
    if a.ndim == 0:
        return number_latex(a.item())
    if a.ndim == 1:
        body = " & ".join(number_latex(v) for v in a.tolist())
    elif a.ndim == 2:
        body = r"\\".join(" & ".join(number_latex(v) for v in row.tolist()) for row in a)
    else:
        body = " & ".join(value_latex(sub) for sub in a)
    return r"\left[\begin{matrix}" + body + r"\end{matrix}\right]"
