"""Reverse-mode automatic differentiation: ``backward`` and ``grad`` (the
engine), graph nodes, and (lazily) ``functional``."""

from __future__ import annotations

from typing import Any

from symgrad.autograd.engine import backward, grad
from symgrad.autograd.graph import AccumulateGrad, Node

__all__ = ["backward", "grad", "Node", "AccumulateGrad", "functional"]


def __getattr__(name: str) -> Any:
    if name == "functional":
        import importlib

        return importlib.import_module("symgrad.autograd.functional")
    raise AttributeError(f"module 'symgrad.autograd' has no attribute {name!r}")
