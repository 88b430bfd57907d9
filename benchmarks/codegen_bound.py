"""Generated gradient code: size, generation time and speed.

For the issue's functions, prints the operation count of the function's code
and of the value-and-gradient code (their ratio is the cheap-gradient bound,
<= 4), and how long generation takes; then times the generated NumPy gradient
of a two-variable Rosenbrock over 10**6 points against hand-written NumPy.

    python benchmarks/codegen_bound.py           # full sizes
    python benchmarks/codegen_bound.py --quick   # small sizes, a few seconds
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import symgrad
from symgrad.codegen import count_operations


def rosenbrock_vector(n: int) -> tuple[Any, Any]:
    x = symgrad.tensor(np.linspace(-1.2, 1.2, n), requires_grad=True)
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum(), x


def rosenbrock_scalars(n: int) -> tuple[Any, Any]:
    xs = [symgrad.tensor(v, requires_grad=True) for v in np.linspace(-1.2, 1.2, n)]
    f: Any = 0
    for a, b in zip(xs, xs[1:], strict=False):
        f = f + 100 * (b - a ** 2) ** 2 + (1 - a) ** 2
    return f, xs


def product(n: int) -> tuple[Any, Any]:
    xs = [symgrad.tensor(1 + 0.01 * i, requires_grad=True) for i in range(n)]
    f = xs[0]
    for v in xs[1:]:
        f = f * v
    return f, xs


def sin_chain(depth: int) -> tuple[Any, Any]:
    x = symgrad.tensor(0.7, requires_grad=True)
    y = x
    for _ in range(depth):
        y = symgrad.sin(x * y)
    return y, x


def mlp() -> tuple[Any, Any]:
    rng = np.random.default_rng(0)
    X = symgrad.tensor(np.linspace(-1, 1, 11).reshape(11, 1))
    Y = symgrad.tensor(np.sin(3 * np.linspace(-1, 1, 11)).reshape(11, 1))
    params = [symgrad.tensor(rng.normal(size=s), requires_grad=True) for s in [(16, 1), (16,), (1, 16), (1,)]]
    W1, b1, W2, b2 = params
    loss = ((symgrad.linear(symgrad.tanh(symgrad.linear(X, W1, b1)), W2, b2) - Y) ** 2).mean()
    return loss, params


def measure(label: str, build: Callable[[], tuple[Any, Any]]) -> None:
    f, wrt = build()
    start = time.perf_counter()
    grad = symgrad.gradient_function(f, wrt)
    generated = time.perf_counter() - start
    value = symgrad.lambdify(grad.inputs, f)
    a, b = count_operations(value), count_operations(grad)
    print(f"{label:<28} function {a:>6} ops   value+gradient {b:>6} ops   ratio {b / a:4.2f}   "
          f"generated in {generated * 1000:8.1f} ms")


def numpy_speed(points: int) -> None:
    x = symgrad.tensor(0.5, requires_grad=True)
    y = symgrad.tensor(0.5, requires_grad=True)
    f = (1 - x) ** 2 + 100 * (y - x ** 2) ** 2
    generated = symgrad.gradient_function(f, [x, y])

    def by_hand(x: Any, y: Any) -> Any:
        d = y - x * x
        return (1 - x) ** 2 + 100 * d * d, (-2 * (1 - x) - 400 * x * d, 200 * d)

    rng = np.random.default_rng(0)
    xs, ys = rng.normal(size=points), rng.normal(size=points)
    np.testing.assert_allclose(generated(xs, ys)[1][0], by_hand(xs, ys)[1][0])
    best = {"generated": np.inf, "hand-written": np.inf}
    for _ in range(15):  # interleaved, best of 15: the machine may be shared
        for name, fn in [("generated", generated), ("hand-written", by_hand)]:
            best[name] = min(best[name], _timed(fn, xs, ys))
    for name, seconds in best.items():
        print(f"2-d Rosenbrock value+gradient over {points:.0e} points, {name:<12} {seconds * 1000:7.1f} ms")
    print("generated code:\n" + generated.source.split('"""')[-1])


def _timed(fn: Callable[..., Any], *args: Any) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    quick = parser.parse_args().quick
    for n in [10, 100] if quick else [10, 100, 1000]:
        measure(f"Rosenbrock vector n={n}", lambda n=n: rosenbrock_vector(n))
    for n in [10, 100] if quick else [10, 100, 1000]:
        measure(f"Rosenbrock scalars n={n}", lambda n=n: rosenbrock_scalars(n))
    for n in [20, 100]:
        measure(f"product of n={n}", lambda n=n: product(n))
    measure("MLP 1-16-1 tanh, 11 points", mlp)
    for depth in [30] if quick else [30, 300]:
        measure(f"sin chain depth {depth}", lambda d=depth: sin_chain(d))
    numpy_speed(10 ** 4 if quick else 10 ** 6)


if __name__ == "__main__":
    main()
