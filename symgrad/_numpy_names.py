"""NumPy's argument names where PyTorch accepts them too: ``axis`` for
``dim`` and ``keepdims`` for ``keepdim`` (``x.sum(axis=0)``,
``torch.cat(ts, axis=0)``, ``x.mean(0, keepdims=True)``).

PyTorch's argument parser takes these aliases for every function it defines
in C++; symgrad gives them to the same functions and methods (not to
``split``, ``norm`` or ``nn.functional.softmax``, which PyTorch defines in
Python without them).  Imports nothing of symgrad: both the op modules and
``tensor_ops`` use it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_ALIASES = {"axis": "dim", "keepdims": "keepdim"}


def numpy_names(fn: F) -> F:
    """``fn`` also taking ``axis=`` for its ``dim`` and ``keepdims=`` for its
    ``keepdim`` (only the names ``fn`` has).

    >>> @numpy_names
    ... def total(x, dim=None, keepdim=False):
    ...     return dim, keepdim
    >>> total(1, axis=0, keepdims=True)
    (0, True)
    >>> total(1, dim=0, axis=1)
    Traceback (most recent call last):
    TypeError: total() got both 'dim' and its NumPy name 'axis'; pass one of them
    """
    params = inspect.signature(fn).parameters
    aliases = {alias: name for alias, name in _ALIASES.items() if name in params}
    if not aliases:
        raise ValueError(f"{fn.__name__} has no dim or keepdim argument to give a NumPy name to")

    @functools.wraps(fn)
    def with_numpy_names(*args: Any, **kwargs: Any) -> Any:
        if kwargs:
            for alias, name in aliases.items():
                if alias in kwargs:
                    if name in kwargs:
                        raise TypeError(f"{fn.__name__}() got both {name!r} and its NumPy name {alias!r}; "
                                        "pass one of them")
                    kwargs[name] = kwargs.pop(alias)
        return fn(*args, **kwargs)

    return with_numpy_names  # type: ignore[return-value]


def give_numpy_names(cls: type, names: tuple[str, ...]) -> None:
    """Wrap the methods ``names`` of ``cls`` with ``numpy_names``."""
    for name in names:
        setattr(cls, name, numpy_names(getattr(cls, name)))
