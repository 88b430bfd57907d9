"""``stack_module_state``: the parameters and buffers of several models of
one class, stacked along a new first dim, for ensembling with ``vmap`` and
``functional_call`` (``torch.func.stack_module_state``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from symgrad._tensor import Tensor, values_of

__all__ = ["stack_module_state"]


def stack_module_state(models: Any) -> tuple[dict[str, Tensor], dict[str, Tensor]]:
    """``(params, buffers)``: for each name of ``named_parameters()`` and
    ``named_buffers()``, the models' tensors stacked along a new dim 0.  The
    stacked parameters are new leaves (copies, unrelated to the models'
    parameters, ready for an optimizer), each named by its key, so closed
    forms read ``weight[0, 1, 2]``: model 0's ``weight[1, 2]``.

    >>> import symgrad
    >>> from symgrad import nn
    >>> from symgrad.func import functional_call, stack_module_state, vmap
    >>> models = [nn.Linear(2, 1) for _ in range(3)]
    >>> params, buffers = stack_module_state(models)
    >>> {name: tuple(p.shape) for name, p in params.items()}
    {'weight': (3, 1, 2), 'bias': (3, 1)}
    >>> def ensemble(params, buffers, x):
    ...     return functional_call(models[0], (params, buffers), (x,))
    >>> y = vmap(ensemble, in_dims=(0, 0, None))(params, buffers, symgrad.tensor([[1., 2.]], name="x"))
    >>> y.shape, y.expr[2, 0, 0]
    (symgrad.Size([3, 1, 1]), bias[2, 0] + weight[2, 0, 0]*x[0, 0] + weight[2, 0, 1]*x[0, 1])
    """
    models = _models(models)
    named_params = [dict(m.named_parameters()) for m in models]
    named_buffers = [dict(m.named_buffers()) for m in models]
    return ({k: _stacked_leaf(_column(named_params, k, "parameter"), k) for k in named_params[0]},
            {k: _stacked_leaf(_column(named_buffers, k, "buffer"), k) for k in named_buffers[0]})


def _models(models: Any) -> list[Any]:
    """The models, after PyTorch's checks: at least one, one class, one mode."""
    from symgrad.nn.module import Module

    models = list(models)
    if len(models) == 0:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not all(isinstance(m, Module) for m in models):
        bad = next(type(m).__name__ for m in models if not isinstance(m, Module))
        raise TypeError(f"stack_module_state: expected a sequence of nn.Module, got a {bad}")
    if len({m.training for m in models}) > 1:
        raise RuntimeError("stack_module_state: Expected all models to have the same training/eval mode.")
    if len({type(m) for m in models}) > 1:
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")
    return models


def _column(per_model: list[dict[str, Tensor]], key: str, kind: str) -> list[Tensor]:
    """Each model's tensor called ``key``, of one shape."""
    for i, named in enumerate(per_model):
        if key not in named:
            raise RuntimeError(f"stack_module_state: model {i} has no {kind} {key!r} (model 0 has); the models must "
                               "have the same structure")
    column = [named[key] for named in per_model]
    shapes = {tuple(t.shape) for t in column}
    if len(shapes) > 1:
        raise RuntimeError(f"stack_module_state: the models' {key!r} have different shapes {sorted(shapes)}; the "
                           "models must have the same sizes")
    return column


def _stacked_leaf(tensors: list[Tensor], name: str) -> Tensor:
    """The tensors' numbers stacked: a new leaf requiring grad (named ``name``)
    if they all require grad, plain numbers if none does."""
    grads = {t.requires_grad for t in tensors}
    if len(grads) > 1:
        raise RuntimeError(f"Expected {name} from each model to have the same .requires_grad")
    out = Tensor._make(np.stack([values_of(t) for t in tensors]))
    if grads == {True}:
        out.name = name
        out.requires_grad_(True)
    return out
