"""Program size, measured the same way for every tool: arithmetic operations
and calls in the generated Python function's body, by symgrad's own counter
(``symgrad.codegen.count_operations``)."""

from __future__ import annotations

import re


def count_python_source(source: str) -> int:
    """Operations in a generated Python function (SymPy's ``_lambdifygenerated`` included)."""
    from symgrad.codegen import count_operations

    # count_operations reads the last public function of the source; SymPy's is named with an underscore.
    return int(count_operations(re.sub(r"\bdef _lambdifygenerated\b", "def lambdifygenerated", source), "python"))
