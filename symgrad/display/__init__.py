"""Showing tensors: LaTeX in Jupyter (``Tensor._repr_latex_``), ``show`` for
``∂z/∂x = 2*x*y = 12``, and ``draw`` for the computation graph.

Loaded on first use (``symgrad.show``, ``symgrad.draw``); imports SymPy, and
Graphviz only when drawing.
"""

from symgrad.display.graph import GraphvizNotFoundError, draw
from symgrad.display.shown import Shown, describe, latex_repr, show

__all__ = ["show", "describe", "Shown", "latex_repr", "draw", "GraphvizNotFoundError"]
