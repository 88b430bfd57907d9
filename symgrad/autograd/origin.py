"""Where a ``.grad`` came from: which outputs a ``backward()`` started from
and which tensor the gradient belongs to, so that ``symgrad.show(x.grad)``
can write ``∂z/∂x = 2*x*y = 12``.

The engine records, it never reads: everything here is plain data, cheap to
make (one small object per gradient delivered), and holds tensors weakly so
that a gradient never keeps its output alive.  Interpretation (names,
labels, whether a record still describes the tensor) lives in
``symgrad.display``.

>>> import symgrad
>>> from symgrad.autograd import origin
>>> x = symgrad.tensor(2., requires_grad=True)
>>> z = x * x
>>> z.backward()
>>> record = origin.current(x.grad)
>>> record.wrt() is x, record.run.outputs[0]() is z, record.passes
(True, True, 1)
>>> x.grad.zero_()
tensor(0.)
>>> origin.current(x.grad) is None
True
"""

from __future__ import annotations

import weakref
from typing import Any

from symgrad.autograd.graph import Node
from symgrad.symbolic.terms import Apply

# A gradient accumulated over more passes than this without being cleared
# stops carrying a label (the numbers and closed form are unaffected), so
# loops that never clear gradients do not grow a chain of records.
MAX_LABELLED_PASSES = 8

_ref = weakref.ref


class Pass:
    """One ``backward()`` call: its outputs (weakly: only to find their
    variable names) and their terms (to write an unnamed output as its
    formula; a pass's gradients keep its graph alive anyway), each output's
    own origin when the output was itself a gradient (higher-order
    derivatives), and whether explicit ``gradient=`` seeds were given (a
    vector-Jacobian product rather than a plain derivative).

    Plain slotted classes, not dataclasses: one is made per ``backward()``
    and per gradient stored, on the hot path of every training step."""

    __slots__ = ("outputs", "output_terms", "output_origins", "seeded")

    def __init__(self, outputs: tuple[Any, ...], output_terms: tuple[Any, ...],
                 output_origins: tuple[GradOrigin | None, ...], seeded: bool) -> None:
        self.outputs = outputs
        self.output_terms = output_terms
        self.output_origins = output_origins
        self.seeded = seeded


class GradOrigin:
    """The record left on a gradient tensor (``t._grad_origin``).

    ``term`` and ``grad_fn`` are the gradient's own at recording time: if
    either has changed since (``zero_()``, another accumulation), the record
    no longer describes the tensor.  ``before`` is what the gradient held
    before this pass added to it: ``(term, origin or None)``, or None on the
    first pass.
    """

    __slots__ = ("passes", "run", "wrt", "term", "grad_fn", "before")

    def __init__(self, passes: int, run: Pass, wrt: Any, term: Any, grad_fn: Any,
                 before: tuple[Any, GradOrigin | None] | None) -> None:
        self.passes = passes
        self.run = run
        self.wrt = wrt
        self.term = term
        self.grad_fn = grad_fn
        self.before = before


def start(roots: list[Any], seeded: bool, retained: bool = False) -> Pass:
    """The record of a ``backward()`` from ``roots``; ``retained``: the pass
    keeps the graph (``retain_graph``, ``create_graph``), so its nodes keep
    the tensors their rules saved (see ``detached``)."""
    if len(roots) == 1:  # the usual loss.backward(), kept cheap (graph_origin, written out)
        t = roots[0]
        c = t._content if t._base is None and t._content is not None else (_tensor or _tensor_module())._term_or_const(t)
        o = t._grad_origin
        if o is not None and (o.grad_fn is None or o.grad_fn is not t._grad_fn):
            o = None
        run = _new(Pass)  # (Pass(...) without its __init__ call: this is every backward())
        run.outputs = (_ref(t),)
        run.output_terms = (detached(c) if retained else c,)
        run.output_origins = (o,)
        run.seeded = seeded
        return run
    term = _tensor_module()._term_or_const
    terms = [term(t) for t in roots]
    return Pass(tuple([_ref(t) for t in roots]), tuple([detached(c) for c in terms] if retained else terms),
                tuple([graph_origin(t) for t in roots]), seeded)


# Graph nodes a pass's record copies, at most, to hold an output's term
# without the tensors the nodes saved; a formula from more would be too long
# to label a gradient with (labels show formulas of up to 40 characters).
DETACHED_NODES = 32


def detached(term: Any) -> Any:
    """``term`` with each graph node in it (a ``Node``: an op's term that
    also holds the tensors its rules saved) copied as a plain ``Apply`` of the
    same op, arguments and params: the same closed form, holding no tensor.

    Why: a gradient's record holds its pass's output terms, and the output's
    node may hold the leaf (``x -> x.grad -> record -> z's node -> saved x``).
    When the pass retains the graph, that is a reference cycle, which only
    the cyclic collector frees (measured: 13 µs of the 69 µs of the seed's
    second-derivative program, in a process holding as many objects as one
    that has imported PyTorch).  ``term`` itself (a cycle, then) when it
    holds more than ``DETACHED_NODES`` nodes.

    >>> import symgrad
    >>> x = symgrad.tensor(2., requires_grad=True)
    >>> z = x * x
    >>> copy = detached(z._grad_fn)
    >>> type(copy).__name__, copy.op is z._grad_fn.op, copy.args == z._grad_fn.args
    ('Apply', True, True)
    """
    if not isinstance(term, Node):
        return term
    copy = _copy_nodes(term, {}, 1)
    return term if copy is None else copy


def _copy_nodes(term: Any, copies: dict[Any, Any], depth: int) -> Any:
    """``term`` (an ``Apply``) copied as ``detached`` does (``copies``: the
    terms copied so far, so a node read twice is copied once; terms hash by
    identity), or None past the budget: more than ``DETACHED_NODES`` terms
    copied, or as deep (so the recursion stays shallow, and the nodes entered
    but not yet copied, on its stack, are as few)."""
    if depth > DETACHED_NODES or len(copies) >= DETACHED_NODES:
        return None
    args = []
    changed = term.__class__ is not Apply
    for a in term.args:
        if isinstance(a, Apply):  # (a leaf or constant is kept: no call for it)
            c = copies.get(a)
            if c is None:
                c = _copy_nodes(a, copies, depth + 1)
                if c is None:
                    return None
            if c is not a:
                changed = True
            a = c
        args.append(a)
    if not changed:  # (a plain term over no node: kept as it is)
        copies[term] = term
        return term
    c = _new(Apply)
    c._sym = None
    c.op = term.op
    c.args = tuple(args)
    c.params = term.params
    copies[term] = c
    return c


_new = object.__new__


_tensor: Any = None


def _tensor_module() -> Any:
    """``symgrad._tensor``, imported on first use (it imports this package)."""
    global _tensor
    if _tensor is None:
        from symgrad import _tensor as module

        _tensor = module
    return _tensor


def graph_origin(t: Any) -> GradOrigin | None:
    """``t``'s origin if ``t`` is a gradient whose graph is still the one it
    was made with (so differentiating it differentiates that derivative)."""
    o = t._grad_origin
    if o is None or o.grad_fn is None or o.grad_fn is not t._grad_fn:
        return None
    return o


def current(t: Any) -> GradOrigin | None:
    """``t``'s origin if it still describes ``t``'s value (nothing changed it since)."""
    o = getattr(t, "_grad_origin", None)
    if o is None or o.term is not (t._content if t._base is None else (_tensor or _tensor_module()).term_of(t)) \
            or o.grad_fn is not t._grad_fn:
        return None
    return o


def record(grad: Any, wrt: Any, run: Pass | None, before: Any = None) -> None:
    """Label ``grad`` (just stored in ``wrt``'s ``.grad``) with this pass.
    ``before``: the gradient tensor this pass added to, if any (read before the
    addition: pass ``snapshot(old)``)."""
    if run is None:
        return
    passes = 1
    if before is not None and before[1] is not None:
        passes = 1 + before[1].passes
        if passes > MAX_LABELLED_PASSES:
            grad._grad_origin = None
            return
    term = grad._content if grad._base is None else (_tensor or _tensor_module()).term_of(grad)
    o = grad._grad_origin = _new(GradOrigin)  # (GradOrigin(...) without its __init__ call: one per gradient)
    o.passes = passes
    o.run = run
    o.wrt = _ref(wrt)
    o.term = term
    o.grad_fn = grad._grad_fn
    o.before = before


def snapshot(old: Any) -> tuple[Any, GradOrigin | None]:
    """What a gradient holds before a pass adds to it: its term and origin."""
    if old._base is not None:  # (a view: its term is derived from its base's)
        return (_tensor or _tensor_module())._term_or_const(old), current(old)
    c = old._content  # (_term_or_const and current, written out: term_of is _content)
    o = old._grad_origin
    if o is not None and (o.term is not c or o.grad_fn is not old._grad_fn):
        o = None
    if c is None:
        c = (_tensor or _tensor_module())._term_or_const(old)
    return c, o


__all__ = ["Pass", "GradOrigin", "start", "detached", "record", "snapshot", "current", "graph_origin", "MAX_LABELLED_PASSES"]
