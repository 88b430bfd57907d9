"""Row 10's child: one workload in a fresh interpreter, reporting memory.

    python -m benchmarks.workloads.memory_child LIB WORKLOAD MODE

LIB is ``symgrad`` or ``torch``; WORKLOAD ``chain`` (row 1) or ``regression``
(row 3, eager); MODE ``rss`` (resident set after import, and the process's
peak) or ``traced`` (tracemalloc's peak of Python-side allocations during the
workload; it cannot see PyTorch's C++ allocations).
"""

from __future__ import annotations

import importlib
import json
import sys
import tracemalloc
from typing import Any

MIB = 1024 * 1024


def status_kib(field: str) -> int:
    """A memory field of /proc/self/status (VmRSS: resident now, VmHWM: its peak), in KiB.

    Not ``getrusage``'s ru_maxrss: Linux carries that across ``exec``, so a
    child of a big parent starts with the parent's peak.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def workload(lib: Any, name: str) -> None:
    if name == "chain":
        from benchmarks.workloads.scalar_chain import forward_backward

        forward_backward(lib, 1000)
    elif name == "regression":
        from benchmarks.workloads.seed import seed_loop

        seed_loop(lib, lib.nn, lib.optim)
    else:
        raise SystemExit(f"unknown workload {name!r}")


def main(lib_name: str, name: str, mode: str) -> dict[str, float]:
    from benchmarks.threads import pin_environment

    pin_environment()
    lib = importlib.import_module(lib_name)
    if lib_name == "torch":
        lib.set_num_threads(1)
    importlib.import_module(f"{lib_name}.nn")
    importlib.import_module(f"{lib_name}.optim")
    if mode == "traced":
        tracemalloc.start()
        workload(lib, name)
        return {"traced_peak": tracemalloc.get_traced_memory()[1] / MIB}
    after_import = status_kib("VmRSS")
    workload(lib, name)
    peak = status_kib("VmHWM")
    return {"after_import": after_import / 1024, "peak": peak / 1024, "growth": (peak - after_import) / 1024}


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:])))
