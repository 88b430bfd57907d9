"""Numerical Jacobians by central finite differences, for ``gradcheck``.

Inputs are perturbed in place (their NumPy memory, any strides, as PyTorch
perturbs ``.data``) and restored exactly afterwards; ``func`` is evaluated without
recording a graph.  Layout is PyTorch's: for output ``i`` and input ``j`` a
matrix of shape ``(input j elements, output i elements)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from symgrad import grad_mode
from symgrad._tensor import Tensor

__all__ = ["evaluate", "numerical_jacobians", "numerical_directional"]


def evaluate(func: Callable[..., Any], inputs: tuple[Any, ...]) -> list[np.ndarray]:
    """``func(*inputs)`` as a list of float64 arrays (one per output), no graph."""
    with grad_mode.no_grad():
        outs = as_outputs(func(*inputs))
    return [np.array(o._value, dtype=np.float64) for o in outs]


def as_outputs(result: Any) -> tuple[Tensor, ...]:
    items = result if isinstance(result, (tuple, list)) else (result,)
    for i, o in enumerate(items):
        if not isinstance(o, Tensor):
            raise TypeError(f"gradcheck: output {i} of the function is a {type(o).__name__}; the function must "
                            "return a tensor or a tuple of tensors")
    return tuple(items)


def numerical_jacobians(func: Callable[..., Any], inputs: tuple[Any, ...], diff: list[int],
                        eps: float) -> list[list[np.ndarray]]:
    """``J[i][k]``: d output i / d input ``diff[k]``, shape (input elements, output elements)."""
    sizes = [o.size for o in evaluate(func, inputs)]
    jac = [[np.zeros((inputs[j]._value.size, n)) for j in diff] for n in sizes]
    for k, j in enumerate(diff):
        memory = inputs[j]._value  # written through .flat: works for any strides
        for e in range(memory.size):
            orig = memory.flat[e]
            try:
                memory.flat[e] = orig + eps
                plus = evaluate(func, inputs)
                memory.flat[e] = orig - eps
                minus = evaluate(func, inputs)
            finally:
                memory.flat[e] = orig  # restored exactly, even if func raises
            for i, (p, m) in enumerate(zip(plus, minus)):
                jac[i][k][e] = ((p - m) / (2 * eps)).reshape(-1)
    return jac


def numerical_directional(func: Callable[..., Any], inputs: tuple[Any, ...], diff: list[int],
                          directions: list[np.ndarray], eps: float) -> list[np.ndarray]:
    """``J u`` for each output: the derivative along ``u`` (one direction per
    differentiated input, moved together), flattened."""
    saved = [inputs[j]._value.copy() for j in diff]
    try:
        _shift(inputs, diff, directions, eps)
        plus = evaluate(func, inputs)
        _restore(inputs, diff, saved)
        _shift(inputs, diff, directions, -eps)
        minus = evaluate(func, inputs)
    finally:
        _restore(inputs, diff, saved)
    return [((p - m) / (2 * eps)).reshape(-1) for p, m in zip(plus, minus)]


def _shift(inputs: tuple[Any, ...], diff: list[int], directions: list[np.ndarray], step: float) -> None:
    for j, u in zip(diff, directions):
        memory = inputs[j]._value
        memory += (step * u).reshape(memory.shape).astype(memory.dtype)


def _restore(inputs: tuple[Any, ...], diff: list[int], saved: list[np.ndarray]) -> None:
    for j, s in zip(diff, saved):
        inputs[j]._value[...] = s
