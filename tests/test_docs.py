"""The examples in the user guides run, with the outputs they show."""

from __future__ import annotations

import doctest
import pathlib

import pytest

DOCS = pathlib.Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize("name", ["transforms.md", "verification.md", "linalg.md", "distributions.md"])
def test_guide_examples_run(name):
    result = doctest.testfile(str(DOCS / name), module_relative=False, verbose=False, report=True,
                              optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 5
    assert result.failed == 0
