"""Verifying hand-derived gradients: ``verify_gradient`` and
``assert_gradient``.

Layout: ``check`` (the public functions), ``variables`` (f's symbols by
name), ``expected`` (reading the hand derivation), ``proof`` (SymPy
simplification), ``sampling`` (comparison at random points of the domain),
``report`` (the table shown in terminals and notebooks).
"""

from symgrad.verify.check import assert_gradient, verify_gradient
from symgrad.verify.report import Counterexample, GradientReport, VariableCheck

__all__ = ["verify_gradient", "assert_gradient", "GradientReport", "VariableCheck", "Counterexample"]
