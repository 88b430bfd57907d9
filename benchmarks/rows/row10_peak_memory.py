"""Row 10: peak memory of rows 1 and 3's workloads, against PyTorch, each
measured in a fresh interpreter.

Three numbers per workload: the process's peak resident set (imports
included), its growth during the workload (peak minus the resident set after
import), and tracemalloc's peak of Python-side allocations (which cannot see
PyTorch's C++ allocations, so that line is informative only for symgrad).
"""

from __future__ import annotations

import statistics

from benchmarks.config import Config
from benchmarks.fresh import run_module
from benchmarks.peers import PeerMissingError, version
from benchmarks.result import Line, Target, skipped

NUMBER = 10
TITLE = "peak memory of rows 1 and 3"
TARGET = Target("<=", 1.0, "<= 1.0x PyTorch")
WORKLOADS = {"chain": "row 1 (1000-op scalar chain)", "regression": "row 3 (linear regression, eager)"}


def measure(lib: str, workload: str, mode: str) -> dict[str, float]:
    """One fresh interpreter's numbers (``memory_child``)."""
    return dict(run_module("benchmarks.workloads.memory_child", lib, workload, mode).data)


def run(config: Config) -> list[Line]:
    repeats = config.pick(3, 1)
    lines = []
    for workload, label in WORKLOADS.items():
        try:
            baseline = f"PyTorch {version('torch')}"
        except PeerMissingError as missing:
            lines.append(skipped(NUMBER, label, TARGET, str(missing)))
            continue
        samples: dict[str, dict[str, list[float]]] = {"symgrad": {}, "torch": {}}
        for _ in range(repeats):  # alternate the two libraries
            for lib, store in samples.items():
                for key, value in measure(lib, workload, "rss").items():
                    store.setdefault(key, []).append(value)
        m, t = ({k: statistics.median(v) for k, v in samples[lib].items()} for lib in ("symgrad", "torch"))
        traced = measure("symgrad", workload, "traced")["traced_peak"]
        lines.append(Line(NUMBER, f"{label}: peak resident set of the process", TARGET, symgrad=m["peak"],
                          baseline=t["peak"], baseline_name=baseline, unit="MiB", ratio=m["peak"] / t["peak"],
                          note=f"after import: symgrad {m['after_import']:.0f} MiB, PyTorch {t['after_import']:.0f} MiB"))
        # PyTorch growing by nothing would divide by zero: count at least 1 KiB.
        lines.append(Line(NUMBER, f"{label}: growth of the resident set during the workload", TARGET,
                          symgrad=m["growth"], baseline=t["growth"], baseline_name=baseline, unit="MiB",
                          ratio=m["growth"] / max(t["growth"], 1 / 1024),
                          note=f"symgrad's Python-side allocations peak at {traced:.2f} MiB (tracemalloc)"))
    return lines
