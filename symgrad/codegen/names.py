"""Safe, distinct, readable identifiers for generated code.

Leaf names are user strings (``linear.weight[0, 0]``, ``x; import os``, two
different leaves both called ``x``).  Generated code never contains them:
every name in it comes from ``Namespace.claim``, which keeps ASCII letters,
digits and underscores, joins the rest with ``_``, and appends a number when
the result is taken, a keyword, a builtin, or a name the generated code uses
itself (``numpy``, ``math``, C's ``sin``...).
"""

from __future__ import annotations

import builtins
import keyword
import re

_NOT_WORD = re.compile(r"[^0-9A-Za-z_]+")
_UNDERSCORES = re.compile(r"__+")

# Names generated code refers to: modules, and functions of C's math.h
# (a C parameter called ``exp`` would hide the function ``exp``).
_MODULES = {"numpy", "math", "jax", "torch", "scipy", "functools", "cmath", "mpmath"}
_C_WORDS = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern",
    "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return", "short", "signed",
    "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while", "_Bool",
    "_Complex", "_Imaginary", "bool", "true", "false", "NULL", "main",
    "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "cbrt", "ceil", "copysign", "cos", "cosh", "erf",
    "erfc", "exp", "exp2", "expm1", "fabs", "fdim", "floor", "fma", "fmax", "fmin", "fmod", "frexp", "hypot",
    "ilogb", "ldexp", "lgamma", "llrint", "llround", "log", "log10", "log1p", "log2", "logb", "lrint", "lround",
    "modf", "nan", "nearbyint", "nextafter", "pow", "remainder", "remquo", "rint", "round", "scalbn", "sin",
    "sinh", "sqrt", "tan", "tanh", "tgamma", "trunc", "isnan", "isinf", "isfinite", "signbit", "j0", "j1", "jn",
    "y0", "y1", "yn", "INFINITY", "NAN", "HUGE_VAL",
}
RESERVED = frozenset(set(keyword.kwlist) | set(keyword.softkwlist) | set(dir(builtins)) | _MODULES | _C_WORDS)


def identifier(raw: str, fallback: str = "v") -> str:
    """A readable identifier made from ``raw`` (not yet checked for clashes).

    >>> identifier("linear.weight[0, 0]"), identifier("x; import os"), identifier("2x"), identifier("π")
    ('linear_weight_0_0', 'x_import_os', 'v_2x', 'v')
    """
    if raw.isascii() and raw.isidentifier() and raw[0] != "_" and raw[-1] != "_" and "__" not in raw:
        return raw  # already one (most names: checked without the regular expressions)
    text = _NOT_WORD.sub("_", raw).strip("_")
    text = _UNDERSCORES.sub("_", text)
    if not text:
        return fallback
    if text[0].isdigit():
        text = f"{fallback}_{text}"
    return text


class Namespace:
    """Hands out distinct identifiers: ``claim("x")`` twice gives ``x`` then ``x_2``.

    >>> ns = Namespace()
    >>> ns.claim("x"), ns.claim("x"), ns.claim("lambda"), ns.claim("x; import os")
    ('x', 'x_2', 'lambda_1', 'x_import_os')
    >>> ns.temp(), ns.temp()
    ('t1', 't2')
    """

    def __init__(self, reserved: frozenset[str] = RESERVED) -> None:
        self._taken: set[str] = set()
        self._reserved = reserved
        self._counters: dict[str, int] = {}

    def claim(self, raw: str, fallback: str = "v") -> str:
        """A fresh identifier as close to ``raw`` as possible."""
        base = identifier(raw, fallback)
        name = base
        if name in self._reserved:
            name = f"{base}_1"
        k = 2
        while name in self._taken or name in self._reserved:
            name = f"{base}_{k}"
            k += 1
        self._taken.add(name)
        return name

    def temp(self, prefix: str = "t") -> str:
        """The next free temporary name ``t1``, ``t2``, ... (skipping taken ones)."""
        while True:
            k = self._counters.get(prefix, 0) + 1
            self._counters[prefix] = k
            name = f"{prefix}{k}"
            if name not in self._taken and name not in self._reserved:
                self._taken.add(name)
                return name
