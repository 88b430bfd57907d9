"""Checking derivatives: ``gradcheck`` and ``gradgradcheck`` (PyTorch's
semantics: finite differences against the derivative rules).  For checking a
gradient derived *by hand*, see ``symgrad.verify_gradient``.

Layout: ``gradcheck`` (the public checks), ``numerical`` (finite
differences), ``analytical`` (Jacobians from the rules), ``errors``
(``GradcheckError`` and its messages).
"""

from symgrad.testing.errors import GradcheckError
from symgrad.testing.gradcheck import gradcheck, gradgradcheck

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]
