"""Hostile and malformed strings at every public entry point that takes one:
symbol names, device and dtype strings, formula strings (verify, the
parser), command-line arguments, print profiles, nn parameter names and
option strings (the checks: ``tests/fuzz/strings.py``).

Nothing may execute code, escape as anything but an error that names the
argument, or reach generated code unsanitised.  Hypothesis mixes known
payloads with random text; ``tests/fuzz/atheris_strings.py`` runs the same
checks coverage-guided.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz import strings

STRINGS = st.one_of(st.sampled_from(strings.PAYLOADS), st.text(max_size=40),
                    st.text(alphabet="()[]{}*+-/.,:;'\"\\ x_0123456789eE\n", max_size=40))
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(autouse=True)
def _no_payload_ran():
    strings.CANARY.clear()
    yield
    strings.nothing_ran()


@pytest.mark.parametrize("check", strings.CHECKS, ids=lambda c: c.__name__)
def test_hostile_strings(check):
    FUZZ(given(STRINGS)(check))()


@FUZZ
@given(st.lists(STRINGS, max_size=3))
def test_command_line_arguments(argv):
    strings.check_command_line(argv)


def test_the_canary_sees_executed_payloads():
    with pytest.raises(AssertionError, match="executed"):
        strings.outcome(lambda: eval(strings.RUN), "x")  # noqa: S307 - the point of the test
    strings.CANARY.clear()


def test_the_atheris_harness_runs_without_atheris():
    from tests.fuzz import atheris_strings

    atheris_strings.strings = strings  # what main() sets after instrumenting the import
    for data in (b"", b"\x00cpu:1", b"\x02x\xff", b"\x04sin(x)*2", bytes([len(strings.CHECKS)]) + b"demo"):
        atheris_strings.one_input(data)
