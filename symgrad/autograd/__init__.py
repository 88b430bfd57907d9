"""Reverse-mode automatic differentiation: ``backward`` and ``grad`` (the
engine), graph nodes, and (lazily) ``functional``."""

from __future__ import annotations

from typing import Any

from symgrad import grad_mode
from symgrad.autograd.anomaly_mode import (
    detect_anomaly,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_anomaly_enabled,
    set_detect_anomaly,
)
from symgrad.autograd.engine import backward, grad
from symgrad.autograd.graph import AccumulateGrad, Node
from symgrad.grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled

__all__ = ["backward", "grad", "Node", "AccumulateGrad", "Function", "functional", "gradcheck", "gradgradcheck",
           "no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "grad_mode", "detect_anomaly",
           "set_detect_anomaly", "is_anomaly_enabled", "is_anomaly_check_nan_enabled", "set_anomaly_enabled"]


def __getattr__(name: str) -> Any:
    if name == "functional":
        import importlib

        return importlib.import_module("symgrad.autograd.functional")
    if name == "Function":  # (imports symgrad._tensor, which imports this package)
        from symgrad.autograd.function import Function

        return Function
    if name in ("gradcheck", "gradgradcheck"):  # torch.autograd.gradcheck's place
        from symgrad import testing

        return getattr(testing, name)
    raise AttributeError(f"module 'symgrad.autograd' has no attribute {name!r}")
