"""The symbolic view: terms that describe how each value was computed.

Terms are plain Python objects built on the hot path (cheap, no SymPy); SymPy
objects are made only when someone asks for ``.expr`` (see ``evaluate``).
Submodules that need SymPy import it themselves, so importing this package
does not.
"""

from symgrad.symbolic.terms import Apply, Const, Leaf, Term

__all__ = ["Apply", "Const", "Leaf", "Term"]
