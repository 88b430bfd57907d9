"""One line of the results table: what was measured, symgrad's number, the
baseline's number from the same run, their ratio, the issue's target, and
the verdict in plain words.

``ratio`` is always symgrad / baseline (smaller is better for times and
memory) unless the line's ``kind`` says it is a program-size ratio (gradient
ops / function ops) or an absolute time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Target:
    """``ratio <op> value``, e.g. ``Target("<=", 0.5, "<= 0.5x PyTorch")``."""

    op: str
    value: float
    text: str

    def met(self, ratio: float) -> bool:
        if self.op == "<=":
            return ratio <= self.value
        if self.op == ">=":
            return ratio >= self.value
        raise ValueError(f"unknown comparison {self.op!r}")


@dataclass
class Line:
    """One measured line of a row (a row of the issue may have several)."""

    row: int
    case: str                    # e.g. "first derivative", "Rosenbrock n=1000"
    target: Target
    symgrad: float | None = None  # seconds, bytes or a size ratio, per ``unit``
    baseline: float | None = None
    baseline_name: str = ""
    unit: str = "s"              # "s" (seconds per call), "MiB", "ops ratio"
    ratio: float | None = None
    cpu_ratio: float | None = None  # the same ratio in process CPU time
    bound: str = ""              # "<" when the baseline timed out: the ratio is an upper bound
    status: str = "ok"           # "ok", "skipped" (peer absent) or "error"
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def met(self) -> bool | None:
        """True or False; None when not measured, or undecided (the baseline
        was stopped at the timeout and the bound it gives is not enough)."""
        if self.status != "ok" or self.ratio is None:
            return None
        met = self.target.met(self.ratio)
        return None if self.bound == "<" and not met else met

    @property
    def verdict(self) -> str:
        if self.status != "ok" or self.ratio is None:
            return f"not measured ({self.status}: {self.note})" if self.note else f"not measured ({self.status})"
        shown = self.shown_ratio
        if self.met is None:
            return f"undecided: {shown} (target {self.target.text}; the baseline was stopped at the timeout)"
        return f"{'meets' if self.met else 'MISSES'}: {shown} (target {self.target.text})"

    @property
    def shown_ratio(self) -> str:
        """The ratio as the tables print it: ``1.19x``, ``<0.06x``; seconds for an
        absolute time; a plain number for a program-size ratio or its growth."""
        if self.ratio is None:
            return "-"
        if self.unit == "s absolute":
            return f"{self.ratio * 1e3:.0f} ms"
        if self.unit in ("ops ratio", "growth"):
            return f"{self.ratio:.2f}"
        return self.bound + format_ratio(self.ratio)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["target"] = asdict(self.target)
        data["met"] = self.met
        data["verdict"] = self.verdict
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Line:
        fields = {k: v for k, v in data.items() if k not in ("met", "verdict", "target")}
        return cls(**fields, target=Target(**data["target"]))


def format_ratio(ratio: float) -> str:
    """Three significant digits (1.00x, 0.978x), so a ratio just over its target
    does not print as on it."""
    return f"{ratio:.0f}x" if ratio >= 100 else f"{ratio:#.3g}x"


def skipped(row: int, case: str, target: Target, reason: str) -> Line:
    return Line(row, case, target, status="skipped", note=reason)


def timed_line(row: int, case: str, target: Target, symgrad: Any, baseline: Any, baseline_name: str,
               note: str = "") -> Line:
    """A line from two :class:`benchmarks.timing.Timing` results of the same interleaved run."""
    return Line(row, case, target, symgrad=symgrad.wall, baseline=baseline.wall, baseline_name=baseline_name,
                ratio=symgrad.wall / baseline.wall, cpu_ratio=symgrad.cpu / baseline.cpu if baseline.cpu else None,
                note=note)
