"""Elementwise code as small expressions of symgrad's ops (``Node``), built
without SymPy.

Lowering an elementwise node through its SymPy forward costs 20-150 us
(SymPy builds and canonicalises every ``Mul``/``Add``/``Pow``), and printing
it walks SymPy's tree again: on Rosenbrock over 1000 scalar leaves that was
three quarters of the generation time.  The common ops - ``+ - * /``, unary
minus, integer powers and the functions of one argument - are kept as
``Node(op, args)`` instead; the backends print them with templates taken
from their SymPy printer (``templates``).  Other ops keep their SymPy
forward; a ``Node`` they read is turned into SymPy first (``to_sympy``) if
SymPy keeps it as written (``exact_in_sympy``), else read through a temporary.

SymPy tidied as it built (``1*y`` is ``y``, ``x*x`` is ``x**2``); the same
rewrites, the ones that matter for reading the code and for its length, are
done here when a node is made (``make``), as CasADi's SX graph does them:
operations with 1, ``x - 0``, ``x**0``, double negation, ``x*x`` and ``x + x``,
numbers folded into one coefficient and written first, negations pulled out
of products.  Nothing else is reordered, so the code computes what the graph
computes - also at signed zeros, infinities and nan: ``0*x``, ``0/x``,
``x - x``, ``0 + x``, ``0 - x`` and ``-(a - b)`` stay as written (``0*inf`` is
nan, ``-(a - a)`` is -0.0 where ``a - a`` is +0.0).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import sympy
from sympy.core.basic import Basic
from sympy.logic.boolalg import Boolean

from symgrad.codegen import code_forms, runtime_forms
from symgrad.codegen.program import Node
from symgrad.codegen.ssa import Literal
from symgrad.codegen.ssa import node_symbols as symbols

# Ops a Node may hold besides the functions of one argument (``unary_form``).
ARITHMETIC = frozenset({"add", "sub", "mul", "div", "neg", "pow_scalar"})

ZERO, ONE, TWO = sympy.Integer(0), sympy.Integer(1), sympy.Integer(2)


# ---------------------------------------------------------------- which ops

_SLOT = sympy.Symbol("zzslotzz", real=True)


@cache
def unary_form(op_name: str) -> Any:
    """The op's SymPy forward applied to a placeholder symbol, if the op is a
    function of one argument that reads it once (``sin(x)``, ``1/sqrt(x)``,
    not ``sign(x)*floor(Abs(x))``); else None."""
    from symgrad.ops import TABLE

    op = TABLE[op_name]
    if not op.elementwise or len(op.inputs) != 1 or op.params or op.bool_out or op.bool_args \
            or op_name in runtime_forms.FORMS:  # (written by lower._runtime_form on floats)
        return None
    try:
        form = code_forms.FORMS[op_name](_SLOT) if op_name in code_forms.FORMS else op.symbolic(_SLOT)
    except Exception:  # pragma: no cover - an op whose SymPy forward needs a number
        return None
    if not isinstance(form, sympy.Expr) or form.has(sympy.Piecewise):
        return None
    return float_choices(form) if _occurrences(form, _SLOT) == 1 else None


@cache
def chooses_floats(op_name: str) -> bool:
    """Whether the op's Node form chooses among float numbers that its SymPy
    forward writes as integers (relu: ``max(0.0, x)``), so that it is a Node
    only on floats."""
    from symgrad.ops import TABLE

    form = unary_form(op_name)
    return form is not None and form != TABLE[op_name].symbolic(_SLOT)


def float_choices(e: Any) -> Any:
    """The integers a float value is chosen among as floats: the branches of a
    ``Piecewise`` (a mask used as a number, ``numpy.where(c, 1, 0)``, is an
    integer array, also inside a sum) and the arguments of ``Max``/``Min``
    (Python's ``max(0, x)`` is the int 0 for negative ``x``).  Lowering
    applies it to each value it builds, whose inlined arguments were done
    already, so the walk is short."""
    if not isinstance(e, sympy.Basic) or e.is_Atom or isinstance(e, (Boolean, sympy.Tuple)):
        return e
    if isinstance(e, sympy.Piecewise):
        pieces = [(_float_number(float_choices(v)), c) for v, c in e.args]
        return sympy.Piecewise(*pieces, evaluate=False)
    args = [float_choices(a) for a in e.args]
    if isinstance(e, (sympy.Max, sympy.Min)):
        args = [_float_number(a) for a in args]
    return e if all(a is b for a, b in zip(args, e.args)) else e.func(*args)


def _float_number(e: Any) -> Any:
    return sympy.Float(int(e)) if isinstance(e, sympy.Integer) else e


def _occurrences(e: Basic, s: Any) -> int:
    return 1 if e == s else sum(_occurrences(a, s) for a in e.args)


def placeholder() -> Any:
    """The symbol ``unary_form`` puts where the argument goes."""
    return _SLOT


def node_op(op_name: str, args: list[Any]) -> bool:
    """Whether ``op_name`` applied to ``args`` (lowered values) is made a Node."""
    if op_name in ARITHMETIC:
        return op_name != "pow_scalar" or isinstance(args[1], sympy.Integer)
    return unary_form(op_name) is not None


# ---------------------------------------------------------------- making nodes

def make(op: str, args: tuple[Any, ...]) -> Any:
    """``op(*args)`` tidied (see the module docstring): a Node, or an atom or
    simpler node when a rewrite applies."""
    tidy = _TIDY.get(op)
    if tidy is not None:
        out = tidy(*args)
        if out is not None:
            return out
    return Node(op, args)


# The rules run once per graph node: they test types first (most operands are
# plain symbols or nodes) and SymPy's singletons by identity (S.Zero, S.One).
_Symbol, _Number, _Mul = sympy.Symbol, sympy.Number, sympy.Mul
ZERO_, ONE_, MINUS_ONE = sympy.S.Zero, sympy.S.One, sympy.S.NegativeOne


def _coefficient(e: Any) -> bool:
    """A number, or a float constant (``Literal``) with its sign."""
    t = type(e)
    if t is Node or t is _Symbol:
        return False
    if t is Literal or isinstance(e, _Number):
        return True
    return t is _Mul and len(e.args) == 2 and e.args[0] is MINUS_ONE and type(e.args[1]) is Literal


def _negative(e: Any) -> bool:
    """A negative number or float constant."""
    t = type(e)
    if t is Node or t is _Symbol or e is None:
        return False
    if isinstance(e, _Number):
        return bool(e.is_negative)
    return t is _Mul and len(e.args) == 2 and e.args[0] is MINUS_ONE and type(e.args[1]) is Literal


def _negate(e: Any) -> Any:
    """``-e`` for a number or float constant."""
    if isinstance(e, _Number):
        return -e
    if type(e) is Literal:
        return _Mul(MINUS_ONE, e)
    return e.args[1]  # -(-literal)


def _same(a: Any, b: Any) -> bool:
    # Symbols are unique objects (SymPy caches them); nodes compare by structure.
    return a is b or (type(a) is Node and a == b)


def _is(e: Any, op: str) -> bool:
    return type(e) is Node and e.op == op


def _leading(e: Any) -> Any:
    """The coefficient a product starts with (``-2`` in ``-2*x*y``), or None."""
    while type(e) is Node and e.op == "mul":
        e = e.args[0]
    return e if _coefficient(e) else None


def _negate_leading(e: Node) -> Any:
    """``-2*x*y`` -> ``2*x*y``: the same product with its leading coefficient negated."""
    first = e.args[0]
    first = _negate(first) if _coefficient(first) else _negate_leading(first)
    return make("mul", (first, e.args[1]))


def _add(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if (ta is Node or ta is _Symbol) and (tb is Node or tb is _Symbol):
        # the usual sum, of two operands that are no numbers: the rules below
        # that can apply, without asking each operand whether it is a number
        if a is b or (ta is Node and tb is Node and a == b):
            return make("mul", (TWO, a))
        if tb is Node:
            if b.op == "neg":
                return make("sub", (a, b.args[0]))
            if b.op == "mul" and _negative(_leading(b)):
                return make("sub", (a, _negate_leading(b)))
        if ta is Node and a.op == "neg":
            return make("sub", (b, a.args[0]))
        if ta is _Symbol and tb is _Symbol and b.name < a.name:
            a, b = b, a
        return Node("add", (a, b))
    # (no 0 + x -> x: at x = -0.0 the sum is +0.0)
    if _same(a, b):
        return make("mul", (TWO, a))
    tb = type(b)
    if tb is Node:
        if b.op == "neg":
            return make("sub", (a, b.args[0]))
        if b.op == "mul" and _negative(_leading(b)):
            return make("sub", (a, _negate_leading(b)))
    elif tb is not _Symbol and _coefficient(b):
        if _coefficient(a) and isinstance(a, _Number) and isinstance(b, _Number):
            return a + b
        if _negative(b):
            return make("sub", (a, _negate(b)))
    if _is(a, "neg"):
        return make("sub", (b, a.args[0]))
    return _ordered("add", a, b)


def _sub(a: Any, b: Any) -> Any:
    if b is ZERO_:
        return a
    # (no 0 - x -> -x: at x = 0.0 the difference is +0.0; no x - x -> 0: it
    # is nan at inf and nan)
    tb = type(b)
    if tb is Node:
        if b.op == "neg":
            return make("add", (a, b.args[0]))
        if b.op == "mul" and _negative(_leading(b)):
            return make("add", (a, _negate_leading(b)))
    elif tb is not _Symbol and _coefficient(b):
        if isinstance(a, _Number) and isinstance(b, _Number):
            return a - b
        if _negative(b):
            return make("add", (a, _negate(b)))
    return None


def _mul(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if (ta is Node or ta is _Symbol) and (tb is Node or tb is _Symbol):
        # the usual product, of two operands that are no numbers (as _add)
        if a is b or (ta is Node and tb is Node and a == b):
            return make("pow_scalar", (a, TWO))
        if ta is Node and a.op == "neg":
            return make("neg", (make("mul", (a.args[0], b)),))
        if tb is Node and b.op == "neg":
            return make("neg", (make("mul", (a, b.args[0])),))
        if ta is _Symbol and tb is _Symbol and b.name < a.name:
            a, b = b, a
        return Node("mul", (a, b))
    ca, cb = _coefficient(a), _coefficient(b)
    if cb and not ca:
        a, b, ca, cb = b, a, True, False
    if ca:
        if a is ONE_:
            return b
        if a is ZERO_ and cb:  # (0*x is nan at inf and nan, and -0.0 at negative x: not 0)
            return ZERO
        if a is MINUS_ONE:
            return make("neg", (b,))
        if isinstance(a, _Number):
            if cb and isinstance(b, _Number):
                return a * b
            if type(b) is Node and b.op == "mul" and isinstance(b.args[0], _Number):
                return make("mul", (a * b.args[0], b.args[1]))
        elif _negative(a):  # -0.5*x reads as -(0.5*x)
            return make("neg", (make("mul", (_negate(a), b)),))
    elif _same(a, b):
        return make("pow_scalar", (a, TWO))
    if type(a) is Node and a.op == "neg":
        return make("neg", (make("mul", (a.args[0], b)),))
    if type(b) is Node and b.op == "neg":
        return make("neg", (make("mul", (a, b.args[0])),))
    return _ordered("mul", a, b)


def _div(a: Any, b: Any) -> Any:
    if b is ONE_:
        return a
    if isinstance(a, _Number) and isinstance(b, _Number):  # (not 0/x -> 0: nan at 0 and nan, -0.0 at x < 0)
        return a / b if b is not ZERO_ else _over_zero(a)
    if _is(a, "neg"):
        return make("neg", (make("div", (a.args[0], b)),))
    return None


def _neg(a: Any) -> Any:
    ta = type(a)
    if ta is Node:
        if a.op == "neg":
            return a.args[0]
        # (not -(a - b) as b - a: at a == b that is +0 where -(a - b) is -0, and
        # the sign of a zero shows in 1/z, atan2, copysign and signbit)
        if a.op == "mul" and isinstance(_leading(a), _Number):
            return _negate_leading(a)
        return None
    if ta is not _Symbol and _coefficient(a):
        return _negate(a)
    return None


def _pow(a: Any, p: Any) -> Any:
    if p is ONE_:
        return a
    if p is ZERO_:
        return ONE
    if isinstance(a, _Number):
        return _over_zero(ONE) if a is ZERO_ and p.is_negative else a ** p
    return None


def _over_zero(a: Any) -> Any:
    """``a/0`` for a number ``a``, as the float division the code stands for
    computes it (``1/0.0`` is inf, ``0/0.0`` nan).  Left as ``1/0`` it was
    integer division by zero in C (undefined: compiled to a trap that killed
    the process) and ZeroDivisionError in Python; SymPy's own ``1/0`` is
    ``zoo``, which prints as nan.  The zero is ``+0``: a ``-0.0`` constant is
    a ``Literal`` (``lower.literal``), and numbers folded here (``x**0 - 1``)
    give +0."""
    if a.is_zero or a is sympy.nan:
        return sympy.nan
    return sympy.oo if a.is_positive else -sympy.oo if a.is_negative else sympy.nan


def _ordered(op: str, a: Any, b: Any) -> Node:
    """Two symbols in name order (``x*y``, not ``y*x``): exact, as + and * commute."""
    if type(a) is _Symbol and type(b) is _Symbol and b.name < a.name:
        a, b = b, a
    return Node(op, (a, b))


_TIDY: dict[str, Callable[..., Any]] = {"add": _add, "sub": _sub, "mul": _mul, "div": _div, "neg": _neg,
                                        "pow_scalar": _pow}


# ---------------------------------------------------------------- walking and converting

def children(e: Any) -> tuple[Any, ...]:
    """The operands of a Node or a SymPy expression."""
    if type(e) is Node:
        return e.args
    return e.args if isinstance(e, Basic) else ()


def substitute(e: Any, pending: dict[Any, Any]) -> Any:
    """``e`` with the symbols in ``pending`` replaced (Nodes put into SymPy become SymPy)."""
    if type(e) is Node:
        args = tuple(substitute(a, pending) for a in e.args)
        if args == e.args:
            return e
        if e.op == "neg" and _is(args[0], "neg"):  # -(-a) is a, bit for bit (a temporary's minus put in line)
            return args[0].args[0]
        return Node(e.op, args)
    if not isinstance(e, Basic):
        return e
    if e.is_Symbol:
        return pending.get(e, e)
    found = {s: pending[s] for s in set(symbols(e)) if s in pending}
    if not found:
        return e
    return e.xreplace({s: to_sympy(v) for s, v in found.items()})


def exact_in_sympy(e: Node) -> bool:
    """Whether SymPy keeps ``e`` as the graph computes it: one operation on
    atoms that are not zero, none repeated in a sum, difference or quotient
    (SymPy folds ``x - x`` and ``x/x``), nor a number the others would fold
    into (``0*x``)."""
    args = e.args
    for a in args:
        if a is ZERO_ or not (type(a) is _Symbol or _coefficient(a)):  # (a Node, or SymPy's expression)
            return False
    if len(args) == 2 and e.op in ("add", "sub", "div") and _same(args[0], args[1]):
        return False
    return True


def to_sympy(e: Any) -> Any:
    """``e`` as a SymPy expression, by the ops' own SymPy forwards."""
    if type(e) is not Node:
        return e
    from symgrad.ops import TABLE

    args = [to_sympy(a) for a in e.args]
    return TABLE[e.op].symbolic(*args)


__all__ = ["Node", "make", "node_op", "unary_form", "chooses_floats", "float_choices", "children", "symbols", "substitute",
           "to_sympy", "exact_in_sympy", "ARITHMETIC"]
