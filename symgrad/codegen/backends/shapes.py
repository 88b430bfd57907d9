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

Functions of scalar leaves in the NumPy, JAX and PyTorch backends take
arrays of points of any shape (docs/codegen.md): they get no check.  The C
backend checks in its ``ctypes`` wrapper (``c._c_argument``).
"""

from __future__ import annotations

from symgrad.codegen.backends import literals
from symgrad.codegen.program import Program

# Pure Python (no import), so that it runs in every backend's module.
_HELPER = '''def _check_shapes(function, names, shapes, args):
    for k, (name, want, a) in enumerate(zip(names, shapes, args)):
        got = _shape_of(a)
        if got != want:
            got = "a ragged nested list" if got is None else got
            raise ValueError(f"{function}(): argument {k + 1} ({name}) must have shape {want}, got {got}; "
                             HINT)


def _shape_of(a):
    shape = getattr(a, "shape", None)
    if shape is not None:
        return tuple(shape)
    if not isinstance(a, (list, tuple)):
        return ()
    inner = {_shape_of(b) for b in a}
    if len(inner) > 1 or None in inner:
        return None
    return (len(a), *(inner.pop() if inner else ()))'''

_HINTS = {
    "math": "the math backend computes one point per call (backend='numpy' takes arrays of points)",
}
_HINT = ("the code was generated for these shapes (only functions of scalar leaves take arrays of points); "
         "generate it again from tensors of the shapes you need")


def helper(backend: str) -> str:
    """The source of ``_check_shapes`` (and ``_shape_of``), with the backend's advice."""
    return _HELPER.replace("HINT", repr(_HINTS.get(backend, _HINT)))


def checked(program: Program, vectorized: bool) -> bool:
    """Whether the program's code checks its inputs' shapes."""
    return bool(program.inputs) and not vectorized


def check_lines(program: Program) -> list[str]:
    """The statements that check the inputs (indented for the function body)."""
    tests = []
    wanted = [tuple(int(d) for d in inp.shape) for inp in program.inputs]  # (a SymPy array's are Integers)
    for inp, want in zip(program.inputs, wanted):
        shape = literals.literal(want)
        if want:
            tests.append(f'getattr({inp.name}, "shape", None) != {shape}')
        else:  # (a Python float, the usual scalar, needs no attribute lookup)
            tests.append(f'({inp.name}.__class__ is not float and getattr({inp.name}, "shape", None) != ())')
    names = repr(tuple(inp.name for inp in program.inputs))  # (identifiers from names.Namespace)
    shapes = literals.literal(tuple(wanted))
    args = ", ".join(inp.name for inp in program.inputs) + ("," if len(program.inputs) == 1 else "")
    return [f"    if {' or '.join(tests)}:",
            f"        _check_shapes({program.name!r}, {names}, {shapes}, ({args}))"]


__all__ = ["helper", "checked", "check_lines"]
