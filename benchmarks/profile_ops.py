"""Where row 1's time goes: the cost of one scalar op, split into forward and
backward, beside PyTorch's and beside the floor NumPy itself sets.

    python -m benchmarks.profile_ops

Not a row of the table: the numbers behind "What we found profiling" in
``docs/benchmarks.md``.  Timed like the rows (interleaved medians, one thread).
"""

from __future__ import annotations

from typing import Any

from benchmarks.threads import pin_environment

N = 1000  # ops per chain, as in row 1


def _chain(lib: Any, backward: bool) -> Any:
    a, b, c = (lib.tensor(v, dtype=lib.float64, requires_grad=True) for v in (0.5, 0.9, 0.1))
    y = a
    for _ in range(N // 4):
        y = lib.exp(lib.sin(y * b + c))
    if backward:
        y.backward()
    return y


def _numpy_floor() -> None:
    """The NumPy calls a 0-d forward and a numeric backward cannot avoid: one
    ufunc per forward op, and the derivative rule's ufuncs (mul: 2, add: 0,
    sin: cos + mul, exp: mul), on 0-d float64 arrays."""
    import numpy as np

    y, b, c, g = np.array(0.5), np.array(0.9), np.array(0.1), np.array(1.0)
    for _ in range(N // 4):
        t = np.multiply(y, b)
        u = np.add(t, c)
        s = np.sin(u)
        y = np.exp(s)
        g = np.multiply(g, y)
        g = np.multiply(g, np.cos(u))
        np.multiply(g, b)
        np.multiply(g, y)


def _python_floor() -> None:
    """The same arithmetic on Python floats with ``math``: what a scalar engine could reach."""
    import math

    y, b, c, g = 0.5, 0.9, 0.1, 1.0
    for _ in range(N // 4):
        u = y * b + c
        s = math.sin(u)
        y = math.exp(s)
        g = g * y * math.cos(u)
        _ = g * b, g * y


def main() -> None:
    pin_environment()
    import symgrad
    from benchmarks.peers import peer
    from benchmarks.timing import FULL, interleaved

    torch = peer("torch")

    def forward_then(lib: Any) -> Any:
        y = _chain(lib, backward=False)
        return lambda: y.backward(retain_graph=True)

    sym_backward, torch_backward = forward_then(symgrad), forward_then(torch)
    times = interleaved({
        "symgrad forward": lambda: _chain(symgrad, False), "PyTorch forward": lambda: _chain(torch, False),
        "symgrad forward+backward": lambda: _chain(symgrad, True),
        "PyTorch forward+backward": lambda: _chain(torch, True),
        "symgrad backward (retain_graph)": sym_backward, "PyTorch backward (retain_graph)": torch_backward,
        "NumPy 0-d ufuncs of forward+backward": _numpy_floor, "Python floats + math": _python_floor,
    }, FULL)
    for name, t in times.items():
        print(f"{name:<40} {t.wall / N * 1e6:7.2f} µs per op (CPU {t.cpu / N * 1e6:7.2f})")


if __name__ == "__main__":
    main()
