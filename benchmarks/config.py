"""Full run or smoke run: the sizes, repeats and timeouts every row reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from benchmarks.timing import FULL, QUICK, Settings

T = TypeVar("T")


@dataclass(frozen=True)
class Config:
    quick: bool
    timing: Settings
    sympy_timeout: float  # seconds before a SymPy run is stopped and reported as not finishing

    def pick(self, full: T, quick: T) -> T:
        """The full run's size, or the smoke run's."""
        return quick if self.quick else full


FULL_RUN = Config(quick=False, timing=FULL, sympy_timeout=300.0)
QUICK_RUN = Config(quick=True, timing=QUICK, sympy_timeout=20.0)
