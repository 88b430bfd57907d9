"""Writing numbers into a module's tensors outside autograd: running
statistics, renormalised embedding rows.  These are updates of state, as an
optimizer's step is, never part of a graph."""

from __future__ import annotations

from typing import Any

import numpy as np

from symgrad._tensor import Tensor
from symgrad.dispatch import plain_numbers, write_numbers
from symgrad.grad_mode import no_grad

__all__ = ["write_in_place"]


def write_in_place(t: Tensor, values: Any) -> None:
    """Write ``values`` (broadcast to ``t``'s shape) into ``t``'s memory under
    ``no_grad``: numbers only when ``t`` is a plain tensor or a leaf (its
    symbol keeps standing for it), else ``copy_``.

    >>> import symgrad
    >>> t = symgrad.zeros(2)
    >>> write_in_place(t, [1.0, 2.0]); t
    tensor([1., 2.])
    """
    v = np.asarray(values)
    v = np.broadcast_to(v.reshape(t.shape) if v.size == t.numel() else v, tuple(t.shape))
    with no_grad():
        if plain_numbers(t) is not None:
            write_numbers(t, v)
        else:
            t.copy_(v.astype(t.dtype.numpy))
