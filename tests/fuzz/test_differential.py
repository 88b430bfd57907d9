"""Random programs agree with every oracle (see ``tests/fuzz/oracles.py``).

A failure shrinks to a minimal program, printed as runnable symgrad code.
"""

from __future__ import annotations

import importlib.util

from hypothesis import given, reject

from tests.fuzz import oracles
from tests.fuzz.generate import programs
from tests.fuzz.profiles import fuzz_settings
from tests.fuzz.program import Program


def _torch():
    if importlib.util.find_spec("torch") is None:
        return None  # the other oracles still run
    import torch

    return torch


@fuzz_settings()
@given(program=programs())
def test_random_programs_agree_with_every_oracle(program: Program):
    try:
        oracles.check(program, torch=_torch())
    except oracles.NotSmoothError:
        reject()
