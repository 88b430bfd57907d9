"""The scalar lane: 0-d float64 and float32 ops recorded on Python scalars.

A program of scalars (``y = exp(sin(y * b + c))`` a thousand times) spends
most of its time around NumPy, not in it: a ufunc on 0-d arrays costs 0.25 µs
and wrapping its NumPy scalar back into an array 0.1 µs, where ``math.sin``
on a float costs 0.03 µs.  So an op with a ``scalar`` forward in the op table
(``math.sin``, ``operator.mul``), applied to 0-d float64 tensors with
something requiring grad, computes its value as a Python float and records
its node here, without NumPy; for float32 the value is a NumPy float32
scalar (its arithmetic is float32's, correctly rounded; ``math``'s
functions are rounded to float32 from float64).

The scalar lives in the tensor's ``_scalar``; its ``_value`` (the 0-d array
everything else reads) is made from it on first use (``_tensor._ArrayOfScalar``),
which also clears ``_scalar``.  So a tensor's scalar is only ever read while
it has no array that an in-place op, ``.numpy()`` or ``.data`` could have
changed.  The node records exactly what ``apply``'s general path records
(terms, edges, saved tensors, versions), except that its saved result
(``out_value``) is the scalar; ``tests/test_scalar_lane.py`` compares the two.

``out.backward()`` of a graph of such nodes runs their rules on scalars too
(``autograd.loss_pass``; ``grad_mode._state.numeric`` tells an op function
that a float is a rule's operand, not a user's number to make a tensor of).

Values: ``+ - * /`` are IEEE operations, identical to NumPy's.  ``math``'s
transcendental functions and NumPy's (SIMD) ones are both accurate to about
an ulp, but not always the same ulp: ``exp`` of a 0-d tensor may differ from
``exp`` of a 1-element 1-d tensor in the last bit, as PyTorch's scalar and
vectorised kernels do.  Where ``math`` raises (``log(0)``, ``exp(1000)``,
``1 / 0``), a float32 result would overflow, or Python's arithmetic gives
inf or nan (``1e308 * 10``, ``inf - inf``: silently, where NumPy warns), the
op runs on NumPy instead, which gives -inf, inf or nan (and its warnings) as
it always does.  (float32's ``+ - * /`` are NumPy scalars' own: they warn,
with NumPy's words for scalars, "overflow encountered in scalar multiply".)
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from symgrad._tensor import Tensor
from symgrad.autograd.graph import accumulator
from symgrad.autograd.graph import next_seq as _next_seq
from symgrad.grad_mode import _state as _grad_state
from symgrad.ops.registry import OpDef
from symgrad.symbolic.terms import Const, number_const

_new = object.__new__
_F64 = np.dtype(np.float64)
_F32 = np.dtype(np.float32)
_F32_SCALAR = np.float32
_F32_MAX = float(np.finfo(np.float32).max)
_INF = float("inf")
_NDARRAY = np.ndarray
_NONES_1, _NONES_2 = (None,), (None, None)
_ZEROS_1, _ZEROS_2 = (0,), (0, 0)
# The lane's ops take no params: every node shares this empty dict (nothing
# writes to a node's params; one dict fewer per op for the cyclic collector)
_NO_PARAMS: dict[str, Any] = {}


def record_scalar(op: OpDef, args: tuple[Any, ...]) -> Any:
    """``apply(op, *args)`` on the lane (grad mode on), or None (nothing done)."""
    if len(args) == 2:
        return binary(op, args[0], args[1])
    return unary(op, args[0]) if len(args) == 1 else None


def unary(op: OpDef, a: Any) -> Any:
    """``op(a)`` on the lane, or None (nothing done) when grad mode is off,
    ``a`` is not a 0-d float64 or float32 plain tensor that requires grad, or
    ``op.scalar`` raised (``math.log(0)``).  Flat, as ``binary``."""
    if a.__class__ is not Tensor or not a._requires_grad or not _grad_state.enabled:
        return None
    sa = a._scalar
    if sa is None:
        if a._base is not None:
            return None
        va = a._value
        if va.__class__ is not _NDARRAY or va.shape:
            return None
        dt = va.dtype
        if dt is _F64:
            sa = va.item()
        elif dt is _F32:
            sa = va[()]
        else:
            return None
    try:
        value = op.scalar(sa)  # type: ignore[misc]
    except (ArithmeticError, ValueError):
        return None
    if sa.__class__ is _F32_SCALAR:  # (math gave a float64: round it, unless it would overflow
        if not -_F32_MAX <= value <= _F32_MAX and value == value and abs(value) != _INF:  # - NumPy warns then)
            return None
        value = _F32_SCALAR(value)
    node: Any = _new(op.node_class)
    node.seq = _next_seq()
    node._sym = None
    node.op = op
    ta = a._content
    if ta is None:
        ta = _term(a)
    node.args = (ta,)
    ea: Any = a._grad_fn
    if ea is None:
        ea = a._grad_acc or accumulator(a)
    node.edges = node.args if ea is ta else (ea,)
    if op.saved_inputs:
        node.saved = a
        ka = a._ver if a._vroot is None else a._vroot._ver
        node.versions = (ka,) if ka else _ZEROS_1
    else:
        node.saved = _NONES_1
        node.versions = None
    # (the rest as binary's)
    node.params = _NO_PARAMS
    node.meta = node.pre_hooks = node.retain = None
    out = _new(Tensor)
    out._scalar = value
    out._vroot = out._base = None  # (read by every version check and op: an instance's own is read at
    out._ver = 0                   # once, a class default is not: measured)
    out._content = out._grad_fn = node
    out._requires_grad = True
    if op.saves_out:
        node.out_value = value
        node.out_ref = (_weakref(out), 0)
    else:
        node.out_value = node.out_ref = None
    return out


def binary(op: OpDef, a: Any, b: Any) -> Any:
    """``op(a, b)`` on the lane, or None (nothing done) when grad mode is
    off, an argument is not a 0-d float64 or float32 plain tensor or a Python float or
    int, nothing requires grad, ``op.scalar`` raised (``1 / 0``) or gave a
    float inf or nan (NumPy's warnings are then NumPy's to give).  Written
    flat, without comprehensions or helper calls: it is the whole cost of a
    scalar op (measured: each call or comprehension was 5-15% of it)."""
    if a.__class__ is Tensor:
        if not _grad_state.enabled:
            return None
        sa = a._scalar
        if sa is None:
            if a._base is not None:
                return None
            va = a._value
            if va.__class__ is not _NDARRAY or va.shape:
                return None
            dt = va.dtype
            if dt is _F64:
                sa = va.item()
            elif dt is _F32:
                sa = va[()]
            else:
                return None
        ra = a._requires_grad
    elif a.__class__ is float or a.__class__ is int:
        if b.__class__ is not Tensor or not _grad_state.enabled:
            return None
        sa, ra = a, False
    else:
        return None
    if b.__class__ is Tensor:
        sb = b._scalar
        if sb is None:
            if b._base is not None:
                return None
            vb = b._value
            if vb.__class__ is not _NDARRAY or vb.shape:
                return None
            dt = vb.dtype
            if dt is _F64:
                sb = vb.item()
            elif dt is _F32:
                sb = vb[()]
            else:
                return None
        rb = b._requires_grad
        if sa.__class__ is not sb.__class__ and a.__class__ is Tensor:
            return None  # float64 and float32: promotion is the general path's
    elif b.__class__ is float or b.__class__ is int:
        sb, rb = b, False
    else:
        return None
    if not (ra or rb):
        return None
    try:
        value = op.scalar(sa, sb)  # type: ignore[misc]
    except (ArithmeticError, ValueError):
        return None
    if value.__class__ is float and not -_INF < value < _INF:
        return None  # inf or nan: Python's are silent where NumPy warns (1e308 * 10, inf - inf): NumPy's

    node: Any = _new(op.node_class)
    node.seq = _next_seq()
    node._sym = None
    node.op = op
    ta = a._content if a.__class__ is Tensor else number_const(a)
    if ta is None:
        ta = _term(a)
    tb = b._content if b.__class__ is Tensor else number_const(b)
    if tb is None:
        tb = _term(b)
    node.args = (ta, tb)
    # (nodes are never falsy: an input's node, else its leaf's AccumulateGrad, made on first use)
    ea: Any = (a._grad_fn or a._grad_acc or accumulator(a)) if ra else None
    eb: Any = (b._grad_fn or b._grad_acc or accumulator(b)) if rb else None
    node.edges = node.args if ea is ta and eb is tb else (ea, eb)
    which = op.saved_inputs
    if op.saved_by_input is not None and (ea is None or eb is None):
        which = op.saved_by_input[ea is not None, eb is not None]  # what the rules that will run read
    if not which:  # (add, sub)
        node.saved = _NONES_2
        node.versions = None
    else:
        ka = kb = 0
        if len(which) == 2:  # (div, mul by both): a tensor among numbers is saved alone, as dispatch saves it
            if a.__class__ is b.__class__:
                node.saved = (a, b)
                ka = a._ver if a._vroot is None else a._vroot._ver  # type: ignore[union-attr]
                kb = b._ver if b._vroot is None else b._vroot._ver  # type: ignore[union-attr]
            elif a.__class__ is Tensor:
                node.saved = a
                ka = a._ver if a._vroot is None else a._vroot._ver
            else:
                node.saved = b
                kb = b._ver if b._vroot is None else b._vroot._ver
        elif which[0] == 0:
            node.saved = (a, None)
            if a.__class__ is Tensor:
                ka = a._ver if a._vroot is None else a._vroot._ver
        else:
            node.saved = (None, b)
            if b.__class__ is Tensor:
                kb = b._ver if b._vroot is None else b._vroot._ver
        node.versions = (ka, kb) if ka or kb else _ZEROS_2
    node.params = _NO_PARAMS
    node.meta = node.pre_hooks = node.retain = None  # (meta: float64 in and out, nothing to sum back or cast)
    out = _new(Tensor)
    out._scalar = value
    out._vroot = out._base = None  # (read by every version check and op: an instance's own is read at
    out._ver = 0                   # once, a class default is not: measured)
    out._content = out._grad_fn = node
    out._requires_grad = True
    if op.saves_out:
        node.out_value = value
        node.out_ref = (_weakref(out), 0)
    else:
        node.out_value = node.out_ref = None
    return out


def _term(a: Any) -> Any:
    if a.__class__ is Tensor:
        c = a._content
        if c is None:
            c = a._content = Const(a._value)  # kept on the constant, as dispatch does
        return c
    return number_const(a)


_weakref = weakref.ref


def on_float(op: OpDef, x: Any) -> Any:
    """``op`` on a scalar operand of a rule in the numeric backward pass (a
    float, or a NumPy float32 scalar): a scalar of its type, or NumPy's
    answer where ``math`` raises (inf, nan) or a float32 would overflow."""
    scalar = op.scalar
    if scalar is not None:
        try:
            value = scalar(x)
        except (ArithmeticError, ValueError):
            pass
        else:
            if x.__class__ is not _F32_SCALAR:
                return value
            if -_F32_MAX <= value <= _F32_MAX or value != value or abs(value) == _INF:
                return _F32_SCALAR(value)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # (as the pass is for arrays)
        return op.forward(np.array(x))
