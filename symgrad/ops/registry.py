"""The op table: one ``OpDef`` per op, with its numeric forward (NumPy), its
symbolic forward (SymPy) and its derivative rule written in symgrad's own ops.

``defop`` validates each entry when the table is built and says how to fix a
bad one (PyTorch's ``load_derivatives.py`` habit): unique names, rules taking
``(g, out, *inputs, *params)`` by those exact names, one rule per input.
"""

from __future__ import annotations

import dis
import inspect
import itertools
from collections.abc import Callable, Sequence
from typing import Any

from symgrad.autograd.graph import Node

Rule = Callable[..., Any]



class OpTable(dict):
    """The op table: name -> ``OpDef``.  Some op families load on first use
    (``symgrad.ops.lazy``), so a name not found yet, and any look at the whole
    table (iteration, ``len``, ``in``), loads them first: the table always
    answers as if every family were loaded."""

    load_all: Callable[[], None] | None = None  # set by symgrad.ops once the eager families are in

    def _complete(self) -> None:
        if OpTable.load_all is not None:
            OpTable.load_all()

    def __missing__(self, name: str) -> OpDef:
        self._complete()
        if dict.__contains__(self, name):
            return dict.__getitem__(self, name)
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        if not dict.__contains__(self, name):
            self._complete()
        return dict.__contains__(self, name)

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        return self[name] if name in self else default

    def __iter__(self) -> Any:
        self._complete()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._complete()
        return dict.__len__(self)

    def keys(self) -> Any:
        self._complete()
        return dict.keys(self)

    def values(self) -> Any:
        self._complete()
        return dict.values(self)

    def items(self) -> Any:
        self._complete()
        return dict.items(self)


TABLE: OpTable = OpTable()

# How an op's arguments are promoted before its NumPy forward (dispatch._promote):
#   None      no promotion (shape ops, views: the input's dtype)
#   "common"  PyTorch's result_type of all arguments (add, mul, where, cat...)
#   "divide"  result_type, then the default float dtype for integers (true division)
#   "float"   integer and bool inputs become the default float dtype (exp, sin...)
#   "keep"    the input's own dtype, integers included, as PyTorch keeps it
#             for abs, sign, relu, floor, ceil, round, trunc (bool refused by the op's function)
PROMOTIONS = (None, "common", "float", "divide", "keep")


class OpDef:
    """Everything about one op.

    * ``forward(*arrays, **params)``: NumPy; must also accept object arrays
      where ``symbolic`` is None (shape ops), which reuses it symbolically.
    * ``symbolic(*values, **params)``: SymPy; for ``elementwise`` ops a scalar
      function mapped over arrays, else a function of object arrays.
    * ``vjp``: a tuple with one rule per input (None: not differentiable in that
      input), or one rule returning a gradient per input (variadic ops), or
      None when the op's results lie outside the graph (comparisons, argmax).
    * ``same_shape``: not elementwise, yet its result has its input's shape
      and dtype (``copy``, ``clone``), so dispatch's fast path may record it.
    * ``backward_names``: for an op PyTorch names by its arguments (``x.sum()``
      is ``SumBackward0``, ``x.sum(0)`` ``SumBackward1``), the name of a node
      of it, from the node (its ``params``); called only when the name is
      asked for (``grad_fn.name()``, printing), never when an op is recorded.
    * ``scalar``: the op on Python floats (``math.sin``, ``operator.mul``), for
      the scalar lane (``symgrad.scalar_lane``): 0-d float64 tensors computed
      without NumPy.  Only for an elementwise op whose rules call nothing but
      arithmetic and ops that have ``scalar`` too (they run on floats there).
      It may raise ``ArithmeticError``/``ValueError`` (``math.log(0)``): the
      op then runs on NumPy, which gives inf or nan as it always does.
    """

    __slots__ = ("name", "inputs", "params", "forward", "symbolic", "vjp", "elementwise",
                 "promote", "bool_args", "bool_out", "view", "uses", "saved_inputs", "saved_by_input", "shape_only",
                 "node_class", "variadic", "fast", "saves_out", "backward_names", "scalar")

    def __init__(self, name: str, inputs: Sequence[str], params: Sequence[str], forward: Callable[..., Any],
                 symbolic: Callable[..., Any] | None, vjp: tuple[Rule | None, ...] | Rule | None, *,
                 elementwise: bool, promote: str | None, bool_args: tuple[int, ...], bool_out: bool,
                 view: bool, variadic: bool, backward_name: str | None, same_shape: bool = False,
                 backward_names: Callable[[Any], str] | None = None,
                 scalar: Callable[..., float] | None = None) -> None:
        self.name = name
        self.inputs = tuple(inputs)
        self.params = tuple(params)
        self.forward = forward
        self.symbolic = symbolic if symbolic is not None else forward
        self.vjp = vjp
        self.elementwise = elementwise
        self.promote = promote
        self.bool_args = bool_args
        self.bool_out = bool_out
        self.view = view
        self.variadic = variadic
        self.uses = _rule_uses(vjp, self.inputs)
        # positions of the inputs the rules read (None: all of them, for variadic ops)
        self.saved_inputs = None if "xs" in self.uses else tuple(
            i for i, n in enumerate(self.inputs) if n in self.uses)
        self.saved_by_input = _saved_by_input(vjp, self.inputs, self.saved_inputs)
        # positions of the inputs the rules read only as ``x.shape``: a stand-in holding the shape is saved
        self.shape_only = () if self.saved_inputs is None else tuple(
            i for i in self.saved_inputs if _reads_only_shape(vjp, self.inputs[i]))
        # Recorded by dispatch's fast path when its inputs are plain tensors of one
        # shape and floating dtype: elementwise, not a view, one rule per input,
        # every saved input saved whole
        self.fast = (elementwise or same_shape) and not view and not variadic and isinstance(vjp, tuple) \
            and not self.shape_only
        self.saves_out = "out" in self.uses
        cls_name = backward_name or _camel(name) + "Backward0"
        self.node_class = type(cls_name, (Node,), {"__slots__": ()})
        self.backward_names = backward_names
        if scalar is not None and (not self.fast or params or variadic or len(self.inputs) > 2):
            raise ValueError(f"op {name!r}: scalar= is for elementwise ops of one or two inputs without params, "
                             "one rule per input")
        self.scalar = scalar

    @property
    def differentiable(self) -> bool:
        return self.vjp is not None

    def __repr__(self) -> str:
        return f"<op {self.name}>"


class NoClosedFormError(RuntimeError):
    """A closed form was asked of a value that has none symgrad could write
    correctly (``linalg.eigh``; ``linalg.pinv`` of a rank-deficient matrix)."""


class NoClosedForm:
    """The symbolic forward of an op whose results have no closed form that
    would be right (the eigenvectors of ``eigh``: roots of a polynomial, with
    signs chosen by LAPACK).  Calling it raises ``NoClosedFormError`` with
    ``message``; code generation refuses graphs holding such an op with the
    same words (``codegen.generate``), before any code is written."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, *values: Any, **params: Any) -> Any:
        raise NoClosedFormError(self.message)


class ClosedFormAtTracedChoices:
    """The symbolic forward of an op whose closed form holds choices read from
    the numbers when the op ran (``linalg.qr``: the signs LAPACK gave R's
    diagonal).  ``.expr`` is right at the traced values and near them, but at
    other values the op may choose otherwise, so code that writes closed forms
    (scalar mode: the ``math`` and C backends, scalar inputs) would be silently
    wrong there: it refuses such ops with ``message``.  Array code calls the
    library, which chooses at run time as the engine does."""

    def __init__(self, symbolic: Callable[..., Any], message: str) -> None:
        self.symbolic = symbolic
        self.message = message

    def __call__(self, *values: Any, **params: Any) -> Any:
        return self.symbolic(*values, **params)


def defop(name: str, forward: Callable[..., Any], symbolic: Callable[..., Any] | None, *,
          inputs: Sequence[str] = ("x",), params: Sequence[str] = (),
          vjp: tuple[Rule | None, ...] | Rule | None = None, elementwise: bool = False,
          promote: str | None = None, bool_args: tuple[int, ...] = (), bool_out: bool = False,
          view: bool = False, variadic: bool = False, backward_name: str | None = None,
          same_shape: bool = False, backward_names: Callable[[Any], str] | None = None,
          scalar: Callable[..., float] | None = None) -> OpDef:
    """Add one op to the table (see ``OpDef``); returns its definition."""
    if dict.__contains__(TABLE, name):  # (not ``in``: that would load the lazy families while one is loading)
        raise ValueError(f"op {name!r} is defined twice in the op table; rename one of them "
                         "or delete the duplicate stanza")
    if promote not in PROMOTIONS:
        raise ValueError(f"op {name!r}: promote must be one of {', '.join(map(repr, PROMOTIONS))}, "
                         f"not {promote!r}")
    _check_rules(name, vjp, tuple(inputs), tuple(params), variadic)
    op = OpDef(name, inputs, params, forward, symbolic, vjp, elementwise=elementwise, promote=promote,
               bool_args=bool_args, bool_out=bool_out, view=view, variadic=variadic,
               backward_name=backward_name, same_shape=same_shape, backward_names=backward_names,
               scalar=scalar)
    TABLE[name] = op
    return op


_CALLED: dict[tuple[OpDef, str], type] = {}


def called(out: Any, op: OpDef, name: str, source: Any = None) -> Any:
    """``out``, its node named after the public function that made it, as
    PyTorch names it (``x.t()``: ``TBackward0``, where symgrad records a
    ``permute``; ``x.unsqueeze(0)``: ``UnsqueezeBackward0``, a ``view``).
    Only a node of ``op`` just made for ``out`` is renamed (not ``source``'s,
    when the function gave its input back as it is).  The node's class
    becomes a subclass of the op's, so ``type(grad_fn).__name__`` says the
    name too; nothing else about the node changes.  Called by those public
    functions only: ``apply`` never names anything."""
    node = out._grad_fn
    if node is None or out is source or type(node) is not op.node_class:
        return out
    cls = _CALLED.get((op, name))
    if cls is None:
        cls = _CALLED[op, name] = type(name, (op.node_class,), {"__slots__": ()})
    node.__class__ = cls
    return out


def composed(out: Any, name: str, *inputs: Any) -> Any:
    """``out`` of a function PyTorch records as one node and symgrad composes
    of table ops, its last node named as PyTorch names that one (``x.var()``:
    ``VarBackward0``, where symgrad's last op is a ``div``).  As ``called``,
    for whichever op came last (a loss ends in ``mean``, ``sum`` or neither,
    by its reduction); a node that is an input's (the function gave an input
    back) or already named is left alone.  Only the name changes: the
    gradients are the composition's."""
    node = getattr(out, "_grad_fn", None)
    if node is None or type(node) is not node.op.node_class:
        return out
    for a in inputs:
        if a is out or getattr(a, "_grad_fn", None) is node:
            return out
    return called(out, node.op, name)


def _check_rules(name: str, vjp: Any, inputs: tuple[str, ...], params: tuple[str, ...], variadic: bool) -> None:
    if vjp is None:
        return
    expected = ["g", "out", *(["xs"] if variadic else inputs), *params]
    rules = vjp if isinstance(vjp, tuple) else (vjp,)
    if isinstance(vjp, tuple) and len(vjp) != len(inputs):
        raise ValueError(f"op {name!r} has {len(inputs)} inputs {inputs} but {len(vjp)} derivative "
                         "rules; give one rule per input (None for an input with no derivative)")
    for i, rule in enumerate(rules):
        if rule is None:
            continue
        got = list(inspect.signature(rule).parameters)
        if got != expected:
            which = f"rule {i} of op {name!r}" if isinstance(vjp, tuple) else f"the rule of op {name!r}"
            raise ValueError(f"{which} takes ({', '.join(got)}) but must take ({', '.join(expected)}): "
                             "the incoming gradient g, the result out, the inputs, then the params")


def _rule_uses(vjp: Any, inputs: tuple[str, ...]) -> frozenset[str]:
    """Names of ``out`` and inputs the rules read: only those are saved for backward."""
    if vjp is None:
        return frozenset()
    used: set[str] = set()
    for rule in vjp if isinstance(vjp, tuple) else (vjp,):
        if rule is not None:
            used |= _loaded_names(rule)
    return frozenset(n for n in used if n == "out" or n == "xs" or n in inputs)


def _saved_by_input(vjp: Any, inputs: tuple[str, ...], saved: tuple[int, ...] | None) -> dict[Any, Any] | None:
    """The inputs to save, given which inputs need a gradient (a tuple of bools,
    one per input): those read by the rules that will run, as PyTorch saves
    them.  In ``y[1] * 3`` no rule reads ``y[1]``, so ``y`` may change in
    place before backward.  None when every rule reads all of ``saved``;
    else the answer for every case, made once (``apply`` is the hot path)."""
    if not isinstance(vjp, tuple) or saved is None:
        return None
    per_input = [() if rule is None else tuple(i for i, n in enumerate(inputs) if n in _loaded_names(rule))
                 for rule in vjp]
    if all(p == saved for p in per_input):
        return None
    return {need: tuple(sorted({i for p, wanted in zip(per_input, need) if wanted for i in p}))
            for need in itertools.product((False, True), repeat=len(inputs))}


def _reads_only_shape(vjp: Any, name: str) -> bool:
    """Does every rule read input ``name`` only as ``name.shape``?  (A view's
    rule needs its input's shape, not its values: PyTorch saves the sizes, so
    the input may then change in place.)  Any other read, a closure over it
    included, counts as reading its values (bytecode that pairs two loads
    in one instruction too: the input is then saved, as before)."""
    for rule in vjp if isinstance(vjp, tuple) else (vjp,):
        if rule is None:
            continue
        code = rule.__code__
        if name in code.co_cellvars:
            return False
        ins = list(dis.get_instructions(code))
        for i, op in enumerate(ins):
            if not op.opname.startswith(("LOAD_FAST", "LOAD_DEREF", "LOAD_CLOSURE", "STORE_FAST_LOAD_FAST")):
                continue
            val = op.argval
            if name not in (val if isinstance(val, tuple) else (val,)):
                continue
            following = ins[i + 1] if i + 1 < len(ins) else None
            if op.opname not in ("LOAD_FAST", "LOAD_FAST_BORROW") or following is None or following.opname != "LOAD_ATTR" \
                    or following.argval != "shape":
                return False
    return True


def _loaded_names(fn: Callable[..., Any]) -> set[str]:
    code = fn.__code__
    names = set(code.co_cellvars)
    for ins in dis.get_instructions(code):
        if ins.opname.startswith(("LOAD_FAST", "LOAD_DEREF", "LOAD_CLOSURE", "STORE_FAST_LOAD_FAST")):
            val = ins.argval
            names.update(val if isinstance(val, tuple) else (val,))
    return names


def _camel(name: str) -> str:
    # str.title, as PyTorch's code generator names its nodes: a letter after a digit is upper case (Log1PBackward0)
    return "".join(part.title() for part in name.strip("_").split("_"))
