"""Coverage-guided fuzzing of the string entry points with atheris (optional:
``pip install atheris``).  The checks are those of ``tests/test_hostile.py``
(``tests/fuzz/strings.py``); atheris steers the bytes towards new branches
of symgrad's parsers and validators.

    PYTHONPATH=$PWD python -m tests.fuzz.atheris_strings -atheris_runs=20000

Any assertion or unexpected exception stops the run and leaves the input
in a ``crash-*`` file.
"""

from __future__ import annotations

import sys
from typing import Any

strings: Any = None  # tests.fuzz.strings, imported under instrumentation by main()


def one_input(data: bytes) -> None:
    """Run one check, chosen by the first byte, on the rest decoded as text."""
    if not data:
        return
    text = data[1:].decode("utf-8", errors="replace")
    which = data[0] % (len(strings.CHECKS) + 1)
    if which == len(strings.CHECKS):
        strings.check_command_line(text.split("\x00")[:3])
    else:
        strings.CHECKS[which](text)


def main(argv: list[str]) -> None:
    import atheris

    global strings
    with atheris.instrument_imports(include=["symgrad"]):  # symgrad's branches guide the search
        from tests.fuzz import strings as checks
    strings = checks
    atheris.Setup(argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
