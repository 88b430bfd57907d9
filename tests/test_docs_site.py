"""The docs site builds with no warnings (mkdocs build --strict), the
examples on its pages run with the outputs they show, and the command lines
in the command-line guide print what the guide says."""

from __future__ import annotations

import doctest
import importlib.util
import os
import pathlib
import re
import shlex
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
# Pages written on this branch; the other guides run their examples in tests/test_docs.py.
PAGES_WITH_EXAMPLES = ["index.md", "getting-started.md", "concepts.md", "display.md"]


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
                PYTHONIOENCODING="utf-8", NO_MKDOCS_2_WARNING="1")


def test_site_builds_strictly(tmp_path):
    pytest.importorskip("mkdocs", reason="pip install -e '.[docs]' installs MkDocs")
    r = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
                       cwd=ROOT, capture_output=True, text=True, env=_env(), timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "WARNING" not in r.stderr, r.stderr
    reference = (tmp_path / "api" / "display" / "index.html").read_text()
    assert "language-pycon" in reference or "highlight" in reference  # docstring examples render as code
    assert "symgrad.display.show" in reference


@pytest.mark.parametrize("page", PAGES_WITH_EXAMPLES)
def test_page_examples_run(page):
    result = doctest.testfile(str(DOCS / page), module_relative=False, report=True,
                              optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_every_page_is_in_the_nav():
    config = (ROOT / "mkdocs.yml").read_text()
    pages = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))
    missing = [p for p in pages if p not in config]
    assert not missing, f"add these pages to the nav in mkdocs.yml: {missing}"


def _console_commands(text: str) -> list[tuple[str, list[str]]]:
    """(command, expected stdout lines) for each ``$ symgrad ...`` in console blocks."""
    out: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", text, re.S):
        for line in block.splitlines():
            if line.startswith("$ "):
                out.append((line[2:], []))
            elif out:
                out[-1][1].append(line)
    return out


def test_command_line_guide_is_true():
    text = (DOCS / "cli.md").read_text()
    commands = _console_commands(text)
    assert len(commands) >= 6
    for command, expected in commands:
        argv = shlex.split(command)
        assert argv[0] == "symgrad"
        if argv[1] == "codegen" and importlib.util.find_spec("symgrad.codegen") is None:
            continue  # the code generation branch has not landed here
        r = subprocess.run([sys.executable, "-m", "symgrad", *argv[1:]], capture_output=True, text=True,
                           env=_env(), timeout=120)
        assert "Traceback" not in r.stderr
        if expected:
            assert (r.returncode, r.stdout.splitlines()) == (0, expected), command
        elif r.returncode:
            assert r.returncode == 2 and r.stderr.strip() in text, (command, r.stderr)


def test_doctest_fences_for_the_api_reference():
    spec = importlib.util.spec_from_file_location("fences", ROOT / "tools" / "griffe_doctest_fences.py")
    assert spec is not None and spec.loader is not None
    pytest.importorskip("griffe", reason="pip install -e '.[docs]' installs griffe")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = "Intro.\n\n>>> 1 + 1\n2\n\n```python\n>>> kept\n```\n  >>> x\n  3"
    assert module.fence_doctests(text) == ("Intro.\n\n```pycon\n>>> 1 + 1\n2\n```\n\n```python\n>>> kept\n```\n"
                                           "  ```pycon\n  >>> x\n  3\n```")
