"""Where a ``.grad`` came from: which outputs a ``backward()`` started from
and which tensor the gradient belongs to, so that ``symgrad.show(x.grad)``
can write ``∂z/∂x = 2*x*y = 12``.

The engine records, it never reads: everything here is plain data, cheap to
make (one small object per gradient delivered), and holds tensors weakly so
that a gradient never keeps its output alive.  Interpretation (names,
labels, whether a record still describes the tensor) lives in
``symgrad.display``.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

# A gradient accumulated over more passes than this without being cleared
# stops carrying a label (the numbers and closed form are unaffected), so
# loops that never clear gradients do not grow a chain of records.
MAX_LABELLED_PASSES = 8


@dataclass(frozen=True, eq=False)
class Pass:
    """One ``backward()`` call: its outputs (weakly: only to find their
    variable names) and their terms (to write an unnamed output as its
    formula; a pass's gradients keep its graph alive anyway), each output's
    own origin when the output was itself a gradient (higher-order
    derivatives), and whether explicit ``gradient=`` seeds were given (a
    vector-Jacobian product rather than a plain derivative)."""

    outputs: tuple[Any, ...]
    output_terms: tuple[Any, ...]
    output_origins: tuple[GradOrigin | None, ...]
    seeded: bool


@dataclass(frozen=True, eq=False)
class GradOrigin:
    """The record left on a gradient tensor (``t._grad_origin``).

    ``term`` and ``grad_fn`` are the gradient's own at recording time: if
    either has changed since (``zero_()``, another accumulation), the record
    no longer describes the tensor.  ``before`` is what the gradient held
    before this pass added to it: ``(term, origin or None)``, or None on the
    first pass.
    """

    passes: int
    run: Pass
    wrt: Any
    term: Any
    grad_fn: Any
    before: tuple[Any, GradOrigin | None] | None


def start(roots: list[Any], seeded: bool) -> Pass:
    """The record of a ``backward()`` from ``roots``."""
    from symgrad._tensor import _term_or_const

    return Pass(tuple(weakref.ref(t) for t in roots), tuple(_term_or_const(t) for t in roots),
                tuple(graph_origin(t) for t in roots), seeded)


def graph_origin(t: Any) -> GradOrigin | None:
    """``t``'s origin if ``t`` is a gradient whose graph is still the one it
    was made with (so differentiating it differentiates that derivative)."""
    o = getattr(t, "_grad_origin", None)
    if o is None or o.grad_fn is None or o.grad_fn is not t._grad_fn:
        return None
    return o


def current(t: Any) -> GradOrigin | None:
    """``t``'s origin if it still describes ``t``'s value (nothing changed it since)."""
    from symgrad._tensor import term_of

    o = getattr(t, "_grad_origin", None)
    if o is None or o.term is not term_of(t) or o.grad_fn is not t._grad_fn:
        return None
    return o


def record(grad: Any, wrt: Any, run: Pass | None, before: Any = None) -> None:
    """Label ``grad`` (just stored in ``wrt``'s ``.grad``) with this pass.
    ``before``: the gradient tensor this pass added to, if any (read before the
    addition: pass ``snapshot(old)``)."""
    from symgrad._tensor import term_of

    if run is None:
        return
    passes = 1
    if before is not None and before[1] is not None:
        passes = 1 + before[1].passes
        if passes > MAX_LABELLED_PASSES:
            grad._grad_origin = None
            return
    grad._grad_origin = GradOrigin(passes, run, weakref.ref(wrt), term_of(grad), grad._grad_fn, before)


def snapshot(old: Any) -> tuple[Any, GradOrigin | None]:
    """What a gradient holds before a pass adds to it: its term and origin."""
    from symgrad._tensor import _term_or_const

    return _term_or_const(old), current(old)


__all__ = ["Pass", "GradOrigin", "start", "record", "snapshot", "current", "graph_origin", "MAX_LABELLED_PASSES"]
