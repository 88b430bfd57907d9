"""The functions of rows 4 to 8 as symgrad graphs: each builder returns
``(f, wrt)``, a scalar output tensor and the leaves to differentiate by.

The same functions are written for SymPy, CasADi, JAX and by hand in NumPy
in the sibling modules; ``MLP_X``, ``MLP_Y`` and ``mlp_weights`` are shared so
all of them compute the same numbers.  The MLP's size argument is its hidden
width (16 in the issue; the smoke run uses 2).
"""

from __future__ import annotations

from typing import Any

import numpy as np

MLP_X = np.linspace(-1.0, 1.0, 11).reshape(11, 1)
MLP_Y = np.sin(3 * MLP_X)
MLP_HIDDEN = 16  # 1-16-1: W1, b1, W2, b2 hold 49 weights


def mlp_weights(hidden: int = MLP_HIDDEN) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.normal(size=s) for s in ((hidden, 1), (hidden,), (1, hidden), (1,))]


def rosenbrock_vector(n: int) -> tuple[Any, Any]:
    """Rosenbrock of one n-vector leaf, written with slices (as in NumPy)."""
    import symgrad

    x = symgrad.tensor(np.linspace(-1.2, 1.2, n), requires_grad=True)
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum(), x


def rosenbrock_scalars(n: int) -> tuple[Any, list[Any]]:
    """Rosenbrock of n scalar leaves: the same graph SymPy and CasADi see."""
    import symgrad

    xs = [symgrad.tensor(v, requires_grad=True) for v in np.linspace(-1.2, 1.2, n)]
    f: Any = 0
    for a, b in zip(xs, xs[1:]):
        f = f + 100 * (b - a ** 2) ** 2 + (1 - a) ** 2
    return f, xs


def product(n: int) -> tuple[Any, list[Any]]:
    import symgrad

    xs = [symgrad.tensor(1 + 0.01 * i, requires_grad=True) for i in range(n)]
    f = xs[0]
    for v in xs[1:]:
        f = f * v
    return f, xs


def mlp(hidden: int = MLP_HIDDEN) -> tuple[Any, list[Any]]:
    """Mean squared error of a 1-hidden-1 tanh MLP over 11 points (49 weights for 16)."""
    import symgrad
    from symgrad.nn.functional import linear

    X, Y = symgrad.tensor(MLP_X), symgrad.tensor(MLP_Y)
    params = [symgrad.tensor(w, requires_grad=True) for w in mlp_weights(hidden)]
    W1, b1, W2, b2 = params
    return ((linear(symgrad.tanh(linear(X, W1, b1)), W2, b2) - Y) ** 2).mean(), params


def sin_chain(depth: int) -> tuple[Any, Any]:
    """y = sin(x * y), nested ``depth`` times."""
    import symgrad

    x = symgrad.tensor(0.7, requires_grad=True)
    y = x
    for _ in range(depth):
        y = symgrad.sin(x * y)
    return y, x


def xyz() -> tuple[Any, list[Any]]:
    """Row 6's second function: x*x*y + sin(x*y) + exp(-z**2)."""
    import symgrad

    x, y, z = (symgrad.tensor(v, requires_grad=True) for v in (0.3, 0.5, 0.7))
    return x * x * y + symgrad.sin(x * y) + symgrad.exp(-z ** 2), [x, y, z]


# name -> builder of one size argument (None: the function has no size)
BUILDERS: dict[str, Any] = {
    "rosenbrock_vector": rosenbrock_vector,
    "rosenbrock_scalars": rosenbrock_scalars,
    "product": product,
    "mlp": mlp,
    "sin_chain": sin_chain,
}
