"""The Python backends (NumPy, ``math``, JAX, PyTorch): printing a ``Program``
as a module with one function, and loading it.

Only the generated source is compiled, and every name in it came from
``names.Namespace``; docstrings are escaped by ``literals.docstring``.
"""

from __future__ import annotations

import itertools
import linecache
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from sympy.core.basic import Basic

from symgrad.codegen.backends import blocks, literals, shapes
from symgrad.codegen.backends.context import Context, Emitter
from symgrad.codegen.graph import CodegenError
from symgrad.codegen.names import Namespace
from symgrad.codegen.program import Call, Output, Program

# Constants with more elements than this are handed to the code when it is
# loaded instead of being written into the source.
MAX_INLINE_CONSTANT = 1000

_counter = itertools.count(1)


@dataclass
class PythonBackend:
    """How one Python library spells the program."""

    name: str
    module: str
    make_printer: Callable[[], Any]
    table: dict[str, Emitter] = field(default_factory=dict)
    helpers: dict[str, str] = field(default_factory=dict)
    scalar_only: bool = False
    imports: tuple[str, ...] = ()
    array_call: str = "numpy.array"
    masks_as_indices: bool = False
    unsupported: dict[str, str] = field(default_factory=dict)
    blocks: bool = False  # run programs of scalars over many points in cache-sized blocks (backends.blocks)
    compiles: ClassVar[bool] = False  # (compile=True is for C: generate._check_compile)

    # ------------------------------------------------------------ names

    def element_name(self, base: str, index: tuple[int, ...], shape: tuple[int, ...]) -> str:
        """How code reads one element of an array input."""
        if self.scalar_only:
            return base + "".join(f"[{i}]" for i in index)
        return f"{base}[{', '.join(str(i) for i in index)}]"

    def convert_constant(self, arr: np.ndarray) -> Any:
        if self.module == "torch":
            import torch

            return torch.as_tensor(arr)
        return arr

    def vectorizes(self, program: Program) -> bool:
        """Whether the code takes arrays of points for its inputs: code of
        scalars in an array library (the math backend computes one point)."""
        return program.mode == "scalar" and not self.scalar_only

    def array_literal(self, arr: np.ndarray) -> str:
        dtype = "bool_" if arr.dtype == np.bool_ else arr.dtype.name
        module = "numpy"
        if self.module == "torch":
            dtype, module = ("bool" if arr.dtype == np.bool_ else dtype), "torch"
        if not arr.size:  # a nested list of no elements, [], would lose the shape (0, 3)
            return f"{module}.zeros({arr.shape!r}, dtype={module}.{dtype})"
        return f"{module}.{'tensor' if module == 'torch' else 'array'}({literals.nested_list(arr)}, dtype={module}.{dtype})"

    # ------------------------------------------------------------ printing

    def render(self, program: Program) -> tuple[str, dict[str, Any]]:
        """The module source, and the large constants it expects to find bound."""
        printer = self.make_printer()
        ctx = Context(self.module, printer, _ConstantNames(program), self.helpers,
                      lambda name, arr: self.array_literal(arr), self.masks_as_indices)
        body = [f"{a.target.name} = {self._rhs(ctx, a.value)}" for a in program.body]
        returned = self._returns(ctx, program, body)
        self._printed_helpers(ctx, "\n".join([*body, returned]))
        constants, bound = self._constants(ctx, program)
        checked = shapes.checked(program, self.vectorizes(program))
        dtypes = shapes.dtype_constants(program, self.name) if checked else []
        code = "\n".join([*ctx.helpers.values(), *constants, *dtypes, *body, returned])
        lines = [f"import {m}" for m in self._imports(printer, ctx, code)]
        lines += ["", ""] if lines else []
        for source in ctx.helpers.values():
            lines += [source, "", ""]
        if checked:
            lines += [shapes.helper(self.name), "", ""]
            lines += dtypes + ["", ""] if dtypes else []
        if constants:
            lines += constants + ["", ""]
        params = ", ".join(inp.name for inp in program.inputs)
        lines.append(f"def {program.name}({params}):")
        lines.append(literals.docstring(program.doc))
        if checked:
            lines += shapes.check_lines(program, self.name)
        lines += ["    " + line for line in body]
        lines.append(f"    return {returned}")
        return "\n".join(lines) + "\n", bound

    def _rhs(self, ctx: Context, value: Any) -> str:
        if isinstance(value, Call):
            emit = self.table.get(value.op)
            if emit is None:
                reason = self.unsupported.get(value.op, "no emitter is defined for it")
                raise CodegenError(f"op {value.op!r} is not supported by the {self.name} backend ({reason}); "
                                   "use backend='numpy', which supports every op")
            return emit(ctx, value, [ctx.expr(a) for a in value.args])
        return ctx.expr(value)

    def _returns(self, ctx: Context, program: Program, body: list[str]) -> str:
        def one(out: Output) -> str:
            v = out.value
            if isinstance(v, np.ndarray) and not v.size and not self.scalar_only:
                text = self.array_literal(np.zeros(out.shape, dtype=out.dtype))  # no elements to pack
            elif isinstance(v, np.ndarray):
                text = self._pack(ctx, out.shape, [ctx.expr(e) for e in v.reshape(-1)])
            else:
                text = ctx.expr(v)
                if isinstance(v, Basic) and (v.is_Symbol or v.is_Number):
                    return text
            body.append(f"{out.name} = {text}")
            return out.name

        def tree(node: Any, top: bool) -> str:
            if isinstance(node, Output):
                return one(node)
            items = [tree(x, False) for x in node]
            if isinstance(node, list):
                return "[" + ", ".join(items) + "]"
            inner = items[0] + "," if len(items) == 1 else ", ".join(items)
            return inner if top and items else f"({inner})"

        return tree(program.outputs, True)

    def _printed_helpers(self, ctx: Context, code: str) -> None:
        """Helpers the printer (not an emitter) refers to, such as ``_erf``."""
        for name in self.helpers:  # a substring test first: the code may be megabytes
            if name not in ctx.helpers and name + "(" in code and re.search(rf"(?<![\w.]){re.escape(name)}\(", code):
                ctx.helper(name)

    def _pack(self, ctx: Context, shape: tuple[int, ...], items: list[str]) -> str:
        if self.scalar_only:
            return _nested(items, shape)
        return f"{ctx.helper('_pack')}({ctx.lit(shape)}, {', '.join(items)})"

    def _constants(self, ctx: Context, program: Program) -> tuple[list[str], dict[str, Any]]:
        lines, bound = [], {}
        for c in program.constants:
            if c.value.size > MAX_INLINE_CONSTANT:
                lines.append(f"# {c.symbol.name}: {c.value.dtype} array of shape {c.value.shape}, "
                             "bound when the function was loaded")
                bound[c.symbol.name] = self.convert_constant(c.value)
            else:
                lines.append(f"{c.symbol.name} = {self.array_literal(c.value)}")
        lines += [f"{name} = {text}" for name, text in ctx.arrays]
        return lines, bound

    def _imports(self, printer: Any, ctx: Context, text: str) -> list[str]:
        """The modules the code refers to (``numpy.sin`` needs ``import numpy``)."""
        candidates = [*self.imports, *getattr(printer, "module_imports", {})]
        used = []
        for m in candidates:
            if m not in used and m + "." in text and re.search(rf"(?<![\w.]){re.escape(m)}\.", text):
                used.append(m)
        return used

    # ------------------------------------------------------------ loading

    def vector_build(self, program: Program) -> bool:
        return False  # (C's: the library's build flags)

    def load(self, program: Program, source: str, bound: dict[str, Any],
             compile_code: bool = False, vectorize: bool = False) -> Callable[..., Any]:
        """The generated function (``compile_code`` and ``vectorize`` are for C, refused before for Python code)."""
        fn = load_python(source, program.name, bound)
        if self.vectorizes(program):
            fn = shapes.converting(fn, program, self.name)
        if self.blocks and self.vectorizes(program) and all(not i.shape for i in program.inputs):
            return blocks.in_blocks(fn, program)  # (blocks of points; outputs one per point)
        return fn


def load_python(source: str, name: str, bound: dict[str, Any]) -> Callable[..., Any]:
    """Compile generated source (registered with ``linecache`` so tracebacks show it)."""
    filename = f"<symgrad-generated-{next(_counter)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace: dict[str, Any] = {"__name__": "symgrad_generated", **bound}
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - our own generated code only
    # Taken out of its module's namespace (the code never calls itself by name):
    # a function in its own globals is a reference cycle, so it and its
    # program would wait for the cyclic garbage collector instead of being
    # freed when the last reference goes (tens of thousands of objects for a
    # large graph, collected later in the middle of someone else's work).
    return namespace.pop(name)


def _nested(items: list[str], shape: tuple[int, ...]) -> str:
    if not shape:
        return items[0]
    step = len(items) // shape[0] if shape[0] else 0
    parts = [_nested(items[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]
    return "[" + ", ".join(parts) + "]"


class _ConstantNames(Namespace):
    """Names for constants the printing adds (index arrays), avoiding the program's names."""

    def __init__(self, program: Program) -> None:
        super().__init__()
        self._program: Program | None = program

    def _take_program_names(self) -> None:
        # Made on the first name asked for: most programs ask for none (only
        # array mode's index arrays do), and a large one has thousands of names.
        program, self._program = self._program, None
        if program is not None:
            taken = {inp.name for inp in program.inputs} | {a.target.name for a in program.body}
            taken |= {c.symbol.name for c in program.constants} | {program.name}
            taken |= {o.name for o in program.output_list()}
            self._taken.update(taken)

    def claim(self, raw: str, fallback: str = "v") -> str:
        self._take_program_names()
        return super().claim(raw, fallback)

    def temp(self, prefix: str = "t") -> str:
        self._take_program_names()
        return super().temp(prefix)
