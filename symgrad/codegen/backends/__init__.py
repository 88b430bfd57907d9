"""The backends: how NumPy, ``math``, JAX, PyTorch and C spell a program.

Each backend has a SymPy printer for elementwise expressions and (array
backends) a table from op names to emitters for the other ops; ``table``
plus ``unsupported`` must name every op of ``symgrad.ops.TABLE`` that is not
elementwise (a test checks it).
"""

from __future__ import annotations

from typing import Any

from symgrad.codegen.backends import array_emitters, math_helpers, torch_emitters
from symgrad.codegen.backends.c import CBackend
from symgrad.codegen.backends.python import PythonBackend
from symgrad.codegen.graph import CodegenError
from symgrad.codegen.printers import JaxCode, MathCode, NumPyCode, torch_printer

NAMES = ("numpy", "math", "jax", "torch", "c")


def get(name: str) -> Any:
    """The backend called ``name``."""
    if name == "numpy":
        return PythonBackend("numpy", "numpy", NumPyCode, array_emitters.numpy_table(), array_emitters.HELPERS,
                             imports=("numpy", "math"), blocks=True)
    if name == "math":
        return PythonBackend("math", "math", MathCode, helpers=math_helpers.HELPERS, scalar_only=True,
                             imports=("math",))
    if name == "jax":
        _require("jax", "pip install jax")
        return PythonBackend("jax", "jax.numpy", JaxCode, array_emitters.jax_table(), array_emitters.JAX_HELPERS,
                             imports=("jax", "jax.lax", "jax.numpy", "jax.nn", "jax.scipy.special", "numpy"), masks_as_indices=True)
    if name == "torch":
        _require("torch", "pip install torch")
        return PythonBackend("torch", "torch", torch_printer, torch_emitters.torch_table(), torch_emitters.HELPERS,
                             imports=("torch",))
    if name == "c":
        return CBackend()
    raise CodegenError(f"unknown backend {name!r}; choose one of {', '.join(NAMES)}")


def _require(module: str, how: str) -> None:
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise CodegenError(f"backend {module!r} needs {module} installed ({how})")
