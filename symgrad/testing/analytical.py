"""Analytical Jacobians for ``gradcheck``, from symgrad's derivative rules:
reverse mode (one vector-Jacobian product per output element, as PyTorch's
gradcheck does) and, for ``check_forward_ad``, column by column with the
Jacobian-vector products of ``symgrad.jvp`` (the exact double-vjp trick).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symgrad import grad_mode
from symgrad._tensor import Tensor
from symgrad.autograd import engine
from symgrad.functional import derivatives

__all__ = ["reverse_jacobians", "forward_jacobians", "reverse_directional"]


def reverse_jacobians(outputs: tuple[Tensor, ...], inputs: list[Tensor], check_dtypes: bool) -> list[list[np.ndarray]]:
    """``J[i][k]`` of shape (input k elements, output i elements), like the numerical ones."""
    jac = [[np.zeros((x._value.size, o._value.size)) for x in inputs] for o in outputs]
    for i, o in enumerate(outputs):
        if not o.requires_grad:
            continue
        for m in range(o._value.size):
            unit = np.zeros(o._value.size, dtype=o._value.dtype)
            unit[m] = 1
            grads = _vjp(o, inputs, unit.reshape(o._value.shape))
            for k, (g, x) in enumerate(zip(grads, inputs)):
                if g is not None:
                    _check_grad(g, x, k, check_dtypes)
                    jac[i][k][:, m] = np.asarray(g._value, dtype=np.float64).reshape(-1)
    return jac


def reverse_directional(outputs: tuple[Tensor, ...], inputs: list[Tensor], v: list[np.ndarray],
                        directions: list[np.ndarray]) -> list[list[float]]:
    """``v_i^T J_ik u_k`` for each output i and input k (fast mode)."""
    out = []
    for o, vi in zip(outputs, v):
        if not o.requires_grad:
            out.append([0.0] * len(inputs))
            continue
        grads = _vjp(o, inputs, vi.reshape(o._value.shape).astype(o._value.dtype))
        out.append([0.0 if g is None else float(np.dot(np.asarray(g._value, dtype=np.float64).reshape(-1), u))
                    for g, u in zip(grads, directions)])
    return out


def forward_jacobians(outputs: tuple[Tensor, ...], inputs: list[Tensor]) -> list[list[np.ndarray]]:
    """The same Jacobians computed column by column from Jacobian-vector products."""
    jac = [[np.zeros((x._value.size, o._value.size)) for x in inputs] for o in outputs]
    for k, x in enumerate(inputs):
        for e in range(x._value.size):
            tangents = [Tensor._make(np.zeros_like(t._value)) for t in inputs]
            tangents[k]._value.reshape(-1)[e] = 1
            with grad_mode.enable_grad():
                cols = derivatives.jvp_tangents(list(outputs), inputs, tangents, create_graph=False)
            for i, c in enumerate(cols):
                if c is not None:
                    jac[i][k][e] = np.asarray(c._value, dtype=np.float64).reshape(-1)
    return jac


def _vjp(out: Tensor, inputs: list[Tensor], cotangent: np.ndarray) -> tuple[Any, ...]:
    with grad_mode.enable_grad():
        return engine.grad(out, inputs, grad_outputs=Tensor._make(cotangent), retain_graph=True, allow_unused=True)


def _check_grad(g: Tensor, x: Tensor, k: int, check_dtypes: bool) -> None:
    if tuple(g.shape) != tuple(x.shape):
        raise _error(f"Gradient has shape mismatch: input {k} has shape {list(x.shape)} but its gradient has "
                     f"shape {list(g.shape)}")
    if check_dtypes and g.dtype != x.dtype:
        raise _error(f"Gradient has dtype mismatch: input {k} is {x.dtype} but its gradient is {g.dtype}")


def _error(message: str) -> Exception:
    from symgrad.testing.errors import GradcheckError

    return GradcheckError(message)
