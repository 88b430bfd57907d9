"""The examples in docs/codegen.md run and print what the page says."""

from __future__ import annotations

import doctest
import pathlib

import symgrad

GUIDE = pathlib.Path(__file__).resolve().parents[1] / "docs" / "codegen.md"


def test_codegen_guide_examples():
    result = doctest.testfile(str(GUIDE), module_relative=False, globs={"symgrad": symgrad},
                              optionflags=doctest.ELLIPSIS)
    assert result.attempted > 10
    assert result.failed == 0
