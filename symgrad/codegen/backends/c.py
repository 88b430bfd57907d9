"""The C99 backend: one ``void`` function, scalars by value, arrays as
``const double *`` (row-major), every output written through a ``double *``.
A program of scalars (scalar inputs and outputs) also gets ``NAME_points``,
the same body in a loop over ``n`` points (one array per input and output).

``compile=True`` builds a shared library with the system C compiler (``$CC``,
else ``cc``, ``gcc`` or ``clang``), caches it by the hash of its source, and
wraps it with ``ctypes`` so it can be called with numbers, or with arrays of
points (which go to the loop).  The build first tries vector flags: with GCC
on x86-64 glibc, libmvec's SIMD ``sin``/``cos``/``exp``/``log``/``pow`` let
the loop over points be vectorised (measured: 2-3 ms for 10^6 points of
``x*x*y + sin(x*y) + exp(-z**2)`` and its gradient, against 19 ms for the
scalar loop and 35-50 ms for hand-written NumPy).  Only loops of up to
``MAX_VECTORISED_BODY`` assignments are: vectorising a larger body costs
seconds of compile time; other programs get the plain build.  No ``-ffast-math``: IEEE
semantics (nan, inf, no reassociation) are kept; libmvec's functions are
within 4 ulp, as NumPy's own SIMD ones are.  When those flags or libmvec are
not available the build falls back to a plain ``-O2`` one.
"""

from __future__ import annotations

import ctypes
import hashlib
import inspect
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sympy.core.basic import Basic

from symgrad.codegen.graph import CodegenError
from symgrad.codegen.printers import CCode
from symgrad.codegen.program import Node, Output, Program, map_outputs

_PRELUDE = """#ifndef _USE_MATH_DEFINES
#define _USE_MATH_DEFINES  /* M_PI and friends on MSVC */
#endif
#if !defined(_XOPEN_SOURCE) && !defined(_WIN32)
#define _XOPEN_SOURCE 700  /* M_PI and friends under -std=c99 */
#endif
#include <math.h>
/* max/min that give nan when an operand is nan, as symgrad.maximum/minimum (fmax/fmin drop it) */
static inline double sg_maximum(double a, double b) { return (a > b || a != a) ? a : b; }
static inline double sg_minimum(double a, double b) { return (a < b || a != a) ? a : b; }
/* numpy.floor_divide of doubles (NumPy's npy_floor_divide, as symgrad.floor_divide): nan at (inf, 1) */
static inline double sg_floor_divide(double a, double b) {
    if (b == 0) return a / b;
    double mod = fmod(a, b), div = (a - mod) / b, floordiv;
    if (mod != 0 && ((b < 0) != (mod < 0))) div -= 1.0;
    if (div != 0) { floordiv = floor(div); if (div - floordiv > 0.5) floordiv += 1.0; }
    else floordiv = copysign(0.0, a / b);
    return floordiv;
}
#if defined(SYMGRAD_VECTOR_MATH) && defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
/* SIMD versions exist in glibc's libmvec: declared so, GCC vectorises the loop over points */
__attribute__((const, __simd__("notinbranch"))) extern double sin(double);
__attribute__((const, __simd__("notinbranch"))) extern double cos(double);
__attribute__((const, __simd__("notinbranch"))) extern double exp(double);
__attribute__((const, __simd__("notinbranch"))) extern double log(double);
__attribute__((const, __simd__("notinbranch"))) extern double pow(double, double);
#endif
"""

# The vector build: -fno-builtin-sin/cos keep GCC from fusing sin and cos of
# one argument into sincos, which has no vector version and stops the loop
# being vectorised (measured with -fopt-info-vec).  -fno-math-errno: errno is
# never read, and setting it would forbid vectorising.
_VECTOR_FLAGS = ["-O3", "-march=native", "-fno-math-errno", "-fno-builtin-sin", "-fno-builtin-cos",
                 "-DSYMGRAD_VECTOR_MATH"]
_VECTOR_LIBS = ["-lmvec"]
_PLAIN_FLAGS = ["-O2"]

# The largest loop body (assignments) built with the vector flags.
MAX_VECTORISED_BODY = 300


class CBackend:
    """How C99 spells the program."""

    name = "c"
    module = "c"
    scalar_only = True
    compiles = True
    table: dict[str, Any] = {}
    unsupported: dict[str, str] = {}

    def element_name(self, base: str, index: tuple[int, ...], shape: tuple[int, ...]) -> str:
        return f"{base}[{int(np.ravel_multi_index(index, shape))}]"

    def render(self, program: Program) -> tuple[str, dict[str, Any]]:
        printer = CCode()
        params = [f"double {i.name}" if not i.shape else f"const double *{i.name}" for i in program.inputs]
        params += [f"double *{o.name}" for o in program.output_list()]
        lines = [_comment(program.doc), _PRELUDE, f"void {program.name}({', '.join(params)})", "{"]
        # A value only an output reads is named after it (generate._name_outputs):
        # here that name is the output pointer, so it is written through it.
        direct = {o.value for o in program.output_list() if isinstance(o.value, Basic) and o.value.is_Symbol
                  and o.value.name == o.name}
        for a in program.body:
            target = f"{a.target.name}[0]" if a.target in direct else f"const double {a.target.name}"
            lines.append(f"    {target} = {printer._print(a.value)};")
        for out in program.output_list():
            if isinstance(out.value, Basic) and out.value in direct:
                continue
            values = out.value.reshape(-1) if isinstance(out.value, np.ndarray) else [out.value]
            for k, e in enumerate(values):
                lines.append(f"    {out.name}[{k}] = {printer._print(e) if isinstance(e, (Basic, Node)) else e};")
        lines.append("}")
        if program.of_scalars():
            lines += ["", *_points_function(program, printer)]
        if getattr(printer, "_not_supported", None):
            names = sorted({type(m).__name__ for m in printer._not_supported})
            raise CodegenError(f"the C backend cannot print {', '.join(names)}; use backend='numpy'")
        return "\n".join(lines) + "\n", {}

    def vector_build(self, program: Program) -> bool:
        """Whether the library is built with the vector flags: for a loop over
        points whose body is of moderate size only (vectorising is worth its
        compile time there: measured with GCC 12, 0.3 s at 130 temporaries,
        1.4 s at 430, 9 s at 1,300 against 3 s for -O2)."""
        return program.of_scalars() and len(program.body) <= MAX_VECTORISED_BODY

    def load(self, program: Program, source: str, bound: dict[str, Any],
             compile_code: bool = False, vectorize: bool = False) -> Callable[..., Any]:
        """The function (``vectorize``: ``vector_build``'s answer, kept when it is
        pickled, whose program has no body)."""
        if not compile_code:
            return _not_compiled(program)
        library = ctypes.CDLL(build_library(source, vectorize=vectorize))
        points = getattr(library, program.name + "_points") if program.of_scalars() else None
        return _wrap(getattr(library, program.name), program, points)


def _points_function(program: Program, printer: Any) -> list[str]:
    """``NAME_points``: the body in a loop over ``n`` points (or, for a body
    too large to vectorise, a call of the point function).  Its own names
    take a prefix no name of the program starts with, so they cannot clash
    with the program's; among themselves, ``in_``/``out_`` keep the arrays
    apart from the count and the index."""
    p = _free_prefix(program)
    inputs, outputs = program.inputs, program.output_list()
    params = [f"long {p}n", *[f"const double *restrict {p}in_{i.name}" for i in inputs],
              *[f"double *restrict {p}out_{o.name}" for o in outputs]]
    lines = [f"/* {program.name} at {p}n points: each input and output is an array, point i at [i] */",
             f"void {program.name}_points({', '.join(params)})", "{",
             f"    for (long {p}i = 0; {p}i < {p}n; {p}i++) {{"]
    if len(program.body) > MAX_VECTORISED_BODY:  # not vectorised: calling the point function compiles faster
        arguments = [f"{p}in_{i.name}[{p}i]" for i in inputs] + [f"{p}out_{o.name} + {p}i" for o in outputs]
        return [*lines, f"        {program.name}({', '.join(arguments)});", "    }", "}"]
    lines += [f"        const double {i.name} = {p}in_{i.name}[{p}i];" for i in inputs]
    lines += [f"        const double {a.target.name} = {printer._print(a.value)};" for a in program.body]
    for out in outputs:
        e = out.value
        lines.append(f"        {p}out_{out.name}[{p}i] = {printer._print(e) if isinstance(e, (Basic, Node)) else e};")
    return [*lines, "    }", "}"]


def _free_prefix(program: Program) -> str:
    names = [program.name, *(i.name for i in program.inputs), *(o.name for o in program.output_list()),
             *(a.target.name for a in program.body)]
    k = 1
    while True:
        prefix = "pt_" if k == 1 else f"pt{k}_"
        if not any(name.startswith(prefix) for name in names):
            return prefix
        k += 1


def _comment(doc: str) -> str:
    text = doc.replace("*/", "* /")
    return "/*\n" + "\n".join(" * " + line if line else " *" for line in text.split("\n")) + "\n */"


def _not_compiled(program: Program) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        raise RuntimeError(f"{program.name} is C source only; pass compile=True to build it with the system C "
                           "compiler and call it from Python (or compile .source yourself)")
    return call


def compiler() -> str | None:
    """The C compiler to use: ``$CC``, else the first of cc, gcc, clang on the PATH."""
    for name in (os.environ.get("CC"), "cc", "gcc", "clang"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def build_library(source: str, vectorize: bool = False) -> str:
    """A shared library built from ``source`` (cached by its hash); with
    ``vectorize``, the vector build is tried first."""
    cc = compiler()
    if cc is None:
        raise CodegenError("compile=True needs a C compiler and none was found (looked for $CC, cc, gcc, clang); "
                           "install one, or leave compile=False and compile .source yourself")
    builds = ([(_VECTOR_FLAGS, _VECTOR_LIBS)] if vectorize else []) + [(_PLAIN_FLAGS, [])]
    tried = repr(builds)
    digest = hashlib.sha256((cc + "\0" + tried + "\0" + source).encode()).hexdigest()[:24]
    cache = Path(tempfile.gettempdir()) / f"symgrad-codegen-{_user()}"
    cache.mkdir(parents=True, exist_ok=True)
    library = cache / f"{digest}.so"
    if library.exists():
        return str(library)
    with tempfile.TemporaryDirectory(dir=cache) as work:
        src = Path(work) / "generated.c"
        src.write_text(source)
        out = Path(work) / "generated.so"
        for flags, libs in builds:
            result = subprocess.run([cc, *flags, "-std=c99", "-shared", "-fPIC", "-o", str(out), str(src),
                                     *libs, "-lm"], capture_output=True, text=True)
            if result.returncode == 0:
                break
        else:  # (the plain build's message: the vector build may fail for reasons of its own)
            raise CodegenError(f"the C compiler failed on the generated code:\n{result.stderr}")
        os.replace(out, library)  # atomic: another process may be building the same file
    return str(library)


def _user() -> str:
    getuid = getattr(os, "getuid", None)
    return str(getuid()) if getuid else "user"


# ctypes (libffi) calls functions of at most this many arguments.
MAX_CTYPES_ARGUMENTS = 1024


def _wrap(fn: Any, program: Program, points: Any = None) -> Callable[..., Any]:
    inputs, outputs = program.inputs, program.output_list()
    if len(inputs) + len(outputs) > MAX_CTYPES_ARGUMENTS:
        raise CodegenError(f"{program.name} has {len(inputs) + len(outputs)} parameters and Python's ctypes calls at "
                           f"most {MAX_CTYPES_ARGUMENTS}; pass arrays instead of many scalars (symgrad.stack), or use "
                           "compile=False and compile .source yourself")
    fn.restype = None
    fn.argtypes = [ctypes.c_double if not i.shape else ctypes.c_void_p for i in inputs] + \
        [ctypes.c_void_p] * len(outputs)
    # Per call, the wrapper is most of the cost on small problems (a 1-16-1
    # MLP's C code runs in 2 us), so it is set up here once.  Array inputs that
    # already are C-contiguous float64 are passed as they are, through the
    # buffer protocol (from_buffer: 0.5 us against 0.8 us for .ctypes.data);
    # all outputs share one new buffer, and the C function gets pointers into it.
    kinds = [ctypes.c_double * int(np.prod(i.shape)) if i.shape else None for i in inputs]
    sizes = [int(np.prod(o.shape)) for o in outputs]
    starts = [int(k) for k in np.cumsum([0, *sizes])]
    offsets = [8 * k for k in starts[:-1]]
    places = {id(o): (starts[k], starts[k + 1], o) for k, o in enumerate(outputs)}
    checked = list(zip(inputs, kinds, strict=True))

    at_points = None if points is None else _wrap_points(points, program)
    signature = inspect.Signature([inspect.Parameter(i.name, inspect.Parameter.POSITIONAL_OR_KEYWORD)
                                   for i in inputs])

    def call(*args: Any, **kwargs: Any) -> Any:
        if kwargs:  # by name, as the Python backends' functions take them
            try:
                args = signature.bind(*args, **kwargs).args
            except TypeError as e:
                raise TypeError(f"{program.name}(): {e}") from None
        if len(args) != len(inputs):
            raise TypeError(f"{program.name}() takes {len(inputs)} arguments "
                            f"({', '.join(i.name for i in inputs)}), got {len(args)}")
        if at_points is not None and any(type(a) is not float and np.ndim(a) for a in args):
            return at_points(args)
        c_args = [_c_argument(program, inp, kind, a) for (inp, kind), a in zip(checked, args)]
        buffer = np.empty(starts[-1])
        base = buffer.ctypes.data
        fn(*c_args, *[base + off for off in offsets])
        return map_outputs(program.outputs, lambda o: _result(buffer, *places[id(o)]))

    call.__name__ = program.name
    call.__signature__ = signature  # type: ignore[attr-defined]
    return call


def _wrap_points(fn: Any, program: Program) -> Callable[[tuple[Any, ...]], Any]:
    """The call of ``NAME_points``: inputs broadcast against each other (as
    NumPy does) and laid out as float64 columns; each output an array of
    their shape."""
    inputs, outputs = program.inputs, program.output_list()
    fn.restype = None
    fn.argtypes = [ctypes.c_long] + [ctypes.c_void_p] * (len(inputs) + len(outputs))
    row = {id(o): k for k, o in enumerate(outputs)}

    def at_points(args: tuple[Any, ...]) -> Any:
        arrays = [_floats(program, inp.name, a) for inp, a in zip(inputs, args, strict=True)]
        try:
            shape = np.broadcast_shapes(*(a.shape for a in arrays))
        except ValueError:
            raise ValueError(f"{program.name}(): the inputs' shapes {[list(a.shape) for a in arrays]} do not "
                             "broadcast against each other; give every input the points' shape (or a scalar)") from None
        columns = [np.ascontiguousarray(np.broadcast_to(a, shape)).reshape(-1) for a in arrays]
        n = columns[0].size if columns else 0
        result = np.empty((len(outputs), n))
        fn(n, *[c.ctypes.data for c in columns], *[result[k].ctypes.data for k in range(len(outputs))])

        def pick(o: Output) -> Any:
            values = result[row[id(o)]].reshape(shape)
            return values.astype(bool) if o.dtype == np.bool_ else values

        return map_outputs(program.outputs, pick)

    return at_points


_FLOAT64 = np.dtype(np.float64)


def _c_argument(program: Program, inp: Any, kind: Any, a: Any) -> Any:
    """What ctypes passes for one input: a float, or float64 data in row-major order."""
    if kind is None:
        if type(a) is float:
            return a
        arr = _floats(program, inp.name, a)
    elif type(a) is np.ndarray and a.dtype is _FLOAT64 and a.flags.c_contiguous:
        arr = a
    else:
        arr = np.ascontiguousarray(_floats(program, inp.name, a))
    if arr.shape != inp.shape:
        raise ValueError(f"{program.name}(): {inp.name} must have shape {inp.shape}, got {arr.shape}; "
                         "the C function evaluates one point per call (use backend='numpy' for arrays "
                         "of points)")
    if kind is None:
        return float(arr)
    # (the ctypes array shares the array's memory and keeps it alive during the call)
    return kind.from_buffer(arr) if arr.flags.writeable else arr.ctypes.data


def _floats(program: Program, name: str, a: Any) -> np.ndarray:
    """``a`` as float64 numbers; anything else refused (NumPy makes None a nan
    and drops a complex number's imaginary part)."""
    arr = np.asarray(a)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{program.name}(): {name} must be a number or an array of numbers, got "
                        f"{type(a).__name__}" + (f" of {arr.dtype}" if isinstance(a, np.ndarray) else ""))
    return arr.astype(np.float64, copy=False)


def _result(buffer: np.ndarray, start: int, stop: int, out: Output) -> Any:
    if not out.shape:
        value = buffer[start]
        return bool(value) if out.dtype == np.bool_ else float(value)
    arr = buffer[start:stop].reshape(out.shape)
    return arr.astype(bool) if out.dtype == np.bool_ else arr


__all__ = ["CBackend", "build_library", "compiler"]
