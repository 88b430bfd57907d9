"""``F.pad``: constant, reflect, replicate and circular padding, as
``torch.nn.functional.pad``.

Constant padding writes the input into a constant tensor (``index_put``:
the gradient is the input's slice of the incoming one, the padding's
closed form is the number); the other modes gather the input at constant
positions (``x[..., rows, cols]``), so a padded element's closed form is the
input element it copies and its gradient adds to that element's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

import symgrad.ops as ops
from symgrad._tensor import Tensor
from symgrad.creation import full
from symgrad.nn._checks import require_tensor

__all__ = ["pad", "pad_constant"]

_MODES = ("constant", "reflect", "replicate", "circular")
_SUPPORTED = ("Supported combinations for non-constant padding:\n"
              "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
              "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
              "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dims of ``input``; ``pad`` lists
    (before, after) pairs from the last dim backwards, as PyTorch's.
    ``"constant"`` fills with ``value`` (0 by default; negative sizes crop),
    ``"reflect"`` mirrors without repeating the edge, ``"replicate"`` repeats
    the edge, ``"circular"`` wraps around.

    >>> import symgrad
    >>> import symgrad.nn.functional as F
    >>> x = symgrad.tensor([[1., 2., 3.]], name="x")
    >>> F.pad(x, (1, 2)).expr
    [[0, x[0, 0], x[0, 1], x[0, 2], 0, 0]]
    >>> F.pad(x, (2, 1), mode="reflect").expr
    [[x[0, 2], x[0, 1], x[0, 0], x[0, 1], x[0, 2], x[0, 1]]]
    """
    require_tensor(input, "pad")
    pairs = _pairs(pad, input.ndim)
    if mode not in _MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}; use one of {', '.join(map(repr, _MODES))}")
    if mode == "constant":
        return pad_constant(input, pairs, 0.0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    _check_non_constant(input, pairs, mode)
    return _gather_padded(input, pairs, mode)


def _pairs(pad: Any, ndim: int) -> list[tuple[int, int]]:
    """(before, after) for each padded dim, the last dim first, checked as PyTorch checks them."""
    if not isinstance(pad, Sequence) or not all(isinstance(p, (int, np.integer)) and not isinstance(p, bool)
                                                for p in pad):
        raise TypeError(f"pad(): argument 'pad' must be a tuple of ints, got {pad!r}")
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {ndim}")
    return [(int(pad[i]), int(pad[i + 1])) for i in range(0, len(pad), 2)]


def pad_constant(x: Tensor, pairs: Sequence[tuple[int, int]], value: float) -> Tensor:
    """``x`` with (before, after) ``pairs`` (the last dim first) of ``value``
    around it; negative sizes crop."""
    crop, place, shape = [], [], list(x.shape)
    for i, (before, after) in enumerate(pairs):
        dim = x.ndim - 1 - i
        size = shape[dim] + min(before, 0) + min(after, 0)
        if size < 0:
            raise RuntimeError(f"narrow(): length must be non-negative (padding {(before, after)} crops more than "
                               f"the {shape[dim]} elements of dimension {dim})")
        crop.append((dim, slice(-min(before, 0), -min(before, 0) + size)))
        place.append((dim, slice(max(before, 0), max(before, 0) + size)))
        shape[dim] = size + max(before, 0) + max(after, 0)
    kept = x[_key(x.ndim, crop)] if any(b < 0 or a < 0 for b, a in pairs) else x
    if all(b <= 0 and a <= 0 for b, a in pairs):
        return kept
    canvas = full(shape, value, dtype=x.dtype)
    return ops.index_put(canvas, _key(x.ndim, place), kept)


def _key(ndim: int, slices: list[tuple[int, slice]]) -> tuple[slice, ...]:
    key = [slice(None)] * ndim
    for dim, s in slices:
        key[dim] = s
    return tuple(key)


def _check_non_constant(x: Tensor, pairs: list[tuple[int, int]], mode: str) -> None:
    n = len(pairs)
    if n not in (1, 2, 3) or x.ndim not in (n + 1, n + 2):
        raise NotImplementedError(f"Padding size {2 * n} is not supported for {x.ndim}D input tensor.\n{_SUPPORTED}")
    for i, (before, after) in enumerate(pairs):
        dim = x.ndim - 1 - i
        size = x.shape[dim]
        if size == 0:
            raise RuntimeError(f"{mode} padding needs non-empty dims to copy from, but dimension {dim} of input "
                               f"{list(x.shape)} is empty")
        if mode == "reflect" and (before >= size or after >= size):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({before}, {after}) at dimension {dim} of input {list(x.shape)}")
        if mode == "circular" and (before > size or after > size):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if min(before, after) < 0 and mode != "circular":
            raise RuntimeError(f"{mode} padding takes no negative sizes, got {(before, after)}; crop with "
                               "slicing or constant padding")


def _source_positions(size: int, before: int, after: int, mode: str) -> np.ndarray:
    """For each position of the padded dim, the input position it copies."""
    wanted = np.arange(-before, size + after)
    if mode == "replicate":
        return np.clip(wanted, 0, size - 1)
    if mode == "circular":
        return wanted % size
    period = 2 * (size - 1) if size > 1 else 1   # reflect: mirror at both edges, the edges not repeated
    folded = np.abs(wanted) % period
    return np.where(folded < size, folded, period - folded)


def _gather_padded(x: Tensor, pairs: list[tuple[int, int]], mode: str) -> Tensor:
    positions = [_source_positions(x.shape[x.ndim - 1 - i], b, a, mode) for i, (b, a) in enumerate(pairs)]
    return x[(Ellipsis,) + tuple(np.ix_(*reversed(positions)))]
