"""What ``lambdify`` and ``gradient_function`` return: the loaded code behind
``functools.partial``'s C call, so that it can be pickled.

A function made by ``exec`` cannot be pickled: pickle saves a function by
its module and name, and generated code has no module to import it from (nor
can a function be given a ``__reduce__``).  So the generated function is
wrapped in ``GeneratedFunction``, a ``functools.partial`` subclass with no
arguments: calling it calls the code from C, with no Python frame between
(measured on Python 3.11: a function call 35 ns, through this wrapper 56 ns,
through a Python wrapper 95 ns).  It pickles as what made it: the backend,
the source, the inputs' and outputs' names, shapes and dtypes (``outline``),
the constants bound when it was loaded, and the containers of lambdify's
dicts.  Unpickling loads the source again, as ``generate`` did (the C
backend builds it, or finds the library in its cache).  The graph and the
tensors (``.program``, ``.inputs``, ``.outputs``) are not pickled.

Unpickling runs the source the pickle carries, as unpickling runs whatever a
pickle names: load only pickles you trust.  ``symgrad.load`` reads weights
only by default and refuses them.
"""

from __future__ import annotations

import functools
import pickle
from collections.abc import Callable
from typing import Any

import numpy as np

from symgrad.codegen.program import Input, Output, Program, map_outputs

# The format of a pickled generated function (``_load``'s arguments).
VERSION = 1


class GeneratedFunction(functools.partial):  # type: ignore[type-arg]
    """A generated function: call it as the code it shows (``.source``).

    >>> import pickle, symgrad
    >>> x = symgrad.tensor(2., requires_grad=True)
    >>> g = symgrad.gradient_function(x * x, x)
    >>> g
    <generated function value_and_grad (numpy)>
    >>> pickle.loads(pickle.dumps(g))(3.)
    (9.0, 6.0)
    """

    _recipe: tuple[Any, ...]
    __name__: str
    __qualname__: str
    source: str
    program: Program  # (set by generate: not pickled)

    def __reduce__(self) -> tuple[Any, ...]:
        return _load, (VERSION, *self._recipe)

    def __copy__(self) -> GeneratedFunction:
        return self  # (as a function: nothing in it changes)

    def __deepcopy__(self, memo: dict[int, Any]) -> GeneratedFunction:
        return self

    def __repr__(self) -> str:
        return f"<generated function {self.__name__} ({self._recipe[0]})>"


def wrap(fn: Callable[..., Any], backend: str, source: str, program: Program, bound: dict[str, Any],
         compile_code: bool = False, vectorize: bool = False, structure: Any = None) -> GeneratedFunction:
    """``fn``, the loaded code of ``program``, as a ``GeneratedFunction`` that
    pickles as the rest of the arguments (``program`` as its ``outline``)."""
    out = GeneratedFunction(fn)
    out._recipe = (backend, source, outline(program), bound, compile_code, vectorize, structure)
    out.__name__ = out.__qualname__ = program.name
    out.__doc__ = program.doc
    out.source = source
    if hasattr(fn, "__wrapped__"):  # (the NumPy code of scalars run in blocks: backends.blocks)
        out.__wrapped__ = fn.__wrapped__  # type: ignore[attr-defined]
    if structure is not None:
        out.__doc__ = (out.__doc__ or "") + (
            "\n    Returns the outputs in the containers they were given in (dicts included), in the order "
            "out0, out1, ... of the code above.\n")
    return out


def returning(structure: Any, fn: GeneratedFunction) -> GeneratedFunction:
    """``fn`` (returning a tuple of the leaves) returning them in ``structure``
    (dicts, as lambdify's outputs were given)."""
    from symgrad.functional.arguments import unflatten

    code = fn.func

    def with_dicts(*args: Any, **kwargs: Any) -> Any:
        return unflatten(structure, list(code(*args, **kwargs)))

    backend, source, program, bound, compile_code, vectorize, _ = fn._recipe
    out = wrap(with_dicts, backend, source, program, bound, compile_code, vectorize, structure)
    for name in ("program", "__wrapped__"):
        if name in fn.__dict__:
            out.__dict__[name] = fn.__dict__[name]
    return out


def outline(program: Program) -> Program:
    """What loading needs of ``program``: its name, mode and docstring, and the
    names, shapes and dtypes of its inputs and outputs (no body, no SymPy)."""
    inputs = [Input(i.name, None, tuple(int(d) for d in i.shape), np.dtype(i.dtype)) for i in program.inputs]
    outputs = map_outputs(program.outputs, lambda o: Output(o.name, None, tuple(int(d) for d in o.shape),
                                                            np.dtype(o.dtype)))
    return Program(program.name, program.mode, inputs, [], outputs, [], program.doc)


def _load(version: int, backend: str, source: str, program: Program, bound: dict[str, Any], compile_code: bool,
          vectorize: bool, structure: Any) -> GeneratedFunction:
    """A pickled generated function, loaded again (pickle calls this)."""
    if version != VERSION:
        raise pickle.UnpicklingError(f"this generated function was pickled in format {version}, and this version "
                                     f"of symgrad reads format {VERSION}; generate the function again")
    from symgrad.codegen import backends

    target = backends.get(backend)
    fn = wrap(target.load(program, source, bound, compile_code, vectorize), backend, source, program, bound,
              compile_code, vectorize)
    return returning(structure, fn) if structure is not None else fn


__all__ = ["GeneratedFunction", "wrap", "returning", "outline"]
