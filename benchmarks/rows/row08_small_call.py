"""Row 8: one call of the generated MLP gradient (49 weights, 11 points),
where the per-call overhead of the generated code shows, against the same
value and gradient written by hand in NumPy.  The C backend (compiled) is
timed alongside when a C compiler is found."""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks.config import Config
from benchmarks.peers import PeerMissingError, require_codegen
from benchmarks.result import Line, Target, format_ratio, skipped, timed_line
from benchmarks.timing import interleaved
from benchmarks.workloads import handwritten
from benchmarks.workloads.functions import MLP_X, MLP_Y, mlp, mlp_weights

NUMBER = 8
TITLE = "one MLP gradient call (49 weights, 11 points)"
TARGET = Target("<=", 1.0, "<= 1.0x hand-written NumPy")


def _compiled(f: Any, wrt: list[Any]) -> Any | None:
    import symgrad

    try:
        return symgrad.gradient_function(f, wrt, backend="c", compile=True)
    except Exception:  # no C compiler on this machine: the C line is left out, not the row
        return None


def run(config: Config) -> list[Line]:
    try:
        require_codegen()
    except PeerMissingError as missing:
        return [skipped(NUMBER, "every case", TARGET, str(missing))]
    import symgrad

    f, wrt = mlp()
    weights = mlp_weights()
    generated = symgrad.gradient_function(f, wrt)
    value, grads = generated(*weights)
    hand_value, hand_grads = handwritten.mlp(*weights, MLP_X, MLP_Y)
    np.testing.assert_allclose(value, hand_value, rtol=1e-10)
    for mine, theirs in zip(grads, hand_grads):
        np.testing.assert_allclose(mine, theirs, rtol=1e-9, atol=1e-12)
    contenders = {"symgrad numpy": lambda: generated(*weights),
                  "hand": lambda: handwritten.mlp(*weights, MLP_X, MLP_Y)}
    compiled = _compiled(f, wrt)
    if compiled is not None:
        contenders["symgrad c"] = lambda: compiled(*weights)
    times = interleaved(contenders, config.timing)
    note = (f"C backend (compiled, ctypes call): {format_ratio(times['symgrad c'].wall / times['hand'].wall)}"
            if compiled is not None else "no C compiler: C backend not timed")
    return [timed_line(NUMBER, "value and gradient, generated numpy backend", TARGET, times["symgrad numpy"],
                       times["hand"], "hand-written NumPy", note=note)]
