"""Helpers for the tests of backward()'s short passes (``autograd.loss_pass``,
``autograd.recording_pass``): a spy recording which calls a pass took, and
the general engine run instead, so that the two outcomes can be compared."""

from __future__ import annotations

from typing import Any

import symgrad as sg

LANE_OPS = sorted(name for name, op in sg.ops.TABLE.items() if op.scalar is not None)
DOMAIN = {"acosh": 1.7, "log": 0.6, "log2": 0.6, "log10": 0.6, "sqrt": 0.6, "rsqrt": 0.6}


def spy(monkeypatch: Any, module: Any) -> list[Any]:
    """Which ``backward()`` calls ``module``'s pass ran (True), handed on (False) or raised in."""
    calls: list[Any] = []
    real = module.backward

    def spied(root: Any, retain_graph: bool) -> Any:
        try:
            ran = real(root, retain_graph)
        except Exception:
            calls.append("raised")
            raise
        calls.append(ran)
        return ran

    monkeypatch.setattr(module, "backward", spied)
    return calls


def on_general_engine(fn: Any, monkeypatch: Any, module: Any) -> Any:
    """``fn()`` with ``module``'s pass refusing every graph: the general engine runs."""
    with monkeypatch.context() as m:
        m.setattr(module, "backward", lambda root, retain_graph: False)
        return fn()


def leaves(dtype: Any, *values: float) -> list[Any]:
    return [sg.tensor(v, dtype=dtype, requires_grad=True, name=f"x{i}") for i, v in enumerate(values)]
