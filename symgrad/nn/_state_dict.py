"""Loading a ``state_dict`` into a module: values are copied into the
existing parameters and buffers (so optimizers holding them keep working),
and every problem is reported at once, in PyTorch's words."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from symgrad._tensor import Tensor, values_of
from symgrad.grad_mode import no_grad


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(strict=False)`` could not match."""

    missing_keys: list[str]
    unexpected_keys: list[str]

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return f"_IncompatibleKeys(missing_keys={self.missing_keys}, unexpected_keys={self.unexpected_keys})"


def load_into(module: Any, state_dict: Any, strict: bool) -> IncompatibleKeys:
    """``module.load_state_dict(state_dict, strict)``."""
    if not hasattr(state_dict, "keys") or not hasattr(state_dict, "__getitem__"):
        raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict).__name__}")
    own = module.state_dict(keep_vars=True)
    missing = [k for k in own if k not in state_dict]
    unexpected = [k for k in state_dict.keys() if k not in own]
    errors: list[str] = []
    with no_grad():
        for key, target in own.items():
            if key in state_dict:
                error = _copy_into(target, state_dict[key], key)
                if error:
                    errors.append(error)
    if strict:
        if unexpected:
            errors.insert(0, "Unexpected key(s) in state_dict: {}. ".format(", ".join(f'"{k}"' for k in unexpected)))
        if missing:
            errors.insert(0, "Missing key(s) in state_dict: {}. ".format(", ".join(f'"{k}"' for k in missing)))
    if errors:
        raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(module._get_name(),
                                                                                  "\n\t".join(errors)))
    return IncompatibleKeys(missing, unexpected)


def _as_array(value: Any) -> np.ndarray | None:
    """The numbers of a state_dict value: a symgrad tensor, a NumPy array or a
    CPU torch tensor (read through its own ``.numpy()``); None if it holds none."""
    if isinstance(value, Tensor):
        return values_of(value)
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        return np.asarray(value.detach().cpu().numpy())
    try:
        arr = np.asarray(value)
    except Exception:  # noqa: BLE001 - anything NumPy cannot read is reported by the caller
        return None
    return arr if arr.dtype.kind in "biuf" else None


def _copy_into(target: Tensor, value: Any, key: str) -> str | None:
    arr = _as_array(value)
    if arr is None:
        return (f'While copying the parameter named "{key}", expected a tensor or array of numbers from '
                f"checkpoint but received {type(value).__name__}")
    if tuple(arr.shape) != tuple(target.shape):
        return (f"size mismatch for {key}: copying a param with shape symgrad.Size({list(arr.shape)}) from "
                f"checkpoint, the shape in current model is {target.shape}.")
    target.copy_(arr)
    return None
