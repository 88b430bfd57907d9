"""Parameter symbols named by qualified names (``linear.weight[0, 0]``).

``symgrad.symbolic.naming`` asks registered namers for names when an
expression is first built, passing the variables of the user's frames.  This
namer finds the modules among them and proposes each parameter's qualified
name, taken from the *root* module (a module that is not a child of another
module in the same namespace), so that ``model.linear.weight`` is
``linear.weight`` and not ``weight``.  A container's children are numbered:
their components are written as indices, after the root's variable when
they come first (``net[0].weight`` in ``net = nn.Sequential(...)``, and
``layers[1].bias`` for a ``ModuleList``), because ``0.weight`` reads as a
number in a formula (``2*2.bias[0]``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from symgrad.nn.module import Module
from symgrad.symbolic.naming import register_namer, usable_name

__all__ = ["qualified_parameter_names"]


def qualified_parameter_names(namespace: dict[str, Any]) -> Iterator[tuple[Any, str]]:
    """``(parameter, qualified name)`` for the parameters of the root modules in
    ``namespace``."""
    modules = [v for v in list(namespace.values()) if isinstance(v, Module)]
    if not modules:
        return
    inner = {id(sub) for m in modules for sub in m.modules() if sub is not m}
    for var, m in list(namespace.items()):
        if isinstance(m, Module) and id(m) not in inner:
            root = var if usable_name(var) else None  # (IPython's _ and _3 hold displayed modules)
            for name, p in m.named_parameters():
                yield p, _readable(root, name)


def _readable(root: str | None, name: str) -> str:
    """``0.weight`` -> ``root[0].weight``, ``layers.1.bias`` -> ``layers[1].bias``."""
    parts = name.split(".")
    out = f"{root}[{parts[0]}]" if parts[0].isdigit() and root else parts[0]
    for part in parts[1:]:
        out += f"[{part}]" if part.isdigit() else f".{part}"
    return out


register_namer(qualified_parameter_names)
