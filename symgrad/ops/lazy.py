"""Op families that load on first use.

``import symgrad`` loads the families nearly every program uses (arithmetic,
elementwise functions, comparisons, indexing, reductions, shapes, matmul,
losses).  The others - special functions, sorting and scans, factorizations,
statistics, scattering and the like: about 40% of the op table's import time
(benchmark row 9) - load when one of their names is first asked for:
``symgrad.atan2``, ``symgrad.ops.atan2``, ``x.cumsum()`` (Tensor methods go
through ``symgrad.ops``), or an op-table lookup by name.  A lazy name is then
an ordinary attribute of ``symgrad.ops`` and of ``symgrad``.

Which family holds which public name is in ``_lazy_index.py``, written by
``python -m symgrad.ops._write_lazy_index`` from the families' ``__all__``;
``tests/test_lazy_ops.py`` fails when it is stale.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

# in the order their star-imports used to run (a later family's name wins, as it did)
LAZY_FAMILIES = (
    "binary", "special", "bitwise", "sorting", "scans", "contraction", "matrices", "pseudoinverse",
    "matrix_exponential", "spectral", "triangular", "decompositions", "lu_factorization", "scattering", "grouping", "tiling",
    "counting", "sampling", "arranging", "assembly", "searching", "writing", "statistics", "distances",
    "correlation", "integration", "products", "norms",
)


def load(name: str) -> Any:
    """The public function ``name`` of a lazy family, its family imported and
    the name set on ``symgrad.ops`` (and ``symgrad``) so the next look-up is
    a plain attribute; AttributeError when no lazy family has it."""
    from symgrad.ops._lazy_index import FAMILY_OF

    family = FAMILY_OF.get(name)
    if family is None:
        raise AttributeError(f"module 'symgrad.ops' has no attribute {name!r}")
    module = importlib.import_module(f"symgrad.ops.{family}")
    value = getattr(module, name)
    _publish(name, value)
    return value


def load_all() -> None:
    """Import every lazy family (an op-table iteration or an unknown op name needs them)."""
    from symgrad.ops._lazy_index import FAMILY_OF

    if _all_loaded[0]:
        return
    _all_loaded[0] = True
    for family in LAZY_FAMILIES:
        importlib.import_module(f"symgrad.ops.{family}")
    for name, family in FAMILY_OF.items():
        _publish(name, getattr(sys.modules[f"symgrad.ops.{family}"], name))


_all_loaded = [False]


def _publish(name: str, value: Any) -> None:
    for module_name in ("symgrad.ops", "symgrad"):
        module = sys.modules.get(module_name)
        if module is not None:
            setattr(module, name, value)
