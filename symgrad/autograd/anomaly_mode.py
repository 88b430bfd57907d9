"""Anomaly detection, as ``torch.autograd.detect_anomaly``: while it is on,
the backward engine checks every gradient a node's rules return and raises
PyTorch's error when one holds nan, naming the node (``MulBackward0``), so
the op that made the first nan is found, not the loss it reached.

The state is process-wide, as PyTorch's.  PyTorch also records each
forward op's Python traceback while the mode is on and prints it with the
error; symgrad does not (the error names the op and which input's gradient).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symgrad.autograd.graph import GradSlots

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "is_anomaly_check_nan_enabled",
           "set_anomaly_enabled", "check_nan"]

# (module globals, read by the engine once per node while a pass runs)
enabled = False
nan_check = True


def is_anomaly_enabled() -> bool:
    """True while anomaly detection is on.

    >>> import symgrad
    >>> symgrad.autograd.is_anomaly_enabled()
    False
    """
    return enabled


def is_anomaly_check_nan_enabled() -> bool:
    """True while anomaly detection also checks gradients for nan (the default when it is on)."""
    return enabled and nan_check


def set_anomaly_enabled(mode: bool, check_nan: bool = True) -> None:
    """Turn anomaly detection on or off (``torch.set_anomaly_enabled``)."""
    global enabled, nan_check
    if not isinstance(mode, bool):
        raise TypeError(f"set_anomaly_enabled expects a bool mode, got {type(mode).__name__}")
    enabled, nan_check = mode, bool(check_nan)


class detect_anomaly:  # noqa: N801 - PyTorch's name
    """Context manager that turns anomaly detection on: a backward pass in
    which some node's gradient holds nan raises ``RuntimeError`` naming the
    node, as PyTorch's does.

    >>> import symgrad
    >>> x = symgrad.tensor(-1., requires_grad=True)
    >>> y = symgrad.sqrt(x) * 0          # nan, then a gradient of 0 * (1/(2*sqrt(-1)))
    >>> with symgrad.autograd.detect_anomaly():
    ...     y.backward()
    Traceback (most recent call last):
    ...
    RuntimeError: Function 'SqrtBackward0' returned nan values in its 0th output.
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self) -> None:
        self._prev = (enabled, nan_check)
        set_anomaly_enabled(True, self.check_nan)

    def __exit__(self, *exc: object) -> None:
        set_anomaly_enabled(*self._prev)


class set_detect_anomaly:  # noqa: N801 - PyTorch's name
    """Set anomaly detection on or off: as a plain call (it stays so), or as
    a context manager (restored on exit).

    >>> import symgrad
    >>> with symgrad.autograd.set_detect_anomaly(True):
    ...     symgrad.autograd.is_anomaly_enabled()
    True
    >>> symgrad.autograd.is_anomaly_enabled()
    False
    """

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self._prev = (enabled, nan_check)
        set_anomaly_enabled(mode, check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        set_anomaly_enabled(*self._prev)


def check_nan(node: Any, index: int, grad: Any) -> None:
    """Raise PyTorch's error if ``grad`` (an array or tensor), the gradient
    ``node``'s rules returned for its input ``index``, holds nan."""
    if isinstance(grad, GradSlots):
        return  # (an output's gradient passed on unchanged: checked where a rule made it)
    value = getattr(grad, "_value", grad)
    a = np.asarray(value)
    if a.dtype.kind in "fc" and np.isnan(a).any():
        raise RuntimeError(f"Function '{node.name()}' returned nan values in its {index}th output.")
