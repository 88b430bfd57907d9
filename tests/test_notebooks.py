"""The notebooks run top to bottom without error, are committed without
stale outputs, and render math and graphs when executed."""

from __future__ import annotations

import os
import pathlib
import shutil

import pytest

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[1] / "notebooks"
ALL = sorted(NOTEBOOKS.glob("*.ipynb"))

nbformat = pytest.importorskip("nbformat", reason="pip install -e '.[test]' installs nbformat")
nbclient = pytest.importorskip("nbclient", reason="pip install -e '.[test]' installs nbclient")


def _execute(path: pathlib.Path):
    nb = nbformat.read(path, as_version=4)
    # The kernel inherits this environment: the checkout under test is the one imported.
    # Without Graphviz's dot program (a system package) symgrad.draw raises GraphvizNotFoundError,
    # naming the package to install: that error is allowed, and every other cell still runs.
    client = nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOKS)}},
                                     allow_error_names=[] if shutil.which("dot") else ["GraphvizNotFoundError"])
    client.execute()
    return nb


def _mime_types(nb) -> set[str]:
    return {mime for cell in nb.cells if cell.cell_type == "code"
            for out in cell.outputs for mime in out.get("data", {})}


def test_there_are_notebooks():
    assert [p.name for p in ALL][:1] == ["01_seed_article.ipynb"]


@pytest.mark.parametrize("path", ALL, ids=[p.name for p in ALL])
def test_notebook_is_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    stale = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not stale, f"{path.name}: cells {stale} keep outputs; strip them (outputs=[], execution_count=None)"


@pytest.mark.parametrize("path", ALL, ids=[p.name for p in ALL])
def test_notebook_runs_top_to_bottom(path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(NOTEBOOKS.parent),
                                                                   os.environ.get("PYTHONPATH")])))
    nb = _execute(path)
    mimes = _mime_types(nb)
    assert "text/latex" in mimes, "formulas should render as math"
    if path.name.startswith("01") and shutil.which("dot"):
        assert "image/svg+xml" in mimes, "the computation graph should be drawn"
