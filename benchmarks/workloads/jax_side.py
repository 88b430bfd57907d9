"""The functions written in JAX: program sizes for row 5 (equations in the
jaxpr) and the hand-written JAX reference of row 7.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks.peers import peer


def function(name: str, size: int | None) -> tuple[Any, Any]:
    """``(f, example)``: a JAX function of one array and an argument for it."""
    jnp = peer("jax").numpy
    from benchmarks.workloads.functions import MLP_X, MLP_Y, mlp_weights

    if name in ("rosenbrock_vector", "rosenbrock_scalars"):
        return (lambda x: jnp.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)), np.linspace(-1.2, 1.2, size)
    if name == "product":
        return jnp.prod, 1 + 0.01 * np.arange(size)
    if name == "mlp":
        shapes = [w.shape for w in mlp_weights()]

        def loss(flat: Any) -> Any:
            parts, start = [], 0
            for shape in shapes:
                count = int(np.prod(shape))
                parts.append(flat[start:start + count].reshape(shape))
                start += count
            W1, b1, W2, b2 = parts
            return jnp.mean((jnp.tanh(MLP_X @ W1.T + b1) @ W2.T + b2 - MLP_Y) ** 2)
        return loss, np.concatenate([w.ravel() for w in mlp_weights()])
    if name == "sin_chain":
        def chain(x: Any) -> Any:
            y = x
            for _ in range(size):
                y = jnp.sin(x * y)
            return y
        return chain, np.float64(0.7)
    raise ValueError(f"unknown function {name!r}")


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


def program_sizes(name: str, size: int | None) -> tuple[int, int]:
    jax = peer("jax")
    f, example = function(name, size)
    return (_equations(jax.make_jaxpr(f)(example).jaxpr),
            _equations(jax.make_jaxpr(jax.value_and_grad(f))(example).jaxpr))
