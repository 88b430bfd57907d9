"""Running an op: numeric forward, dtype promotion, symbolic term, graph node.

``apply`` is the one place where an op's result becomes a tensor; it knows
the op table's *shape* (``OpDef``) but no individual op.  Given only NumPy
arrays (as derivative rules are in the fast numeric backward pass) it is just
the op's NumPy forward.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from symgrad import dtypes as _dt
from symgrad._tensor import Tensor, _term_or_const, term_of
from symgrad.autograd.graph import accumulator
from symgrad.autograd.graph import next_seq as _next_seq
from symgrad.grad_mode import _state as _grad_state
from symgrad.ops.positions import holds_picked
from symgrad.ops.registry import OpDef, defop
from symgrad.scalar_lane import record_scalar
from symgrad.symbolic.terms import Apply, Const, Leaf, Term
from symgrad.symbolic.terms import number_const as _number_const

_PY_NUMBERS = (int, float, bool)
_NUMERIC = (np.ndarray, np.generic)
_new = object.__new__


def apply(op: OpDef, *args: Any, **params: Any) -> Any:
    """Apply ``op`` to tensors (and Python numbers); returns a new tensor.

    This is the hot path of every op, so it is written flat (measured):
    one pass over the arguments, then the result, its term and its node.
    """
    if op.fast and _grad_state.enabled:
        if op.scalar is not None:
            out = record_scalar(op, args)
            if out is not None:
                return out
        out = _record_elementwise(op, args, params)
        if out is not None:
            return out
    arrays: list[Any] = []
    terms: list[Any] = []  # each argument's term as it is now; None where one must be made (_arg_term)
    symbolic = needs_grad = has_tensor = has_array = has_float = mixed = False
    first_dtype = None
    for a in args:
        cls = a.__class__
        if cls is Tensor or isinstance(a, Tensor):
            has_tensor = True
            dt = a._value.dtype
            if first_dtype is None:
                first_dtype = dt
            elif dt is not first_dtype:
                mixed = True
            base = a._base
            if base is None:
                c = a._content
            else:
                src = a._grad_src
                if src is not False and src is not base._grad_fn:
                    _refresh_view(a)  # (sync_view, inlined: the hot path)
                c = term_of(a)
            if c is not None and not c.const:
                symbolic = True
            if a._requires_grad:
                needs_grad = True
            arrays.append(a._value)
            terms.append(c)
            continue
        terms.append(None)
        if cls is float:
            has_float = True
            arrays.append(a)
        elif cls is int or cls is bool:
            arrays.append(a)
        elif isinstance(a, _NUMERIC):
            has_array = True
            arrays.append(a)
        elif isinstance(a, _PY_NUMBERS):  # a number with an exact symbolic form (ops._sympy.Exact)
            has_float = has_float or isinstance(a, float)
            # NumPy computes a float subclass as a float64 array, not a weak Python
            # float: float32 * Exact(...) was float64 (found with gelu in float32)
            arrays.append(float(a) if isinstance(a, float) else a)
            symbolic = True
        else:
            return _apply_converted(op, args, params)
    if has_array:
        if not has_tensor:
            return op.forward(*arrays, **params)  # a derivative rule in the numeric backward pass
        return _apply_converted(op, args, params)
    if not has_tensor:
        return _apply_converted(op, args, params)

    promote = op.promote
    if promote is not None and (mixed or first_dtype.kind != "f" and (has_float or promote != "common")):  # type: ignore[union-attr]
        _promote(op, args, arrays, mixed)
    try:
        value = op.forward(*arrays, **params)
    except ValueError as e:
        raise _shape_error(op, args, e) from None
    if value.__class__ is not np.ndarray:
        value = np.asanyarray(value)  # (keeps positions chosen by values marked: ops/positions.py)

    out = _new(Tensor)
    out._value = value
    if needs_grad and op.vjp is not None and _grad_state.enabled:
        node: Any = _new(op.node_class)
        node.seq = _next_seq()
        node._sym = None
        node.op = op
        node.args = _complete_terms(terms, args)
        node.params = params
        _connect(node, op, args, value)
        out._content = node
        out._grad_fn = node
        out._requires_grad = True
    elif symbolic or params and holds_picked(params):
        # (constants selected at positions chosen by a variable's values depend on
        # that variable: the term keeps the positions, which code generation refuses)
        term = _new(Apply)
        term._sym = None
        term.op = op
        term.args = _complete_terms(terms, args)
        term.params = params
        out._content = term
    if op.view and _same_memory(value, arrays[0]):
        _make_view(out, args[0], op, params)
    if out._grad_fn is not None and out._grad_fn.out_value is not None:
        # the saved result is this tensor's memory: in-place changes to it must be detected
        out._grad_fn.out_ref = (_weakref(out), _version_of(out))
    return out


def _record_elementwise(op: OpDef, args: tuple[Any, ...], params: dict[str, Any]) -> Any:
    """``apply`` for the commonest recorded op - an elementwise op (``op.fast``)
    on one or two plain tensors (not views, not subclasses) of one shape and
    one floating dtype, at least one requiring grad, grad mode on - in 60% of
    its time: no promotion, broadcasting, conversion or view to consider, so
    the node is filled in directly.  The node, result and saved values are
    exactly those of the general path (``tests/test_record_fast_path.py``
    compares them op by op).  None, with nothing done, when the general path
    must run."""
    n = len(args)
    a = args[0]
    if n > 2 or a.__class__ is not Tensor or a._base is not None:
        return None
    va = a._value
    if va.dtype.kind != "f":
        return None
    if n == 2:
        b = args[1]
        if b.__class__ is not Tensor or b._base is not None:
            return None
        vb = b._value
        if vb.dtype is not va.dtype or vb.shape != va.shape or not (a._requires_grad or b._requires_grad):
            return None
        try:
            value = op.forward(va, vb, **params)
        except ValueError:
            return None  # the general path says what went wrong
        # a constant's Const is made and kept on it, as _term_or_const does (a gradient seed: g * y)
        ca = a._content
        if ca is None:
            ca = a._content = Const(va)
        cb = b._content
        if cb is None:
            cb = b._content = Const(vb)
        node: Any = _new(op.node_class)
        node.seq = _next_seq()
        node.args = (ca, cb)
        ea = (a._grad_fn or _edge(a)) if a._requires_grad else None
        eb = (b._grad_fn or _edge(b)) if b._requires_grad else None
        node.edges = node.args if ea is ca and eb is cb else (ea, eb)
        which: Any = op.saved_inputs  # (never None: that is for variadic ops)
        if op.saved_by_input is not None and (ea is None or eb is None):
            which = op.saved_by_input[ea is not None, eb is not None]  # what the rules that will run read
        if len(which) == 2:  # both inputs (mul, div, pow...)
            node.saved = args
            ka = a._ver if a._vroot is None else a._vroot._ver
            kb = b._ver if b._vroot is None else b._vroot._ver
            node.versions = (ka, kb) if ka or kb else _SHARED_TUPLES[0, 2]
        elif which:
            _save_plain(node, which, args)
        else:  # neither (add, sub)
            node.saved = _SHARED_TUPLES[None, 2]
            node.versions = None
    else:
        if not a._requires_grad:
            return None
        try:
            value = op.forward(va, **params)
        except ValueError:
            return None
        ca = a._content
        if ca is None:
            ca = a._content = Const(va)
        node = _new(op.node_class)
        node.seq = _next_seq()
        node.args = (ca,)
        ea = a._grad_fn or _edge(a)
        node.edges = node.args if ea is ca else (ea,)
        if op.saved_inputs:
            node.saved = a
            ka = a._ver if a._vroot is None else a._vroot._ver
            node.versions = (ka,) if ka else _SHARED_TUPLES[0, 1]
        else:
            node.saved = _SHARED_TUPLES[None, 1]
            node.versions = None
    if value.__class__ is not np.ndarray:
        value = np.asanyarray(value)  # (keeps positions chosen by values marked: ops/positions.py)
    node._sym = None
    node.op = op
    node.params = params
    node.meta = None if va.dtype is value.dtype else tuple([None if e is None else (va.shape, va.dtype)
                                                            for e in node.edges])
    out = _new(Tensor)
    out._value = value
    out._content = node
    out._grad_fn = node
    out._requires_grad = True
    if op.saves_out:
        # the saved result is this tensor's memory: in-place changes to it must be detected
        node.out_value = value
        node.out_ref = (_weakref(out), 0)
    else:
        node.out_value = node.out_ref = None
    node.pre_hooks = node.retain = None
    return out


def _edge(a: Tensor) -> Any:
    """Where a gradient for ``a`` (which requires grad) goes: its node, or its
    leaf's accumulator.  (Nodes and accumulators are always true: callers
    write ``a._grad_fn or _edge(a)``.)"""
    g: Any = a._grad_fn
    if g is None:
        g = a._grad_acc
        if g is None:
            g = accumulator(a)
    return g


def _save_plain(node: Any, which: tuple[int, ...], args: tuple[Any, ...]) -> None:
    """What ``_connect`` saves for the rules when they read some of the
    inputs (positions ``which``), for ``_record_elementwise``'s tensors."""
    n = len(args)
    node.saved = ((args[0], None) if which[0] == 0 else (None, args[1])) if n == 2 else tuple(
        [args[i] if i in which else None for i in range(n)])
    node.versions = _saved_versions(args, which, ())


def _saved_versions(args: tuple[Any, ...], which: Any, shape_only: tuple[int, ...]) -> tuple[int, ...]:
    """The version counters of the saved tensors among ``args`` (positions
    ``which``, but not ``shape_only``: their shape alone is saved), 0 elsewhere;
    the shared all-0 tuple when none has been changed in place (the usual case)."""
    n = len(args)
    versions: list[int] | None = None
    for i in which:
        a = args[i]
        if isinstance(a, Tensor) and i not in shape_only:
            owner = a._vroot
            ver = a._ver if owner is None else owner._ver
            if ver:
                if versions is None:
                    versions = [0] * n
                versions[i] = ver
    return _shared_tuple(0, n) if versions is None else tuple(versions)


def _apply_converted(op: OpDef, args: tuple[Any, ...], params: dict[str, Any]) -> Any:
    """Arguments that are not yet tensors (lists, NumPy arrays next to tensors)
    become constant tensors; anything else is a clear error."""
    from symgrad.creation import as_tensor

    converted = []
    for i, a in enumerate(args):
        if isinstance(a, np.generic):
            # A NumPy scalar is a Python number to PyTorch (the tensor's dtype
            # wins).  np.float64 also passes for a float below, and apply()
            # would send it back here: it must become a plain float.
            a = a.item()
        if isinstance(a, (Tensor, int, float, bool)):
            converted.append(a)
            continue
        try:
            converted.append(as_tensor(a))
        except TypeError:
            raise TypeError(f"{op.name}(): argument {i + 1} must be a Tensor or a number, "
                            f"not {type(a).__name__}") from None
    if not any(isinstance(a, Tensor) for a in converted):
        converted = [as_tensor(a) for a in converted]  # numbers only: 0-d tensors, or apply() sends them back here
    return apply(op, *converted, **params)


def inplace(self: Tensor, fn: Any, *args: Any, **kwargs: Any) -> Tensor:
    """``self.op_(...)``: compute ``fn(self, ...)`` out of place, write it into
    self's memory, and rebind self's history (graph node and term) to it."""
    if not isinstance(self, Tensor):
        raise TypeError(f"in-place ops need a Tensor, got {type(self).__name__}")
    recording = _grad_state.enabled
    if recording:
        _check_inplace_allowed(self, args)
    src = _snapshot(self) if recording and _any_requires_grad(self, args) else self
    r = fn(src, *args, **kwargs)
    if not isinstance(r, Tensor):  # pragma: no cover - every op returns a tensor for tensor input
        raise TypeError("in-place op produced no tensor")
    if src is not self and src._requires_grad and r._grad_fn is None:
        # The new values have no history of their own (fill_, zero_, copy_ of a
        # constant or of a leaf): as in PyTorch, the tensor still requires grad,
        # what it held before gets a zero gradient, and a leaf copied in gets
        # the gradient.  Keeping the old node sent gradients through values
        # that are gone (found while testing fill_'s fast path).
        r = apply(_OVERWRITTEN, src, r)
    _check_writable(self, r)
    self._before_write()
    np.copyto(self._value, r._value, casting="unsafe")
    self._bump_version()
    if r._grad_fn is not None:
        _move_retain(self, self._grad_fn, r._grad_fn)
        self._grad_fn = r._grad_fn
        self._requires_grad = True
    if not isinstance(term_of(self), Leaf):  # a leaf symbol keeps standing for the leaf
        self._set_term(term_of(r))
    return self


def inplace_view(self: Tensor, name: str, fn: Any, *args: Any) -> Tensor:
    """``self.unsqueeze_(...)``, ``squeeze_``, ``t_``, ``transpose_``: the view
    ``fn(self, ...)`` made out of place, then ``self`` becomes it (same memory,
    new shape and history; version bumped, as PyTorch's, so a graph that
    saved the old layout refuses to run).  A view keeps its base and gains
    one step; a base tensor's own views would see the new layout, so a base
    that has views is refused."""
    if not isinstance(self, Tensor):
        raise TypeError(f"{name}() needs a Tensor, got {type(self).__name__}")
    base = self._base
    if _grad_state.enabled:
        # (PyTorch's checks; the values do not change, so a view of a non-leaf may, as in PyTorch)
        if self._requires_grad and self._grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation. "
                               f"Use the out-of-place op: w.{name[:-1]}(...)")
        if base is not None and base._requires_grad and base._grad_fn is None and self._view:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place "
                               f"operation. Use the out-of-place op: v.{name[:-1]}(...)")
    elif self._requires_grad:
        raise RuntimeError(f"{name}() under no_grad on a tensor that requires grad is not supported: its "
                           "history (or, for a leaf, its symbol) would keep the old shape; call it with grad "
                           f"mode on, or make a new tensor: y = x.{name[:-1]}(...)")
    if base is None and self._viewed:
        raise RuntimeError(f"{name}() on a tensor that has views (indexing, view(), detach(), .data...) is not "
                           "supported: symgrad's views follow their base's layout; use the out-of-place op "
                           f"(x = x.{name[:-1]}(...)) or call it on a clone()")
    v = fn(self, *args)
    if v is self:  # t_() of a 1-d tensor, transpose_(d, d): nothing moves
        return self
    if v._base is not (base if base is not None else self):  # pragma: no cover - these ops always view
        raise RuntimeError(f"{name}(): the result is not a view of the tensor's memory")
    self._viewed = False  # (v, its only view, is about to become self)
    term = term_of(v)
    if self._base is not None:  # one more step from the same base
        self._view, self._view_src, self._grad_src = v._view, v._view_src, v._grad_src
    self._value = v._value
    self._content = None if term is not None and term.const else term
    if v._grad_fn is not None:
        _move_retain(self, self._grad_fn, v._grad_fn)
        self._grad_fn = v._grad_fn
    self._bump_version()
    return self


def fill_number(t: Tensor, value: Any) -> bool:
    """``t.fill_(value)`` for a Python number when the fill records nothing
    (grad mode off, or ``t`` does not require grad) and ``t`` is floating:
    the numbers written and the term made constant, as ``inplace`` does, but
    without its three ops (``zero_`` took 9 us, PyTorch's 0.9 us).  False,
    with nothing done, when the general path must run."""
    if value.__class__ not in (int, float, bool) or t._value.dtype.kind != "f":
        return False
    if _grad_state.enabled:
        if t._requires_grad:
            return False  # recorded (FillBackward), or refused for a leaf: inplace says which
        if t._base is not None:
            _check_inplace_allowed(t, ())  # (without a base, a tensor that does not require grad may)
    if t._base is not None and t._grad_fn is not None:
        return False  # a view with a history: inplace refreshes it first
    v = t._value
    if not v.flags.writeable:
        raise RuntimeError(_READ_ONLY)
    base = t._base
    if base is not None and not t._view and t._vroot is None:
        _fill_alias(t, base, v, value)
        return True
    t._before_write()
    v.fill(value)
    t._bump_version()
    if not isinstance(term_of(t), Leaf):  # a leaf symbol keeps standing for the leaf
        t._set_term(None)
    return True


def _fill_alias(t: Tensor, base: Tensor, v: np.ndarray, value: Any) -> None:
    """``fill_number`` of an alias (``.data``: its base's memory, no view
    step, a version of its own): the seed's ``x.grad.data.zero_()``.  What
    the general steps do, written out (they took 27 thousand instructions):
    constants reading the memory frozen, the numbers written, the version
    moved, and the base's term made the alias's new constant (or nothing
    symbolic, if the base held numbers only)."""
    c = t._content
    if c.__class__ is Const:
        c.freeze()
    bt = base._content
    if bt.__class__ is Const:
        bt.freeze()
    v.fill(value)
    t._ver += 1
    if (c if t._view_src is bt else bt).__class__ is Leaf:  # (term_of(t)) a leaf symbol keeps standing for the leaf
        return
    if bt is None or bt.const:
        base._content = t._content = t._view_src = None  # still all numbers
        return
    new = Const(v.copy())
    base._content = t._content = t._view_src = new


def binary_in_place(t: Any, op: OpDef, other: Any) -> bool:
    """``t.op_(other)`` (``add_``, ``mul_``...) when the write records nothing
    and needs no promotion, broadcasting or view bookkeeping: two plain
    floating tensors of one shape and dtype, neither requiring grad while
    grad mode is on.  The numbers, version and term end as ``inplace`` leaves
    them, without its three ops (accumulating a ``.grad`` took 11 us that
    way).  False, with nothing done, when ``inplace`` must run.

    >>> import symgrad
    >>> from symgrad.ops import TABLE
    >>> t = symgrad.tensor([1., 2.])
    >>> binary_in_place(t, TABLE["add"], symgrad.tensor([10., 10.])), t
    (True, tensor([11., 12.]))
    """
    if t.__class__ is not Tensor or other.__class__ is not Tensor or t._base is not None \
            or other._base is not None:
        return False
    if _grad_state.enabled and (t._requires_grad or other._requires_grad):
        return False  # recorded, or refused for a leaf: inplace says which
    # (a history of t's own is kept under no_grad, as inplace keeps it: only the version moves)
    if other._scalar is not None:  # a number of the scalar lane (an accumulated .grad): no arrays
        return _scalar_in_place(t, op, other)
    v, w = t._value, other._value
    if v.dtype is not w.dtype or v.dtype.kind != "f" or v.shape != w.shape or not v.flags.writeable:
        return False
    a, b = t._content, other._content
    keep_leaf = a.__class__ is Leaf  # a leaf symbol keeps standing for the leaf
    term = None
    if (a is not None and not a.const) or (b is not None and not b.const):
        term = _new(Apply)
        term._sym = None
        term.op = op
        term.args = (_arg_term(t), _arg_term(other))  # t's constant, if any, is frozen below
        term.params = {}
    t._before_write()
    forward = op.forward
    if forward.__class__ is np.ufunc:
        forward(v, w, out=v)  # the same numbers as out of place (and copying back costs as much as the op)
    else:
        np.copyto(v, forward(v, w))
    t._bump_version()
    if not keep_leaf:
        t._set_term(term)
    return True


_F64 = np.dtype(np.float64)
_F32 = np.dtype(np.float32)


def _scalar_in_place(t: Any, op: OpDef, other: Any) -> bool:
    """``binary_in_place`` of a 0-d tensor and a number of the scalar lane
    (``other._scalar``, a float or NumPy float32) of the same type: the
    number written by ``op.scalar`` (IEEE's ``+ - *``, NumPy's numbers) into
    ``t``'s float, or into its 0-d array, without making arrays (accumulating
    a gradient into an existing ``.grad`` spent half its time making and
    checking them).  False, with nothing done, for anything else, and where
    Python's arithmetic would give inf or nan silently (NumPy warns)."""
    b = other._scalar
    a = t._scalar
    if a is None:
        v = t._value
        if v.shape or not v.flags.writeable:
            return False
        dt = v.dtype
        if dt is _F64 and b.__class__ is float:
            a = v.item()
        elif dt is _F32 and b.__class__ is np.float32:
            a = v[()]
        else:
            return False
    elif a.__class__ is not b.__class__:
        return False
    scalar = op.scalar
    if scalar is None:
        return False
    value = scalar(a, b)
    if value.__class__ is float and not -_INF < value < _INF:
        return False  # inf or nan: NumPy's warning (or silence) is the general path's to give
    c, d = t._content, other._content
    term = None
    if (c is not None and not c.const) or (d is not None and not d.const):
        term = _new(Apply)
        term._sym = None
        term.op = op
        if c is None:
            c = _arg_term(t)  # (a constant's term, made now, reads t's array: made from its float)
        term.args = (c, d if d is not None else _arg_term(other))  # t's constant, if any, is frozen below
        term.params = _NO_PARAMS
    if c.__class__ is Const:
        c.freeze()
    if t._scalar is not None:
        t._scalar = value  # (no array was made: nothing else can hold the old number)
    else:
        t._value[()] = value
    root = t._vroot  # (t._bump_version() and t._set_term(term) of a tensor that is not a view, written out)
    if root is None:
        t._ver += 1
    else:
        root._ver += 1
    if c.__class__ is not Leaf:  # a leaf symbol keeps standing for the leaf
        t._content = term
    return True


_NO_PARAMS: dict[str, Any] = {}  # (no term's params are ever written to: one shared empty dict)


_INF = float("inf")


def plain_numbers(t: Tensor) -> np.ndarray | None:
    """``t``'s array when an update outside autograd may just write numbers
    into it: not a view, no history, writable, and its term a leaf symbol
    (which keeps standing for the leaf) or plain numbers.  None otherwise:
    then the general in-place path (``inplace``) must run.  Optimizers use
    this for their updates, which would otherwise build (and throw away) a
    term per step."""
    if t._base is not None or t._grad_fn is not None:
        return None
    c = t._content
    if c is not None and not c.const and c.__class__ is not Leaf:
        return None
    v = t._value
    return v if v.flags.writeable else None


def write_numbers(t: Tensor, value: Any) -> None:
    """Write ``value`` into the memory of ``t`` (one that ``plain_numbers``
    accepted), under ``no_grad``: as ``t.copy_(value)`` would, minus the term."""
    if _grad_state.enabled:
        raise RuntimeError("write_numbers() is an update outside autograd: call it under symgrad.no_grad()")
    t._before_write()
    np.copyto(t._value, value, casting="same_kind")
    t._bump_version()
    if t._content is not None and t._content.__class__ is not Leaf:
        t._content = None  # numbers only now (a frozen constant would keep the old ones)


# ---------------------------------------------------------------- helpers

def _complete_terms(terms: list[Any], args: tuple[Any, ...]) -> tuple[Term, ...]:
    """The arguments' terms, as ``_arg_term`` gives them, from those ``apply``
    already read (a constant gets its ``Const`` here).  A loop, not a
    comprehension: on Python 3.11 a comprehension is a function call, and
    this runs for every recorded op (measured)."""
    i = 0
    for c in terms:
        if c is None:
            terms[i] = _arg_term(args[i])
        i += 1
    return tuple(terms)


def _arg_term(a: Any) -> Term:
    if isinstance(a, Tensor):
        if a._base is None:
            c = a._content
            if c is not None:
                return c
        return _term_or_const(a)
    return _number_const(a)



def _connect(node: Any, op: OpDef, args: tuple[Any, ...], value: np.ndarray) -> None:
    """The node's edges to its inputs' nodes, and what its rules need saved."""
    edges: list[Any] = []
    refit = False  # might a gradient need summing back (broadcast) or casting? only then keep shapes
    shape, dtype = value.shape, value.dtype
    tensors, lone = 0, None
    for a in args:
        if isinstance(a, Tensor):
            tensors += 1
            lone = a
            if a._requires_grad:
                g: Any = a._grad_fn
                if g is None:
                    g = a._grad_acc
                    if g is None:
                        g = accumulator(a)
                edges.append(g)
                if not refit:
                    v = a._value
                    refit = v.shape != shape or v.dtype is not dtype
                continue
            # a wider constant (float32 * a 0-d float64 tensor is float32, as in PyTorch) makes
            # NumPy's gradient rules (g * y) wider: the gradients must be cast back
            refit = refit or a._value.dtype is not dtype
        edges.append(None)
    terms = node.args
    # An op on results of other ops (f + g) has each input's node as both its
    # term and its edge: the two tuples are then one (one object fewer for
    # the cyclic collector to scan, per such node of the graph)
    if len(edges) == 2:
        same = edges[0] is terms[0] and edges[1] is terms[1]
    else:
        same = all([e is t for e, t in zip(edges, terms)])
    node.edges = terms if same else tuple(edges)
    node.meta = tuple([None if e is None else (a._value.shape, a._value.dtype)
                       for e, a in zip(edges, args)]) if refit else None
    which = op.saved_inputs
    n = len(args)
    by_input = op.saved_by_input
    if by_input is not None and None in edges:
        # only what the rules that will run read (x * 3: nothing of x)
        which = by_input[(edges[0] is not None, edges[1] is not None) if n == 2 else
                         tuple([e is not None for e in edges])]
    if which is None:  # variadic: every input
        node.saved = args
        node.versions = tuple([_version_of(a) for a in args])
    elif which:
        shape_only = op.shape_only
        if shape_only:
            node.saved = tuple([None if i not in which else _ShapeOf(args[i]) if i in shape_only else args[i]
                                for i in range(n)])
        elif len(which) == n:
            # One tensor among Python numbers (x ** 2, 100 * x) is saved alone:
            # the numbers are the values of the node's terms (Consts) and the
            # tensor is the input with an edge, so the engine rebuilds the
            # tuple (``engine.saved_inputs``) - one object fewer per such node
            # for the cyclic collector to scan while the graph lives.
            node.saved = lone if tensors == 1 else args
        elif n == 2:
            node.saved = (args[0], None) if which[0] == 0 else (None, args[1])
        else:
            node.saved = tuple([args[i] if i in which else None for i in range(n)])
        node.versions = _saved_versions(args, which, shape_only)
    else:
        node.saved = _shared_tuple(None, n)
        node.versions = None
    node.out_value = value if "out" in op.uses else None
    node.out_ref = None
    node.pre_hooks = None
    node.retain = None


class _ShapeOf:
    """Saved in place of an input that the rules read only as ``x.shape`` (a
    view's input): holding the tensor would make a later in-place change of
    it a false version error (``y[0] = y[1] * 3``) and keep its memory alive."""

    __slots__ = ("shape",)

    def __init__(self, a: Any) -> None:
        self.shape = tuple(a.shape) if isinstance(a, Tensor) else np.shape(a)


# Saved inputs and their versions are mostly all-None or all-0 tuples of two:
# these nodes share one (tuples are immutable; ``saved`` is replaced, never
# changed, when freed), rather than each holding one more object.
_SHARED_TUPLES = {(x, n): (x,) * n for x in (None, 0) for n in range(5)}


def _shared_tuple(x: Any, n: int) -> tuple[Any, ...]:
    found = _SHARED_TUPLES.get((x, n))
    return found if found is not None else (x,) * n


def _version_of(a: Any) -> int:
    if isinstance(a, Tensor):
        return (a._vroot if a._vroot is not None else a)._ver
    return 0


def _promote(op: OpDef, args: tuple[Any, ...], arrays: list[Any], mixed: bool = False) -> None:
    """Cast arrays to the op's result dtype (PyTorch's result_type rules);
    ``mixed``: the tensors are known to differ in dtype."""
    if op.promote == "keep":
        return  # integer dtypes are the result's (abs, floor... of ints stay ints)
    if op.promote == "float":
        for i, a in enumerate(arrays):
            if isinstance(a, np.ndarray) and a.dtype.kind not in "fc":
                arrays[i] = a.astype(_dt.get_default_dtype().numpy)
        return
    if not mixed and _uniform(op, arrays):
        return
    target = _target_dtype(op.promote, tuple([_promotion_key(a) for a in args]), _dt.get_default_dtype())
    for i, a in enumerate(arrays):
        if isinstance(a, np.ndarray) and a.dtype is not target and a.dtype != target:
            arrays[i] = a.astype(target)


def promoted(op: OpDef, values: list[Any]) -> list[Any]:
    """``values`` (``op``'s arguments as arrays, NumPy scalars and numbers)
    cast as ``apply`` casts tensors' arrays before the forward: PyTorch's
    promotion, not NumPy's (float32 over an int64 array stays float32).  For
    replaying a graph on arrays (code generation) with the engine's dtypes.

    >>> import numpy as np
    >>> from symgrad.ops import TABLE
    >>> [a.dtype for a in promoted(TABLE["div"], [np.ones(2, np.float32), np.arange(1, 3)])]
    [dtype('float32'), dtype('float32')]
    """
    if op.promote is None:
        return values
    first = None
    mixed = has_float = False
    for v in values:  # (a loop, not comprehensions: code generation replays every node through here)
        if isinstance(v, (np.ndarray, np.generic)):
            if first is None:
                first = v.dtype
            elif v.dtype != first:
                mixed = True
        elif isinstance(v, float):
            has_float = True
    if first is None or not (mixed or first.kind != "f" and (has_float or op.promote != "common")):
        return values
    arrays = [np.asarray(v) if isinstance(v, np.generic) else v for v in values]
    args = tuple(Tensor._make(a) if isinstance(a, np.ndarray) else a for a in arrays)
    _promote(op, args, arrays, mixed)
    return arrays


def _uniform(op: OpDef, arrays: list[Any]) -> bool:
    """Do the arrays already have the result's dtype (one floating dtype, or
    integers with nothing to widen them)?"""
    first = None
    uniform = True
    for a in arrays:
        if isinstance(a, np.ndarray):
            if first is None:
                first = a.dtype
            elif a.dtype != first:
                uniform = False
                break
        elif isinstance(a, float) and first is not None and first.kind != "f":
            uniform = False
            break
    return uniform and first is not None and (first.kind == "f" or (op.promote == "common" and not any(
        isinstance(a, float) for a in arrays)))


def _promotion_key(a: Any) -> Any:
    """What result_type needs to know of an argument: dtype and 0-d-ness, or the number's type."""
    if isinstance(a, Tensor):
        v = a._value
        return v.dtype, v.ndim == 0
    return bool if isinstance(a, bool) else int if isinstance(a, int) else float


@functools.lru_cache(maxsize=1024)
def _target_dtype(mode: str, keys: tuple[Any, ...], default: Any) -> np.dtype:
    # result_type's rules on stand-ins: the answer depends only on the keys (cached: mixed dtypes
    # recur in every step of a training loop, e.g. float32 data meeting float64 parameters)
    stand_ins = [np.zeros((1,) if not k[1] else (), k[0]) if isinstance(k, tuple) else k(1) for k in keys]
    target = _dt.result_type(*[Tensor._make(a) if isinstance(a, np.ndarray) else a for a in stand_ins])
    if mode == "divide" and not target.is_floating_point:
        target = default
    return target.numpy


def _shape_error(op: OpDef, args: tuple[Any, ...], e: ValueError) -> Exception:
    shapes = [tuple(a.shape) for a in args if isinstance(a, Tensor)]
    msg = str(e)
    if "broadcast" in msg and len(shapes) >= 2:
        return RuntimeError(_broadcast_message(shapes) + f" (in {op.name})")
    return RuntimeError(f"{op.name}(): {msg} (input shapes {shapes})")


def _broadcast_message(shapes: list[tuple[int, ...]]) -> str:
    a, b = shapes[0], shapes[1]
    for i in range(1, max(len(a), len(b)) + 1):
        da = a[-i] if i <= len(a) else 1
        db = b[-i] if i <= len(b) else 1
        if da != db and da != 1 and db != 1:
            dim = max(len(a), len(b)) - i
            return (f"The size of tensor a ({da}) must match the size of tensor b ({db}) at non-singleton "
                    f"dimension {dim}: shapes {list(a)} and {list(b)} do not broadcast; reshape or "
                    "unsqueeze one of them")
    return f"shapes {[list(s) for s in shapes]} do not broadcast"


def _same_memory(out: np.ndarray, src: np.ndarray) -> bool:
    # NumPy points every view's .base at the array that owns the memory
    base = out.base
    return base is not None and (base is src or base is src.base)


def _make_view(out: Tensor, src: Tensor, op: OpDef, params: dict[str, Any]) -> None:
    root = src._base if src._base is not None else src
    chain = ((src._view or ()) if src._base is not None else ()) + ((op, params),)
    out._base = root
    root._viewed = True  # (in-place view ops refuse a base whose views would see its layout change)
    out._view = chain
    out._vroot = src._vroot if src._vroot is not None else src
    out._view_src = root._content
    if _grad_state.enabled:  # (a view made under no_grad stays outside the graph, whatever its base does)
        out._grad_src = root._grad_fn


def _refresh_view(v: Tensor) -> None:
    """The base of a view got a new history by an in-place op: replay the view
    ops on the base so the view's history includes the change (as PyTorch does),
    whatever the grad mode of the op that reads the view."""
    base = v._base
    assert base is not None and v._view is not None
    prev, _grad_state.enabled = _grad_state.enabled, True
    try:
        c = base
        for op, params in v._view:
            c = apply(op, c, **params)
    finally:
        _grad_state.enabled = prev
    _move_retain(v, v._grad_fn, c._grad_fn)
    v._grad_fn = c._grad_fn
    v._requires_grad = c._requires_grad
    v._content = c._content
    v._view_src = base._content
    v._grad_src = base._grad_fn


def _move_retain(t: Tensor, old: Any, new: Any) -> None:
    """``t`` retains its grad and gets a new history: the new node fills
    ``t.grad`` (PyTorch's: the gradient of the new values), the old one no
    longer does (else both would add into it)."""
    if t._retains_grad:
        if old is not None:
            old.retain = None
        if new is not None:
            new.retain = _weakref(t)


def _any_requires_grad(self: Tensor, args: tuple[Any, ...]) -> bool:
    return self._requires_grad or any(isinstance(a, Tensor) and a._requires_grad for a in args)


def _snapshot(t: Tensor) -> Tensor:
    """The tensor as it is now, for a rule that needs it after an in-place write."""
    s = Tensor._make(t._value.copy(), term_of(t))
    s._grad_fn = t._grad_fn
    s._requires_grad = t._requires_grad
    s._grad_acc = t._grad_acc
    return s


def _check_inplace_allowed(self: Tensor, args: tuple[Any, ...]) -> None:
    if self._requires_grad and self._grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation. "
                           "Wrap the update in `with symgrad.no_grad():` (as optimizers do) or use an "
                           "out-of-place op")
    base = self._base
    if base is None:
        return
    if base._requires_grad and base._grad_fn is None and self._view:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place "
                           "operation. Wrap the update in `with symgrad.no_grad():` or clone() the view")
    if self._view and _any_requires_grad(self, args):
        raise RuntimeError("symgrad does not record in-place operations on views of tensors that require "
                           "grad; use an out-of-place op (y = y + 1) or clone() the view first")


def _check_writable(self: Tensor, r: Tensor) -> None:
    if r._value.shape != self._value.shape:
        raise RuntimeError(f"output with shape {list(self._value.shape)} doesn't match the broadcast shape "
                           f"{list(r._value.shape)}: an in-place op cannot change a tensor's shape; use the "
                           "out-of-place op instead")
    have, want = r._value.dtype, self._value.dtype
    if _kind_rank(have) > _kind_rank(want):
        raise RuntimeError(f"result type {_dt.from_numpy_dtype(have)} can't be cast to the desired output "
                           f"type {_dt.from_numpy_dtype(want)}; convert the tensor first (e.g. .double())")
    if not self._value.flags.writeable:
        raise RuntimeError(_READ_ONLY)


_READ_ONLY = ("this tensor's memory is read-only (it is an expanded view); clone() it before modifying it "
              "in place")


def _kind_rank(d: np.dtype) -> int:
    return {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}[d.kind]


def _weakref(t: Tensor) -> Any:
    import weakref

    return weakref.ref(t)


# ---------------------------------------------------------------- view writes

def _scatter_forward(base: np.ndarray, new: np.ndarray, chain: tuple[Any, ...]) -> np.ndarray:
    out = base.copy()
    view = out
    for op, params in chain:
        view = op.forward(view, **params)
    view[...] = new
    return out


_SCATTER_VIEW = defop("_scatter_view", _scatter_forward, None, inputs=("base", "new"), params=("chain",))


def _zeros_like(g: Any) -> Any:
    """Zeros of ``g``'s shape and dtype, as an array (numeric pass) or a constant tensor."""
    if isinstance(g, Tensor):
        return Tensor._make(np.zeros_like(g._value))
    return np.zeros_like(g)


# ``old`` overwritten by ``new`` (which requires no grad): the value and closed
# form are ``new``'s, ``old`` gets a zero gradient (PyTorch's FillBackward).
_OVERWRITTEN = defop("_overwritten", lambda old, new: new, lambda old, new: new, inputs=("old", "new"),
                     elementwise=True, backward_name="FillBackward0",
                     vjp=(lambda g, out, old, new: _zeros_like(g), lambda g, out, old, new: g))


def overwritten(old: Tensor, new: Tensor) -> Tensor:
    """``new``, recorded as overwriting ``old`` when ``old`` requires grad."""
    if old._requires_grad and _grad_state.enabled:
        return apply(_OVERWRITTEN, old, new)
    return new


def scatter_view_term(base_term: Term, chain: tuple[Any, ...], new_term: Term) -> Term:
    """The base's term after ``new_term`` was written through the view ``chain``."""
    if not chain:
        return new_term
    return Apply(_SCATTER_VIEW, (base_term, new_term), {"chain": chain})
