"""``nn.utils``, as ``torch.nn.utils``: gradient clipping
(``clip_grad_norm_``, ``clip_grad_value_``), parameters as one vector
(``parameters_to_vector``, ``vector_to_parameters``), and packed sequences
for the recurrent layers (the submodule ``nn.utils.rnn``).

Clipping rescales the stored gradients in place under ``no_grad``, with
PyTorch's arithmetic: the norm of the gradients' norms, and the factor
``min(max_norm / (total + 1e-6), 1)``.
"""

from __future__ import annotations

import types
import warnings
from typing import Any

import symgrad.ops as ops
from symgrad._tensor import Tensor
from symgrad.creation import tensor
from symgrad.grad_mode import no_grad
from symgrad.nn.utils import rnn  # noqa: F401  (torch.nn.utils.rnn)
from symgrad.ops.norms import vector_norm

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector", "vector_to_parameters", "rnn"]


def _tensors(parameters: Any) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        return [parameters]
    is_generator = isinstance(parameters, types.GeneratorType)
    items = list(parameters)
    if is_generator and not items:
        warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=3)
    return items


def _grads(parameters: list[Tensor]) -> list[Tensor]:
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters: Any, max_norm: float, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach: Any = None) -> Tensor:
    """Scale the gradients of ``parameters`` in place so that their joint
    ``norm_type``-norm (the norm of their norms) is at most ``max_norm``;
    returns that norm before clipping.

    >>> import symgrad
    >>> from symgrad import nn
    >>> w = symgrad.tensor([3., 4.], requires_grad=True)
    >>> (w * w).sum().backward()
    >>> nn.utils.clip_grad_norm_([w], 1.0)
    tensor(10.)
    >>> w.grad
    tensor([0.6000, 0.8000])
    """
    params = _tensors(parameters)
    grads = _grads(params)
    norm_type = float(norm_type)
    if not grads:
        return tensor(0.0)
    with no_grad():
        norms = [vector_norm(g, norm_type) for g in grads]
        total = vector_norm(ops.stack(norms), norm_type)
        if error_if_nonfinite and not bool(ops.isfinite(total)):
            raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is "
                               "non-finite, so it cannot be clipped. To disable this error and scale the gradients "
                               "by the non-finite norm anyway, set `error_if_nonfinite=False`")
        coef = ops.clamp(float(max_norm) / (total + 1e-6), max=1.0)
        for g in grads:
            g.mul_(coef.to(g.dtype))
    return total


def clip_grad_value_(parameters: Any, clip_value: float, foreach: Any = None) -> None:
    """Clamp every gradient of ``parameters`` in place to ``[-clip_value, clip_value]``.

    >>> import symgrad
    >>> from symgrad import nn
    >>> w = symgrad.tensor([3., -0.5], requires_grad=True)
    >>> (w * w).sum().backward()
    >>> nn.utils.clip_grad_value_([w], 1.0)
    >>> w.grad
    tensor([ 1., -1.])
    """
    clip_value = float(clip_value)
    with no_grad():
        for g in _grads(_tensors(parameters)):
            g.clamp_(min=-clip_value, max=clip_value)


def parameters_to_vector(parameters: Any) -> Tensor:
    """The parameters flattened and joined into one 1-d tensor (in the graph,
    as PyTorch's: gradients flow back to each parameter).

    >>> import symgrad
    >>> from symgrad import nn
    >>> layer = nn.Linear(2, 1)
    >>> nn.utils.parameters_to_vector(layer.parameters()).shape
    symgrad.Size([3])
    """
    return ops.cat([ops.reshape(p, -1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters: Any) -> None:
    """Set the parameters' values from consecutive slices of ``vec`` (each
    parameter's ``data`` becomes a view of ``vec``, as in PyTorch).

    >>> import symgrad
    >>> from symgrad import nn
    >>> layer = nn.Linear(2, 1)
    >>> nn.utils.vector_to_parameters(symgrad.tensor([1., 2., 3.]), layer.parameters())
    >>> layer.weight.data, layer.bias.data
    (tensor([[1., 2.]]), tensor([3.]))
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__module__}.{type(vec).__name__}")
    pointer = 0
    for param in parameters:
        n = param.numel()
        param.data = vec[pointer:pointer + n].view_as(param).data
        pointer += n
