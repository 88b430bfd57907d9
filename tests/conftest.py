"""Shared fixtures: fresh default dtype and print options around every test."""

from __future__ import annotations

import pytest

import symgrad

collect_ignore_glob = ["data/*"]  # verbatim seed programs: run by test_seed.py, not collected


@pytest.fixture(autouse=True)
def _restore_global_state():
    yield
    symgrad.set_default_dtype(symgrad.float64)
    symgrad.set_printoptions(profile="default")


def pytest_collection_modifyitems(config, items):
    """Tests marked slow run only when asked for: ``pytest -m slow``."""
    if "slow" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="slow: run with `pytest -m slow`")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
