"""Python literals for generated code: shapes, axes, index keys, docstrings.

Everything here prints values symgrad made (ints, slices, tuples, arrays of
numbers); strings from users never pass through, except docstrings, which
``docstring`` escapes so they cannot end the string literal early.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def literal(v: Any) -> str:
    """A Python literal for shapes, axes and flags: ``(2, 3)``, ``(0,)``, ``None``, ``True``."""
    if isinstance(v, (tuple, list)):
        items = [literal(x) for x in v]
        return "(" + items[0] + ",)" if len(items) == 1 else "(" + ", ".join(items) + ")"
    if isinstance(v, (bool, np.bool_)):
        return "True" if v else "False"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    if v is None:
        return "None"
    raise TypeError(f"no literal for {v!r}")


def norm_order(v: float) -> str:
    """A norm's order: ``2.0``, ``float("inf")`` (``repr`` gives ``inf``, which is not a literal)."""
    if v in (np.inf, -np.inf):
        return 'float("inf")' if v > 0 else '-float("inf")'
    return literal(v)


def key(k: Any, array_name: Callable[[np.ndarray], str]) -> str:
    """What goes between ``x[`` and ``]`` for a NumPy index key; arrays are
    named by ``array_name`` (module-level constants)."""
    parts = k if isinstance(k, tuple) else (k,)
    if isinstance(k, tuple) and not k:
        return "()"
    return ", ".join(_key_part(p, array_name) for p in parts)


def _key_part(p: Any, array_name: Callable[[np.ndarray], str]) -> str:
    if isinstance(p, slice):
        start = "" if p.start is None else str(int(p.start))
        stop = "" if p.stop is None else str(int(p.stop))
        return f"{start}:{stop}" if p.step is None else f"{start}:{stop}:{int(p.step)}"
    if p is None:
        return "None"
    if p is Ellipsis:
        return "..."
    if isinstance(p, np.ndarray):
        return array_name(p)
    if isinstance(p, (bool, np.bool_)):
        return "True" if p else "False"
    if isinstance(p, (int, np.integer)):
        return str(int(p))
    raise TypeError(f"cannot print index key part {p!r}")


def nested_list(arr: np.ndarray) -> str:
    """The elements of a numeric array as a nested Python list literal.

    >>> nested_list(np.array([[1.5, float("inf")], [0.1, float("nan")]]))
    "[[1.5, float('inf')], [0.1, float('nan')]]"
    """
    if arr.ndim == 0:
        return _number(arr[()])
    return "[" + ", ".join(nested_list(row) for row in arr) + "]"


def _number(v: Any) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "True" if v else "False"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    f = float(v)
    return repr(f) if np.isfinite(f) else f"float('{f!r}')"


def docstring(text: str, indent: str = "    ") -> str:
    """``text`` as an indented triple-quoted literal that cannot end early:
    backslashes, quotes and unprintable characters are escaped, so its value
    is ``text`` (indented, as docstrings are).

    >>> import ast
    >>> text = 'a "quoted" \\\\ line'
    >>> ast.literal_eval(docstring(text).strip()).strip() == text
    True
    """
    if "\\" in text or '"' in text or not text.replace("\n", "").isprintable():
        escaped = "".join(_escape(ch) for ch in text)
    else:  # nothing to escape (the usual case; the text can be long: a signature with 1000 names)
        escaped = text
    lines = [indent + line if line else "" for line in escaped.split("\n")]
    return f'{indent}"""' + "\n".join(lines)[len(indent):] + f'\n{indent}"""'


def _escape(ch: str) -> str:
    if ch == "\\" or ch == '"':
        return "\\" + ch
    if ch == "\n" or ch.isprintable():
        return ch
    return ch.encode("unicode_escape").decode("ascii")
