"""What the edge-point comparisons of generated code with eager code share
(tests/test_codegen_edges.py, one argument; test_codegen_edges_binary.py, two)."""

from __future__ import annotations

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
