"""What the edge-point comparisons of generated code with eager code share
(tests/test_codegen_edges.py, one argument; test_codegen_edges_binary.py, two)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest


def same(got: Any, want: Any) -> bool:
    """The same float64 bits (the sign of a zero counts), or both nan."""
    g, w = np.float64(got), np.float64(want)
    return g.tobytes() == w.tobytes() or bool(np.isnan(g) and np.isnan(w))


def differentiable(out: Any) -> bool:
    return bool(out.requires_grad and out.dtype.is_floating_point)


def scalar_build(backend: str) -> dict[str, Any]:
    """The build options of ``math`` or C code (C compiled; skipped without a compiler)."""
    if backend != "c":
        return {}
    from symgrad.codegen.backends.c import compiler

    if compiler() is None:
        pytest.skip("no C compiler")
    return {"compile": True}


LIBRARIES = ["jax", "torch"]  # the array backends whose code calls another library's functions


def library_argument(backend: str) -> Callable[[np.ndarray], Any]:
    """How a float64 array of points goes into ``jax`` or ``torch`` code (skipped
    when the library is absent).  JAX computes in float32 unless its ``jax_enable_x64``
    is set, as docs/codegen.md says to do (and the other JAX tests do)."""
    if backend == "jax":
        jax = pytest.importorskip("jax")
        jax.config.update("jax_enable_x64", True)
        return lambda a: a
    torch = pytest.importorskip("torch")
    return torch.as_tensor


def as_numpy(result: Any) -> np.ndarray:
    """A JAX or torch array (or a number) as a NumPy array."""
    return np.asarray(result.detach().numpy() if hasattr(result, "detach") else result)
