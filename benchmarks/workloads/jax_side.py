"""The functions of row 5 written in JAX, for their program sizes (equations
in the jaxpr of the function and of its ``value_and_grad``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks.peers import peer


def function(name: str, size: int) -> tuple[Any, tuple[Any, ...]]:
    """``(f, args)``: the function in JAX, written as a JAX user would (scalar
    arguments where symgrad has scalar leaves), and example arguments."""
    jnp = peer("jax").numpy
    from benchmarks.workloads.functions import MLP_X, MLP_Y, mlp_weights

    if name == "rosenbrock_vector":
        return (lambda x: jnp.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)), (np.linspace(-1.2, 1.2, size),)
    if name == "rosenbrock_scalars":
        return _rosenbrock_of_scalars, tuple(np.linspace(-1.2, 1.2, size))
    if name == "product":
        return _product_of_scalars, tuple(1 + 0.01 * np.arange(size))
    if name == "mlp":
        shapes = [w.shape for w in mlp_weights(size)]

        def loss(W1: Any, b1: Any, W2: Any, b2: Any) -> Any:
            return jnp.mean((jnp.tanh(MLP_X @ W1.T + b1) @ W2.T + b2 - MLP_Y) ** 2)
        return loss, tuple(np.zeros(shape) for shape in shapes)
    if name == "sin_chain":
        def chain(x: Any) -> Any:
            y = x
            for _ in range(size):
                y = jnp.sin(x * y)
            return y
        return chain, (np.float64(0.7),)
    raise ValueError(f"unknown function {name!r}")


def _rosenbrock_of_scalars(*xs: Any) -> Any:
    total: Any = 0.0
    for a, b in zip(xs, xs[1:]):
        total = total + 100 * (b - a * a) ** 2 + (1 - a) ** 2
    return total


def _product_of_scalars(*xs: Any) -> Any:
    total = xs[0]
    for x in xs[1:]:
        total = total * x
    return total


def _equations(jaxpr: Any) -> int:
    """Equations, counting those of nested calls (pjit, custom_jvp) instead of the call itself."""
    total = 0
    for eqn in jaxpr.eqns:
        inner = [p for p in eqn.params.values() if hasattr(p, "eqns") or hasattr(p, "jaxpr")]
        if inner:
            total += sum(_equations(getattr(p, "jaxpr", p)) for p in inner)
        else:
            total += 1
    return total


def program_sizes(name: str, size: int) -> tuple[int, int]:
    jax = peer("jax")
    f, args = function(name, size)
    every = tuple(range(len(args)))
    return (_equations(jax.make_jaxpr(f)(*args).jaxpr),
            _equations(jax.make_jaxpr(jax.value_and_grad(f, argnums=every))(*args).jaxpr))
