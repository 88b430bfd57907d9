"""Verifying hand-derived gradients: ``verify_gradient`` and
``assert_gradient``; ``verify_function`` for a custom autograd.Function's backward.

Layout: ``check`` (the public functions), ``variables`` (f's symbols by
name), ``expected`` (reading the hand derivation), ``proof`` (SymPy
simplification), ``sampling`` (comparison at random points of the domain),
``report`` (the table shown in terminals and notebooks), ``function``
(a custom Function's backward against its forward).
"""

from symgrad.verify.check import assert_gradient, verify_gradient
from symgrad.verify.function import verify_function
from symgrad.verify.report import Counterexample, GradientReport, VariableCheck

__all__ = ["verify_gradient", "assert_gradient", "verify_function", "GradientReport", "VariableCheck", "Counterexample"]
