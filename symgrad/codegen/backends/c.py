"""The C99 backend: one ``void`` function, scalars by value, arrays as
``const double *`` (row-major), every output written through a ``double *``.

``compile=True`` builds a shared library with the system C compiler (``$CC``,
else ``cc``, ``gcc`` or ``clang``), caches it by the hash of its source, and
wraps it with ``ctypes`` so it can be called with NumPy arrays.
"""

from __future__ import annotations

import ctypes
import hashlib
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
"""


class CBackend:
    """How C99 spells the program."""

    name = "c"
    module = "c"
    scalar_only = True
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
        if getattr(printer, "_not_supported", None):
            names = sorted({type(m).__name__ for m in printer._not_supported})
            raise CodegenError(f"the C backend cannot print {', '.join(names)}; use backend='numpy'")
        return "\n".join(lines) + "\n", {}

    def load(self, program: Program, source: str, bound: dict[str, Any],
             compile_code: bool = False) -> Callable[..., Any]:
        if not compile_code:
            return _not_compiled(program)
        library = ctypes.CDLL(build_library(source))
        return _wrap(getattr(library, program.name), program)


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


def build_library(source: str) -> str:
    """A shared library built from ``source`` (cached by its hash)."""
    cc = compiler()
    if cc is None:
        raise CodegenError("compile=True needs a C compiler and none was found (looked for $CC, cc, gcc, clang); "
                           "install one, or leave compile=False and compile .source yourself")
    digest = hashlib.sha256((cc + "\0" + source).encode()).hexdigest()[:24]
    cache = Path(tempfile.gettempdir()) / f"symgrad-codegen-{_user()}"
    cache.mkdir(parents=True, exist_ok=True)
    library = cache / f"{digest}.so"
    if library.exists():
        return str(library)
    with tempfile.TemporaryDirectory(dir=cache) as work:
        src = Path(work) / "generated.c"
        src.write_text(source)
        out = Path(work) / "generated.so"
        result = subprocess.run([cc, "-O2", "-std=c99", "-shared", "-fPIC", "-o", str(out), str(src), "-lm"],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise CodegenError(f"the C compiler failed on the generated code:\n{result.stderr}")
        os.replace(out, library)  # atomic: another process may be building the same file
    return str(library)


def _user() -> str:
    getuid = getattr(os, "getuid", None)
    return str(getuid()) if getuid else "user"


# ctypes (libffi) calls functions of at most this many arguments.
MAX_CTYPES_ARGUMENTS = 1024


def _wrap(fn: Any, program: Program) -> Callable[..., Any]:
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

    def call(*args: Any) -> Any:
        if len(args) != len(inputs):
            raise TypeError(f"{program.name}() takes {len(inputs)} arguments "
                            f"({', '.join(i.name for i in inputs)}), got {len(args)}")
        c_args = [_c_argument(program, inp, kind, a) for (inp, kind), a in zip(checked, args)]
        buffer = np.empty(starts[-1])
        base = buffer.ctypes.data
        fn(*c_args, *[base + off for off in offsets])
        return map_outputs(program.outputs, lambda o: _result(buffer, *places[id(o)]))

    call.__name__ = program.name
    return call


_FLOAT64 = np.dtype(np.float64)


def _c_argument(program: Program, inp: Any, kind: Any, a: Any) -> Any:
    """What ctypes passes for one input: a float, or float64 data in row-major order."""
    if kind is None:
        if type(a) is float:
            return a
        arr = np.asarray(a, dtype=np.float64)
    elif type(a) is np.ndarray and a.dtype is _FLOAT64 and a.flags.c_contiguous:
        arr = a
    else:
        arr = np.ascontiguousarray(a, dtype=np.float64)
    if arr.shape != inp.shape:
        raise ValueError(f"{program.name}(): {inp.name} must have shape {inp.shape}, got {arr.shape}; "
                         "the C function evaluates one point per call (use backend='numpy' for arrays "
                         "of points)")
    if kind is None:
        return float(arr)
    # (the ctypes array shares the array's memory and keeps it alive during the call)
    return kind.from_buffer(arr) if arr.flags.writeable else arr.ctypes.data


def _result(buffer: np.ndarray, start: int, stop: int, out: Output) -> Any:
    if not out.shape:
        value = buffer[start]
        return bool(value) if out.dtype == np.bool_ else float(value)
    arr = buffer[start:stop].reshape(out.shape)
    return arr.astype(bool) if out.dtype == np.bool_ else arr


__all__ = ["CBackend", "build_library", "compiler"]
