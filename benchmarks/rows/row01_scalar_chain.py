"""Row 1: eager forward + backward of a 1000-op scalar chain, per op, against
PyTorch on 0-d float64 tensors."""

from __future__ import annotations

from benchmarks.config import Config
from benchmarks.peers import PeerMissingError, peer, version
from benchmarks.result import Line, Target, skipped, timed_line
from benchmarks.timing import interleaved
from benchmarks.workloads.scalar_chain import forward_backward

NUMBER = 1
TITLE = "eager forward+backward of a 1000-op scalar chain (mul/add/sin/exp on 3 leaves), per op"
TARGET = Target("<=", 0.5, "<= 0.5x PyTorch 0-d float64")


def run(config: Config) -> list[Line]:
    import symgrad

    n_ops = config.pick(1000, 40)
    case = f"{n_ops}-op chain, time per op"
    try:
        torch = peer("torch")
    except PeerMissingError as missing:
        return [skipped(NUMBER, case, TARGET, str(missing))]
    times = interleaved({"symgrad": lambda: forward_backward(symgrad, n_ops),
                         "torch": lambda: forward_backward(torch, n_ops)}, config.timing)
    per_op = {name: type(t)(t.wall / n_ops, t.cpu / n_ops, t.samples, t.calls_per_sample) for name, t in times.items()}
    return [timed_line(NUMBER, case, TARGET, per_op["symgrad"], per_op["torch"], f"PyTorch {version('torch')}")]
