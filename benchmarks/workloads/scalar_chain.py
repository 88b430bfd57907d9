"""Row 1's workload: a chain of scalar ops on three 0-d leaves, then backward.

Each step is ``y = exp(sin(y * b + c))``: four ops (mul, add, sin, exp), and
``exp(sin(.))`` keeps the value between 1/e and e, so a chain of any length
neither overflows nor underflows.
"""

from __future__ import annotations

from typing import Any

OPS_PER_STEP = 4


def leaves(lib: Any) -> tuple[Any, Any, Any]:
    return tuple(lib.tensor(v, dtype=lib.float64, requires_grad=True) for v in (0.5, 0.9, 0.1))  # type: ignore[return-value]


def forward_backward(lib: Any, n_ops: int) -> Any:
    """Fresh leaves, ``n_ops`` recorded ops, ``backward()``; returns a's gradient."""
    a, b, c = leaves(lib)
    y = a
    for _ in range(n_ops // OPS_PER_STEP):
        y = lib.exp(lib.sin(y * b + c))
    y.backward()
    return a.grad
