"""Lint (ruff, F811 included) and the type check run as part of the tests."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *cmd], cwd=ROOT, capture_output=True, text=True)


def test_ruff_is_clean():
    if shutil.which("ruff") is None and _run("ruff", "--version").returncode:
        pytest.fail("ruff is not installed: pip install -e '.[test]'")
    r = _run("ruff", "check", ".")
    assert r.returncode == 0, r.stdout + r.stderr


def test_ruff_checks_redefinitions():
    config = (ROOT / "pyproject.toml").read_text()
    assert 'extend-select = ["F811"]' in config


def test_mypy_is_clean():
    r = _run("mypy")
    assert r.returncode == 0, r.stdout + r.stderr
