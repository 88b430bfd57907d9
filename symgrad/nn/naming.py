"""Parameter symbols named by qualified names (``linear.weight[0, 0]``).

``symgrad.symbolic.naming`` asks registered namers for names when an
expression is first built, passing the variables of the user's frames.  This
namer finds the modules among them and proposes each parameter's qualified
name, taken from the *root* module (a module that is not a child of another
module in the same namespace), so that ``model.linear.weight`` is
``linear.weight`` and not ``weight``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from symgrad.nn.module import Module
from symgrad.symbolic.naming import register_namer

__all__ = ["qualified_parameter_names"]


def qualified_parameter_names(namespace: dict[str, Any]) -> Iterator[tuple[Any, str]]:
    """``(parameter, qualified name)`` for the parameters of the root modules in
    ``namespace``."""
    modules = [v for v in list(namespace.values()) if isinstance(v, Module)]
    if not modules:
        return
    inner = {id(sub) for m in modules for sub in m.modules() if sub is not m}
    for m in modules:
        if id(m) not in inner:
            for name, p in m.named_parameters():
                yield p, name


register_namer(qualified_parameter_names)
