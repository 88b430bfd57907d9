"""``autograd.grad(..., is_grads_batched=True)``: the first dimension of each
``grad_output`` is a batch of vectors, one vector-Jacobian product each.

PyTorch runs the products under its internal ``vmap``; symgrad runs one
backward pass per vector (the graph kept until the last) and stacks the
results - the same numbers and, as every gradient, closed forms.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def batched_grad(one_grad: Callable[..., tuple[Any, ...]], roots: list[Any], targets: list[Any], grad_outputs: Any,
                 retain_graph: bool | None, create_graph: bool, allow_unused: bool | None,
                 materialize_grads: bool) -> tuple[Any, ...]:
    """``one_grad(outputs, inputs, grad_outputs, retain_graph, create_graph,
    allow_unused)`` once per vector of the batch, the results stacked."""
    from symgrad._tensor import Tensor
    from symgrad.ops.shape import stack

    grads = _batched_outputs(roots, grad_outputs, Tensor)
    size = grads[0].shape[0]
    keep = create_graph if retain_graph is None else retain_graph
    per_vector = [one_grad(roots, targets, [g[b] for g in grads], True if b < size - 1 else keep, create_graph,
                           allow_unused or materialize_grads) for b in range(size)]
    out: list[Any] = []
    for i, t in enumerate(targets):
        column = [r[i] for r in per_vector]
        if any(c is None for c in column):
            if not materialize_grads and all(c is None for c in column):
                out.append(None)
                continue
            zero = Tensor._make(np.zeros(t._value.shape, t._value.dtype))
            column = [zero if c is None else c for c in column]
        out.append(stack(column) if column else Tensor._make(np.zeros((0, *t._value.shape), t._value.dtype)))
    return tuple(out)


def _batched_outputs(roots: list[Any], grad_outputs: Any, tensor_class: Any) -> list[Any]:
    """One tensor per output, shaped ``(batch, *output.shape)``, with PyTorch's errors."""
    grads: list[Any] = [grad_outputs] if isinstance(grad_outputs, tensor_class) else list(grad_outputs or ())
    if len(grads) != len(roots) or any(not isinstance(g, tensor_class) for g in grads):
        raise RuntimeError("is_grads_batched=True needs grad_outputs: one tensor per output, its first dimension "
                           "the batch (None is not batched: pass the vectors, e.g. symgrad.eye(n) for a Jacobian)")
    for i, (t, g) in enumerate(zip(roots, grads)):
        if g.ndim == 0 or tuple(g.shape[1:]) != tuple(t.shape):
            raise RuntimeError(
                "If `is_grads_batched=True`, we interpret the first dimension of each grad_output as the batch "
                "dimension. The sizes of the remaining dimensions are expected to match the shape of corresponding "
                f"output, but a mismatch was detected: grad_output[{i}] has a shape of {g.shape[1:]} and "
                f"output[{i}] has a shape of {t.shape}. If you only want some tensors in `grad_output` to be "
                "considered batched, consider using vmap.")
    sizes = {g.shape[0] for g in grads}
    if len(sizes) != 1:
        raise ValueError(f"is_grads_batched=True: the grad_outputs have batches of different sizes {sorted(sizes)}; "
                         "they must all be the same")
    return grads
