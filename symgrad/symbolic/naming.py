"""Names for leaf symbols, found lazily when an expression is first built.

Order of preference: the ``name=`` given by the user; a name that a
registered *namer* derives (``symgrad.nn`` names parameters by their
qualified names, ``linear.weight``); the variable the tensor is bound to in
the calling code (so ``x = symgrad.tensor(2.).requires_grad_()`` prints as
``x``), preferring a name outside the functions and comprehensions it was
passed into; otherwise a fresh name ``t1``, ``t2``...  Names are fixed once found.
"""

from __future__ import annotations

import inspect
import itertools
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from types import CodeType, FrameType
from typing import Any

from symgrad.symbolic.terms import Leaf

Namer = Callable[[dict[str, Any]], Iterable[tuple[Any, str]]]

_namers: list[Namer] = []
_fresh = itertools.count(1)

# Frames of these modules hold symgrad's own locals (``x``, ``g``, ``out`` in
# derivative rules); they never name a user's tensor.
_INTERNAL = ("symgrad.symbolic", "symgrad._tensor", "symgrad.tensor_ops", "symgrad.autograd", "symgrad.ops",
             "symgrad.dispatch", "symgrad.functional", "symgrad.display", "symgrad.codegen",
             "symgrad.testing", "symgrad.verify", "symgrad.creation", "symgrad.nn", "symgrad.optim")


def register_namer(namer: Namer) -> None:
    """Let a higher layer (e.g. ``symgrad.nn``) propose names for tensors it
    finds among a frame's variables."""
    if namer not in _namers:
        _namers.append(namer)


def fresh_name() -> str:
    return f"t{next(_fresh)}"


def assign_names(leaves: Iterable[Leaf]) -> None:
    """Give every unnamed leaf a name (scans the caller's frames once)."""
    pending: dict[int, tuple[Leaf, Any]] = {}
    for leaf in leaves:
        if leaf.name is None:
            t = leaf.tensor()
            if t is None:
                leaf.name = fresh_name()
            elif id(t) not in pending:
                pending[id(t)] = (leaf, t)
    if pending:
        _scan(pending)
    for leaf, _t in pending.values():
        if leaf.name is None:
            leaf.name = fresh_name()


def variable_name(value: Any) -> str | None:
    """The name the calling code binds ``value`` to (innermost user frame
    first), or None: how ``symgrad.show`` names an output such as ``z``."""
    for frame in _user_frames():
        for space in (frame.f_locals, frame.f_globals):
            for k, v in list(space.items()):
                if v is value and usable_name(k):
                    return k
    return None


def _scan(pending: dict[int, tuple[Leaf, Any]]) -> None:
    # Two passes.  The first skips names that were handed a tensor made
    # elsewhere - a function's parameters, a comprehension's variables - so
    # that ``def show(t): print(t.expr)`` called with ``x``, or
    # ``[t.expr for t in (x, y)]``, names the leaves ``x`` and ``y``, not both
    # ``t``; the second takes any name, for tensors bound nowhere else.
    for skip_passed_in in (True, False):
        seen_globals: set[int] = set()
        for frame in _user_frames():
            passed_in = _passed_in(frame.f_code) if skip_passed_in else ()
            local = frame.f_locals
            spaces = [{k: v for k, v in local.items() if k not in passed_in} if passed_in else local]
            if id(frame.f_globals) not in seen_globals and frame.f_globals is not frame.f_locals:
                seen_globals.add(id(frame.f_globals))
                spaces.append(frame.f_globals)
            for space in spaces:
                _name_from(space, pending)
                if not pending:
                    return


_COMPREHENSIONS = ("<listcomp>", "<setcomp>", "<dictcomp>", "<genexpr>")


def _passed_in(code: CodeType) -> tuple[str, ...]:
    """The local names of ``code`` bound to values from its caller: every
    variable of a comprehension, a function's parameters."""
    if code.co_name in _COMPREHENSIONS:
        return code.co_varnames
    n = code.co_argcount + code.co_kwonlyargcount
    n += bool(code.co_flags & inspect.CO_VARARGS) + bool(code.co_flags & inspect.CO_VARKEYWORDS)
    return code.co_varnames[:n]


def _name_from(space: dict[str, Any], pending: dict[int, tuple[Leaf, Any]]) -> None:
    candidates: list[tuple[Any, str]] = []
    for namer in _namers:
        candidates.extend(namer(space))
    candidates.extend((v, k) for k, v in list(space.items()) if usable_name(k))
    for value, name in candidates:
        entry = pending.pop(id(value), None)
        if entry is not None and entry[1] is value:
            entry[0].name = name


def usable_name(name: str) -> bool:
    """Whether a variable's name may name a leaf (not ``_``, ``_3``, ``self``...)."""
    return name.isidentifier() and not name.startswith("_") and name not in ("self", "cls")


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _user_frames() -> Iterator[FrameType]:
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if not _internal(frame):
            yield frame
        frame = frame.f_back


def _internal(frame: FrameType) -> bool:
    # Doctests run with a module's globals but from "<doctest ...>" code: user code.
    module = frame.f_globals.get("__name__", "")
    return (isinstance(module, str) and module.startswith(_INTERNAL)
            and frame.f_code.co_filename.startswith(_PACKAGE_DIR))
