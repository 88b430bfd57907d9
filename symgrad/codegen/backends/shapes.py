"""The check of input shapes at the top of generated Python code.

Code is generated for the shapes of the leaves it was made from: ``W @ v``,
``t.reshape((2, 1))``, a sum divided by 11, ``x[0]`` and ``x[1]`` in the
``math`` backend.  Called with arrays of other shapes it would compute on
them anyway (a longer list cut short, a (5,) array broadcast against a
(2,) one) or fail deep inside NumPy.  So the function first compares each
input's shape with the one it was generated for: one tuple comparison per
input (about 35 ns), and a Python ``float`` for a scalar is let through by
its class alone.  Only when a comparison fails (or an input has no
``shape``: a list, an ``int``) does ``_check_shapes`` look closer, and it
raises only for a shape that is really another one.

The slow path also converts: a list is not an array (NumPy code would
compute ``2*x`` as the list twice over), and PyTorch code needs tensors.
NumPy code also tests that each float input is an array of floats
(``x.dtype not in _floats``, a tuple of NumPy's float dtypes, the traced one
first: NumPy's dtypes of native floats are singletons, so this is one
identity test, about 10 ns), and the slow path converts integer and bool arrays and
NumPy numbers to the traced dtype, as the engine and JAX compute: NumPy would
compute ``a**3`` of an int32 array in int32 and overflow silently.  Floats of
another precision are left as they are (JAX would trace again for them; NumPy
code computes them as it promotes).  JAX code converts integer and bool arrays
the same way (with ``_floats`` too), and ``math`` code NumPy integers (by their
dtype's kind: it has no NumPy to compare dtypes with).  Text, ``None``, dicts
and sets are refused by name (``_not_a_number``): a str was read as a 0-d array.
Functions of scalar leaves in the NumPy, JAX and PyTorch backends take
arrays of points of any shape (docs/codegen.md): they get no shape check,
and the conversion is a wrapper around them (``converting``), so that their
source stays the math.  The C
backend checks in its ``ctypes`` wrapper (``c._c_argument``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from symgrad.codegen.backends import literals
from symgrad.codegen.program import Program

# Pure Python (no import at module level), so that it runs in every backend's
# module; CONVERTS and CONVERT are the backend's (_CONVERSIONS).
_HELPER = '''def _check_shapes(function, names, shapes, dtypes, args):
    out = []
    for k, (name, want, dtype, a) in enumerate(zip(names, shapes, dtypes or shapes, args)):
        if a is None or isinstance(a, (str, bytes, dict, set)):
            raise TypeError(_not_a_number(function, k, name, want, a))
        got = _shape_of(a)
        if got != want:
            got = "a ragged nested list" if got is None else got
            raise ValueError(f"{function}(): argument {k + 1} ({name}) must have shape {want}, got {got}; "
                             HINT)
        out.append(_as_array(a, dtype) if CONVERTS else a)
    return out


def _not_a_number(function, k, name, want, a):
    got = "None" if a is None else f"a {type(a).__name__}"
    return f"{function}(): argument {k + 1} ({name}) must be {f'an array of shape {want}' if want else 'a number'}, got {got}"


def _shape_of(a):
    shape = getattr(a, "shape", None)
    if shape is not None:
        return tuple(shape)
    if not isinstance(a, (list, tuple)):
        return ()
    inner = {_shape_of(b) for b in a}
    if len(inner) > 1 or None in inner:
        return None
    return (len(a), *(inner.pop() if inner else ()))


def _as_array(a, dtype):
    CONVERT'''

# Per backend: which inputs are converted (a list is not an array: NumPy code
# would compute 2*x as the list twice over) and how.  The math backend
# indexes lists as they are.
_TORCH_TENSOR = "a.__class__.__module__.startswith('torch')"
_CONVERSIONS = {
    # (math: integer NumPy numbers and arrays would compute a**3 in int32, as NumPy code would)
    "math": ("True", "if not dtype.startswith('float') or getattr(getattr(a, 'dtype', None), 'kind', None) "
             "not in ('b', 'i', 'u'):\n"
             "        return a\n"
             "    if getattr(a, 'shape', None) == ():\n"
             "        return float(a)\n"
             "    import numpy\n"
             "    return numpy.asarray(a, dtype='float64')"),
    "numpy": ("True", "import numpy\n"
              "    if isinstance(a, (list, tuple)) or (dtype.startswith('float') and getattr(getattr(a, 'dtype', None), "
              "'kind', None) in ('b', 'i', 'u')):\n"
              "        return numpy.asarray(a, dtype=dtype)\n"
              "    return a"),
    "jax": ("True", "import jax\n"
            "    if dtype.startswith('float') and getattr(getattr(a, 'dtype', None), 'kind', None) in ('b', 'i', 'u'):\n"
            "        return jax.numpy.asarray(a, dtype=jax.dtypes.canonicalize_dtype(dtype))\n"
            "    return jax.numpy.asarray(a) if isinstance(a, (list, tuple)) else a"),
    # (an array-like - a symgrad tensor - goes through NumPy: torch.as_tensor reads it as a sequence, by len())
    "torch": (f"not {_TORCH_TENSOR}", "import numpy, torch\n    return torch.as_tensor(numpy.asarray(a) if hasattr(a, "
              "'__array__') else a, dtype=getattr(torch, dtype))"),
}

_HINTS = {
    "math": "the math backend computes one point per call (backend='numpy' takes arrays of points)",
}
_HINT = ("the code was generated for these shapes (only functions of scalar leaves take arrays of points); "
         "generate it again from tensors of the shapes you need")


def helper(backend: str) -> str:
    """The source of ``_check_shapes``, ``_shape_of`` and ``_as_array``, with the backend's advice and conversion."""
    converts, convert = _CONVERSIONS[backend]
    return (_HELPER.replace("HINT", repr(_HINTS.get(backend, _HINT)))
            .replace("CONVERTS", converts).replace("CONVERT", convert))


def dtype_constants(program: Program, backend: str) -> list[str]:
    """The module-level line binding the dtypes the NumPy check lets through:
    ``_floats``, NumPy's float dtypes, the traced ones first (a name with a
    leading underscore is never a user's: ``names.identifier`` strips them)."""
    traced = [np.dtype(inp.dtype).name for inp in program.inputs if _is_float(inp.dtype)]
    if backend not in _DTYPE_CHECKED or not traced:
        return []
    first = ", ".join(f"numpy.dtype({name!r})" for name in dict.fromkeys(traced))
    return [f"_floats = ({first}, *map(numpy.dtype, numpy.typecodes['Float']))"]


# Backends whose check lets float inputs through by their dtype (``x.dtype not in _floats``)
_DTYPE_CHECKED = ("numpy", "jax")


def _is_float(dtype: Any) -> bool:
    return np.dtype(dtype).kind == "f"


def checked(program: Program, vectorized: bool) -> bool:
    """Whether the program's code checks its inputs' shapes."""
    return bool(program.inputs) and not vectorized


def check_lines(program: Program, backend: str) -> list[str]:
    """The statements that check the inputs (indented for the function body);
    the slow path, taken only when a quick test fails, also converts them."""
    tests = []
    wanted = [tuple(int(d) for d in inp.shape) for inp in program.inputs]  # (a SymPy array's are Integers)
    for inp, want in zip(program.inputs, wanted):
        shape = literals.literal(want)
        # (NumPy, JAX: a float input of the right shape must also have a float dtype, else integers are converted;
        # math: NumPy integers are, by the dtype's kind: a Python int has no dtype and no shape)
        dtype = ""
        if _is_float(inp.dtype) and backend in _DTYPE_CHECKED:
            dtype = f" or {inp.name}.dtype not in _floats"
        elif _is_float(inp.dtype) and backend == "math":
            dtype = f' or getattr(getattr({inp.name}, "dtype", None), "kind", "f") != "f"'
        if backend == "torch":  # (torch code needs a tensor: a Python float or NumPy array is converted)
            tests.append(f"(not {inp.name}.__class__.__module__.startswith('torch') or {inp.name}.shape != {shape})")
        elif want:
            tests.append(f'getattr({inp.name}, "shape", None) != {shape}{dtype}')
        elif dtype:  # (a Python float, the usual scalar, needs no attribute lookup)
            tests.append(f'({inp.name}.__class__ is not float and (getattr({inp.name}, "shape", None) != (){dtype}))')
        else:
            tests.append(f'({inp.name}.__class__ is not float and getattr({inp.name}, "shape", None) != ())')
    names = repr(tuple(inp.name for inp in program.inputs))  # (identifiers from names.Namespace)
    shapes = literals.literal(tuple(wanted))
    args = ", ".join(inp.name for inp in program.inputs) + ("," if len(program.inputs) == 1 else "")
    dtypes = repr(tuple(np.dtype(inp.dtype).name for inp in program.inputs))
    return [f"    if {' or '.join(tests)}:",
            f"        {args} = _check_shapes({program.name!r}, {names}, {shapes}, {dtypes}, ({args}))"]


def converting(fn: Callable[..., Any], program: Program, backend: str) -> Callable[..., Any]:
    """Code that takes arrays of points (no shape check) behind a wrapper that
    makes each input that is a list (for torch: not a tensor) an array of the
    backend first - and for NumPy, integer and bool arrays and numbers of
    float inputs arrays of the traced float dtype: kept out of the generated
    source, which stays the math."""
    if not program.inputs or backend not in ("numpy", "jax", "torch"):
        return fn
    dtypes = {inp.name: np.dtype(inp.dtype).name for inp in program.inputs}
    order = list(dtypes.values())
    if backend == "numpy" and any(_is_float(d) for d in order):
        return _numpy_converting(fn, program.name, dtypes)
    needs, convert = _converter(backend)
    refuse = _refusing(program.name, list(dtypes))

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        if any([needs(a) for a in args]) or any([needs(a) for a in kwargs.values()]):
            refuse(args, kwargs)
            # (by position, never zip: an extra argument must still reach fn, whose TypeError names it)
            args = tuple([convert(a, order[i]) if i < len(order) and needs(a) else a for i, a in enumerate(args)])
            kwargs = {k: convert(a, dtypes.get(k, "float64")) if needs(a) else a for k, a in kwargs.items()}
        return fn(*args, **kwargs)

    return call


# What no input can be: refused by name before the code computes on it ("ab" * 2 is "abab")
_NOT_NUMBERS = frozenset({str, bytes, type(None), dict, set})


def _refusing(function: str, names: list[str]) -> Callable[[tuple[Any, ...], dict[str, Any]], None]:
    """The check the wrappers' slow path makes: a TypeError naming an argument
    that is text (or None, a dict, a set) rather than numbers."""
    def refuse(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        given = [*zip(range(len(names)), names, args), *((names.index(k) if k in names else len(names), k, a)
                                                          for k, a in kwargs.items())]
        for k, name, a in given:
            if a.__class__ in _NOT_NUMBERS:
                got = "None" if a is None else f"a {type(a).__name__}"
                raise TypeError(f"{function}(): argument {k + 1} ({name}) must be a number or an array of points, "
                                f"got {got}")
    return refuse


# Classes the NumPy wrapper converts outright: lists and NumPy's integer and bool numbers.
_NUMPY_INTEGRAL = frozenset({list, tuple, np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16,
                             np.uint32, np.uint64, np.longlong, np.ulonglong})


def _numpy_converting(fn: Callable[..., Any], function: str, dtypes: dict[str, str]) -> Callable[..., Any]:
    """``converting`` for NumPy code with float inputs: a list, or an integer or
    bool array or NumPy number (which NumPy would compute in its own dtype,
    overflowing) becomes an array of the input's dtype; an integer input keeps
    what it is given, as the shape check's slow path does.  The test is written
    out in the loop (no call per argument): a Python float costs a set lookup
    and a class test, a float array an identity test more."""
    order = list(dtypes.values())
    ndarray, slow = np.ndarray, _NUMPY_INTEGRAL | _NOT_NUMBERS
    refuse = _refusing(function, list(dtypes))
    floats = tuple(dict.fromkeys(np.dtype(d) for d in [*order, "float64", "float32", "float16"] if _is_float(d)))

    def needs(a: Any) -> bool:
        cls = a.__class__
        return cls in slow or (cls is ndarray and a.dtype not in floats and a.dtype.kind in "biu")

    def convert(a: Any, dtype: str) -> Any:
        return np.asarray(a, dtype=dtype) if a.__class__ in (list, tuple) or _is_float(dtype) else a

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        if not kwargs:
            for a in args:  # (needs(a), written out)
                cls = a.__class__
                if cls in slow or (cls is ndarray and a.dtype not in floats and a.dtype.kind in "biu"):
                    break
            else:
                return fn(*args)
        refuse(args, kwargs)
        # (by position, never zip: an extra argument must still reach fn, whose TypeError names it)
        args = tuple([convert(a, order[i]) if i < len(order) and needs(a) else a for i, a in enumerate(args)])
        kwargs = {k: convert(a, dtypes.get(k, "float64")) if needs(a) else a for k, a in kwargs.items()}
        return fn(*args, **kwargs)

    return call


def _converter(backend: str) -> tuple[Callable[[Any], bool], Callable[[Any, str], Any]]:
    if backend == "torch":
        import torch

        return (lambda a: not isinstance(a, torch.Tensor),
                lambda a, dtype: torch.as_tensor(np.asarray(a) if hasattr(a, "__array__") else a,
                                                 dtype=getattr(torch, dtype)))
    if backend == "jax":
        import jax
        import jax.numpy as jnp

        # (integer and bool arrays of float inputs too, as NumPy code converts them: jax.jit's tracers have dtypes)
        def integral(a: Any) -> bool:
            return getattr(getattr(a, "dtype", None), "kind", None) in ("b", "i", "u")

        def as_jax(a: Any, dtype: str) -> Any:
            if _is_float(dtype) and integral(a):
                return jnp.asarray(a, dtype=jax.dtypes.canonicalize_dtype(dtype))
            return jnp.asarray(a)

        return (lambda a: a.__class__ is list or a.__class__ is tuple or a.__class__ in _NOT_NUMBERS
                or integral(a)), as_jax
    return (lambda a: a.__class__ is list or a.__class__ is tuple or a.__class__ in _NOT_NUMBERS), \
        (lambda a, dtype: np.asarray(a, dtype=dtype))


__all__ = ["helper", "checked", "check_lines", "converting"]
