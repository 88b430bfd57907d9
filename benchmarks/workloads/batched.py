"""Rows 6 and 7: value and gradient at many points at once.

Each problem has a symgrad graph of scalar leaves (the generated function
then takes one array of points per leaf), the point arrays, the hand-written
NumPy baseline, and the same function in JAX (``jit(vmap(value_and_grad))``),
the reference the issue quotes for row 7.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from benchmarks.workloads import functions, handwritten


@dataclass(frozen=True)
class Problem:
    label: str
    build: Callable[[], tuple[Any, list[Any]]]  # symgrad (f, scalar leaves)
    arrays: list[np.ndarray]                     # one array of points per leaf
    by_hand: Callable[[], Any]                   # hand-written NumPy on ``arrays``
    jax_point: Callable[..., Any]                # the function of one point, in jax.numpy (one scalar per leaf)


def problems(points: int) -> list[Problem]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(10, points))
    x, y, z = rng.normal(size=(3, points))
    return [Problem("Rosenbrock n=10", lambda: functions.rosenbrock_scalars(10), list(X),
                    lambda: handwritten.rosenbrock(X), _jax_rosenbrock),
            Problem("x*x*y + sin(x*y) + exp(-z**2)", functions.xyz, [x, y, z],
                    lambda: handwritten.xyz(x, y, z), _jax_xyz)]


def _jax_rosenbrock(*xs: Any) -> Any:
    total: Any = 0.0
    for a, b in zip(xs, xs[1:]):
        total = total + 100 * (b - a * a) ** 2 + (1 - a) ** 2
    return total


def _jax_xyz(x: Any, y: Any, z: Any) -> Any:
    import jax.numpy as jnp

    return x * x * y + jnp.sin(x * y) + jnp.exp(-z * z)


def check_same(generated: Any, problem: Problem) -> None:
    """The generated function and the hand-written one agree (so the race is fair)."""
    value, grads = generated(*problem.arrays)
    hand_value, hand_grads = problem.by_hand()
    np.testing.assert_allclose(np.asarray(value), hand_value, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(np.stack([np.asarray(g) for g in grads]), np.stack(list(hand_grads)),
                               rtol=1e-9, atol=1e-9)
