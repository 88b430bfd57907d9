"""The derivative computations behind the transforms, on tensors: Jacobian
rows, vector-Jacobian products and Jacobian-vector products.

Everything goes through the reverse-mode engine (``autograd.grad``), so the
numbers and the closed forms come from the op table's derivative rules.

``jvp`` is computed exactly by the *double-vjp trick* (no forward mode, no
finite differences): with a dummy cotangent ``u``, ``g(u) = J^T u`` is linear
in ``u``, so the vjp of ``g`` with respect to ``u`` against the tangent ``t``
is ``J t``.  It costs two reverse passes; the result is the same expression a
forward-mode pass would build.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symgrad._tensor import Tensor
from symgrad.autograd import engine

__all__ = ["jacobian_blocks", "vjp_grads", "jvp_tangents", "zeros_for", "as_cotangent", "unrelated"]


def zeros_for(out_shape: tuple[int, ...], var: Tensor) -> Tensor:
    """The derivative of something that does not depend on ``var``: zeros of
    shape ``out_shape + var.shape``."""
    return Tensor._make(np.zeros(tuple(out_shape) + tuple(var.shape), dtype=var._value.dtype))


def unrelated(outputs: list[Tensor], variables: list[Tensor]) -> list[int]:
    """The positions of the variables that are not leaves and that none of
    ``outputs`` was computed from (through ops that record gradients): a
    walk of the recorded graph below the outputs, which stops when every
    such variable has been met."""
    missing = {id(v._grad_fn): i for i, v in enumerate(variables) if v._grad_fn is not None}
    stack = [o._grad_fn for o in outputs if o._grad_fn is not None]
    seen: set[int] = set()
    while stack and missing:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        missing.pop(id(node), None)
        stack.extend(e for e in getattr(node, "edges", ()) if e is not None)  # (a leaf's AccumulateGrad has none)
    return sorted(missing.values())


def jacobian_blocks(out: Tensor, variables: list[Tensor], create_graph: bool) -> list[Tensor | None]:
    """``d out / d v`` for each variable, shaped ``out.shape + v.shape``; None
    where ``out`` does not depend on ``v`` (the caller materializes or refuses).

    One reverse pass per element of ``out`` (reverse mode is the cheap
    direction for the scalar losses symgrad is mostly used on).
    """
    if not out.requires_grad:
        return [None] * len(variables)
    if out.ndim == 0:
        return list(engine.grad(out, variables, retain_graph=True, create_graph=create_graph, allow_unused=True))
    flat = out.reshape(-1)
    rows = [engine.grad(flat[i], variables, retain_graph=True, create_graph=create_graph, allow_unused=True)
            for i in range(flat.shape[0])]
    blocks: list[Tensor | None] = []
    for j, v in enumerate(variables):
        column = [r[j] for r in rows]
        if all(g is None for g in column):
            blocks.append(None)
            continue
        filled = [g if g is not None else zeros_for((), v) for g in column]
        from symgrad.ops.shape import stack

        blocks.append(stack(filled).reshape(tuple(out.shape) + tuple(v.shape)))
    return blocks


def vjp_grads(outputs: list[Tensor], variables: list[Tensor], cotangents: list[Tensor],
              create_graph: bool) -> list[Tensor | None]:
    """``sum_i cotangent_i . d output_i / d v`` for each variable (None: unused)."""
    live = [(o, c) for o, c in zip(outputs, cotangents) if o.requires_grad]
    if not live:
        return [None] * len(variables)
    return list(engine.grad([o for o, _ in live], variables, grad_outputs=[c for _, c in live],
                            retain_graph=True, create_graph=create_graph, allow_unused=True))


def jvp_tangents(outputs: list[Tensor], variables: list[Tensor], tangents: list[Tensor],
                 create_graph: bool) -> list[Tensor | None]:
    """``sum_j d output / d v_j . tangent_j`` for each output (None: constant
    output), by the double-vjp trick described in the module notes."""
    live = [i for i, o in enumerate(outputs) if o.requires_grad]
    result: list[Tensor | None] = [None] * len(outputs)
    if not live:
        return result
    dummies = [_dummy_cotangent(outputs[i]) for i in live]
    gs = engine.grad([outputs[i] for i in live], variables, grad_outputs=dummies, retain_graph=True,
                     create_graph=True, allow_unused=True)
    pairs = [(g, t) for g, t in zip(gs, tangents) if g is not None and g.requires_grad]
    if not pairs:
        return result
    back = engine.grad([g for g, _ in pairs], dummies, grad_outputs=[t for _, t in pairs], retain_graph=True,
                       create_graph=create_graph, allow_unused=True)
    for i, jv in zip(live, back):
        result[i] = jv
    return result


def _dummy_cotangent(out: Tensor) -> Tensor:
    u = Tensor._make(np.zeros_like(out._value)).requires_grad_()
    u._set_name("cotangent")  # never in a result (g is linear in it); named so no frame scan is needed
    return u


def as_cotangent(value: Any, like: Tensor, what: str) -> Tensor:
    """A cotangent/tangent for ``like``: a tensor of its shape (numbers accepted)."""
    from symgrad.creation import as_tensor

    if not isinstance(value, Tensor):
        try:
            value = as_tensor(value, dtype=like.dtype)
        except (TypeError, ValueError) as e:
            raise TypeError(f"{what} must be a tensor of shape {list(like.shape)}, got {type(value).__name__}") from e
    if tuple(value.shape) != tuple(like.shape):
        raise ValueError(f"{what} has shape {list(value.shape)} but must have shape {list(like.shape)} "
                         "(the shape of the value it goes with)")
    return value
