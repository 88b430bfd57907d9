"""NumPy's floating-point warnings off while a backward pass runs, cheaply.

inf and nan flow through gradients silently, as in PyTorch (``sqrt'(0) =
inf``), so every pass that may run NumPy silences its divide, invalid and
overflow warnings.  ``np.errstate`` costs 0.9 µs to enter and leave, a
tenth of a small graph's whole ``backward()`` (the seed's passes).  NumPy 2
keeps its error state in a context variable holding an immutable state
object: the quiet state made from each state met (by ``np.errstate``
itself, once) is kept, and entering is setting it (0.2 µs).  On NumPy 1,
which has no such variable, ``np.errstate`` is used.

>>> import numpy as np
>>> token = quiet()
>>> np.geterr()["divide"]
'ignore'
>>> loud(token)
>>> np.geterr()["divide"] == "ignore"
False
"""

from __future__ import annotations

from typing import Any

import numpy as np

try:  # NumPy 2: the error state is a context variable
    from numpy._core._ufunc_config import _extobj_contextvar as _STATE  # type: ignore[attr-defined]  # noqa: N812
except ImportError:  # pragma: no cover - NumPy 1
    _STATE = None

# The quiet state made from each error state met: few (the default, and one per
# np.errstate a caller is inside); cleared past this many, so the cache stays small.
_MAX_KEPT = 32
_QUIET: dict[Any, Any] = {}


def quiet() -> Any:
    """Silence NumPy's divide, invalid and overflow warnings (keeping the
    rest of the caller's error state); returns what ``loud`` takes."""
    if _STATE is None:  # pragma: no cover - NumPy 1
        state = np.errstate(divide="ignore", invalid="ignore", over="ignore")
        state.__enter__()
        return state
    current = _STATE.get()
    try:
        silent = _QUIET.get(current)
    except TypeError:  # a NumPy whose state cannot be a key: np.errstate, as on NumPy 1
        state = np.errstate(divide="ignore", invalid="ignore", over="ignore")
        state.__enter__()
        return state
    if silent is None:
        if len(_QUIET) >= _MAX_KEPT:
            _QUIET.clear()
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            silent = _STATE.get()
        _QUIET[current] = silent
    return _STATE.set(silent)


def loud(token: Any) -> None:
    """Undo ``quiet`` (``token`` is what it returned)."""
    if token.__class__ is np.errstate:  # (NumPy 1, or a state quiet() could not key)
        token.__exit__(None, None, None)
    else:
        _STATE.reset(token)
