"""Argument checks shared by layers, functions and losses: each failure says
what is wrong and how to fix it."""

from __future__ import annotations

from typing import Any

from symgrad._tensor import Tensor

REDUCTIONS = ("mean", "sum", "none")


def require_tensor(value: Any, fn: str, arg: str = "input") -> Tensor:
    """``value`` if it is a symgrad Tensor; otherwise a TypeError naming the fix."""
    if not isinstance(value, Tensor):
        raise TypeError(f"{fn}(): argument '{arg}' must be a symgrad Tensor, not {type(value).__name__}; "
                        "convert it with symgrad.tensor(...) or symgrad.from_numpy(...)")
    return value


def require_floating(value: Any, fn: str, kernel: str) -> Tensor:
    """``value`` if it is a floating tensor; else PyTorch's NotImplementedError naming its kernel."""
    require_tensor(value, fn)
    if not value.dtype.is_floating_point:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{value.dtype.name}' (as in PyTorch); "
                                  "convert with .double() first")
    return value


def check_reduction(reduction: Any) -> str:
    """``reduction`` if it is one PyTorch knows."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction; use 'mean', 'sum' or 'none'")
    return reduction


def no_legacy(size_average: Any, reduce: Any, fn: str) -> None:
    """PyTorch's deprecated ``size_average``/``reduce`` arguments are refused, not guessed at."""
    if size_average is not None or reduce is not None:
        raise TypeError(f"{fn}(): size_average and reduce are deprecated (in PyTorch too) and not supported; "
                        "use reduction='mean', 'sum' or 'none'")


def check_int(value: Any, what: str, minimum: int = 0) -> int:
    """A non-negative (or >= minimum) integer size, such as ``in_features``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, got {type(value).__name__} ({value!r})")
    if value < minimum:
        raise ValueError(f"{what} must be >= {minimum}, got {value}")
    return value


def parse_to_args(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The dtype asked of ``Module.to(...)`` (or None); checks the device, of
    which only the CPU exists."""
    from symgrad import dtypes as _dt
    from symgrad.device import device as _device

    dtype = kwargs.pop("dtype", None)
    dev = kwargs.pop("device", None)
    kwargs.pop("non_blocking", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    for a in args:
        if isinstance(a, Tensor):
            dtype = a.dtype
        elif isinstance(a, (str, _device)):
            dev = a
        elif a is not None:
            dtype = a
    if dev is not None:
        _device(dev)
    if dtype is None:
        return None
    d = _dt.as_dtype(dtype)
    if not d.is_floating_point:
        raise TypeError(f"nn.Module.to only accepts floating point dtypes, but got desired dtype={d!r}; "
                        "integer parameters cannot be trained")
    return d
