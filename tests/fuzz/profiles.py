"""Hypothesis settings for the fuzzers: a fixed-seed profile that runs in the
normal test command, and a long profile for the documented long run.

``SYMGRAD_FUZZ=long`` switches every fuzz test to the long profile;
``python -m tests.fuzz --long`` runs it with a summary (docs/reliability.md).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Generation draws values and rejects ops outside their domain; evaluating a
# closed form may take a second: neither is a health problem here.
_RELAXED = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large]

CI_PROGRAMS = 250
LONG_PROGRAMS = 5000


def is_long() -> bool:
    """Whether the long profile runs (``SYMGRAD_FUZZ=long``)."""
    return os.environ.get("SYMGRAD_FUZZ") == "long"


def fuzz_settings(ci_examples: int = CI_PROGRAMS, long_examples: int = LONG_PROGRAMS) -> settings:
    """Derandomized (the same programs on every run) unless ``SYMGRAD_FUZZ=long``."""
    if is_long():
        return settings(max_examples=long_examples, deadline=None, derandomize=False, database=None,
                        suppress_health_check=_RELAXED, print_blob=True)
    return settings(max_examples=ci_examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=_RELAXED, print_blob=True)
