"""Interleaved timing: the contenders take turns, many times, and each is
summarised by its median.

On a shared machine a busy moment slows whichever run happens to be going
on; alternating the contenders (in an order that flips every round, ABBA)
spreads such moments over all of them, and the median ignores the worst.
Both wall-clock time and this process's CPU time are kept: CPU time does not
count the moments the process waits for a core, so it is the steadier of the
two when the machine is loaded.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Timing:
    """Median seconds per call (wall clock and process CPU) over ``samples`` samples."""

    wall: float
    cpu: float
    samples: int
    calls_per_sample: int


@dataclass(frozen=True)
class Settings:
    """How long to measure: ``repeats`` samples of at least ``min_sample`` seconds each."""

    repeats: int
    min_sample: float
    warmup: int = 2


FULL = Settings(repeats=21, min_sample=0.02)
QUICK = Settings(repeats=3, min_sample=0.0, warmup=1)


def calls_per_sample(fn: Callable[[], Any], min_sample: float) -> int:
    """How many calls make one sample last ``min_sample`` seconds (timer resolution
    and loop overhead become negligible for microsecond-sized calls)."""
    if min_sample <= 0:
        return 1
    start = time.perf_counter()
    fn()
    once = time.perf_counter() - start
    return max(1, min(100_000, int(min_sample / max(once, 1e-9))))


def interleaved(contenders: dict[str, Callable[[], Any]], settings: Settings) -> dict[str, Timing]:
    """Time each contender, taking turns, and return the median of its samples."""
    for fn in contenders.values():
        for _ in range(settings.warmup):
            fn()
    loops = {name: calls_per_sample(fn, settings.min_sample) for name, fn in contenders.items()}
    walls: dict[str, list[float]] = {name: [] for name in contenders}
    cpus: dict[str, list[float]] = {name: [] for name in contenders}
    order = list(contenders)
    for round_number in range(settings.repeats):
        for name in order if round_number % 2 == 0 else reversed(order):
            fn, n = contenders[name], loops[name]
            cpu0, wall0 = time.process_time(), time.perf_counter()
            for _ in range(n):
                fn()
            wall1, cpu1 = time.perf_counter(), time.process_time()
            walls[name].append((wall1 - wall0) / n)
            cpus[name].append((cpu1 - cpu0) / n)
    return {name: Timing(statistics.median(walls[name]), statistics.median(cpus[name]), settings.repeats,
                         loops[name]) for name in contenders}


def once(fn: Callable[[], Any]) -> float:
    """Wall-clock seconds of one call."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start
