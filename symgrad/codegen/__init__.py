"""Code generation: symgrad graphs to NumPy, ``math``, JAX, PyTorch and C code.

The pipeline is graph -> shared temporaries -> per-backend printing:

* ``lower``: the term graph (or SymPy expressions) becomes straight-line code,
  one temporary per value (``ssa``), shared values numbered once;
* ``optimize``: temporaries used once go back in line, dead ones go;
* ``backends``: SymPy's printers write the elementwise expressions, a table
  per backend writes the other ops, and the module is loaded (or compiled).

Because temporaries come from the graph, a gradient program costs a small
constant times its function - no expression swell.
"""

from symgrad.codegen.api import gradient_function, lambdify
from symgrad.codegen.count import count_operations
from symgrad.codegen.graph import CodegenError
from symgrad.symbolic.reads import TracerWarning, TracingError

__all__ = ["lambdify", "gradient_function", "count_operations", "CodegenError", "TracingError", "TracerWarning"]
