"""Row 6: value + gradient over 10**6 points with the generated NumPy code,
against the same computation written by hand in NumPy."""

from __future__ import annotations

from benchmarks.config import Config
from benchmarks.peers import PeerMissingError, require_codegen
from benchmarks.result import Line, Target, skipped, timed_line
from benchmarks.timing import Settings, interleaved
from benchmarks.workloads.batched import check_same, problems

NUMBER = 6
TITLE = "batched value+gradient over 10^6 points, generated numpy backend"
TARGET = Target("<=", 1.0, "<= 1.0x hand-written NumPy")


def run(config: Config) -> list[Line]:
    try:
        require_codegen()
    except PeerMissingError as missing:
        return [skipped(NUMBER, "every case", TARGET, str(missing))]
    import symgrad

    points = config.pick(10 ** 6, 10 ** 3)
    settings = Settings(repeats=config.pick(15, 3), min_sample=0.0, warmup=config.pick(2, 1))
    lines = []
    for problem in problems(points):
        f, wrt = problem.build()
        generated = symgrad.gradient_function(f, wrt)
        check_same(generated, problem)
        times = interleaved({"symgrad": lambda g=generated, p=problem: g(*p.arrays), "hand": problem.by_hand},
                            settings)
        lines.append(timed_line(NUMBER, f"{problem.label}, {points:.0e} points", TARGET, times["symgrad"],
                                times["hand"], "hand-written NumPy"))
    return lines
