"""The examples in the user guides run, with the outputs they show."""

from __future__ import annotations

import doctest
import pathlib
import re

import pytest

DOCS = pathlib.Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize("name", ["transforms.md", "verification.md", "linalg.md", "distributions.md"])
def test_guide_examples_run(name):
    result = doctest.testfile(str(DOCS / name), module_relative=False, verbose=False, report=True,
                              optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 5
    assert result.failed == 0


def test_nn_guide_examples_run():
    """docs/nn.md from "The loss as a formula" on: its code blocks run in
    order in one namespace (the model and loss the examples read), and its
    ``>>>`` examples print what the page shows.  (The blocks before it are
    fragments of the seed program.)"""
    text = (DOCS / "nn.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text[text.index("## The loss as a formula"):], re.S)
    namespace: dict = {}
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    attempted = 0
    for i, block in enumerate(blocks):
        if ">>>" not in block:  # our page's setup code (the model), compiled as the doctests are
            exec(compile(block, f"docs/nn.md, block {i}", "exec"), namespace)
            continue
        test = parser.get_doctest(block, namespace, f"nn.md block {i}", str(DOCS / "nn.md"), 0)
        result = runner.run(test, clear_globs=False)
        namespace.update(test.globs)  # (a DocTest runs on a copy: later blocks read what this one made)
        attempted += result.attempted
        assert result.failed == 0, f"docs/nn.md block {i}"
    assert attempted > 20
