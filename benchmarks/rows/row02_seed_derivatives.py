"""Row 2: the seed's z = x*x*y, first derivative (``z.backward()``) and second
derivative (``02_second_derivative.py``: ``create_graph``, then backward of
``x.grad``), whole programs from fresh leaves, against PyTorch."""

from __future__ import annotations

import warnings

from benchmarks.config import Config
from benchmarks.peers import PeerMissingError, peer, version
from benchmarks.result import Line, Target, skipped, timed_line
from benchmarks.timing import interleaved
from benchmarks.workloads.seed import first_derivative, second_derivative

NUMBER = 2
TITLE = "the seed's z = x*x*y: first derivative, and second derivative via create_graph"
TARGET = Target("<=", 0.5, "<= 0.5x PyTorch")


def run(config: Config) -> list[Line]:
    import symgrad

    cases = {"first derivative (z.backward())": first_derivative,
             "second derivative (create_graph, then x.grad.backward())": second_derivative}
    try:
        torch = peer("torch")
    except PeerMissingError as missing:
        return [skipped(NUMBER, case, TARGET, str(missing)) for case in cases]
    # PyTorch warns that backward(create_graph=True) makes a reference cycle; the seed does it on purpose.
    warnings.filterwarnings("ignore", message="Using backward\\(\\) with create_graph=True")
    lines = []
    for case, program in cases.items():
        times = interleaved({"symgrad": lambda p=program: p(symgrad), "torch": lambda p=program: p(torch)},
                            config.timing)
        lines.append(timed_line(NUMBER, case, TARGET, times["symgrad"], times["torch"], f"PyTorch {version('torch')}"))
    return lines
