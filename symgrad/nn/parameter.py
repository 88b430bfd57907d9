"""``Parameter``: a tensor that a ``Module`` registers as one of its weights.

A parameter is a leaf that requires grad (network weights are the variables
we differentiate with respect to), so it is a symbol in every closed form;
``symgrad.nn`` names that symbol by the parameter's qualified name
(``linear.weight``) when an expression is first built.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symgrad import dtypes as _dt
from symgrad._tensor import Tensor

__all__ = ["Parameter", "clear_grad"]


class Parameter(Tensor):
    """A ``Tensor`` that ``Module`` registers as a parameter when assigned as
    an attribute; requires grad by default and shares memory with ``data``.

    >>> import symgrad
    >>> from symgrad import nn
    >>> w = nn.Parameter(symgrad.tensor([[0.5]]))
    >>> w
    Parameter containing:
    tensor([[0.5000]], requires_grad=True)
    >>> (w * 2).requires_grad, type(w * 2).__name__
    (True, 'Tensor')
    """

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        if data is None:
            value = np.empty((0,), dtype=_dt.get_default_dtype().numpy)
        elif isinstance(data, Tensor):
            value = data._value  # shared, as torch.nn.Parameter shares its data's storage
        else:
            raise TypeError(f"Parameter expects a symgrad Tensor, got {type(data).__name__}; "
                            "wrap the values first: nn.Parameter(symgrad.tensor(...))")
        self._value = value
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol: Any) -> Any:
        # Pickling and copy.deepcopy keep the class (Tensor's reduce would rebuild a plain Tensor).
        return (_rebuild_parameter, (self._value.copy(), self._requires_grad))


def clear_grad(p: Tensor, set_to_none: bool = True) -> None:
    """Drop ``p.grad`` (``set_to_none``), or zero it in place, outside any graph;
    what ``Module.zero_grad`` and ``Optimizer.zero_grad`` do to each parameter.

    >>> import symgrad
    >>> w = symgrad.tensor([1.], requires_grad=True)
    >>> (w * 3).sum().backward()
    >>> clear_grad(w, set_to_none=False); w.grad
    tensor([0.])
    """
    grad = p.grad
    if grad is None:
        return
    if set_to_none:
        p.grad = None
        return
    if grad.grad_fn is not None:
        grad.detach_()
    else:
        grad.requires_grad_(False)
    grad.zero_()


def _rebuild_parameter(value: np.ndarray, requires_grad: bool) -> Parameter:
    return Parameter(Tensor._make(value), requires_grad)
