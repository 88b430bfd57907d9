"""Terms: immutable descriptions of values, the symbolic view's graph.

* ``Leaf``  - a symbol (a tensor that requires grad, or was given a name);
* ``Const`` - a number or array of numbers;
* ``Apply`` - an op applied to argument terms, with its parameters.

The autograd graph node (``autograd.graph.Node``) is a subclass of ``Apply``:
one object per recorded op serves both views.  Terms never hold tensors, so
in-place changes to a tensor never rewrite history.  Evaluation to SymPy is
lazy and memoized in ``_sym`` (see ``symbolic.evaluate``).
"""

from __future__ import annotations

import itertools
import weakref
from typing import Any

_uids = itertools.count(1)


class Term:
    """Base class of the symbolic view's nodes."""

    __slots__ = ("_sym", "__weakref__")
    const = False
    _sym: Any  # (value, depth, size) once evaluated to SymPy, else None

    def resolve(self) -> Term:
        """The term this one stands for (lazy terms override this)."""
        return self


class Const(Term):
    """A constant: a Python number or a NumPy array (copied if it is ever mutated)."""

    __slots__ = ("value",)
    const = True
    value: Any

    def __init__(self, value: Any) -> None:
        self._sym = None
        self.value = value

    def freeze(self) -> None:
        """Copy the array before the tensor that owns it is modified in place."""
        v = self.value
        if hasattr(v, "copy"):
            self.value = v.copy()


class Leaf(Term):
    """A symbol standing for a leaf tensor's current value.

    The name is found lazily (``symbolic.naming``): an explicit ``name=``,
    else the variable the tensor is bound to when the expression is first
    built, else a fresh name.
    """

    __slots__ = ("tensor", "shape", "name", "uid")
    tensor: Any
    shape: tuple[int, ...]
    name: str | None
    uid: int

    def __init__(self, tensor: Any, shape: tuple[int, ...], name: str | None) -> None:
        self._sym = None
        self.tensor = weakref.ref(tensor)
        self.shape = shape
        self.name = name
        self.uid = next(_uids)


class Apply(Term):
    """``op(*args, **params)`` with argument terms ``args``."""

    __slots__ = ("op", "args", "params")
    op: Any
    args: tuple[Term, ...]
    params: dict[str, Any]

    def __init__(self, op: Any, args: tuple[Term, ...], params: dict[str, Any]) -> None:
        self._sym = None
        self.op = op
        self.args = args
        self.params = params


class Lazy(Term):
    """A term computed on demand, by ``source.term(key)``; used for closed
    forms of gradients produced by the fast numeric backward pass (the
    source is its tape).  Source and key are kept apart, not bound into one
    callable: one is made per gradient delivered, on the hot path."""

    __slots__ = ("_source", "_key", "_resolved")
    _source: Any

    def __init__(self, source: Any, key: Any) -> None:
        self._sym = None
        self._source = source
        self._key = key
        self._resolved: Term | None = None

    def resolve(self) -> Term:
        r = self._resolved
        if r is None:
            r = self._source.term(self._key).resolve()
            self._resolved = r
            self._source = self._key = None
        return r


class Unavailable(Term):
    """A value whose closed form was deliberately not kept; says why when asked."""

    __slots__ = ("reason",)
    reason: str

    def __init__(self, reason: str) -> None:
        self._sym = None
        self.reason = reason


# The Const of a Python int or float, one per value: numbers in formulas and
# derivative rules (the 100 and 2 of ``100*(b - a**2)**2``, a rule's ``p - 1``)
# would otherwise make a Const per op - a fifth of the objects a graph of
# scalar ops allocates, each one more for the cyclic collector to scan.  A
# Const of a number is never changed (``freeze`` copies arrays only), and
# terms compare constants by value anyway (``codegen.graph._const_key``).
# Keyed by class and value: 1, 1.0 and True are equal keys, so ints and
# floats are kept apart; -0.0 (equal to 0.0) and nan (equal to nothing) are
# not shared.  Bounded, as a cache of values seen in formulas.
_NUMBER_CONSTS: dict[Any, Const] = {}
MAX_SHARED_CONSTS = 4096


def number_const(a: Any) -> Const:
    """The Const of a number; one per int or float value seen (see above)."""
    cls = a.__class__
    if cls is int or (cls is float and a == a and a != 0.0):
        key = (cls, a)
        c = _NUMBER_CONSTS.get(key)
        if c is None:
            c = Const(a)
            if len(_NUMBER_CONSTS) < MAX_SHARED_CONSTS:
                _NUMBER_CONSTS[key] = c
        return c
    return Const(a)
