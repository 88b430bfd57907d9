"""Every public function, given an argument of the wrong type, fails with an
error that says what was wrong - never an AttributeError from deep inside, a
NumPy message about its own internals, or a silent wrong answer.

The survey is systematic: each public callable of ``symgrad`` (and each
method of ``Tensor``) is called with each bad value in each required
argument position, the other positions holding a valid tensor.
"""

from __future__ import annotations

import inspect
import re
import warnings
from typing import Any

import pytest

import symgrad as sg

BAD: dict[str, Any] = {"str": "abc", "None": None, "object": object(), "list of str": [1.0, "a"],
                       "dict": {"a": 1}, "complex": 1j, "ragged list": [[1.0], [1.0, 2.0]]}

# Exception types an error may have: Python's for bad arguments, and symgrad's own (their subclasses).
ALLOWED = (TypeError, ValueError, RuntimeError, IndexError)

# Messages that show a check was missing: Python or NumPy describing their own internals.
UNCLEAR = re.compile(r"object has no attribute|is not iterable|unsupported operand type|not supported between "
                     r"instances|ufunc|DType|inhomogeneous|np\.atleast|object is not subscriptable|unhashable|"
                     r"invalid literal for int")

# Callables that take anything by design, and why.
ANY_ARGUMENT = {
    "is_tensor": "a predicate: any object is a fair question",
    "set_default_dtype": "None means float64, as numpy.dtype(None)",
    "to_dtype": "None keeps the dtype, as Tensor.to(None)",
    "index": "None is a valid index (a new axis)",
    "index_put": "None is a valid index (a new axis)",
    "set_expr_limits": "None leaves a limit unchanged",
    "defop": "internal: the op table's own constructor",
    "save": "pickles any object, and a string is a path (the survey would write files)",
    "load": "a string is a path: a missing file is Python's FileNotFoundError, as for open()",
}


def _required_positions(fn: Any) -> int:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return 1
    return max(1, sum(1 for p in params if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY,
                                                                               p.POSITIONAL_OR_KEYWORD)))


def _public_functions() -> list[tuple[str, Any]]:
    out = []
    for name in sg.__all__:
        fn = getattr(sg, name)
        if callable(fn) and not isinstance(fn, type) and name[0].islower() and name not in ANY_ARGUMENT:
            out.append((name, fn))
    return out


def _problems(label: str, fn: Any, positions: int, valid: Any) -> list[str]:
    found = []
    for bad_name, bad in BAD.items():
        for pos in range(positions):
            args = [valid] * positions
            args[pos] = bad
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    fn(*args)
                except ALLOWED as e:
                    if UNCLEAR.search(str(e)) or not str(e).strip():
                        found.append(f"{label}(arg {pos} = {bad_name}): unclear {type(e).__name__}: {e}")
                except Exception as e:  # the finding: a type no caller expects
                    found.append(f"{label}(arg {pos} = {bad_name}): {type(e).__name__}: {e}")
    return found


def test_public_functions_reject_wrong_types_clearly():
    valid = sg.ones(2, 3)
    problems = [p for name, fn in _public_functions() for p in _problems(name, fn, _required_positions(fn), valid)]
    assert not problems, f"{len(problems)} unclear errors:\n" + "\n".join(problems[:40])


TENSOR_METHODS = ["add", "sub", "mul", "div", "pow", "matmul", "sum", "mean", "reshape", "view", "permute",
                  "transpose", "expand", "expand_as", "unsqueeze", "squeeze", "flip", "clamp", "max", "min",
                  "softmax", "log_softmax", "logsumexp", "cumsum", "to", "type_as", "masked_fill", "where",
                  "maximum", "minimum", "index_select", "gather", "narrow", "split", "chunk", "repeat", "norm",
                  "eq", "lt", "add_", "mul_", "copy_", "fill_", "masked_fill_", "__getitem__", "__setitem__"]


@pytest.mark.parametrize("method", [m for m in TENSOR_METHODS if hasattr(sg.Tensor, m)])
def test_tensor_methods_reject_wrong_types_clearly(method):
    t = sg.ones(2, 3)
    fn = getattr(t, method)
    problems = _problems(f"Tensor.{method}", fn, max(1, _required_positions(fn)), sg.ones(2, 3))
    assert not problems, "\n".join(problems)
