"""Values read out of the graph into Python: ``bool(x > 0)``, ``int(t)``, ``t.item()``.

A Python ``if`` or index decided by such a value leaves no trace in the
graph: the graph holds the path taken at the values of the moment.  Code
generated from it takes that path at every input, and so computes something
else wherever the choice would have gone the other way - silently (the blind
spot of every tracer: ``torch.jit.trace`` warns, ``jax.jit`` refuses).  So:

* while code generation (or ``verify_gradient``) traces a Python function
  (``tracing()``), reading a value that depends on the function's arguments
  is an error, as in ``jax.jit``; its message names the fix
  (``symgrad.where``, tensor indices);
* otherwise the decisions (``bool``, ``int``, an index) are remembered with
  the leaves they depended on and the line of user code that made them, and
  code generated from eager tensors warns when one involved its inputs
  (``TracerWarning``): whether the choice shaped the graph cannot be known,
  only that it could have.  Plain reads (``item()``, ``float()``) are not
  remembered outside tracing: printing a loss is not a choice.

Only tensors with a symbolic term (a variable, named data, or something
computed from them) are concerned; plain numbers are read freely.
"""

from __future__ import annotations

import collections
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from symgrad.symbolic.terms import Apply, Lazy, Leaf, Term, _uids

__all__ = ["TracerWarning", "TracingError", "reads_involving", "tracing", "value_read", "warn_if_decided"]

#: At most this many terms are walked to find the leaves of a decision; past
#: it (or at a gradient's closed form not yet built) the decision is taken to
#: involve every leaf that existed then.
WALK_LIMIT = 10_000
#: The decisions remembered (the latest).
REMEMBERED = 64

_DECISIONS = ("bool()", "int()", "an index")
_PACKAGE = __name__.split(".")[0]


class TracingError(ValueError):
    """A value that depends on a traced function's arguments was read into
    Python while code generation traced the function."""


class TracerWarning(UserWarning):
    """Code was generated from a graph built while a value depending on its
    inputs decided something in Python (a branch, an index)."""


class _Read:
    __slots__ = ("what", "where", "leaves", "before")

    def __init__(self, what: str, where: str, leaves: frozenset[int] | None, before: int) -> None:
        self.what = what
        self.where = where
        self.leaves = leaves  # the uids of the leaves it depended on; None: unknown (every leaf uid < before)
        self.before = before


_tracers: list[str] = []  # what each active trace is for (innermost last)
_reads: collections.deque[_Read] = collections.deque(maxlen=REMEMBERED)

#: What a value read during each kind of trace would do wrong.
FOR_CODE = "the generated code would make the choice made now at every input"
FOR_CHECK = "the gradient checked would be that of the path taken now, at every point"


@contextmanager
def tracing(consequence: str) -> Iterator[None]:
    """Reading a symbolic value into Python is an error inside this block;
    ``consequence`` (``FOR_CODE``, ``FOR_CHECK``) says what it would break."""
    _tracers.append(consequence)
    try:
        yield
    finally:
        _tracers.pop()


def value_read(term: Term, what: str) -> None:
    """``what`` (``"bool()"``, ``"item()"``...) read the value of a tensor whose
    term is ``term`` (symbolic: the caller checked).  Raises while tracing;
    otherwise remembers a decision."""
    if _tracers:
        raise TracingError(
            f"{what} of a tensor that depends on the traced function's arguments: {_tracers[-1]}, and silently "
            f"be wrong wherever the value differs. Keep "
            f"the computation in tensors: symgrad.where(cond, a, b) for a branch, tensor indices (or gather) "
            f"for positions chosen by values, and no .item()/float()/.tolist()/.numpy() inside the function")
    if what in _DECISIONS:
        leaves = _leaf_uids(term)
        _reads.append(_Read(what, _user_line(), leaves, _next_uid()))


def reads_involving(uids: set[int]) -> list[str]:
    """Descriptions (``"bool() at file.py:3"``) of the remembered decisions
    that depended on any of the leaves ``uids``."""
    found = []
    for r in _reads:
        if (r.leaves & uids) if r.leaves is not None else any(u < r.before for u in uids):
            found.append(f"{r.what} at {r.where}")
    return found


def warn_if_decided(uids: set[int], made: str, consequence: str) -> None:
    """Warn (``TracerWarning``) if remembered decisions depended on the leaves
    ``uids``, the inputs of ``made`` (what is being made from the graph);
    ``consequence``: what a choice that shaped the graph would do wrong there."""
    found = reads_involving(uids)
    if not found:
        return
    shown = "; ".join(found[-3:]) + (f" (and {len(found) - 3} more)" if len(found) > 3 else "")
    warnings.warn(
        f"{made}: values depending on its inputs decided something in Python while they existed ({shown}). "
        f"If such a choice (an if, an index) shaped the graph, {consequence}, and be wrong wherever the choice "
        f"would differ. Write the choice in tensors (symgrad.where(cond, a, b), tensor indices), or pass a "
        f"function of the inputs instead of a computed tensor: it is traced with such reads refused. If no "
        f"choice shaped the graph, silence this with "
        f"warnings.filterwarnings('ignore', category=symgrad.TracerWarning).", TracerWarning,
        stacklevel=_user_stacklevel())


def _leaf_uids(root: Term) -> frozenset[int] | None:
    """The uids of the leaves below ``root``; None when the walk would pass
    ``WALK_LIMIT`` terms or meet a closed form not built yet."""
    seen: set[int] = set()
    found: set[int] = set()
    stack = [root]
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        if len(seen) > WALK_LIMIT:
            return None
        if isinstance(t, Lazy):
            built = t._resolved
            if built is None:
                return None
            t = built
        if isinstance(t, Leaf):
            found.add(t.uid)
        elif isinstance(t, Apply):
            stack.extend(t.args)
    return frozenset(found)


def _next_uid() -> int:
    """A uid greater than every leaf's so far (from terms.py's counter)."""
    return next(_uids)


def _user_frame() -> tuple[Any, int]:
    """The innermost frame outside symgrad, and its stacklevel as seen from the caller's caller
    (1: that frame itself)."""
    frame: Any = sys._getframe(2)
    level = 1
    while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] == _PACKAGE:
        frame = frame.f_back
        level += 1
    return frame, level


def _user_line() -> str:
    """``file:line`` of the innermost frame outside symgrad."""
    frame, _ = _user_frame()
    if frame is None:  # pragma: no cover - symgrad is always called from somewhere
        return "?"
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def _user_stacklevel() -> int:
    """``warnings.warn``'s stacklevel that points at the user's call."""
    return _user_frame()[1]
