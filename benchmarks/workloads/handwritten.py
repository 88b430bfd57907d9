"""Value and gradient written by hand in NumPy: the baselines of rows 6 to 8.

Written as a careful NumPy programmer would (shared subexpressions computed
once, whole-array operations), so "<= 1.0x hand-written NumPy" is a real bar.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def rosenbrock(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rosenbrock of the n rows of ``X`` at every column (point): values and the (n, points) gradient."""
    a, b = X[:-1], X[1:]
    d = b - a * a
    one_minus_a = 1 - a
    value = (100 * d * d + one_minus_a * one_minus_a).sum(axis=0)
    grad = np.empty_like(X)
    grad[:-1] = -400 * a * d - 2 * one_minus_a
    grad[-1] = 0
    grad[1:] += 200 * d
    return value, grad


def xyz(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """x*x*y + sin(x*y) + exp(-z**2) and its gradient."""
    xy = x * y
    cos_xy = np.cos(xy)
    e = np.exp(-z * z)
    value = x * xy + np.sin(xy) + e
    return value, (2 * xy + y * cos_xy, x * x + x * cos_xy, -2 * z * e)


def mlp(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray, X: np.ndarray,
        Y: np.ndarray) -> tuple[Any, tuple[np.ndarray, ...]]:
    """Mean squared error of the 1-16-1 tanh MLP and its gradient by the four weights."""
    H = np.tanh(X @ W1.T + b1)
    residual = H @ W2.T + b2 - Y
    value = np.mean(residual * residual)
    d_out = residual * (2.0 / residual.size)
    d_pre = (d_out @ W2) * (1 - H * H)
    return value, (d_pre.T @ X, d_pre.sum(axis=0), d_out.T @ H, d_out.sum(axis=0))
