"""Grad mode: whether ops record the autograd graph.  Thread-local, as in PyTorch."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["no_grad", "enable_grad", "inference_mode", "set_grad_enabled", "is_grad_enabled",
           "is_inference_mode_enabled"]

F = TypeVar("F", bound=Callable[..., Any])


class _State(threading.local):
    enabled = True
    inference = False  # inside inference_mode() (which also turns recording off)
    numeric = False    # in the numeric backward pass: a float given to an op is a rule's (scalar_lane.on_float)


_state = _State()


def is_grad_enabled() -> bool:
    """True when new ops are recorded for autograd (the default).

    >>> import symgrad
    >>> with symgrad.no_grad():
    ...     symgrad.is_grad_enabled()
    False
    """
    return _state.enabled


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()`` (as ``torch.is_inference_mode_enabled``).

    >>> import symgrad
    >>> with symgrad.inference_mode():
    ...     symgrad.is_inference_mode_enabled()
    True
    >>> symgrad.is_inference_mode_enabled()
    False
    """
    return _state.inference


class _Mode:
    """Base of the grad-mode context managers; also usable as decorators."""

    _mode: bool

    def __enter__(self) -> None:
        self._prev = _state.enabled
        _state.enabled = self._mode

    def __exit__(self, *exc: object) -> None:
        _state.enabled = self._prev

    def __call__(self, fn: F) -> F:
        mode = self._mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            prev = _state.enabled
            _state.enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                _state.enabled = prev

        return wrapper  # type: ignore[return-value]


class _BareDecorator(_Mode):
    """A mode that also decorates without parentheses (``@symgrad.no_grad``),
    as PyTorch's do."""

    def __new__(cls, orig_func: Any = None) -> Any:
        if orig_func is None or isinstance(orig_func, bool):
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_BareDecorator):  # noqa: N801 - PyTorch's name
    """Context manager / decorator that disables graph recording.

    >>> import symgrad
    >>> x = symgrad.tensor(1., requires_grad=True)
    >>> with symgrad.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    _mode = False


class enable_grad(_BareDecorator):  # noqa: N801
    """Context manager / decorator that enables graph recording inside ``no_grad``."""

    _mode = True


class inference_mode(_BareDecorator):  # noqa: N801
    """PyTorch's ``inference_mode``: recording is off, as under ``no_grad``,
    and ``is_inference_mode_enabled()`` is True; ``inference_mode(False)``
    leaves recording on.  symgrad has no inference tensors: tensors made here
    are ordinary ones (``is_inference()`` is False), usable in autograd later.

    >>> import symgrad
    >>> with symgrad.inference_mode():
    ...     symgrad.is_grad_enabled()
    False
    """

    def __init__(self, mode: bool = True) -> None:
        self._mode = not mode
        self._inference = mode

    def __enter__(self) -> None:
        super().__enter__()
        self._prev_inference = _state.inference
        _state.inference = self._inference

    def __exit__(self, *exc: object) -> None:
        _state.inference = self._prev_inference
        super().__exit__(*exc)

    def __call__(self, fn: F) -> F:
        inference = self._inference

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with inference_mode(inference):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class set_grad_enabled(_Mode):  # noqa: N801
    """Set grad mode; works as a plain call or as a context manager.

    >>> import symgrad
    >>> with symgrad.set_grad_enabled(False):
    ...     symgrad.is_grad_enabled()
    False
    >>> symgrad.is_grad_enabled()
    True
    """

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled expects a bool, got {type(mode).__name__}")
        self._prev = _state.enabled
        self._mode = mode
        _state.enabled = mode

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        _state.enabled = self._prev
